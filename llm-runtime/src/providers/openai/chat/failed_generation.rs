//! Groq's `tool_use_failed` errors: Groq checks the model's tool calls against the schemas and
//! answers 400 (or, in a stream, an `error` event) when one does not match or when a required
//! tool call is missing, with the model's `failed_generation`. As pydantic-ai's `GroqModel`
//! does, the generation becomes a response (a tool call when it is `{"name", "arguments"}`,
//! text otherwise) with finish reason `error`, so that the model can be told to retry; every
//! other error stays an error. Only for hosts configured so
//! ([`OpenAiChat::with_failed_generations`](super::OpenAiChat::with_failed_generations)).
//! The 400's body is read from what [`Error::Http`](crate::Error::Http) keeps (its first 4 KiB):
//! a longer generation stays the error, whose body then ends with the bytes left out.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::Result;
use crate::messages::{generate_tool_call_id, ToolCallPart};
use crate::messages::{FinishReason, ModelResponse, ModelResponsePart, TextPart, ToolArgs};
use crate::stream::{PartsManager, VendorId};

/// What the model generated before Groq refused it.
#[derive(Debug, PartialEq)]
pub(super) enum FailedGeneration {
    /// A tool call whose arguments did not match the tool's schema.
    ToolCall {
        name: String,
        arguments: Map<String, Value>,
    },
    /// Text (possibly empty: in a stream the text came before the error).
    Text(String),
}

#[derive(Deserialize)]
struct Envelope {
    error: Inner,
}

#[derive(Deserialize)]
struct Inner {
    code: String,
    #[serde(rename = "type")]
    kind: String,
    failed_generation: String,
}

#[derive(Deserialize)]
struct Generated {
    name: String,
    arguments: Map<String, Value>,
}

/// The failed generation of a `tool_use_failed` error, given as `{"error": {...}}` or as the
/// inner object; `None` for any other error.
pub(super) fn parse(error: &Value) -> Option<FailedGeneration> {
    let inner = Envelope::deserialize(error)
        .map(|e| e.error)
        .or_else(|_| Inner::deserialize(error))
        .ok()?;
    if inner.code != "tool_use_failed" || inner.kind != "invalid_request_error" {
        return None;
    }
    Some(
        match serde_json::from_str::<Generated>(&inner.failed_generation) {
            Ok(call) => FailedGeneration::ToolCall {
                name: call.name,
                arguments: call.arguments,
            },
            Err(_) => FailedGeneration::Text(inner.failed_generation),
        },
    )
}

/// The response a 400 `tool_use_failed` body amounts to, or `None` for another body.
pub(super) fn response(body: &[u8], model_name: &str) -> Option<ModelResponse> {
    let error: Value = serde_json::from_slice(body).ok()?;
    let part: Option<ModelResponsePart> = match parse(&error)? {
        FailedGeneration::ToolCall { name, arguments } => Some(
            ToolCallPart {
                args: Some(ToolArgs::Object(arguments)),
                ..ToolCallPart::new(name, "", generate_tool_call_id())
            }
            .into(),
        ),
        FailedGeneration::Text(text) if !text.is_empty() => Some(TextPart::new(text).into()),
        FailedGeneration::Text(_) => None,
    };
    Some(ModelResponse {
        parts: part.into_iter().collect(),
        model_name: Some(model_name.to_owned()),
        finish_reason: Some(FinishReason::Error),
        ..ModelResponse::default()
    })
}

/// Adds the failed generation of a stream's `error` event to the response so far.
///
/// # Errors
/// As [`PartsManager::handle_text_delta`].
pub(super) fn apply(generation: FailedGeneration, parts: &mut PartsManager) -> Result<()> {
    const VENDOR: VendorId<'static> = VendorId::Key("tool_use_failed");
    match generation {
        FailedGeneration::ToolCall { name, arguments } => {
            parts.handle_tool_call_part(
                Some(VENDOR),
                &name,
                Some(ToolArgs::Object(arguments)),
                None,
            );
            Ok(())
        }
        FailedGeneration::Text(text) if !text.is_empty() => {
            parts.handle_text_delta(Some(VENDOR), text)
        }
        FailedGeneration::Text(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_tool_use_failed_body_becomes_a_tool_call_or_text() {
        let body = json!({"error": {"code": "tool_use_failed", "type": "invalid_request_error",
            "message": "Tool call validation failed",
            "failed_generation": "{\"name\": \"get\", \"arguments\": {\"foo\": \"bar\"}}"}});
        let response = response(body.to_string().as_bytes(), "m").unwrap();
        assert_eq!(response.finish_reason, Some(FinishReason::Error));
        let [ModelResponsePart::ToolCall(call)] = response.parts.as_slice() else {
            panic!("{response:?}")
        };
        assert_eq!(call.tool_name, "get");
        assert_eq!(
            call.args,
            Some(ToolArgs::Object(
                json!({"foo": "bar"}).as_object().unwrap().clone()
            ))
        );

        let text = json!({"code": "tool_use_failed", "type": "invalid_request_error",
                          "failed_generation": "maybe"});
        assert_eq!(parse(&text), Some(FailedGeneration::Text("maybe".into())));
    }

    #[test]
    fn other_errors_and_malformed_bodies_are_not_failed_generations() {
        for body in [
            json!({"error": {"code": "rate_limit", "type": "invalid_request_error", "failed_generation": ""}}),
            json!({"error": {"code": "tool_use_failed", "type": "invalid_request_error"}}),
            json!({"error": "tool_use_failed"}),
            json!([1, 2]),
        ] {
            assert_eq!(response(body.to_string().as_bytes(), "m"), None, "{body}");
        }
        assert_eq!(response(b"not json", "m"), None);
    }
}
