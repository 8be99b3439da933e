//! The `tracing` side of instrumentation, observed through a plain `tracing` layer (the
//! OpenTelemetry export is tested end to end in the workspace's `tests/instrumentation.rs`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use serde_json::{json, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

use super::semconv::*;
use super::*;
use crate::messages::{FinishReason, ModelRequest, TextPart};
use crate::models::{FunctionModel, StreamDelta};
use crate::usage::Usage;
use crate::{model_request, model_request_stream};

/// A recorded field value.
#[derive(Debug, Clone, PartialEq)]
enum Recorded {
    Str(String),
    I64(i64),
    F64(f64),
}

/// The fields of one closed span, and its `tracing` name.
#[derive(Debug, Clone)]
struct Closed {
    name: &'static str,
    fields: BTreeMap<&'static str, Recorded>,
}

impl Closed {
    fn str(&self, name: &str) -> Option<&str> {
        match self.fields.get(name) {
            Some(Recorded::Str(s)) => Some(s),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Fields(BTreeMap<&'static str, Recorded>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), Recorded::Str(value.to_owned()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name(), Recorded::I64(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name(), Recorded::F64(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name(), Recorded::Str(format!("{value:?}")));
    }
}

/// Collects the fields of every span, handed over when the span closes.
#[derive(Clone, Default)]
struct Capture {
    closed: Arc<Mutex<Vec<Closed>>>,
}

impl Capture {
    fn closed(&self) -> Vec<Closed> {
        self.closed.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            let fields = span.extensions_mut().remove::<Fields>().unwrap_or_default();
            if let Ok(mut closed) = self.closed.lock() {
                closed.push(Closed {
                    name: span.name(),
                    fields: fields.0,
                });
            }
        }
    }
}

fn capture() -> (Capture, tracing::subscriber::DefaultGuard) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    (capture, tracing::subscriber::set_default(subscriber))
}

fn answering_paris() -> FunctionModel {
    FunctionModel::new(|_, _| {
        let mut response = ModelResponse::new(vec![TextPart::new("Paris").into()]);
        response.finish_reason = Some(FinishReason::Stop);
        response.provider_response_id = Some("resp_1".into());
        response.usage = Usage::new(56, 1);
        response.usage.details.insert("reasoning_tokens".into(), 3);
        Ok(response)
    })
    .with_model_name("capital-1")
}

