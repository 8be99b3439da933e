//! The conversation as `input` items: system and user prompts, tool returns and retries as
//! messages and `function_call_output` items; earlier responses as assistant messages,
//! `function_call` and `reasoning` items, with their ids and encrypted reasoning sent back only
//! to the provider that produced them.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::builtin_tools;
use super::models::ModelFacts;
use super::wire::{
    FunctionCall, FunctionCallOutput, InputContent, InputItem, Message, MessageContent,
    OutputMessage, OutputText, ReasoningItem, TypedText,
};
use crate::error::{Error, Result};
use crate::messages::{
    BinaryContent, ForceDownload, ModelMessage, ModelRequest, ModelRequestPart, ModelResponse,
    ModelResponsePart, ThinkingPart, UserContent, UserContentItem,
};
use crate::providers::common::{guard_id, needs_download, unsent_part};
use crate::providers::openai::shared::{document_format, image_detail, openai_system_role};
use crate::providers::PreparedRequest;
use crate::warning::{Warning, Warnings};

impl<'a> Message<'a> {
    /// A message of `role` whose content is `text`.
    pub(super) fn text(role: &'static str, text: Cow<'a, str>) -> Self {
        Message {
            role,
            content: MessageContent::Text(text),
            phase: None,
        }
    }
}

/// The conversation as `input` items (the instructions are not among them).
pub(super) fn map_messages<'a>(
    request: &PreparedRequest<'a>,
    facts: ModelFacts,
    warnings: &mut Warnings,
) -> Result<Vec<InputItem<'a>>> {
    let role = openai_system_role(request.model_name).as_str();
    let messages: &'a [ModelMessage] = request.messages;
    let mut out = Vec::new();
    for message in messages {
        match message {
            ModelMessage::Request(req) => map_request(req, role, &mut out)?,
            ModelMessage::Response(response) => {
                map_response(response, request, facts, &mut out, warnings)
            }
        }
    }
    Ok(out)
}

