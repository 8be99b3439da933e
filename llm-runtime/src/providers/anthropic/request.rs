//! Messages, settings and parameters -> the body of `POST /v1/messages`: system prompts and
//! instructions in `system`, one `user` message per request and one `assistant` message per
//! response, thinking sent back with its signature to the provider that signed it, and the
//! settings the API has fields for (the others are reported as [`Warning`]s and not sent);
//! built-in tools and their parts as `builtin_tools.rs` maps them.

use std::borrow::Cow;

use super::super::common::{guard_id, json_body, unsent_part};
use super::super::PreparedRequest;
use super::builtin_tools::{
    call_block, compaction_block, has_compaction, return_block, server_tools,
};
use super::content::{limit_cache_points, retry, tool_result, user_content};
use super::models::model_traits;
use super::thinking::{effort_for, max_tokens, thinking_mode};
use super::tools::{check_output_tools_with_thinking, output_format, tools};
use super::wire::{
    AnyTool, Block, Message, MessagesRequest, OutputConfig, System, ToolChoiceParam,
};
use super::REDACTED_THINKING_ID;
use crate::error::Result;
use crate::messages::{
    ModelMessage, ModelRequest, ModelRequestPart, ModelResponse, ModelResponsePart, ToolArgs,
};
use crate::models::{request_instructions, BuiltinTool};
use crate::settings::ModelSettings;
use crate::warning::{Warning, Warnings};

/// The JSON body of a request; what is not sent goes into `warnings`.
///
/// # Errors
/// [`Error::User`](crate::Error::User) for input the Messages API cannot express.
pub(super) fn request_body(
    request: &PreparedRequest<'_>,
    stream: bool,
    warnings: &mut Warnings,
) -> Result<Vec<u8>> {
    let body = build_request(request, stream, warnings)?;
    json_body(&body)
}

fn build_request<'a>(
    request: &PreparedRequest<'a>,
    stream: bool,
    warnings: &mut Warnings,
) -> Result<MessagesRequest<'a>> {
    let model = request.model_name;
    let settings: &'a ModelSettings = request.settings;
    let parameters = request.parameters;
    let traits = model_traits(model);
    let thinking = thinking_mode(settings.thinking, traits);

    check_output_tools_with_thinking(parameters, thinking, traits)?;
    let format = output_format(request, warnings)?;
    let (function_tools, mut tool_choice) = tools(request, traits, thinking, warnings)?;
    let server = server_tools(request, warnings)?;
    let mut tools: Vec<AnyTool<'_>> = function_tools
        .into_iter()
        // The memory tool replaces the function tool that handles it.
        .filter(|tool| !(server.memory && tool.name == "memory"))
        .map(AnyTool::Function)
        .collect();
    tools.extend(server.tools.into_iter().map(AnyTool::Server));
    if tool_choice.is_none() && !tools.is_empty() {
        tool_choice = Some(ToolChoiceParam {
            kind: "auto",
            name: None,
            disable_parallel_tool_use: None,
        });
    }
    let (system, messages) = map_messages(request, warnings)?;
    // Compaction blocks of the history need compaction enabled, as pydantic-ai enables it.
    let context_management = has_compaction(request.messages)
        .then(|| serde_json::json!({"edits": [{"type": "compact_20260112"}]}));
    let max_tokens = max_tokens(settings, thinking)?;

    let (mut temperature, mut top_p, mut top_k) =
        (settings.temperature, settings.top_p, settings.top_k);
    if traits.no_sampling_settings {
        for (name, was_set) in [
            ("temperature", temperature.take().is_some()),
            ("top_p", top_p.take().is_some()),
            ("top_k", top_k.take().is_some()),
        ] {
            if was_set {
                warnings.push(Warning::unsupported_setting(
                    name,
                    format!(
                        "sampling settings are not supported by `{model}`; `{name}` is not sent"
                    ),
                ));
            }
        }
    }
    unsupported_settings(settings, warnings);

    let effort = effort_for(settings.thinking, traits);
    let output_config =
        (format.is_some() || effort.is_some()).then_some(OutputConfig { format, effort });
    Ok(MessagesRequest {
        model,
        max_tokens,
        system,
        messages,
        tools,
        mcp_servers: server.mcp_servers,
        context_management,
        tool_choice,
        stream,
        stop_sequences: settings.stop_sequences.as_deref(),
        temperature,
        top_p,
        top_k,
        thinking: thinking.map(|mode| mode.param()),
        output_config,
        service_tier: service_tier(settings.service_tier.as_deref(), warnings),
    })
}

/// `service_tier`: Anthropic's own values, and the unified `default` as `standard_only`.
fn service_tier(tier: Option<&str>, warnings: &mut Warnings) -> Option<&'static str> {
    match tier? {
        "auto" => Some("auto"),
        "default" | "standard_only" => Some("standard_only"),
        other => {
            warnings.push(Warning::unsupported_setting(
                "service_tier",
                format!(
                    "Anthropic's service tiers are `auto` and `standard_only` (`default`); \
                     `{other}` is not sent"
                ),
            ));
            None
        }
    }
}

/// Reports the settings the Messages API has no field for.
fn unsupported_settings(settings: &ModelSettings, warnings: &mut Warnings) {
    for (name, set) in [
        ("seed", settings.seed.is_some()),
        ("presence_penalty", settings.presence_penalty.is_some()),
        ("frequency_penalty", settings.frequency_penalty.is_some()),
        ("logit_bias", settings.logit_bias.is_some()),
    ] {
        if set {
            warnings.push(Warning::unsupported_setting(
                name,
                format!(
                    "Anthropic's Messages API has no `{name}`; the setting is not sent (use \
                     `extra_body` for a compatible server that takes it)"
                ),
            ));
        }
    }
}

