//! The OpenAI Chat Completions protocol (`POST /chat/completions`), spoken by OpenAI and by
//! most OpenAI-compatible hosts (Groq, DeepSeek, OpenRouter, Ollama, Cerebras, …).
//!
//! API reference: <https://platform.openai.com/docs/api-reference/chat>.
//!
//! The translation follows pydantic-ai's `OpenAIChatModel`: the same messages, tool and
//! `response_format` shapes, the same parsing of text, tool calls, reasoning fields and
//! `<think>` tags, the same usage and finish-reason mapping. Where compatible hosts differ the
//! difference is an option of [`OpenAiChat`]; where they differ from the documented format
//! without harm (a missing `object`, an empty `finish_reason`, an unknown enum value,
//! arguments streamed as objects) the parser is lenient.
//!
//! Pure translation: no I/O here.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{guard_id, insert_detail, json_body, needs_download, percent_encode};
use super::common::{visit_cow_str, CowStr};
use super::tool_choice::{
    resolve_tool_choice, tool_definitions, without_allowed_tools, ForcedChoice,
};
use super::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, BinaryContent, FinishReason, ForceDownload, ModelMessage, ModelRequest,
    ModelRequestPart, ModelResponse, ModelResponsePart, TextPart, ThinkingPart, ToolArgs,
    ToolCallPart, UserContent, UserContentItem,
};
use crate::models::{instructions, ModelProfile, ModelRequestParameters, OutputMode};
use crate::schema::{self, SchemaTransformer};
use crate::settings::{ModelSettings, Thinking, ToolChoice};
use crate::stream::{ArgsDelta, PartsManager, VendorId};
use crate::tools::ToolDefinition;
use crate::usage::Usage;
use crate::warning::Warnings;

/// The name pydantic-ai gives an output object without one.
pub(super) const DEFAULT_OUTPUT_NAME: &str = "final_result";

/// The reasoning fields compatible hosts use, in the order they are looked for after the
/// configured one: `reasoning` (Ollama, OpenRouter, Groq, vLLM) and `reasoning_content`
/// (DeepSeek, Moonshot, older vLLM).
const REASONING_FIELDS: [&str; 2] = ["reasoning", "reasoning_content"];

/// The vendor id of the text part (and of a thinking part opened by a `<think>` tag).
const CONTENT: &str = "content";

/// The vendor id of thinking sent as content chunks (Mistral's `{"type": "thinking"}`).
const THINKING_CHUNKS: &str = "thinking";

/// The role system prompts and instructions are sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemRole {
    /// `system` (OpenAI's default, and every compatible host's).
    System,
    /// `developer` (OpenAI's reasoning models prefer it).
    Developer,
    /// `user`, for models that accept neither (OpenAI's `o1-mini`).
    User,
}

/// The role OpenAI's models take system prompts in: `system`, but `user` for `o1-mini`, which
/// accepts neither `system` nor `developer`.
pub(super) fn openai_system_role(model_name: &str) -> SystemRole {
    if model_name.starts_with("o1-mini") {
        SystemRole::User
    } else {
        SystemRole::System
    }
}

impl SystemRole {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            SystemRole::System => "system",
            SystemRole::Developer => "developer",
            SystemRole::User => "user",
        }
    }
}

/// The request field that carries [`ModelSettings::max_tokens`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxTokensField {
    /// `max_completion_tokens` (OpenAI, which deprecated `max_tokens`).
    MaxCompletionTokens,
    /// `max_tokens` (most compatible hosts, e.g. OpenRouter).
    MaxTokens,
}

/// How the thinking parts of earlier responses are sent back in assistant messages
/// (pydantic-ai's `openai_chat_send_back_thinking_parts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendBackThinking {
    /// In the reasoning field they came from (their `id` is that field's name) when it is
    /// the configured field or a known one; otherwise inside the thinking tags in `content`.
    Auto,
    /// Always inside the thinking tags in `content`.
    Tags,
    /// Always in the configured reasoning field ([`OpenAiChat::with_thinking_field`]).
    Field,
    /// Never.
    Omit,
}

/// How audio bytes are encoded in `input_audio.data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioEncoding {
    /// Plain base64 (OpenAI).
    Base64,
    /// A `data:` URI (some compatible hosts).
    DataUri,
}

/// How [`ModelSettings::thinking`] is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reasoning {
    /// As `reasoning_effort`, for OpenAI's reasoning models (o-series, GPT-5 families) chosen
    /// by model name; sampling settings are dropped (with a warning) while such a model
    /// reasons, as the API rejects them. Other models get no `reasoning_effort`.
    OpenAiModels,
    /// As `reasoning_effort`, for every model.
    Effort,
    /// Not at all: a `thinking` setting is reported with a warning.
    Unsupported,
}

/// A setting that a host does not accept: it is left out of the body, with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// [`ModelSettings::max_tokens`].
    MaxTokens,
    /// [`ModelSettings::temperature`].
    Temperature,
    /// [`ModelSettings::top_p`].
    TopP,
    /// [`ModelSettings::seed`].
    Seed,
    /// [`ModelSettings::presence_penalty`].
    PresencePenalty,
    /// [`ModelSettings::frequency_penalty`].
    FrequencyPenalty,
    /// [`ModelSettings::logit_bias`].
    LogitBias,
    /// [`ModelSettings::stop_sequences`].
    StopSequences,
    /// [`ModelSettings::parallel_tool_calls`].
    ParallelToolCalls,
    /// [`ModelSettings::service_tier`].
    ServiceTier,
}

impl Setting {
    fn name(self) -> &'static str {
        match self {
            Setting::MaxTokens => "max_tokens",
            Setting::Temperature => "temperature",
            Setting::TopP => "top_p",
            Setting::Seed => "seed",
            Setting::PresencePenalty => "presence_penalty",
            Setting::FrequencyPenalty => "frequency_penalty",
            Setting::LogitBias => "logit_bias",
            Setting::StopSequences => "stop_sequences",
            Setting::ParallelToolCalls => "parallel_tool_calls",
            Setting::ServiceTier => "service_tier",
        }
    }
}

/// The OpenAI Chat Completions protocol, with the options in which compatible hosts differ.
///
/// `OpenAiChat::default()` is OpenAI itself. A compatible host changes what it needs with the
/// `with_*` setters, which are `const` so that a host declaration can be a constant:
///
/// ```
/// use llm_runtime::providers::openai_chat::{MaxTokensField, OpenAiChat, SendBackThinking};
///
/// // DeepSeek: reasoning in `reasoning_content`, sent back in that field.
/// const DEEPSEEK: OpenAiChat = OpenAiChat::new()
///     .with_thinking_field("reasoning_content")
///     .with_send_back_thinking(SendBackThinking::Field)
///     .with_max_tokens_field(MaxTokensField::MaxTokens);
/// # let _ = DEEPSEEK;
/// ```
///
/// Defaults (OpenAI): system prompts as `system` (`user` for `o1-mini`), reasoning read from
/// `reasoning` or `reasoning_content` and sent back in the field it came from, `<think>`
/// tags split out of text, `max_completion_tokens`, `stream_options.include_usage`, strict tool
/// schemas where compatible (OpenAI's strict transformer), `tool_choice: "required"`, several
/// system messages, document and audio input as base64, `reasoning_effort` for OpenAI's
/// reasoning models, JSON-schema and JSON-object output.
///
/// Errors: a malformed body or chunk is an [`Error::UnexpectedModelBehavior`] with the
/// offending bytes; an `error` object in a 200 body or inside a stream is an [`Error::Http`]
/// when it carries an HTTP status (`code` or `status_code`, as OpenRouter and Groq send), and an
/// [`Error::UnexpectedModelBehavior`] naming its message otherwise.
#[derive(Debug, Clone)]
pub struct OpenAiChat {
    endpoint: &'static str,
    system_role: Option<SystemRole>,
    thinking_field: Option<&'static str>,
    send_back_thinking: SendBackThinking,
    thinking_tags: (&'static str, &'static str),
    max_tokens_field: MaxTokensField,
    stream_usage: bool,
    strict_tools: bool,
    tool_choice_required: bool,
    no_tool_choice_required_for: &'static [&'static str],
    multiple_system_messages: bool,
    document_input: bool,
    file_urls: bool,
    audio_encoding: AudioEncoding,
    reasoning: Reasoning,
    unsupported_settings: &'static [Setting],
    schema_transformer: SchemaTransformer,
    json_schema_output: bool,
    json_object_output: bool,
    ignore_streamed_leading_whitespace: Option<bool>,
}

impl Default for OpenAiChat {
    fn default() -> Self {
        OpenAiChat::new()
    }
}

impl OpenAiChat {
    /// The protocol as OpenAI speaks it (the same as `default()`, usable in constants).
    pub const fn new() -> Self {
        OpenAiChat {
            endpoint: "chat/completions",
            system_role: None,
            thinking_field: None,
            send_back_thinking: SendBackThinking::Auto,
            thinking_tags: ("<think>", "</think>"),
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            stream_usage: true,
            strict_tools: true,
            tool_choice_required: true,
            no_tool_choice_required_for: &[],
            multiple_system_messages: true,
            document_input: true,
            file_urls: false,
            audio_encoding: AudioEncoding::Base64,
            reasoning: Reasoning::OpenAiModels,
            unsupported_settings: &[],
            schema_transformer: schema::openai::transform,
            json_schema_output: true,
            json_object_output: true,
            ignore_streamed_leading_whitespace: None,
        }
    }

    /// Sends requests to `path`, relative to the provider's base URL, instead of
    /// `chat/completions`; `{model}` in it is replaced by the model name, percent-encoded
    /// (Azure's `openai/deployments/{model}/chat/completions`).
    pub const fn with_endpoint(mut self, path: &'static str) -> Self {
        self.endpoint = path;
        self
    }

    /// Sends system prompts and instructions with `role` for every model (by default
    /// `system`, and `user` for OpenAI's `o1-mini`, which accepts neither `system` nor
    /// `developer`).
    pub const fn with_system_role(mut self, role: SystemRole) -> Self {
        self.system_role = Some(role);
        self
    }

    /// Reads reasoning first from the response field `field` (before `reasoning` and
    /// `reasoning_content`, which are always looked at), and sends it back there.
    pub const fn with_thinking_field(mut self, field: &'static str) -> Self {
        self.thinking_field = Some(field);
        self
    }

    /// Chooses how thinking parts of earlier responses are sent back. [`SendBackThinking::Field`]
    /// needs [`with_thinking_field`](Self::with_thinking_field).
    pub const fn with_send_back_thinking(mut self, mode: SendBackThinking) -> Self {
        self.send_back_thinking = mode;
        self
    }

    /// Sets the tags around reasoning embedded in text (default `<think>`, `</think>`).
    pub const fn with_thinking_tags(mut self, start: &'static str, end: &'static str) -> Self {
        self.thinking_tags = (start, end);
        self
    }

    /// Chooses the field that carries [`ModelSettings::max_tokens`].
    pub const fn with_max_tokens_field(mut self, field: MaxTokensField) -> Self {
        self.max_tokens_field = field;
        self
    }

    /// Whether streamed requests ask for usage (`stream_options: {"include_usage": true}`);
    /// turn off for hosts that reject `stream_options`.
    pub const fn with_stream_usage(mut self, include: bool) -> Self {
        self.stream_usage = include;
        self
    }

    /// Whether the host accepts `strict` on tool definitions and `response_format`.
    pub const fn with_strict_tools(mut self, supported: bool) -> Self {
        self.strict_tools = supported;
        self
    }

    /// Whether the host accepts `tool_choice: "required"` and forcing a named tool. Without
    /// it, a required tool choice that was not asked for explicitly becomes `auto`, and an
    /// explicit one is an [`Error::User`].
    pub const fn with_tool_choice_required(mut self, supported: bool) -> Self {
        self.tool_choice_required = supported;
        self
    }

