//! The OpenAI Responses protocol (`POST /responses`): OpenAI's API for its reasoning models,
//! also served by compatible servers (llama.cpp, vLLM, Ollama, Azure's v1 API).
//!
//! API reference: <https://platform.openai.com/docs/api-reference/responses>.
//!
//! The translation follows pydantic-ai's `OpenAIResponsesModel`: `instructions` beside the
//! `input` items (messages, `function_call`, `function_call_output`, `reasoning`), item ids and
//! encrypted reasoning sent back only to the provider that produced them, function tools made
//! strict by OpenAI's transformer where compatible, `tool_choice` with `allowed_tools`,
//! `text.format` for native and prompted structured output, `reasoning.effort` from
//! [`ModelSettings::thinking`], and `include: ["reasoning.encrypted_content"]` for reasoning
//! models; `store` is left to the API's default, as pydantic-ai does. Parsing gives text parts
//! with their message id, tool calls with their item `id` and `call_id`, thinking parts with
//! their item id and encrypted reasoning as `signature`, the same usage, finish reasons and
//! `provider_details`, and the `suspended` state of a pending background response.
//!
//! Built-in tools (web search, code interpreter, image generation, file search, MCP) have no part
//! in the message model: their output items are reported with a warning and left out.
//!
//! Where it departs from pydantic-ai, on purpose: turning reasoning on with
//! [`ModelSettings::thinking`] also asks for its summary ([`ReasoningSummary`]), which
//! pydantic-ai leaves to a setting of its own; a failed response is an error, not a response
//! with finish reason `error`; a refusal keeps the reasoning parts (a stream has given them
//! already); `response.incomplete` gives its finish reason when streamed too; and a stream from a
//! server that skips item events still gives every item of its `response.completed`.
//!
//! Pure translation: no I/O here.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{self, guard_id, insert_detail, json_body, needs_download, parse_body, CowStr};
use super::openai_chat::{
    cow, document_format, effort, image_detail, openai_reasoning_support, openai_system_role,
    timestamp_detail, token_logprobs, warn_sampling_dropped, Count, ReasoningSupport, TokenLogprob,
    WireArgs, DEFAULT_OUTPUT_NAME,
};
use super::tool_choice::{resolve_tool_choice, tool_definitions, ResolvedToolChoice};
use super::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, BinaryContent, FinishReason, ForceDownload, ModelMessage, ModelRequest,
    ModelRequestPart, ModelResponse, ModelResponsePart, ResponseState, TextPart, ThinkingPart,
    ToolArgs, ToolCallPart, UserContent, UserContentItem,
};
use crate::models::{instructions, ModelProfile, ModelRequestParameters, OutputMode};
use crate::provider;
use crate::schema::{self, SchemaTransformer};
use crate::settings::{ModelSettings, Thinking};
use crate::stream::{ArgsDelta, PartsManager, VendorId};
use crate::tools::ToolDefinition;
use crate::usage::Usage;
use crate::warning::Warnings;

/// [OpenAI](https://platform.openai.com/docs/api-reference/responses)'s Responses API
/// (`openai-responses:gpt-5`), with the key and base URL of `openai`: `OPENAI_API_KEY`,
/// `OPENAI_BASE_URL`.
#[provider(name = "openai-responses", base_url = "https://api.openai.com/v1",
    api_key_env = "OPENAI_API_KEY", base_url_env = "OPENAI_BASE_URL", protocol = OpenAiResponses)]
pub struct OpenAiResponsesHost;

/// Which reasoning summary is asked for (`reasoning.summary`) when [`ModelSettings::thinking`]
/// turns reasoning on; without a summary a reasoning model returns only its encrypted reasoning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasoningSummary {
    /// None is asked for.
    Off,
    /// `auto`: the most detailed summary the model offers (the default).
    Auto,
    /// `concise`.
    Concise,
    /// `detailed`.
    Detailed,
}

impl ReasoningSummary {
    fn as_param(self) -> Option<&'static str> {
        match self {
            ReasoningSummary::Off => None,
            ReasoningSummary::Auto => Some("auto"),
            ReasoningSummary::Concise => Some("concise"),
            ReasoningSummary::Detailed => Some("detailed"),
        }
    }
}

/// The OpenAI Responses protocol.
///
/// `OpenAiResponses::default()` is OpenAI itself; a compatible server changes what it needs
/// with the `const` setters:
///
/// ```
/// use llm_runtime::providers::openai_responses::{OpenAiResponses, ReasoningSummary};
///
/// // A server that rejects `strict` and reasoning summaries.
/// const LOCAL: OpenAiResponses = OpenAiResponses::new()
///     .with_strict_tools(false)
///     .with_reasoning_summary(ReasoningSummary::Off);
/// # let _ = LOCAL;
/// ```
///
/// What depends on the model follows OpenAI's model families, by name: reasoning models (o-series,
/// GPT-5) get `include: ["reasoning.encrypted_content"]`, take item ids back and have sampling
/// settings dropped (with a warning) while they reason; GPT-5.4 and later get
/// `reasoning.context: "all_turns"` and `phase` on assistant messages. Settings the API has no
/// field for (`top_k`, `seed`, penalties, `logit_bias`, `stop_sequences`) are reported with a
/// warning and not sent.
///
/// Errors: a malformed body or event is an [`Error::UnexpectedModelBehavior`] with the offending
/// bytes, and so are a failed response (`status: "failed"`, `response.failed`), an `error`
/// event, and a stream that ends before `response.completed`.
#[derive(Debug, Clone)]
pub struct OpenAiResponses {
    endpoint: &'static str,
    strict_tools: bool,
    schema_transformer: SchemaTransformer,
    reasoning_summary: ReasoningSummary,
}

impl Default for OpenAiResponses {
    fn default() -> Self {
        OpenAiResponses::new()
    }
}

impl OpenAiResponses {
    /// The protocol as OpenAI speaks it (the same as `default()`, usable in constants).
    pub const fn new() -> Self {
        OpenAiResponses {
            endpoint: "responses",
            strict_tools: true,
            schema_transformer: schema::openai::transform,
            reasoning_summary: ReasoningSummary::Auto,
        }
    }

    /// Sends requests to `path`, relative to the provider's base URL, instead of `responses`.
    pub const fn with_endpoint(mut self, path: &'static str) -> Self {
        self.endpoint = path;
        self
    }

    /// Whether the server accepts `strict: true` on tools and on the output schema; without it
    /// `strict` is always `false`.
    pub const fn with_strict_tools(mut self, supported: bool) -> Self {
        self.strict_tools = supported;
        self
    }

    /// Chooses the JSON-schema transformer applied to tool parameters and to the output schema
    /// (default: [`schema::openai::transform`]).
    pub const fn with_schema_transformer(mut self, transformer: SchemaTransformer) -> Self {
        self.schema_transformer = transformer;
        self
    }

    /// Chooses the reasoning summary asked for when [`ModelSettings::thinking`] turns reasoning
    /// on (default [`ReasoningSummary::Auto`]; OpenAI requires a verified organization for
    /// summaries of some models).
    pub const fn with_reasoning_summary(mut self, summary: ReasoningSummary) -> Self {
        self.reasoning_summary = summary;
        self
    }
}

/// One stream event: its type (the SSE event name, else the `type` in its data) and its data.
#[derive(Debug)]
pub struct ResponsesEvent<'a> {
    kind: Cow<'a, str>,
    data: &'a str,
}

/// What a model of OpenAI's families supports, by name (pydantic-ai's `openai_model_profile`).
#[derive(Debug, Clone, Copy)]
struct ModelFacts {
    reasoning: ReasoningSupport,
    /// Accepts `reasoning.context: "all_turns"`.
    reasoning_context: bool,
    /// Labels assistant messages with `phase` and wants it back.
    phase: bool,
    /// Accepts `reasoning.effort: "minimal"`.
    minimal_effort: bool,
}

impl ModelFacts {
    fn of(model: &str) -> Self {
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| model.starts_with(p));
        ModelFacts {
            reasoning: openai_reasoning_support(model),
            reasoning_context: starts(&["gpt-5.4", "gpt-5.5", "gpt-5.6"]),
            phase: starts(&["gpt-5.3-codex", "gpt-5.4", "gpt-5.5", "gpt-5.6"]),
            minimal_effort: !model.starts_with("gpt-5.6"),
        }
    }

    /// Whether the model returns encrypted reasoning, and so takes item ids back.
    fn encrypted_reasoning(self) -> bool {
        self.reasoning.supported()
    }
}

/// What a stream of the Responses protocol remembers between events.
#[derive(Debug, Default)]
pub struct ResponsesStreamState {
    /// Vendor ids (item ids, and `<item>-<n>` for later summaries) whose part was started.
    started: HashSet<String>,
    /// Output items seen in `output_item.added` or `.done` events.
    seen_items: HashSet<String>,
    /// Function calls whose arguments were streamed.
    args_streamed: HashSet<String>,
    /// Arguments streamed for calls not yet announced (kept until their item arrives).
    early_args: HashMap<String, String>,
    /// The `phase` of message items, until it rides on their first text.
    phases: HashMap<String, String>,
    /// Raw reasoning text (`reasoning_text` deltas), by item and content index.
    raw_reasoning: HashMap<String, BTreeMap<u64, String>>,
    /// The model refused; its text so far.
    refusal: Option<String>,
    timestamp_set: bool,
    /// The response runs in the background (`background: true`).
    background: bool,
    /// The last status was `queued` or `in_progress`.
    pending: bool,
    /// `response.completed` or `response.incomplete` arrived.
    terminal: bool,
    last_sequence_number: Option<u64>,
}

impl Protocol for OpenAiResponses {
    type StreamState = ResponsesStreamState;
    type Event<'a> = ResponsesEvent<'a>;
    const EVENT_DESCRIPTION: &'static str = "Responses API event";

    fn endpoint(&self, _model_name: &str, _stream: bool) -> String {
        self.endpoint.to_owned()
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
        let response: WireResponse<'_> = parse_body(body, "Responses API response")?;
        self.response_from(response, cx, body)
    }

    /// Reads the event's type; its data is parsed by [`on_event`](Protocol::on_event) into
    /// the type's own fields. (`[DONE]`, which some compatible servers end the stream with as
    /// Chat Completions does, ends it through the default `on_done`.)
    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<ResponsesEvent<'a>> {
        let kind = if event.name == "message" {
            let peek: TypeOnly<'a> = serde_json::from_str(event.data)?;
            cow(peek.kind).ok_or_else(|| {
                <serde_json::Error as serde::de::Error>::custom(
                    "a stream event has neither an event name nor a `type`",
                )
            })?
        } else {
            Cow::Borrowed(event.name)
        };
        Ok(ResponsesEvent {
            kind,
            data: event.data,
        })
    }

    fn on_event(
        &self,
        event: ResponsesEvent<'_>,
        _raw: &RawEvent<'_>,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        self.apply_event(&event.kind, event.data, state, parts)
    }

    fn on_eof(&self, state: &mut ResponsesStreamState, parts: &mut PartsManager) -> Result<()> {
        if state.terminal {
            return Ok(());
        }
        if state.background && state.pending {
            // A background job still running: the response is suspended and is continued by
            // retrieving it (from the last event seen).
            parts.state_hint = Some(ResponseState::Suspended);
            if let Some(n) = state.last_sequence_number {
                insert_detail(parts, "last_sequence_number", Value::from(n));
            }
            return Ok(());
        }
        Err(Error::unexpected(
            "the stream ended before `response.completed`: the response is truncated",
        ))
    }

    fn profile(&self, _model_name: &str) -> ModelProfile {
        ModelProfile {
            supports_json_schema_output: true,
            supports_json_object_output: true,
            ..ModelProfile::default()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `POST /responses`.
#[derive(Serialize)]
struct ResponsesRequest<'a> {
    model: &'a str,
    input: Vec<InputItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instructions: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<FunctionTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoiceParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning: Option<ReasoningParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<TextParam<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_tier: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    include: Vec<&'static str>,
}

/// One item of `input`.
#[derive(Serialize)]
#[serde(untagged)]
enum InputItem<'a> {
    /// A message given by role, without an id (`EasyInputMessage`).
    Message(Message<'a>),
    /// An assistant message of this provider, sent back with its id.
    OutputMessage(OutputMessage<'a>),
    FunctionCall(FunctionCall<'a>),
    FunctionCallOutput(FunctionCallOutput<'a>),
    Reasoning(ReasoningItem<'a>),
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: MessageContent<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phase: Option<&'a str>,
}

impl<'a> Message<'a> {
    fn text(role: &'static str, text: Cow<'a, str>) -> Self {
        Message {
            role,
            content: MessageContent::Text(text),
            phase: None,
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum MessageContent<'a> {
    Text(Cow<'a, str>),
    Parts(Vec<InputContent<'a>>),
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::enum_variant_names)] // named by their wire `type`
enum InputContent<'a> {
    InputText {
        text: Cow<'a, str>,
    },
    InputImage {
        image_url: Cow<'a, str>,
        detail: Cow<'a, str>,
    },
    InputFile {
        #[serde(skip_serializing_if = "Option::is_none")]
        file_url: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        file_data: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
    },
}

#[derive(Serialize)]
struct OutputMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    id: &'a str,
    status: &'static str,
    content: Vec<OutputText<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phase: Option<&'a str>,
}

#[derive(Serialize)]
struct OutputText<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
    annotations: [(); 0],
}

#[derive(Serialize)]
struct FunctionCall<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    arguments: String,
    call_id: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
}

#[derive(Serialize)]
struct FunctionCallOutput<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    call_id: Cow<'a, str>,
    output: String,
}

#[derive(Serialize)]
struct ReasoningItem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    summary: Vec<TypedText<'a>>,
    /// `null` when there is none, as pydantic-ai sends it.
    encrypted_content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Vec<TypedText<'a>>>,
}

/// `{"type": .., "text": ..}`: a reasoning summary or reasoning text.
#[derive(Serialize)]
struct TypedText<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

#[derive(Serialize)]
struct FunctionTool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    description: Option<&'a str>,
    parameters: Value,
    strict: bool,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ToolChoiceParam {
    Mode(&'static str),
    Function {
        #[serde(rename = "type")]
        kind: &'static str,
        name: String,
    },
    Allowed {
        #[serde(rename = "type")]
        kind: &'static str,
        mode: &'static str,
        tools: Vec<NamedFunction>,
    },
}

#[derive(Serialize)]
struct NamedFunction {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
}

#[derive(Serialize, Default)]
struct ReasoningParam {
    #[serde(skip_serializing_if = "Option::is_none")]
    effort: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
}

#[derive(Serialize)]
struct TextParam<'a> {
    format: TextFormat<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum TextFormat<'a> {
    JsonSchema {
        name: &'a str,
        schema: Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        strict: Option<bool>,
    },
    JsonObject,
}

/// Settings the Responses API has no field for, by name.
fn warn_unsupported_settings(model: &str, settings: &ModelSettings) {
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
            tracing::warn!(
                target: "llm_runtime::settings",
                model,
                setting,
                "the Responses API has no `{setting}`; the setting is not sent (use `extra_body` \
                 for servers that accept it)"
            );
        }
    }
}

