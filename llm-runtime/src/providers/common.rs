//! Protocol-neutral helpers the protocol files share: serializing a request body, parsing a
//! response body or stream event into a protocol's own wire types (which stay in its file),
//! reporting skipped events, recording provider details, and small request-side rules.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::messages::{generate_tool_call_id, FileUrl, ModelResponsePart};
use crate::stream::PartsManager;
use crate::warning::Warning;

/// The JSON bytes of a request body.
///
/// # Errors
/// [`Error::User`] when the body cannot be serialized (e.g. an extra setting that is not JSON).
pub(super) fn json_body<T: Serialize + ?Sized>(body: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(body)
        .map_err(|e| Error::user(format!("the request body cannot be serialized: {e}")))
}

/// Parses a whole response body as the protocol's wire type `T`.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with the body when it is not a valid `what`.
pub(super) fn parse_body<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T> {
    serde_json::from_slice(body)
        .map_err(|e| Error::unexpected_with_body(format!("invalid {what}: {e}"), body))
}

/// Parses the data of one stream event as the protocol's (borrowing) wire type `T`.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with the data when it is not a valid `what`.
pub(super) fn parse_event<'a, T: Deserialize<'a>>(
    data: &'a str,
    what: impl fmt::Display,
) -> Result<T> {
    serde_json::from_str(data)
        .map_err(|e| Error::unexpected_with_body(format!("invalid {what}: {e}"), data.as_bytes()))
}

/// Sets `provider_details[key]` of the response being built.
pub(super) fn insert_detail(parts: &mut PartsManager, key: &str, value: impl Into<Value>) {
    // Room for one detail, not the three a first insert reserves: an open stream holds the
    // map, and most responses have one or two details.
    parts
        .provider_details
        .get_or_insert_with(|| Map::with_capacity(1))
        .insert(key.to_owned(), value.into());
}

/// `text` with every byte outside RFC 3986's unreserved characters percent-encoded, for a path
/// segment.
pub(super) fn percent_encode(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The error for a file URL a protocol can only send as bytes: `kind` names the content
/// (`image`, `document`…).
pub(super) fn needs_download(kind: &str, file: &FileUrl) -> Error {
    Error::user(format!(
        "the {kind} at `{}` must be sent as bytes, which needs a download this translation does \
         not make: pass it as `BinaryContent`",
        file.url
    ))
}

/// The warning for a response part a protocol does not send back: a built-in tool's call or
/// return, a generated file or a compaction summary that this API cannot take (or that another
/// provider produced). `protocol` names the API, as in "Anthropic's Messages API".
pub(super) fn unsent_part(part: &ModelResponsePart, protocol: &str) -> Warning {
    let (what, name): (&'static str, Option<&str>) = match part {
        ModelResponsePart::BuiltinToolCall(p) => ("builtin tool call", Some(&p.tool_name)),
        ModelResponsePart::BuiltinToolReturn(p) => ("builtin tool return", Some(&p.tool_name)),
        ModelResponsePart::File(_) => ("file", None),
        ModelResponsePart::Compaction(_) => ("compaction", None),
        ModelResponsePart::Text(_) => ("text", None),
        ModelResponsePart::ToolCall(p) => ("tool call", Some(&p.tool_name)),
        ModelResponsePart::Thinking(_) => ("thinking", None),
    };
    let name = name.map(|n| format!(" `{n}`")).unwrap_or_default();
    let from = part
        .provider_name()
        .map(|p| format!(" from `{p}`"))
        .unwrap_or_default();
    Warning::dropped_content(
        what,
        format!("{protocol} cannot take back the {what}{name}{from}; it is not sent"),
    )
}

/// A tool call id, or a fresh one for a call that has none.
pub(super) fn guard_id(id: &str) -> Cow<'_, str> {
    if id.is_empty() {
        Cow::Owned(generate_tool_call_id())
    } else {
        Cow::Borrowed(id)
    }
}

/// The `visit_borrowed_str`, `visit_str` and `visit_string` of a visitor whose value wraps a
/// string with `$wrap`: borrowed from the input when it has no escapes, else owned.
macro_rules! visit_cow_str {
    ($wrap:expr) => {
        fn visit_borrowed_str<E: de::Error>(
            self,
            v: &'de str,
        ) -> std::result::Result<Self::Value, E> {
            Ok($wrap(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            Ok($wrap(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
            Ok($wrap(Cow::Owned(v)))
        }
    };
}
pub(super) use visit_cow_str;

/// A string borrowed from the input when it has no escapes (an owned copy when it has).
pub(super) struct CowStr<'a>(pub(super) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for CowStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = CowStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            visit_cow_str!(CowStr);
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// For an `Option<Cow<str>>` field of a derived wire struct:
/// `#[serde(default, deserialize_with = "opt_cow")]`. serde's derive borrows a `Cow<str>`
/// field from the input, but fills an `Option<Cow<str>>` with an owned copy of every string:
/// an allocation per field per stream event.
pub(super) fn opt_cow<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<CowStr<'a>>::deserialize(d)?.map(|s| s.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Wire<'a> {
        #[serde(default, borrow, deserialize_with = "opt_cow")]
        text: Option<Cow<'a, str>>,
        #[serde(default, borrow)]
        plain: Option<Cow<'a, str>>,
    }

    #[test]
    fn opt_cow_borrows_what_the_derive_would_copy() {
        let wire: Wire<'_> = serde_json::from_str(r#"{"text": "hi", "plain": "hi"}"#).unwrap();
        assert!(matches!(wire.text, Some(Cow::Borrowed("hi"))));
        // What serde's derive does on its own for an `Option<Cow<str>>`: a copy.
        assert!(matches!(wire.plain, Some(Cow::Owned(_))));
        // Escapes need a copy; null and absence are `None`.
        let wire: Wire<'_> = serde_json::from_str(r#"{"text": "a\nb"}"#).unwrap();
        assert!(matches!(wire.text, Some(Cow::Owned(ref s)) if s == "a\nb"));
        let wire: Wire<'_> = serde_json::from_str(r#"{"text": null}"#).unwrap();
        assert!(wire.text.is_none() && wire.plain.is_none());
        assert!(serde_json::from_str::<Wire<'_>>(r#"{"text": 3}"#).is_err());
    }
}
