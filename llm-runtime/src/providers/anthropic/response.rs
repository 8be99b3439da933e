//! A whole response body -> [`ModelResponse`]: text, thinking (signed, or redacted), tool
//! calls, server tools' calls and results (`builtin_tools.rs`), compaction, usage, the stop
//! reason and its details. Content blocks the message model has no part for are left out with
//! a [`Warning`].

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::super::common::parse_body;
use super::super::ResponseContext;
use super::builtin_tools::{
    compaction, enabled_server_tool_names, mcp_tool_call, server_tool_call, tool_result,
};
use super::errors::reported_error;
use super::finish_reason::{map_stop_reason, stop_details_entries};
use super::usage::{usage_details, usage_from_details};
use super::wire::WireMessage;
use super::REDACTED_THINKING_ID;
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, ModelResponse, ModelResponsePart, ResponseState, TextPart, ThinkingPart,
    ToolArgs, ToolCallPart,
};
use crate::warning::Warning;

/// Parses a whole response body; what it leaves out goes into `cx.warnings`.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with the body when it is not a valid message; the
/// [`Error::Http`] an `error` object stands for.
pub(super) fn parse_response(body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
    let message: WireMessage<'_> = parse_body(body, "Messages API response")?;
    response_from(message, cx, body)
}

/// Builds the response of a whole message.
fn response_from(
    message: WireMessage<'_>,
    cx: &mut ResponseContext<'_>,
    body: &[u8],
) -> Result<ModelResponse> {
    let requested_model = cx.model_name;
    let model_name = message
        .model
        .as_deref()
        .filter(|m| !m.is_empty())
        .unwrap_or(requested_model)
        .to_owned();
    if message.kind.as_deref() == Some("error") || message.error.is_some() {
        return Err(reported_error(message.error.as_ref(), &model_name, body));
    }
    let Some(content) = message.content else {
        return Err(Error::unexpected_with_body(
            "the message has no `content`",
            body,
        ));
    };
    let provider_name = Some(cx.provider_name.to_owned());
    let enabled = enabled_server_tool_names(cx.builtin_tools, requested_model);
    let answered: Vec<&str> = content
        .iter()
        .filter_map(|b| b.tool_use_id.as_deref())
        .collect();
    let mut parts: Vec<ModelResponsePart> = Vec::with_capacity(content.len());
    for block in &content {
        match block.kind.as_ref() {
            "server_tool_use" => {
                let name = block.name.as_deref().unwrap_or_default();
                let id = block.id.as_deref().unwrap_or_default();
                // As pydantic-ai: a call of a tool the request did not enable is kept only
                // with its result.
                if !enabled.contains(&name) && !answered.contains(&id) {
                    cx.warnings.push(unrequested_call(name));
                    continue;
                }
                match server_tool_call(block, cx.provider_name) {
                    Some(call) => parts.push(call.into()),
                    None => cx
                        .warnings
                        .push(unsupported_block(&format!("server_tool_use {name}"))),
                }
            }
            "mcp_tool_use" => parts.push(mcp_tool_call(block, cx.provider_name).into()),
            "compaction" => parts.push(
                compaction(
                    block.content.as_ref().and_then(Value::as_str),
                    block.encrypted_content.as_deref(),
                    cx.provider_name,
                )
                .into(),
            ),
            kind if kind.ends_with("_tool_result") => {
                let mcp_name = |id: &str| mcp_call_name(&parts, id);
                match tool_result(block, cx.provider_name, mcp_name) {
                    Some(ret) => parts.push(ret.into()),
                    None => cx.warnings.push(unsupported_block(kind)),
                }
            }
            "text" => parts.push(TextPart::new(block.text.clone().unwrap_or_default()).into()),
            "thinking" => parts.push(
                ThinkingPart {
                    signature: block.signature.clone().map(Cow::into_owned),
                    provider_name: provider_name.clone(),
                    ..ThinkingPart::new(block.thinking.clone().unwrap_or_default())
                }
                .into(),
            ),
            "redacted_thinking" => parts.push(
                ThinkingPart {
                    id: Some(REDACTED_THINKING_ID.to_owned()),
                    signature: block.data.clone().map(Cow::into_owned),
                    provider_name: provider_name.clone(),
                    ..ThinkingPart::default()
                }
                .into(),
            ),
            "tool_use" => {
                let Some(name) = block.name.clone().filter(|n| !n.is_empty()) else {
                    return Err(Error::unexpected_with_body(
                        "a `tool_use` block has no `name`",
                        body,
                    ));
                };
                let id = block
                    .id
                    .clone()
                    .filter(|id| !id.is_empty())
                    .map_or_else(generate_tool_call_id, Cow::into_owned);
                parts.push(
                    ToolCallPart::new(
                        name.into_owned(),
                        tool_input(block.input.clone(), body)?,
                        id,
                    )
                    .into(),
                );
            }
            other => cx.warnings.push(unsupported_block(other)),
        }
    }

    let mut details = Map::new();
    let mut finish_reason = None;
    if let Some(reason) = message.stop_reason.as_deref() {
        details.insert("finish_reason".into(), Value::String(reason.to_owned()));
        finish_reason = map_stop_reason(reason);
    }
    for (key, value) in
        stop_details_entries(message.stop_details.as_ref(), message.container.as_ref())
    {
        details.insert(key.to_owned(), Value::String(value));
    }
    let usage = usage_from_details(&usage_details(&message.usage.unwrap_or_default()));
    // pydantic-ai keeps (possibly empty) details when stop details came.
    let has_details = !details.is_empty() || message.stop_details.is_some();
    Ok(ModelResponse {
        parts,
        usage,
        model_name: Some(model_name),
        provider_response_id: message.id.map(Cow::into_owned),
        provider_details: has_details.then_some(details),
        finish_reason,
        state: if message.stop_reason.as_deref() == Some("pause_turn") {
            ResponseState::Suspended
        } else {
            ResponseState::Complete
        },
        ..ModelResponse::default()
    })
}

