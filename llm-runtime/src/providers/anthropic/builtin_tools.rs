//! Anthropic's server tools, as pydantic-ai's `AnthropicModel` maps them: the request's
//! built-in tools become server tool definitions (web search and fetch, code execution, the
//! memory tool, the advisor) and MCP connector servers, with the beta features they need in
//! `anthropic-beta`; the response's `server_tool_use`, `mcp_tool_use`, `*_tool_result` and
//! `compaction` blocks become built-in tool call and return parts and compaction parts; and
//! those parts go back to Anthropic as the same blocks.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::wire::WireBlock;
use crate::error::{Error, Result};
use crate::messages::{
    BuiltinToolCallPart, BuiltinToolReturnPart, CompactionPart, ModelMessage, ModelResponsePart,
    ToolArgs,
};
use crate::models::{BuiltinTool, MCPServerTool, WebFetchTool, WebSearchTool};
use crate::providers::PreparedRequest;
use crate::warning::{Warning, Warnings};

/// The built-in tools the Messages API has.
pub(super) const SUPPORTED: &[&str] = &[
    "web_search",
    "code_execution",
    "web_fetch",
    "memory",
    "mcp_server",
    "advisor",
];

/// Where a code execution block's Anthropic tool name is kept when it is not `code_execution`.
const TOOL_NAME_DETAIL: &str = "anthropic_tool_name";
/// Where the caller of a server tool invoked from code execution is kept.
const CALLER_DETAIL: &str = "anthropic_caller";
/// The beta of compaction blocks.
pub(super) const COMPACTION_BETA: &str = "compact-2026-01-12";

/// Providers speaking this protocol without the `*_20260209` web tools (pydantic-ai's
/// `_WEB_TOOLS_20260209_UNSUPPORTED_CLIENTS`): Claude on Vertex AI has basic web search only.
const WITHOUT_DYNAMIC_FILTERING: &[&str] = &["google-vertex", "google-cloud"];

/// Whether the request's web tools are the versions that filter results with code: the model
/// has them and so does the provider.
fn dynamic_filtering(request: &PreparedRequest<'_>) -> bool {
    starts_with_any(request.model_name, DYNAMIC_FILTERING_MODELS)
        && !WITHOUT_DYNAMIC_FILTERING.contains(&request.provider_name)
}

/// Models whose web tools filter results with code (`*_20260209` versions).
const DYNAMIC_FILTERING_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-mythos-preview",
    "claude-sonnet-4-6",
    "claude-sonnet-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
];

/// Models whose default code execution tool is `code_execution_20260120`.
const CODE_EXECUTION_20260120_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-4-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-4-5",
    "claude-sonnet-4-6",
    "claude-sonnet-5",
];

fn starts_with_any(model: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| model.starts_with(p))
}

/// What the built-in tools of a request add to its body.
#[derive(Default)]
pub(super) struct ServerTools {
    /// Server tool definitions, after the function tools.
    pub(super) tools: Vec<Value>,
    /// MCP connector servers (`mcp_servers`).
    pub(super) mcp_servers: Vec<Value>,
    /// Whether the memory tool replaces the function tool named `memory`.
    pub(super) memory: bool,
}

/// The server tools and MCP servers of the request's built-in tools.
///
/// # Errors
/// [`Error::User`] for the memory tool without a function tool named `memory` (its handler),
/// and for a tool this API does not have.
pub(super) fn server_tools(
    request: &PreparedRequest<'_>,
    warnings: &mut Warnings,
) -> Result<ServerTools> {
    let model = request.model_name;
    let dynamic = dynamic_filtering(request);
    let mut out = ServerTools::default();
    for tool in &request.parameters.builtin_tools {
        match tool {
            BuiltinTool::WebSearch(search) => out.tools.push(web_search(search, dynamic)),
            BuiltinTool::WebFetch(fetch) => out.tools.push(web_fetch(fetch, dynamic)),
            BuiltinTool::CodeExecution(code) => {
                let version = if starts_with_any(model, CODE_EXECUTION_20260120_MODELS) {
                    "code_execution_20260120"
                } else {
                    "code_execution_20250825"
                };
                out.tools
                    .push(json!({"name": "code_execution", "type": version}));
                if code.files.as_ref().is_some_and(|f| !f.is_empty()) {
                    warnings.push(Warning::unsupported_setting(
                        "CodeExecutionTool.files",
                        "uploaded files are not sent to Anthropic's code execution (the Files API \
                         is not supported here)",
                    ));
                }
            }
            BuiltinTool::Memory(_) => {
                if request.parameters.tool("memory").is_none() {
                    return Err(Error::user(
                        "Anthropic's `MemoryTool` needs a function tool named `memory` (its \
                         handler) among the function tools",
                    ));
                }
                out.memory = true;
                out.tools
                    .push(json!({"name": "memory", "type": "memory_20250818"}));
            }
            BuiltinTool::Advisor(advisor) => {
                let mut param = json!({"type": "advisor_20260301", "name": "advisor",
                    "model": advisor.model});
                if let Some(max_uses) = advisor.max_uses {
                    param["max_uses"] = json!(max_uses);
                }
                if let Some(max_tokens) = advisor.max_tokens {
                    param["max_tokens"] = json!(max_tokens);
                }
                if let Some(ttl) = &advisor.caching {
                    param["caching"] = json!({"type": "ephemeral", "ttl": ttl});
                }
                out.tools.push(param);
            }
            BuiltinTool::MCPServer(server) => out.mcp_servers.push(mcp_server(server)),
            other => {
                return Err(super::super::builtin_tools::unsupported(
                    other,
                    request.provider_name,
                    model,
                    SUPPORTED,
                ))
            }
        }
    }
    Ok(out)
}

