//! The hand-written deserializers of the Chat Completions wire types: a completion or chunk
//! parsed in place, borrowing its strings, with the host's own reasoning field.
//! Justified by `scripts/bench.sh` (`benches/floor`: the per-chunk cost against a bare
//! `serde_json` floor).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::super::thinking::reasoning_slot;
use super::{
    Completion, ExecutedTool, ReasoningDetail, Thought, ToolCalls, WireChoice, WireContent,
    WireMessage, WireUsage, XGroq,
};
use crate::providers::common::{visit_cow_str, CowStr};
use crate::providers::openai::shared::{cow, Count};

impl<'de: 'a, 'a> Deserialize<'de> for ToolCalls<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = ToolCalls<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of tool calls")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut calls = ToolCalls {
                    first: seq.next_element()?,
                    rest: Vec::new(),
                };
                while let Some(call) = seq.next_element()? {
                    calls.rest.push(call);
                }
                Ok(calls)
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

/// The counts of a details object in the order they come, their names borrowed from the input:
/// read into [`WireUsage::details`] without a map of their own.
struct Counts<'a>(Vec<(Cow<'a, str>, Count)>);

impl<'de: 'a, 'a> Deserialize<'de> for Counts<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Counts<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut counts = Vec::new();
                while let Some(CowStr(name)) = map.next_key()? {
                    counts.push((name, map.next_value::<Count>()?));
                }
                Ok(Counts(counts))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for WireUsage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct PromptDetails {
            cached_tokens: Option<Count>,
            audio_tokens: Option<Count>,
            cache_write_tokens: Option<Count>,
        }
        fn count(c: Option<Count>) -> u64 {
            c.and_then(|c| c.0).unwrap_or(0)
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireUsage;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a usage object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<WireUsage, A::Error> {
                let mut usage = WireUsage::default();
                while let Some(CowStr(key)) = map.next_key()? {
                    match key.as_ref() {
                        "prompt_tokens" => usage.prompt_tokens = count(map.next_value()?),
                        "completion_tokens" => usage.completion_tokens = count(map.next_value()?),
                        "total_tokens" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        "prompt_tokens_details" => {
                            if let Some(details) = map.next_value::<Option<PromptDetails>>()? {
                                usage.cached_tokens = count(details.cached_tokens);
                                usage.input_audio_tokens = count(details.audio_tokens);
                                usage.cache_write_tokens = count(details.cache_write_tokens);
                            }
                        }
                        "completion_tokens_details" => {
                            let details = map.next_value::<Option<Counts<'de>>>()?;
                            let entries = details.map(|d| d.0).unwrap_or_default();
                            for (i, (name, value)) in entries.iter().enumerate() {
                                // A key given twice counts once, at its last value (as a map).
                                let later = &entries[i + 1..];
                                if later.iter().any(|(other, _)| other == name) {
                                    continue;
                                }
                                if let Some(n) = value.0 {
                                    if name == "audio_tokens" {
                                        usage.output_audio_tokens = n;
                                    }
                                    usage.details.insert(name.as_ref().to_owned(), n);
                                }
                            }
                        }
                        _ => {
                            if let Some(n) = map.next_value::<Count>()?.0 {
                                usage.details.insert(key.into_owned(), n);
                            }
                        }
                    }
                }
                Ok(usage)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Thought<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Thought<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("reasoning text")
            }
            visit_cow_str!(Thought::Text);
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Self::Value, E> {
                Ok(Thought::NotText("a boolean"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Self::Value, E> {
                Ok(Thought::NotText("a number"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Self::Value, E> {
                Ok(Thought::NotText("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Self::Value, E> {
                Ok(Thought::NotText("a number"))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Thought::NotText("a list"))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Thought::NotText("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for WireContent<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireContent<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("message content as a string or a list of content chunks")
            }
            visit_cow_str!(WireContent::Text);
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(WireContent::Chunks)
            }
        }
        d.deserialize_any(V)
    }
}

/// Deserializes a [`Completion`] in place, reading the host's own reasoning field if it has
/// one.
///
/// The seeds below fill the structures where they already are instead of returning them by
/// value: a chunk's structures are a few hundred bytes, and moving them out of each level of
/// the parse cost more than the parse itself.
struct TopSeed<'o, 'de> {
    custom_field: Option<&'static str>,
    out: &'o mut Completion<'de>,
}

/// Parses `text` as one completion or chunk, the host's reasoning field being `custom_field`.
pub(in super::super) fn parse_completion<'de>(
    text: &'de str,
    custom_field: Option<&'static str>,
) -> serde_json::Result<Completion<'de>> {
    let mut completion = Completion::default();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    TopSeed {
        custom_field,
        out: &mut completion,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(completion)
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a chat completion object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let top = self.out;
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "id" => top.id = cow(map.next_value()?),
                "created" => top.created = map.next_value::<Option<f64>>()?,
                "model" => top.model = cow(map.next_value()?),
                "choices" => map.next_value_seed(ChoicesSeed {
                    custom_field: self.custom_field,
                    out: &mut top.choice,
                })?,
                "usage" => {
                    if let Some(usage) = map.next_value::<Option<WireUsage>>()? {
                        top.usage = Some(usage);
                    }
                }
                // Groq streams put usage here.
                "x_groq" => {
                    if let Some(x_groq) = map.next_value::<Option<XGroq>>()? {
                        if top.usage.is_none() {
                            top.usage = x_groq.usage;
                        }
                    }
                }
                "moderation" => top.moderation = map.next_value::<Option<Value>>()?,
                "error" => top.error = map.next_value::<Option<Value>>()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `choices`: a list (whose first choice is kept; further ones only come with `n`, which is
/// never sent), or `null`.
struct ChoicesSeed<'o, 'de> {
    custom_field: Option<&'static str>,
    out: &'o mut Option<WireChoice<'de>>,
}

impl<'de> DeserializeSeed<'de> for ChoicesSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ChoicesSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of choices")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        *self.out = None;
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let choice = self.out.insert(WireChoice::default());
        let seed = ChoiceSeed {
            custom_field: self.custom_field,
            out: choice,
        };
        if seq.next_element_seed(seed)?.is_none() {
            *self.out = None;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

struct ChoiceSeed<'o, 'de> {
    custom_field: Option<&'static str>,
    out: &'o mut WireChoice<'de>,
}

impl<'de> DeserializeSeed<'de> for ChoiceSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChoiceSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a choice object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let choice = self.out;
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "finish_reason" => choice.finish_reason = cow(map.next_value()?),
                "logprobs" => choice.logprobs = map.next_value()?,
                "message" | "delta" => map.next_value_seed(MessageSeed {
                    custom_field: self.custom_field,
                    out: &mut choice.message,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A `message` or `delta`, or `null`.
struct MessageSeed<'o, 'de> {
    custom_field: Option<&'static str>,
    out: &'o mut Option<WireMessage<'de>>,
}

impl<'de> DeserializeSeed<'de> for MessageSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for MessageSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a message object")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        *self.out = None;
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let message = self.out.insert(WireMessage::default());
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "content" => message.content = map.next_value()?,
                "refusal" => message.refusal = cow(map.next_value()?),
                "tool_calls" => {
                    message.tool_calls = map
                        .next_value::<Option<ToolCalls<'de>>>()?
                        .unwrap_or_default();
                }
                "reasoning_details" => {
                    message.reasoning_details = map
                        .next_value::<Option<Vec<ReasoningDetail>>>()?
                        .unwrap_or_default();
                }
                "annotations" => message.annotations = map.next_value::<Option<Value>>()?,
                "executed_tools" => {
                    message.executed_tools = map
                        .next_value::<Option<Vec<ExecutedTool>>>()?
                        .unwrap_or_default();
                }
                field
                    if field == "reasoning"
                        || field == "reasoning_content"
                        || Some(field) == self.custom_field =>
                {
                    let slot = reasoning_slot(field);
                    message.reasoning[slot] = map.next_value()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}
