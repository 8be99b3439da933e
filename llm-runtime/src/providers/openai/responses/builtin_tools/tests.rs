use super::*;
use crate::models::{
    CodeExecutionTool, FileSearchTool, ImageGenerationTool, MCPServerTool, ModelRequestParameters,
    WebSearchTool, WebSearchUserLocation,
};
use crate::providers::openai::responses::OpenAiResponses;
use crate::providers::test_support::{prompt, request_json};
use crate::settings::ModelSettings;

fn body(tools: Vec<BuiltinTool>) -> crate::Result<Value> {
    let parameters = ModelRequestParameters {
        builtin_tools: tools,
        ..Default::default()
    };
    request_json(
        &OpenAiResponses::default(),
        "openai",
        "gpt-5",
        &prompt("x"),
        &ModelSettings::default(),
        &parameters,
        false,
    )
}

#[test]
fn tools_are_sent_as_pydantic_ai_sends_them() {
    let sent = body(vec![
        WebSearchTool {
            user_location: Some(WebSearchUserLocation {
                country: Some("FR".into()),
                ..Default::default()
            }),
            allowed_domains: Some(vec!["example.com".into()]),
            ..Default::default()
        }
        .into(),
        CodeExecutionTool::default().into(),
        FileSearchTool {
            file_store_ids: vec!["vs_1".into()],
            ..Default::default()
        }
        .into(),
        MCPServerTool {
            id: "wiki".into(),
            url: "x-openai-connector:connector_gmail".into(),
            authorization_token: Some("tok".into()),
            ..Default::default()
        }
        .into(),
        ImageGenerationTool {
            aspect_ratio: Some("3:2".into()),
            ..Default::default()
        }
        .into(),
    ])
    .unwrap();
    assert_eq!(
        sent["tools"],
        json!([
            {"type": "web_search", "search_context_size": "medium",
             "user_location": {"type": "approximate", "country": "FR"},
             "filters": {"allowed_domains": ["example.com"]}},
            {"type": "code_interpreter", "container": {"type": "auto"}},
            {"type": "file_search", "vector_store_ids": ["vs_1"]},
            {"type": "mcp", "server_label": "wiki", "require_approval": "never",
             "authorization": "tok", "connector_id": "connector_gmail"},
            {"type": "image_generation", "action": "auto", "background": "auto",
             "moderation": "auto", "output_compression": 100, "output_format": "png",
             "partial_images": 0, "quality": "auto", "size": "1536x1024"}
        ])
    );
    let err = body(vec![ImageGenerationTool {
        size: Some("2K".into()),
        ..Default::default()
    }
    .into()])
    .unwrap_err();
    assert!(err.to_string().contains("2K"), "{err}");
}

#[test]
fn items_become_calls_files_and_returns_and_calls_go_back_by_id() {
    let item = json!({"type": "code_interpreter_call", "id": "ci_1", "status": "completed",
        "code": "print(1)", "container_id": "cntr_1",
        "outputs": [{"type": "logs", "logs": "1\n"},
                    {"type": "image", "url": "data:image/png;base64,iVBORw=="}]});
    let parts = item_parts(&item, "openai").unwrap();
    let kinds: Vec<_> = parts.iter().map(|p| p.part_kind()).collect();
    use crate::messages::PartKind::*;
    assert_eq!(kinds, [BuiltinToolCall, File, BuiltinToolReturn]);
    let ModelResponsePart::BuiltinToolCall(call) = &parts[0] else {
        unreachable!()
    };
    assert_eq!(
        call_item(call).unwrap(),
        json!({"id": "ci_1", "type": "code_interpreter_call", "code": "print(1)",
            "container_id": "cntr_1", "outputs": null, "status": "completed"})
    );
    let ModelResponsePart::BuiltinToolReturn(ret) = &parts[2] else {
        unreachable!()
    };
    assert_eq!(ret.content, json!({"status": "completed", "logs": ["1\n"]}));

    let search = json!({"type": "web_search_call", "id": "ws_1", "status": "completed",
        "action": {"type": "search", "query": "q", "sources": [{"url": "u"}]}});
    let parts = item_parts(&search, "openai").unwrap();
    let ModelResponsePart::BuiltinToolCall(call) = &parts[0] else {
        unreachable!()
    };
    assert_eq!(call.args_as_json_str(), r#"{"type":"search","query":"q"}"#);
    assert_eq!(
        call_item(call).unwrap(),
        json!({"id": "ws_1", "type": "web_search_call", "status": "completed",
            "action": {"type": "search", "query": "q"}})
    );
    assert!(item_parts(&json!({"type": "message"}), "openai").is_none());
}
