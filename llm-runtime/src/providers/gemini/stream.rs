//! Stream events -> [`PartsManager`] calls (pydantic-ai's `GeminiStreamedResponse`): each
//! server-sent event is a partial `GenerateContentResponse`; text and thoughts arrive as
//! deltas, function calls, built-in tools' parts and images whole, usage as cumulative
//! snapshots. The API sends no terminator: a stream is whole once a finish reason (or a block
//! reason) has come.
//!
//! Built-in tools as pydantic-ai streams them: URL context metadata becomes its `web_fetch`
//! call and return when it comes (before the text); search grounding is not streamed (Google
//! sends it after the text it grounds); the code file search runs becomes a `file_search` call
//! when the request enabled file search, and its results a return once the grounding metadata
//! holds them; a Gemini 3 `toolResponse` of file search without content waits in its place
//! for the retrieved contexts of later events (or the end of the stream).

use serde_json::{Map, Value};

use super::builtin_parts;
use super::response::{
    insert_block_details, map_finish_reason, ratings_value, reported_error, unknown_part,
    unrepresented, WireKind,
};
use super::usage::merge_snapshot;
use super::wire::{GroundingMetadata, WireResponse};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, BuiltinToolCallPart, BuiltinToolReturnPart, FinishReason,
    ModelResponsePart, ToolArgs, ToolCallPart,
};
use crate::models::BuiltinTool;
use crate::providers::common::insert_detail;
use crate::providers::{Flow, RawEvent};
use crate::stream::PartsManager;
use crate::stream::VendorId;

/// The provider name a [`Gemini`](super::Gemini) value uses until a provider gives it its own.
const DEFAULT_PROVIDER_NAME: &str = "google-gla";

/// What a stream of the Gemini protocol remembers between events.
#[derive(Debug, Default)]
pub struct GeminiStreamState {
    /// The first event was seen (it names the model).
    started: bool,
    /// A finish reason or a block reason arrived: the response is whole.
    finished: bool,
    /// The prompt was blocked: later finish reasons do not replace `content_filter`.
    blocked: bool,
    /// Built-in tools' own parts (`toolCall`, `toolResponse`) came: grounding metadata is
    /// not read into parts.
    has_invocations: bool,
    /// The id of the latest code execution, which its result shares.
    code_id: Option<String>,
    /// The id of the file search call whose results are still to come.
    file_search_id: Option<String>,
    /// File search returns without content yet, reserved in their place (by their id).
    pending: Vec<BuiltinToolReturnPart>,
}

/// Applies one parsed event; an `error` object in it is the error it describes.
///
/// # Errors
/// As [`Protocol::on_event`](crate::providers::Protocol::on_event).
pub(super) fn on_event(
    chunk: WireResponse<'_>,
    raw: &RawEvent<'_>,
    state: &mut GeminiStreamState,
    parts: &mut PartsManager,
) -> Result<Flow> {
    let data = raw.data;
    if let Some(error) = &chunk.0.error {
        return Err(reported_error(error, &parts.model_name, data.as_bytes()));
    }
    apply_chunk(chunk, data.as_bytes(), state, parts)?;
    // The API sends no terminator: the stream ends when the connection does.
    Ok(Flow::Continue)
}

/// The end of the body: whole after a finish reason, else truncated. File search returns
/// still waiting for their content are announced as they are.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] when no finish reason came.
pub(super) fn on_eof(state: &mut GeminiStreamState, parts: &mut PartsManager) -> Result<()> {
    for pending in std::mem::take(&mut state.pending) {
        let key = pending.tool_call_id.clone();
        parts.handle_part(Some(VendorId::Key(&key)), pending.into());
    }
    if state.finished {
        Ok(())
    } else {
        Err(Error::unexpected(
            "the stream ended before a finish reason: the response is truncated",
        ))
    }
}

/// The provider name of a stream: the one the driver gave the parts manager, else the
/// Gemini API's.
fn stream_provider_name(parts: &PartsManager) -> String {
    parts
        .provider_name
        .clone()
        .unwrap_or_else(|| DEFAULT_PROVIDER_NAME.to_owned())
}

/// The stream's provider name, copied from the parts manager the first time a chunk needs it.
fn provider<'p>(cache: &'p mut Option<String>, parts: &PartsManager) -> &'p str {
    cache.get_or_insert_with(|| stream_provider_name(parts))
}

/// Keeps the response id, copied only when it differs from the one kept (every event of a
/// stream repeats it).
fn set_response_id(parts: &mut PartsManager, id: &str) {
    if parts.provider_response_id.as_deref() != Some(id) {
        parts.provider_response_id = Some(id.to_owned());
    }
}

