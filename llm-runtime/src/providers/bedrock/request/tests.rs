use serde_json::{json, Value};

use super::*;
use crate::messages::{
    BinaryContent, CachePoint as CachePointItem, FileUrl, ModelRequest, RetryPromptPart,
    SystemPromptPart, TextPart, ThinkingPart, ToolCallPart, ToolReturnPart, UserContentItem,
    UserPromptPart,
};
use crate::models::ModelProfile;
use crate::providers::bedrock::models::profile;
use crate::tools::ToolDefinition;

fn body(
    model: &str,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
) -> Result<Value> {
    let model_profile = ModelProfile::default();
    let request = PreparedRequest {
        model_name: model,
        provider_name: "bedrock",
        messages,
        settings,
        parameters,
        profile: &model_profile,
    };
    let built = build(&request, &profile(model), &mut Warnings::new())?;
    Ok(serde_json::to_value(built).unwrap())
}

const CLAUDE: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOVA: &str = "us.amazon.nova-micro-v1:0";

fn simple(model: &str, messages: &[ModelMessage]) -> Value {
    body(
        model,
        messages,
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
    )
    .unwrap()
}

#[test]
fn a_prompt_is_one_user_message_with_empty_system_and_inference_config() {
    let value = simple(CLAUDE, &[ModelRequest::user_text_prompt("x").into()]);
    assert_eq!(
        value,
        json!({
            "messages": [{"role": "user", "content": [{"text": "x"}]}],
            "system": [],
            "inferenceConfig": {},
        })
    );
}

#[test]
fn system_prompts_instructions_and_settings() {
    let mut request = ModelRequest::new(vec![
        SystemPromptPart::new("be brief").into(),
        UserPromptPart::new("hi").into(),
    ]);
    request.instructions = Some("answer in French".into());
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.5),
        top_p: Some(0.9),
        top_k: Some(5),
        stop_sequences: Some(vec!["END".into()]),
        service_tier: Some("priority".into()),
        ..Default::default()
    };
    let value = body(CLAUDE, &[request.into()], &settings, &Default::default()).unwrap();
    assert_eq!(
        value["system"],
        json!([{"text": "be brief"}, {"text": "answer in French"}])
    );
    assert_eq!(
        value["inferenceConfig"],
        json!({"maxTokens": 100, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"]})
    );
    assert_eq!(value["additionalModelRequestFields"], json!({"top_k": 5}));
    assert_eq!(value["serviceTier"], json!({"type": "priority"}));
    let nova = body(
        NOVA,
        &[ModelRequest::user_text_prompt("x").into()],
        &settings,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(
        nova["additionalModelRequestFields"],
        json!({"inferenceConfig": {"topK": 5}})
    );
}

#[test]
fn thinking_per_family() {
    let messages = [ModelRequest::user_text_prompt("x").into()];
    let with = |thinking| ModelSettings {
        thinking: Some(thinking),
        ..Default::default()
    };
    let fields = |model, thinking| {
        body(model, &messages, &with(thinking), &Default::default()).unwrap()
            ["additionalModelRequestFields"]
            .clone()
    };
    assert_eq!(
        fields(CLAUDE, Thinking::High),
        json!({"thinking": {"type": "enabled", "budget_tokens": 16384}})
    );
    assert_eq!(
        fields(CLAUDE, Thinking::Disabled),
        json!({"thinking": {"type": "disabled"}})
    );
    assert_eq!(
        fields("us.anthropic.claude-sonnet-4-6", Thinking::Low),
        json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "low"}})
    );
    assert_eq!(
        fields("openai.gpt-oss-120b-1:0", Thinking::Enabled),
        json!({"reasoning_effort": "medium"})
    );
    assert_eq!(
        fields("qwen.qwen3-32b-v1:0", Thinking::Medium),
        json!({"reasoning_config": "high"})
    );
    assert_eq!(fields(NOVA, Thinking::High), Value::Null);
}

