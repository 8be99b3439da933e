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

#[test]
fn tools_are_strict_when_compatible_and_tool_choice_maps() {
    let loose = ToolDefinition::new("search").with_parameters(json!({
        "type": "object",
        "properties": {"q": {"type": "string", "minLength": 1}}
    }));
    let parameters = ModelRequestParameters {
        function_tools: vec![divide(), loose.clone()],
        ..Default::default()
    };
    let value = body_with(
        &named(),
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings {
            parallel_tool_calls: Some(false),
            ..Default::default()
        },
        &parameters,
    )
    .unwrap();
    assert_eq!(
        value["tools"],
        json!([
            {"type": "function", "name": "divide", "description": "Divide two numbers.",
             "parameters": {"type": "object",
                            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                            "required": ["a", "b"], "additionalProperties": false},
             "strict": true},
            {"type": "function", "name": "search", "description": null,
             "parameters": {"type": "object", "properties": {"q": {"type": "string",
                            "minLength": 1}}, "additionalProperties": false},
             "strict": false}
        ])
    );
    assert_eq!(value["tool_choice"], "auto");
    assert_eq!(value["parallel_tool_calls"], false);
    // A server without strict mode.
    let value = body_with(
        &OpenAiResponses::new().with_strict_tools(false),
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings::default(),
        &parameters,
    )
    .unwrap();
    assert_eq!(value["tools"][0]["strict"], false);

    let choice = |tool_choice: Option<ToolChoice>, allow_text: bool| -> Value {
        let parameters = ModelRequestParameters {
            function_tools: vec![divide(), loose.clone()],
            allow_text_output: allow_text,
            ..Default::default()
        };
        let settings = ModelSettings {
            tool_choice,
            ..Default::default()
        };
        let value = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters);
        value.unwrap()["tool_choice"].clone()
    };
    assert_eq!(choice(Some(ToolChoice::None), true), "none");
    assert_eq!(choice(Some(ToolChoice::Required), true), "required");
    assert_eq!(choice(None, false), "required");
    assert_eq!(
        choice(Some(ToolChoice::Tools(vec!["divide".into()])), true),
        json!({"type": "function", "name": "divide"})
    );
    let parameters = ModelRequestParameters {
        function_tools: vec![divide(), loose.clone(), ToolDefinition::new("third")],
        ..Default::default()
    };
    let settings = ModelSettings {
        tool_choice: Some(ToolChoice::Tools(vec!["divide".into(), "search".into()])),
        ..Default::default()
    };
    let value = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters).unwrap();
    assert_eq!(
        value["tool_choice"],
        json!({"type": "allowed_tools", "mode": "required", "tools": [
            {"type": "function", "name": "divide"}, {"type": "function", "name": "search"}]})
    );
    // `allowed_tools` leaves `tools` whole, which keeps the prompt cache.
    assert_eq!(value["tools"].as_array().map(Vec::len), Some(3));

    // Without tools there is no choice to make, and no parallel calls.
    let value = with_settings(
        "gpt-4o",
        ModelSettings {
            parallel_tool_calls: Some(true),
            ..Default::default()
        },
    );
    assert_eq!(value.get("tool_choice"), None);
    assert_eq!(value.get("parallel_tool_calls"), None);
    // An unknown tool is a user error.
    let settings = ModelSettings {
        tool_choice: Some(ToolChoice::Tools(vec!["nope".into()])),
        ..Default::default()
    };
    let err = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters);
    assert!(matches!(err, Err(Error::User { .. })));
}

#[test]
fn settings_map_to_their_fields() {
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.5),
        top_p: Some(0.9),
        service_tier: Some("flex".into()),
        // The Responses API has no field for these: they are warned about, not sent.
        top_k: Some(3),
        seed: Some(7),
        presence_penalty: Some(0.1),
        frequency_penalty: Some(0.2),
        logit_bias: Some(Default::default()),
        stop_sequences: Some(vec!["END".into()]),
        ..Default::default()
    };
    assert_eq!(
        with_settings("gpt-4o", settings),
        json!({"model": "gpt-4o", "stream": false,
               "input": [{"role": "user", "content": "Hi"}],
               "max_output_tokens": 100, "temperature": 0.5, "top_p": 0.9,
               "service_tier": "flex"})
    );
}

