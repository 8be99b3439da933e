//! Bodies written from Anthropic's documented format
//! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
//! not recorded traffic (that is `tests/anthropic_conformance.rs`).

use serde_json::{json, Map};

use super::super::test_kit::*;
use super::super::REDACTED_THINKING_ID;
use crate::error::Error;
use crate::messages::{
    FinishReason, ResponseState, TextPart, ThinkingPart, ToolArgs, ToolCallPart,
};
use crate::providers::{Protocol, ResponseContext};
use crate::warning::Warning;

#[test]
fn parses_text_thinking_tool_use_usage_and_details() {
    let response = parse(json!({
        "id": "msg_01", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "thinking", "thinking": "Plan.", "signature": "sig=="},
            {"type": "redacted_thinking", "data": "opaque=="},
            {"type": "text", "text": "Let me divide.", "citations": null},
            {"type": "tool_use", "id": "toolu_01", "name": "divide", "input": {"a": 6, "b": 3}}
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 10, "output_tokens": 20,
                  "cache_creation_input_tokens": 100, "cache_read_input_tokens": 1000,
                  "output_tokens_details": {"thinking_tokens": 7},
                  "service_tier": "standard"}
    }));
    assert_eq!(
        response.parts,
        vec![
            ThinkingPart {
                signature: Some("sig==".into()),
                provider_name: Some("anthropic".into()),
                ..ThinkingPart::new("Plan.")
            }
            .into(),
            ThinkingPart {
                id: Some(REDACTED_THINKING_ID.into()),
                signature: Some("opaque==".into()),
                provider_name: Some("anthropic".into()),
                ..ThinkingPart::default()
            }
            .into(),
            TextPart::new("Let me divide.").into(),
            ToolCallPart::new(
                "divide",
                ToolArgs::Object(object(json!({"a": 6, "b": 3}))),
                "toolu_01"
            )
            .into(),
        ]
    );
    assert_eq!(
        (
            response.usage.requests,
            response.usage.request_tokens,
            response.usage.cache_write_tokens,
            response.usage.cache_read_tokens,
            response.usage.response_tokens,
            response.usage.total_tokens
        ),
        (1, 1110, 100, 1000, 20, 1130)
    );
    assert_eq!(
        serde_json::to_value(&response.usage.details).unwrap(),
        json!({"input_tokens": 10, "output_tokens": 20, "cache_creation_input_tokens": 100,
               "cache_read_input_tokens": 1000, "thinking_tokens": 7})
    );
    assert_eq!(
        response.model_name.as_deref(),
        Some("claude-sonnet-4-5-20250929")
    );
    assert_eq!(response.provider_response_id.as_deref(), Some("msg_01"));
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    assert_eq!(
        response.provider_details,
        Some(object(json!({"finish_reason": "tool_use"})))
    );
    assert_eq!(response.state, ResponseState::Complete);
}

#[test]
fn lenient_with_compatible_servers() {
    // llama.cpp-like: no cache counts, a tool call without `input`, no stop details.
    let response = parse(json!({
        "id": "chatcmpl-x", "type": "message", "role": "assistant", "model": "smollm2",
        "content": [{"type": "tool_use", "id": "abc", "name": "now"},
                    {"type": "tool_use", "id": "", "name": "later", "input": null}],
        "stop_reason": "tool_use", "usage": {"input_tokens": 5, "output_tokens": 2}
    }));
    let calls = response.tool_calls();
    assert_eq!(calls[0].args, Some(ToolArgs::Object(Map::new())));
    assert_eq!(calls[0].tool_call_id, "abc");
    assert!(calls[1].tool_call_id.starts_with("pyd_ai_"));
    assert_eq!(
        (
            response.usage.request_tokens,
            response.usage.response_tokens
        ),
        (5, 2)
    );
    // No usage, no model, no id.
    let response = parse(json!({"content": [{"type": "text", "text": "Hi"}]}));
    assert_eq!(response.text(), "Hi");
    assert_eq!(response.model_name.as_deref(), Some(SONNET_45));
    assert_eq!(
        (response.usage.requests, response.usage.total_tokens),
        (1, 0)
    );
    assert_eq!(response.provider_response_id, None);
}

#[test]
fn server_tool_blocks_become_builtin_tool_parts() {
    let response = parse(json!({
        "id": "msg", "type": "message", "model": "m",
        "content": [
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
             "input": {"query": "weather"}},
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
            {"type": "text", "text": "Sunny."}
        ],
        "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}
    }));
    // The call is kept with its result even though the request did not enable web search.
    let kinds: Vec<_> = response.parts.iter().map(|p| p.part_kind()).collect();
    assert_eq!(
        kinds,
        [
            crate::messages::PartKind::BuiltinToolCall,
            crate::messages::PartKind::BuiltinToolReturn,
            crate::messages::PartKind::Text
        ]
    );
}

#[test]
fn malformed_and_error_bodies_are_typed_errors() {
    let err = parse_err("not json");
    assert!(
        matches!(&err, Error::UnexpectedModelBehavior { body: Some(b), .. } if b == "not json"),
        "{err:?}"
    );
    let overloaded =
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let err = parse_err(overloaded);
    assert_eq!(err.status(), Some(529));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("Overloaded"), "{err}");
    let err = parse_err(r#"{"type":"error","error":{"type":"new_error","message":"Hm"}}"#);
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }) && err.to_string().contains("Hm"),
        "{err}"
    );
    for (body, expected) in [
        (r#"{"type":"message","id":"m"}"#, "no `content`"),
        (
            r#"{"content":[{"type":"tool_use","id":"t","input":{}}]}"#,
            "no `name`",
        ),
        (
            r#"{"content":[{"type":"tool_use","id":"t","name":"f","input":3}]}"#,
            "not an object",
        ),
        (r#"{"content":[],"usage":{"input_tokens":-1}}"#, "invalid"),
        (r#"{"content":[{"text":"no type"}]}"#, "invalid"),
    ] {
        let err = parse_err(body);
        assert!(
            matches!(&err, Error::UnexpectedModelBehavior { body: Some(b), .. } if b == body)
                && err.to_string().contains(expected),
            "{body}: {err}"
        );
    }
}

#[test]
fn blocks_left_out_of_a_response_are_warned() {
    let body = json!({
        "content": [
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
             "input": {"query": "weather"}},
            {"type": "text", "text": "Sunny."}
        ],
        "stop_reason": "end_turn"
    })
    .to_string();
    let mut cx = ResponseContext::new(SONNET_45, PROVIDER);
    let response = protocol().parse_response(body.as_bytes(), &mut cx).unwrap();
    assert_eq!(response.parts, vec![TextPart::new("Sunny.").into()]);
    assert_eq!(
        cx.warnings.as_slice(),
        [Warning::dropped_content(
            "server_tool_use",
            "a call of the server tool `web_search`, which the request did not enable, was left \
             out (as pydantic-ai does; enable it with `builtin_tools` to keep such calls)",
        )]
    );
    // A response the message model holds whole: no warning.
    let mut cx = ResponseContext::new(SONNET_45, PROVIDER);
    protocol()
        .parse_response(br#"{"content": [{"type": "text", "text": "Hi"}]}"#, &mut cx)
        .unwrap();
    assert!(cx.warnings.is_empty());
}
