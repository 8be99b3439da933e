//! Unit tests of the parse of stream chunks,
//! through the protocol as the driver calls it.

use serde_json::{json, Map, Value};

use super::super::fixtures::*;
use super::super::*;
use crate::error::Error;
use crate::messages::*;
use crate::models::ModelRequestParameters;
use crate::providers::test_support::run_stream_warned;
use crate::stream::PartsManager;
use crate::warning::Warning;

// -------------------------------------------------------------------------- streams

#[test]
fn streams_text_and_the_usage_only_final_chunk() {
    let (response, events) = stream(&[
        chunk(json!({"role": "assistant", "content": ""}), Value::Null),
        chunk(json!({"content": "Hel"}), Value::Null),
        chunk(json!({"content": "lo"}), Value::Null),
        chunk(json!({}), json!("stop")),
        usage_chunk(),
    ]);
    assert_eq!(response.text(), "Hello");
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(response.usage.request_tokens, 12);
    assert_eq!(response.usage.cache_read_tokens, 4);
    assert_eq!(response.usage.details["reasoning_tokens"], 2);
    assert_eq!(response.usage.requests, 1);
    assert_eq!(response.model_name.as_deref(), Some("gpt-4o-2024-08-06"));
    assert_eq!(
        response.provider_details,
        Some(Map::from_iter([
            ("timestamp".to_owned(), json!("2023-11-14T22:13:20Z")),
            ("finish_reason".to_owned(), json!("stop")),
        ]))
    );
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            ModelResponseStreamEvent::PartStart(_) => "start",
            ModelResponseStreamEvent::PartDelta(_) => "delta",
            ModelResponseStreamEvent::PartEnd(_) => "end",
            ModelResponseStreamEvent::FinalResult(_) => "final",
        })
        .collect();
    assert_eq!(kinds, ["start", "final", "delta", "end"]);
}

#[test]
fn streams_parallel_tool_call_fragments_by_index() {
    let call = |index: u64, id: Value, name: Value, args: &str| {
        chunk(
            json!({"tool_calls": [{"index": index, "id": id, "type": "function",
                "function": {"name": name, "arguments": args}}]}),
            Value::Null,
        )
    };
    let (response, _) = stream(&[
        call(0, json!("call_a"), json!("divide"), ""),
        call(1, json!("call_b"), json!("search"), "{\"q\":"),
        call(0, Value::Null, Value::Null, "{\"a\":6,"),
        call(1, Value::Null, Value::Null, "\"x\"}"),
        call(0, Value::Null, Value::Null, "\"b\":3}"),
        chunk(json!({}), json!("tool_calls")),
        usage_chunk(),
    ]);
    assert_eq!(
        response.parts,
        vec![
            ToolCallPart::new("divide", r#"{"a":6,"b":3}"#, "call_a").into(),
            ToolCallPart::new("search", r#"{"q":"x"}"#, "call_b").into(),
        ]
    );
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    // Arguments streamed as objects (some compatible servers) are merged.
    let (response, _) = stream(&[
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": {"a": 1}}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": {"b": 2}}}]}),
            json!("tool_calls"),
        ),
    ]);
    assert_eq!(
        response.tool_calls()[0].args_as_json_str(),
        r#"{"a":1,"b":2}"#
    );
}

