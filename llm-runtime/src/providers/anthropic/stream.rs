//! Stream events -> [`PartsManager`] calls: `message_start` (id, model, usage),
//! `content_block_start`/`_delta`/`_stop` (text, thinking and its signature, tool calls and
//! their argument fragments, server tools' calls and results, compaction), `message_delta`
//! (stop reason, usage), `message_stop` (the end),
//! `ping` and `error`. Blocks, deltas and events the message model has no place for are
//! skipped with a [`Warning`]; a stream must end with `message_stop`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::super::common::insert_detail;
use super::super::{Flow, RawEvent};
use super::builtin_tools::{
    compaction, enabled_server_tool_names, mcp_tool_call, server_tool_call, tool_result,
};
use super::delta::{read_delta_event, BlockDelta};
use super::errors::reported_error;
use super::finish_reason::{map_stop_reason, stop_details_entries};
use super::response::{tool_input, unrequested_call, unsupported_block};
use super::usage::{usage_details, usage_from_details};
use super::wire::{FullEvent, Parsed, WireBlock, WireEvent};
use super::REDACTED_THINKING_ID;
use crate::error::{Error, Result};
use crate::messages::{ResponseState, ThinkingPart, ToolArgs};
use crate::stream::{ArgsDelta, PartsManager, VendorId};
use crate::warning::Warning;

/// The provider name thinking signatures belong to when the protocol was given none.
const DEFAULT_PROVIDER_NAME: &str = "anthropic";

/// What a stream of the Messages protocol remembers between events.
#[derive(Debug, Default)]
pub struct MessagesStreamState {
    /// The kind of each content block started, by index.
    blocks: OpenBlocks,
    /// The usage counts so far, as pydantic-ai keeps them (`message_start`, then each
    /// `message_delta` overriding the counts it carries).
    usage_details: BTreeMap<String, u64>,
    /// The tool names of the MCP calls so far, by id (for their results).
    mcp_calls: HashMap<String, String>,
}

/// The kind of each content block started, by index: a response has a handful of blocks, so
/// a scan (newest first, where the next delta most often goes) beats hashing the index on
/// every event.
#[derive(Debug, Default)]
struct OpenBlocks(Vec<(u64, OpenBlock)>);

impl OpenBlocks {
    fn get_mut(&mut self, index: u64) -> Option<&mut OpenBlock> {
        self.0
            .iter_mut()
            .rev()
            .find(|(i, _)| *i == index)
            .map(|(_, kind)| kind)
    }

    fn get(&self, index: u64) -> Option<OpenBlock> {
        self.0
            .iter()
            .rev()
            .find(|(i, _)| *i == index)
            .map(|(_, kind)| *kind)
    }

    fn insert(&mut self, index: u64, kind: OpenBlock) {
        match self.get_mut(index) {
            Some(open) => *open = kind,
            None => self.0.push((index, kind)),
        }
    }
}

/// The kind of a content block seen in a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenBlock {
    Text,
    Thinking,
    ToolUse,
    /// A server tool's call (`server_tool_use`), whether arguments arrived.
    ServerToolUse {
        has_args: bool,
    },
    /// An MCP tool's call, whether its arguments' object must be closed at its end.
    McpToolUse {
        close: bool,
    },
    /// A server tool's result, whole at its start.
    Whole,
    /// A compaction block.
    Compaction,
    /// A block the message model has no part for (server tools' calls and results…); its
    /// deltas are skipped, it was reported when it started.
    Unsupported,
}

/// The provider name put on thinking parts: the one the driver gave the parts manager, else
/// Anthropic's.
fn stream_provider_name(parts: &PartsManager) -> String {
    parts
        .provider_name
        .clone()
        .unwrap_or_else(|| DEFAULT_PROVIDER_NAME.to_owned())
}

/// Parses the data of one event.
///
/// # Errors
/// The JSON error, when the data is not a valid event.
pub(super) fn parse_event<'a>(event: &RawEvent<'a>) -> serde_json::Result<WireEvent<'a>> {
    let data = event.data;
    match event.name {
        // Nine events in ten: read into the fields this event has, not all of them (and
        // again in full if its data says it is another event than its name).
        "content_block_delta" => match read_delta_event(data) {
            Ok(event) if event.kind == "content_block_delta" => Ok(WireEvent(Parsed::Delta {
                index: event.index,
                delta: event.delta,
            })),
            _ => parse_full(data),
        },
        _ => parse_full(data),
    }
}

