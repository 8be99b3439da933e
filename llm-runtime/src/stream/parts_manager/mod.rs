//! [`PartsManager`]: turns a provider's stream chunks into events and the final response
//! (pydantic-ai's `ModelResponsePartsManager`, plus the part-end and final-result events its
//! `StreamedResponse` adds).

mod details;
mod events;
mod metadata;
mod text;
mod thinking;
mod tool_call;
mod vendor;

use std::collections::VecDeque;

use crate::messages::now;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::messages::{
    FinishReason, ModelResponse, ModelResponsePart, ResponseState, ToolCallPartDelta,
};
use crate::models::{BuiltinTool, ModelRequestParameters};
use crate::usage::Usage;
use crate::warning::Warnings;

use events::Queued;
pub use tool_call::ArgsDelta;
pub use vendor::VendorId;
use vendor::VendorMap;

/// A part being built: complete enough to show, or a tool call still waiting for its name.
#[derive(Debug, Clone)]
enum ManagedPart {
    Part(ModelResponsePart),
    PendingToolCall(ToolCallPartDelta),
}

impl ManagedPart {
    /// The part, when it gets a `PartEnd`: as in pydantic-ai, only the parts that grow by
    /// deltas (text, thinking, tool calls and built-in tool calls) do.
    fn with_end(&self) -> Option<&ModelResponsePart> {
        match self {
            ManagedPart::Part(
                part @ (ModelResponsePart::Text(_)
                | ModelResponsePart::Thinking(_)
                | ModelResponsePart::ToolCall(_)
                | ModelResponsePart::BuiltinToolCall(_)),
            ) => Some(part),
            _ => None,
        }
    }
}

/// Accumulates a streamed response: its parts (from deltas keyed by the provider's part ids),
/// its usage and metadata, and the events to hand to the consumer.
///
/// Providers call the `handle_*` methods for each chunk; the events they cause are queued and
/// taken by [`StreamedResponse`](super::StreamedResponse). Text, reasoning and string
/// arguments are appended in place: each delta costs one copy of its text into the part and
/// one into its event (none for a text delta handed over owned, which its event takes).
#[derive(Debug)]
pub struct PartsManager {
    parts: Vec<ManagedPart>,
    by_vendor: VendorMap,
    events: VecDeque<Queued>,
    /// How many of the queued events are starts not built yet.
    unbuilt_starts: u32,
    last_started: Option<usize>,
    final_result_sent: bool,
    allow_text_output: bool,
    output_tools: Vec<String>,
    /// The built-in tools the request enabled (a protocol may treat a server tool's call
    /// differently when its tool was not asked for, as pydantic-ai does).
    pub builtin_tools: Vec<BuiltinTool>,
    /// Token usage so far; providers overwrite or add to it as usage chunks arrive.
    pub usage: Usage,
    /// The model that answers (starts as the requested model name).
    pub model_name: String,
    /// The provider's name.
    pub provider_name: Option<String>,
    /// The provider's base URL.
    pub provider_url: Option<String>,
    /// What the protocol could not keep of the stream so far (the driver logs and clears
    /// them after each event).
    pub warnings: Warnings,
    /// The provider's id of the response.
    pub provider_response_id: Option<String>,
    /// Why the model stopped, when known.
    pub finish_reason: Option<FinishReason>,
    /// Provider data without a standard field.
    pub provider_details: Option<Map<String, Value>>,
    /// When the response started.
    pub timestamp: DateTime<Utc>,
    /// A state the provider sets explicitly (e.g. `Suspended`); otherwise derived from how the
    /// stream ended.
    pub state_hint: Option<ResponseState>,
}

impl PartsManager {
    /// An empty response to `model_name`, for a request with `parameters` (which decide when
    /// the final-result event is sent).
    pub fn new(model_name: impl Into<String>, parameters: &ModelRequestParameters) -> Self {
        // Room for one part, not the four a first push reserves (4 x 328 bytes): most
        // responses have one part, and an open stream holds this for as long as it is open.
        // Likewise two events, what the first part queues (its start and the final result),
        // not four.
        PartsManager {
            parts: Vec::with_capacity(1),
            by_vendor: VendorMap::default(),
            events: VecDeque::with_capacity(2),
            unbuilt_starts: 0,
            last_started: None,
            final_result_sent: false,
            allow_text_output: parameters.allow_text_output,
            output_tools: parameters
                .output_tools
                .iter()
                .map(|t| t.name.clone())
                .collect(),
            builtin_tools: parameters.builtin_tools.clone(),
            usage: Usage::default(),
            model_name: model_name.into(),
            provider_name: None,
            provider_url: None,
            warnings: Warnings::new(),
            provider_response_id: None,
            finish_reason: None,
            provider_details: None,
            timestamp: now(),
            state_hint: None,
        }
    }

