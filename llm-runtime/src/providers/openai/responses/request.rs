//! The request body: messages, settings and parameters to `POST /responses`. The conversation
//! becomes `input` items in `input.rs`, tools and the output format their fields in `tools.rs`;
//! this file puts them together with the settings and the reasoning options.

use std::borrow::Cow;

use super::builtin_tools::server_tools;
use super::input::map_messages;
use super::models::ModelFacts;
use super::wire::{
    AnyTool, InputItem, Message, ReasoningParam, ResponsesRequest, TextFormat, TextParam,
};
use super::OpenAiResponses;
use crate::error::Result;
use crate::models::{request_instructions, OutputMode};
use crate::providers::openai::shared::{effort, openai_system_role, sampling_dropped};
use crate::providers::PreparedRequest;
use crate::settings::{ModelSettings, Thinking};
use crate::warning::{Warning, Warnings};

#[cfg(test)]
mod tests;

/// Settings the Responses API has no field for, by name: each is reported and not sent.
fn unsupported_settings(settings: &ModelSettings, warnings: &mut Warnings) {
    let unsupported = [
        ("top_k", settings.top_k.is_some()),
        ("seed", settings.seed.is_some()),
        ("presence_penalty", settings.presence_penalty.is_some()),
        ("frequency_penalty", settings.frequency_penalty.is_some()),
        ("logit_bias", settings.logit_bias.is_some()),
        ("stop_sequences", settings.stop_sequences.is_some()),
    ];
    for (setting, set) in unsupported {
        if set {
            warnings.push(Warning::unsupported_setting(
                setting,
                format!(
                    "the Responses API has no `{setting}`; the setting is not sent (use \
                     `extra_body` for servers that accept it)"
                ),
            ));
        }
    }
}

impl OpenAiResponses {
    /// The body of a request; what is not sent as asked goes into `warnings`.
    pub(super) fn build_request<'a>(
        &self,
        request: &PreparedRequest<'a>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<ResponsesRequest<'a>> {
        let model = request.model_name;
        let settings: &'a ModelSettings = request.settings;
        let facts = ModelFacts::of(model);
        unsupported_settings(settings, warnings);

        let mut temperature = settings.temperature;
        let mut top_p = settings.top_p;
        let reasoning = self.reasoning(model, facts, settings.thinking, warnings);
        if reasoning.drops_sampling {
            let dropped: Vec<&str> = [("temperature", &mut temperature), ("top_p", &mut top_p)]
                .into_iter()
                .filter_map(|(name, slot)| slot.take().map(|_| name))
                .collect();
            sampling_dropped(model, &dropped, warnings);
        }

        let (function_tools, tool_choice) = self.tools(request, warnings)?;
        let mut tools: Vec<AnyTool<'_>> =
            function_tools.into_iter().map(AnyTool::Function).collect();
        tools.extend(server_tools(request)?.into_iter().map(AnyTool::Builtin));
        let parallel_tool_calls = if tools.is_empty() {
            None
        } else {
            settings.parallel_tool_calls
        };
        let mut input = map_messages(request, facts, warnings)?;
        let mut instructions =
            request_instructions(request.messages, request.parameters).filter(|i| !i.is_empty());
        let text = match request.parameters.output_mode {
            OutputMode::Native => Some(TextParam {
                format: self.json_schema_format(request.parameters, warnings)?,
            }),
            OutputMode::Prompted => {
                // The API wants the word "json" in the input messages (instructions do not
                // count) to use `json_object`, so the instructions move into the input.
                if let Some(text) = instructions.take() {
                    let role = openai_system_role(model).as_str();
                    let leading = input
                        .iter()
                        .take_while(|i| matches!(i, InputItem::Message(m) if m.role == role))
                        .count();
                    input.insert(leading, InputItem::Message(Message::text(role, text)));
                }
                Some(TextParam {
                    format: TextFormat::JsonObject,
                })
            }
            _ => None,
        };
        if input.is_empty() {
            // The API rejects a request without input, even with instructions.
            input.push(InputItem::Message(Message::text("user", Cow::Borrowed(""))));
        }
        Ok(ResponsesRequest {
            model,
            input,
            instructions,
            tool_choice: if tools.is_empty() { None } else { tool_choice },
            tools,
            parallel_tool_calls,
            reasoning: reasoning.param,
            text,
            max_output_tokens: settings.max_tokens,
            stream,
            temperature,
            top_p,
            service_tier: settings.service_tier.as_deref(),
            include: if facts.encrypted_reasoning() {
                vec!["reasoning.encrypted_content"]
            } else {
                Vec::new()
            },
        })
    }

    /// The `reasoning` object for `thinking`, and whether sampling settings must be dropped;
    /// a `thinking` the model cannot honour goes into `warnings`.
    fn reasoning(
        &self,
        model: &str,
        facts: ModelFacts,
        thinking: Option<Thinking>,
        warnings: &mut Warnings,
    ) -> Reasoning {
        let Some((thinking, drops_sampling)) =
            facts.reasoning.resolve_warned(model, thinking, warnings)
        else {
            return Reasoning {
                param: None,
                drops_sampling: false,
            };
        };
        let param = ReasoningParam {
            effort: thinking.map(|t| effort(t, facts.minimal_effort)),
            summary: thinking
                .filter(|t| *t != Thinking::Disabled)
                .and_then(|_| self.reasoning_summary.as_param()),
            context: facts.reasoning_context.then_some("all_turns"),
        };
        let empty = param.effort.is_none() && param.summary.is_none() && param.context.is_none();
        Reasoning {
            param: (!empty).then_some(param),
            drops_sampling,
        }
    }
}

/// The `reasoning` object to send, and whether the model rejects sampling settings.
struct Reasoning {
    param: Option<ReasoningParam>,
    drops_sampling: bool,
}