/// Applies one stream event (pydantic-ai's `GeminiStreamedResponse._get_event_iterator`).
fn apply_chunk(
    mut chunk: WireResponse<'_>,
    raw: &[u8],
    state: &mut GeminiStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let chunk = &mut *chunk.0;
    if !state.started {
        state.started = true;
        // The first event names the model that answers.
        if let Some(model) = chunk.model_version.as_ref().filter(|m| !m.0.is_empty()) {
            parts.model_name = model.0.to_string();
        }
        if let Some(time) = &chunk.create_time {
            insert_detail(parts, "timestamp", Value::String(time.0.to_string()));
        }
    }
    if let Some(usage) = &chunk.usage_metadata {
        merge_snapshot(&mut parts.usage, usage);
        // Vertex AI repeats it on every event: written once, and again only if it changes.
        if let Some(traffic) = usage.traffic_type.as_ref().map(|t| t.0.as_ref()) {
            let known = parts
                .provider_details
                .as_ref()
                .and_then(|d| d.get("traffic_type"))
                .and_then(Value::as_str);
            if known != Some(traffic) {
                insert_detail(parts, "traffic_type", Value::String(traffic.to_owned()));
            }
        }
    }
    let Some(candidate) = chunk.candidates.take() else {
        if let Some(feedback) = &chunk.prompt_feedback {
            if let Some(reason) = feedback.block_reason.as_deref().filter(|r| !r.is_empty()) {
                state.blocked = true;
                state.finished = true;
                let details = parts.provider_details.get_or_insert_with(Map::new);
                insert_block_details(details, feedback, reason, raw)?;
                parts.finish_reason = Some(FinishReason::ContentFilter);
                if let Some(id) = chunk.response_id.as_ref().filter(|id| !id.0.is_empty()) {
                    set_response_id(parts, &id.0);
                }
            }
        }
        return Ok(());
    };
    if let Some(id) = chunk.response_id.as_ref().filter(|id| !id.0.is_empty()) {
        set_response_id(parts, &id.0);
    }
    if let Some(reason) = candidate.finish_reason.as_ref().filter(|r| !r.0.is_empty()) {
        state.finished = true;
        if !state.blocked {
            insert_detail(parts, "finish_reason", Value::String(reason.0.to_string()));
            if let Some(ratings) = candidate
                .safety_ratings
                .as_deref()
                .filter(|r| !r.is_empty())
            {
                insert_detail(parts, "safety_ratings", ratings_value(ratings, raw)?);
            }
            parts.finish_reason = map_finish_reason(&reason.0);
        }
    }
    // The provider name, copied only for the parts that carry it (not for plain text).
    let mut provider_name = None;
    if !state.has_invocations {
        // URL context metadata comes first, before the text.
        if let Some((call, ret)) = candidate
            .url_context_metadata
            .as_ref()
            .and_then(|m| builtin_parts::url_context(m, provider(&mut provider_name, parts)))
        {
            parts.handle_part(None, call.into());
            parts.handle_part(None, ret.into());
        }
    }
    let wire_parts = candidate.content.and_then(|c| c.parts).unwrap_or_default();
    if wire_parts.is_empty() {
        return Ok(());
    }
    state.has_invocations = state.has_invocations || builtin_parts::has_invocations(&wire_parts);
    for mut part in wire_parts {
        let plain_text = match part.kind() {
            WireKind::Text(_, thought) if part.thought_signature.is_none() => Some(thought),
            _ => None,
        };
        if let Some(thought) = plain_text {
            // Nearly every event: a text or thought delta without a signature, which needs
            // neither the provider name nor details. The text is taken: with escapes it is an
            // owned string, moved into its event.
            let text = part.text.take().map(|t| t.0).unwrap_or_default();
            if thought && !text.is_empty() {
                parts.handle_thinking_delta_with_details(None, Some(&text), None, None, None)?;
            } else if !text.is_empty() {
                parts.handle_text_delta_with_details(None, text, None, None)?;
            }
            continue;
        }
        let kind = part.kind();
        let provider = provider(&mut provider_name, parts);
        let details = part.signature_details();
        let name = details.as_ref().map(|_| provider.to_owned());
        match kind {
            WireKind::Text(text, _) if text.is_empty() && details.is_none() => {}
            WireKind::Text(text, true) => parts.handle_thinking_delta_with_details(
                None,
                Some(text),
                None,
                name.as_deref(),
                details,
            )?,
            WireKind::Text(text, false) => {
                parts.handle_text_delta_with_details(None, text, name.as_deref(), details)?;
            }
            WireKind::FunctionCall(call) => {
                // Function calls arrive whole, each its own part.
                let call = ToolCallPart {
                    provider_name: name,
                    provider_details: details,
                    ..call.to_part(raw)?
                };
                parts.handle_part(None, call.into());
            }
            WireKind::InlineData(_, true) => {}
            WireKind::InlineData(blob, false) => {
                let mut file = builtin_parts::file(blob, raw)?;
                file.provider_name = name;
                file.provider_details = details;
                parts.handle_part(None, file.into());
            }
            WireKind::ToolCall(call) => {
                let mut call = builtin_parts::tool_call(call, provider, raw)?;
                call.provider_details = details;
                parts.handle_part(None, call.into());
            }
            WireKind::ToolResponse(response) => {
                let mut ret = builtin_parts::tool_response(response, provider, raw)?;
                ret.provider_details = details;
                if ret.tool_name == "file_search" && ret.content.is_null() {
                    // Its content comes in a later event's grounding metadata.
                    let key = ret.tool_call_id.clone();
                    parts.reserve_part(VendorId::Key(&key), ret.clone().into());
                    state.pending.push(ret);
                } else {
                    parts.handle_part(None, ret.into());
                }
            }
            WireKind::ExecutableCode(code) => {
                let mut call = code_or_file_search(code, state, &parts.builtin_tools, provider);
                call.provider_details = details;
                parts.handle_part(None, call.into());
            }
            WireKind::CodeExecutionResult(result) => {
                let id = state.code_id.clone().unwrap_or_else(generate_tool_call_id);
                let mut ret = builtin_parts::code_return(result, id, provider);
                ret.provider_details = details;
                parts.handle_part(None, ret.into());
            }
            WireKind::Unrepresented(kind) => parts.warnings.push(unrepresented(kind)),
            WireKind::Unknown => return Err(unknown_part(raw)),
        }
    }
    // Grounding metadata comes with the last text it grounds: its results follow that text.
    let grounding = candidate.grounding_metadata.as_deref();
    if !state.has_invocations {
        if let Some(ret) = file_search_results(grounding, state, &mut provider_name, parts) {
            parts.handle_part(None, ret.into());
        }
    } else if !state.pending.is_empty() {
        for mut pending in std::mem::take(&mut state.pending) {
            if builtin_parts::fill_file_search(&mut pending, grounding) {
                let key = pending.tool_call_id.clone();
                parts.handle_part(Some(VendorId::Key(&key)), ModelResponsePart::from(pending));
            } else {
                state.pending.push(pending);
            }
        }
    }
    Ok(())
}

