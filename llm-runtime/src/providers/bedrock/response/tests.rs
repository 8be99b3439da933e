use serde_json::json;

use super::*;

fn parsed(body: serde_json::Value) -> ModelResponse {
    parse(
        body.to_string().as_bytes(),
        "m",
        "bedrock",
        &mut Warnings::new(),
    )
    .unwrap()
}

#[test]
fn text_tool_calls_reasoning_and_usage() {
    let response = parsed(json!({
        "output": {"message": {"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": "hmm", "signature": "sig"}}},
            {"reasoningContent": {"redactedContent": "c2VjcmV0"}},
            {"text": "Hello"},
            {"toolUse": {"toolUseId": "t1", "name": "get", "input": {"a": 1}}},
        ]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 2, "outputTokens": 5, "totalTokens": 1329,
                  "cacheReadInputTokens": 10, "cacheWriteInputTokens": 3},
    }));
    let value = serde_json::to_value(&response).unwrap();
    assert_eq!(value["parts"][0]["content"], "hmm");
    assert_eq!(value["parts"][0]["signature"], "sig");
    assert_eq!(value["parts"][0]["provider_name"], "bedrock");
    assert_eq!(value["parts"][1]["id"], REDACTED_CONTENT_ID);
    assert_eq!(value["parts"][1]["signature"], "secret");
    assert_eq!(value["parts"][2]["content"], "Hello");
    assert_eq!(value["parts"][3]["args"], json!({"a": 1}));
    assert_eq!(value["parts"][3]["tool_call_id"], "t1");
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    assert_eq!(
        response.provider_details,
        Some(
            json!({"finish_reason": "tool_use"})
                .as_object()
                .unwrap()
                .clone()
        )
    );
    assert_eq!(response.usage.request_tokens, 15);
    assert_eq!(response.usage.cache_read_tokens, 10);
    assert_eq!(response.usage.cache_write_tokens, 3);
    assert_eq!(response.usage.response_tokens, 5);
    assert_eq!(response.usage.total_tokens, 20);
    assert!(response.usage.details.is_empty());
}

#[test]
fn cache_writes_per_ttl_are_counted_in_details() {
    let response = parsed(json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "Hi"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 3, "outputTokens": 5, "cacheWriteInputTokens": 300,
                  "cacheDetails": [{"inputTokens": 200, "ttl": "1h"}, {"inputTokens": 100, "ttl": "5m"},
                                   {"inputTokens": 7, "ttl": "5m"}, {"inputTokens": 9}]},
    }));
    // The first entry of each TTL, as genai-prices' extractor reads them.
    assert_eq!(
        response.usage.details,
        [
            ("cache_write_1h_tokens".to_owned(), 200),
            ("cache_write_5m_tokens".to_owned(), 100)
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(response.usage.cache_write_tokens, 300);
}

#[test]
fn unsigned_reasoning_has_no_provider_and_empty_text_is_skipped() {
    let response = parsed(json!({
        "output": {"message": {"content": [
            {"reasoningContent": {"reasoningText": {"text": "plain"}}},
            {"text": ""},
        ]}},
        "stopReason": "max_tokens",
    }));
    assert_eq!(response.parts.len(), 1);
    let value = serde_json::to_value(&response).unwrap();
    assert_eq!(value["parts"][0]["provider_name"], serde_json::Value::Null);
    assert_eq!(response.finish_reason, Some(FinishReason::Length));
}

#[test]
fn malformed_bodies_are_unexpected_behavior() {
    for body in [&b"not json"[..], br#"{"stopReason":"end_turn"}"#] {
        let err = parse(body, "m", "bedrock", &mut Warnings::new()).unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{err:?}"
        );
    }
    let err = parse(
        json!({"output": {"message": {"content": [{"reasoningContent": {"redactedContent": "!!"}}]}}})
            .to_string()
            .as_bytes(),
        "m",
        "bedrock",
        &mut Warnings::new(),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }),
        "{err:?}"
    );
}

#[test]
fn stop_reasons_map_as_pydantic_ai_maps_them() {
    assert_eq!(map_stop_reason("end_turn"), Some(FinishReason::Stop));
    assert_eq!(
        map_stop_reason("guardrail_intervened"),
        Some(FinishReason::ContentFilter)
    );
    assert_eq!(
        map_stop_reason("malformed_tool_use"),
        Some(FinishReason::Error)
    );
    assert_eq!(
        map_stop_reason("model_context_window_exceeded"),
        Some(FinishReason::Length)
    );
    assert_eq!(map_stop_reason("new_reason"), None);
}

#[test]
fn the_code_interpreter_blocks_are_builtin_parts_and_other_server_tools_warnings() {
    let mut warnings = Warnings::new();
    let body = json!({
        "output": {"message": {"content": [
            {"toolUse": {"toolUseId": "t", "name": "nova_code_interpreter", "input": {}, "type": "server_tool_use"}},
            {"toolResult": {"toolUseId": "t", "content": [], "type": "nova_code_interpreter_result"}},
            {"toolUse": {"toolUseId": "g", "name": "nova_grounding", "input": {}, "type": "server_tool_use"}},
            {"text": "42"},
        ]}},
        "stopReason": "end_turn",
    });
    let response = parse(body.to_string().as_bytes(), "m", "bedrock", &mut warnings).unwrap();
    assert!(
        matches!(
            response.parts.as_slice(),
            [
                ModelResponsePart::BuiltinToolCall(_),
                ModelResponsePart::BuiltinToolReturn(_),
                ModelResponsePart::Text(_)
            ]
        ),
        "{:?}",
        response.parts
    );
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings.as_slice()[0].kind(), "dropped-content");
    assert!(warnings.as_slice()[0].message().contains("nova_grounding"));
}