    /// Sets the provider's name and base URL.
    pub fn with_provider(mut self, name: impl Into<String>, url: Option<String>) -> Self {
        self.provider_name = Some(name.into());
        self.provider_url = url;
        self
    }

    /// The part at `index`, to change: a start of it still queued is built first, so that
    /// the event shows the part as it started.
    #[inline]
    fn part_mut(&mut self, index: usize) -> &mut ManagedPart {
        if self.unbuilt_starts != 0 {
            self.build_starts(index);
        }
        &mut self.parts[index]
    }

    fn lookup(&self, vendor: VendorId<'_>) -> Option<usize> {
        self.by_vendor.get(vendor)
    }

    fn track(&mut self, vendor: Option<VendorId<'_>>, index: usize) {
        if let Some(vendor) = vendor {
            self.by_vendor.insert(vendor, index);
        }
    }

    fn append(&mut self, part: ManagedPart, vendor: Option<VendorId<'_>>) -> usize {
        let index = self.parts.len();
        self.parts.push(part);
        self.track(vendor, index);
        index
    }

    /// The index of the latest part, when it is complete and `matches`.
    fn latest_if(&self, matches: impl Fn(&ManagedPart) -> bool) -> Option<usize> {
        let last = self.parts.len().checked_sub(1)?;
        matches(&self.parts[last]).then_some(last)
    }

    fn kind_error(&self, what: &str, index: usize) -> Error {
        Error::unexpected(format!(
            "cannot apply a {what} delta to part {index}, which is a {}",
            match &self.parts[index] {
                ManagedPart::Part(p) => format!("{:?} part", p.part_kind()),
                ManagedPart::PendingToolCall(_) => "tool call".to_owned(),
            }
        ))
    }

    /// Adds a whole part, or replaces the part of the same kind that `vendor` identifies.
    pub fn handle_part(&mut self, vendor: Option<VendorId<'_>>, part: ModelResponsePart) {
        let replace = vendor.and_then(|v| self.lookup(v)).filter(|&i| {
            matches!(&self.parts[i], ManagedPart::Part(p) if p.part_kind() == part.part_kind())
        });
        let index = match replace {
            Some(i) => {
                *self.part_mut(i) = ManagedPart::Part(part);
                i
            }
            None => self.append(ManagedPart::Part(part), vendor),
        };
        self.track(vendor, index);
        self.emit_start(index);
    }

    /// Adds a whole part without announcing it (no `PartStart`), keeping its place: a later
    /// [`handle_part`](Self::handle_part) with the same `vendor` replaces and announces it. For
    /// a part whose content arrives events later (Gemini's file search results, which
    /// pydantic-ai reserves this way).
    pub fn reserve_part(&mut self, vendor: VendorId<'_>, part: ModelResponsePart) {
        self.append(ManagedPart::Part(part), Some(vendor));
    }

    /// Forgets `vendor`, so that its next delta starts a new part.
    pub fn stop_tracking(&mut self, vendor: VendorId<'_>) {
        self.by_vendor.remove(vendor);
    }

    /// The parts so far, without tool calls still waiting for their name.
    pub fn parts(&self) -> impl Iterator<Item = &ModelResponsePart> + Clone {
        self.parts.iter().filter_map(|p| match p {
            ManagedPart::Part(part) => Some(part),
            ManagedPart::PendingToolCall(_) => None,
        })
    }

    /// The response so far, in the given state.
    pub(crate) fn response(&self, state: ResponseState) -> ModelResponse {
        let mut usage = self.usage.clone();
        if usage.requests == 0 {
            usage.requests = 1;
        }
        usage.recompute_total();
        ModelResponse {
            parts: self.parts().cloned().collect(),
            usage,
            model_name: Some(self.model_name.clone()),
            timestamp: self.timestamp,
            provider_name: self.provider_name.clone(),
            provider_url: self.provider_url.clone(),
            provider_details: self.provider_details.clone(),
            provider_response_id: self.provider_response_id.clone(),
            finish_reason: self.finish_reason,
            state: self.state_hint.unwrap_or(state),
            ..ModelResponse::default()
        }
    }
}

#[cfg(test)]
mod tests;
