//! The Anthropic Messages protocol (`POST /v1/messages`, [`AnthropicMessages`]) and the
//! `anthropic` provider that speaks it ([`Anthropic`]).
//!
//! API reference: <https://docs.anthropic.com/en/api/messages>; streaming:
//! <https://docs.anthropic.com/en/docs/build-with-claude/streaming>.
//!
//! The translation follows pydantic-ai's `AnthropicModel`: system prompts and instructions in
//! `system`, one `user` message per request and one `assistant` message per response, tool
//! returns and tool retries as `tool_result` blocks, thinking sent back with its signature to
//! the provider that signed it, `tool_choice` with `disable_parallel_tool_use`, the unified
//! `thinking` setting as a token budget (or adaptive thinking and an effort on the models that
//! take them), native structured output in `output_config`, usage with the prompt-cache counts
//! folded into the input tokens, and the same stop-reason mapping. Content that Anthropic's
//! server-side tools return (web search, code execution, MCP…) has no part in the message
//! model yet: it is reported with a warning and left out.
//!
//! The parser is lenient where Anthropic-compatible servers differ harmlessly (llama.cpp starts
//! `tool_use` blocks without `"input": {}` and omits the cache counts); a stream must still end
//! with `message_stop`.
//!
//! Pure translation: no I/O here.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{guard_id, insert_detail, json_body, needs_download, opt_cow, parse_body};
use super::tool_choice::{
    resolve_tool_choice, tool_definitions, without_allowed_tools, ForcedChoice,
};
use super::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, BinaryContent, FileKind, FinishReason, ForceDownload, ModelMessage,
    ModelRequest, ModelRequestPart, ModelResponse, ModelResponsePart, ResponseState,
    RetryPromptPart, TextPart, ThinkingPart, ToolArgs, ToolCallPart, ToolReturnOutcome,
    ToolReturnPart, UserContent, UserContentItem,
};
use crate::models::{instructions, ModelProfile, ModelRequestParameters, OutputMode};
use crate::provider;
use crate::schema;
use crate::settings::{ModelSettings, Thinking, ToolChoice};
use crate::stream::{ArgsDelta, PartsManager, VendorId};
use crate::tools::ToolDefinition;
use crate::usage::Usage;
use crate::warning::Warnings;

/// [Anthropic](https://docs.anthropic.com/en/api/messages)'s Messages API
/// (`anthropic:claude-3-5-haiku-latest`): the key from `ANTHROPIC_API_KEY` in `x-api-key`,
/// `ANTHROPIC_BASE_URL` (without `/v1`), API version `2023-06-01`.
#[provider(name = "anthropic", base_url = "https://api.anthropic.com",
    auth = header("x-api-key"), headers = [("anthropic-version", "2023-06-01")],
    protocol = AnthropicMessages)]
pub struct Anthropic;

/// The provider name thinking signatures belong to when the protocol was given none.
const DEFAULT_PROVIDER_NAME: &str = "anthropic";

/// `max_tokens` when the settings give none (the Messages API requires it), as in pydantic-ai.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The id pydantic-ai gives a thinking part that holds redacted (encrypted) thinking.
pub const REDACTED_THINKING_ID: &str = "redacted_thinking";

/// The most cache breakpoints Anthropic accepts in one request.
const MAX_CACHE_POINTS: usize = 4;

/// The Anthropic Messages protocol.
///
/// `AnthropicMessages::default()` is what [`Anthropic`] speaks; an Anthropic-compatible server
/// (llama.cpp's `/v1/messages`, a gateway) is declared with it in a few lines:
///
/// ```
/// use llm_runtime::models::Model;
/// use llm_runtime::provider;
/// use llm_runtime::providers::anthropic::AnthropicMessages;
///
/// /// llama.cpp's Anthropic-compatible endpoint.
/// #[provider(name = "llamacpp-messages", base_url = "http://127.0.0.1:8081",
///     api_key_optional, auth = header("x-api-key"), protocol = AnthropicMessages)]
/// pub struct LlamaCppMessages;
///
/// let model = LlamaCppMessages::builder().build()?.model("smollm2");
/// assert_eq!(model.system(), "llamacpp-messages");
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// What each model supports (JSON-schema output and strict tools, adaptive thinking, effort,
/// sampling settings, forced tool choice) is decided from its name, as pydantic-ai's Anthropic
/// profile does.
///
/// Errors: a malformed body or event is an [`Error::UnexpectedModelBehavior`] with the
/// offending bytes; an `error` object (in a 200 body or as a stream event) is an
/// [`Error::Http`] with the status its type stands for (`overloaded_error` is 529,
/// `rate_limit_error` 429, `api_error` 500, …), so that it reads as the same error sent with
/// that status.
#[derive(Debug, Clone, Default)]
pub struct AnthropicMessages;

impl AnthropicMessages {
    /// The protocol as Anthropic speaks it (the same as `default()`, usable in constants).
    pub const fn new() -> Self {
        AnthropicMessages
    }
}

/// The provider name put on thinking parts: the one the driver gave the parts manager, else
/// Anthropic's.
fn stream_provider_name(parts: &PartsManager) -> String {
    parts
        .provider_name
        .clone()
        .unwrap_or_else(|| DEFAULT_PROVIDER_NAME.to_owned())
}

/// What a model supports, from its name (pydantic-ai's `anthropic_model_profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ModelTraits {
    /// Native JSON-schema output and strict tools.
    json_schema_output: bool,
    /// `thinking: {"type": "adaptive"}` instead of a token budget.
    adaptive_thinking: bool,
    /// `output_config.effort`.
    effort: bool,
    /// The `xhigh` effort (others get `max` for the most effort).
    xhigh_effort: bool,
    /// The model rejects `temperature`, `top_p` and `top_k`.
    no_sampling_settings: bool,
    /// The model accepts a forced `tool_choice` (`any` or a named tool).
    forced_tool_choice: bool,
}

const JSON_SCHEMA_OUTPUT_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-haiku-4-5",
    "claude-sonnet-4-5",
    "claude-sonnet-4-6",
    "claude-opus-4-1",
    "claude-opus-4-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-5",
];
const ADAPTIVE_THINKING_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-sonnet-4-6",
    "claude-sonnet-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
];
const EFFORT_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-4-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-4-6",
    "claude-sonnet-5",
];
/// Models that take the `xhigh` effort, reject budget thinking and reject sampling settings.
const NEWEST_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-5",
];
const NO_FORCED_TOOL_CHOICE_MODELS: &[&str] =
    &["claude-fable-5", "claude-mythos-5", "claude-mythos-preview"];

fn model_traits(model: &str) -> ModelTraits {
    let any = |prefixes: &[&str]| prefixes.iter().any(|p| model.starts_with(p));
    ModelTraits {
        json_schema_output: any(JSON_SCHEMA_OUTPUT_MODELS),
        adaptive_thinking: any(ADAPTIVE_THINKING_MODELS),
        effort: any(EFFORT_MODELS),
        xhigh_effort: any(NEWEST_MODELS),
        no_sampling_settings: any(NEWEST_MODELS),
        forced_tool_choice: !any(NO_FORCED_TOOL_CHOICE_MODELS),
    }
}

/// How the model is asked to think.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ThinkingMode {
    /// Extended thinking with a token budget; it rejects a forced tool choice.
    Budget(u32),
    /// Adaptive thinking; it accepts a forced tool choice.
    Adaptive,
}

/// The thinking a [`Thinking`] setting asks of `traits`' model (pydantic-ai's
/// `_translate_thinking` and `ANTHROPIC_THINKING_BUDGET_MAP`); `None` when off.
fn thinking_mode(thinking: Option<Thinking>, traits: ModelTraits) -> Option<ThinkingMode> {
    let thinking = thinking.filter(|t| *t != Thinking::Disabled)?;
    if traits.adaptive_thinking {
        return Some(ThinkingMode::Adaptive);
    }
    Some(ThinkingMode::Budget(match thinking {
        Thinking::Minimal => 1024,
        Thinking::Low => 2048,
        Thinking::High => 16384,
        Thinking::XHigh => 32768,
        Thinking::Disabled | Thinking::Enabled | Thinking::Medium => 10000,
    }))
}

/// `output_config.effort` for a thinking level, on models that take an effort.
fn effort_for(thinking: Option<Thinking>, traits: ModelTraits) -> Option<&'static str> {
    if !traits.effort {
        return None;
    }
    match thinking? {
        Thinking::Disabled | Thinking::Enabled => None,
        Thinking::Minimal | Thinking::Low => Some("low"),
        Thinking::Medium => Some("medium"),
        Thinking::High => Some("high"),
        Thinking::XHigh if traits.xhigh_effort => Some("xhigh"),
        Thinking::XHigh => Some("max"),
    }
}

/// What a stream of the Messages protocol remembers between events.
#[derive(Debug, Default)]
pub struct MessagesStreamState {
    /// The kind of each content block started, by index.
    blocks: HashMap<u64, OpenBlock>,
    /// The usage counts so far, as pydantic-ai keeps them (`message_start`, then each
    /// `message_delta` overriding the counts it carries).
    usage_details: BTreeMap<String, u64>,
}

/// The kind of a content block seen in a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenBlock {
    Text,
    Thinking,
    ToolUse,
    /// A block the message model has no part for (server tools' calls and results…); its
    /// deltas are skipped, it was reported when it started.
    Unsupported,
}

impl Protocol for AnthropicMessages {
    type StreamState = MessagesStreamState;
    type Event<'a> = WireEvent<'a>;
    const EVENT_DESCRIPTION: &'static str = "Messages stream event";

