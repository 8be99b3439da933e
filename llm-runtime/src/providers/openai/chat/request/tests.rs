//! Unit tests of the request body: settings, messages, content and tools,
//! through the protocol as the driver calls it.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::super::fixtures::*;
use super::super::*;
use crate::error::Error;
use crate::messages::*;
use crate::models::{ModelRequestParameters, OutputMode, OutputObjectDefinition};
use crate::providers::test_support::{prompt, request_json, request_json_warned};
use crate::providers::Protocol;
use crate::settings::*;
use crate::tools::ToolDefinition;
use crate::warning::Warning;

// -------------------------------------------------------------------------- requests

#[test]
fn text_prompt_body_is_the_documented_minimum() {
    assert_eq!(
        body(&prompt("Hello"), &ModelRequestParameters::default()),
        json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello"}],
               "stream": false})
    );
    assert_eq!(
        OpenAiChat::new().endpoint("gpt-4o", true),
        "chat/completions"
    );
}

#[test]
fn system_prompts_and_instructions_take_the_model_role() {
    let request = ModelRequest::new(vec![
        SystemPromptPart::new("Be brief.").into(),
        UserPromptPart::new("Hi").into(),
    ])
    .with_instructions("Answer in French.");
    let messages = vec![ModelMessage::from(request)];
    let params = ModelRequestParameters::default();
    assert_eq!(
        body(&messages, &params)["messages"],
        json!([
            {"role": "system", "content": "Be brief."},
            {"role": "system", "content": "Answer in French."},
            {"role": "user", "content": "Hi"}
        ])
    );
    let settings = ModelSettings::default();
    let developer = OpenAiChat::new()
        .with_system_role(SystemRole::Developer)
        .with_multiple_system_messages(false);
    assert_eq!(
        request_json(&developer, PROVIDER, "o3", &messages, &settings, &params, false).unwrap()
            ["messages"],
        json!([
            {"role": "developer", "content": "Be brief.\n\nAnswer in French."},
            {"role": "user", "content": "Hi"}
        ])
    );
    // o1-mini takes neither `system` nor `developer`.
    let o1 = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "o1-mini",
        &messages,
        &settings,
        &params,
        false,
    );
    assert_eq!(o1.unwrap()["messages"][0]["role"], "user");
}

#[test]
fn multimodal_user_content() {
    let mut image = FileUrl::new("https://example.com/cat.png");
    image.vendor_metadata = Some(Map::from_iter([("detail".to_owned(), json!("low"))]));
    let items = vec![
        UserContentItem::Text("Look:".into()),
        UserContentItem::ImageUrl(image),
        UserContentItem::Binary(BinaryContent::new(vec![0x89, b'P'], "image/png")),
        UserContentItem::Binary(BinaryContent::new(b"RIFF".to_vec(), "audio/wav")),
        UserContentItem::Binary(BinaryContent::new(b"%PDF".to_vec(), "application/pdf")),
        UserContentItem::Binary(BinaryContent::new(b"a,b".to_vec(), "text/csv")),
    ];
    let request = ModelRequest::new(vec![UserPromptPart::new(items).into()]);
    let content = body(&[request.into()], &ModelRequestParameters::default())["messages"][0]
        ["content"]
        .clone();
    let csv_id = BinaryContent::new(b"a,b".to_vec(), "text/csv").identifier();
    assert_eq!(
        content,
        json!([
            {"type": "text", "text": "Look:"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVA="}},
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
            {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERg==",
                                      "filename": "filename.pdf"}},
            {"type": "text", "text": format!(
                "-----BEGIN FILE id=\"{csv_id}\" type=\"text/csv\"-----\na,b\n-----END FILE id=\"{csv_id}\"-----")}
        ])
    );
}

