//! Thinking parts: reasoning text, signatures and provider details, appended by delta.

use serde_json::{Map, Value};

use super::metadata::Metadata;
use super::{ManagedPart, PartsManager, VendorId};
use crate::error::{Error, Result};
use crate::messages::{
    ModelResponsePart, ModelResponsePartDelta, ModelResponseStreamEvent, PartDeltaEvent,
    ThinkingPart, ThinkingPartDelta,
};

impl PartsManager {
    /// Appends reasoning and/or sets the signature of the thinking part `vendor` identifies
    /// (or, with `None`, of the latest part if it is thinking); starts a new one otherwise.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when `vendor` identifies a part that is not thinking,
    /// or when a new part would have neither content nor signature.
    pub fn handle_thinking_delta(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: Option<&str>,
        signature: Option<&str>,
        provider_name: Option<&str>,
    ) -> Result<()> {
        let metadata = Metadata {
            provider_name,
            provider_details: None,
        };
        self.thinking_delta(vendor, content, signature, metadata)
    }

    /// As [`handle_thinking_delta`](Self::handle_thinking_delta), for a delta that also
    /// carries provider details (Gemini's thought signatures): a new part starts with them (they
    /// alone are enough to start one); an existing part merges them into its own, and the delta
    /// event carries them. The provider name is sent in the event only when it differs from the
    /// part's, as pydantic-ai does.
    ///
    /// # Errors
    /// As [`handle_thinking_delta`](Self::handle_thinking_delta).
    pub fn handle_thinking_delta_with_details(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: Option<&str>,
        signature: Option<&str>,
        provider_name: Option<&str>,
        provider_details: Option<Map<String, Value>>,
    ) -> Result<()> {
        let metadata = Metadata {
            provider_name,
            provider_details,
        };
        self.thinking_delta(vendor, content, signature, metadata)
    }

    fn thinking_delta(
        &mut self,
        vendor: Option<VendorId<'_>>,
        content: Option<&str>,
        signature: Option<&str>,
        metadata: Metadata<'_>,
    ) -> Result<()> {
        let existing = match vendor {
            None => {
                self.latest_if(|p| matches!(p, ManagedPart::Part(ModelResponsePart::Thinking(_))))
            }
            Some(v) => match self.lookup(v) {
                Some(i)
                    if matches!(
                        self.parts[i],
                        ManagedPart::Part(ModelResponsePart::Thinking(_))
                    ) =>
                {
                    Some(i)
                }
                Some(i) => return Err(self.kind_error("thinking", i)),
                None => None,
            },
        };
        match existing {
            None => {
                if content.is_none() && signature.is_none() && metadata.provider_details.is_none() {
                    return Err(Error::unexpected(
                        "cannot start a thinking part with neither content nor signature",
                    ));
                }
                let part = ModelResponsePart::Thinking(ThinkingPart {
                    content: content.unwrap_or_default().to_owned(),
                    signature: signature.map(str::to_owned),
                    provider_name: metadata.provider_name.map(str::to_owned),
                    provider_details: metadata.provider_details,
                    ..ThinkingPart::default()
                });
                let index = self.append(ManagedPart::Part(part), vendor);
                self.emit_start(index);
            }
            Some(index) => {
                if content.is_none() && signature.is_none() && metadata.is_empty() {
                    return Ok(());
                }
                let mut provider_name = None;
                if let ManagedPart::Part(ModelResponsePart::Thinking(part)) = self.part_mut(index) {
                    if let Some(content) = content {
                        part.content.push_str(content);
                    }
                    if let Some(signature) = signature {
                        part.signature = Some(signature.to_owned());
                    }
                    provider_name =
                        metadata.apply(&mut part.provider_name, &mut part.provider_details);
                }
                self.emit(ModelResponseStreamEvent::PartDelta(PartDeltaEvent {
                    index,
                    delta: ModelResponsePartDelta::from(ThinkingPartDelta {
                        content_delta: content.map(str::to_owned),
                        signature_delta: signature.map(str::to_owned),
                        provider_name,
                        provider_details: metadata.provider_details,
                    }),
                }));
            }
        }
        Ok(())
    }
}
