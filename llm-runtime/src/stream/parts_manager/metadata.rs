//! The provider name and details a text or thinking delta carries, and how a part takes them.

use serde_json::{Map, Value};

/// The provider metadata a text or thinking delta carries.
#[derive(Debug, Default)]
pub(super) struct Metadata<'a> {
    pub(super) provider_name: Option<&'a str>,
    pub(super) provider_details: Option<Map<String, Value>>,
}

impl Metadata<'_> {
    pub(super) fn is_empty(&self) -> bool {
        self.provider_name.is_none() && self.provider_details.is_none()
    }

    /// Applies the metadata to a part's fields as pydantic-ai's deltas do (the name replaces
    /// the part's, the details are merged into its own); returns the name the delta event
    /// carries: `None` when the part already had it.
    ///
    /// Inlined to a test when the delta carries nothing (nearly every delta).
    #[inline]
    pub(super) fn apply(
        &self,
        name: &mut Option<String>,
        details: &mut Option<Map<String, Value>>,
    ) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        self.apply_some(name, details)
    }

    #[inline(never)]
    fn apply_some(
        &self,
        name: &mut Option<String>,
        details: &mut Option<Map<String, Value>>,
    ) -> Option<String> {
        let resolved = self
            .provider_name
            .filter(|new| name.as_deref() != Some(*new))
            .map(str::to_owned);
        if let Some(new) = &resolved {
            *name = Some(new.clone());
        }
        if let Some(delta) = &self.provider_details {
            let merged = details.get_or_insert_with(Map::new);
            for (key, value) in delta {
                merged.insert(key.clone(), value.clone());
            }
        }
        resolved
    }
}