#[test]
fn content_the_api_cannot_take_is_a_user_error() {
    for item in [
        UserContentItem::VideoUrl(FileUrl::new("https://example.com/a.mp4")),
        UserContentItem::AudioUrl(FileUrl::new("https://example.com/a.mp3")),
        UserContentItem::DocumentUrl(FileUrl::new("https://example.com/a.pdf")),
        UserContentItem::Binary(BinaryContent::new(b"x".to_vec(), "audio/flac")),
    ] {
        let request = ModelRequest::new(vec![UserPromptPart::new(vec![item]).into()]);
        let messages = [ModelMessage::from(request)];
        let err = request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "gpt-4o",
            &messages,
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            false,
        )
        .unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{err}");
    }
    // A host that takes file URLs gets the URL.
    let request = ModelRequest::new(vec![UserPromptPart::new(vec![
        UserContentItem::DocumentUrl(FileUrl::new("https://example.com/a.pdf")),
    ])
    .into()]);
    let value = request_json(
        &OpenAiChat::new().with_file_urls(true),
        PROVIDER,
        "m",
        &[request.into()],
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(
        value["messages"][0]["content"][0],
        json!({"type": "file", "file": {"file_data": "https://example.com/a.pdf",
                                        "filename": "filename.pdf"}})
    );
}

