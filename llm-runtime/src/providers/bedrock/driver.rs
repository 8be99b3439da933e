//! [`BedrockModel`]: the `bedrock` provider's [`Model`]. It drives [`BedrockConverse`] as
//! `ProviderModel` drives the other protocols (body, retries, timeouts, response or stream),
//! with the two things Bedrock needs that the shared driver does not do yet: every attempt is
//! signed anew with SigV4 (or carries the Bedrock API key), and a stream is read as AWS
//! event-stream frames. An exception frame before the first event is retried like an error
//! status; after it, it ends the stream with its typed error.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{Stream, StreamExt};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use reqwest::{Client, Response, Url};
use tokio::time::{Instant, Sleep};

use super::credentials::{self, BedrockAuth, BedrockConfig, ProcessEnvironment};
use super::sigv4::{self, SigningRequest, SigningScope};
use super::stream::ConverseStreamState;
use super::{BedrockConverse, PROVIDER_NAME, SIGNING_SERVICE};
use crate::error::{ApiErrorKind, Error, Result};
use crate::http::eventstream::{EventStreamDecoder, EventStreamMessage};
use crate::http::send::{merge_extra_body, read_limited, transport_error_for};
use crate::http::{retry_after, shared_client, RetryPolicy};
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{Model, ModelProfile, ModelRequestParameters, ProviderRegistration};
use crate::providers::driver::message_event;
use crate::providers::{
    apply_event, EventKind, Flow, PreparedRequest, Protocol, RawEvent, ResponseContext,
    DEFAULT_TIMEOUT,
};
use crate::settings::ModelSettings;
use crate::stream::{PartsManager, StreamSource, StreamedResponse};
use crate::warning::Warnings;

/// How much of an error body is kept.
const ERROR_BODY_LIMIT: usize = 16 * 1024;

inventory::submit! {
    ProviderRegistration { prefix: PROVIDER_NAME, aliases: &[], build: build_registered }
}

fn build_registered(model_name: &str) -> Result<Arc<dyn Model>> {
    Ok(Arc::new(BedrockModel::from_env(model_name)?))
}

/// A model on AWS Bedrock, through the Converse API (`bedrock:<model id>`, e.g.
/// `bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0`, an inference profile id or ARN).
///
/// Credentials, region and endpoint come from AWS's standard sources
/// ([`credentials::from_environment`]); the retry policy is the crate's default (three
/// attempts for 429, 408, 409, 5xx and connection failures), each attempt signed anew.
///
/// ```
/// use llm_runtime::providers::bedrock::credentials::{AwsCredentials, BedrockAuth, BedrockConfig};
/// use llm_runtime::providers::bedrock::BedrockModel;
/// use llm_runtime::models::Model;
///
/// let config = BedrockConfig {
///     auth: BedrockAuth::SigV4(AwsCredentials::new("AKIDEXAMPLE", "wJalr-EXAMPLE-KEY", None)),
///     region: "eu-west-1".into(),
///     endpoint: "https://bedrock-runtime.eu-west-1.amazonaws.com".into(),
/// };
/// let model = BedrockModel::new("eu.amazon.nova-micro-v1:0", config);
/// assert_eq!(model.model_name(), "eu.amazon.nova-micro-v1:0");
/// assert!(!format!("{model:?}").contains("wJalr-EXAMPLE-KEY"));
/// ```
#[derive(Clone)]
pub struct BedrockModel {
    model_name: String,
    protocol: BedrockConverse,
    config: Arc<BedrockConfig>,
    client: Option<Client>,
    retry: RetryPolicy,
    profile: ModelProfile,
}

impl BedrockModel {
    /// A model with the given configuration.
    pub fn new(model_name: impl Into<String>, config: BedrockConfig) -> Self {
        let model_name = model_name.into();
        let protocol = BedrockConverse;
        let profile = protocol.profile(&model_name);
        BedrockModel {
            model_name,
            protocol,
            config: Arc::new(config),
            client: None,
            retry: RetryPolicy::default(),
            profile,
        }
    }