impl OpenAiResponses {
    fn build_request<'a>(
        &self,
        request: &PreparedRequest<'a>,
        stream: bool,
    ) -> Result<ResponsesRequest<'a>> {
        let model = request.model_name;
        let settings: &'a ModelSettings = request.settings;
        let facts = ModelFacts::of(model);
        warn_unsupported_settings(model, settings);

        let mut temperature = settings.temperature;
        let mut top_p = settings.top_p;
        let reasoning = self.reasoning(model, facts, settings.thinking);
        if reasoning.drops_sampling {
            let dropped: Vec<&str> = [("temperature", &mut temperature), ("top_p", &mut top_p)]
                .into_iter()
                .filter_map(|(name, slot)| slot.take().map(|_| name))
                .collect();
            warn_sampling_dropped(model, &dropped);
        }

        let (tools, tool_choice) = self.tools(request)?;
        let parallel_tool_calls = if tools.is_empty() {
            None
        } else {
            settings.parallel_tool_calls
        };
        let mut input = self.map_messages(request, facts)?;
        let mut instructions = instructions(request.messages).filter(|i| !i.is_empty());
        let text = match request.parameters.output_mode {
            OutputMode::Native => Some(TextParam {
                format: self.json_schema_format(request.parameters)?,
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
                    input.insert(
                        leading,
                        InputItem::Message(Message::text(role, text.into())),
                    );
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

    /// The `reasoning` object for `thinking`, and whether sampling settings must be dropped.
    fn reasoning(&self, model: &str, facts: ModelFacts, thinking: Option<Thinking>) -> Reasoning {
        let Some((thinking, drops_sampling)) = facts.reasoning.resolve(model, thinking) else {
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

    /// The function tools (function and output tools, each name once) and the tool choice.
    fn tools<'a>(
        &self,
        request: &PreparedRequest<'a>,
    ) -> Result<(Vec<FunctionTool<'a>>, Option<ToolChoiceParam>)> {
        let parameters: &'a ModelRequestParameters = request.parameters;
        let definitions = tool_definitions(parameters);
        let tools = definitions
            .into_iter()
            .map(|definition| self.tool(definition))
            .collect::<Result<Vec<_>>>()?;
        let choice = match resolve_tool_choice(request.settings.tool_choice.as_ref(), parameters)? {
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

    fn tool<'a>(&self, definition: &'a ToolDefinition) -> Result<FunctionTool<'a>> {
        let transformed =
            (self.schema_transformer)(&definition.parameters_json_schema, definition.strict)?;
        Ok(FunctionTool {
            kind: "function",
            name: &definition.name,
            description: definition.description.as_deref(),
            parameters: transformed.schema,
            strict: transformed.strict && self.strict_tools,
        })
    }

    fn json_schema_format<'a>(
        &self,
        parameters: &'a ModelRequestParameters,
    ) -> Result<TextFormat<'a>> {
        let Some(object) = &parameters.output_object else {
            return Err(Error::user(
                "the `native` output mode needs `output_object` (the schema to produce)",
            ));
        };
        let transformed = (self.schema_transformer)(&object.json_schema, object.strict)?;
        Ok(TextFormat::JsonSchema {
            name: object.name.as_deref().unwrap_or(DEFAULT_OUTPUT_NAME),
            schema: transformed.schema,
            description: object.description.as_deref().filter(|d| !d.is_empty()),
            strict: self.strict_tools.then_some(transformed.strict),
        })
    }

    fn map_messages<'a>(
        &self,
        request: &PreparedRequest<'a>,
        facts: ModelFacts,
    ) -> Result<Vec<InputItem<'a>>> {
        let role = openai_system_role(request.model_name).as_str();
        let messages: &'a [ModelMessage] = request.messages;
        let mut out = Vec::new();
        for message in messages {
            match message {
                ModelMessage::Request(req) => map_request(req, role, &mut out)?,
                ModelMessage::Response(response) => {
                    self.map_response(response, request, facts, &mut out)
                }
            }
        }
        Ok(out)
    }

    /// The items of an earlier response. Item ids, encrypted reasoning and `phase` go back only
    /// to the provider that produced them, and ids only to reasoning models (which need them);
    /// otherwise text goes back as assistant messages, and reasoning as text in the profile's
    /// thinking tags (a thinking part without text, another provider's signature only, has
    /// nothing to say then and is not sent).
    fn map_response<'a>(
        &self,
        response: &'a ModelResponse,
        request: &PreparedRequest<'_>,
        facts: ModelFacts,
        out: &mut Vec<InputItem<'a>>,
    ) {
        let profile = request.profile;
        let ours = Some(request.provider_name);
        let is_ours = |name: Option<&str>| name == ours;
        // The message and reasoning items opened last: parts with the same id join them.
        let mut message_at: Option<usize> = None;
        let mut reasoning_at: Option<usize> = None;
        for part in &response.parts {
            let part_provider = match part {
                ModelResponsePart::Text(p) => p.provider_name.as_deref(),
                ModelResponsePart::ToolCall(p) => p.provider_name.as_deref(),
                ModelResponsePart::Thinking(p) => p.provider_name.as_deref(),
            };
            let same_provider = is_ours(part_provider)
                || (part_provider.is_none() && is_ours(response.provider_name.as_deref()));
            let send_id = facts.encrypted_reasoning() && same_provider;
            match part {
                ModelResponsePart::Text(text) => {
                    let phase = detail_str(text.provider_details.as_ref(), "phase")
                        .filter(|p| matches!(*p, "commentary" | "final_answer"))
                        .filter(|_| facts.phase && is_ours(part_provider));
                    let Some(id) = text.id.as_deref().filter(|_| send_id) else {
                        out.push(InputItem::Message(Message {
                            phase,
                            ..Message::text("assistant", Cow::Borrowed(&text.content))
                        }));
                        continue;
                    };
                    let open = message_at.filter(
                        |&i| matches!(out.get(i), Some(InputItem::OutputMessage(m)) if m.id == id),
                    );
                    let at = open.unwrap_or_else(|| {
                        out.push(InputItem::OutputMessage(OutputMessage {
                            kind: "message",
                            role: "assistant",
                            id,
                            status: "completed",
                            content: Vec::new(),
                            phase: None,
                        }));
                        out.len() - 1
                    });
                    message_at = Some(at);
                    if let Some(InputItem::OutputMessage(message)) = out.get_mut(at) {
                        message.content.push(OutputText {
                            kind: "output_text",
                            text: &text.content,
                            annotations: [],
                        });
                        if phase.is_some() {
                            message.phase = phase;
                        }
                    }
                }
                ModelResponsePart::ToolCall(call) => {
                    let (call_id, legacy_id) = call_ids(&call.tool_call_id);
                    out.push(InputItem::FunctionCall(FunctionCall {
                        kind: "function_call",
                        name: &call.tool_name,
                        arguments: call.args_as_json_str(),
                        call_id,
                        id: legacy_id.or(call.id.as_deref()).filter(|_| send_id),
                        namespace: detail_str(call.provider_details.as_ref(), "namespace")
                            .filter(|_| is_ours(part_provider)),
                    }));
                }
                ModelResponsePart::Thinking(thinking) => {
                    let own = is_ours(part_provider);
                    let raw = if own { raw_content(thinking) } else { None };
                    let id = thinking.id.as_deref().filter(|_| send_id || raw.is_some());
                    let Some(id) = id else {
                        if !thinking.content.is_empty() {
                            let (start, end) = &profile.thinking_tags;
                            let text = format!("{start}\n{}\n{end}", thinking.content);
                            out.push(InputItem::Message(Message::text(
                                "assistant",
                                Cow::Owned(text),
                            )));
                        }
                        continue;
                    };
                    let signature = thinking
                        .signature
                        .as_deref()
                        .filter(|_| own && facts.encrypted_reasoning());
                    let open = reasoning_at.filter(
                        |&i| matches!(out.get(i), Some(InputItem::Reasoning(r)) if r.id == id),
                    );
                    let at = match open {
                        Some(at) => at,
                        None if signature.is_some()
                            || !thinking.content.is_empty()
                            || raw.is_some() =>
                        {
                            out.push(InputItem::Reasoning(ReasoningItem {
                                kind: "reasoning",
                                id,
                                summary: Vec::new(),
                                encrypted_content: signature,
                                content: None,
                            }));
                            out.len() - 1
                        }
                        None => continue,
                    };
                    reasoning_at = Some(at);
                    if let Some(InputItem::Reasoning(item)) = out.get_mut(at) {
                        if !thinking.content.is_empty() {
                            item.summary.push(TypedText {
                                kind: "summary_text",
                                text: &thinking.content,
                            });
                        }
                        if let Some(raw) = raw {
                            item.content = Some(
                                raw.into_iter()
                                    .map(|text| TypedText {
                                        kind: "reasoning_text",
                                        text,
                                    })
                                    .collect(),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The `reasoning` object to send, and whether the model rejects sampling settings.
struct Reasoning {
    param: Option<ReasoningParam>,
    drops_sampling: bool,
}

fn map_request<'a>(
    request: &'a ModelRequest,
    system_role: &'static str,
    out: &mut Vec<InputItem<'a>>,
) -> Result<()> {
    for part in &request.parts {
        match part {
            ModelRequestPart::SystemPrompt(p) => out.push(InputItem::Message(Message::text(
                system_role,
                Cow::Borrowed(&p.content),
            ))),
            ModelRequestPart::UserPrompt(p) => out.push(InputItem::Message(Message {
                role: "user",
                content: user_content(&p.content)?,
                phase: None,
            })),
            ModelRequestPart::ToolReturn(p) => {
                out.push(InputItem::FunctionCallOutput(FunctionCallOutput {
                    kind: "function_call_output",
                    call_id: call_ids(&p.tool_call_id).0,
                    output: p.model_response_str(),
                }))
            }
            ModelRequestPart::RetryPrompt(p) => match &p.tool_name {
                None => out.push(InputItem::Message(Message {
                    role: "user",
                    content: MessageContent::Parts(vec![InputContent::InputText {
                        text: Cow::Owned(p.model_response()),
                    }]),
                    phase: None,
                })),
                Some(_) => out.push(InputItem::FunctionCallOutput(FunctionCallOutput {
                    kind: "function_call_output",
                    call_id: call_ids(&p.tool_call_id).0,
                    output: p.model_response(),
                })),
            },
        }
    }
    Ok(())
}

/// A tool call's `call_id`, and the item id of a legacy combined `call_id|item_id` (how
/// pydantic-ai kept both before `ToolCallPart` had an `id`).
fn call_ids(tool_call_id: &str) -> (Cow<'_, str>, Option<&str>) {
    match tool_call_id.split_once('|') {
        Some((call_id, item_id)) => (guard_id(call_id), Some(item_id).filter(|i| !i.is_empty())),
        None => (guard_id(tool_call_id), None),
    }
}

/// A string in a part's provider details.
fn detail_str<'a>(details: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    details?.get(key)?.as_str()
}

/// The raw reasoning texts (gpt-oss's chain of thought) a thinking part keeps in
/// `provider_details["raw_content"]`.
fn raw_content(part: &ThinkingPart) -> Option<Vec<&str>> {
    let raw = part.provider_details.as_ref()?.get("raw_content")?;
    let texts: Option<Vec<&str>> = raw
        .as_array()
        .and_then(|items| items.iter().map(Value::as_str).collect());
    match texts {
        Some(texts) if !texts.is_empty() => Some(texts),
        Some(_) => None,
        None => {
            tracing::warn!(
                target: "llm_runtime::providers",
                raw_content = %raw,
                "a thinking part's `raw_content` is not a list of strings; it is not sent back"
            );
            None
        }
    }
}

fn user_content(content: &UserContent) -> Result<MessageContent<'_>> {
    match content {
        UserContent::Text(text) => Ok(MessageContent::Text(Cow::Borrowed(text))),
        UserContent::Items(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                if let Some(part) = content_part(item)? {
                    parts.push(part);
                }
            }
            Ok(MessageContent::Parts(parts))
        }
    }
}

fn content_part(item: &UserContentItem) -> Result<Option<InputContent<'_>>> {
    Ok(Some(match item {
        UserContentItem::Text(text) => InputContent::InputText {
            text: Cow::Borrowed(text),
        },
        UserContentItem::TextContent(text) => InputContent::InputText {
            text: Cow::Borrowed(&text.content),
        },
        UserContentItem::ImageUrl(file) => {
            if file.force_download != ForceDownload::No {
                return Err(needs_download("image", file));
            }
            InputContent::InputImage {
                image_url: Cow::Borrowed(&file.url),
                detail: image_detail(file.vendor_metadata.as_ref())
                    .unwrap_or(Cow::Borrowed("auto")),
            }
        }
        UserContentItem::DocumentUrl(file) | UserContentItem::AudioUrl(file) => {
            if file.force_download != ForceDownload::No {
                return Err(needs_download("file", file));
            }
            InputContent::InputFile {
                file_url: Some(&file.url),
                file_data: None,
                filename: None,
            }
        }
        UserContentItem::VideoUrl(_) => {
            return Err(Error::user(
                "the Responses API does not accept video in user prompts",
            ))
        }
        UserContentItem::Binary(binary) => binary_part(binary)?,
        UserContentItem::CachePoint(_) => {
            tracing::debug!(
                target: "llm_runtime::providers",
                "cache point not sent: the Responses API caches prompts automatically"
            );
            return Ok(None);
        }
    }))
}

fn binary_part(binary: &BinaryContent) -> Result<InputContent<'_>> {
    let media_type = binary.media_type.as_str();
    if binary.is_image() {
        return Ok(InputContent::InputImage {
            image_url: Cow::Owned(binary.data_uri()),
            detail: image_detail(binary.vendor_metadata.as_ref()).unwrap_or(Cow::Borrowed("auto")),
        });
    }
    if let Ok(format) = document_format(media_type) {
        return Ok(InputContent::InputFile {
            file_url: None,
            file_data: Some(binary.data_uri()),
            filename: Some(format!("filename.{format}")),
        });
    }
    let kind = if binary.is_audio() {
        "audio"
    } else if binary.is_video() {
        "video"
    } else {
        media_type
    };
    Err(Error::user(format!(
        "the Responses API does not accept `{kind}` content in user prompts (it takes text, \
         images and documents; audio goes through the Chat Completions API, `openai:`)"
    )))
}

// ---------------------------------------------------------------------------------------------
// Responses and stream events
// ---------------------------------------------------------------------------------------------

/// A response object: a non-streamed body, and the `response` of the status events.
#[derive(Deserialize)]
struct WireResponse<'a> {
    #[serde(default, borrow)]
    id: Option<CowStr<'a>>,
    #[serde(default)]
    created_at: Option<f64>,
    #[serde(default, borrow)]
    model: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    status: Option<CowStr<'a>>,
    #[serde(default)]
    background: Option<bool>,
    #[serde(default, borrow)]
    incomplete_details: Option<IncompleteDetails<'a>>,
    #[serde(default, borrow)]
    error: Option<WireError<'a>>,
    #[serde(default, borrow)]
    output: Option<Vec<WireItem<'a>>>,
    #[serde(default)]
    usage: Option<WireUsage>,
    #[serde(default, borrow)]
    conversation: Option<Conversation<'a>>,
    /// OpenAI's moderation results, kept as they came in `provider_details`.
    #[serde(default)]
    moderation: Option<Value>,
}

