#![doc = include_str!("../../docs/providers.md")]

pub(crate) mod builtin_tools;
// Helpers the protocol families share: with only some families compiled in, some go unused.
#[cfg_attr(
    not(all(
        feature = "openai",
        feature = "anthropic",
        feature = "google",
        feature = "bedrock",
        feature = "vertex",
        feature = "cohere"
    )),
    allow(dead_code, unused_imports)
)]
mod common;
mod driver;
mod provider;
#[cfg_attr(
    not(all(
        feature = "openai",
        feature = "anthropic",
        feature = "google",
        feature = "bedrock",
        feature = "vertex",
        feature = "cohere"
    )),
    allow(dead_code, unused_imports)
)]
#[cfg(test)]
pub(crate) mod test_support;
#[cfg_attr(
    not(all(
        feature = "openai",
        feature = "anthropic",
        feature = "google",
        feature = "bedrock",
        feature = "vertex",
        feature = "cohere"
    )),
    allow(dead_code, unused_imports)
)]
mod tool_choice;

pub use driver::{apply_event, ProviderModel};
pub use provider::{
    env_prefix, registered_model, Provider, ProviderBuilder, ProviderDefinition,
    DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_STREAM_SIZE, DEFAULT_TIMEOUT,
};

// One cargo feature per provider family (all on by default).
#[cfg(feature = "anthropic")]
pub mod anthropic;
#[cfg(feature = "bedrock")]
pub mod bedrock;
#[cfg(feature = "cohere")]
pub mod cohere;
#[cfg(feature = "google")]
pub mod gemini;
#[cfg(feature = "openai")]
pub mod openai;
#[cfg(feature = "vertex")]
pub mod vertex;

#[cfg(feature = "google")]
pub use gemini::GoogleGla;

#[cfg(feature = "anthropic")]
pub use anthropic::{Anthropic, AnthropicMessages};
#[cfg(feature = "cohere")]
pub use cohere::Cohere;

#[cfg(feature = "openai")]
pub use openai::compatible::{
    Azure, Cerebras, DeepSeek, Fireworks, GitHub, Groq, HuggingFace, LiteLlm, Mistral, MoonshotAi,
    Ollama, OpenAi, OpenAiCompatible, OpenRouter, Together, Xai,
};
#[cfg(feature = "openai")]
pub use openai::responses::OpenAiResponsesHost;

use reqwest::header::HeaderMap;

use crate::error::{Error, Result};
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{BuiltinTool, ModelProfile, ModelRequestParameters};
use crate::settings::ModelSettings;
use crate::stream::PartsManager;
use crate::warning::Warnings;

pub use crate::http::sse::SseEvent;

/// Everything a protocol needs to build one request body.
#[derive(Debug, Clone, Copy)]
pub struct PreparedRequest<'a> {
    /// The model to request, as the provider names it.
    pub model_name: &'a str,
    /// The name of the provider speaking the protocol (its model-string prefix, e.g. `groq`).
    pub provider_name: &'a str,
    /// The conversation.
    pub messages: &'a [ModelMessage],
    /// The settings, merged (model defaults under request settings).
    pub settings: &'a ModelSettings,
    /// Tools and output mode.
    pub parameters: &'a ModelRequestParameters,
    /// What the model supports.
    pub profile: &'a ModelProfile,
}

/// What a protocol knows while it parses a whole response: the model and provider it came
/// from, and where to report what it could not keep.
#[derive(Debug)]
pub struct ResponseContext<'a> {
    /// The model requested, as the provider names it.
    pub model_name: &'a str,
    /// The name of the provider that answered (its model-string prefix).
    pub provider_name: &'a str,
    /// What the protocol could not keep (a part the message model has no place for).
    pub warnings: Warnings,
    /// The built-in tools the request enabled (a protocol may treat a server tool's call
    /// differently when its tool was not asked for, as pydantic-ai does).
    pub builtin_tools: &'a [BuiltinTool],
}

impl<'a> ResponseContext<'a> {
    /// The context of a response of `model_name` from `provider_name`, with no warnings yet.
    pub fn new(model_name: &'a str, provider_name: &'a str) -> Self {
        ResponseContext {
            model_name,
            provider_name,
            warnings: Warnings::new(),
            builtin_tools: &[],
        }
    }

    /// The same context for a request that enabled `tools`.
    pub fn with_builtin_tools(mut self, tools: &'a [BuiltinTool]) -> Self {
        self.builtin_tools = tools;
        self
    }
}

/// How the bytes of a streamed response are cut into events. The driver decodes the frames
/// and hands the protocol one [`RawEvent`] at a time, whatever the framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Framing {
    /// Server-sent events (`text/event-stream`): the event's name is its `event:` field
    /// (`message` when absent), its data the `data:` lines.
    #[default]
    Sse,
    /// AWS event-stream (`application/vnd.amazon.eventstream`): binary messages with a
    /// CRC-checked prelude and headers; the name is the `:event-type` header (the
    /// `:exception-type` of an exception), the data the JSON payload.
    AwsEventStream,
    /// Newline-delimited JSON: one event per line, named `message`.
    JsonLines,
}

