//! The response: a whole chat completion to a [`ModelResponse`] (thinking from a reasoning
//! field or from reasoning details, Groq's executed searches, text, tool calls, annotations in
//! `provider_details` where the host keeps them), and the pieces the stream shares (usage,
//! finish reasons, log probabilities, reported errors, the warnings for content that is not
//! read).

use std::borrow::Cow;

use chrono::SecondsFormat;
use serde_json::{Map, Value};

use super::super::shared::{cow, timestamp_detail, token_logprobs, WireArgs};
use super::thinking::{reasoning_slot, split_thinking, CONTENT};
use super::wire::{
    parse_completion, Completion, ContentChunk, Thought, WireContent, WireLogprobs, WireUsage,
};
use super::OpenAiChat;
use super::{executed_tools, reasoning_details};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, FinishReason, ModelResponse, ModelResponsePart, TextPart, ThinkingPart,
    ToolArgs, ToolCallPart,
};
use crate::providers::ResponseContext;
use crate::usage::Usage;
use crate::warning::Warning;

#[cfg(test)]
mod tests;

impl OpenAiChat {
    /// Parses a whole chat completion; content that is not read goes into `cx.warnings`.
    pub(super) fn parse_body(
        &self,
        body: &[u8],
        cx: &mut ResponseContext<'_>,
    ) -> Result<ModelResponse> {
        let text = std::str::from_utf8(body).map_err(|e| {
            Error::unexpected_with_body(
                format!("the chat completion is not valid UTF-8: {e}"),
                body,
            )
        })?;
        let completion = parse_completion(text, self.thinking_field).map_err(|e| {
            Error::unexpected_with_body(format!("invalid chat completion: {e}"), body)
        })?;
        self.response_from(completion, cx, body)
    }

    /// Builds the response of a whole completion.
    fn response_from(
        &self,
        completion: Completion<'_>,
        cx: &mut ResponseContext<'_>,
        body: &[u8],
    ) -> Result<ModelResponse> {
        let requested_model = cx.model_name;
        let model_name = completion
            .model
            .as_deref()
            .unwrap_or(requested_model)
            .to_owned();
        if let Some(error) = completion.error.as_ref().filter(|e| !e.is_null()) {
            return Err(reported_error(error, &model_name, body));
        }
        let Some(choice) = completion.choice else {
            return Err(Error::unexpected_with_body(
                "the chat completion has no choices",
                body,
            ));
        };
        // The response's own timestamp (`new` reads the clock once) is the one reported.
        let mut response = ModelResponse::new(Vec::new());
        let timestamp = response.timestamp;
        let mut details = Map::new();
        let logprobs = logprobs_details(choice.logprobs);
        if !logprobs.is_empty() {
            details.insert("logprobs".into(), Value::Array(logprobs));
        }
        // Ollama sometimes sends no finish reason: pydantic-ai reads it as `stop`.
        let raw_finish = choice
            .finish_reason
            .as_deref()
            .filter(|r| !r.is_empty())
            .unwrap_or("stop");
        details.insert("finish_reason".into(), Value::String(raw_finish.to_owned()));
        if let Some(moderation) = completion.moderation.filter(|m| !m.is_null()) {
            details.insert("moderation".into(), moderation);
        }
        let created = match completion.created.filter(|c| *c != 0.0) {
            Some(created) => timestamp_detail("created", created, body)?,
            None => Value::String(timestamp.to_rfc3339_opts(SecondsFormat::Micros, true)),
        };
        let usage = completion
            .usage
            .map_or_else(|| Usage::new(0, 0), |u| u.into_usage(1));
        let mut message = choice.message.unwrap_or_default();
        if self.annotations {
            if let Some(annotations) = message.annotations.take().filter(non_empty_list) {
                details.insert("annotations".into(), annotations);
            }
        }

        response.usage = usage;
        response.model_name = Some(model_name);
        response.provider_response_id = completion.id.map(Cow::into_owned);
        if let Some(refusal) = message.refusal.filter(|r| !r.is_empty()) {
            details.remove("finish_reason");
            details.insert("refusal".into(), Value::String(refusal.into_owned()));
            details.insert("timestamp".into(), created);
            response.provider_details = Some(details);
            response.finish_reason = Some(FinishReason::ContentFilter);
            return Ok(response);
        }

        // Sized for the common answers (a text, or a thought, with the tool calls): a part is
        // a few hundred bytes, and the default first capacity of four would take a block
        // beyond the allocator's per-thread cache.
        let mut parts: Vec<ModelResponsePart> = Vec::with_capacity(
            1 + usize::from(message.tool_calls.first.is_some()) + message.tool_calls.rest.len(),
        );
        let use_details = self.reasoning_details && !message.reasoning_details.is_empty();
        for detail in message.reasoning_details.iter().filter(|_| use_details) {
            match reasoning_details::to_thinking(detail, Some(cx.provider_name)) {
                Ok(part) => parts.push(part.into()),
                Err(warning) => cx.warnings.push(warning),
            }
        }
        for field in self.reasoning_fields().filter(|_| !use_details) {
            match &message.reasoning[reasoning_slot(field)] {
                Some(Thought::Text(text)) if !text.is_empty() => {
                    parts.push(
                        ThinkingPart {
                            id: Some(field.to_owned()),
                            provider_name: Some(cx.provider_name.to_owned()),
                            ..ThinkingPart::new(text.as_ref())
                        }
                        .into(),
                    );
                    break;
                }
                Some(Thought::NotText(kind)) => cx.warnings.push(not_text(field, kind)),
                _ => {}
            }
        }
        parts.extend(executed_tools::whole_parts(
            &message.executed_tools,
            cx.provider_name,
            &mut cx.warnings,
        )?);
        let (start, end) = self.thinking_tags;
        match message.content {
            Some(WireContent::Text(text)) if !text.is_empty() => {
                let from = parts.len();
                split_thinking(&text, start, end, &mut parts);
                for part in &mut parts[from..] {
                    if let ModelResponsePart::Thinking(thinking) = part {
                        thinking.id = Some(CONTENT.to_owned());
                        thinking.provider_name = Some(cx.provider_name.to_owned());
                    }
                }
            }
            Some(WireContent::Chunks(chunks)) => {
                let mut text: Option<String> = None;
                for chunk in chunks {
                    match chunk {
                        ContentChunk::Text { text: piece } => {
                            text.get_or_insert_with(String::new).push_str(&piece)
                        }
                        ContentChunk::Thinking { thinking } => {
                            for thought in thinking.into_iter().filter(|t| t.kind == "text") {
                                parts.push(ThinkingPart::new(thought.text).into());
                            }
                        }
                        ContentChunk::Other => cx.warnings.push(unknown_chunk()),
                    }
                }
                if let Some(text) = text.filter(|t| !t.is_empty()) {
                    parts.push(TextPart::new(text).into());
                }
            }
            _ => {}
        }
        for call in message.tool_calls {
            let Some(function) = call.function else {
                return Err(Error::unexpected_with_body(
                    format!(
                        "a tool call of type `{}` is not a function call, which is all this \
                         protocol supports",
                        cow(call.kind).as_deref().unwrap_or("unknown")
                    ),
                    body,
                ));
            };
            let Some(name) = cow(function.name) else {
                return Err(Error::unexpected_with_body(
                    "a tool call has no function name",
                    body,
                ));
            };
            let args = match function.arguments {
                Some(WireArgs::Text(text)) => Some(ToolArgs::Json(text.into_owned())),
                Some(WireArgs::Object(map)) => Some(ToolArgs::Object(map)),
                None => None,
            };
            let id = cow(call.id)
                .filter(|id| !id.is_empty())
                .map_or_else(generate_tool_call_id, Cow::into_owned);
            parts.push(
                ToolCallPart {
                    args,
                    ..ToolCallPart::new(name.into_owned(), "", id)
                }
                .into(),
            );
        }
        details.insert("timestamp".into(), created);
        response.parts = parts;
        response.provider_details = Some(details);
        response.finish_reason = map_finish_reason(raw_finish);
        Ok(response)
    }
}

