//! The hand-written deserializers of [`WireResponse`] and [`UsageMetadata`], read on every
//! stream event: each field is written once into its place (serde's derive builds every field
//! in a local, then moves the whole struct), the first candidate is kept without a `Vec`, and
//! the usage counts without a box; keys are matched to their field where serde_json reads them
//! ([`KeyIndex`]). Justified by `scripts/bench.sh` (`benches/floor`: the
//! per-event cost against a bare `serde_json` floor). A key given twice keeps its last value,
//! as in a JSON map; unknown keys are skipped.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{ModalityTokenCount, UsageMetadata, WireCandidate, WirePart, WireResponse};

/// A candidate's keys read, in the order of `CandidateFields`' arms
/// (a key's index is its arm).
const CANDIDATE_KEYS: &[&str] = &[
    "content",
    "finishReason",
    "safetyRatings",
    "avgLogprobs",
    "logprobsResult",
    "groundingMetadata",
    "urlContextMetadata",
];

/// A part's keys read, in the order of its visitor's arms
/// (a key's index is its arm).
const PART_KEYS: &[&str] = &[
    "text",
    "thought",
    "thoughtSignature",
    "functionCall",
    "executableCode",
    "codeExecutionResult",
    "inlineData",
    "fileData",
    "toolCall",
    "toolResponse",
];

/// A response's keys read, in the order of its visitor's arms
/// (a key's index is its arm).
const RESPONSE_KEYS: &[&str] = &[
    "candidates",
    "usageMetadata",
    "modelVersion",
    "responseId",
    "createTime",
    "promptFeedback",
    "error",
];

/// A usage object's keys read, in the order of its visitor's arms
/// (a key's index is its arm).
const USAGE_KEYS: &[&str] = &[
    "promptTokenCount",
    "candidatesTokenCount",
    "cachedContentTokenCount",
    "thoughtsTokenCount",
    "toolUsePromptTokenCount",
    "trafficType",
    "promptTokensDetails",
    "cacheTokensDetails",
    "candidatesTokensDetails",
    "toolUsePromptTokensDetails",
];

/// A key of an object as its index in `0` (`0.len()` for a key not listed): matched where
/// serde_json reads it, without a string (borrowed or owned) handed back to match again.
struct KeyIndex(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyIndex {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<usize, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeyIndex {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<usize, E> {
        Ok(self.0.iter().position(|k| *k == v).unwrap_or(self.0.len()))
    }
}

/// Reads `candidates` into its slot: the first candidate in place (`None` for `null` or
/// `[]`); the later ones are read (a malformed one is still an error) and dropped.
struct Candidates<'s, 'a>(&'s mut Option<WireCandidate<'a>>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Candidates<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Candidates<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of candidates")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        *self.0 = None;
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        *self.0 = None;
        seq.next_element_seed(FirstCandidate(self.0))?;
        while seq.next_element::<WireCandidate<'a>>()?.is_some() {}
        Ok(())
    }
}

/// The first candidate, read into the slot it is given.
struct FirstCandidate<'s, 'a>(&'s mut Option<WireCandidate<'a>>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for FirstCandidate<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(CandidateFields(self.0.insert(WireCandidate::default())))
    }
}

/// Reads a candidate object's fields into a candidate.
struct CandidateFields<'s, 'a>(&'s mut WireCandidate<'a>);

