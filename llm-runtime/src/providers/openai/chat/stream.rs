//! The stream: each chunk of a Chat Completions stream to calls of the [`PartsManager`]
//! (text, thinking from reasoning fields, reasoning details, tags and content chunks, Groq's
//! executed searches, tool-call fragments by index, usage, refusals, annotations, a failed
//! generation reported in place of the rest), and what a stream that ends without `[DONE]`
//! means.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::super::shared::{timestamp_detail, WireArgs};
use super::response::{
    logprobs_details, map_finish_reason, not_text, reported_error, unknown_chunk,
};
use super::thinking::{reasoning_slot, CONTENT, THINKING_CHUNKS};
use super::wire::{Completion, ContentChunk, ReasoningDetail, Thought, WireChoice, WireContent};
use super::{executed_tools, failed_generation, reasoning_details, ChatStreamState, OpenAiChat};
use crate::error::{Error, Result};
use crate::messages::{FinishReason, ThinkingPart};
use crate::providers::common::insert_detail;
use crate::providers::Flow;
use crate::stream::{ArgsDelta, PartsManager, VendorId};

#[cfg(test)]
mod tests;

impl OpenAiChat {
    /// Applies one stream chunk to the response being built.
    pub(super) fn apply_chunk(
        &self,
        mut chunk: Completion<'_>,
        raw: &str,
        state: &mut ChatStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        if state.ignore_leading_whitespace.is_none() {
            // Decided on the requested model, before the chunks rename it.
            state.ignore_leading_whitespace =
                Some(self.ignores_leading_whitespace(&parts.model_name));
        }
        if let Some(error) = chunk.error.as_ref().filter(|e| !e.is_null()) {
            if let Some(generation) = self
                .failed_generations
                .then(|| failed_generation::parse(error))
                .flatten()
            {
                failed_generation::apply(generation, parts)?;
                state.finished = true;
                return Ok(Flow::Done);
            }
            let model = chunk.model.as_deref().unwrap_or(&parts.model_name);
            return Err(reported_error(error, model, raw.as_bytes()));
        }
        if !state.timestamp_set {
            if let Some(created) = chunk.created.filter(|c| *c != 0.0) {
                insert_detail(
                    parts,
                    "timestamp",
                    timestamp_detail("created", created, raw.as_bytes())?,
                );
                state.timestamp_set = true;
            }
        }
        if let Some(usage) = chunk.usage {
            parts.usage.incr(&usage.into_usage(0));
        }
        if let Some(id) = chunk.id.filter(|id| !id.is_empty()) {
            if parts.provider_response_id.as_deref() != Some(&*id) {
                parts.provider_response_id = Some(id.into_owned());
            }
        }
        if let Some(model) = chunk.model.filter(|m| !m.is_empty()) {
            if parts.model_name != model {
                parts.model_name = model.into_owned();
            }
        }
        if let Some(moderation) = chunk.moderation.filter(|m| !m.is_null()) {
            insert_detail(parts, "moderation", moderation);
        }
        // The final usage-only chunk has no choices. The choice and its delta are borrowed, not
        // moved out: they are most of the chunk's few hundred bytes, copied on every move.
        let Some(WireChoice {
            finish_reason,
            logprobs,
            message,
        }) = &mut chunk.choice
        else {
            return Ok(Flow::Continue);
        };
        let Some(delta) = message else {
            return Ok(Flow::Continue);
        };
        if let Some(refusal) = delta.refusal.as_deref().filter(|r| !r.is_empty()) {
            let text = state.refusal.get_or_insert_with(String::new);
            text.push_str(refusal);
            let text = Value::String(text.clone());
            parts.finish_reason = Some(FinishReason::ContentFilter);
            if let Some(details) = &mut parts.provider_details {
                details.remove("finish_reason");
            }
            insert_detail(parts, "refusal", text);
            if finish_reason.as_deref().is_some_and(|r| !r.is_empty()) {
                state.finished = true;
            }
            return Ok(Flow::Continue);
        }
        if let Some(raw_finish) = finish_reason.take().filter(|r| !r.is_empty()) {
            state.finished = true;
            if state.refusal.is_none() {
                parts.finish_reason = map_finish_reason(&raw_finish);
                insert_detail(
                    parts,
                    "finish_reason",
                    Value::String(raw_finish.into_owned()),
                );
            }
        }
        let logprobs = logprobs_details(logprobs.take());
        if !logprobs.is_empty() {
            // Appended, so that the streamed response carries the logprobs of every token as
            // the whole response does.
            let details = parts.provider_details.get_or_insert_with(Map::new);
            match details.get_mut("logprobs") {
                Some(Value::Array(all)) => all.extend(logprobs),
                _ => {
                    details.insert("logprobs".into(), Value::Array(logprobs));
                }
            }
        }

        if self.annotations {
            if let Some(Value::Array(annotations)) = &delta.annotations {
                if !annotations.is_empty() {
                    // The running list, as pydantic-ai publishes it.
                    state.annotations.extend(annotations.iter().cloned());
                    insert_detail(
                        parts,
                        "annotations",
                        Value::Array(state.annotations.clone()),
                    );
                }
            }
        }
        let use_details = self.reasoning_details && !delta.reasoning_details.is_empty();
        if use_details {
            reasoning_details_delta(&delta.reasoning_details, state, parts)?;
        }
        // Most chunks carry no reasoning field: no walk over the fields for them.
        let any_reasoning = delta.reasoning.iter().any(Option::is_some);
        for field in self
            .reasoning_fields()
            .filter(|_| any_reasoning && !use_details)
        {
            let slot = reasoning_slot(field);
            match &delta.reasoning[slot] {
                Some(Thought::Text(text)) if !text.is_empty() => {
                    if state.reasoning_started[slot] {
                        parts.handle_thinking_delta(
                            Some(VendorId::Key(field)),
                            Some(text),
                            None,
                            None,
                        )?;
                    } else {
                        state.reasoning_started[slot] = true;
                        let part = ThinkingPart {
                            id: Some(field.to_owned()),
                            provider_name: parts.provider_name.clone(),
                            ..ThinkingPart::new(text.as_ref())
                        };
                        parts.handle_part(Some(VendorId::Key(field)), part.into());
                    }
                    break;
                }
                Some(Thought::NotText(kind)) => parts.warnings.push(not_text(field, kind)),
                _ => {}
            }
        }
        if executed_tools::stream_parts(&delta.executed_tools, &mut state.executed_call, parts)? {
            // Reasoning after a search is a new thinking part, as in pydantic-ai's Groq stream.
            for field in self.reasoning_fields() {
                parts.stop_tracking(VendorId::Key(field));
            }
            state.reasoning_started = [false; 3];
        }
        // Taken, not borrowed: text with escapes is an owned string, moved into its event.
        match delta.content.take() {
            Some(WireContent::Text(text)) if !text.is_empty() => {
                self.text_delta(text, state, parts)?;
            }
            Some(WireContent::Chunks(chunks)) => {
                for chunk in chunks {
                    match chunk {
                        ContentChunk::Text { text } if !text.is_empty() => {
                            self.text_delta(text.into(), state, parts)?;
                        }
                        ContentChunk::Text { .. } => {}
                        ContentChunk::Thinking { thinking } => {
                            for thought in thinking.iter().filter(|t| t.kind == "text") {
                                parts.handle_thinking_delta(
                                    Some(VendorId::Key(THINKING_CHUNKS)),
                                    Some(&thought.text),
                                    None,
                                    None,
                                )?;
                            }
                        }
                        ContentChunk::Other => parts.warnings.push(unknown_chunk()),
                    }
                }
            }
            _ => {}
        }
        for call in delta.tool_calls.iter() {
            let function = call.function.as_ref();
            let name = function.and_then(|f| f.name.as_ref()).map(|n| n.0.as_ref());
            let args = match function.and_then(|f| f.arguments.as_ref()) {
                Some(WireArgs::Text(text)) => Some(ArgsDelta::Json(text)),
                Some(WireArgs::Object(map)) => Some(ArgsDelta::Object(map.clone())),
                None => None,
            };
            let id = call
                .id
                .as_ref()
                .map(|id| id.0.as_ref())
                .filter(|id| !id.is_empty());
            parts.handle_tool_call_delta(call.index.map(VendorId::Index), name, args, id)?;
        }
        Ok(Flow::Continue)
    }

