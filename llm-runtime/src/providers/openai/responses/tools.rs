//! Tools and the output format: function and output tools as `tools` (strict where OpenAI's
//! schema transformer makes them so and the server takes it), the tool choice as `tool_choice`
//! (with `allowed_tools` for a subset), and native structured output as `text.format`.

use super::wire::{FunctionTool, NamedFunction, TextFormat, ToolChoiceParam};
use super::OpenAiResponses;
use crate::error::{Error, Result};
use crate::models::ModelRequestParameters;
use crate::providers::openai::shared::DEFAULT_OUTPUT_NAME;
use crate::providers::tool_choice::{resolve_tool_choice, tool_definitions, ResolvedToolChoice};
use crate::providers::PreparedRequest;
use crate::tools::ToolDefinition;
use crate::warning::Warnings;

impl OpenAiResponses {
    /// The function tools (function and output tools, each name once) and the tool choice.
    pub(super) fn tools<'a>(
        &self,
        request: &PreparedRequest<'a>,
        warnings: &mut Warnings,
    ) -> Result<(Vec<FunctionTool<'a>>, Option<ToolChoiceParam>)> {
        let parameters: &'a ModelRequestParameters = request.parameters;
        let definitions = tool_definitions(parameters);
        let tools = definitions
            .into_iter()
            .map(|definition| self.tool(definition, warnings))
            .collect::<Result<Vec<_>>>()?;
        let choice =
            match resolve_tool_choice(request.settings.tool_choice.as_ref(), parameters, warnings)?
            {
                ResolvedToolChoice::Auto => ToolChoiceParam::Mode("auto"),
                ResolvedToolChoice::None => ToolChoiceParam::Mode("none"),
                ResolvedToolChoice::Required => ToolChoiceParam::Mode("required"),
                ResolvedToolChoice::Only { required, names } => {
                    let single = if names.len() == 1 {
                        names.first()
                    } else {
                        None
                    };
                    match single {
                        Some(name) if required => ToolChoiceParam::Function {
                            kind: "function",
                            name: name.clone(),
                        },
                        // `allowed_tools` restricts the choice without changing `tools`, which keeps
                        // the prompt cache.
                        _ => ToolChoiceParam::Allowed {
                            kind: "allowed_tools",
                            mode: if required { "required" } else { "auto" },
                            tools: names
                                .into_iter()
                                .map(|name| NamedFunction {
                                    kind: "function",
                                    name,
                                })
                                .collect(),
                        },
                    }
                }
            };
        Ok((tools, Some(choice)))
    }

    fn tool<'a>(
        &self,
        definition: &'a ToolDefinition,
        warnings: &mut Warnings,
    ) -> Result<FunctionTool<'a>> {
        let transformed =
            (self.schema_transformer)(&definition.parameters_json_schema, definition.strict)?;
        warnings.extend(transformed.warnings);
        Ok(FunctionTool {
            kind: "function",
            name: &definition.name,
            description: definition.description.as_deref(),
            parameters: transformed.schema,
            strict: transformed.strict && self.strict_tools,
        })
    }

    /// The `text.format` of native structured output: the output object's JSON schema.
    pub(super) fn json_schema_format<'a>(
        &self,
        parameters: &'a ModelRequestParameters,
        warnings: &mut Warnings,
    ) -> Result<TextFormat<'a>> {
        let Some(object) = &parameters.output_object else {
            return Err(Error::user(
                "the `native` output mode needs `output_object` (the schema to produce)",
            ));
        };
        let transformed = (self.schema_transformer)(&object.json_schema, object.strict)?;
        warnings.extend(transformed.warnings);
        Ok(TextFormat::JsonSchema {
            name: object.name.as_deref().unwrap_or(DEFAULT_OUTPUT_NAME),
            schema: transformed.schema,
            description: object.description.as_deref().filter(|d| !d.is_empty()),
            strict: self.strict_tools.then_some(transformed.strict),
        })
    }
}
