use super::*;
use crate::messages::{
    ModelRequest, RetryPromptPart, SystemPromptPart, TextPart, ToolCallPart, ToolReturnOutcome,
    ToolReturnPart, UserPromptPart,
};
use crate::models::ModelRequestParameters;
use crate::providers::gemini::test_support::{body, body_warned, body_with, divide, with_tools};
use crate::providers::test_support::prompt;
use crate::settings::Thinking;
use serde_json::json;

#[test]
fn text_prompt_body_is_the_documented_minimum() {
    assert_eq!(
        body(&prompt("Hello"), &ModelRequestParameters::default()),
        json!({
            "contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
            "generationConfig": {"responseModalities": ["TEXT"]}
        })
    );
}

#[test]
fn system_prompts_and_instructions_go_to_the_system_instruction() {
    let first = ModelRequest::new(vec![
        SystemPromptPart::new("You are terse.").into(),
        UserPromptPart::new("Hi").into(),
    ])
    .with_instructions("old instructions");
    let second = ModelRequest::new(vec![
        SystemPromptPart::new("Answer in French.").into(),
        UserPromptPart::new("And now?").into(),
    ])
    .with_instructions("Be brief.");
    let messages = vec![
        first.into(),
        ModelResponse::new(vec![TextPart::new("Hello").into()]).into(),
        second.into(),
    ];
    let body = body(&messages, &ModelRequestParameters::default());
    assert_eq!(
        body["systemInstruction"],
        json!({"role": "user", "parts": [
            {"text": "You are terse."}, {"text": "Answer in French."}, {"text": "Be brief."}
        ]})
    );
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [{"text": "Hi"}]},
            {"role": "model", "parts": [{"text": "Hello"}]},
            {"role": "user", "parts": [{"text": "And now?"}]}
        ])
    );
}

#[test]
fn history_with_tool_calls_returns_and_retries() {
    let mut failed = ToolReturnPart::new("divide", "division by zero", "c2");
    failed.outcome = ToolReturnOutcome::Failed;
    let retry = RetryPromptPart {
        tool_name: Some("divide".into()),
        tool_call_id: "c3".into(),
        ..RetryPromptPart::new("b must not be 0")
    };
    let messages = vec![
        ModelRequest::user_text_prompt("What is 1/2, 3/0 and 5/0?").into(),
        ModelResponse::new(vec![
            ToolCallPart::new("divide", r#"{"a": 1, "b": 2}"#, "c1").into(),
            ToolCallPart::new(
                "divide",
                json!({"a": 3, "b": 0}).as_object().cloned().unwrap(),
                "c2",
            )
            .into(),
            ToolCallPart {
                args: None,
                ..ToolCallPart::new("divide", "", "c3")
            }
            .into(),
        ])
        .into(),
        ModelRequest::new(vec![
            ToolReturnPart::new("divide", 0.5, "c1").into(),
            failed.into(),
            retry.into(),
            UserPromptPart::new("Thanks").into(),
            RetryPromptPart::new("Also give the unit.").into(),
        ])
        .into(),
    ];
    let body = body(&messages, &with_tools(vec![divide()]));
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [{"text": "What is 1/2, 3/0 and 5/0?"}]},
            {"role": "model", "parts": [
                {"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}, "id": "c1"},
                 "thoughtSignature": SKIP_SIGNATURE},
                {"functionCall": {"name": "divide", "args": {"a": 3, "b": 0}, "id": "c2"}},
                {"functionCall": {"name": "divide", "args": {}, "id": "c3"}}
            ]},
            {"role": "user", "parts": [
                {"functionResponse": {"name": "divide", "response": {"return_value": 0.5}, "id": "c1"}},
                {"functionResponse": {"name": "divide", "response": {"error": "division by zero"}, "id": "c2"}},
                {"functionResponse": {"name": "divide",
                 "response": {"error": "b must not be 0\n\nFix the errors and try again."}, "id": "c3"}}
            ]},
            {"role": "user", "parts": [
                {"text": "Thanks"},
                {"text": "Validation feedback:\nAlso give the unit.\n\nFix the errors and try again."}
            ]}
        ])
    );
}