    fn endpoint(&self, _model_name: &str, _stream: bool) -> String {
        "v1/messages".to_owned()
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        _warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        let body = self.build_request(request, stream)?;
        json_body(&body)
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        let message: WireMessage<'_> = parse_body(body, "Messages API response")?;
        self.response_from(message, cx, body)
    }

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<WireEvent<'a>> {
        let data = event.data;
        match event.name {
            // Nine events in ten: read into the fields this event has, not all of them (and
            // again in full if its data says it is another event than its name).
            "content_block_delta" => match serde_json::from_str::<WireDeltaEvent<'_>>(data) {
                Ok(delta) if delta.kind == "content_block_delta" => Ok(delta.into_event()),
                _ => serde_json::from_str::<WireEvent<'_>>(data),
            },
            _ => serde_json::from_str::<WireEvent<'_>>(data),
        }
    }

    fn on_event(
        &self,
        event: WireEvent<'_>,
        raw: &RawEvent<'_>,
        state: &mut MessagesStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        self.apply_event(event, raw.data, state, parts)
    }

    fn on_eof(&self, _state: &mut MessagesStreamState, parts: &mut PartsManager) -> Result<()> {
        let when = if parts
            .provider_details
            .as_ref()
            .is_some_and(|d| d.contains_key("finish_reason"))
        {
            "after the stop reason but "
        } else {
            ""
        };
        Err(Error::unexpected(format!(
            "the stream ended {when}before `message_stop`: the response is truncated"
        )))
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        ModelProfile {
            supports_json_schema_output: model_traits(model_name).json_schema_output,
            thinking_tags: ("<thinking>".to_owned(), "</thinking>".to_owned()),
            ..ModelProfile::default()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `POST /v1/messages`.
#[derive(Serialize)]
struct MessagesRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<System<'a>>,
    messages: Vec<Message<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoiceParam<'a>>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_sequences: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thinking: Option<ThinkingParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_config: Option<OutputConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_tier: Option<&'static str>,
}

/// The system prompt: a string, or text blocks (system prompt, then instructions).
#[derive(Serialize)]
#[serde(untagged)]
enum System<'a> {
    Text(String),
    Blocks(Vec<Block<'a>>),
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: Vec<Block<'a>>,
}

/// A content block of a request message.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block<'a> {
    Text {
        text: Cow<'a, str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    Image {
        source: Source<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    Document {
        source: Source<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    ToolUse {
        id: Cow<'a, str>,
        name: &'a str,
        input: Cow<'a, Map<String, Value>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    ToolResult {
        tool_use_id: Cow<'a, str>,
        content: ToolResultContent<'a>,
        is_error: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    Thinking {
        thinking: &'a str,
        signature: &'a str,
    },
    RedactedThinking {
        data: &'a str,
    },
}

impl<'a> Block<'a> {
    fn text(text: impl Into<Cow<'a, str>>) -> Self {
        Block::Text {
            text: text.into(),
            cache_control: None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Block::Text { .. } => "text",
            Block::Image { .. } => "image",
            Block::Document { .. } => "document",
            Block::ToolUse { .. } => "tool_use",
            Block::ToolResult { .. } => "tool_result",
            Block::Thinking { .. } => "thinking",
            Block::RedactedThinking { .. } => "redacted_thinking",
        }
    }

    /// The block's cache breakpoint, for the kinds that can carry one.
    fn cache_control(&mut self) -> Option<&mut Option<CacheControl<'a>>> {
        match self {
            Block::Text { cache_control, .. }
            | Block::Image { cache_control, .. }
            | Block::Document { cache_control, .. }
            | Block::ToolUse { cache_control, .. }
            | Block::ToolResult { cache_control, .. } => Some(cache_control),
            Block::Thinking { .. } | Block::RedactedThinking { .. } => None,
        }
    }
}

#[derive(Serialize)]
struct CacheControl<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    ttl: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Source<'a> {
    Base64 { media_type: &'a str, data: String },
    Url { url: &'a str },
    Text { media_type: &'a str, data: &'a str },
}

#[derive(Serialize)]
#[serde(untagged)]
enum ToolResultContent<'a> {
    Text(Cow<'a, str>),
    Blocks(Vec<Block<'a>>),
}

#[derive(Serialize)]
struct WireTool<'a> {
    name: &'a str,
    description: &'a str,
    input_schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    strict: Option<bool>,
}

#[derive(Serialize)]
struct ToolChoiceParam<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disable_parallel_tool_use: Option<bool>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ThinkingParam {
    Enabled { budget_tokens: u32 },
    Adaptive,
}

#[derive(Serialize)]
struct OutputConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<OutputFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    effort: Option<&'static str>,
}

#[derive(Serialize)]
struct OutputFormat {
    #[serde(rename = "type")]
    kind: &'static str,
    schema: Value,
}

impl AnthropicMessages {
    fn build_request<'a>(
        &self,
        request: &PreparedRequest<'a>,
        stream: bool,
    ) -> Result<MessagesRequest<'a>> {
        let model = request.model_name;
        let settings: &'a ModelSettings = request.settings;
        let parameters = request.parameters;
        let traits = model_traits(model);
        let thinking = thinking_mode(settings.thinking, traits);

        check_output_tools_with_thinking(parameters, thinking, traits)?;
        let format = self.output_format(request)?;
        let (tools, tool_choice) = self.tools(request, traits, thinking)?;
        let (system, messages) = self.map_messages(request)?;

        let max_tokens = match (settings.max_tokens, thinking) {
            (Some(max), Some(ThinkingMode::Budget(budget))) if max <= budget => {
                return Err(Error::user(format!(
                    "`max_tokens` ({max}) must be greater than the thinking budget ({budget} tokens \
                     for `thinking: {:?}`): Anthropic counts thinking in `max_tokens`; raise it or \
                     lower the thinking level",
                    settings.thinking.unwrap_or(Thinking::Enabled)
                )))
            }
            (Some(max), _) => max,
            // pydantic-ai's default cannot hold the larger budgets, which the API rejects:
            // room for the answer is kept above the budget.
            (None, Some(ThinkingMode::Budget(budget))) if budget >= DEFAULT_MAX_TOKENS => {
                budget.saturating_add(DEFAULT_MAX_TOKENS)
            }
            (None, _) => DEFAULT_MAX_TOKENS,
        };

        let (mut temperature, mut top_p, mut top_k) =
            (settings.temperature, settings.top_p, settings.top_k);
        if traits.no_sampling_settings {
            let dropped: Vec<&str> = [
                ("temperature", temperature.take().is_some()),
                ("top_p", top_p.take().is_some()),
                ("top_k", top_k.take().is_some()),
            ]
            .into_iter()
            .filter_map(|(name, was_set)| was_set.then_some(name))
            .collect();
            if !dropped.is_empty() {
                tracing::warn!(
                    target: "llm_runtime::settings",
                    model,
                    settings = ?dropped,
                    "sampling settings {dropped:?} are not supported by `{model}`; they are not sent"
                );
            }
        }
        warn_unsupported_settings(model, settings);

        let effort = effort_for(settings.thinking, traits);
        let output_config =
            (format.is_some() || effort.is_some()).then_some(OutputConfig { format, effort });
        Ok(MessagesRequest {
            model,
            max_tokens,
            system,
            messages,
            tools,
            tool_choice,
            stream,
            stop_sequences: settings.stop_sequences.as_deref(),
            temperature,
            top_p,
            top_k,
            thinking: thinking.map(|mode| match mode {
                ThinkingMode::Budget(budget_tokens) => ThinkingParam::Enabled { budget_tokens },
                ThinkingMode::Adaptive => ThinkingParam::Adaptive,
            }),
            output_config,
            service_tier: service_tier(model, settings.service_tier.as_deref()),
        })
    }

    /// `output_config.format` for native structured output.
    fn output_format(&self, request: &PreparedRequest<'_>) -> Result<Option<OutputFormat>> {
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

    fn tools<'a>(
        &self,
        request: &PreparedRequest<'a>,
        traits: ModelTraits,
        thinking: Option<ThinkingMode>,
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

        let resolved = resolve_tool_choice(settings.tool_choice.as_ref(), parameters)?;
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
            .map(|definition| tool(definition, request.model_name, request.profile))
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

    /// The system prompt and the messages.
    fn map_messages<'a>(
        &self,
        request: &PreparedRequest<'a>,
    ) -> Result<(Option<System<'a>>, Vec<Message<'a>>)> {
        let mut system_prompts: Vec<&'a str> = Vec::new();
        let mut messages: Vec<Message<'a>> = Vec::new();
        let tags = &request.profile.thinking_tags;
        for message in request.messages {
            match message {
                ModelMessage::Request(req) => {
                    let content = self.map_request(req, &mut system_prompts, &mut messages)?;
                    if !content.is_empty() {
                        messages.push(Message {
                            role: "user",
                            content,
                        });
                    }
                }
                ModelMessage::Response(response) => {
                    let content = self.map_response(response, tags, request.provider_name);
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
        let system = match instructions(request.messages).filter(|i| !i.is_empty()) {
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
        &self,
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

    /// The content of the assistant message a response becomes.
    fn map_response<'a>(
        &self,
        response: &'a ModelResponse,
        tags: &(String, String),
        provider: &str,
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
            }
        }
        content
    }
}

/// Refuses output tools that would need a forced tool choice while the model thinks in a way
/// that rejects one (pydantic-ai's check in `AnthropicModel.prepare_request`).
fn check_output_tools_with_thinking(
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

fn tool<'a>(
    definition: &'a ToolDefinition,
    model: &str,
    profile: &ModelProfile,
) -> Result<WireTool<'a>> {
    let transformed =
        schema::anthropic::transform(&definition.parameters_json_schema, definition.strict)?;
    let strict = if transformed.strict && profile.supports_json_schema_output {
        Some(true)
    } else {
        if transformed.strict {
            tracing::warn!(
                target: "llm_runtime::settings",
                model,
                tool = definition.name.as_str(),
                "`{model}` does not support strict tool definitions; `strict` is not sent"
            );
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

/// `service_tier`: Anthropic's own values, and the unified `default` as `standard_only`.
fn service_tier(model: &str, tier: Option<&str>) -> Option<&'static str> {
    match tier? {
        "auto" => Some("auto"),
        "default" | "standard_only" => Some("standard_only"),
        other => {
            tracing::warn!(
                target: "llm_runtime::settings",
                model,
                setting = "service_tier",
                "Anthropic's service tiers are `auto` and `standard_only` (`default`); `{other}` \
                 is not sent"
            );
            None
        }
    }
}

/// Reports the settings the Messages API has no field for.
fn warn_unsupported_settings(model: &str, settings: &ModelSettings) {
    for (name, set) in [
        ("seed", settings.seed.is_some()),
        ("presence_penalty", settings.presence_penalty.is_some()),
        ("frequency_penalty", settings.frequency_penalty.is_some()),
        ("logit_bias", settings.logit_bias.is_some()),
    ] {
        if set {
            tracing::warn!(
                target: "llm_runtime::settings",
                model,
                setting = name,
                "Anthropic's Messages API has no `{name}`; the setting is not sent (use \
                 `extra_body` for a compatible server that takes it)"
            );
        }
    }
}

/// Appends the blocks of a user prompt to `content`. A cache point marks the block before it
/// (in this prompt, else the last block of the previous message).
fn user_content<'a>(
    prompt: &'a UserContent,
    content: &mut Vec<Block<'a>>,
    earlier: &mut [Message<'a>],
) -> Result<()> {
    let items = match prompt {
        UserContent::Text(text) => {
            if !text.is_empty() {
                content.push(Block::text(text.as_str()));
            }
            return Ok(());
        }
        UserContent::Items(items) => items,
    };
    for item in items {
        match item {
            UserContentItem::Text(text) => {
                if !text.is_empty() {
                    content.push(Block::text(text.as_str()));
                }
            }
            UserContentItem::TextContent(text) => {
                if !text.content.is_empty() {
                    content.push(Block::text(text.content.as_str()));
                }
            }
            UserContentItem::CachePoint(point) => {
                let target = if content.is_empty() {
                    earlier.last_mut().and_then(|m| m.content.last_mut())
                } else {
                    content.last_mut()
                };
                let Some(block) = target else {
                    return Err(Error::user(
                        "a `CachePoint` cannot be the first content of the conversation: it marks \
                         the end of the content before it",
                    ));
                };
                let kind = block.kind();
                let Some(slot) = block.cache_control() else {
                    return Err(Error::user(format!(
                        "a `CachePoint` cannot follow a `{kind}` block, which Anthropic does not cache"
                    )));
                };
                *slot = Some(CacheControl {
                    kind: "ephemeral",
                    ttl: &point.ttl,
                });
            }
            UserContentItem::ImageUrl(file) => {
                if file.force_download != ForceDownload::No {
                    return Err(needs_download("image", file));
                }
                content.push(Block::Image {
                    source: Source::Url { url: &file.url },
                    cache_control: None,
                });
            }
            UserContentItem::DocumentUrl(file) => {
                match file.media_type(FileKind::Document).as_str() {
                    "application/pdf" if file.force_download == ForceDownload::No => {
                        content.push(Block::Document {
                            source: Source::Url { url: &file.url },
                            cache_control: None,
                        });
                    }
                    "application/pdf" | "text/plain" => {
                        return Err(needs_download("document", file))
                    }
                    other => {
                        return Err(Error::user(format!(
                            "Anthropic accepts PDF and plain-text documents, not `{other}` (the \
                             document at `{}`)",
                            file.url
                        )))
                    }
                }
            }
            UserContentItem::AudioUrl(file) => {
                return Err(Error::user(format!(
                    "Anthropic does not accept audio in prompts (the audio at `{}`)",
                    file.url
                )))
            }
            UserContentItem::VideoUrl(file) => {
                return Err(Error::user(format!(
                    "Anthropic does not accept video in prompts (the video at `{}`)",
                    file.url
                )))
            }
            UserContentItem::Binary(binary) => content.push(binary_block(binary)?),
        }
    }
    Ok(())
}

fn binary_block(binary: &BinaryContent) -> Result<Block<'_>> {
    let media_type = binary.media_type.as_str();
    let source = if binary.is_image() {
        return Ok(Block::Image {
            source: Source::Base64 {
                media_type,
                data: binary.base64(),
            },
            cache_control: None,
        });
    } else if media_type == "application/pdf" {
        Source::Base64 {
            media_type,
            data: binary.base64(),
        }
    } else if media_type == "text/plain" {
        let text = std::str::from_utf8(&binary.data).map_err(|e| {
            Error::user(format!(
                "the plain-text document `{}` is not valid UTF-8: {e}",
                binary.identifier()
            ))
        })?;
        Source::Text {
            media_type,
            data: text,
        }
    } else if binary.is_audio() {
        return Err(Error::user(format!(
            "Anthropic does not accept audio in prompts (`{media_type}` content `{}`)",
            binary.identifier()
        )));
    } else if binary.is_video() {
        return Err(Error::user(format!(
            "Anthropic does not accept video in prompts (`{media_type}` content `{}`)",
            binary.identifier()
        )));
    } else {
        return Err(Error::user(format!(
            "Anthropic accepts images, PDF and plain-text documents, not `{media_type}` \
             content (`{}`)",
            binary.identifier()
        )));
    };
    Ok(Block::Document {
        source,
        cache_control: None,
    })
}

/// A tool's return as a `tool_result` block: each item of a list return is its own text
/// block, strings as they are and other values as JSON; a failure is flagged `is_error` (its
/// content is not wrapped, as pydantic-ai does for APIs with an error flag).
fn tool_result(part: &ToolReturnPart) -> Block<'_> {
    fn text(value: &Value) -> Block<'_> {
        match value {
            Value::String(text) => Block::text(text.as_str()),
            other => Block::text(other.to_string()),
        }
    }
    let items: Vec<Block<'_>> = match &part.content {
        Value::Array(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    };
    Block::ToolResult {
        tool_use_id: guard_id(&part.tool_call_id),
        content: if items.is_empty() {
            ToolResultContent::Text(Cow::Borrowed(""))
        } else {
            ToolResultContent::Blocks(items)
        },
        is_error: part.outcome == ToolReturnOutcome::Failed,
        cache_control: None,
    }
}

