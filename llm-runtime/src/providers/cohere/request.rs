//! Messages, settings and parameters to the body of `POST /v2/chat`, as pydantic-ai's
//! `CohereModel` writes it: system prompts and instructions as `system` messages, each user
//! prompt, tool return and retry as its own message, one `assistant` message per response
//! (thinking, then text, then tool calls), the tools and the tool choice Cohere accepts, and
//! the sampling settings under Cohere's names (`p`, `k`).

use std::borrow::Cow;

use super::super::common::{guard_id, json_body, unsent_part};
use super::super::tool_choice::{resolve_tool_choice, tool_definitions, ResolvedToolChoice};
use super::super::PreparedRequest;
use super::models::{is_tool_plan, model_traits};
use super::wire::{
    AssistantContent, ChatRequest, ContentItem, Document, DocumentData, ImageUrl, Message,
    ThinkingConfig, Tool, ToolCall, ToolCallFunction, ToolFunction, UserContent,
};
use crate::error::{Error, Result};
use crate::messages::{
    ModelMessage, ModelRequest, ModelRequestPart, ModelResponse, ModelResponsePart,
    UserContent as Content, UserContentItem,
};
use crate::models::{request_instructions, ModelRequestParameters, OutputMode};
use crate::settings::{ModelSettings, Thinking};
use crate::warning::{Warning, Warnings};

/// The JSON body of a chat request.
///
/// # Errors
/// [`Error::User`] for content Cohere cannot take (audio, video, a document by URL), native
/// structured output, and a tool choice that leaves the model no way to answer.
pub(super) fn request_body(
    request: &PreparedRequest<'_>,
    stream: bool,
    warnings: &mut Warnings,
) -> Result<Vec<u8>> {
    let parameters = request.parameters;
    if parameters.output_mode == OutputMode::Native {
        return Err(Error::user(
            "native structured output (`OutputMode::Native`) is not supported by Cohere's Chat \
             API translation: use tool or prompted output",
        ));
    }
    let mut documents = Vec::new();
    let messages = map_messages(
        request.messages,
        request.parameters,
        request.provider_name,
        &mut documents,
        warnings,
    )?;
    let (tools, tool_choice, strict_tools) = tools_and_choice(request, warnings)?;
    let settings = request.settings;
    warn_unsupported_settings(settings, warnings);
    let body = ChatRequest {
        model: request.model_name,
        messages,
        tools,
        documents,
        tool_choice,
        strict_tools,
        max_tokens: settings.max_tokens,
        stop_sequences: settings.stop_sequences.as_deref(),
        temperature: settings.temperature,
        p: settings.top_p,
        k: settings.top_k,
        seed: settings.seed,
        presence_penalty: settings.presence_penalty,
        frequency_penalty: settings.frequency_penalty,
        thinking: thinking(request.model_name, settings.thinking, warnings),
        stream,
    };
    json_body(&body)
}

/// The conversation as Cohere messages; text documents go to `documents`. The instructions
/// are a `system` message after the leading system prompts, as pydantic-ai places them.
fn map_messages<'a>(
    messages: &'a [ModelMessage],
    parameters: &ModelRequestParameters,
    provider: &str,
    documents: &mut Vec<Document<'a>>,
    warnings: &mut Warnings,
) -> Result<Vec<Message<'a>>> {
    let mut out = Vec::new();
    for message in messages {
        match message {
            ModelMessage::Request(request) => request_messages(request, documents, &mut out)?,
            ModelMessage::Response(response) => {
                if let Some(message) = assistant_message(response, provider, warnings) {
                    out.push(message);
                }
            }
        }
    }
    if let Some(text) = request_instructions(messages, parameters) {
        let at = out
            .iter()
            .position(|m| !matches!(m, Message::System { .. }))
            .unwrap_or(out.len());
        out.insert(at, Message::System { content: text });
    }
    Ok(out)
}

