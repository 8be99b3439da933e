//! The event queue: `PartStart`, `PartEnd` and `FinalResult` in pydantic-ai's order, and the
//! end of the stream.

use super::{ManagedPart, PartsManager};
use crate::messages::{
    FinalResultEvent, ModelResponsePart, ModelResponseStreamEvent, PartEndEvent, PartStartEvent,
};
use crate::warning::Warning;

impl PartsManager {
    /// Takes the next queued event.
    pub(crate) fn pop_event(&mut self) -> Option<ModelResponseStreamEvent> {
        self.events.pop_front()
    }

    /// Whether an event is queued for the consumer.
    pub(crate) fn has_event(&self) -> bool {
        !self.events.is_empty()
    }

    /// Ends the stream: the last started part gets its `PartEnd`. Tool calls that never
    /// received a name are left out of the response, with a warning.
    pub(crate) fn finish(&mut self) {
        if let Some(last) = self.last_started.take() {
            if let Some(part) = self.parts[last].with_end() {
                let event = ModelResponseStreamEvent::from(PartEndEvent {
                    index: last,
                    part: part.clone(),
                    next_part_kind: None,
                });
                self.emit(event);
            }
        }
        for (index, part) in self.parts.iter().enumerate() {
            if let ManagedPart::PendingToolCall(pending) = part {
                self.warnings.push(Warning::dropped_content(
                    "tool call",
                    format!(
                        "the stream ended with a tool call (part {index}, arguments {:?}) that \
                         never received its name; it is left out of the response",
                        pending.args_delta
                    ),
                ));
            }
        }
    }

    pub(super) fn emit(&mut self, event: ModelResponseStreamEvent) {
        self.events.push_back(event);
    }

    /// Emits `PartStart` for the part at `index`, preceded by the `PartEnd` of the previously
    /// started part and followed by `FinalResult` when this is the first part that produces
    /// the final result.
    pub(super) fn emit_start(&mut self, index: usize) {
        let ManagedPart::Part(part) = &self.parts[index] else {
            return;
        };
        let part = part.clone();
        let mut previous_part_kind = None;
        if let Some(last) = self.last_started {
            if let ManagedPart::Part(previous) = &self.parts[last] {
                previous_part_kind = Some(previous.part_kind());
            }
            if let Some(previous) = self.parts[last].with_end() {
                let end = ModelResponseStreamEvent::from(PartEndEvent {
                    index: last,
                    part: previous.clone(),
                    next_part_kind: Some(part.part_kind()),
                });
                self.emit(end);
            }
        }
        self.last_started = Some(index);
        let final_result = if self.final_result_sent {
            None
        } else {
            match &part {
                ModelResponsePart::Text(_) if self.allow_text_output => Some(FinalResultEvent {
                    tool_name: None,
                    tool_call_id: None,
                }),
                ModelResponsePart::ToolCall(call)
                    if self.output_tools.contains(&call.tool_name) =>
                {
                    Some(FinalResultEvent {
                        tool_name: Some(call.tool_name.clone()),
                        tool_call_id: Some(call.tool_call_id.clone()),
                    })
                }
                _ => None,
            }
        };
        self.emit(ModelResponseStreamEvent::from(PartStartEvent {
            index,
            part,
            previous_part_kind,
        }));
        if let Some(event) = final_result {
            self.final_result_sent = true;
            self.emit(ModelResponseStreamEvent::FinalResult(event));
        }
    }
}
