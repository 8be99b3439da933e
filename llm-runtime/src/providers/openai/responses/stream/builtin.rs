//! The events of built-in tools' output items, as pydantic-ai's `OpenAIResponsesStreamedResponse`
//! streams them: a call part (`<item>-call`) starts when its item is added; code interpreter code
//! and MCP arguments grow it as JSON text while they stream; partial images are a file part
//! (`<item>-file`) that the final image replaces; when the item is done, web and file search calls
//! get their arguments, and the files (`<item>-file-<n>` for code interpreter images) and the
//! return (`<item>-return`) follow. A `response.completed` gives the return of an MCP tool list
//! whose item was never done. The parts are those a whole response has (`builtin_tools.rs`).

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

use super::super::builtin_tools;
use super::super::wire::ItemHead;
use super::ResponsesStreamState;
use crate::error::{Error, Result};
use crate::messages::{BinaryContent, FilePart, ModelResponsePart, ToolArgs};
use crate::providers::common;
use crate::stream::{ArgsDelta, PartsManager, VendorId};

/// The built-in item of an `output_item.added` or `.done` event, read as JSON (its fields vary
/// by tool).
#[derive(Deserialize)]
struct BuiltinItemEvent {
    item: Value,
}

/// The item's parts as a whole response has them: its call, files, return, or compaction.
#[derive(Default)]
struct Pieces {
    call: Option<ModelResponsePart>,
    files: Vec<ModelResponsePart>,
    ret: Option<ModelResponsePart>,
    compaction: Option<ModelResponsePart>,
}

fn pieces(item: &Value, parts: &PartsManager) -> Pieces {
    let provider = parts.provider_name.as_deref().unwrap_or("openai");
    let mut pieces = Pieces::default();
    for part in builtin_tools::item_parts(item, provider).unwrap_or_default() {
        match part {
            ModelResponsePart::BuiltinToolCall(_) => pieces.call = Some(part),
            ModelResponsePart::BuiltinToolReturn(_) => pieces.ret = Some(part),
            ModelResponsePart::File(_) => pieces.files.push(part),
            ModelResponsePart::Compaction(_) => pieces.compaction = Some(part),
            _ => {}
        }
    }
    pieces
}

fn read_item(kind: &str, data: &str) -> Result<(Value, String)> {
    let event: BuiltinItemEvent = common::parse_event(data, format_args!("`{kind}` event"))?;
    let id = event.item["id"].as_str().unwrap_or_default().to_owned();
    Ok((event.item, id))
}

/// `response.output_item.added` of a built-in tool's item: its call starts (without
/// arguments), followed by the opening of the arguments that stream (`{"container_id":…,
/// "code":"` for code, `{"action":"call_tool",…,"tool_args":` for an MCP call).
pub(super) fn item_added(
    kind: &str,
    data: &str,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let (item, id) = read_item(kind, data)?;
    state.seen_items.insert(id.clone());
    let pieces = pieces(&item, parts);
    if let Some(compaction) = pieces.compaction {
        parts.handle_part(Some(VendorId::Key(&id)), compaction);
        return Ok(());
    }
    let Some(ModelResponsePart::BuiltinToolCall(mut call)) = pieces.call else {
        return Ok(());
    };
    let key = format!("{id}-call");
    // What the arguments open with, when they stream; the rest comes in deltas.
    let item_type = item["type"].as_str().unwrap_or_default();
    let args = call.args_as_json_str();
    let opening = match item_type {
        "code_interpreter_call" => streamed_opening(&args, "\"code\":\"", "\"}"),
        "mcp_call" => streamed_opening(&args, "\"tool_args\":", "{}}"),
        _ => None,
    };
    // Searches get their arguments when done; code and MCP arguments stream; an MCP tool
    // list and an image generation have theirs (or none) from the start.
    let keep_args = match item_type {
        "mcp_list_tools" | "image_generation_call" => true,
        "mcp_call" => opening.is_none(),
        _ => false,
    };
    if !keep_args {
        call.args = None;
    }
    parts.handle_part(Some(VendorId::Key(&key)), call.into());
    if let Some(opening) = opening {
        parts.handle_tool_call_delta(
            Some(VendorId::Key(&key)),
            None,
            Some(ArgsDelta::Json(opening)),
            None,
        )?;
        state.builtin_args_streaming.insert(id);
    }
    Ok(())
}

/// The arguments without their `end`, when they end with `open` then `end` (an item added
/// before any of its code or arguments came, whose deltas then continue after `open`); `None`
/// otherwise (they are whole already: their deltas are not applied).
fn streamed_opening<'a>(args: &'a str, open: &str, end: &str) -> Option<&'a str> {
    args.strip_suffix(end).filter(|rest| rest.ends_with(open))
}

