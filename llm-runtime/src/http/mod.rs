//! HTTP: the shared client, SSE decoding, auth, retries and timeouts.
//!
//! Nothing here knows a provider: providers reach HTTP only through the [`Protocol`](crate::providers::Protocol)
//! they implement.

pub mod sse;
