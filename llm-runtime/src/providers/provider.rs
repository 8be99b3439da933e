//! A configured provider ([`Provider`]): a protocol, where to send it (base URL, auth, headers,
//! query parameters, client) and how (retries, timeout); built by [`ProviderBuilder`] from
//! explicit values, the environment and the defaults `#[provider]` declares.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Url;

use super::{Protocol, ProviderModel};
use crate::error::{Error, Result};
use crate::http::send::{merge_extra_body, HttpRequest};
use crate::http::{shared_client, ApiKey, AuthPlacement, AuthStyle, RetryPolicy};
use crate::models::Model;
use crate::settings::ModelSettings;

/// How long a request may take when `ModelSettings::timeout` is not set (600 s, as in the
/// official OpenAI SDK).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

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
    headers: Vec<(Cow<'static, str>, String)>,
    query: Vec<(Cow<'static, str>, String)>,
    query_env: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    client: Option<reqwest::Client>,
    retry: RetryPolicy,
    timeout: Duration,
    settings: Option<ModelSettings>,
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
            headers: Vec::new(),
            query: Vec::new(),
            query_env: Vec::new(),
            client: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            settings: None,
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
    /// # use llm_runtime::providers::openai_chat::OpenAiChat;
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

    /// The `reqwest` client to send requests with, instead of the [shared one](shared_client)
    /// (for a proxy, custom TLS roots, or a client of your own pool). Its settings apply as
    /// they are; timeouts and retries are still this provider's.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
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
    /// set), when there is no base URL or it is not an `http(s)` URL, when a
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
        if api_key.is_none() && self.api_key_required && self.auth != AuthStyle::None {
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
                headers,
                query,
                client: self.client,
                retry: self.retry,
                timeout: self.timeout,
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
            .field("headers", &RedactedPairs(&self.headers))
            .field("query", &RedactedPairs(&self.query))
            .field("query_env", &self.query_env)
            .field("client", &self.client.as_ref().map(|_| "<custom>"))
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Shows names and hides values.
struct RedactedPairs<'a, K, V>(&'a [(K, V)]);

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

fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
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

/// A configured provider: a [`Protocol`] and where and how to send it. Cheap to clone (the
/// configuration is shared); make its models with [`model`](Self::model).
///
/// Its `Debug` shows the configuration with the key and header values redacted.
pub struct Provider<P> {
    inner: Arc<ProviderInner<P>>,
}

struct ProviderInner<P> {
    name: Cow<'static, str>,
    base_url: String,
    api_key: Option<ApiKey>,
    auth: AuthStyle,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    client: Option<reqwest::Client>,
    retry: RetryPolicy,
    timeout: Duration,
    settings: Option<ModelSettings>,
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
        f.debug_struct("Provider")
            .field("name", &inner.name)
            .field("base_url", &inner.base_url)
            .field("protocol", &inner.protocol)
            .field("api_key", &inner.api_key)
            .field("auth", &inner.auth)
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
            .field("timeout", &inner.timeout)
            .finish_non_exhaustive()
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
}

impl<P: Protocol> Provider<P> {
    /// A model of this provider.
    pub fn model(&self, model_name: impl Into<String>) -> ProviderModel<P> {
        ProviderModel::new(self.clone(), model_name)
    }

    /// Builds the request for `model_name` with `body` (the protocol's body, `extra_body`
    /// merged), its headers (`extra_headers` last, so they win) and its timeout.
    pub(crate) fn http_request<'a>(
        &'a self,
        model_name: &'a str,
        settings: &ModelSettings,
        body: Vec<u8>,
        stream: bool,
    ) -> Result<HttpRequest<'a>> {
        let inner = &*self.inner;
        let body = merge_extra_body(body, settings.extra_body.as_ref())?;
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
                "text/event-stream"
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
        for (name, value) in settings.extra_headers.iter().flatten() {
            let (name, value) = header(name, value)?;
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
            timeout: settings.timeout.unwrap_or(inner.timeout),
            retry: &inner.retry,
            provider: &inner.name,
            model_name,
        })
    }
}
