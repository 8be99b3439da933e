//! Messages, settings and parameters to the Converse request body, as pydantic-ai's
//! `BedrockConverseModel._messages_create` builds it: system blocks, one user message per run
//! of request parts (consecutive user turns merged, or split by a `.` assistant turn where the
//! model rejects content beside a tool result), tool results with a status, reasoning sent back
//! with its signature to Bedrock only, `toolConfig` (with the built-in tools'
//! `systemTool` entries) and `toolChoice`, `inferenceConfig`, and
//! `additionalModelRequestFields` for `top_k` and thinking as the model family takes them.

use std::borrow::Cow;

use base64::Engine;
use serde_json::{Map, Value};

use super::builtin_tools;
use super::content::user_content;
use super::models::{BedrockProfile, ThinkingVariant, TopKVariant};
use super::wire::{
    Block, ConverseRequest, Empty, InferenceConfig, InputSchema, JsonSchemaDefinition, Message,
    OutputConfig, Reasoning, ServiceTier, Structure, TextFormat, Tool, ToolChoice, ToolConfig,
    ToolResult, ToolResultContent, ToolSpec, ToolUse,
};
use super::REDACTED_CONTENT_ID;
use crate::error::{Error, Result};
use crate::messages::{
    ModelMessage, ModelRequestPart, ModelResponse, ModelResponsePart, ToolArgs, ToolReturnOutcome,
};
use crate::models::{request_instructions, ModelRequestParameters, OutputMode};
use crate::providers::common::{guard_id, unsent_part};
use crate::providers::tool_choice::{
    resolve_tool_choice, tool_definitions, without_allowed_tools, ForcedChoice,
};
use crate::providers::PreparedRequest;
use crate::settings::{ModelSettings, Thinking, ToolChoice as ToolChoiceSetting};
use crate::warning::{Warning, Warnings};

/// The most cache points Bedrock accepts in one request.
const MAX_CACHE_POINTS: usize = 4;

/// The name of the output object when it has none (pydantic-ai's `DEFAULT_OUTPUT_TOOL_NAME`).
const DEFAULT_OUTPUT_NAME: &str = "final_result";

/// Builds the body of a Converse request; what it cannot send as asked goes into `warnings`.
/// Reasoning signed by another provider than the request's goes back as tagged text.
///
/// # Errors
/// [`Error::User`] for what Converse cannot express: a model Bedrock serves only through its
/// OpenAI-compatible API, audio, a file by URL that is not in S3, a media type without a Bedrock
/// format, a forced tool choice the model cannot honour, output tools while thinking.
pub(super) fn build<'a>(
    request: &PreparedRequest<'a>,
    profile: &BedrockProfile,
    warnings: &mut Warnings,
) -> Result<ConverseRequest<'a>> {
    let provider_name = request.provider_name;
    let model = request.model_name;
    if !profile.supported_on_converse {
        return Err(Error::user(format!(
            "`{model}` is served by Bedrock's OpenAI-compatible API only, not by the Converse API"
        )));
    }
    let settings: &'a ModelSettings = request.settings;
    let thinking = settings.thinking.filter(|t| *t != Thinking::Disabled);
    let parameters = request.parameters;
    if !parameters.output_tools.is_empty()
        && thinking.is_some()
        && parameters.output_mode == OutputMode::Tool
        && !parameters.allow_text_output
    {
        return Err(Error::user(
            "Bedrock does not support thinking and output tools at the same time: use native or prompted output",
        ));
    }
    warn_unsupported_settings(model, settings, warnings);
    let (mut system, mut messages) = map_messages(request, profile, provider_name, warnings)?;
    let tool_config = tool_config(request, profile, thinking.is_some(), warnings)?;
    limit_cache_points(&mut system, &mut messages);
    Ok(ConverseRequest {
        messages,
        system,
        inference_config: InferenceConfig {
            max_tokens: settings.max_tokens.filter(|max| *max != 0),
            temperature: settings.temperature,
            top_p: settings.top_p,
            stop_sequences: settings.stop_sequences.as_deref().filter(|s| !s.is_empty()),
        },
        tool_config,
        output_config: output_config(parameters, profile, model, warnings)?,
        service_tier: settings
            .service_tier
            .as_deref()
            .filter(|tier| *tier != "auto")
            .map(|kind| ServiceTier { kind }),
        additional_model_request_fields: additional_fields(settings, profile, warnings),
    })
}