    /// As [`with_tool_choice_required(false)`](Self::with_tool_choice_required), for the models
    /// whose names start with one of `prefixes` only (DeepSeek's reasoning models).
    pub const fn with_no_tool_choice_required_for(
        mut self,
        prefixes: &'static [&'static str],
    ) -> Self {
        self.no_tool_choice_required_for = prefixes;
        self
    }

    /// Whether the host accepts several leading system messages; without it they are
    /// merged into one, joined by blank lines.
    pub const fn with_multiple_system_messages(mut self, supported: bool) -> Self {
        self.multiple_system_messages = supported;
        self
    }

    /// Whether the host accepts document (`file`) content parts.
    pub const fn with_document_input(mut self, supported: bool) -> Self {
        self.document_input = supported;
        self
    }

    /// Whether the host accepts a document URL in `file.file_data` (OpenRouter does); without
    /// it a document must be given as bytes.
    pub const fn with_file_urls(mut self, supported: bool) -> Self {
        self.file_urls = supported;
        self
    }

    /// Chooses how audio bytes are encoded.
    pub const fn with_audio_encoding(mut self, encoding: AudioEncoding) -> Self {
        self.audio_encoding = encoding;
        self
    }

    /// Chooses how [`ModelSettings::thinking`] is sent.
    pub const fn with_reasoning(mut self, reasoning: Reasoning) -> Self {
        self.reasoning = reasoning;
        self
    }

    /// Settings the host rejects: they are left out of the body, with a warning.
    pub const fn with_unsupported_settings(mut self, settings: &'static [Setting]) -> Self {
        self.unsupported_settings = settings;
        self
    }

    /// Chooses the JSON-schema transformer applied to tool parameters and to
    /// `response_format` (default: [`schema::openai::transform`]).
    pub const fn with_schema_transformer(mut self, transformer: SchemaTransformer) -> Self {
        self.schema_transformer = transformer;
        self
    }

    /// Whether the host supports `response_format` with a JSON schema, and with
    /// `{"type": "json_object"}` (used for prompted output).
    pub const fn with_structured_output(mut self, json_schema: bool, json_object: bool) -> Self {
        self.json_schema_output = json_schema;
        self.json_object_output = json_object;
        self
    }

    /// Whether whitespace-only text at the start of a streamed text part is ignored, for every
    /// model. By default it is for the model families that send `"\n\n"` before a tool call or
    /// after their reasoning (Qwen, DeepSeek R1, Kimi, gpt-oss), as pydantic-ai's profiles say.
    pub const fn with_ignore_streamed_leading_whitespace(mut self, ignore: bool) -> Self {
        self.ignore_streamed_leading_whitespace = Some(ignore);
        self
    }

    fn ignores_leading_whitespace(&self, model_name: &str) -> bool {
        if let Some(ignore) = self.ignore_streamed_leading_whitespace {
            return ignore;
        }
        // The model's own name, without a host's `vendor/` prefix or `:tag` suffix.
        let name = model_name.rsplit('/').next().unwrap_or(model_name);
        let name = name.split(':').next().unwrap_or(name).to_ascii_lowercase();
        ["qwen", "qwq", "deepseek-r1", "kimi", "moonshot", "gpt-oss"]
            .iter()
            .any(|family| name.starts_with(family))
            || name == "deepseek-reasoner"
    }

    /// Whether `model_name` accepts `tool_choice: "required"` and a forced named tool.
    fn supports_tool_choice_required(&self, model_name: &str) -> bool {
        self.tool_choice_required
            && !self
                .no_tool_choice_required_for
                .iter()
                .any(|prefix| model_name.starts_with(prefix))
    }

    fn system_role_for(&self, model_name: &str) -> SystemRole {
        self.system_role
            .unwrap_or_else(|| openai_system_role(model_name))
    }

    /// The reasoning fields to read, in order: the configured one, then the known ones.
    fn reasoning_fields(&self) -> impl Iterator<Item = &'static str> {
        let custom = self.thinking_field;
        custom.into_iter().chain(
            REASONING_FIELDS
                .into_iter()
                .filter(move |f| Some(*f) != custom),
        )
    }
}

/// What a stream of the OpenAI Chat protocol remembers between events.
#[derive(Debug, Default)]
pub struct ChatStreamState {
    /// The provider's timestamp was recorded.
    timestamp_set: bool,
    /// The `content` vendor id names a thinking part opened by a `<think>` tag.
    in_tag_thinking: bool,
    /// Reasoning fields whose thinking part was started (indices into the fields read).
    reasoning_started: [bool; 3],
    /// The model refused (structured-output safety filter); its text so far.
    refusal: Option<String>,
    /// A `finish_reason` arrived: the response is whole even if `[DONE]` does not follow.
    finished: bool,
    /// Whether leading whitespace-only text is ignored, decided from the requested model on
    /// the first event.
    ignore_leading_whitespace: Option<bool>,
}

impl Protocol for OpenAiChat {
    type StreamState = ChatStreamState;
    type Event<'a> = Completion<'a>;
    const EVENT_DESCRIPTION: &'static str = "chat completion chunk";

    fn endpoint(&self, model_name: &str, _stream: bool) -> String {
        match self.endpoint.split_once("{model}") {
            Some((before, after)) => format!("{before}{}{after}", percent_encode(model_name)),
            None => self.endpoint.to_owned(),
        }
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        _warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        let body = self.build_request(request, stream)?;
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

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        let text = std::str::from_utf8(body).map_err(|e| {
            Error::unexpected_with_body(
                format!("the chat completion is not valid UTF-8: {e}"),
                body,
            )
        })?;
        let completion = parse_completion(text, self.thinking_field).map_err(|e| {
            Error::unexpected_with_body(format!("invalid chat completion: {e}"), body)
        })?;
        self.response_from(completion, cx, body)
    }

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<Completion<'a>> {
        parse_completion(event.data, self.thinking_field)
    }

    fn on_event(
        &self,
        chunk: Completion<'_>,
        raw: &RawEvent<'_>,
        state: &mut ChatStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        self.apply_chunk(chunk, raw.data, state, parts)?;
        Ok(Flow::Continue)
    }

    /// `[DONE]` is the terminator of Chat Completions streams.
    fn on_done(&self, _state: &mut ChatStreamState, _parts: &mut PartsManager) -> Result<Flow> {
        Ok(Flow::Done)
    }

    fn on_eof(&self, state: &mut ChatStreamState, _parts: &mut PartsManager) -> Result<()> {
        if state.finished {
            // Some compatible servers close the stream after the last chunk without `[DONE]`.
            Ok(())
        } else {
            Err(Error::unexpected(
                "the stream ended before a finish reason or `[DONE]`: the response is truncated",
            ))
        }
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        ModelProfile {
            supports_json_schema_output: self.json_schema_output,
            supports_json_object_output: self.json_object_output,
            thinking_tags: (
                self.thinking_tags.0.to_owned(),
                self.thinking_tags.1.to_owned(),
            ),
            ignore_streamed_leading_whitespace: self.ignores_leading_whitespace(model_name),
            ..ModelProfile::default()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `POST /chat/completions`.
#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: Vec<ChatMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<ChatTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoiceParam<'a>>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_effort: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_tier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presence_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frequency_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logit_bias: Option<&'a BTreeMap<String, i64>>,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

/// One message of the conversation, tagged by `role`.
enum ChatMessage<'a> {
    /// A system prompt or instructions, with the role the model takes them in.
    System {
        role: SystemRole,
        content: Cow<'a, str>,
    },
    User {
        content: ChatUserContent<'a>,
    },
    Assistant(AssistantMessage<'a>),
    Tool {
        tool_call_id: Cow<'a, str>,
        content: Cow<'a, str>,
    },
}

impl ChatMessage<'_> {
    fn role(&self) -> &'static str {
        match self {
            ChatMessage::System { role, .. } => role.as_str(),
            ChatMessage::User { .. } => "user",
            ChatMessage::Assistant(_) => "assistant",
            ChatMessage::Tool { .. } => "tool",
        }
    }
}

impl Serialize for ChatMessage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("role", self.role())?;
        match self {
            ChatMessage::System { content, .. } => map.serialize_entry("content", content)?,
            ChatMessage::User { content } => map.serialize_entry("content", content)?,
            ChatMessage::Assistant(assistant) => {
                for (field, content) in &assistant.thinking {
                    map.serialize_entry(field, content)?;
                }
                map.serialize_entry("content", &assistant.content)?;
                if !assistant.tool_calls.is_empty() {
                    map.serialize_entry("tool_calls", &assistant.tool_calls)?;
                }
            }
            ChatMessage::Tool {
                tool_call_id,
                content,
            } => {
                map.serialize_entry("tool_call_id", tool_call_id)?;
                map.serialize_entry("content", content)?;
            }
        }
        map.end()
    }
}

struct AssistantMessage<'a> {
    /// Reasoning sent back in its own field: (field name, text).
    thinking: Vec<(&'a str, String)>,
    content: Option<String>,
    tool_calls: Vec<ChatToolCall<'a>>,
}

#[derive(Serialize)]
struct ChatToolCall<'a> {
    id: Cow<'a, str>,
    #[serde(rename = "type")]
    kind: &'static str,
    function: ChatFunctionCall<'a>,
}

#[derive(Serialize)]
struct ChatFunctionCall<'a> {
    name: &'a str,
    arguments: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ChatUserContent<'a> {
    Text(Cow<'a, str>),
    Parts(Vec<ContentPart<'a>>),
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ContentPart<'a> {
    Text { text: Cow<'a, str> },
    ImageUrl { image_url: ImageUrl<'a> },
    InputAudio { input_audio: InputAudio },
    File { file: FileData<'a> },
}

#[derive(Serialize)]
struct ImageUrl<'a> {
    url: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<Cow<'a, str>>,
}

#[derive(Serialize)]
struct InputAudio {
    data: String,
    format: &'static str,
}

#[derive(Serialize)]
struct FileData<'a> {
    file_data: Cow<'a, str>,
    filename: String,
}

#[derive(Serialize)]
struct ChatTool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: FunctionDefinition<'a>,
}

#[derive(Serialize)]
struct FunctionDefinition<'a> {
    name: &'a str,
    description: &'a str,
    parameters: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    strict: Option<bool>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ToolChoiceParam<'a> {
    Mode(&'static str),
    Function {
        #[serde(rename = "type")]
        kind: &'static str,
        function: NamedFunction<'a>,
    },
}

#[derive(Serialize)]
struct NamedFunction<'a> {
    name: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ResponseFormat<'a> {
    JsonSchema { json_schema: JsonSchemaFormat<'a> },
    JsonObject,
}

#[derive(Serialize)]
struct JsonSchemaFormat<'a> {
    name: &'a str,
    schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strict: Option<bool>,
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
    fn build_request<'a>(
        &self,
        request: &PreparedRequest<'a>,
        stream: bool,
    ) -> Result<ChatRequest<'a>> {
        let model = request.model_name;
        let settings = request.settings;
        let mut sampling = Sampling::from_settings(settings);
        for setting in self.unsupported_settings {
            if sampling.clear(*setting) {
                tracing::warn!(
                    target: "llm_runtime::settings",
                    model,
                    setting = setting.name(),
                    "this host does not accept the `{}` setting; it is not sent",
                    setting.name()
                );
            }
        }
        if settings.top_k.is_some() {
            tracing::warn!(
                target: "llm_runtime::settings",
                model,
                setting = "top_k",
                "the Chat Completions API has no `top_k`; the setting is not sent (use `extra_body` \
                 for hosts that accept it)"
            );
        }
        let reasoning_effort = self.reasoning_effort(model, settings.thinking, &mut sampling);

        let (tools, tool_choice) = self.tools(request)?;
        let parallel_tool_calls = if tools.is_empty() {
            None
        } else {
            sampling.parallel_tool_calls
        };
        let messages = self.map_messages(request)?;
        let response_format = self.response_format(request.parameters)?;
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
        })
    }

    /// The `reasoning_effort` to send for `thinking`; drops sampling settings a reasoning model
    /// rejects.
    fn reasoning_effort(
        &self,
        model: &str,
        thinking: Option<Thinking>,
        sampling: &mut Sampling<'_>,
    ) -> Option<&'static str> {
        let support = match self.reasoning {
            Reasoning::Unsupported => {
                if thinking.is_some() {
                    tracing::warn!(
                        target: "llm_runtime::settings",
                        model,
                        setting = "thinking",
                        "this host takes no reasoning setting; `thinking` is not sent"
                    );
                }
                return None;
            }
            Reasoning::Effort => {
                return thinking.map(|t| effort(t, true));
            }
            Reasoning::OpenAiModels => openai_reasoning_support(model),
        };
        let (thinking, drops_sampling) = support.resolve(model, thinking)?;
        if drops_sampling {
            let dropped: Vec<&str> = SAMPLING_SETTINGS
                .into_iter()
                .filter(|s| sampling.clear(*s))
                .map(Setting::name)
                .collect();
            warn_sampling_dropped(model, &dropped);
        }
        thinking.map(|t| effort(t, !model.starts_with("gpt-5.6")))
    }

    fn tools<'a>(
        &self,
        request: &PreparedRequest<'a>,
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
        let resolved = resolve_tool_choice(request.settings.tool_choice.as_ref(), parameters)?;
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
            .map(|definition| self.tool(definition, request.model_name))
            .collect::<Result<Vec<_>>>()?;
        if tools.is_empty() {
            return Ok((tools, None));
        }
        Ok((tools, Some(choice)))
    }

    fn tool<'a>(&self, definition: &'a ToolDefinition, model: &str) -> Result<ChatTool<'a>> {
        let transformed =
            (self.schema_transformer)(&definition.parameters_json_schema, definition.strict)?;
        let strict = if transformed.strict && self.strict_tools {
            Some(true)
        } else {
            if definition.strict == Some(true) {
                tracing::warn!(
                    target: "llm_runtime::settings",
                    model,
                    tool = definition.name.as_str(),
                    "this host does not support strict tool definitions; `strict` is not sent"
                );
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

    fn response_format<'a>(
        &self,
        parameters: &'a ModelRequestParameters,
    ) -> Result<Option<ResponseFormat<'a>>> {
        match parameters.output_mode {
            OutputMode::Native => {
                let Some(object) = &parameters.output_object else {
                    return Err(Error::user(
                        "the `native` output mode needs `output_object` (the schema to produce)",
                    ));
                };
                let transformed = (self.schema_transformer)(&object.json_schema, object.strict)?;
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

    fn map_messages<'a>(&self, request: &PreparedRequest<'a>) -> Result<Vec<ChatMessage<'a>>> {
        let role = self.system_role_for(request.model_name);
        let thinking_active = request.messages.iter().any(|m| {
            m.as_response().is_some_and(|r| {
                r.parts
                    .iter()
                    .any(|p| matches!(p, ModelResponsePart::Thinking(_)))
            })
        });
        let backfill_field = match (self.send_back_thinking, self.thinking_field) {
            (SendBackThinking::Field, Some(field)) if thinking_active => Some(field),
            _ => None,
        };
        let mut out = Vec::new();
        for message in request.messages {
            match message {
                ModelMessage::Request(req) => self.map_request(req, role, &mut out)?,
                ModelMessage::Response(response) => {
                    if let Some(mut assistant) =
                        self.map_response(response, request.provider_name)?
                    {
                        if let Some(field) = backfill_field {
                            // Hosts that want reasoning back reject a tool-calling turn without it.
                            if !assistant.tool_calls.is_empty()
                                && !assistant.thinking.iter().any(|(f, _)| *f == field)
                            {
                                assistant.thinking.push((field, String::new()));
                            }
                        }
                        out.push(ChatMessage::Assistant(assistant));
                    }
                }
            }
        }
        if let Some(instructions) = instructions(request.messages) {
            let leading = out.iter().take_while(|m| m.role() == role.as_str()).count();
            out.insert(
                leading,
                ChatMessage::System {
                    role,
                    content: Cow::Borrowed(instructions),
                },
            );
        }
        if !self.multiple_system_messages && role != SystemRole::User {
            merge_leading_system_messages(&mut out);
        }
        Ok(out)
    }

    fn map_request<'a>(
        &self,
        request: &'a ModelRequest,
        role: SystemRole,
        out: &mut Vec<ChatMessage<'a>>,
    ) -> Result<()> {
        for part in &request.parts {
            match part {
                ModelRequestPart::SystemPrompt(p) => out.push(ChatMessage::System {
                    role,
                    content: Cow::Borrowed(&p.content),
                }),
                ModelRequestPart::UserPrompt(p) => out.push(ChatMessage::User {
                    content: self.user_content(&p.content)?,
                }),
                ModelRequestPart::ToolReturn(p) => out.push(ChatMessage::Tool {
                    tool_call_id: guard_id(&p.tool_call_id),
                    content: Cow::Owned(p.model_response_str()),
                }),
                ModelRequestPart::RetryPrompt(p) => out.push(match &p.tool_name {
                    None => ChatMessage::User {
                        content: ChatUserContent::Text(Cow::Owned(p.model_response())),
                    },
                    Some(_) => ChatMessage::Tool {
                        tool_call_id: guard_id(&p.tool_call_id),
                        content: Cow::Owned(p.model_response()),
                    },
                }),
            }
        }
        Ok(())
    }
}

