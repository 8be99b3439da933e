//! The events of output items: an item added or done, text and refusal deltas, function-call
//! arguments, reasoning summaries and raw reasoning text, each applied to the part of its item
//! (keyed by the item id, `<item>-<n>` for the `n`th summary of a reasoning item).

use serde_json::{Map, Value};

use super::super::response::{item_parts, nonempty, unread_item};
use super::super::wire::{DoneText, PieceEvent, TextDeltaEvent, WireItem};
use super::ResponsesStreamState;
use crate::error::{Error, Result};
use crate::messages::{TextPart, ThinkingPart};
use crate::providers::common;
use crate::providers::openai::shared::{cow, token_logprobs, WireArgs};
use crate::stream::{ArgsDelta, PartsManager, VendorId};

/// `response.output_item.added`: a function call starts its part (with arguments that came
/// before it); a message notes its phase.
pub(super) fn item_added(
    item: WireItem<'_>,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    if let Some(id) = nonempty(item.id.as_ref()) {
        state.seen_items.insert(id.to_owned());
    }
    match item.kind.0.as_ref() {
        "function_call" => {
            let Some(key) = nonempty(item.id.as_ref())
                .or_else(|| nonempty(item.call_id.as_ref()))
                .map(str::to_owned)
            else {
                // Without an id its deltas cannot be matched: it is read whole when done.
                return Ok(());
            };
            let mut whole = Vec::new();
            let provider = parts.provider_name.clone();
            item_parts(
                item,
                provider.as_deref(),
                &mut whole,
                &mut None,
                &mut parts.warnings,
            )?;
            for part in whole {
                parts.handle_part(Some(VendorId::Key(&key)), part);
            }
            if let Some(early) = state.early_args.remove(&key) {
                parts.handle_tool_call_delta(
                    Some(VendorId::Key(&key)),
                    None,
                    Some(ArgsDelta::Json(&early)),
                    None,
                )?;
                state.args_streamed.insert(key.clone());
            }
            state.started.insert(key);
        }
        "message" => {
            if let (Some(id), Some(phase)) =
                (nonempty(item.id.as_ref()), nonempty(item.phase.as_ref()))
            {
                state.phases.insert(id.to_owned(), phase.to_owned());
            }
        }
        // Reasoning arrives in summary parts; other items are reported when done.
        _ => {}
    }
    Ok(())
}

/// `response.output_item.done`: an item nothing of which was streamed is read whole; a
/// streamed one gets what only its end carries (whole arguments, raw reasoning, signature).
pub(super) fn item_done(
    item: WireItem<'_>,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let kind = item.kind.0.as_ref();
    let key = match kind {
        "function_call" => nonempty(item.id.as_ref()).or_else(|| nonempty(item.call_id.as_ref())),
        _ => nonempty(item.id.as_ref()),
    }
    .map(str::to_owned);
    if let Some(id) = nonempty(item.id.as_ref()) {
        state.seen_items.insert(id.to_owned());
    }
    let started = key.as_deref().is_some_and(|k| state.is_started(k));
    if !matches!(kind, "message" | "function_call" | "reasoning") {
        parts.warnings.push(unread_item(kind));
        return Ok(());
    }
    if !started {
        // Nothing of it was streamed: the whole item, as a whole response has it.
        if let Some(key) = &key {
            state.early_args.remove(key);
        }
        let mut whole = Vec::new();
        let provider = parts.provider_name.clone();
        item_parts(
            item,
            provider.as_deref(),
            &mut whole,
            &mut state.refusal,
            &mut parts.warnings,
        )?;
        for part in whole {
            parts.handle_part(key.as_deref().map(VendorId::Key), part);
        }
        if let Some(key) = key {
            state.started.insert(key);
        }
        return Ok(());
    }
    let Some(key) = key else {
        return Ok(());
    };
    let vendor = Some(VendorId::Key(&key));
    match kind {
        // No argument was streamed: they came whole, with the item.
        "function_call" if !state.args_streamed.contains(&key) => {
            if let Some(WireArgs::Text(args)) = item.arguments {
                if !args.is_empty() {
                    parts.handle_tool_call_delta(
                        vendor,
                        None,
                        Some(ArgsDelta::Json(&args)),
                        None,
                    )?;
                }
            }
        }
        "reasoning" => {
            let mut raw: Vec<Value> = item
                .content
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| cow(c.text).map(|t| Value::String(t.into_owned())))
                .collect();
            let streamed = state.raw_reasoning.remove(&key).unwrap_or_default();
            if raw.is_empty() {
                raw = streamed.into_values().map(Value::String).collect();
            }
            if !raw.is_empty() {
                let mut details = Map::new();
                details.insert("raw_content".into(), Value::Array(raw));
                parts.handle_provider_details(VendorId::Key(&key), details)?;
            }
            if let Some(signature) = nonempty(item.encrypted_content.as_ref()) {
                parts.handle_thinking_delta(vendor, None, Some(signature), None)?;
            }
        }
        // A streamed message: its text came in deltas.
        _ => {}
    }
    Ok(())
}