#[test]
fn history_with_tool_calls_returns_and_retries() {
    let messages: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("What is 6 / 3?").into(),
        ModelResponse::new(vec![
            TextPart::new("Let me compute.").into(),
            ToolCallPart::new("divide", r#"{"a": 6, "b": 3}"#, "call_1").into(),
            ToolCallPart::new("divide", ToolArgs::Object(Map::new()), "call_2").into(),
        ])
        .into(),
        ModelRequest::new(vec![
            ToolReturnPart::new("divide", 2.0, "call_1").into(),
            RetryPromptPart {
                tool_name: Some("divide".into()),
                tool_call_id: "call_2".into(),
                ..RetryPromptPart::new("b must not be zero")
            }
            .into(),
            RetryPromptPart::new("Answer with a number.").into(),
        ])
        .into(),
        // A response with nothing to send is left out.
        ModelResponse::new(vec![]).into(),
    ];
    assert_eq!(
        body(&messages, &ModelRequestParameters::default())["messages"],
        json!([
            {"role": "user", "content": "What is 6 / 3?"},
            {"role": "assistant", "content": "Let me compute.", "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "divide", "arguments": "{\"a\": 6, \"b\": 3}"}},
                {"id": "call_2", "type": "function",
                 "function": {"name": "divide", "arguments": "{}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "2.0"},
            {"role": "tool", "tool_call_id": "call_2",
             "content": "b must not be zero\n\nFix the errors and try again."},
            {"role": "user",
             "content": "Validation feedback:\nAnswer with a number.\n\nFix the errors and try again."}
        ])
    );
}

#[test]
fn thinking_goes_back_in_its_field_or_in_tags() {
    let thinking = |id: &str, provider: &str| -> ModelResponsePart {
        ThinkingPart {
            id: Some(id.to_owned()),
            provider_name: Some(provider.to_owned()),
            ..ThinkingPart::new("hmm")
        }
        .into()
    };
    let history = |part: ModelResponsePart| -> Vec<ModelMessage> {
        vec![
            ModelRequest::user_text_prompt("q").into(),
            ModelResponse::new(vec![part, ToolCallPart::new("t", "{}", "c1").into()]).into(),
        ]
    };
    let deepseek = named(
        OpenAiChat::new()
            .with_thinking_field("reasoning_content")
            .with_send_back_thinking(SendBackThinking::Field),
        "deepseek",
    );
    let settings = ModelSettings::default();
    let params = ModelRequestParameters::default();
    let assistant = |(protocol, name): (OpenAiChat, &str), messages: &[ModelMessage]| {
        request_json(&protocol, name, "m", messages, &settings, &params, false).unwrap()["messages"]
            [1]
        .clone()
    };
    // Same provider, same field: in the field.
    let same = assistant(
        named(OpenAiChat::new(), "deepseek"),
        &history(thinking("reasoning_content", "deepseek")),
    );
    assert_eq!(same["reasoning_content"], "hmm");
    assert_eq!(same["content"], Value::Null);
    // Another provider's reasoning: in tags.
    let other = assistant(
        named(OpenAiChat::new(), "openai"),
        &history(thinking("reasoning_content", "deepseek")),
    );
    assert_eq!(other["content"], "<think>\nhmm\n</think>");
    assert!(other.get("reasoning_content").is_none());
    // Field mode: always in the field, and backfilled on tool-calling turns without it.
    let messages = vec![
        ModelRequest::user_text_prompt("q").into(),
        ModelResponse::new(vec![thinking("content", "x")]).into(),
        ModelRequest::user_text_prompt("q2").into(),
        ModelResponse::new(vec![ToolCallPart::new("t", "{}", "c1").into()]).into(),
    ];
    let value = request_json(
        &deepseek.0,
        deepseek.1,
        "m",
        &messages,
        &settings,
        &params,
        false,
    )
    .unwrap();
    // The thinking-only response has no content or tool call: it is not sent.
    assert_eq!(value["messages"][2]["role"], "assistant");
    assert_eq!(value["messages"][2]["reasoning_content"], "");
    let omit = assistant(
        named(
            OpenAiChat::new().with_send_back_thinking(SendBackThinking::Omit),
            "openai",
        ),
        &history(thinking("reasoning", "openai")),
    );
    assert_eq!(omit["content"], Value::Null);
    let field_without_name = request_json(
        &OpenAiChat::new().with_send_back_thinking(SendBackThinking::Field),
        PROVIDER,
        "m",
        &history(thinking("reasoning", "openai")),
        &settings,
        &params,
        false,
    );
    assert!(matches!(field_without_name, Err(Error::User { .. })));
}

#[test]
fn tools_are_strict_only_when_compatible() {
    let mut loose = ToolDefinition::new("search").with_parameters(json!({
        "type": "object", "properties": {"q": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["q"]
    }));
    let params = ModelRequestParameters {
        function_tools: vec![divide(), loose.clone()],
        ..Default::default()
    };
    let value = body(&prompt("x"), &params);
    assert_eq!(value["tool_choice"], "auto");
    assert_eq!(
        value["tools"][0],
        json!({"type": "function", "function": {
            "name": "divide", "description": "Divide two numbers.",
            "parameters": {"type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"], "additionalProperties": false},
            "strict": true}})
    );
    assert!(value["tools"][1]["function"].get("strict").is_none());
    // Forced strict makes the schema compatible.
    loose.strict = Some(true);
    let forced = ModelRequestParameters {
        function_tools: vec![loose],
        ..Default::default()
    };
    let value = body(&prompt("x"), &forced);
    assert_eq!(value["tools"][0]["function"]["strict"], true);
    assert_eq!(
        value["tools"][0]["function"]["parameters"]["required"],
        json!(["q", "n"])
    );
    // A host without strict support gets none.
    let value = request_json(
        &OpenAiChat::new().with_strict_tools(false),
        PROVIDER,
        "m",
        &prompt("x"),
        &ModelSettings::default(),
        &forced,
        false,
    )
    .unwrap();
    assert!(value["tools"][0]["function"].get("strict").is_none());
}

#[test]
fn tool_choice_maps_to_the_api() {
    let params = ModelRequestParameters {
        function_tools: vec![divide(), ToolDefinition::new("search")],
        ..Default::default()
    };
    let choice = |protocol: OpenAiChat, tool_choice: ToolChoice| {
        let settings = ModelSettings {
            tool_choice: Some(tool_choice),
            parallel_tool_calls: Some(false),
            ..Default::default()
        };
        request_json(
            &protocol,
            PROVIDER,
            "m",
            &prompt("x"),
            &settings,
            &params,
            false,
        )
    };
    let value = choice(OpenAiChat::new(), ToolChoice::Required).unwrap();
    assert_eq!(
        (&value["tool_choice"], &value["parallel_tool_calls"]),
        (&json!("required"), &json!(false))
    );
    let value = choice(OpenAiChat::new(), ToolChoice::Tools(vec!["divide".into()])).unwrap();
    assert_eq!(
        value["tool_choice"],
        json!({"type": "function", "function": {"name": "divide"}})
    );
    assert_eq!(value["tools"].as_array().unwrap().len(), 2);
    let value = choice(OpenAiChat::new(), ToolChoice::None).unwrap();
    assert_eq!(value["tool_choice"], "none");
    // Restricting to some tools sends only those.
    let value = choice(
        OpenAiChat::new(),
        ToolChoice::ToolOrOutput(vec!["search".into()]),
    )
    .unwrap();
    assert_eq!(value["tool_choice"], "auto");
    assert_eq!(value["tools"].as_array().unwrap().len(), 1);
    assert_eq!(value["tools"][0]["function"]["name"], "search");
    // Hosts that cannot force: explicit forcing is an error.
    let no_forcing = OpenAiChat::new().with_tool_choice_required(false);
    assert!(matches!(
        choice(no_forcing, ToolChoice::Required),
        Err(Error::User { .. })
    ));
    assert!(matches!(
        choice(OpenAiChat::new(), ToolChoice::Tools(vec!["nope".into()])),
        Err(Error::User { .. })
    ));
    // Without text output, the default is `required` (or `auto` where forcing is not taken).
    let output_only = ModelRequestParameters {
        allow_text_output: false,
        ..params.clone()
    };
    let value = body(&prompt("x"), &output_only);
    assert_eq!(value["tool_choice"], "required");
    let value = request_json(
        &OpenAiChat::new().with_tool_choice_required(false),
        PROVIDER,
        "m",
        &prompt("x"),
        &ModelSettings::default(),
        &output_only,
        false,
    )
    .unwrap();
    assert_eq!(value["tool_choice"], "auto");
    // Without tools there is neither tool_choice nor parallel_tool_calls.
    let settings = ModelSettings {
        parallel_tool_calls: Some(true),
        ..Default::default()
    };
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "m",
        &prompt("x"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert!(value.get("tool_choice").is_none() && value.get("parallel_tool_calls").is_none());
}

#[test]
fn settings_map_to_their_fields() {
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.5),
        top_p: Some(0.9),
        top_k: Some(3),
        seed: Some(7),
        presence_penalty: Some(0.1),
        frequency_penalty: Some(0.2),
        logit_bias: Some(BTreeMap::from([("50256".to_owned(), -100)])),
        stop_sequences: Some(vec!["END".into()]),
        service_tier: Some("flex".into()),
        extra_body: Some(json!({"user": "u-1", "temperature": 0.7})),
        ..Default::default()
    };
    let params = ModelRequestParameters::default();
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        &prompt("x"),
        &settings,
        &params,
        true,
    )
    .unwrap();
    assert_eq!(
        value,
        json!({
            "model": "gpt-4o", "messages": [{"role": "user", "content": "x"}],
            "stream": true, "stream_options": {"include_usage": true},
            "stop": ["END"], "max_completion_tokens": 100, "seed": 7,
            "service_tier": "flex", "temperature": 0.7, "top_p": 0.9,
            "presence_penalty": 0.1, "frequency_penalty": 0.2,
            "logit_bias": {"50256": -100}, "user": "u-1"
        })
    );
    let host = OpenAiChat::new()
        .with_max_tokens_field(MaxTokensField::MaxTokens)
        .with_stream_usage(false)
        .with_unsupported_settings(&[Setting::Seed, Setting::ServiceTier]);
    let value = request_json(&host, PROVIDER, "m", &prompt("x"), &settings, &params, true).unwrap();
    assert_eq!(value["max_tokens"], 100);
    for absent in [
        "max_completion_tokens",
        "stream_options",
        "seed",
        "service_tier",
        "top_k",
    ] {
        assert!(value.get(absent).is_none(), "{absent}");
    }
    let bad_extra = ModelSettings {
        extra_body: Some(json!([1])),
        ..Default::default()
    };
    assert!(matches!(
        request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "m",
            &prompt("x"),
            &bad_extra,
            &params,
            false
        ),
        Err(Error::User { .. })
    ));
}

