//! Cohere's v2 Chat API (`POST /v2/chat`, [`CohereChat`]) and the `cohere` provider that
//! speaks it ([`Cohere`]).
//!
//! API reference: <https://docs.cohere.com/reference/chat>; streaming:
//! <https://docs.cohere.com/reference/chat-stream>.
//!
//! The translation follows pydantic-ai's `CohereModel`: system prompts and instructions as
//! `system` messages, each user prompt, tool return and retry as its own message, one
//! `assistant` message per response (thinking, then text, then `tool_calls`), the tools with
//! `REQUIRED` / `NONE` as the tool choice, and the sampling settings under Cohere's names
//! (`p`, `k`); the response's text, thinking and tool calls, its finish reason (Cohere's own
//! in `provider_details`) and its usage (`tokens`, `cached_tokens`, `billed_units` in the
//! details). Beyond pydantic-ai, which does not stream
//! Cohere: the stream, the response id, the `thinking` setting of the reasoning models, text
//! documents as `documents`, images for the vision models, `strict_tools`, and the tool plan,
//! kept as a thinking part marked `tool_plan` and sent back as `tool_plan` with its tool
//! calls. Citations have no part in the message model yet: they are reported as dropped.
//!
//! Files: `wire.rs` (the serde types), `request.rs`, `response.rs`, `stream.rs`, `models.rs`.
//! Pure translation: no I/O here.

mod models;
mod request;
mod response;
mod stream;
#[cfg(test)]
mod test_support;
mod wire;

pub use stream::CohereStreamState;

use super::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::error::Result;
use crate::messages::ModelResponse;
use crate::models::ModelProfile;
use crate::provider;
use crate::stream::PartsManager;
use crate::warning::Warnings;

/// [Cohere](https://docs.cohere.com/reference/chat)'s v2 Chat API (`cohere:command-a-03-2025`):
/// the key from `CO_API_KEY` as a bearer token, a base URL from `CO_API_URL` (as Cohere's SDK
/// reads it) or `CO_BASE_URL` (as pydantic-ai does).
#[provider(name = "cohere", base_url = "https://api.cohere.com", api_key_env = "CO_API_KEY",
    base_url_env = ["CO_API_URL", "CO_BASE_URL"], protocol = CohereChat)]
pub struct Cohere;

/// The provider name a tool plan is marked with when the driver gave the stream none.
const DEFAULT_PROVIDER_NAME: &str = "cohere";

/// Cohere's v2 Chat protocol (`POST v2/chat`, streamed as server-sent events named by their
/// `type`, ending with `message-end`).
///
/// ```
/// use llm_runtime::messages::{ModelMessage, ModelRequest};
/// use llm_runtime::models::ModelRequestParameters;
/// use llm_runtime::providers::cohere::CohereChat;
/// use llm_runtime::providers::{PreparedRequest, Protocol};
/// use llm_runtime::settings::ModelSettings;
/// use llm_runtime::warning::Warnings;
///
/// let cohere = CohereChat::new();
/// assert_eq!(cohere.endpoint("command-a-03-2025", true), "v2/chat");
/// let messages: [ModelMessage; 1] =
///     [ModelRequest::user_text_prompt("Hi").with_instructions("Be brief.").into()];
/// let settings = ModelSettings { top_p: Some(0.9), ..ModelSettings::default() };
/// let parameters = ModelRequestParameters::default();
/// let profile = cohere.profile("command-a-03-2025");
/// let request = PreparedRequest {
///     model_name: "command-a-03-2025",
///     provider_name: "cohere",
///     messages: &messages,
///     settings: &settings,
///     parameters: &parameters,
///     profile: &profile,
/// };
/// let mut warnings = Warnings::new();
/// let body: serde_json::Value =
///     serde_json::from_slice(&cohere.request_body(&request, false, &mut warnings)?)?;
/// assert!(warnings.is_empty());
/// assert_eq!(body, serde_json::json!({
///     "model": "command-a-03-2025",
///     "messages": [
///         {"role": "system", "content": "Be brief."},
///         {"role": "user", "content": "Hi"}
///     ],
///     "p": 0.9,
///     "stream": false
/// }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Errors: a malformed body or event is an
/// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) with the offending
/// bytes, and so is a stream that ends before `message-end` or whose `message-end` carries an
/// error. Input Cohere cannot take (audio, video, file URLs, native structured output) is an
/// [`Error::User`](crate::Error::User) when the body is built.
#[derive(Debug, Clone, Default)]
pub struct CohereChat;

impl CohereChat {
    /// The protocol (the same as `default()`, usable in constants).
    pub const fn new() -> Self {
        CohereChat
    }
}

impl Protocol for CohereChat {
    type StreamState = CohereStreamState;
    type Event<'a> = wire::StreamEvent<'a>;
    const EVENT_DESCRIPTION: &'static str = "Cohere chat stream event";

    fn endpoint(&self, _model_name: &str, _stream: bool) -> String {
        "v2/chat".to_owned()
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        request::request_body(request, stream, warnings)
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        response::parse_response(body, cx)
    }

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<wire::StreamEvent<'a>> {
        stream::parse_event(event)
    }

    fn on_event(
        &self,
        event: wire::StreamEvent<'_>,
        raw: &RawEvent<'_>,
        state: &mut CohereStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        stream::on_event(event, raw, state, parts)
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        models::profile(model_name)
    }
}
