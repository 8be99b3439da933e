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
//! Pure translation: no I/O here. The files:
//!
//! - `mod.rs`: the protocol ([`OpenAiChat`]), its options, and `impl Protocol`, which
//!   delegates to
//! - `request.rs` (settings and the body), `messages.rs` (the conversation), `content.rs`
//!   (user-prompt content), `tools.rs` (tool definitions and `tool_choice`);
//! - `response.rs` (a whole completion) and `stream.rs` (stream chunks);
//! - `thinking.rs` (reasoning fields and tags, read and sent back), `models.rs` (what each
//!   model supports);
//! - what some hosts add to the part model, each an option of [`OpenAiChat`]:
//!   `builtin_tools.rs` (built-in tools in the body: OpenAI's `web_search_options`, Groq's
//!   `search_settings`, OpenRouter's server tools; [`ChatBuiltinTools`]),
//!   `executed_tools.rs` (Groq's server-side searches as built-in tool call/return parts),
//!   `reasoning_details.rs` (OpenRouter's structured reasoning as thinking parts, and back),
//!   `failed_generation.rs` (Groq's `tool_use_failed` errors as a response to retry);
//! - `wire.rs` (the serde types) and `wire/seed.rs` (their hand-written deserializers).
//!
//! `request` and `response` do not import each other; `stream` uses `response`'s helpers.

pub use super::shared::SystemRole;
use crate::error::Result;
use crate::messages::ModelResponse;
use crate::models::ModelProfile;
use crate::providers::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::schema::{self, SchemaTransformer};
use crate::stream::PartsManager;
use crate::warning::Warnings;

mod builtin_tools;
mod content;
mod executed_tools;
mod failed_generation;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod host_options_tests;
mod messages;
mod models;
mod reasoning_details;
mod request;
mod response;
mod stream;
mod thinking;
mod tools;
mod wire;

pub use builtin_tools::ChatBuiltinTools;
pub use wire::Completion;

/// The request field that carries [`ModelSettings::max_tokens`](crate::settings::ModelSettings::max_tokens).
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