#[derive(Deserialize)]
struct IncompleteDetails<'a> {
    #[serde(default, borrow)]
    reason: Option<CowStr<'a>>,
}

#[derive(Deserialize)]
struct Conversation<'a> {
    #[serde(default, borrow)]
    id: Option<CowStr<'a>>,
}

/// The `error` of a failed response, or an `error` event.
#[derive(Deserialize)]
struct WireError<'a> {
    #[serde(default, borrow)]
    code: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    message: Option<CowStr<'a>>,
}

/// An output item. One shape for every `type` (each reads the fields it has), so that an item
/// type this protocol does not read is reported by name rather than failing the response.
#[derive(Deserialize)]
struct WireItem<'a> {
    #[serde(rename = "type", borrow)]
    kind: CowStr<'a>,
    #[serde(default, borrow)]
    id: Option<CowStr<'a>>,
    /// `message`: `commentary` or `final_answer` (GPT-5.4 and later).
    #[serde(default, borrow)]
    phase: Option<CowStr<'a>>,
    /// `message`: `output_text` and `refusal` parts; `reasoning`: raw `reasoning_text`.
    #[serde(default, borrow)]
    content: Option<Vec<WireContent<'a>>>,
    /// `reasoning`: the summary parts.
    #[serde(default, borrow)]
    summary: Option<Vec<WireSummary<'a>>>,
    #[serde(default, borrow)]
    encrypted_content: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    call_id: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    name: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    arguments: Option<WireArgs<'a>>,
    /// `function_call`: the namespace of a tool found by tool search, sent back with the call.
    #[serde(default, borrow)]
    namespace: Option<CowStr<'a>>,
}

#[derive(Deserialize)]
struct WireContent<'a> {
    #[serde(rename = "type", borrow)]
    kind: CowStr<'a>,
    #[serde(default, borrow)]
    text: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    refusal: Option<CowStr<'a>>,
    #[serde(default)]
    logprobs: Option<Vec<TokenLogprob>>,
}

#[derive(Deserialize)]
struct WireSummary<'a> {
    #[serde(default, borrow)]
    text: Option<CowStr<'a>>,
}

/// `usage`: the counts we map, and every other integer count as a detail.
#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: Option<Count>,
    #[serde(default)]
    output_tokens: Option<Count>,
    #[serde(default)]
    #[allow(dead_code)]
    total_tokens: Option<IgnoredAny>,
    #[serde(default)]
    input_tokens_details: Option<InputTokensDetails>,
    #[serde(default)]
    output_tokens_details: Option<OutputTokensDetails>,
    #[serde(flatten)]
    other: BTreeMap<String, Count>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InputTokensDetails {
    cached_tokens: Option<Count>,
    cache_write_tokens: Option<Count>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OutputTokensDetails {
    reasoning_tokens: Option<Count>,
}

fn count(c: Option<&Count>) -> u64 {
    c.and_then(|c| c.0).unwrap_or(0)
}

impl WireUsage {
    /// The usage (pydantic-ai's `_map_usage` for the Responses API), counting `requests`.
    fn to_usage(&self, requests: u32) -> Usage {
        let mut details: BTreeMap<String, u64> = self
            .other
            .iter()
            .filter_map(|(name, value)| value.0.map(|n| (name.clone(), n)))
            .collect();
        let reasoning = self
            .output_tokens_details
            .as_ref()
            .map_or(0, |d| count(d.reasoning_tokens.as_ref()));
        details.insert("reasoning_tokens".to_owned(), reasoning);
        let input_details = self.input_tokens_details.as_ref();
        let mut usage = Usage {
            requests,
            request_tokens: count(self.input_tokens.as_ref()),
            cache_read_tokens: count(input_details.and_then(|d| d.cached_tokens.as_ref())),
            cache_write_tokens: count(input_details.and_then(|d| d.cache_write_tokens.as_ref())),
            response_tokens: count(self.output_tokens.as_ref()),
            details,
            ..Usage::default()
        };
        usage.recompute_total();
        usage
    }
}

/// The `type` of an event without an SSE event name, and the sequence number of one that is
/// not otherwise read.
#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", default, borrow)]
    kind: Option<CowStr<'a>>,
    #[serde(default)]
    sequence_number: Option<u64>,
}

/// `response.created`, `.in_progress`, `.queued`, `.completed`, `.incomplete`, `.failed`.
#[derive(Deserialize)]
struct StatusEvent<'a> {
    #[serde(borrow)]
    response: WireResponse<'a>,
    #[serde(default)]
    sequence_number: Option<u64>,
}

/// `response.output_item.added` and `.done`.
#[derive(Deserialize)]
struct ItemEvent<'a> {
    #[serde(borrow)]
    item: WireItem<'a>,
    #[serde(default)]
    sequence_number: Option<u64>,
}

/// The events of a piece of an item: text, refusal, argument and reasoning deltas and dones.
#[derive(Deserialize)]
struct PieceEvent<'a> {
    #[serde(default, borrow)]
    item_id: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    delta: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    text: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    refusal: Option<CowStr<'a>>,
    #[serde(default)]
    summary_index: Option<u64>,
    #[serde(default)]
    content_index: Option<u64>,
    /// `response.reasoning_summary_part.added`: the new summary part.
    #[serde(default, borrow)]
    part: Option<WireSummary<'a>>,
    #[serde(default)]
    logprobs: Option<Vec<TokenLogprob>>,
    #[serde(default)]
    sequence_number: Option<u64>,
}

/// An `error` event: its fields at the top level (OpenAI) or in an `error` object.
#[derive(Deserialize)]
struct ErrorEvent<'a> {
    #[serde(default, borrow)]
    code: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    message: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    error: Option<WireError<'a>>,
}

fn parse_event<'a, T: Deserialize<'a>>(kind: &str, data: &'a str) -> Result<T> {
    common::parse_event(data, format_args!("`{kind}` event"))
}

/// Responses API finish reasons, normalised (pydantic-ai's `_RESPONSES_FINISH_REASON_MAP`):
/// the `incomplete_details.reason`, else the status. Others give `None`; the raw value stays in
/// `provider_details["finish_reason"]`.
fn map_finish_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "max_output_tokens" => Some(FinishReason::Length),
        "content_filter" => Some(FinishReason::ContentFilter),
        "completed" => Some(FinishReason::Stop),
        "cancelled" | "failed" => Some(FinishReason::Error),
        other => {
            tracing::debug!(
                target: "llm_runtime::providers",
                finish_reason = other,
                "no finish reason for this status; kept in provider_details only"
            );
            None
        }
    }
}

/// The state of a response with `status`: a pending background job is suspended (it is
/// continued by retrieving it); everything else is complete (pydantic-ai's
/// `_response_status_to_state`).
fn status_state(status: Option<&str>, background: bool) -> ResponseState {
    match status {
        Some("queued" | "in_progress") if background => ResponseState::Suspended,
        Some("queued" | "in_progress") => ResponseState::Incomplete,
        _ => ResponseState::Complete,
    }
}

/// The error a failed response or an `error` event describes, with the raw data.
fn reported_error(what: &str, error: Option<&WireError<'_>>, raw: &[u8]) -> Error {
    let code = error.and_then(|e| e.code.as_ref()).map(|c| c.0.as_ref());
    let message = error
        .and_then(|e| e.message.as_ref())
        .map_or("no message", |m| m.0.as_ref());
    let message = match code {
        Some(code) => format!("{what}: {code}: {message}"),
        None => format!("{what}: {message}"),
    };
    Error::unexpected_with_body(message, raw)
}

fn warn_unread_item(kind: &str) {
    tracing::warn!(
        target: "llm_runtime::providers",
        item_type = kind,
        "an output item of type `{kind}` was left out: built-in tools (web search, code \
         interpreter, image generation, file search, MCP…) have no part in the message model"
    );
}

/// A string that is present and not empty.
fn nonempty<'a>(value: Option<&'a CowStr<'_>>) -> Option<&'a str> {
    value.map(|v| v.0.as_ref()).filter(|v| !v.is_empty())
}

impl OpenAiResponses {
    /// Builds the response of a whole (non-streamed) body.
    fn response_from(
        &self,
        wire: WireResponse<'_>,
        cx: &mut ResponseContext<'_>,
        body: &[u8],
    ) -> Result<ModelResponse> {
        let requested_model = cx.model_name;
        let status = cow(wire.status);
        if wire.error.is_some() || status.as_deref() == Some("failed") {
            return Err(reported_error(
                "the response failed",
                wire.error.as_ref(),
                body,
            ));
        }
        let provider = Some(cx.provider_name);
        let mut parts = Vec::new();
        let mut refusal = None;
        for item in wire.output.unwrap_or_default() {
            item_parts(item, provider, &mut parts, &mut refusal)?;
        }
        let mut details = Map::new();
        let mut finish_reason = None;
        let raw_finish = wire
            .incomplete_details
            .and_then(|d| cow(d.reason))
            .or_else(|| status.clone());
        if let Some(raw) = raw_finish.filter(|r| !r.is_empty()) {
            finish_reason = map_finish_reason(&raw);
            details.insert("finish_reason".into(), Value::String(raw.into_owned()));
        }
        if let Some(created) = wire.created_at.filter(|c| *c != 0.0) {
            details.insert(
                "timestamp".into(),
                timestamp_detail("created_at", created, body)?,
            );
        }
        if let Some(id) = wire.conversation.and_then(|c| cow(c.id)) {
            details.insert("conversation_id".into(), Value::String(id.into_owned()));
        }
        let background = wire.background == Some(true);
        if background {
            details.insert("background".into(), Value::Bool(true));
        }
        if let Some(moderation) = wire.moderation.filter(|m| !m.is_null()) {
            details.insert("moderation".into(), moderation);
        }
        if let Some(refusal) = refusal {
            // pydantic-ai also drops the reasoning parts here; they are kept, as a stream
            // (which has already given them) keeps them.
            finish_reason = Some(FinishReason::ContentFilter);
            details.remove("finish_reason");
            details.insert("refusal".into(), Value::String(refusal));
        }
        Ok(ModelResponse {
            parts,
            usage: wire
                .usage
                .map_or_else(|| Usage::new(0, 0), |u| u.to_usage(1)),
            model_name: Some(
                cow(wire.model)
                    .filter(|m| !m.is_empty())
                    .map_or_else(|| requested_model.to_owned(), Cow::into_owned),
            ),
            provider_response_id: cow(wire.id).map(Cow::into_owned),
            finish_reason,
            state: status_state(status.as_deref(), background),
            provider_details: (!details.is_empty()).then_some(details),
            ..ModelResponse::default()
        })
    }
}

/// Appends the parts of a whole output item (pydantic-ai's `_process_response`); a refusal is
/// kept aside.
fn item_parts(
    item: WireItem<'_>,
    provider: Option<&str>,
    parts: &mut Vec<ModelResponsePart>,
    refusal: &mut Option<String>,
) -> Result<()> {
    let id = cow(item.id).map(Cow::into_owned);
    let provider_name = || provider.map(str::to_owned);
    match item.kind.0.as_ref() {
        "message" => {
            let phase = cow(item.phase);
            for content in item.content.unwrap_or_default() {
                match content.kind.0.as_ref() {
                    "output_text" => {
                        let mut details = Map::new();
                        if let Some(logprobs) = content.logprobs.filter(|l| !l.is_empty()) {
                            details
                                .insert("logprobs".into(), Value::Array(token_logprobs(logprobs)));
                        }
                        if let Some(phase) = &phase {
                            details.insert("phase".into(), Value::String(phase.to_string()));
                        }
                        parts.push(
                            TextPart {
                                // Some gateways send `text: null`; the part (and its id) is kept.
                                content: cow(content.text).map(Cow::into_owned).unwrap_or_default(),
                                id: id.clone(),
                                provider_name: provider_name(),
                                provider_details: (!details.is_empty()).then_some(details),
                            }
                            .into(),
                        );
                    }
                    "refusal" => {
                        *refusal = Some(cow(content.refusal).unwrap_or_default().into_owned());
                    }
                    other => tracing::warn!(
                        target: "llm_runtime::providers",
                        content_type = other,
                        "a message content part of type `{other}` was left out"
                    ),
                }
            }
        }
        "function_call" => {
            let Some(name) = cow(item.name) else {
                return Err(Error::unexpected(format!(
                    "the function call {} has no name",
                    id.as_deref().unwrap_or("without an id")
                )));
            };
            let args = match item.arguments {
                Some(WireArgs::Text(text)) => ToolArgs::Json(text.into_owned()),
                Some(WireArgs::Object(map)) => ToolArgs::Object(map),
                None => ToolArgs::Json(String::new()),
            };
            let call_id = cow(item.call_id)
                .filter(|c| !c.is_empty())
                .map(Cow::into_owned)
                .or_else(|| id.clone())
                .unwrap_or_else(generate_tool_call_id);
            parts.push(
                ToolCallPart {
                    args: Some(args),
                    id,
                    provider_name: provider_name(),
                    provider_details: namespace_details(item.namespace),
                    ..ToolCallPart::new(name.into_owned(), "", call_id)
                }
                .into(),
            );
        }
        "reasoning" => {
            let mut signature = cow(item.encrypted_content).map(Cow::into_owned);
            let raw: Vec<Value> = item
                .content
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| cow(c.text).map(|t| Value::String(t.into_owned())))
                .collect();
            let mut details = (!raw.is_empty()).then(|| {
                let mut map = Map::new();
                map.insert("raw_content".into(), Value::Array(raw));
                map
            });
            let summaries = item.summary.unwrap_or_default();
            if summaries.is_empty() {
                if signature.as_deref().is_some_and(|s| !s.is_empty()) || details.is_some() {
                    parts.push(
                        ThinkingPart {
                            id,
                            signature,
                            provider_name: provider_name(),
                            provider_details: details,
                            ..ThinkingPart::default()
                        }
                        .into(),
                    );
                }
                return Ok(());
            }
            for summary in summaries {
                // One id for every summary, so that they merge into one item when sent back;
                // the signature and raw reasoning go on the first only.
                parts.push(
                    ThinkingPart {
                        content: cow(summary.text).map(Cow::into_owned).unwrap_or_default(),
                        id: id.clone(),
                        signature: signature.take(),
                        provider_name: provider_name(),
                        provider_details: details.take(),
                    }
                    .into(),
                );
            }
        }
        other => warn_unread_item(other),
    }
    Ok(())
}

