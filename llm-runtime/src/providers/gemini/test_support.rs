//! What the Gemini unit tests share: a tool, request bodies, parsed responses and streams of
//! the protocol. Bodies are written from the documented format
//! (<https://ai.google.dev/api/generate-content>), not recorded traffic.

use serde_json::{json, Map, Value};

use super::signatures::SIGNATURE_KEY;
use super::Gemini;
use crate::error::Result;
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{request_json, request_json_warned, run_stream, Streamed};
use crate::providers::{Protocol, ResponseContext};
use crate::settings::ModelSettings;
use crate::stream::PartsManager;
use crate::tools::ToolDefinition;
use crate::warning::Warnings;

/// The provider name the tests give the protocol.
pub(super) const PROVIDER: &str = "google-gla";

/// A tool of two numbers.
pub(super) fn divide() -> ToolDefinition {
    ToolDefinition::new("divide")
        .with_description("Divide two numbers.")
        .with_parameters(json!({
            "title": "Divide",
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"]
        }))
}

/// The body of a request to `model`.
pub(super) fn body_with(
    model: &str,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
) -> Result<Value> {
    request_json(
        &Gemini::new(),
        PROVIDER,
        model,
        messages,
        settings,
        parameters,
        false,
    )
}

/// The body of a request to `model` with no tools, and the warnings of the request.
pub(super) fn body_warned(
    model: &str,
    messages: &[ModelMessage],
    settings: &ModelSettings,
) -> Result<(Value, Warnings)> {
    request_json_warned(
        &Gemini::new(),
        PROVIDER,
        model,
        messages,
        settings,
        &ModelRequestParameters::default(),
        false,
    )
}

/// The body of a request to `gemini-2.5-flash` with no settings.
pub(super) fn body(messages: &[ModelMessage], parameters: &ModelRequestParameters) -> Value {
    body_with(
        "gemini-2.5-flash",
        messages,
        &ModelSettings::default(),
        parameters,
    )
    .unwrap()
}

/// Parameters with these function tools.
pub(super) fn with_tools(tools: Vec<ToolDefinition>) -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: tools,
        ..ModelRequestParameters::default()
    }
}

/// The `provider_details` of a part with this thought signature.
pub(super) fn signature(value: &str) -> Option<Map<String, Value>> {
    let mut details = Map::new();
    details.insert(SIGNATURE_KEY.into(), json!(value));
    Some(details)
}

/// A whole response, parsed.
pub(super) fn parse(body: Value) -> ModelResponse {
    parse_warned(body).0
}

/// A whole response, parsed, with the warnings of the parse.
pub(super) fn parse_warned(body: Value) -> (ModelResponse, Warnings) {
    let mut cx = ResponseContext::new("gemini-2.5-flash", PROVIDER);
    let response = Gemini::new()
        .parse_response(body.to_string().as_bytes(), &mut cx)
        .unwrap();
    (response, cx.warnings)
}

/// The parts manager of a stream of `gemini-2.5-flash`.
pub(super) fn stream_parts(parameters: &ModelRequestParameters) -> PartsManager {
    PartsManager::new("gemini-2.5-flash", parameters).with_provider("google-gla", None)
}

/// Feeds `events` as SSE data; returns the response and the stream events.
pub(super) fn stream_with(
    parameters: &ModelRequestParameters,
    events: &[Value],
) -> Result<Streamed> {
    let data: Vec<String> = events.iter().map(Value::to_string).collect();
    run_stream(
        &Gemini::new(),
        stream_parts(parameters),
        data.iter().map(|data| ("message", data.as_str())),
    )
}

/// As [`stream_with`], with no tools.
pub(super) fn stream(events: &[Value]) -> Streamed {
    stream_with(&ModelRequestParameters::default(), events).unwrap()
}

/// An event of one candidate with these parts.
pub(super) fn chunk(parts: Value, finish_reason: Option<&str>) -> Value {
    let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
    if let Some(reason) = finish_reason {
        candidate["finishReason"] = json!(reason);
    }
    json!({"candidates": [candidate], "modelVersion": "gemini-2.5-flash-001",
           "responseId": "resp-1"})
}