impl Framing {
    /// The media type a streamed request asks for in its `Accept` header.
    ///
    /// ```
    /// use llm_runtime::providers::Framing;
    /// assert_eq!(Framing::Sse.media_type(), "text/event-stream");
    /// assert_eq!(Framing::AwsEventStream.media_type(), "application/vnd.amazon.eventstream");
    /// assert_eq!(Framing::JsonLines.media_type(), "application/x-ndjson");
    /// ```
    pub fn media_type(self) -> &'static str {
        match self {
            Framing::Sse => "text/event-stream",
            Framing::AwsEventStream => "application/vnd.amazon.eventstream",
            Framing::JsonLines => "application/x-ndjson",
        }
    }

    /// Whether its frames say, apart from their data, that they carry an exception
    /// ([`EventKind::Exception`]: AWS event-stream's `:message-type`). Such a frame becomes
    /// the protocol's error ([`Protocol::on_exception`]); like any error before a stream's
    /// first event (the driver reads that far within the attempt), it is retried as an error
    /// status would be, and after it ends the stream.
    pub fn reports_exceptions(self) -> bool {
        matches!(self, Framing::AwsEventStream)
    }
}

/// What a stream event is: data for the protocol, or an error the provider reports in the
/// frame itself (an AWS event-stream exception).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// An event of the protocol.
    Data,
    /// An exception the provider reports instead of an event.
    Exception,
}

/// One event of a stream as its framing delivered it, before the protocol parses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawEvent<'a> {
    /// The event's name (`message` when the framing gives none).
    pub name: &'a str,
    /// The event's data, without surrounding white space.
    pub data: &'a str,
    /// Data or an exception.
    pub kind: EventKind,
}

impl<'a> RawEvent<'a> {
    /// A data event.
    #[inline]
    pub fn new(name: &'a str, data: &'a str) -> Self {
        RawEvent {
            name,
            data: trimmed(data),
            kind: EventKind::Data,
        }
    }
}

/// `text` without surrounding white space. Nearly every event's data starts and ends with a
/// byte that is printable ASCII (`{` and `}`), which no white space is: those are handed back
/// as they are, without `str::trim`'s decoding of a character at each end.
#[inline]
pub(crate) fn trimmed(text: &str) -> &str {
    let printable = |byte: Option<&u8>| byte.is_some_and(|&b| b > b' ' && b < 0x7F);
    let bytes = text.as_bytes();
    if printable(bytes.first()) && printable(bytes.last()) {
        return text;
    }
    text.trim()
}

/// Whether a stream goes on after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// More events are expected.
    Continue,
    /// The protocol's terminator arrived (OpenAI's `[DONE]`, Anthropic's `message_stop`).
    Done,
}

