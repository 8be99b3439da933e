//! The hand-written deserializers of [`WireResponse`] and [`UsageMetadata`], read on every
//! stream event: each field is written once into its place (serde's derive builds every field
//! in a local, then moves the whole struct), the first candidate is kept without a `Vec`, and
//! the usage counts without a box. Justified by `scripts/bench.sh` (`benches/floor`: the
//! per-event cost against a bare `serde_json` floor). A key given twice keeps its last value,
//! as in a JSON map; unknown keys are skipped.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{ModalityTokenCount, UsageMetadata, WireResponse};
use crate::providers::common::CowStr;

/// The first element of a JSON array (`None` when it is empty); the later ones are read as
/// `T` (a malformed one is still an error) and dropped.
struct First<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for First<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = First<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let first = seq.next_element()?;
                while seq.next_element::<T>()?.is_some() {}
                Ok(First(first))
            }
        }
        d.deserialize_seq(V(PhantomData))
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
                        "candidates" => {
                            out.candidates =
                                map.next_value::<Option<First<_>>>()?.and_then(|f| f.0);
                        }
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
