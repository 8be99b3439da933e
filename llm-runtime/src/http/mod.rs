//! HTTP: the shared client, SSE decoding, auth, retries and timeouts.
//!
//! Nothing here knows a provider: providers reach HTTP only through the [`Protocol`](crate::providers::Protocol)
//! they implement, driven by [`ProviderModel`](crate::providers::ProviderModel).
//!
//! - [`shared_client`]: one `reqwest` client (rustls or native TLS) for every provider not given its own.
//! - Auth, a driver part a user can implement too:
//!   - [`ApiKey`] (redacted in `Debug`) and [`AuthStyle`]: a static key as a bearer token, a
//!     header or a query parameter;
//!   - [`RequestSigner`]: signs each attempt over its method, URL, headers and exact body bytes
//!     ([`SignableRequest`]; AWS SigV4);
//!   - [`TokenSource`] and [`TokenCache`]: short-lived bearer tokens ([`AccessToken`]: OAuth2,
//!     a metadata server), fetched once for concurrent requests and refreshed
//!     [a margin](DEFAULT_REFRESH_MARGIN) before they expire.
//! - [`RetryPolicy`] and [`retry_after`]: which failures are retried, and after how long.
//! - [`sse::SseDecoder`]: the pure decoder of `text/event-stream` bodies.
//! - [`eventstream::EventStreamDecoder`]: the pure decoder of AWS event streams (Bedrock).
//! - [`jsonl::JsonLinesDecoder`]: the pure splitter of newline-delimited JSON bodies.
//!
//! Each attempt of a request, retries included, runs the auth steps in order: the static key
//! (put in when the request is built), then the cached token (awaited, fetched if needed) as
//! `Authorization: Bearer`, then the signer, last, over the final method, URL, headers and
//! body. A 401 to a request that carried a token invalidates it and is retried once with a
//! fresh token, besides the retry policy. A provider with a static key alone takes none of
//! these steps.
//!
//! Errors: an error status is [`Error::Http`](crate::Error::Http) with the start of the body
//! and the wait the provider asked for; a connection failure or a timeout is
//! [`Error::Api`](crate::Error::Api), and so is a failed token fetch (of kind
//! [`Credentials`](crate::ApiErrorKind::Credentials), naming the token source).
//! `ModelSettings::timeout` bounds each attempt of a request (its token fetch included), and
//! for a stream also each gap between two chunks. Keys and tokens are sent in headers marked
//! sensitive (or, for providers that want it, a query parameter) and never appear in `Debug`
//! output, errors or logs.

mod auth;
mod client;
pub mod eventstream;
pub mod jsonl;
mod retry;
pub(crate) mod send;
pub mod sse;
#[cfg(test)]
mod test_rng;

pub(crate) use auth::AuthPlacement;
pub use auth::{
    AccessToken, ApiKey, AuthStyle, RequestSigner, SignableRequest, TokenCache, TokenSource,
    DEFAULT_REFRESH_MARGIN,
};
pub use client::{shared_client, CONNECT_TIMEOUT, USER_AGENT};
pub use retry::{retry_after, RetryPolicy};

/// The `reqwest` this crate is built on, for the types of its signatures (the `Url`,
/// `Method` and `HeaderMap` a [`RequestSigner`] sees, a custom `Client`) without a
/// dependency of one's own that must match its version.
pub use reqwest;