#[test]
fn thinking_becomes_reasoning_effort_on_reasoning_models() {
    let settings = ModelSettings {
        thinking: Some(Thinking::High),
        temperature: Some(0.2),
        ..Default::default()
    };
    let params = ModelRequestParameters::default();
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "o3-mini",
        &prompt("x"),
        &settings,
        &params,
        false,
    )
    .unwrap();
    assert_eq!(value["reasoning_effort"], "high");
    // o-series models reason and reject sampling settings.
    assert!(value.get("temperature").is_none());
    // Models that do not reason get neither change.
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        &prompt("x"),
        &settings,
        &params,
        false,
    )
    .unwrap();
    assert!(value.get("reasoning_effort").is_none());
    assert_eq!(value["temperature"], 0.2);
    // Opt-in reasoning models keep sampling settings with reasoning off.
    let off = ModelSettings {
        thinking: Some(Thinking::Disabled),
        ..settings.clone()
    };
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-5.1",
        &prompt("x"),
        &off,
        &params,
        false,
    )
    .unwrap();
    assert_eq!(
        (&value["reasoning_effort"], &value["temperature"]),
        (&json!("none"), &json!(0.2))
    );
    let minimal = ModelSettings {
        thinking: Some(Thinking::Minimal),
        ..Default::default()
    };
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-5.6",
        &prompt("x"),
        &minimal,
        &params,
        false,
    )
    .unwrap();
    assert_eq!(value["reasoning_effort"], "low");
}

