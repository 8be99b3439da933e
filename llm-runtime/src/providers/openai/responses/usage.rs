//! The usage of a response: the counts of `usage` mapped to [`Usage`], every other integer
//! count kept as a detail.

use std::collections::BTreeMap;

use super::wire::WireUsage;
use crate::providers::openai::shared::Count;
use crate::usage::Usage;

fn count(c: Option<&Count>) -> u64 {
    c.and_then(|c| c.0).unwrap_or(0)
}

impl WireUsage {
    /// The usage (pydantic-ai's `_map_usage` for the Responses API), counting `requests`.
    pub(super) fn to_usage(&self, requests: u32) -> Usage {
        let mut details: BTreeMap<String, u64> = self
            .other
            .iter()
            .filter_map(|(name, value)| value.0.map(|n| (name.clone(), n)))
            .collect();
        let reasoning = self
            .output_tokens_details
            .as_ref()
            .map_or(0, |d| count(d.reasoning_tokens.as_ref()));
        details.insert("reasoning_tokens".to_owned(), reasoning);
        let input_details = self.input_tokens_details.as_ref();
        let mut usage = Usage {
            requests,
            request_tokens: count(self.input_tokens.as_ref()),
            cache_read_tokens: count(input_details.and_then(|d| d.cached_tokens.as_ref())),
            cache_write_tokens: count(input_details.and_then(|d| d.cache_write_tokens.as_ref())),
            response_tokens: count(self.output_tokens.as_ref()),
            details,
            ..Usage::default()
        };
        usage.recompute_total();
        usage
    }
}