/// `response.output_item.done` of a built-in tool's item: the arguments of a search, then the
/// item's files and its return.
pub(super) fn item_done(
    kind: &str,
    data: &str,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let (item, id) = read_item(kind, data)?;
    state.seen_items.insert(id.clone());
    state.builtin_args_streaming.remove(&id);
    let pieces = pieces(&item, parts);
    if let Some(compaction) = pieces.compaction {
        parts.handle_part(Some(VendorId::Key(&id)), compaction);
        return Ok(());
    }
    let call_key = format!("{id}-call");
    let item_type = item["type"].as_str().unwrap_or_default();
    if matches!(item_type, "web_search_call" | "file_search_call") {
        if let Some(ModelResponsePart::BuiltinToolCall(call)) = &pieces.call {
            let args = match &call.args {
                Some(ToolArgs::Object(map)) => Some(ArgsDelta::Object(map.clone())),
                Some(ToolArgs::Json(text)) => Some(ArgsDelta::Json(text)),
                None => None,
            };
            parts.handle_tool_call_delta(Some(VendorId::Key(&call_key)), None, args, None)?;
        }
    }
    let many_files = item_type == "code_interpreter_call";
    for (n, file) in pieces.files.into_iter().enumerate() {
        let key = if many_files {
            format!("{id}-file-{n}")
        } else {
            format!("{id}-file")
        };
        parts.handle_part(Some(VendorId::Key(&key)), file);
    }
    if let Some(ret) = pieces.ret {
        parts.handle_part(Some(VendorId::Key(&format!("{id}-return"))), ret);
    }
    if item_type == "mcp_list_tools" {
        state.mcp_lists_returned.insert(id);
    }
    Ok(())
}

/// `response.code_interpreter_call_code.delta` / `.done` and `response.mcp_call_arguments.delta`
/// / `.done`: more of the call's arguments as JSON text (code as the inside of a JSON string),
/// then their closing.
pub(super) fn args_piece(
    kind: &str,
    data: &str,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    #[derive(Deserialize)]
    struct Piece {
        #[serde(default)]
        item_id: Option<String>,
        #[serde(default)]
        delta: Option<String>,
    }
    let piece: Piece = common::parse_event(data, format_args!("`{kind}` event"))?;
    let id = required_item_id(piece.item_id, kind, data)?;
    if !state.builtin_args_streaming.contains(&id) {
        // Its call was not announced with arguments to grow: they come whole with the item.
        return Ok(());
    }
    let text = match kind {
        "response.code_interpreter_call_code.delta" => {
            // The code as the inside of a JSON string.
            let quoted = Value::String(piece.delta.unwrap_or_default()).to_string();
            let inner = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
            inner.unwrap_or_default().to_owned()
        }
        "response.code_interpreter_call_code.done" => "\"}".to_owned(),
        "response.mcp_call_arguments.delta" => piece.delta.unwrap_or_default(),
        _ => "}".to_owned(),
    };
    let key = format!("{id}-call");
    parts.handle_tool_call_delta(
        Some(VendorId::Key(&key)),
        None,
        Some(ArgsDelta::Json(&text)),
        None,
    )
}

/// `response.image_generation_call.partial_image`: the image so far, as the item's file part.
pub(super) fn partial_image(kind: &str, data: &str, parts: &mut PartsManager) -> Result<()> {
    #[derive(Deserialize)]
    struct PartialImage {
        #[serde(default)]
        item_id: Option<String>,
        #[serde(default)]
        partial_image_b64: String,
        /// Not in OpenAI's published schema, but sent.
        #[serde(default)]
        output_format: Option<String>,
    }
    let event: PartialImage = common::parse_event(data, format_args!("`{kind}` event"))?;
    let id = required_item_id(event.item_id, kind, data)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&event.partial_image_b64)
        .map_err(|e| {
            Error::unexpected_with_body(
                format!("a partial image is not base64: {e}"),
                data.as_bytes(),
            )
        })?;
    let format = event.output_format.as_deref().unwrap_or("png");
    let file = FilePart {
        id: Some(id.clone()),
        ..FilePart::new(BinaryContent::new(bytes, format!("image/{format}")))
    };
    let key = format!("{id}-file");
    parts.handle_part(Some(VendorId::Key(&key)), file.into());
    Ok(())
}

/// `response.completed`: the returns of MCP tool lists whose item was never done (pydantic-ai
/// backfills them from the final response; the call came with the item's `added`). `items`
/// are the response's output items as far as a stream reads them.
pub(super) fn backfill_mcp_lists(
    items: &[ItemHead<'_>],
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) {
    for item in items.iter().filter_map(|item| item.mcp_list.as_ref()) {
        let id = item["id"].as_str().unwrap_or_default().to_owned();
        if state.mcp_lists_returned.contains(&id) {
            continue;
        }
        if let Some(ret) = pieces(item, parts).ret {
            parts.handle_part(Some(VendorId::Key(&format!("{id}-return"))), ret);
        }
        state.mcp_lists_returned.insert(id);
    }
}

/// The `item_id` an event about one item must carry, not empty.
fn required_item_id(item_id: Option<String>, kind: &str, data: &str) -> Result<String> {
    item_id.filter(|id| !id.is_empty()).ok_or_else(|| {
        Error::unexpected_with_body(
            format!("a `{kind}` event has no `item_id`"),
            data.as_bytes(),
        )
    })
}

#[cfg(test)]
mod tests;
