//! The HTTP client: one shared `reqwest` client (rustls, connection pool) built on first
//! use, or a client the user supplies.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::redirect;

use crate::error::{ApiErrorKind, Error, Result};

/// The `User-Agent` of the shared client.
pub const USER_AGENT: &str = concat!("llm-runtime/", env!("CARGO_PKG_VERSION"));

/// How long the shared client waits for a connection to be established.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

static SHARED: OnceLock<reqwest::Client> = OnceLock::new();

/// The client every provider uses unless given its own: TLS by rustls with the Mozilla
/// roots, HTTP/2 where the server offers it, a pool of kept-alive connections, a
/// [`CONNECT_TIMEOUT`], and redirects followed only within the same host (so that a key in a
/// header of the provider's own is never sent elsewhere). It has no overall timeout: each
/// request sets its own from `ModelSettings::timeout`.
///
/// Built on first use and then shared (a `reqwest::Client` is a handle to one pool). Its
/// pooled connections belong to the Tokio runtime that opened them; a program that runs
/// several runtimes one after the other may give each provider its own client.
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
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(same_host_redirects())
        .build()
        .map_err(|err| {
            Error::api(
                "could not build the HTTP client",
                ApiErrorKind::Other,
                Some(Box::new(err.without_url())),
            )
        })?;
    Ok(SHARED.get_or_init(|| client).clone())
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
