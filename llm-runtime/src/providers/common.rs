//! Protocol-neutral helpers the protocol files share: serializing a request body, parsing a
//! response body or stream event into a protocol's own wire types (which stay in its file),
//! reporting skipped events, recording provider details, and small request-side rules.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::messages::{generate_tool_call_id, FileUrl};
use crate::stream::PartsManager;

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

/// Reports an SSE event whose data is not the protocol's JSON (a compatible server's
/// keep-alive or status event), which is skipped; `what` names what it is not.
pub(super) fn warn_skipped_event(event: &str, data: &str, what: &str) {
    tracing::warn!(
        target: "llm_runtime::providers",
        event,
        data,
        "an SSE event that is not {what} was skipped"
    );
}

/// Sets `provider_details[key]` of the response being built.
pub(super) fn insert_detail(parts: &mut PartsManager, key: &str, value: impl Into<Value>) {
    parts
        .provider_details
        .get_or_insert_with(Map::new)
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

/// A tool call id, or a fresh one for a call that has none.
pub(super) fn guard_id(id: &str) -> Cow<'_, str> {
    if id.is_empty() {
        Cow::Owned(generate_tool_call_id())
    } else {
        Cow::Borrowed(id)
    }
}
