//! Text parts: deltas appended to the part a provider id (or the latest part) names.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::metadata::Metadata;
use super::{ManagedPart, PartsManager, VendorId};
use crate::error::Result;
use crate::messages::{
    ModelResponsePart, ModelResponsePartDelta, ModelResponseStreamEvent, PartDeltaEvent, TextPart,
    TextPartDelta,
};

impl PartsManager {
    /// Appends text to the text part `vendor` identifies (or, with `None`, to the latest part
    /// if it is text); starts a new text part otherwise.
    ///
    /// `content` may be borrowed (`&str`, `&String`) or owned (`String`, `Cow`): an owned
    /// delta is moved into its event (or into the part it starts) instead of copied.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) when `vendor` identifies a part that is not text.
    pub fn handle_text_delta<'c>(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: impl Into<Cow<'c, str>>,
    ) -> Result<()> {
        self.text_delta(vendor, content.into(), false, Metadata::default())
    }

    /// As [`handle_text_delta`](Self::handle_text_delta), for a delta that carries the
    /// provider's name and details (Gemini's thought signatures), as pydantic-ai's parts manager
    /// takes them: a new part starts with them; an existing part takes the name and merges the
    /// details into its own, and the delta event carries them (the name only when it differs
    /// from the part's).
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) when `vendor` identifies a part that is not text.
    pub fn handle_text_delta_with_details<'c>(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: impl Into<Cow<'c, str>>,
        provider_name: Option<&str>,
        provider_details: Option<Map<String, Value>>,
    ) -> Result<()> {
        let metadata = Metadata {
            provider_name,
            provider_details,
        };
        self.text_delta(vendor, content.into(), false, metadata)
    }

    /// As [`handle_text_delta`](Self::handle_text_delta), but a new part is not started for
    /// whitespace only (some models send `"\n\n"` before a tool call).
    pub fn handle_text_delta_ignoring_leading_whitespace<'c>(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: impl Into<Cow<'c, str>>,
    ) -> Result<()> {
        self.text_delta(vendor, content.into(), true, Metadata::default())
    }

    fn text_delta(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: Cow<'_, str>,
        ignore_leading_whitespace: bool,
        metadata: Metadata<'_>,
    ) -> Result<()> {
        let existing = match vendor {
            None => self.latest_if(|p| matches!(p, ManagedPart::Part(ModelResponsePart::Text(_)))),
            Some(v) => match self.lookup(v) {
                Some(i)
                    if matches!(self.parts[i], ManagedPart::Part(ModelResponsePart::Text(_))) =>
                {
                    Some(i)
                }
                Some(i) => return Err(self.kind_error("text", i)),
                None => None,
            },
        };
        match existing {
            None => {
                if ignore_leading_whitespace && content.trim().is_empty() {
                    return Ok(());
                }
                let part = ModelResponsePart::Text(TextPart {
                    provider_name: metadata.provider_name.map(str::to_owned),
                    provider_details: metadata.provider_details,
                    // The part's start event takes a copy of the part: an owned delta is moved.
                    ..TextPart::new(content.into_owned())
                });
                let index = self.append(ManagedPart::Part(part), vendor);
                self.emit_start(index);
            }
            Some(index) => {
                let mut provider_name = None;
                if let ManagedPart::Part(ModelResponsePart::Text(text)) = self.part_mut(index) {
                    text.content.push_str(&content);
                    provider_name =
                        metadata.apply(&mut text.provider_name, &mut text.provider_details);
                }
                self.emit(ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
                    index,
                    delta: ModelResponsePartDelta::Text(TextPartDelta {
                        // An owned delta is moved, not copied.
                        content_delta: content.into_owned(),
                        provider_name,
                        provider_details: metadata.provider_details,
                    }),
                }));
            }
        }
        Ok(())
    }
}