/// The system prompt and the messages.
fn map_messages<'a>(
    request: &PreparedRequest<'a>,
    warnings: &mut Warnings,
) -> Result<(Option<System<'a>>, Vec<Message<'a>>)> {
    let mut system_prompts: Vec<&'a str> = Vec::new();
    let mut messages: Vec<Message<'a>> = Vec::new();
    let tags = &request.profile.thinking_tags;
    let advisor = request
        .parameters
        .builtin_tools
        .iter()
        .any(|t| matches!(t, BuiltinTool::Advisor(_)));
    for message in request.messages {
        match message {
            ModelMessage::Request(req) => {
                let content = map_request(req, &mut system_prompts, &mut messages)?;
                if !content.is_empty() {
                    messages.push(Message {
                        role: "user",
                        content,
                    });
                }
            }
            ModelMessage::Response(response) => {
                let content =
                    map_response(response, tags, request.provider_name, advisor, warnings);
                if !content.is_empty() {
                    messages.push(Message {
                        role: "assistant",
                        content,
                    });
                }
            }
        }
    }
    limit_cache_points(&mut messages);

    let system_prompt = system_prompts.join("\n\n");
    let system = match request_instructions(request.messages, request.parameters)
        .filter(|i| !i.is_empty())
    {
        Some(instructions) => {
            let mut blocks = Vec::with_capacity(2);
            if !system_prompt.is_empty() {
                blocks.push(Block::text(system_prompt));
            }
            blocks.push(Block::text(instructions));
            Some(System::Blocks(blocks))
        }
        None if system_prompt.is_empty() => None,
        None => Some(System::Text(system_prompt)),
    };
    Ok((system, messages))
}

/// The content of the user message a request becomes; its system prompts go to
/// `system_prompts`.
fn map_request<'a>(
    request: &'a ModelRequest,
    system_prompts: &mut Vec<&'a str>,
    earlier: &mut [Message<'a>],
) -> Result<Vec<Block<'a>>> {
    let mut content = Vec::new();
    for part in &request.parts {
        match part {
            // Every system prompt goes to the top-level `system`, as pydantic-ai does for
            // models without mid-conversation system messages.
            ModelRequestPart::SystemPrompt(p) => system_prompts.push(&p.content),
            ModelRequestPart::UserPrompt(p) => {
                user_content(&p.content, &mut content, earlier)?;
            }
            ModelRequestPart::ToolReturn(p) => content.push(tool_result(p)),
            ModelRequestPart::RetryPrompt(p) => content.push(retry(p)),
        }
    }
    Ok(content)
}

/// The API's name in warnings.
const API: &str = "Anthropic's Messages API";

/// The content of the assistant message a response becomes.
fn map_response<'a>(
    response: &'a ModelResponse,
    tags: &(String, String),
    provider: &str,
    advisor: bool,
    warnings: &mut Warnings,
) -> Vec<Block<'a>> {
    let mut content = Vec::new();
    for part in &response.parts {
        match part {
            ModelResponsePart::Text(text) => {
                if !text.content.is_empty() {
                    content.push(Block::text(text.content.as_str()));
                }
            }
            ModelResponsePart::ToolCall(call) => content.push(Block::ToolUse {
                id: guard_id(&call.tool_call_id),
                name: &call.tool_name,
                input: match &call.args {
                    Some(ToolArgs::Object(map)) => Cow::Borrowed(map),
                    _ => Cow::Owned(call.args_as_dict()),
                },
                cache_control: None,
            }),
            ModelResponsePart::Thinking(thinking) => {
                // A signature is only valid for the provider that made it, and an empty one
                // (an interrupted stream) never is: such thinking goes back as tagged text.
                let signature = thinking
                    .signature
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .filter(|_| thinking.provider_name.as_deref() == Some(provider));
                match signature {
                    Some(data) if thinking.id.as_deref() == Some(REDACTED_THINKING_ID) => {
                        content.push(Block::RedactedThinking { data });
                    }
                    Some(signature) => content.push(Block::Thinking {
                        thinking: &thinking.content,
                        signature,
                    }),
                    None if !thinking.content.is_empty() => content.push(Block::text(format!(
                        "{}\n{}\n{}",
                        tags.0, thinking.content, tags.1
                    ))),
                    None => {}
                }
            }
            // Built-in tools' parts go back only to the provider that ran them; an advisor's
            // only while the advisor is enabled (the API rejects them otherwise).
            ModelResponsePart::BuiltinToolCall(call)
                if call.provider_name.as_deref() == Some(provider)
                    && (advisor || call.tool_name != "advisor") =>
            {
                match call_block(call, &guard_id(&call.tool_call_id)) {
                    Some(block) => content.push(Block::Raw(block)),
                    None => warnings.push(unsent_part(part, API)),
                }
            }
            ModelResponsePart::BuiltinToolReturn(ret)
                if ret.provider_name.as_deref() == Some(provider)
                    && (advisor || ret.tool_name != "advisor") =>
            {
                match return_block(ret, &guard_id(&ret.tool_call_id)) {
                    Some(block) => content.push(Block::Raw(block)),
                    None => warnings.push(unsent_part(part, API)),
                }
            }
            ModelResponsePart::Compaction(compaction)
                if compaction.provider_name.as_deref() == Some(provider) =>
            {
                content.push(Block::Raw(compaction_block(compaction)));
            }
            other => warnings.push(unsent_part(other, API)),
        }
    }
    content
}

#[cfg(test)]
mod tests;
