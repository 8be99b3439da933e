use serde_json::json;

use super::*;
use crate::messages::{ModelRequest, ModelResponse, ModelResponsePart, ToolReturnOutcome};
use crate::models::{CodeExecutionTool, ModelProfile, ModelRequestParameters, WebSearchTool};
use crate::providers::bedrock::BedrockConverse;
use crate::providers::{Protocol, ResponseContext};
use crate::settings::ModelSettings;
use crate::Error;

const NOVA: &str = "us.amazon.nova-2-lite-v1:0";

fn body(tools: Vec<BuiltinTool>, messages: &[crate::messages::ModelMessage]) -> Result<Value> {
    let parameters = ModelRequestParameters {
        builtin_tools: tools,
        ..Default::default()
    };
    let profile = ModelProfile::default();
    let request = PreparedRequest {
        model_name: NOVA,
        provider_name: "bedrock",
        messages,
        settings: &ModelSettings::default(),
        parameters: &parameters,
        profile: &profile,
    };
    let bytes = BedrockConverse.request_body(&request, false, &mut Warnings::new())?;
    Ok(serde_json::from_slice(&bytes).unwrap())
}

fn prompt() -> Vec<crate::messages::ModelMessage> {
    vec![ModelRequest::user_text_prompt("x").into()]
}

#[test]
fn code_execution_is_the_nova_code_interpreter_system_tool() {
    let value = body(vec![CodeExecutionTool::default().into()], &prompt()).unwrap();
    assert_eq!(
        value["toolConfig"],
        json!({
            "tools": [{"systemTool": {"name": "nova_code_interpreter"}}],
            "toolChoice": {"auto": {}},
        })
    );
    assert_eq!(
        BedrockConverse.supported_builtin_tools(NOVA),
        &["code_execution"]
    );
}

