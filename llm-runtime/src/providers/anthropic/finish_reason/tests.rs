//! Bodies written from Anthropic's documented format
//! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
//! not recorded traffic (that is `tests/anthropic_conformance.rs`).

use serde_json::{json, Value};

use super::super::test_kit::*;
use crate::messages::{FinishReason, ResponseState};

#[test]
fn stop_reasons_refusals_pauses_and_containers() {
    let with = |stop: Value, extra: Value| {
        let mut body = json!({"id": "msg", "type": "message", "model": "m",
                              "content": [], "stop_reason": stop,
                              "usage": {"input_tokens": 1, "output_tokens": 1}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        parse(body)
    };
    for (raw, expected) in [
        ("end_turn", Some(FinishReason::Stop)),
        ("stop_sequence", Some(FinishReason::Stop)),
        ("max_tokens", Some(FinishReason::Length)),
        ("model_context_window_exceeded", Some(FinishReason::Length)),
        ("tool_use", Some(FinishReason::ToolCall)),
        ("refusal", Some(FinishReason::ContentFilter)),
        ("pause_turn", None),
        ("something_new", None),
    ] {
        let response = with(json!(raw), json!({}));
        assert_eq!(response.finish_reason, expected, "{raw}");
        assert_eq!(
            response.provider_details.unwrap()["finish_reason"],
            json!(raw)
        );
        let state = if raw == "pause_turn" {
            ResponseState::Suspended
        } else {
            ResponseState::Complete
        };
        assert_eq!(response.state, state, "{raw}");
    }
    let refusal = with(
        json!("refusal"),
        json!({"stop_details": {"explanation": "Not that.", "category": "cyber"},
               "container": {"id": "container_1", "expires_at": "2026-01-01T00:00:00Z"}}),
    );
    assert_eq!(
        refusal.provider_details,
        Some(object(
            json!({"finish_reason": "refusal", "refusal": "Not that.",
                           "refusal_category": "cyber", "container_id": "container_1"})
        ))
    );
    assert_eq!(with(Value::Null, json!({})).provider_details, None);
}