/// Reports the settings Converse has no field for.
fn warn_unsupported_settings(model: &str, settings: &ModelSettings, warnings: &mut Warnings) {
    for (name, set) in [
        ("seed", settings.seed.is_some()),
        ("presence_penalty", settings.presence_penalty.is_some()),
        ("frequency_penalty", settings.frequency_penalty.is_some()),
        ("logit_bias", settings.logit_bias.is_some()),
        (
            "parallel_tool_calls",
            settings.parallel_tool_calls.is_some(),
        ),
    ] {
        if set {
            warnings.push(Warning::unsupported_setting(
                name,
                format!("Bedrock's Converse API has no `{name}` (for `{model}`); the setting is not sent"),
            ));
        }
    }
}

/// `additionalModelRequestFields`: `top_k` and thinking where the family takes them.
fn additional_fields(
    settings: &ModelSettings,
    profile: &BedrockProfile,
    warnings: &mut Warnings,
) -> Option<Map<String, Value>> {
    let mut fields = Map::new();
    if let Some(top_k) = settings.top_k {
        match profile.top_k {
            Some(TopKVariant::Anthropic) => {
                fields.insert("top_k".into(), top_k.into());
            }
            Some(TopKVariant::Nova) => {
                let mut config = Map::new();
                config.insert("topK".into(), top_k.into());
                fields.insert("inferenceConfig".into(), Value::Object(config));
            }
            None => warnings.push(Warning::unsupported_setting(
                "top_k",
                "this Bedrock model family takes no `top_k` on Converse; the setting is not sent",
            )),
        }
    }
    let Some(thinking) = settings.thinking else {
        return (!fields.is_empty()).then_some(fields);
    };
    let on = thinking != Thinking::Disabled;
    match profile.thinking {
        Some(ThinkingVariant::Anthropic {
            adaptive: true,
            effort,
        }) => {
            if on {
                fields.insert("thinking".into(), serde_json::json!({"type": "adaptive"}));
                if let Some(level) = effort.then(|| anthropic_effort(thinking)).flatten() {
                    fields.insert("output_config".into(), serde_json::json!({"effort": level}));
                }
            }
        }
        Some(ThinkingVariant::Anthropic {
            adaptive: false, ..
        }) => {
            let value = match thinking {
                Thinking::Disabled => serde_json::json!({"type": "disabled"}),
                level => {
                    serde_json::json!({"type": "enabled", "budget_tokens": anthropic_budget(level)})
                }
            };
            fields.insert("thinking".into(), value);
        }
        Some(ThinkingVariant::OpenAi) if on => {
            let effort = match thinking {
                Thinking::Minimal => "minimal",
                Thinking::Low => "low",
                Thinking::High => "high",
                Thinking::XHigh => "xhigh",
                _ => "medium",
            };
            fields.insert("reasoning_effort".into(), effort.into());
        }
        Some(ThinkingVariant::Qwen) if on => {
            let level = if matches!(thinking, Thinking::Minimal | Thinking::Low) {
                "low"
            } else {
                "high"
            };
            fields.insert("reasoning_config".into(), level.into());
        }
        Some(_) => {}
        None => warnings.push(Warning::unsupported_setting(
            "thinking",
            "this Bedrock model family has no thinking setting on Converse; the setting is not sent",
        )),
    }
    (!fields.is_empty()).then_some(fields)
}

/// pydantic-ai's `ANTHROPIC_THINKING_BUDGET_MAP`.
fn anthropic_budget(thinking: Thinking) -> u32 {
    match thinking {
        Thinking::Minimal => 1024,
        Thinking::Low => 2048,
        Thinking::High => 16384,
        Thinking::XHigh => 32768,
        Thinking::Disabled | Thinking::Enabled | Thinking::Medium => 10000,
    }
}

/// `output_config.effort` for a level (none for plain on/off); `xhigh` is not passed through.
fn anthropic_effort(thinking: Thinking) -> Option<&'static str> {
    match thinking {
        Thinking::Disabled | Thinking::Enabled => None,
        Thinking::Minimal | Thinking::Low => Some("low"),
        Thinking::Medium => Some("medium"),
        Thinking::High => Some("high"),
        Thinking::XHigh => Some("max"),
    }
}

