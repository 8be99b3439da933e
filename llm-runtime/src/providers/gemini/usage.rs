//! Gemini's `usageMetadata` as [`Usage`], counted as pydantic-ai counts it (through
//! genai-prices' Google extractor), and the merge of a stream's cumulative snapshots.

use super::wire::{ModalityTokenCount, UsageMetadata};
use crate::usage::Usage;

impl UsageMetadata<'_> {
    /// The per-modality lists: prompt, cache, candidates, tool-use prompt.
    fn modality_lists(&self) -> [Option<&[ModalityTokenCount]>; 4] {
        let Some(lists) = self.lists.as_deref() else {
            return [None; 4];
        };
        [
            lists.prompt_tokens_details.as_deref(),
            lists.cache_tokens_details.as_deref(),
            lists.candidates_tokens_details.as_deref(),
            lists.tool_use_prompt_tokens_details.as_deref(),
        ]
    }

    /// The usage as pydantic-ai counts it (through genai-prices' Google extractor): tool-use
    /// prompt tokens are input, thoughts are output; cached and per-modality counts in
    /// `details`.
    pub(super) fn to_usage(&self, requests: u32) -> Usage {
        fn count(n: Option<u64>) -> u64 {
            n.unwrap_or(0)
        }
        fn audio(details: Option<&[ModalityTokenCount]>) -> u64 {
            details
                .into_iter()
                .flatten()
                .filter(|d| d.modality.as_deref() == Some("AUDIO"))
                .map(|d| count(d.token_count))
                .sum()
        }
        let [prompt, cache, candidates, tool_use_prompt] = self.modality_lists();
        let mut usage = Usage {
            requests,
            request_tokens: count(self.prompt_token_count)
                + count(self.tool_use_prompt_token_count),
            cache_read_tokens: count(self.cached_content_token_count),
            response_tokens: count(self.candidates_token_count) + count(self.thoughts_token_count),
            input_audio_tokens: audio(prompt),
            cache_audio_read_tokens: audio(cache),
            output_audio_tokens: audio(candidates),
            ..Usage::default()
        };
        for (name, value) in [
            ("cached_content_tokens", self.cached_content_token_count),
            ("thoughts_tokens", self.thoughts_token_count),
            ("tool_use_prompt_tokens", self.tool_use_prompt_token_count),
        ] {
            if let Some(value) = value.filter(|v| *v != 0) {
                usage.details.insert(name.into(), value);
            }
        }
        for (prefix, details) in [
            ("prompt", prompt),
            ("cache", cache),
            ("candidates", candidates),
            ("tool_use_prompt", tool_use_prompt),
        ] {
            for detail in details.into_iter().flatten() {
                let (Some(modality), Some(tokens)) = (&detail.modality, detail.token_count) else {
                    continue;
                };
                if modality.is_empty() || tokens == 0 {
                    continue;
                }
                usage.details.insert(
                    format!("{}_{prefix}_tokens", modality.to_lowercase()),
                    tokens,
                );
            }
        }
        usage.recompute_total();
        usage
    }
}

/// A streamed usage snapshot merged over the one before it: Gemini streams cumulative usage,
/// but a count reported earlier may be missing later (pydantic-ai#5205), so zeros and missing
/// details keep their earlier values.
pub(super) fn merge_usage(mut new: Usage, earlier: &Usage) -> Usage {
    for (name, value) in &earlier.details {
        new.details.entry(name.clone()).or_insert(*value);
    }
    for (field, old) in [
        (&mut new.request_tokens, earlier.request_tokens),
        (&mut new.cache_write_tokens, earlier.cache_write_tokens),
        (&mut new.cache_read_tokens, earlier.cache_read_tokens),
        (&mut new.response_tokens, earlier.response_tokens),
        (&mut new.input_audio_tokens, earlier.input_audio_tokens),
        (
            &mut new.cache_audio_read_tokens,
            earlier.cache_audio_read_tokens,
        ),
        (&mut new.output_audio_tokens, earlier.output_audio_tokens),
    ] {
        if *field == 0 {
            *field = old;
        }
    }
    new.recompute_total();
    new
}

/// A streamed usage snapshot merged into the usage so far, exactly as
/// `merge_usage(snapshot.to_usage(0), usage)`: in place when the snapshot has no count that
/// lands in `details` or in an audio field (then the earlier details and audio counts stay as
/// they are), which spares building and dropping a whole [`Usage`] on every event.
pub(super) fn merge_snapshot(usage: &mut Usage, snapshot: &UsageMetadata) {
    let nonzero = |n: Option<u64>| n.is_some_and(|n| n != 0);
    if nonzero(snapshot.cached_content_token_count)
        || nonzero(snapshot.thoughts_token_count)
        || nonzero(snapshot.tool_use_prompt_token_count)
        || snapshot
            .modality_lists()
            .iter()
            .any(|d| d.is_some_and(|d| !d.is_empty()))
    {
        *usage = merge_usage(snapshot.to_usage(0), usage);
        return;
    }
    // What `to_usage(0)` gives here: no details, cache and audio counts of zero (so the
    // earlier ones stay); input and output from the two counts; no request, no cost.
    let input = snapshot.prompt_token_count.unwrap_or(0);
    let output = snapshot.candidates_token_count.unwrap_or(0);
    if input != 0 {
        usage.request_tokens = input;
    }
    if output != 0 {
        usage.response_tokens = output;
    }
    usage.requests = 0;
    usage.cost = None;
    usage.recompute_total();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(json: &str) -> UsageMetadata<'_> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn merge_snapshot_is_merge_usage_in_place() {
        let earlier = merge_usage(
            snapshot(
                r#"{"promptTokenCount": 7, "candidatesTokenCount": 3, "thoughtsTokenCount": 2,
                    "promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 4}]}"#,
            )
            .to_usage(0),
            &Usage::default(),
        );
        for json in [
            r#"{"promptTokenCount": 12, "candidatesTokenCount": 40, "totalTokenCount": 52}"#,
            r#"{"candidatesTokenCount": 41}"#,
            r#"{"promptTokenCount": 0, "thoughtsTokenCount": 0, "cachedContentTokenCount": 0}"#,
            r#"{"promptTokenCount": 12, "thoughtsTokenCount": 9}"#,
            r#"{"candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 5}]}"#,
            r#"{}"#,
        ] {
            let snapshot = snapshot(json);
            let mut in_place = earlier.clone();
            merge_snapshot(&mut in_place, &snapshot);
            assert!(
                in_place == merge_usage(snapshot.to_usage(0), &earlier),
                "{json}"
            );
        }
    }
}
