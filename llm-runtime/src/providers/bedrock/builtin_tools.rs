//! Bedrock's built-in tools, as pydantic-ai 2.33's `BedrockConverseModel` maps them: only
//! [`CodeExecutionTool`](crate::models::CodeExecutionTool), which is Nova's code interpreter.
//!
//! * Request: `{"systemTool": {"name": "nova_code_interpreter"}}` after the function tools in
//!   `toolConfig.tools`. Any other built-in tool fails with an [`Error::User`] (the driver
//!   already refuses them through
//!   [`Protocol::supported_builtin_tools`](crate::providers::Protocol::supported_builtin_tools)).
//! * Response: a `toolUse` block of type `server_tool_use` named `nova_code_interpreter`
//!   becomes a [`BuiltinToolCallPart`] `code_execution` (its `input`, `{"snippet": …}`, as the
//!   arguments), a `toolResult` block of type `nova_code_interpreter_result` a
//!   [`BuiltinToolReturnPart`] whose content is the first block's `json` and whose
//!   `provider_details` hold its `status`. Both carry the provider's name.
//! * History: those parts go back to the same provider as the same blocks (`type` and
//!   `status` included); another provider's are not sent (with a warning).
//!
//! Other server tools (Nova's `nova_grounding`, which pydantic-ai 2.33 does not map) are left
//! out with a warning rather than silently, as pydantic-ai does.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::wire::{Block, OutputToolUse, SystemTool, Tool, ToolResult, ToolResultContent, ToolUse};
use crate::error::Result;
use crate::messages::{
    generate_tool_call_id, BuiltinToolCallPart, BuiltinToolReturnPart, ToolArgs,
};
use crate::models::BuiltinTool;
use crate::providers::builtin_tools::unsupported;
use crate::providers::common::guard_id;
use crate::providers::PreparedRequest;
use crate::warning::{Warning, Warnings};

/// The built-in tools this protocol maps (their [`BuiltinTool::kind`]).
pub(super) const SUPPORTED: &[&str] = &[CODE_EXECUTION];

/// pydantic-ai's name of the code execution tool.
const CODE_EXECUTION: &str = "code_execution";
/// Bedrock's name of Nova's code interpreter.
const CODE_INTERPRETER: &str = "nova_code_interpreter";
/// The `type` of a built-in tool's `toolUse` block.
pub(super) const SERVER_TOOL_USE: &str = "server_tool_use";
/// The `type` of the code interpreter's `toolResult` block.
const CODE_INTERPRETER_RESULT: &str = "nova_code_interpreter_result";

