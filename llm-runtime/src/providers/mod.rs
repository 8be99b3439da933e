//! Providers: one file per wire protocol, each a [`Protocol`] of pure translation functions
//! (messages to request body, response body to [`ModelResponse`], stream event to
//! [`PartsManager`] calls), with no I/O. The HTTP layer ([`crate::http`]) runs them.
//!
//! Wire formats never leave their provider's file: everything outside sees only the message
//! model.
//!
//! [`ProviderModel`] is the [`Model`](crate::models::Model) of every HTTP provider: it drives a
//! protocol over a [`Provider`] (base URL, key, headers, client, retries, timeout), which
//! [`ProviderBuilder`] configures from explicit values, the environment and the defaults that
//! `#[provider]` declares through [`ProviderDefinition`].

mod common;
mod model;
mod provider;
#[cfg(test)]
pub(crate) mod test_support;
mod tool_choice;

pub use model::ProviderModel;
pub use provider::{
    env_prefix, registered_model, Provider, ProviderBuilder, ProviderDefinition, DEFAULT_TIMEOUT,
};

pub mod anthropic;
pub mod bedrock;
pub mod gemini;
pub mod openai_chat;
pub mod openai_compatible;
pub mod openai_responses;

pub use gemini::GoogleGla;

pub use anthropic::{Anthropic, AnthropicMessages};

pub use openai_compatible::{
    Azure, Cerebras, DeepSeek, Fireworks, GitHub, Groq, HuggingFace, LiteLlm, Mistral, MoonshotAi,
    Ollama, OpenAi, OpenAiCompatible, OpenRouter, Together, Xai,
};
pub use openai_responses::OpenAiResponsesHost;

use crate::error::Result;
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{ModelProfile, ModelRequestParameters};
use crate::settings::ModelSettings;
use crate::stream::PartsManager;

pub use crate::http::sse::SseEvent;

/// Everything a protocol needs to build one request body.
#[derive(Debug, Clone, Copy)]
pub struct PreparedRequest<'a> {
    /// The model to request, as the provider names it.
    pub model_name: &'a str,
    /// The conversation.
    pub messages: &'a [ModelMessage],
    /// The settings, merged (model defaults under request settings).
    pub settings: &'a ModelSettings,
    /// Tools and output mode.
    pub parameters: &'a ModelRequestParameters,
    /// What the model supports.
    pub profile: &'a ModelProfile,
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
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a wire protocol",
    label = "this type does not implement `llm_runtime::providers::Protocol`",
    note = "a provider's `protocol` must implement `Protocol` (e.g. `OpenAiChat`): the translation between the message model and the wire format"
)]
pub trait Protocol: Send + Sync + std::fmt::Debug + 'static {
    /// What a stream remembers between events (open tool calls, usage so far…).
    type StreamState: Default + Send + 'static;

    /// The path of the request, relative to the provider's base URL (e.g. `chat/completions`).
    fn endpoint(&self, model_name: &str, stream: bool) -> String;

    /// The JSON body of the request.
    ///
    /// # Errors
    /// [`Error::User`](crate::Error::User) for input the protocol cannot express; settings it
    /// cannot honour are reported with `tracing::warn!`, never dropped silently.
    fn request_body(&self, request: &PreparedRequest<'_>, stream: bool) -> Result<Vec<u8>>;

    /// Parses a whole (non-streamed) response body.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) with the body
    /// when it is not a valid response.
    fn parse_response(&self, body: &[u8], model_name: &str) -> Result<ModelResponse>;

    /// Applies one stream event to the response being built.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) with the event's
    /// data when it is malformed; an error event from the provider as the error it describes.
    fn on_event(
        &self,
        event: &SseEvent<'_>,
        state: &mut Self::StreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow>;

    /// Called when the body ends before [`Flow::Done`]. The default is an
    /// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior): the stream was
    /// truncated. Protocols without a terminator override it.
    fn on_eof(&self, _state: &mut Self::StreamState, _parts: &mut PartsManager) -> Result<()> {
        Err(crate::Error::unexpected(
            "the stream ended before its terminator: the response is truncated",
        ))
    }

    /// What a model of this protocol supports, by model name.
    fn profile(&self, _model_name: &str) -> ModelProfile {
        ModelProfile::default()
    }

    /// Receives the name of the provider speaking the protocol (its model-string prefix), once,
    /// when [`ProviderBuilder::build`] makes the [`Provider`]; a protocol value is never
    /// shared between two providers. A protocol that marks what it parses with its provider
    /// (as OpenAI Chat marks reasoning, which it then sends back only to the provider that
    /// produced it) keeps the name; the default ignores it.
    fn set_provider_name(&mut self, _name: std::borrow::Cow<'static, str>) {}
}