impl OpenAiChat {
    fn user_content<'a>(&self, content: &'a UserContent) -> Result<ChatUserContent<'a>> {
        match content {
            UserContent::Text(text) => Ok(ChatUserContent::Text(Cow::Borrowed(text))),
            UserContent::Items(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(part) = self.content_part(item)? {
                        parts.push(part);
                    }
                }
                Ok(ChatUserContent::Parts(parts))
            }
        }
    }

    fn content_part<'a>(&self, item: &'a UserContentItem) -> Result<Option<ContentPart<'a>>> {
        Ok(Some(match item {
            UserContentItem::Text(text) => ContentPart::Text {
                text: Cow::Borrowed(text),
            },
            UserContentItem::TextContent(text) => ContentPart::Text {
                text: Cow::Borrowed(&text.content),
            },
            UserContentItem::ImageUrl(file) => {
                if file.force_download != ForceDownload::No {
                    return Err(needs_download("image", file));
                }
                ContentPart::ImageUrl {
                    image_url: ImageUrl {
                        url: Cow::Borrowed(&file.url),
                        detail: image_detail(file.vendor_metadata.as_ref()),
                    },
                }
            }
            UserContentItem::AudioUrl(file) => return Err(needs_download("audio", file)),
            UserContentItem::DocumentUrl(file) => {
                if file.force_download != ForceDownload::No || !self.file_urls {
                    return Err(needs_download("document", file));
                }
                let media_type = file.media_type(crate::messages::FileKind::Document);
                ContentPart::File {
                    file: FileData {
                        file_data: Cow::Borrowed(&file.url),
                        filename: format!("filename.{}", document_format(&media_type)?),
                    },
                }
            }
            UserContentItem::VideoUrl(_) => {
                return Err(Error::user(
                    "the Chat Completions API does not accept video in user prompts",
                ))
            }
            UserContentItem::Binary(binary) => self.binary_part(binary)?,
            UserContentItem::CachePoint(_) => {
                // OpenAI caches prompts on its own; explicit breakpoints are not part of the
                // Chat Completions format this protocol speaks.
                tracing::debug!(
                    target: "llm_runtime::providers",
                    "cache point not sent: the Chat Completions API caches prompts automatically"
                );
                return Ok(None);
            }
        }))
    }

    fn binary_part<'a>(&self, binary: &'a BinaryContent) -> Result<ContentPart<'a>> {
        let media_type = binary.media_type.as_str();
        if is_text_like(media_type) {
            let text = std::str::from_utf8(&binary.data).map_err(|e| {
                Error::user(format!(
                    "the `{media_type}` file `{}` is not valid UTF-8 text: {e}",
                    binary.identifier()
                ))
            })?;
            return Ok(ContentPart::Text {
                text: Cow::Owned(format!(
                    "-----BEGIN FILE id=\"{id}\" type=\"{media_type}\"-----\n{text}\n-----END FILE id=\"{id}\"-----",
                    id = binary.identifier()
                )),
            });
        }
        if binary.is_image() {
            return Ok(ContentPart::ImageUrl {
                image_url: ImageUrl {
                    url: Cow::Owned(binary.data_uri()),
                    detail: image_detail(binary.vendor_metadata.as_ref()),
                },
            });
        }
        if binary.is_audio() {
            let format = match media_type {
                "audio/wav" => "wav",
                "audio/mpeg" => "mp3",
                other => {
                    return Err(Error::user(format!(
                        "the Chat Completions API accepts wav and mp3 audio, not `{other}`"
                    )))
                }
            };
            let data = match self.audio_encoding {
                AudioEncoding::Base64 => binary.base64(),
                AudioEncoding::DataUri => binary.data_uri(),
            };
            return Ok(ContentPart::InputAudio {
                input_audio: InputAudio { data, format },
            });
        }
        if let Ok(format) = document_format(media_type) {
            if !self.document_input {
                return Err(Error::user(
                    "this host does not accept documents in Chat Completions requests",
                ));
            }
            return Ok(ContentPart::File {
                file: FileData {
                    file_data: Cow::Owned(binary.data_uri()),
                    filename: format!("filename.{format}"),
                },
            });
        }
        if binary.is_video() {
            return Err(Error::user(
                "the Chat Completions API does not accept video in user prompts",
            ));
        }
        Err(Error::user(format!(
            "the Chat Completions API does not accept `{media_type}` content"
        )))
    }

    fn map_response<'a>(
        &self,
        response: &'a ModelResponse,
        provider: &str,
    ) -> Result<Option<AssistantMessage<'a>>> {
        let (start_tag, end_tag) = self.thinking_tags;
        let mut texts: Vec<Cow<'a, str>> = Vec::new();
        let mut thinking: Vec<(&'a str, Vec<&'a str>)> = Vec::new();
        let mut tool_calls = Vec::new();
        let mut push_thinking =
            |field: &'a str, content: &'a str| match thinking.iter_mut().find(|(f, _)| *f == field)
            {
                Some((_, contents)) => contents.push(content),
                None => thinking.push((field, vec![content])),
            };
        for part in &response.parts {
            match part {
                ModelResponsePart::Text(text) => texts.push(Cow::Borrowed(&text.content)),
                ModelResponsePart::Thinking(part) => {
                    let tags = || Cow::Owned(format!("{start_tag}\n{}\n{end_tag}", part.content));
                    match self.send_back_thinking {
                        SendBackThinking::Auto => match self.own_reasoning_field(part, provider) {
                            Some(field) => push_thinking(field, &part.content),
                            None => texts.push(tags()),
                        },
                        SendBackThinking::Tags => texts.push(tags()),
                        SendBackThinking::Field => {
                            let Some(field) = self.thinking_field else {
                                return Err(Error::user(
                                    "`SendBackThinking::Field` needs the reasoning field: set it \
                                     with `OpenAiChat::with_thinking_field`",
                                ));
                            };
                            push_thinking(field, &part.content);
                        }
                        SendBackThinking::Omit => {}
                    }
                }
                ModelResponsePart::ToolCall(call) => tool_calls.push(ChatToolCall {
                    id: guard_id(&call.tool_call_id),
                    kind: "function",
                    function: ChatFunctionCall {
                        name: &call.tool_name,
                        arguments: call.args_as_json_str(),
                    },
                }),
            }
        }
        if texts.is_empty() && tool_calls.is_empty() {
            // An assistant message with neither content nor tool calls is rejected.
            return Ok(None);
        }
        Ok(Some(AssistantMessage {
            thinking: thinking
                .into_iter()
                .map(|(field, contents)| (field, contents.join("\n\n")))
                .collect(),
            content: (!texts.is_empty()).then(|| texts.join("\n\n")),
            tool_calls,
        }))
    }

    /// The reasoning field a thinking part came from, when it is one this host reads (so it
    /// goes back there); `None` for thinking from tags or from another provider.
    fn own_reasoning_field<'a>(&self, part: &'a ThinkingPart, provider: &str) -> Option<&'a str> {
        let id = part.id.as_deref()?;
        if id == CONTENT {
            return None;
        }
        if let Some(field) = self.thinking_field {
            if id != field {
                return None;
            }
        }
        // pydantic-ai's rule: the part came from this very provider.
        (part.provider_name.as_deref() == Some(provider)).then_some(id)
    }
}

pub(super) fn image_detail(metadata: Option<&Map<String, Value>>) -> Option<Cow<'_, str>> {
    let metadata = metadata.filter(|m| !m.is_empty())?;
    Some(match metadata.get("detail") {
        Some(Value::String(detail)) => Cow::Borrowed(detail.as_str()),
        Some(other) => Cow::Owned(other.to_string()),
        None => Cow::Borrowed("auto"),
    })
}

/// Whether a media type is text that can be inlined in the prompt (pydantic-ai's
/// `is_text_like_media_type`).
fn is_text_like(media_type: &str) -> bool {
    media_type.starts_with("text/")
        || media_type == "application/json"
        || media_type.ends_with("+json")
        || media_type == "application/xml"
        || media_type.ends_with("+xml")
        || media_type == "application/x-yaml"
        || media_type == "application/yaml"
}

/// The file extension of a document media type (pydantic-ai's `DocumentFormat`).
pub(super) fn document_format(media_type: &str) -> Result<&'static str> {
    Ok(match media_type {
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "text/html" => "html",
        "text/markdown" => "md",
        "application/msword" => "doc",
        "application/vnd.ms-excel" => "xls",
        other => {
            return Err(Error::user(format!(
                "unknown document media type `{other}`"
            )))
        }
    })
}

/// Merges the leading system messages into one, joined by blank lines (for hosts that accept
/// only one).
fn merge_leading_system_messages(messages: &mut Vec<ChatMessage<'_>>) {
    let leading = messages
        .iter()
        .take_while(|m| matches!(m, ChatMessage::System { .. }))
        .count();
    if leading < 2 {
        return;
    }
    let mut role = SystemRole::System;
    let mut contents = Vec::with_capacity(leading);
    for message in messages.drain(..leading) {
        if let ChatMessage::System {
            role: message_role,
            content,
        } = message
        {
            role = message_role;
            contents.push(content.into_owned());
        }
    }
    messages.insert(
        0,
        ChatMessage::System {
            role,
            content: Cow::Owned(contents.join("\n\n")),
        },
    );
}

/// How an OpenAI model family reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ReasoningSupport {
    /// It reasons when no effort is given.
    pub(super) enabled_by_default: bool,
    /// It accepts `reasoning_effort: "none"`.
    pub(super) can_be_disabled: bool,
}

impl ReasoningSupport {
    /// Whether the model reasons at all.
    pub(super) fn supported(self) -> bool {
        self.enabled_by_default || self.can_be_disabled
    }

    /// Applies the model's reasoning rules to `thinking` (the same in both OpenAI APIs):
    /// `None` for a model that does not reason (a `thinking` asked for is reported, not sent);
    /// else the thinking to send (a `Disabled` the model cannot honour is reported and dropped)
    /// and whether the model reasons or may, which drops the sampling settings.
    pub(super) fn resolve(
        self,
        model: &str,
        thinking: Option<Thinking>,
    ) -> Option<(Option<Thinking>, bool)> {
        if !self.supported() {
            if thinking.is_some() {
                tracing::warn!(
                    target: "llm_runtime::settings",
                    model,
                    setting = "thinking",
                    "`{model}` does not reason; `thinking` is not sent"
                );
            }
            return None;
        }
        let thinking = match thinking {
            Some(Thinking::Disabled) if !self.can_be_disabled => {
                tracing::warn!(
                    target: "llm_runtime::settings",
                    model,
                    setting = "thinking",
                    "`{model}` always reasons; `thinking: Disabled` is not sent"
                );
                None
            }
            other => other,
        };
        let active = match thinking {
            Some(t) => t != Thinking::Disabled,
            None => self.enabled_by_default,
        };
        Some((thinking, active || !self.can_be_disabled))
    }
}

/// Reports the sampling settings left out because an OpenAI model reasons (none: no report).
pub(super) fn warn_sampling_dropped(model: &str, dropped: &[&str]) {
    if !dropped.is_empty() {
        tracing::warn!(
            target: "llm_runtime::settings",
            model,
            settings = ?dropped,
            "sampling settings {dropped:?} are not supported while `{model}` reasons; they are not sent"
        );
    }
}

