//! The request: messages, settings and parameters to the body of `POST /chat/completions`.
//! The settings are mapped here; the messages in `messages` and `content`, the tools in
//! `tools`. What is not sent as asked goes into the request's [`Warnings`].

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::shared::{
    effort, openai_reasoning_support, sampling_dropped, DEFAULT_OUTPUT_NAME,
};
use super::wire::{ChatRequest, ChatToolParam, JsonSchemaFormat, ResponseFormat, StreamOptions};
use super::{MaxTokensField, OpenAiChat, Reasoning, Setting};
use crate::error::{Error, Result};
use crate::models::{ModelRequestParameters, OutputMode};
use crate::providers::common::{json_body, percent_encode};
use crate::providers::PreparedRequest;
use crate::settings::{ModelSettings, Thinking};
use crate::warning::{Warning, Warnings};

#[cfg(test)]
mod tests;

impl OpenAiChat {
    /// The path of the request, relative to the base URL: the configured endpoint, with the
    /// model name, percent-encoded, in place of `{model}`.
    pub(super) fn endpoint_path(&self, model_name: &str) -> String {
        match self.endpoint.split_once("{model}") {
            Some((before, after)) => format!("{before}{}{after}", percent_encode(model_name)),
            None => self.endpoint.to_owned(),
        }
    }

    /// The JSON body of `request`, with [`ModelSettings::extra_body`] merged in at the top
    /// level; what is not sent as asked goes into `warnings`.
    pub(super) fn body_bytes(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        let body = self.build_request(request, stream, warnings)?;
        let extra = match &request.settings.extra_body {
            None | Some(Value::Null) => None,
            Some(Value::Object(extra)) => Some(extra),
            Some(other) => {
                return Err(Error::user(format!(
                    "`extra_body` must be a JSON object, not {other}"
                )))
            }
        };
        let Some(extra) = extra else {
            return json_body(&body);
        };
        let mut value = serde_json::to_value(&body)
            .map_err(|e| Error::user(format!("the request body cannot be serialized: {e}")))?;
        if let Value::Object(map) = &mut value {
            for (key, extra_value) in extra {
                map.insert(key.clone(), extra_value.clone());
            }
        }
        json_body(&value)
    }
}

/// The body's sampling settings, after the host's and the model's restrictions.
#[derive(Default)]
struct Sampling<'a> {
    max_tokens: Option<u32>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    seed: Option<i64>,
    presence_penalty: Option<f64>,
    frequency_penalty: Option<f64>,
    logit_bias: Option<&'a BTreeMap<String, i64>>,
    stop: Option<&'a [String]>,
    parallel_tool_calls: Option<bool>,
    service_tier: Option<&'a str>,
}

impl<'a> Sampling<'a> {
    fn from_settings(settings: &'a ModelSettings) -> Self {
        Sampling {
            max_tokens: settings.max_tokens,
            temperature: settings.temperature,
            top_p: settings.top_p,
            seed: settings.seed,
            presence_penalty: settings.presence_penalty,
            frequency_penalty: settings.frequency_penalty,
            logit_bias: settings.logit_bias.as_ref(),
            stop: settings.stop_sequences.as_deref(),
            parallel_tool_calls: settings.parallel_tool_calls,
            service_tier: settings.service_tier.as_deref(),
        }
    }

    /// Clears `setting`; returns whether it was set.
    fn clear(&mut self, setting: Setting) -> bool {
        fn take<T>(slot: &mut Option<T>) -> bool {
            slot.take().is_some()
        }
        match setting {
            Setting::MaxTokens => take(&mut self.max_tokens),
            Setting::Temperature => take(&mut self.temperature),
            Setting::TopP => take(&mut self.top_p),
            Setting::Seed => take(&mut self.seed),
            Setting::PresencePenalty => take(&mut self.presence_penalty),
            Setting::FrequencyPenalty => take(&mut self.frequency_penalty),
            Setting::LogitBias => take(&mut self.logit_bias),
            Setting::StopSequences => take(&mut self.stop),
            Setting::ParallelToolCalls => take(&mut self.parallel_tool_calls),
            Setting::ServiceTier => take(&mut self.service_tier),
        }
    }
}

/// Settings a reasoning model rejects while it reasons.
const SAMPLING_SETTINGS: [Setting; 5] = [
    Setting::Temperature,
    Setting::TopP,
    Setting::PresencePenalty,
    Setting::FrequencyPenalty,
    Setting::LogitBias,
];

