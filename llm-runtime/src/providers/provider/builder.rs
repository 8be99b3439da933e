//! [`ProviderBuilder`]: a [`Provider`]'s configuration from explicit values, the environment
//! and the defaults `#[provider]` declares, checked when it is built.

use crate::limit::ConcurrencyLimiter;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;

use super::{
    env_prefix, Provider, ProviderInner, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_STREAM_SIZE,
    DEFAULT_TIMEOUT,
};
use crate::error::{Error, Result};
use crate::http::{ApiKey, AuthStyle, RequestSigner, RetryPolicy, TokenCache, TokenSource};
use crate::providers::Protocol;
use crate::settings::ModelSettings;

/// Configures a [`Provider`]. Each value comes from the first of: an explicit call on the
/// builder, the environment, the provider's declared default.
///
/// ```
/// use std::time::Duration;
/// use llm_runtime::http::{AuthStyle, RetryPolicy};
/// use llm_runtime::providers::ProviderBuilder;
/// # use llm_runtime::{messages::ModelResponse, stream::PartsManager};
/// # use llm_runtime::providers::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
/// # use llm_runtime::warning::Warnings;
/// # #[derive(Debug)] struct Echo;
/// # impl Protocol for Echo {
/// #     type StreamState = ();
/// #     type Event<'a> = serde_json::Value;
/// #     const EVENT_DESCRIPTION: &'static str = "echo event";
/// #     fn endpoint(&self, _: &str, _: bool) -> String { "echo".into() }
/// #     fn request_body(&self, _: &PreparedRequest<'_>, _: bool, _: &mut Warnings) -> llm_runtime::Result<Vec<u8>> { Ok(b"{}".to_vec()) }
/// #     fn parse_response(&self, _: &[u8], _: &mut ResponseContext<'_>) -> llm_runtime::Result<ModelResponse> { Ok(ModelResponse::default()) }
/// #     fn parse_event<'a>(&self, e: &RawEvent<'a>) -> serde_json::Result<serde_json::Value> { serde_json::from_str(e.data) }
/// #     fn on_event(&self, _: serde_json::Value, _: &RawEvent<'_>, _: &mut (), _: &mut PartsManager) -> llm_runtime::Result<Flow> { Ok(Flow::Done) }
/// # }
///
/// let provider = ProviderBuilder::new("echo", Echo)
///     .default_base_url("https://echo.example/v1")
///     // Explicit values win over ECHO_API_KEY and ECHO_BASE_URL.
///     .api_key("sk-123")
///     .header("x-team", "research")
///     .retry(RetryPolicy::default().with_max_retries(5))
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(provider.name(), "echo");
/// assert!(!format!("{provider:?}").contains("sk-123"));
/// # Ok::<(), llm_runtime::Error>(())
/// ```
#[must_use = "a ProviderBuilder does nothing until `build` is called"]
pub struct ProviderBuilder<P> {
    name: Cow<'static, str>,
    protocol: P,
    default_base_url: Option<Cow<'static, str>>,
    base_url: Option<String>,
    base_url_env: Vec<Cow<'static, str>>,
    api_key: Option<ApiKey>,
    api_key_env: Vec<Cow<'static, str>>,
    api_key_required: bool,
    auth: AuthStyle,
    signer: Option<Box<dyn RequestSigner>>,
    tokens: Option<TokenCache>,
    headers: Vec<(Cow<'static, str>, String)>,
    query: Vec<(Cow<'static, str>, String)>,
    query_env: Vec<(Cow<'static, str>, Cow<'static, str>)>,
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
}

impl<P> ProviderBuilder<P> {
    /// A builder for the provider `name` speaking `protocol`: the key is read from
    /// `<NAME>_API_KEY` and sent as a bearer token, the base URL from `<NAME>_BASE_URL`, with
    /// the default retry policy and [`DEFAULT_TIMEOUT`].
    pub fn new(name: impl Into<Cow<'static, str>>, protocol: P) -> Self {
        let name = name.into();
        let prefix = env_prefix(&name);
        ProviderBuilder {
            protocol,
            default_base_url: None,
            base_url: None,
            base_url_env: vec![format!("{prefix}_BASE_URL").into()],
            api_key: None,
            api_key_env: vec![format!("{prefix}_API_KEY").into()],
            api_key_required: true,
            auth: AuthStyle::Bearer,
            signer: None,
            tokens: None,
            headers: Vec::new(),
            query: Vec::new(),
            query_env: Vec::new(),
            client: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            max_stream_size: DEFAULT_MAX_STREAM_SIZE,
            stream_deadline: None,
            first_byte_timeout: None,
            limiter: None,
            settings: None,
            #[cfg(feature = "testing")]
            vcr: None,
            name,
        }
    }

    /// The base URL used when neither the builder nor the environment gives one.
    pub fn default_base_url(mut self, url: impl Into<Cow<'static, str>>) -> Self {
        self.default_base_url = Some(url.into());
        self
    }

    /// The base URL, overriding the environment and the default.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The environment variables read for the base URL, first set first (replaces
    /// `<NAME>_BASE_URL`).
    pub fn base_url_env<I, S>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.base_url_env = vars.into_iter().map(Into::into).collect();
        self
    }

    /// The API key, overriding the environment.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The environment variables read for the API key, first set first (replaces
    /// `<NAME>_API_KEY`; Gemini reads `GEMINI_API_KEY` then `GOOGLE_API_KEY`).
    pub fn api_key_env<I, S>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.api_key_env = vars.into_iter().map(Into::into).collect();
        self
    }

