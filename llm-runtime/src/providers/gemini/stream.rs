//! Stream events -> [`PartsManager`] calls (pydantic-ai's `GeminiStreamedResponse`): each
//! server-sent event is a partial `GenerateContentResponse`; text and thoughts arrive as
//! deltas, function calls whole, usage as cumulative snapshots. The API sends no terminator: a
//! stream is whole once a finish reason (or a block reason) has come.

use serde_json::{Map, Value};

use super::response::{
    grounding, insert_block_details, map_finish_reason, ratings_value, reported_error,
    unknown_part, unrepresented, WireKind,
};
use super::usage::merge_usage;
use super::wire::WireResponse;
use crate::error::{Error, Result};
use crate::messages::{FinishReason, ToolCallPart};
use crate::providers::common::insert_detail;
use crate::providers::{Flow, RawEvent};
use crate::stream::PartsManager;

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
    /// Grounding metadata was reported once.
    grounding_reported: bool,
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
    if let Some(error) = &chunk.error {
        return Err(reported_error(error, &parts.model_name, data.as_bytes()));
    }
    apply_chunk(chunk, data.as_bytes(), state, parts)?;
    // The API sends no terminator: the stream ends when the connection does.
    Ok(Flow::Continue)
}

/// The end of the body: whole after a finish reason, else truncated.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] when no finish reason came.
pub(super) fn on_eof(state: &GeminiStreamState) -> Result<()> {
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

/// Applies one stream event (pydantic-ai's `GeminiStreamedResponse._get_event_iterator`).
fn apply_chunk(
    chunk: WireResponse<'_>,
    raw: &[u8],
    state: &mut GeminiStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
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
        parts.usage = merge_usage(usage.to_usage(0), &parts.usage);
        if let Some(traffic) = &usage.traffic_type {
            insert_detail(parts, "traffic_type", Value::String(traffic.clone()));
        }
    }
    let Some(candidate) = chunk.candidates.unwrap_or_default().into_iter().next() else {
        if let Some(feedback) = &chunk.prompt_feedback {
            if let Some(reason) = feedback.block_reason.as_deref().filter(|r| !r.is_empty()) {
                state.blocked = true;
                state.finished = true;
                let details = parts.provider_details.get_or_insert_with(Map::new);
                insert_block_details(details, feedback, reason, raw)?;
                parts.finish_reason = Some(FinishReason::ContentFilter);
                if let Some(id) = chunk.response_id.filter(|id| !id.0.is_empty()) {
                    parts.provider_response_id = Some(id.0.into_owned());
                }
            }
        }
        return Ok(());
    };
    if let Some(id) = chunk.response_id.filter(|id| !id.0.is_empty()) {
        parts.provider_response_id = Some(id.0.into_owned());
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
    if (candidate.grounding_metadata.is_some() || candidate.url_context_metadata.is_some())
        && !state.grounding_reported
    {
        state.grounding_reported = true;
        parts.warnings.push(grounding());
    }
    for part in candidate.content.and_then(|c| c.parts).unwrap_or_default() {
        let details = part.signature_details();
        let name = details.as_ref().map(|_| stream_provider_name(parts));
        match part.kind() {
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
            WireKind::Unrepresented(kind) => parts.warnings.push(unrepresented(kind)),
            WireKind::Unknown => return Err(unknown_part(raw)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