fn namespace_details(namespace: Option<CowStr<'_>>) -> Option<Map<String, Value>> {
    let namespace = cow(namespace).filter(|n| !n.is_empty())?;
    let mut details = Map::new();
    details.insert("namespace".into(), Value::String(namespace.into_owned()));
    Some(details)
}

// ---------------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------------

impl ResponsesStreamState {
    fn note_sequence(&mut self, sequence_number: Option<u64>) {
        if sequence_number.is_some() {
            self.last_sequence_number = sequence_number;
        }
    }

    fn is_started(&self, vendor: &str) -> bool {
        self.started.contains(vendor)
    }
}

impl OpenAiResponses {
    fn apply_event(
        &self,
        kind: &str,
        data: &str,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        let raw = data.as_bytes();
        match kind {
            "response.created" | "response.in_progress" | "response.queued" => {
                let event: StatusEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                self.apply_status(&event.response, raw, state, parts)?;
            }
            "response.completed" | "response.incomplete" => {
                let event: StatusEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                self.apply_status(&event.response, raw, state, parts)?;
                self.finish(event.response, state, parts)?;
                return Ok(Flow::Done);
            }
            "response.failed" => {
                let event: StatusEvent<'_> = parse_event(kind, data)?;
                self.apply_status(&event.response, raw, state, parts)?;
                return Err(reported_error(
                    "the response failed",
                    event.response.error.as_ref(),
                    raw,
                ));
            }
            "error" => {
                let event: ErrorEvent<'_> = parse_event(kind, data)?;
                let error = match event.error {
                    Some(error) => error,
                    None => WireError {
                        code: event.code,
                        message: event.message,
                    },
                };
                return Err(reported_error(
                    "the provider reported an error in the stream",
                    Some(&error),
                    raw,
                ));
            }
            "response.output_item.added" => {
                let event: ItemEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                self.item_added(event.item, state, parts)?;
            }
            "response.output_item.done" => {
                let event: ItemEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                self.item_done(event.item, state, parts)?;
            }
            "response.output_text.delta" => {
                let event: PieceEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                self.text_delta(event, state, parts)?;
            }
            "response.output_text.done" => {
                let event: PieceEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                self.text_done(event, state, parts)?;
            }
            "response.refusal.delta" | "response.refusal.done" => {
                let event: PieceEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                let refusal = state.refusal.get_or_insert_with(String::new);
                if kind == "response.refusal.done" {
                    // The whole refusal, replacing the deltas.
                    *refusal = cow(event.refusal).unwrap_or_default().into_owned();
                } else if let Some(delta) = event.delta {
                    refusal.push_str(&delta.0);
                }
                parts.finish_reason = Some(FinishReason::ContentFilter);
            }
            "response.function_call_arguments.delta" => {
                let event: PieceEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                args_delta(event, state, parts)?;
            }
            "response.reasoning_summary_part.added" => {
                let event: PieceEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                let text = event.part.as_ref().and_then(|p| p.text.as_ref());
                let text = text.map_or("", |t| t.0.as_ref());
                self.summary_text(&event, text, state, parts)?;
            }
            "response.reasoning_summary_text.delta" => {
                let event: PieceEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                let text = event.delta.as_ref().map_or("", |d| d.0.as_ref());
                self.summary_text(&event, text, state, parts)?;
            }
            "response.reasoning_text.delta" => {
                let event: PieceEvent<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
                self.raw_reasoning_delta(event, data, state, parts)?;
            }
            // Their content came with the deltas, or comes with `response.output_item.done`.
            "response.content_part.added"
            | "response.content_part.done"
            | "response.reasoning_summary_part.done"
            | "response.reasoning_summary_text.done"
            | "response.reasoning_text.done"
            | "response.function_call_arguments.done"
            | "response.output_text.annotation.added" => {
                let event: TypeOnly<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
            }
            other => {
                // Built-in tool progress, audio, and event types added after this was written.
                tracing::debug!(
                    target: "llm_runtime::providers",
                    event = other,
                    "a Responses API event this protocol does not read was skipped"
                );
                let event: TypeOnly<'_> = parse_event(kind, data)?;
                state.note_sequence(event.sequence_number);
            }
        }
        Ok(Flow::Continue)
    }

    /// What every status event says: ids, model, time, usage, the background marker, the state.
    fn apply_status(
        &self,
        response: &WireResponse<'_>,
        raw: &[u8],
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        if response.background == Some(true) {
            state.background = true;
            insert_detail(parts, "background", Value::Bool(true));
        }
        if let Some(id) = nonempty(response.id.as_ref()) {
            if parts.provider_response_id.as_deref() != Some(id) {
                parts.provider_response_id = Some(id.to_owned());
            }
        }
        if let Some(model) = nonempty(response.model.as_ref()) {
            if parts.model_name != model {
                parts.model_name = model.to_owned();
            }
        }
        if !state.timestamp_set {
            if let Some(created) = response.created_at.filter(|c| *c != 0.0) {
                insert_detail(
                    parts,
                    "timestamp",
                    timestamp_detail("created_at", created, raw)?,
                );
                state.timestamp_set = true;
            }
        }
        if let Some(id) = response
            .conversation
            .as_ref()
            .and_then(|c| nonempty(c.id.as_ref()))
        {
            insert_detail(parts, "conversation_id", Value::String(id.to_owned()));
        }
        if let Some(usage) = &response.usage {
            parts.usage.incr(&usage.to_usage(0));
        }
        let status = response.status.as_ref().map(|s| s.0.as_ref());
        state.pending = matches!(status, Some("queued" | "in_progress"));
        parts.state_hint = (status_state(status, state.background) == ResponseState::Suspended)
            .then_some(ResponseState::Suspended);
        Ok(())
    }

    /// `response.completed` or `.incomplete`: the finish reason and what only the whole
    /// response has.
    fn finish(
        &self,
        response: WireResponse<'_>,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        // Items the stream never announced (servers that send only the whole response).
        let provider = parts.provider_name.clone();
        for item in response.output.unwrap_or_default() {
            let unseen = match nonempty(item.id.as_ref()) {
                Some(id) => !state.seen_items.contains(id) && !state.is_started(id),
                None => state.seen_items.is_empty(),
            };
            if unseen {
                let mut whole = Vec::new();
                item_parts(item, provider.as_deref(), &mut whole, &mut state.refusal)?;
                for part in whole {
                    parts.handle_part(None, part);
                }
            }
        }
        let raw_finish = response
            .incomplete_details
            .and_then(|d| cow(d.reason))
            .or_else(|| cow(response.status))
            .filter(|r| !r.is_empty());
        if let Some(moderation) = response.moderation.filter(|m| !m.is_null()) {
            insert_detail(parts, "moderation", moderation);
        }
        match &state.refusal {
            Some(refusal) => {
                insert_detail(parts, "refusal", Value::String(refusal.clone()));
                parts.finish_reason = Some(FinishReason::ContentFilter);
            }
            None => {
                if let Some(raw) = raw_finish {
                    parts.finish_reason = map_finish_reason(&raw);
                    insert_detail(parts, "finish_reason", Value::String(raw.into_owned()));
                }
            }
        }
        state.terminal = true;
        Ok(())
    }

    fn item_added(
        &self,
        item: WireItem<'_>,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        if let Some(id) = nonempty(item.id.as_ref()) {
            state.seen_items.insert(id.to_owned());
        }
        match item.kind.0.as_ref() {
            "function_call" => {
                let Some(key) = nonempty(item.id.as_ref())
                    .or_else(|| nonempty(item.call_id.as_ref()))
                    .map(str::to_owned)
                else {
                    // Without an id its deltas cannot be matched: it is read whole when done.
                    return Ok(());
                };
                let mut whole = Vec::new();
                let provider = parts.provider_name.clone();
                item_parts(item, provider.as_deref(), &mut whole, &mut None)?;
                for part in whole {
                    parts.handle_part(Some(VendorId::Key(&key)), part);
                }
                if let Some(early) = state.early_args.remove(&key) {
                    parts.handle_tool_call_delta(
                        Some(VendorId::Key(&key)),
                        None,
                        Some(ArgsDelta::Json(&early)),
                        None,
                    )?;
                    state.args_streamed.insert(key.clone());
                }
                state.started.insert(key);
            }
            "message" => {
                if let (Some(id), Some(phase)) =
                    (nonempty(item.id.as_ref()), nonempty(item.phase.as_ref()))
                {
                    state.phases.insert(id.to_owned(), phase.to_owned());
                }
            }
            // Reasoning arrives in summary parts; other items are reported when done.
            _ => {}
        }
        Ok(())
    }

    fn item_done(
        &self,
        item: WireItem<'_>,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        let kind = item.kind.0.as_ref();
        let key = match kind {
            "function_call" => {
                nonempty(item.id.as_ref()).or_else(|| nonempty(item.call_id.as_ref()))
            }
            _ => nonempty(item.id.as_ref()),
        }
        .map(str::to_owned);
        if let Some(id) = nonempty(item.id.as_ref()) {
            state.seen_items.insert(id.to_owned());
        }
        let started = key.as_deref().is_some_and(|k| state.is_started(k));
        if !matches!(kind, "message" | "function_call" | "reasoning") {
            warn_unread_item(kind);
            return Ok(());
        }
        if !started {
            // Nothing of it was streamed: the whole item, as a whole response has it.
            if let Some(key) = &key {
                state.early_args.remove(key);
            }
            let mut whole = Vec::new();
            let provider = parts.provider_name.clone();
            item_parts(item, provider.as_deref(), &mut whole, &mut state.refusal)?;
            for part in whole {
                parts.handle_part(key.as_deref().map(VendorId::Key), part);
            }
            if let Some(key) = key {
                state.started.insert(key);
            }
            return Ok(());
        }
        let Some(key) = key else {
            return Ok(());
        };
        let vendor = Some(VendorId::Key(&key));
        match kind {
            // No argument was streamed: they came whole, with the item.
            "function_call" if !state.args_streamed.contains(&key) => {
                if let Some(WireArgs::Text(args)) = item.arguments {
                    if !args.is_empty() {
                        parts.handle_tool_call_delta(
                            vendor,
                            None,
                            Some(ArgsDelta::Json(&args)),
                            None,
                        )?;
                    }
                }
            }
            "reasoning" => {
                let mut raw: Vec<Value> = item
                    .content
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|c| cow(c.text).map(|t| Value::String(t.into_owned())))
                    .collect();
                let streamed = state.raw_reasoning.remove(&key).unwrap_or_default();
                if raw.is_empty() {
                    raw = streamed.into_values().map(Value::String).collect();
                }
                if !raw.is_empty() {
                    let mut details = Map::new();
                    details.insert("raw_content".into(), Value::Array(raw));
                    parts.handle_provider_details(VendorId::Key(&key), details)?;
                }
                if let Some(signature) = nonempty(item.encrypted_content.as_ref()) {
                    parts.handle_thinking_delta(vendor, None, Some(signature), None)?;
                }
            }
            // A streamed message: its text came in deltas.
            _ => {}
        }
        Ok(())
    }

    fn text_delta(
        &self,
        event: PieceEvent<'_>,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        // Some gateways send `delta: null`.
        let Some(delta) = event.delta else {
            return Ok(());
        };
        let Some(id) = nonempty(event.item_id.as_ref()) else {
            return parts.handle_text_delta(None, &delta.0);
        };
        if state.is_started(id) {
            return parts.handle_text_delta(Some(VendorId::Key(id)), &delta.0);
        }
        // The first text of a message: its part starts with the message's id and phase.
        let details = state.phases.remove(id).map(|phase| {
            let mut details = Map::new();
            details.insert("phase".into(), Value::String(phase));
            details
        });
        let part = TextPart {
            content: delta.0.into_owned(),
            id: Some(id.to_owned()),
            provider_name: parts.provider_name.clone(),
            provider_details: details,
        };
        parts.handle_part(Some(VendorId::Key(id)), part.into());
        state.started.insert(id.to_owned());
        Ok(())
    }

    /// `response.output_text.done`: the logprobs (and a phase no delta carried); the whole text
    /// when no delta came.
    fn text_done(
        &self,
        event: PieceEvent<'_>,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        let Some(id) = nonempty(event.item_id.as_ref()) else {
            tracing::debug!(
                target: "llm_runtime::providers",
                "a `response.output_text.done` event without `item_id` was skipped"
            );
            return Ok(());
        };
        let mut details = Map::new();
        if let Some(logprobs) = event.logprobs.filter(|l| !l.is_empty()) {
            details.insert("logprobs".into(), Value::Array(token_logprobs(logprobs)));
        }
        if let Some(phase) = state.phases.remove(id) {
            details.insert("phase".into(), Value::String(phase));
        }
        if state.is_started(id) {
            if !details.is_empty() {
                parts.handle_provider_details(VendorId::Key(id), details)?;
            }
            return Ok(());
        }
        let Some(text) = event.text else {
            return Ok(());
        };
        let part = TextPart {
            content: text.0.into_owned(),
            id: Some(id.to_owned()),
            provider_name: parts.provider_name.clone(),
            provider_details: (!details.is_empty()).then_some(details),
        };
        parts.handle_part(Some(VendorId::Key(id)), part.into());
        state.started.insert(id.to_owned());
        Ok(())
    }

    /// A summary part starting, or more of its text: summary `n` of item `rs` is the part
    /// `rs` (`n` = 0) or `rs-n`, all with the item's id.
    fn summary_text(
        &self,
        event: &PieceEvent<'_>,
        text: &str,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        let Some(id) = nonempty(event.item_id.as_ref()) else {
            return parts.handle_thinking_delta(None, Some(text), None, None);
        };
        let vendor = match event.summary_index.unwrap_or(0) {
            0 => id.to_owned(),
            n => format!("{id}-{n}"),
        };
        if state.is_started(&vendor) {
            return parts.handle_thinking_delta(
                Some(VendorId::Key(&vendor)),
                Some(text),
                None,
                None,
            );
        }
        let part = ThinkingPart {
            content: text.to_owned(),
            id: Some(id.to_owned()),
            provider_name: parts.provider_name.clone(),
            ..ThinkingPart::default()
        };
        parts.handle_part(Some(VendorId::Key(&vendor)), part.into());
        state.started.insert(vendor);
        Ok(())
    }

    /// Raw reasoning text (gpt-oss's chain of thought on compatible servers): kept in
    /// `provider_details["raw_content"]`, as pydantic-ai does, which is set when the item is
    /// done; the thinking part starts with the first delta.
    fn raw_reasoning_delta(
        &self,
        event: PieceEvent<'_>,
        data: &str,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        let Some(id) = nonempty(event.item_id.as_ref()) else {
            return Err(Error::unexpected_with_body(
                "a reasoning text delta has no `item_id`",
                data.as_bytes(),
            ));
        };
        let delta = event.delta.as_ref().map_or("", |d| d.0.as_ref());
        state
            .raw_reasoning
            .entry(id.to_owned())
            .or_default()
            .entry(event.content_index.unwrap_or(0))
            .or_default()
            .push_str(delta);
        if !state.is_started(id) {
            let part = ThinkingPart {
                id: Some(id.to_owned()),
                provider_name: parts.provider_name.clone(),
                ..ThinkingPart::default()
            };
            parts.handle_part(Some(VendorId::Key(id)), part.into());
            state.started.insert(id.to_owned());
        }
        Ok(())
    }
}