fn parse_full(data: &str) -> serde_json::Result<WireEvent<'_>> {
    serde_json::from_str::<FullEvent<'_>>(data).map(|event| WireEvent(Parsed::Full(event)))
}

/// The error for a body that ended before `message_stop`.
pub(super) fn truncated(parts: &PartsManager) -> Error {
    let when = if parts
        .provider_details
        .as_ref()
        .is_some_and(|d| d.contains_key("finish_reason"))
    {
        "after the stop reason but "
    } else {
        ""
    };
    Error::unexpected(format!(
        "the stream ended {when}before `message_stop`: the response is truncated"
    ))
}

/// Applies one stream event to the response being built.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with `raw` for an event that lacks what its type needs
/// or does not fit the stream so far; the error an `error` event describes.
pub(super) fn apply_event(
    event: WireEvent<'_>,
    raw: &str,
    state: &mut MessagesStreamState,
    parts: &mut PartsManager,
) -> Result<Flow> {
    match event.0 {
        Parsed::Delta { index, delta } => {
            content_block_delta(index, delta, raw, state, parts)?;
            Ok(Flow::Continue)
        }
        Parsed::Full(event) => apply_full_event(event, raw, state, parts),
    }
}

/// A `content_block_delta`: the delta applied to its block's part.
fn content_block_delta(
    index: Option<u64>,
    delta: Option<BlockDelta<'_>>,
    raw: &str,
    state: &mut MessagesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let Some(index) = index else {
        return Err(Error::unexpected_with_body(
            "a `content_block_delta` event has no `index`",
            raw.as_bytes(),
        ));
    };
    let Some(delta) = delta else {
        return Err(Error::unexpected_with_body(
            "a `content_block_delta` event has no `delta`",
            raw.as_bytes(),
        ));
    };
    block_delta(index, delta, state, parts)
}

/// Applies an event read in full.
fn apply_full_event(
    event: FullEvent<'_>,
    raw: &str,
    state: &mut MessagesStreamState,
    parts: &mut PartsManager,
) -> Result<Flow> {
    let index = |event: &FullEvent<'_>| {
        event.index.ok_or_else(|| {
            Error::unexpected_with_body(
                format!("a `{}` event has no `index`", event.kind),
                raw.as_bytes(),
            )
        })
    };
    match event.kind.as_ref() {
        "message_start" => {
            let Some(message) = event.message else {
                return Err(Error::unexpected_with_body(
                    "a `message_start` event has no `message`",
                    raw.as_bytes(),
                ));
            };
            if let Some(id) = message.id.filter(|id| !id.is_empty()) {
                parts.provider_response_id = Some(id.into_owned());
            }
            if let Some(model) = message.model.filter(|m| !m.is_empty()) {
                parts.model_name = model.into_owned();
            }
            if let Some(usage) = &message.usage {
                state.usage_details = usage_details(usage);
                parts.usage = usage_from_details(&state.usage_details);
            }
            for (key, value) in stop_details_entries(None, message.container.as_ref()) {
                insert_detail(parts, key, value);
            }
            if message.content.as_ref().is_some_and(|c| !c.is_empty()) {
                parts.warnings.push(Warning::dropped_content(
                    "message_start content",
                    "`message_start` carried content blocks, which are only read from \
                     `content_block_*` events; they were left out",
                ));
            }
        }
        "content_block_start" => {
            let index = index(&event)?;
            let Some(block) = event.content_block else {
                return Err(Error::unexpected_with_body(
                    "a `content_block_start` event has no `content_block`",
                    raw.as_bytes(),
                ));
            };
            start_block(index, *block, raw, state, parts)?;
        }
        "content_block_delta" => {
            let delta = event.delta.map(|delta| delta.into_block_delta());
            content_block_delta(event.index, delta, raw, state, parts)?;
        }
        "content_block_stop" => {
            let index = index(&event)?;
            match state.blocks.get(index) {
                // A whole response carries the arguments as an object: so does the stream.
                Some(OpenBlock::ToolUse | OpenBlock::ServerToolUse { has_args: true }) => {
                    parts.end_tool_call_args_as_object(VendorId::Index(index));
                }
                Some(OpenBlock::McpToolUse { close }) => {
                    if close {
                        let vendor = Some(VendorId::Index(index));
                        parts.handle_tool_call_delta(
                            vendor,
                            None,
                            Some(ArgsDelta::Json("}")),
                            None,
                        )?;
                    }
                    parts.end_tool_call_args_as_object(VendorId::Index(index));
                }
                _ => {}
            }
        }
        "message_delta" => {
            if let Some(usage) = &event.usage {
                state.usage_details.extend(usage_details(usage));
                parts.usage = usage_from_details(&state.usage_details);
            }
            if let Some(delta) = &event.delta {
                if let Some(reason) = delta.stop_reason.as_deref() {
                    insert_detail(parts, "finish_reason", reason);
                    parts.finish_reason = map_stop_reason(reason);
                    parts.state_hint = (reason == "pause_turn").then_some(ResponseState::Suspended);
                }
                if delta.stop_details.is_some() && parts.provider_details.is_none() {
                    parts.provider_details = Some(Map::new());
                }
                for (key, value) in
                    stop_details_entries(delta.stop_details.as_ref(), delta.container.as_ref())
                {
                    insert_detail(parts, key, value);
                }
            }
        }
        "message_stop" => return Ok(Flow::Done),
        "ping" => {}
        "error" => {
            return Err(reported_error(
                event.error.as_deref(),
                &parts.model_name,
                raw.as_bytes(),
            ))
        }
        other => parts.warnings.push(Warning::skipped_event(
            other,
            "an unknown Messages stream event was skipped",
        )),
    }
    Ok(Flow::Continue)
}