impl OpenAiChat {
    /// The body of `request`; what is not sent as asked goes into `warnings`.
    fn build_request<'a>(
        &self,
        request: &PreparedRequest<'a>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<ChatRequest<'a>> {
        let model = request.model_name;
        let settings = request.settings;
        let mut sampling = Sampling::from_settings(settings);
        for setting in self.unsupported_settings {
            if sampling.clear(*setting) {
                warnings.push(Warning::unsupported_setting(
                    setting.name(),
                    format!(
                        "this host does not accept the `{}` setting; it is not sent",
                        setting.name()
                    ),
                ));
            }
        }
        if settings.top_k.is_some() {
            warnings.push(Warning::unsupported_setting(
                "top_k",
                "the Chat Completions API has no `top_k`; the setting is not sent (use `extra_body` \
                 for hosts that accept it)",
            ));
        }
        let reasoning_effort =
            self.reasoning_effort(model, settings.thinking, &mut sampling, warnings);

        let (tools, tool_choice) = self.tools(request, warnings)?;
        let parallel_tool_calls = if tools.is_empty() {
            None
        } else {
            sampling.parallel_tool_calls
        };
        let builtin = self.builtin_params(request.parameters);
        let mut tools: Vec<ChatToolParam<'a>> =
            tools.into_iter().map(ChatToolParam::Function).collect();
        tools.extend(builtin.tools);
        let messages = self.map_messages(request, warnings)?;
        let response_format = self.response_format(request, warnings)?;
        let (max_completion_tokens, max_tokens) = match self.max_tokens_field {
            MaxTokensField::MaxCompletionTokens => (sampling.max_tokens, None),
            MaxTokensField::MaxTokens => (None, sampling.max_tokens),
        };
        Ok(ChatRequest {
            model,
            messages,
            parallel_tool_calls,
            tools,
            tool_choice,
            stream,
            stream_options: (stream && self.stream_usage).then_some(StreamOptions {
                include_usage: true,
            }),
            stop: sampling.stop,
            max_completion_tokens,
            max_tokens,
            response_format,
            seed: sampling.seed,
            reasoning_effort,
            service_tier: sampling.service_tier,
            temperature: sampling.temperature,
            top_p: sampling.top_p,
            presence_penalty: sampling.presence_penalty,
            frequency_penalty: sampling.frequency_penalty,
            logit_bias: sampling.logit_bias,
            web_search_options: builtin.web_search_options,
            search_settings: builtin.search_settings,
        })
    }

    /// The `reasoning_effort` to send for `thinking`; drops sampling settings a reasoning model
    /// rejects. What is not sent goes into `warnings`.
    fn reasoning_effort(
        &self,
        model: &str,
        thinking: Option<Thinking>,
        sampling: &mut Sampling<'_>,
        warnings: &mut Warnings,
    ) -> Option<&'static str> {
        let support = match self.reasoning {
            Reasoning::Unsupported => {
                if thinking.is_some() {
                    warnings.push(Warning::unsupported_setting(
                        "thinking",
                        "this host takes no reasoning setting; `thinking` is not sent",
                    ));
                }
                return None;
            }
            Reasoning::Effort => {
                return thinking.map(|t| effort(t, true));
            }
            Reasoning::OpenAiModels => openai_reasoning_support(model),
        };
        let (thinking, drops_sampling) = support.resolve_warned(model, thinking, warnings)?;
        if drops_sampling {
            let dropped: Vec<&str> = SAMPLING_SETTINGS
                .into_iter()
                .filter(|s| sampling.clear(*s))
                .map(Setting::name)
                .collect();
            sampling_dropped(model, &dropped, warnings);
        }
        thinking.map(|t| effort(t, !model.starts_with("gpt-5.6")))
    }

    /// The `response_format` of the requested output mode.
    ///
    /// # Errors
    /// [`Error::User`] for native output without a schema, or on a model whose profile has no
    /// JSON-schema output (pydantic-ai's check in `prepare_request`).
    fn response_format<'a>(
        &self,
        request: &PreparedRequest<'a>,
        warnings: &mut Warnings,
    ) -> Result<Option<ResponseFormat<'a>>> {
        let parameters: &'a ModelRequestParameters = request.parameters;
        match parameters.output_mode {
            OutputMode::Native => {
                let Some(object) = &parameters.output_object else {
                    return Err(Error::user(
                        "the `native` output mode needs `output_object` (the schema to produce)",
                    ));
                };
                if !request.profile.supports_json_schema_output {
                    return Err(Error::user(format!(
                        "native structured output is not supported by `{}`; use tool or \
                         prompted output",
                        request.model_name
                    )));
                }
                let transformed = (self.schema_transformer(request.model_name))(
                    &object.json_schema,
                    object.strict,
                )?;
                warnings.extend(transformed.warnings);
                Ok(Some(ResponseFormat::JsonSchema {
                    json_schema: JsonSchemaFormat {
                        name: object.name.as_deref().unwrap_or(DEFAULT_OUTPUT_NAME),
                        schema: transformed.schema,
                        description: object.description.as_deref().filter(|d| !d.is_empty()),
                        strict: self.strict_tools.then_some(transformed.strict),
                    },
                }))
            }
            OutputMode::Prompted if self.json_object_output => Ok(Some(ResponseFormat::JsonObject)),
            _ => Ok(None),
        }
    }
}
