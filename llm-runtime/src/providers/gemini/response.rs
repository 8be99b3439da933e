//! A `GenerateContentResponse` body -> [`ModelResponse`] (pydantic-ai's `_process_response`),
//! and the pieces a stream shares with it (`stream.rs` uses them): what a part holds, function
//! calls as tool calls, the finish-reason map, safety ratings and block reasons in
//! `provider_details`, errors reported in the body. Built-in tools' parts, their grounding
//! metadata and generated images are read by `builtin_parts.rs`; a `fileData` part, which
//! the message model has no place for, is left out with a [`Warning`].

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::builtin_parts;
use super::signatures::signature_details;
use super::wire::{
    GroundingMetadata, LogprobsResult, PromptFeedback, SafetyRating, WireBlob, WireError,
    WireFunctionCall, WirePart, WireResponse, WireToolCall, WireToolResponse,
};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, FinishReason, ModelResponse, ModelResponsePart, TextPart, ThinkingPart,
    ToolArgs, ToolCallPart,
};
use crate::providers::common::parse_body;
use crate::providers::ResponseContext;
use crate::schema;
use crate::usage::Usage;
use crate::warning::{Warning, Warnings};

/// Parses a whole `generateContent` response.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with the body when it is not a valid response or holds a
/// part of no known kind; the error its `error` object describes, when it has one.
pub(super) fn parse(body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
    let response: WireResponse<'_> = parse_body(body, "generateContent response")?;
    if let Some(error) = &response.0.error {
        return Err(reported_error(error, cx.model_name, body));
    }
    response_from(response, cx, body)
}

/// Builds the response of a whole `GenerateContentResponse` (pydantic-ai's
/// `_process_response`).
fn response_from(
    mut response: WireResponse<'_>,
    cx: &mut ResponseContext<'_>,
    raw: &[u8],
) -> Result<ModelResponse> {
    let response = &mut *response.0;
    let requested_model = cx.model_name;
    let candidate = response.candidates.take();
    let mut details = Map::new();
    let mut finish_reason = None;
    match &candidate {
        Some(candidate) => {
            if let Some(reason) = candidate.finish_reason.as_ref().filter(|r| !r.0.is_empty()) {
                details.insert("finish_reason".into(), Value::String(reason.0.to_string()));
                if let Some(ratings) = candidate
                    .safety_ratings
                    .as_deref()
                    .filter(|r| !r.is_empty())
                {
                    details.insert("safety_ratings".into(), ratings_value(ratings, raw)?);
                }
                finish_reason = map_finish_reason(&reason.0);
            }
        }
        None => {
            if let Some(feedback) = &response.prompt_feedback {
                if let Some(reason) = feedback.block_reason.as_deref().filter(|r| !r.is_empty()) {
                    insert_block_details(&mut details, feedback, reason, raw)?;
                    finish_reason = Some(FinishReason::ContentFilter);
                }
            }
        }
    }
    if let Some(time) = &response.create_time {
        details.insert("timestamp".into(), Value::String(time.0.to_string()));
    }
    if let Some(traffic) = response
        .usage_metadata
        .as_ref()
        .and_then(|u| u.traffic_type.as_ref())
    {
        details.insert("traffic_type".into(), Value::String(traffic.0.to_string()));
    }

    let mut parts = Vec::new();
    if let Some(candidate) = candidate {
        if let Some(logprobs) = candidate.logprobs_result.map(|l| *l).filter(schema::truthy) {
            details.insert("logprobs".into(), pythonic_logprobs(logprobs));
            details.insert(
                "avg_logprobs".into(),
                candidate.avg_logprobs.map_or(Value::Null, Value::from),
            );
        }
        let provider = cx.provider_name;
        let wire_parts = candidate.content.and_then(|c| c.parts).unwrap_or_default();
        let grounding = candidate.grounding_metadata.as_deref();
        if !builtin_parts::has_invocations(&wire_parts) {
            // Without the tools' own parts, their calls are rebuilt from the metadata.
            let pairs = [
                grounding.and_then(|g| builtin_parts::web_search(g, provider)),
                grounding.and_then(|g| builtin_parts::file_search(g, provider)),
                candidate
                    .url_context_metadata
                    .as_ref()
                    .and_then(|m| builtin_parts::url_context(m, provider)),
            ];
            for (call, ret) in pairs.into_iter().flatten() {
                parts.push(call.into());
                parts.push(ret.into());
            }
        }
        let mut code_id = None;
        for part in &wire_parts {
            let item = part_from(
                part,
                raw,
                provider,
                &mut code_id,
                grounding,
                &mut cx.warnings,
            )?;
            parts.extend(item);
        }
    }

    let usage = response
        .usage_metadata
        .as_ref()
        .map_or_else(|| Usage::new(0, 0), |u| u.to_usage(1));
    let model_name = response
        .model_version
        .take()
        .map(|m| m.0)
        .filter(|m| !m.is_empty())
        .map_or_else(|| requested_model.to_owned(), Cow::into_owned);
    Ok(ModelResponse {
        parts,
        usage,
        model_name: Some(model_name),
        provider_response_id: response.response_id.take().map(|id| id.0.into_owned()),
        provider_details: (!details.is_empty()).then_some(details),
        finish_reason,
        ..ModelResponse::default()
    })
}

