//! Bodies written from OpenAI's documented format
//! (<https://platform.openai.com/docs/api-reference/responses>) and from what llama.cpp's
//! server sends, not recorded traffic (the recordings are in the conformance suite).

use serde_json::{json, Map, Value};

use super::super::fixtures::{named, OURS, PROVIDER};
use super::super::{OpenAiResponses, ReasoningSummary};
use crate::error::{Error, Result};
use crate::messages::{
    BinaryContent, FileUrl, ForceDownload, ModelMessage, ModelRequest, ModelResponse,
    ModelResponsePart, RetryPromptPart, SystemPromptPart, TextPart, ThinkingPart, ToolArgs,
    ToolCallPart, ToolReturnPart, UserContentItem, UserPromptPart,
};
use crate::models::{ModelRequestParameters, OutputMode, OutputObjectDefinition};
use crate::providers::test_support::{prompt, request_json, request_json_warned};
use crate::providers::{PreparedRequest, Protocol};
use crate::settings::{ModelSettings, Thinking, ToolChoice};
use crate::tools::ToolDefinition;
use crate::warning::{Warning, Warnings};

/// Tools and tool choice, settings, reasoning and structured output.
mod options;
/// What is not sent or left out of the history, returned as warnings.
mod warnings;

fn divide() -> ToolDefinition {
    ToolDefinition::new("divide")
        .with_description("Divide two numbers.")
        .with_parameters(json!({
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"]
        }))
}

fn body_with(
    protocol: &OpenAiResponses,
    model: &str,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
) -> Result<Value> {
    request_json(
        protocol, PROVIDER, model, messages, settings, parameters, false,
    )
}

fn body(model: &str, messages: &[ModelMessage]) -> Value {
    body_with(
        &named(),
        model,
        messages,
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
    )
    .unwrap()
}

/// The `input` items of a body.
fn items(body: &Value) -> &[Value] {
    body["input"].as_array().map_or(&[], Vec::as_slice)
}

fn with_settings(model: &str, settings: ModelSettings) -> Value {
    body_with(
        &named(),
        model,
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
    )
    .unwrap()
}

