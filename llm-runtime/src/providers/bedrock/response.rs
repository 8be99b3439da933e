//! The body of a `/converse` response to a [`ModelResponse`], as pydantic-ai's
//! `BedrockConverseModel._process_response` reads it; and the pieces the stream shares with it:
//! usage, stop reasons, reasoning's redacted content, the errors Bedrock reports. Built-in
//! tools' blocks are read by [`builtin_tools`].

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value};

use super::builtin_tools::{self, SERVER_TOOL_USE};
use super::wire::{ConverseResponse, OutputBlock, TokenUsage};
use super::REDACTED_CONTENT_ID;
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, FinishReason, ModelResponse, ModelResponsePart, TextPart, ThinkingPart,
    ToolArgs, ToolCallPart,
};
use crate::usage::Usage;
use crate::warning::Warnings;

/// Parses a whole response. `provider_name` marks signed reasoning, so that it is sent back
/// only to this provider.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with the body when it is not a Converse response.
pub(super) fn parse(
    body: &[u8],
    model_name: &str,
    provider_name: &str,
    warnings: &mut Warnings,
) -> Result<ModelResponse> {
    let response: ConverseResponse = serde_json::from_slice(body).map_err(|e| {
        Error::unexpected_with_body(format!("invalid Converse response: {e}"), body)
    })?;
    let Some(output) = response.output else {
        return Err(Error::unexpected_with_body(
            "the Converse response has no `output`",
            body,
        ));
    };
    let mut parts = Vec::new();
    for block in output.message.map(|m| m.content).unwrap_or_default() {
        output_block(block, provider_name, &mut parts, warnings)?;
    }
    let mut details = Map::new();
    let mut finish_reason = None;
    if let Some(reason) = response.stop_reason {
        finish_reason = map_stop_reason(&reason);
        details.insert("finish_reason".into(), Value::String(reason));
    }
    Ok(ModelResponse {
        parts,
        usage: usage(&response.usage.unwrap_or_default()),
        model_name: Some(model_name.to_owned()),
        provider_details: (!details.is_empty()).then_some(details),
        finish_reason,
        ..ModelResponse::default()
    })
}

fn output_block(
    block: OutputBlock,
    provider_name: &str,
    parts: &mut Vec<ModelResponsePart>,
    warnings: &mut Warnings,
) -> Result<()> {
    if let Some(reasoning) = block.reasoning_content {
        if let Some(redacted) = reasoning.redacted_content.filter(|r| !r.is_empty()) {
            parts.push(
                ThinkingPart {
                    id: Some(REDACTED_CONTENT_ID.to_owned()),
                    signature: Some(redacted_signature(&redacted)?),
                    provider_name: Some(provider_name.to_owned()),
                    ..ThinkingPart::default()
                }
                .into(),
            );
        } else if let Some(text) = reasoning.reasoning_text {
            let signature = text.signature;
            parts.push(
                ThinkingPart {
                    provider_name: signature.as_ref().map(|_| provider_name.to_owned()),
                    signature,
                    ..ThinkingPart::new(text.text.unwrap_or_default())
                }
                .into(),
            );
        }
    }
    if let Some(text) = block.text.filter(|t| !t.is_empty()) {
        parts.push(TextPart::new(text).into());
    } else if let Some(tool_use) = block.tool_use {
        if tool_use.kind.as_deref() == Some(SERVER_TOOL_USE) {
            if let Some(call) = builtin_tools::call_part(tool_use, provider_name, warnings) {
                parts.push(call.into());
            }
            return Ok(());
        }
        let Some(name) = tool_use.name.filter(|n| !n.is_empty()) else {
            return Err(Error::unexpected("a `toolUse` block has no `name`"));
        };
        let id = tool_use
            .tool_use_id
            .filter(|id| !id.is_empty())
            .unwrap_or_else(generate_tool_call_id);
        let args = match tool_use.input {
            Some(Value::Object(map)) => ToolArgs::Object(map),
            Some(Value::Null) | None => ToolArgs::Object(Map::new()),
            Some(other) => ToolArgs::Json(other.to_string()),
        };
        parts.push(ToolCallPart::new(name, args, id).into());
    } else if let Some(result) = block.tool_result {
        if let Some(part) = builtin_tools::return_part(&result, provider_name, warnings) {
            parts.push(part.into());
        }
    }
    Ok(())
}

/// Redacted reasoning arrives as base64; pydantic-ai keeps its bytes, as text, as the
/// signature.
pub(super) fn redacted_signature(base64: &str) -> Result<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|e| {
            Error::unexpected_with_body(
                format!("the redacted reasoning is not base64: {e}"),
                base64.as_bytes(),
            )
        })?;
    String::from_utf8(bytes).map_err(|_| {
        Error::unexpected_with_body(
            "the redacted reasoning is not UTF-8 text",
            base64.as_bytes(),
        )
    })
}

/// The usage of a response, as pydantic-ai extracts it: the input tokens include those read
/// from and written to the prompt cache, and the cache writes of `cacheDetails` are counted
/// per time to live in `details` (`cache_write_5m_tokens`, `cache_write_1h_tokens`: the first
/// entry of each TTL, as genai-prices' extractor reads them into pydantic-ai's usage).
pub(super) fn usage(wire: &TokenUsage) -> Usage {
    let request_tokens = wire
        .input_tokens
        .saturating_add(wire.cache_read_input_tokens)
        .saturating_add(wire.cache_write_input_tokens);
    let mut details = BTreeMap::new();
    for (ttl, key) in [
        ("5m", "cache_write_5m_tokens"),
        ("1h", "cache_write_1h_tokens"),
    ] {
        if let Some(entry) = wire
            .cache_details
            .iter()
            .find(|d| d.ttl.as_deref() == Some(ttl))
        {
            details.insert(key.to_owned(), entry.input_tokens);
        }
    }
    Usage {
        details,
        requests: 1,
        request_tokens,
        cache_read_tokens: wire.cache_read_input_tokens,
        cache_write_tokens: wire.cache_write_input_tokens,
        response_tokens: wire.output_tokens,
        total_tokens: request_tokens.saturating_add(wire.output_tokens),
        ..Usage::default()
    }
}

/// Stop reasons, normalised (pydantic-ai's `_FINISH_REASON_MAP`); the raw value stays in
/// `provider_details["finish_reason"]`.
pub(super) fn map_stop_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "end_turn" | "stop_sequence" => Some(FinishReason::Stop),
        "max_tokens" | "model_context_window_exceeded" => Some(FinishReason::Length),
        "tool_use" => Some(FinishReason::ToolCall),
        "content_filtered" | "guardrail_intervened" => Some(FinishReason::ContentFilter),
        "malformed_model_output" | "malformed_tool_use" => Some(FinishReason::Error),
        other => {
            tracing::debug!(
                target: "llm_runtime::providers",
                stop_reason = other,
                "unknown stop reason; kept in provider_details only"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests;
