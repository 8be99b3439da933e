//! A whole response body to a [`ModelResponse`]: output items to parts (also for the items a
//! stream gives whole, see `stream.rs`), the usage, the finish reason and state, and
//! `provider_details`. What the message model has no place for is reported in the context's
//! warnings and left out.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::builtin_tools;
use super::finish_reason::{map_finish_reason, status_state};
use super::wire::{WireError, WireItem, WireResponse};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, FinishReason, ModelResponse, ModelResponsePart, TextPart, ThinkingPart,
    ToolArgs, ToolCallPart,
};
use crate::providers::common::{parse_body, CowStr};
use crate::providers::openai::shared::{cow, timestamp_detail, token_logprobs, WireArgs};
use crate::providers::ResponseContext;
use crate::usage::Usage;
use crate::warning::{Warning, Warnings};

#[cfg(test)]
mod tests;

/// Parses a whole response body.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with the body when it is not a valid response, or when it
/// is a failed one.
pub(super) fn parse(body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
    let response: WireResponse<'_> = parse_body(body, "Responses API response")?;
    response_from(response, cx, body)
}

/// Builds the response of a whole (non-streamed) body.
fn response_from(
    wire: WireResponse<'_>,
    cx: &mut ResponseContext<'_>,
    body: &[u8],
) -> Result<ModelResponse> {
    let requested_model = cx.model_name;
    let status = cow(wire.status);
    if wire.error.is_some() || status.as_deref() == Some("failed") {
        return Err(reported_error(
            "the response failed",
            wire.error.as_ref(),
            cx.model_name,
            body,
        ));
    }
    let provider = Some(cx.provider_name);
    let mut parts = Vec::new();
    let mut refusal = None;
    // Built-in tools' items are read from the body as JSON (their fields vary by tool).
    let mut raw_output: Option<Value> = None;
    for (index, item) in wire.output.unwrap_or_default().into_iter().enumerate() {
        if builtin_tools::ITEM_TYPES.contains(&item.kind.0.as_ref()) {
            let raw = raw_output.get_or_insert_with(|| {
                serde_json::from_slice::<Value>(body).unwrap_or_default()["output"].take()
            });
            let provider = cx.provider_name;
            match builtin_tools::item_parts(&raw[index], provider) {
                Some(item_parts) => parts.extend(item_parts),
                None => cx.warnings.push(unread_item(&item.kind.0)),
            }
            continue;
        }
        item_parts(item, provider, &mut parts, &mut refusal, &mut cx.warnings)?;
    }
    let mut details = Map::new();
    let mut finish_reason = None;
    let raw_finish = wire
        .incomplete_details
        .and_then(|d| cow(d.reason))
        .or_else(|| status.clone());
    if let Some(raw) = raw_finish.filter(|r| !r.is_empty()) {
        finish_reason = map_finish_reason(&raw);
        details.insert("finish_reason".into(), Value::String(raw.into_owned()));
    }
    if let Some(created) = wire.created_at.filter(|c| *c != 0.0) {
        details.insert(
            "timestamp".into(),
            timestamp_detail("created_at", created, body)?,
        );
    }
    if let Some(id) = wire.conversation.and_then(|c| cow(c.id)) {
        details.insert("conversation_id".into(), Value::String(id.into_owned()));
    }
    let background = wire.background == Some(true);
    if background {
        details.insert("background".into(), Value::Bool(true));
    }
    if let Some(moderation) = wire.moderation.filter(|m| !m.is_null()) {
        details.insert("moderation".into(), moderation);
    }
    if let Some(refusal) = refusal {
        // pydantic-ai also drops the reasoning parts here; they are kept, as a stream
        // (which has already given them) keeps them.
        finish_reason = Some(FinishReason::ContentFilter);
        details.remove("finish_reason");
        details.insert("refusal".into(), Value::String(refusal));
    }
    Ok(ModelResponse {
        parts,
        usage: wire
            .usage
            .map_or_else(|| Usage::new(0, 0), |u| u.to_usage(1)),
        model_name: Some(
            cow(wire.model)
                .filter(|m| !m.is_empty())
                .map_or_else(|| requested_model.to_owned(), Cow::into_owned),
        ),
        provider_response_id: cow(wire.id).map(Cow::into_owned),
        finish_reason,
        state: status_state(status.as_deref(), background),
        provider_details: (!details.is_empty()).then_some(details),
        ..ModelResponse::default()
    })
}

