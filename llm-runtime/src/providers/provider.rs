//! A configured provider ([`Provider`]): a protocol, where to send it (base URL, auth, headers,
//! query parameters, client) and how (retries, timeout); built by [`ProviderBuilder`] from
//! explicit values, the environment and the defaults `#[provider]` declares.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Url;

use super::{Protocol, ProviderModel};
use crate::error::{Error, Result};
use crate::http::send::{merge_extra_body, ErrorBody, HttpRequest};
use crate::http::{
    shared_client, ApiKey, AuthPlacement, AuthStyle, RequestSigner, RetryPolicy, TokenCache,
};
use crate::limit::ConcurrencyLimiter;
use crate::models::Model;
use crate::settings::ModelSettings;

mod builder;

pub use builder::ProviderBuilder;
use builder::{header, RedactedPairs};

/// How long a request may take when `ModelSettings::timeout` is not set (600 s, as in the
/// official OpenAI SDK).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The largest non-streamed response body read (64 MiB); a larger one is an
/// [`ApiErrorKind::TooLarge`](crate::ApiErrorKind::TooLarge) error. Raise it with
/// [`ProviderBuilder::max_body_size`].
pub const DEFAULT_MAX_BODY_SIZE: usize = 64 * 1024 * 1024;

/// The most bytes a streamed response may bring in all (256 MiB); a stream that goes past it
/// ends with an [`ApiErrorKind::TooLarge`](crate::ApiErrorKind::TooLarge) error. Raise it with
/// [`ProviderBuilder::max_stream_size`].
pub const DEFAULT_MAX_STREAM_SIZE: usize = 256 * 1024 * 1024;

/// What `#[provider]` implements: a provider's defaults, as a preset [`ProviderBuilder`].
///
/// Written by hand it reads as the macro's expansion does:
///
/// ```
/// # mod proto {
/// #     use llm_runtime::messages::ModelResponse;
/// #     use llm_runtime::providers::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
/// #     use llm_runtime::stream::PartsManager;
/// #     use llm_runtime::warning::Warnings;
/// #     #[derive(Debug, Default)]
/// #     pub struct Echo;
/// #     impl Protocol for Echo {
/// #         type StreamState = ();
/// #         type Event<'a> = serde_json::Value;
/// #         const EVENT_DESCRIPTION: &'static str = "echo event";
/// #         fn endpoint(&self, _: &str, _: bool) -> String { "echo".into() }
/// #         fn request_body(&self, _: &PreparedRequest<'_>, _: bool, _: &mut Warnings) -> llm_runtime::Result<Vec<u8>> { Ok(b"{}".to_vec()) }
/// #         fn parse_response(&self, _: &[u8], _: &mut ResponseContext<'_>) -> llm_runtime::Result<ModelResponse> { Ok(ModelResponse::default()) }
/// #         fn parse_event<'a>(&self, e: &RawEvent<'a>) -> serde_json::Result<serde_json::Value> { serde_json::from_str(e.data) }
/// #         fn on_event(&self, _: serde_json::Value, _: &RawEvent<'_>, _: &mut (), _: &mut PartsManager) -> llm_runtime::Result<Flow> { Ok(Flow::Done) }
/// #     }
/// # }
/// # use proto::Echo;
/// use llm_runtime::http::AuthStyle;
/// use llm_runtime::providers::{ProviderBuilder, ProviderDefinition};
///
/// struct EchoHost;
///
/// impl ProviderDefinition for EchoHost {
///     type Protocol = Echo;
///     const NAME: &'static str = "echo-host";
///     const ALIASES: &'static [&'static str] = &[];
///     fn builder() -> ProviderBuilder<Echo> {
///         ProviderBuilder::new("echo-host", Echo)
///             .default_base_url("https://echo.example/v1")
///             .auth(AuthStyle::header("x-api-key"))
///     }
/// }
///
/// let provider = EchoHost::builder().api_key("k").build()?;
/// assert_eq!(provider.base_url(), "https://echo.example/v1");
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub trait ProviderDefinition: 'static {
    /// The wire protocol of the provider.
    type Protocol: Protocol;
    /// The model-string prefix (`groq` in `groq:llama-3.3-70b-versatile`).
    const NAME: &'static str;
    /// Other prefixes for the same provider.
    const ALIASES: &'static [&'static str];
    /// A builder preset with the provider's defaults (base URL, environment variables, auth,
    /// headers); explicit builder calls override them.
    fn builder() -> ProviderBuilder<Self::Protocol>;

    /// The provider configured from the environment and its defaults.
    ///
    /// # Errors
    /// As [`ProviderBuilder::build`].
    fn from_env() -> Result<Provider<Self::Protocol>> {
        Self::builder().build()
    }

    /// A model of the provider configured from the environment, as the model string
    /// `"<NAME>:<model_name>"` gives it.
    ///
    /// # Errors
    /// As [`ProviderBuilder::build`].
    fn model(model_name: &str) -> Result<ProviderModel<Self::Protocol>> {
        Ok(Self::from_env()?.model(model_name))
    }
}