/// One part of a whole response (pydantic-ai's `_process_part`); `None` for a part that
/// is left out (empty text, an image draft, what the message model has no part for).
/// `code_id` is the id of the latest code execution, which its result shares.
fn part_from(
    part: &WirePart<'_>,
    raw: &[u8],
    provider: &str,
    code_id: &mut Option<String>,
    grounding: Option<&GroundingMetadata>,
    warnings: &mut Warnings,
) -> Result<Option<ModelResponsePart>> {
    let details = part.signature_details();
    let mut item: ModelResponsePart = match part.kind() {
        WireKind::Text(text, _) if text.is_empty() && details.is_none() => return Ok(None),
        WireKind::Text(text, true) => ThinkingPart::new(text).into(),
        WireKind::Text(text, false) => TextPart::new(text).into(),
        WireKind::FunctionCall(call) => call.to_part(raw)?.into(),
        WireKind::ExecutableCode(code) => {
            let id = generate_tool_call_id();
            *code_id = Some(id.clone());
            builtin_parts::code_call(code, id, provider).into()
        }
        WireKind::CodeExecutionResult(result) => {
            let id = code_id.clone().unwrap_or_else(generate_tool_call_id);
            builtin_parts::code_return(result, id, provider).into()
        }
        WireKind::ToolCall(call) => builtin_parts::tool_call(call, provider, raw)?.into(),
        WireKind::ToolResponse(response) => {
            let mut ret = builtin_parts::tool_response(response, provider, raw)?;
            builtin_parts::fill_file_search(&mut ret, grounding);
            ret.into()
        }
        WireKind::InlineData(_, true) => return Ok(None),
        WireKind::InlineData(blob, false) => builtin_parts::file(blob, raw)?.into(),
        WireKind::Unrepresented(kind) => {
            warnings.push(unrepresented(kind));
            return Ok(None);
        }
        WireKind::Unknown => return Err(unknown_part(raw)),
    };
    if let Some(details) = details {
        item.set_provider_details(provider, details);
    }
    Ok(Some(item))
}

