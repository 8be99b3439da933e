//! Bodies written from Anthropic's documented format
//! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
//! not recorded traffic (that is `tests/anthropic_conformance.rs`).

use serde_json::{json, Map, Value};

use super::super::test_kit::*;
use super::MessagesStreamState;
use crate::error::{Error, Result};
use crate::messages::{
    FinishReason, ModelResponseStreamEvent, ResponseState, TextPart, ThinkingPart, ToolArgs,
    ToolCallPart,
};
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{kinds, run_stream, run_stream_warned, Streamed};
use crate::stream::PartsManager;
use crate::warning::Warning;

/// Feeds `(event, data)` pairs as SSE events; returns the response and the events.
fn stream_events(
    events: &[(&str, Value)],
    parameters: &ModelRequestParameters,
) -> Result<Streamed> {
    let parts = PartsManager::new(SONNET_45, parameters).with_provider("anthropic", None);
    let data: Vec<String> = events.iter().map(|(_, data)| data.to_string()).collect();
    run_stream(
        &protocol(),
        parts,
        events
            .iter()
            .zip(&data)
            .map(|((name, _), data)| (*name, data.as_str())),
    )
}

fn stream(events: &[(&str, Value)]) -> Streamed {
    stream_events(events, &ModelRequestParameters::default()).unwrap()
}

fn message_start(usage: Value) -> (&'static str, Value) {
    (
        "message_start",
        json!({"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "content": [],
            "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null,
            "usage": usage}}),
    )
}

fn block_start(index: u64, block: Value) -> (&'static str, Value) {
    (
        "content_block_start",
        json!({"type": "content_block_start", "index": index, "content_block": block}),
    )
}

fn delta(index: u64, delta: Value) -> (&'static str, Value) {
    (
        "content_block_delta",
        json!({"type": "content_block_delta", "index": index, "delta": delta}),
    )
}

fn block_stop(index: u64) -> (&'static str, Value) {
    (
        "content_block_stop",
        json!({"type": "content_block_stop", "index": index}),
    )
}

fn message_delta(stop_reason: &str, usage: Value) -> (&'static str, Value) {
    (
        "message_delta",
        json!({"type": "message_delta",
               "delta": {"stop_reason": stop_reason, "stop_sequence": null}, "usage": usage}),
    )
}

fn message_stop() -> (&'static str, Value) {
    ("message_stop", json!({"type": "message_stop"}))
}

#[test]
fn streams_thinking_text_and_a_tool_call() {
    let (response, events) = stream(&[
        message_start(json!({"input_tokens": 25, "output_tokens": 1,
                             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 3})),
        block_start(
            0,
            json!({"type": "thinking", "thinking": "", "signature": ""}),
        ),
        ("ping", json!({"type": "ping"})),
        delta(0, json!({"type": "thinking_delta", "thinking": "Divide "})),
        delta(0, json!({"type": "thinking_delta", "thinking": "six."})),
        delta(0, json!({"type": "signature_delta", "signature": "sig=="})),
        block_stop(0),
        block_start(1, json!({"type": "text", "text": ""})),
        delta(1, json!({"type": "text_delta", "text": "Sure"})),
        delta(1, json!({"type": "text_delta", "text": "."})),
        block_stop(1),
        block_start(
            2,
            json!({"type": "tool_use", "id": "toolu_1", "name": "divide", "input": {}}),
        ),
        delta(2, json!({"type": "input_json_delta", "partial_json": ""})),
        delta(
            2,
            json!({"type": "input_json_delta", "partial_json": "{\"a\": 6, "}),
        ),
        delta(
            2,
            json!({"type": "input_json_delta", "partial_json": "\"b\": 3}"}),
        ),
        block_stop(2),
        message_delta("tool_use", json!({"output_tokens": 42})),
        message_stop(),
    ]);
    assert_eq!(
        response.parts,
        vec![
            ThinkingPart {
                signature: Some("sig==".into()),
                provider_name: Some("anthropic".into()),
                ..ThinkingPart::new("Divide six.")
            }
            .into(),
            TextPart::new("Sure.").into(),
            ToolCallPart::new(
                "divide",
                ToolArgs::Object(object(json!({"a": 6, "b": 3}))),
                "toolu_1"
            )
            .into(),
        ]
    );
    assert_eq!(
        kinds(&events),
        [
            "start0", "delta0", "delta0", "delta0", "end0", "start1", "final", "delta1", "end1",
            "start2", "delta2", "delta2", "delta2", "end2"
        ]
    );
    // The deltas name no provider: the part got it when it started.
    let ModelResponseStreamEvent::PartDelta(first) = &events[1] else {
        unreachable!()
    };
    assert_eq!(
        serde_json::to_value(&first.delta).unwrap()["provider_name"],
        Value::Null
    );
    assert_eq!(
        (
            response.usage.request_tokens,
            response.usage.cache_read_tokens
        ),
        (28, 3)
    );
    assert_eq!(response.usage.response_tokens, 42);
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    assert_eq!(
        response.model_name.as_deref(),
        Some("claude-sonnet-4-5-20250929")
    );
    assert_eq!(response.provider_response_id.as_deref(), Some("msg_1"));
}

