//! Unit tests of the parse of a whole chat completion,
//! through the protocol as the driver calls it.

use serde_json::{json, Map};

use super::super::fixtures::*;
use super::super::*;
use crate::error::Error;
use crate::messages::*;
use crate::providers::{Protocol, ResponseContext};
use crate::warning::Warning;

// -------------------------------------------------------------------------- responses

#[test]
fn parses_text_tool_calls_usage_and_details() {
    let response = parse(json!({
        "id": "chatcmpl-123", "object": "chat.completion", "created": 1_700_000_000,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": null,
            "message": {"role": "assistant", "content": "Dividing.", "refusal": null,
                "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "divide", "arguments": "{\"a\":6,\"b\":3}"}}]}}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30,
            "prompt_tokens_details": {"cached_tokens": 8, "audio_tokens": 2},
            "completion_tokens_details": {"reasoning_tokens": 4, "audio_tokens": 1,
                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}
    }));
    assert_eq!(
        response.parts,
        vec![
            TextPart::new("Dividing.").into(),
            ToolCallPart::new("divide", r#"{"a":6,"b":3}"#, "call_1").into()
        ]
    );
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    assert_eq!(response.model_name.as_deref(), Some("gpt-4o-2024-08-06"));
    assert_eq!(
        response.provider_response_id.as_deref(),
        Some("chatcmpl-123")
    );
    assert_eq!(
        response.provider_details,
        Some(Map::from_iter([
            ("finish_reason".to_owned(), json!("tool_calls")),
            ("timestamp".to_owned(), json!("2023-11-14T22:13:20Z")),
        ]))
    );
    let usage = &response.usage;
    assert_eq!(
        (
            usage.requests,
            usage.request_tokens,
            usage.response_tokens,
            usage.total_tokens,
            usage.cache_read_tokens,
            usage.input_audio_tokens,
            usage.output_audio_tokens
        ),
        (1, 20, 10, 30, 8, 2, 1)
    );
    assert_eq!(usage.details["reasoning_tokens"], 4);
    assert_eq!(usage.details["audio_tokens"], 1);
}

/// A count named twice in `completion_tokens_details` counts once, at its last value (a null
/// last value drops it), as a JSON object read into a map keeps it; escaped names are read.
#[test]
fn completion_details_keep_the_last_value_of_a_name() {
    let body = r#"{"id": "x", "model": "gpt-4o", "choices": [{"index": 0,
        "finish_reason": "stop", "message": {"role": "assistant", "content": "Hi."}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2,
            "completion_tokens_details": {"audio_tokens": 5, "reasoning_tokens": 1,
                "audio_tokens": 7, "reasoning_tokens": null, "r\u0065jected": 2}}}"#;
    let response = OpenAiChat::new()
        .parse_response(
            body.as_bytes(),
            &mut ResponseContext::new("gpt-4o", PROVIDER),
        )
        .unwrap();
    let usage = &response.usage;
    assert_eq!(usage.output_audio_tokens, 7);
    assert_eq!(
        usage.details,
        [("audio_tokens".to_owned(), 7), ("rejected".to_owned(), 2)].into()
    );
}

#[test]
fn parses_reasoning_fields_and_think_tags() {
    let response = parse(json!({
        "id": "x", "created": 1, "model": "deepseek-reasoner",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
            "reasoning_content": "First, think.", "content": "A<think>B</think>C"}}]
    }));
    let thinking = |content: &str, id: &str| -> ModelResponsePart {
        ThinkingPart {
            id: Some(id.to_owned()),
            provider_name: Some("openai".to_owned()),
            ..ThinkingPart::new(content)
        }
        .into()
    };
    assert_eq!(
        response.parts,
        vec![
            thinking("First, think.", "reasoning_content"),
            TextPart::new("A").into(),
            thinking("B", "content"),
            TextPart::new("C").into(),
        ]
    );
    // The host's own field is read first; a non-text value is not read.
    let protocol = OpenAiChat::new().with_thinking_field("thoughts");
    let body = json!({"choices": [{"finish_reason": "stop", "message": {
        "thoughts": "mine", "reasoning": {"not": "text"}, "content": null}}]});
    let response = protocol
        .parse_response(
            body.to_string().as_bytes(),
            &mut ResponseContext::new("m", PROVIDER),
        )
        .unwrap();
    assert_eq!(response.thinking()[0].id.as_deref(), Some("thoughts"));
    assert_eq!(response.model_name.as_deref(), Some("m"));
}

