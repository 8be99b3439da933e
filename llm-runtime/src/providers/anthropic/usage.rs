//! Usage as pydantic-ai reads it from Anthropic's counts: the counts as reported (and the
//! thinking tokens, and the totals of compaction and advisor iterations) in `usage.details`;
//! compaction iterations counted in the totals, and the prompt-cache counts folded into the
//! input tokens.

use std::collections::BTreeMap;

use super::wire::{Iteration, WireUsage};
use crate::usage::Usage;

/// The usage counts pydantic-ai keeps in `usage.details`: the four counts as reported, the
/// thinking tokens, and the totals of compaction and advisor iterations.
const COUNT_KEYS: [&str; 4] = [
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
];

impl Iteration<'_> {
    /// The iteration's count of `key` (one of [`COUNT_KEYS`]), 0 when absent.
    fn count(&self, key: &str) -> u64 {
        match key {
            "input_tokens" => self.input_tokens,
            "output_tokens" => self.output_tokens,
            "cache_creation_input_tokens" => self.cache_creation_input_tokens,
            "cache_read_input_tokens" => self.cache_read_input_tokens,
            _ => None,
        }
        .unwrap_or(0)
    }
}

/// The counts of `usage` as pydantic-ai keeps them in `usage.details`.
pub(super) fn usage_details(usage: &WireUsage<'_>) -> BTreeMap<String, u64> {
    let mut details = BTreeMap::new();
    for (key, count) in COUNT_KEYS.into_iter().zip([
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_creation_input_tokens,
        usage.cache_read_input_tokens,
    ]) {
        if let Some(count) = count {
            details.insert(key.to_owned(), count);
        }
    }
    if let Some(thinking) = usage
        .output_tokens_details
        .as_ref()
        .and_then(|d| d.thinking_tokens)
        .filter(|t| *t != 0)
    {
        details.insert("thinking_tokens".to_owned(), thinking);
    }
    let Some(iterations) = usage.iterations.as_deref().filter(|i| !i.is_empty()) else {
        return details;
    };
    let of_kind = |kind: &str| -> Vec<&Iteration<'_>> {
        iterations
            .iter()
            .filter(|it| it.kind.as_deref() == Some(kind))
            .collect()
    };
    let compaction = of_kind("compaction");
    let advisor = of_kind("advisor_message");
    if compaction.is_empty() && advisor.is_empty() {
        return details;
    }
    let own = iterations
        .len()
        .saturating_sub(compaction.len())
        .saturating_sub(advisor.len());
    details.insert("message_iterations".to_owned(), count_of(own));
    for (prefix, group) in [("compaction", compaction), ("advisor", advisor)] {
        if group.is_empty() {
            continue;
        }
        details.insert(format!("{prefix}_iterations"), count_of(group.len()));
        for key in COUNT_KEYS {
            let total = group
                .iter()
                .fold(0u64, |sum, it| sum.saturating_add(it.count(key)));
            if total != 0 {
                details.insert(format!("{prefix}_{key}"), total);
            }
        }
    }
    details
}

/// A number of items as a count.
fn count_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The usage the details amount to, as pydantic-ai extracts it: compaction iterations count
/// in the totals (advisor iterations, billed at another model's rates, do not), and the input
/// tokens include the tokens written to and read from the prompt cache.
pub(super) fn usage_from_details(details: &BTreeMap<String, u64>) -> Usage {
    let count = |key: &str| {
        let own = details.get(key).copied().unwrap_or(0);
        let compaction = details
            .get(&format!("compaction_{key}"))
            .copied()
            .unwrap_or(0);
        own.saturating_add(compaction)
    };
    let cache_write = count("cache_creation_input_tokens");
    let cache_read = count("cache_read_input_tokens");
    let mut usage = Usage {
        requests: 1,
        request_tokens: count("input_tokens")
            .saturating_add(cache_write)
            .saturating_add(cache_read),
        cache_write_tokens: cache_write,
        cache_read_tokens: cache_read,
        response_tokens: count("output_tokens"),
        details: details.clone(),
        ..Usage::default()
    };
    usage.total_tokens = usage.request_tokens.saturating_add(usage.response_tokens);
    usage
}

#[cfg(test)]
mod tests;
