//! The content blocks of a user message: text, images and documents (by URL, base64 or plain
//! text), tool returns and retries as `tool_result` blocks, and prompt-cache breakpoints
//! (`cache_control` on the block before a [`CachePoint`](crate::messages::CachePoint), at
//! most four a request).

use std::borrow::Cow;

use serde_json::Value;

use super::super::common::{guard_id, needs_download};
use super::wire::{Block, CacheControl, Message, Source, ToolResultContent};
use crate::error::{Error, Result};
use crate::messages::{
    BinaryContent, FileKind, ForceDownload, RetryPromptPart, ToolReturnOutcome, ToolReturnPart,
    UserContent, UserContentItem,
};

/// The most cache breakpoints Anthropic accepts in one request.
const MAX_CACHE_POINTS: usize = 4;

impl<'a> Block<'a> {
    /// A text block without a cache breakpoint.
    pub(super) fn text(text: impl Into<Cow<'a, str>>) -> Self {
        Block::Text {
            text: text.into(),
            cache_control: None,
        }
    }

    /// The block's `type`.
    fn kind(&self) -> &'static str {
        match self {
            Block::Text { .. } => "text",
            Block::Image { .. } => "image",
            Block::Document { .. } => "document",
            Block::ToolUse { .. } => "tool_use",
            Block::ToolResult { .. } => "tool_result",
            Block::Thinking { .. } => "thinking",
            Block::RedactedThinking { .. } => "redacted_thinking",
            Block::Raw(_) => "server tool",
        }
    }

    /// The block's cache breakpoint, for the kinds that can carry one.
    fn cache_control(&mut self) -> Option<&mut Option<CacheControl<'a>>> {
        match self {
            Block::Text { cache_control, .. }
            | Block::Image { cache_control, .. }
            | Block::Document { cache_control, .. }
            | Block::ToolUse { cache_control, .. }
            | Block::ToolResult { cache_control, .. } => Some(cache_control),
            Block::Thinking { .. } | Block::RedactedThinking { .. } | Block::Raw(_) => None,
        }
    }
}

/// Appends the blocks of a user prompt to `content`. A cache point marks the block before it
/// (in this prompt, else the last block of the previous message).
///
/// # Errors
/// [`Error::User`] for content the API does not take (audio, video, other document types, a
/// file URL that must be downloaded) and for a cache point with nothing cacheable before it.
pub(super) fn user_content<'a>(
    prompt: &'a UserContent,
    content: &mut Vec<Block<'a>>,
    earlier: &mut [Message<'a>],
) -> Result<()> {
    let items = match prompt {
        UserContent::Text(text) => {
            if !text.is_empty() {
                content.push(Block::text(text.as_str()));
            }
            return Ok(());
        }
        UserContent::Items(items) => items,
    };
    for item in items {
        match item {
            UserContentItem::Text(text) => {
                if !text.is_empty() {
                    content.push(Block::text(text.as_str()));
                }
            }
            UserContentItem::TextContent(text) => {
                if !text.content.is_empty() {
                    content.push(Block::text(text.content.as_str()));
                }
            }
            UserContentItem::CachePoint(point) => {
                let target = if content.is_empty() {
                    earlier.last_mut().and_then(|m| m.content.last_mut())
                } else {
                    content.last_mut()
                };
                let Some(block) = target else {
                    return Err(Error::user(
                        "a `CachePoint` cannot be the first content of the conversation: it marks \
                         the end of the content before it",
                    ));
                };
                let kind = block.kind();
                let Some(slot) = block.cache_control() else {
                    return Err(Error::user(format!(
                        "a `CachePoint` cannot follow a `{kind}` block, which Anthropic does not cache"
                    )));
                };
                *slot = Some(CacheControl {
                    kind: "ephemeral",
                    ttl: &point.ttl,
                });
            }
            UserContentItem::ImageUrl(file) => {
                if file.force_download != ForceDownload::No {
                    return Err(needs_download("image", file));
                }
                content.push(Block::Image {
                    source: Source::Url { url: &file.url },
                    cache_control: None,
                });
            }
            UserContentItem::DocumentUrl(file) => {
                match file.media_type(FileKind::Document).as_str() {
                    "application/pdf" if file.force_download == ForceDownload::No => {
                        content.push(Block::Document {
                            source: Source::Url { url: &file.url },
                            cache_control: None,
                        });
                    }
                    "application/pdf" | "text/plain" => {
                        return Err(needs_download("document", file))
                    }
                    other => {
                        return Err(Error::user(format!(
                            "Anthropic accepts PDF and plain-text documents, not `{other}` (the \
                             document at `{}`)",
                            file.url
                        )))
                    }
                }
            }
            UserContentItem::AudioUrl(file) => {
                return Err(Error::user(format!(
                    "Anthropic does not accept audio in prompts (the audio at `{}`)",
                    file.url
                )))
            }
            UserContentItem::VideoUrl(file) => {
                return Err(Error::user(format!(
                    "Anthropic does not accept video in prompts (the video at `{}`)",
                    file.url
                )))
            }
            UserContentItem::Binary(binary) => content.push(binary_block(binary)?),
        }
    }
    Ok(())
}