/// `response.output_text.delta`: more text, or the first, which starts the message's part.
pub(super) fn text_delta(
    event: TextDeltaEvent<'_>,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    // Some gateways send `delta: null`.
    let Some(delta) = event.delta else {
        return Ok(());
    };
    let Some(id) = nonempty(event.item_id.as_ref()) else {
        return parts.handle_text_delta(None, delta.0);
    };
    if state.is_started(id) {
        return parts.handle_text_delta(Some(VendorId::Key(id)), delta.0);
    }
    // The first text of a message: its part starts with the message's id and phase.
    let details = state.phases.remove(id).map(|phase| {
        let mut details = Map::new();
        details.insert("phase".into(), Value::String(phase));
        details
    });
    let part = TextPart {
        content: delta.0.into_owned(),
        id: Some(id.to_owned()),
        provider_name: parts.provider_name.clone(),
        provider_details: details,
    };
    parts.handle_part(Some(VendorId::Key(id)), part.into());
    state.started.insert(id.to_owned());
    Ok(())
}

/// `response.output_text.done`: the logprobs (and a phase no delta carried); the whole text
/// when no delta came.
pub(super) fn text_done(
    event: PieceEvent<'_>,
    kind: &str,
    data: &str,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let Some(id) = nonempty(event.item_id.as_ref()) else {
        tracing::debug!(
            target: "llm_runtime::providers",
            "a `response.output_text.done` event without `item_id` was skipped"
        );
        return Ok(());
    };
    let mut details = Map::new();
    if let Some(logprobs) = event.logprobs.filter(|l| !l.is_empty()) {
        details.insert("logprobs".into(), Value::Array(token_logprobs(logprobs)));
    }
    if let Some(phase) = state.phases.remove(id) {
        details.insert("phase".into(), Value::String(phase));
    }
    if state.is_started(id) {
        if !details.is_empty() {
            parts.handle_provider_details(VendorId::Key(id), details)?;
        }
        return Ok(());
    }
    if event.text.is_none() {
        return Ok(());
    }
    // The text was skipped: read it now that it is the part's.
    let done: DoneText<'_> = common::parse_event(data, format_args!("`{kind}` event"))?;
    let Some(text) = done.text else {
        return Ok(());
    };
    let part = TextPart {
        content: text.0.into_owned(),
        id: Some(id.to_owned()),
        provider_name: parts.provider_name.clone(),
        provider_details: (!details.is_empty()).then_some(details),
    };
    parts.handle_part(Some(VendorId::Key(id)), part.into());
    state.started.insert(id.to_owned());
    Ok(())
}

/// A summary part starting, or more of its text: summary `n` of item `rs` is the part
/// `rs` (`n` = 0) or `rs-n`, all with the item's id.
pub(super) fn summary_text(
    event: &PieceEvent<'_>,
    text: &str,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let Some(id) = nonempty(event.item_id.as_ref()) else {
        return parts.handle_thinking_delta(None, Some(text), None, None);
    };
    let vendor = match event.summary_index.unwrap_or(0) {
        0 => id.to_owned(),
        n => format!("{id}-{n}"),
    };
    if state.is_started(&vendor) {
        return parts.handle_thinking_delta(Some(VendorId::Key(&vendor)), Some(text), None, None);
    }
    let part = ThinkingPart {
        content: text.to_owned(),
        id: Some(id.to_owned()),
        provider_name: parts.provider_name.clone(),
        ..ThinkingPart::default()
    };
    parts.handle_part(Some(VendorId::Key(&vendor)), part.into());
    state.started.insert(vendor);
    Ok(())
}

/// Raw reasoning text (gpt-oss's chain of thought on compatible servers): kept in
/// `provider_details["raw_content"]`, as pydantic-ai does, which is set when the item is
/// done; the thinking part starts with the first delta.
pub(super) fn raw_reasoning_delta(
    event: PieceEvent<'_>,
    data: &str,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let Some(id) = nonempty(event.item_id.as_ref()) else {
        return Err(Error::unexpected_with_body(
            "a reasoning text delta has no `item_id`",
            data.as_bytes(),
        ));
    };
    let delta = event.delta.as_ref().map_or("", |d| d.0.as_ref());
    state
        .raw_reasoning
        .entry(id.to_owned())
        .or_default()
        .entry(event.content_index.unwrap_or(0))
        .or_default()
        .push_str(delta);
    if !state.is_started(id) {
        let part = ThinkingPart {
            id: Some(id.to_owned()),
            provider_name: parts.provider_name.clone(),
            ..ThinkingPart::default()
        };
        parts.handle_part(Some(VendorId::Key(id)), part.into());
        state.started.insert(id.to_owned());
    }
    Ok(())
}

/// More of a function call's arguments; before their call (a gateway that skips
/// `output_item.added`) they wait in the state.
pub(super) fn args_delta(
    event: PieceEvent<'_>,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let Some(delta) = event.delta else {
        return Ok(());
    };
    let Some(id) = nonempty(event.item_id.as_ref()) else {
        return parts.handle_tool_call_delta(None, None, Some(ArgsDelta::Json(&delta.0)), None);
    };
    if state.is_started(id) {
        parts.handle_tool_call_delta(
            Some(VendorId::Key(id)),
            None,
            Some(ArgsDelta::Json(&delta.0)),
            None,
        )?;
        if !state.args_streamed.contains(id) {
            state.args_streamed.insert(id.to_owned());
        }
    } else {
        // Arguments before their call (a gateway that skips `output_item.added`).
        state
            .early_args
            .entry(id.to_owned())
            .or_default()
            .push_str(&delta.0);
    }
    Ok(())
}