/// A retry prompt: an error `tool_result` for a tool call, else user text.
fn retry(part: &RetryPromptPart) -> Block<'_> {
    match &part.tool_name {
        None => Block::text(part.model_response()),
        Some(_) => Block::ToolResult {
            tool_use_id: guard_id(&part.tool_call_id),
            content: ToolResultContent::Text(Cow::Owned(part.model_response())),
            is_error: true,
            cache_control: None,
        },
    }
}

/// Keeps the last [`MAX_CACHE_POINTS`] cache breakpoints, the newest first, as pydantic-ai's
/// `_limit_cache_points` does.
fn limit_cache_points(messages: &mut [Message<'_>]) {
    let mut kept = 0;
    for message in messages.iter_mut().rev() {
        for block in message.content.iter_mut().rev() {
            if let Some(slot) = block.cache_control() {
                if slot.is_some() {
                    if kept < MAX_CACHE_POINTS {
                        kept += 1;
                    } else {
                        *slot = None;
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Responses and stream events
// ---------------------------------------------------------------------------------------------

/// A message: a whole response, or the one `message_start` carries. Fields the API may omit
/// (and Anthropic-compatible servers do) are optional.
#[derive(Deserialize)]
struct WireMessage<'a> {
    #[serde(default, borrow, rename = "type", deserialize_with = "opt_cow")]
    kind: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    model: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    content: Option<Vec<WireBlock<'a>>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    stop_reason: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    stop_details: Option<StopDetails<'a>>,
    #[serde(default)]
    usage: Option<WireUsage<'a>>,
    #[serde(default, borrow)]
    container: Option<Container<'a>>,
    #[serde(default, borrow)]
    error: Option<WireError<'a>>,
}

/// A content block of a response (or of `content_block_start`); the fields of every kind read
/// here, each optional.
#[derive(Deserialize)]
struct WireBlock<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    text: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    thinking: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    signature: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    data: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    name: Option<Cow<'a, str>>,
    /// A `tool_use` block's arguments (the JSON object, kept whole).
    #[serde(default)]
    input: Option<Value>,
}

/// Why a refusal stopped the model.
#[derive(Deserialize)]
struct StopDetails<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    explanation: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    category: Option<Cow<'a, str>>,
}

/// The code-execution container a response ran in.
#[derive(Deserialize)]
struct Container<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct WireError<'a> {
    #[serde(default, borrow, rename = "type", deserialize_with = "opt_cow")]
    kind: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    message: Option<Cow<'a, str>>,
}

/// Token counts; every one optional (`message_delta` carries only those that changed).
#[derive(Deserialize, Default)]
struct WireUsage<'a> {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens_details: Option<OutputTokensDetails>,
    #[serde(default, borrow)]
    iterations: Option<Vec<Iteration<'a>>>,
}

#[derive(Deserialize)]
struct OutputTokensDetails {
    #[serde(default)]
    thinking_tokens: Option<u64>,
}

/// One sampling iteration of a response (the model's own, a compaction, an advisor's).
#[derive(Deserialize)]
struct Iteration<'a> {
    #[serde(default, borrow, rename = "type", deserialize_with = "opt_cow")]
    kind: Option<Cow<'a, str>>,
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
}

impl Iteration<'_> {
    fn count(&self, key: &str) -> u64 {
        match key {
            "input_tokens" => self.input_tokens,
            "output_tokens" => self.output_tokens,
            "cache_creation_input_tokens" => self.cache_creation_input_tokens,
            "cache_read_input_tokens" => self.cache_read_input_tokens,
            _ => None,
        }
        .unwrap_or(0)
    }
}

/// One stream event; the fields of every event type read here, each optional.
///
/// The fields of the rare events are boxed: most events are `content_block_delta`s, and an
/// event holding every field inline (a kilobyte) was moved several times per event by the
/// parse, which cost more than the parse itself.
#[derive(Deserialize)]
pub struct WireEvent<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(default)]
    index: Option<u64>,
    #[serde(default, borrow)]
    message: Option<Box<WireMessage<'a>>>,
    #[serde(default, borrow)]
    content_block: Option<Box<WireBlock<'a>>>,
    #[serde(default, borrow)]
    delta: Option<WireDelta<'a>>,
    #[serde(default, borrow)]
    usage: Option<Box<WireUsage<'a>>>,
    #[serde(default, borrow)]
    error: Option<Box<WireError<'a>>>,
}

/// A `content_block_delta` event, named so by its SSE `event:` field: only its fields.
#[derive(Deserialize)]
struct WireDeltaEvent<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(default)]
    index: Option<u64>,
    #[serde(default, borrow)]
    delta: Option<WireDelta<'a>>,
}

impl<'a> WireDeltaEvent<'a> {
    fn into_event(self) -> WireEvent<'a> {
        WireEvent {
            kind: self.kind,
            index: self.index,
            message: None,
            content_block: None,
            delta: self.delta,
            usage: None,
            error: None,
        }
    }
}

/// The `delta` of `content_block_delta` (typed) or of `message_delta` (the stop reason).
#[derive(Deserialize)]
struct WireDelta<'a> {
    #[serde(default, borrow, rename = "type", deserialize_with = "opt_cow")]
    kind: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    text: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    thinking: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    signature: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    partial_json: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    stop_reason: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    stop_details: Option<StopDetails<'a>>,
    #[serde(default, borrow)]
    container: Option<Container<'a>>,
}

/// The usage counts pydantic-ai keeps in `usage.details`: the four counts as reported, the
/// thinking tokens, and the totals of compaction and advisor iterations.
const COUNT_KEYS: [&str; 4] = [
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
];

fn usage_details(usage: &WireUsage<'_>) -> BTreeMap<String, u64> {
    let mut details = BTreeMap::new();
    for (key, count) in COUNT_KEYS.into_iter().zip([
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_creation_input_tokens,
        usage.cache_read_input_tokens,
    ]) {
        if let Some(count) = count {
            details.insert(key.to_owned(), count);
        }
    }
    if let Some(thinking) = usage
        .output_tokens_details
        .as_ref()
        .and_then(|d| d.thinking_tokens)
        .filter(|t| *t != 0)
    {
        details.insert("thinking_tokens".to_owned(), thinking);
    }
    let Some(iterations) = usage.iterations.as_deref().filter(|i| !i.is_empty()) else {
        return details;
    };
    let of_kind = |kind: &str| -> Vec<&Iteration<'_>> {
        iterations
            .iter()
            .filter(|it| it.kind.as_deref() == Some(kind))
            .collect()
    };
    let compaction = of_kind("compaction");
    let advisor = of_kind("advisor_message");
    if compaction.is_empty() && advisor.is_empty() {
        return details;
    }
    let own = iterations
        .len()
        .saturating_sub(compaction.len())
        .saturating_sub(advisor.len());
    details.insert("message_iterations".to_owned(), count_of(own));
    for (prefix, group) in [("compaction", compaction), ("advisor", advisor)] {
        if group.is_empty() {
            continue;
        }
        details.insert(format!("{prefix}_iterations"), count_of(group.len()));
        for key in COUNT_KEYS {
            let total = group
                .iter()
                .fold(0u64, |sum, it| sum.saturating_add(it.count(key)));
            if total != 0 {
                details.insert(format!("{prefix}_{key}"), total);
            }
        }
    }
    details
}

/// A number of items as a count.
fn count_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The usage the details amount to, as pydantic-ai extracts it: compaction iterations count
/// in the totals (advisor iterations, billed at another model's rates, do not), and the input
/// tokens include the tokens written to and read from the prompt cache.
fn usage_from_details(details: &BTreeMap<String, u64>) -> Usage {
    let count = |key: &str| {
        let own = details.get(key).copied().unwrap_or(0);
        let compaction = details
            .get(&format!("compaction_{key}"))
            .copied()
            .unwrap_or(0);
        own.saturating_add(compaction)
    };
    let cache_write = count("cache_creation_input_tokens");
    let cache_read = count("cache_read_input_tokens");
    let mut usage = Usage {
        requests: 1,
        request_tokens: count("input_tokens")
            .saturating_add(cache_write)
            .saturating_add(cache_read),
        cache_write_tokens: cache_write,
        cache_read_tokens: cache_read,
        response_tokens: count("output_tokens"),
        details: details.clone(),
        ..Usage::default()
    };
    usage.total_tokens = usage.request_tokens.saturating_add(usage.response_tokens);
    usage
}

/// Stop reasons, normalised (pydantic-ai's `_FINISH_REASON_MAP`). Unknown values and
/// `pause_turn` give `None`; the raw value stays in `provider_details["finish_reason"]`.
fn map_stop_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "end_turn" | "stop_sequence" | "compaction" => Some(FinishReason::Stop),
        "max_tokens" | "model_context_window_exceeded" => Some(FinishReason::Length),
        "tool_use" => Some(FinishReason::ToolCall),
        "refusal" => Some(FinishReason::ContentFilter),
        "pause_turn" => None,
        other => {
            tracing::debug!(
                target: "llm_runtime::providers",
                stop_reason = other,
                "unknown stop reason; kept in provider_details only"
            );
            None
        }
    }
}

/// The HTTP status an Anthropic error type is sent with
/// (<https://docs.anthropic.com/en/api/errors>).
fn error_status(kind: &str) -> Option<u16> {
    Some(match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "api_error" => 500,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        _ => return None,
    })
}

/// The error an `error` object describes: an [`Error::Http`] with the status its type is sent
/// with (so that an `overloaded_error` reads as a 529), else an unexpected-behaviour error.
fn reported_error(error: Option<&WireError<'_>>, model_name: &str, raw: &[u8]) -> Error {
    let kind = error.and_then(|e| e.kind.as_deref()).unwrap_or("unknown");
    match error_status(kind) {
        Some(status) => Error::http(status, model_name, raw, None),
        None => {
            let message = error
                .and_then(|e| e.message.as_deref())
                .unwrap_or("no message");
            Error::unexpected_with_body(
                format!("the provider reported an error of type `{kind}`: {message}"),
                raw,
            )
        }
    }
}