impl WireUsage {
    /// The usage, counting `requests` requests.
    pub(super) fn into_usage(self, requests: u32) -> Usage {
        let mut usage = Usage {
            requests,
            request_tokens: self.prompt_tokens,
            cache_write_tokens: self.cache_write_tokens,
            cache_read_tokens: self.cached_tokens,
            response_tokens: self.completion_tokens,
            input_audio_tokens: self.input_audio_tokens,
            output_audio_tokens: self.output_audio_tokens,
            details: self.details,
            ..Usage::default()
        };
        usage.recompute_total();
        usage
    }
}

/// Chat Completions finish reasons, normalised (pydantic-ai's `_CHAT_FINISH_REASON_MAP`, plus
/// OpenRouter's `error`). Unknown values give `None`; the raw value stays in
/// `provider_details["finish_reason"]`.
pub(super) fn map_finish_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "stop" => Some(FinishReason::Stop),
        "length" => Some(FinishReason::Length),
        "tool_calls" | "function_call" => Some(FinishReason::ToolCall),
        "content_filter" => Some(FinishReason::ContentFilter),
        "error" => Some(FinishReason::Error),
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

/// `logprobs.content` as pydantic-ai puts it in `provider_details["logprobs"]`.
pub(super) fn logprobs_details(logprobs: Option<WireLogprobs>) -> Vec<Value> {
    logprobs
        .and_then(|l| l.content)
        .map(token_logprobs)
        .unwrap_or_default()
}

/// The error an `error` object describes: an HTTP error when it carries an HTTP status as its
/// `code` (OpenRouter) or `status_code` (Groq), else an unexpected-behaviour error with the raw
/// data.
pub(super) fn reported_error(error: &Value, model_name: &str, raw: &[u8]) -> Error {
    let message = match error {
        Value::String(message) => message.clone(),
        Value::Object(map) => match map.get("message") {
            Some(Value::String(message)) => message.clone(),
            _ => error.to_string(),
        },
        other => other.to_string(),
    };
    let status = ["code", "status_code", "status"]
        .iter()
        .find_map(|key| error.get(*key).and_then(Value::as_u64))
        .and_then(|code| u16::try_from(code).ok())
        .filter(|code| (400..=599).contains(code));
    match status {
        Some(status) => Error::http(status, model_name, message.as_bytes(), None),
        None => {
            Error::unexpected_with_body(format!("the provider reported an error: {message}"), raw)
        }
    }
}

/// Whether `value` is a list with something in it (annotations are kept only then, as
/// pydantic-ai keeps them).
pub(super) fn non_empty_list(value: &Value) -> bool {
    value.as_array().is_some_and(|list| !list.is_empty())
}

/// The warning for a reasoning field whose value is not text (`kind` says what it is).
pub(super) fn not_text(field: &'static str, kind: &str) -> Warning {
    Warning::dropped_content(
        field,
        format!("the reasoning field `{field}` holds {kind}, not text; it is not read"),
    )
}

/// The warning for a content chunk of a type this protocol does not know.
pub(super) fn unknown_chunk() -> Warning {
    Warning::dropped_content(
        "content chunk",
        "a content chunk of an unknown type was not read",
    )
}