    /// Whether building fails without a key (the default); a local host such as Ollama takes
    /// requests without one, and then none is sent.
    pub fn api_key_required(mut self, required: bool) -> Self {
        self.api_key_required = required;
        self
    }

    /// How the key is sent (a bearer token by default).
    pub fn auth(mut self, auth: AuthStyle) -> Self {
        self.auth = auth;
        self
    }

    /// A signer that signs each attempt, retries included, over its exact bytes (AWS SigV4),
    /// called after every other header is set. With a signer no API key is required; one
    /// that is configured is still sent (and signed).
    pub fn signer(mut self, signer: impl RequestSigner) -> Self {
        self.signer = Some(Box::new(signer));
        self
    }

    /// A source of short-lived tokens (OAuth2, a metadata server), each sent as
    /// `Authorization: Bearer` (replacing a bearer API key) through a [`TokenCache`] of its
    /// own: one fetch for concurrent requests, refreshed before expiry, fetched anew once when
    /// the provider answers 401. With a token source no API key is required.
    pub fn token_source(self, source: impl TokenSource) -> Self {
        self.token_cache(TokenCache::new(source))
    }

    /// As [`token_source`](Self::token_source), through `cache`, which other providers may
    /// share (one token for all) or which has its own refresh margin.
    pub fn token_cache(mut self, cache: TokenCache) -> Self {
        self.tokens = Some(cache);
        self
    }