fn warn_unsupported_block(kind: &str) {
    tracing::warn!(
        target: "llm_runtime::providers",
        block = kind,
        "a `{kind}` content block (a server tool's call or result, or another kind the message \
         model has no part for) was left out of the response"
    );
}

/// The stop details and container of a message as `provider_details` entries.
fn stop_details_entries(
    details: Option<&StopDetails<'_>>,
    container: Option<&Container<'_>>,
) -> Vec<(&'static str, String)> {
    let mut entries = Vec::new();
    if let Some(details) = details {
        if let Some(explanation) = &details.explanation {
            entries.push(("refusal", explanation.to_string()));
        }
        if let Some(category) = &details.category {
            entries.push(("refusal_category", category.to_string()));
        }
    }
    if let Some(id) = container.and_then(|c| c.id.as_deref()) {
        entries.push(("container_id", id.to_owned()));
    }
    entries
}

/// A `tool_use` block's arguments: the object (none or `null` is `{}`, as llama.cpp starts its
/// blocks without `input`), or a JSON text some servers send.
fn tool_input(input: Option<Value>, raw: &[u8]) -> Result<ToolArgs> {
    match input {
        None | Some(Value::Null) => Ok(ToolArgs::Object(Map::new())),
        Some(Value::Object(map)) => Ok(ToolArgs::Object(map)),
        Some(Value::String(text)) => Ok(ToolArgs::Json(text)),
        Some(other) => Err(Error::unexpected_with_body(
            format!("a `tool_use` block's `input` is {other}, not an object"),
            raw,
        )),
    }
}

impl AnthropicMessages {
    /// Builds the response of a whole message.
    fn response_from(
        &self,
        message: WireMessage<'_>,
        cx: &mut ResponseContext<'_>,
        body: &[u8],
    ) -> Result<ModelResponse> {
        let requested_model = cx.model_name;
        let model_name = message
            .model
            .as_deref()
            .filter(|m| !m.is_empty())
            .unwrap_or(requested_model)
            .to_owned();
        if message.kind.as_deref() == Some("error") || message.error.is_some() {
            return Err(reported_error(message.error.as_ref(), &model_name, body));
        }
        let Some(content) = message.content else {
            return Err(Error::unexpected_with_body(
                "the message has no `content`",
                body,
            ));
        };
        let provider_name = Some(cx.provider_name.to_owned());
        let mut parts: Vec<ModelResponsePart> = Vec::with_capacity(content.len());
        for block in content {
            match block.kind.as_ref() {
                "text" => parts.push(TextPart::new(block.text.unwrap_or_default()).into()),
                "thinking" => parts.push(
                    ThinkingPart {
                        signature: block.signature.map(Cow::into_owned),
                        provider_name: provider_name.clone(),
                        ..ThinkingPart::new(block.thinking.unwrap_or_default())
                    }
                    .into(),
                ),
                "redacted_thinking" => parts.push(
                    ThinkingPart {
                        id: Some(REDACTED_THINKING_ID.to_owned()),
                        signature: block.data.map(Cow::into_owned),
                        provider_name: provider_name.clone(),
                        ..ThinkingPart::default()
                    }
                    .into(),
                ),
                "tool_use" => {
                    let Some(name) = block.name.filter(|n| !n.is_empty()) else {
                        return Err(Error::unexpected_with_body(
                            "a `tool_use` block has no `name`",
                            body,
                        ));
                    };
                    let id = block
                        .id
                        .filter(|id| !id.is_empty())
                        .map_or_else(generate_tool_call_id, Cow::into_owned);
                    parts.push(
                        ToolCallPart::new(name.into_owned(), tool_input(block.input, body)?, id)
                            .into(),
                    );
                }
                other => warn_unsupported_block(other),
            }
        }

        let mut details = Map::new();
        let mut finish_reason = None;
        if let Some(reason) = message.stop_reason.as_deref() {
            details.insert("finish_reason".into(), Value::String(reason.to_owned()));
            finish_reason = map_stop_reason(reason);
        }
        for (key, value) in
            stop_details_entries(message.stop_details.as_ref(), message.container.as_ref())
        {
            details.insert(key.to_owned(), Value::String(value));
        }
        let usage = usage_from_details(&usage_details(&message.usage.unwrap_or_default()));
        // pydantic-ai keeps (possibly empty) details when stop details came.
        let has_details = !details.is_empty() || message.stop_details.is_some();
        Ok(ModelResponse {
            parts,
            usage,
            model_name: Some(model_name),
            provider_response_id: message.id.map(Cow::into_owned),
            provider_details: has_details.then_some(details),
            finish_reason,
            state: if message.stop_reason.as_deref() == Some("pause_turn") {
                ResponseState::Suspended
            } else {
                ResponseState::Complete
            },
            ..ModelResponse::default()
        })
    }