    /// Streams text, opening and closing thinking parts at whole-delta thinking tags as
    /// pydantic-ai's parts manager does.
    fn text_delta(
        &self,
        text: Cow<'_, str>,
        state: &mut ChatStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        let (start, end) = self.thinking_tags;
        let vendor = VendorId::Key(CONTENT);
        if state.in_tag_thinking {
            if *text == *end {
                // The next text starts a new part.
                parts.stop_tracking(vendor);
                state.in_tag_thinking = false;
                return Ok(());
            }
            return parts.handle_thinking_delta(Some(vendor), Some(&text), None, None);
        }
        if *text == *start {
            parts.stop_tracking(vendor);
            state.in_tag_thinking = true;
            let part = ThinkingPart {
                id: Some(CONTENT.to_owned()),
                provider_name: parts.provider_name.clone(),
                ..ThinkingPart::default()
            };
            parts.handle_part(Some(vendor), part.into());
            return Ok(());
        }
        let ignore = *state
            .ignore_leading_whitespace
            .get_or_insert_with(|| self.ignores_leading_whitespace(&parts.model_name));
        if ignore {
            parts.handle_text_delta_ignoring_leading_whitespace(Some(vendor), text)
        } else {
            parts.handle_text_delta(Some(vendor), text)
        }
    }

    /// The end of the body: whole when a finish reason came (some compatible servers close the
    /// stream after the last chunk without `[DONE]`), else truncated.
    pub(super) fn end_of_stream(&self, state: &ChatStreamState) -> Result<()> {
        if state.finished {
            Ok(())
        } else {
            Err(Error::unexpected(
                "the stream ended before a finish reason or `[DONE]`: the response is truncated",
            ))
        }
    }
}

/// Applies the reasoning details of one chunk: a detail seen for the first time (by its type
/// and index) starts its thinking part, whole; a later one adds to it (text, signature,
/// details), as pydantic-ai's OpenRouter stream does.
fn reasoning_details_delta(
    details: &[ReasoningDetail],
    state: &mut ChatStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    for (position, detail) in details.iter().enumerate() {
        let part = match reasoning_details::to_thinking(detail, parts.provider_name.as_deref()) {
            Ok(part) => part,
            Err(warning) => {
                parts.warnings.push(warning);
                continue;
            }
        };
        let key = reasoning_details::vendor_key(detail, position);
        if state.details_started.contains(&key) {
            parts.handle_thinking_delta_with_details(
                Some(VendorId::Key(&key)),
                Some(&part.content),
                part.signature.as_deref(),
                part.provider_name.as_deref(),
                part.provider_details,
            )?;
        } else {
            parts.handle_part(Some(VendorId::Key(&key)), part.into());
            state.details_started.push(key);
        }
    }
    Ok(())
}