#[test]
fn streamed_and_whole_responses_are_equal() {
    let whole = json!({
        "id": "msg_1", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "thinking", "thinking": "Plan.", "signature": "sig=="},
            {"type": "redacted_thinking", "data": "opaque=="},
            {"type": "text", "text": "Sure."},
            {"type": "tool_use", "id": "toolu_1", "name": "divide",
             "input": {"a": 6, "b": 3.5, "nested": {"x": [1, 2]}}},
            {"type": "tool_use", "id": "toolu_2", "name": "now", "input": {}}
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 12, "output_tokens": 30,
                  "cache_creation_input_tokens": 4, "cache_read_input_tokens": 0}
    });
    let parsed = parse(whole);
    let (mut streamed, _) = stream(&[
        message_start(json!({"input_tokens": 12, "output_tokens": 1,
                             "cache_creation_input_tokens": 4, "cache_read_input_tokens": 0})),
        block_start(
            0,
            json!({"type": "thinking", "thinking": "", "signature": ""}),
        ),
        delta(0, json!({"type": "thinking_delta", "thinking": "Pl"})),
        delta(0, json!({"type": "thinking_delta", "thinking": "an."})),
        delta(0, json!({"type": "signature_delta", "signature": "sig=="})),
        block_stop(0),
        block_start(1, json!({"type": "redacted_thinking", "data": "opaque=="})),
        block_stop(1),
        block_start(2, json!({"type": "text", "text": ""})),
        delta(2, json!({"type": "text_delta", "text": "Sure."})),
        block_stop(2),
        block_start(
            3,
            json!({"type": "tool_use", "id": "toolu_1", "name": "divide", "input": {}}),
        ),
        delta(
            3,
            json!({"type": "input_json_delta", "partial_json": "{\"a\": 6, \"b\": 3.5,"}),
        ),
        delta(
            3,
            json!({"type": "input_json_delta",
                        "partial_json": " \"nested\": {\"x\": [1, 2]}}"}),
        ),
        block_stop(3),
        block_start(
            4,
            json!({"type": "tool_use", "id": "toolu_2", "name": "now",
                              "input": {}}),
        ),
        block_stop(4),
        message_delta("tool_use", json!({"output_tokens": 30})),
        message_stop(),
    ]);
    // The provider name and URL are set by the HTTP layer; the timestamps are when each
    // was received. Everything else is equal.
    streamed.provider_name = None;
    streamed.timestamp = parsed.timestamp;
    assert_eq!(streamed, parsed);
}

#[test]
fn stream_usage_merges_the_counts_of_each_event() {
    let (response, _) = stream(&[
        message_start(json!({"input_tokens": 40, "output_tokens": 1,
                             "cache_creation_input_tokens": 2, "cache_read_input_tokens": 0})),
        block_start(0, json!({"type": "text", "text": "Hi"})),
        block_stop(0),
        message_delta(
            "end_turn",
            json!({"input_tokens": 40, "cache_read_input_tokens": 8, "output_tokens": 9}),
        ),
        message_stop(),
    ]);
    assert_eq!(response.text(), "Hi");
    assert_eq!(
        (
            response.usage.request_tokens,
            response.usage.cache_write_tokens,
            response.usage.cache_read_tokens,
            response.usage.response_tokens
        ),
        (50, 2, 8, 9)
    );
    assert_eq!(
        response.provider_details,
        Some(object(json!({"finish_reason": "end_turn"})))
    );
}

#[test]
fn streams_from_compatible_servers_and_unknown_blocks() {
    // llama.cpp starts `tool_use` without `input`; a pause; blocks and deltas the message
    // model has no part for are skipped; unknown events too.
    let (response, _) = stream(&[
        message_start(json!({"input_tokens": 5, "output_tokens": 0})),
        block_start(
            0,
            json!({"type": "server_tool_use", "id": "srv", "name": "web_search",
                              "input": {}}),
        ),
        delta(
            0,
            json!({"type": "input_json_delta", "partial_json": "{\"query\": \"x\"}"}),
        ),
        block_stop(0),
        block_start(1, json!({"type": "text", "text": "Found "})),
        delta(
            1,
            json!({"type": "citations_delta", "citation": {"type": "web"}}),
        ),
        delta(1, json!({"type": "text_delta", "text": "it."})),
        block_stop(1),
        block_start(2, json!({"type": "tool_use", "id": "abc", "name": "now"})),
        block_stop(2),
        ("future_event", json!({"type": "future_event"})),
        message_delta("pause_turn", json!({"output_tokens": 3})),
        message_stop(),
    ]);
    assert_eq!(
        response.parts,
        vec![
            TextPart::new("Found it.").into(),
            ToolCallPart::new("now", ToolArgs::Object(Map::new()), "abc").into(),
        ]
    );
    assert_eq!(response.state, ResponseState::Suspended);
    assert_eq!(response.finish_reason, None);
}