#[test]
fn text_prompt_body_is_the_documented_minimum() {
    assert_eq!(
        body("gpt-4o", &prompt("What is the capital of France?")),
        json!({"model": "gpt-4o", "stream": false,
               "input": [{"role": "user", "content": "What is the capital of France?"}]})
    );
    let profile = named().profile("gpt-4o");
    let request = PreparedRequest {
        model_name: "gpt-4o",
        provider_name: PROVIDER,
        messages: &prompt("Hi"),
        settings: &ModelSettings::default(),
        parameters: &ModelRequestParameters::default(),
        profile: &profile,
    };
    let streamed: Value = serde_json::from_slice(
        &named()
            .request_body(&request, true, &mut Warnings::new())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(streamed["stream"], true);
    assert_eq!(named().endpoint("gpt-4o", true), "responses");
    assert_eq!(
        OpenAiResponses::new()
            .with_endpoint("openai/v1/responses")
            .endpoint("m", false),
        "openai/v1/responses"
    );
}

#[test]
fn instructions_and_system_prompts() {
    let messages: Vec<ModelMessage> = vec![
        ModelRequest::new(vec![
            SystemPromptPart::new("Be brief.").into(),
            UserPromptPart::new("Hi").into(),
        ])
        .with_instructions("Old instructions.")
        .into(),
        ModelResponse::new(vec![TextPart::new("Hello!").into()]).into(),
        ModelRequest::user_text_prompt("Bye")
            .with_instructions("Answer in French.")
            .into(),
    ];
    let value = body("gpt-4o", &messages);
    assert_eq!(value["instructions"], "Answer in French.");
    assert_eq!(
        value["input"],
        json!([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Bye"}
        ])
    );
    // o1-mini takes neither `system` nor `developer`.
    let value = body("o1-mini", &messages);
    assert_eq!(value["input"][0]["role"], "user");
    // Instructions alone: the API wants some input.
    let only = vec![ModelRequest::new(vec![])
        .with_instructions("Say hi.")
        .into()];
    let value = body("gpt-4o", &only);
    assert_eq!(value["input"], json!([{"role": "user", "content": ""}]));
    assert_eq!(value["instructions"], "Say hi.");
}

#[test]
fn multimodal_user_content() {
    let mut image = FileUrl::new("https://example.com/cat.png");
    image.vendor_metadata = Some(Map::from_iter([("detail".to_owned(), json!("low"))]));
    let items = vec![
        UserContentItem::Text("Look:".into()),
        UserContentItem::ImageUrl(image),
        UserContentItem::ImageUrl(FileUrl::new("https://example.com/dog.jpg")),
        UserContentItem::Binary(BinaryContent::new(vec![0x89, b'P'], "image/png")),
        UserContentItem::Binary(BinaryContent::new(b"%PDF".to_vec(), "application/pdf")),
        UserContentItem::Binary(BinaryContent::new(b"a,b".to_vec(), "text/csv")),
        UserContentItem::DocumentUrl(FileUrl::new("https://example.com/report.pdf")),
        UserContentItem::CachePoint(Default::default()),
    ];
    let request = ModelRequest::new(vec![UserPromptPart::new(items).into()]);
    let value = body("gpt-4o", &[request.into()]);
    assert_eq!(
        value["input"][0]["content"],
        json!([
            {"type": "input_text", "text": "Look:"},
            {"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "low"},
            {"type": "input_image", "image_url": "https://example.com/dog.jpg", "detail": "auto"},
            {"type": "input_image", "image_url": "data:image/png;base64,iVA=", "detail": "auto"},
            {"type": "input_file", "file_data": "data:application/pdf;base64,JVBERg==",
             "filename": "filename.pdf"},
            {"type": "input_file", "file_data": "data:text/csv;base64,YSxi",
             "filename": "filename.csv"},
            {"type": "input_file", "file_url": "https://example.com/report.pdf"}
        ])
    );
}

#[test]
fn content_the_api_cannot_take_is_a_user_error() {
    let mut downloaded = FileUrl::new("https://example.com/a.png");
    downloaded.force_download = ForceDownload::Yes;
    for item in [
        UserContentItem::VideoUrl(FileUrl::new("https://example.com/a.mp4")),
        UserContentItem::ImageUrl(downloaded),
        UserContentItem::Binary(BinaryContent::new(b"RIFF".to_vec(), "audio/wav")),
        UserContentItem::Binary(BinaryContent::new(b"x".to_vec(), "video/mp4")),
        UserContentItem::Binary(BinaryContent::new(b"{}".to_vec(), "application/json")),
    ] {
        let request = ModelRequest::new(vec![UserPromptPart::new(vec![item.clone()]).into()]);
        let err = body_with(
            &named(),
            "gpt-4o",
            &[request.into()],
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{item:?}: {err}");
    }
}

#[test]
fn history_with_tool_calls_returns_and_retries() {
    let messages: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("What is 6 / 3?").into(),
        ModelResponse::new(vec![
            TextPart::new("Let me compute.").into(),
            ToolCallPart::new("divide", r#"{"a": 6, "b": 3}"#, "call_1").into(),
            ToolCallPart::new("divide", ToolArgs::Object(Map::new()), "call_2").into(),
            // pydantic-ai's older combined form: `call_id|item_id`.
            ToolCallPart::new("divide", "{}", "call_3|fc_3").into(),
            ToolCallPart::new("divide", "{}", "").into(),
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
            ToolReturnPart::new("divide", "ok", "call_3|fc_3").into(),
            RetryPromptPart::new("Answer with a number.").into(),
        ])
        .into(),
    ];
    let value = body("gpt-4o", &messages);
    let input = value["input"].as_array().unwrap();
    assert_eq!(
        input[..5],
        [
            json!({"role": "user", "content": "What is 6 / 3?"}),
            json!({"role": "assistant", "content": "Let me compute."}),
            json!({"type": "function_call", "name": "divide",
                   "arguments": "{\"a\": 6, \"b\": 3}", "call_id": "call_1"}),
            json!({"type": "function_call", "name": "divide", "arguments": "{}",
                   "call_id": "call_2"}),
            // gpt-4o does not reason: no item ids go back.
            json!({"type": "function_call", "name": "divide", "arguments": "{}",
                   "call_id": "call_3"}),
        ]
    );
    // A call without an id gets one.
    assert!(input[5]["call_id"]
        .as_str()
        .is_some_and(|id| id.starts_with("pyd_ai_")));
    assert_eq!(
        input[6..],
        [
            json!({"type": "function_call_output", "call_id": "call_1", "output": "2.0"}),
            json!({"type": "function_call_output", "call_id": "call_2",
                   "output": "b must not be zero\n\nFix the errors and try again."}),
            json!({"type": "function_call_output", "call_id": "call_3", "output": "ok"}),
            json!({"role": "user", "content": [{"type": "input_text",
                   "text": "Validation feedback:\nAnswer with a number.\n\nFix the errors and try again."}]}),
        ]
    );
}

/// A response of this provider to a reasoning model, as it is parsed.
fn reasoning_response(provider: &str) -> ModelResponse {
    let own = |id: &str| (Some(id.to_owned()), Some(provider.to_owned()));
    let (rs, name) = own("rs_1");
    let mut raw = Map::new();
    raw.insert("raw_content".into(), json!(["step 1", "step 2"]));
    let (msg, _) = own("msg_1");
    let (fc, _) = own("fc_1");
    ModelResponse {
        provider_name: Some(provider.to_owned()),
        ..ModelResponse::new(vec![
            ThinkingPart {
                id: rs.clone(),
                signature: Some("enc-1".into()),
                provider_name: name.clone(),
                provider_details: Some(raw),
                ..ThinkingPart::new("First thought.")
            }
            .into(),
            ThinkingPart {
                id: rs,
                provider_name: name.clone(),
                ..ThinkingPart::new("Second thought.")
            }
            .into(),
            TextPart {
                id: msg.clone(),
                provider_name: name.clone(),
                provider_details: Some(Map::from_iter([("phase".to_owned(), json!("commentary"))])),
                ..TextPart::new("Let me divide.")
            }
            .into(),
            TextPart {
                id: msg,
                provider_name: name.clone(),
                ..TextPart::new(" Now.")
            }
            .into(),
            ToolCallPart {
                id: fc,
                provider_name: name,
                provider_details: Some(Map::from_iter([("namespace".to_owned(), json!("math"))])),
                ..ToolCallPart::new("divide", r#"{"a":1,"b":2}"#, "call_1")
            }
            .into(),
        ])
    }
}

#[test]
fn items_and_reasoning_go_back_to_their_own_provider() {
    let messages: Vec<ModelMessage> =
        vec![prompt("Divide.").remove(0), reasoning_response(OURS).into()];
    let value = body("gpt-5.5", &messages);
    assert_eq!(
        items(&value)[1..],
        [
            json!({"type": "reasoning", "id": "rs_1", "encrypted_content": "enc-1",
                   "summary": [{"type": "summary_text", "text": "First thought."},
                               {"type": "summary_text", "text": "Second thought."}],
                   "content": [{"type": "reasoning_text", "text": "step 1"},
                               {"type": "reasoning_text", "text": "step 2"}]}),
            json!({"type": "message", "role": "assistant", "id": "msg_1",
                   "status": "completed", "phase": "commentary",
                   "content": [{"type": "output_text", "text": "Let me divide.", "annotations": []},
                               {"type": "output_text", "text": " Now.", "annotations": []}]}),
            json!({"type": "function_call", "name": "divide", "arguments": "{\"a\":1,\"b\":2}",
                   "call_id": "call_1", "id": "fc_1", "namespace": "math"}),
        ]
    );
    // gpt-5 has no `phase`.
    let value = body("gpt-5", &messages);
    assert_eq!(value["input"][2].get("phase"), None);

    // Another provider's parts: text, tool calls without ids, reasoning as tagged text.
    let messages: Vec<ModelMessage> = vec![
        prompt("Divide.").remove(0),
        reasoning_response("anthropic").into(),
    ];
    let value = body("gpt-5.5", &messages);
    assert_eq!(
        items(&value)[1..],
        [
            json!({"role": "assistant", "content": "<think>\nFirst thought.\n</think>"}),
            json!({"role": "assistant", "content": "<think>\nSecond thought.\n</think>"}),
            json!({"role": "assistant", "content": "Let me divide."}),
            json!({"role": "assistant", "content": " Now."}),
            json!({"type": "function_call", "name": "divide", "arguments": "{\"a\":1,\"b\":2}",
                   "call_id": "call_1"}),
        ]
    );

    // Our own parts to a model that does not reason: no ids, no encrypted reasoning, but the
    // part with raw reasoning (which needs its item id) goes back as an item, as in
    // pydantic-ai; the other is text.
    let messages: Vec<ModelMessage> =
        vec![prompt("Divide.").remove(0), reasoning_response(OURS).into()];
    let value = body("gpt-4o", &messages);
    assert_eq!(
        items(&value)[1..3],
        [
            json!({"type": "reasoning", "id": "rs_1", "encrypted_content": null,
                   "summary": [{"type": "summary_text", "text": "First thought."}],
                   "content": [{"type": "reasoning_text", "text": "step 1"},
                               {"type": "reasoning_text", "text": "step 2"}]}),
            json!({"role": "assistant", "content": "<think>\nSecond thought.\n</think>"}),
        ]
    );
    assert_eq!(
        value["input"][3],
        json!({"role": "assistant", "content": "Let me divide."})
    );
    assert_eq!(value["input"][5].get("id"), None);
}

#[test]
fn parts_without_a_provider_take_the_response_s() {
    let part = |text: &str| -> ModelResponsePart {
        TextPart {
            id: Some("msg_9".into()),
            ..TextPart::new(text)
        }
        .into()
    };
    let ours = ModelResponse {
        provider_name: Some(OURS.into()),
        ..ModelResponse::new(vec![part("a")])
    };
    let value = body("o3", &[prompt("x").remove(0), ours.into()]);
    assert_eq!(value["input"][1]["id"], "msg_9");
    // A thinking part with only a signature from elsewhere says nothing: it is left out.
    let foreign = ModelResponse::new(vec![ThinkingPart {
        signature: Some("sig".into()),
        ..ThinkingPart::default()
    }
    .into()]);
    let value = body("o3", &[prompt("x").remove(0), foreign.into()]);
    assert_eq!(value["input"].as_array().map(Vec::len), Some(1));
}
