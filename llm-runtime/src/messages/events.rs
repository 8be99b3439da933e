//! Stream events and the deltas they carry (pydantic-ai's `ModelResponseStreamEvent`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::response::{ModelResponsePart, PartKind, ToolArgs};
use super::serde_util::self_tagged_enum;

/// `From<T>` for the variants that hold a `Box<T>`, so callers write `event.into()` and
/// never spell the box.
macro_rules! boxed_from {
    ($name:ident { $($variant:ident($inner:ty)),* $(,)? }) => {
        $(
            impl From<$inner> for $name {
                fn from(inner: $inner) -> Self {
                    $name::$variant(Box::new(inner))
                }
            }
        )*
    };
}

/// An event of a streamed response, tagged by `event_kind` in JSON.
///
/// The rare, large events (one start and one end per part) are boxed so that the common
/// [`PartDelta`](Self::PartDelta) event stays small: every event is moved several times
/// between the parts manager's queue and the consumer, and each open stream holds a queue
/// slot of this size. Build them with `.into()` from the unboxed event structs; a match arm
/// reads them through the box (`PartStart(start) => start.part`). JSON is unchanged.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "event_kind")]
pub enum ModelResponseStreamEvent {
    /// A new part started (`part_start`).
    #[serde(rename = "part_start")]
    PartStart(Box<PartStartEvent>),
    /// A part grew (`part_delta`).
    #[serde(rename = "part_delta")]
    PartDelta(PartDeltaEvent),
    /// A part is complete (`part_end`).
    #[serde(rename = "part_end")]
    PartEnd(Box<PartEndEvent>),
    /// The part that will produce the final result started (`final_result`).
    #[serde(rename = "final_result")]
    FinalResult(FinalResultEvent),
}

self_tagged_enum!(ModelResponseStreamEvent {
    PartStart(Box<PartStartEvent>),
    PartDelta(PartDeltaEvent),
    PartEnd(Box<PartEndEvent>),
    FinalResult(FinalResultEvent),
});
boxed_from!(ModelResponseStreamEvent {
    PartStart(PartStartEvent),
    PartEnd(PartEndEvent),
});

// A text delta event is the hot path: keep the event about the size of a `TextPartDelta`
// plus its index (the boxes above keep the parts out of it): 128 and 120 bytes today,
// down from 352 and 216.
const _: () = assert!(std::mem::size_of::<ModelResponseStreamEvent>() <= 128);
const _: () = assert!(std::mem::size_of::<ModelResponsePartDelta>() <= 120);

/// A new part started at `index`. A second start at the same index replaces the part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_kind", rename = "part_start")]
pub struct PartStartEvent {
    /// The index of the part in the response.
    pub index: usize,
    /// The part as it starts.
    pub part: ModelResponsePart,
    /// The kind of the part before it, if any.
    #[serde(default)]
    pub previous_part_kind: Option<PartKind>,
}

/// The part at `index` grew by `delta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_kind", rename = "part_delta")]
pub struct PartDeltaEvent {
    /// The index of the part in the response.
    pub index: usize,
    /// What was added.
    pub delta: ModelResponsePartDelta,
}

/// The part at `index` is complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_kind", rename = "part_end")]
pub struct PartEndEvent {
    /// The index of the part in the response.
    pub index: usize,
    /// The complete part.
    pub part: ModelResponsePart,
    /// The kind of the part after it, if any.
    #[serde(default)]
    pub next_part_kind: Option<PartKind>,
}

/// The part that will produce the final result started: text when text output is allowed,
/// or a call of an output tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_kind", rename = "final_result")]
pub struct FinalResultEvent {
    /// The output tool that was called; `None` for text.
    pub tool_name: Option<String>,
    /// The id of that call; `None` for text.
    pub tool_call_id: Option<String>,
}

/// A change to one part, tagged by `part_delta_kind` in JSON.
///
/// The thinking and tool-call deltas are boxed so that the enum is the size of the common
/// [`TextPartDelta`]; build them with `.into()` from the unboxed delta structs. JSON is
/// unchanged.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "part_delta_kind")]
pub enum ModelResponsePartDelta {
    /// More text (`text`).
    #[serde(rename = "text")]
    Text(TextPartDelta),
    /// More reasoning or a signature (`thinking`).
    #[serde(rename = "thinking")]
    Thinking(Box<ThinkingPartDelta>),
    /// More of a tool call (`tool_call`).
    #[serde(rename = "tool_call")]
    ToolCall(Box<ToolCallPartDelta>),
}

self_tagged_enum!(ModelResponsePartDelta {
    Text(TextPartDelta),
    Thinking(Box<ThinkingPartDelta>),
    ToolCall(Box<ToolCallPartDelta>),
});
boxed_from!(ModelResponsePartDelta {
    Thinking(ThinkingPartDelta),
    ToolCall(ToolCallPartDelta),
});

/// Text appended to a [`TextPart`](super::TextPart).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "part_delta_kind", rename = "text")]
pub struct TextPartDelta {
    /// The text to append.
    pub content_delta: String,
    /// The provider of this delta's details.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider details merged into the part's.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

/// Reasoning appended to a [`ThinkingPart`](super::ThinkingPart), or its signature.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "part_delta_kind", rename = "thinking")]
pub struct ThinkingPartDelta {
    /// Reasoning to append.
    #[serde(default)]
    pub content_delta: Option<String>,
    /// A signature that replaces the part's.
    #[serde(default)]
    pub signature_delta: Option<String>,
    /// The provider of the signature or details.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider details merged into the part's.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

/// A piece of a [`ToolCallPart`](super::ToolCallPart): more of its name, its arguments, its id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "part_delta_kind", rename = "tool_call")]
pub struct ToolCallPartDelta {
    /// Text appended to the tool name.
    #[serde(default)]
    pub tool_name_delta: Option<String>,
    /// Arguments: a JSON fragment appended to string arguments, or an object merged into
    /// object arguments.
    #[serde(default)]
    pub args_delta: Option<ToolArgs>,
    /// The call's id, when it arrives.
    #[serde(default)]
    pub tool_call_id: Option<String>,
    /// The provider of the details.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider details merged into the part's.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::TextPart;
    use serde_json::json;

    #[test]
    fn events_serialize_as_pydantic_ai() {
        let event = ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
            index: 0,
            delta: ModelResponsePartDelta::Text(TextPartDelta {
                content_delta: "Hi".into(),
                ..Default::default()
            }),
        });
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(
            value,
            json!({"index": 0, "delta": {"part_delta_kind": "text", "content_delta": "Hi",
                "provider_name": null, "provider_details": null}, "event_kind": "part_delta"})
        );
        assert_eq!(
            serde_json::from_value::<ModelResponseStreamEvent>(value).unwrap(),
            event
        );

        let start: ModelResponseStreamEvent = PartStartEvent {
            index: 1,
            part: TextPart::new("").into(),
            previous_part_kind: Some(PartKind::ToolCall),
        }
        .into();
        let value = serde_json::to_value(&start).unwrap();
        assert_eq!(value["previous_part_kind"], "tool-call");
        assert_eq!(value["event_kind"], "part_start");
    }
}
