use super::*;
use crate::error::Error;
use crate::messages::ModelResponsePart;
use crate::providers::cohere::test_support::{parse, MODEL, PROVIDER};
use serde_json::json;

#[test]
fn text_usage_and_finish_reason() {
    let (response, warnings) = parse(&json!({
        "id": "resp-1",
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": "Paris."}]},
        "usage": {
            "billed_units": {"input_tokens": 5, "output_tokens": 2},
            "tokens": {"input_tokens": 70, "output_tokens": 4},
            "cached_tokens": 64
        }
    }))
    .unwrap();
    assert!(warnings.is_empty());
    assert_eq!(response.parts, vec![TextPart::new("Paris.").into()]);
    assert_eq!(response.model_name.as_deref(), Some(MODEL));
    assert_eq!(response.provider_response_id.as_deref(), Some("resp-1"));
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(
        response.provider_details,
        json!({"finish_reason": "COMPLETE"}).as_object().cloned()
    );
    let usage = &response.usage;
    assert_eq!(
        (
            usage.request_tokens,
            usage.response_tokens,
            usage.cache_read_tokens,
            usage.total_tokens
        ),
        (70, 4, 64, 74)
    );
    assert_eq!(usage.details["input_tokens"], 5);
    assert_eq!(usage.details["output_tokens"], 2);
}

#[test]
fn thinking_then_text() {
    let (response, _) = parse(&json!({
        "finish_reason": "COMPLETE",
        "message": {"content": [
            {"type": "thinking", "thinking": "Capital of France."},
            {"type": "text", "text": "Paris."}
        ]}
    }))
    .unwrap();
    assert_eq!(
        response.parts,
        vec![
            ThinkingPart::new("Capital of France.").into(),
            TextPart::new("Paris.").into()
        ]
    );
}

#[test]
fn tool_calls_keep_their_plan_ids_and_raw_arguments() {
    let (response, warnings) = parse(&json!({
        "finish_reason": "TOOL_CALL",
        "message": {
            "tool_plan": "I will divide 1 by 2.",
            "tool_calls": [
                {"id": "divide_abc", "type": "function",
                 "function": {"name": "divide", "arguments": "{\"a\":1,\"b\":2}"}},
                {"type": "function", "function": {"name": "divide", "arguments": "{}"}},
                {"id": "broken", "type": "function", "function": {"name": "divide"}}
            ]
        }
    }))
    .unwrap();
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    let ModelResponsePart::Thinking(plan) = &response.parts[0] else {
        panic!("the plan comes first: {:?}", response.parts);
    };
    assert_eq!(plan.content, "I will divide 1 by 2.");
    assert_eq!(plan.id.as_deref(), Some(TOOL_PLAN_ID));
    assert_eq!(plan.provider_name.as_deref(), Some(PROVIDER));
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].tool_call_id, "divide_abc");
    assert_eq!(calls[0].args_as_json_str(), "{\"a\":1,\"b\":2}");
    // A call without an id gets one generated.
    assert!(!calls[1].tool_call_id.is_empty());
    // A call without arguments is left out, as pydantic-ai does, and reported.
    assert_eq!(warnings.as_slice()[0].kind(), "dropped-content");
}

#[test]
fn finish_reasons_as_pydantic_ai_maps_them() {
    for (raw, ours) in [
        ("COMPLETE", Some(FinishReason::Stop)),
        ("STOP_SEQUENCE", Some(FinishReason::Stop)),
        ("MAX_TOKENS", Some(FinishReason::Length)),
        ("TOOL_CALL", Some(FinishReason::ToolCall)),
        ("ERROR", Some(FinishReason::Error)),
        ("TIMEOUT", None),
    ] {
        assert_eq!(finish_reason(raw), ours, "{raw}");
    }
    let (response, _) = parse(&json!({"message": {"content": null, "tool_calls": null}})).unwrap();
    assert_eq!(response.finish_reason, None);
    assert_eq!(
        response.provider_details,
        json!({"finish_reason": null}).as_object().cloned()
    );
}

#[test]
fn citations_and_unknown_content_are_reported_not_kept() {
    let (response, warnings) = parse(&json!({
        "finish_reason": "COMPLETE",
        "message": {
            "content": [{"type": "text", "text": "Paris."}, {"type": "image", "url": "x"}],
            "citations": [{"start": 0, "end": 5, "text": "Paris", "sources": []}]
        }
    }))
    .unwrap();
    assert_eq!(response.parts, vec![TextPart::new("Paris.").into()]);
    let kinds: Vec<&str> = warnings.as_slice().iter().map(Warning::kind).collect();
    assert_eq!(kinds, ["dropped-content", "dropped-content"]);
}

#[test]
fn billed_units_fill_in_for_missing_tokens_and_counts_may_be_floats() {
    let (response, _) = parse(&json!({
        "message": {"content": []},
        "usage": {"billed_units": {"input_tokens": 12.0, "output_tokens": 3, "search_units": 0}}
    }))
    .unwrap();
    let usage = &response.usage;
    assert_eq!((usage.request_tokens, usage.response_tokens), (12, 3));
    assert_eq!(usage.details.get("search_units"), None);
}

#[test]
fn a_malformed_body_is_an_error_with_the_body() {
    for body in [
        json!({"no": "message"}),
        json!({"message": {"content": []}, "usage": {"tokens": {"input_tokens": 1.5}}}),
        json!({"message": {"content": []}, "usage": {"tokens": {"input_tokens": -1}}}),
    ] {
        let err = parse(&body).unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{body}: {err:?}"
        );
    }
}
