//! The body of a whole `POST /v2/chat` response to a [`ModelResponse`], as pydantic-ai's
//! `CohereModel` reads it: text and thinking content, the tool calls, the finish reason (and
//! Cohere's own in `provider_details`), and the usage (`tokens` as input and output,
//! `cached_tokens` as cache reads, `billed_units` in the details). The tool plan, which
//! pydantic-ai drops, is kept as a thinking part marked [`TOOL_PLAN_ID`] so that it goes back
//! with the tool calls; citations have no part yet and are reported as dropped.

use serde_json::{Map, Value};

use super::super::common::parse_body;
use super::super::ResponseContext;
use super::models::TOOL_PLAN_ID;
use super::wire::{ChatResponse, ResponseContent, WireUsage};
use crate::error::Result;
use crate::messages::{
    generate_tool_call_id, FinishReason, ModelResponse, TextPart, ThinkingPart, ToolCallPart,
};
use crate::usage::Usage;
use crate::warning::{Warning, Warnings};

/// Parses a whole chat response.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) with the body when
/// it is not a Cohere chat response.
pub(super) fn parse_response(body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
    let wire: ChatResponse = parse_body(body, "Cohere chat response")?;
    let message = wire.message;
    let mut parts = Vec::new();
    if let Some(plan) = message.tool_plan.filter(|p| !p.is_empty()) {
        parts.push(tool_plan_part(plan, cx.provider_name).into());
    }
    for content in message.content {
        match content {
            ResponseContent::Text { text } => parts.push(TextPart::new(text).into()),
            ResponseContent::Thinking { thinking } => {
                parts.push(ThinkingPart::new(thinking).into());
            }
            ResponseContent::Other => cx.warnings.push(Warning::dropped_content(
                "content item",
                "a content item of a type this translation does not know was left out",
            )),
        }
    }
    for call in message.tool_calls {
        let function = call.function.unwrap_or_default();
        match (function.name, function.arguments) {
            (Some(name), Some(arguments)) if !name.is_empty() && !arguments.is_empty() => {
                let id = call.id.unwrap_or_else(generate_tool_call_id);
                parts.push(ToolCallPart::new(name, arguments, id).into());
            }
            _ => cx.warnings.push(Warning::dropped_content(
                "tool call",
                "a tool call without a function name or arguments was left out",
            )),
        }
    }
    if !message.citations.is_empty() {
        warn_citations(&mut cx.warnings);
    }
    let mut response = ModelResponse::new(parts);
    response.usage = usage_from(wire.usage.as_ref());
    response.model_name = Some(cx.model_name.to_owned());
    response.finish_reason = wire.finish_reason.as_deref().and_then(finish_reason);
    response.provider_details = Some(finish_details(wire.finish_reason));
    response.provider_response_id = wire.id;
    Ok(response)
}

/// The thinking part holding a tool plan, marked as such and as `provider`'s.
pub(super) fn tool_plan_part(plan: String, provider: &str) -> ThinkingPart {
    let mut part = ThinkingPart::new(plan);
    part.id = Some(TOOL_PLAN_ID.to_owned());
    part.provider_name = Some(provider.to_owned());
    part
}

/// Reports that a response's citations were not kept.
pub(super) fn warn_citations(warnings: &mut Warnings) {
    warnings.push(Warning::dropped_content(
        "citations",
        "Cohere's citations have no place in the message model yet; they were left out",
    ));
}

/// `provider_details` of a response: Cohere's own finish reason (`null` when it gave none),
/// as pydantic-ai keeps it.
pub(super) fn finish_details(raw: Option<String>) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert(
        "finish_reason".to_owned(),
        raw.map_or(Value::Null, Value::from),
    );
    details
}

/// pydantic-ai's `_FINISH_REASON_MAP`; other reasons (`TIMEOUT`…) map to none.
pub(super) fn finish_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "COMPLETE" | "STOP_SEQUENCE" => Some(FinishReason::Stop),
        "MAX_TOKENS" => Some(FinishReason::Length),
        "TOOL_CALL" => Some(FinishReason::ToolCall),
        "ERROR" => Some(FinishReason::Error),
        _ => None,
    }
}

/// The usage of a response: `tokens` (the tokens the model saw and made, else the billed
/// ones) as input and output, `cached_tokens` as cache reads, and the billed units that are
/// not zero in the details, as pydantic-ai reads them. One request, with or without counts.
pub(super) fn usage_from(wire: Option<&WireUsage>) -> Usage {
    let Some(wire) = wire else {
        return Usage {
            requests: 1,
            ..Usage::default()
        };
    };
    let billed = wire.billed_units.as_ref();
    let tokens = wire.tokens.as_ref();
    let input = tokens
        .and_then(|t| t.input_tokens)
        .or_else(|| billed.and_then(|b| b.input_tokens));
    let output = tokens
        .and_then(|t| t.output_tokens)
        .or_else(|| billed.and_then(|b| b.output_tokens));
    let mut usage = Usage {
        requests: 1,
        request_tokens: input.unwrap_or(0),
        response_tokens: output.unwrap_or(0),
        cache_read_tokens: wire.cached_tokens.unwrap_or(0),
        ..Usage::default()
    };
    if let Some(billed) = billed {
        for (name, value) in [
            ("input_tokens", billed.input_tokens),
            ("output_tokens", billed.output_tokens),
            ("search_units", billed.search_units),
            ("classifications", billed.classifications),
        ] {
            if let Some(value) = value.filter(|v| *v != 0) {
                usage.details.insert(name.to_owned(), value);
            }
        }
    }
    usage.recompute_total();
    usage
}

#[cfg(test)]
mod tests;