    /// Applies one stream event to the response being built.
    fn apply_event(
        &self,
        event: WireEvent<'_>,
        raw: &str,
        state: &mut MessagesStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        let index = |event: &WireEvent<'_>| {
            event.index.ok_or_else(|| {
                Error::unexpected_with_body(
                    format!("a `{}` event has no `index`", event.kind),
                    raw.as_bytes(),
                )
            })
        };
        match event.kind.as_ref() {
            "message_start" => {
                let Some(message) = event.message else {
                    return Err(Error::unexpected_with_body(
                        "a `message_start` event has no `message`",
                        raw.as_bytes(),
                    ));
                };
                if let Some(id) = message.id.filter(|id| !id.is_empty()) {
                    parts.provider_response_id = Some(id.into_owned());
                }
                if let Some(model) = message.model.filter(|m| !m.is_empty()) {
                    parts.model_name = model.into_owned();
                }
                if let Some(usage) = &message.usage {
                    state.usage_details = usage_details(usage);
                    parts.usage = usage_from_details(&state.usage_details);
                }
                for (key, value) in stop_details_entries(None, message.container.as_ref()) {
                    insert_detail(parts, key, value);
                }
                if message.content.as_ref().is_some_and(|c| !c.is_empty()) {
                    tracing::warn!(
                        target: "llm_runtime::providers",
                        "`message_start` carried content blocks, which are only read from \
                         `content_block_*` events; they were left out"
                    );
                }
            }
            "content_block_start" => {
                let index = index(&event)?;
                let Some(block) = event.content_block else {
                    return Err(Error::unexpected_with_body(
                        "a `content_block_start` event has no `content_block`",
                        raw.as_bytes(),
                    ));
                };
                self.start_block(index, *block, raw, state, parts)?;
            }
            "content_block_delta" => {
                let index = index(&event)?;
                let Some(delta) = event.delta else {
                    return Err(Error::unexpected_with_body(
                        "a `content_block_delta` event has no `delta`",
                        raw.as_bytes(),
                    ));
                };
                self.block_delta(index, delta, state, parts)?;
            }
            "content_block_stop" => {
                let index = index(&event)?;
                if state.blocks.get(&index) == Some(&OpenBlock::ToolUse) {
                    // A whole response carries the arguments as an object: so does the stream.
                    parts.end_tool_call_args_as_object(VendorId::Index(index));
                }
            }
            "message_delta" => {
                if let Some(usage) = &event.usage {
                    state.usage_details.extend(usage_details(usage));
                    parts.usage = usage_from_details(&state.usage_details);
                }
                if let Some(delta) = &event.delta {
                    if let Some(reason) = delta.stop_reason.as_deref() {
                        insert_detail(parts, "finish_reason", reason);
                        parts.finish_reason = map_stop_reason(reason);
                        parts.state_hint =
                            (reason == "pause_turn").then_some(ResponseState::Suspended);
                    }
                    if delta.stop_details.is_some() && parts.provider_details.is_none() {
                        parts.provider_details = Some(Map::new());
                    }
                    for (key, value) in
                        stop_details_entries(delta.stop_details.as_ref(), delta.container.as_ref())
                    {
                        insert_detail(parts, key, value);
                    }
                }
            }
            "message_stop" => return Ok(Flow::Done),
            "ping" => {}
            "error" => {
                return Err(reported_error(
                    event.error.as_deref(),
                    &parts.model_name,
                    raw.as_bytes(),
                ))
            }
            other => tracing::warn!(
                target: "llm_runtime::providers",
                event = other,
                "an unknown Messages stream event was skipped"
            ),
        }
        Ok(Flow::Continue)
    }

    fn start_block(
        &self,
        index: u64,
        block: WireBlock<'_>,
        raw: &str,
        state: &mut MessagesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        let vendor = Some(VendorId::Index(index));
        let kind = match block.kind.as_ref() {
            "text" => {
                if let Some(text) = block.text.as_deref().filter(|t| !t.is_empty()) {
                    parts.handle_text_delta(vendor, text)?;
                }
                OpenBlock::Text
            }
            "thinking" => {
                let provider_name = stream_provider_name(parts);
                parts.handle_thinking_delta(
                    vendor,
                    Some(block.thinking.as_deref().unwrap_or_default()),
                    block.signature.as_deref(),
                    Some(&provider_name),
                )?;
                OpenBlock::Thinking
            }
            "redacted_thinking" => {
                let part = ThinkingPart {
                    id: Some(REDACTED_THINKING_ID.to_owned()),
                    signature: block.data.map(Cow::into_owned),
                    provider_name: Some(stream_provider_name(parts)),
                    ..ThinkingPart::default()
                };
                parts.handle_part(vendor, part.into());
                OpenBlock::Thinking
            }
            "tool_use" => {
                let input = tool_input(block.input, raw.as_bytes())?;
                let args = match &input {
                    // The arguments arrive as `input_json_delta` fragments after an empty start.
                    ToolArgs::Object(map) if map.is_empty() => None,
                    ToolArgs::Object(map) => Some(ArgsDelta::Object(map.clone())),
                    ToolArgs::Json(text) => Some(ArgsDelta::Json(text)),
                };
                parts.handle_tool_call_delta(
                    vendor,
                    block.name.as_deref(),
                    args,
                    block.id.as_deref().filter(|id| !id.is_empty()),
                )?;
                OpenBlock::ToolUse
            }
            other => {
                warn_unsupported_block(other);
                OpenBlock::Unsupported
            }
        };
        state.blocks.insert(index, kind);
        Ok(())
    }

    fn block_delta(
        &self,
        index: u64,
        delta: WireDelta<'_>,
        state: &mut MessagesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        let open = state.blocks.get(&index).copied();
        if open == Some(OpenBlock::Unsupported) {
            return Ok(());
        }
        let vendor = Some(VendorId::Index(index));
        // The provider name goes on a thinking part when it starts, not on each delta.
        let new_thinking_provider = match open {
            None => Some(stream_provider_name(parts)),
            Some(_) => None,
        };
        let kind = delta.kind.as_deref().unwrap_or("");
        match kind {
            "text_delta" => {
                parts.handle_text_delta(vendor, delta.text.as_deref().unwrap_or_default())?;
                state.blocks.entry(index).or_insert(OpenBlock::Text);
            }
            "thinking_delta" => {
                parts.handle_thinking_delta(
                    vendor,
                    Some(delta.thinking.as_deref().unwrap_or_default()),
                    None,
                    new_thinking_provider.as_deref(),
                )?;
                state.blocks.entry(index).or_insert(OpenBlock::Thinking);
            }
            "signature_delta" => {
                parts.handle_thinking_delta(
                    vendor,
                    None,
                    Some(delta.signature.as_deref().unwrap_or_default()),
                    new_thinking_provider.as_deref(),
                )?;
                state.blocks.entry(index).or_insert(OpenBlock::Thinking);
            }
            "input_json_delta" => {
                let fragment = delta.partial_json.as_deref().unwrap_or_default();
                parts.handle_tool_call_delta(
                    vendor,
                    None,
                    Some(ArgsDelta::Json(fragment)),
                    None,
                )?;
                state.blocks.entry(index).or_insert(OpenBlock::ToolUse);
            }
            other => tracing::warn!(
                target: "llm_runtime::providers",
                delta = other,
                index,
                "a `{other}` delta (citations, or another kind the message model has no field \
                 for) was left out of the response"
            ),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Bodies written from Anthropic's documented format
    //! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
    //! not recorded traffic (that is `tests/anthropic_conformance.rs`).

    use super::*;
    use crate::messages::{
        CachePoint, FileUrl, ModelResponseStreamEvent, RetryContent, SystemPromptPart, TextContent,
        UserPromptPart,
    };
    use crate::models::OutputObjectDefinition;
    use crate::providers::test_support::{kinds, prompt, request_json, run_stream, Streamed};
    #[allow(unused_imports)]
    use crate::providers::ResponseContext;
    use serde_json::json;

    /// The provider name the tests give the protocol.
    const PROVIDER: &str = "anthropic";

    const SONNET_45: &str = "claude-sonnet-4-5";

    fn divide() -> ToolDefinition {
        ToolDefinition::new("divide")
            .with_description("Divide two numbers.")
            .with_parameters(json!({
                "title": "Divide", "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"]
            }))
    }

    fn named(name: &str) -> ToolDefinition {
        ToolDefinition::new(name).with_parameters(json!({"type": "object", "properties": {}}))
    }

    fn protocol() -> AnthropicMessages {
        AnthropicMessages::new()
    }

    fn body_with(
        model: &str,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
        stream: bool,
    ) -> Result<Value> {
        request_json(
            &protocol(),
            PROVIDER,
            model,
            messages,
            settings,
            parameters,
            stream,
        )
    }

    fn body(messages: &[ModelMessage], parameters: &ModelRequestParameters) -> Value {
        body_with(
            SONNET_45,
            messages,
            &ModelSettings::default(),
            parameters,
            false,
        )
        .unwrap()
    }

    fn with_settings(settings: &ModelSettings, model: &str) -> Result<Value> {
        body_with(
            model,
            &prompt("Hi"),
            settings,
            &ModelRequestParameters::default(),
            false,
        )
    }

    fn tools_body(
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
        model: &str,
    ) -> Result<Value> {
        body_with(model, &prompt("Hi"), settings, parameters, false)
    }

    fn user(items: Vec<UserContentItem>) -> ModelMessage {
        ModelRequest::new(vec![UserPromptPart::new(items).into()]).into()
    }

    fn parse(body: Value) -> ModelResponse {
        protocol()
            .parse_response(
                body.to_string().as_bytes(),
                &mut ResponseContext::new(SONNET_45, PROVIDER),
            )
            .unwrap()
    }

    fn parse_err(body: &str) -> Error {
        protocol()
            .parse_response(
                body.as_bytes(),
                &mut ResponseContext::new(SONNET_45, PROVIDER),
            )
            .unwrap_err()
    }

    /// Feeds `(event, data)` pairs as SSE events; returns the response and the events.
    fn stream_events(
        events: &[(&str, Value)],
        parameters: &ModelRequestParameters,
    ) -> Result<Streamed> {
        let parts = PartsManager::new(SONNET_45, parameters).with_provider("anthropic", None);
        let data: Vec<String> = events.iter().map(|(_, data)| data.to_string()).collect();
        run_stream(
            &protocol(),
            parts,
            events
                .iter()
                .zip(&data)
                .map(|((name, _), data)| (*name, data.as_str())),
        )
    }

    fn stream(events: &[(&str, Value)]) -> Streamed {
        stream_events(events, &ModelRequestParameters::default()).unwrap()
    }

    fn message_start(usage: Value) -> (&'static str, Value) {
        (
            "message_start",
            json!({"type": "message_start", "message": {
                "id": "msg_1", "type": "message", "role": "assistant", "content": [],
                "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null,
                "usage": usage}}),
        )
    }

    fn block_start(index: u64, block: Value) -> (&'static str, Value) {
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": block}),
        )
    }

    fn delta(index: u64, delta: Value) -> (&'static str, Value) {
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": index, "delta": delta}),
        )
    }

    fn block_stop(index: u64) -> (&'static str, Value) {
        (
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        )
    }

    fn message_delta(stop_reason: &str, usage: Value) -> (&'static str, Value) {
        (
            "message_delta",
            json!({"type": "message_delta",
                   "delta": {"stop_reason": stop_reason, "stop_sequence": null}, "usage": usage}),
        )
    }

    fn message_stop() -> (&'static str, Value) {
        ("message_stop", json!({"type": "message_stop"}))
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    // -------------------------------------------------------------------------- requests

    #[test]
    fn text_prompt_body_is_the_documented_minimum() {
        assert_eq!(
            body(&prompt("Hello"), &ModelRequestParameters::default()),
            json!({"model": SONNET_45, "max_tokens": 4096,
                   "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
                   "stream": false})
        );
        let streamed = body_with(
            SONNET_45,
            &prompt("Hello"),
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            true,
        )
        .unwrap();
        assert_eq!(streamed["stream"], true);
        assert_eq!(protocol().endpoint(SONNET_45, true), "v1/messages");
    }

    #[test]
    fn system_prompts_and_instructions_go_to_system() {
        let mut first = ModelRequest::new(vec![
            SystemPromptPart::new("Be brief.").into(),
            SystemPromptPart::new("Answer in French.").into(),
            UserPromptPart::new("Hi").into(),
        ]);
        let mut messages: Vec<ModelMessage> = vec![first.clone().into()];
        assert_eq!(
            body(&messages, &ModelRequestParameters::default())["system"],
            json!("Be brief.\n\nAnswer in French.")
        );
        // Instructions (of the latest request that has some) make it a list of text blocks.
        first.instructions = Some("Old.".into());
        messages = vec![
            first.into(),
            ModelResponse::new(vec![TextPart::new("Salut").into()]).into(),
            ModelRequest::user_text_prompt("Again")
                .with_instructions("New.")
                .into(),
        ];
        let value = body(&messages, &ModelRequestParameters::default());
        assert_eq!(
            value["system"],
            json!([{"type": "text", "text": "Be brief.\n\nAnswer in French."},
                   {"type": "text", "text": "New."}])
        );
        assert_eq!(
            value["messages"],
            json!([
                {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "Salut"}]},
                {"role": "user", "content": [{"type": "text", "text": "Again"}]}
            ])
        );
        // Instructions alone; empty instructions and no system prompt leave `system` out.
        let alone = [ModelRequest::user_text_prompt("Hi")
            .with_instructions("Be kind.")
            .into()];
        assert_eq!(
            body(&alone, &ModelRequestParameters::default())["system"],
            json!([{"type": "text", "text": "Be kind."}])
        );
        let empty = [ModelRequest::user_text_prompt("Hi")
            .with_instructions("")
            .into()];
        assert!(body(&empty, &ModelRequestParameters::default())
            .get("system")
            .is_none());
    }

    #[test]
    fn multimodal_user_content() {
        let messages = [user(vec![
            "Compare these.".into(),
            UserContentItem::Text(String::new()),
            UserContentItem::ImageUrl(FileUrl::new("https://example.com/a.png")),
            BinaryContent::new(b"\x89PNG".to_vec(), "image/png").into(),
            UserContentItem::DocumentUrl(FileUrl::new("https://example.com/paper.pdf")),
            BinaryContent::new(b"%PDF-1.4".to_vec(), "application/pdf").into(),
            BinaryContent::new(b"plain words".to_vec(), "text/plain").into(),
            UserContentItem::TextContent(TextContent {
                content: "Thanks.".into(),
                metadata: json!({"not": "sent"}),
                kind: Default::default(),
            }),
        ])];
        assert_eq!(
            body(&messages, &ModelRequestParameters::default())["messages"][0]["content"],
            json!([
                {"type": "text", "text": "Compare these."},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                             "data": "iVBORw=="}},
                {"type": "document", "source": {"type": "url",
                                                "url": "https://example.com/paper.pdf"}},
                {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                                "data": "JVBERi0xLjQ="}},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                                "data": "plain words"}},
                {"type": "text", "text": "Thanks."}
            ])
        );
        // An empty prompt sends no empty text block (and no message).
        let empty = [ModelRequest::user_text_prompt("").into()];
        assert_eq!(
            body(&empty, &ModelRequestParameters::default())["messages"],
            json!([])
        );
    }

    #[test]
    fn content_the_api_cannot_take_is_a_user_error() {
        let cases: Vec<(UserContentItem, &str)> = vec![
            (
                BinaryContent::new(b"RIFF".to_vec(), "audio/wav").into(),
                "does not accept audio",
            ),
            (
                UserContentItem::AudioUrl(FileUrl::new("https://x/a.mp3")),
                "does not accept audio",
            ),
            (
                UserContentItem::VideoUrl(FileUrl::new("https://x/v.mp4")),
                "does not accept video",
            ),
            (
                BinaryContent::new(b"..".to_vec(), "video/mp4").into(),
                "does not accept video",
            ),
            (
                UserContentItem::ImageUrl(FileUrl {
                    force_download: ForceDownload::Yes,
                    ..FileUrl::new("https://x/a.png")
                }),
                "pass it as `BinaryContent`",
            ),
            (
                UserContentItem::DocumentUrl(FileUrl::new("https://x/notes.txt")),
                "pass it as `BinaryContent`",
            ),
            (
                UserContentItem::DocumentUrl(FileUrl::new("https://x/sheet.xlsx")),
                "not `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`",
            ),
            (
                BinaryContent::new(b"{}".to_vec(), "application/json").into(),
                "not `application/json`",
            ),
            (
                BinaryContent::new(vec![0xff, 0xfe], "text/plain").into(),
                "not valid UTF-8",
            ),
        ];
        for (item, expected) in cases {
            let err = body_with(
                SONNET_45,
                &[user(vec![item.clone()])],
                &ModelSettings::default(),
                &ModelRequestParameters::default(),
                false,
            )
            .unwrap_err();
            assert!(
                matches!(err, Error::User { .. }) && err.to_string().contains(expected),
                "{item:?}: {err}"
            );
        }
    }

    #[test]
    fn history_with_tool_calls_returns_and_retries() {
        let mut failed = ToolReturnPart::new("divide", "division by zero", "t3");
        failed.outcome = ToolReturnOutcome::Failed;
        let mut retry_tool = RetryPromptPart::new("b must not be 0");
        retry_tool.tool_name = Some("divide".into());
        retry_tool.tool_call_id = "t4".into();
        retry_tool.content = RetryContent::Text("b must not be 0".into());
        let messages: Vec<ModelMessage> = vec![
            ModelRequest::user_text_prompt("Divide.").into(),
            ModelResponse::new(vec![
                TextPart::new("Let me.").into(),
                TextPart::new("").into(),
                ToolCallPart::new("divide", r#"{"a": 6, "b": 3}"#, "t1").into(),
                ToolCallPart::new("divide", ToolArgs::Object(object(json!({"a": 1}))), "t2").into(),
                ToolCallPart::new("divide", "{oops", "t3").into(),
                ToolCallPart::new("divide", "", "t4").into(),
            ])
            .into(),
            ModelRequest::new(vec![
                ToolReturnPart::new("divide", 2.0, "t1").into(),
                ToolReturnPart::new("divide", json!({"value": 1}), "t2").into(),
                failed.into(),
                retry_tool.into(),
                ToolReturnPart::new("divide", json!(["a", 1, null]), "t5").into(),
                ToolReturnPart::new("divide", json!([]), "t6").into(),
                RetryPromptPart::new("Answer in words.").into(),
            ])
            .into(),
        ];
        let value = body(&messages, &ModelRequestParameters::default());
        assert_eq!(
            value["messages"][1],
            json!({"role": "assistant", "content": [
                {"type": "text", "text": "Let me."},
                {"type": "tool_use", "id": "t1", "name": "divide", "input": {"a": 6, "b": 3}},
                {"type": "tool_use", "id": "t2", "name": "divide", "input": {"a": 1}},
                {"type": "tool_use", "id": "t3", "name": "divide",
                 "input": {"INVALID_JSON": "{oops"}},
                {"type": "tool_use", "id": "t4", "name": "divide", "input": {}}
            ]})
        );
        let retry_text = "b must not be 0\n\nFix the errors and try again.";
        assert_eq!(
            value["messages"][2],
            json!({"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "is_error": false,
                 "content": [{"type": "text", "text": "2.0"}]},
                {"type": "tool_result", "tool_use_id": "t2", "is_error": false,
                 "content": [{"type": "text", "text": "{\"value\":1}"}]},
                {"type": "tool_result", "tool_use_id": "t3", "is_error": true,
                 "content": [{"type": "text", "text": "division by zero"}]},
                {"type": "tool_result", "tool_use_id": "t4", "is_error": true,
                 "content": retry_text},
                {"type": "tool_result", "tool_use_id": "t5", "is_error": false,
                 "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "1"},
                             {"type": "text", "text": "null"}]},
                {"type": "tool_result", "tool_use_id": "t6", "is_error": false, "content": ""},
                {"type": "text",
                 "text": "Validation feedback:\nAnswer in words.\n\nFix the errors and try again."}
            ]})
        );
    }

    #[test]
    fn thinking_goes_back_signed_to_its_provider_only() {
        let signed = ThinkingPart {
            signature: Some("sig-1".into()),
            provider_name: Some("anthropic".into()),
            ..ThinkingPart::new("Plan.")
        };
        let redacted = ThinkingPart {
            id: Some(REDACTED_THINKING_ID.into()),
            signature: Some("opaque".into()),
            provider_name: Some("anthropic".into()),
            ..ThinkingPart::default()
        };
        let foreign = ThinkingPart {
            signature: Some("other-sig".into()),
            provider_name: Some("openai".into()),
            ..ThinkingPart::new("Their plan.")
        };
        let interrupted = ThinkingPart {
            signature: Some(String::new()),
            provider_name: Some("anthropic".into()),
            ..ThinkingPart::new("Cut.")
        };
        let messages: Vec<ModelMessage> = vec![
            ModelRequest::user_text_prompt("Hi").into(),
            ModelResponse::new(vec![
                signed.into(),
                redacted.into(),
                foreign.into(),
                interrupted.into(),
                ThinkingPart::new("").into(),
                TextPart::new("Hello").into(),
            ])
            .into(),
            // A response whose parts all drop out is no message at all.
            ModelResponse::new(vec![ThinkingPart::new("").into()]).into(),
        ];
        let value = body(&messages, &ModelRequestParameters::default());
        assert_eq!(
            value["messages"],
            json!([
                {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                {"role": "assistant", "content": [
                    {"type": "thinking", "thinking": "Plan.", "signature": "sig-1"},
                    {"type": "redacted_thinking", "data": "opaque"},
                    {"type": "text", "text": "<thinking>\nTheir plan.\n</thinking>"},
                    {"type": "text", "text": "<thinking>\nCut.\n</thinking>"},
                    {"type": "text", "text": "Hello"}
                ]}
            ])
        );
    }

    #[test]
    fn tools_carry_their_input_schema() {
        let parameters = ModelRequestParameters {
            function_tools: vec![divide(), ToolDefinition::new("now")],
            ..Default::default()
        };
        let value = body(&prompt("Hi"), &parameters);
        assert_eq!(
            value["tools"],
            json!([
                {"name": "divide", "description": "Divide two numbers.", "input_schema": {
                    "type": "object",
                    "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                    "required": ["a", "b"]}},
                {"name": "now", "description": "",
                 "input_schema": {"type": "object", "properties": {}}}
            ])
        );
        assert_eq!(value["tool_choice"], json!({"type": "auto"}));
    }

    #[test]
    fn tool_choice_maps_to_the_api() {
        let tools = vec![named("a"), named("b"), named("c")];
        let parameters = ModelRequestParameters {
            function_tools: tools.clone(),
            ..Default::default()
        };
        let case = |choice: ToolChoice, parallel: Option<bool>| {
            let settings = ModelSettings {
                tool_choice: Some(choice),
                parallel_tool_calls: parallel,
                ..Default::default()
            };
            let value = tools_body(&settings, &parameters, SONNET_45).unwrap();
            let names: Vec<&str> = value["tools"]
                .as_array()
                .map(|t| t.iter().map(|t| t["name"].as_str().unwrap()).collect())
                .unwrap_or_default();
            (value["tool_choice"].clone(), names.join(","))
        };
        assert_eq!(
            case(ToolChoice::Auto, Some(false)),
            (
                json!({"type": "auto", "disable_parallel_tool_use": true}),
                "a,b,c".into()
            )
        );
        assert_eq!(
            case(ToolChoice::None, Some(false)),
            (json!({"type": "none"}), "a,b,c".into())
        );
        assert_eq!(
            case(ToolChoice::Required, Some(true)),
            (
                json!({"type": "any", "disable_parallel_tool_use": false}),
                "a,b,c".into()
            )
        );
        assert_eq!(
            case(ToolChoice::Tools(vec!["b".into()]), None),
            (json!({"type": "tool", "name": "b"}), "a,b,c".into())
        );
        assert_eq!(
            case(ToolChoice::Tools(vec!["a".into(), "c".into()]), None),
            (json!({"type": "any"}), "a,c".into())
        );
        assert_eq!(
            case(ToolChoice::ToolOrOutput(vec!["c".into()]), None),
            (json!({"type": "auto"}), "c".into())
        );
        // Text output not allowed: a tool must be called.
        let required = ModelRequestParameters {
            allow_text_output: false,
            ..parameters.clone()
        };
        let value = tools_body(&ModelSettings::default(), &required, SONNET_45).unwrap();
        assert_eq!(value["tool_choice"], json!({"type": "any"}));
        // Unknown tool names are an error naming them.
        let settings = ModelSettings {
            tool_choice: Some(ToolChoice::Tools(vec!["zz".into()])),
            ..Default::default()
        };
        let err = tools_body(&settings, &parameters, SONNET_45).unwrap_err();
        assert!(err.to_string().contains("zz"), "{err}");
        // No tools: neither `tools` nor `tool_choice`.
        let value = tools_body(
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            SONNET_45,
        )
        .unwrap();
        assert!(value.get("tools").is_none() && value.get("tool_choice").is_none());
    }

    #[test]
    fn forced_tool_choice_and_extended_thinking() {
        let parameters = ModelRequestParameters {
            function_tools: vec![named("a"), named("b")],
            ..Default::default()
        };
        let thinking = ModelSettings {
            thinking: Some(Thinking::Low),
            tool_choice: Some(ToolChoice::Required),
            ..Default::default()
        };
        // Asked for explicitly: an error.
        let err = tools_body(&thinking, &parameters, SONNET_45).unwrap_err();
        assert!(err.to_string().contains("with extended thinking"), "{err}");
        // Adaptive thinking accepts forcing.
        let value = tools_body(&thinking, &parameters, "claude-sonnet-4-6").unwrap();
        assert_eq!(value["tool_choice"], json!({"type": "any"}));
        // Some models reject forcing outright.
        let plain = ModelSettings {
            tool_choice: Some(ToolChoice::Tools(vec!["a".into()])),
            ..Default::default()
        };
        let err = tools_body(&plain, &parameters, "claude-fable-5").unwrap_err();
        assert!(err.to_string().contains("for this model"), "{err}");
        // Only implied by the output configuration: softly `auto`, with only the tools allowed.
        let output = ModelRequestParameters {
            function_tools: vec![named("a")],
            output_tools: vec![named("final_result")],
            allow_text_output: true,
            output_mode: OutputMode::Tool,
            ..Default::default()
        };
        let none = ModelSettings {
            tool_choice: Some(ToolChoice::None),
            ..Default::default()
        };
        let value = tools_body(&none, &output, "claude-fable-5").unwrap();
        assert_eq!(value["tool_choice"], json!({"type": "auto"}));
        assert_eq!(value["tools"][0]["name"], "final_result");
        assert_eq!(value["tools"].as_array().unwrap().len(), 1);
        // Output tools that must be called cannot be combined with extended thinking.
        let must = ModelRequestParameters {
            allow_text_output: false,
            ..output
        };
        let err = tools_body(
            &ModelSettings {
                thinking: Some(Thinking::Enabled),
                ..Default::default()
            },
            &must,
            SONNET_45,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("thinking and output tools")
                && err.to_string().contains("native"),
            "{err}"
        );
    }

    #[test]
    fn settings_map_to_their_fields() {
        let settings = ModelSettings {
            max_tokens: Some(100),
            temperature: Some(0.5),
            top_p: Some(0.9),
            top_k: Some(40),
            stop_sequences: Some(vec!["END".into()]),
            service_tier: Some("default".into()),
            seed: Some(7),
            presence_penalty: Some(0.1),
            frequency_penalty: Some(0.1),
            timeout: Some(std::time::Duration::from_secs(3)),
            ..Default::default()
        };
        let value = with_settings(&settings, SONNET_45).unwrap();
        assert_eq!(
            value,
            json!({"model": SONNET_45, "max_tokens": 100, "stream": false,
                   "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
                   "temperature": 0.5, "top_p": 0.9, "top_k": 40, "stop_sequences": ["END"],
                   "service_tier": "standard_only"})
        );
        // The newest models reject sampling settings: they are left out.
        let value = with_settings(&settings, "claude-opus-4-7").unwrap();
        assert!(value.get("temperature").is_none() && value.get("top_p").is_none());
        assert!(value.get("top_k").is_none());
        // Service tiers Anthropic does not have are left out.
        for (tier, sent) in [("auto", json!("auto")), ("flex", Value::Null)] {
            let settings = ModelSettings {
                service_tier: Some(tier.into()),
                ..Default::default()
            };
            let value = with_settings(&settings, SONNET_45).unwrap();
            assert_eq!(
                value.get("service_tier").cloned().unwrap_or(Value::Null),
                sent
            );
        }
    }

    #[test]
    fn thinking_becomes_a_budget_or_adaptive_thinking_with_an_effort() {
        let thinking = |level: Thinking, max_tokens: Option<u32>, model: &str| {
            let settings = ModelSettings {
                thinking: Some(level),
                max_tokens,
                ..Default::default()
            };
            with_settings(&settings, model).map(|v| {
                (
                    v["max_tokens"].clone(),
                    v.get("thinking").cloned().unwrap_or(Value::Null),
                    v.get("output_config").cloned().unwrap_or(Value::Null),
                )
            })
        };
        assert_eq!(
            thinking(Thinking::Low, None, SONNET_45).unwrap(),
            (
                json!(4096),
                json!({"type": "enabled", "budget_tokens": 2048}),
                Value::Null
            )
        );
        // The default `max_tokens` keeps room for the answer above a larger budget.
        assert_eq!(
            thinking(Thinking::High, None, SONNET_45).unwrap(),
            (
                json!(16384 + 4096),
                json!({"type": "enabled", "budget_tokens": 16384}),
                Value::Null
            )
        );
        let err = thinking(Thinking::Enabled, Some(8000), SONNET_45).unwrap_err();
        assert!(
            err.to_string()
                .contains("must be greater than the thinking budget (10000"),
            "{err}"
        );
        assert_eq!(
            thinking(Thinking::Disabled, None, SONNET_45).unwrap(),
            (json!(4096), Value::Null, Value::Null)
        );
        assert_eq!(
            thinking(Thinking::High, None, "claude-opus-4-6").unwrap(),
            (
                json!(4096),
                json!({"type": "adaptive"}),
                json!({"effort": "high"})
            )
        );
        assert_eq!(
            thinking(Thinking::XHigh, None, "claude-opus-4-6")
                .unwrap()
                .2,
            json!({"effort": "max"})
        );
        assert_eq!(
            thinking(Thinking::XHigh, None, "claude-opus-4-7")
                .unwrap()
                .2,
            json!({"effort": "xhigh"})
        );
        assert_eq!(
            thinking(Thinking::Enabled, None, "claude-sonnet-4-6").unwrap(),
            (json!(4096), json!({"type": "adaptive"}), Value::Null)
        );
    }

    #[test]
    fn structured_output_natively_or_with_strict_tools() {
        let object = OutputObjectDefinition {
            json_schema: json!({"type": "object", "title": "City",
                                "properties": {"name": {"type": "string", "minLength": 1}},
                                "required": ["name"]}),
            name: Some("City".into()),
            description: None,
            strict: None,
        };
        let native = ModelRequestParameters {
            output_mode: OutputMode::Native,
            output_object: Some(object.clone()),
            ..Default::default()
        };
        let value = tools_body(&ModelSettings::default(), &native, SONNET_45).unwrap();
        assert_eq!(
            value["output_config"],
            json!({"format": {"type": "json_schema", "schema": {
                "type": "object",
                "properties": {"name": {"type": "string", "description": "{minLength: 1}"}},
                "additionalProperties": false, "required": ["name"]}}})
        );
        let err = tools_body(
            &ModelSettings::default(),
            &native,
            "claude-3-5-haiku-latest",
        )
        .unwrap_err();
        assert!(err
            .to_string()
            .contains("not supported by `claude-3-5-haiku-latest`"));
        let lax = ModelRequestParameters {
            output_object: Some(OutputObjectDefinition {
                strict: Some(false),
                ..object
            }),
            ..native
        };
        let err = tools_body(&ModelSettings::default(), &lax, SONNET_45).unwrap_err();
        assert!(err.to_string().contains("`strict: false`"), "{err}");
        let image = ModelRequestParameters {
            output_mode: OutputMode::Image,
            ..Default::default()
        };
        assert!(tools_body(&ModelSettings::default(), &image, SONNET_45).is_err());

        // A strict tool is sent strict (and its schema made strict) where the model supports it.
        let strict_tool = ModelRequestParameters {
            function_tools: vec![divide().with_strict(true)],
            ..Default::default()
        };
        let value = tools_body(&ModelSettings::default(), &strict_tool, SONNET_45).unwrap();
        assert_eq!(value["tools"][0]["strict"], true);
        assert_eq!(
            value["tools"][0]["input_schema"]["additionalProperties"],
            false
        );
        let value = tools_body(
            &ModelSettings::default(),
            &strict_tool,
            "claude-3-5-haiku-latest",
        )
        .unwrap();
        assert!(value["tools"][0].get("strict").is_none());
    }

    #[test]
    fn cache_points_mark_the_block_before_them() {
        let messages: Vec<ModelMessage> = vec![
            user(vec![
                "Long document.".into(),
                UserContentItem::CachePoint(CachePoint::default()),
            ]),
            ModelResponse::new(vec![TextPart::new("Read.").into()]).into(),
            user(vec![
                UserContentItem::CachePoint(CachePoint {
                    ttl: "1h".into(),
                    ..CachePoint::default()
                }),
                "Question?".into(),
            ]),
        ];
        let value = body(&messages, &ModelRequestParameters::default());
        assert_eq!(
            value["messages"][0]["content"][0]["cache_control"],
            json!({"type": "ephemeral", "ttl": "5m"})
        );
        assert_eq!(
            value["messages"][1]["content"][0]["cache_control"],
            json!({"type": "ephemeral", "ttl": "1h"})
        );
        assert!(value["messages"][2]["content"][0]
            .get("cache_control")
            .is_none());

        // Nothing to mark, or a block that cannot be cached: errors.
        let first = [user(vec![UserContentItem::CachePoint(
            CachePoint::default(),
        )])];
        let err = body_with(
            SONNET_45,
            &first,
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            false,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("cannot be the first content"),
            "{err}"
        );
        let after_thinking: Vec<ModelMessage> = vec![
            ModelRequest::user_text_prompt("Hi").into(),
            ModelResponse::new(vec![ThinkingPart {
                signature: Some("s".into()),
                provider_name: Some("anthropic".into()),
                ..ThinkingPart::new("t")
            }
            .into()])
            .into(),
            user(vec![UserContentItem::CachePoint(CachePoint::default())]),
        ];
        let err = body_with(
            SONNET_45,
            &after_thinking,
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("`thinking` block"), "{err}");

        // At most four breakpoints: the newest are kept.
        let mut items = Vec::new();
        for i in 0..6 {
            items.push(UserContentItem::Text(format!("part {i}")));
            items.push(UserContentItem::CachePoint(CachePoint::default()));
        }
        let value = body(&[user(items)], &ModelRequestParameters::default());
        let marked: Vec<bool> = value["messages"][0]["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.get("cache_control").is_some())
            .collect();
        assert_eq!(marked, [false, false, true, true, true, true]);
    }

    // -------------------------------------------------------------------------- responses

    #[test]
    fn parses_text_thinking_tool_use_usage_and_details() {
        let response = parse(json!({
            "id": "msg_01", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": [
                {"type": "thinking", "thinking": "Plan.", "signature": "sig=="},
                {"type": "redacted_thinking", "data": "opaque=="},
                {"type": "text", "text": "Let me divide.", "citations": null},
                {"type": "tool_use", "id": "toolu_01", "name": "divide", "input": {"a": 6, "b": 3}}
            ],
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 10, "output_tokens": 20,
                      "cache_creation_input_tokens": 100, "cache_read_input_tokens": 1000,
                      "output_tokens_details": {"thinking_tokens": 7},
                      "service_tier": "standard"}
        }));
        assert_eq!(
            response.parts,
            vec![
                ThinkingPart {
                    signature: Some("sig==".into()),
                    provider_name: Some("anthropic".into()),
                    ..ThinkingPart::new("Plan.")
                }
                .into(),
                ThinkingPart {
                    id: Some(REDACTED_THINKING_ID.into()),
                    signature: Some("opaque==".into()),
                    provider_name: Some("anthropic".into()),
                    ..ThinkingPart::default()
                }
                .into(),
                TextPart::new("Let me divide.").into(),
                ToolCallPart::new(
                    "divide",
                    ToolArgs::Object(object(json!({"a": 6, "b": 3}))),
                    "toolu_01"
                )
                .into(),
            ]
        );
        assert_eq!(
            (
                response.usage.requests,
                response.usage.request_tokens,
                response.usage.cache_write_tokens,
                response.usage.cache_read_tokens,
                response.usage.response_tokens,
                response.usage.total_tokens
            ),
            (1, 1110, 100, 1000, 20, 1130)
        );
        assert_eq!(
            serde_json::to_value(&response.usage.details).unwrap(),
            json!({"input_tokens": 10, "output_tokens": 20, "cache_creation_input_tokens": 100,
                   "cache_read_input_tokens": 1000, "thinking_tokens": 7})
        );
        assert_eq!(
            response.model_name.as_deref(),
            Some("claude-sonnet-4-5-20250929")
        );
        assert_eq!(response.provider_response_id.as_deref(), Some("msg_01"));
        assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
        assert_eq!(
            response.provider_details,
            Some(object(json!({"finish_reason": "tool_use"})))
        );
        assert_eq!(response.state, ResponseState::Complete);
    }

    #[test]
    fn stop_reasons_refusals_pauses_and_containers() {
        let with = |stop: Value, extra: Value| {
            let mut body = json!({"id": "msg", "type": "message", "model": "m",
                                  "content": [], "stop_reason": stop,
                                  "usage": {"input_tokens": 1, "output_tokens": 1}});
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            parse(body)
        };
        for (raw, expected) in [
            ("end_turn", Some(FinishReason::Stop)),
            ("stop_sequence", Some(FinishReason::Stop)),
            ("max_tokens", Some(FinishReason::Length)),
            ("model_context_window_exceeded", Some(FinishReason::Length)),
            ("tool_use", Some(FinishReason::ToolCall)),
            ("refusal", Some(FinishReason::ContentFilter)),
            ("pause_turn", None),
            ("something_new", None),
        ] {
            let response = with(json!(raw), json!({}));
            assert_eq!(response.finish_reason, expected, "{raw}");
            assert_eq!(
                response.provider_details.unwrap()["finish_reason"],
                json!(raw)
            );
            let state = if raw == "pause_turn" {
                ResponseState::Suspended
            } else {
                ResponseState::Complete
            };
            assert_eq!(response.state, state, "{raw}");
        }
        let refusal = with(
            json!("refusal"),
            json!({"stop_details": {"explanation": "Not that.", "category": "cyber"},
                   "container": {"id": "container_1", "expires_at": "2026-01-01T00:00:00Z"}}),
        );
        assert_eq!(
            refusal.provider_details,
            Some(object(
                json!({"finish_reason": "refusal", "refusal": "Not that.",
                               "refusal_category": "cyber", "container_id": "container_1"})
            ))
        );
        assert_eq!(with(Value::Null, json!({})).provider_details, None);
    }

    #[test]
    fn lenient_with_compatible_servers() {
        // llama.cpp-like: no cache counts, a tool call without `input`, no stop details.
        let response = parse(json!({
            "id": "chatcmpl-x", "type": "message", "role": "assistant", "model": "smollm2",
            "content": [{"type": "tool_use", "id": "abc", "name": "now"},
                        {"type": "tool_use", "id": "", "name": "later", "input": null}],
            "stop_reason": "tool_use", "usage": {"input_tokens": 5, "output_tokens": 2}
        }));
        let calls = response.tool_calls();
        assert_eq!(calls[0].args, Some(ToolArgs::Object(Map::new())));
        assert_eq!(calls[0].tool_call_id, "abc");
        assert!(calls[1].tool_call_id.starts_with("pyd_ai_"));
        assert_eq!(
            (
                response.usage.request_tokens,
                response.usage.response_tokens
            ),
            (5, 2)
        );
        // No usage, no model, no id.
        let response = parse(json!({"content": [{"type": "text", "text": "Hi"}]}));
        assert_eq!(response.text(), "Hi");
        assert_eq!(response.model_name.as_deref(), Some(SONNET_45));
        assert_eq!(
            (response.usage.requests, response.usage.total_tokens),
            (1, 0)
        );
        assert_eq!(response.provider_response_id, None);
    }

    #[test]
    fn server_tool_blocks_are_left_out_with_a_warning() {
        let response = parse(json!({
            "id": "msg", "type": "message", "model": "m",
            "content": [
                {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
                 "input": {"query": "weather"}},
                {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
                {"type": "text", "text": "Sunny."}
            ],
            "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}
        }));
        assert_eq!(response.parts, vec![TextPart::new("Sunny.").into()]);
    }

    #[test]
    fn compaction_iterations_count_in_the_usage() {
        let response = parse(json!({
            "content": [{"type": "text", "text": "ok"}],
            "usage": {"input_tokens": 229, "output_tokens": 5, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0, "iterations": [
                {"type": "compaction", "input_tokens": 100, "output_tokens": 131,
                 "cache_creation_input_tokens": 55096, "cache_read_input_tokens": 0},
                {"type": "message", "input_tokens": 229, "output_tokens": 5,
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
                {"type": "advisor_message", "input_tokens": 40, "output_tokens": 4}]}
        }));
        let usage = &response.usage;
        assert_eq!(
            (
                usage.request_tokens,
                usage.cache_write_tokens,
                usage.response_tokens
            ),
            (229 + 100 + 55096, 55096, 136)
        );
        assert_eq!(
            serde_json::to_value(&usage.details).unwrap(),
            json!({"input_tokens": 229, "output_tokens": 5, "cache_creation_input_tokens": 0,
                   "cache_read_input_tokens": 0, "message_iterations": 1,
                   "compaction_iterations": 1, "compaction_input_tokens": 100,
                   "compaction_output_tokens": 131,
                   "compaction_cache_creation_input_tokens": 55096,
                   "advisor_iterations": 1, "advisor_input_tokens": 40,
                   "advisor_output_tokens": 4})
        );
    }

    #[test]
    fn malformed_and_error_bodies_are_typed_errors() {
        let err = parse_err("not json");
        assert!(
            matches!(&err, Error::UnexpectedModelBehavior { body: Some(b), .. } if b == "not json"),
            "{err:?}"
        );
        let overloaded =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let err = parse_err(overloaded);
        assert_eq!(err.status(), Some(529));
        assert!(err.is_retryable());
        assert!(err.to_string().contains("Overloaded"), "{err}");
        let err = parse_err(r#"{"type":"error","error":{"type":"new_error","message":"Hm"}}"#);
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }) && err.to_string().contains("Hm"),
            "{err}"
        );
        for (body, expected) in [
            (r#"{"type":"message","id":"m"}"#, "no `content`"),
            (
                r#"{"content":[{"type":"tool_use","id":"t","input":{}}]}"#,
                "no `name`",
            ),
            (
                r#"{"content":[{"type":"tool_use","id":"t","name":"f","input":3}]}"#,
                "not an object",
            ),
            (r#"{"content":[],"usage":{"input_tokens":-1}}"#, "invalid"),
            (r#"{"content":[{"text":"no type"}]}"#, "invalid"),
        ] {
            let err = parse_err(body);
            assert!(
                matches!(&err, Error::UnexpectedModelBehavior { body: Some(b), .. } if b == body)
                    && err.to_string().contains(expected),
                "{body}: {err}"
            );
        }
    }

    // -------------------------------------------------------------------------- streams

    #[test]
    fn streams_thinking_text_and_a_tool_call() {
        let (response, events) = stream(&[
            message_start(json!({"input_tokens": 25, "output_tokens": 1,
                                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 3})),
            block_start(
                0,
                json!({"type": "thinking", "thinking": "", "signature": ""}),
            ),
            ("ping", json!({"type": "ping"})),
            delta(0, json!({"type": "thinking_delta", "thinking": "Divide "})),
            delta(0, json!({"type": "thinking_delta", "thinking": "six."})),
            delta(0, json!({"type": "signature_delta", "signature": "sig=="})),
            block_stop(0),
            block_start(1, json!({"type": "text", "text": ""})),
            delta(1, json!({"type": "text_delta", "text": "Sure"})),
            delta(1, json!({"type": "text_delta", "text": "."})),
            block_stop(1),
            block_start(
                2,
                json!({"type": "tool_use", "id": "toolu_1", "name": "divide", "input": {}}),
            ),
            delta(2, json!({"type": "input_json_delta", "partial_json": ""})),
            delta(
                2,
                json!({"type": "input_json_delta", "partial_json": "{\"a\": 6, "}),
            ),
            delta(
                2,
                json!({"type": "input_json_delta", "partial_json": "\"b\": 3}"}),
            ),
            block_stop(2),
            message_delta("tool_use", json!({"output_tokens": 42})),
            message_stop(),
        ]);
        assert_eq!(
            response.parts,
            vec![
                ThinkingPart {
                    signature: Some("sig==".into()),
                    provider_name: Some("anthropic".into()),
                    ..ThinkingPart::new("Divide six.")
                }
                .into(),
                TextPart::new("Sure.").into(),
                ToolCallPart::new(
                    "divide",
                    ToolArgs::Object(object(json!({"a": 6, "b": 3}))),
                    "toolu_1"
                )
                .into(),
            ]
        );
        assert_eq!(
            kinds(&events),
            [
                "start0", "delta0", "delta0", "delta0", "end0", "start1", "final", "delta1",
                "end1", "start2", "delta2", "delta2", "delta2", "end2"
            ]
        );
        // The deltas name no provider: the part got it when it started.
        let ModelResponseStreamEvent::PartDelta(first) = &events[1] else {
            unreachable!()
        };
        assert_eq!(
            serde_json::to_value(&first.delta).unwrap()["provider_name"],
            Value::Null
        );
        assert_eq!(
            (
                response.usage.request_tokens,
                response.usage.cache_read_tokens
            ),
            (28, 3)
        );
        assert_eq!(response.usage.response_tokens, 42);
        assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
        assert_eq!(
            response.model_name.as_deref(),
            Some("claude-sonnet-4-5-20250929")
        );
        assert_eq!(response.provider_response_id.as_deref(), Some("msg_1"));
    }

    #[test]
    fn streamed_and_whole_responses_are_equal() {
        let whole = json!({
            "id": "msg_1", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": [
                {"type": "thinking", "thinking": "Plan.", "signature": "sig=="},
                {"type": "redacted_thinking", "data": "opaque=="},
                {"type": "text", "text": "Sure."},
                {"type": "tool_use", "id": "toolu_1", "name": "divide",
                 "input": {"a": 6, "b": 3.5, "nested": {"x": [1, 2]}}},
                {"type": "tool_use", "id": "toolu_2", "name": "now", "input": {}}
            ],
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 12, "output_tokens": 30,
                      "cache_creation_input_tokens": 4, "cache_read_input_tokens": 0}
        });
        let parsed = parse(whole);
        let (mut streamed, _) = stream(&[
            message_start(json!({"input_tokens": 12, "output_tokens": 1,
                                 "cache_creation_input_tokens": 4, "cache_read_input_tokens": 0})),
            block_start(
                0,
                json!({"type": "thinking", "thinking": "", "signature": ""}),
            ),
            delta(0, json!({"type": "thinking_delta", "thinking": "Pl"})),
            delta(0, json!({"type": "thinking_delta", "thinking": "an."})),
            delta(0, json!({"type": "signature_delta", "signature": "sig=="})),
            block_stop(0),
            block_start(1, json!({"type": "redacted_thinking", "data": "opaque=="})),
            block_stop(1),
            block_start(2, json!({"type": "text", "text": ""})),
            delta(2, json!({"type": "text_delta", "text": "Sure."})),
            block_stop(2),
            block_start(
                3,
                json!({"type": "tool_use", "id": "toolu_1", "name": "divide", "input": {}}),
            ),
            delta(
                3,
                json!({"type": "input_json_delta", "partial_json": "{\"a\": 6, \"b\": 3.5,"}),
            ),
            delta(
                3,
                json!({"type": "input_json_delta",
                            "partial_json": " \"nested\": {\"x\": [1, 2]}}"}),
            ),
            block_stop(3),
            block_start(
                4,
                json!({"type": "tool_use", "id": "toolu_2", "name": "now",
                                  "input": {}}),
            ),
            block_stop(4),
            message_delta("tool_use", json!({"output_tokens": 30})),
            message_stop(),
        ]);
        // The provider name and URL are set by the HTTP layer; the timestamps are when each
        // was received. Everything else is equal.
        streamed.provider_name = None;
        streamed.timestamp = parsed.timestamp;
        assert_eq!(streamed, parsed);
    }

    #[test]
    fn stream_usage_merges_the_counts_of_each_event() {
        let (response, _) = stream(&[
            message_start(json!({"input_tokens": 40, "output_tokens": 1,
                                 "cache_creation_input_tokens": 2, "cache_read_input_tokens": 0})),
            block_start(0, json!({"type": "text", "text": "Hi"})),
            block_stop(0),
            message_delta(
                "end_turn",
                json!({"input_tokens": 40, "cache_read_input_tokens": 8, "output_tokens": 9}),
            ),
            message_stop(),
        ]);
        assert_eq!(response.text(), "Hi");
        assert_eq!(
            (
                response.usage.request_tokens,
                response.usage.cache_write_tokens,
                response.usage.cache_read_tokens,
                response.usage.response_tokens
            ),
            (50, 2, 8, 9)
        );
        assert_eq!(
            response.provider_details,
            Some(object(json!({"finish_reason": "end_turn"})))
        );
    }

    #[test]
    fn streams_from_compatible_servers_and_unknown_blocks() {
        // llama.cpp starts `tool_use` without `input`; a pause; blocks and deltas the message
        // model has no part for are skipped; unknown events too.
        let (response, _) = stream(&[
            message_start(json!({"input_tokens": 5, "output_tokens": 0})),
            block_start(
                0,
                json!({"type": "server_tool_use", "id": "srv", "name": "web_search",
                                  "input": {}}),
            ),
            delta(
                0,
                json!({"type": "input_json_delta", "partial_json": "{\"query\": \"x\"}"}),
            ),
            block_stop(0),
            block_start(1, json!({"type": "text", "text": "Found "})),
            delta(
                1,
                json!({"type": "citations_delta", "citation": {"type": "web"}}),
            ),
            delta(1, json!({"type": "text_delta", "text": "it."})),
            block_stop(1),
            block_start(2, json!({"type": "tool_use", "id": "abc", "name": "now"})),
            block_stop(2),
            ("future_event", json!({"type": "future_event"})),
            message_delta("pause_turn", json!({"output_tokens": 3})),
            message_stop(),
        ]);
        assert_eq!(
            response.parts,
            vec![
                TextPart::new("Found it.").into(),
                ToolCallPart::new("now", ToolArgs::Object(Map::new()), "abc").into(),
            ]
        );
        assert_eq!(response.state, ResponseState::Suspended);
        assert_eq!(response.finish_reason, None);
    }

    #[test]
    fn stream_errors_are_typed() {
        let parameters = ModelRequestParameters::default();
        // An error event: the status its type stands for.
        let err = stream_events(
            &[
                message_start(json!({"input_tokens": 1, "output_tokens": 1})),
                (
                    "error",
                    json!({"type": "error",
                           "error": {"type": "overloaded_error", "message": "Overloaded"}}),
                ),
            ],
            &parameters,
        )
        .unwrap_err();
        assert_eq!(err.status(), Some(529));
        assert!(err.is_retryable() && err.to_string().contains("overloaded_error"));
        // Without `message_stop`, the response is truncated, even after the stop reason.
        for events in [
            vec![
                message_start(json!({"input_tokens": 1})),
                block_start(0, json!({"type": "text", "text": "Hal"})),
            ],
            vec![
                message_start(json!({"input_tokens": 1})),
                message_delta("end_turn", json!({"output_tokens": 1})),
            ],
        ] {
            let err = stream_events(&events, &parameters).unwrap_err();
            assert!(
                matches!(err, Error::UnexpectedModelBehavior { .. })
                    && err.to_string().contains("truncated"),
                "{err}"
            );
        }
        // Malformed events keep their bytes.
        let protocol = protocol();
        let mut parts = PartsManager::new(SONNET_45, &parameters);
        let mut state = MessagesStreamState::default();
        for (name, data, expected) in [
            (
                "content_block_delta",
                "{not json",
                "invalid Messages stream event",
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}"#,
                "has no `index`",
            ),
            (
                "message_start",
                r#"{"type":"message_start"}"#,
                "has no `message`",
            ),
            ("error", "Internal Server Error", "reported an error"),
        ] {
            let event = crate::providers::RawEvent::new(name, data);
            let err = crate::providers::apply_event(&protocol, event, &mut state, &mut parts)
                .unwrap_err();
            assert!(
                matches!(&err, Error::UnexpectedModelBehavior { body: Some(b), .. } if b == data)
                    && err.to_string().contains(expected),
                "{data}: {err}"
            );
        }
        // A delta of another kind than its block is an error, not a panic.
        let err = stream_events(
            &[
                block_start(0, json!({"type": "text", "text": "a"})),
                delta(0, json!({"type": "input_json_delta", "partial_json": "{}"})),
            ],
            &parameters,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{err}"
        );
    }
}
