//! The conversation of a request: requests (system prompts, user prompts, tool returns,
//! retries) and earlier responses (text, thinking sent back as the host wants it, tool calls)
//! to chat messages, with the instructions and the leading system messages in place.

use std::borrow::Cow;

use super::super::shared::SystemRole;
use super::reasoning_details;
use super::thinking::CONTENT;
use super::wire::{AssistantMessage, ChatFunctionCall, ChatMessage, ChatToolCall, ChatUserContent};
use super::{OpenAiChat, SendBackThinking};
use crate::error::{Error, Result};
use crate::messages::{
    ModelMessage, ModelRequest, ModelRequestPart, ModelResponse, ModelResponsePart, ThinkingPart,
};
use crate::models::request_instructions;
use crate::providers::common::{guard_id, unsent_part};
use crate::providers::PreparedRequest;
use crate::warning::Warnings;

impl OpenAiChat {
    /// The chat messages of the conversation.
    pub(super) fn map_messages<'a>(
        &self,
        request: &PreparedRequest<'a>,
        warnings: &mut Warnings,
    ) -> Result<Vec<ChatMessage<'a>>> {
        let role = self.system_role_for(request.model_name);
        let thinking_active = request.messages.iter().any(|m| {
            m.as_response().is_some_and(|r| {
                r.parts
                    .iter()
                    .any(|p| matches!(p, ModelResponsePart::Thinking(_)))
            })
        });
        let backfill_field = match (self.send_back_thinking, self.thinking_field) {
            (SendBackThinking::Field, Some(field)) if thinking_active => Some(field),
            _ => None,
        };
        let mut out = Vec::new();
        for message in request.messages {
            match message {
                ModelMessage::Request(req) => self.map_request(req, role, &mut out)?,
                ModelMessage::Response(response) => {
                    if let Some(mut assistant) =
                        self.map_response(response, request.provider_name, warnings)?
                    {
                        if let Some(field) = backfill_field {
                            // Hosts that want reasoning back reject a tool-calling turn without it.
                            if !assistant.tool_calls.is_empty()
                                && !assistant.thinking.iter().any(|(f, _)| *f == field)
                            {
                                assistant.thinking.push((field, String::new()));
                            }
                        }
                        out.push(ChatMessage::Assistant(assistant));
                    }
                }
            }
        }
        if let Some(instructions) = request_instructions(request.messages, request.parameters) {
            let leading = out.iter().take_while(|m| m.role() == role.as_str()).count();
            out.insert(
                leading,
                ChatMessage::System {
                    role,
                    content: instructions,
                },
            );
        }
        if !self.multiple_system_messages && role != SystemRole::User {
            merge_leading_system_messages(&mut out);
        }
        Ok(out)
    }

    /// The messages of one request.
    fn map_request<'a>(
        &self,
        request: &'a ModelRequest,
        role: SystemRole,
        out: &mut Vec<ChatMessage<'a>>,
    ) -> Result<()> {
        for part in &request.parts {
            match part {
                ModelRequestPart::SystemPrompt(p) => out.push(ChatMessage::System {
                    role,
                    content: Cow::Borrowed(&p.content),
                }),
                ModelRequestPart::UserPrompt(p) => out.push(ChatMessage::User {
                    content: self.user_content(&p.content)?,
                }),
                ModelRequestPart::ToolReturn(p) => out.push(ChatMessage::Tool {
                    tool_call_id: guard_id(&p.tool_call_id),
                    content: Cow::Owned(p.model_response_str()),
                }),
                ModelRequestPart::RetryPrompt(p) => out.push(match &p.tool_name {
                    None => ChatMessage::User {
                        content: ChatUserContent::Text(Cow::Owned(p.model_response())),
                    },
                    Some(_) => ChatMessage::Tool {
                        tool_call_id: guard_id(&p.tool_call_id),
                        content: Cow::Owned(p.model_response()),
                    },
                }),
            }
        }
        Ok(())
    }

    /// The assistant message of an earlier response (`None` when it would be empty).
    fn map_response<'a>(
        &self,
        response: &'a ModelResponse,
        provider: &str,
        warnings: &mut Warnings,
    ) -> Result<Option<AssistantMessage<'a>>> {
        let (start_tag, end_tag) = self.thinking_tags;
        let mut texts: Vec<Cow<'a, str>> = Vec::new();
        let mut thinking: Vec<(&'a str, Vec<&'a str>)> = Vec::new();
        let mut tool_calls = Vec::new();
        let mut details = Vec::new();
        let mut push_thinking =
            |field: &'a str, content: &'a str| match thinking.iter_mut().find(|(f, _)| *f == field)
            {
                Some((_, contents)) => contents.push(content),
                None => thinking.push((field, vec![content])),
            };
        for part in &response.parts {
            match part {
                ModelResponsePart::Text(text) => texts.push(Cow::Borrowed(&text.content)),
                ModelResponsePart::Thinking(part)
                    if self.reasoning_details
                        && part.provider_name.as_deref() == Some(provider)
                        && reasoning_details::from_thinking(part).is_some() =>
                {
                    details.extend(reasoning_details::from_thinking(part));
                }
                ModelResponsePart::Thinking(part) => {
                    let tags = || Cow::Owned(format!("{start_tag}\n{}\n{end_tag}", part.content));
                    match self.send_back_thinking {
                        SendBackThinking::Auto => match self.own_reasoning_field(part, provider) {
                            Some(field) => push_thinking(field, &part.content),
                            None => texts.push(tags()),
                        },
                        SendBackThinking::Tags => texts.push(tags()),
                        SendBackThinking::Field => {
                            let Some(field) = self.thinking_field else {
                                return Err(Error::user(
                                    "`SendBackThinking::Field` needs the reasoning field: set it \
                                     with `OpenAiChat::with_thinking_field`",
                                ));
                            };
                            push_thinking(field, &part.content);
                        }
                        SendBackThinking::Omit => {}
                    }
                }
                ModelResponsePart::ToolCall(call) => tool_calls.push(ChatToolCall {
                    id: guard_id(&call.tool_call_id),
                    kind: "function",
                    function: ChatFunctionCall {
                        name: &call.tool_name,
                        arguments: call.args_as_json_str(),
                    },
                }),
                other => warnings.push(unsent_part(other, "the Chat Completions API")),
            }
        }
        if texts.is_empty() && tool_calls.is_empty() && details.is_empty() {
            // An assistant message with neither content nor tool calls is rejected.
            return Ok(None);
        }
        Ok(Some(AssistantMessage {
            thinking: thinking
                .into_iter()
                .map(|(field, contents)| (field, contents.join("\n\n")))
                .collect(),
            content: (!texts.is_empty()).then(|| texts.join("\n\n")),
            tool_calls,
            reasoning_details: details,
        }))
    }

    /// The reasoning field a thinking part came from, when it is one this host reads (so it
    /// goes back there); `None` for thinking from tags or from another provider.
    fn own_reasoning_field<'a>(&self, part: &'a ThinkingPart, provider: &str) -> Option<&'a str> {
        let id = part.id.as_deref()?;
        if id == CONTENT {
            return None;
        }
        if let Some(field) = self.thinking_field {
            if id != field {
                return None;
            }
        }
        // pydantic-ai's rule: the part came from this very provider.
        (part.provider_name.as_deref() == Some(provider)).then_some(id)
    }
}

/// Merges the leading system messages into one, joined by blank lines (for hosts that accept
/// only one).
fn merge_leading_system_messages(messages: &mut Vec<ChatMessage<'_>>) {
    let leading = messages
        .iter()
        .take_while(|m| matches!(m, ChatMessage::System { .. }))
        .count();
    if leading < 2 {
        return;
    }
    let mut role = SystemRole::System;
    let mut contents = Vec::with_capacity(leading);
    for message in messages.drain(..leading) {
        if let ChatMessage::System {
            role: message_role,
            content,
        } = message
        {
            role = message_role;
            contents.push(content.into_owned());
        }
    }
    messages.insert(
        0,
        ChatMessage::System {
            role,
            content: Cow::Owned(contents.join("\n\n")),
        },
    );
}