/// `outputConfig` for native structured output.
fn output_config(
    parameters: &ModelRequestParameters,
    profile: &BedrockProfile,
    model: &str,
    warnings: &mut Warnings,
) -> Result<Option<OutputConfig>> {
    match (parameters.output_mode, &parameters.output_object) {
        (OutputMode::Native, Some(object)) => {
            if !profile.supports_json_schema_output {
                return Err(Error::user(format!(
                    "native structured output is not supported by `{model}` on Bedrock; use tool or prompted output"
                )));
            }
            let transformed = (profile.transformer())(&object.json_schema, Some(true))?;
            warnings.extend(transformed.warnings);
            let schema = transformed.schema;
            Ok(Some(OutputConfig {
                text_format: TextFormat {
                    kind: "json_schema",
                    structure: Structure {
                        json_schema: JsonSchemaDefinition {
                            name: object
                                .name
                                .clone()
                                .unwrap_or_else(|| DEFAULT_OUTPUT_NAME.to_owned()),
                            schema: schema.to_string(),
                            description: object.description.clone(),
                        },
                    },
                },
            }))
        }
        (OutputMode::Native, None) => Err(Error::user(
            "the `native` output mode needs `output_object` (the schema to produce)",
        )),
        (OutputMode::Image, _) => Err(Error::user(
            "Bedrock's Converse API does not produce images: use another output mode",
        )),
        _ => Ok(None),
    }
}

/// `toolConfig`: the tools and, where the model takes one, the tool choice (pydantic-ai's
/// `_map_tool_config` and `_support_tool_forcing`). `None` when no tool is offered (also for
/// the `none` choice: Converse has no such mode).
fn tool_config<'a>(
    request: &PreparedRequest<'a>,
    profile: &BedrockProfile,
    thinking: bool,
    warnings: &mut Warnings,
) -> Result<Option<ToolConfig<'a>>> {
    let parameters: &'a ModelRequestParameters = request.parameters;
    let explicit = request.settings.tool_choice.as_ref();
    let forced_explicitly = matches!(
        explicit,
        Some(ToolChoiceSetting::Required | ToolChoiceSetting::Tools(_))
    );
    let supports_forcing = |_specific: bool| -> Result<bool> {
        if !profile.supports_tool_choice {
            if forced_explicitly {
                return Err(Error::user(format!(
                    "tool_choice {explicit:?} is not supported by `{}`: this model does not support forcing tool use",
                    request.model_name
                )));
            }
            return Ok(false);
        }
        if thinking {
            if forced_explicitly {
                return Err(Error::user(
                    "Bedrock does not support forcing specific tools with thinking: disable thinking or use `ToolChoice::Auto`",
                ));
            }
            return Ok(false);
        }
        Ok(true)
    };
    let system_tools = builtin_tools::system_tools(request)?;
    let resolved = resolve_tool_choice(explicit, parameters, warnings)?;
    let (choice, only) = without_allowed_tools(resolved, supports_forcing)?;
    let choice = match choice {
        ForcedChoice::None => {
            // Converse has no `none` choice: no tool is sent, built-in ones neither.
            if !system_tools.is_empty() {
                warnings.push(Warning::unsupported_setting(
                    "builtin_tools",
                    "Bedrock cannot be told not to call tools, so with `tool_choice: none` no \
                     tool is sent, the built-in ones neither",
                ));
            }
            return Ok(None);
        }
        ForcedChoice::Auto => ToolChoice::Auto(Empty {}),
        ForcedChoice::Required => ToolChoice::Any(Empty {}),
        ForcedChoice::Tool(name) => ToolChoice::Tool {
            name: Cow::Owned(name),
        },
    };
    let mut definitions = tool_definitions(parameters);
    if let Some(names) = only {
        definitions.retain(|d| names.contains(&d.name));
    }
    if definitions.is_empty() && system_tools.is_empty() {
        return Ok(None);
    }
    let transformer = profile.transformer();
    let mut tools = Vec::with_capacity(definitions.len());
    for definition in definitions {
        let strict = definition.strict == Some(true) && profile.supports_strict_tools;
        let schema = transformer(&definition.parameters_json_schema, strict.then_some(true))?;
        warnings.extend(schema.warnings);
        tools.push(Tool::ToolSpec(ToolSpec {
            name: &definition.name,
            description: definition.description.as_deref().filter(|d| !d.is_empty()),
            input_schema: InputSchema {
                json: schema.schema,
            },
            strict: strict.then_some(true),
        }));
    }
    tools.extend(system_tools);
    Ok(Some(ToolConfig {
        tools,
        tool_choice: profile.supports_tool_choice.then_some(choice),
    }))
}