/// The `systemTool` entries of the request's built-in tools.
///
/// # Errors
/// [`Error::User`](crate::Error::User) for a built-in tool Bedrock does not have here.
pub(super) fn system_tools(request: &PreparedRequest<'_>) -> Result<Vec<Tool<'static>>> {
    request
        .parameters
        .builtin_tools
        .iter()
        .map(|tool| match tool {
            BuiltinTool::CodeExecution(_) => Ok(Tool::SystemTool(SystemTool {
                name: CODE_INTERPRETER,
            })),
            other => Err(unsupported(
                other,
                request.provider_name,
                request.model_name,
                SUPPORTED,
            )),
        })
        .collect()
}

/// The warning for a built-in tool's block this translation does not map.
pub(super) fn unmapped_warning(name: &str) -> Warning {
    Warning::dropped_content(
        "built-in tool call",
        format!(
            "Bedrock returned a call or result of its built-in tool `{name}`, which is not \
             mapped (only `{CODE_INTERPRETER}` is); it is left out"
        ),
    )
}

/// The part of a `server_tool_use` block: a call of the code interpreter; `None` (with a
/// warning) for another server tool. The arguments are `input` (`None` for a streamed call,
/// whose arguments follow as deltas).
pub(super) fn call_part(
    tool_use: OutputToolUse,
    provider_name: &str,
    warnings: &mut Warnings,
) -> Option<BuiltinToolCallPart> {
    let name = tool_use.name.unwrap_or_default();
    if name != CODE_INTERPRETER {
        warnings.push(unmapped_warning(&name));
        return None;
    }
    let args = match tool_use.input {
        Some(Value::Object(map)) => Some(ToolArgs::Object(map)),
        Some(Value::Null) | None => None,
        Some(other) => Some(ToolArgs::Json(other.to_string())),
    };
    Some(BuiltinToolCallPart {
        args,
        provider_name: Some(provider_name.to_owned()),
        ..BuiltinToolCallPart::new(
            CODE_EXECUTION,
            ToolArgs::Object(Map::new()),
            tool_use
                .tool_use_id
                .filter(|id| !id.is_empty())
                .unwrap_or_else(generate_tool_call_id),
        )
    })
}

/// The part of a `toolResult` block of a response (or of a stream's `contentBlockStart`, whose
/// content follows as deltas): the code interpreter's return; `None` (with a warning) for
/// another type.
pub(super) fn return_part(
    tool_result: &Value,
    provider_name: &str,
    warnings: &mut Warnings,
) -> Option<BuiltinToolReturnPart> {
    let kind = tool_result.get("type").and_then(Value::as_str);
    if kind != Some(CODE_INTERPRETER_RESULT) {
        warnings.push(unmapped_warning(kind.unwrap_or("toolResult")));
        return None;
    }
    let mut details = Map::new();
    if let Some(status) = tool_result.get("status") {
        details.insert("status".into(), status.clone());
    }
    let content = match tool_result.get("content").and_then(Value::as_array) {
        Some(blocks) => result_content(blocks),
        None => Value::Null,
    };
    let id = tool_result
        .get("toolUseId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map_or_else(generate_tool_call_id, str::to_owned);
    Some(BuiltinToolReturnPart {
        provider_name: Some(provider_name.to_owned()),
        provider_details: Some(details),
        ..BuiltinToolReturnPart::new(CODE_EXECUTION, content, id)
    })
}

/// A result's content as pydantic-ai keeps it: the first block's `json` (`null` for none).
/// Blocks that are not that one JSON block are kept as they came, so that nothing is lost and
/// they go back unchanged.
pub(super) fn result_content(blocks: &[Value]) -> Value {
    match blocks {
        [] => Value::Null,
        [only] => match only.get("json") {
            Some(json) => json.clone(),
            None => Value::Array(blocks.to_vec()),
        },
        _ => Value::Array(blocks.to_vec()),
    }
}

/// The block a built-in tool's call goes back as; `None` for a call this provider did not make
/// (or of a tool it does not have).
pub(super) fn call_block<'a>(
    call: &'a BuiltinToolCallPart,
    provider_name: &str,
) -> Option<Block<'a>> {
    if call.provider_name.as_deref() != Some(provider_name) || call.tool_name != CODE_EXECUTION {
        return None;
    }
    Some(Block::ToolUse(ToolUse {
        tool_use_id: guard_id(&call.tool_call_id),
        name: CODE_INTERPRETER,
        input: match &call.args {
            Some(ToolArgs::Object(map)) => Cow::Borrowed(map),
            _ => Cow::Owned(call.args_as_dict()),
        },
        kind: Some(SERVER_TOOL_USE),
    }))
}

/// The block a built-in tool's return goes back as; `None` for a return this provider did not
/// make (or of a tool it does not have).
pub(super) fn return_block<'a>(
    part: &'a BuiltinToolReturnPart,
    provider_name: &str,
) -> Option<Block<'a>> {
    if part.provider_name.as_deref() != Some(provider_name) || part.tool_name != CODE_EXECUTION {
        return None;
    }
    let content = match &part.content {
        Value::Array(blocks) => blocks.iter().map(ToolResultContent::Raw).collect(),
        other => vec![ToolResultContent::Json(other)],
    };
    Some(Block::ToolResult(ToolResult {
        tool_use_id: guard_id(&part.tool_call_id),
        content,
        kind: Some(CODE_INTERPRETER_RESULT),
        status: part
            .provider_details
            .as_ref()
            .and_then(|d| d.get("status"))
            .and_then(Value::as_str),
    }))
}

#[cfg(test)]
mod tests;
