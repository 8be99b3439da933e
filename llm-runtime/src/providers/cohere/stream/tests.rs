use super::*;
use crate::messages::{FinishReason, ModelResponsePart, TextPart, ThinkingPart};
use crate::providers::cohere::models::TOOL_PLAN_ID;
use crate::providers::cohere::test_support::{
    content_delta, content_end, content_start, message_end, message_start, parse, stream, PROVIDER,
};
use crate::providers::test_support::kinds;
use serde_json::json;

#[test]
fn streams_text_with_usage_and_finish_reason() {
    let ((response, events), warnings) = stream(&[
        message_start(),
        content_start(0, "text"),
        content_delta(0, "text", "Hello"),
        content_delta(0, "text", ", world"),
        content_end(0),
        message_end("COMPLETE"),
    ])
    .unwrap();
    assert!(warnings.is_empty());
    assert_eq!(kinds(&events), ["start0", "final", "delta0", "end0"]);
    assert_eq!(response.parts, vec![TextPart::new("Hello, world").into()]);
    assert_eq!(response.provider_response_id.as_deref(), Some("resp-1"));
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    let usage = &response.usage;
    assert_eq!(
        (
            usage.request_tokens,
            usage.response_tokens,
            usage.cache_read_tokens
        ),
        (70, 9, 64)
    );
    assert_eq!(usage.details["input_tokens"], 5);
}

#[test]
fn streams_thinking_then_text() {
    let ((response, _), _) = stream(&[
        message_start(),
        content_start(0, "thinking"),
        content_delta(0, "thinking", "Capital "),
        content_delta(0, "thinking", "of France."),
        content_end(0),
        content_start(1, "text"),
        content_delta(1, "text", "Paris."),
        content_end(1),
        message_end("COMPLETE"),
    ])
    .unwrap();
    assert_eq!(
        response.parts,
        vec![
            ThinkingPart::new("Capital of France.").into(),
            TextPart::new("Paris.").into()
        ]
    );
}

/// The events of a response with a tool plan and two tool calls, as Cohere streams them.
fn tool_call_events() -> Vec<serde_json::Value> {
    vec![
        message_start(),
        json!({"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will "}}}),
        json!({"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "divide."}}}),
        json!({"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {
            "id": "divide_1", "type": "function",
            "function": {"name": "divide", "arguments": ""}}}}}),
        json!({"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {
            "function": {"arguments": "{\"a\":1,"}}}}}),
        json!({"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {
            "function": {"arguments": "\"b\":2}"}}}}}),
        json!({"type": "tool-call-end", "index": 0}),
        json!({"type": "tool-call-start", "index": 1, "delta": {"message": {"tool_calls": {
            "id": "divide_2", "type": "function",
            "function": {"name": "divide", "arguments": "{\"a\":3,\"b\":4}"}}}}}),
        json!({"type": "tool-call-end", "index": 1}),
        message_end("TOOL_CALL"),
    ]
}

#[test]
fn streams_a_tool_plan_and_tool_calls() {
    let ((response, events), _) = stream(&tool_call_events()).unwrap();
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    let ModelResponsePart::Thinking(plan) = &response.parts[0] else {
        panic!("the plan comes first: {:?}", response.parts);
    };
    assert_eq!(plan.content, "I will divide.");
    assert_eq!(plan.id.as_deref(), Some(TOOL_PLAN_ID));
    assert_eq!(plan.provider_name.as_deref(), Some(PROVIDER));
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].tool_call_id.as_str(), calls[0].args_as_json_str()),
        ("divide_1", "{\"a\":1,\"b\":2}".to_owned())
    );
    assert_eq!(
        (calls[1].tool_call_id.as_str(), calls[1].args_as_json_str()),
        ("divide_2", "{\"a\":3,\"b\":4}".to_owned())
    );
    assert_eq!(kinds(&events).first().map(String::as_str), Some("start0"));
}

#[test]
fn a_streamed_response_equals_the_whole_one() {
    let ((streamed, _), _) = stream(&tool_call_events()).unwrap();
    let (whole, _) = parse(&json!({
        "id": "resp-1",
        "finish_reason": "TOOL_CALL",
        "message": {
            "tool_plan": "I will divide.",
            "tool_calls": [
                {"id": "divide_1", "type": "function",
                 "function": {"name": "divide", "arguments": "{\"a\":1,\"b\":2}"}},
                {"id": "divide_2", "type": "function",
                 "function": {"name": "divide", "arguments": "{\"a\":3,\"b\":4}"}}
            ]
        },
        "usage": {
            "billed_units": {"input_tokens": 5, "output_tokens": 3},
            "tokens": {"input_tokens": 70, "output_tokens": 9},
            "cached_tokens": 64
        }
    }))
    .unwrap();
    assert_eq!(streamed.parts, whole.parts);
    assert_eq!(streamed.usage, whole.usage);
    assert_eq!(streamed.finish_reason, whole.finish_reason);
    assert_eq!(streamed.provider_details, whole.provider_details);
    assert_eq!(streamed.provider_response_id, whole.provider_response_id);
}

#[test]
fn a_stream_without_message_end_is_truncated() {
    let err = stream(&[
        message_start(),
        content_start(0, "text"),
        content_delta(0, "text", "Hel"),
    ])
    .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }),
        "{err:?}"
    );
}

#[test]
fn an_error_in_message_end_is_an_error() {
    let err = stream(&[
        message_start(),
        json!({"type": "message-end", "delta": {"error": "internal server error"}}),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("internal server error"), "{err}");
}

#[test]
fn a_malformed_event_or_one_without_its_index_is_an_error() {
    for bad in [
        json!({"type": "content-delta", "delta": {"message": {"content": {"text": "x"}}}}),
        json!({"type": "message-end", "delta": {"usage": {"tokens": {"input_tokens": "many"}}}}),
    ] {
        let err = stream(&[message_start(), bad.clone()]).unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{bad}: {err:?}"
        );
    }
}

#[test]
fn citations_debug_and_unknown_events_are_reported_or_skipped() {
    let ((response, _), warnings) = stream(&[
        message_start(),
        json!({"type": "debug", "prompt": "…"}),
        content_start(0, "text"),
        content_delta(0, "text", "Paris."),
        json!({"type": "citation-start", "index": 0, "delta": {"message": {"citations": {}}}}),
        json!({"type": "citation-end", "index": 0}),
        json!({"type": "citation-start", "index": 1, "delta": {"message": {"citations": {}}}}),
        json!({"type": "brand-new-event"}),
        content_end(0),
        message_end("COMPLETE"),
    ])
    .unwrap();
    assert_eq!(response.text(), "Paris.");
    let kinds: Vec<&str> = warnings.as_slice().iter().map(Warning::kind).collect();
    assert_eq!(kinds, ["dropped-content", "skipped-event"]);
}