/// Starts the part of a content block (none for a kind the message model has no part for).
fn start_block(
    index: u64,
    block: WireBlock<'_>,
    raw: &str,
    state: &mut MessagesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let vendor = Some(VendorId::Index(index));
    let kind = match block.kind.as_ref() {
        "text" => {
            if let Some(text) = block.text.filter(|t| !t.is_empty()) {
                parts.handle_text_delta(vendor, text)?;
            }
            OpenBlock::Text
        }
        "thinking" => {
            let provider_name = stream_provider_name(parts);
            parts.handle_thinking_delta(
                vendor,
                Some(block.thinking.as_deref().unwrap_or_default()),
                block.signature.as_deref(),
                Some(&provider_name),
            )?;
            OpenBlock::Thinking
        }
        "redacted_thinking" => {
            let part = ThinkingPart {
                id: Some(REDACTED_THINKING_ID.to_owned()),
                signature: block.data.map(Cow::into_owned),
                provider_name: Some(stream_provider_name(parts)),
                ..ThinkingPart::default()
            };
            parts.handle_part(vendor, part.into());
            OpenBlock::Thinking
        }
        "tool_use" => {
            let input = tool_input(block.input, raw.as_bytes())?;
            let args = match &input {
                // The arguments arrive as `input_json_delta` fragments after an empty start.
                ToolArgs::Object(map) if map.is_empty() => None,
                ToolArgs::Object(map) => Some(ArgsDelta::Object(map.clone())),
                ToolArgs::Json(text) => Some(ArgsDelta::Json(text)),
            };
            parts.handle_tool_call_delta(
                vendor,
                block.name.as_deref(),
                args,
                block.id.as_deref().filter(|id| !id.is_empty()),
            )?;
            OpenBlock::ToolUse
        }
        "server_tool_use" => {
            let name = block.name.as_deref().unwrap_or_default();
            let provider = stream_provider_name(parts);
            let enabled = enabled_server_tool_names(&parts.builtin_tools, &parts.model_name);
            match server_tool_call(&block, &provider) {
                // As pydantic-ai: a streamed call of a tool the request did not enable is not
                // kept.
                Some(_) if !enabled.contains(&name) => {
                    parts.warnings.push(unrequested_call(name));
                    OpenBlock::Unsupported
                }
                Some(call) => {
                    let has_args = call.args.is_some();
                    parts.handle_part(vendor, call.into());
                    OpenBlock::ServerToolUse { has_args }
                }
                None => {
                    parts
                        .warnings
                        .push(unsupported_block(&format!("server_tool_use {name}")));
                    OpenBlock::Unsupported
                }
            }
        }
        "mcp_tool_use" => {
            let provider = stream_provider_name(parts);
            let mut call = mcp_tool_call(&block, &provider);
            state
                .mcp_calls
                .insert(call.tool_call_id.clone(), call.tool_name.clone());
            // As pydantic-ai streams it: the call without arguments, then their JSON text up to
            // `"tool_args":`, the input's fragments, and `}` at the block's end.
            let json = call.args_as_json_str();
            call.args = None;
            parts.handle_part(vendor, call.into());
            let streamed = block
                .input
                .as_ref()
                .is_none_or(|i| i == &Value::Object(Map::new()));
            let text = match json.strip_suffix("{}}") {
                Some(prefix) if streamed => prefix,
                _ => json.as_str(),
            };
            parts.handle_tool_call_delta(vendor, None, Some(ArgsDelta::Json(text)), None)?;
            OpenBlock::McpToolUse {
                close: streamed && json.ends_with("{}}"),
            }
        }
        "compaction" => {
            let provider = stream_provider_name(parts);
            let content = block.content.as_ref().and_then(Value::as_str);
            let part = compaction(content, block.encrypted_content.as_deref(), &provider);
            parts.handle_part(vendor, part.into());
            OpenBlock::Compaction
        }
        other => {
            let provider = stream_provider_name(parts);
            let mcp_calls = &state.mcp_calls;
            match tool_result(&block, &provider, |id| mcp_calls.get(id).cloned()) {
                Some(ret) => {
                    parts.handle_part(vendor, ret.into());
                    OpenBlock::Whole
                }
                None => {
                    parts.warnings.push(unsupported_block(other));
                    OpenBlock::Unsupported
                }
            }
        }
    };
    state.blocks.insert(index, kind);
    Ok(())
}