    /// A model configured from the environment (see [`credentials`]).
    ///
    /// # Errors
    /// [`Error::User`] when no credentials or no region are found (see
    /// [`credentials::from_environment`]).
    pub fn from_env(model_name: impl Into<String>) -> Result<Self> {
        Ok(Self::new(
            model_name,
            credentials::from_environment(&ProcessEnvironment)?,
        ))
    }

    /// Uses this retry policy instead of the default.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The configuration: auth, region, endpoint.
    pub fn config(&self) -> &BedrockConfig {
        &self.config
    }

    /// The URL, headers and body of a request, not yet signed.
    fn prepare(
        &self,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
        stream: bool,
    ) -> Result<Attempts<'_>> {
        let prepared = PreparedRequest {
            model_name: &self.model_name,
            provider_name: PROVIDER_NAME,
            messages,
            settings,
            parameters,
            profile: &self.profile,
        };
        let mut warnings = Warnings::new();
        let body = self.protocol.request_body(&prepared, stream, &mut warnings);
        warnings.log_all(PROVIDER_NAME, &self.model_name);
        let body = body?;
        let body = merge_extra_body(body, settings.extra_body.as_ref())?;
        let endpoint = self.protocol.endpoint(&self.model_name, stream);
        let url = Url::parse(&format!("{}/{endpoint}", self.config.endpoint)).map_err(|err| {
            Error::user(format!(
                "invalid Bedrock endpoint `{}`: {err}",
                self.config.endpoint
            ))
        })?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            ACCEPT,
            HeaderValue::from_static(if stream {
                "application/vnd.amazon.eventstream"
            } else {
                "application/json"
            }),
        );
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(crate::http::USER_AGENT),
        );
        for (name, value) in settings.extra_headers.iter().flatten() {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::user(format!("`{name}` is not a valid header name")))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::user(format!("the value of the header `{name}` is not valid"))
            })?;
            headers.insert(name, value);
        }
        Ok(Attempts {
            client: match &self.client {
                Some(client) => client.clone(),
                None => shared_client()?,
            },
            url,
            headers,
            body: Bytes::from(body),
            timeout: settings.timeout.unwrap_or(DEFAULT_TIMEOUT),
            model: self,
        })
    }

    async fn send(
        &self,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
    ) -> Result<ModelResponse> {
        let attempts = self.prepare(messages, settings, parameters, false)?;
        let body = attempts
            .run(|response| async move {
                response
                    .bytes()
                    .await
                    .map_err(|err| self.transport(err, "reading the response"))
            })
            .await?;
        let mut cx = ResponseContext::new(&self.model_name, PROVIDER_NAME);
        let response = self.protocol.parse_response(&body, &mut cx);
        cx.warnings.log_all(PROVIDER_NAME, &self.model_name);
        let mut response = response?;
        response.provider_name = Some(PROVIDER_NAME.to_owned());
        response.provider_url = Some(self.config.endpoint.clone());
        Ok(response)
    }

    async fn send_stream(
        &self,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
    ) -> Result<StreamedResponse> {
        let attempts = self.prepare(messages, settings, parameters, true)?;
        let timeout = attempts.timeout;
        // The first frame is read within the attempt: an exception there is retried.
        let (body, decoder, first) = attempts
            .run(|response| async move {
                let mut body: BodyStream = Box::pin(response.bytes_stream());
                let mut decoder = EventStreamDecoder::new();
                loop {
                    if let Some(message) = decoder.next_message()? {
                        let first = OwnedEvent::of(&message)?;
                        if first.kind == EventKind::Exception {
                            return Err(self.protocol.on_exception(
                                &first.raw(),
                                &PartsManager::new(
                                    self.model_name.clone(),
                                    &ModelRequestParameters::default(),
                                ),
                            ));
                        }
                        return Ok((body, decoder, Some(first)));
                    }
                    match body.next().await {
                        Some(Ok(chunk)) => decoder.push(&chunk),
                        Some(Err(err)) => return Err(self.transport(err, "reading the stream")),
                        None => return Ok((body, decoder, None)),
                    }
                }
            })
            .await?;
        let parts = PartsManager::new(self.model_name.clone(), parameters)
            .with_provider(PROVIDER_NAME, Some(self.config.endpoint.clone()));
        Ok(StreamedResponse::new(
            parts,
            EventStreamSource {
                protocol: self.protocol,
                model_name: self.model_name.clone(),
                body,
                decoder,
                pending: first,
                state: ConverseStreamState::default(),
                idle_timeout: timeout,
                idle: Box::pin(tokio::time::sleep_until(deadline(timeout))),
                ended: false,
            },
        ))
    }

    fn transport(&self, err: reqwest::Error, doing: &str) -> Error {
        transport_error_for(err, PROVIDER_NAME, &self.model_name, doing)
    }
}