/// The tool name of the MCP call `id` among `parts` (for its result).
pub(super) fn mcp_call_name(parts: &[ModelResponsePart], id: &str) -> Option<String> {
    parts.iter().rev().find_map(|p| match p {
        ModelResponsePart::BuiltinToolCall(call) if call.tool_call_id == id => {
            Some(call.tool_name.clone())
        }
        _ => None,
    })
}

/// The warning for a server tool's call of a tool the request did not enable.
pub(super) fn unrequested_call(name: &str) -> Warning {
    Warning::dropped_content(
        "server_tool_use",
        format!(
            "a call of the server tool `{name}`, which the request did not enable, was left out \
             (as pydantic-ai does; enable it with `builtin_tools` to keep such calls)"
        ),
    )
}

/// The warning for a content block of a kind the message model has no part for.
pub(super) fn unsupported_block(kind: &str) -> Warning {
    Warning::dropped_content(
        kind.to_owned(),
        format!(
            "a `{kind}` content block (a server tool's call or result, or another kind the \
             message model has no part for) was left out of the response"
        ),
    )
}

/// A `tool_use` block's arguments: the object (none or `null` is `{}`, as llama.cpp starts its
/// blocks without `input`), or a JSON text some servers send.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with `raw` for any other value.
pub(super) fn tool_input(input: Option<Value>, raw: &[u8]) -> Result<ToolArgs> {
    match input {
        None | Some(Value::Null) => Ok(ToolArgs::Object(Map::new())),
        Some(Value::Object(map)) => Ok(ToolArgs::Object(map)),
        Some(Value::String(text)) => Ok(ToolArgs::Json(text)),
        Some(other) => Err(Error::unexpected_with_body(
            format!("a `tool_use` block's `input` is {other}, not an object"),
            raw,
        )),
    }
}

#[cfg(test)]
mod tests;