#[test]
fn a_history_starting_with_the_model_gets_an_empty_user_turn() {
    let messages = vec![
        ModelResponse::new(vec![TextPart::new("Welcome!").into()]).into(),
        ModelResponse::new(Vec::new()).into(),
    ];
    assert_eq!(
        body(&messages, &ModelRequestParameters::default())["contents"],
        json!([
            {"role": "user", "parts": [{"text": ""}]},
            {"role": "model", "parts": [{"text": "Welcome!"}]}
        ])
    );
}

#[test]
fn settings_map_to_the_generation_config() {
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.5),
        top_p: Some(0.9),
        top_k: Some(40),
        seed: Some(7),
        presence_penalty: Some(0.1),
        frequency_penalty: Some(0.2),
        stop_sequences: Some(vec!["END".into()]),
        service_tier: Some("flex".into()),
        // Not in the API: warned about, not sent.
        logit_bias: Some([("1".to_owned(), 5)].into()),
        parallel_tool_calls: Some(false),
        ..ModelSettings::default()
    };
    let body = body_with(
        "gemini-2.0-flash",
        &prompt("x"),
        &settings,
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(
        body["generationConfig"],
        json!({"maxOutputTokens": 100, "temperature": 0.5, "topP": 0.9, "topK": 40,
               "seed": 7, "presencePenalty": 0.1, "frequencyPenalty": 0.2,
               "stopSequences": ["END"], "responseModalities": ["TEXT"]})
    );
    assert_eq!(body["serviceTier"], "flex");
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    for (tier, sent) in [
        ("default", json!("standard")),
        ("priority", json!("priority")),
        ("auto", Value::Null),
        ("turbo", Value::Null),
    ] {
        let settings = ModelSettings {
            service_tier: Some(tier.into()),
            ..ModelSettings::default()
        };
        let body = body_with(
            "gemini-2.0-flash",
            &prompt("x"),
            &settings,
            &ModelRequestParameters::default(),
        )
        .unwrap();
        assert_eq!(
            body.get("serviceTier").cloned().unwrap_or(Value::Null),
            sent,
            "{tier}"
        );
    }
}

#[test]
fn settings_not_sent_are_warnings() {
    let settings = ModelSettings {
        service_tier: Some("turbo".into()),
        logit_bias: Some([("1".to_owned(), 5)].into()),
        parallel_tool_calls: Some(true),
        thinking: Some(Thinking::High),
        ..ModelSettings::default()
    };
    let (body, warnings) = body_warned("gemini-2.0-flash", &prompt("x"), &settings).unwrap();
    assert_eq!(
        body["generationConfig"],
        json!({"responseModalities": ["TEXT"]})
    );
    assert_eq!(body.get("serviceTier"), None);
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting(
                "logit_bias",
                "the Gemini API has no `logit_bias`; the setting is not sent"
            ),
            Warning::unsupported_setting(
                "parallel_tool_calls",
                "the Gemini API cannot turn parallel function calls on or off; \
                 `parallel_tool_calls` is not sent"
            ),
            Warning::unsupported_setting(
                "thinking",
                "`gemini-2.0-flash` does not reason; `thinking` is not sent"
            ),
            Warning::unsupported_setting(
                "service_tier",
                "the Gemini API has no `turbo` service tier (it has standard, flex and \
                 priority); `service_tier` is not sent"
            ),
        ]
    );

    let always = ModelSettings {
        thinking: Some(Thinking::Disabled),
        ..ModelSettings::default()
    };
    let (body, warnings) = body_warned("gemini-2.5-pro", &prompt("x"), &always).unwrap();
    assert_eq!(body["generationConfig"].get("thinkingConfig"), None);
    assert_eq!(
        warnings.as_slice(),
        [Warning::unsupported_setting(
            "thinking",
            "`gemini-2.5-pro` always reasons; `thinking: Disabled` is not sent"
        )]
    );

    // What the API takes is no warning.
    let (_, warnings) = body_warned(
        "gemini-2.5-flash",
        &prompt("x"),
        &ModelSettings {
            service_tier: Some("auto".into()),
            thinking: Some(Thinking::Low),
            ..ModelSettings::default()
        },
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}