/// How [`ModelSettings::thinking`](crate::settings::ModelSettings::thinking) is sent.
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
    /// [`ModelSettings::max_tokens`](crate::settings::ModelSettings::max_tokens).
    MaxTokens,
    /// [`ModelSettings::temperature`](crate::settings::ModelSettings::temperature).
    Temperature,
    /// [`ModelSettings::top_p`](crate::settings::ModelSettings::top_p).
    TopP,
    /// [`ModelSettings::seed`](crate::settings::ModelSettings::seed).
    Seed,
    /// [`ModelSettings::presence_penalty`](crate::settings::ModelSettings::presence_penalty).
    PresencePenalty,
    /// [`ModelSettings::frequency_penalty`](crate::settings::ModelSettings::frequency_penalty).
    FrequencyPenalty,
    /// [`ModelSettings::logit_bias`](crate::settings::ModelSettings::logit_bias).
    LogitBias,
    /// [`ModelSettings::stop_sequences`](crate::settings::ModelSettings::stop_sequences).
    StopSequences,
    /// [`ModelSettings::parallel_tool_calls`](crate::settings::ModelSettings::parallel_tool_calls).
    ParallelToolCalls,
    /// [`ModelSettings::service_tier`](crate::settings::ModelSettings::service_tier).
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
/// use llm_runtime::providers::openai::chat::{MaxTokensField, OpenAiChat, SendBackThinking};
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
/// Errors: a malformed body or chunk is an [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) with the
/// offending bytes; an `error` object in a 200 body or inside a stream is an [`Error::Http`](crate::Error::Http)
/// when it carries an HTTP status (`code` or `status_code`, as OpenRouter and Groq send), and an
/// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) naming its message otherwise.
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
    schema_transformer_for: Option<(&'static str, SchemaTransformer)>,
    json_schema_output: bool,
    json_object_output: bool,
    ignore_streamed_leading_whitespace: Option<bool>,
    builtin_tools: ChatBuiltinTools,
    reasoning_details: bool,
    annotations: bool,
    failed_generations: bool,
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
            schema_transformer_for: None,
            json_schema_output: true,
            json_object_output: true,
            ignore_streamed_leading_whitespace: None,
            builtin_tools: ChatBuiltinTools::SearchModels,
            reasoning_details: false,
            annotations: false,
            failed_generations: false,
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

    /// Chooses the field that carries [`ModelSettings::max_tokens`](crate::settings::ModelSettings::max_tokens).
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
    /// explicit one is an [`Error::User`](crate::Error::User).
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

    /// Chooses how [`ModelSettings::thinking`](crate::settings::ModelSettings::thinking) is sent.
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

    /// Chooses `transformer` for the models whose names start with `prefix` (OpenRouter's
    /// `google/` models take the legacy Google transformer,
    /// [`schema::gemini_legacy::transform`], as in pydantic-ai); other models keep the
    /// host's transformer.
    pub const fn with_schema_transformer_for(
        mut self,
        prefix: &'static str,
        transformer: SchemaTransformer,
    ) -> Self {
        self.schema_transformer_for = Some((prefix, transformer));
        self
    }

    /// The schema transformer for `model_name`.
    fn schema_transformer(&self, model_name: &str) -> SchemaTransformer {
        match self.schema_transformer_for {
            Some((prefix, transformer)) if model_name.starts_with(prefix) => transformer,
            _ => self.schema_transformer,
        }
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

    /// Chooses which built-in tools the host takes and how (default
    /// [`ChatBuiltinTools::SearchModels`], OpenAI's). A request with another one fails with an
    /// [`Error::User`](crate::Error::User) naming it, before anything is sent.
    pub const fn with_builtin_tools(mut self, tools: ChatBuiltinTools) -> Self {
        self.builtin_tools = tools;
        self
    }

    /// Whether `reasoning_details` (OpenRouter's structured reasoning: text with signatures,
    /// summaries, encrypted reasoning) are read into thinking parts, in place of the reasoning
    /// field when a message has both, and sent back in that shape to this provider.
    pub const fn with_reasoning_details(mut self, read: bool) -> Self {
        self.reasoning_details = read;
        self
    }

    /// Whether a message's `annotations` (citations of web search results and files) are kept
    /// in the response's `provider_details["annotations"]`, as OpenRouter's model in
    /// pydantic-ai keeps them.
    pub const fn with_annotations(mut self, keep: bool) -> Self {
        self.annotations = keep;
        self
    }

    /// Whether Groq's `tool_use_failed` errors (a generation that did not match the tool
    /// schema, or text where a tool call was required) become a response holding the failed
    /// generation, a tool call or text for the model to retry, as pydantic-ai's `GroqModel`
    /// does, instead of an error.
    pub const fn with_failed_generations(mut self, as_response: bool) -> Self {
        self.failed_generations = as_response;
        self
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
    /// The stream keys of the reasoning details whose thinking part was started.
    details_started: Vec<String>,
    /// The id of the executed search whose call was announced and whose return is awaited.
    executed_call: Option<String>,
    /// The annotations so far (each chunk's are appended).
    annotations: Vec<serde_json::Value>,
}

impl Protocol for OpenAiChat {
    type StreamState = ChatStreamState;
    type Event<'a> = Completion<'a>;
    const EVENT_DESCRIPTION: &'static str = "chat completion chunk";

    fn supported_builtin_tools(&self, model_name: &str) -> &'static [&'static str] {
        self.builtin_tool_kinds(model_name)
    }

    fn endpoint(&self, model_name: &str, _stream: bool) -> String {
        self.endpoint_path(model_name)
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        self.body_bytes(request, stream, warnings)
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        self.parse_body(body, cx)
    }

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<Completion<'a>> {
        wire::parse_completion(event.data, self.thinking_field)
    }

    fn on_event(
        &self,
        chunk: Completion<'_>,
        raw: &RawEvent<'_>,
        state: &mut ChatStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        self.apply_chunk(chunk, raw.data, state, parts)
    }

    /// `[DONE]` is the terminator of Chat Completions streams.
    fn on_done(&self, _state: &mut ChatStreamState, _parts: &mut PartsManager) -> Result<Flow> {
        Ok(Flow::Done)
    }

    /// Groq's `tool_use_failed` 400, for a host with
    /// [`with_failed_generations`](Self::with_failed_generations).
    fn response_for_error(
        &self,
        status: u16,
        body: &str,
        model_name: &str,
    ) -> Option<ModelResponse> {
        if !self.failed_generations || status != 400 {
            return None;
        }
        failed_generation::response(body.as_bytes(), model_name)
    }

    fn on_eof(&self, state: &mut ChatStreamState, _parts: &mut PartsManager) -> Result<()> {
        self.end_of_stream(state)
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        self.model_profile(model_name)
    }
}