/// A frame's event, owned (the decoder's messages borrow its buffer): as the shared driver
/// reads it ([`message_event`]).
#[derive(Debug)]
struct OwnedEvent {
    name: String,
    data: String,
    kind: EventKind,
}

impl OwnedEvent {
    fn of(message: &EventStreamMessage<'_>) -> Result<OwnedEvent> {
        let event = message_event(message)?;
        Ok(OwnedEvent {
            name: event.name.to_owned(),
            data: event.data.to_owned(),
            kind: event.kind,
        })
    }

    fn raw(&self) -> RawEvent<'_> {
        RawEvent {
            kind: self.kind,
            ..RawEvent::new(&self.name, &self.data)
        }
    }
}

/// One request, sent (and signed) as many times as the retry policy allows.
struct Attempts<'a> {
    client: Client,
    url: Url,
    headers: HeaderMap,
    body: Bytes,
    timeout: Duration,
    model: &'a BedrockModel,
}

impl Attempts<'_> {
    /// Sends until `read` succeeds on a success response or the policy gives up.
    async fn run<T, F, Fut>(&self, read: F) -> Result<T>
    where
        F: Fn(Response) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut retry = 0;
        loop {
            let outcome = tokio::time::timeout(self.timeout, async {
                let response = self.attempt().await?;
                read(response).await
            })
            .await
            .unwrap_or_else(|_| Err(self.timeout_error()));
            let error = match outcome {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let asked = match &error {
                Error::Http { retry_after, .. } => *retry_after,
                _ => None,
            };
            let wait = (error.is_retryable() && retry < self.model.retry.max_retries)
                .then(|| self.model.retry.delay(retry, asked))
                .flatten();
            let Some(wait) = wait else {
                return Err(error);
            };
            retry += 1;
            tracing::warn!(
                target: "llm_runtime::http",
                provider = PROVIDER_NAME,
                model = self.model.model_name.as_str(),
                error.type = error.type_name(),
                http.status = error.status(),
                retry,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying a failed request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Signs and sends the request once; an error status is [`Error::Http`].
    async fn attempt(&self) -> Result<Response> {
        let mut headers = self.headers.clone();
        match &self.model.config.auth {
            BedrockAuth::SigV4(credentials) => {
                let scope = SigningScope {
                    region: self.model.config.region.clone(),
                    service: SIGNING_SERVICE.to_owned(),
                };
                let request = SigningRequest {
                    method: "POST",
                    url: &self.url,
                    body: &self.body,
                };
                sigv4::sign(
                    credentials,
                    &scope,
                    request,
                    &mut headers,
                    chrono::Utc::now(),
                )?;
            }
            BedrockAuth::Bearer(key) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                    .map_err(|_| {
                        Error::user("the Bedrock API key contains characters a header cannot carry")
                    })?;
                value.set_sensitive(true);
                headers.insert(AUTHORIZATION, value);
            }
        }
        tracing::debug!(
            target: "llm_runtime::http",
            provider = PROVIDER_NAME,
            model = self.model.model_name.as_str(),
            url.path = self.url.path(),
            "sending request"
        );
        let response = self
            .client
            .post(self.url.clone())
            .headers(headers)
            .body(self.body.clone())
            .send()
            .await
            .map_err(|err| self.model.transport(err, "sending the request"))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let wait = retry_after(response.headers(), SystemTime::now());
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_owned());
        let body = read_limited(response, ERROR_BODY_LIMIT).await;
        let body = match error_type {
            // botocore's shape: the error type as the code, beside the message.
            Some(code) => {
                let message = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| {
                        v.get("message")
                            .or_else(|| v.get("Message"))
                            .and_then(|m| m.as_str().map(str::to_owned))
                    })
                    .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
                serde_json::json!({"Error": {"Code": code, "Message": message}})
                    .to_string()
                    .into_bytes()
            }
            None => body,
        };
        Err(Error::http(
            status.as_u16(),
            self.model.model_name.as_str(),
            &body,
            wait,
        ))
    }

    fn timeout_error(&self) -> Error {
        Error::api(
            format!(
                "request to {PROVIDER_NAME} for model {} timed out after {:?}",
                self.model.model_name, self.timeout
            ),
            ApiErrorKind::Timeout,
            None,
        )
    }
}

