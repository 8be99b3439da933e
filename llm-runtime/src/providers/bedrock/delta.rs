//! The fast path of the stream's most frequent event: a `contentBlockDelta` whose delta is a
//! text, read by hand into its block's index and that text.
//!
//! Nearly every event of a stream is one. The derived reading of the same payload looked up
//! each key among every kind of delta and filled (then moved) an option for each of them;
//! this reader keeps the index and the text, and gives up on anything else: another kind of
//! delta, a missing or repeated field, a `null`, malformed JSON. The caller then reads the
//! payload again in full, and that reading's result (or error) is the one used, so what a
//! stream yields or reports is the derived reading's in every case.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::super::common::CowStr;

/// A `contentBlockDelta` whose delta is a text: what the derived reading gives as
/// `ContentBlockDelta { content_block_index, delta: Delta { text: Some(text), .. } }` with
/// every other field of the delta absent.
pub(super) struct TextDelta<'a> {
    pub(super) index: u64,
    pub(super) text: Cow<'a, str>,
}

/// The error that sends a payload to the full reading (never reported: the full reading's
/// is).
fn give_up<E: de::Error>() -> E {
    E::custom("not a text delta")
}

/// The keys of the event and of its delta, as the derived reading names them.
enum Key {
    ContentBlockIndex,
    Delta,
    Text,
    /// A field of another kind of delta (`toolUse`, `toolResult`, `reasoningContent`).
    OtherDelta,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "contentBlockIndex" => Key::ContentBlockIndex,
                    "delta" => Key::Delta,
                    "text" => Key::Text,
                    "toolUse" | "toolResult" | "reasoningContent" => Key::OtherDelta,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// The delta object of a text delta: its `text` (a string, borrowed when it has no escapes).
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text delta")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut text: Option<CowStr<'a>> = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Text if text.is_none() => text = Some(map.next_value()?),
                        Key::Text | Key::OtherDelta => return Err(give_up()),
                        Key::ContentBlockIndex | Key::Delta | Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                text.map(|t| Text(t.0)).ok_or_else(give_up)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for TextDelta<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = TextDelta<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a contentBlockDelta event")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut index: Option<u64> = None;
                let mut text: Option<Text<'a>> = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::ContentBlockIndex if index.is_none() => {
                            index = Some(map.next_value()?);
                        }
                        Key::Delta if text.is_none() => text = Some(map.next_value()?),
                        Key::ContentBlockIndex | Key::Delta => return Err(give_up()),
                        Key::Text | Key::OtherDelta | Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                match (index, text) {
                    (Some(index), Some(Text(text))) => Ok(TextDelta { index, text }),
                    _ => Err(give_up()),
                }
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

#[cfg(test)]
mod tests;
