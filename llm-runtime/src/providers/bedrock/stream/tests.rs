use serde_json::json;

use super::*;
use crate::models::ModelRequestParameters;

fn apply(events: &[(&str, serde_json::Value)]) -> (PartsManager, Result<Flow>) {
    let mut parts =
        PartsManager::new("m", &ModelRequestParameters::default()).with_provider("bedrock", None);
    let mut state = ConverseStreamState::default();
    let mut last = Ok(Flow::Continue);
    for (name, payload) in events {
        let data = payload.to_string();
        last = parse_event(name, &data)
            .map_err(|e| Error::unexpected(e.to_string()))
            .and_then(|event| on_event(event, name, &data, &mut state, &mut parts));
        if last.is_err() {
            break;
        }
    }
    (parts, last)
}

#[test]
fn text_reasoning_and_tool_calls_accumulate() {
    let (parts, last) = apply(&[
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "th"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "ink"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "sig"}}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 0})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"text": "Hel"}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"text": "lo"}}),
        ),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 2, "start": {"toolUse": {"toolUseId": "t1", "name": "get"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 2, "delta": {"toolUse": {"input": "{\"a\":"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 2, "delta": {"toolUse": {"input": "1}"}}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 2})),
        ("messageStop", json!({"stopReason": "tool_use"})),
        (
            "metadata",
            json!({"usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7}}),
        ),
    ]);
    assert_eq!(last.unwrap(), Flow::Done);
    let parts_json: Vec<serde_json::Value> = parts
        .parts()
        .map(|p| serde_json::to_value(p).unwrap())
        .collect();
    assert_eq!(parts_json[0]["content"], "think");
    assert_eq!(parts_json[0]["signature"], "sig");
    assert_eq!(parts_json[0]["provider_name"], "bedrock");
    assert_eq!(parts_json[1]["content"], "Hello");
    assert_eq!(parts_json[2]["tool_name"], "get");
    assert_eq!(parts_json[2]["args"], "{\"a\":1}");
    assert_eq!(parts_json[2]["tool_call_id"], "t1");
    assert_eq!(
        parts.finish_reason,
        Some(crate::messages::FinishReason::ToolCall)
    );
    assert_eq!(parts.usage.total_tokens, 7);
}

#[test]
fn exception_events_are_typed_http_errors() {
    let (_, last) = apply(&[(
        "throttlingException",
        json!({"message": "Too many requests, please wait before trying again."}),
    )]);
    let err = last.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("Too many requests"), "{err}");
    let (_, last) = apply(&[("validationException", json!({"message": "bad"}))]);
    let err = last.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_retryable());
    let (_, last) = apply(&[("modelStreamErrorException", json!({"message": "x"}))]);
    assert_eq!(last.unwrap_err().status(), Some(424));
    let (_, last) = apply(&[("serviceUnavailableException", json!({}))]);
    assert!(last.unwrap_err().is_retryable());
}

#[test]
fn malformed_payloads_do_not_parse_and_unknown_events_are_warned_about() {
    assert!(parse_event("contentBlockDelta", "{").is_err());
    assert!(parse_event("messageStop", r#"{"stopReason": 5}"#).is_err());
    let (parts, last) = apply(&[("somethingNew", json!({}))]);
    assert_eq!(last.unwrap(), Flow::Continue);
    assert_eq!(parts.warnings.len(), 1);
    assert_eq!(parts.warnings.as_slice()[0].kind(), "skipped-event");
}

#[test]
fn the_code_interpreter_streams_a_builtin_call_and_a_whole_return_at_its_block_end() {
    let (parts, last) = apply(&[
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 0, "start": {"toolUse": {
                "toolUseId": "t1", "name": "nova_code_interpreter", "type": "server_tool_use"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": "{\"snippet\":\"1\"}"}}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 0})),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 1, "start": {"toolResult": {
                "toolUseId": "t1", "status": "success", "type": "nova_code_interpreter_result"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolResult": [{"json": {"stdOut": "1"}}]}}),
        ),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 2, "start": {"toolUse": {
                "toolUseId": "g1", "name": "nova_grounding", "type": "server_tool_use"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 2, "delta": {"toolUse": {"input": "{}"}}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 2})),
        ("contentBlockStop", json!({"contentBlockIndex": 1})),
        ("messageStop", json!({"stopReason": "end_turn"})),
    ]);
    assert!(last.is_ok(), "{last:?}");
    let response = serde_json::to_value(parts.parts().collect::<Vec<_>>()).unwrap();
    assert_eq!(response[0]["part_kind"], "builtin-tool-call");
    assert_eq!(response[0]["tool_name"], "code_execution");
    assert_eq!(response[0]["args"], "{\"snippet\":\"1\"}");
    assert_eq!(response[0]["provider_name"], "bedrock");
    assert_eq!(response[1]["part_kind"], "builtin-tool-return");
    assert_eq!(response[1]["content"], json!({"stdOut": "1"}));
    assert_eq!(response[1]["tool_call_id"], "t1");
    assert_eq!(
        response[1]["provider_details"],
        json!({"status": "success"})
    );
    assert_eq!(response.as_array().map(Vec::len), Some(2), "{response}");
    assert_eq!(parts.warnings.len(), 1);
}

#[test]
fn metadata_without_message_stop_is_a_truncated_stream() {
    let text = (
        "contentBlockDelta",
        json!({"contentBlockIndex": 0, "delta": {"text": "Par"}}),
    );
    let metadata = (
        "metadata",
        json!({"usage": {"inputTokens": 9, "outputTokens": 1, "totalTokens": 10}}),
    );
    let (_, last) = apply(&[text.clone(), metadata.clone()]);
    let Err(Error::UnexpectedModelBehavior { message, .. }) = last else {
        panic!("{last:?}");
    };
    assert!(message.contains("before `messageStop`"), "{message}");
    let stop = ("messageStop", json!({"stopReason": "end_turn"}));
    let (parts, last) = apply(&[text, stop, metadata]);
    assert_eq!(last.unwrap(), Flow::Done);
    assert_eq!(parts.usage.request_tokens, 9);
}
