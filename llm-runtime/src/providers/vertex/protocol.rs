//! The two protocols Vertex AI speaks, each an existing one at Vertex's paths: [`VertexGemini`]
//! (the Gemini protocol under `publishers/google`) and [`VertexClaude`] (the Anthropic
//! protocol under `publishers/anthropic`, its version in the body and no model there).

use reqwest::header::HeaderMap;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::messages::ModelResponse;
use crate::models::ModelProfile;
use crate::providers::anthropic::{AnthropicMessages, MessagesStreamState, WireEvent};
use crate::providers::gemini::{Gemini, GeminiStreamState, WireResponse};
use crate::providers::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::stream::PartsManager;
use crate::warning::Warnings;

/// The `anthropic_version` Vertex AI requires in the body of Claude requests.
pub const ANTHROPIC_VERSION: &str = "vertex-2023-10-16";

/// `publishers/{publisher}/models/{model}`, the model percent-encoded as one segment but for
/// `@` (Claude's versions on Vertex, `claude-sonnet-4@20250514`), which Google's SDKs send as
/// it is.
fn model_path(publisher: &str, model: &str) -> String {
    let model = super::super::common::percent_encode(model).replace("%40", "@");
    format!("publishers/{publisher}/models/{model}")
}

/// The Gemini protocol at Vertex AI's paths:
/// `publishers/google/models/{model}:generateContent` and
/// `:streamGenerateContent?alt=sse`.
///
/// ```
/// use llm_runtime::providers::Protocol;
/// use llm_runtime::providers::vertex::VertexGemini;
/// assert_eq!(
///     VertexGemini::default().endpoint("gemini-2.5-flash", true),
///     "publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct VertexGemini(Gemini);

impl Protocol for VertexGemini {
    type StreamState = GeminiStreamState;
    type Event<'a> = WireResponse<'a>;
    const EVENT_DESCRIPTION: &'static str = Gemini::EVENT_DESCRIPTION;

    fn endpoint(&self, model_name: &str, stream: bool) -> String {
        let model = model_name.trim_start_matches("publishers/google/models/");
        let path = model_path("google", model.trim_start_matches("models/"));
        if stream {
            format!("{path}:streamGenerateContent?alt=sse")
        } else {
            format!("{path}:generateContent")
        }
    }

    fn request_headers(&self, request: &PreparedRequest<'_>) -> Vec<(&'static str, String)> {
        self.0.request_headers(request)
    }

    fn supported_builtin_tools(&self, model_name: &str) -> &'static [&'static str] {
        self.0.supported_builtin_tools(model_name)
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        self.0.request_body(request, stream, warnings)
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        self.0.parse_response(body, cx)
    }

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<WireResponse<'a>> {
        self.0.parse_event(event)
    }

    fn on_event(
        &self,
        event: WireResponse<'_>,
        raw: &RawEvent<'_>,
        state: &mut GeminiStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        self.0.on_event(event, raw, state, parts)
    }

    fn on_eof(&self, state: &mut GeminiStreamState, parts: &mut PartsManager) -> Result<()> {
        self.0.on_eof(state, parts)
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        self.0.profile(model_name)
    }
}

/// The Anthropic Messages protocol at Vertex AI's paths:
/// `publishers/anthropic/models/{model}:rawPredict` and `:streamRawPredict`, with
/// `anthropic_version: vertex-2023-10-16` in the body and the model only in the path.
///
/// ```
/// use llm_runtime::providers::Protocol;
/// use llm_runtime::providers::vertex::VertexClaude;
/// assert_eq!(
///     VertexClaude::default().endpoint("claude-sonnet-4@20250514", false),
///     "publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict"
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct VertexClaude(AnthropicMessages);

impl Protocol for VertexClaude {
    type StreamState = MessagesStreamState;
    type Event<'a> = WireEvent<'a>;
    const EVENT_DESCRIPTION: &'static str = AnthropicMessages::EVENT_DESCRIPTION;

    fn endpoint(&self, model_name: &str, stream: bool) -> String {
        let action = if stream {
            "streamRawPredict"
        } else {
            "rawPredict"
        };
        format!("{}:{action}", model_path("anthropic", model_name))
    }

    fn request_headers(&self, request: &PreparedRequest<'_>) -> Vec<(&'static str, String)> {
        self.0.request_headers(request)
    }

    /// Vertex AI has Anthropic's server tools but web fetch and the advisor, and web search in
    /// its basic version only (`web_search_20250305`), as pydantic-ai's profile narrows them for
    /// the Vertex client.
    fn supported_builtin_tools(&self, _model_name: &str) -> &'static [&'static str] {
        &["web_search", "code_execution", "memory", "mcp_server"]
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        let body = self.0.request_body(request, stream, warnings)?;
        vertex_body(&body)
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        self.0.parse_response(body, cx)
    }

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<WireEvent<'a>> {
        self.0.parse_event(event)
    }

    fn on_event(
        &self,
        event: WireEvent<'_>,
        raw: &RawEvent<'_>,
        state: &mut MessagesStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        self.0.on_event(event, raw, state, parts)
    }

    fn on_eof(&self, state: &mut MessagesStreamState, parts: &mut PartsManager) -> Result<()> {
        self.0.on_eof(state, parts)
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        self.0.profile(model_name)
    }

    fn error_body(&self, status: u16, headers: &HeaderMap, body: Vec<u8>) -> Vec<u8> {
        self.0.error_body(status, headers, body)
    }
}

/// An Anthropic request body as Vertex AI takes it: `anthropic_version` first, no `model`.
fn vertex_body(body: &[u8]) -> Result<Vec<u8>> {
    let fields: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|e| Error::user(format!("the request cannot be serialized: {e}")))?;
    let mut vertex = Map::with_capacity(fields.len());
    vertex.insert("anthropic_version".to_owned(), ANTHROPIC_VERSION.into());
    vertex.extend(fields.into_iter().filter(|(name, _)| name != "model"));
    serde_json::to_vec(&vertex)
        .map_err(|e| Error::user(format!("the request cannot be serialized: {e}")))
}

#[cfg(test)]
mod tests;
