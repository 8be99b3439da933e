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
//! Built-in tools (web search, code interpreter with the ids of its uploaded files, image
//! generation, file search, MCP servers and connectors) are sent as pydantic-ai sends them, and
//! their output items become built-in tool call and return parts and file parts, whole or
//! streamed as pydantic-ai streams them: a call starts when its item is added, code and MCP
//! arguments grow as they come, partial images are a file part the final image replaces, and an
//! MCP tool list whose item never ends gets its return from `response.completed`.
//!
//! Where it departs from pydantic-ai, on purpose: turning reasoning on with
//! [`ModelSettings::thinking`] also asks for its summary ([`ReasoningSummary`]), which
//! pydantic-ai leaves to a setting of its own; a failed response is an error, not a response
//! with finish reason `error`; a refusal keeps the reasoning parts (a stream has given them
//! already); `response.incomplete` gives its finish reason when streamed too; and a stream from a
//! server that skips item events still gives every item of its `response.completed`.
//!
//! Pure translation: no I/O here. The files of this folder:
//!
//! - `wire.rs`: the serde types of the request body, the response and the stream events;
//! - `models.rs`: what each model family supports;
//! - `request.rs`: messages, settings and parameters to the request body, with `input.rs` (the
//!   conversation as `input` items) and `tools.rs` (function tools, tool choice, output format);
//! - `response.rs`: a whole response body to a [`ModelResponse`], with `usage.rs` and
//!   `finish_reason.rs`;
//! - `builtin_tools.rs`: the built-in tools sent, and the parts of their output items;
//! - `stream.rs`: stream events to [`PartsManager`] calls, with `stream/items.rs` (the pieces of
//!   output items) and `stream/builtin.rs` (those of built-in tools' items).
//!
//! `request.rs` and `response.rs` never import each other; `stream.rs` reads whole items with
//! `response.rs`.
//!
//! [`ModelSettings::thinking`]: crate::settings::ModelSettings::thinking

mod builtin_tools;
mod finish_reason;
mod input;
mod models;
mod request;
mod response;
mod stream;
mod tools;
mod usage;
mod wire;

use std::borrow::Cow;

use crate::error::Result;
use crate::messages::ModelResponse;
use crate::models::ModelProfile;
use crate::provider;
use crate::providers::common::json_body;
use crate::providers::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::schema::{self, SchemaTransformer};
use crate::stream::PartsManager;
use crate::warning::Warnings;

pub use stream::ResponsesStreamState;

/// [OpenAI](https://platform.openai.com/docs/api-reference/responses)'s Responses API
/// (`openai-responses:gpt-5`), with the key and base URL of `openai`: `OPENAI_API_KEY`,
/// `OPENAI_BASE_URL`.
#[provider(name = "openai-responses", base_url = "https://api.openai.com/v1",
    api_key_env = "OPENAI_API_KEY", base_url_env = "OPENAI_BASE_URL", protocol = OpenAiResponses)]
pub struct OpenAiResponsesHost;

/// Which reasoning summary is asked for (`reasoning.summary`) when [`ModelSettings::thinking`]
/// turns reasoning on; without a summary a reasoning model returns only its encrypted reasoning.
///
/// [`ModelSettings::thinking`]: crate::settings::ModelSettings::thinking
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
/// use llm_runtime::providers::openai::responses::{OpenAiResponses, ReasoningSummary};
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
///
/// [`Error::UnexpectedModelBehavior`]: crate::error::Error::UnexpectedModelBehavior
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
    ///
    /// [`ModelSettings::thinking`]: crate::settings::ModelSettings::thinking
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

impl Protocol for OpenAiResponses {
    type StreamState = ResponsesStreamState;
    type Event<'a> = ResponsesEvent<'a>;
    const EVENT_DESCRIPTION: &'static str = "Responses API event";

    fn supported_builtin_tools(&self, _model_name: &str) -> &'static [&'static str] {
        builtin_tools::SUPPORTED
    }

    fn endpoint(&self, _model_name: &str, _stream: bool) -> String {
        self.endpoint.to_owned()
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        let body = self.build_request(request, stream, warnings)?;
        json_body(&body)
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        response::parse(body, cx)
    }

    /// Reads the event's type; its data is parsed by [`on_event`](Protocol::on_event) into
    /// the type's own fields. (`[DONE]`, which some compatible servers end the stream with as
    /// Chat Completions does, ends it through the default `on_done`.)
    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<ResponsesEvent<'a>> {
        stream::parse_event(event)
    }

    fn on_event(
        &self,
        event: ResponsesEvent<'_>,
        _raw: &RawEvent<'_>,
        state: &mut ResponsesStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        stream::apply_event(&event.kind, event.data, state, parts)
    }

    fn on_eof(&self, state: &mut ResponsesStreamState, parts: &mut PartsManager) -> Result<()> {
        stream::on_eof(state, parts)
    }

    fn profile(&self, _model_name: &str) -> ModelProfile {
        models::profile()
    }
}

#[cfg(test)]
mod fixtures;