/// The call of an `executableCode` part: a `file_search` call with its query when the code
/// queries file search and the request enabled it, else a `code_execution` call (pydantic-ai's
/// `_handle_executable_code_streaming`).
fn code_or_file_search(
    code: &Map<String, Value>,
    state: &mut GeminiStreamState,
    enabled: &[BuiltinTool],
    provider: &str,
) -> BuiltinToolCallPart {
    let file_search = enabled
        .iter()
        .any(|t| matches!(t, BuiltinTool::FileSearch(_)));
    let query = code
        .get("code")
        .and_then(Value::as_str)
        .filter(|_| file_search)
        .and_then(builtin_parts::file_search_query);
    let id = generate_tool_call_id();
    match query {
        Some(query) => {
            state.file_search_id = Some(id.clone());
            let mut args = Map::new();
            args.insert("query".into(), Value::String(query));
            BuiltinToolCallPart {
                args: Some(ToolArgs::Object(args)),
                ..BuiltinToolCallPart::new("file_search", "", id).with_provider(provider)
            }
        }
        None => {
            state.code_id = Some(id.clone());
            builtin_parts::code_call(code, id, provider)
        }
    }
}

/// The return of the streamed file search call, once the grounding metadata holds its
/// results.
fn file_search_results(
    grounding: Option<&GroundingMetadata>,
    state: &mut GeminiStreamState,
    provider_name: &mut Option<String>,
    parts: &PartsManager,
) -> Option<BuiltinToolReturnPart> {
    let grounding = grounding?;
    state.file_search_id.as_ref()?;
    let contexts = builtin_parts::retrieved_contexts(grounding);
    if contexts.is_empty() {
        return None;
    }
    let id = state.file_search_id.take()?;
    Some(
        BuiltinToolReturnPart::new("file_search", Value::Array(contexts), id)
            .with_provider(provider(provider_name, parts)),
    )
}

#[cfg(test)]
mod tests;
