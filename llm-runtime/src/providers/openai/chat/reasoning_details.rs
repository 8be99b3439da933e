//! OpenRouter's `reasoning_details` (also spoken by other hosts that relay several vendors'
//! reasoning): each detail becomes a thinking part whose `provider_details` keep its `type`,
//! `format` and `index`, and goes back in the same shape in later turns, as pydantic-ai's
//! `_reasoning_details` codec does. Read and sent only when the host is configured for it
//! ([`OpenAiChat::with_reasoning_details`](super::OpenAiChat::with_reasoning_details)).

use serde::Serialize;
use serde_json::{Map, Value};

use super::wire::ReasoningDetail;
use crate::messages::ThinkingPart;
use crate::warning::Warning;

/// Raw reasoning text, with an optional signature.
const TEXT: &str = "reasoning.text";
/// A summary of the reasoning.
const SUMMARY: &str = "reasoning.summary";
/// Encrypted reasoning: only a signature.
const ENCRYPTED: &str = "reasoning.encrypted";

/// The thinking part of one detail, or the warning that it was not read (an unknown `type`).
pub(super) fn to_thinking(
    detail: &ReasoningDetail,
    provider_name: Option<&str>,
) -> Result<ThinkingPart, Warning> {
    let (content, signature) = match detail.kind.as_str() {
        TEXT => (
            detail.text.clone().unwrap_or_default(),
            detail.signature.clone(),
        ),
        SUMMARY => (detail.summary.clone().unwrap_or_default(), None),
        ENCRYPTED => (String::new(), Some(detail.data.clone().unwrap_or_default())),
        other => {
            return Err(Warning::dropped_content(
                "reasoning_details",
                format!("a reasoning detail of the unknown type `{other}` was not read"),
            ))
        }
    };
    Ok(ThinkingPart {
        content,
        id: detail.id.clone(),
        signature,
        provider_name: provider_name.map(str::to_owned),
        provider_details: Some(details(detail)),
    })
}

/// The part's `provider_details`: the detail's `format`, `index` and `type` (null when absent).
pub(super) fn details(detail: &ReasoningDetail) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(
        "format".into(),
        detail.format.clone().map_or(Value::Null, Value::String),
    );
    map.insert(
        "index".into(),
        detail.index.map_or(Value::Null, Value::from),
    );
    map.insert("type".into(), Value::String(detail.kind.clone()));
    map
}

/// The stream's key of one detail: its type and its `index` (stable across chunks), or its
/// position in the chunk when it has none. The type stays in the key because a host can send
/// text and encrypted details with the same index (Gemini), which are separate parts.
pub(super) fn vendor_key(detail: &ReasoningDetail, position: usize) -> String {
    match detail.index {
        Some(index) => format!("reasoning_detail_{}_{index}", detail.kind),
        None => format!("reasoning_detail_{}_{position}", detail.kind),
    }
}

/// A detail sent back in an assistant message's `reasoning_details`.
#[derive(Serialize, Debug, PartialEq)]
#[serde(untagged)]
pub(super) enum OutgoingDetail<'a> {
    Text {
        id: Option<&'a str>,
        format: Option<&'a Value>,
        index: Option<&'a Value>,
        #[serde(rename = "type")]
        kind: &'static str,
        text: &'a str,
        signature: Option<&'a str>,
    },
    Summary {
        id: Option<&'a str>,
        format: Option<&'a Value>,
        index: Option<&'a Value>,
        #[serde(rename = "type")]
        kind: &'static str,
        summary: &'a str,
    },
    Encrypted {
        id: Option<&'a str>,
        format: Option<&'a Value>,
        index: Option<&'a Value>,
        #[serde(rename = "type")]
        kind: &'static str,
        data: &'a str,
    },
}

/// The detail a thinking part read from `reasoning_details` goes back as; `None` for a part
/// that did not come from one (no detail `type` in its `provider_details`), or an encrypted
/// one that lost its signature.
pub(super) fn from_thinking(part: &ThinkingPart) -> Option<OutgoingDetail<'_>> {
    let details = part.provider_details.as_ref()?;
    let format = details.get("format").filter(|v| !v.is_null());
    let index = details.get("index").filter(|v| !v.is_null());
    let id = part.id.as_deref();
    match details.get("type").and_then(Value::as_str)? {
        TEXT => Some(OutgoingDetail::Text {
            id,
            format,
            index,
            kind: TEXT,
            text: &part.content,
            signature: part.signature.as_deref(),
        }),
        SUMMARY => Some(OutgoingDetail::Summary {
            id,
            format,
            index,
            kind: SUMMARY,
            summary: &part.content,
        }),
        ENCRYPTED => Some(OutgoingDetail::Encrypted {
            id,
            format,
            index,
            kind: ENCRYPTED,
            data: part.signature.as_deref()?,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail(value: Value) -> ReasoningDetail {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn each_detail_type_becomes_a_thinking_part_and_goes_back_the_same() {
        let cases = [
            json!({"type": "reasoning.text", "text": "2+2", "signature": "sig", "format": "anthropic-claude-v1", "index": 0}),
            json!({"type": "reasoning.summary", "summary": "sum", "format": "openai-responses-v1", "index": 0}),
            json!({"type": "reasoning.encrypted", "data": "gAAA", "id": "rs_1", "format": "openai-responses-v1", "index": 1}),
        ];
        let expected = [
            ("2+2", Some("sig"), None),
            ("sum", None, None),
            ("", Some("gAAA"), Some("rs_1")),
        ];
        for (wire, (content, signature, id)) in cases.into_iter().zip(expected) {
            let part = to_thinking(&detail(wire.clone()), Some("openrouter")).unwrap();
            assert_eq!(part.content, content);
            assert_eq!(part.signature.as_deref(), signature);
            assert_eq!(part.id.as_deref(), id);
            assert_eq!(part.provider_name.as_deref(), Some("openrouter"));
            let details = part.provider_details.clone().unwrap();
            assert_eq!(details["type"], wire["type"]);
            assert_eq!(details["format"], wire["format"]);
            // Back as it came, with pydantic-ai's nulls for what it did not carry.
            let mut back = serde_json::to_value(from_thinking(&part).unwrap()).unwrap();
            let back = back.as_object_mut().unwrap();
            back.retain(|_, v| !v.is_null());
            assert_eq!(Value::Object(back.clone()), wire);
        }
    }

    #[test]
    fn an_unknown_type_is_a_warning_and_other_parts_are_not_details() {
        let warning = to_thinking(&detail(json!({"type": "reasoning.other"})), None).unwrap_err();
        assert!(warning.message().contains("reasoning.other"));
        assert_eq!(from_thinking(&ThinkingPart::new("plain")), None);
        // An encrypted detail without its signature cannot go back.
        let mut part = to_thinking(
            &detail(json!({"type": "reasoning.encrypted", "data": "x"})),
            None,
        )
        .unwrap();
        part.signature = None;
        assert_eq!(from_thinking(&part), None);
    }

    #[test]
    fn stream_keys_use_the_index_else_the_position() {
        let with = detail(json!({"type": "reasoning.text", "index": 3}));
        let without = detail(json!({"type": "reasoning.encrypted"}));
        assert_eq!(vendor_key(&with, 0), "reasoning_detail_reasoning.text_3");
        assert_eq!(
            vendor_key(&without, 2),
            "reasoning_detail_reasoning.encrypted_2"
        );
    }
}
