//! [`ProviderModel`]: the [`Model`] of every HTTP provider, which drives a [`Protocol`]: it
//! builds the body with the protocol, sends it (with retries and the timeout), and parses the
//! response, or feeds the streamed body through the SSE decoder to the protocol event by
//! event.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::Stream;
use tokio::time::{Instant, Sleep};

use super::{Flow, PreparedRequest, Protocol, Provider};
use crate::error::{ApiErrorKind, Error, Result};
use crate::http::send::{
    media_type, read_limited, send_for_body, send_for_stream, transport_error_for,
};
use crate::http::sse::SseDecoder;
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{Model, ModelProfile, ModelRequestParameters};
use crate::settings::ModelSettings;
use crate::stream::{PartsManager, StreamSource, StreamedResponse};

/// A model of an HTTP provider: a [`Provider`] and a model name.
///
/// Requests are sent with the provider's retry policy; `ModelSettings::timeout` (else the
/// provider's default) bounds each attempt, and for a stream each gap between two chunks.
/// Dropping the [`StreamedResponse`] of a stream closes its connection.
///
/// Its `Debug` shows the provider's configuration with the key redacted. Cloning it is cheap
/// (the provider's configuration is shared).
pub struct ProviderModel<P> {
    provider: Provider<P>,
    model_name: String,
    profile: ModelProfile,
}

impl<P> Clone for ProviderModel<P> {
    fn clone(&self) -> Self {
        ProviderModel {
            provider: self.provider.clone(),
            model_name: self.model_name.clone(),
            profile: self.profile.clone(),
        }
    }
}

impl<P: Protocol> ProviderModel<P> {
    /// A model of `provider`, with the profile its protocol gives for `model_name`.
    pub fn new(provider: Provider<P>, model_name: impl Into<String>) -> Self {
        let model_name = model_name.into();
        let profile = provider.protocol().profile(&model_name);
        ProviderModel {
            provider,
            model_name,
            profile,
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

    fn prepared<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> PreparedRequest<'a> {
        PreparedRequest {
            model_name: &self.model_name,
            messages,
            settings,
            parameters,
            profile: &self.profile,
        }
    }

    async fn send(
        &self,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
    ) -> Result<ModelResponse> {
        let protocol = self.provider.protocol();
        let prepared = self.prepared(messages, settings, parameters);
        let body = protocol.request_body(&prepared, false)?;
        let request = self
            .provider
            .http_request(&self.model_name, settings, body, false)?;
        let body = send_for_body(&request).await?;
        let mut response = protocol.parse_response(&body, &self.model_name)?;
        response.provider_name = Some(self.provider.name().to_owned());
        response.provider_url = Some(self.provider.base_url().to_owned());
        if response.model_name.is_none() {
            response.model_name = Some(self.model_name.clone());
        }
        Ok(response)
    }

    async fn send_stream(
        &self,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
    ) -> Result<StreamedResponse> {
        let protocol = self.provider.protocol();
        let prepared = self.prepared(messages, settings, parameters);
        let body = protocol.request_body(&prepared, true)?;
        let request = self
            .provider
            .http_request(&self.model_name, settings, body, true)?;
        let response = send_for_stream(&request).await?;
        if media_type(&response).as_deref() == Some("application/json") {
            // An answer that is not a stream (some hosts answer errors this way with 200).
            let body = tokio::time::timeout(request.timeout, read_limited(response, 16 * 1024))
                .await
                .unwrap_or_default();
            return Err(Error::unexpected_with_body(
                format!(
                    "{} answered a streamed request for model {} with JSON instead of an event stream",
                    self.provider.name(),
                    self.model_name
                ),
                &body,
            ));
        }
        let parts = PartsManager::new(self.model_name.clone(), parameters).with_provider(
            self.provider.name().to_owned(),
            Some(self.provider.base_url().to_owned()),
        );
        let source = SseSource {
            provider: self.provider.clone(),
            model_name: self.model_name.clone(),
            body: Box::pin(response.bytes_stream()),
            decoder: SseDecoder::new(),
            state: P::StreamState::default(),
            idle_timeout: request.timeout,
            idle: Box::pin(tokio::time::sleep_until(deadline(request.timeout))),
            ended: false,
        };
        Ok(StreamedResponse::new(parts, source))
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

/// `timeout` from now; a timeout too long to represent is as good as none.
fn deadline(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365 * 30))
}

type BodyStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// Reads a streamed body, decodes its events and hands each to the protocol.
struct SseSource<P: Protocol> {
    provider: Provider<P>,
    model_name: String,
    body: BodyStream,
    decoder: SseDecoder,
    state: P::StreamState,
    idle_timeout: Duration,
    idle: Pin<Box<Sleep>>,
    ended: bool,
}

// Nothing in the source is pinned in place: the body and the timer are boxed, and the
// protocol's state is only ever used through `&mut`.
impl<P: Protocol> Unpin for SseSource<P> {}

impl<P: Protocol> SseSource<P> {
    /// Applies the next event decoded so far: `Some(Done)` when it was the protocol's
    /// terminator, `Some(Continue)` when it was applied, `None` when more bytes are needed.
    ///
    /// One event at a time, so that its stream events reach the consumer before the next is
    /// parsed: the queue stays as short as one event makes it, however many events one read
    /// of the body brought.
    fn apply_next_event(&mut self, parts: &mut PartsManager) -> Result<Option<Flow>> {
        let protocol = self.provider.protocol();
        match self.decoder.next_event()? {
            Some(event) => protocol.on_event(&event, &mut self.state, parts).map(Some),
            None => Ok(None),
        }
    }

    /// The body ended: the last event, then the protocol decides whether that is a proper end.
    fn at_eof(&mut self, parts: &mut PartsManager) -> Result<()> {
        let protocol = self.provider.protocol();
        if let Some(event) = self.decoder.finish()? {
            if protocol.on_event(&event, &mut self.state, parts)? == Flow::Done {
                return Ok(());
            }
        }
        protocol.on_eof(&mut self.state, parts)
    }

    fn idle_error(&self) -> Error {
        Error::api(
            format!(
                "the stream from {} for model {} sent nothing for {:?}",
                self.provider.name(),
                self.model_name,
                self.idle_timeout
            ),
            ApiErrorKind::Timeout,
            None,
        )
    }
}

impl<P: Protocol> StreamSource for SseSource<P> {
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
            match this.apply_next_event(parts) {
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
                    let next = deadline(this.idle_timeout);
                    this.idle.as_mut().reset(next);
                }
                Poll::Ready(Some(Err(err))) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(transport_error_for(
                        err,
                        this.provider.name(),
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
                        return Poll::Ready(Some(Err(this.idle_error())));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}
