//! The HTTP client: one shared `reqwest` client (TLS by the `rustls` or `native-tls` feature,
//! connection pool) built on first use, or a client the user supplies.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::redirect;

use crate::error::{ApiErrorKind, Error, Result};

/// The `User-Agent` of the shared client.
pub const USER_AGENT: &str = concat!("llm-runtime/", env!("CARGO_PKG_VERSION"));

/// How long the shared client waits for a connection to be established.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

static SHARED: OnceLock<reqwest::Client> = OnceLock::new();

/// The client every provider uses unless given its own: TLS by rustls (feature `rustls`, on
/// by default: the aws-lc-rs crypto provider, certificates checked by the operating system's
/// verifier, as reqwest 0.13 sets it up) or by the platform's TLS library (feature
/// `native-tls`, which wins when both are on), HTTP/2 where the server offers it, a pool of
/// kept-alive connections, a [`CONNECT_TIMEOUT`], and redirects followed only within the
/// same host (so that a key in a header of the provider's own is never sent elsewhere). It
/// has no overall timeout: each request sets its own from `ModelSettings::timeout`.
///
/// Built on first use and then shared (a `reqwest::Client` is a handle to one pool). Its
/// pooled connections belong to the Tokio runtime that opened them; a program that runs
/// several runtimes one after the other may give each provider its own client.
///
/// With neither TLS feature it speaks plain HTTP only: an `https://` base URL then fails at
/// the request with an [`Error::Api`].
///
/// # Errors
/// [`Error::Api`] when the TLS backend cannot be initialised.
///
/// ```
/// let client = llm_runtime::http::shared_client()?;
/// # let _ = client;
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn shared_client() -> Result<reqwest::Client> {
    if let Some(client) = SHARED.get() {
        return Ok(client.clone());
    }
    let builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(same_host_redirects());
    let client = with_tls(builder).build().map_err(|err| {
        Error::api(
            "could not build the HTTP client",
            ApiErrorKind::Other,
            Some(Box::new(err.without_url())),
        )
    })?;
    Ok(SHARED.get_or_init(|| client).clone())
}

/// The platform's TLS library (feature `native-tls`).
#[cfg(feature = "native-tls")]
fn with_tls(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder.tls_backend_native()
}

/// rustls (feature `rustls`), as reqwest sets it up: the aws-lc-rs provider and the platform's
/// verifier.
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
fn with_tls(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder.tls_backend_rustls()
}

/// No TLS feature: plain HTTP only.
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
fn with_tls(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder
}

/// Follows up to 10 redirects that stay on the host of the request.
fn same_host_redirects() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        let same_host = attempt
            .previous()
            .first()
            .is_some_and(|first| first.host_str() == attempt.url().host_str());
        if attempt.previous().len() > 10 || !same_host {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}
