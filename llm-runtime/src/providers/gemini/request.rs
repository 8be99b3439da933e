//! Messages, settings and request parameters -> the body of `generateContent`
//! (pydantic-ai's `GoogleModel`): system prompts and instructions in `systemInstruction`;
//! `contents` with the roles `user` and `model`; tool returns and retry prompts as
//! `functionResponse` parts; each thought signature sent back in the part it came with; the
//! settings in `generationConfig`. User content is in `content.rs`, tools and the output
//! format in `tools.rs`, built-in tools (and their parts sent back) in `builtin_tools.rs`,
//! thinking in `thinking.rs`, thought signatures in `signatures.rs`.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::builtin_tools::{builtin_request, call_data, return_data, same_provider};
use super::content::user_parts;
use super::models::Family;
use super::signatures::{accepts, inline_signature, SKIP_SIGNATURE};
use super::thinking::thinking_config;
use super::tools::{output_format, tools};
use super::wire::{
    Blob, Content, FunctionCall, FunctionResponse, GenerateContentRequest, GenerationConfig, Part,
    PartData, Tool, ToolConfig,
};
use crate::error::{Error, Result};
use crate::messages::{ModelMessage, ModelRequestPart, ModelResponse, ModelResponsePart};
use crate::models::{request_instructions, ModelRequestParameters};
use crate::providers::common::unsent_part;
use crate::providers::PreparedRequest;
use crate::settings::ModelSettings;
use crate::warning::{Warning, Warnings};

impl<'a> Part<'a> {
    /// A part of `data`, with no signature or media options.
    pub(super) fn new(data: PartData<'a>) -> Self {
        Part {
            data,
            thought_signature: None,
            media_resolution: None,
            video_metadata: None,
        }
    }

    /// A text part.
    pub(super) fn text(text: impl Into<Cow<'a, str>>) -> Self {
        Part::new(PartData::Text {
            text: text.into(),
            thought: false,
        })
    }

    /// Whether the part is a function response.
    fn is_function_response(&self) -> bool {
        matches!(self.data, PartData::FunctionResponse(_))
    }
}

/// The body of a request (pydantic-ai's `GoogleModel._build_content_and_config`).
///
/// # Errors
/// [`Error::User`] for input the API cannot take: tools for a model without them, a file URL
/// it does not fetch, an output mode the model cannot honour, a malformed thought signature.
pub(super) fn build<'a>(
    request: &PreparedRequest<'a>,
    warnings: &mut Warnings,
) -> Result<GenerateContentRequest<'a>> {
    let model = request.model_name;
    let settings: &'a ModelSettings = request.settings;
    let parameters = request.parameters;
    let family = Family::of(model);

    let builtin = builtin_request(parameters, model, request.provider_name, family)?;
    let (declarations, mut tool_config) = tools(request, family, warnings)?;
    if !parameters.function_tools.is_empty() && !request.profile.supports_tools {
        return Err(Error::user(format!(
            "`{model}` does not support tools: remove the function tools or use another model"
        )));
    }
    let mut all_tools = Vec::new();
    if !declarations.is_empty() {
        all_tools.push(Tool::FunctionDeclarations(declarations));
    }
    all_tools.extend(builtin.tools);
    if builtin.include_invocations {
        tool_config
            .get_or_insert_with(ToolConfig::default)
            .include_server_side_tool_invocations = Some(true);
    }
    let (response_mime_type, response_json_schema) =
        output_format(request, family, !all_tools.is_empty(), warnings)?;
    let (system_instruction, contents) = map_messages(
        request.messages,
        request.parameters,
        request.provider_name,
        family,
        warnings,
    )?;
    unsupported_settings(settings, warnings);
    // Image models answer with images too; with text output not allowed, only with images.
    let mut response_modalities = vec!["TEXT"];
    if family.image {
        response_modalities.push("IMAGE");
        if !parameters.allow_text_output {
            response_modalities.remove(0);
        }
    }

    Ok(GenerateContentRequest {
        contents,
        system_instruction,
        tools: all_tools,
        tool_config,
        generation_config: GenerationConfig {
            temperature: settings.temperature,
            top_p: settings.top_p,
            top_k: settings.top_k,
            max_output_tokens: settings.max_tokens,
            stop_sequences: settings.stop_sequences.as_deref(),
            presence_penalty: settings.presence_penalty,
            frequency_penalty: settings.frequency_penalty,
            seed: settings.seed,
            thinking_config: thinking_config(model, family, settings.thinking, warnings),
            response_mime_type,
            response_json_schema,
            response_modalities,
            image_config: builtin.image_config,
        },
        service_tier: service_tier(settings.service_tier.as_deref(), warnings),
    })
}

