//! Bodies written from OpenAI's documented format
//! (<https://platform.openai.com/docs/api-reference/responses>) and from what llama.cpp's
//! server sends, not recorded traffic (the recordings are in the conformance suite).

use serde_json::{json, Map};

use super::super::fixtures::{full_response, named, parse, OURS, PROVIDER};
use crate::error::Error;
use crate::messages::{
    FinishReason, ModelResponsePart, ResponseState, TextPart, ThinkingPart, ToolCallPart,
};
use crate::providers::{Protocol, ResponseContext};
use crate::usage::Usage;
use crate::warning::Warning;

#[test]
fn parses_items_usage_and_details() {
    let response = parse(full_response());
    let signed = ThinkingPart {
        id: Some("rs_1".into()),
        signature: Some("enc-1".into()),
        provider_name: Some(OURS.into()),
        ..ThinkingPart::new("First thought.")
    };
    let mut text_details = Map::new();
    text_details.insert(
        "logprobs".into(),
        json!([{"token": "Let", "bytes": [76, 101, 116], "logprob": -0.5, "top_logprobs": []}]),
    );
    text_details.insert("phase".into(), json!("commentary"));
    let expected_parts: Vec<ModelResponsePart> = vec![
        signed.into(),
        ThinkingPart {
            id: Some("rs_1".into()),
            provider_name: Some(OURS.into()),
            ..ThinkingPart::new("Second thought.")
        }
        .into(),
        TextPart {
            id: Some("msg_1".into()),
            provider_name: Some(OURS.into()),
            provider_details: Some(text_details),
            ..TextPart::new("Let me divide.")
        }
        .into(),
        ToolCallPart {
            id: Some("fc_1".into()),
            provider_name: Some(OURS.into()),
            provider_details: Some(Map::from_iter([("namespace".to_owned(), json!("math"))])),
            ..ToolCallPart::new("divide", r#"{"a":1,"b":2}"#, "call_1")
        }
        .into(),
    ];
    // Then the web search, a built-in tool's call and return.
    assert_eq!(response.parts[..4], expected_parts);
    assert_eq!(
        response.parts[4..]
            .iter()
            .map(|p| p.part_kind())
            .collect::<Vec<_>>(),
        [
            crate::messages::PartKind::BuiltinToolCall,
            crate::messages::PartKind::BuiltinToolReturn
        ]
    );
    assert_eq!(response.model_name.as_deref(), Some("gpt-5.5-2026-01-01"));
    assert_eq!(response.provider_response_id.as_deref(), Some("resp_1"));
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(response.state, ResponseState::Complete);
    assert_eq!(
        response.provider_details,
        json!({"finish_reason": "completed", "timestamp": "2025-10-24T16:32:26Z",
               "conversation_id": "conv_1"})
        .as_object()
        .cloned()
    );
    let usage = &response.usage;
    assert_eq!(
        (
            usage.requests,
            usage.request_tokens,
            usage.cache_read_tokens,
            usage.response_tokens
        ),
        (1, 40, 8, 18)
    );
    assert_eq!(usage.total_tokens, 58);
    assert_eq!(usage.details.get("reasoning_tokens"), Some(&12));
}

#[test]
fn incomplete_background_refused_and_lenient_responses() {
    // Cut at the token limit.
    let response = parse(json!({
        "id": "resp_2", "status": "incomplete", "model": "gpt-5",
        "incomplete_details": {"reason": "max_output_tokens"},
        "output": [{"type": "reasoning", "id": "rs_2", "summary": [],
                    "encrypted_content": "enc-2"}],
        "usage": {"input_tokens": 5, "output_tokens": 16}
    }));
    assert_eq!(response.finish_reason, Some(FinishReason::Length));
    assert_eq!(response.state, ResponseState::Complete);
    assert_eq!(
        response.parts,
        vec![ModelResponsePart::from(ThinkingPart {
            id: Some("rs_2".into()),
            signature: Some("enc-2".into()),
            provider_name: Some(OURS.into()),
            ..ThinkingPart::default()
        })]
    );
    // Without output_tokens_details, reasoning tokens count 0 (as pydantic-ai does).
    assert_eq!(response.usage.details.get("reasoning_tokens"), Some(&0));

    // A background job still queued: suspended, without usage.
    let response = parse(json!({
        "id": "resp_3", "status": "queued", "background": true, "model": "gpt-4o",
        "created_at": 1_770_757_617, "output": [], "usage": null
    }));
    assert_eq!(response.state, ResponseState::Suspended);
    assert_eq!(response.finish_reason, None);
    assert_eq!(
        response.provider_details,
        json!({"finish_reason": "queued", "timestamp": "2026-02-10T21:06:57Z",
               "background": true})
        .as_object()
        .cloned()
    );
    assert!(response.usage.details.is_empty());

    // A refusal: content filtered.
    let response = parse(json!({
        "id": "resp_4", "status": "completed", "model": "gpt-4o",
        "output": [{"type": "message", "id": "msg_4", "role": "assistant",
                    "content": [{"type": "refusal", "refusal": "I can't help with that."}]}]
    }));
    assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
    assert!(response.parts.is_empty());
    assert_eq!(
        response.provider_details,
        json!({"refusal": "I can't help with that."})
            .as_object()
            .cloned()
    );

    // What llama.cpp's server sends: no created_at in some events, no output details,
    // `logprobs: []`; a gateway's `text: null`.
    let response = parse(json!({
        "completed_at": 1_795_581_151, "id": "resp_5", "model": "SmolLM2-135M-Instruct",
        "object": "response", "status": "completed",
        "output": [{"content": [{"type": "output_text", "annotations": [], "logprobs": [],
                                 "text": "The capital of France is Paris."},
                                {"type": "output_text", "text": null}],
                    "id": "msg_5", "role": "assistant", "status": "completed",
                    "type": "message"}],
        "usage": {"input_tokens": 24, "output_tokens": 8, "total_tokens": 32,
                  "input_tokens_details": {"cached_tokens": 0}}
    }));
    assert_eq!(response.text(), "The capital of France is Paris.");
    assert_eq!(response.parts.len(), 2);
    assert_eq!(
        response.model_name.as_deref(),
        Some("SmolLM2-135M-Instruct")
    );
    assert_eq!(
        response.provider_details,
        json!({"finish_reason": "completed"}).as_object().cloned()
    );
    // A bare minimum: the requested model names the response.
    let response = named()
        .parse_response(
            br#"{"output": []}"#,
            &mut ResponseContext::new("local-model", PROVIDER),
        )
        .unwrap();
    assert_eq!(response.model_name.as_deref(), Some("local-model"));
    assert_eq!(response.usage, Usage::new(0, 0));
}

#[test]
fn malformed_and_failed_bodies_are_typed_errors() {
    let protocol = named();
    let unexpected = |body: &[u8]| match protocol
        .parse_response(body, &mut ResponseContext::new("gpt-5", PROVIDER))
    {
        Err(Error::UnexpectedModelBehavior { message, body }) => (message, body),
        other => panic!("{other:?}"),
    };
    let (message, body) = unexpected(b"{\"output\": [");
    assert!(
        message.contains("invalid Responses API response"),
        "{message}"
    );
    assert_eq!(body.as_deref(), Some("{\"output\": ["));
    let (message, _) = unexpected(&[b'{', 0xFF, b'}']);
    assert!(message.contains("invalid"), "{message}");
    // A failure with a code is the status the code stands for: a server error may be retried.
    let failed = br#"{"status": "failed", "error": {"code": "server_error", "message": "The model crashed."}}"#;
    let error = protocol
        .parse_response(failed, &mut ResponseContext::new("gpt-5", PROVIDER))
        .unwrap_err();
    assert!(
        matches!(&error, Error::Http { status: 500, model_name, body, .. }
            if model_name == "gpt-5" && body.contains("The model crashed.")),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let refused = br#"{"status": "failed", "error": {"code": "invalid_prompt", "message": "No."}}"#;
    let error = protocol
        .parse_response(refused, &mut ResponseContext::new("gpt-5", PROVIDER))
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert!(!error.is_retryable());
    // A code we do not know keeps the message, and is not retried.
    let (message, _) = unexpected(
        br#"{"status": "failed", "error": {"code": "mystery", "message": "The model crashed."}}"#,
    );
    assert_eq!(message, "the response failed: mystery: The model crashed.");
    let (message, _) = unexpected(br#"{"output": [{"type": "function_call", "call_id": "c"}]}"#);
    assert!(message.contains("has no name"), "{message}");
    let (message, body) = unexpected(br#"{"created_at": 1e300, "output": []}"#);
    assert!(message.contains("not a valid time"), "{message}");
    assert!(body.is_some());
    let (message, _) = unexpected(br#"{"output": [{"id": "x"}]}"#);
    assert!(message.contains("missing field `type`"), "{message}");
}

#[test]
fn items_and_content_left_out_of_a_response_are_warned() {
    let body = json!({
        "id": "resp_1", "status": "completed", "model": "gpt-5",
        "output": [
            {"type": "computer_call", "id": "cu_1", "status": "completed"},
            {"type": "message", "id": "msg_1", "role": "assistant",
             "content": [{"type": "output_text", "text": "Sunny."},
                         {"type": "output_audio", "data": "AAAA"}]}
        ]
    });
    let mut cx = ResponseContext::new("gpt-5", PROVIDER);
    let response = named()
        .parse_response(body.to_string().as_bytes(), &mut cx)
        .unwrap();
    assert_eq!(response.text(), "Sunny.");
    assert_eq!(
        cx.warnings.as_slice(),
        [
            Warning::dropped_content(
                "computer_call",
                "an output item of type `computer_call` was left out (the message model has no \
                 part for it)"
            ),
            Warning::dropped_content(
                "output_audio",
                "a message content part of type `output_audio` was left out"
            ),
        ]
    );
}
