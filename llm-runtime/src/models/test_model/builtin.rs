//! The canned answers of [`TestModel`](super::TestModel) to built-in tools: for each tool of
//! the request, a call and its return attributed to the `test` provider, before the text
//! answer, so that code handling built-in tool parts runs offline.
//!
//! pydantic-ai 2.33's `TestModel` refuses built-in tools (`UserError`); canned parts are what
//! an offline example of them needs, so this model answers instead.

use serde_json::{json, Value};

use crate::messages::{
    BuiltinToolCallPart, BuiltinToolReturnPart, ModelMessage, ModelRequestPart, ModelResponsePart,
    ToolArgs, UserContent,
};
use crate::models::BuiltinTool;

/// The provider the canned parts are attributed to.
const PROVIDER: &str = "test";

/// A call and a return for each built-in tool, in the request's order.
pub(super) fn canned_parts(
    tools: &[BuiltinTool],
    messages: &[ModelMessage],
) -> Vec<ModelResponsePart> {
    let prompt = last_prompt(messages);
    let mut parts = Vec::with_capacity(tools.len() * 2);
    for tool in tools {
        let name = match tool {
            BuiltinTool::MCPServer(server) => format!("mcp_server:{}", server.id),
            other => other.kind().to_owned(),
        };
        let (args, content) = canned(tool, &prompt);
        let id = format!("test_builtin_{}", tool.unique_id().replace(':', "_"));
        let call = BuiltinToolCallPart {
            args: Some(match args {
                Value::Object(map) => ToolArgs::Object(map),
                other => ToolArgs::Json(other.to_string()),
            }),
            ..BuiltinToolCallPart::new(name.clone(), "", id.clone()).with_provider(PROVIDER)
        };
        parts.push(call.into());
        parts.push(
            BuiltinToolReturnPart::new(name, content, id)
                .with_provider(PROVIDER)
                .into(),
        );
    }
    parts
}

/// The arguments and the result of a tool's canned call.
fn canned(tool: &BuiltinTool, prompt: &str) -> (Value, Value) {
    match tool {
        BuiltinTool::WebSearch(_) | BuiltinTool::XSearch(_) => (
            json!({"query": prompt}),
            json!([{"title": "Test result", "url": "https://example.com/", "snippet": prompt}]),
        ),
        BuiltinTool::CodeExecution(_) => (
            json!({"code": "print('test')"}),
            json!({"stdout": "test\n", "stderr": "", "return_code": 0}),
        ),
        BuiltinTool::WebFetch(_) => (
            json!({"url": "https://example.com/"}),
            json!({"url": "https://example.com/", "content": "Example Domain"}),
        ),
        BuiltinTool::ImageGeneration(_) => {
            (json!({"prompt": prompt}), json!({"status": "completed"}))
        }
        BuiltinTool::Memory(_) => (json!({"command": "view", "path": "/memories"}), json!("")),
        BuiltinTool::MCPServer(_) => (
            json!({"action": "call_tool", "tool_name": "test", "tool_args": {}}),
            json!({"content": [{"type": "text", "text": "success"}], "is_error": false}),
        ),
        BuiltinTool::FileSearch(_) => (
            json!({"queries": [prompt]}),
            json!({"status": "completed", "results": []}),
        ),
        BuiltinTool::Advisor(_) => (
            json!({}),
            json!({"type": "advisor_result", "text": "Proceed."}),
        ),
    }
}

/// The text of the last user prompt, or `test`.
fn last_prompt(messages: &[ModelMessage]) -> String {
    messages
        .iter()
        .rev()
        .filter_map(ModelMessage::as_request)
        .flat_map(|r| r.parts.iter().rev())
        .find_map(|p| match p {
            ModelRequestPart::UserPrompt(p) => match &p.content {
                UserContent::Text(text) => Some(text.clone()),
                UserContent::Items(_) => None,
            },
            _ => None,
        })
        .unwrap_or_else(|| "test".to_owned())
}
