use super::*;
use crate::providers::gemini::test_support::{parse, parse_warned, signature, PROVIDER};
use crate::providers::gemini::Gemini;
use crate::providers::Protocol;
use serde_json::json;

#[test]
fn parses_thoughts_text_function_calls_usage_and_details() {
    let response = parse(json!({
        "candidates": [{
            "content": {"role": "model", "parts": [
                {"text": "Thinking about it.", "thought": true},
                {"text": "Let me divide.", "thoughtSignature": "c2lnLTE="},
                {"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}}},
                {"functionCall": {"name": "divide", "args": {"a": 3, "b": 4}, "id": "call-2"}},
                {"text": ""}
            ]},
            "finishReason": "STOP",
            "index": 0,
            "safetyRatings": []
        }],
        "usageMetadata": {
            "promptTokenCount": 100, "candidatesTokenCount": 20, "thoughtsTokenCount": 30,
            "cachedContentTokenCount": 40, "toolUsePromptTokenCount": 5, "totalTokenCount": 155,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 90}, {"modality": "AUDIO", "tokenCount": 10}],
            "cacheTokensDetails": [{"modality": "AUDIO", "tokenCount": 4}, {"modality": "TEXT"}],
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 20}]
        },
        "modelVersion": "gemini-2.5-flash-001",
        "responseId": "resp-1"
    }));
    assert_eq!(response.parts.len(), 4);
    assert_eq!(
        response.parts[0],
        ThinkingPart::new("Thinking about it.").into()
    );
    assert_eq!(
        response.parts[1],
        TextPart {
            provider_name: Some("google-gla".into()),
            provider_details: signature("c2lnLTE="),
            ..TextPart::new("Let me divide.")
        }
        .into()
    );
    let calls = response.tool_calls();
    assert!(
        calls[0].tool_call_id.starts_with("pyd_ai_"),
        "{:?}",
        calls[0]
    );
    assert_eq!(
        calls[0].args,
        Some(ToolArgs::Object(
            json!({"a": 1, "b": 2}).as_object().cloned().unwrap()
        ))
    );
    assert_eq!(calls[1].tool_call_id, "call-2");
    assert_eq!(response.model_name.as_deref(), Some("gemini-2.5-flash-001"));
    assert_eq!(response.provider_response_id.as_deref(), Some("resp-1"));
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(
        response.provider_details,
        json!({"finish_reason": "STOP"}).as_object().cloned()
    );
    let usage = &response.usage;
    assert_eq!(
        (
            usage.requests,
            usage.request_tokens,
            usage.response_tokens,
            usage.total_tokens
        ),
        (1, 105, 50, 155)
    );
    assert_eq!(
        (
            usage.cache_read_tokens,
            usage.input_audio_tokens,
            usage.cache_audio_read_tokens
        ),
        (40, 10, 4)
    );
    assert_eq!(
        serde_json::to_value(&usage.details).unwrap(),
        json!({"cached_content_tokens": 40, "thoughts_tokens": 30, "tool_use_prompt_tokens": 5,
               "text_prompt_tokens": 90, "audio_prompt_tokens": 10, "audio_cache_tokens": 4,
               "text_candidates_tokens": 20})
    );
}

#[test]
fn safety_stops_and_blocked_prompts_are_content_filtered() {
    let response = parse(json!({
        "candidates": [{"content": {}, "finishReason": "SAFETY", "safetyRatings": [
            {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "LOW", "blocked": true}
        ]}],
        "usageMetadata": {"promptTokenCount": 14, "totalTokenCount": 14}
    }));
    assert!(response.parts.is_empty());
    assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
    assert_eq!(response.model_name.as_deref(), Some("gemini-2.5-flash"));
    assert_eq!(
        Value::Object(response.provider_details.unwrap()),
        json!({"finish_reason": "SAFETY", "safety_ratings": [
            {"blocked": true, "category": "HARM_CATEGORY_HATE_SPEECH", "overwrittenThreshold": null,
             "probability": "LOW", "probabilityScore": null, "severity": null, "severityScore": null}
        ]})
    );

    let blocked = parse(json!({
        "promptFeedback": {"blockReason": "PROHIBITED_CONTENT", "blockReasonMessage": "no",
                           "safetyRatings": [{"category": "X", "probability": "HIGH", "extra": 1}]},
        "usageMetadata": {"promptTokenCount": 3},
        "responseId": "r"
    }));
    assert!(blocked.parts.is_empty());
    assert_eq!(blocked.finish_reason, Some(FinishReason::ContentFilter));
    let details = blocked.provider_details.unwrap();
    assert_eq!(details["block_reason"], "PROHIBITED_CONTENT");
    assert_eq!(details["block_reason_message"], "no");
    assert_eq!(details["safety_ratings"][0]["extra"], 1);

    for (raw, mapped) in [
        ("MAX_TOKENS", Some(FinishReason::Length)),
        ("MALFORMED_FUNCTION_CALL", Some(FinishReason::Error)),
        ("RECITATION", Some(FinishReason::ContentFilter)),
        ("OTHER", None),
        ("SOMETHING_NEW", None),
    ] {
        let response = parse(json!({"candidates": [{"finishReason": raw}]}));
        assert_eq!(response.finish_reason, mapped, "{raw}");
        assert_eq!(response.provider_details.unwrap()["finish_reason"], raw);
    }
}