/// The system blocks and the messages.
fn map_messages<'a>(
    request: &PreparedRequest<'a>,
    profile: &BedrockProfile,
    provider_name: &str,
    warnings: &mut Warnings,
) -> Result<(Vec<Block<'a>>, Vec<Message<'a>>)> {
    let mut system: Vec<Block<'a>> = Vec::new();
    let mut messages: Vec<Message<'a>> = Vec::new();
    let mut documents = 0usize;
    for message in request.messages {
        match message {
            ModelMessage::Request(req) => {
                for part in &req.parts {
                    match part {
                        ModelRequestPart::SystemPrompt(p) => {
                            if !p.content.is_empty() {
                                system.push(Block::Text(Cow::Borrowed(&p.content)));
                            }
                        }
                        ModelRequestPart::UserPrompt(p) => {
                            let content =
                                user_content(&p.content, profile, &mut documents, &mut messages)?;
                            if !content.is_empty() {
                                messages.push(Message {
                                    role: "user",
                                    content,
                                });
                            }
                        }
                        ModelRequestPart::ToolReturn(p) => {
                            let failed = p.outcome == ToolReturnOutcome::Failed;
                            let content = if failed && !profile.supports_tool_result_status {
                                ToolResultContent::Text(Cow::Owned(p.model_response_str()))
                            } else {
                                match &p.content {
                                    Value::String(text) => {
                                        ToolResultContent::Text(Cow::Borrowed(text))
                                    }
                                    Value::Null => ToolResultContent::Text(Cow::Borrowed("")),
                                    other if profile.tool_result_json => {
                                        ToolResultContent::Json(other)
                                    }
                                    other => ToolResultContent::Text(Cow::Owned(other.to_string())),
                                }
                            };
                            messages.push(tool_result_message(
                                &p.tool_call_id,
                                content,
                                failed,
                                profile,
                            ));
                        }
                        ModelRequestPart::RetryPrompt(p) => match &p.tool_name {
                            None => messages.push(Message {
                                role: "user",
                                content: vec![Block::Text(Cow::Owned(p.model_response()))],
                            }),
                            Some(_) => messages.push(tool_result_message(
                                &p.tool_call_id,
                                ToolResultContent::Text(Cow::Owned(p.model_response())),
                                true,
                                profile,
                            )),
                        },
                    }
                }
            }
            ModelMessage::Response(response) => {
                let content = response_content(response, request, profile, provider_name, warnings);
                if !content.is_empty() {
                    messages.push(Message {
                        role: "assistant",
                        content,
                    });
                }
            }
        }
    }
    let mut messages = merge_user_turns(messages, profile);
    if let Some(instructions) =
        request_instructions(request.messages, request.parameters).filter(|i| !i.is_empty())
    {
        system.push(Block::Text(instructions));
    }
    // Converse needs a first message, and most families a first user message; several reject
    // whitespace-only text, hence the period (as pydantic-ai sends).
    let leading_assistant = messages.first().is_some_and(|m| m.role != "user");
    if messages.is_empty() || (leading_assistant && !profile.supports_leading_assistant) {
        messages.insert(
            0,
            Message {
                role: "user",
                content: vec![Block::Text(Cow::Borrowed("."))],
            },
        );
    }
    Ok((system, messages))
}

fn tool_result_message<'a>(
    id: &'a str,
    content: ToolResultContent<'a>,
    failed: bool,
    profile: &BedrockProfile,
) -> Message<'a> {
    Message {
        role: "user",
        content: vec![Block::ToolResult(ToolResult {
            tool_use_id: Cow::Borrowed(id),
            content: vec![content],
            kind: None,
            status: profile.supports_tool_result_status.then_some(if failed {
                "error"
            } else {
                "success"
            }),
        })],
    }
}

