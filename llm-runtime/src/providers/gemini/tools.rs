//! Function tools and structured output: the function declarations with Gemini's schemas
//! ([`schema::gemini`]), the `toolConfig` for the tool choice (`VALIDATED` for the models that
//! have it), and the response MIME type and schema of the output mode.

use serde_json::Value;

use super::models::Family;
use super::wire::{FunctionCallingConfig, FunctionDeclaration, ToolConfig};
use crate::error::{Error, Result};
use crate::models::OutputMode;
use crate::providers::tool_choice::{resolve_tool_choice, tool_definitions, ResolvedToolChoice};
use crate::providers::PreparedRequest;
use crate::schema;
use crate::warning::Warnings;

/// The function declarations and their `toolConfig` (pydantic-ai's `_get_tool_config`).
///
/// # Errors
/// [`Error::User`] for a `tool_choice` naming no tool, or a schema that cannot be sent.
pub(super) fn tools<'a>(
    request: &PreparedRequest<'a>,
    family: Family,
    warnings: &mut Warnings,
) -> Result<(Vec<FunctionDeclaration<'a>>, Option<ToolConfig<'a>>)> {
    let parameters = request.parameters;
    let mut definitions = tool_definitions(parameters);
    let mut allowed: Vec<&'a str> = Vec::new();
    let mode =
        match resolve_tool_choice(request.settings.tool_choice.as_ref(), parameters, warnings)? {
            ResolvedToolChoice::Auto => "AUTO",
            ResolvedToolChoice::None => "NONE",
            ResolvedToolChoice::Required => "ANY",
            ResolvedToolChoice::Only {
                required: false,
                names,
            } => {
                // `AUTO` takes no list of allowed functions: only the chosen ones are sent.
                definitions.retain(|d| names.contains(&d.name));
                "AUTO"
            }
            ResolvedToolChoice::Only {
                required: true,
                names,
            } => {
                allowed = definitions
                    .iter()
                    .filter(|d| names.contains(&d.name))
                    .map(|d| d.name.as_str())
                    .collect();
                "ANY"
            }
        };
    if definitions.is_empty() {
        return Ok((Vec::new(), None));
    }
    // `VALIDATED` is `AUTO` with the schemas enforced; a tool with `strict: false` opts the
    // whole request out.
    let mode = if mode == "AUTO"
        && family.validated_mode
        && !definitions.iter().any(|d| d.strict == Some(false))
    {
        "VALIDATED"
    } else {
        mode
    };
    let declarations = definitions
        .into_iter()
        .map(|definition| {
            let transformed =
                schema::gemini::transform(&definition.parameters_json_schema, definition.strict)?;
            warnings.extend(transformed.warnings);
            Ok(FunctionDeclaration {
                name: &definition.name,
                description: definition.description.as_deref().unwrap_or(""),
                parameters_json_schema: transformed.schema,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((
        declarations,
        Some(ToolConfig {
            function_calling_config: Some(FunctionCallingConfig {
                mode,
                allowed_function_names: allowed,
            }),
            ..ToolConfig::default()
        }),
    ))
}

/// `responseMimeType` and `responseJsonSchema` for the output mode.
///
/// # Errors
/// [`Error::User`] for an output mode the model cannot honour.
pub(super) fn output_format(
    request: &PreparedRequest<'_>,
    family: Family,
    has_tools: bool,
    warnings: &mut Warnings,
) -> Result<(Option<&'static str>, Option<Value>)> {
    let parameters = request.parameters;
    match parameters.output_mode {
        OutputMode::Native => {
            if !parameters.function_tools.is_empty() && !family.gemini_3 {
                return Err(Error::user(format!(
                    "`{}` cannot combine native structured output with function tools: use the \
                     `tool` output mode",
                    request.model_name
                )));
            }
            let Some(object) = &parameters.output_object else {
                return Err(Error::user(
                    "the `native` output mode needs `output_object` (the schema to produce)",
                ));
            };
            let transformed = schema::gemini::transform(&object.json_schema, object.strict)?;
            warnings.extend(transformed.warnings);
            let mut schema = transformed.schema;
            if let Value::Object(map) = &mut schema {
                if let Some(name) = object.name.as_deref().filter(|n| !n.is_empty()) {
                    map.insert("title".into(), Value::String(name.to_owned()));
                }
                if let Some(description) = object.description.as_deref().filter(|d| !d.is_empty()) {
                    map.insert("description".into(), Value::String(description.to_owned()));
                }
            }
            Ok((Some("application/json"), Some(schema)))
        }
        OutputMode::Prompted if !has_tools => {
            if !request.profile.supports_json_object_output {
                return Err(Error::user(format!(
                    "`{}` has no JSON output mode for prompted output",
                    request.model_name
                )));
            }
            Ok((Some("application/json"), None))
        }
        OutputMode::Image if !family.image => Err(Error::user(format!(
            "`{}` does not generate images: use a model with `image` in its name",
            request.model_name
        ))),
        _ => Ok((None, None)),
    }
}

#[cfg(test)]
mod tests;