fn web_search(tool: &WebSearchTool, dynamic: bool) -> Value {
    let location = tool.user_location.as_ref().map(|location| {
        let mut value = json!({"type": "approximate"});
        for (key, field) in [
            ("city", &location.city),
            ("country", &location.country),
            ("region", &location.region),
            ("timezone", &location.timezone),
        ] {
            if let Some(field) = field {
                value[key] = json!(field);
            }
        }
        value
    });
    json!({
        "name": "web_search",
        "type": if dynamic { "web_search_20260209" } else { "web_search_20250305" },
        "max_uses": tool.max_uses,
        "allowed_domains": tool.allowed_domains,
        "blocked_domains": tool.blocked_domains,
        "user_location": location,
    })
}

fn web_fetch(tool: &WebFetchTool, dynamic: bool) -> Value {
    json!({
        "name": "web_fetch",
        "type": if dynamic { "web_fetch_20260209" } else { "web_fetch_20250910" },
        "max_uses": tool.max_uses,
        "allowed_domains": tool.allowed_domains,
        "blocked_domains": tool.blocked_domains,
        "citations": tool.enable_citations.then(|| json!({"enabled": true})),
        "max_content_tokens": tool.max_content_tokens,
    })
}

fn mcp_server(server: &MCPServerTool) -> Value {
    let mut param = json!({"type": "url", "name": server.id, "url": server.url});
    if let Some(allowed) = &server.allowed_tools {
        param["tool_configuration"] =
            json!({"enabled": !allowed.is_empty(), "allowed_tools": allowed});
    }
    if let Some(token) = &server.authorization_token {
        param["authorization_token"] = json!(token);
    }
    param
}

/// The beta features (`anthropic-beta`) the request needs: those of its built-in tools, and
/// compaction's when the history holds a compaction part from this provider.
pub(super) fn betas(request: &PreparedRequest<'_>) -> BTreeSet<&'static str> {
    let dynamic = dynamic_filtering(request);
    let mut betas = BTreeSet::new();
    for tool in &request.parameters.builtin_tools {
        match tool {
            BuiltinTool::WebFetch(_) if !dynamic => {
                betas.insert("web-fetch-2025-09-10");
            }
            BuiltinTool::Memory(_) => {
                betas.insert("context-management-2025-06-27");
            }
            BuiltinTool::Advisor(_) => {
                betas.insert("advisor-tool-2026-03-01");
            }
            BuiltinTool::MCPServer(_) => {
                betas.insert("mcp-client-2025-04-04");
            }
            _ => {}
        }
    }
    if has_compaction(request.messages) {
        betas.insert(COMPACTION_BETA);
    }
    betas
}

/// Whether a response of the history holds a compaction part.
pub(super) fn has_compaction(messages: &[ModelMessage]) -> bool {
    messages
        .iter()
        .filter_map(ModelMessage::as_response)
        .any(|r| {
            r.parts
                .iter()
                .any(|p| matches!(p, ModelResponsePart::Compaction(_)))
        })
}

/// The `server_tool_use` names the request's tools may produce (pydantic-ai's
/// `_get_enabled_server_tool_names`): a call of another one is not kept in a stream, and in a
/// whole response only when its result is there too, as pydantic-ai does.
pub(super) fn enabled_server_tool_names(tools: &[BuiltinTool], model: &str) -> Vec<&'static str> {
    let mut names = Vec::new();
    let mut code = false;
    for tool in tools {
        match tool {
            BuiltinTool::WebSearch(_) => {
                names.push("web_search");
                code |= starts_with_any(model, DYNAMIC_FILTERING_MODELS);
            }
            BuiltinTool::WebFetch(_) => {
                names.push("web_fetch");
                code |= starts_with_any(model, DYNAMIC_FILTERING_MODELS);
            }
            BuiltinTool::CodeExecution(_) => code = true,
            BuiltinTool::Advisor(_) => names.push("advisor"),
            _ => {}
        }
    }
    if code {
        names.extend([
            "code_execution",
            "bash_code_execution",
            "text_editor_code_execution",
        ]);
    }
    names
}

