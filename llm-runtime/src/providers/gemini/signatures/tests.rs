use super::*;
use crate::messages::{ModelRequest, TextPart, ThinkingPart, ToolCallPart};
use crate::models::ModelRequestParameters;
use crate::providers::gemini::test_support::{body, body_with, signature};
use crate::settings::ModelSettings;
use serde_json::json;

#[test]
fn the_skip_signature_is_googles_documented_value() {
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(SKIP_SIGNATURE)
        .unwrap();
    assert_eq!(decoded, b"skip_thought_signature_validator");
}

#[test]
fn thought_signatures_go_back_in_their_parts_to_gemini_only() {
    let ours = ModelResponse {
        provider_name: Some("google-gla".into()),
        ..ModelResponse::new(vec![
            ThinkingPart {
                provider_name: Some("google-gla".into()),
                provider_details: signature("sig-think"),
                ..ThinkingPart::new("Let me think.")
            }
            .into(),
            TextPart {
                provider_name: Some("google-gla".into()),
                provider_details: signature("sig-text"),
                ..TextPart::new("Calling the tool.")
            }
            .into(),
            ToolCallPart {
                provider_name: Some("google-gla".into()),
                provider_details: signature("sig-call"),
                ..ToolCallPart::new("divide", "{}", "c1")
            }
            .into(),
        ])
    };
    // pydantic-ai 2.x names the Gemini API `google`; an older history kept the signature
    // on the thinking part, for the part after it.
    let legacy = ModelResponse {
        provider_name: Some("google".into()),
        ..ModelResponse::new(vec![
            ThinkingPart {
                signature: Some("sig-legacy".into()),
                provider_name: Some("google".into()),
                ..ThinkingPart::default()
            }
            .into(),
            TextPart::new("Done.").into(),
        ])
    };
    let other = ModelResponse {
        provider_name: Some("anthropic".into()),
        ..ModelResponse::new(vec![
            ThinkingPart {
                signature: Some("anthropic-sig".into()),
                provider_name: Some("anthropic".into()),
                provider_details: signature("not-ours"),
                ..ThinkingPart::new("Hmm.")
            }
            .into(),
            TextPart::new("Hi.").into(),
            ToolCallPart::new("divide", "{}", "c9").into(),
        ])
    };
    let messages = vec![
        ModelRequest::user_text_prompt("Go").into(),
        ours.into(),
        ModelRequest::user_text_prompt("Again").into(),
        legacy.into(),
        ModelRequest::user_text_prompt("Once more").into(),
        other.into(),
    ];
    let contents = body(&messages, &ModelRequestParameters::default())["contents"].clone();
    assert_eq!(
        contents[1],
        json!({"role": "model", "parts": [
            {"text": "Let me think.", "thought": true, "thoughtSignature": "sig-think"},
            {"text": "Calling the tool.", "thoughtSignature": "sig-text"},
            {"functionCall": {"name": "divide", "args": {}, "id": "c1"}, "thoughtSignature": "sig-call"}
        ]})
    );
    assert_eq!(
        contents[3],
        json!({"role": "model", "parts": [{"text": "Done.", "thoughtSignature": "sig-legacy"}]})
    );
    assert_eq!(
        contents[5],
        json!({"role": "model", "parts": [
            {"text": "Hmm.", "thought": true},
            {"text": "Hi."},
            {"functionCall": {"name": "divide", "args": {}, "id": "c9"}, "thoughtSignature": SKIP_SIGNATURE}
        ]})
    );
    // A signature that is not a string is a user error, not a silent drop.
    let bad = ModelResponse {
        provider_name: Some("google-gla".into()),
        ..ModelResponse::new(vec![TextPart {
            provider_details: Some(
                json!({"thought_signature": 7})
                    .as_object()
                    .cloned()
                    .unwrap(),
            ),
            ..TextPart::new("x")
        }
        .into()])
    };
    let err = body_with(
        "gemini-2.5-flash",
        &[bad.into()],
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err}");
}
