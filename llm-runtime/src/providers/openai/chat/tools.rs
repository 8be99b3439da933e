//! The tools of a request: their definitions (with the host's schema transformer and
//! `strict` where it is accepted) and the `tool_choice` that forces them.

use super::wire::{ChatTool, FunctionDefinition, NamedFunction, ToolChoiceParam};
use super::OpenAiChat;
use crate::error::{Error, Result};
use crate::models::ModelRequestParameters;
use crate::providers::tool_choice::{
    resolve_tool_choice, tool_definitions, without_allowed_tools, ForcedChoice,
};
use crate::providers::PreparedRequest;
use crate::settings::ToolChoice;
use crate::tools::ToolDefinition;
use crate::warning::{Warning, Warnings};

impl OpenAiChat {
    /// The tool definitions to send and the `tool_choice` (none without tools); a `strict`
    /// not sent goes into `warnings`.
    pub(super) fn tools<'a>(
        &self,
        request: &PreparedRequest<'a>,
        warnings: &mut Warnings,
    ) -> Result<(Vec<ChatTool<'a>>, Option<ToolChoiceParam<'a>>)> {
        let parameters: &'a ModelRequestParameters = request.parameters;
        let explicit_forcing = matches!(
            request.settings.tool_choice,
            Some(ToolChoice::Required) | Some(ToolChoice::Tools(_))
        );
        let supports_forcing = || -> Result<bool> {
            if self.supports_tool_choice_required(request.model_name) {
                Ok(true)
            } else if explicit_forcing {
                Err(Error::user(format!(
                    "this host does not support forcing tool use (`tool_choice` {:?}) with model \
                     `{}`; use `ToolChoice::Auto`",
                    request.settings.tool_choice, request.model_name
                )))
            } else {
                Ok(false)
            }
        };

        let mut definitions = tool_definitions(parameters);
        let resolved =
            resolve_tool_choice(request.settings.tool_choice.as_ref(), parameters, warnings)?;
        // Chat Completions cannot restrict the tools by argument: only the chosen ones are sent.
        let (forced, mut only) = without_allowed_tools(resolved, |_| supports_forcing())?;
        let choice = match forced {
            ForcedChoice::Auto => ToolChoiceParam::Mode("auto"),
            ForcedChoice::None => ToolChoiceParam::Mode("none"),
            ForcedChoice::Required => ToolChoiceParam::Mode("required"),
            ForcedChoice::Tool(name) => match definitions.iter().find(|d| d.name == name) {
                Some(definition) => ToolChoiceParam::Function {
                    kind: "function",
                    function: NamedFunction {
                        name: &definition.name,
                    },
                },
                None => {
                    only = Some(vec![name]);
                    ToolChoiceParam::Mode("required")
                }
            },
        };
        if let Some(names) = only {
            definitions.retain(|d| names.contains(&d.name));
        }
        let tools = definitions
            .into_iter()
            .map(|definition| self.tool(definition, request.model_name, warnings))
            .collect::<Result<Vec<_>>>()?;
        if tools.is_empty() {
            return Ok((tools, None));
        }
        Ok((tools, Some(choice)))
    }

    /// One tool definition, its schema transformed for the host.
    fn tool<'a>(
        &self,
        definition: &'a ToolDefinition,
        model_name: &str,
        warnings: &mut Warnings,
    ) -> Result<ChatTool<'a>> {
        let transformed = (self.schema_transformer(model_name))(
            &definition.parameters_json_schema,
            definition.strict,
        )?;
        warnings.extend(transformed.warnings);
        let strict = if transformed.strict && self.strict_tools {
            Some(true)
        } else {
            if definition.strict == Some(true) {
                warnings.push(Warning::unsupported_setting(
                    "strict",
                    format!(
                        "this host does not support strict tool definitions; `strict` is not \
                         sent (tool `{}`)",
                        definition.name
                    ),
                ));
            }
            None
        };
        Ok(ChatTool {
            kind: "function",
            function: FunctionDefinition {
                name: &definition.name,
                description: definition.description.as_deref().unwrap_or(""),
                parameters: transformed.schema,
                strict,
            },
        })
    }
}