/// `systemInstruction` and `contents` (pydantic-ai's `GoogleModel._map_messages`).
fn map_messages<'a>(
    messages: &'a [ModelMessage],
    parameters: &ModelRequestParameters,
    provider: &str,
    family: Family,
    warnings: &mut Warnings,
) -> Result<(Option<Content<'a>>, Vec<Content<'a>>)> {
    let mut system_parts: Vec<Part<'a>> = Vec::new();
    let mut contents: Vec<Content<'a>> = Vec::new();
    for message in messages {
        match message {
            ModelMessage::Request(request) => {
                let mut parts: Vec<Part<'a>> = Vec::new();
                for part in &request.parts {
                    match part {
                        ModelRequestPart::SystemPrompt(p) => {
                            system_parts.push(Part::text(p.content.as_str()));
                        }
                        ModelRequestPart::UserPrompt(p) => {
                            user_parts(&p.content, &mut parts, warnings)?;
                        }
                        ModelRequestPart::ToolReturn(p) => {
                            parts.push(Part::new(PartData::FunctionResponse(FunctionResponse {
                                name: &p.tool_name,
                                response: p.model_response_object(),
                                id: &p.tool_call_id,
                            })));
                        }
                        ModelRequestPart::RetryPrompt(p) => match &p.tool_name {
                            None => parts.push(Part::text(p.model_response())),
                            Some(name) => {
                                let mut response = Map::new();
                                response.insert("error".into(), Value::String(p.model_response()));
                                parts.push(Part::new(PartData::FunctionResponse(
                                    FunctionResponse {
                                        name,
                                        response,
                                        id: &p.tool_call_id,
                                    },
                                )));
                            }
                        },
                    }
                }
                push_user_turns(parts, &mut contents);
            }
            ModelMessage::Response(response) => {
                if let Some(content) = model_content(response, provider, family, warnings)? {
                    contents.push(content);
                }
            }
        }
    }
    // The API wants a user turn first (a function call must follow a user turn).
    if contents.first().is_none_or(|c| c.role == "model") {
        contents.insert(
            0,
            Content {
                role: "user",
                parts: vec![Part::text("")],
            },
        );
    }
    if let Some(instructions) = request_instructions(messages, parameters) {
        system_parts.push(Part::text(instructions));
    }
    let system = (!system_parts.is_empty()).then_some(Content {
        role: "user",
        parts: system_parts,
    });
    Ok((system, contents))
}