/// OpenAI's reasoning support by model-name prefix (pydantic-ai's
/// `_REASONING_SUPPORT_BY_PREFIX`; the first matching prefix wins).
pub(super) fn openai_reasoning_support(model: &str) -> ReasoningSupport {
    const ALWAYS: ReasoningSupport = ReasoningSupport {
        enabled_by_default: true,
        can_be_disabled: false,
    };
    const OPT_IN: ReasoningSupport = ReasoningSupport {
        enabled_by_default: false,
        can_be_disabled: true,
    };
    const DEFAULT_ON: ReasoningSupport = ReasoningSupport {
        enabled_by_default: true,
        can_be_disabled: true,
    };
    const NONE: ReasoningSupport = ReasoningSupport {
        enabled_by_default: false,
        can_be_disabled: false,
    };
    const TABLE: [(&str, ReasoningSupport); 16] = [
        ("gpt-5.6", DEFAULT_ON),
        ("gpt-5.5-pro", ALWAYS),
        ("gpt-5.5", DEFAULT_ON),
        ("gpt-5.4-pro", ALWAYS),
        ("gpt-5.4", OPT_IN),
        ("gpt-5.3-chat", ALWAYS),
        ("gpt-5.3", OPT_IN),
        ("gpt-5.2-pro", ALWAYS),
        ("gpt-5.2-chat", ALWAYS),
        ("gpt-5.2", OPT_IN),
        ("gpt-5.1-codex", ALWAYS),
        ("gpt-5.1-chat", ALWAYS),
        ("gpt-5.1", OPT_IN),
        ("gpt-5-chat", NONE),
        ("gpt-5", ALWAYS),
        ("o", ALWAYS),
    ];
    TABLE
        .into_iter()
        .find(|(prefix, _)| model.starts_with(prefix))
        .map_or(NONE, |(_, support)| support)
}

/// `reasoning_effort` for a thinking setting.
pub(super) fn effort(thinking: Thinking, minimal_supported: bool) -> &'static str {
    match thinking {
        Thinking::Disabled => "none",
        Thinking::Enabled => "medium",
        Thinking::Minimal if minimal_supported => "minimal",
        Thinking::Minimal | Thinking::Low => "low",
        Thinking::Medium => "medium",
        Thinking::High => "high",
        Thinking::XHigh => "xhigh",
    }
}

// ---------------------------------------------------------------------------------------------
// Responses and stream chunks
// ---------------------------------------------------------------------------------------------

/// A chat completion or a stream chunk (they share their shape: a choice holds a `message`
/// or a `delta`). Deserialized with `TopSeed`, which knows the host's reasoning field.
#[derive(Default)]
pub struct Completion<'a> {
    id: Option<Cow<'a, str>>,
    created: Option<f64>,
    model: Option<Cow<'a, str>>,
    /// The first choice (the only one: `n` is never sent).
    choice: Option<WireChoice<'a>>,
    usage: Option<WireUsage>,
    /// OpenAI's moderation results, kept as they came in `provider_details`.
    moderation: Option<Value>,
    /// An error reported in a 200 body or inside a stream.
    error: Option<Value>,
}

#[derive(Default)]
struct WireChoice<'a> {
    finish_reason: Option<Cow<'a, str>>,
    logprobs: Option<WireLogprobs>,
    /// `message` of a completion, `delta` of a chunk.
    message: Option<WireMessage<'a>>,
}

/// A message or a delta.
#[derive(Default)]
struct WireMessage<'a> {
    content: Option<WireContent<'a>>,
    refusal: Option<Cow<'a, str>>,
    tool_calls: ToolCalls<'a>,
    /// The reasoning fields, by slot: the host's own field, `reasoning`, `reasoning_content`.
    reasoning: [Option<Thought<'a>>; 3],
}

/// The slot of a reasoning field in [`WireMessage::reasoning`].
fn reasoning_slot(field: &str) -> usize {
    match field {
        "reasoning" => 1,
        "reasoning_content" => 2,
        _ => 0,
    }
}

