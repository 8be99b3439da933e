//! The hand-written deserializers of [`WireResponse`] and [`UsageMetadata`], read on every
//! stream event: each field is written once into its place (serde's derive builds every field
//! in a local, then moves the whole struct), the first candidate is kept without a `Vec`, and
//! the usage counts without a box. Justified by `scripts/bench.sh` (`benches/floor`: the
//! per-event cost against a bare `serde_json` floor). A key given twice keeps its last value,
//! as in a JSON map; unknown keys are skipped.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{ModalityTokenCount, UsageMetadata, WireCandidate, WirePart, WireResponse};
use crate::providers::common::CowStr;

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
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "content" => out.content = map.next_value()?,
                "finishReason" => out.finish_reason = map.next_value()?,
                "safetyRatings" => out.safety_ratings = map.next_value()?,
                "avgLogprobs" => out.avg_logprobs = map.next_value()?,
                "logprobsResult" => out.logprobs_result = map.next_value()?,
                "groundingMetadata" => out.grounding_metadata = map.next_value()?,
                "urlContextMetadata" => out.url_context_metadata = map.next_value()?,
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
                while let Some(CowStr(key)) = map.next_key()? {
                    match key.as_ref() {
                        "text" => out.text = map.next_value()?,
                        "thought" => out.thought = map.next_value()?,
                        "thoughtSignature" => out.thought_signature = map.next_value()?,
                        "functionCall" => out.function_call = map.next_value()?,
                        "executableCode" => out.executable_code = map.next_value()?,
                        "codeExecutionResult" => out.code_execution_result = map.next_value()?,
                        "inlineData" => out.inline_data = map.next_value()?,
                        "fileData" => out.file_data = map.next_value()?,
                        "toolCall" => out.tool_call = map.next_value()?,
                        "toolResponse" => out.tool_response = map.next_value()?,
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
                while let Some(CowStr(key)) = map.next_key()? {
                    match key.as_ref() {
                        "candidates" => map.next_value_seed(Candidates(&mut out.candidates))?,
                        "usageMetadata" => out.usage_metadata = map.next_value()?,
                        "modelVersion" => out.model_version = map.next_value()?,
                        "responseId" => out.response_id = map.next_value()?,
                        "createTime" => out.create_time = map.next_value()?,
                        "promptFeedback" => out.prompt_feedback = map.next_value()?,
                        "error" => out.error = map.next_value()?,
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
                while let Some(CowStr(key)) = map.next_key()? {
                    let list = match key.as_ref() {
                        "promptTokenCount" => {
                            out.prompt_token_count = map.next_value()?;
                            continue;
                        }
                        "candidatesTokenCount" => {
                            out.candidates_token_count = map.next_value()?;
                            continue;
                        }
                        "cachedContentTokenCount" => {
                            out.cached_content_token_count = map.next_value()?;
                            continue;
                        }
                        "thoughtsTokenCount" => {
                            out.thoughts_token_count = map.next_value()?;
                            continue;
                        }
                        "toolUsePromptTokenCount" => {
                            out.tool_use_prompt_token_count = map.next_value()?;
                            continue;
                        }
                        "trafficType" => {
                            out.traffic_type = map.next_value()?;
                            continue;
                        }
                        "promptTokensDetails" => 0,
                        "cacheTokensDetails" => 1,
                        "candidatesTokensDetails" => 2,
                        "toolUsePromptTokensDetails" => 3,
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