/// The messages of one request: its parts in order.
fn request_messages<'a>(
    request: &'a ModelRequest,
    documents: &mut Vec<Document<'a>>,
    out: &mut Vec<Message<'a>>,
) -> Result<()> {
    for part in &request.parts {
        match part {
            ModelRequestPart::SystemPrompt(system) => out.push(Message::System {
                content: Cow::Borrowed(&system.content),
            }),
            ModelRequestPart::UserPrompt(prompt) => {
                let content = match &prompt.content {
                    Content::Text(text) => UserContent::Text(Cow::Borrowed(text)),
                    Content::Items(items) => UserContent::Items(user_items(items, documents)?),
                };
                out.push(Message::User { content });
            }
            ModelRequestPart::ToolReturn(ret) => out.push(Message::Tool {
                tool_call_id: guard_id(&ret.tool_call_id),
                content: ret.model_response_str(),
            }),
            ModelRequestPart::RetryPrompt(retry) => match retry.tool_name {
                None => out.push(Message::User {
                    content: UserContent::Text(Cow::Owned(retry.model_response())),
                }),
                Some(_) => out.push(Message::Tool {
                    tool_call_id: guard_id(&retry.tool_call_id),
                    content: retry.model_response(),
                }),
            },
        }
    }
    Ok(())
}

/// The content items of a user prompt: text, images (by URL or as `data:` URLs); a text
/// document given as bytes goes to the request's `documents`, which the model can cite.
fn user_items<'a>(
    items: &'a [UserContentItem],
    documents: &mut Vec<Document<'a>>,
) -> Result<Vec<ContentItem<'a>>> {
    let mut content = Vec::new();
    for item in items {
        match item {
            UserContentItem::Text(text) => content.push(ContentItem::Text { text }),
            UserContentItem::TextContent(text) => content.push(ContentItem::Text {
                text: &text.content,
            }),
            UserContentItem::CachePoint(_) => {}
            UserContentItem::ImageUrl(image) => content.push(ContentItem::ImageUrl {
                image_url: ImageUrl {
                    url: Cow::Borrowed(&image.url),
                },
            }),
            UserContentItem::Binary(binary) if binary.is_image() => {
                content.push(ContentItem::ImageUrl {
                    image_url: ImageUrl {
                        url: Cow::Owned(binary.data_uri()),
                    },
                });
            }
            UserContentItem::Binary(binary) if is_text_document(&binary.media_type) => {
                let text = String::from_utf8(binary.data.clone()).map_err(|_| {
                    Error::user(format!(
                        "the `{}` document is not UTF-8 text, which Cohere's `documents` need",
                        binary.media_type
                    ))
                })?;
                documents.push(Document {
                    id: binary.identifier.as_deref(),
                    data: DocumentData { text },
                });
            }
            UserContentItem::Binary(binary) => {
                return Err(Error::user(format!(
                    "Cohere's Chat API does not take `{}` content: send text, images, or text \
                     documents",
                    binary.media_type
                )));
            }
            UserContentItem::AudioUrl(_)
            | UserContentItem::VideoUrl(_)
            | UserContentItem::DocumentUrl(_) => {
                return Err(Error::user(
                    "Cohere's Chat API takes no audio, video or document URLs: send text, \
                     images, or text documents as `BinaryContent`",
                ));
            }
        }
    }
    Ok(content)
}

/// Whether a document of this media type is text Cohere can take as a document.
fn is_text_document(media_type: &str) -> bool {
    media_type.starts_with("text/")
        || matches!(
            media_type,
            "application/json" | "application/xml" | "application/x-yaml" | "application/yaml"
        )
}

/// The assistant message of an earlier response: its thinking, then its text (each joined
/// by blank lines), then its tool calls; the tool plan of the provider's own earlier response
/// goes back as `tool_plan`. `None` for a response with nothing to send (Cohere rejects an
/// empty assistant message).
fn assistant_message<'a>(
    response: &'a ModelResponse,
    provider: &str,
    warnings: &mut Warnings,
) -> Option<Message<'a>> {
    let mut texts: Vec<&str> = Vec::new();
    let mut thinking: Vec<&str> = Vec::new();
    let mut plan: Vec<&str> = Vec::new();
    let mut tool_calls = Vec::new();
    for part in &response.parts {
        match part {
            ModelResponsePart::Text(text) => texts.push(&text.content),
            ModelResponsePart::Thinking(part) if is_tool_plan(part, provider) => {
                plan.push(&part.content);
            }
            ModelResponsePart::Thinking(part) => thinking.push(&part.content),
            ModelResponsePart::ToolCall(call) => tool_calls.push(ToolCall {
                id: guard_id(&call.tool_call_id),
                kind: "function",
                function: ToolCallFunction {
                    name: &call.tool_name,
                    arguments: Cow::Owned(call.args_as_json_str()),
                },
            }),
            other => warnings.push(unsent_part(other, "Cohere's Chat API")),
        }
    }
    // A plan goes with tool calls; without them it is sent as the thinking it is.
    let tool_plan = if tool_calls.is_empty() {
        thinking.extend(plan);
        None
    } else {
        (!plan.is_empty()).then(|| plan.join(""))
    };
    if texts.is_empty() && thinking.is_empty() && tool_calls.is_empty() {
        return None;
    }
    let mut content = Vec::new();
    if !thinking.is_empty() {
        content.push(AssistantContent::Thinking {
            thinking: thinking.join("\n\n"),
        });
    }
    if !texts.is_empty() {
        content.push(AssistantContent::Text {
            text: texts.join("\n\n"),
        });
    }
    Some(Message::Assistant {
        tool_plan,
        content,
        tool_calls,
    })
}