#[tokio::test]
async fn a_request_records_the_genai_fields_on_its_span() {
    let (capture, _guard) = capture();
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.5),
        seed: Some(7),
        ..Default::default()
    };
    model_request(
        answering_paris(),
        [ModelRequest::user_text_prompt("Capital of France?")],
    )
    .settings(settings)
    .instrument(true)
    .await
    .unwrap();
    let spans = capture.closed();
    assert_eq!(spans.len(), 1);
    let span = &spans[0];
    assert_eq!(span.name, "chat");
    let expected: &[(&str, Recorded)] = &[
        (OTEL_NAME, Recorded::Str("chat capital-1".into())),
        (OTEL_KIND, Recorded::Str("client".into())),
        (GEN_AI_OPERATION_NAME, Recorded::Str("chat".into())),
        (GEN_AI_PROVIDER_NAME, Recorded::Str("function".into())),
        (GEN_AI_SYSTEM, Recorded::Str("function".into())),
        (GEN_AI_REQUEST_MODEL, Recorded::Str("capital-1".into())),
        (GEN_AI_REQUEST_MAX_TOKENS, Recorded::I64(100)),
        (GEN_AI_REQUEST_TEMPERATURE, Recorded::F64(0.5)),
        (GEN_AI_REQUEST_SEED, Recorded::I64(7)),
        (GEN_AI_RESPONSE_MODEL, Recorded::Str("capital-1".into())),
        (GEN_AI_RESPONSE_ID, Recorded::Str("resp_1".into())),
        (GEN_AI_USAGE_INPUT_TOKENS, Recorded::I64(56)),
        (GEN_AI_USAGE_OUTPUT_TOKENS, Recorded::I64(1)),
        (GEN_AI_USAGE_DETAILS_REASONING_TOKENS, Recorded::I64(3)),
    ];
    for (name, value) in expected {
        assert_eq!(span.fields.get(name), Some(value), "{name}");
    }
    // Finish reasons are an array through OpenTelemetry; as a plain field, their JSON text.
    let finish = span.str(GEN_AI_RESPONSE_FINISH_REASONS);
    if cfg!(feature = "otel") {
        assert_eq!(finish, None);
    } else {
        assert_eq!(finish, Some(r#"["stop"]"#));
    }
    let input: Value = serde_json::from_str(span.str(GEN_AI_INPUT_MESSAGES).unwrap()).unwrap();
    assert_eq!(
        input,
        json!([{"role": "user", "parts": [{"type": "text", "content": "Capital of France?"}]}])
    );
    let output: Value = serde_json::from_str(span.str(GEN_AI_OUTPUT_MESSAGES).unwrap()).unwrap();
    assert_eq!(
        output,
        json!([{"role": "assistant", "parts": [{"type": "text", "content": "Paris"}],
                "finish_reason": "stop"}])
    );
    for absent in [
        SERVER_ADDRESS,
        ERROR_TYPE,
        OTEL_STATUS_CODE,
        GEN_AI_SYSTEM_INSTRUCTIONS,
        GEN_AI_TOOL_DEFINITIONS,
        GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
    ] {
        assert!(!span.fields.contains_key(absent), "{absent}");
    }
}

#[tokio::test]
async fn instrumentation_off_opens_no_span() {
    let (capture, _guard) = capture();
    model_request(answering_paris(), [ModelRequest::user_text_prompt("hi")])
        .instrument(false)
        .await
        .unwrap();
    let mut stream = model_request_stream("test", [ModelRequest::user_text_prompt("hi")])
        .instrument(false)
        .await
        .unwrap();
    while stream.next().await.is_some() {}
    drop(stream);
    assert!(capture.closed().is_empty());
}

#[tokio::test]
async fn a_stream_span_closes_with_the_stream_and_times_the_first_chunk() {
    let (capture, _guard) = capture();
    let model = FunctionModel::streaming(|_, _| {
        futures::stream::iter(["Par", "is"].map(|t| Ok(StreamDelta::Text(t.into())))).boxed()
    });
    let mut stream = model_request_stream(model, [ModelRequest::user_text_prompt("hi")])
        .instrument(true)
        .await
        .unwrap();
    assert!(capture.closed().is_empty(), "the span outlives the opening");
    stream.next().await.unwrap().unwrap();
    assert!(
        capture.closed().is_empty(),
        "the stream still holds the span"
    );
    while stream.next().await.is_some() {}
    let spans = capture.closed();
    assert_eq!(spans.len(), 1, "the span ends with the stream");
    drop(stream);
    assert_eq!(capture.closed().len(), 1, "and is not ended twice");
    assert_eq!(spans.len(), 1);
    let span = &spans[0];
    assert!(matches!(
        span.fields.get(GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK),
        Some(Recorded::F64(seconds)) if *seconds >= 0.0
    ));
    let output: Value = serde_json::from_str(span.str(GEN_AI_OUTPUT_MESSAGES).unwrap()).unwrap();
    assert_eq!(
        output[0]["parts"],
        json!([{"type": "text", "content": "Paris"}])
    );
}

#[tokio::test]
async fn errors_record_their_type_and_the_message_only_with_content() {
    let (capture, _guard) = capture();
    let failing =
        || FunctionModel::new(|_, _| Err(Error::unexpected("the prompt was: Capital of France?")));
    for include_content in [true, false] {
        let settings = InstrumentationSettings::default().with_include_content(include_content);
        model_request(failing(), [ModelRequest::user_text_prompt("hi")])
            .instrument(settings)
            .await
            .unwrap_err();
    }
    let spans = capture.closed();
    assert_eq!(spans.len(), 2);
    for span in &spans {
        assert_eq!(span.str(ERROR_TYPE), Some("UnexpectedModelBehavior"));
        assert_eq!(span.str(OTEL_STATUS_CODE), Some("ERROR"));
        assert!(!span.fields.contains_key(GEN_AI_RESPONSE_MODEL));
    }
    assert_eq!(
        spans[0].str(OTEL_STATUS_DESCRIPTION),
        Some("unexpected model behavior: the prompt was: Capital of France?")
    );
    assert_eq!(spans[1].str(OTEL_STATUS_DESCRIPTION), None);
}

#[test]
fn settings_compare_by_flags() {
    let a = InstrumentationSettings::default();
    assert_eq!(a, InstrumentationSettings::default());
    assert_ne!(a, a.clone().with_include_binary_content(false));
    assert_eq!(
        Instrumentation::from(false),
        Instrumentation::Off,
        "false switches instrumentation off"
    );
    assert_eq!(
        Instrumentation::from(true),
        Instrumentation::On(InstrumentationSettings::default())
    );
}
