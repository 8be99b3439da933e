//! ConverseStream events to [`PartsManager`] calls, as pydantic-ai's `BedrockStreamedResponse`
//! applies them: `messageStart`, `contentBlockStart` (a tool call's name and id),
//! `contentBlockDelta` (text, reasoning, a tool call's argument fragment, a built-in tool's
//! result), `contentBlockStop` (a built-in tool's return is added whole then, as pydantic-ai
//! does), `messageStop` (the stop reason) and `metadata` (the usage, last).
//!
//! Exception events (`throttlingException`, `modelStreamErrorException`,
//! `validationException`, `serviceUnavailableException`, …) become [`Error::Http`] with the
//! status AWS gives the same exception outside a stream, so that the retryable ones (429, 5xx)
//! are retried where the driver may still retry (before the first event).
//!
//! The frames themselves (AWS event-stream: prelude, headers, CRCs) are decoded by the driver
//! ([`Framing::AwsEventStream`](crate::providers::Framing)): this file sees each event's type
//! and its JSON payload, parsed by [`parse_event`] and applied by [`on_event`].

use std::borrow::Cow;

use serde_json::Value;

use super::builtin_tools::{self, SERVER_TOOL_USE};
use super::delta::TextDelta;
use super::response::{map_stop_reason, redacted_signature, usage};
use super::wire::{
    ContentBlockDelta, ContentBlockStart, ContentBlockStop, ExceptionPayload, MessageStop, Metadata,
};
use super::REDACTED_CONTENT_ID;
use crate::error::{Error, Result};
use crate::messages::{BuiltinToolReturnPart, ThinkingPart};
use crate::providers::Flow;
use crate::stream::{ArgsDelta, PartsManager, VendorId};
use crate::warning::Warning;

/// One ConverseStream event, parsed (a delta's strings borrowed from the payload).
#[derive(Debug)]
pub struct ConverseEvent<'a>(Event<'a>);

/// A ConverseStream event by its type. A text delta (nearly every event) is its index and
/// text alone, and the payloads of the other events that are large are boxed, so that the
/// event is moved as a small value.
#[derive(Debug)]
enum Event<'a> {
    MessageStart,
    ContentBlockStart(Box<ContentBlockStart>),
    /// A `contentBlockDelta` whose delta is a text and nothing else.
    TextDelta {
        index: u64,
        text: Cow<'a, str>,
    },
    ContentBlockDelta(Box<ContentBlockDelta<'a>>),
    ContentBlockStop(ContentBlockStop),
    MessageStop(MessageStop),
    Metadata(Box<Metadata>),
    Exception,
    Unknown,
}

/// Parses the payload of the event named `name` (its `:event-type`, or the `:exception-type`
/// of an exception).
///
/// # Errors
/// The JSON error when the payload is not the event's.
pub fn parse_event<'a>(name: &str, data: &'a str) -> serde_json::Result<ConverseEvent<'a>> {
    Ok(ConverseEvent(match name {
        "messageStart" => Event::MessageStart,
        "contentBlockStart" => Event::ContentBlockStart(serde_json::from_str(data)?),
        // Nearly every event: a text delta is read into its index and text alone (and in
        // full, whose result or error is the one used, when it is anything else).
        "contentBlockDelta" => match serde_json::from_str::<TextDelta<'_>>(data) {
            Ok(TextDelta { index, text }) => Event::TextDelta { index, text },
            Err(_) => Event::ContentBlockDelta(serde_json::from_str(data)?),
        },
        "contentBlockStop" => Event::ContentBlockStop(serde_json::from_str(data)?),
        "messageStop" => Event::MessageStop(serde_json::from_str(data)?),
        "metadata" => Event::Metadata(serde_json::from_str(data)?),
        other if exception_status(other).is_some() => Event::Exception,
        _ => Event::Unknown,
    }))
}

/// What a Converse stream remembers between events.
#[derive(Debug, Default)]
pub struct ConverseStreamState {
    /// Block indexes of unmapped built-in tools' calls and results, whose deltas are skipped.
    skipped_blocks: Vec<u64>,
    /// Built-in tools' returns by block index, filled by deltas until their block ends.
    returns: Vec<(u64, BuiltinToolReturnPart)>,
    /// Whether `messageStop` came.
    stopped: bool,
}

impl ConverseStreamState {
    /// Whether `messageStop` came: after it, the end of the body is not a truncation.
    pub fn stopped(&self) -> bool {
        self.stopped
    }
}

/// The HTTP status AWS sends an exception with outside a stream; `None` for a name that is no
/// exception of the Converse API.
pub fn exception_status(name: &str) -> Option<u16> {
    Some(match name {
        "throttlingException" => 429,
        "serviceUnavailableException" => 503,
        "internalServerException" => 500,
        "modelStreamErrorException" => 424,
        "modelTimeoutException" => 408,
        "validationException" => 400,
        "accessDeniedException" => 403,
        "resourceNotFoundException" => 404,
        "modelNotReadyException" => 429,
        _ => return None,
    })
}

/// The error an exception event (or an error response of the given `x-amzn-ErrorType`)
/// stands for: [`Error::Http`] with its status and payload.
pub fn exception_error(name: &str, payload: &[u8], model_name: &str) -> Error {
    let status = exception_status(name).unwrap_or(500);
    let message = serde_json::from_slice::<ExceptionPayload>(payload)
        .ok()
        .and_then(|p| p.message)
        .unwrap_or_else(|| String::from_utf8_lossy(payload).into_owned());
    let body = serde_json::json!({"Error": {"Code": name, "Message": message}}).to_string();
    Error::http(status, model_name, body.as_bytes(), None)
}

