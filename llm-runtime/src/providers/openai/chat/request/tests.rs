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

/// Tools, tool choice, settings, reasoning effort and structured output.
mod options;
/// What is not sent, returned as warnings.
mod warnings;

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