/// A response sent back as a `model` turn (pydantic-ai's `_content_model_response`), with
/// each thought signature in the part it came with; built-in tools' parts of this provider as
/// `builtin_tools.rs` sends them, generated files as `inlineData`; `None` when nothing is left
/// to send.
fn model_content<'a>(
    response: &'a ModelResponse,
    provider: &str,
    family: Family,
    warnings: &mut Warnings,
) -> Result<Option<Content<'a>>> {
    let mut parts = Vec::new();
    // A thinking part's own signature (older pydantic-ai histories) goes with the next part.
    let mut pending: Option<&'a str> = None;
    // The first function call of a turn must carry a signature.
    let mut call_needs_signature = true;
    for item in &response.parts {
        let signature = inline_signature(item, response, provider)?.or(pending.take());
        let part = match item {
            ModelResponsePart::ToolCall(call) => {
                let signature = match signature {
                    None if call_needs_signature => Some(SKIP_SIGNATURE),
                    other => other,
                };
                call_needs_signature = false;
                Some(Part {
                    thought_signature: signature,
                    ..Part::new(PartData::FunctionCall(FunctionCall {
                        name: &call.tool_name,
                        args: call.args_as_dict(),
                        id: &call.tool_call_id,
                    }))
                })
            }
            ModelResponsePart::Text(text) => Some(Part {
                thought_signature: signature,
                ..Part::text(text.content.as_str())
            }),
            ModelResponsePart::Thinking(thinking) => {
                if accepts(provider, thinking.provider_name.as_deref()) {
                    pending = thinking.signature.as_deref().filter(|s| !s.is_empty());
                }
                (!thinking.content.is_empty()).then(|| Part {
                    thought_signature: signature,
                    ..Part::new(PartData::Text {
                        text: Cow::Borrowed(&thinking.content),
                        thought: true,
                    })
                })
            }
            ModelResponsePart::BuiltinToolCall(call) => {
                if same_provider(provider, call.provider_name.as_deref()) {
                    call_data(call, family)?.map(|data| Part {
                        thought_signature: signature,
                        ..Part::new(data)
                    })
                } else {
                    None
                }
            }
            ModelResponsePart::BuiltinToolReturn(ret) => {
                if same_provider(provider, ret.provider_name.as_deref()) {
                    return_data(ret, family)?.map(|data| Part {
                        thought_signature: signature,
                        ..Part::new(data)
                    })
                } else {
                    None
                }
            }
            ModelResponsePart::File(file) => Some(Part {
                thought_signature: signature,
                ..Part::new(PartData::InlineData(Blob {
                    mime_type: file.content.media_type.clone(),
                    data: file.content.base64(),
                }))
            }),
            other => {
                warnings.push(unsent_part(other, "the Gemini API"));
                None
            }
        };
        parts.extend(part);
    }
    Ok((!parts.is_empty()).then_some(Content {
        role: "model",
        parts,
    }))
}

/// Adds the parts of one request as user turns, starting a new turn after function responses
/// (the API takes a turn that holds them for a `model` turn otherwise: pydantic-ai#4210).
fn push_user_turns<'a>(parts: Vec<Part<'a>>, contents: &mut Vec<Content<'a>>) {
    if parts.is_empty() {
        return;
    }
    let mut turn: Vec<Part<'a>> = Vec::new();
    for part in parts {
        if turn.last().is_some_and(Part::is_function_response) && !part.is_function_response() {
            contents.push(Content {
                role: "user",
                parts: std::mem::take(&mut turn),
            });
        }
        turn.push(part);
    }
    contents.push(Content {
        role: "user",
        parts: turn,
    });
}

/// The Gemini API's `serviceTier` for the unified setting (`default` is `standard`; `auto`
/// leaves the choice to the API).
fn service_tier(tier: Option<&str>, warnings: &mut Warnings) -> Option<&'static str> {
    match tier? {
        "default" | "standard" => Some("standard"),
        "flex" => Some("flex"),
        "priority" => Some("priority"),
        "auto" => None,
        other => {
            warnings.push(Warning::unsupported_setting(
                "service_tier",
                format!(
                    "the Gemini API has no `{other}` service tier (it has standard, flex and \
                     priority); `service_tier` is not sent"
                ),
            ));
            None
        }
    }
}

/// The settings the Gemini API has no field for.
fn unsupported_settings(settings: &ModelSettings, warnings: &mut Warnings) {
    if settings.logit_bias.is_some() {
        warnings.push(Warning::unsupported_setting(
            "logit_bias",
            "the Gemini API has no `logit_bias`; the setting is not sent",
        ));
    }
    if settings.parallel_tool_calls.is_some() {
        warnings.push(Warning::unsupported_setting(
            "parallel_tool_calls",
            "the Gemini API cannot turn parallel function calls on or off; \
             `parallel_tool_calls` is not sent",
        ));
    }
}

#[cfg(test)]
mod tests;