/// Applies a `content_block_delta` to the part of its block.
fn block_delta(
    index: u64,
    delta: BlockDelta<'_>,
    state: &mut MessagesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let open = state.blocks.get(index);
    if open == Some(OpenBlock::Unsupported) {
        return Ok(());
    }
    let vendor = Some(VendorId::Index(index));
    // The provider name goes on a thinking part when it starts, not on each delta.
    let new_thinking_provider = match open {
        None => Some(stream_provider_name(parts)),
        Some(_) => None,
    };
    let kind = delta.kind.as_deref().unwrap_or("");
    match kind {
        "text_delta" => {
            parts.handle_text_delta(vendor, delta.value.unwrap_or_default())?;
            if open.is_none() {
                state.blocks.insert(index, OpenBlock::Text);
            }
        }
        "thinking_delta" => {
            parts.handle_thinking_delta(
                vendor,
                Some(delta.value.as_deref().unwrap_or_default()),
                None,
                new_thinking_provider.as_deref(),
            )?;
            if open.is_none() {
                state.blocks.insert(index, OpenBlock::Thinking);
            }
        }
        "signature_delta" => {
            parts.handle_thinking_delta(
                vendor,
                None,
                Some(delta.value.as_deref().unwrap_or_default()),
                new_thinking_provider.as_deref(),
            )?;
            if open.is_none() {
                state.blocks.insert(index, OpenBlock::Thinking);
            }
        }
        "input_json_delta" => {
            let fragment = delta.value.as_deref().unwrap_or_default();
            if let Some(OpenBlock::ServerToolUse { has_args }) = state.blocks.get_mut(index) {
                // A server tool's call without arguments has none, streamed or not.
                if fragment.is_empty() {
                    return Ok(());
                }
                *has_args = true;
            }
            parts.handle_tool_call_delta(vendor, None, Some(ArgsDelta::Json(fragment)), None)?;
            if open.is_none() {
                state.blocks.insert(index, OpenBlock::ToolUse);
            }
        }
        "compaction_delta" => {
            if let Some(content) = delta.value.as_deref().filter(|c| !c.is_empty()) {
                let provider = stream_provider_name(parts);
                let part = compaction(Some(content), delta.encrypted_content.as_deref(), &provider);
                parts.handle_part(vendor, part.into());
            }
        }
        other => parts.warnings.push(Warning::dropped_content(
            other.to_owned(),
            format!(
                "a `{other}` delta of block {index} (citations, or another kind the message \
                 model has no field for) was left out of the response"
            ),
        )),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
