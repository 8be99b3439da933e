use super::*;
use crate::messages::{
    BinaryContent, FileUrl, ModelRequest, RetryPromptPart, SystemPromptPart, TextPart,
    ThinkingPart, ToolCallPart, ToolReturnPart, UserPromptPart,
};
use crate::models::ModelRequestParameters;
use crate::providers::cohere::test_support::{body, body_warned, divide, square, PROVIDER};
use crate::providers::test_support::prompt;
use crate::settings::{Thinking, ToolChoice};
use crate::tools::ToolDefinition;
use serde_json::json;

fn with_tools(tools: Vec<ToolDefinition>) -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: tools,
        allow_text_output: true,
        ..ModelRequestParameters::default()
    }
}

#[test]
fn text_prompt_body_is_the_documented_minimum() {
    let (body, warnings) = body_warned(
        "command-r7b-12-2024",
        &prompt("Hello"),
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert!(warnings.is_empty());
    assert_eq!(
        body,
        json!({
            "model": "command-r7b-12-2024",
            "messages": [{"role": "user", "content": "Hello"}],
            "stream": false
        })
    );
}

#[test]
fn system_prompts_come_first_then_the_latest_instructions() {
    let first = ModelRequest::new(vec![
        SystemPromptPart::new("You are terse.").into(),
        UserPromptPart::new("Hi").into(),
    ])
    .with_instructions("old instructions");
    let second = ModelRequest::user_text_prompt("And now?").with_instructions("Be brief.");
    let messages = vec![
        first.into(),
        ModelResponse::new(vec![TextPart::new("Hello").into()]).into(),
        second.into(),
    ];
    let body = body(&messages, &ModelRequestParameters::default());
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "You are terse."},
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]},
            {"role": "user", "content": "And now?"}
        ])
    );
}

#[test]
fn history_with_thinking_tool_plan_tool_calls_returns_and_retries() {
    let mut plan = ThinkingPart::new("I will divide.");
    plan.id = Some("tool_plan".to_owned());
    plan.provider_name = Some(PROVIDER.to_owned());
    let retry = RetryPromptPart {
        tool_name: Some("divide".into()),
        tool_call_id: "c2".into(),
        ..RetryPromptPart::new("b must not be 0")
    };
    let messages = vec![
        ModelRequest::user_text_prompt("What is 1/2 and 3/0?").into(),
        ModelResponse::new(vec![
            ThinkingPart::new("Two divisions.").into(),
            plan.into(),
            TextPart::new("Let me compute.").into(),
            ToolCallPart::new("divide", r#"{"a": 1, "b": 2}"#, "c1").into(),
            ToolCallPart::new(
                "divide",
                json!({"a": 3, "b": 0}).as_object().cloned().unwrap(),
                "c2",
            )
            .into(),
        ])
        .into(),
        ModelRequest::new(vec![
            ToolReturnPart::new("divide", 0.5, "c1").into(),
            retry.into(),
            RetryPromptPart::new("Also give the unit.").into(),
        ])
        .into(),
    ];
    let body = body(&messages, &with_tools(vec![divide()]));
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "What is 1/2 and 3/0?"},
            {"role": "assistant",
             "tool_plan": "I will divide.",
             "content": [
                {"type": "thinking", "thinking": "Two divisions."},
                {"type": "text", "text": "Let me compute."}
             ],
             "tool_calls": [
                {"id": "c1", "type": "function",
                 "function": {"name": "divide", "arguments": "{\"a\": 1, \"b\": 2}"}},
                {"id": "c2", "type": "function",
                 "function": {"name": "divide", "arguments": "{\"a\":3,\"b\":0}"}}
             ]},
            {"role": "tool", "tool_call_id": "c1", "content": "0.5"},
            {"role": "tool", "tool_call_id": "c2",
             "content": "b must not be 0\n\nFix the errors and try again."},
            {"role": "user",
             "content": "Validation feedback:\nAlso give the unit.\n\nFix the errors and try again."}
        ])
    );
}