/// Builds a model of the provider `D` from the environment: the `build` function of the
/// [`ProviderRegistration`](crate::models::ProviderRegistration) that `#[provider]` submits.
///
/// # Errors
/// As [`ProviderBuilder::build`].
pub fn registered_model<D: ProviderDefinition>(model_name: &str) -> Result<Arc<dyn Model>> {
    Ok(Arc::new(D::model(model_name)?))
}

/// The environment-variable prefix of a provider name: upper case, `-` and `.` as `_`
/// (`openai-responses` → `OPENAI_RESPONSES`).
pub fn env_prefix(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// A configured provider: a [`Protocol`] and where and how to send it. Cheap to clone (the
/// configuration is shared); make its models with [`model`](Self::model).
///
/// Its `Debug` shows the configuration and which auth it uses (key and style, signer, token
/// source), with the key, tokens and header values redacted.
pub struct Provider<P> {
    inner: Arc<ProviderInner<P>>,
}

struct ProviderInner<P> {
    name: Cow<'static, str>,
    base_url: String,
    api_key: Option<ApiKey>,
    auth: AuthStyle,
    signer: Option<Box<dyn RequestSigner>>,
    tokens: Option<TokenCache>,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    client: Option<reqwest::Client>,
    retry: RetryPolicy,
    timeout: Duration,
    max_body_size: usize,
    max_stream_size: usize,
    stream_deadline: Option<Duration>,
    first_byte_timeout: Option<Duration>,
    limiter: Option<ConcurrencyLimiter>,
    settings: Option<ModelSettings>,
    #[cfg(feature = "testing")]
    vcr: Option<crate::testing::Vcr>,
    protocol: P,
}

impl<P> Clone for Provider<P> {
    fn clone(&self) -> Self {
        Provider {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for Provider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let headers: Vec<(&str, ())> = inner.headers.keys().map(|k| (k.as_str(), ())).collect();
        let mut debug = f.debug_struct("Provider");
        debug
            .field("name", &inner.name)
            .field("base_url", &inner.base_url)
            .field("protocol", &inner.protocol)
            .field("api_key", &inner.api_key)
            .field("auth", &inner.auth)
            .field("signer", &inner.signer)
            .field("tokens", &inner.tokens)
            .field("headers", &RedactedPairs(&headers))
            .field("query", &RedactedPairs(&inner.query))
            .field(
                "client",
                &if inner.client.is_some() {
                    "custom"
                } else {
                    "shared"
                },
            )
            .field("retry", &inner.retry)
            .field("timeout", &inner.timeout);
        #[cfg(feature = "testing")]
        debug.field("vcr", &inner.vcr);
        debug.finish_non_exhaustive()
    }
}

impl<P> Provider<P> {
    /// The provider's name (its model-string prefix).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The protocol, with its options.
    pub fn protocol(&self) -> &P {
        &self.inner.protocol
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The limiter every request of this provider goes through, if it has one.
    pub fn limiter(&self) -> Option<&ConcurrencyLimiter> {
        self.inner.limiter.as_ref()
    }

    /// How long a stream may last in all, if bounded.
    pub fn stream_deadline(&self) -> Option<Duration> {
        self.inner.stream_deadline
    }

    /// How long a stream may take to send its first byte, if bounded
    /// ([`ProviderBuilder::first_byte_timeout`]).
    pub fn first_byte_timeout(&self) -> Option<Duration> {
        self.inner.first_byte_timeout
    }

    /// The most bytes a streamed response may bring in all.
    pub fn max_stream_size(&self) -> usize {
        self.inner.max_stream_size
    }

    /// The timeout used when a request's settings set none.
    pub fn default_timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Settings the provider's models apply under each request's own.
    pub fn settings(&self) -> Option<&ModelSettings> {
        self.inner.settings.as_ref()
    }

    /// Whether an API key is configured.
    pub fn has_api_key(&self) -> bool {
        self.inner.api_key.is_some()
    }

    /// The cache of the provider's short-lived tokens, if it has a
    /// [token source](ProviderBuilder::token_source) (to share it with another provider, or to
    /// [invalidate](TokenCache::invalidate) its token).
    pub fn token_cache(&self) -> Option<&TokenCache> {
        self.inner.tokens.as_ref()
    }
}

impl<P: Protocol> Provider<P> {
    /// A model of this provider.
    pub fn model(&self, model_name: impl Into<String>) -> ProviderModel<P> {
        ProviderModel::new(self.clone(), model_name)
    }

    /// Builds the request for `model_name` with `body` (the protocol's body, `extra_body`
    /// merged), its headers (the provider's, then those the protocol asked for this request
    /// ([`Protocol::request_headers`]), then `extra_headers`, which win, joined by `,` to a
    /// protocol header of the same name) and its timeout.
    #[cfg(all(test, feature = "openai"))]
    pub(crate) fn http_request_with<'a>(
        &'a self,
        model_name: &'a str,
        settings: &ModelSettings,
        body: Vec<u8>,
        stream: bool,
        protocol_headers: &[(&'static str, String)],
    ) -> Result<HttpRequest<'a>> {
        let target = self.request_target(model_name, stream)?;
        self.http_request_to(&target, model_name, settings, body, protocol_headers)
    }

    /// The URL (query parameters and a key placed there included) and the headers every
    /// request of `model_name` starts from: the same for each request of a model, so that a
    /// [`ProviderModel`] computes them once.
    pub(crate) fn request_target(&self, model_name: &str, stream: bool) -> Result<RequestTarget> {
        let inner = &*self.inner;
        let endpoint = inner.protocol.endpoint(model_name, stream);
        let mut url = Url::parse(&format!(
            "{}/{}",
            inner.base_url,
            endpoint.trim_start_matches('/')
        ))
        .map_err(|err| {
            Error::user(format!(
                "invalid URL for provider `{}` and model `{model_name}`: {err}",
                inner.name
            ))
        })?;

        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            ACCEPT,
            HeaderValue::from_static(if stream {
                inner.protocol.framing().media_type()
            } else {
                "application/json"
            }),
        );
        for (name, value) in &inner.headers {
            headers.insert(name.clone(), value.clone());
        }
        let mut query: Vec<(&str, &str)> = inner
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let placement = match &inner.api_key {
            Some(key) => inner.auth.placement(key)?,
            None => None,
        };
        match &placement {
            Some(AuthPlacement::Header(name, value)) => {
                headers.insert(name.clone(), value.clone());
            }
            Some(AuthPlacement::Query(name, value)) => query.push((name, value)),
            None => {}
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(RequestTarget { url, headers })
    }

    /// As [`http_request_with`](Self::http_request_with), from the request's
    /// [`request_target`](Self::request_target).
    pub(crate) fn http_request_to<'a>(
        &'a self,
        target: &RequestTarget,
        model_name: &'a str,
        settings: &ModelSettings,
        body: Vec<u8>,
        protocol_headers: &[(&'static str, String)],
    ) -> Result<HttpRequest<'a>> {
        let inner = &*self.inner;
        let body = merge_extra_body(body, settings.extra_body.as_ref())?;
        let url = target.url.clone();
        let mut headers = target.headers.clone();
        for (name, value) in protocol_headers {
            let (name, value) = header(name, value)?;
            headers.insert(name, value);
        }
        for (name, value) in settings.extra_headers.iter().flatten() {
            let joined = protocol_headers
                .iter()
                .find(|(ours, _)| ours.eq_ignore_ascii_case(name))
                .map(|(_, ours)| format!("{ours},{value}"));
            let (name, value) = header(name, joined.as_deref().unwrap_or(value))?;
            headers.insert(name, value);
        }

        Ok(HttpRequest {
            client: match &inner.client {
                Some(client) => client.clone(),
                None => shared_client()?,
            },
            url,
            headers,
            body: Bytes::from(body),
            tokens: inner.tokens.as_ref(),
            signer: inner.signer.as_deref(),
            error_body: &inner.protocol,
            timeout: settings.timeout.unwrap_or(inner.timeout),
            max_body_size: inner.max_body_size,
            first_byte_timeout: inner.first_byte_timeout,
            limiter: inner.limiter.as_ref(),
            retry: &inner.retry,
            provider: &inner.name,
            model_name,
            #[cfg(feature = "testing")]
            vcr: inner.vcr.clone().or_else(crate::testing::Vcr::scoped),
        })
    }
}

/// The URL and the headers every request of one model starts from
/// ([`Provider::request_target`]). It may hold the API key: never log or show it.
#[derive(Clone)]
pub(crate) struct RequestTarget {
    url: Url,
    headers: HeaderMap,
}

impl<P: Protocol> ErrorBody for P {
    fn error_body(&self, status: u16, headers: &HeaderMap, body: Vec<u8>) -> Vec<u8> {
        Protocol::error_body(self, status, headers, body)
    }
}