/// The items of an earlier response. Item ids, encrypted reasoning and `phase` go back only
/// to the provider that produced them, and ids only to reasoning models (which need them);
/// otherwise text goes back as assistant messages, and reasoning as text in the profile's
/// thinking tags (a thinking part without text, another provider's signature only, has
/// nothing to say then and is not sent).
fn map_response<'a>(
    response: &'a ModelResponse,
    request: &PreparedRequest<'_>,
    facts: ModelFacts,
    out: &mut Vec<InputItem<'a>>,
    warnings: &mut Warnings,
) {
    let profile = request.profile;
    let ours = Some(request.provider_name);
    let is_ours = |name: Option<&str>| name == ours;
    // The message and reasoning items opened last: parts with the same id join them.
    let mut message_at: Option<usize> = None;
    let mut reasoning_at: Option<usize> = None;
    for part in &response.parts {
        let part_provider = part.provider_name();
        let same_provider = is_ours(part_provider)
            || (part_provider.is_none() && is_ours(response.provider_name.as_deref()));
        let send_id = facts.encrypted_reasoning() && same_provider;
        match part {
            ModelResponsePart::Text(text) => {
                let phase = detail_str(text.provider_details.as_ref(), "phase")
                    .filter(|p| matches!(*p, "commentary" | "final_answer"))
                    .filter(|_| facts.phase && is_ours(part_provider));
                let Some(id) = text.id.as_deref().filter(|_| send_id) else {
                    out.push(InputItem::Message(Message {
                        phase,
                        ..Message::text("assistant", Cow::Borrowed(&text.content))
                    }));
                    continue;
                };
                let open = message_at.filter(
                    |&i| matches!(out.get(i), Some(InputItem::OutputMessage(m)) if m.id == id),
                );
                let at = open.unwrap_or_else(|| {
                    out.push(InputItem::OutputMessage(OutputMessage {
                        kind: "message",
                        role: "assistant",
                        id,
                        status: "completed",
                        content: Vec::new(),
                        phase: None,
                    }));
                    out.len() - 1
                });
                message_at = Some(at);
                if let Some(InputItem::OutputMessage(message)) = out.get_mut(at) {
                    message.content.push(OutputText {
                        kind: "output_text",
                        text: &text.content,
                        annotations: [],
                    });
                    if phase.is_some() {
                        message.phase = phase;
                    }
                }
            }
            ModelResponsePart::ToolCall(call) => {
                let (call_id, legacy_id) = call_ids(&call.tool_call_id);
                out.push(InputItem::FunctionCall(FunctionCall {
                    kind: "function_call",
                    name: &call.tool_name,
                    arguments: call.args_as_json_str(),
                    call_id,
                    id: legacy_id.or(call.id.as_deref()).filter(|_| send_id),
                    namespace: detail_str(call.provider_details.as_ref(), "namespace")
                        .filter(|_| is_ours(part_provider)),
                }));
            }
            ModelResponsePart::Thinking(thinking) => {
                let own = is_ours(part_provider);
                let raw = if own {
                    raw_content(thinking, warnings)
                } else {
                    None
                };
                let id = thinking.id.as_deref().filter(|_| send_id || raw.is_some());
                let Some(id) = id else {
                    if !thinking.content.is_empty() {
                        let (start, end) = &profile.thinking_tags;
                        let text = format!("{start}\n{}\n{end}", thinking.content);
                        out.push(InputItem::Message(Message::text(
                            "assistant",
                            Cow::Owned(text),
                        )));
                    }
                    continue;
                };
                let signature = thinking
                    .signature
                    .as_deref()
                    .filter(|_| own && facts.encrypted_reasoning());
                let open = reasoning_at
                    .filter(|&i| matches!(out.get(i), Some(InputItem::Reasoning(r)) if r.id == id));
                let at = match open {
                    Some(at) => at,
                    None if signature.is_some()
                        || !thinking.content.is_empty()
                        || raw.is_some() =>
                    {
                        out.push(InputItem::Reasoning(ReasoningItem {
                            kind: "reasoning",
                            id,
                            summary: Vec::new(),
                            encrypted_content: signature,
                            content: None,
                        }));
                        out.len() - 1
                    }
                    None => continue,
                };
                reasoning_at = Some(at);
                if let Some(InputItem::Reasoning(item)) = out.get_mut(at) {
                    if !thinking.content.is_empty() {
                        item.summary.push(TypedText {
                            kind: "summary_text",
                            text: &thinking.content,
                        });
                    }
                    if let Some(raw) = raw {
                        item.content = Some(
                            raw.into_iter()
                                .map(|text| TypedText {
                                    kind: "reasoning_text",
                                    text,
                                })
                                .collect(),
                        );
                    }
                }
            }
            // A built-in tool's call goes back as its item, by id, to the provider that ran it;
            // its return and files are kept server-side with it.
            ModelResponsePart::BuiltinToolCall(call) if is_ours(part_provider) && send_id => {
                match builtin_tools::call_item(call) {
                    Some(item) => out.push(InputItem::Raw(item)),
                    None => warnings.push(unsent_part(part, API)),
                }
            }
            ModelResponsePart::BuiltinToolReturn(_) | ModelResponsePart::File(_)
                if same_provider && send_id => {}
            ModelResponsePart::Compaction(compaction) if is_ours(part_provider) => {
                match builtin_tools::compaction_item(compaction) {
                    Some(item) => out.push(InputItem::Raw(item)),
                    None => warnings.push(unsent_part(part, API)),
                }
            }
            other => warnings.push(unsent_part(other, API)),
        }
    }
}

/// The API's name in warnings.
const API: &str = "the Responses API";

fn map_request<'a>(
    request: &'a ModelRequest,
    system_role: &'static str,
    out: &mut Vec<InputItem<'a>>,
) -> Result<()> {
    for part in &request.parts {
        match part {
            ModelRequestPart::SystemPrompt(p) => out.push(InputItem::Message(Message::text(
                system_role,
                Cow::Borrowed(&p.content),
            ))),
            ModelRequestPart::UserPrompt(p) => out.push(InputItem::Message(Message {
                role: "user",
                content: user_content(&p.content)?,
                phase: None,
            })),
            ModelRequestPart::ToolReturn(p) => {
                out.push(InputItem::FunctionCallOutput(FunctionCallOutput {
                    kind: "function_call_output",
                    call_id: call_ids(&p.tool_call_id).0,
                    output: p.model_response_str(),
                }))
            }
            ModelRequestPart::RetryPrompt(p) => match &p.tool_name {
                None => out.push(InputItem::Message(Message {
                    role: "user",
                    content: MessageContent::Parts(vec![InputContent::InputText {
                        text: Cow::Owned(p.model_response()),
                    }]),
                    phase: None,
                })),
                Some(_) => out.push(InputItem::FunctionCallOutput(FunctionCallOutput {
                    kind: "function_call_output",
                    call_id: call_ids(&p.tool_call_id).0,
                    output: p.model_response(),
                })),
            },
        }
    }
    Ok(())
}

