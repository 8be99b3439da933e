//! Where Chat Completions hosts put reasoning, shared by the request (sending it back), the
//! response and the stream (reading it): the reasoning fields, the vendor ids of thinking
//! parts, and thinking embedded in text between tags.

use crate::messages::{ModelResponsePart, TextPart, ThinkingPart};

use super::OpenAiChat;

/// The reasoning fields compatible hosts use, in the order they are looked for after the
/// configured one: `reasoning` (Ollama, OpenRouter, Groq, vLLM) and `reasoning_content`
/// (DeepSeek, Moonshot, older vLLM).
const REASONING_FIELDS: [&str; 2] = ["reasoning", "reasoning_content"];

/// The vendor id of the text part (and of a thinking part opened by a `<think>` tag).
pub(super) const CONTENT: &str = "content";

/// The vendor id of thinking sent as content chunks (Mistral's `{"type": "thinking"}`).
pub(super) const THINKING_CHUNKS: &str = "thinking";

/// The slot of a reasoning field in [`WireMessage::reasoning`](super::wire::WireMessage).
pub(super) fn reasoning_slot(field: &str) -> usize {
    match field {
        "reasoning" => 1,
        "reasoning_content" => 2,
        _ => 0,
    }
}

impl OpenAiChat {
    /// The reasoning fields to read, in order: the configured one, then the known ones.
    pub(super) fn reasoning_fields(&self) -> impl Iterator<Item = &'static str> {
        let custom = self.thinking_field;
        custom.into_iter().chain(
            REASONING_FIELDS
                .into_iter()
                .filter(move |f| Some(*f) != custom),
        )
    }
}

/// Splits text into text and thinking parts at the thinking tags (pydantic-ai's
/// `split_content_into_text_and_thinking`), pushed onto `parts`; an unclosed tag leaves the
/// rest as text.
pub(super) fn split_thinking(
    mut content: &str,
    start: &str,
    end: &str,
    parts: &mut Vec<ModelResponsePart>,
) {
    // Most content has no tag: a scan for the tag's first character (memchr) tells, without
    // building the substring searcher of `find`.
    if start
        .chars()
        .next()
        .is_some_and(|first| !content.contains(first))
    {
        if !content.is_empty() {
            parts.push(TextPart::new(content).into());
        }
        return;
    }
    while let Some(at) = content.find(start) {
        let (before, after) = content.split_at(at);
        if !before.is_empty() {
            parts.push(TextPart::new(before).into());
        }
        let after = after.get(start.len()..).unwrap_or_default();
        match after.find(end) {
            Some(end_at) => {
                let (thought, rest) = after.split_at(end_at);
                parts.push(ThinkingPart::new(thought).into());
                content = rest.get(end.len()..).unwrap_or_default();
            }
            None => {
                parts.push(TextPart::new(after).into());
                content = "";
            }
        }
    }
    if !content.is_empty() {
        parts.push(TextPart::new(content).into());
    }
}
