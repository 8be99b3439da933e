//! One event of a `POST /v2/chat` stream to [`PartsManager`] calls. Cohere's stream
//! (<https://docs.cohere.com/v2/docs/streaming>) names each event by its `type`:
//! `message-start` (the response id), `content-start` / `content-delta` / `content-end` (text
//! or thinking at a content index), `tool-plan-delta`, `tool-call-start` / `tool-call-delta` /
//! `tool-call-end` (a call at a tool call index), `citation-start` / `citation-end`, and
//! `message-end` (the finish reason and usage), which ends the stream.
//!
//! Content and tool calls count their indexes apart, so a call is tracked by a key of its
//! own. The tool plan is gathered and becomes one thinking part (as the whole response's
//! does) as soon as something else begins.

use std::borrow::Cow;

use super::super::{Flow, RawEvent};
use super::response::{finish_details, finish_reason, tool_plan_part, usage_from, warn_citations};
use super::wire::{
    ContentEvent, Event, EventType, MessageEnd, StreamEvent, ToolCallEvent, TypedContentEvent,
};
use crate::error::{Error, Result};
use crate::stream::{ArgsDelta, PartsManager, VendorId};
use crate::warning::Warning;

/// What a Cohere stream remembers between events.
#[derive(Debug, Default)]
pub struct CohereStreamState {
    /// The tool plan so far, not yet a part.
    plan: String,
    /// Whether the dropped citations were reported.
    citations_reported: bool,
}

/// Parses the data of one event by its `type`.
///
/// # Errors
/// The JSON error, when the data is not a valid event.
pub(super) fn parse_event<'a>(raw: &RawEvent<'a>) -> serde_json::Result<StreamEvent<'a>> {
    let data = raw.data;
    if raw.name == "content-delta" {
        // Nearly every event of a stream: read its `type` and its fields in one pass, not
        // the `type` first and the event again. Data that says it is another event (or does
        // not parse) takes the general path below, which decides as it always did.
        if let Ok(event) = serde_json::from_str::<TypedContentEvent<'a>>(data) {
            if event.kind == "content-delta" {
                let content = ContentEvent {
                    index: event.index,
                    delta: event.delta,
                };
                return Ok(StreamEvent(Event::Content(content)));
            }
        }
    }
    let kind: EventType<'a> = serde_json::from_str(data)?;
    let event = match kind.kind.as_ref() {
        "message-start" => Event::MessageStart(serde_json::from_str(data)?),
        "content-start" | "content-delta" => Event::Content(serde_json::from_str(data)?),
        "content-end" => Event::ContentEnd,
        "tool-plan-delta" => Event::ToolPlan(serde_json::from_str(data)?),
        "tool-call-start" | "tool-call-delta" => Event::ToolCall(serde_json::from_str(data)?),
        "tool-call-end" => Event::ToolCallEnd,
        "citation-start" | "citation-end" => Event::Citation,
        "message-end" => Event::MessageEnd(Box::new(serde_json::from_str(data)?)),
        _ => Event::Other(kind.kind),
    };
    Ok(StreamEvent(event))
}

/// Applies one event.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] for an event without the index it needs, a delta that
/// does not fit its part, or an error Cohere reports in `message-end`.
pub(super) fn on_event(
    event: StreamEvent<'_>,
    raw: &RawEvent<'_>,
    state: &mut CohereStreamState,
    parts: &mut PartsManager,
) -> Result<Flow> {
    match event.0 {
        Event::MessageStart(start) => {
            if start.id.is_some() {
                parts.provider_response_id = start.id;
            }
        }
        Event::Content(content) => {
            flush_plan(state, parts);
            on_content(content, raw, parts)?;
        }
        Event::ToolPlan(plan) => {
            let text = plan
                .delta
                .and_then(|d| d.message)
                .and_then(|m| m.tool_plan)
                .unwrap_or_default();
            state.plan.push_str(&text);
        }
        Event::ToolCall(call) => {
            flush_plan(state, parts);
            on_tool_call(call, raw, parts)?;
        }
        Event::ContentEnd | Event::ToolCallEnd => {}
        Event::Citation => {
            if !state.citations_reported {
                state.citations_reported = true;
                warn_citations(&mut parts.warnings);
            }
        }
        Event::MessageEnd(end) => {
            flush_plan(state, parts);
            on_message_end(*end, raw, parts)?;
            return Ok(Flow::Done);
        }
        Event::Other(name) if name == "debug" => {}
        Event::Other(name) => parts.warnings.push(Warning::skipped_event(
            name.into_owned(),
            "a Cohere stream event this translation does not know was skipped",
        )),
    }
    Ok(Flow::Continue)
}