#[test]
fn stream_errors_are_typed() {
    let parameters = ModelRequestParameters::default();
    // An error event: the status its type stands for.
    let err = stream_events(
        &[
            message_start(json!({"input_tokens": 1, "output_tokens": 1})),
            (
                "error",
                json!({"type": "error",
                       "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            ),
        ],
        &parameters,
    )
    .unwrap_err();
    assert_eq!(err.status(), Some(529));
    assert!(err.is_retryable() && err.to_string().contains("overloaded_error"));
    // Without `message_stop`, the response is truncated, even after the stop reason.
    for events in [
        vec![
            message_start(json!({"input_tokens": 1})),
            block_start(0, json!({"type": "text", "text": "Hal"})),
        ],
        vec![
            message_start(json!({"input_tokens": 1})),
            message_delta("end_turn", json!({"output_tokens": 1})),
        ],
    ] {
        let err = stream_events(&events, &parameters).unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. })
                && err.to_string().contains("truncated"),
            "{err}"
        );
    }
    // Malformed events keep their bytes.
    let protocol = protocol();
    let mut parts = PartsManager::new(SONNET_45, &parameters);
    let mut state = MessagesStreamState::default();
    for (name, data, expected) in [
        (
            "content_block_delta",
            "{not json",
            "invalid Messages stream event",
        ),
        (
            "content_block_delta",
            r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}"#,
            "has no `index`",
        ),
        (
            "message_start",
            r#"{"type":"message_start"}"#,
            "has no `message`",
        ),
        ("error", "Internal Server Error", "reported an error"),
    ] {
        let event = crate::providers::RawEvent::new(name, data);
        let err =
            crate::providers::apply_event(&protocol, event, &mut state, &mut parts).unwrap_err();
        assert!(
            matches!(&err, Error::UnexpectedModelBehavior { body: Some(b), .. } if b == data)
                && err.to_string().contains(expected),
            "{data}: {err}"
        );
    }
    // A delta of another kind than its block is an error, not a panic.
    let err = stream_events(
        &[
            block_start(0, json!({"type": "text", "text": "a"})),
            delta(0, json!({"type": "input_json_delta", "partial_json": "{}"})),
        ],
        &parameters,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }),
        "{err}"
    );
}

#[test]
fn skipped_events_and_dropped_content_are_warned() {
    let mut start = message_start(json!({"input_tokens": 5, "output_tokens": 0}));
    start.1["message"]["content"] = json!([{"type": "text", "text": "early"}]);
    let events = [
        start,
        block_start(
            0,
            json!({"type": "future_tool_result", "tool_use_id": "srv", "content": []}),
        ),
        block_stop(0),
        block_start(1, json!({"type": "text", "text": "Found "})),
        delta(
            1,
            json!({"type": "citations_delta", "citation": {"type": "web"}}),
        ),
        block_stop(1),
        ("future_event", json!({"type": "future_event"})),
        message_delta("end_turn", json!({"output_tokens": 3})),
        message_stop(),
    ];
    let data: Vec<String> = events.iter().map(|(_, data)| data.to_string()).collect();
    let parts = PartsManager::new(SONNET_45, &ModelRequestParameters::default());
    let ((response, _), warnings) = run_stream_warned(
        &protocol(),
        parts,
        events
            .iter()
            .zip(&data)
            .map(|((name, _), data)| (*name, data.as_str())),
    )
    .unwrap();
    assert_eq!(response.text(), "Found ");
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::dropped_content(
                "message_start content",
                "`message_start` carried content blocks, which are only read from \
                 `content_block_*` events; they were left out",
            ),
            Warning::dropped_content(
                "future_tool_result",
                "a `future_tool_result` content block (a server tool's call or result, or \
                 another kind the message model has no part for) was left out of the response",
            ),
            Warning::dropped_content(
                "citations_delta",
                "a `citations_delta` delta of block 1 (citations, or another kind the message \
                 model has no field for) was left out of the response",
            ),
            Warning::skipped_event(
                "future_event",
                "an unknown Messages stream event was skipped"
            ),
        ]
    );
}
