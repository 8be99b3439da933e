//! What the Cohere unit tests share: tools, request bodies, parsed responses and streams of
//! the protocol. Bodies are written from the documented format
//! (<https://docs.cohere.com/reference/chat>, <https://docs.cohere.com/v2/docs/streaming>),
//! not recorded traffic (the conformance suite replays that).

use serde_json::{json, Value};

use super::CohereChat;
use crate::error::Result;
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{request_json_warned, run_stream_warned, Streamed};
use crate::providers::{Protocol, ResponseContext};
use crate::settings::ModelSettings;
use crate::stream::PartsManager;
use crate::tools::ToolDefinition;
use crate::warning::Warnings;

/// The provider name the tests give the protocol.
pub(super) const PROVIDER: &str = "cohere";

/// The model the tests ask for unless they need another.
pub(super) const MODEL: &str = "command-a-03-2025";

/// A tool of two numbers.
pub(super) fn divide() -> ToolDefinition {
    ToolDefinition::new("divide")
        .with_description("Divide two numbers.")
        .with_parameters(json!({
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"]
        }))
}

/// A tool of one number.
pub(super) fn square() -> ToolDefinition {
    ToolDefinition::new("square").with_parameters(json!({
        "type": "object",
        "properties": {"x": {"type": "number"}},
        "required": ["x"]
    }))
}

/// The body of a request to [`MODEL`] without settings (the request must be valid).
pub(super) fn body(messages: &[ModelMessage], parameters: &ModelRequestParameters) -> Value {
    body_warned(MODEL, messages, &ModelSettings::default(), parameters)
        .unwrap()
        .0
}

/// The body of a request to `model`, and its warnings.
pub(super) fn body_warned(
    model: &str,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
) -> Result<(Value, Warnings)> {
    request_json_warned(
        &CohereChat::new(),
        PROVIDER,
        model,
        messages,
        settings,
        parameters,
        false,
    )
}

/// A whole response body parsed, and the warnings of the parse.
pub(super) fn parse(body: &Value) -> Result<(ModelResponse, Warnings)> {
    let mut cx = ResponseContext::new(MODEL, PROVIDER);
    let response = CohereChat::new().parse_response(body.to_string().as_bytes(), &mut cx)?;
    Ok((response, cx.warnings))
}

/// Stream events (each an object with its `type`) fed to the protocol under their names, as
/// Cohere sends them: the finished response, its stream events and the stream's warnings.
pub(super) fn stream(events: &[Value]) -> Result<(Streamed, Warnings)> {
    let data: Vec<(String, String)> = events
        .iter()
        .map(|e| (e["type"].as_str().unwrap_or("").to_owned(), e.to_string()))
        .collect();
    let parts =
        PartsManager::new(MODEL, &ModelRequestParameters::default()).with_provider(PROVIDER, None);
    run_stream_warned(
        &CohereChat::new(),
        parts,
        data.iter().map(|(n, d)| (n.as_str(), d.as_str())),
    )
}

/// `message-start` with the response id.
pub(super) fn message_start() -> Value {
    json!({"type": "message-start", "id": "resp-1",
           "delta": {"message": {"role": "assistant", "content": [], "tool_plan": "",
                                 "tool_calls": [], "citations": []}}})
}

/// `content-start` of `kind` (`text` or `thinking`) at `index`.
pub(super) fn content_start(index: u64, kind: &str) -> Value {
    json!({"type": "content-start", "index": index,
           "delta": {"message": {"content": {"type": kind, kind: ""}}}})
}

/// `content-delta` of `kind` at `index`.
pub(super) fn content_delta(index: u64, kind: &str, text: &str) -> Value {
    json!({"type": "content-delta", "index": index,
           "delta": {"message": {"content": {kind: text}}}})
}

/// `content-end` at `index`.
pub(super) fn content_end(index: u64) -> Value {
    json!({"type": "content-end", "index": index})
}

/// `message-end` with `finish_reason` and a usage.
pub(super) fn message_end(finish_reason: &str) -> Value {
    json!({"type": "message-end", "delta": {"finish_reason": finish_reason, "usage": {
        "billed_units": {"input_tokens": 5, "output_tokens": 3},
        "tokens": {"input_tokens": 70, "output_tokens": 9},
        "cached_tokens": 64
    }}})
}