/// A tool call's `call_id`, and the item id of a legacy combined `call_id|item_id` (how
/// pydantic-ai kept both before `ToolCallPart` had an `id`).
fn call_ids(tool_call_id: &str) -> (Cow<'_, str>, Option<&str>) {
    match tool_call_id.split_once('|') {
        Some((call_id, item_id)) => (guard_id(call_id), Some(item_id).filter(|i| !i.is_empty())),
        None => (guard_id(tool_call_id), None),
    }
}

/// A string in a part's provider details.
fn detail_str<'a>(details: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    details?.get(key)?.as_str()
}

/// The raw reasoning texts (gpt-oss's chain of thought) a thinking part keeps in
/// `provider_details["raw_content"]`.
fn raw_content<'a>(part: &'a ThinkingPart, warnings: &mut Warnings) -> Option<Vec<&'a str>> {
    let raw = part.provider_details.as_ref()?.get("raw_content")?;
    let texts: Option<Vec<&str>> = raw
        .as_array()
        .and_then(|items| items.iter().map(Value::as_str).collect());
    match texts {
        Some(texts) if !texts.is_empty() => Some(texts),
        Some(_) => None,
        None => {
            warnings.push(Warning::dropped_content(
                "raw_content",
                "a thinking part's `raw_content` is not a list of strings; it is not sent back",
            ));
            None
        }
    }
}

fn user_content(content: &UserContent) -> Result<MessageContent<'_>> {
    match content {
        UserContent::Text(text) => Ok(MessageContent::Text(Cow::Borrowed(text))),
        UserContent::Items(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                if let Some(part) = content_part(item)? {
                    parts.push(part);
                }
            }
            Ok(MessageContent::Parts(parts))
        }
    }
}

fn content_part(item: &UserContentItem) -> Result<Option<InputContent<'_>>> {
    Ok(Some(match item {
        UserContentItem::Text(text) => InputContent::InputText {
            text: Cow::Borrowed(text),
        },
        UserContentItem::TextContent(text) => InputContent::InputText {
            text: Cow::Borrowed(&text.content),
        },
        UserContentItem::ImageUrl(file) => {
            if file.force_download != ForceDownload::No {
                return Err(needs_download("image", file));
            }
            InputContent::InputImage {
                image_url: Cow::Borrowed(&file.url),
                detail: image_detail(file.vendor_metadata.as_ref())
                    .unwrap_or(Cow::Borrowed("auto")),
            }
        }
        UserContentItem::DocumentUrl(file) | UserContentItem::AudioUrl(file) => {
            if file.force_download != ForceDownload::No {
                return Err(needs_download("file", file));
            }
            InputContent::InputFile {
                file_url: Some(&file.url),
                file_data: None,
                filename: None,
            }
        }
        UserContentItem::VideoUrl(_) => {
            return Err(Error::user(
                "the Responses API does not accept video in user prompts",
            ))
        }
        UserContentItem::Binary(binary) => binary_part(binary)?,
        UserContentItem::CachePoint(_) => {
            tracing::debug!(
                target: "llm_runtime::providers",
                "cache point not sent: the Responses API caches prompts automatically"
            );
            return Ok(None);
        }
    }))
}

fn binary_part(binary: &BinaryContent) -> Result<InputContent<'_>> {
    let media_type = binary.media_type.as_str();
    if binary.is_image() {
        return Ok(InputContent::InputImage {
            image_url: Cow::Owned(binary.data_uri()),
            detail: image_detail(binary.vendor_metadata.as_ref()).unwrap_or(Cow::Borrowed("auto")),
        });
    }
    if let Ok(format) = document_format(media_type) {
        return Ok(InputContent::InputFile {
            file_url: None,
            file_data: Some(binary.data_uri()),
            filename: Some(format!("filename.{format}")),
        });
    }
    let kind = if binary.is_audio() {
        "audio"
    } else if binary.is_video() {
        "video"
    } else {
        media_type
    };
    Err(Error::user(format!(
        "the Responses API does not accept `{kind}` content in user prompts (it takes text, \
         images and documents; audio goes through the Chat Completions API, `openai:`)"
    )))
}
