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
//! Pure translation: no I/O here. The files of this folder:
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | the `anthropic` host, [`AnthropicMessages`] and its options, `impl Protocol` |
//! | `wire.rs` | the serde types of request bodies, response bodies and stream events |
//! | `request.rs` | messages, settings and parameters -> request body |
//! | `content.rs` | user content, tool returns and cache points -> content blocks |
//! | `tools.rs` | tool definitions, `tool_choice`, native structured output |
//! | `thinking.rs` | the thinking setting as a budget or adaptive thinking, effort, `max_tokens` |
//! | `models.rs` | what each model supports, from its name |
//! | `response.rs` | response body -> [`ModelResponse`] |
//! | `stream.rs` | stream events -> [`PartsManager`] calls |
//! | `delta.rs` | the fast reading of `content_block_delta` events |
//! | `usage.rs` | token counts -> [`Usage`](crate::usage::Usage) |
//! | `finish_reason.rs` | stop reasons and stop details |
//! | `errors.rs` | `error` objects -> [`Error`](crate::Error) |
//!
//! `request.rs` (with `content.rs`, `tools.rs`, `thinking.rs`) and `response.rs` never import
//! each other; `stream.rs` uses the helpers of `response.rs`.

mod builtin_tools;
mod content;
mod delta;
mod errors;
mod finish_reason;
pub(crate) mod models;
mod request;
mod response;
mod stream;
mod thinking;
mod tools;
mod usage;
mod wire;

pub use stream::MessagesStreamState;
pub use wire::WireEvent;

use super::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::error::Result;
use crate::messages::ModelResponse;
use crate::models::ModelProfile;
use crate::provider;
use crate::stream::PartsManager;
use crate::warning::Warnings;

/// [Anthropic](https://docs.anthropic.com/en/api/messages)'s Messages API
/// (`anthropic:claude-3-5-haiku-latest`): the key from `ANTHROPIC_API_KEY` in `x-api-key`,
/// `ANTHROPIC_BASE_URL` (without `/v1`), API version `2023-06-01`.
#[provider(name = "anthropic", base_url = "https://api.anthropic.com",
    auth = header("x-api-key"), headers = [("anthropic-version", "2023-06-01")],
    protocol = AnthropicMessages)]
pub struct Anthropic;

/// `max_tokens` when the settings give none (the Messages API requires it), as in pydantic-ai.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The id pydantic-ai gives a thinking part that holds redacted (encrypted) thinking.
pub const REDACTED_THINKING_ID: &str = "redacted_thinking";

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
/// Errors: a malformed body or event is an
/// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) with the
/// offending bytes; an `error` object (in a 200 body or as a stream event) is an
/// [`Error::Http`](crate::Error::Http) with the status its type stands for
/// (`overloaded_error` is 529, `rate_limit_error` 429, `api_error` 500, …), so that it reads
/// as the same error sent with that status.
#[derive(Debug, Clone, Default)]
pub struct AnthropicMessages;

impl AnthropicMessages {
    /// The protocol as Anthropic speaks it (the same as `default()`, usable in constants).
    pub const fn new() -> Self {
        AnthropicMessages
    }
}

impl Protocol for AnthropicMessages {
    type StreamState = MessagesStreamState;
    type Event<'a> = WireEvent<'a>;
    const EVENT_DESCRIPTION: &'static str = "Messages stream event";

    fn supported_builtin_tools(&self, _model_name: &str) -> &'static [&'static str] {
        builtin_tools::SUPPORTED
    }

    fn request_headers(&self, request: &PreparedRequest<'_>) -> Vec<(&'static str, String)> {
        let betas = builtin_tools::betas(request);
        if betas.is_empty() {
            return Vec::new();
        }
        let betas: Vec<&str> = betas.into_iter().collect();
        vec![("anthropic-beta", betas.join(","))]
    }

    fn endpoint(&self, _model_name: &str, _stream: bool) -> String {
        "v1/messages".to_owned()
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

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<WireEvent<'a>> {
        stream::parse_event(event)
    }

    fn on_event(
        &self,
        event: WireEvent<'_>,
        raw: &RawEvent<'_>,
        state: &mut MessagesStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        stream::apply_event(event, raw.data, state, parts)
    }

    fn on_eof(&self, _state: &mut MessagesStreamState, parts: &mut PartsManager) -> Result<()> {
        Err(stream::truncated(parts))
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        models::profile(model_name)
    }
}

#[cfg(test)]
mod test_kit;
