//! The Gemini API's `generateContent` protocol ([`Gemini`]): `POST models/{model}:generateContent`,
//! and `models/{model}:streamGenerateContent?alt=sse` for streams, where each server-sent event
//! is a partial `GenerateContentResponse`. [`GoogleGla`] is the host that speaks it, Google's
//! Gemini API (`generativelanguage.googleapis.com`).
//!
//! API reference: <https://ai.google.dev/api/generate-content>.
//!
//! The translation follows pydantic-ai's `GoogleModel`: system prompts and instructions in
//! `systemInstruction`; `contents` with the roles `user` and `model`; tool returns and retry
//! prompts as `functionResponse` parts; function calls without an id get a generated one; thought
//! signatures are kept in each part's `provider_details["thought_signature"]` and sent back in the
//! part they came with (the first function call of a turn without one gets Google's documented
//! `skip_thought_signature_validator`); tools in `functionDeclarations` with
//! [`schema::gemini`](crate::schema::gemini)'s schemas and `toolConfig.functionCallingConfig` from
//! `tool_choice` (`VALIDATED` for the models that have it); the same usage counts (thoughts are
//! output tokens, tool-use prompt tokens are input tokens, per-modality counts in `details`) and
//! finish-reason map; a blocked prompt is a response with the `content_filter` finish reason and
//! the block reason in `provider_details`.
//!
//! Built-in tools (`builtin_tools.rs`, `builtin_parts.rs`) as pydantic-ai 2.33 maps them:
//! `WebSearchTool` as `googleSearch`, `WebFetchTool` (URL context) as `urlContext`,
//! `CodeExecutionTool` as `codeExecution`, `FileSearchTool` as `fileSearch`, and
//! `ImageGenerationTool` as the `imageConfig` of an image model (which is also asked for `IMAGE`
//! output); before Gemini 3 a model takes built-in tools or function tools, not both. Their
//! `executableCode`/`codeExecutionResult` and `toolCall`/`toolResponse` parts, or else their
//! grounding metadata, become builtin-tool call and return parts (`code_execution`,
//! `web_search`, `web_fetch`, `file_search`) and generated images file parts, with pydantic-ai's
//! JSON; they go back to the same provider in later turns (`toolCall`/`toolResponse` to Gemini 3
//! only, and only with Google's ids). Streams read them as pydantic-ai streams them: search
//! grounding, which Google sends after the text, is not streamed.
//!
//! What the message model cannot hold is left out and reported as a
//! [`Warning`](crate::warning::Warning) (as are settings the API has no field for): `fileData`
//! parts of responses. Files given by URL are sent as `fileData` when the API fetches them
//! itself (YouTube, the Files API); others need a download, which this pure translation does
//! not make: pass their bytes as [`BinaryContent`](crate::messages::BinaryContent).
//!
//! Pure translation: no I/O here. The files of this folder:
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | the [`GoogleGla`] host, the [`Gemini`] protocol and its options, `impl Protocol` |
//! | `endpoint.rs` | the path of a model's request |
//! | `wire.rs` | the request and response bodies as serde types |
//! | `request.rs` | messages, settings and parameters -> the request body |
//! | `content.rs` | a user prompt's content (text, bytes, files) as parts |
//! | `tools.rs` | function declarations, the tool choice, the structured output format |
//! | `builtin_tools.rs` | built-in tools in the request, and their parts sent back |
//! | `builtin_parts.rs` | built-in tools' parts, grounding metadata and images in responses |
//! | `thinking.rs` | the `thinking` setting as `thinkingConfig` |
//! | `signatures.rs` | thought signatures: kept from responses, sent back in requests |
//! | `response.rs` | a whole response body -> [`ModelResponse`] |
//! | `stream.rs` | stream events -> [`PartsManager`] calls |
//! | `usage.rs` | `usageMetadata` -> [`Usage`](crate::usage::Usage) |
//! | `models.rs` | what each model supports |

mod builtin_parts;
mod builtin_tools;
mod content;
mod endpoint;
mod models;
mod request;
mod response;
mod signatures;
mod stream;
mod thinking;
mod tools;
mod usage;
mod wire;

pub use stream::GeminiStreamState;
pub use wire::WireResponse;

