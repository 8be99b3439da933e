//! Bodies written from Anthropic's documented format
//! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
//! not recorded traffic (that is `tests/anthropic_conformance.rs`).

use serde_json::{json, Value};

use super::super::test_kit::*;
use super::super::REDACTED_THINKING_ID;
use crate::messages::{
    ModelMessage, ModelRequest, ModelResponse, RetryContent, RetryPromptPart, SystemPromptPart,
    TextPart, ThinkingPart, ToolArgs, ToolCallPart, ToolReturnOutcome, ToolReturnPart,
    UserPromptPart,
};
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{prompt, request_json_warned};
use crate::providers::Protocol;
use crate::settings::ModelSettings;
use crate::warning::Warning;

#[test]
fn text_prompt_body_is_the_documented_minimum() {
    assert_eq!(
        body(&prompt("Hello"), &ModelRequestParameters::default()),
        json!({"model": SONNET_45, "max_tokens": 4096,
               "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
               "stream": false})
    );
    let streamed = body_with(
        SONNET_45,
        &prompt("Hello"),
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        true,
    )
    .unwrap();
    assert_eq!(streamed["stream"], true);
    assert_eq!(protocol().endpoint(SONNET_45, true), "v1/messages");
}

#[test]
fn system_prompts_and_instructions_go_to_system() {
    let mut first = ModelRequest::new(vec![
        SystemPromptPart::new("Be brief.").into(),
        SystemPromptPart::new("Answer in French.").into(),
        UserPromptPart::new("Hi").into(),
    ]);
    let mut messages: Vec<ModelMessage> = vec![first.clone().into()];
    assert_eq!(
        body(&messages, &ModelRequestParameters::default())["system"],
        json!("Be brief.\n\nAnswer in French.")
    );
    // Instructions (of the latest request that has some) make it a list of text blocks.
    first.instructions = Some("Old.".into());
    messages = vec![
        first.into(),
        ModelResponse::new(vec![TextPart::new("Salut").into()]).into(),
        ModelRequest::user_text_prompt("Again")
            .with_instructions("New.")
            .into(),
    ];
    let value = body(&messages, &ModelRequestParameters::default());
    assert_eq!(
        value["system"],
        json!([{"type": "text", "text": "Be brief.\n\nAnswer in French."},
               {"type": "text", "text": "New."}])
    );
    assert_eq!(
        value["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "Salut"}]},
            {"role": "user", "content": [{"type": "text", "text": "Again"}]}
        ])
    );
    // Instructions alone; empty instructions and no system prompt leave `system` out.
    let alone = [ModelRequest::user_text_prompt("Hi")
        .with_instructions("Be kind.")
        .into()];
    assert_eq!(
        body(&alone, &ModelRequestParameters::default())["system"],
        json!([{"type": "text", "text": "Be kind."}])
    );
    let empty = [ModelRequest::user_text_prompt("Hi")
        .with_instructions("")
        .into()];
    assert!(body(&empty, &ModelRequestParameters::default())
        .get("system")
        .is_none());
}

#[test]
fn history_with_tool_calls_returns_and_retries() {
    let mut failed = ToolReturnPart::new("divide", "division by zero", "t3");
    failed.outcome = ToolReturnOutcome::Failed;
    let mut retry_tool = RetryPromptPart::new("b must not be 0");
    retry_tool.tool_name = Some("divide".into());
    retry_tool.tool_call_id = "t4".into();
    retry_tool.content = RetryContent::Text("b must not be 0".into());
    let messages: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("Divide.").into(),
        ModelResponse::new(vec![
            TextPart::new("Let me.").into(),
            TextPart::new("").into(),
            ToolCallPart::new("divide", r#"{"a": 6, "b": 3}"#, "t1").into(),
            ToolCallPart::new("divide", ToolArgs::Object(object(json!({"a": 1}))), "t2").into(),
            ToolCallPart::new("divide", "{oops", "t3").into(),
            ToolCallPart::new("divide", "", "t4").into(),
        ])
        .into(),
        ModelRequest::new(vec![
            ToolReturnPart::new("divide", 2.0, "t1").into(),
            ToolReturnPart::new("divide", json!({"value": 1}), "t2").into(),
            failed.into(),
            retry_tool.into(),
            ToolReturnPart::new("divide", json!(["a", 1, null]), "t5").into(),
            ToolReturnPart::new("divide", json!([]), "t6").into(),
            RetryPromptPart::new("Answer in words.").into(),
        ])
        .into(),
    ];
    let value = body(&messages, &ModelRequestParameters::default());
    assert_eq!(
        value["messages"][1],
        json!({"role": "assistant", "content": [
            {"type": "text", "text": "Let me."},
            {"type": "tool_use", "id": "t1", "name": "divide", "input": {"a": 6, "b": 3}},
            {"type": "tool_use", "id": "t2", "name": "divide", "input": {"a": 1}},
            {"type": "tool_use", "id": "t3", "name": "divide",
             "input": {"INVALID_JSON": "{oops"}},
            {"type": "tool_use", "id": "t4", "name": "divide", "input": {}}
        ]})
    );
    let retry_text = "b must not be 0\n\nFix the errors and try again.";
    assert_eq!(
        value["messages"][2],
        json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "t1", "is_error": false,
             "content": [{"type": "text", "text": "2.0"}]},
            {"type": "tool_result", "tool_use_id": "t2", "is_error": false,
             "content": [{"type": "text", "text": "{\"value\":1}"}]},
            {"type": "tool_result", "tool_use_id": "t3", "is_error": true,
             "content": [{"type": "text", "text": "division by zero"}]},
            {"type": "tool_result", "tool_use_id": "t4", "is_error": true,
             "content": retry_text},
            {"type": "tool_result", "tool_use_id": "t5", "is_error": false,
             "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "1"},
                         {"type": "text", "text": "null"}]},
            {"type": "tool_result", "tool_use_id": "t6", "is_error": false, "content": ""},
            {"type": "text",
             "text": "Validation feedback:\nAnswer in words.\n\nFix the errors and try again."}
        ]})
    );
}