/// The translation between the message model and one wire protocol. Pure: no I/O, so it is
/// unit-tested on recorded bodies.
///
/// A value of the implementing type carries the protocol's per-host options (e.g. which
/// field a compatible host puts reasoning in); a host differs from another by its options,
/// never by a branch in shared code.
///
/// The driver ([`ProviderModel`]) owns everything around the translation: it sends the body
/// [`request_body`](Protocol::request_body) built, decodes the stream's frames as
/// [`framing`](Protocol::framing) says, and runs the prologue every protocol shares before
/// [`on_event`](Protocol::on_event) sees an event:
///
/// - an event without data (a keep-alive) is skipped;
/// - `[DONE]` ends the stream through [`on_done`](Protocol::on_done);
/// - data that is not JSON in an event named other than `message` or `error` (a compatible
///   server's status event) is skipped with a [`Warning::SkippedEvent`](crate::warning::Warning);
/// - an [`EventKind::Exception`] becomes the error [`on_exception`](Protocol::on_exception)
///   makes of it;
/// - the rest is parsed by [`parse_event`](Protocol::parse_event), and a failure is an
///   [`Error::UnexpectedModelBehavior`] with the event's data.
///
/// The guide to writing one is `docs/providers.md` of the repository.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a wire protocol",
    label = "this type does not implement `llm_runtime::providers::Protocol`",
    note = "a provider's `protocol` must implement `Protocol` (e.g. `OpenAiChat`): the translation between the message model and the wire format"
)]
pub trait Protocol: Send + Sync + std::fmt::Debug + 'static {
    /// What a stream remembers between events (open tool calls, usage so far…).
    type StreamState: Default + Send + 'static;

    /// One stream event, parsed (usually borrowing from the event's data).
    type Event<'a>;

    /// What an event of this protocol is called in errors ("chat completion chunk").
    const EVENT_DESCRIPTION: &'static str;

    /// How streamed bodies are framed ([`Framing::Sse`] unless overridden).
    fn framing(&self) -> Framing {
        Framing::Sse
    }

    /// The `kind`s of the built-in tools this protocol maps for `model_name` (`web_search`,
    /// `code_execution`, …; see [`BuiltinTool::kind`](crate::models::BuiltinTool::kind)). The
    /// driver fails a request with another one with an [`Error::User`] naming it (or leaves it
    /// out with a warning when it is `optional`), so that
    /// [`request_body`](Self::request_body) only sees these. None by default.
    fn supported_builtin_tools(&self, model_name: &str) -> &'static [&'static str] {
        let _ = model_name;
        &[]
    }

    /// Headers this request needs besides the provider's own (Anthropic's `anthropic-beta`
    /// for the built-in tools it uses). A header the user also sets in
    /// [`ModelSettings::extra_headers`](crate::settings::ModelSettings::extra_headers) is
    /// joined with theirs by `,`. None by default.
    fn request_headers(&self, request: &PreparedRequest<'_>) -> Vec<(&'static str, String)> {
        let _ = request;
        Vec::new()
    }

    /// The path of the request, relative to the provider's base URL (e.g. `chat/completions`).
    fn endpoint(&self, model_name: &str, stream: bool) -> String;

    /// The JSON body of the request. What the protocol cannot honour as asked (a setting the
    /// model does not take, content the wire format cannot carry) goes into `warnings`, never
    /// dropped silently.
    ///
    /// # Errors
    /// [`Error::User`] for input the protocol cannot express at all.
    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>>;

    /// Parses a whole (non-streamed) response body; what it leaves out goes into
    /// `cx.warnings`.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] with the body when it is not a valid response.
    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse>;

    /// Parses the data of one stream event. The driver turns a failure into an
    /// [`Error::UnexpectedModelBehavior`] naming [`EVENT_DESCRIPTION`](Self::EVENT_DESCRIPTION)
    /// and the event, with its data.
    ///
    /// # Errors
    /// The JSON error, when the data is not a valid event.
    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<Self::Event<'a>>;

    /// Applies one parsed stream event to the response being built (`raw` is the event as it
    /// came, for errors and provider details). What it leaves out goes into
    /// [`PartsManager::warnings`].
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when the event does not fit the stream so far; an
    /// error event from the provider as the error it describes.
    fn on_event(
        &self,
        event: Self::Event<'_>,
        raw: &RawEvent<'_>,
        state: &mut Self::StreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow>;

    /// Called for a `[DONE]` event. The default treats it as the end of the body
    /// ([`on_eof`](Self::on_eof) decides whether the stream was complete); a protocol whose
    /// terminator it is returns [`Flow::Done`].
    ///
    /// # Errors
    /// As [`on_eof`](Self::on_eof).
    fn on_done(&self, state: &mut Self::StreamState, parts: &mut PartsManager) -> Result<Flow> {
        self.on_eof(state, parts).map(|()| Flow::Done)
    }

    /// Called when the body ends before [`Flow::Done`]. The default is an
    /// [`Error::UnexpectedModelBehavior`]: the stream was truncated. Protocols without a
    /// terminator override it.
    ///
    /// # Errors
    /// The error that says the stream is incomplete.
    fn on_eof(&self, _state: &mut Self::StreamState, _parts: &mut PartsManager) -> Result<()> {
        Err(Error::unexpected(
            "the stream ended before its terminator: the response is truncated",
        ))
    }

    /// The error for an exception the provider sent in place of an event
    /// ([`EventKind::Exception`]). The default is an
    /// [`Error::UnexpectedModelBehavior`] naming the exception, with its data.
    fn on_exception(&self, event: &RawEvent<'_>, _parts: &PartsManager) -> Error {
        Error::unexpected_with_body(
            format!("the provider reported `{}` in the stream", event.name),
            event.data.as_bytes(),
        )
    }

    /// What a model of this protocol supports, by model name.
    fn profile(&self, _model_name: &str) -> ModelProfile {
        ModelProfile::default()
    }

    /// The response an error status amounts to, for a host that answers some failures of the
    /// model with an error status (Groq's `tool_use_failed`, whose failed generation goes back
    /// to the model as pydantic-ai does); `None`, the default, keeps the error. `body` is what
    /// the [`Error::Http`] kept.
    fn response_for_error(
        &self,
        status: u16,
        body: &str,
        model_name: &str,
    ) -> Option<ModelResponse> {
        let _ = (status, body, model_name);
        None
    }

    /// The body an [`Error::Http`] keeps for an error status, made from the response's
    /// headers and (the first kilobytes of) its body. The default keeps the body as it came; a
    /// protocol whose service names the error in a header (AWS's `x-amzn-ErrorType`) puts the
    /// name in the body, where the error shows it.
    fn error_body(&self, _status: u16, _headers: &HeaderMap, body: Vec<u8>) -> Vec<u8> {
        body
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trimmed_is_str_trim() {
        for data in [
            "{}",
            " {} ",
            "\n{\"a\":1}\r\n",
            "",
            " ",
            "x",
            "\u{a0}{}\u{a0}",
            "{}\u{2003}",
            "\t[1]",
            "é",
        ] {
            assert_eq!(super::trimmed(data), data.trim(), "{data:?}");
        }
    }
}