#[test]
fn history_with_tools_retries_and_reasoning() {
    let mut call = ToolCallPart::new("get", ToolArgs::Json("{\"a\":1}".into()), "t1");
    call.tool_kind = None;
    let response = ModelResponse {
        parts: vec![
            ThinkingPart {
                signature: Some("sig".into()),
                provider_name: Some("bedrock".into()),
                ..ThinkingPart::new("reasoning")
            }
            .into(),
            ThinkingPart {
                id: Some(REDACTED_CONTENT_ID.into()),
                signature: Some("secret".into()),
                provider_name: Some("bedrock".into()),
                ..ThinkingPart::default()
            }
            .into(),
            ThinkingPart {
                signature: Some("other".into()),
                provider_name: Some("anthropic".into()),
                ..ThinkingPart::new("foreign")
            }
            .into(),
            TextPart::new("calling").into(),
            call.into(),
        ],
        ..ModelResponse::default()
    };
    let mut failed = ToolReturnPart::new("get", json!({"k": [1]}), "t2");
    failed.outcome = ToolReturnOutcome::Failed;
    let mut retry = RetryPromptPart::new("bad args");
    retry.tool_name = Some("get".into());
    retry.tool_call_id = "t3".into();
    let messages: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("go").into(),
        response.into(),
        ModelRequest::new(vec![
            ToolReturnPart::new("get", "sunny", "t1").into(),
            failed.into(),
            retry.into(),
        ])
        .into(),
    ];
    let value = simple(CLAUDE, &messages);
    let assistant = &value["messages"][1];
    assert_eq!(assistant["role"], "assistant");
    assert_eq!(
        assistant["content"],
        json!([
            {"reasoningContent": {"reasoningText": {"text": "reasoning", "signature": "sig"}}},
            {"reasoningContent": {"redactedContent": "c2VjcmV0"}},
            {"text": "<think>\nforeign\n</think>"},
            {"text": "calling"},
            {"toolUse": {"toolUseId": "t1", "name": "get", "input": {"a": 1}}},
        ])
    );
    // The three tool results are merged into one user message.
    assert_eq!(value["messages"].as_array().unwrap().len(), 3);
    let results = &value["messages"][2]["content"];
    assert_eq!(
        results[0],
        json!({"toolResult": {"toolUseId": "t1", "content": [{"text": "sunny"}], "status": "success"}})
    );
    assert_eq!(
        results[1],
        json!({"toolResult": {"toolUseId": "t2", "content": [{"text": "{\"k\":[1]}"}], "status": "error"}})
    );
    assert_eq!(results[2]["toolResult"]["status"], "error");
    assert_eq!(results[2]["toolResult"]["toolUseId"], "t3");

    // Mistral takes JSON tool results; Writer takes no status; Nova gets no reasoning back.
    let mistral = simple("mistral.mistral-large-2407-v1:0", &messages);
    assert_eq!(
        mistral["messages"][2]["content"][1]["toolResult"]["content"],
        json!([{"json": {"k": [1]}}])
    );
    let writer = simple("writer.palmyra-x5-v1:0", &messages);
    let result = &writer["messages"][2]["content"][1]["toolResult"];
    assert_eq!(result.get("status"), None);
    assert_eq!(
        result["content"],
        json!([{"text": "{\"error\":\"{\\\"k\\\":[1]}\"}"}])
    );
    let nova = simple(NOVA, &messages);
    assert_eq!(
        nova["messages"][1]["content"][0],
        json!({"text": "<think>\nreasoning\n</think>"})
    );
}

#[test]
fn a_history_starting_with_a_response_gets_a_leading_user_turn_where_needed() {
    let messages: Vec<ModelMessage> =
        vec![ModelResponse::new(vec![TextPart::new("hi").into()]).into()];
    assert_eq!(
        simple(NOVA, &messages)["messages"][0],
        json!({"role": "user", "content": [{"text": "."}]})
    );
    assert_eq!(
        simple(CLAUDE, &messages)["messages"][0]["role"],
        "assistant"
    );
}