    /// A header sent with every request (e.g. `anthropic-version`). `ModelSettings`'
    /// `extra_headers` override it for one request.
    pub fn header(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A query parameter added to every request's URL (e.g. Azure's `api-version`).
    pub fn query_param(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// A query parameter added to every request's URL whose value is read from the environment
    /// variable `var` (Azure's `api-version` from `OPENAI_API_VERSION`). A
    /// [`query_param`](Self::query_param) of the same name wins over the variable; when
    /// neither gives a value, [`build`](Self::build) fails naming the variable.
    ///
    /// ```
    /// # use llm_runtime::providers::openai::chat::OpenAiChat;
    /// use llm_runtime::providers::ProviderBuilder;
    ///
    /// let builder = || {
    ///     ProviderBuilder::new("versioned", OpenAiChat::new())
    ///         .default_base_url("https://versioned.example")
    ///         .api_key("k")
    ///         .query_param_env("api-version", "VERSIONED_API_VERSION")
    /// };
    /// let env = |var: &str| (var == "VERSIONED_API_VERSION").then(|| "2024-10-21".to_owned());
    /// assert!(builder().build_with_env(env).is_ok());
    /// let err = builder().build_with_env(|_| None).unwrap_err();
    /// assert!(err.to_string().contains("set the VERSIONED_API_VERSION environment variable"));
    /// let explicit = builder().query_param("api-version", "2025-01-01").build_with_env(|_| None);
    /// assert!(explicit.is_ok());
    /// ```
    pub fn query_param_env(
        mut self,
        name: impl Into<Cow<'static, str>>,
        var: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.query_env.push((name.into(), var.into()));
        self
    }

    /// The `reqwest` client to send requests with, instead of the [shared one](crate::http::shared_client)
    /// (for a proxy, custom TLS roots, or a client of your own pool). Its settings apply as
    /// they are; timeouts and retries are still this provider's.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Records this provider's HTTP exchanges into a cassette, or answers them from one
    /// (feature `testing`; see [`testing`](crate::testing)). When replaying, nothing is
    /// sent: no token is fetched and no request signed, though building the provider still
    /// wants its credentials (any key will do).
    #[cfg(feature = "testing")]
    pub fn vcr(mut self, vcr: crate::testing::Vcr) -> Self {
        self.vcr = Some(vcr);
        self
    }

    /// The retry policy (two retries with backoff by default).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The timeout of a request (and of each gap between stream chunks) when
    /// `ModelSettings::timeout` is not set ([`DEFAULT_TIMEOUT`] by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest non-streamed response body read ([`DEFAULT_MAX_BODY_SIZE`] by default); a
    /// larger one is an [`ApiErrorKind::TooLarge`](crate::ApiErrorKind::TooLarge) error, not
    /// retried.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// The most bytes a streamed response may bring in all ([`DEFAULT_MAX_STREAM_SIZE`] by
    /// default); a stream that goes past it ends with an
    /// [`ApiErrorKind::TooLarge`](crate::ApiErrorKind::TooLarge) error.
    pub fn max_stream_size(mut self, bytes: usize) -> Self {
        self.max_stream_size = bytes;
        self
    }

    /// How long a stream may last in all, from its first byte to its end (none by default:
    /// the [`timeout`](Self::timeout) bounds each gap between chunks, so a stream that keeps
    /// sending may run as long as the model writes). Past it, the stream ends with an
    /// [`ApiErrorKind::Timeout`](crate::ApiErrorKind::Timeout) error naming the bound.
    pub fn stream_deadline(mut self, deadline: Duration) -> Self {
        self.stream_deadline = Some(deadline);
        self
    }

    /// How long a stream may take to send its first byte, counted from the moment each
    /// attempt sends the request (so the wait for the response headers counts too). None by
    /// default: models that reason before they write may be silent for minutes, and the
    /// [`timeout`](Self::timeout) bounds every attempt anyway. Set it to fail fast on a server
    /// that accepts connections but does not answer: past it the attempt fails with an
    /// [`ApiErrorKind::Timeout`](crate::ApiErrorKind::Timeout) error naming this bound, which
    /// the retry policy retries (nothing has reached the caller yet). Non-streamed requests
    /// are bounded by the timeout alone.
    pub fn first_byte_timeout(mut self, timeout: Duration) -> Self {
        self.first_byte_timeout = Some(timeout);
        self
    }

    /// Sends every request of this provider through `limiter` (shared with whatever else holds
    /// a clone of it): at most its limit in flight, within its per-minute budgets, and paced by
    /// the rate-limit headers of this provider's responses (a 429's `retry-after`, OpenAI's
    /// and Anthropic's remaining/reset headers; see [`crate::limit`]). A request keeps its
    /// slot through its retries; a stream until it ends.
    pub fn limiter(mut self, limiter: ConcurrencyLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Settings every model of this provider applies under the settings of each request.
    pub fn settings(mut self, settings: ModelSettings) -> Self {
        self.settings = Some(settings);
        self
    }
}

impl<P: Protocol> ProviderBuilder<P> {
    /// Builds the provider, reading the process environment for what was not given.
    ///
    /// # Errors
    /// [`Error::User`] when the key is required and found nowhere (naming the variables to
    /// set; a [signer](Self::signer) or a [token source](Self::token_source) makes it optional),
    /// when there is no base URL or it is not an `http(s)` URL, when a
    /// [query parameter read from the environment](Self::query_param_env) is found nowhere, or
    /// when a header or the auth header name is invalid.
    pub fn build(self) -> Result<Provider<P>> {
        self.build_with_env(|var| std::env::var(var).ok())
    }

    /// As [`build`](Self::build), reading variables through `env` instead of the process
    /// environment (for tests, or configuration kept elsewhere).
    ///
    /// # Errors
    /// As [`build`](Self::build).
    pub fn build_with_env(self, env: impl Fn(&str) -> Option<String>) -> Result<Provider<P>> {
        let from_env = |vars: &[Cow<'static, str>]| {
            vars.iter()
                .find_map(|var| env(var).filter(|value| !value.trim().is_empty()))
        };
        let base_url = match self.base_url {
            Some(url) => url,
            None => match from_env(&self.base_url_env) {
                Some(url) => url,
                None => match self.default_base_url {
                    Some(url) => url.into_owned(),
                    None => return Err(missing_base_url(&self.name, &self.base_url_env)),
                },
            },
        };
        let base_url = validate_base_url(&self.name, base_url.trim())?;

        let api_key = match self.api_key {
            Some(key) => Some(key),
            None => from_env(&self.api_key_env).map(|key| ApiKey::new(key.trim())),
        };
        let other_auth = self.signer.is_some() || self.tokens.is_some();
        if api_key.is_none() && self.api_key_required && self.auth != AuthStyle::None && !other_auth
        {
            return Err(missing_api_key(&self.name, &self.api_key_env));
        }
        self.auth.validate()?;

        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let (name, value) = header(name, value)?;
            headers.insert(name, value);
        }
        let mut query: Vec<(String, String)> = self
            .query
            .into_iter()
            .map(|(name, value)| (name.into_owned(), value))
            .collect();
        for (name, var) in &self.query_env {
            if query.iter().any(|(given, _)| given == name) {
                continue;
            }
            match from_env(std::slice::from_ref(var)) {
                Some(value) => query.push((name.clone().into_owned(), value.trim().to_owned())),
                None => return Err(missing_query_param(&self.name, name, var)),
            }
        }
        let protocol = self.protocol;
        Ok(Provider {
            inner: Arc::new(ProviderInner {
                name: self.name,
                base_url,
                api_key,
                auth: self.auth,
                signer: self.signer,
                tokens: self.tokens,
                headers,
                query,
                client: self.client,
                #[cfg(feature = "testing")]
                vcr: self.vcr,
                retry: self.retry,
                timeout: self.timeout,
                max_body_size: self.max_body_size,
                max_stream_size: self.max_stream_size,
                stream_deadline: self.stream_deadline,
                first_byte_timeout: self.first_byte_timeout,
                limiter: self.limiter,
                settings: self.settings,
                protocol,
            }),
        })
    }
}

impl<P: fmt::Debug> fmt::Debug for ProviderBuilder<P> {
    /// Shows the configuration with the key and header values redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderBuilder")
            .field("name", &self.name)
            .field("protocol", &self.protocol)
            .field(
                "base_url",
                &self
                    .base_url
                    .as_deref()
                    .or(self.default_base_url.as_deref()),
            )
            .field("base_url_env", &self.base_url_env)
            .field("api_key", &self.api_key)
            .field("api_key_env", &self.api_key_env)
            .field("auth", &self.auth)
            .field("signer", &self.signer)
            .field("tokens", &self.tokens)
            .field("headers", &RedactedPairs(&self.headers))
            .field("query", &RedactedPairs(&self.query))
            .field("query_env", &self.query_env)
            .field("client", &self.client.as_ref().map(|_| "<custom>"))
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("max_body_size", &self.max_body_size)
            .field("max_stream_size", &self.max_stream_size)
            .field("stream_deadline", &self.stream_deadline)
            .field("first_byte_timeout", &self.first_byte_timeout)
            .field("limiter", &self.limiter)
            .finish_non_exhaustive()
    }
}