/// What a part holds.
pub(super) enum WireKind<'p, 'a> {
    /// Text, and whether it is a thought.
    Text(&'p str, bool),
    /// A function call.
    FunctionCall(&'p WireFunctionCall<'a>),
    /// Code that code execution ran.
    ExecutableCode(&'p Map<String, Value>),
    /// What the code printed, and its outcome.
    CodeExecutionResult(&'p Map<String, Value>),
    /// A server-side tool's call.
    ToolCall(&'p WireToolCall<'a>),
    /// A server-side tool's result.
    ToolResponse(&'p WireToolResponse<'a>),
    /// Bytes the model generated, and whether they are a thought (an image draft).
    InlineData(&'p WireBlob<'a>, bool),
    /// Something the message model has no part for (named for the warning).
    Unrepresented(&'static str),
    /// None of the data fields this protocol knows.
    Unknown,
}

impl<'a> WirePart<'a> {
    /// The part's kind, in pydantic-ai's order of precedence.
    pub(super) fn kind(&self) -> WireKind<'_, 'a> {
        if let Some(code) = &self.executable_code {
            WireKind::ExecutableCode(code)
        } else if let Some(result) = &self.code_execution_result {
            WireKind::CodeExecutionResult(result)
        } else if let Some(text) = &self.text {
            WireKind::Text(&text.0, self.thought == Some(true))
        } else if let Some(call) = &self.function_call {
            WireKind::FunctionCall(call)
        } else if let Some(call) = &self.tool_call {
            WireKind::ToolCall(call)
        } else if let Some(response) = &self.tool_response {
            WireKind::ToolResponse(response)
        } else if let Some(blob) = &self.inline_data {
            WireKind::InlineData(blob, self.thought == Some(true))
        } else if self.file_data.is_some() {
            WireKind::Unrepresented("fileData")
        } else {
            WireKind::Unknown
        }
    }

    /// `{"thought_signature": …}` when the part has a signature.
    pub(super) fn signature_details(&self) -> Option<Map<String, Value>> {
        let signature = self.thought_signature.as_ref()?;
        Some(signature_details(&signature.0))
    }
}

impl WireFunctionCall<'_> {
    /// The call as a tool call, with its id or a generated one.
    pub(super) fn to_part(&self, raw: &[u8]) -> Result<ToolCallPart> {
        let Some(name) = &self.name else {
            return Err(Error::unexpected_with_body(
                "a function call has no name",
                raw,
            ));
        };
        let id = self
            .id
            .as_ref()
            .map(|id| id.0.as_ref())
            .filter(|id| !id.is_empty())
            .map_or_else(generate_tool_call_id, str::to_owned);
        Ok(ToolCallPart {
            args: self.args.clone().map(ToolArgs::Object),
            ..ToolCallPart::new(name.0.as_ref(), "", id)
        })
    }
}

/// Gemini finish reasons, normalised (pydantic-ai's `_FINISH_REASON_MAP`). Unmapped values
/// give `None`; the raw value stays in `provider_details["finish_reason"]`.
pub(super) fn map_finish_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "STOP" => Some(FinishReason::Stop),
        "MAX_TOKENS" => Some(FinishReason::Length),
        "SAFETY"
        | "RECITATION"
        | "BLOCKLIST"
        | "PROHIBITED_CONTENT"
        | "SPII"
        | "IMAGE_SAFETY"
        | "IMAGE_PROHIBITED_CONTENT"
        | "MODEL_ARMOR" => Some(FinishReason::ContentFilter),
        "LANGUAGE" | "MALFORMED_FUNCTION_CALL" | "UNEXPECTED_TOOL_CALL" | "NO_IMAGE" => {
            Some(FinishReason::Error)
        }
        "FINISH_REASON_UNSPECIFIED" | "OTHER" => None,
        other => {
            tracing::debug!(
                target: "llm_runtime::providers",
                finish_reason = other,
                "unknown finish reason; kept in provider_details only"
            );
            None
        }
    }
}

/// The safety ratings as they are kept in `provider_details`.
pub(super) fn ratings_value(ratings: &[SafetyRating], raw: &[u8]) -> Result<Value> {
    serde_json::to_value(ratings).map_err(|e| {
        Error::unexpected_with_body(format!("the safety ratings cannot be kept: {e}"), raw)
    })
}

/// The error an `error` object describes: an HTTP error when its `code` is an HTTP error
/// status, else an unexpected-behaviour error with the raw data.
pub(super) fn reported_error(error: &WireError, model_name: &str, raw: &[u8]) -> Error {
    let status = error
        .code
        .and_then(|code| u16::try_from(code).ok())
        .filter(|code| (400..=599).contains(code));
    match status {
        Some(status) => Error::http(status, model_name, raw, None),
        None => Error::unexpected_with_body(
            format!(
                "the Gemini API reported an error: {} ({})",
                error.message.as_deref().unwrap_or("no message"),
                error.status.as_deref().unwrap_or("no status")
            ),
            raw,
        ),
    }
}

/// The warning for a part the message model has no place for (named `kind` on the wire).
pub(super) fn unrepresented(kind: &'static str) -> Warning {
    Warning::dropped_content(
        kind,
        format!(
            "a `{kind}` part (a file the API stores) has no place in the message model; it is \
             left out of the response"
        ),
    )
}

/// The error for a part that holds nothing this protocol knows.
pub(super) fn unknown_part(raw: &[u8]) -> Error {
    Error::unexpected_with_body(
        "a candidate part holds none of text, functionCall, inlineData, fileData, \
         executableCode, codeExecutionResult, toolCall or toolResponse",
        raw,
    )
}

/// `block_reason`, `block_reason_message` and `safety_ratings` of a blocked prompt.
pub(super) fn insert_block_details(
    details: &mut Map<String, Value>,
    feedback: &PromptFeedback,
    reason: &str,
    raw: &[u8],
) -> Result<()> {
    details.insert("block_reason".into(), Value::String(reason.to_owned()));
    if let Some(message) = feedback
        .block_reason_message
        .as_deref()
        .filter(|m| !m.is_empty())
    {
        details.insert(
            "block_reason_message".into(),
            Value::String(message.to_owned()),
        );
    }
    if let Some(ratings) = feedback.safety_ratings.as_deref().filter(|r| !r.is_empty()) {
        details.insert("safety_ratings".into(), ratings_value(ratings, raw)?);
    }
    Ok(())
}

/// A `logprobsResult` with google-genai's snake_case names (as pydantic-ai keeps it); as the
/// API sent it when it is not one.
fn pythonic_logprobs(logprobs: Value) -> Value {
    serde_json::from_value::<LogprobsResult>(logprobs.clone())
        .ok()
        .and_then(|typed| serde_json::to_value(typed).ok())
        .unwrap_or(logprobs)
}

#[cfg(test)]
mod tests;