/// The details a block's `caller` gives: none for a direct call.
fn caller_details(block: &WireBlock<'_>) -> Option<Map<String, Value>> {
    let caller = block.caller.as_ref()?;
    if caller.get("type").and_then(Value::as_str) == Some("direct") {
        return None;
    }
    let mut details = Map::new();
    details.insert(CALLER_DETAIL.into(), caller.clone());
    Some(details)
}

fn tool_name_details(name: &str) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert(TOOL_NAME_DETAIL.into(), Value::String(name.to_owned()));
    details
}

/// The part a `server_tool_use` block becomes (its arguments as the block has them: a stream
/// sends them as fragments after an empty start). `None` for a tool the message model has no
/// part for (tool search).
pub(super) fn server_tool_call(
    block: &WireBlock<'_>,
    provider: &str,
) -> Option<BuiltinToolCallPart> {
    let name = block.name.as_deref().unwrap_or_default();
    let (tool_name, details) = match name {
        "web_search" | "code_execution" | "web_fetch" | "advisor" => {
            (name.to_owned(), caller_details(block))
        }
        "bash_code_execution" | "text_editor_code_execution" => {
            let mut details = tool_name_details(name);
            details.extend(caller_details(block).unwrap_or_default());
            ("code_execution".to_owned(), Some(details))
        }
        _ => return None,
    };
    let args = match &block.input {
        Some(Value::Object(map)) if !map.is_empty() => Some(ToolArgs::Object(map.clone())),
        _ => None,
    };
    Some(BuiltinToolCallPart {
        args,
        provider_details: details,
        ..BuiltinToolCallPart::new(tool_name, "", block.id.as_deref().unwrap_or_default())
            .with_provider(provider)
    })
}

/// The part an `mcp_tool_use` block becomes: a call of `mcp_server:<server>` whose arguments
/// name the MCP tool (`{"action": "call_tool", "tool_name": .., "tool_args": ..}`).
pub(super) fn mcp_tool_call(block: &WireBlock<'_>, provider: &str) -> BuiltinToolCallPart {
    let mut args = Map::new();
    args.insert("action".into(), json!("call_tool"));
    args.insert(
        "tool_name".into(),
        json!(block.name.as_deref().unwrap_or_default()),
    );
    args.insert(
        "tool_args".into(),
        block.input.clone().unwrap_or_else(|| json!({})),
    );
    BuiltinToolCallPart {
        args: Some(ToolArgs::Object(args)),
        ..BuiltinToolCallPart::new(
            format!(
                "mcp_server:{}",
                block.server_name.as_deref().unwrap_or_default()
            ),
            "",
            block.id.as_deref().unwrap_or_default(),
        )
        .with_provider(provider)
    }
}

/// The part a result block (`*_tool_result`) becomes; `None` for a block of another kind.
/// `mcp_name` gives the tool name of the MCP call a result answers.
pub(super) fn tool_result(
    block: &WireBlock<'_>,
    provider: &str,
    mcp_name: impl Fn(&str) -> Option<String>,
) -> Option<BuiltinToolReturnPart> {
    let id = block.tool_use_id.as_deref().unwrap_or_default();
    let content = block.content.clone().unwrap_or(Value::Null);
    let (tool_name, content, details) = match block.kind.as_ref() {
        "web_search_tool_result" => ("web_search".to_owned(), content, caller_details(block)),
        "web_fetch_tool_result" => ("web_fetch".to_owned(), content, caller_details(block)),
        "code_execution_tool_result" => ("code_execution".to_owned(), content, None),
        "advisor_tool_result" => ("advisor".to_owned(), content, None),
        kind @ ("bash_code_execution_tool_result" | "text_editor_code_execution_tool_result") => {
            let name = kind.trim_end_matches("_tool_result");
            (
                "code_execution".to_owned(),
                content,
                Some(tool_name_details(name)),
            )
        }
        "mcp_tool_result" => {
            let content = json!({"content": content, "is_error": block.is_error.unwrap_or(false)});
            let name = mcp_name(id).unwrap_or_else(|| "mcp_server".to_owned());
            (name, content, None)
        }
        _ => return None,
    };
    Some(BuiltinToolReturnPart {
        provider_details: details,
        ..BuiltinToolReturnPart::new(tool_name, content, id).with_provider(provider)
    })
}