/// The value of a reasoning field: text, or something else (which is reported, not used).
enum Thought<'a> {
    Text(Cow<'a, str>),
    NotText(&'static str),
}

/// Message content: a string, or (Mistral) a list of typed chunks.
enum WireContent<'a> {
    Text(Cow<'a, str>),
    Chunks(Vec<ContentChunk>),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ContentChunk {
    Text {
        #[serde(default)]
        text: String,
    },
    Thinking {
        #[serde(default)]
        thinking: Vec<ThinkingChunk>,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct ThinkingChunk {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct WireToolCall<'a> {
    #[serde(default)]
    index: Option<u64>,
    #[serde(default, borrow)]
    id: Option<CowStr<'a>>,
    #[serde(default, rename = "type", borrow)]
    kind: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    function: Option<WireFunction<'a>>,
}

#[derive(Deserialize)]
struct WireFunction<'a> {
    #[serde(default, borrow)]
    name: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    arguments: Option<WireArgs<'a>>,
}

/// The tool calls of a message or delta: the first one inline (a delta usually carries one),
/// the others in a list.
#[derive(Default)]
struct ToolCalls<'a> {
    first: Option<WireToolCall<'a>>,
    rest: Vec<WireToolCall<'a>>,
}

impl<'a> ToolCalls<'a> {
    fn iter(&self) -> impl Iterator<Item = &WireToolCall<'a>> {
        self.first.iter().chain(&self.rest)
    }
}

impl<'a> IntoIterator for ToolCalls<'a> {
    type Item = WireToolCall<'a>;
    type IntoIter = std::iter::Chain<
        std::option::IntoIter<WireToolCall<'a>>,
        std::vec::IntoIter<WireToolCall<'a>>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter().chain(self.rest)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ToolCalls<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = ToolCalls<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of tool calls")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut calls = ToolCalls {
                    first: seq.next_element()?,
                    rest: Vec::new(),
                };
                while let Some(call) = seq.next_element()? {
                    calls.rest.push(call);
                }
                Ok(calls)
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

/// Tool-call arguments: JSON text as documented, or an object (some compatible servers).
pub(super) enum WireArgs<'a> {
    Text(Cow<'a, str>),
    Object(Map<String, Value>),
}

#[derive(Deserialize)]
struct WireLogprobs {
    #[serde(default)]
    content: Option<Vec<TokenLogprob>>,
}

/// One token's log probability, as OpenAI's Chat Completions and Responses APIs send it.
#[derive(Deserialize)]
pub(super) struct TokenLogprob {
    token: String,
    #[serde(default)]
    bytes: Option<Vec<u8>>,
    logprob: f64,
    #[serde(default)]
    top_logprobs: Option<Vec<TopLogprob>>,
}

#[derive(Deserialize)]
struct TopLogprob {
    token: String,
    #[serde(default)]
    bytes: Option<Vec<u8>>,
    logprob: f64,
}

/// `usage`: the counts we map, and every other integer count as a detail.
#[derive(Default)]
struct WireUsage {
    prompt_tokens: u64,
    completion_tokens: u64,
    cached_tokens: u64,
    cache_write_tokens: u64,
    input_audio_tokens: u64,
    output_audio_tokens: u64,
    details: BTreeMap<String, u64>,
}

impl WireUsage {
    /// The usage, counting `requests` requests.
    fn into_usage(self, requests: u32) -> Usage {
        let mut usage = Usage {
            requests,
            request_tokens: self.prompt_tokens,
            cache_write_tokens: self.cache_write_tokens,
            cache_read_tokens: self.cached_tokens,
            response_tokens: self.completion_tokens,
            input_audio_tokens: self.input_audio_tokens,
            output_audio_tokens: self.output_audio_tokens,
            details: self.details,
            ..Usage::default()
        };
        usage.recompute_total();
        usage
    }
}

/// Groq's `x_groq` object, where its streams report usage.
#[derive(Deserialize)]
struct XGroq {
    #[serde(default)]
    usage: Option<WireUsage>,
}

pub(super) fn cow(value: Option<CowStr<'_>>) -> Option<Cow<'_, str>> {
    value.map(|v| v.0)
}

/// A count that may be an integer (kept), a boolean (kept as 0 or 1, as Python counts it) or
/// anything else (not a count).
pub(super) struct Count(pub(super) Option<u64>);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a count")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Count, E> {
                Ok(Count(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Count, E> {
                Ok(Count(u64::try_from(v).ok()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Count, E> {
                Ok(Count(Some(u64::from(v))))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<Count, D::Error> {
                Count::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Count, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Count(None))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Count, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Count(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for WireUsage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct PromptDetails {
            cached_tokens: Option<Count>,
            audio_tokens: Option<Count>,
            cache_write_tokens: Option<Count>,
        }
        fn count(c: Option<Count>) -> u64 {
            c.and_then(|c| c.0).unwrap_or(0)
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireUsage;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a usage object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<WireUsage, A::Error> {
                let mut usage = WireUsage::default();
                while let Some(CowStr(key)) = map.next_key()? {
                    match key.as_ref() {
                        "prompt_tokens" => usage.prompt_tokens = count(map.next_value()?),
                        "completion_tokens" => usage.completion_tokens = count(map.next_value()?),
                        "total_tokens" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        "prompt_tokens_details" => {
                            if let Some(details) = map.next_value::<Option<PromptDetails>>()? {
                                usage.cached_tokens = count(details.cached_tokens);
                                usage.input_audio_tokens = count(details.audio_tokens);
                                usage.cache_write_tokens = count(details.cache_write_tokens);
                            }
                        }
                        "completion_tokens_details" => {
                            let details = map.next_value::<Option<BTreeMap<String, Count>>>()?;
                            for (name, value) in details.into_iter().flatten() {
                                if let Some(n) = value.0 {
                                    if name == "audio_tokens" {
                                        usage.output_audio_tokens = n;
                                    }
                                    usage.details.insert(name, n);
                                }
                            }
                        }
                        _ => {
                            if let Some(n) = map.next_value::<Count>()?.0 {
                                usage.details.insert(key.into_owned(), n);
                            }
                        }
                    }
                }
                Ok(usage)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for WireArgs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = WireArgs<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("tool call arguments as a JSON string or object")
            }
            visit_cow_str!(WireArgs::Text);
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                Map::deserialize(de::value::MapAccessDeserializer::new(map)).map(WireArgs::Object)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for Thought<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Thought<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("reasoning text")
            }
            visit_cow_str!(Thought::Text);
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Self::Value, E> {
                Ok(Thought::NotText("a boolean"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Self::Value, E> {
                Ok(Thought::NotText("a number"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Self::Value, E> {
                Ok(Thought::NotText("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Self::Value, E> {
                Ok(Thought::NotText("a number"))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Thought::NotText("a list"))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Thought::NotText("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for WireContent<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireContent<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("message content as a string or a list of content chunks")
            }
            visit_cow_str!(WireContent::Text);
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(WireContent::Chunks)
            }
        }
        d.deserialize_any(V)
    }
}

/// Deserializes a [`Completion`] in place, reading the host's own reasoning field if it has
/// one.
///
/// The seeds below fill the structures where they already are instead of returning them by
/// value: a chunk's structures are a few hundred bytes, and moving them out of each level of
/// the parse cost more than the parse itself.
struct TopSeed<'o, 'de> {
    custom_field: Option<&'static str>,
    out: &'o mut Completion<'de>,
}

/// Parses `text` as one completion or chunk, the host's reasoning field being `custom_field`.
fn parse_completion<'de>(
    text: &'de str,
    custom_field: Option<&'static str>,
) -> serde_json::Result<Completion<'de>> {
    let mut completion = Completion::default();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    TopSeed {
        custom_field,
        out: &mut completion,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(completion)
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a chat completion object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let top = self.out;
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "id" => top.id = cow(map.next_value()?),
                "created" => top.created = map.next_value::<Option<f64>>()?,
                "model" => top.model = cow(map.next_value()?),
                "choices" => map.next_value_seed(ChoicesSeed {
                    custom_field: self.custom_field,
                    out: &mut top.choice,
                })?,
                "usage" => {
                    if let Some(usage) = map.next_value::<Option<WireUsage>>()? {
                        top.usage = Some(usage);
                    }
                }
                // Groq streams put usage here.
                "x_groq" => {
                    if let Some(x_groq) = map.next_value::<Option<XGroq>>()? {
                        if top.usage.is_none() {
                            top.usage = x_groq.usage;
                        }
                    }
                }
                "moderation" => top.moderation = map.next_value::<Option<Value>>()?,
                "error" => top.error = map.next_value::<Option<Value>>()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `choices`: a list (whose first choice is kept; further ones only come with `n`, which is
/// never sent), or `null`.
struct ChoicesSeed<'o, 'de> {
    custom_field: Option<&'static str>,
    out: &'o mut Option<WireChoice<'de>>,
}

impl<'de> DeserializeSeed<'de> for ChoicesSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ChoicesSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of choices")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        *self.out = None;
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let choice = self.out.insert(WireChoice::default());
        let seed = ChoiceSeed {
            custom_field: self.custom_field,
            out: choice,
        };
        if seq.next_element_seed(seed)?.is_none() {
            *self.out = None;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

struct ChoiceSeed<'o, 'de> {
    custom_field: Option<&'static str>,
    out: &'o mut WireChoice<'de>,
}

impl<'de> DeserializeSeed<'de> for ChoiceSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChoiceSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a choice object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let choice = self.out;
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "finish_reason" => choice.finish_reason = cow(map.next_value()?),
                "logprobs" => choice.logprobs = map.next_value()?,
                "message" | "delta" => map.next_value_seed(MessageSeed {
                    custom_field: self.custom_field,
                    out: &mut choice.message,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A `message` or `delta`, or `null`.
struct MessageSeed<'o, 'de> {
    custom_field: Option<&'static str>,
    out: &'o mut Option<WireMessage<'de>>,
}

impl<'de> DeserializeSeed<'de> for MessageSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for MessageSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a message object")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        *self.out = None;
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let message = self.out.insert(WireMessage::default());
        while let Some(CowStr(key)) = map.next_key()? {
            match key.as_ref() {
                "content" => message.content = map.next_value()?,
                "refusal" => message.refusal = cow(map.next_value()?),
                "tool_calls" => {
                    message.tool_calls = map
                        .next_value::<Option<ToolCalls<'de>>>()?
                        .unwrap_or_default();
                }
                field
                    if field == "reasoning"
                        || field == "reasoning_content"
                        || Some(field) == self.custom_field =>
                {
                    let slot = reasoning_slot(field);
                    message.reasoning[slot] = map.next_value()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Chat Completions finish reasons, normalised (pydantic-ai's `_CHAT_FINISH_REASON_MAP`, plus
/// OpenRouter's `error`). Unknown values give `None`; the raw value stays in
/// `provider_details["finish_reason"]`.
fn map_finish_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "stop" => Some(FinishReason::Stop),
        "length" => Some(FinishReason::Length),
        "tool_calls" | "function_call" => Some(FinishReason::ToolCall),
        "content_filter" => Some(FinishReason::ContentFilter),
        "error" => Some(FinishReason::Error),
        other => {
            tracing::debug!(
                target: "llm_runtime::providers",
                finish_reason = other,
                "unknown finish reason; kept in provider_details only"
            );
            None
        }
    }
}

/// A Unix time (seconds, or milliseconds past 2e10 as pydantic reads numbers) as the RFC 3339
/// text pydantic-ai writes in `provider_details["timestamp"]`.
fn provider_timestamp(created: f64) -> Option<String> {
    let seconds = if created.abs() > 2e10 {
        created / 1000.0
    } else {
        created
    };
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let micros = ((seconds - whole) * 1e6).round();
    // `whole` is finite and range-checked by `from_timestamp`; the casts cannot wrap for the
    // years chrono supports.
    #[allow(clippy::cast_possible_truncation)]
    let (secs, nanos) = (whole as i64, (micros as u32).min(999_999) * 1000);
    let time = DateTime::<Utc>::from_timestamp(secs, nanos)?;
    let format = if nanos == 0 {
        SecondsFormat::Secs
    } else {
        SecondsFormat::Micros
    };
    Some(time.to_rfc3339_opts(format, true))
}

/// The `provider_details["timestamp"]` of a response whose `field` (both OpenAI APIs send Unix
/// seconds) is `created`.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with `raw` when `created` is not a valid time.
pub(super) fn timestamp_detail(field: &str, created: f64, raw: &[u8]) -> Result<Value> {
    provider_timestamp(created)
        .map(Value::String)
        .ok_or_else(|| {
            Error::unexpected_with_body(format!("`{field}` {created} is not a valid time"), raw)
        })
}

/// `logprobs.content` as pydantic-ai puts it in `provider_details["logprobs"]`.
fn logprobs_details(logprobs: Option<WireLogprobs>) -> Vec<Value> {
    logprobs
        .and_then(|l| l.content)
        .map(token_logprobs)
        .unwrap_or_default()
}

/// Token log probabilities as pydantic-ai puts them in `provider_details["logprobs"]`.
pub(super) fn token_logprobs(content: Vec<TokenLogprob>) -> Vec<Value> {
    fn bytes(b: Option<Vec<u8>>) -> Value {
        b.map_or(Value::Null, |b| {
            Value::Array(b.into_iter().map(Value::from).collect())
        })
    }
    content
        .into_iter()
        .map(|lp| {
            let top: Vec<Value> = lp
                .top_logprobs
                .unwrap_or_default()
                .into_iter()
                .map(|t| {
                    let mut m = Map::new();
                    m.insert("token".into(), Value::String(t.token));
                    m.insert("bytes".into(), bytes(t.bytes));
                    m.insert("logprob".into(), Value::from(t.logprob));
                    Value::Object(m)
                })
                .collect();
            let mut m = Map::new();
            m.insert("token".into(), Value::String(lp.token));
            m.insert("bytes".into(), bytes(lp.bytes));
            m.insert("logprob".into(), Value::from(lp.logprob));
            m.insert("top_logprobs".into(), Value::Array(top));
            Value::Object(m)
        })
        .collect()
}

/// The error an `error` object describes: an HTTP error when it carries an HTTP status as its
/// `code` (OpenRouter) or `status_code` (Groq), else an unexpected-behaviour error with the raw
/// data.
fn reported_error(error: &Value, model_name: &str, raw: &[u8]) -> Error {
    let message = match error {
        Value::String(message) => message.clone(),
        Value::Object(map) => match map.get("message") {
            Some(Value::String(message)) => message.clone(),
            _ => error.to_string(),
        },
        other => other.to_string(),
    };
    let status = ["code", "status_code", "status"]
        .iter()
        .find_map(|key| error.get(*key).and_then(Value::as_u64))
        .and_then(|code| u16::try_from(code).ok())
        .filter(|code| (400..=599).contains(code));
    match status {
        Some(status) => Error::http(status, model_name, message.as_bytes(), None),
        None => {
            Error::unexpected_with_body(format!("the provider reported an error: {message}"), raw)
        }
    }
}

/// Splits text into text and thinking parts at the thinking tags (pydantic-ai's
/// `split_content_into_text_and_thinking`); an unclosed tag leaves the rest as text.
fn split_thinking(mut content: &str, start: &str, end: &str) -> Vec<ModelResponsePart> {
    let mut parts = Vec::new();
    while let Some(at) = content.find(start) {
        let (before, after) = content.split_at(at);
        if !before.is_empty() {
            parts.push(TextPart::new(before).into());
        }
        let after = after.get(start.len()..).unwrap_or_default();
        match after.find(end) {
            Some(end_at) => {
                let (thought, rest) = after.split_at(end_at);
                parts.push(ThinkingPart::new(thought).into());
                content = rest.get(end.len()..).unwrap_or_default();
            }
            None => {
                parts.push(TextPart::new(after).into());
                content = "";
            }
        }
    }
    if !content.is_empty() {
        parts.push(TextPart::new(content).into());
    }
    parts
}

impl OpenAiChat {
    /// Builds the response of a whole completion.
    fn response_from(
        &self,
        completion: Completion<'_>,
        cx: &mut ResponseContext<'_>,
        body: &[u8],
    ) -> Result<ModelResponse> {
        let requested_model = cx.model_name;
        let model_name = completion
            .model
            .as_deref()
            .unwrap_or(requested_model)
            .to_owned();
        if let Some(error) = completion.error.as_ref().filter(|e| !e.is_null()) {
            return Err(reported_error(error, &model_name, body));
        }
        let Some(choice) = completion.choice else {
            return Err(Error::unexpected_with_body(
                "the chat completion has no choices",
                body,
            ));
        };
        let timestamp = crate::messages::now();
        let mut details = Map::new();
        let logprobs = logprobs_details(choice.logprobs);
        if !logprobs.is_empty() {
            details.insert("logprobs".into(), Value::Array(logprobs));
        }
        // Ollama sometimes sends no finish reason: pydantic-ai reads it as `stop`.
        let raw_finish = choice
            .finish_reason
            .as_deref()
            .filter(|r| !r.is_empty())
            .unwrap_or("stop");
        details.insert("finish_reason".into(), Value::String(raw_finish.to_owned()));
        if let Some(moderation) = completion.moderation.filter(|m| !m.is_null()) {
            details.insert("moderation".into(), moderation);
        }
        let created = match completion.created.filter(|c| *c != 0.0) {
            Some(created) => timestamp_detail("created", created, body)?,
            None => Value::String(timestamp.to_rfc3339_opts(SecondsFormat::Micros, true)),
        };
        let usage = completion
            .usage
            .map_or_else(|| Usage::new(0, 0), |u| u.into_usage(1));
        let message = choice.message.unwrap_or_default();

        let mut response = ModelResponse {
            usage,
            model_name: Some(model_name),
            timestamp,
            provider_response_id: completion.id.map(Cow::into_owned),
            ..ModelResponse::default()
        };
        if let Some(refusal) = message.refusal.filter(|r| !r.is_empty()) {
            details.remove("finish_reason");
            details.insert("refusal".into(), Value::String(refusal.into_owned()));
            details.insert("timestamp".into(), created);
            response.provider_details = Some(details);
            response.finish_reason = Some(FinishReason::ContentFilter);
            return Ok(response);
        }

        let mut parts: Vec<ModelResponsePart> = Vec::new();
        for field in self.reasoning_fields() {
            match &message.reasoning[reasoning_slot(field)] {
                Some(Thought::Text(text)) if !text.is_empty() => {
                    parts.push(
                        ThinkingPart {
                            id: Some(field.to_owned()),
                            provider_name: Some(cx.provider_name.to_owned()),
                            ..ThinkingPart::new(text.as_ref())
                        }
                        .into(),
                    );
                    break;
                }
                Some(Thought::NotText(kind)) => warn_not_text(field, kind),
                _ => {}
            }
        }
        let (start, end) = self.thinking_tags;
        match message.content {
            Some(WireContent::Text(text)) if !text.is_empty() => {
                for part in split_thinking(&text, start, end) {
                    parts.push(match part {
                        ModelResponsePart::Thinking(thinking) => ThinkingPart {
                            id: Some(CONTENT.to_owned()),
                            provider_name: Some(cx.provider_name.to_owned()),
                            ..thinking
                        }
                        .into(),
                        other => other,
                    });
                }
            }
            Some(WireContent::Chunks(chunks)) => {
                let mut text: Option<String> = None;
                for chunk in chunks {
                    match chunk {
                        ContentChunk::Text { text: piece } => {
                            text.get_or_insert_with(String::new).push_str(&piece)
                        }
                        ContentChunk::Thinking { thinking } => {
                            for thought in thinking.into_iter().filter(|t| t.kind == "text") {
                                parts.push(ThinkingPart::new(thought.text).into());
                            }
                        }
                        ContentChunk::Other => warn_unknown_chunk(),
                    }
                }
                if let Some(text) = text.filter(|t| !t.is_empty()) {
                    parts.push(TextPart::new(text).into());
                }
            }
            _ => {}
        }
        for call in message.tool_calls {
            let Some(function) = call.function else {
                return Err(Error::unexpected_with_body(
                    format!(
                        "a tool call of type `{}` is not a function call, which is all this \
                         protocol supports",
                        cow(call.kind).as_deref().unwrap_or("unknown")
                    ),
                    body,
                ));
            };
            let Some(name) = cow(function.name) else {
                return Err(Error::unexpected_with_body(
                    "a tool call has no function name",
                    body,
                ));
            };
            let args = match function.arguments {
                Some(WireArgs::Text(text)) => Some(ToolArgs::Json(text.into_owned())),
                Some(WireArgs::Object(map)) => Some(ToolArgs::Object(map)),
                None => None,
            };
            let id = cow(call.id)
                .filter(|id| !id.is_empty())
                .map_or_else(generate_tool_call_id, Cow::into_owned);
            parts.push(
                ToolCallPart {
                    args,
                    ..ToolCallPart::new(name.into_owned(), "", id)
                }
                .into(),
            );
        }
        details.insert("timestamp".into(), created);
        response.parts = parts;
        response.provider_details = Some(details);
        response.finish_reason = map_finish_reason(raw_finish);
        Ok(response)
    }

    /// Applies one stream chunk to the response being built.
    fn apply_chunk(
        &self,
        chunk: Completion<'_>,
        raw: &str,
        state: &mut ChatStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        if state.ignore_leading_whitespace.is_none() {
            // Decided on the requested model, before the chunks rename it.
            state.ignore_leading_whitespace =
                Some(self.ignores_leading_whitespace(&parts.model_name));
        }
        if let Some(error) = chunk.error.as_ref().filter(|e| !e.is_null()) {
            let model = chunk.model.as_deref().unwrap_or(&parts.model_name);
            return Err(reported_error(error, model, raw.as_bytes()));
        }
        if !state.timestamp_set {
            if let Some(created) = chunk.created.filter(|c| *c != 0.0) {
                insert_detail(
                    parts,
                    "timestamp",
                    timestamp_detail("created", created, raw.as_bytes())?,
                );
                state.timestamp_set = true;
            }
        }
        if let Some(usage) = chunk.usage {
            parts.usage.incr(&usage.into_usage(0));
        }
        if let Some(id) = chunk.id.filter(|id| !id.is_empty()) {
            if parts.provider_response_id.as_deref() != Some(&*id) {
                parts.provider_response_id = Some(id.into_owned());
            }
        }
        if let Some(model) = chunk.model.filter(|m| !m.is_empty()) {
            if parts.model_name != model {
                parts.model_name = model.into_owned();
            }
        }
        if let Some(moderation) = chunk.moderation.filter(|m| !m.is_null()) {
            insert_detail(parts, "moderation", moderation);
        }
        // The final usage-only chunk has no choices.
        let Some(choice) = chunk.choice else {
            return Ok(());
        };
        let Some(delta) = choice.message else {
            return Ok(());
        };
        if let Some(refusal) = delta.refusal.filter(|r| !r.is_empty()) {
            let text = state.refusal.get_or_insert_with(String::new);
            text.push_str(&refusal);
            let text = Value::String(text.clone());
            parts.finish_reason = Some(FinishReason::ContentFilter);
            if let Some(details) = &mut parts.provider_details {
                details.remove("finish_reason");
            }
            insert_detail(parts, "refusal", text);
            if choice
                .finish_reason
                .as_deref()
                .is_some_and(|r| !r.is_empty())
            {
                state.finished = true;
            }
            return Ok(());
        }
        if let Some(raw_finish) = choice.finish_reason.filter(|r| !r.is_empty()) {
            state.finished = true;
            if state.refusal.is_none() {
                parts.finish_reason = map_finish_reason(&raw_finish);
                insert_detail(
                    parts,
                    "finish_reason",
                    Value::String(raw_finish.into_owned()),
                );
            }
        }
        let logprobs = logprobs_details(choice.logprobs);
        if !logprobs.is_empty() {
            // Appended, so that the streamed response carries the logprobs of every token as
            // the whole response does.
            let details = parts.provider_details.get_or_insert_with(Map::new);
            match details.get_mut("logprobs") {
                Some(Value::Array(all)) => all.extend(logprobs),
                _ => {
                    details.insert("logprobs".into(), Value::Array(logprobs));
                }
            }
        }

        for field in self.reasoning_fields() {
            let slot = reasoning_slot(field);
            match &delta.reasoning[slot] {
                Some(Thought::Text(text)) if !text.is_empty() => {
                    if state.reasoning_started[slot] {
                        parts.handle_thinking_delta(
                            Some(VendorId::Key(field)),
                            Some(text),
                            None,
                            None,
                        )?;
                    } else {
                        state.reasoning_started[slot] = true;
                        let part = ThinkingPart {
                            id: Some(field.to_owned()),
                            provider_name: parts.provider_name.clone(),
                            ..ThinkingPart::new(text.as_ref())
                        };
                        parts.handle_part(Some(VendorId::Key(field)), part.into());
                    }
                    break;
                }
                Some(Thought::NotText(kind)) => warn_not_text(field, kind),
                _ => {}
            }
        }
        match &delta.content {
            Some(WireContent::Text(text)) if !text.is_empty() => {
                self.text_delta(text, state, parts)?;
            }
            Some(WireContent::Chunks(chunks)) => {
                for chunk in chunks {
                    match chunk {
                        ContentChunk::Text { text } if !text.is_empty() => {
                            self.text_delta(text, state, parts)?;
                        }
                        ContentChunk::Text { .. } => {}
                        ContentChunk::Thinking { thinking } => {
                            for thought in thinking.iter().filter(|t| t.kind == "text") {
                                parts.handle_thinking_delta(
                                    Some(VendorId::Key(THINKING_CHUNKS)),
                                    Some(&thought.text),
                                    None,
                                    None,
                                )?;
                            }
                        }
                        ContentChunk::Other => warn_unknown_chunk(),
                    }
                }
            }
            _ => {}
        }
        for call in delta.tool_calls.iter() {
            let function = call.function.as_ref();
            let name = function.and_then(|f| f.name.as_ref()).map(|n| n.0.as_ref());
            let args = match function.and_then(|f| f.arguments.as_ref()) {
                Some(WireArgs::Text(text)) => Some(ArgsDelta::Json(text)),
                Some(WireArgs::Object(map)) => Some(ArgsDelta::Object(map.clone())),
                None => None,
            };
            let id = call
                .id
                .as_ref()
                .map(|id| id.0.as_ref())
                .filter(|id| !id.is_empty());
            parts.handle_tool_call_delta(call.index.map(VendorId::Index), name, args, id)?;
        }
        Ok(())
    }

    /// Streams text, opening and closing thinking parts at whole-delta thinking tags as
    /// pydantic-ai's parts manager does.
    fn text_delta(
        &self,
        text: &str,
        state: &mut ChatStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        let (start, end) = self.thinking_tags;
        let vendor = VendorId::Key(CONTENT);
        if state.in_tag_thinking {
            if text == end {
                // The next text starts a new part.
                parts.stop_tracking(vendor);
                state.in_tag_thinking = false;
                return Ok(());
            }
            return parts.handle_thinking_delta(Some(vendor), Some(text), None, None);
        }
        if text == start {
            parts.stop_tracking(vendor);
            state.in_tag_thinking = true;
            let part = ThinkingPart {
                id: Some(CONTENT.to_owned()),
                provider_name: parts.provider_name.clone(),
                ..ThinkingPart::default()
            };
            parts.handle_part(Some(vendor), part.into());
            return Ok(());
        }
        let ignore = *state
            .ignore_leading_whitespace
            .get_or_insert_with(|| self.ignores_leading_whitespace(&parts.model_name));
        if ignore {
            parts.handle_text_delta_ignoring_leading_whitespace(Some(vendor), text)
        } else {
            parts.handle_text_delta(Some(vendor), text)
        }
    }
}

fn warn_not_text(field: &str, kind: &str) {
    tracing::warn!(
        target: "llm_runtime::providers",
        field,
        "the reasoning field `{field}` holds {kind}, not text; it is not read"
    );
}

fn warn_unknown_chunk() {
    tracing::warn!(
        target: "llm_runtime::providers",
        "a content chunk of an unknown type was not read"
    );
}

#[cfg(test)]
mod tests {
    //! Bodies written from OpenAI's documented format
    //! (<https://platform.openai.com/docs/api-reference/chat>), not recorded traffic.

    use super::*;
    use crate::messages::{
        FileUrl, ModelResponseStreamEvent, ResponseState, RetryPromptPart, SystemPromptPart,
        ToolReturnPart, UserPromptPart,
    };
    use crate::models::OutputObjectDefinition;
    use crate::providers::test_support::{prompt, request_json, run_stream, Streamed};
    #[allow(unused_imports)]
    use crate::providers::ResponseContext;
    use serde_json::json;

    /// The provider name the tests give the protocol.
    const PROVIDER: &str = "openai";

    fn divide() -> ToolDefinition {
        ToolDefinition::new("divide")
            .with_description("Divide two numbers.")
            .with_parameters(json!({
                "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"]
            }))
    }

    fn body(messages: &[ModelMessage], parameters: &ModelRequestParameters) -> Value {
        request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "gpt-4o",
            messages,
            &ModelSettings::default(),
            parameters,
            false,
        )
        .unwrap()
    }

    /// The protocol and the name of the provider speaking it.
    fn named(protocol: OpenAiChat, name: &'static str) -> (OpenAiChat, &'static str) {
        (protocol, name)
    }

    fn parse(body: Value) -> ModelResponse {
        OpenAiChat::new()
            .parse_response(
                body.to_string().as_bytes(),
                &mut ResponseContext::new("gpt-4o", PROVIDER),
            )
            .unwrap()
    }

    /// Feeds `data` payloads as SSE events; returns the response and the events.
    fn stream_with(
        protocol: OpenAiChat,
        parameters: &ModelRequestParameters,
        data: &[String],
    ) -> Result<Streamed> {
        let parts = PartsManager::new("gpt-4o", parameters).with_provider("openai", None);
        run_stream(
            &protocol,
            parts,
            data.iter().map(|payload| ("message", payload.as_str())),
        )
    }

    fn stream(data: &[Value]) -> Streamed {
        let mut payloads: Vec<String> = data.iter().map(Value::to_string).collect();
        payloads.push("[DONE]".to_owned());
        stream_with(
            OpenAiChat::new(),
            &ModelRequestParameters::default(),
            &payloads,
        )
        .unwrap()
    }

    fn chunk(delta: Value, finish_reason: Value) -> Value {
        json!({
            "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000,
            "model": "gpt-4o-2024-08-06",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}]
        })
    }

    fn usage_chunk() -> Value {
        json!({
            "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000,
            "model": "gpt-4o-2024-08-06", "choices": [],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17,
                      "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 2, "audio_tokens": 0}}
        })
    }

    // -------------------------------------------------------------------------- requests

    #[test]
    fn text_prompt_body_is_the_documented_minimum() {
        assert_eq!(
            body(&prompt("Hello"), &ModelRequestParameters::default()),
            json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello"}],
                   "stream": false})
        );
        assert_eq!(
            OpenAiChat::new().endpoint("gpt-4o", true),
            "chat/completions"
        );
    }

    #[test]
    fn system_prompts_and_instructions_take_the_model_role() {
        let request = ModelRequest::new(vec![
            SystemPromptPart::new("Be brief.").into(),
            UserPromptPart::new("Hi").into(),
        ])
        .with_instructions("Answer in French.");
        let messages = vec![ModelMessage::from(request)];
        let params = ModelRequestParameters::default();
        assert_eq!(
            body(&messages, &params)["messages"],
            json!([
                {"role": "system", "content": "Be brief."},
                {"role": "system", "content": "Answer in French."},
                {"role": "user", "content": "Hi"}
            ])
        );
        let settings = ModelSettings::default();
        let developer = OpenAiChat::new()
            .with_system_role(SystemRole::Developer)
            .with_multiple_system_messages(false);
        assert_eq!(
            request_json(&developer, PROVIDER, "o3", &messages, &settings, &params, false).unwrap()
                ["messages"],
            json!([
                {"role": "developer", "content": "Be brief.\n\nAnswer in French."},
                {"role": "user", "content": "Hi"}
            ])
        );
        // o1-mini takes neither `system` nor `developer`.
        let o1 = request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "o1-mini",
            &messages,
            &settings,
            &params,
            false,
        );
        assert_eq!(o1.unwrap()["messages"][0]["role"], "user");
    }

    #[test]
    fn multimodal_user_content() {
        let mut image = FileUrl::new("https://example.com/cat.png");
        image.vendor_metadata = Some(Map::from_iter([("detail".to_owned(), json!("low"))]));
        let items = vec![
            UserContentItem::Text("Look:".into()),
            UserContentItem::ImageUrl(image),
            UserContentItem::Binary(BinaryContent::new(vec![0x89, b'P'], "image/png")),
            UserContentItem::Binary(BinaryContent::new(b"RIFF".to_vec(), "audio/wav")),
            UserContentItem::Binary(BinaryContent::new(b"%PDF".to_vec(), "application/pdf")),
            UserContentItem::Binary(BinaryContent::new(b"a,b".to_vec(), "text/csv")),
        ];
        let request = ModelRequest::new(vec![UserPromptPart::new(items).into()]);
        let content = body(&[request.into()], &ModelRequestParameters::default())["messages"][0]
            ["content"]
            .clone();
        let csv_id = BinaryContent::new(b"a,b".to_vec(), "text/csv").identifier();
        assert_eq!(
            content,
            json!([
                {"type": "text", "text": "Look:"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVA="}},
                {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
                {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERg==",
                                          "filename": "filename.pdf"}},
                {"type": "text", "text": format!(
                    "-----BEGIN FILE id=\"{csv_id}\" type=\"text/csv\"-----\na,b\n-----END FILE id=\"{csv_id}\"-----")}
            ])
        );
    }

    #[test]
    fn content_the_api_cannot_take_is_a_user_error() {
        for item in [
            UserContentItem::VideoUrl(FileUrl::new("https://example.com/a.mp4")),
            UserContentItem::AudioUrl(FileUrl::new("https://example.com/a.mp3")),
            UserContentItem::DocumentUrl(FileUrl::new("https://example.com/a.pdf")),
            UserContentItem::Binary(BinaryContent::new(b"x".to_vec(), "audio/flac")),
        ] {
            let request = ModelRequest::new(vec![UserPromptPart::new(vec![item]).into()]);
            let messages = [ModelMessage::from(request)];
            let err = request_json(
                &OpenAiChat::new(),
                PROVIDER,
                "gpt-4o",
                &messages,
                &ModelSettings::default(),
                &ModelRequestParameters::default(),
                false,
            )
            .unwrap_err();
            assert!(matches!(err, Error::User { .. }), "{err}");
        }
        // A host that takes file URLs gets the URL.
        let request = ModelRequest::new(vec![UserPromptPart::new(vec![
            UserContentItem::DocumentUrl(FileUrl::new("https://example.com/a.pdf")),
        ])
        .into()]);
        let value = request_json(
            &OpenAiChat::new().with_file_urls(true),
            PROVIDER,
            "m",
            &[request.into()],
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            false,
        )
        .unwrap();
        assert_eq!(
            value["messages"][0]["content"][0],
            json!({"type": "file", "file": {"file_data": "https://example.com/a.pdf",
                                            "filename": "filename.pdf"}})
        );
    }

    #[test]
    fn history_with_tool_calls_returns_and_retries() {
        let messages: Vec<ModelMessage> = vec![
            ModelRequest::user_text_prompt("What is 6 / 3?").into(),
            ModelResponse::new(vec![
                TextPart::new("Let me compute.").into(),
                ToolCallPart::new("divide", r#"{"a": 6, "b": 3}"#, "call_1").into(),
                ToolCallPart::new("divide", ToolArgs::Object(Map::new()), "call_2").into(),
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
                RetryPromptPart::new("Answer with a number.").into(),
            ])
            .into(),
            // A response with nothing to send is left out.
            ModelResponse::new(vec![]).into(),
        ];
        assert_eq!(
            body(&messages, &ModelRequestParameters::default())["messages"],
            json!([
                {"role": "user", "content": "What is 6 / 3?"},
                {"role": "assistant", "content": "Let me compute.", "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": "divide", "arguments": "{\"a\": 6, \"b\": 3}"}},
                    {"id": "call_2", "type": "function",
                     "function": {"name": "divide", "arguments": "{}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "2.0"},
                {"role": "tool", "tool_call_id": "call_2",
                 "content": "b must not be zero\n\nFix the errors and try again."},
                {"role": "user",
                 "content": "Validation feedback:\nAnswer with a number.\n\nFix the errors and try again."}
            ])
        );
    }

    #[test]
    fn thinking_goes_back_in_its_field_or_in_tags() {
        let thinking = |id: &str, provider: &str| -> ModelResponsePart {
            ThinkingPart {
                id: Some(id.to_owned()),
                provider_name: Some(provider.to_owned()),
                ..ThinkingPart::new("hmm")
            }
            .into()
        };
        let history = |part: ModelResponsePart| -> Vec<ModelMessage> {
            vec![
                ModelRequest::user_text_prompt("q").into(),
                ModelResponse::new(vec![part, ToolCallPart::new("t", "{}", "c1").into()]).into(),
            ]
        };
        let deepseek = named(
            OpenAiChat::new()
                .with_thinking_field("reasoning_content")
                .with_send_back_thinking(SendBackThinking::Field),
            "deepseek",
        );
        let settings = ModelSettings::default();
        let params = ModelRequestParameters::default();
        let assistant = |(protocol, name): (OpenAiChat, &str), messages: &[ModelMessage]| {
            request_json(&protocol, name, "m", messages, &settings, &params, false).unwrap()
                ["messages"][1]
                .clone()
        };
        // Same provider, same field: in the field.
        let same = assistant(
            named(OpenAiChat::new(), "deepseek"),
            &history(thinking("reasoning_content", "deepseek")),
        );
        assert_eq!(same["reasoning_content"], "hmm");
        assert_eq!(same["content"], Value::Null);
        // Another provider's reasoning: in tags.
        let other = assistant(
            named(OpenAiChat::new(), "openai"),
            &history(thinking("reasoning_content", "deepseek")),
        );
        assert_eq!(other["content"], "<think>\nhmm\n</think>");
        assert!(other.get("reasoning_content").is_none());
        // Field mode: always in the field, and backfilled on tool-calling turns without it.
        let messages = vec![
            ModelRequest::user_text_prompt("q").into(),
            ModelResponse::new(vec![thinking("content", "x")]).into(),
            ModelRequest::user_text_prompt("q2").into(),
            ModelResponse::new(vec![ToolCallPart::new("t", "{}", "c1").into()]).into(),
        ];
        let value = request_json(
            &deepseek.0,
            deepseek.1,
            "m",
            &messages,
            &settings,
            &params,
            false,
        )
        .unwrap();
        // The thinking-only response has no content or tool call: it is not sent.
        assert_eq!(value["messages"][2]["role"], "assistant");
        assert_eq!(value["messages"][2]["reasoning_content"], "");
        let omit = assistant(
            named(
                OpenAiChat::new().with_send_back_thinking(SendBackThinking::Omit),
                "openai",
            ),
            &history(thinking("reasoning", "openai")),
        );
        assert_eq!(omit["content"], Value::Null);
        let field_without_name = request_json(
            &OpenAiChat::new().with_send_back_thinking(SendBackThinking::Field),
            PROVIDER,
            "m",
            &history(thinking("reasoning", "openai")),
            &settings,
            &params,
            false,
        );
        assert!(matches!(field_without_name, Err(Error::User { .. })));
    }

    #[test]
    fn tools_are_strict_only_when_compatible() {
        let mut loose = ToolDefinition::new("search").with_parameters(json!({
            "type": "object", "properties": {"q": {"type": "string"}, "n": {"type": "integer"}},
            "required": ["q"]
        }));
        let params = ModelRequestParameters {
            function_tools: vec![divide(), loose.clone()],
            ..Default::default()
        };
        let value = body(&prompt("x"), &params);
        assert_eq!(value["tool_choice"], "auto");
        assert_eq!(
            value["tools"][0],
            json!({"type": "function", "function": {
                "name": "divide", "description": "Divide two numbers.",
                "parameters": {"type": "object",
                    "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                    "required": ["a", "b"], "additionalProperties": false},
                "strict": true}})
        );
        assert!(value["tools"][1]["function"].get("strict").is_none());
        // Forced strict makes the schema compatible.
        loose.strict = Some(true);
        let forced = ModelRequestParameters {
            function_tools: vec![loose],
            ..Default::default()
        };
        let value = body(&prompt("x"), &forced);
        assert_eq!(value["tools"][0]["function"]["strict"], true);
        assert_eq!(
            value["tools"][0]["function"]["parameters"]["required"],
            json!(["q", "n"])
        );
        // A host without strict support gets none.
        let value = request_json(
            &OpenAiChat::new().with_strict_tools(false),
            PROVIDER,
            "m",
            &prompt("x"),
            &ModelSettings::default(),
            &forced,
            false,
        )
        .unwrap();
        assert!(value["tools"][0]["function"].get("strict").is_none());
    }

    #[test]
    fn tool_choice_maps_to_the_api() {
        let params = ModelRequestParameters {
            function_tools: vec![divide(), ToolDefinition::new("search")],
            ..Default::default()
        };
        let choice = |protocol: OpenAiChat, tool_choice: ToolChoice| {
            let settings = ModelSettings {
                tool_choice: Some(tool_choice),
                parallel_tool_calls: Some(false),
                ..Default::default()
            };
            request_json(
                &protocol,
                PROVIDER,
                "m",
                &prompt("x"),
                &settings,
                &params,
                false,
            )
        };
        let value = choice(OpenAiChat::new(), ToolChoice::Required).unwrap();
        assert_eq!(
            (&value["tool_choice"], &value["parallel_tool_calls"]),
            (&json!("required"), &json!(false))
        );
        let value = choice(OpenAiChat::new(), ToolChoice::Tools(vec!["divide".into()])).unwrap();
        assert_eq!(
            value["tool_choice"],
            json!({"type": "function", "function": {"name": "divide"}})
        );
        assert_eq!(value["tools"].as_array().unwrap().len(), 2);
        let value = choice(OpenAiChat::new(), ToolChoice::None).unwrap();
        assert_eq!(value["tool_choice"], "none");
        // Restricting to some tools sends only those.
        let value = choice(
            OpenAiChat::new(),
            ToolChoice::ToolOrOutput(vec!["search".into()]),
        )
        .unwrap();
        assert_eq!(value["tool_choice"], "auto");
        assert_eq!(value["tools"].as_array().unwrap().len(), 1);
        assert_eq!(value["tools"][0]["function"]["name"], "search");
        // Hosts that cannot force: explicit forcing is an error.
        let no_forcing = OpenAiChat::new().with_tool_choice_required(false);
        assert!(matches!(
            choice(no_forcing, ToolChoice::Required),
            Err(Error::User { .. })
        ));
        assert!(matches!(
            choice(OpenAiChat::new(), ToolChoice::Tools(vec!["nope".into()])),
            Err(Error::User { .. })
        ));
        // Without text output, the default is `required` (or `auto` where forcing is not taken).
        let output_only = ModelRequestParameters {
            allow_text_output: false,
            ..params.clone()
        };
        let value = body(&prompt("x"), &output_only);
        assert_eq!(value["tool_choice"], "required");
        let value = request_json(
            &OpenAiChat::new().with_tool_choice_required(false),
            PROVIDER,
            "m",
            &prompt("x"),
            &ModelSettings::default(),
            &output_only,
            false,
        )
        .unwrap();
        assert_eq!(value["tool_choice"], "auto");
        // Without tools there is neither tool_choice nor parallel_tool_calls.
        let settings = ModelSettings {
            parallel_tool_calls: Some(true),
            ..Default::default()
        };
        let value = request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "m",
            &prompt("x"),
            &settings,
            &ModelRequestParameters::default(),
            false,
        )
        .unwrap();
        assert!(value.get("tool_choice").is_none() && value.get("parallel_tool_calls").is_none());
    }

    #[test]
    fn settings_map_to_their_fields() {
        let settings = ModelSettings {
            max_tokens: Some(100),
            temperature: Some(0.5),
            top_p: Some(0.9),
            top_k: Some(3),
            seed: Some(7),
            presence_penalty: Some(0.1),
            frequency_penalty: Some(0.2),
            logit_bias: Some(BTreeMap::from([("50256".to_owned(), -100)])),
            stop_sequences: Some(vec!["END".into()]),
            service_tier: Some("flex".into()),
            extra_body: Some(json!({"user": "u-1", "temperature": 0.7})),
            ..Default::default()
        };
        let params = ModelRequestParameters::default();
        let value = request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "gpt-4o",
            &prompt("x"),
            &settings,
            &params,
            true,
        )
        .unwrap();
        assert_eq!(
            value,
            json!({
                "model": "gpt-4o", "messages": [{"role": "user", "content": "x"}],
                "stream": true, "stream_options": {"include_usage": true},
                "stop": ["END"], "max_completion_tokens": 100, "seed": 7,
                "service_tier": "flex", "temperature": 0.7, "top_p": 0.9,
                "presence_penalty": 0.1, "frequency_penalty": 0.2,
                "logit_bias": {"50256": -100}, "user": "u-1"
            })
        );
        let host = OpenAiChat::new()
            .with_max_tokens_field(MaxTokensField::MaxTokens)
            .with_stream_usage(false)
            .with_unsupported_settings(&[Setting::Seed, Setting::ServiceTier]);
        let value =
            request_json(&host, PROVIDER, "m", &prompt("x"), &settings, &params, true).unwrap();
        assert_eq!(value["max_tokens"], 100);
        for absent in [
            "max_completion_tokens",
            "stream_options",
            "seed",
            "service_tier",
            "top_k",
        ] {
            assert!(value.get(absent).is_none(), "{absent}");
        }
        let bad_extra = ModelSettings {
            extra_body: Some(json!([1])),
            ..Default::default()
        };
        assert!(matches!(
            request_json(
                &OpenAiChat::new(),
                PROVIDER,
                "m",
                &prompt("x"),
                &bad_extra,
                &params,
                false
            ),
            Err(Error::User { .. })
        ));
    }

    #[test]
    fn thinking_becomes_reasoning_effort_on_reasoning_models() {
        let settings = ModelSettings {
            thinking: Some(Thinking::High),
            temperature: Some(0.2),
            ..Default::default()
        };
        let params = ModelRequestParameters::default();
        let value = request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "o3-mini",
            &prompt("x"),
            &settings,
            &params,
            false,
        )
        .unwrap();
        assert_eq!(value["reasoning_effort"], "high");
        // o-series models reason and reject sampling settings.
        assert!(value.get("temperature").is_none());
        // Models that do not reason get neither change.
        let value = request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "gpt-4o",
            &prompt("x"),
            &settings,
            &params,
            false,
        )
        .unwrap();
        assert!(value.get("reasoning_effort").is_none());
        assert_eq!(value["temperature"], 0.2);
        // Opt-in reasoning models keep sampling settings with reasoning off.
        let off = ModelSettings {
            thinking: Some(Thinking::Disabled),
            ..settings.clone()
        };
        let value = request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "gpt-5.1",
            &prompt("x"),
            &off,
            &params,
            false,
        )
        .unwrap();
        assert_eq!(
            (&value["reasoning_effort"], &value["temperature"]),
            (&json!("none"), &json!(0.2))
        );
        let minimal = ModelSettings {
            thinking: Some(Thinking::Minimal),
            ..Default::default()
        };
        let value = request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "gpt-5.6",
            &prompt("x"),
            &minimal,
            &params,
            false,
        )
        .unwrap();
        assert_eq!(value["reasoning_effort"], "low");
    }

    #[test]
    fn structured_output_uses_response_format() {
        let params = ModelRequestParameters {
            output_mode: OutputMode::Native,
            output_object: Some(OutputObjectDefinition {
                json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}},
                                    "required": ["city"], "title": "City"}),
                name: Some("city".into()),
                description: Some("A city".into()),
                strict: None,
            }),
            ..Default::default()
        };
        assert_eq!(
            body(&prompt("x"), &params)["response_format"],
            json!({"type": "json_schema", "json_schema": {
                "name": "city", "description": "A city", "strict": true,
                "schema": {"type": "object", "properties": {"city": {"type": "string"}},
                           "required": ["city"], "additionalProperties": false}}})
        );
        let prompted = ModelRequestParameters {
            output_mode: OutputMode::Prompted,
            ..Default::default()
        };
        assert_eq!(
            body(&prompt("x"), &prompted)["response_format"],
            json!({"type": "json_object"})
        );
        let missing = ModelRequestParameters {
            output_mode: OutputMode::Native,
            ..Default::default()
        };
        assert!(matches!(
            request_json(
                &OpenAiChat::new(),
                PROVIDER,
                "m",
                &prompt("x"),
                &ModelSettings::default(),
                &missing,
                false
            ),
            Err(Error::User { .. })
        ));
    }

    // -------------------------------------------------------------------------- responses

    #[test]
    fn parses_text_tool_calls_usage_and_details() {
        let response = parse(json!({
            "id": "chatcmpl-123", "object": "chat.completion", "created": 1_700_000_000,
            "model": "gpt-4o-2024-08-06",
            "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": null,
                "message": {"role": "assistant", "content": "Dividing.", "refusal": null,
                    "tool_calls": [{"id": "call_1", "type": "function",
                        "function": {"name": "divide", "arguments": "{\"a\":6,\"b\":3}"}}]}}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30,
                "prompt_tokens_details": {"cached_tokens": 8, "audio_tokens": 2},
                "completion_tokens_details": {"reasoning_tokens": 4, "audio_tokens": 1,
                    "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}
        }));
        assert_eq!(
            response.parts,
            vec![
                TextPart::new("Dividing.").into(),
                ToolCallPart::new("divide", r#"{"a":6,"b":3}"#, "call_1").into()
            ]
        );
        assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
        assert_eq!(response.model_name.as_deref(), Some("gpt-4o-2024-08-06"));
        assert_eq!(
            response.provider_response_id.as_deref(),
            Some("chatcmpl-123")
        );
        assert_eq!(
            response.provider_details,
            Some(Map::from_iter([
                ("finish_reason".to_owned(), json!("tool_calls")),
                ("timestamp".to_owned(), json!("2023-11-14T22:13:20Z")),
            ]))
        );
        let usage = &response.usage;
        assert_eq!(
            (
                usage.requests,
                usage.request_tokens,
                usage.response_tokens,
                usage.total_tokens,
                usage.cache_read_tokens,
                usage.input_audio_tokens,
                usage.output_audio_tokens
            ),
            (1, 20, 10, 30, 8, 2, 1)
        );
        assert_eq!(usage.details["reasoning_tokens"], 4);
        assert_eq!(usage.details["audio_tokens"], 1);
    }

    #[test]
    fn parses_reasoning_fields_and_think_tags() {
        let response = parse(json!({
            "id": "x", "created": 1, "model": "deepseek-reasoner",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
                "reasoning_content": "First, think.", "content": "A<think>B</think>C"}}]
        }));
        let thinking = |content: &str, id: &str| -> ModelResponsePart {
            ThinkingPart {
                id: Some(id.to_owned()),
                provider_name: Some("openai".to_owned()),
                ..ThinkingPart::new(content)
            }
            .into()
        };
        assert_eq!(
            response.parts,
            vec![
                thinking("First, think.", "reasoning_content"),
                TextPart::new("A").into(),
                thinking("B", "content"),
                TextPart::new("C").into(),
            ]
        );
        // The host's own field is read first; a non-text value is not read.
        let protocol = OpenAiChat::new().with_thinking_field("thoughts");
        let body = json!({"choices": [{"finish_reason": "stop", "message": {
            "thoughts": "mine", "reasoning": {"not": "text"}, "content": null}}]});
        let response = protocol
            .parse_response(
                body.to_string().as_bytes(),
                &mut ResponseContext::new("m", PROVIDER),
            )
            .unwrap();
        assert_eq!(response.thinking()[0].id.as_deref(), Some("thoughts"));
        assert_eq!(response.model_name.as_deref(), Some("m"));
    }

    #[test]
    fn lenient_with_compatible_servers() {
        // No `object`, no `id`, no finish reason, an unknown finish reason, arguments as an
        // object, a tool call without an id, Mistral content chunks.
        let response = parse(json!({
            "choices": [{"message": {"content": [
                {"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]},
                {"type": "text", "text": "ok"}, {"type": "reference", "reference_ids": [1]}],
                "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]}}]
        }));
        assert_eq!(response.finish_reason, Some(FinishReason::Stop));
        assert_eq!(response.provider_response_id, None);
        assert_eq!(response.thinking()[0].content, "hm");
        assert_eq!(response.text(), "ok");
        let call = response.tool_calls()[0];
        assert!(call.tool_call_id.starts_with("pyd_ai_"));
        assert_eq!(call.args_as_json_str(), r#"{"x":1}"#);
        let unknown =
            parse(json!({"choices": [{"finish_reason": "eos", "message": {"content": "x"}}]}));
        assert_eq!(unknown.finish_reason, None);
        assert_eq!(
            unknown.provider_details.unwrap()["finish_reason"],
            json!("eos")
        );
    }

    #[test]
    fn refusals_are_content_filtered() {
        let response = parse(json!({"id": "r", "created": 2, "model": "gpt-4o",
            "choices": [{"finish_reason": "stop", "message": {"content": null,
                "refusal": "I can't help with that."}}]}));
        assert!(response.parts.is_empty());
        assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
        let details = response.provider_details.unwrap();
        assert_eq!(details["refusal"], "I can't help with that.");
        assert!(!details.contains_key("finish_reason"));
    }

    #[test]
    fn malformed_and_error_bodies_are_typed_errors() {
        let protocol = OpenAiChat::new();
        for body in [
            &b"{not json"[..],
            b"[]",
            b"{\"choices\": []}",
            b"{\"choices\": [{\"message\": {\"tool_calls\": [{\"type\": \"custom\"}]}}]}",
            b"\xff\xfe",
        ] {
            let err = protocol
                .parse_response(body, &mut ResponseContext::new("m", PROVIDER))
                .unwrap_err();
            assert!(
                matches!(err, Error::UnexpectedModelBehavior { body: Some(_), .. }),
                "{err}"
            );
        }
        let err = protocol
            .parse_response(
                br#"{"error": {"code": 429, "message": "slow down"}}"#,
                &mut ResponseContext::new("m", PROVIDER),
            )
            .unwrap_err();
        assert_eq!(err.status(), Some(429));
        let err = protocol
            .parse_response(
                br#"{"error": {"message": "boom", "type": "server_error"}}"#,
                &mut ResponseContext::new("m", PROVIDER),
            )
            .unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
    }

    // -------------------------------------------------------------------------- streams

    #[test]
    fn streams_text_and_the_usage_only_final_chunk() {
        let (response, events) = stream(&[
            chunk(json!({"role": "assistant", "content": ""}), Value::Null),
            chunk(json!({"content": "Hel"}), Value::Null),
            chunk(json!({"content": "lo"}), Value::Null),
            chunk(json!({}), json!("stop")),
            usage_chunk(),
        ]);
        assert_eq!(response.text(), "Hello");
        assert_eq!(response.finish_reason, Some(FinishReason::Stop));
        assert_eq!(response.usage.request_tokens, 12);
        assert_eq!(response.usage.cache_read_tokens, 4);
        assert_eq!(response.usage.details["reasoning_tokens"], 2);
        assert_eq!(response.usage.requests, 1);
        assert_eq!(response.model_name.as_deref(), Some("gpt-4o-2024-08-06"));
        assert_eq!(
            response.provider_details,
            Some(Map::from_iter([
                ("timestamp".to_owned(), json!("2023-11-14T22:13:20Z")),
                ("finish_reason".to_owned(), json!("stop")),
            ]))
        );
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| match e {
                ModelResponseStreamEvent::PartStart(_) => "start",
                ModelResponseStreamEvent::PartDelta(_) => "delta",
                ModelResponseStreamEvent::PartEnd(_) => "end",
                ModelResponseStreamEvent::FinalResult(_) => "final",
            })
            .collect();
        assert_eq!(kinds, ["start", "final", "delta", "end"]);
    }

    #[test]
    fn streams_parallel_tool_call_fragments_by_index() {
        let call = |index: u64, id: Value, name: Value, args: &str| {
            chunk(
                json!({"tool_calls": [{"index": index, "id": id, "type": "function",
                    "function": {"name": name, "arguments": args}}]}),
                Value::Null,
            )
        };
        let (response, _) = stream(&[
            call(0, json!("call_a"), json!("divide"), ""),
            call(1, json!("call_b"), json!("search"), "{\"q\":"),
            call(0, Value::Null, Value::Null, "{\"a\":6,"),
            call(1, Value::Null, Value::Null, "\"x\"}"),
            call(0, Value::Null, Value::Null, "\"b\":3}"),
            chunk(json!({}), json!("tool_calls")),
            usage_chunk(),
        ]);
        assert_eq!(
            response.parts,
            vec![
                ToolCallPart::new("divide", r#"{"a":6,"b":3}"#, "call_a").into(),
                ToolCallPart::new("search", r#"{"q":"x"}"#, "call_b").into(),
            ]
        );
        assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
        // Arguments streamed as objects (some compatible servers) are merged.
        let (response, _) = stream(&[
            chunk(
                json!({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": {"a": 1}}}]}),
                Value::Null,
            ),
            chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": {"b": 2}}}]}),
                json!("tool_calls"),
            ),
        ]);
        assert_eq!(
            response.tool_calls()[0].args_as_json_str(),
            r#"{"a":1,"b":2}"#
        );
    }

    #[test]
    fn several_tool_calls_in_one_delta_and_keep_alive_events() {
        let mut parts = PartsManager::new("m", &ModelRequestParameters::default());
        let mut state = ChatStreamState::default();
        let protocol = OpenAiChat::new();
        let events = [
            ("ping", "keep-alive".to_owned()),
            (
                "message",
                chunk(
                    json!({"tool_calls": [
                        {"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}},
                        {"index": 1, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
                    json!("tool_calls"),
                )
                .to_string(),
            ),
            ("message", "[DONE]".to_owned()),
        ];
        let mut flows = Vec::new();
        for (name, data) in &events {
            let event = crate::providers::RawEvent::new(name, data);
            flows.push(
                crate::providers::apply_event(&protocol, event, &mut state, &mut parts).unwrap(),
            );
        }
        assert_eq!(flows, [Flow::Continue, Flow::Continue, Flow::Done]);
        let response = parts.response(ResponseState::Complete);
        let names: Vec<&str> = response
            .tool_calls()
            .iter()
            .map(|c| c.tool_name.as_str())
            .collect();
        assert_eq!(names, ["f", "g"]);
    }

    #[test]
    fn streams_reasoning_fields_and_think_tags() {
        let (response, _) = stream(&[
            chunk(
                json!({"reasoning_content": "Let me", "content": null}),
                Value::Null,
            ),
            chunk(json!({"reasoning_content": " think."}), Value::Null),
            chunk(json!({"content": "<think>"}), Value::Null),
            chunk(json!({"content": "inner"}), Value::Null),
            chunk(json!({"content": "</think>"}), Value::Null),
            chunk(json!({"content": "Answer"}), json!("stop")),
        ]);
        let thinking = |content: &str, id: &str| -> ModelResponsePart {
            ThinkingPart {
                id: Some(id.to_owned()),
                provider_name: Some("openai".to_owned()),
                ..ThinkingPart::new(content)
            }
            .into()
        };
        assert_eq!(
            response.parts,
            vec![
                thinking("Let me think.", "reasoning_content"),
                thinking("inner", "content"),
                TextPart::new("Answer").into(),
            ]
        );
    }

    #[test]
    fn streamed_refusals_and_errors() {
        let (response, _) = stream(&[
            chunk(json!({"refusal": "I can't"}), Value::Null),
            chunk(json!({"refusal": " help."}), json!("stop")),
        ]);
        assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
        assert_eq!(
            response.provider_details.unwrap()["refusal"],
            json!("I can't help.")
        );
        let params = ModelRequestParameters::default();
        let err = stream_with(
            OpenAiChat::new(),
            &params,
            &[json!({"error": {"code": 400, "message": "Token limit reached"}}).to_string()],
        )
        .unwrap_err();
        assert_eq!(err.status(), Some(400));
        let err =
            stream_with(OpenAiChat::new(), &params, &["{\"choices\": [".to_owned()]).unwrap_err();
        assert!(matches!(
            err,
            Error::UnexpectedModelBehavior { body: Some(_), .. }
        ));
        // A stream cut before any finish reason or `[DONE]` is truncated.
        let err = stream_with(
            OpenAiChat::new(),
            &params,
            &[chunk(json!({"content": "Hel"}), Value::Null).to_string()],
        )
        .unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        // One that finished but closed without `[DONE]` is whole.
        let (response, _) = stream_with(
            OpenAiChat::new(),
            &params,
            &[chunk(json!({"content": "Hi"}), json!("stop")).to_string()],
        )
        .unwrap();
        assert_eq!(response.text(), "Hi");
    }

    #[test]
    fn streamed_and_whole_responses_are_equal() {
        let whole = json!({
            "id": "chatcmpl-9", "object": "chat.completion", "created": 1_700_000_000,
            "model": "gpt-4o-2024-08-06",
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": "Sure.", "reasoning": "Plan.",
                "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "divide", "arguments": "{\"a\":6,\"b\":3}"}}]}}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17,
                      "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 2, "audio_tokens": 0}}
        });
        let parsed = parse(whole);
        let (mut streamed, _) = stream(&[
            chunk(json!({"role": "assistant", "reasoning": "Pl"}), Value::Null),
            chunk(json!({"reasoning": "an."}), Value::Null),
            chunk(json!({"content": "Sure."}), Value::Null),
            chunk(
                json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                    "function": {"name": "divide", "arguments": "{\"a\":6,"}}]}),
                Value::Null,
            ),
            chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"b\":3}"}}]}),
                Value::Null,
            ),
            chunk(json!({}), json!("tool_calls")),
            json!({"id": "chatcmpl-9", "created": 1_700_000_000, "model": "gpt-4o-2024-08-06",
                   "choices": [], "usage": usage_chunk()["usage"].clone()}),
        ]);
        // The provider name is set by the HTTP layer; the timestamps are when each was received.
        // Everything else is equal, the response id included (the last chunk carries it).
        streamed.provider_name = None;
        streamed.timestamp = parsed.timestamp;
        assert_eq!(streamed, parsed);
    }
}