/// Applies one parsed event (`name` and `data` as they came, for errors and warnings). The
/// provider name that marks signed reasoning is the parts manager's.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] for a delta that does not fit its part; [`Error::Http`]
/// for an exception event.
pub fn on_event(
    event: ConverseEvent<'_>,
    name: &str,
    data: &str,
    state: &mut ConverseStreamState,
    parts: &mut PartsManager,
) -> Result<Flow> {
    match event.0 {
        Event::MessageStart => {}
        Event::ContentBlockStart(start) => {
            let index = start.content_block_index;
            if let Some(tool_use) = start.start.tool_use {
                if tool_use.kind.as_deref() == Some(SERVER_TOOL_USE) {
                    let provider_name = provider_name(parts);
                    match builtin_tools::call_part(tool_use, &provider_name, &mut parts.warnings) {
                        Some(call) => parts.handle_part(Some(VendorId::Index(index)), call.into()),
                        None => state.skipped_blocks.push(index),
                    }
                } else {
                    parts.handle_tool_call_delta(
                        Some(VendorId::Index(index)),
                        tool_use.name.as_deref(),
                        None,
                        tool_use.tool_use_id.as_deref(),
                    )?;
                }
            } else if let Some(result) = start.start.tool_result {
                let provider_name = provider_name(parts);
                match builtin_tools::return_part(&result, &provider_name, &mut parts.warnings) {
                    // Its content comes in deltas; the part is added whole when the block ends.
                    Some(part) => state.returns.push((index, part)),
                    None => state.skipped_blocks.push(index),
                }
            }
        }
        Event::TextDelta { index, text } => {
            // As a `ContentBlockDelta` with only this text: a built-in tool's result takes
            // none, a skipped block none, an empty text is nothing.
            let returning = state.returns.iter().any(|(i, _)| *i == index);
            if !returning && !state.skipped_blocks.contains(&index) && !text.is_empty() {
                parts.handle_text_delta(Some(VendorId::Index(index)), text)?;
            }
        }
        Event::ContentBlockDelta(delta) => {
            let delta = *delta;
            let index = delta.content_block_index;
            if let Some((_, part)) = state.returns.iter_mut().find(|(i, _)| *i == index) {
                if let Some(blocks) = delta.delta.tool_result.filter(|b| !b.is_empty()) {
                    part.content = builtin_tools::result_content(&blocks);
                }
            } else if !state.skipped_blocks.contains(&index) {
                apply_delta(index, delta.delta, parts)?;
            }
        }
        Event::ContentBlockStop(stop) => {
            let index = stop.content_block_index;
            state.skipped_blocks.retain(|i| *i != index);
            if let Some(at) = state.returns.iter().position(|(i, _)| *i == index) {
                let (_, part) = state.returns.remove(at);
                parts.handle_part(Some(VendorId::Index(index)), part.into());
            }
        }
        Event::MessageStop(stop) => {
            state.stopped = true;
            if let Some(reason) = stop.stop_reason {
                parts.finish_reason = map_stop_reason(&reason);
                let mut details = serde_json::Map::new();
                details.insert("finish_reason".into(), Value::String(reason));
                parts.provider_details = Some(details);
            }
        }
        Event::Metadata(metadata) => {
            if let Some(wire) = metadata.usage {
                parts.usage = usage(&wire);
            }
            // AWS sends `metadata` after `messageStop`: without it the answer was cut.
            if !state.stopped {
                return Err(Error::unexpected(
                    "the stream sent `metadata` before `messageStop`: the response is truncated",
                ));
            }
            return Ok(Flow::Done);
        }
        Event::Exception => return Err(exception_error(name, data.as_bytes(), &parts.model_name)),
        Event::Unknown => parts.warnings.push(Warning::skipped_event(
            name,
            "Bedrock sent a ConverseStream event this translation does not know",
        )),
    }
    Ok(Flow::Continue)
}

/// The provider name that marks signed reasoning and built-in tools' parts.
fn provider_name(parts: &PartsManager) -> String {
    parts
        .provider_name
        .clone()
        .unwrap_or_else(|| super::PROVIDER_NAME.to_owned())
}

fn apply_delta(index: u64, delta: super::wire::Delta<'_>, parts: &mut PartsManager) -> Result<()> {
    let vendor = Some(VendorId::Index(index));
    if let Some(reasoning) = delta.reasoning_content {
        // Only reasoning carries the provider name: a text delta copies none.
        let provider_name = provider_name(parts);
        let provider_name = provider_name.as_str();
        if let Some(redacted) = reasoning.redacted_content.filter(|r| !r.is_empty()) {
            parts.handle_part(
                vendor,
                ThinkingPart {
                    id: Some(REDACTED_CONTENT_ID.to_owned()),
                    signature: Some(redacted_signature(&redacted)?),
                    provider_name: Some(provider_name.to_owned()),
                    ..ThinkingPart::default()
                }
                .into(),
            );
        } else {
            let signature = reasoning.signature.as_deref();
            parts.handle_thinking_delta(
                vendor,
                reasoning.text.as_deref(),
                signature,
                signature.map(|_| provider_name),
            )?;
        }
    }
    if let Some(text) = delta.text.filter(|t| !t.is_empty()) {
        parts.handle_text_delta(vendor, text)?;
    }
    if let Some(tool_use) = delta.tool_use {
        parts.handle_tool_call_delta(
            vendor,
            None,
            tool_use.input.as_deref().map(ArgsDelta::Json),
            None,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