/// The part a `compaction` block (or its delta) becomes.
pub(super) fn compaction(
    content: Option<&str>,
    encrypted: Option<&str>,
    provider: &str,
) -> CompactionPart {
    CompactionPart {
        content: content.map(str::to_owned),
        provider_name: Some(provider.to_owned()),
        provider_details: encrypted.map(|e| {
            let mut details = Map::new();
            details.insert("encrypted_content".into(), json!(e));
            details
        }),
        ..CompactionPart::default()
    }
}

/// The block a built-in tool call of this provider goes back as; `None` when it cannot.
pub(super) fn call_block(call: &BuiltinToolCallPart, id: &str) -> Option<Value> {
    if let Some(server) = call.tool_name.strip_prefix("mcp_server:") {
        let args = call.args_as_dict();
        let name = args.get("tool_name")?.as_str()?;
        let input = args.get("tool_args")?;
        return Some(
            json!({"id": id, "type": "mcp_tool_use", "server_name": server,
            "name": name, "input": input}),
        );
    }
    let details = call.provider_details.as_ref();
    let name = match call.tool_name.as_str() {
        "web_search" | "web_fetch" | "advisor" => call.tool_name.as_str(),
        "code_execution" | "bash_code_execution" | "text_editor_code_execution" => details
            .and_then(|d| d.get(TOOL_NAME_DETAIL))
            .and_then(Value::as_str)
            .filter(|n| matches!(*n, "bash_code_execution" | "text_editor_code_execution"))
            .unwrap_or(call.tool_name.as_str()),
        _ => return None,
    };
    let mut block = json!({"id": id, "type": "server_tool_use", "name": name,
        "input": call.args_as_dict()});
    if let Some(caller) = details.and_then(|d| d.get(CALLER_DETAIL)) {
        block["caller"] = caller.clone();
    }
    Some(block)
}

/// The block a built-in tool return of this provider goes back as; `None` when it cannot.
pub(super) fn return_block(ret: &BuiltinToolReturnPart, id: &str) -> Option<Value> {
    let details = ret.provider_details.as_ref();
    let structured = matches!(ret.content, Value::Object(_) | Value::Array(_));
    let kind = match ret.tool_name.as_str() {
        "web_search" if structured => "web_search_tool_result",
        "web_fetch" if ret.content.is_object() => "web_fetch_tool_result",
        "advisor" if ret.content.is_object() => "advisor_tool_result",
        "code_execution" | "bash_code_execution" | "text_editor_code_execution" if structured => {
            match code_execution_name(ret) {
                "bash_code_execution" => "bash_code_execution_tool_result",
                "text_editor_code_execution" => "text_editor_code_execution_tool_result",
                _ => "code_execution_tool_result",
            }
        }
        name if name.starts_with("mcp_server") => {
            let Value::Object(content) = &ret.content else {
                return None;
            };
            let mut block = content.clone();
            block.insert("tool_use_id".into(), json!(id));
            block.insert("type".into(), json!("mcp_tool_result"));
            return Some(Value::Object(block));
        }
        _ => return None,
    };
    let mut block = json!({"tool_use_id": id, "type": kind, "content": ret.content});
    if let Some(caller) = details.and_then(|d| d.get(CALLER_DETAIL)) {
        block["caller"] = caller.clone();
    }
    Some(block)
}

/// The Anthropic tool a code execution return came from (pydantic-ai's
/// `_get_anthropic_code_execution_tool_name`).
fn code_execution_name(ret: &BuiltinToolReturnPart) -> &str {
    if let Some(name) = ret
        .provider_details
        .as_ref()
        .and_then(|d| d.get(TOOL_NAME_DETAIL))
        .and_then(Value::as_str)
    {
        return name;
    }
    if matches!(
        ret.tool_name.as_str(),
        "bash_code_execution" | "text_editor_code_execution"
    ) {
        return &ret.tool_name;
    }
    match ret.content.get("type").and_then(Value::as_str) {
        Some(t) if t.starts_with("bash_code_execution") => "bash_code_execution",
        Some(t) if t.starts_with("text_editor_code_execution") => "text_editor_code_execution",
        _ => "code_execution",
    }
}

/// The block a compaction part of this provider goes back as.
pub(super) fn compaction_block(part: &CompactionPart) -> Value {
    let mut block = json!({"type": "compaction", "content": part.content});
    if let Some(encrypted) = part
        .provider_details
        .as_ref()
        .and_then(|d| d.get("encrypted_content"))
        .filter(|e| !e.is_null())
    {
        block["encrypted_content"] = encrypted.clone();
    }
    block
}

#[cfg(test)]
mod tests;