/// Appends the parts of a whole output item (pydantic-ai's `_process_response`); a refusal is
/// kept aside.
pub(super) fn item_parts(
    item: WireItem<'_>,
    provider: Option<&str>,
    parts: &mut Vec<ModelResponsePart>,
    refusal: &mut Option<String>,
    warnings: &mut Warnings,
) -> Result<()> {
    let id = cow(item.id).map(Cow::into_owned);
    let provider_name = || provider.map(str::to_owned);
    match item.kind.0.as_ref() {
        "message" => {
            let phase = cow(item.phase);
            for content in item.content.unwrap_or_default() {
                match content.kind.0.as_ref() {
                    "output_text" => {
                        let mut details = Map::new();
                        if let Some(logprobs) = content.logprobs.filter(|l| !l.is_empty()) {
                            details
                                .insert("logprobs".into(), Value::Array(token_logprobs(logprobs)));
                        }
                        if let Some(phase) = &phase {
                            details.insert("phase".into(), Value::String(phase.to_string()));
                        }
                        parts.push(
                            TextPart {
                                // Some gateways send `text: null`; the part (and its id) is kept.
                                content: cow(content.text).map(Cow::into_owned).unwrap_or_default(),
                                id: id.clone(),
                                provider_name: provider_name(),
                                provider_details: (!details.is_empty()).then_some(details),
                            }
                            .into(),
                        );
                    }
                    "refusal" => {
                        *refusal = Some(cow(content.refusal).unwrap_or_default().into_owned());
                    }
                    other => warnings.push(Warning::dropped_content(
                        other.to_owned(),
                        format!("a message content part of type `{other}` was left out"),
                    )),
                }
            }
        }
        "function_call" => {
            let Some(name) = cow(item.name) else {
                return Err(Error::unexpected(format!(
                    "the function call {} has no name",
                    id.as_deref().unwrap_or("without an id")
                )));
            };
            let args = match item.arguments {
                Some(WireArgs::Text(text)) => ToolArgs::Json(text.into_owned()),
                Some(WireArgs::Object(map)) => ToolArgs::Object(map),
                None => ToolArgs::Json(String::new()),
            };
            let call_id = cow(item.call_id)
                .filter(|c| !c.is_empty())
                .map(Cow::into_owned)
                .or_else(|| id.clone())
                .unwrap_or_else(generate_tool_call_id);
            parts.push(
                ToolCallPart {
                    args: Some(args),
                    id,
                    provider_name: provider_name(),
                    provider_details: namespace_details(item.namespace),
                    ..ToolCallPart::new(name.into_owned(), "", call_id)
                }
                .into(),
            );
        }
        "reasoning" => {
            let mut signature = cow(item.encrypted_content).map(Cow::into_owned);
            let raw: Vec<Value> = item
                .content
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| cow(c.text).map(|t| Value::String(t.into_owned())))
                .collect();
            let mut details = (!raw.is_empty()).then(|| {
                let mut map = Map::new();
                map.insert("raw_content".into(), Value::Array(raw));
                map
            });
            let summaries = item.summary.unwrap_or_default();
            if summaries.is_empty() {
                if signature.as_deref().is_some_and(|s| !s.is_empty()) || details.is_some() {
                    parts.push(
                        ThinkingPart {
                            id,
                            signature,
                            provider_name: provider_name(),
                            provider_details: details,
                            ..ThinkingPart::default()
                        }
                        .into(),
                    );
                }
                return Ok(());
            }
            for summary in summaries {
                // One id for every summary, so that they merge into one item when sent back;
                // the signature and raw reasoning go on the first only.
                parts.push(
                    ThinkingPart {
                        content: cow(summary.text).map(Cow::into_owned).unwrap_or_default(),
                        id: id.clone(),
                        signature: signature.take(),
                        provider_name: provider_name(),
                        provider_details: details.take(),
                    }
                    .into(),
                );
            }
        }
        other => warnings.push(unread_item(other)),
    }
    Ok(())
}

fn namespace_details(namespace: Option<CowStr<'_>>) -> Option<Map<String, Value>> {
    let namespace = cow(namespace).filter(|n| !n.is_empty())?;
    let mut details = Map::new();
    details.insert("namespace".into(), Value::String(namespace.into_owned()));
    Some(details)
}

/// The HTTP status an error code of a failed response or an `error` event stands for, so
/// that [`Error::is_retryable`] tells whether asking again may succeed: `server_error` and
/// `vector_store_timeout` are the provider's failures, `rate_limit_exceeded` a 429, and the
/// codes of input the model refused (`invalid_prompt`, `invalid_image`, …) a 400
/// (<https://platform.openai.com/docs/api-reference/responses/object#responses/object-error>).
fn error_status(code: &str) -> Option<u16> {
    Some(match code {
        "server_error" => 500,
        "vector_store_timeout" => 504,
        "rate_limit_exceeded" => 429,
        "invalid_prompt" | "empty_image_file" | "failed_to_download_image" => 400,
        code if code.starts_with("invalid_") || code.starts_with("image_") => 400,
        "unsupported_image_media_type" => 400,
        _ => return None,
    })
}

/// The error a failed response or an `error` event describes, with the raw data: an
/// [`Error::Http`] with the status its code stands for (a `server_error` is a retryable 500),
/// else an [`Error::UnexpectedModelBehavior`].
pub(super) fn reported_error(
    what: &str,
    error: Option<&WireError<'_>>,
    model_name: &str,
    raw: &[u8],
) -> Error {
    let code = error.and_then(|e| e.code.as_ref()).map(|c| c.0.as_ref());
    if let Some(status) = code.and_then(error_status) {
        return Error::http(status, model_name, raw, None);
    }
    let message = error
        .and_then(|e| e.message.as_ref())
        .map_or("no message", |m| m.0.as_ref());
    let message = match code {
        Some(code) => format!("{what}: {code}: {message}"),
        None => format!("{what}: {message}"),
    };
    Error::unexpected_with_body(message, raw)
}

/// The warning for an output item of a type this protocol does not read.
pub(super) fn unread_item(kind: &str) -> Warning {
    Warning::dropped_content(
        kind.to_owned(),
        format!(
            "an output item of type `{kind}` was left out (the message model has no part for it)"
        ),
    )
}

/// A string that is present and not empty.
pub(super) fn nonempty<'a>(value: Option<&'a CowStr<'_>>) -> Option<&'a str> {
    value.map(|v| v.0.as_ref()).filter(|v| !v.is_empty())
}