#[test]
fn a_tool_bedrock_does_not_have_is_a_user_error_naming_it_and_the_provider() {
    let err = body(vec![WebSearchTool::default().into()], &prompt()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
    assert!(text.contains("WebSearchTool"), "{text}");
    assert!(text.contains("`bedrock`"), "{text}");
    assert!(text.contains("`code_execution`"), "{text}");
}

fn parse(content: Value) -> (ModelResponse, Warnings) {
    let body = json!({
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
    });
    let mut cx = ResponseContext::new(NOVA, "bedrock");
    let response = BedrockConverse
        .parse_response(body.to_string().as_bytes(), &mut cx)
        .unwrap();
    (response, cx.warnings)
}

#[test]
fn calls_and_results_parse_into_builtin_parts_and_go_back_unchanged() {
    let blocks = json!([
        {"toolUse": {"toolUseId": "t1", "name": "nova_code_interpreter",
                     "input": {"snippet": "1 + 1"}, "type": "server_tool_use"}},
        {"toolResult": {"toolUseId": "t1", "status": "success",
                        "type": "nova_code_interpreter_result",
                        "content": [{"json": {"stdOut": "2", "exitCode": 0}}]}},
        {"text": "2"},
    ]);
    let (response, warnings) = parse(blocks.clone());
    assert!(warnings.is_empty(), "{warnings:?}");
    let ModelResponsePart::BuiltinToolCall(call) = &response.parts[0] else {
        panic!("{:?}", response.parts)
    };
    assert_eq!(call.tool_name, "code_execution");
    assert_eq!(call.tool_call_id, "t1");
    assert_eq!(call.provider_name.as_deref(), Some("bedrock"));
    assert_eq!(
        call.args_as_dict(),
        json!({"snippet": "1 + 1"}).as_object().unwrap().clone()
    );
    let ModelResponsePart::BuiltinToolReturn(result) = &response.parts[1] else {
        panic!("{:?}", response.parts)
    };
    assert_eq!(result.content, json!({"stdOut": "2", "exitCode": 0}));
    assert_eq!(result.outcome, ToolReturnOutcome::Success);
    assert_eq!(
        result.provider_details,
        json!({"status": "success"}).as_object().cloned()
    );

    let history = vec![
        ModelRequest::user_text_prompt("x").into(),
        response.into(),
        ModelRequest::user_text_prompt("y").into(),
    ];
    let value = body(vec![CodeExecutionTool::default().into()], &history).unwrap();
    assert_eq!(
        value["messages"][1],
        json!({"role": "assistant", "content": blocks})
    );
}

#[test]
fn another_providers_builtin_parts_are_not_sent_but_warned_about() {
    let (mut response, _) = parse(json!([
        {"toolUse": {"toolUseId": "t1", "name": "nova_code_interpreter",
                     "input": {}, "type": "server_tool_use"}},
        {"toolResult": {"toolUseId": "t1", "type": "nova_code_interpreter_result",
                        "content": []}},
        {"text": "done"},
    ]));
    for part in &mut response.parts {
        match part {
            ModelResponsePart::BuiltinToolCall(p) => p.provider_name = Some("anthropic".into()),
            ModelResponsePart::BuiltinToolReturn(p) => p.provider_name = Some("anthropic".into()),
            _ => {}
        }
    }
    let history = vec![prompt().remove(0), response.into()];
    let parameters = ModelRequestParameters::default();
    let profile = ModelProfile::default();
    let request = PreparedRequest {
        model_name: NOVA,
        provider_name: "bedrock",
        messages: &history,
        settings: &ModelSettings::default(),
        parameters: &parameters,
        profile: &profile,
    };
    let mut warnings = Warnings::new();
    let bytes = BedrockConverse
        .request_body(&request, false, &mut warnings)
        .unwrap();
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(value["messages"][1]["content"], json!([{"text": "done"}]));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn unmapped_server_tools_are_left_out_with_a_warning() {
    let (response, warnings) = parse(json!([
        {"toolUse": {"toolUseId": "g1", "name": "nova_grounding",
                     "input": {"query": "q"}, "type": "server_tool_use"}},
        {"toolResult": {"toolUseId": "g1", "type": "nova_grounding_result",
                        "content": [{"text": "r"}]}},
        {"text": "answer"},
    ]));
    assert_eq!(response.parts.len(), 1, "{:?}", response.parts);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.as_slice()[0].message().contains("nova_grounding"));
    assert!(warnings.as_slice()[1]
        .message()
        .contains("nova_grounding_result"));
}

#[test]
fn result_content_is_the_first_json_block_or_the_blocks_as_they_came() {
    assert_eq!(result_content(&[]), Value::Null);
    assert_eq!(
        result_content(&[json!({"json": {"a": 1}})]),
        json!({"a": 1})
    );
    let texts = [json!({"text": "a"}), json!({"text": "b"})];
    assert_eq!(result_content(&texts), json!(texts));
    // Blocks kept as they came go back as they came.
    let part = BuiltinToolReturnPart {
        provider_name: Some("bedrock".into()),
        ..BuiltinToolReturnPart::new(CODE_EXECUTION, json!(texts), "t")
    };
    let block = serde_json::to_value(return_block(&part, "bedrock").unwrap()).unwrap();
    assert_eq!(
        block,
        json!({"toolResult": {"toolUseId": "t", "content": texts,
                              "type": "nova_code_interpreter_result"}})
    );
}

#[test]
fn with_tool_choice_none_no_tool_is_sent_and_that_is_warned_about() {
    let parameters = ModelRequestParameters {
        builtin_tools: vec![CodeExecutionTool::default().into()],
        allow_text_output: true,
        ..Default::default()
    };
    let settings = ModelSettings {
        tool_choice: Some(crate::settings::ToolChoice::None),
        ..Default::default()
    };
    let profile = ModelProfile::default();
    let messages = prompt();
    let request = PreparedRequest {
        model_name: NOVA,
        provider_name: "bedrock",
        messages: &messages,
        settings: &settings,
        parameters: &parameters,
        profile: &profile,
    };
    let mut warnings = Warnings::new();
    let bytes = BedrockConverse
        .request_body(&request, false, &mut warnings)
        .unwrap();
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(value.get("toolConfig"), None);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings.as_slice()[0].setting(), Some("builtin_tools"));
}