use super::common::json_body;
use super::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::error::Result;
use crate::messages::ModelResponse;
use crate::models::ModelProfile;
use crate::provider;
use crate::stream::PartsManager;
use crate::warning::Warnings;

/// [Google's Gemini API](https://ai.google.dev/api) (`google-gla:gemini-2.5-flash`, also
/// `google:`): the key from `GEMINI_API_KEY` or `GOOGLE_API_KEY`, sent as `x-goog-api-key`; a
/// base URL (with its API version) from `GEMINI_BASE_URL`.
#[provider(name = "google-gla", aliases = ["google"],
    base_url = "https://generativelanguage.googleapis.com/v1beta",
    api_key_env = ["GEMINI_API_KEY", "GOOGLE_API_KEY"], base_url_env = "GEMINI_BASE_URL",
    auth = header("x-goog-api-key"), protocol = Gemini)]
pub struct GoogleGla;

/// The Gemini API's `generateContent` protocol.
///
/// ```
/// use llm_runtime::messages::{ModelMessage, ModelRequest};
/// use llm_runtime::models::ModelRequestParameters;
/// use llm_runtime::providers::gemini::Gemini;
/// use llm_runtime::providers::{PreparedRequest, Protocol};
/// use llm_runtime::settings::ModelSettings;
/// use llm_runtime::warning::Warnings;
///
/// let gemini = Gemini::new();
/// assert_eq!(
///     gemini.endpoint("gemini-2.5-flash", true),
///     "models/gemini-2.5-flash:streamGenerateContent?alt=sse"
/// );
/// let messages: [ModelMessage; 1] =
///     [ModelRequest::user_text_prompt("Hi").with_instructions("Be brief.").into()];
/// let (settings, parameters) = (ModelSettings::default(), ModelRequestParameters::default());
/// let profile = gemini.profile("gemini-2.5-flash");
/// let request = PreparedRequest {
///     model_name: "gemini-2.5-flash",
///     provider_name: "google-gla",
///     messages: &messages,
///     settings: &settings,
///     parameters: &parameters,
///     profile: &profile,
/// };
/// let mut warnings = Warnings::new();
/// let body: serde_json::Value =
///     serde_json::from_slice(&gemini.request_body(&request, false, &mut warnings)?)?;
/// assert!(warnings.is_empty());
/// assert_eq!(body, serde_json::json!({
///     "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
///     "systemInstruction": {"role": "user", "parts": [{"text": "Be brief."}]},
///     "generationConfig": {"responseModalities": ["TEXT"]}
/// }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Errors: a malformed body or event is an
/// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) with the offending
/// bytes, and so is a stream that ends before a finish reason; an `error` object in a 200 body or
/// in a stream is an [`Error::Http`](crate::Error::Http) with its `code`. Input the API cannot take
/// (a file URL it does not fetch, image output or image generation from a model without it,
/// built-in tools beside function tools before Gemini 3) is an
/// [`Error::User`](crate::Error::User) when the body is built.
#[derive(Debug, Clone, Default)]
pub struct Gemini;

impl Gemini {
    /// The protocol.
    pub const fn new() -> Self {
        Gemini
    }
}

impl Protocol for Gemini {
    type StreamState = GeminiStreamState;
    type Event<'a> = WireResponse<'a>;
    const EVENT_DESCRIPTION: &'static str = "streamGenerateContent event";

    fn endpoint(&self, model_name: &str, stream: bool) -> String {
        endpoint::endpoint(model_name, stream)
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        _stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        json_body(&request::build(request, warnings)?)
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        response::parse(body, cx)
    }

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<WireResponse<'a>> {
        serde_json::from_str(event.data)
    }

    fn on_event(
        &self,
        chunk: WireResponse<'_>,
        raw: &RawEvent<'_>,
        state: &mut GeminiStreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        stream::on_event(chunk, raw, state, parts)
    }

    fn on_eof(&self, state: &mut GeminiStreamState, parts: &mut PartsManager) -> Result<()> {
        stream::on_eof(state, parts)
    }

    /// Web search, code execution, URL context (`web_fetch`) and file search; image
    /// generation on image models.
    fn supported_builtin_tools(&self, model_name: &str) -> &'static [&'static str] {
        builtin_tools::supported(model_name)
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        models::profile(model_name)
    }
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
