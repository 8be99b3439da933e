//! Instrumentation: every request runs inside a `tracing` span named `chat {model}` with
//! OpenTelemetry's GenAI attributes, as pydantic-ai's `InstrumentedModel` emits them; with the
//! `otel` feature, the GenAI client metrics too.
//!
//! Switch it on for every request with [`instrument_all`] (pydantic-ai's
//! `Agent.instrument_all()`, logfire's `instrument_pydantic_ai()`), or for one request with
//! `.instrument(true)` or `.instrument(InstrumentationSettings)`:
//!
//! ```
//! use llm_runtime::instrument::{instrument_all, InstrumentationSettings};
//! use llm_runtime::{model_request_sync, messages::ModelRequest};
//!
//! // Your tracing / OpenTelemetry setup goes here (the crate never installs a subscriber).
//! instrument_all(InstrumentationSettings::default());
//! let (response, _usage) = model_request_sync("test", [ModelRequest::user_text_prompt("Hi")])?;
//! # assert_eq!(response.text(), "success (no tool calls)");
//! # instrument_all(None);
//! # Ok::<(), llm_runtime::Error>(())
//! ```
//!
//! # What is recorded
//! The span has target `llm_runtime::instrument`, level `INFO`, and the fields
//! `tracing-opentelemetry` reads (`otel.name` = `chat {model}`, `otel.kind` = `client`,
//! `otel.status_code` = `ERROR` on failure). Attribute names are the constants of [`semconv`]:
//! - always: `gen_ai.operation.name` (`chat`), `gen_ai.provider.name` and `gen_ai.system`,
//!   `gen_ai.request.model`; `server.address` and `server.port` from
//!   [`Model::base_url`]; `gen_ai.request.max_tokens`,
//!   `temperature`, `top_p`, `top_k`, `seed`, `presence_penalty`, `frequency_penalty` when set;
//!   `gen_ai.input.messages`;
//! - with a response: `gen_ai.response.model`, `gen_ai.response.id`,
//!   `gen_ai.response.finish_reasons`, `gen_ai.usage.input_tokens`, `output_tokens`,
//!   `cache_creation.input_tokens`, `cache_read.input_tokens`,
//!   `gen_ai.usage.details.reasoning_tokens` (each when non-zero), `operation.cost` when the
//!   response is priced ([`crate::cost`]),
//!   `gen_ai.output.messages`;
//! - for streams: `gen_ai.client.operation.time_to_first_chunk` (seconds). The span stays open
//!   until the stream ends, fails or is dropped, and records the response received so far;
//! - on failure: `error.type` ([`Error::type_name`](crate::Error::type_name)); for a request
//!   whose future is dropped before it finishes (a timeout, `select!`, an aborted task),
//!   `cancelled`, with its duration until then.
//!
//! # Content
//! With [`InstrumentationSettings::include_content`] on (the default), the messages carry their
//! text, and `gen_ai.system_instructions`, `gen_ai.tool.definitions` and the error message
//! (`otel.status_description`) are recorded. Off, no prompt, answer, instruction, tool
//! description, tool argument or tool result leaves the process: `gen_ai.input.messages` and
//! `gen_ai.output.messages` keep only their structure (roles, part types, tool call ids and
//! names, media types), as pydantic-ai does with `include_content=False`. API keys and header
//! values are never recorded.
//!
//! # The `otel` feature
//! Adds what `tracing` fields cannot carry, set through `tracing-opentelemetry` 0.34
//! (opentelemetry 0.33): `gen_ai.response.finish_reasons` and `gen_ai.request.stop_sequences`
//! as string arrays (without the feature, finish reasons are their JSON text), the other
//! `gen_ai.usage.details.*` counts and `logfire.json_schema`. And the metrics, through the
//! OpenTelemetry API (the meter provider given to `InstrumentationSettings::with_meter_provider`,
//! else the global one):
//! `gen_ai.client.token.usage` (by `gen_ai.token.type`), `gen_ai.client.operation.duration`,
//! `gen_ai.client.operation.time_to_first_chunk` and `operation.cost`. No exporter is chosen
//! for you: install the SDK and exporters you already use.

mod messages;
#[cfg(feature = "otel")]
mod metrics;
pub mod semconv;
mod span;

use std::fmt;
use std::sync::RwLock;

use futures::future::BoxFuture;
use tracing::Instrument as _;

use crate::error::{Error, Result};
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{Model, ModelRequestParameters};
use crate::settings::ModelSettings;
use crate::stream::{StreamObserver, StreamedResponse};
use span::Call;

/// How requests are instrumented (pydantic-ai's `InstrumentationSettings`).
///
/// ```
/// use llm_runtime::instrument::InstrumentationSettings;
/// let settings = InstrumentationSettings::default().with_include_content(false);
/// assert!(!settings.include_content);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct InstrumentationSettings {
    /// Whether prompts, answers, instructions, tool definitions, tool arguments and results are
    /// recorded (default `true`). Off means no message content leaves the process through
    /// instrumentation.
    pub include_content: bool,
    /// Whether the bytes of inline files are recorded, when content is (default `true`);
    /// their media type is recorded either way.
    pub include_binary_content: bool,
    /// The instruments of an explicit meter provider.
    #[cfg(feature = "otel")]
    metrics: Option<std::sync::Arc<metrics::Metrics>>,
}

impl Default for InstrumentationSettings {
    fn default() -> Self {
        InstrumentationSettings {
            include_content: true,
            include_binary_content: true,
            #[cfg(feature = "otel")]
            metrics: None,
        }
    }
}

