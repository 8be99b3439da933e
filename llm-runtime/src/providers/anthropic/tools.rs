//! Tools and structured output in a request: the tool definitions (strict where the model
//! supports it), `tool_choice` with `disable_parallel_tool_use` and the models and thinking
//! modes that reject a forced choice (pydantic-ai's `_support_tool_forcing`), and native
//! structured output in `output_config.format`.

use std::borrow::Cow;

use super::super::tool_choice::{
    resolve_tool_choice, tool_definitions, without_allowed_tools, ForcedChoice,
};
use super::super::PreparedRequest;
use super::models::ModelTraits;
use super::thinking::ThinkingMode;
use super::wire::{OutputFormat, ToolChoiceParam, WireTool};
use crate::error::{Error, Result};
use crate::models::{ModelProfile, ModelRequestParameters, OutputMode};
use crate::schema;
use crate::settings::ToolChoice;
use crate::tools::ToolDefinition;
use crate::warning::{Warning, Warnings};

/// `output_config.format` for native structured output.
///
/// # Errors
/// [`Error::User`] for native output without a schema, on a model without it, or not strict;
/// and for image output.
pub(super) fn output_format(
    request: &PreparedRequest<'_>,
    warnings: &mut Warnings,
) -> Result<Option<OutputFormat>> {
    let parameters = request.parameters;
    match parameters.output_mode {
        OutputMode::Native => {
            let Some(object) = &parameters.output_object else {
                return Err(Error::user(
                    "the `native` output mode needs `output_object` (the schema to produce)",
                ));
            };
            if !request.profile.supports_json_schema_output {
                return Err(Error::user(format!(
                    "native structured output is not supported by `{}`; use tool or prompted \
                     output",
                    request.model_name
                )));
            }
            if object.strict == Some(false) {
                return Err(Error::user(
                    "`strict: false` is not allowed for native output with Anthropic models: \
                     their structured output is always strict",
                ));
            }
            let transformed = schema::anthropic::transform(&object.json_schema, Some(true))?;
            warnings.extend(transformed.warnings);
            Ok(Some(OutputFormat {
                kind: "json_schema",
                schema: transformed.schema,
            }))
        }
        OutputMode::Image => Err(Error::user(
            "Anthropic models do not produce images: use another output mode",
        )),
        _ => Ok(None),
    }
}

/// The tools and the tool choice of the request (neither when there are no tools).
///
/// # Errors
/// [`Error::User`] for a forced choice the model or its thinking rejects, or a choice naming
/// unknown tools.
pub(super) fn tools<'a>(
    request: &PreparedRequest<'a>,
    traits: ModelTraits,
    thinking: Option<ThinkingMode>,
    warnings: &mut Warnings,
) -> Result<(Vec<WireTool<'a>>, Option<ToolChoiceParam<'a>>)> {
    let parameters: &'a ModelRequestParameters = request.parameters;
    let settings = request.settings;
    let mut definitions = tool_definitions(parameters);
    // pydantic-ai's `_support_tool_forcing`: extended thinking, and some models, reject a
    // forced choice. One that was asked for is an error; one that only follows from the
    // output configuration falls back to `auto`.
    let supports_forcing = |context: &str| -> Result<bool> {
        let budget_thinking = matches!(thinking, Some(ThinkingMode::Budget(_)));
        if traits.forced_tool_choice && !budget_thinking {
            return Ok(true);
        }
        if matches!(
            settings.tool_choice,
            Some(ToolChoice::Required | ToolChoice::Tools(_))
        ) {
            let reason = if traits.forced_tool_choice {
                "with extended thinking: disable thinking or use `ToolChoice::Auto`"
            } else {
                "for this model: use `ToolChoice::Auto`"
            };
            return Err(Error::user(format!(
                "Anthropic does not support {context} ({:?}) for `{}` {reason}",
                settings.tool_choice, request.model_name
            )));
        }
        Ok(false)
    };

    let resolved = resolve_tool_choice(settings.tool_choice.as_ref(), parameters, warnings)?;
    // The API cannot restrict the tools by argument: only the chosen ones are sent.
    let (choice, only) = without_allowed_tools(resolved, |specific| {
        supports_forcing(if specific {
            "forcing specific tools"
        } else {
            "`tool_choice` required"
        })
    })?;
    let (kind, name) = match choice {
        ForcedChoice::Auto => ("auto", None),
        ForcedChoice::None => ("none", None),
        ForcedChoice::Required => ("any", None),
        ForcedChoice::Tool(name) => ("tool", Some(Cow::Owned(name))),
    };
    if let Some(names) = only {
        definitions.retain(|d| names.contains(&d.name));
    }
    if definitions.is_empty() {
        return Ok((Vec::new(), None));
    }
    let tools = definitions
        .into_iter()
        .map(|definition| tool(definition, request.model_name, request.profile, warnings))
        .collect::<Result<Vec<_>>>()?;
    let disable_parallel_tool_use = settings
        .parallel_tool_calls
        .filter(|_| kind != "none")
        .map(|parallel| !parallel);
    Ok((
        tools,
        Some(ToolChoiceParam {
            kind,
            name,
            disable_parallel_tool_use,
        }),
    ))
}

/// Refuses output tools that would need a forced tool choice while the model thinks in a way
/// that rejects one (pydantic-ai's check in `AnthropicModel.prepare_request`).
///
/// # Errors
/// [`Error::User`] naming the output modes to use instead.
pub(super) fn check_output_tools_with_thinking(
    parameters: &ModelRequestParameters,
    thinking: Option<ThinkingMode>,
    traits: ModelTraits,
) -> Result<()> {
    let blocks_forcing = match thinking {
        Some(ThinkingMode::Budget(_)) => true,
        Some(ThinkingMode::Adaptive) => !traits.forced_tool_choice,
        None => false,
    };
    if blocks_forcing
        && !parameters.output_tools.is_empty()
        && !parameters.allow_text_output
        && matches!(parameters.output_mode, OutputMode::Tool | OutputMode::Auto)
    {
        let native = if traits.json_schema_output {
            "native (`OutputMode::Native`) or prompted"
        } else {
            "prompted (`OutputMode::Prompted`)"
        };
        return Err(Error::user(format!(
            "Anthropic does not support thinking and output tools at the same time (they need a \
             forced tool choice, which it rejects while thinking): use {native} output, or \
             disable thinking"
        )));
    }
    Ok(())
}

/// One tool definition, its schema made Anthropic's; `strict` only where the model takes it
/// (else a warning).
fn tool<'a>(
    definition: &'a ToolDefinition,
    model: &str,
    profile: &ModelProfile,
    warnings: &mut Warnings,
) -> Result<WireTool<'a>> {
    let transformed =
        schema::anthropic::transform(&definition.parameters_json_schema, definition.strict)?;
    warnings.extend(transformed.warnings);
    let strict = if transformed.strict && profile.supports_json_schema_output {
        Some(true)
    } else {
        if transformed.strict {
            warnings.push(Warning::unsupported_setting(
                "strict",
                format!(
                    "`{model}` does not support strict tool definitions; `strict` is not sent \
                     (tool `{}`)",
                    definition.name
                ),
            ));
        }
        None
    };
    Ok(WireTool {
        name: &definition.name,
        description: definition.description.as_deref().unwrap_or(""),
        input_schema: transformed.schema,
        strict,
    })
}

#[cfg(test)]
mod tests;
