//! The driver: the one place of the provider layer that does I/O. [`ProviderModel`] is the
//! [`Model`] of every HTTP provider, which drives a [`Protocol`]: it builds the body with the
//! protocol, logs the protocol's [`Warnings`], sends the body (auth, retries, timeouts), and
//! parses the response; or it reads the streamed body through [`FrameSource`], which decodes
//! the protocol's [`Framing`](super::Framing), runs the prologue every protocol shares, and
//! hands the protocol one event at a time. Each response it returns, and each stream that ends
//! properly, is priced there ([`cost`](crate::cost)).

mod source;

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use super::builtin_tools::keep_supported;
use super::provider::RequestTarget;
use super::{PreparedRequest, Protocol, Provider, ResponseContext};
use crate::error::{Error, Result};
use crate::http::send::{media_type, read_limited, send_for_body, send_for_stream, HttpRequest};
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{resolve_output_mode, Model, ModelProfile, ModelRequestParameters};
use crate::settings::ModelSettings;
use crate::stream::{PartsManager, StreamedResponse};
use crate::warning::Warnings;
pub use source::apply_event;
use source::{BodyStream, Decoder, FrameSource, Timing};

/// Headers a protocol asks for one request ([`Protocol::request_headers`]).
type Headers = Vec<(&'static str, String)>;

/// A model of an HTTP provider: a [`Provider`] and a model name.
///
/// Requests are sent with the provider's retry policy; `ModelSettings::timeout` (else the
/// provider's default) bounds each attempt, and for a stream each gap between two chunks.
/// A stream's attempt lasts until its first event is ready: a failure before then (an error
/// status, an error event or exception frame, a lost connection, the provider's
/// [`first_byte_timeout`](super::ProviderBuilder::first_byte_timeout)) is retried when
/// [`Error::is_retryable`] says so; once an event may have reached the caller, nothing is
/// retried. Dropping the [`StreamedResponse`] of a stream closes its connection.
///
/// Its `Debug` shows the provider's configuration with the key redacted. Cloning it is cheap
/// (the provider's configuration is shared).
pub struct ProviderModel<P> {
    provider: Provider<P>,
    model_name: String,
    profile: ModelProfile,
    /// The URL and base headers of this model's requests, not streamed and streamed: made on
    /// the first request of each kind (they depend on the provider and the model name only),
    /// shared by the clones.
    targets: Arc<[OnceLock<RequestTarget>; 2]>,
}

impl<P> Clone for ProviderModel<P> {
    fn clone(&self) -> Self {
        ProviderModel {
            provider: self.provider.clone(),
            model_name: self.model_name.clone(),
            profile: self.profile.clone(),
            targets: Arc::clone(&self.targets),
        }
    }
}

impl<P: Protocol> ProviderModel<P> {
    /// A model of `provider`, with the profile its protocol gives for `model_name`.
    pub fn new(provider: Provider<P>, model_name: impl Into<String>) -> Self {
        let model_name = model_name.into();
        let profile = provider.protocol().profile(&model_name);
        crate::cost::warm_up();
        ProviderModel {
            provider,
            model_name,
            profile,
            targets: Arc::default(),
        }
    }

    /// This model with another profile.
    pub fn with_profile(mut self, profile: ModelProfile) -> Self {
        self.profile = profile;
        self
    }

    /// The provider of this model.
    pub fn provider(&self) -> &Provider<P> {
        &self.provider
    }

    /// The request of `body`, from this model's cached [`RequestTarget`] for `stream`.
    fn http_request(
        &self,
        settings: &ModelSettings,
        body: Vec<u8>,
        stream: bool,
        headers: &Headers,
    ) -> Result<HttpRequest<'_>> {
        let slot = &self.targets[usize::from(stream)];
        let target = match slot.get() {
            Some(target) => target,
            None => {
                let target = self.provider.request_target(&self.model_name, stream)?;
                slot.get_or_init(|| target)
            }
        };
        self.provider
            .http_request_to(target, &self.model_name, settings, body, headers)
    }

    fn prepared<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> PreparedRequest<'a> {
        PreparedRequest {
            model_name: &self.model_name,
            provider_name: self.provider.name(),
            messages,
            settings,
            parameters,
            profile: &self.profile,
        }
    }

    /// The request body and the headers the protocol asks for, its warnings logged (in the
    /// current span: the request's, when it is instrumented).
    fn request_body(
        &self,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
        stream: bool,
    ) -> Result<(Vec<u8>, Headers)> {
        let protocol = self.provider.protocol();
        let mut warnings = Warnings::new();
        let kept = keep_supported(
            parameters,
            protocol.supported_builtin_tools(&self.model_name),
            self.provider.name(),
            &self.model_name,
            &mut warnings,
        );
        let kept = match kept {
            Ok(kept) => kept,
            Err(error) => {
                warnings.log_all(self.provider.name(), &self.model_name);
                return Err(error);
            }
        };
        let prepared = self.prepared(messages, settings, kept.as_ref().unwrap_or(parameters));
        let body = protocol.request_body(&prepared, stream, &mut warnings);
        warnings.log_all(self.provider.name(), &self.model_name);
        Ok((body?, protocol.request_headers(&prepared)))
    }

    async fn send(
        &self,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
    ) -> Result<ModelResponse> {
        let protocol = self.provider.protocol();
        let parameters = resolve_output_mode(parameters, &self.profile);
        // The protocol's headers are copied into the request: dropped here, not kept
        // across the awaits below.
        let request = {
            let (body, headers) = self.request_body(messages, settings, &parameters, false)?;
            self.http_request(settings, body, false, &headers)?
        };
        let limiter = self.provider.limiter();
        let _slot = match limiter {
            Some(limiter) => Some(limiter.acquire().await),
            None => None,
        };
        let parsed = match send_for_body(&request).await {
            Ok(body) => {
                let mut cx = ResponseContext::new(&self.model_name, self.provider.name())
                    .with_builtin_tools(&parameters.builtin_tools);
                let parsed = protocol.parse_response(&body, &mut cx);
                cx.warnings.log_all(self.provider.name(), &self.model_name);
                parsed
            }
            // Some hosts answer a failure of the model with an error status.
            Err(error) => {
                let recovered = match &error {
                    Error::Http { status, body, .. } => {
                        protocol.response_for_error(*status, body, &self.model_name)
                    }
                    _ => None,
                };
                recovered.ok_or(error)
            }
        };
        let mut response = parsed?;
        response.provider_name = Some(self.provider.name().to_owned());
        response.provider_url = Some(self.provider.base_url().to_owned());
        if response.model_name.is_none() {
            response.model_name = Some(self.model_name.clone());
        }
        crate::cost::fill_response_cost(&mut response);
        if let Some(limiter) = limiter {
            limiter.record_usage(&response.usage);
        }
        Ok(response)
    }

    async fn send_stream(
        &self,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
    ) -> Result<StreamedResponse> {
        // Boxed when resolving changed them: this future holds them while the request is in
        // flight, as a pointer rather than the value.
        let owned;
        let parameters = match resolve_output_mode(parameters, &self.profile) {
            Cow::Borrowed(parameters) => parameters,
            Cow::Owned(resolved) => {
                owned = Box::new(resolved);
                &*owned
            }
        };
        // The protocol's headers are copied into the request: dropped here, not kept
        // across the awaits below.
        let request = {
            let (body, headers) = self.request_body(messages, settings, parameters, true)?;
            self.http_request(settings, body, true, &headers)?
        };
        let slot = match self.provider.limiter() {
            Some(limiter) => Some((limiter, limiter.acquire().await)),
            None => None,
        };
        // Pinned where it is made: awaited by value, this future (over a kilobyte) would be
        // stored twice in this one, once as a temporary and once being awaited.
        // `open_stream` boxed: its future is made once the response is there, so this one,
        // held while the request is in flight, has no room for it.
        let opened = std::pin::pin!(send_for_stream(&request, |response, first_byte_by| {
            Box::pin(self.open_stream(response, parameters, request.timeout, first_byte_by))
        }));
        let stream = opened.await?;
        Ok(match slot {
            Some((limiter, slot)) => stream.with_observer(limiter.stream_accounting(slot)),
            None => stream,
        })
    }

    /// The stream of one attempt, read up to its first event (within the attempt, so that an
    /// error the provider reports before anything reached the caller, an overloaded error
    /// event or an exception frame, is retried as an error status would be). An answer that
    /// is JSON instead of a stream is an error.
    async fn open_stream(
        &self,
        response: reqwest::Response,
        parameters: &ModelRequestParameters,
        idle_timeout: Duration,
        first_byte_by: Option<Instant>,
    ) -> Result<StreamedResponse> {
        if media_type(&response).as_deref() == Some("application/json") {
            // An answer that is not a stream (some hosts answer errors this way with 200).
            let body = read_limited(response, 16 * 1024).await;
            return Err(Error::unexpected_with_body(
                format!(
                    "{} answered a streamed request for model {} with JSON instead of an event stream",
                    self.provider.name(),
                    self.model_name
                ),
                &body,
            ));
        }
        // A fresh parts manager each attempt: nothing of a failed one remains.
        let parts = PartsManager::new(self.model_name.clone(), parameters).with_provider(
            self.provider.name().to_owned(),
            Some(self.provider.base_url().to_owned()),
        );
        let body: BodyStream = Box::pin(response.bytes_stream());
        let source = FrameSource::new(
            self.provider.clone(),
            self.model_name.clone(),
            body,
            Decoder::new(self.provider.protocol().framing()),
            Timing {
                idle: idle_timeout,
                first_byte_by,
            },
        );
        let mut stream = StreamedResponse::new(parts, source);
        stream.ready().await?;
        Ok(stream)
    }
}

impl<P: Protocol> Model for ProviderModel<P> {
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
        self.provider.name()
    }

    fn base_url(&self) -> Option<&str> {
        Some(self.provider.base_url())
    }

    fn profile(&self) -> &ModelProfile {
        &self.profile
    }

    fn settings(&self) -> Option<&ModelSettings> {
        self.provider.settings()
    }
}

impl<P: fmt::Debug> fmt::Debug for ProviderModel<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderModel")
            .field("model_name", &self.model_name)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}
