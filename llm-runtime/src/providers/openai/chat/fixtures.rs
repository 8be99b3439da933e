//! What the unit tests of the Chat Completions files share: the provider name, a tool, the
//! body of a request, a parsed response, a stream fed through the protocol, chunk builders.
//! Bodies written from OpenAI's documented format
//! (<https://platform.openai.com/docs/api-reference/chat>), not recorded traffic.

use serde_json::{json, Value};

use super::OpenAiChat;
use crate::error::Result;
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{request_json, run_stream, Streamed};
use crate::providers::{Protocol, ResponseContext};
use crate::settings::ModelSettings;
use crate::stream::PartsManager;
use crate::tools::ToolDefinition;

/// The provider name the tests give the protocol.
pub(super) const PROVIDER: &str = "openai";

pub(super) fn divide() -> ToolDefinition {
    ToolDefinition::new("divide")
        .with_description("Divide two numbers.")
        .with_parameters(json!({
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"]
        }))
}

pub(super) fn body(messages: &[ModelMessage], parameters: &ModelRequestParameters) -> Value {
    request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        messages,
        &ModelSettings::default(),
        parameters,
        false,
    )
    .unwrap()
}

/// The protocol and the name of the provider speaking it.
pub(super) fn named(protocol: OpenAiChat, name: &'static str) -> (OpenAiChat, &'static str) {
    (protocol, name)
}

pub(super) fn parse(body: Value) -> ModelResponse {
    OpenAiChat::new()
        .parse_response(
            body.to_string().as_bytes(),
            &mut ResponseContext::new("gpt-4o", PROVIDER),
        )
        .unwrap()
}

/// Feeds `data` payloads as SSE events; returns the response and the events.
pub(super) fn stream_with(
    protocol: OpenAiChat,
    parameters: &ModelRequestParameters,
    data: &[String],
) -> Result<Streamed> {
    let parts = PartsManager::new("gpt-4o", parameters).with_provider("openai", None);
    run_stream(
        &protocol,
        parts,
        data.iter().map(|payload| ("message", payload.as_str())),
    )
}

pub(super) fn stream(data: &[Value]) -> Streamed {
    let mut payloads: Vec<String> = data.iter().map(Value::to_string).collect();
    payloads.push("[DONE]".to_owned());
    stream_with(
        OpenAiChat::new(),
        &ModelRequestParameters::default(),
        &payloads,
    )
    .unwrap()
}

pub(super) fn chunk(delta: Value, finish_reason: Value) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}]
    })
}

pub(super) fn usage_chunk() -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "gpt-4o-2024-08-06", "choices": [],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17,
                  "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 2, "audio_tokens": 0}}
    })
}
