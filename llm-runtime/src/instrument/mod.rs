//! Instrumentation: every request runs inside a `tracing` span named `chat {model}` with
//! OpenTelemetry's GenAI attributes.
//!
//! The crate only emits `tracing` spans; it never installs a subscriber. Route them to
//! OpenTelemetry with `tracing-opentelemetry` (it reads `otel.name`, `otel.kind` and
//! `otel.status_code`).

use std::sync::RwLock;

use futures::future::BoxFuture;
use tracing::field::Empty;
use tracing::Instrument as _;

use crate::error::Result;
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{Model, ModelRequestParameters};
use crate::settings::ModelSettings;
use crate::stream::StreamedResponse;

/// How requests are instrumented (pydantic-ai's `InstrumentationSettings`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InstrumentationSettings {
    /// Whether prompts, answers and tool arguments are recorded. Off means no message content
    /// leaves the process through instrumentation.
    pub include_content: bool,
}

impl Default for InstrumentationSettings {
    fn default() -> Self {
        InstrumentationSettings {
            include_content: true,
        }
    }
}

impl InstrumentationSettings {
    /// Settings with content capture on or off.
    pub fn with_include_content(mut self, include: bool) -> Self {
        self.include_content = include;
        self
    }
}

/// Whether one request is instrumented: as set by [`instrument_all`] (the default), on with
/// given settings, or off.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Instrumentation {
    /// Follow [`instrument_all`].
    #[default]
    Default,
    /// Instrument with these settings.
    On(InstrumentationSettings),
    /// Do not instrument.
    Off,
}

impl From<bool> for Instrumentation {
    fn from(on: bool) -> Self {
        if on {
            Instrumentation::On(InstrumentationSettings::default())
        } else {
            Instrumentation::Off
        }
    }
}

impl From<InstrumentationSettings> for Instrumentation {
    fn from(settings: InstrumentationSettings) -> Self {
        Instrumentation::On(settings)
    }
}

static GLOBAL: RwLock<Option<InstrumentationSettings>> = RwLock::new(None);

/// Instruments every request that does not say otherwise (pydantic-ai's
/// `Agent.instrument_all`, logfire's `instrument_pydantic_ai`). `None` switches it off.
pub fn instrument_all(settings: impl Into<Option<InstrumentationSettings>>) {
    *GLOBAL.write().unwrap_or_else(|p| p.into_inner()) = settings.into();
}

impl Instrumentation {
    fn resolve(&self) -> Option<InstrumentationSettings> {
        match self {
            Instrumentation::On(settings) => Some(settings.clone()),
            Instrumentation::Off => None,
            Instrumentation::Default => GLOBAL.read().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}

fn span_for(model: &dyn Model) -> tracing::Span {
    tracing::info_span!(
        target: "llm_runtime::instrument",
        "chat",
        otel.name = %format_args!("chat {}", model.model_name()),
        otel.kind = "client",
        otel.status_code = Empty,
        gen_ai.operation.name = "chat",
        gen_ai.provider.name = model.system(),
        gen_ai.system = model.system(),
        gen_ai.request.model = model.model_name(),
        gen_ai.response.model = Empty,
        gen_ai.response.id = Empty,
        gen_ai.response.finish_reasons = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        error.type = Empty,
    )
}

fn record_response(span: &tracing::Span, response: &ModelResponse) {
    if let Some(name) = &response.model_name {
        span.record("gen_ai.response.model", name.as_str());
    }
    if let Some(id) = &response.provider_response_id {
        span.record("gen_ai.response.id", id.as_str());
    }
    if let Some(reason) = response.finish_reason {
        span.record("gen_ai.response.finish_reasons", reason.as_str());
    }
    span.record("gen_ai.usage.input_tokens", response.usage.request_tokens);
    span.record("gen_ai.usage.output_tokens", response.usage.response_tokens);
}

/// Runs a non-streamed request inside its span, when instrumentation is on.
pub(crate) async fn request<'a>(
    model: &dyn Model,
    _messages: &[ModelMessage],
    _settings: &ModelSettings,
    _parameters: &ModelRequestParameters,
    instrumentation: &Instrumentation,
    future: BoxFuture<'a, Result<ModelResponse>>,
) -> Result<ModelResponse> {
    if instrumentation.resolve().is_none() {
        return future.await;
    }
    let span = span_for(model);
    let result = future.instrument(span.clone()).await;
    match &result {
        Ok(response) => record_response(&span, response),
        Err(err) => {
            span.record("error.type", err.type_name());
            span.record("otel.status_code", "ERROR");
        }
    }
    result
}

/// Starts a streamed request inside its span, when instrumentation is on.
pub(crate) async fn request_stream<'a>(
    model: &dyn Model,
    _messages: &[ModelMessage],
    _settings: &ModelSettings,
    _parameters: &ModelRequestParameters,
    instrumentation: &Instrumentation,
    future: BoxFuture<'a, Result<StreamedResponse>>,
) -> Result<StreamedResponse> {
    if instrumentation.resolve().is_none() {
        return future.await;
    }
    let span = span_for(model);
    let result = future.instrument(span.clone()).await;
    match result {
        Ok(stream) => Ok(stream.with_observer(SpanObserver { span })),
        Err(err) => {
            span.record("error.type", err.type_name());
            span.record("otel.status_code", "ERROR");
            Err(err)
        }
    }
}

/// Keeps the span of a stream open until the stream ends or is dropped.
struct SpanObserver {
    span: tracing::Span,
}

impl crate::stream::StreamObserver for SpanObserver {
    fn on_end(
        &mut self,
        response: &ModelResponse,
        outcome: Option<std::result::Result<(), &crate::Error>>,
    ) {
        record_response(&self.span, response);
        if let Some(Err(err)) = outcome {
            self.span.record("error.type", err.type_name());
            self.span.record("otel.status_code", "ERROR");
        }
    }
}
