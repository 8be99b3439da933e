//! Thought signatures: the opaque base64 strings Gemini attaches to parts so that its
//! reasoning can continue on the next turn. A response keeps each in its part's
//! `provider_details["thought_signature"]`; a request sends it back in the part it came with,
//! but only to the Gemini API (a signature of another provider's part means nothing here).
//! Google's documentation: <https://ai.google.dev/gemini-api/docs/thought-signatures>.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::messages::{ModelResponse, ModelResponsePart};

/// The key of a part's `provider_details` holding its thought signature (base64).
pub(super) const SIGNATURE_KEY: &str = "thought_signature";

/// Base64 of `skip_thought_signature_validator`, the signature Google documents for function
/// calls that have none (<https://ai.google.dev/gemini-api/docs/thought-signatures#faqs>).
pub(super) const SKIP_SIGNATURE: &str = "c2tpcF90aG91Z2h0X3NpZ25hdHVyZV92YWxpZGF0b3I=";

/// The names the Gemini API goes by: pydantic-ai's current one and its V1 one (ours). Thought
/// signatures of parts from either are sent back.
const GEMINI_API_NAMES: [&str; 2] = ["google-gla", "google"];

/// Whether thought signatures of a part marked with `name` are ours (`provider`'s) to send
/// back.
pub(super) fn accepts(provider: &str, name: Option<&str>) -> bool {
    name.is_some_and(|name| name == provider || GEMINI_API_NAMES.contains(&name))
}

/// The signature in a part's `provider_details`, when the part (or its response) came from
/// the Gemini API.
///
/// # Errors
/// [`Error::User`] when the signature is not a string.
pub(super) fn inline_signature<'a>(
    item: &'a ModelResponsePart,
    response: &ModelResponse,
    provider: &str,
) -> Result<Option<&'a str>> {
    let (name, details) = (item.provider_name(), item.provider_details());
    let Some(details) = details else {
        return Ok(None);
    };
    if !accepts(provider, response.provider_name.as_deref()) && !accepts(provider, name) {
        return Ok(None);
    }
    match details.get(SIGNATURE_KEY) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(signature)) if signature.is_empty() => Ok(None),
        Some(Value::String(signature)) => Ok(Some(signature)),
        Some(other) => Err(Error::user(format!(
            "`provider_details.{SIGNATURE_KEY}` of a response part must be a base64 string, \
             not {other}"
        ))),
    }
}

/// `{"thought_signature": signature}`: the `provider_details` of a part that came with one.
pub(super) fn signature_details(signature: &str) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert(SIGNATURE_KEY.into(), Value::String(signature.into()));
    details
}

#[cfg(test)]
mod tests;