impl Model for BedrockModel {
    fn request<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<ModelResponse>> {
        Box::pin(self.send(messages, settings, parameters))
    }

    fn request_stream<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<StreamedResponse>> {
        Box::pin(self.send_stream(messages, settings, parameters))
    }

    fn model_name(&self) -> &str {
        &self.model_name
    }

    fn system(&self) -> &str {
        PROVIDER_NAME
    }

    fn base_url(&self) -> Option<&str> {
        Some(&self.config.endpoint)
    }

    fn profile(&self) -> &ModelProfile {
        &self.profile
    }
}

impl fmt::Debug for BedrockModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BedrockModel")
            .field("model_name", &self.model_name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn deadline(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365 * 30))
}

type BodyStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A Converse stream: event-stream frames from the body, each handed to the protocol.
struct EventStreamSource {
    protocol: BedrockConverse,
    model_name: String,
    body: BodyStream,
    decoder: EventStreamDecoder,
    /// A frame read before the stream was handed out (the first).
    pending: Option<OwnedEvent>,
    state: ConverseStreamState,
    idle_timeout: Duration,
    idle: Pin<Box<Sleep>>,
    ended: bool,
}

impl Unpin for EventStreamSource {}

impl EventStreamSource {
    fn apply_next(&mut self, parts: &mut PartsManager) -> Result<Option<Flow>> {
        let event = match self.pending.take() {
            Some(event) => event,
            None => match self.decoder.next_message()? {
                Some(message) => OwnedEvent::of(&message)?,
                None => return Ok(None),
            },
        };
        apply_event(&self.protocol, event.raw(), &mut self.state, parts).map(Some)
    }

    fn at_eof(&mut self, parts: &mut PartsManager) -> Result<()> {
        self.decoder.finish()?;
        self.protocol.on_eof(&mut self.state, parts)
    }
}

impl StreamSource for EventStreamSource {
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        parts: &mut PartsManager,
    ) -> Poll<Option<Result<()>>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        loop {
            match this.apply_next(parts) {
                Err(err) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(err)));
                }
                Ok(Some(Flow::Done)) => {
                    this.ended = true;
                    return Poll::Ready(None);
                }
                Ok(Some(Flow::Continue)) => return Poll::Ready(Some(Ok(()))),
                Ok(None) => {}
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    this.decoder.push(&chunk);
                    this.idle.as_mut().reset(deadline(this.idle_timeout));
                }
                Poll::Ready(Some(Err(err))) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(transport_error_for(
                        err,
                        PROVIDER_NAME,
                        &this.model_name,
                        "reading the stream",
                    ))));
                }
                Poll::Ready(None) => {
                    this.ended = true;
                    return match this.at_eof(parts) {
                        Ok(()) => Poll::Ready(None),
                        Err(err) => Poll::Ready(Some(Err(err))),
                    };
                }
                Poll::Pending => {
                    if this.idle.as_mut().poll(cx).is_ready() {
                        this.ended = true;
                        return Poll::Ready(Some(Err(Error::api(
                            format!(
                                "the stream from {PROVIDER_NAME} for model {} sent nothing for {:?}",
                                this.model_name, this.idle_timeout
                            ),
                            ApiErrorKind::Timeout,
                            None,
                        ))));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}