#[test]
fn a_tool_plan_of_another_provider_or_without_tool_calls_goes_back_as_thinking() {
    let mut foreign = ThinkingPart::new("Someone else's plan.");
    foreign.id = Some("tool_plan".to_owned());
    foreign.provider_name = Some("openai".to_owned());
    let mut own = ThinkingPart::new("A plan without calls.");
    own.id = Some("tool_plan".to_owned());
    own.provider_name = Some(PROVIDER.to_owned());
    let messages = vec![
        ModelRequest::user_text_prompt("Hi").into(),
        ModelResponse::new(vec![
            foreign.into(),
            ToolCallPart::new("divide", "{}", "c1").into(),
        ])
        .into(),
        ModelResponse::new(vec![own.into(), TextPart::new("Done.").into()]).into(),
        // Nothing to send: no assistant message at all (Cohere rejects an empty one).
        ModelResponse::new(vec![]).into(),
    ];
    let body = body(&messages, &with_tools(vec![divide()]));
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Hi"},
            {"role": "assistant",
             "content": [{"type": "thinking", "thinking": "Someone else's plan."}],
             "tool_calls": [{"id": "c1", "type": "function",
                             "function": {"name": "divide", "arguments": "{}"}}]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "A plan without calls."},
                {"type": "text", "text": "Done."}
            ]}
        ])
    );
}

#[test]
fn tools_are_sent_with_cohere_tool_choices() {
    let tools = with_tools(vec![divide(), square()]);
    let choice = |choice: ToolChoice| {
        let settings = ModelSettings {
            tool_choice: Some(choice),
            ..ModelSettings::default()
        };
        body_warned("command-a-03-2025", &prompt("x"), &settings, &tools).unwrap()
    };
    let (auto, _) = choice(ToolChoice::Auto);
    assert_eq!(auto.get("tool_choice"), None);
    assert_eq!(
        auto["tools"][0],
        json!({"type": "function", "function": {
            "name": "divide",
            "description": "Divide two numbers.",
            "parameters": divide().parameters_json_schema
        }})
    );
    assert_eq!(choice(ToolChoice::Required).0["tool_choice"], "REQUIRED");
    let (none, _) = choice(ToolChoice::None);
    assert_eq!(none["tool_choice"], "NONE");
    assert_eq!(none["tools"].as_array().map(Vec::len), Some(2));
    // A choice of some tools keeps only those (Cohere names no tool in `tool_choice`).
    let (only, _) = choice(ToolChoice::Tools(vec!["square".into()]));
    assert_eq!(only["tool_choice"], "REQUIRED");
    let names: Vec<&str> = only["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert_eq!(names, ["square"]);
}

#[test]
fn sampling_settings_take_cohere_names_and_others_are_reported() {
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.3),
        top_p: Some(0.9),
        top_k: Some(40),
        seed: Some(7),
        stop_sequences: Some(vec!["END".into()]),
        presence_penalty: Some(0.1),
        frequency_penalty: Some(0.2),
        parallel_tool_calls: Some(false),
        thinking: Some(Thinking::Enabled),
        ..ModelSettings::default()
    };
    let (body, warnings) = body_warned(
        "command-r7b-12-2024",
        &prompt("x"),
        &settings,
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({
            "model": "command-r7b-12-2024",
            "messages": [{"role": "user", "content": "x"}],
            "max_tokens": 100,
            "stop_sequences": ["END"],
            "temperature": 0.3,
            "p": 0.9,
            "k": 40,
            "seed": 7,
            "presence_penalty": 0.1,
            "frequency_penalty": 0.2,
            "stream": false
        })
    );
    let unsent: Vec<_> = warnings
        .as_slice()
        .iter()
        .filter_map(Warning::setting)
        .collect();
    assert_eq!(unsent, ["parallel_tool_calls", "thinking"]);
}

