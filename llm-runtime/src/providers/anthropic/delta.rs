//! The fast path of the stream's most frequent event: a `content_block_delta`'s data read by
//! hand into its block's index and the one or two strings its delta's type reads.
//!
//! Nine events in ten are these. The derived reading of the same fields filled an option per
//! field of every kind of delta and moved the result (seven strings wide) several times per
//! event; this reader keeps what the type reads and skips the rest. Whatever it cannot read
//! is read again in full by the caller, whose error is the one reported.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::super::common::CowStr;

mod fast;

/// Reads a `content_block_delta`'s data: in one pass when it has the common shape, else with
/// serde (whose error is the one reported).
///
/// # Errors
/// The JSON error, when the data is not such an event.
pub(super) fn read_delta_event(data: &str) -> serde_json::Result<DeltaEvent<'_>> {
    match fast::read(data) {
        Some(event) => Ok(event),
        None => serde_json::from_str(data),
    }
}

/// The data of a `content_block_delta` event, as far as the fast path reads it.
pub(super) struct DeltaEvent<'a> {
    /// The event's `type`.
    pub(super) kind: Cow<'a, str>,
    pub(super) index: Option<u64>,
    pub(super) delta: Option<BlockDelta<'a>>,
}

/// The `delta` of a `content_block_delta`: its type and what that type reads.
pub(super) struct BlockDelta<'a> {
    pub(super) kind: Option<Cow<'a, str>>,
    /// The field the type reads: `text` (`text_delta`), `thinking` (`thinking_delta`),
    /// `signature` (`signature_delta`), `partial_json` (`input_json_delta`), `content`
    /// (`compaction_delta`); `None` for another type.
    pub(super) value: Option<Cow<'a, str>>,
    /// A `compaction_delta`'s `encrypted_content`.
    pub(super) encrypted_content: Option<Cow<'a, str>>,
}

/// Every field of a delta, as they came.
#[derive(Default)]
pub(super) struct DeltaFields<'a> {
    pub(super) kind: Option<Cow<'a, str>>,
    pub(super) text: Option<Cow<'a, str>>,
    pub(super) thinking: Option<Cow<'a, str>>,
    pub(super) signature: Option<Cow<'a, str>>,
    pub(super) partial_json: Option<Cow<'a, str>>,
    pub(super) content: Option<Cow<'a, str>>,
    pub(super) encrypted_content: Option<Cow<'a, str>>,
}

impl<'a> DeltaFields<'a> {
    /// The fields the delta's type reads.
    pub(super) fn into_block_delta(self) -> BlockDelta<'a> {
        let (value, encrypted_content) = match self.kind.as_deref() {
            Some("text_delta") => (self.text, None),
            Some("thinking_delta") => (self.thinking, None),
            Some("signature_delta") => (self.signature, None),
            Some("input_json_delta") => (self.partial_json, None),
            Some("compaction_delta") => (self.content, self.encrypted_content),
            _ => (None, None),
        };
        BlockDelta {
            kind: self.kind,
            value,
            encrypted_content,
        }
    }
}

/// The keys read, of the event and of its delta.
enum Key {
    Type,
    Index,
    Delta,
    Text,
    Thinking,
    Signature,
    PartialJson,
    Content,
    EncryptedContent,
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
                    "type" => Key::Type,
                    "index" => Key::Index,
                    "delta" => Key::Delta,
                    "text" => Key::Text,
                    "thinking" => Key::Thinking,
                    "signature" => Key::Signature,
                    "partial_json" => Key::PartialJson,
                    "content" => Key::Content,
                    "encrypted_content" => Key::EncryptedContent,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// Sets a field read once, as the derived reading does (a second one is an error).
fn set<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// A nullable string field, borrowed when it has no escapes.
fn set_str<'de: 'a, 'a, A: MapAccess<'de>>(
    slot: &mut Option<Option<Cow<'a, str>>>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value::<Option<CowStr<'a>>>()?.map(|s| s.0));
    Ok(())
}

impl<'de: 'a, 'a> Deserialize<'de> for DeltaEvent<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = DeltaEvent<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a content_block_delta event")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut kind: Option<CowStr<'a>> = None;
                let mut index: Option<Option<u64>> = None;
                let mut delta: Option<Option<BlockDelta<'a>>> = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Type => set(&mut kind, &mut map, "type")?,
                        Key::Index => set(&mut index, &mut map, "index")?,
                        Key::Delta => set(&mut delta, &mut map, "delta")?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
                Ok(DeltaEvent {
                    kind: kind.0,
                    index: index.flatten(),
                    delta: delta.flatten(),
                })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for BlockDelta<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = BlockDelta<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a content block delta")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut kind = None;
                let mut text = None;
                let mut thinking = None;
                let mut signature = None;
                let mut partial_json = None;
                let mut content = None;
                let mut encrypted_content = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Type => set_str(&mut kind, &mut map, "type")?,
                        Key::Text => set_str(&mut text, &mut map, "text")?,
                        Key::Thinking => set_str(&mut thinking, &mut map, "thinking")?,
                        Key::Signature => set_str(&mut signature, &mut map, "signature")?,
                        Key::PartialJson => set_str(&mut partial_json, &mut map, "partial_json")?,
                        Key::Content => set_str(&mut content, &mut map, "content")?,
                        Key::EncryptedContent => {
                            set_str(&mut encrypted_content, &mut map, "encrypted_content")?
                        }
                        Key::Index | Key::Delta | Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let fields = DeltaFields {
                    kind: kind.flatten(),
                    text: text.flatten(),
                    thinking: thinking.flatten(),
                    signature: signature.flatten(),
                    partial_json: partial_json.flatten(),
                    content: content.flatten(),
                    encrypted_content: encrypted_content.flatten(),
                };
                Ok(fields.into_block_delta())
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests;
