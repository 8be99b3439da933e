//! Stream events to [`PartsManager`] calls: the status events (ids, model, usage, state), the
//! end of the response (`response.completed`, `.incomplete`, `.failed`, `error`) and the
//! dispatch of the events of output items, which `stream/items.rs` applies (those of built-in
//! tools' items: `stream/builtin.rs`). Items a stream gives whole are read as a whole response
//! reads them (`response.rs`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use super::builtin_tools;
use super::finish_reason::{map_finish_reason, status_state};
use super::response::{item_parts, nonempty, reported_error};
use super::wire::{
    ErrorEvent, ItemEvent, ItemHead, PieceEvent, StatusEvent, TextDeltaEvent, TypeOnly, WireError,
    WireItem, WireResponse,
};
use super::ResponsesEvent;
use crate::error::{Error, Result};
use crate::messages::{FinishReason, ResponseState};
use crate::providers::common::{self, insert_detail, CowStr};
use crate::providers::openai::shared::{cow, timestamp_detail};
use crate::providers::{Flow, RawEvent};
use crate::stream::PartsManager;

mod builtin;
mod items;
#[cfg(test)]
mod tests;

use items::{
    args_delta, item_added, item_done, raw_reasoning_delta, summary_text, text_delta, text_done,
};

/// What a stream of the Responses protocol remembers between events.
#[derive(Debug, Default)]
pub struct ResponsesStreamState {
    /// Vendor ids (item ids, and `<item>-<n>` for later summaries) whose part was started.
    started: Started,
    /// Output items seen in `output_item.added` or `.done` events.
    seen_items: HashSet<String>,
    /// Built-in tool calls whose arguments (code, MCP arguments) grow by deltas.
    builtin_args_streaming: HashSet<String>,
    /// MCP tool lists whose return was given.
    mcp_lists_returned: HashSet<String>,
    /// Function calls whose arguments were streamed.
    args_streamed: HashSet<String>,
    /// Arguments streamed for calls not yet announced (kept until their item arrives).
    early_args: HashMap<String, String>,
    /// The `phase` of message items, until it rides on their first text.
    phases: HashMap<String, String>,
    /// Raw reasoning text (`reasoning_text` deltas), by item and content index.
    raw_reasoning: HashMap<String, BTreeMap<u64, String>>,
    /// The model refused; its text so far.
    refusal: Option<String>,
    timestamp_set: bool,
    /// The response runs in the background (`background: true`).
    background: bool,
    /// The last status was `queued` or `in_progress`.
    pending: bool,
    /// `response.completed` or `response.incomplete` arrived.
    terminal: bool,
    last_sequence_number: Option<u64>,
}

impl ResponsesStreamState {
    pub(super) fn note_sequence(&mut self, sequence_number: Option<u64>) {
        if sequence_number.is_some() {
            self.last_sequence_number = sequence_number;
        }
    }

    pub(super) fn is_started(&self, vendor: &str) -> bool {
        self.started.contains(vendor)
    }
}

/// The vendor ids whose part was started. A response has a handful of items, and every delta
/// asks about one (usually the newest): a scan from the newest beats hashing the id with
/// SipHash on each delta.
#[derive(Debug, Default)]
pub(super) struct Started(Vec<String>);

impl Started {
    pub(super) fn contains(&self, vendor: &str) -> bool {
        self.0.iter().rev().any(|id| id == vendor)
    }

    /// Adds `vendor` (once).
    pub(super) fn insert(&mut self, vendor: String) {
        if !self.contains(&vendor) {
            self.0.push(vendor);
        }
    }
}

/// Reads the event's type: the SSE event name, else the `type` in its data (which is parsed
/// by [`apply_event`] into the type's own fields).
pub(super) fn parse_event<'a>(event: &RawEvent<'a>) -> serde_json::Result<ResponsesEvent<'a>> {
    let kind = if event.name == "message" {
        let peek: TypeOnly<'a> = serde_json::from_str(event.data)?;
        cow(peek.kind).ok_or_else(|| {
            <serde_json::Error as serde::de::Error>::custom(
                "a stream event has neither an event name nor a `type`",
            )
        })?
    } else {
        Cow::Borrowed(event.name)
    };
    Ok(ResponsesEvent {
        kind,
        data: event.data,
    })
}

/// The end of the body: complete after `response.completed` or `.incomplete`, suspended while a
/// background job runs, else truncated.
pub(super) fn on_eof(state: &mut ResponsesStreamState, parts: &mut PartsManager) -> Result<()> {
    if state.terminal {
        return Ok(());
    }
    if state.background && state.pending {
        // A background job still running: the response is suspended and is continued by
        // retrieving it (from the last event seen).
        parts.state_hint = Some(ResponseState::Suspended);
        if let Some(n) = state.last_sequence_number {
            insert_detail(parts, "last_sequence_number", Value::from(n));
        }
        return Ok(());
    }
    Err(Error::unexpected(
        "the stream ended before `response.completed`: the response is truncated",
    ))
}