/// The gathered tool plan as its part, once.
fn flush_plan(state: &mut CohereStreamState, parts: &mut PartsManager) {
    if state.plan.is_empty() {
        return;
    }
    let plan = std::mem::take(&mut state.plan);
    let provider = parts
        .provider_name
        .clone()
        .unwrap_or_else(|| super::DEFAULT_PROVIDER_NAME.to_owned());
    let part = tool_plan_part(plan, &provider);
    parts.handle_part(None, part.into());
}

/// The index an event must carry.
fn index(index: Option<u64>, raw: &RawEvent<'_>) -> Result<u64> {
    index.ok_or_else(|| {
        Error::unexpected_with_body(
            format!("a Cohere `{}` event without an index", raw.name),
            raw.data.as_bytes(),
        )
    })
}

/// `content-start` / `content-delta`: text or thinking at the content index.
fn on_content(
    content: ContentEvent<'_>,
    raw: &RawEvent<'_>,
    parts: &mut PartsManager,
) -> Result<()> {
    let at = index(content.index, raw)?;
    let Some(delta) = content
        .delta
        .and_then(|d| d.message)
        .and_then(|m| m.content)
    else {
        return Ok(());
    };
    let vendor = Some(VendorId::Index(at));
    if let Some(thinking) = delta.thinking.filter(|t| !t.is_empty()) {
        parts.handle_thinking_delta(vendor, Some(&thinking), None, None)?;
    }
    if let Some(text) = delta.text.filter(|t| !t.is_empty()) {
        parts.handle_text_delta(vendor, text)?;
    }
    Ok(())
}

/// `tool-call-start` / `tool-call-delta`: the call's id and name, then its arguments.
fn on_tool_call(
    call: ToolCallEvent<'_>,
    raw: &RawEvent<'_>,
    parts: &mut PartsManager,
) -> Result<()> {
    let at = index(call.index, raw)?;
    let Some(delta) = call
        .delta
        .and_then(|d| d.message)
        .and_then(|m| m.tool_calls)
    else {
        return Ok(());
    };
    let (name, arguments) = match delta.function {
        Some(function) => (function.name, function.arguments),
        None => (None, None),
    };
    let key = format!("tool-call-{at}");
    let arguments = arguments.filter(|a| !a.is_empty());
    let id: Option<Cow<'_, str>> = delta.id;
    if name.is_none() && arguments.is_none() && id.is_none() {
        return Ok(());
    }
    parts.handle_tool_call_delta(
        Some(VendorId::Key(&key)),
        name.as_deref(),
        arguments.as_deref().map(ArgsDelta::Json),
        id.as_deref(),
    )
}

/// `message-end`: the finish reason and usage, or the error that ended the stream.
fn on_message_end(end: MessageEnd, raw: &RawEvent<'_>, parts: &mut PartsManager) -> Result<()> {
    let delta = end.delta.unwrap_or_default();
    if let Some(error) = delta.error.filter(|e| !e.is_empty()) {
        return Err(Error::unexpected_with_body(
            format!("Cohere ended the stream with an error: {error}"),
            raw.data.as_bytes(),
        ));
    }
    parts.finish_reason = delta.finish_reason.as_deref().and_then(finish_reason);
    parts.provider_details = Some(finish_details(delta.finish_reason));
    parts.usage = usage_from(delta.usage.as_ref());
    Ok(())
}

#[cfg(test)]
mod tests;
