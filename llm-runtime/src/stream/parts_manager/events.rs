//! The event queue: `PartStart`, `PartEnd` and `FinalResult` in pydantic-ai's order, and the
//! end of the stream.

use super::{ManagedPart, PartsManager};
use crate::messages::{
    FinalResultEvent, ModelResponsePart, ModelResponseStreamEvent, PartEndEvent, PartKind,
    PartStartEvent,
};
use crate::warning::Warning;

/// A queued event. A part's start is queued as its index and built when it is taken: an open
/// stream waiting for its consumer holds its first part once, not also a boxed copy in the
/// queue. A part is never changed while its start is queued unbuilt: the parts manager
/// builds the event first (see `PartsManager::part_mut`), so the event shows the part as it
/// started.
#[derive(Debug)]
pub(super) enum Queued {
    Event(ModelResponseStreamEvent),
    Start {
        index: usize,
        previous_part_kind: Option<PartKind>,
    },
}

// The queue's slots stay the size of an event (the unbuilt start fits in its niche).
const _: () =
    assert!(std::mem::size_of::<Queued>() == std::mem::size_of::<ModelResponseStreamEvent>());

impl PartsManager {
    /// Takes the next queued event.
    #[inline]
    pub(crate) fn pop_event(&mut self) -> Option<ModelResponseStreamEvent> {
        if self.unbuilt_starts != 0 {
            self.build_front();
        }
        // The front is a built event now: taken straight out, with no start to build on
        // this path (the queue's slot and the event share their layout).
        match self.events.pop_front() {
            Some(Queued::Event(event)) => Some(event),
            _ => None,
        }
    }

    /// Builds the start at the front of the queue, if there is one, in place.
    #[cold]
    fn build_front(&mut self) {
        if let Some(&Queued::Start {
            index,
            previous_part_kind,
        }) = self.events.front()
        {
            let event = self.start_event(index, previous_part_kind);
            self.events[0] = Queued::Event(event);
            self.unbuilt_starts -= 1;
        }
    }

    /// The start event of the part at `index`, as it is now.
    fn start_event(
        &self,
        index: usize,
        previous_part_kind: Option<PartKind>,
    ) -> ModelResponseStreamEvent {
        let part = match &self.parts[index] {
            ManagedPart::Part(part) => part.clone(),
            // Only a whole part's start is queued, and a queued part is not replaced (it
            // becomes a built event first); kept total rather than panicking.
            ManagedPart::PendingToolCall(pending) => {
                super::tool_call::into_call(pending.clone()).into()
            }
        };
        PartStartEvent {
            index,
            part,
            previous_part_kind,
        }
        .into()
    }

    /// Builds the queued start events of the part at `index`, before it changes.
    #[cold]
    pub(super) fn build_starts(&mut self, index: usize) {
        for at in 0..self.events.len() {
            if let Queued::Start {
                index: queued,
                previous_part_kind,
            } = self.events[at]
            {
                if queued == index {
                    let event = self.start_event(index, previous_part_kind);
                    self.events[at] = Queued::Event(event);
                    self.unbuilt_starts -= 1;
                }
            }
        }
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

    // Inlined so that an event is written into its queue slot, not copied there.
    #[inline(always)]
    pub(super) fn emit(&mut self, event: ModelResponseStreamEvent) {
        self.events.push_back(Queued::Event(event));
    }

    /// Emits `PartStart` for the part at `index`, preceded by the `PartEnd` of the previously
    /// started part and followed by `FinalResult` when this is the first part that produces
    /// the final result.
    pub(super) fn emit_start(&mut self, index: usize) {
        let ManagedPart::Part(part) = &self.parts[index] else {
            return;
        };
        let part_kind = part.part_kind();
        let mut previous_part_kind = None;
        if let Some(last) = self.last_started {
            if let ManagedPart::Part(previous) = &self.parts[last] {
                previous_part_kind = Some(previous.part_kind());
            }
            if let Some(previous) = self.parts[last].with_end() {
                let end = ModelResponseStreamEvent::from(PartEndEvent {
                    index: last,
                    part: previous.clone(),
                    next_part_kind: Some(part_kind),
                });
                self.emit(end);
            }
        }
        self.last_started = Some(index);
        let final_result = if self.final_result_sent {
            None
        } else {
            match &self.parts[index] {
                ManagedPart::Part(ModelResponsePart::Text(_)) if self.allow_text_output => {
                    Some(FinalResultEvent {
                        tool_name: None,
                        tool_call_id: None,
                    })
                }
                ManagedPart::Part(ModelResponsePart::ToolCall(call))
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
        self.events.push_back(Queued::Start {
            index,
            previous_part_kind,
        });
        self.unbuilt_starts += 1;
        if let Some(event) = final_result {
            self.final_result_sent = true;
            self.emit(ModelResponseStreamEvent::FinalResult(event));
        }
    }
}