/// Applies the event of type `kind` with `data`.
pub(super) fn apply_event(
    kind: &str,
    data: &str,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<Flow> {
    let raw = data.as_bytes();
    match kind {
        // First: nearly every event of a stream is one, and the arms are compared in order.
        "response.output_text.delta" => {
            let event: TextDeltaEvent<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            text_delta(event, state, parts)?;
        }
        "response.created" | "response.in_progress" | "response.queued" => {
            let event: StatusEvent<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            apply_status(&event.response, raw, state, parts)?;
        }
        "response.completed" | "response.incomplete" => {
            // The output items are read whole only when one was not streamed: a streamed
            // message's text, repeated here, is skipped rather than decoded.
            let event: StatusEvent<'_, ItemHead<'_>> = parse_data(kind, data)?;
            let heads = event.response.output.as_deref().unwrap_or_default();
            if kind == "response.completed" {
                builtin::backfill_mcp_lists(heads, state, parts);
            }
            let whole = if heads.iter().any(|item| unseen(item.id.as_ref(), state)) {
                let event: StatusEvent<'_> = parse_data(kind, data)?;
                event.response.output.unwrap_or_default()
            } else {
                Vec::new()
            };
            state.note_sequence(event.sequence_number);
            apply_status(&event.response, raw, state, parts)?;
            finish(event.response, whole, state, parts)?;
            return Ok(Flow::Done);
        }
        "response.failed" => {
            let event: StatusEvent<'_> = parse_data(kind, data)?;
            apply_status(&event.response, raw, state, parts)?;
            return Err(reported_error(
                "the response failed",
                event.response.error.as_ref(),
                &parts.model_name,
                raw,
            ));
        }
        "error" => {
            let event: ErrorEvent<'_> = parse_data(kind, data)?;
            let error = match event.error {
                Some(error) => error,
                None => WireError {
                    code: event.code,
                    message: event.message,
                },
            };
            return Err(reported_error(
                "the provider reported an error in the stream",
                Some(&error),
                &parts.model_name,
                raw,
            ));
        }
        "response.output_item.added" => {
            let event: ItemEvent<WireItem<'_>> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            if builtin_tools::ITEM_TYPES.contains(&event.item.kind.0.as_ref()) {
                builtin::item_added(kind, data, state, parts)?;
            } else {
                item_added(event.item, state, parts)?;
            }
        }
        "response.output_item.done" => {
            // A streamed message has nothing more to give than its text, repeated here: its
            // item is skipped rather than decoded.
            let head: ItemEvent<ItemHead<'_>> = parse_data(kind, data)?;
            let id = nonempty(head.item.id.as_ref());
            if let Some(id) = id.filter(|id| head.item.kind.0 == "message" && state.is_started(id))
            {
                state.note_sequence(head.sequence_number);
                if !state.seen_items.contains(id) {
                    state.seen_items.insert(id.to_owned());
                }
                return Ok(Flow::Continue);
            }
            let event: ItemEvent<WireItem<'_>> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            if builtin_tools::ITEM_TYPES.contains(&event.item.kind.0.as_ref()) {
                builtin::item_done(kind, data, state, parts)?;
            } else {
                item_done(event.item, state, parts)?;
            }
        }
        "response.output_text.done" => {
            let event: PieceEvent<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            text_done(event, kind, data, state, parts)?;
        }
        "response.refusal.delta" | "response.refusal.done" => {
            let event: PieceEvent<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            let refusal = state.refusal.get_or_insert_with(String::new);
            if kind == "response.refusal.done" {
                // The whole refusal, replacing the deltas.
                *refusal = cow(event.refusal).unwrap_or_default().into_owned();
            } else if let Some(delta) = event.delta {
                refusal.push_str(&delta.0);
            }
            parts.finish_reason = Some(FinishReason::ContentFilter);
        }
        "response.function_call_arguments.delta" => {
            let event: PieceEvent<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            args_delta(event, state, parts)?;
        }
        "response.code_interpreter_call_code.delta"
        | "response.code_interpreter_call_code.done"
        | "response.mcp_call_arguments.delta"
        | "response.mcp_call_arguments.done" => {
            let event: TypeOnly<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            builtin::args_piece(kind, data, state, parts)?;
        }
        "response.image_generation_call.partial_image" => {
            let event: TypeOnly<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            builtin::partial_image(kind, data, parts)?;
        }
        "response.reasoning_summary_part.added" => {
            let event: PieceEvent<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            let text = event.part.as_ref().and_then(|p| p.text.as_ref());
            let text = text.map_or("", |t| t.0.as_ref());
            summary_text(&event, text, state, parts)?;
        }
        "response.reasoning_summary_text.delta" => {
            let event: PieceEvent<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            let text = event.delta.as_ref().map_or("", |d| d.0.as_ref());
            summary_text(&event, text, state, parts)?;
        }
        "response.reasoning_text.delta" => {
            let event: PieceEvent<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
            raw_reasoning_delta(event, data, state, parts)?;
        }
        // Their content came with the deltas, or comes with `response.output_item.done`.
        "response.content_part.added"
        | "response.content_part.done"
        | "response.reasoning_summary_part.done"
        | "response.reasoning_summary_text.done"
        | "response.reasoning_text.done"
        | "response.function_call_arguments.done"
        | "response.output_text.annotation.added" => {
            let event: TypeOnly<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
        }
        other => {
            // Built-in tool progress (`…in_progress`, `.searching`, `.completed`), audio, and
            // event types added after this was written.
            tracing::debug!(
                target: "llm_runtime::providers",
                event = other,
                "a Responses API event this protocol does not read was skipped"
            );
            let event: TypeOnly<'_> = parse_data(kind, data)?;
            state.note_sequence(event.sequence_number);
        }
    }
    Ok(Flow::Continue)
}

