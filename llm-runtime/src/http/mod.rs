//! HTTP: the shared client, SSE decoding, auth, retries and timeouts.
//!
//! Nothing here knows a provider: providers reach HTTP only through the [`Protocol`](crate::providers::Protocol)
//! they implement, driven by [`ProviderModel`](crate::providers::ProviderModel).
//!
//! - [`shared_client`]: one `reqwest` client (rustls) for every provider not given its own.
//! - [`ApiKey`] (redacted in `Debug`) and [`AuthStyle`]: bearer token, header or query key.
//! - [`RetryPolicy`] and [`retry_after`]: which failures are retried, and after how long.
//! - [`sse::SseDecoder`]: the pure decoder of `text/event-stream` bodies.
//! - [`eventstream::EventStreamDecoder`]: the pure decoder of AWS event streams (Bedrock).
//! - [`jsonl::JsonLinesDecoder`]: the pure splitter of newline-delimited JSON bodies.
//!
//! Errors: an error status is [`Error::Http`](crate::Error::Http) with the start of the body
//! and the wait the provider asked for; a connection failure or a timeout is
//! [`Error::Api`](crate::Error::Api). `ModelSettings::timeout` bounds each attempt of a
//! request, and for a stream also each gap between two chunks. Keys are sent in headers
//! marked sensitive (or, for providers that want it, a query parameter) and never appear in
//! `Debug` output, errors or logs.

mod auth;
mod client;
pub mod eventstream;
pub mod jsonl;
mod retry;
pub(crate) mod send;
pub mod sse;

pub(crate) use auth::AuthPlacement;
pub use auth::{ApiKey, AuthStyle};
pub use client::{shared_client, CONNECT_TIMEOUT, USER_AGENT};
pub use retry::{retry_after, RetryPolicy};