impl fmt::Debug for InstrumentationSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("InstrumentationSettings");
        d.field("include_content", &self.include_content)
            .field("include_binary_content", &self.include_binary_content);
        #[cfg(feature = "otel")]
        d.field("meter_provider", &self.metrics.as_ref().map(|_| "explicit"));
        d.finish()
    }
}

impl PartialEq for InstrumentationSettings {
    /// Equal when the flags are, and both use the same explicit meter provider or none.
    fn eq(&self, other: &Self) -> bool {
        #[cfg(feature = "otel")]
        let same_metrics = match (&self.metrics, &other.metrics) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        #[cfg(not(feature = "otel"))]
        let same_metrics = true;
        self.include_content == other.include_content
            && self.include_binary_content == other.include_binary_content
            && same_metrics
    }
}

impl InstrumentationSettings {
    /// These settings with content capture on or off.
    pub fn with_include_content(mut self, include: bool) -> Self {
        self.include_content = include;
        self
    }

    /// These settings with the bytes of inline files recorded or not.
    pub fn with_include_binary_content(mut self, include: bool) -> Self {
        self.include_binary_content = include;
        self
    }

    /// These settings recording metrics with `provider` instead of the global meter provider
    /// (pydantic-ai's `meter_provider`). The instruments are made now, in the scope
    /// `llm-runtime`.
    ///
    /// ```
    /// use llm_runtime::instrument::InstrumentationSettings;
    /// let provider = opentelemetry::metrics::noop::NoopMeterProvider::new();
    /// let settings = InstrumentationSettings::default().with_meter_provider(&provider);
    /// # let _ = settings;
    /// ```
    #[cfg(feature = "otel")]
    pub fn with_meter_provider<P>(mut self, provider: &P) -> Self
    where
        P: opentelemetry::metrics::MeterProvider + ?Sized,
    {
        self.metrics = Some(std::sync::Arc::new(metrics::Metrics::new(provider)));
        self
    }

    /// The instruments to record with: the explicit ones, else the global provider's now.
    #[cfg(feature = "otel")]
    fn metrics(&self) -> std::sync::Arc<metrics::Metrics> {
        match &self.metrics {
            Some(metrics) => metrics.clone(),
            None => std::sync::Arc::new(metrics::Metrics::global()),
        }
    }
}

/// Whether one request is instrumented: as set by [`instrument_all`] (the default), on with
/// given settings, or off. Made from a `bool` or [`InstrumentationSettings`] by
/// `.instrument(..)` on each request builder.
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
    /// `true` instruments with the default settings, `false` not at all.
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
/// `Agent.instrument_all`, logfire's `instrument_pydantic_ai`); `None` switches it off again.
///
/// This only decides which requests open spans and record metrics; where they go is decided by
/// the `tracing` subscriber and OpenTelemetry providers the application installs.
pub fn instrument_all(settings: impl Into<Option<InstrumentationSettings>>) {
    *GLOBAL.write().unwrap_or_else(|p| p.into_inner()) = settings.into();
}

impl Instrumentation {
    /// The settings to instrument with, `None` when this request is not instrumented.
    fn resolve(&self) -> Option<InstrumentationSettings> {
        match self {
            Instrumentation::On(settings) => Some(settings.clone()),
            Instrumentation::Off => None,
            Instrumentation::Default => GLOBAL.read().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}

/// Runs a non-streamed request inside its span, when instrumentation is on; otherwise awaits
/// it as it is.
pub(crate) async fn request<'a>(
    model: &dyn Model,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
    instrumentation: &Instrumentation,
    future: BoxFuture<'a, Result<ModelResponse>>,
) -> Result<ModelResponse> {
    let Some(instrument) = instrumentation.resolve() else {
        return future.await;
    };
    // Boxed: the call and its span stay out of the future of every request that is not
    // instrumented (each request in flight holds that future).
    Box::pin(async move {
        let mut call = Call::start(model, messages, settings, parameters, &instrument);
        let result = future.instrument(call.span().clone()).await;
        call.end(result.as_ref().ok(), result.as_ref().err());
        result
    })
    .await
}

/// Starts a streamed request inside its span, when instrumentation is on; the span then
/// follows the stream until it ends, fails or is dropped.
pub(crate) async fn request_stream<'a>(
    model: &dyn Model,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
    instrumentation: &Instrumentation,
    future: BoxFuture<'a, Result<StreamedResponse>>,
) -> Result<StreamedResponse> {
    let Some(instrument) = instrumentation.resolve() else {
        return future.await;
    };
    // Boxed, as in `request`.
    Box::pin(async move {
        let mut call = Call::start(model, messages, settings, parameters, &instrument);
        match future.instrument(call.span().clone()).await {
            Ok(stream) => Ok(stream.with_observer(StreamCall { call })),
            Err(err) => {
                call.end(None, Some(&err));
                Err(err)
            }
        }
    })
    .await
}

/// Keeps the span of a stream open until the stream ends or is dropped.
struct StreamCall {
    call: Call,
}

impl StreamObserver for StreamCall {
    fn on_first_event(&mut self) {
        self.call.first_chunk();
    }

    fn on_end(
        &mut self,
        response: &ModelResponse,
        outcome: Option<std::result::Result<(), &Error>>,
    ) {
        let error = outcome.and_then(|outcome| outcome.err());
        // Entered so that the span ends now, not when the stream was opened.
        let span = self.call.span().clone();
        span.in_scope(|| self.call.end(Some(response), error));
    }
}

#[cfg(test)]
mod tests;