#[test]
fn thinking_becomes_reasoning_on_reasoning_models() {
    let thinking = |model: &str, thinking: Option<Thinking>| -> Value {
        with_settings(
            model,
            ModelSettings {
                thinking,
                temperature: Some(0.2),
                top_p: Some(0.5),
                ..Default::default()
            },
        )
    };
    // A reasoning model: encrypted reasoning asked for, sampling settings dropped.
    let value = thinking("gpt-5", Some(Thinking::High));
    assert_eq!(value["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(
        value["reasoning"],
        json!({"effort": "high", "summary": "auto"})
    );
    assert_eq!((value.get("temperature"), value.get("top_p")), (None, None));
    let value = thinking("o3-mini", None);
    assert_eq!(value.get("reasoning"), None);
    assert_eq!(value.get("temperature"), None);
    // GPT-5.6: no `minimal` effort; reasoning context for every turn by default.
    let value = thinking("gpt-5.6-sol", Some(Thinking::Minimal));
    assert_eq!(
        value["reasoning"],
        json!({"effort": "low", "summary": "auto", "context": "all_turns"})
    );
    assert_eq!(
        thinking("gpt-5.4", None)["reasoning"],
        json!({"context": "all_turns"})
    );
    // A model that can stop reasoning keeps its sampling settings when it does.
    let value = thinking("gpt-5.1", Some(Thinking::Disabled));
    assert_eq!(value["reasoning"], json!({"effort": "none"}));
    assert_eq!(
        (value["temperature"].as_f64(), value["top_p"].as_f64()),
        (Some(0.2), Some(0.5))
    );
    // One that cannot is not asked to.
    assert_eq!(
        thinking("o3", Some(Thinking::Disabled)).get("reasoning"),
        None
    );
    // A model that does not reason gets nothing of it.
    let value = thinking("gpt-4o", Some(Thinking::High));
    assert_eq!((value.get("reasoning"), value.get("include")), (None, None));
    assert_eq!(value["temperature"], 0.2);
    // Summaries can be turned off for servers or organizations without them.
    let value = body_with(
        &named().with_reasoning_summary(ReasoningSummary::Off),
        "gpt-5",
        &prompt("Hi"),
        &ModelSettings {
            thinking: Some(Thinking::Enabled),
            ..Default::default()
        },
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(value["reasoning"], json!({"effort": "medium"}));
    let value = body_with(
        &named().with_reasoning_summary(ReasoningSummary::Detailed),
        "o4-mini",
        &prompt("Hi"),
        &ModelSettings {
            thinking: Some(Thinking::Low),
            ..Default::default()
        },
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(
        value["reasoning"],
        json!({"effort": "low", "summary": "detailed"})
    );
}

#[test]
fn structured_output_uses_text_format() {
    let object = OutputObjectDefinition {
        json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]}),
        name: Some("capital".into()),
        description: Some("The capital.".into()),
        strict: None,
    };
    let parameters = ModelRequestParameters {
        output_mode: OutputMode::Native,
        output_object: Some(object),
        ..Default::default()
    };
    let value = body_with(
        &named(),
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings::default(),
        &parameters,
    )
    .unwrap();
    assert_eq!(
        value["text"],
        json!({"format": {"type": "json_schema", "name": "capital",
            "description": "The capital.", "strict": true,
            "schema": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"], "additionalProperties": false}}})
    );
    let missing = ModelRequestParameters {
        output_mode: OutputMode::Native,
        ..Default::default()
    };
    assert!(matches!(
        body_with(
            &named(),
            "gpt-4o",
            &prompt("Hi"),
            &ModelSettings::default(),
            &missing
        ),
        Err(Error::User { .. })
    ));

    // Prompted output: JSON mode, with the instructions moved into the input (the API wants
    // "json" in the input messages).
    let parameters = ModelRequestParameters {
        output_mode: OutputMode::Prompted,
        ..Default::default()
    };
    let messages = vec![ModelRequest::new(vec![
        SystemPromptPart::new("Be brief.").into(),
        UserPromptPart::new("Hi").into(),
    ])
    .with_instructions("Answer in JSON.")
    .into()];
    let value = body_with(
        &named(),
        "gpt-4o",
        &messages,
        &ModelSettings::default(),
        &parameters,
    )
    .unwrap();
    assert_eq!(value["text"], json!({"format": {"type": "json_object"}}));
    assert_eq!(value.get("instructions"), None);
    assert_eq!(
        value["input"],
        json!([
            {"role": "system", "content": "Be brief."},
            {"role": "system", "content": "Answer in JSON."},
            {"role": "user", "content": "Hi"}
        ])
    );
}

#[test]
fn settings_not_sent_and_history_left_out_are_warned() {
    let settings = ModelSettings {
        top_k: Some(3),
        stop_sequences: Some(vec!["END".into()]),
        ..Default::default()
    };
    let (value, warnings) = request_json_warned(
        &named(),
        PROVIDER,
        "gpt-4o",
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!((value.get("top_k"), value.get("stop")), (None, None));
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting(
                "top_k",
                "the Responses API has no `top_k`; the setting is not sent (use `extra_body` for \
                 servers that accept it)"
            ),
            Warning::unsupported_setting(
                "stop_sequences",
                "the Responses API has no `stop_sequences`; the setting is not sent (use \
                 `extra_body` for servers that accept it)"
            ),
        ]
    );

    // Sampling settings a reasoning model does not take while it reasons.
    let settings = ModelSettings {
        temperature: Some(0.2),
        top_p: Some(0.5),
        thinking: Some(Thinking::High),
        ..Default::default()
    };
    let (value, warnings) = request_json_warned(
        &named(),
        PROVIDER,
        "gpt-5",
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!((value.get("temperature"), value.get("top_p")), (None, None));
    let sentence =
        "sampling settings [\"temperature\", \"top_p\"] are not supported while `gpt-5` \
                    reasons; they are not sent";
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting("temperature", sentence),
            Warning::unsupported_setting("top_p", sentence),
        ]
    );

    // Thinking asked of a model that does not reason.
    let settings = ModelSettings {
        thinking: Some(Thinking::High),
        ..Default::default()
    };
    let (value, warnings) = request_json_warned(
        &named(),
        PROVIDER,
        "gpt-4o",
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(value.get("reasoning"), None);
    assert_eq!(
        warnings.as_slice(),
        [Warning::unsupported_setting(
            "thinking",
            "`gpt-4o` does not reason; `thinking` is not sent"
        )]
    );

    // Raw reasoning that is not a list of strings is not sent back.
    let thinking = ThinkingPart {
        id: Some("rs_1".into()),
        provider_name: Some(OURS.into()),
        provider_details: json!({"raw_content": "step 1"}).as_object().cloned(),
        ..ThinkingPart::new("A thought.")
    };
    let messages: Vec<ModelMessage> = vec![
        prompt("Hi").remove(0),
        ModelResponse::new(vec![thinking.into()]).into(),
    ];
    let (value, warnings) = request_json_warned(
        &named(),
        PROVIDER,
        "gpt-5",
        &messages,
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(
        items(&value)[1],
        json!({"type": "reasoning", "id": "rs_1", "encrypted_content": null,
               "summary": [{"type": "summary_text", "text": "A thought."}]})
    );
    assert_eq!(
        warnings.as_slice(),
        [Warning::dropped_content(
            "raw_content",
            "a thinking part's `raw_content` is not a list of strings; it is not sent back"
        )]
    );
}
