//! Provider details that arrive after a part's content.

use serde_json::{Map, Value};

use super::{ManagedPart, PartsManager, VendorId};
use crate::error::{Error, Result};
use crate::messages::{
    ModelResponsePart, ModelResponsePartDelta, ModelResponseStreamEvent, PartDeltaEvent,
    TextPartDelta, ThinkingPartDelta, ToolCallPartDelta,
};

impl PartsManager {
    /// Merges `details` into the provider details of the part `vendor` identifies, and emits a
    /// delta of that part's kind carrying only them (pydantic-ai's delta with empty content and
    /// `provider_details`): for data a provider sends after the part's content, such as the
    /// logprobs at the end of an OpenAI Responses text part.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when `vendor` identifies no part, or a tool call still
    /// waiting for its name.
    pub fn handle_provider_details(
        &mut self,
        vendor: VendorId<'_>,
        details: Map<String, Value>,
    ) -> Result<()> {
        let Some(index) = self.lookup(vendor) else {
            return Err(Error::unexpected(format!(
                "provider details {} arrived for {vendor:?}, which identifies no part",
                Value::Object(details)
            )));
        };
        fn merge(target: &mut Option<Map<String, Value>>, details: &Map<String, Value>) {
            let target = target.get_or_insert_with(Map::new);
            for (key, value) in details {
                target.insert(key.clone(), value.clone());
            }
        }
        let delta = match self.part_mut(index) {
            ManagedPart::Part(ModelResponsePart::Text(part)) => {
                merge(&mut part.provider_details, &details);
                ModelResponsePartDelta::Text(TextPartDelta {
                    content_delta: String::new(),
                    provider_name: None,
                    provider_details: Some(details),
                })
            }
            ManagedPart::Part(ModelResponsePart::Thinking(part)) => {
                merge(&mut part.provider_details, &details);
                ModelResponsePartDelta::from(ThinkingPartDelta {
                    provider_details: Some(details),
                    ..ThinkingPartDelta::default()
                })
            }
            ManagedPart::Part(ModelResponsePart::ToolCall(call)) => {
                merge(&mut call.provider_details, &details);
                ModelResponsePartDelta::from(ToolCallPartDelta {
                    tool_call_id: Some(call.tool_call_id.clone()),
                    provider_details: Some(details),
                    ..ToolCallPartDelta::default()
                })
            }
            ManagedPart::Part(ModelResponsePart::BuiltinToolCall(call)) => {
                merge(&mut call.provider_details, &details);
                ModelResponsePartDelta::from(ToolCallPartDelta {
                    tool_call_id: Some(call.tool_call_id.clone()),
                    provider_details: Some(details),
                    ..ToolCallPartDelta::default()
                })
            }
            // pydantic-ai has no delta for these parts: the details are kept in the part, and
            // its `PartEnd` carries them.
            ManagedPart::Part(ModelResponsePart::BuiltinToolReturn(part)) => {
                merge(&mut part.provider_details, &details);
                return Ok(());
            }
            ManagedPart::Part(ModelResponsePart::File(part)) => {
                merge(&mut part.provider_details, &details);
                return Ok(());
            }
            ManagedPart::Part(ModelResponsePart::Compaction(part)) => {
                merge(&mut part.provider_details, &details);
                return Ok(());
            }
            ManagedPart::PendingToolCall(_) => {
                return Err(self.kind_error("provider details", index));
            }
        };
        self.emit(ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
            index,
            delta,
        }));
        Ok(())
    }
}