#[test]
fn tool_results_beside_documents_are_kept_apart_for_claude() {
    let pdf = BinaryContent::new(b"%PDF".to_vec(), "application/pdf");
    let messages: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("go").into(),
        ModelResponse::new(vec![ToolCallPart::new(
            "get",
            ToolArgs::Object(Default::default()),
            "t1",
        )
        .into()])
        .into(),
        ModelRequest::new(vec![
            ToolReturnPart::new("get", "done", "t1").into(),
            UserPromptPart::new(vec![UserContentItem::Binary(pdf)]).into(),
        ])
        .into(),
    ];
    let value = simple(CLAUDE, &messages);
    let roles: Vec<&str> = value["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user", "assistant", "user"]);
    assert_eq!(value["messages"][3]["content"], json!([{"text": "."}]));
    assert_eq!(
        value["messages"][4]["content"],
        json!([
            {"text": "See attached document(s)."},
            {"document": {"name": "Document 1", "format": "pdf", "source": {"bytes": "JVBERg=="}}},
        ])
    );
}

#[test]
fn files_cache_points_and_their_errors() {
    let png = BinaryContent::new(vec![1, 2, 3], "image/png");
    let items = vec![
        UserContentItem::Text("look".into()),
        UserContentItem::Binary(png),
        UserContentItem::CachePoint(CachePointItem::default()),
        UserContentItem::ImageUrl(FileUrl::new("s3://bucket/cat.jpg?bucketOwner=123")),
    ];
    let messages = [ModelRequest::new(vec![UserPromptPart::new(items.clone()).into()]).into()];
    let value = simple(CLAUDE, &messages);
    assert_eq!(
        value["messages"][0]["content"],
        json!([
            {"text": "look"},
            {"image": {"format": "png", "source": {"bytes": "AQID"}}},
            {"cachePoint": {"type": "default", "ttl": "5m"}},
            {"image": {"format": "jpeg", "source": {"s3Location": {"uri": "s3://bucket/cat.jpg", "bucketOwner": "123"}}}},
        ])
    );
    // A model without prompt caching drops the cache point.
    let llama = simple("meta.llama3-8b-instruct-v1:0", &messages);
    assert_eq!(llama["messages"][0]["content"].as_array().unwrap().len(), 3);

    let web = [
        ModelRequest::new(vec![UserPromptPart::new(vec![UserContentItem::ImageUrl(
            FileUrl::new("https://x/cat.png"),
        )])
        .into()])
        .into(),
    ];
    let err = body(CLAUDE, &web, &ModelSettings::default(), &Default::default()).unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
    let audio = [
        ModelRequest::new(vec![UserPromptPart::new(vec![UserContentItem::Binary(
            BinaryContent::new(vec![0], "audio/wav"),
        )])
        .into()])
        .into(),
    ];
    assert!(body(
        CLAUDE,
        &audio,
        &ModelSettings::default(),
        &Default::default()
    )
    .is_err());
    let only_doc = [ModelRequest::new(vec![UserPromptPart::new(vec![
        UserContentItem::Binary(BinaryContent::new(b"a".to_vec(), "text/plain")),
        UserContentItem::CachePoint(CachePointItem::default()),
    ])
    .into()])
    .into()];
    assert!(body(
        CLAUDE,
        &only_doc,
        &ModelSettings::default(),
        &Default::default()
    )
    .is_err());
}

#[test]
fn tools_and_tool_choice() {
    let mut tool = ToolDefinition::new("get");
    tool.description = Some("Gets it.".into());
    let parameters = ModelRequestParameters {
        function_tools: vec![tool.clone(), ToolDefinition::new("put")],
        allow_text_output: true,
        ..Default::default()
    };
    let messages = [ModelRequest::user_text_prompt("x").into()];
    let value = body(CLAUDE, &messages, &ModelSettings::default(), &parameters).unwrap();
    assert_eq!(value["toolConfig"]["toolChoice"], json!({"auto": {}}));
    assert_eq!(value["toolConfig"]["tools"][0]["toolSpec"]["name"], "get");
    assert_eq!(
        value["toolConfig"]["tools"][0]["toolSpec"]["description"],
        "Gets it."
    );
    assert_eq!(
        value["toolConfig"]["tools"][1]["toolSpec"].get("description"),
        None
    );

    let forced = ModelSettings {
        tool_choice: Some(ToolChoiceSetting::Tools(vec!["put".into()])),
        ..Default::default()
    };
    let value = body(CLAUDE, &messages, &forced, &parameters).unwrap();
    assert_eq!(
        value["toolConfig"]["toolChoice"],
        json!({"tool": {"name": "put"}})
    );
    // Llama takes no tool choice: a forced one is an error.
    assert!(matches!(
        body(
            "meta.llama3-8b-instruct-v1:0",
            &messages,
            &forced,
            &parameters
        ),
        Err(Error::User { .. })
    ));
    // Nor with thinking.
    let thinking = ModelSettings {
        thinking: Some(Thinking::Enabled),
        ..forced
    };
    assert!(body(CLAUDE, &messages, &thinking, &parameters).is_err());
    let none = ModelSettings {
        tool_choice: Some(ToolChoiceSetting::None),
        ..Default::default()
    };
    assert_eq!(
        body(CLAUDE, &messages, &none, &parameters)
            .unwrap()
            .get("toolConfig"),
        None
    );
}