#[test]
fn unknown_parts_are_errors() {
    let gemini = Gemini::new();
    for bad in [
        json!({"candidates": [{"content": {"parts": [{"somethingNew": {}}]}}]}),
        json!({"candidates": [{"content": {"parts": [{"thoughtSignature": "c2ln"}]}}]}),
        json!({"candidates": [{"content": {"parts": [{"functionCall": {"args": {}}}]}}]}),
        json!({"candidates": [{"content": {"parts": [{"toolCall": {"id": "a", "toolType": "GOOGLE_MAPS"}}]}}]}),
        json!({"candidates": [{"content": {"parts": [{"toolResponse": {"id": "a"}}]}}]}),
        json!({"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": "**"}}]}}]}),
        json!({"candidates": [{"content": {"parts": [{"inlineData": {"data": "AA=="}}]}}]}),
    ] {
        let raw = bad.to_string();
        let err = gemini
            .parse_response(raw.as_bytes(), &mut ResponseContext::new("m", PROVIDER))
            .unwrap_err();
        let Error::UnexpectedModelBehavior { body, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(body.as_deref(), Some(raw.as_str()));
    }
}

#[test]
fn malformed_and_error_bodies_are_typed_errors() {
    let gemini = Gemini::new();
    let err = gemini
        .parse_response(
            b"{\"candidates\": [",
            &mut ResponseContext::new("m", PROVIDER),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { body: Some(ref b), .. } if b == "{\"candidates\": ["),
        "{err:?}"
    );
    let err = gemini
        .parse_response(b"\xff\xfe", &mut ResponseContext::new("m", PROVIDER))
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }),
        "{err:?}"
    );
    let err = gemini
        .parse_response(br#"{"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": [1]}}]}}]}"#, &mut ResponseContext::new("m", PROVIDER))
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }),
        "{err:?}"
    );
    let overloaded = br#"{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}"#;
    let err = gemini
        .parse_response(
            overloaded,
            &mut ResponseContext::new("gemini-2.5-flash", PROVIDER),
        )
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    let err = gemini
        .parse_response(
            br#"{"error": {"message": "odd", "status": "INTERNAL"}}"#,
            &mut ResponseContext::new("m", PROVIDER),
        )
        .unwrap_err();
    assert!(err.to_string().contains("odd (INTERNAL)"), "{err}");
}

#[test]
fn content_left_out_of_a_response_is_a_warning() {
    let (response, warnings) = parse_warned(json!({"candidates": [{
        "content": {"parts": [
            {"text": "1"},
            {"fileData": {"mimeType": "image/png", "fileUri": "gs://b/o.png"}},
            {"inlineData": {"mimeType": "image/png", "data": "AA=="}, "thought": true}
        ]},
        "finishReason": "STOP"
    }]}));
    assert_eq!(response.parts, [TextPart::new("1").into()]);
    assert_eq!(
        warnings.as_slice(),
        [Warning::dropped_content(
            "fileData",
            "a `fileData` part (a file the API stores) has no place in the message model; it is \
             left out of the response"
        )]
    );

    let (_, warnings) = parse_warned(json!({"candidates": [{
        "content": {"parts": [{"text": "fine"}]}, "finishReason": "STOP"
    }]}));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn logprobs_go_into_details_with_google_genai_names() {
    let raw = json!({
        "chosenCandidates": [{"token": "Hi", "tokenId": 7, "logProbability": -0.5}],
        "topCandidates": [{"candidates": [{"token": "Hi", "tokenId": 7, "logProbability": -0.5}]}]
    });
    assert_eq!(
        pythonic_logprobs(raw),
        json!({
            "chosen_candidates": [{"log_probability": -0.5, "token": "Hi", "token_id": 7}],
            "top_candidates": [{"candidates": [{"log_probability": -0.5, "token": "Hi", "token_id": 7}]}],
            "log_probability_sum": null
        })
    );
    assert_eq!(pythonic_logprobs(json!([1])), json!([1]));
}