/// Binary content as an image or a document block.
fn binary_block(binary: &BinaryContent) -> Result<Block<'_>> {
    let media_type = binary.media_type.as_str();
    let source = if binary.is_image() {
        return Ok(Block::Image {
            source: Source::Base64 {
                media_type,
                data: binary.base64(),
            },
            cache_control: None,
        });
    } else if media_type == "application/pdf" {
        Source::Base64 {
            media_type,
            data: binary.base64(),
        }
    } else if media_type == "text/plain" {
        let text = std::str::from_utf8(&binary.data).map_err(|e| {
            Error::user(format!(
                "the plain-text document `{}` is not valid UTF-8: {e}",
                binary.identifier()
            ))
        })?;
        Source::Text {
            media_type,
            data: text,
        }
    } else if binary.is_audio() {
        return Err(Error::user(format!(
            "Anthropic does not accept audio in prompts (`{media_type}` content `{}`)",
            binary.identifier()
        )));
    } else if binary.is_video() {
        return Err(Error::user(format!(
            "Anthropic does not accept video in prompts (`{media_type}` content `{}`)",
            binary.identifier()
        )));
    } else {
        return Err(Error::user(format!(
            "Anthropic accepts images, PDF and plain-text documents, not `{media_type}` \
             content (`{}`)",
            binary.identifier()
        )));
    };
    Ok(Block::Document {
        source,
        cache_control: None,
    })
}

/// A tool's return as a `tool_result` block: each item of a list return is its own text
/// block, strings as they are and other values as JSON; a failure is flagged `is_error` (its
/// content is not wrapped, as pydantic-ai does for APIs with an error flag).
pub(super) fn tool_result(part: &ToolReturnPart) -> Block<'_> {
    fn text(value: &Value) -> Block<'_> {
        match value {
            Value::String(text) => Block::text(text.as_str()),
            other => Block::text(other.to_string()),
        }
    }
    let items: Vec<Block<'_>> = match &part.content {
        Value::Array(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    };
    Block::ToolResult {
        tool_use_id: guard_id(&part.tool_call_id),
        content: if items.is_empty() {
            ToolResultContent::Text(Cow::Borrowed(""))
        } else {
            ToolResultContent::Blocks(items)
        },
        is_error: part.outcome == ToolReturnOutcome::Failed,
        cache_control: None,
    }
}

/// A retry prompt: an error `tool_result` for a tool call, else user text.
pub(super) fn retry(part: &RetryPromptPart) -> Block<'_> {
    match &part.tool_name {
        None => Block::text(part.model_response()),
        Some(_) => Block::ToolResult {
            tool_use_id: guard_id(&part.tool_call_id),
            content: ToolResultContent::Text(Cow::Owned(part.model_response())),
            is_error: true,
            cache_control: None,
        },
    }
}

/// Keeps the last [`MAX_CACHE_POINTS`] cache breakpoints, the newest first, as pydantic-ai's
/// `_limit_cache_points` does.
pub(super) fn limit_cache_points(messages: &mut [Message<'_>]) {
    let mut kept = 0;
    for message in messages.iter_mut().rev() {
        for block in message.content.iter_mut().rev() {
            if let Some(slot) = block.cache_control() {
                if slot.is_some() {
                    if kept < MAX_CACHE_POINTS {
                        kept += 1;
                    } else {
                        *slot = None;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