/// Shows names and hides values.
pub(super) struct RedactedPairs<'a, K, V>(pub(super) &'a [(K, V)]);

impl<K: fmt::Display, V> fmt::Debug for RedactedPairs<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, _)| (k.to_string(), "<redacted>")))
            .finish()
    }
}

fn missing_api_key(provider: &str, vars: &[Cow<'static, str>]) -> Error {
    if vars.is_empty() {
        return Error::user(format!(
            "missing API key for provider `{provider}`: pass the key to the provider's builder"
        ));
    }
    let vars: Vec<&str> = vars.iter().map(AsRef::as_ref).collect();
    Error::missing_api_key(provider, &vars.join(" or "))
}

fn missing_query_param(provider: &str, name: &str, var: &str) -> Error {
    Error::user(format!(
        "missing query parameter `{name}` for provider `{provider}`: set the {var} environment \
         variable or pass it to the provider's builder with `query_param(\"{name}\", ..)`"
    ))
}

fn missing_base_url(provider: &str, vars: &[Cow<'static, str>]) -> Error {
    let set = if vars.is_empty() {
        String::new()
    } else {
        let vars: Vec<&str> = vars.iter().map(AsRef::as_ref).collect();
        format!("set the {} environment variable or ", vars.join(" or "))
    };
    Error::user(format!(
        "no base URL for provider `{provider}`: {set}pass one to the provider's builder"
    ))
}

fn validate_base_url(provider: &str, url: &str) -> Result<String> {
    let parsed = Url::parse(url).map_err(|err| {
        Error::user(format!(
            "invalid base URL for provider `{provider}`: {err}; expected e.g. `https://api.example.com/v1`"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::user(format!(
            "invalid base URL for provider `{provider}`: the scheme must be http or https, not `{}`",
            parsed.scheme()
        )));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

pub(super) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::user(format!("`{name}` is not a valid HTTP header name")))?;
    let mut header_value = HeaderValue::from_str(value).map_err(|_| {
        Error::user(format!(
            "the value of header `{name}` contains characters a header cannot carry"
        ))
    })?;
    // Headers may carry secrets (an organization key, a proxy token): never shown.
    header_value.set_sensitive(true);
    Ok((header_name, header_value))
}
