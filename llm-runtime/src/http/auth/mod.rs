//! Auth, a part of the driver: how each request proves who sends it.
//!
//! - Static keys: an [`ApiKey`] and the [`AuthStyle`] a provider takes it in (a bearer token, a
//!   header of its own, a query parameter), put in the request once when it is built.
//! - [`RequestSigner`] (in `signer.rs`): a signature over each attempt's exact bytes (AWS
//!   SigV4), computed anew for every retry.
//! - [`TokenSource`] and [`TokenCache`] (in `token.rs`): short-lived bearer tokens (OAuth2, a
//!   metadata server) fetched once for concurrent requests and refreshed before they expire.

use std::borrow::Cow;
use std::fmt;

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};

use crate::error::{Error, Result};

mod signer;
mod token;

pub use signer::{RequestSigner, SignableRequest};
pub use token::{AccessToken, TokenCache, TokenSource, DEFAULT_REFRESH_MARGIN};

/// An API key. Its `Debug` never shows it, and it has no `Display`: the key leaves the
/// process only in the requests it authenticates.
///
/// ```
/// use llm_runtime::http::ApiKey;
/// let key = ApiKey::new("sk-secret");
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// assert_eq!(key.expose(), "sk-secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Box<str>);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into().into_boxed_str())
    }

    /// The key itself, to put in a request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey::new(key)
    }
}

/// How a provider expects its API key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuthStyle {
    /// `Authorization: Bearer <key>` (OpenAI and most compatible hosts).
    #[default]
    Bearer,
    /// The key alone in a header of the provider's own (`x-api-key` for Anthropic, `api-key`
    /// for Azure, `x-goog-api-key` for Gemini).
    Header(Cow<'static, str>),
    /// The key in a query parameter of the URL (`key` for Gemini's older endpoints). Prefer a
    /// header where the provider accepts one: URLs end up in logs.
    Query(Cow<'static, str>),
    /// No authentication.
    None,
}

/// Where an [`AuthStyle`] puts the key: a header or a query parameter.
#[derive(Debug)]
pub(crate) enum AuthPlacement {
    Header(HeaderName, HeaderValue),
    Query(String, String),
}

impl AuthStyle {
    /// A key in a header of this name.
    pub fn header(name: impl Into<Cow<'static, str>>) -> Self {
        AuthStyle::Header(name.into())
    }

    /// A key in a query parameter of this name.
    pub fn query(name: impl Into<Cow<'static, str>>) -> Self {
        AuthStyle::Query(name.into())
    }

    /// Checks the header name, so that a bad one fails when the provider is built rather
    /// than at its first request.
    pub(crate) fn validate(&self) -> Result<()> {
        if let AuthStyle::Header(name) = self {
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::user(format!(
                    "`{name}` is not a valid header name for the API key"
                ))
            })?;
        }
        Ok(())
    }

    /// Where `key` goes. Header values are marked sensitive, so that `reqwest` and `http`
    /// never show them.
    pub(crate) fn placement(&self, key: &ApiKey) -> Result<Option<AuthPlacement>> {
        let invalid = || Error::user("the API key contains characters a header cannot carry");
        let sensitive = |value: &str| -> Result<HeaderValue> {
            let mut value = HeaderValue::from_str(value).map_err(|_| invalid())?;
            value.set_sensitive(true);
            Ok(value)
        };
        Ok(match self {
            AuthStyle::Bearer => Some(AuthPlacement::Header(
                AUTHORIZATION,
                sensitive(&format!("Bearer {}", key.expose()))?,
            )),
            AuthStyle::Header(name) => {
                let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    Error::user(format!(
                        "`{name}` is not a valid header name for the API key"
                    ))
                })?;
                Some(AuthPlacement::Header(name, sensitive(key.expose())?))
            }
            AuthStyle::Query(name) => Some(AuthPlacement::Query(
                name.clone().into_owned(),
                key.expose().to_owned(),
            )),
            AuthStyle::None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_header_is_sensitive() {
        let key = ApiKey::new("sk-1");
        let Some(AuthPlacement::Header(name, value)) = AuthStyle::Bearer.placement(&key).unwrap()
        else {
            panic!("expected a header")
        };
        assert_eq!(name, AUTHORIZATION);
        assert_eq!(value, "Bearer sk-1");
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("sk-1"));
    }

    #[test]
    fn custom_header_and_query() {
        let key = ApiKey::new("k");
        let Some(AuthPlacement::Header(name, value)) =
            AuthStyle::header("x-api-key").placement(&key).unwrap()
        else {
            panic!("expected a header")
        };
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("x-api-key", "k"));
        let Some(AuthPlacement::Query(name, value)) =
            AuthStyle::query("key").placement(&key).unwrap()
        else {
            panic!("expected a query parameter")
        };
        assert_eq!((name.as_str(), value.as_str()), ("key", "k"));
        assert!(AuthStyle::None.placement(&key).unwrap().is_none());
    }

    #[test]
    fn bad_header_names_and_keys_are_user_errors_without_the_key() {
        let err = AuthStyle::header("bad header").validate().unwrap_err();
        assert!(matches!(err, Error::User { .. }));
        let err = AuthStyle::Bearer
            .placement(&ApiKey::new("sk-secret\n"))
            .unwrap_err();
        assert!(!err.to_string().contains("sk-secret"), "{err}");
    }
}