/// What every status event says: ids, model, time, usage, the background marker, the state.
fn apply_status<I>(
    response: &WireResponse<'_, I>,
    raw: &[u8],
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    if response.background == Some(true) {
        state.background = true;
        insert_detail(parts, "background", Value::Bool(true));
    }
    if let Some(id) = nonempty(response.id.as_ref()) {
        if parts.provider_response_id.as_deref() != Some(id) {
            parts.provider_response_id = Some(id.to_owned());
        }
    }
    if let Some(model) = nonempty(response.model.as_ref()) {
        if parts.model_name != model {
            parts.model_name = model.to_owned();
        }
    }
    if !state.timestamp_set {
        if let Some(created) = response.created_at.filter(|c| *c != 0.0) {
            insert_detail(
                parts,
                "timestamp",
                timestamp_detail("created_at", created, raw)?,
            );
            state.timestamp_set = true;
        }
    }
    if let Some(id) = response
        .conversation
        .as_ref()
        .and_then(|c| nonempty(c.id.as_ref()))
    {
        insert_detail(parts, "conversation_id", Value::String(id.to_owned()));
    }
    if let Some(usage) = &response.usage {
        parts.usage.incr(&usage.to_usage(0));
    }
    let status = response.status.as_ref().map(|s| s.0.as_ref());
    state.pending = matches!(status, Some("queued" | "in_progress"));
    parts.state_hint = (status_state(status, state.background) == ResponseState::Suspended)
        .then_some(ResponseState::Suspended);
    Ok(())
}

/// `response.completed` or `.incomplete`: the finish reason and what only the whole
/// response has.
///
/// `output` holds the response's items, read whole, when one of them is [`unseen`].
fn finish<I>(
    response: WireResponse<'_, I>,
    output: Vec<WireItem<'_>>,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    // Items the stream never announced (servers that send only the whole response).
    let provider = parts.provider_name.clone();
    for item in output {
        if unseen(item.id.as_ref(), state) {
            let mut whole = Vec::new();
            item_parts(
                item,
                provider.as_deref(),
                &mut whole,
                &mut state.refusal,
                &mut parts.warnings,
            )?;
            for part in whole {
                parts.handle_part(None, part);
            }
        }
    }
    let raw_finish = response
        .incomplete_details
        .and_then(|d| cow(d.reason))
        .or_else(|| cow(response.status))
        .filter(|r| !r.is_empty());
    if let Some(moderation) = response.moderation.filter(|m| !m.is_null()) {
        insert_detail(parts, "moderation", moderation);
    }
    match &state.refusal {
        Some(refusal) => {
            insert_detail(parts, "refusal", Value::String(refusal.clone()));
            parts.finish_reason = Some(FinishReason::ContentFilter);
        }
        None => {
            if let Some(raw) = raw_finish {
                parts.finish_reason = map_finish_reason(&raw);
                insert_detail(parts, "finish_reason", Value::String(raw.into_owned()));
            }
        }
    }
    state.terminal = true;
    Ok(())
}

/// Whether the stream never announced the output item of `id` (one without an id: whether
/// it announced none).
fn unseen(id: Option<&CowStr<'_>>, state: &ResponsesStreamState) -> bool {
    match nonempty(id) {
        Some(id) => !state.seen_items.contains(id) && !state.is_started(id),
        None => state.seen_items.is_empty(),
    }
}

/// The data of an event of type `kind`, parsed into that type's fields.
fn parse_data<'a, T: Deserialize<'a>>(kind: &str, data: &'a str) -> Result<T> {
    common::parse_event(data, format_args!("`{kind}` event"))
}