#[test]
fn several_tool_calls_in_one_delta_and_keep_alive_events() {
    let mut parts = PartsManager::new("m", &ModelRequestParameters::default());
    let mut state = ChatStreamState::default();
    let protocol = OpenAiChat::new();
    let events = [
        ("ping", "keep-alive".to_owned()),
        (
            "message",
            chunk(
                json!({"tool_calls": [
                    {"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}},
                    {"index": 1, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
                json!("tool_calls"),
            )
            .to_string(),
        ),
        ("message", "[DONE]".to_owned()),
    ];
    let mut flows = Vec::new();
    for (name, data) in &events {
        let event = crate::providers::RawEvent::new(name, data);
        flows
            .push(crate::providers::apply_event(&protocol, event, &mut state, &mut parts).unwrap());
    }
    assert_eq!(flows, [Flow::Continue, Flow::Continue, Flow::Done]);
    let response = parts.response(ResponseState::Complete);
    let names: Vec<&str> = response
        .tool_calls()
        .iter()
        .map(|c| c.tool_name.as_str())
        .collect();
    assert_eq!(names, ["f", "g"]);
}

#[test]
fn streams_reasoning_fields_and_think_tags() {
    let (response, _) = stream(&[
        chunk(
            json!({"reasoning_content": "Let me", "content": null}),
            Value::Null,
        ),
        chunk(json!({"reasoning_content": " think."}), Value::Null),
        chunk(json!({"content": "<think>"}), Value::Null),
        chunk(json!({"content": "inner"}), Value::Null),
        chunk(json!({"content": "</think>"}), Value::Null),
        chunk(json!({"content": "Answer"}), json!("stop")),
    ]);
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
            thinking("Let me think.", "reasoning_content"),
            thinking("inner", "content"),
            TextPart::new("Answer").into(),
        ]
    );
}

#[test]
fn streamed_refusals_and_errors() {
    let (response, _) = stream(&[
        chunk(json!({"refusal": "I can't"}), Value::Null),
        chunk(json!({"refusal": " help."}), json!("stop")),
    ]);
    assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
    assert_eq!(
        response.provider_details.unwrap()["refusal"],
        json!("I can't help.")
    );
    let params = ModelRequestParameters::default();
    let err = stream_with(
        OpenAiChat::new(),
        &params,
        &[json!({"error": {"code": 400, "message": "Token limit reached"}}).to_string()],
    )
    .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let err = stream_with(OpenAiChat::new(), &params, &["{\"choices\": [".to_owned()]).unwrap_err();
    assert!(matches!(
        err,
        Error::UnexpectedModelBehavior { body: Some(_), .. }
    ));
    // A stream cut before any finish reason or `[DONE]` is truncated.
    let err = stream_with(
        OpenAiChat::new(),
        &params,
        &[chunk(json!({"content": "Hel"}), Value::Null).to_string()],
    )
    .unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    // One that finished but closed without `[DONE]` is whole.
    let (response, _) = stream_with(
        OpenAiChat::new(),
        &params,
        &[chunk(json!({"content": "Hi"}), json!("stop")).to_string()],
    )
    .unwrap();
    assert_eq!(response.text(), "Hi");
}

#[test]
fn streamed_and_whole_responses_are_equal() {
    let whole = json!({
        "id": "chatcmpl-9", "object": "chat.completion", "created": 1_700_000_000,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "Sure.", "reasoning": "Plan.",
            "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "divide", "arguments": "{\"a\":6,\"b\":3}"}}]}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17,
                  "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 2, "audio_tokens": 0}}
    });
    let parsed = parse(whole);
    let (mut streamed, _) = stream(&[
        chunk(json!({"role": "assistant", "reasoning": "Pl"}), Value::Null),
        chunk(json!({"reasoning": "an."}), Value::Null),
        chunk(json!({"content": "Sure."}), Value::Null),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                "function": {"name": "divide", "arguments": "{\"a\":6,"}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"b\":3}"}}]}),
            Value::Null,
        ),
        chunk(json!({}), json!("tool_calls")),
        json!({"id": "chatcmpl-9", "created": 1_700_000_000, "model": "gpt-4o-2024-08-06",
               "choices": [], "usage": usage_chunk()["usage"].clone()}),
    ]);
    // The provider name is set by the HTTP layer; the timestamps are when each was received.
    // Everything else is equal, the response id included (the last chunk carries it).
    streamed.provider_name = None;
    streamed.timestamp = parsed.timestamp;
    assert_eq!(streamed, parsed);
}

#[test]
fn unknown_stream_content_is_a_warning() {
    // A chunk with an unknown content chunk type, one with a reasoning field holding a number:
    // the stream goes on, each skipped piece reported in the stream's warnings.
    let data = [
        chunk(
            json!({"content": [{"type": "reference", "reference_ids": [1]}]}),
            Value::Null,
        ),
        chunk(
            json!({"reasoning_content": 3, "content": "hi"}),
            Value::Null,
        ),
        chunk(json!({}), json!("stop")),
    ];
    let payloads = data.iter().map(Value::to_string).collect::<Vec<_>>();
    let parts = PartsManager::new("gpt-4o", &ModelRequestParameters::default())
        .with_provider(PROVIDER, None);
    let ((response, _), warnings) = run_stream_warned(
        &OpenAiChat::new(),
        parts,
        payloads.iter().map(|p| ("message", p.as_str())),
    )
    .unwrap();
    assert_eq!(response.text(), "hi");
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::dropped_content(
                "content chunk",
                "a content chunk of an unknown type was not read"
            ),
            Warning::dropped_content(
                "reasoning_content",
                "the reasoning field `reasoning_content` holds a number, not text; it is not read"
            ),
        ]
    );
}