/// The assistant content of a response.
fn response_content<'a>(
    response: &'a ModelResponse,
    request: &PreparedRequest<'_>,
    profile: &BedrockProfile,
    provider_name: &str,
    warnings: &mut Warnings,
) -> Vec<Block<'a>> {
    let (open, close) = &request.profile.thinking_tags;
    let mut content = Vec::new();
    for part in &response.parts {
        match part {
            ModelResponsePart::Text(text) => {
                content.push(Block::Text(Cow::Borrowed(&text.content)))
            }
            ModelResponsePart::ToolCall(call) => content.push(Block::ToolUse(ToolUse {
                tool_use_id: guard_id(&call.tool_call_id),
                name: &call.tool_name,
                input: match &call.args {
                    Some(ToolArgs::Object(map)) => Cow::Borrowed(map),
                    _ => Cow::Owned(call.args_as_dict()),
                },
                kind: None,
            })),
            ModelResponsePart::Thinking(thinking) => {
                let signature = thinking
                    .signature
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .filter(|_| thinking.provider_name.as_deref() == Some(provider_name))
                    .filter(|_| profile.send_back_thinking);
                content.push(match signature {
                    Some(signature) if thinking.id.as_deref() == Some(REDACTED_CONTENT_ID) => {
                        Block::ReasoningContent(Reasoning::RedactedContent(
                            base64::engine::general_purpose::STANDARD.encode(signature),
                        ))
                    }
                    Some(signature) => Block::ReasoningContent(Reasoning::ReasoningText {
                        text: &thinking.content,
                        signature,
                    }),
                    None => {
                        Block::Text(Cow::Owned(format!("{open}\n{}\n{close}", thinking.content)))
                    }
                });
            }
            ModelResponsePart::BuiltinToolCall(call) => {
                match builtin_tools::call_block(call, provider_name) {
                    Some(block) => content.push(block),
                    None => warnings.push(unsent_part(part, "Bedrock's Converse API")),
                }
            }
            ModelResponsePart::BuiltinToolReturn(result) => {
                match builtin_tools::return_block(result, provider_name) {
                    Some(block) => content.push(block),
                    None => warnings.push(unsent_part(part, "Bedrock's Converse API")),
                }
            }
            other => warnings.push(unsent_part(other, "Bedrock's Converse API")),
        }
    }
    content
}

/// Merges consecutive user messages, unless a tool result would then share its message with
/// content the model rejects beside one: those are kept apart by a `.` assistant turn (Bedrock
/// merges consecutive turns of one role itself).
fn merge_user_turns<'a>(messages: Vec<Message<'a>>, profile: &BedrockProfile) -> Vec<Message<'a>> {
    let mut out: Vec<Message<'a>> = Vec::with_capacity(messages.len());
    for message in messages {
        if let Some(last) = out
            .last_mut()
            .filter(|l| l.role == "user" && message.role == "user")
        {
            let blocks = last.content.iter().chain(&message.content);
            let has_tool_result = blocks.clone().any(|b| matches!(b, Block::ToolResult(_)));
            let apart = blocks.clone().any(|b| {
                !matches!(b, Block::ToolResult(_) | Block::CachePoint(_))
                    && !profile.tool_result_colocatable.contains(b.kind())
            });
            if has_tool_result && apart {
                out.push(Message {
                    role: "assistant",
                    content: vec![Block::Text(Cow::Borrowed("."))],
                });
            } else {
                last.content.extend(message.content);
                continue;
            }
        }
        out.push(message);
    }
    out
}

/// Keeps at most [`MAX_CACHE_POINTS`] cache points: those of the system prompt, then the
/// newest ones of the messages (pydantic-ai's `_limit_cache_points`).
fn limit_cache_points(system: &mut [Block<'_>], messages: &mut [Message<'_>]) {
    let used = system
        .iter()
        .filter(|b| matches!(b, Block::CachePoint(_)))
        .count();
    let mut budget = MAX_CACHE_POINTS.saturating_sub(used);
    for message in messages.iter_mut().rev() {
        let mut kept = Vec::with_capacity(message.content.len());
        for block in std::mem::take(&mut message.content).into_iter().rev() {
            if matches!(block, Block::CachePoint(_)) {
                if budget == 0 {
                    continue;
                }
                budget -= 1;
            }
            kept.push(block);
        }
        kept.reverse();
        message.content = kept;
    }
}

#[cfg(test)]
mod tests;