#[test]
fn lenient_with_compatible_servers() {
    // No `object`, no `id`, no finish reason, an unknown finish reason, arguments as an
    // object, a tool call without an id, Mistral content chunks.
    let response = parse(json!({
        "choices": [{"message": {"content": [
            {"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]},
            {"type": "text", "text": "ok"}, {"type": "reference", "reference_ids": [1]}],
            "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]}}]
    }));
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(response.provider_response_id, None);
    assert_eq!(response.thinking()[0].content, "hm");
    assert_eq!(response.text(), "ok");
    let call = response.tool_calls()[0];
    assert!(call.tool_call_id.starts_with("pyd_ai_"));
    assert_eq!(call.args_as_json_str(), r#"{"x":1}"#);
    let unknown =
        parse(json!({"choices": [{"finish_reason": "eos", "message": {"content": "x"}}]}));
    assert_eq!(unknown.finish_reason, None);
    assert_eq!(
        unknown.provider_details.unwrap()["finish_reason"],
        json!("eos")
    );
}

#[test]
fn refusals_are_content_filtered() {
    let response = parse(json!({"id": "r", "created": 2, "model": "gpt-4o",
        "choices": [{"finish_reason": "stop", "message": {"content": null,
            "refusal": "I can't help with that."}}]}));
    assert!(response.parts.is_empty());
    assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
    let details = response.provider_details.unwrap();
    assert_eq!(details["refusal"], "I can't help with that.");
    assert!(!details.contains_key("finish_reason"));
}

#[test]
fn malformed_and_error_bodies_are_typed_errors() {
    let protocol = OpenAiChat::new();
    for body in [
        &b"{not json"[..],
        b"[]",
        b"{\"choices\": []}",
        b"{\"choices\": [{\"message\": {\"tool_calls\": [{\"type\": \"custom\"}]}}]}",
        b"\xff\xfe",
    ] {
        let err = protocol
            .parse_response(body, &mut ResponseContext::new("m", PROVIDER))
            .unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { body: Some(_), .. }),
            "{err}"
        );
    }
    let err = protocol
        .parse_response(
            br#"{"error": {"code": 429, "message": "slow down"}}"#,
            &mut ResponseContext::new("m", PROVIDER),
        )
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
    let err = protocol
        .parse_response(
            br#"{"error": {"message": "boom", "type": "server_error"}}"#,
            &mut ResponseContext::new("m", PROVIDER),
        )
        .unwrap_err();
    assert!(err.to_string().contains("boom"), "{err}");
}

#[test]
fn content_left_unread_is_a_warning() {
    // An unknown content chunk and a reasoning field that is not text: both dropped, reported.
    let body = json!({"choices": [{"finish_reason": "stop", "message": {
        "reasoning": {"summary": "an object"},
        "content": [{"type": "text", "text": "ok"}, {"type": "reference", "reference_ids": [1]}]
    }}]});
    let mut cx = ResponseContext::new("gpt-4o", PROVIDER);
    let response = OpenAiChat::new()
        .parse_response(body.to_string().as_bytes(), &mut cx)
        .unwrap();
    assert_eq!(response.text(), "ok");
    assert!(response.thinking().is_empty());
    assert_eq!(
        cx.warnings.as_slice(),
        [
            Warning::dropped_content(
                "reasoning",
                "the reasoning field `reasoning` holds an object, not text; it is not read"
            ),
            Warning::dropped_content(
                "content chunk",
                "a content chunk of an unknown type was not read"
            ),
        ]
    );
    // A plain completion: no warnings.
    let mut cx = ResponseContext::new("gpt-4o", PROVIDER);
    OpenAiChat::new()
        .parse_response(br#"{"choices": [{"message": {"content": "hi"}}]}"#, &mut cx)
        .unwrap();
    assert!(cx.warnings.is_empty(), "{:?}", cx.warnings);
}