/// The tools, `tool_choice` and `strict_tools`. Cohere takes `REQUIRED` or `NONE` and no tool
/// name, so a choice of some tools keeps only those tools. `strict_tools` holds for every tool
/// of a request: it is sent when all the tools are strict, and a strictness only some have is
/// reported.
fn tools_and_choice<'a>(
    request: &PreparedRequest<'a>,
    warnings: &mut Warnings,
) -> Result<(Vec<Tool<'a>>, Option<&'static str>, Option<bool>)> {
    let parameters = request.parameters;
    let resolved =
        resolve_tool_choice(request.settings.tool_choice.as_ref(), parameters, warnings)?;
    let mut definitions = tool_definitions(parameters);
    let choice = match resolved {
        ResolvedToolChoice::Auto => None,
        // Cohere accepts `NONE` with the tools present.
        ResolvedToolChoice::None => Some("NONE"),
        ResolvedToolChoice::Required => Some("REQUIRED"),
        ResolvedToolChoice::Only { required, names } => {
            definitions.retain(|d| names.contains(&d.name));
            required.then_some("REQUIRED")
        }
    };
    let strict = definitions
        .iter()
        .filter(|d| d.strict == Some(true))
        .count();
    let strict_tools = if strict > 0 && strict == definitions.len() {
        Some(true)
    } else {
        if strict > 0 {
            warnings.push(Warning::unsupported_setting(
                "strict",
                "Cohere's `strict_tools` holds for all the tools of a request or none: with only \
                 some tools strict, it is not sent",
            ));
        }
        None
    };
    let tools = definitions
        .into_iter()
        .map(|d| Tool {
            kind: "function",
            function: ToolFunction {
                name: &d.name,
                description: d.description.as_deref(),
                parameters: &d.parameters_json_schema,
            },
        })
        .collect();
    Ok((tools, choice, strict_tools))
}

/// `thinking` for the reasoning models: on (at the model's own budget) or off. Other models
/// take none, and efforts are not a Cohere setting: both are reported.
fn thinking(
    model: &str,
    setting: Option<Thinking>,
    warnings: &mut Warnings,
) -> Option<ThinkingConfig> {
    let setting = setting?;
    if !model_traits(model).reasoning {
        warnings.push(Warning::unsupported_setting(
            "thinking",
            "this Cohere model does not reason; `thinking` is not sent",
        ));
        return None;
    }
    let kind = match setting {
        Thinking::Disabled => "disabled",
        Thinking::Enabled => "enabled",
        _ => {
            warnings.push(Warning::unsupported_setting(
                "thinking",
                "Cohere's thinking is on or off, without an effort; it is sent as enabled",
            ));
            "enabled"
        }
    };
    Some(ThinkingConfig { kind })
}

/// Reports the settings Cohere's Chat API has no field for.
fn warn_unsupported_settings(settings: &ModelSettings, warnings: &mut Warnings) {
    for (name, set) in [
        ("logit_bias", settings.logit_bias.is_some()),
        (
            "parallel_tool_calls",
            settings.parallel_tool_calls.is_some(),
        ),
        ("service_tier", settings.service_tier.is_some()),
    ] {
        if set {
            warnings.push(Warning::unsupported_setting(
                name,
                "Cohere's Chat API has no such setting; it is not sent (use `extra_body` for a \
                 field it does take)",
            ));
        }
    }
}

#[cfg(test)]
mod tests;