#[test]
fn reasoning_models_take_thinking_on_or_off() {
    let thinking = |setting: Thinking| {
        let settings = ModelSettings {
            thinking: Some(setting),
            ..ModelSettings::default()
        };
        body_warned(
            "command-a-reasoning-08-2025",
            &prompt("x"),
            &settings,
            &ModelRequestParameters::default(),
        )
        .unwrap()
    };
    let (on, warnings) = thinking(Thinking::Enabled);
    assert_eq!(on["thinking"], json!({"type": "enabled"}));
    assert!(warnings.is_empty());
    assert_eq!(
        thinking(Thinking::Disabled).0["thinking"],
        json!({"type": "disabled"})
    );
    let (high, warnings) = thinking(Thinking::High);
    assert_eq!(high["thinking"], json!({"type": "enabled"}));
    assert_eq!(warnings.as_slice()[0].setting(), Some("thinking"));
}

#[test]
fn images_and_text_documents_are_sent_and_other_media_refused() {
    let items = vec![
        UserContentItem::Text("Describe these".into()),
        UserContentItem::ImageUrl(FileUrl::new("https://example.com/cat.png")),
        BinaryContent::new(b"\x89PNG".to_vec(), "image/png").into(),
        BinaryContent::new(b"Paris is in France.".to_vec(), "text/plain").into(),
    ];
    let messages = vec![ModelRequest::new(vec![UserPromptPart::new(items).into()]).into()];
    let body = body(&messages, &ModelRequestParameters::default());
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"type": "text", "text": "Describe these"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw=="}}
        ])
    );
    assert_eq!(
        body["documents"],
        json!([{"data": {"text": "Paris is in France."}}])
    );

    for item in [
        UserContentItem::AudioUrl(FileUrl::new("https://example.com/a.mp3")),
        BinaryContent::new(b"mp4".to_vec(), "video/mp4").into(),
        BinaryContent::new(vec![0xff, 0xfe], "text/plain").into(),
    ] {
        let messages: Vec<ModelMessage> =
            vec![ModelRequest::new(vec![UserPromptPart::new(vec![item]).into()]).into()];
        let err = body_warned(
            "command-a-vision-07-2025",
            &messages,
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{err:?}");
    }
}

#[test]
fn native_structured_output_is_refused() {
    let parameters = ModelRequestParameters {
        output_mode: OutputMode::Native,
        ..ModelRequestParameters::default()
    };
    let err = body_warned(
        "command-a-03-2025",
        &prompt("x"),
        &ModelSettings::default(),
        &parameters,
    )
    .unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
}

#[test]
fn the_stream_flag_follows_the_call() {
    let body = crate::providers::test_support::request_json(
        &super::super::CohereChat::new(),
        PROVIDER,
        "command-a-03-2025",
        &prompt("x"),
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        true,
    )
    .unwrap();
    assert_eq!(body["stream"], true);
}

#[test]
fn strict_tools_are_sent_when_every_tool_is_strict() {
    let strict = |def: ToolDefinition| ToolDefinition {
        strict: Some(true),
        ..def
    };
    let (all, warnings) = body_warned(
        "command-a-03-2025",
        &prompt("x"),
        &ModelSettings::default(),
        &with_tools(vec![strict(divide()), strict(square())]),
    )
    .unwrap();
    assert_eq!(all["strict_tools"], true);
    assert!(warnings.is_empty());
    let (some, warnings) = body_warned(
        "command-a-03-2025",
        &prompt("x"),
        &ModelSettings::default(),
        &with_tools(vec![strict(divide()), square()]),
    )
    .unwrap();
    assert_eq!(some.get("strict_tools"), None);
    assert_eq!(warnings.as_slice()[0].setting(), Some("strict"));
    let none = body(&prompt("x"), &with_tools(vec![divide()]));
    assert_eq!(none.get("strict_tools"), None);
}