#[test]
fn structured_output_uses_response_format() {
    let params = ModelRequestParameters {
        output_mode: OutputMode::Native,
        output_object: Some(OutputObjectDefinition {
            json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"], "title": "City"}),
            name: Some("city".into()),
            description: Some("A city".into()),
            strict: None,
        }),
        ..Default::default()
    };
    assert_eq!(
        body(&prompt("x"), &params)["response_format"],
        json!({"type": "json_schema", "json_schema": {
            "name": "city", "description": "A city", "strict": true,
            "schema": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"], "additionalProperties": false}}})
    );
    let prompted = ModelRequestParameters {
        output_mode: OutputMode::Prompted,
        ..Default::default()
    };
    assert_eq!(
        body(&prompt("x"), &prompted)["response_format"],
        json!({"type": "json_object"})
    );
    let missing = ModelRequestParameters {
        output_mode: OutputMode::Native,
        ..Default::default()
    };
    assert!(matches!(
        request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "m",
            &prompt("x"),
            &ModelSettings::default(),
            &missing,
            false
        ),
        Err(Error::User { .. })
    ));
}

// -------------------------------------------------------------------------- warnings

#[test]
fn settings_not_sent_are_warnings() {
    // A host that rejects `seed`, a setting the API does not have, thinking on a host without
    // reasoning, and a strict tool on a host without strict schemas.
    let host = OpenAiChat::new()
        .with_unsupported_settings(&[Setting::Seed])
        .with_reasoning(Reasoning::Unsupported)
        .with_strict_tools(false);
    let settings = ModelSettings {
        seed: Some(7),
        top_k: Some(40),
        thinking: Some(Thinking::High),
        temperature: Some(0.5),
        ..ModelSettings::default()
    };
    let params = ModelRequestParameters {
        function_tools: vec![divide().with_strict(true)],
        ..ModelRequestParameters::default()
    };
    let (body, warnings) = request_json_warned(
        &host,
        PROVIDER,
        "llama-3",
        &prompt("Hi"),
        &settings,
        &params,
        false,
    )
    .unwrap();
    assert_eq!(body.get("seed"), None);
    assert_eq!(body.get("top_k"), None);
    assert_eq!(body["temperature"], json!(0.5));
    assert_eq!(body["tools"][0]["function"].get("strict"), None);
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting(
                "seed",
                "this host does not accept the `seed` setting; it is not sent"
            ),
            Warning::unsupported_setting(
                "top_k",
                "the Chat Completions API has no `top_k`; the setting is not sent (use \
                 `extra_body` for hosts that accept it)"
            ),
            Warning::unsupported_setting(
                "thinking",
                "this host takes no reasoning setting; `thinking` is not sent"
            ),
            Warning::unsupported_setting(
                "strict",
                "this host does not support strict tool definitions; `strict` is not sent \
                 (tool `divide`)"
            ),
        ]
    );
    // Nothing to report: no warnings.
    let (_, warnings) = request_json_warned(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn sampling_dropped_by_a_reasoning_model_is_warned() {
    let settings = ModelSettings {
        temperature: Some(0.2),
        top_p: Some(0.9),
        thinking: Some(Thinking::Low),
        ..ModelSettings::default()
    };
    let (body, warnings) = request_json_warned(
        &OpenAiChat::new(),
        PROVIDER,
        "o3",
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(body["reasoning_effort"], json!("low"));
    assert_eq!((body.get("temperature"), body.get("top_p")), (None, None));
    let sentence = "sampling settings [\"temperature\", \"top_p\"] are not supported while `o3` \
                    reasons; they are not sent";
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting("temperature", sentence),
            Warning::unsupported_setting("top_p", sentence),
        ]
    );
    // A model that does not reason: `thinking` is reported, not sent.
    let (body, warnings) = request_json_warned(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings {
            thinking: Some(Thinking::High),
            ..ModelSettings::default()
        },
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(body.get("reasoning_effort"), None);
    assert_eq!(
        warnings.as_slice(),
        [Warning::unsupported_setting(
            "thinking",
            "`gpt-4o` does not reason; `thinking` is not sent"
        )]
    );
}