impl<'de: 'a, 'a> Visitor<'de> for CandidateFields<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a candidate object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let out = self.0;
        while let Some(key) = map.next_key_seed(KeyIndex(CANDIDATE_KEYS))? {
            match key {
                0 => out.content = map.next_value()?,
                1 => out.finish_reason = map.next_value()?,
                2 => out.safety_ratings = map.next_value()?,
                3 => out.avg_logprobs = map.next_value()?,
                4 => out.logprobs_result = map.next_value()?,
                5 => out.grounding_metadata = map.next_value()?,
                6 => out.url_context_metadata = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for WireCandidate<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let mut candidate = WireCandidate::default();
        d.deserialize_map(CandidateFields(&mut candidate))?;
        Ok(candidate)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for WirePart<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = WirePart<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a part object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = WirePart::default();
                while let Some(key) = map.next_key_seed(KeyIndex(PART_KEYS))? {
                    match key {
                        0 => out.text = map.next_value()?,
                        1 => out.thought = map.next_value()?,
                        2 => out.thought_signature = map.next_value()?,
                        3 => out.function_call = map.next_value()?,
                        4 => out.executable_code = map.next_value()?,
                        5 => out.code_execution_result = map.next_value()?,
                        6 => out.inline_data = map.next_value()?,
                        7 => out.file_data = map.next_value()?,
                        8 => out.tool_call = map.next_value()?,
                        9 => out.tool_response = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for WireResponse<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = WireResponse<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GenerateContentResponse object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut response = WireResponse::default();
                let out = &mut *response.0;
                while let Some(key) = map.next_key_seed(KeyIndex(RESPONSE_KEYS))? {
                    match key {
                        0 => map.next_value_seed(Candidates(&mut out.candidates))?,
                        1 => out.usage_metadata = map.next_value()?,
                        2 => out.model_version = map.next_value()?,
                        3 => out.response_id = map.next_value()?,
                        4 => out.create_time = map.next_value()?,
                        5 => out.prompt_feedback = map.next_value()?,
                        6 => out.error = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(response)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for UsageMetadata<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = UsageMetadata<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a usageMetadata object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = UsageMetadata::default();
                while let Some(key) = map.next_key_seed(KeyIndex(USAGE_KEYS))? {
                    let list = match key {
                        0 => {
                            out.prompt_token_count = map.next_value()?;
                            continue;
                        }
                        1 => {
                            out.candidates_token_count = map.next_value()?;
                            continue;
                        }
                        2 => {
                            out.cached_content_token_count = map.next_value()?;
                            continue;
                        }
                        3 => {
                            out.thoughts_token_count = map.next_value()?;
                            continue;
                        }
                        4 => {
                            out.tool_use_prompt_token_count = map.next_value()?;
                            continue;
                        }
                        5 => {
                            out.traffic_type = map.next_value()?;
                            continue;
                        }
                        // The per-modality lists: 0 to 3 below.
                        6..=9 => key - 6,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    let value: Option<Vec<ModalityTokenCount>> = map.next_value()?;
                    if value.is_none() && out.lists.is_none() {
                        continue;
                    }
                    let lists = out.lists.get_or_insert_with(Box::default);
                    let slot = match list {
                        0 => &mut lists.prompt_tokens_details,
                        1 => &mut lists.cache_tokens_details,
                        2 => &mut lists.candidates_tokens_details,
                        _ => &mut lists.tool_use_prompt_tokens_details,
                    };
                    *slot = value;
                }
                Ok(out)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_unknown_and_later_keys_and_candidates() {
        let json = r#"{"candid\u0061tes": [
                {"content": {"parts": [{"text": "a"}, {"thought": true, "text": "b"}]},
                 "index": 0, "finishReason": "STOP"},
                {"content": {"parts": []}}],
            "usageMetadata": {"promptTok\u0065nCount": 3, "totalTokenCount": 5,
                "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 2}],
                "trafficType": "ON_DEMAND"},
            "modelVersion": "m", "other": {"x": [1, 2]}, "modelVersion": "n"}"#;
        let response: WireResponse<'_> = serde_json::from_str(json).unwrap();
        let candidate = response.0.candidates.as_ref().unwrap();
        let parts = candidate.content.as_ref().unwrap().parts.as_ref().unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].thought, Some(true));
        assert_eq!(candidate.finish_reason.as_ref().unwrap().0, "STOP");
        let usage = response.0.usage_metadata.as_ref().unwrap();
        assert_eq!(usage.prompt_token_count, Some(3));
        assert_eq!(usage.traffic_type.as_ref().unwrap().0, "ON_DEMAND");
        let lists = usage.lists.as_ref().unwrap();
        assert_eq!(lists.candidates_tokens_details.as_ref().unwrap().len(), 1);
        assert_eq!(response.0.model_version.as_ref().unwrap().0, "n");
    }

    #[test]
    fn a_malformed_later_candidate_or_count_is_an_error() {
        for json in [
            r#"{"candidates": [{}, 5]}"#,
            r#"{"candidates": {}}"#,
            r#"{"usageMetadata": {"promptTokenCount": -1}}"#,
            r#"{"candidates": [{"content": {"parts": [{"text": 1}]}}]}"#,
        ] {
            assert!(
                serde_json::from_str::<WireResponse<'_>>(json).is_err(),
                "{json}"
            );
        }
        let empty: WireResponse<'_> =
            serde_json::from_str(r#"{"candidates": null, "usageMetadata": null}"#).unwrap();
        assert!(empty.0.candidates.is_none() && empty.0.usage_metadata.is_none());
    }
}