#[test]
fn cache_points_are_limited_to_four_newest_first() {
    let items: Vec<UserContentItem> = (0..6)
        .flat_map(|i| {
            [
                UserContentItem::Text(format!("t{i}")),
                UserContentItem::CachePoint(CachePointItem::default()),
            ]
        })
        .collect();
    let messages = [ModelRequest::new(vec![UserPromptPart::new(items).into()]).into()];
    let value = simple(CLAUDE, &messages);
    let content = value["messages"][0]["content"].as_array().unwrap();
    let points: Vec<usize> = content
        .iter()
        .enumerate()
        .filter(|(_, b)| b.get("cachePoint").is_some())
        .map(|(i, _)| i)
        .collect();
    // The two oldest are dropped: t0 t1 t2 | t3 | t4 | t5 |.
    assert_eq!(points, [3, 5, 7, 9]);
    assert_eq!(content[0], json!({"text": "t0"}));
}

#[test]
fn models_off_converse_are_user_errors() {
    let err = body(
        "openai.gpt-5.4",
        &[ModelRequest::user_text_prompt("x").into()],
        &Default::default(),
        &Default::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::User { .. }));
}

#[test]
fn settings_converse_cannot_send_are_warnings() {
    let model_profile = ModelProfile::default();
    let settings = ModelSettings {
        seed: Some(1),
        top_k: Some(3),
        ..Default::default()
    };
    let messages = [ModelRequest::user_text_prompt("x").into()];
    let parameters = ModelRequestParameters::default();
    let request = PreparedRequest {
        model_name: "meta.llama3-8b-instruct-v1:0",
        provider_name: "bedrock",
        messages: &messages,
        settings: &settings,
        parameters: &parameters,
        profile: &model_profile,
    };
    let mut warnings = Warnings::new();
    build(&request, &profile(request.model_name), &mut warnings).unwrap();
    let settings: Vec<Option<&str>> = warnings.as_slice().iter().map(|w| w.setting()).collect();
    assert_eq!(settings, [Some("seed"), Some("top_k")]);
}

#[test]
fn a_strict_schema_closing_an_open_map_is_a_warning_of_the_request() {
    let scores = ToolDefinition::new("record")
        .with_parameters(json!({"type": "object", "properties": {
            "scores": {"type": "object", "additionalProperties": {"type": "integer"}}
        }}))
        .with_strict(true);
    let parameters = ModelRequestParameters {
        function_tools: vec![scores],
        ..ModelRequestParameters::default()
    };
    let messages: [ModelMessage; 1] = [ModelRequest::user_text_prompt("x").into()];
    let settings = ModelSettings::default();
    let model_profile = ModelProfile::default();
    let request = PreparedRequest {
        model_name: CLAUDE,
        provider_name: "bedrock",
        messages: &messages,
        settings: &settings,
        parameters: &parameters,
        profile: &model_profile,
    };
    let mut warnings = Warnings::new();
    let built = build(&request, &profile(CLAUDE), &mut warnings).unwrap();
    let value = serde_json::to_value(built).unwrap();
    let tool = &value["toolConfig"]["tools"][0]["toolSpec"];
    assert_eq!(tool["strict"], true, "{value}");
    assert_eq!(
        tool["inputSchema"]["json"]["properties"]["scores"]["additionalProperties"],
        false
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings.as_slice()[0].kind(), "compatibility");
    assert!(warnings.as_slice()[0]
        .message()
        .contains("additionalProperties"));
}