#[test]
fn thinking_goes_back_signed_to_its_provider_only() {
    let signed = ThinkingPart {
        signature: Some("sig-1".into()),
        provider_name: Some("anthropic".into()),
        ..ThinkingPart::new("Plan.")
    };
    let redacted = ThinkingPart {
        id: Some(REDACTED_THINKING_ID.into()),
        signature: Some("opaque".into()),
        provider_name: Some("anthropic".into()),
        ..ThinkingPart::default()
    };
    let foreign = ThinkingPart {
        signature: Some("other-sig".into()),
        provider_name: Some("openai".into()),
        ..ThinkingPart::new("Their plan.")
    };
    let interrupted = ThinkingPart {
        signature: Some(String::new()),
        provider_name: Some("anthropic".into()),
        ..ThinkingPart::new("Cut.")
    };
    let messages: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("Hi").into(),
        ModelResponse::new(vec![
            signed.into(),
            redacted.into(),
            foreign.into(),
            interrupted.into(),
            ThinkingPart::new("").into(),
            TextPart::new("Hello").into(),
        ])
        .into(),
        // A response whose parts all drop out is no message at all.
        ModelResponse::new(vec![ThinkingPart::new("").into()]).into(),
    ];
    let value = body(&messages, &ModelRequestParameters::default());
    assert_eq!(
        value["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "Plan.", "signature": "sig-1"},
                {"type": "redacted_thinking", "data": "opaque"},
                {"type": "text", "text": "<thinking>\nTheir plan.\n</thinking>"},
                {"type": "text", "text": "<thinking>\nCut.\n</thinking>"},
                {"type": "text", "text": "Hello"}
            ]}
        ])
    );
}

#[test]
fn settings_map_to_their_fields() {
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.5),
        top_p: Some(0.9),
        top_k: Some(40),
        stop_sequences: Some(vec!["END".into()]),
        service_tier: Some("default".into()),
        seed: Some(7),
        presence_penalty: Some(0.1),
        frequency_penalty: Some(0.1),
        timeout: Some(std::time::Duration::from_secs(3)),
        ..Default::default()
    };
    let value = with_settings(&settings, SONNET_45).unwrap();
    assert_eq!(
        value,
        json!({"model": SONNET_45, "max_tokens": 100, "stream": false,
               "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
               "temperature": 0.5, "top_p": 0.9, "top_k": 40, "stop_sequences": ["END"],
               "service_tier": "standard_only"})
    );
    // The newest models reject sampling settings: they are left out.
    let value = with_settings(&settings, "claude-opus-4-7").unwrap();
    assert!(value.get("temperature").is_none() && value.get("top_p").is_none());
    assert!(value.get("top_k").is_none());
    // Service tiers Anthropic does not have are left out.
    for (tier, sent) in [("auto", json!("auto")), ("flex", Value::Null)] {
        let settings = ModelSettings {
            service_tier: Some(tier.into()),
            ..Default::default()
        };
        let value = with_settings(&settings, SONNET_45).unwrap();
        assert_eq!(
            value.get("service_tier").cloned().unwrap_or(Value::Null),
            sent
        );
    }
}

#[test]
fn settings_not_sent_are_warned() {
    let settings = ModelSettings {
        temperature: Some(0.5),
        top_k: Some(40),
        seed: Some(7),
        service_tier: Some("flex".into()),
        ..Default::default()
    };
    let parameters = ModelRequestParameters {
        function_tools: vec![divide().with_strict(true)],
        ..Default::default()
    };
    let warned = |model: &str| {
        request_json_warned(
            &protocol(),
            PROVIDER,
            model,
            &prompt("Hi"),
            &settings,
            &parameters,
            false,
        )
        .unwrap()
        .1
    };
    let seed = Warning::unsupported_setting(
        "seed",
        "Anthropic's Messages API has no `seed`; the setting is not sent (use `extra_body` for \
         a compatible server that takes it)",
    );
    let tier = Warning::unsupported_setting(
        "service_tier",
        "Anthropic's service tiers are `auto` and `standard_only` (`default`); `flex` is not sent",
    );
    // The newest models take no sampling settings: each one set is reported.
    assert_eq!(
        warned("claude-opus-4-7").as_slice(),
        [
            Warning::unsupported_setting(
                "temperature",
                "sampling settings are not supported by `claude-opus-4-7`; `temperature` is not \
                 sent",
            ),
            Warning::unsupported_setting(
                "top_k",
                "sampling settings are not supported by `claude-opus-4-7`; `top_k` is not sent",
            ),
            seed.clone(),
            tier.clone(),
        ]
    );
    // A strict tool on a model without strict tools.
    assert_eq!(
        warned("claude-3-5-haiku-latest").as_slice(),
        [
            Warning::unsupported_setting(
                "strict",
                "`claude-3-5-haiku-latest` does not support strict tool definitions; `strict` is \
                 not sent (tool `divide`)",
            ),
            seed,
            tier,
        ]
    );
    // Nothing left out, nothing reported.
    let (_, warnings) = request_json_warned(
        &protocol(),
        PROVIDER,
        SONNET_45,
        &prompt("Hi"),
        &ModelSettings::default(),
        &parameters,
        false,
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}