fn args_delta(
    event: PieceEvent<'_>,
    state: &mut ResponsesStreamState,
    parts: &mut PartsManager,
) -> Result<()> {
    let Some(delta) = event.delta else {
        return Ok(());
    };
    let Some(id) = nonempty(event.item_id.as_ref()) else {
        return parts.handle_tool_call_delta(None, None, Some(ArgsDelta::Json(&delta.0)), None);
    };
    if state.is_started(id) {
        parts.handle_tool_call_delta(
            Some(VendorId::Key(id)),
            None,
            Some(ArgsDelta::Json(&delta.0)),
            None,
        )?;
        state.args_streamed.insert(id.to_owned());
    } else {
        // Arguments before their call (a gateway that skips `output_item.added`).
        state
            .early_args
            .entry(id.to_owned())
            .or_default()
            .push_str(&delta.0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Bodies written from OpenAI's documented format
    //! (<https://platform.openai.com/docs/api-reference/responses>) and from what llama.cpp's
    //! server sends, not recorded traffic (the recordings are in the conformance suite).

    use super::*;
    use crate::messages::{
        FileUrl, ModelResponseStreamEvent, RetryPromptPart, SystemPromptPart, ToolReturnPart,
        UserPromptPart,
    };
    use crate::models::OutputObjectDefinition;
    use crate::providers::test_support::{kinds, prompt, request_json, run_stream, Streamed};
    #[allow(unused_imports)]
    use crate::providers::ResponseContext;
    use crate::settings::ToolChoice;
    use serde_json::json;

    /// The provider name the tests give the protocol.
    const PROVIDER: &str = "openai-responses";

    const OURS: &str = "openai-responses";

    fn named() -> OpenAiResponses {
        OpenAiResponses::new()
    }

    fn divide() -> ToolDefinition {
        ToolDefinition::new("divide")
            .with_description("Divide two numbers.")
            .with_parameters(json!({
                "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"]
            }))
    }

    fn body_with(
        protocol: &OpenAiResponses,
        model: &str,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
    ) -> Result<Value> {
        request_json(
            protocol, PROVIDER, model, messages, settings, parameters, false,
        )
    }

    fn body(model: &str, messages: &[ModelMessage]) -> Value {
        body_with(
            &named(),
            model,
            messages,
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
        )
        .unwrap()
    }

    /// The `input` items of a body.
    fn items(body: &Value) -> &[Value] {
        body["input"].as_array().map_or(&[], Vec::as_slice)
    }

    fn with_settings(model: &str, settings: ModelSettings) -> Value {
        body_with(
            &named(),
            model,
            &prompt("Hi"),
            &settings,
            &ModelRequestParameters::default(),
        )
        .unwrap()
    }

    // -------------------------------------------------------------------------- requests

    #[test]
    fn text_prompt_body_is_the_documented_minimum() {
        assert_eq!(
            body("gpt-4o", &prompt("What is the capital of France?")),
            json!({"model": "gpt-4o", "stream": false,
                   "input": [{"role": "user", "content": "What is the capital of France?"}]})
        );
        let profile = named().profile("gpt-4o");
        let request = PreparedRequest {
            model_name: "gpt-4o",
            provider_name: PROVIDER,
            messages: &prompt("Hi"),
            settings: &ModelSettings::default(),
            parameters: &ModelRequestParameters::default(),
            profile: &profile,
        };
        let streamed: Value = serde_json::from_slice(
            &named()
                .request_body(&request, true, &mut Warnings::new())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(streamed["stream"], true);
        assert_eq!(named().endpoint("gpt-4o", true), "responses");
        assert_eq!(
            OpenAiResponses::new()
                .with_endpoint("openai/v1/responses")
                .endpoint("m", false),
            "openai/v1/responses"
        );
    }

    #[test]
    fn instructions_and_system_prompts() {
        let messages: Vec<ModelMessage> = vec![
            ModelRequest::new(vec![
                SystemPromptPart::new("Be brief.").into(),
                UserPromptPart::new("Hi").into(),
            ])
            .with_instructions("Old instructions.")
            .into(),
            ModelResponse::new(vec![TextPart::new("Hello!").into()]).into(),
            ModelRequest::user_text_prompt("Bye")
                .with_instructions("Answer in French.")
                .into(),
        ];
        let value = body("gpt-4o", &messages);
        assert_eq!(value["instructions"], "Answer in French.");
        assert_eq!(
            value["input"],
            json!([
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "Bye"}
            ])
        );
        // o1-mini takes neither `system` nor `developer`.
        let value = body("o1-mini", &messages);
        assert_eq!(value["input"][0]["role"], "user");
        // Instructions alone: the API wants some input.
        let only = vec![ModelRequest::new(vec![])
            .with_instructions("Say hi.")
            .into()];
        let value = body("gpt-4o", &only);
        assert_eq!(value["input"], json!([{"role": "user", "content": ""}]));
        assert_eq!(value["instructions"], "Say hi.");
    }

    #[test]
    fn multimodal_user_content() {
        let mut image = FileUrl::new("https://example.com/cat.png");
        image.vendor_metadata = Some(Map::from_iter([("detail".to_owned(), json!("low"))]));
        let items = vec![
            UserContentItem::Text("Look:".into()),
            UserContentItem::ImageUrl(image),
            UserContentItem::ImageUrl(FileUrl::new("https://example.com/dog.jpg")),
            UserContentItem::Binary(BinaryContent::new(vec![0x89, b'P'], "image/png")),
            UserContentItem::Binary(BinaryContent::new(b"%PDF".to_vec(), "application/pdf")),
            UserContentItem::Binary(BinaryContent::new(b"a,b".to_vec(), "text/csv")),
            UserContentItem::DocumentUrl(FileUrl::new("https://example.com/report.pdf")),
            UserContentItem::CachePoint(Default::default()),
        ];
        let request = ModelRequest::new(vec![UserPromptPart::new(items).into()]);
        let value = body("gpt-4o", &[request.into()]);
        assert_eq!(
            value["input"][0]["content"],
            json!([
                {"type": "input_text", "text": "Look:"},
                {"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "low"},
                {"type": "input_image", "image_url": "https://example.com/dog.jpg", "detail": "auto"},
                {"type": "input_image", "image_url": "data:image/png;base64,iVA=", "detail": "auto"},
                {"type": "input_file", "file_data": "data:application/pdf;base64,JVBERg==",
                 "filename": "filename.pdf"},
                {"type": "input_file", "file_data": "data:text/csv;base64,YSxi",
                 "filename": "filename.csv"},
                {"type": "input_file", "file_url": "https://example.com/report.pdf"}
            ])
        );
    }

    #[test]
    fn content_the_api_cannot_take_is_a_user_error() {
        let mut downloaded = FileUrl::new("https://example.com/a.png");
        downloaded.force_download = ForceDownload::Yes;
        for item in [
            UserContentItem::VideoUrl(FileUrl::new("https://example.com/a.mp4")),
            UserContentItem::ImageUrl(downloaded),
            UserContentItem::Binary(BinaryContent::new(b"RIFF".to_vec(), "audio/wav")),
            UserContentItem::Binary(BinaryContent::new(b"x".to_vec(), "video/mp4")),
            UserContentItem::Binary(BinaryContent::new(b"{}".to_vec(), "application/json")),
        ] {
            let request = ModelRequest::new(vec![UserPromptPart::new(vec![item.clone()]).into()]);
            let err = body_with(
                &named(),
                "gpt-4o",
                &[request.into()],
                &ModelSettings::default(),
                &ModelRequestParameters::default(),
            )
            .unwrap_err();
            assert!(matches!(err, Error::User { .. }), "{item:?}: {err}");
        }
    }

    #[test]
    fn history_with_tool_calls_returns_and_retries() {
        let messages: Vec<ModelMessage> = vec![
            ModelRequest::user_text_prompt("What is 6 / 3?").into(),
            ModelResponse::new(vec![
                TextPart::new("Let me compute.").into(),
                ToolCallPart::new("divide", r#"{"a": 6, "b": 3}"#, "call_1").into(),
                ToolCallPart::new("divide", ToolArgs::Object(Map::new()), "call_2").into(),
                // pydantic-ai's older combined form: `call_id|item_id`.
                ToolCallPart::new("divide", "{}", "call_3|fc_3").into(),
                ToolCallPart::new("divide", "{}", "").into(),
            ])
            .into(),
            ModelRequest::new(vec![
                ToolReturnPart::new("divide", 2.0, "call_1").into(),
                RetryPromptPart {
                    tool_name: Some("divide".into()),
                    tool_call_id: "call_2".into(),
                    ..RetryPromptPart::new("b must not be zero")
                }
                .into(),
                ToolReturnPart::new("divide", "ok", "call_3|fc_3").into(),
                RetryPromptPart::new("Answer with a number.").into(),
            ])
            .into(),
        ];
        let value = body("gpt-4o", &messages);
        let input = value["input"].as_array().unwrap();
        assert_eq!(
            input[..5],
            [
                json!({"role": "user", "content": "What is 6 / 3?"}),
                json!({"role": "assistant", "content": "Let me compute."}),
                json!({"type": "function_call", "name": "divide",
                       "arguments": "{\"a\": 6, \"b\": 3}", "call_id": "call_1"}),
                json!({"type": "function_call", "name": "divide", "arguments": "{}",
                       "call_id": "call_2"}),
                // gpt-4o does not reason: no item ids go back.
                json!({"type": "function_call", "name": "divide", "arguments": "{}",
                       "call_id": "call_3"}),
            ]
        );
        // A call without an id gets one.
        assert!(input[5]["call_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("pyd_ai_")));
        assert_eq!(
            input[6..],
            [
                json!({"type": "function_call_output", "call_id": "call_1", "output": "2.0"}),
                json!({"type": "function_call_output", "call_id": "call_2",
                       "output": "b must not be zero\n\nFix the errors and try again."}),
                json!({"type": "function_call_output", "call_id": "call_3", "output": "ok"}),
                json!({"role": "user", "content": [{"type": "input_text",
                       "text": "Validation feedback:\nAnswer with a number.\n\nFix the errors and try again."}]}),
            ]
        );
    }

    /// A response of this provider to a reasoning model, as it is parsed.
    fn reasoning_response(provider: &str) -> ModelResponse {
        let own = |id: &str| (Some(id.to_owned()), Some(provider.to_owned()));
        let (rs, name) = own("rs_1");
        let mut raw = Map::new();
        raw.insert("raw_content".into(), json!(["step 1", "step 2"]));
        let (msg, _) = own("msg_1");
        let (fc, _) = own("fc_1");
        ModelResponse {
            provider_name: Some(provider.to_owned()),
            ..ModelResponse::new(vec![
                ThinkingPart {
                    id: rs.clone(),
                    signature: Some("enc-1".into()),
                    provider_name: name.clone(),
                    provider_details: Some(raw),
                    ..ThinkingPart::new("First thought.")
                }
                .into(),
                ThinkingPart {
                    id: rs,
                    provider_name: name.clone(),
                    ..ThinkingPart::new("Second thought.")
                }
                .into(),
                TextPart {
                    id: msg.clone(),
                    provider_name: name.clone(),
                    provider_details: Some(Map::from_iter([(
                        "phase".to_owned(),
                        json!("commentary"),
                    )])),
                    ..TextPart::new("Let me divide.")
                }
                .into(),
                TextPart {
                    id: msg,
                    provider_name: name.clone(),
                    ..TextPart::new(" Now.")
                }
                .into(),
                ToolCallPart {
                    id: fc,
                    provider_name: name,
                    provider_details: Some(Map::from_iter([(
                        "namespace".to_owned(),
                        json!("math"),
                    )])),
                    ..ToolCallPart::new("divide", r#"{"a":1,"b":2}"#, "call_1")
                }
                .into(),
            ])
        }
    }

    #[test]
    fn items_and_reasoning_go_back_to_their_own_provider() {
        let messages: Vec<ModelMessage> =
            vec![prompt("Divide.").remove(0), reasoning_response(OURS).into()];
        let value = body("gpt-5.5", &messages);
        assert_eq!(
            items(&value)[1..],
            [
                json!({"type": "reasoning", "id": "rs_1", "encrypted_content": "enc-1",
                       "summary": [{"type": "summary_text", "text": "First thought."},
                                   {"type": "summary_text", "text": "Second thought."}],
                       "content": [{"type": "reasoning_text", "text": "step 1"},
                                   {"type": "reasoning_text", "text": "step 2"}]}),
                json!({"type": "message", "role": "assistant", "id": "msg_1",
                       "status": "completed", "phase": "commentary",
                       "content": [{"type": "output_text", "text": "Let me divide.", "annotations": []},
                                   {"type": "output_text", "text": " Now.", "annotations": []}]}),
                json!({"type": "function_call", "name": "divide", "arguments": "{\"a\":1,\"b\":2}",
                       "call_id": "call_1", "id": "fc_1", "namespace": "math"}),
            ]
        );
        // gpt-5 has no `phase`.
        let value = body("gpt-5", &messages);
        assert_eq!(value["input"][2].get("phase"), None);

        // Another provider's parts: text, tool calls without ids, reasoning as tagged text.
        let messages: Vec<ModelMessage> = vec![
            prompt("Divide.").remove(0),
            reasoning_response("anthropic").into(),
        ];
        let value = body("gpt-5.5", &messages);
        assert_eq!(
            items(&value)[1..],
            [
                json!({"role": "assistant", "content": "<think>\nFirst thought.\n</think>"}),
                json!({"role": "assistant", "content": "<think>\nSecond thought.\n</think>"}),
                json!({"role": "assistant", "content": "Let me divide."}),
                json!({"role": "assistant", "content": " Now."}),
                json!({"type": "function_call", "name": "divide", "arguments": "{\"a\":1,\"b\":2}",
                       "call_id": "call_1"}),
            ]
        );

        // Our own parts to a model that does not reason: no ids, no encrypted reasoning, but the
        // part with raw reasoning (which needs its item id) goes back as an item, as in
        // pydantic-ai; the other is text.
        let messages: Vec<ModelMessage> =
            vec![prompt("Divide.").remove(0), reasoning_response(OURS).into()];
        let value = body("gpt-4o", &messages);
        assert_eq!(
            items(&value)[1..3],
            [
                json!({"type": "reasoning", "id": "rs_1", "encrypted_content": null,
                       "summary": [{"type": "summary_text", "text": "First thought."}],
                       "content": [{"type": "reasoning_text", "text": "step 1"},
                                   {"type": "reasoning_text", "text": "step 2"}]}),
                json!({"role": "assistant", "content": "<think>\nSecond thought.\n</think>"}),
            ]
        );
        assert_eq!(
            value["input"][3],
            json!({"role": "assistant", "content": "Let me divide."})
        );
        assert_eq!(value["input"][5].get("id"), None);
    }

    #[test]
    fn parts_without_a_provider_take_the_response_s() {
        let part = |text: &str| -> ModelResponsePart {
            TextPart {
                id: Some("msg_9".into()),
                ..TextPart::new(text)
            }
            .into()
        };
        let ours = ModelResponse {
            provider_name: Some(OURS.into()),
            ..ModelResponse::new(vec![part("a")])
        };
        let value = body("o3", &[prompt("x").remove(0), ours.into()]);
        assert_eq!(value["input"][1]["id"], "msg_9");
        // A thinking part with only a signature from elsewhere says nothing: it is left out.
        let foreign = ModelResponse::new(vec![ThinkingPart {
            signature: Some("sig".into()),
            ..ThinkingPart::default()
        }
        .into()]);
        let value = body("o3", &[prompt("x").remove(0), foreign.into()]);
        assert_eq!(value["input"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn tools_are_strict_when_compatible_and_tool_choice_maps() {
        let loose = ToolDefinition::new("search").with_parameters(json!({
            "type": "object",
            "properties": {"q": {"type": "string", "minLength": 1}}
        }));
        let parameters = ModelRequestParameters {
            function_tools: vec![divide(), loose.clone()],
            ..Default::default()
        };
        let value = body_with(
            &named(),
            "gpt-4o",
            &prompt("Hi"),
            &ModelSettings {
                parallel_tool_calls: Some(false),
                ..Default::default()
            },
            &parameters,
        )
        .unwrap();
        assert_eq!(
            value["tools"],
            json!([
                {"type": "function", "name": "divide", "description": "Divide two numbers.",
                 "parameters": {"type": "object",
                                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                                "required": ["a", "b"], "additionalProperties": false},
                 "strict": true},
                {"type": "function", "name": "search", "description": null,
                 "parameters": {"type": "object", "properties": {"q": {"type": "string",
                                "minLength": 1}}, "additionalProperties": false},
                 "strict": false}
            ])
        );
        assert_eq!(value["tool_choice"], "auto");
        assert_eq!(value["parallel_tool_calls"], false);
        // A server without strict mode.
        let value = body_with(
            &OpenAiResponses::new().with_strict_tools(false),
            "gpt-4o",
            &prompt("Hi"),
            &ModelSettings::default(),
            &parameters,
        )
        .unwrap();
        assert_eq!(value["tools"][0]["strict"], false);

        let choice = |tool_choice: Option<ToolChoice>, allow_text: bool| -> Value {
            let parameters = ModelRequestParameters {
                function_tools: vec![divide(), loose.clone()],
                allow_text_output: allow_text,
                ..Default::default()
            };
            let settings = ModelSettings {
                tool_choice,
                ..Default::default()
            };
            let value = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters);
            value.unwrap()["tool_choice"].clone()
        };
        assert_eq!(choice(Some(ToolChoice::None), true), "none");
        assert_eq!(choice(Some(ToolChoice::Required), true), "required");
        assert_eq!(choice(None, false), "required");
        assert_eq!(
            choice(Some(ToolChoice::Tools(vec!["divide".into()])), true),
            json!({"type": "function", "name": "divide"})
        );
        let parameters = ModelRequestParameters {
            function_tools: vec![divide(), loose.clone(), ToolDefinition::new("third")],
            ..Default::default()
        };
        let settings = ModelSettings {
            tool_choice: Some(ToolChoice::Tools(vec!["divide".into(), "search".into()])),
            ..Default::default()
        };
        let value = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters).unwrap();
        assert_eq!(
            value["tool_choice"],
            json!({"type": "allowed_tools", "mode": "required", "tools": [
                {"type": "function", "name": "divide"}, {"type": "function", "name": "search"}]})
        );
        // `allowed_tools` leaves `tools` whole, which keeps the prompt cache.
        assert_eq!(value["tools"].as_array().map(Vec::len), Some(3));

        // Without tools there is no choice to make, and no parallel calls.
        let value = with_settings(
            "gpt-4o",
            ModelSettings {
                parallel_tool_calls: Some(true),
                ..Default::default()
            },
        );
        assert_eq!(value.get("tool_choice"), None);
        assert_eq!(value.get("parallel_tool_calls"), None);
        // An unknown tool is a user error.
        let settings = ModelSettings {
            tool_choice: Some(ToolChoice::Tools(vec!["nope".into()])),
            ..Default::default()
        };
        let err = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters);
        assert!(matches!(err, Err(Error::User { .. })));
    }

    #[test]
    fn settings_map_to_their_fields() {
        let settings = ModelSettings {
            max_tokens: Some(100),
            temperature: Some(0.5),
            top_p: Some(0.9),
            service_tier: Some("flex".into()),
            // The Responses API has no field for these: they are warned about, not sent.
            top_k: Some(3),
            seed: Some(7),
            presence_penalty: Some(0.1),
            frequency_penalty: Some(0.2),
            logit_bias: Some(Default::default()),
            stop_sequences: Some(vec!["END".into()]),
            ..Default::default()
        };
        assert_eq!(
            with_settings("gpt-4o", settings),
            json!({"model": "gpt-4o", "stream": false,
                   "input": [{"role": "user", "content": "Hi"}],
                   "max_output_tokens": 100, "temperature": 0.5, "top_p": 0.9,
                   "service_tier": "flex"})
        );
    }

    #[test]
    fn thinking_becomes_reasoning_on_reasoning_models() {
        let thinking = |model: &str, thinking: Option<Thinking>| -> Value {
            with_settings(
                model,
                ModelSettings {
                    thinking,
                    temperature: Some(0.2),
                    top_p: Some(0.5),
                    ..Default::default()
                },
            )
        };
        // A reasoning model: encrypted reasoning asked for, sampling settings dropped.
        let value = thinking("gpt-5", Some(Thinking::High));
        assert_eq!(value["include"], json!(["reasoning.encrypted_content"]));
        assert_eq!(
            value["reasoning"],
            json!({"effort": "high", "summary": "auto"})
        );
        assert_eq!((value.get("temperature"), value.get("top_p")), (None, None));
        let value = thinking("o3-mini", None);
        assert_eq!(value.get("reasoning"), None);
        assert_eq!(value.get("temperature"), None);
        // GPT-5.6: no `minimal` effort; reasoning context for every turn by default.
        let value = thinking("gpt-5.6-sol", Some(Thinking::Minimal));
        assert_eq!(
            value["reasoning"],
            json!({"effort": "low", "summary": "auto", "context": "all_turns"})
        );
        assert_eq!(
            thinking("gpt-5.4", None)["reasoning"],
            json!({"context": "all_turns"})
        );
        // A model that can stop reasoning keeps its sampling settings when it does.
        let value = thinking("gpt-5.1", Some(Thinking::Disabled));
        assert_eq!(value["reasoning"], json!({"effort": "none"}));
        assert_eq!(
            (value["temperature"].as_f64(), value["top_p"].as_f64()),
            (Some(0.2), Some(0.5))
        );
        // One that cannot is not asked to.
        assert_eq!(
            thinking("o3", Some(Thinking::Disabled)).get("reasoning"),
            None
        );
        // A model that does not reason gets nothing of it.
        let value = thinking("gpt-4o", Some(Thinking::High));
        assert_eq!((value.get("reasoning"), value.get("include")), (None, None));
        assert_eq!(value["temperature"], 0.2);
        // Summaries can be turned off for servers or organizations without them.
        let value = body_with(
            &named().with_reasoning_summary(ReasoningSummary::Off),
            "gpt-5",
            &prompt("Hi"),
            &ModelSettings {
                thinking: Some(Thinking::Enabled),
                ..Default::default()
            },
            &ModelRequestParameters::default(),
        )
        .unwrap();
        assert_eq!(value["reasoning"], json!({"effort": "medium"}));
        let value = body_with(
            &named().with_reasoning_summary(ReasoningSummary::Detailed),
            "o4-mini",
            &prompt("Hi"),
            &ModelSettings {
                thinking: Some(Thinking::Low),
                ..Default::default()
            },
            &ModelRequestParameters::default(),
        )
        .unwrap();
        assert_eq!(
            value["reasoning"],
            json!({"effort": "low", "summary": "detailed"})
        );
    }

    #[test]
    fn structured_output_uses_text_format() {
        let object = OutputObjectDefinition {
            json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"]}),
            name: Some("capital".into()),
            description: Some("The capital.".into()),
            strict: None,
        };
        let parameters = ModelRequestParameters {
            output_mode: OutputMode::Native,
            output_object: Some(object),
            ..Default::default()
        };
        let value = body_with(
            &named(),
            "gpt-4o",
            &prompt("Hi"),
            &ModelSettings::default(),
            &parameters,
        )
        .unwrap();
        assert_eq!(
            value["text"],
            json!({"format": {"type": "json_schema", "name": "capital",
                "description": "The capital.", "strict": true,
                "schema": {"type": "object", "properties": {"city": {"type": "string"}},
                           "required": ["city"], "additionalProperties": false}}})
        );
        let missing = ModelRequestParameters {
            output_mode: OutputMode::Native,
            ..Default::default()
        };
        assert!(matches!(
            body_with(
                &named(),
                "gpt-4o",
                &prompt("Hi"),
                &ModelSettings::default(),
                &missing
            ),
            Err(Error::User { .. })
        ));

        // Prompted output: JSON mode, with the instructions moved into the input (the API wants
        // "json" in the input messages).
        let parameters = ModelRequestParameters {
            output_mode: OutputMode::Prompted,
            ..Default::default()
        };
        let messages = vec![ModelRequest::new(vec![
            SystemPromptPart::new("Be brief.").into(),
            UserPromptPart::new("Hi").into(),
        ])
        .with_instructions("Answer in JSON.")
        .into()];
        let value = body_with(
            &named(),
            "gpt-4o",
            &messages,
            &ModelSettings::default(),
            &parameters,
        )
        .unwrap();
        assert_eq!(value["text"], json!({"format": {"type": "json_object"}}));
        assert_eq!(value.get("instructions"), None);
        assert_eq!(
            value["input"],
            json!([
                {"role": "system", "content": "Be brief."},
                {"role": "system", "content": "Answer in JSON."},
                {"role": "user", "content": "Hi"}
            ])
        );
    }

    // -------------------------------------------------------------------------- responses

    fn parse(body: Value) -> ModelResponse {
        named()
            .parse_response(
                body.to_string().as_bytes(),
                &mut ResponseContext::new("gpt-5", PROVIDER),
            )
            .unwrap()
    }

    /// A response of a reasoning model that thought, talked and called a tool.
    fn full_response() -> Value {
        json!({
            "id": "resp_1", "object": "response", "created_at": 1_761_323_546,
            "status": "completed", "background": false, "error": null,
            "incomplete_details": null, "model": "gpt-5.5-2026-01-01",
            "conversation": {"id": "conv_1"},
            "output": [
                {"type": "reasoning", "id": "rs_1", "encrypted_content": "enc-1",
                 "summary": [{"type": "summary_text", "text": "First thought."},
                             {"type": "summary_text", "text": "Second thought."}]},
                {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                 "phase": "commentary",
                 "content": [{"type": "output_text", "text": "Let me divide.", "annotations": [],
                              "logprobs": [{"token": "Let", "bytes": [76, 101, 116],
                                            "logprob": -0.5, "top_logprobs": []}]}]},
                {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "divide",
                 "arguments": "{\"a\":1,\"b\":2}", "status": "completed", "namespace": "math"},
                {"type": "web_search_call", "id": "ws_1", "status": "completed",
                 "action": {"type": "search", "query": "weather"}}
            ],
            "usage": {"input_tokens": 40, "input_tokens_details": {"cached_tokens": 8},
                      "output_tokens": 18, "output_tokens_details": {"reasoning_tokens": 12},
                      "total_tokens": 58}
        })
    }

    #[test]
    fn parses_items_usage_and_details() {
        let response = parse(full_response());
        let signed = ThinkingPart {
            id: Some("rs_1".into()),
            signature: Some("enc-1".into()),
            provider_name: Some(OURS.into()),
            ..ThinkingPart::new("First thought.")
        };
        let mut text_details = Map::new();
        text_details.insert(
            "logprobs".into(),
            json!([{"token": "Let", "bytes": [76, 101, 116], "logprob": -0.5, "top_logprobs": []}]),
        );
        text_details.insert("phase".into(), json!("commentary"));
        let expected_parts: Vec<ModelResponsePart> = vec![
            signed.into(),
            ThinkingPart {
                id: Some("rs_1".into()),
                provider_name: Some(OURS.into()),
                ..ThinkingPart::new("Second thought.")
            }
            .into(),
            TextPart {
                id: Some("msg_1".into()),
                provider_name: Some(OURS.into()),
                provider_details: Some(text_details),
                ..TextPart::new("Let me divide.")
            }
            .into(),
            // The web search is a built-in tool: left out, with a warning.
            ToolCallPart {
                id: Some("fc_1".into()),
                provider_name: Some(OURS.into()),
                provider_details: Some(Map::from_iter([("namespace".to_owned(), json!("math"))])),
                ..ToolCallPart::new("divide", r#"{"a":1,"b":2}"#, "call_1")
            }
            .into(),
        ];
        assert_eq!(response.parts, expected_parts);
        assert_eq!(response.model_name.as_deref(), Some("gpt-5.5-2026-01-01"));
        assert_eq!(response.provider_response_id.as_deref(), Some("resp_1"));
        assert_eq!(response.finish_reason, Some(FinishReason::Stop));
        assert_eq!(response.state, ResponseState::Complete);
        assert_eq!(
            response.provider_details,
            json!({"finish_reason": "completed", "timestamp": "2025-10-24T16:32:26Z",
                   "conversation_id": "conv_1"})
            .as_object()
            .cloned()
        );
        let usage = &response.usage;
        assert_eq!(
            (
                usage.requests,
                usage.request_tokens,
                usage.cache_read_tokens,
                usage.response_tokens
            ),
            (1, 40, 8, 18)
        );
        assert_eq!(usage.total_tokens, 58);
        assert_eq!(usage.details.get("reasoning_tokens"), Some(&12));
    }

    #[test]
    fn incomplete_background_refused_and_lenient_responses() {
        // Cut at the token limit.
        let response = parse(json!({
            "id": "resp_2", "status": "incomplete", "model": "gpt-5",
            "incomplete_details": {"reason": "max_output_tokens"},
            "output": [{"type": "reasoning", "id": "rs_2", "summary": [],
                        "encrypted_content": "enc-2"}],
            "usage": {"input_tokens": 5, "output_tokens": 16}
        }));
        assert_eq!(response.finish_reason, Some(FinishReason::Length));
        assert_eq!(response.state, ResponseState::Complete);
        assert_eq!(
            response.parts,
            vec![ModelResponsePart::from(ThinkingPart {
                id: Some("rs_2".into()),
                signature: Some("enc-2".into()),
                provider_name: Some(OURS.into()),
                ..ThinkingPart::default()
            })]
        );
        // Without output_tokens_details, reasoning tokens count 0 (as pydantic-ai does).
        assert_eq!(response.usage.details.get("reasoning_tokens"), Some(&0));

        // A background job still queued: suspended, without usage.
        let response = parse(json!({
            "id": "resp_3", "status": "queued", "background": true, "model": "gpt-4o",
            "created_at": 1_770_757_617, "output": [], "usage": null
        }));
        assert_eq!(response.state, ResponseState::Suspended);
        assert_eq!(response.finish_reason, None);
        assert_eq!(
            response.provider_details,
            json!({"finish_reason": "queued", "timestamp": "2026-02-10T21:06:57Z",
                   "background": true})
            .as_object()
            .cloned()
        );
        assert!(response.usage.details.is_empty());

        // A refusal: content filtered.
        let response = parse(json!({
            "id": "resp_4", "status": "completed", "model": "gpt-4o",
            "output": [{"type": "message", "id": "msg_4", "role": "assistant",
                        "content": [{"type": "refusal", "refusal": "I can't help with that."}]}]
        }));
        assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
        assert!(response.parts.is_empty());
        assert_eq!(
            response.provider_details,
            json!({"refusal": "I can't help with that."})
                .as_object()
                .cloned()
        );

        // What llama.cpp's server sends: no created_at in some events, no output details,
        // `logprobs: []`; a gateway's `text: null`.
        let response = parse(json!({
            "completed_at": 1_795_581_151, "id": "resp_5", "model": "SmolLM2-135M-Instruct",
            "object": "response", "status": "completed",
            "output": [{"content": [{"type": "output_text", "annotations": [], "logprobs": [],
                                     "text": "The capital of France is Paris."},
                                    {"type": "output_text", "text": null}],
                        "id": "msg_5", "role": "assistant", "status": "completed",
                        "type": "message"}],
            "usage": {"input_tokens": 24, "output_tokens": 8, "total_tokens": 32,
                      "input_tokens_details": {"cached_tokens": 0}}
        }));
        assert_eq!(response.text(), "The capital of France is Paris.");
        assert_eq!(response.parts.len(), 2);
        assert_eq!(
            response.model_name.as_deref(),
            Some("SmolLM2-135M-Instruct")
        );
        assert_eq!(
            response.provider_details,
            json!({"finish_reason": "completed"}).as_object().cloned()
        );
        // A bare minimum: the requested model names the response.
        let response = named()
            .parse_response(
                br#"{"output": []}"#,
                &mut ResponseContext::new("local-model", PROVIDER),
            )
            .unwrap();
        assert_eq!(response.model_name.as_deref(), Some("local-model"));
        assert_eq!(response.usage, Usage::new(0, 0));
    }

    #[test]
    fn malformed_and_failed_bodies_are_typed_errors() {
        let protocol = named();
        let unexpected = |body: &[u8]| match protocol
            .parse_response(body, &mut ResponseContext::new("gpt-5", PROVIDER))
        {
            Err(Error::UnexpectedModelBehavior { message, body }) => (message, body),
            other => panic!("{other:?}"),
        };
        let (message, body) = unexpected(b"{\"output\": [");
        assert!(
            message.contains("invalid Responses API response"),
            "{message}"
        );
        assert_eq!(body.as_deref(), Some("{\"output\": ["));
        let (message, _) = unexpected(&[b'{', 0xFF, b'}']);
        assert!(message.contains("invalid"), "{message}");
        let (message, _) = unexpected(
            br#"{"status": "failed", "error": {"code": "server_error", "message": "The model crashed."}}"#,
        );
        assert_eq!(
            message,
            "the response failed: server_error: The model crashed."
        );
        let (message, _) =
            unexpected(br#"{"output": [{"type": "function_call", "call_id": "c"}]}"#);
        assert!(message.contains("has no name"), "{message}");
        let (message, body) = unexpected(br#"{"created_at": 1e300, "output": []}"#);
        assert!(message.contains("not a valid time"), "{message}");
        assert!(body.is_some());
        let (message, _) = unexpected(br#"{"output": [{"id": "x"}]}"#);
        assert!(message.contains("missing field `type`"), "{message}");
    }

    // -------------------------------------------------------------------------- streams

    /// Feeds `(event name, data)` pairs as SSE events, then the end of the body.
    fn stream_with(
        protocol: &OpenAiResponses,
        parameters: &ModelRequestParameters,
        events: &[(&str, String)],
    ) -> Result<Streamed> {
        let parts = PartsManager::new("gpt-5", parameters).with_provider(OURS, None);
        run_stream(
            protocol,
            parts,
            events.iter().map(|(name, data)| (*name, data.as_str())),
        )
    }

    /// OpenAI's events: the name in `event:`, the same in the data's `type`, numbered.
    fn openai_events(events: Vec<(&'static str, Value)>) -> Vec<(&'static str, String)> {
        events
            .into_iter()
            .enumerate()
            .map(|(n, (name, mut data))| {
                data["type"] = json!(name);
                data["sequence_number"] = json!(n);
                (name, data.to_string())
            })
            .collect()
    }

    fn stream(events: Vec<(&'static str, Value)>) -> Result<Streamed> {
        stream_with(
            &named(),
            &ModelRequestParameters::default(),
            &openai_events(events),
        )
    }

    /// The response of `full_response()` as OpenAI streams it, ending with `response.completed`.
    fn full_stream() -> Vec<(&'static str, Value)> {
        let whole = full_response();
        let mut created = whole.clone();
        created["status"] = json!("in_progress");
        created["output"] = json!([]);
        created["usage"] = Value::Null;
        let output = whole["output"].clone();
        let piece = |item: &str, fields: Value| {
            let mut event = fields;
            event["item_id"] = json!(item);
            event
        };
        vec![
            ("response.created", json!({"response": created.clone()})),
            ("response.in_progress", json!({"response": created})),
            (
                "response.output_item.added",
                json!({"output_index": 0,
                "item": {"type": "reasoning", "id": "rs_1", "summary": []}}),
            ),
            (
                "response.reasoning_summary_part.added",
                piece(
                    "rs_1",
                    json!({"summary_index": 0,
                "part": {"type": "summary_text", "text": ""}}),
                ),
            ),
            (
                "response.reasoning_summary_text.delta",
                piece(
                    "rs_1",
                    json!({"summary_index": 0,
                "delta": "First "}),
                ),
            ),
            (
                "response.reasoning_summary_text.delta",
                piece(
                    "rs_1",
                    json!({"summary_index": 0,
                "delta": "thought."}),
                ),
            ),
            (
                "response.reasoning_summary_text.done",
                piece(
                    "rs_1",
                    json!({"summary_index": 0,
                "text": "First thought."}),
                ),
            ),
            (
                "response.reasoning_summary_part.done",
                piece("rs_1", json!({"summary_index": 0})),
            ),
            (
                "response.reasoning_summary_part.added",
                piece(
                    "rs_1",
                    json!({"summary_index": 1,
                "part": {"type": "summary_text", "text": ""}}),
                ),
            ),
            (
                "response.reasoning_summary_text.delta",
                piece(
                    "rs_1",
                    json!({"summary_index": 1,
                "delta": "Second thought."}),
                ),
            ),
            (
                "response.output_item.done",
                json!({"output_index": 0, "item": output[0]}),
            ),
            (
                "response.output_item.added",
                json!({"output_index": 1, "item": {
                "type": "message", "id": "msg_1", "status": "in_progress", "role": "assistant",
                "phase": "commentary", "content": []}}),
            ),
            (
                "response.content_part.added",
                piece(
                    "msg_1",
                    json!({"content_index": 0,
                "part": {"type": "output_text", "text": "", "annotations": []}}),
                ),
            ),
            (
                "response.output_text.delta",
                piece(
                    "msg_1",
                    json!({"content_index": 0,
                "delta": "Let me ", "logprobs": []}),
                ),
            ),
            (
                "response.output_text.delta",
                piece(
                    "msg_1",
                    json!({"content_index": 0,
                "delta": "divide.", "logprobs": []}),
                ),
            ),
            (
                "response.output_text.done",
                piece(
                    "msg_1",
                    json!({"content_index": 0,
                "text": "Let me divide.", "logprobs": output[1]["content"][0]["logprobs"]}),
                ),
            ),
            (
                "response.content_part.done",
                piece("msg_1", json!({"content_index": 0})),
            ),
            (
                "response.output_item.done",
                json!({"output_index": 1, "item": output[1]}),
            ),
            (
                "response.output_item.added",
                json!({"output_index": 2, "item": {
                "type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "divide",
                "arguments": "", "status": "in_progress", "namespace": "math"}}),
            ),
            (
                "response.function_call_arguments.delta",
                piece("fc_1", json!({"delta": "{\"a\":1,"})),
            ),
            (
                "response.function_call_arguments.delta",
                piece("fc_1", json!({"delta": "\"b\":2}"})),
            ),
            (
                "response.function_call_arguments.done",
                piece("fc_1", json!({"arguments": "{\"a\":1,\"b\":2}"})),
            ),
            (
                "response.output_item.done",
                json!({"output_index": 2, "item": output[2]}),
            ),
            (
                "response.output_item.added",
                json!({"output_index": 3, "item": {
                "type": "web_search_call", "id": "ws_1", "status": "in_progress"}}),
            ),
            (
                "response.web_search_call.searching",
                piece("ws_1", json!({"output_index": 3})),
            ),
            (
                "response.output_item.done",
                json!({"output_index": 3, "item": output[3]}),
            ),
            ("response.completed", json!({"response": whole})),
        ]
    }

    #[test]
    fn streamed_and_whole_responses_are_equal() {
        let parsed = parse(full_response());
        let (mut streamed, events) = stream(full_stream()).unwrap();
        // The provider name is set by the HTTP layer; the timestamps are when each was received.
        streamed.provider_name = None;
        streamed.timestamp = parsed.timestamp;
        assert_eq!(streamed, parsed);
        assert_eq!(
            kinds(&events),
            [
                "start0", "delta0", "delta0", // the first summary
                "end0", "start1", "delta1", // the second
                "delta0", // the signature, on the first
                "end1", "start2", "final", "delta2", "delta2", // text, then its logprobs
                "end2", "start3", "delta3", "delta3", "end3" // the call and its arguments
            ]
        );
        let ModelResponseStreamEvent::PartStart(text) = &events[8] else {
            panic!("{:?}", events[8])
        };
        // The phase rides on the part's start.
        assert_eq!(
            text.part,
            TextPart {
                id: Some("msg_1".into()),
                provider_name: Some(OURS.into()),
                provider_details: json!({"phase": "commentary"}).as_object().cloned(),
                ..TextPart::new("Let me ")
            }
            .into()
        );
    }

    #[test]
    fn llama_cpp_streams_without_sequence_numbers_or_indices() {
        // As llama.cpp's server sends it: `event:` names, no `sequence_number`, no
        // `output_index`/`content_index`, `response.created` without a model or a time.
        let events: Vec<(&str, String)> = [
            ("response.created", json!({"type": "response.created", "response": {
                "id": "resp_9", "object": "response", "status": "in_progress"}})),
            ("response.in_progress", json!({"type": "response.in_progress", "response": {
                "id": "resp_9", "object": "response", "status": "in_progress"}})),
            ("response.output_item.added", json!({"type": "response.output_item.added",
                "item": {"content": [], "id": "msg_9", "role": "assistant",
                         "status": "in_progress", "type": "message"}})),
            ("response.content_part.added", json!({"type": "response.content_part.added",
                "item_id": "msg_9", "part": {"type": "output_text", "text": ""}})),
            ("response.output_text.delta", json!({"type": "response.output_text.delta",
                "item_id": "msg_9", "delta": "Paris"})),
            ("response.output_text.delta", json!({"type": "response.output_text.delta",
                "item_id": "msg_9", "delta": "."})),
            ("response.output_text.done", json!({"type": "response.output_text.done",
                "item_id": "msg_9", "text": "Paris."})),
            ("response.output_item.done", json!({"type": "response.output_item.done",
                "item": {"type": "message", "status": "completed", "id": "msg_9", "role": "assistant",
                         "content": [{"type": "output_text", "annotations": [], "logprobs": [],
                                      "text": "Paris."}]}})),
            ("response.completed", json!({"type": "response.completed", "response": {
                "id": "resp_9", "object": "response", "created_at": 1_795_581_156,
                "status": "completed", "model": "SmolLM2-135M-Instruct",
                "output": [{"type": "message", "status": "completed", "id": "msg_9",
                            "content": [{"type": "output_text", "annotations": [],
                                         "logprobs": [], "text": "Paris."}],
                            "role": "assistant"}],
                "usage": {"input_tokens": 39, "output_tokens": 8, "total_tokens": 47,
                          "input_tokens_details": {"cached_tokens": 3}}},
                "timings": {"prompt_n": 36}})),
        ]
        .into_iter()
        .map(|(name, data)| (name, data.to_string()))
        .collect();
        let (mut streamed, _) =
            stream_with(&named(), &ModelRequestParameters::default(), &events).unwrap();
        let whole = serde_json::from_str::<Value>(&events[8].1).unwrap()["response"].clone();
        let parsed = parse(whole);
        streamed.provider_name = None;
        streamed.timestamp = parsed.timestamp;
        assert_eq!(streamed, parsed);
        assert_eq!(streamed.text(), "Paris.");
        assert_eq!(
            streamed.model_name.as_deref(),
            Some("SmolLM2-135M-Instruct")
        );
        assert_eq!(streamed.usage.cache_read_tokens, 3);

        // The same without `event:` names (every event `message`): the `type` decides.
        let unnamed: Vec<(&str, String)> =
            events.iter().map(|(_, d)| ("message", d.clone())).collect();
        let (mut again, _) =
            stream_with(&named(), &ModelRequestParameters::default(), &unnamed).unwrap();
        again.provider_name = None;
        again.timestamp = parsed.timestamp;
        assert_eq!(again, parsed);
    }

    #[test]
    fn gateways_that_skip_events_still_give_the_whole_response() {
        let completed = |output: Value| {
            (
                "response.completed",
                json!({"response": {"id": "resp_7", "status": "completed",
                "model": "m", "output": output}}),
            )
        };
        let call = json!({"type": "function_call", "id": "fc_7", "call_id": "call_7",
                          "name": "divide", "arguments": "{\"a\":1}"});
        // Arguments before their call, and no deltas for the second call (its arguments come
        // with the item).
        let (response, _) = stream(vec![
            (
                "response.function_call_arguments.delta",
                json!({"item_id": "fc_7", "delta": "{\"a\""}),
            ),
            (
                "response.function_call_arguments.delta",
                json!({"item_id": "fc_7", "delta": ":1}"}),
            ),
            (
                "response.output_item.added",
                json!({"item": {"type": "function_call",
                "id": "fc_7", "call_id": "call_7", "name": "divide", "arguments": ""}}),
            ),
            (
                "response.output_item.added",
                json!({"item": {"type": "function_call",
                "id": "fc_8", "call_id": "call_8", "name": "divide", "arguments": ""}}),
            ),
            (
                "response.output_item.done",
                json!({"item": {"type": "function_call",
                "id": "fc_8", "call_id": "call_8", "name": "divide", "arguments": "{\"b\":2}"}}),
            ),
            completed(json!([call])),
        ])
        .unwrap();
        let calls: Vec<(String, String)> = response
            .tool_calls()
            .iter()
            .map(|c| (c.tool_call_id.clone(), c.args_as_json_str()))
            .collect();
        assert_eq!(
            calls,
            [
                ("call_7".to_owned(), "{\"a\":1}".to_owned()),
                ("call_8".to_owned(), "{\"b\":2}".to_owned())
            ]
        );
        // Text only in `output_text.done`; an item only in `output_item.done`; and one only in
        // `response.completed`.
        let (response, _) = stream(vec![
            ("response.output_text.done", json!({"item_id": "msg_1", "text": "One."})),
            ("response.output_item.done", json!({"item": {"type": "message", "id": "msg_2",
                "role": "assistant", "content": [{"type": "output_text", "text": "Two."}]}})),
            completed(json!([
                {"type": "message", "id": "msg_1", "content": [{"type": "output_text", "text": "One."}]},
                {"type": "message", "id": "msg_3", "content": [{"type": "output_text", "text": "Three."}]}
            ])),
        ])
        .unwrap();
        let texts: Vec<(&str, &str)> = response
            .parts
            .iter()
            .filter_map(|p| match p {
                ModelResponsePart::Text(t) => Some((t.id.as_deref()?, t.content.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            texts,
            [("msg_1", "One."), ("msg_2", "Two."), ("msg_3", "Three.")]
        );
    }

    #[test]
    fn streamed_refusals_incomplete_and_raw_reasoning() {
        let (response, _) = stream(vec![
            ("response.output_item.added", json!({"item": {"type": "message", "id": "msg_1",
                "role": "assistant", "content": []}})),
            ("response.refusal.delta", json!({"item_id": "msg_1", "delta": "I can't"})),
            ("response.refusal.done", json!({"item_id": "msg_1", "refusal": "I can't help."})),
            ("response.output_item.done", json!({"item": {"type": "message", "id": "msg_1",
                "role": "assistant", "content": [{"type": "refusal", "refusal": "I can't help."}]}})),
            ("response.completed", json!({"response": {"id": "r", "status": "completed",
                "output": [{"type": "message", "id": "msg_1", "role": "assistant",
                            "content": [{"type": "refusal", "refusal": "I can't help."}]}]}})),
        ])
        .unwrap();
        assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
        assert!(response.parts.is_empty());
        assert_eq!(
            response.provider_details,
            json!({"refusal": "I can't help."}).as_object().cloned()
        );

        // Cut at the token limit: `response.incomplete` ends the stream.
        let (response, _) = stream(vec![
            (
                "response.output_text.delta",
                json!({"item_id": "msg_1", "delta": "Once upon"}),
            ),
            (
                "response.incomplete",
                json!({"response": {"id": "r", "status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"},
                "usage": {"input_tokens": 3, "output_tokens": 2}}}),
            ),
        ])
        .unwrap();
        assert_eq!(response.finish_reason, Some(FinishReason::Length));
        assert_eq!(response.text(), "Once upon");
        assert_eq!(response.usage.response_tokens, 2);

        // Raw chain of thought (gpt-oss on compatible servers) goes to `raw_content`.
        let events = vec![
            (
                "response.output_item.added",
                json!({"item": {"type": "reasoning", "id": "rs_1",
                "summary": [], "content": []}}),
            ),
            (
                "response.reasoning_text.delta",
                json!({"item_id": "rs_1", "content_index": 0,
                "delta": "Think"}),
            ),
            (
                "response.reasoning_text.delta",
                json!({"item_id": "rs_1", "content_index": 0,
                "delta": "ing."}),
            ),
            (
                "response.reasoning_text.done",
                json!({"item_id": "rs_1", "content_index": 0,
                "text": "Thinking."}),
            ),
            (
                "response.output_item.done",
                json!({"item": {"type": "reasoning", "id": "rs_1",
                "summary": []}}),
            ),
            (
                "response.completed",
                json!({"response": {"status": "completed",
                "output": [{"type": "reasoning", "id": "rs_1", "summary": [],
                            "content": [{"type": "reasoning_text", "text": "Thinking."}]}]}}),
            ),
        ];
        let whole = events[5].1["response"].clone();
        let (mut streamed, stream_events) = stream(events).unwrap();
        let parsed = parse(whole);
        streamed.provider_name = None;
        streamed.timestamp = parsed.timestamp;
        assert_eq!(streamed, parsed);
        assert_eq!(
            streamed.parts,
            vec![ModelResponsePart::from(ThinkingPart {
                id: Some("rs_1".into()),
                provider_name: Some(OURS.into()),
                provider_details: json!({"raw_content": ["Thinking."]}).as_object().cloned(),
                ..ThinkingPart::default()
            })]
        );
        assert_eq!(kinds(&stream_events), ["start0", "delta0", "end0"]);
    }

    #[test]
    fn truncated_failed_and_error_streams_are_errors() {
        let unexpected = |result: Result<Streamed>| match result {
            Err(Error::UnexpectedModelBehavior { message, body }) => (message, body),
            other => panic!("{other:?}"),
        };
        // No `response.completed`: truncated.
        let (message, _) = unexpected(stream(vec![
            (
                "response.created",
                json!({"response": {"id": "r", "status": "in_progress"}}),
            ),
            (
                "response.output_text.delta",
                json!({"item_id": "msg_1", "delta": "Hel"}),
            ),
        ]));
        assert!(message.contains("before `response.completed`"), "{message}");
        // `[DONE]` without it is no better.
        let events = vec![("message", "[DONE]".to_owned())];
        let (message, _) = unexpected(stream_with(&named(), &Default::default(), &events));
        assert!(message.contains("truncated"), "{message}");

        let (message, body) = unexpected(stream(vec![(
            "response.failed",
            json!({"response": {"id": "r", "status": "failed",
                "error": {"code": "server_error", "message": "The model crashed."}}}),
        )]));
        assert_eq!(
            message,
            "the response failed: server_error: The model crashed."
        );
        assert!(body.is_some_and(|b| b.contains("server_error")));
        let (message, _) = unexpected(stream(vec![(
            "error",
            json!({"code": "rate_limit_exceeded", "message": "Slow down.", "param": null}),
        )]));
        assert_eq!(
            message,
            "the provider reported an error in the stream: rate_limit_exceeded: Slow down."
        );
        let (message, _) = unexpected(stream(vec![(
            "error",
            json!({"error": {"message": "Overloaded."}}),
        )]));
        assert!(message.ends_with(": Overloaded."), "{message}");
        // Malformed data: the event named, the bytes kept.
        let events = vec![("response.output_text.delta", "{\"delta\": 7}".to_owned())];
        let (message, body) = unexpected(stream_with(&named(), &Default::default(), &events));
        assert!(
            message.contains("`response.output_text.delta`"),
            "{message}"
        );
        assert_eq!(body.as_deref(), Some("{\"delta\": 7}"));
        let events = vec![("message", "{\"delta\": \"x\"}".to_owned())];
        let (message, _) = unexpected(stream_with(&named(), &Default::default(), &events));
        assert!(
            message.contains("neither an event name nor a `type`"),
            "{message}"
        );
        // A delta for a part of another kind.
        let (message, _) = unexpected(stream(vec![
            (
                "response.output_text.delta",
                json!({"item_id": "x", "delta": "a"}),
            ),
            (
                "response.reasoning_summary_text.delta",
                json!({"item_id": "x", "delta": "b"}),
            ),
        ]));
        assert!(
            message.contains("cannot apply a thinking delta"),
            "{message}"
        );
    }

    #[test]
    fn unknown_events_are_skipped_and_background_jobs_suspend() {
        let (response, _) = stream(vec![
            (
                "response.created",
                json!({"response": {"id": "r", "status": "queued",
                "background": true, "model": "gpt-4o"}}),
            ),
            (
                "response.queued",
                json!({"response": {"id": "r", "status": "queued",
                "background": true}}),
            ),
            ("response.audio.delta", json!({"delta": "AAAA"})),
            ("response.some_future_event", json!({"anything": [1, 2]})),
            (
                "response.output_text.delta",
                json!({"item_id": "msg_1", "delta": "4"}),
            ),
        ])
        .unwrap();
        // The body ended while the job was still running: suspended, with where to resume.
        assert_eq!(response.state, ResponseState::Suspended);
        assert_eq!(response.text(), "4");
        assert_eq!(
            response.provider_details,
            json!({"background": true, "last_sequence_number": 4})
                .as_object()
                .cloned()
        );
        // Keep-alive text that is not JSON is reported and skipped.
        let events = vec![
            ("ping", "keep-alive".to_owned()),
            ("message", String::new()),
            (
                "response.completed",
                json!({"type": "response.completed", "response": {"status": "completed"}})
                    .to_string(),
            ),
        ];
        let (response, _) = stream_with(&named(), &Default::default(), &events).unwrap();
        assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    }

    #[test]
    fn a_streamed_output_tool_call_is_the_final_result() {
        let parameters = ModelRequestParameters {
            output_tools: vec![ToolDefinition::new("final_result")],
            allow_text_output: false,
            ..Default::default()
        };
        let events = openai_events(vec![
            (
                "response.output_item.added",
                json!({"item": {"type": "function_call",
                "id": "fc_1", "call_id": "call_1", "name": "final_result", "arguments": ""}}),
            ),
            (
                "response.function_call_arguments.delta",
                json!({"item_id": "fc_1", "delta": "{}"}),
            ),
            (
                "response.completed",
                json!({"response": {"status": "completed"}}),
            ),
        ]);
        let (_, events) = stream_with(&named(), &parameters, &events).unwrap();
        assert_eq!(kinds(&events), ["start0", "final", "delta0", "end0"]);
        let ModelResponseStreamEvent::FinalResult(result) = &events[1] else {
            panic!("{events:?}")
        };
        assert_eq!(result.tool_call_id.as_deref(), Some("call_1"));
    }
}
