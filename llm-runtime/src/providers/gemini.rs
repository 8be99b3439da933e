//! The Gemini API's `generateContent` protocol ([`Gemini`]): `POST models/{model}:generateContent`,
//! and `models/{model}:streamGenerateContent?alt=sse` for streams, where each server-sent event
//! is a partial `GenerateContentResponse`. [`GoogleGla`] is the host that speaks it, Google's
//! Gemini API (`generativelanguage.googleapis.com`).
//!
//! API reference: <https://ai.google.dev/api/generate-content>.
//!
//! The translation follows pydantic-ai's `GoogleModel`: system prompts and instructions in
//! `systemInstruction`; `contents` with the roles `user` and `model`; tool returns and retry
//! prompts as `functionResponse` parts; function calls without an id get a generated one;
//! thought signatures are kept in each part's `provider_details["thought_signature"]` and sent
//! back in the part they came with (the first function call of a turn without one gets Google's
//! documented `skip_thought_signature_validator`); tools in `functionDeclarations` with
//! [`schema::gemini`]'s schemas and `toolConfig.functionCallingConfig` from `tool_choice`
//! (`VALIDATED` for the models that have it); the same usage counts (thoughts are output tokens,
//! tool-use prompt tokens are input tokens, per-modality counts in `details`) and finish-reason
//! map; a blocked prompt is a response with the `content_filter` finish reason and the block
//! reason in `provider_details`.
//!
//! What the message model cannot hold is reported with a `tracing` warning and left out: parts
//! of Google's built-in tools (code execution, search and URL-context grounding), generated
//! files. Files given by URL are sent as `fileData` when the API fetches them itself (YouTube,
//! the Files API); others need a download, which this pure translation does not make: pass
//! their bytes as [`BinaryContent`].
//!
//! Pure translation: no I/O here.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{insert_detail, json_body, parse_body, percent_encode};
use super::tool_choice::{resolve_tool_choice, tool_definitions, ResolvedToolChoice};
use super::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, BinaryContent, FileKind, FileUrl, FinishReason, ForceDownload,
    ModelMessage, ModelRequestPart, ModelResponse, ModelResponsePart, TextPart, ThinkingPart,
    ToolArgs, ToolCallPart, UserContent, UserContentItem,
};
use crate::models::{instructions, ModelProfile, OutputMode};
use crate::provider;
use crate::schema;
use crate::settings::{ModelSettings, Thinking};
use crate::stream::PartsManager;
use crate::usage::Usage;
use crate::warning::Warnings;

/// [Google's Gemini API](https://ai.google.dev/api) (`google-gla:gemini-2.5-flash`, also
/// `google:`): the key from `GEMINI_API_KEY` or `GOOGLE_API_KEY`, sent as `x-goog-api-key`; a
/// base URL (with its API version) from `GEMINI_BASE_URL`.
#[provider(name = "google-gla", aliases = ["google"],
    base_url = "https://generativelanguage.googleapis.com/v1beta",
    api_key_env = ["GEMINI_API_KEY", "GOOGLE_API_KEY"], base_url_env = "GEMINI_BASE_URL",
    auth = header("x-goog-api-key"), protocol = Gemini)]
pub struct GoogleGla;

/// The provider name a [`Gemini`] value uses until a provider gives it its own.
const DEFAULT_PROVIDER_NAME: &str = "google-gla";

/// The names the Gemini API goes by: pydantic-ai's current one and its V1 one (ours). Thought
/// signatures of parts from either are sent back.
const GEMINI_API_NAMES: [&str; 2] = ["google-gla", "google"];

/// The key of a part's `provider_details` holding its thought signature (base64).
const SIGNATURE_KEY: &str = "thought_signature";

/// Base64 of `skip_thought_signature_validator`, the signature Google documents for function
/// calls that have none (<https://ai.google.dev/gemini-api/docs/thought-signatures#faqs>).
const SKIP_SIGNATURE: &str = "c2tpcF90aG91Z2h0X3NpZ25hdHVyZV92YWxpZGF0b3I=";

/// Files the API reads itself: uploads to its Files API.
const FILES_API_PREFIX: &str = "https://generativelanguage.googleapis.com/v1beta/files";

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
/// Errors: a malformed body or event is an [`Error::UnexpectedModelBehavior`] with the
/// offending bytes, and so is a stream that ends before a finish reason; an `error` object in a
/// 200 body or in a stream is an [`Error::Http`] with its `code`. Input the API cannot take (a
/// file URL it does not fetch, image output) is an [`Error::User`] when the body is built.
#[derive(Debug, Clone, Default)]
pub struct Gemini;

impl Gemini {
    /// The protocol.
    pub const fn new() -> Self {
        Gemini
    }
}

/// Whether thought signatures of a part marked with `name` are ours (`provider`'s) to send
/// back.
fn accepts(provider: &str, name: Option<&str>) -> bool {
    name.is_some_and(|name| name == provider || GEMINI_API_NAMES.contains(&name))
}

/// The provider name of a stream: the one the driver gave the parts manager, else the
/// Gemini API's.
fn stream_provider_name(parts: &PartsManager) -> String {
    parts
        .provider_name
        .clone()
        .unwrap_or_else(|| DEFAULT_PROVIDER_NAME.to_owned())
}

/// What a model supports, by name (pydantic-ai's `google_model_profile`).
#[derive(Debug, Clone, Copy)]
struct Family {
    /// An image-generation model (no tools).
    image: bool,
    /// Gemini 3 or later: thinking levels, tools beside native output.
    gemini_3: bool,
    /// It reasons (Gemini 2.5 and later).
    thinking: bool,
    /// It always reasons (the Pro models): thinking cannot be turned off.
    always_thinks: bool,
    /// It accepts the `MINIMAL` thinking level.
    minimal_level: bool,
    /// It has the `VALIDATED` function-calling mode.
    validated_mode: bool,
}

impl Family {
    fn of(model: &str) -> Family {
        let model = model
            .strip_prefix("models/")
            .or_else(|| model.strip_prefix("tunedModels/"))
            .unwrap_or(model);
        let image = model.contains("image");
        let gemini_3 = model.contains("gemini-3");
        let thinking = model.contains("gemini-2.5") || gemini_3;
        let pro = model.contains("pro") && !model.contains("flash");
        Family {
            image,
            gemini_3,
            thinking,
            always_thinks: thinking && pro,
            minimal_level: ![
                "gemini-3.7-flash",
                "gemini-3-pro-preview",
                "gemini-3.1-pro-preview",
            ]
            .iter()
            .any(|prefix| model.starts_with(prefix)),
            validated_mode: thinking && !image,
        }
    }
}

/// What a stream of the Gemini protocol remembers between events.
#[derive(Debug, Default)]
pub struct GeminiStreamState {
    /// The first event was seen (it names the model).
    started: bool,
    /// A finish reason or a block reason arrived: the response is whole.
    finished: bool,
    /// The prompt was blocked: later finish reasons do not replace `content_filter`.
    blocked: bool,
    /// Grounding metadata was reported once.
    grounding_reported: bool,
}

impl Protocol for Gemini {
    type StreamState = GeminiStreamState;
    type Event<'a> = WireResponse<'a>;
    const EVENT_DESCRIPTION: &'static str = "streamGenerateContent event";

    fn endpoint(&self, model_name: &str, stream: bool) -> String {
        let path = model_path(model_name);
        if stream {
            format!("{path}:streamGenerateContent?alt=sse")
        } else {
            format!("{path}:generateContent")
        }
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        _stream: bool,
        _warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        let body = self.build_request(request)?;
        json_body(&body)
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        let response: WireResponse<'_> = parse_body(body, "generateContent response")?;
        if let Some(error) = &response.error {
            return Err(reported_error(error, cx.model_name, body));
        }
        self.response_from(response, cx, body)
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
        let data = raw.data;
        if let Some(error) = &chunk.error {
            return Err(reported_error(error, &parts.model_name, data.as_bytes()));
        }
        self.apply_chunk(chunk, data.as_bytes(), state, parts)?;
        // The API sends no terminator: the stream ends when the connection does.
        Ok(Flow::Continue)
    }

    fn on_eof(&self, state: &mut GeminiStreamState, _parts: &mut PartsManager) -> Result<()> {
        if state.finished {
            Ok(())
        } else {
            Err(Error::unexpected(
                "the stream ended before a finish reason: the response is truncated",
            ))
        }
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        let family = Family::of(model_name);
        ModelProfile {
            supports_tools: !family.image,
            supports_json_schema_output: family.gemini_3 || !family.image,
            supports_json_object_output: family.gemini_3 || !family.image,
            ..ModelProfile::default()
        }
    }
}

/// `models/{model}` (or the model's own `models/…` or `tunedModels/…` name), each segment
/// percent-encoded.
fn model_path(model: &str) -> String {
    let model = model.trim_start_matches('/');
    let named = if model.starts_with("models/") || model.starts_with("tunedModels/") {
        Cow::Borrowed(model)
    } else {
        Cow::Owned(format!("models/{model}"))
    };
    named
        .split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `generateContent` and `streamGenerateContent`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GenerateContentRequest<'a> {
    contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system_instruction: Option<Content<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_config: Option<ToolConfig<'a>>,
    generation_config: GenerationConfig<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_tier: Option<&'static str>,
}

/// A turn: `user` or `model`, and its parts.
#[derive(Serialize)]
struct Content<'a> {
    role: &'static str,
    parts: Vec<Part<'a>>,
}

/// One part of a turn, with the signature and media options it carries.
struct Part<'a> {
    data: PartData<'a>,
    thought_signature: Option<&'a str>,
    media_resolution: Option<&'a Value>,
    video_metadata: Option<Map<String, Value>>,
}

enum PartData<'a> {
    Text { text: Cow<'a, str>, thought: bool },
    InlineData(Blob),
    FileData(FileData<'a>),
    FunctionCall(FunctionCall<'a>),
    FunctionResponse(FunctionResponse<'a>),
}

impl<'a> Part<'a> {
    fn new(data: PartData<'a>) -> Self {
        Part {
            data,
            thought_signature: None,
            media_resolution: None,
            video_metadata: None,
        }
    }

    fn text(text: impl Into<Cow<'a, str>>) -> Self {
        Part::new(PartData::Text {
            text: text.into(),
            thought: false,
        })
    }

    fn is_function_response(&self) -> bool {
        matches!(self.data, PartData::FunctionResponse(_))
    }
}

impl Serialize for Part<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        match &self.data {
            PartData::Text { text, thought } => {
                map.serialize_entry("text", text)?;
                if *thought {
                    map.serialize_entry("thought", &true)?;
                }
            }
            PartData::InlineData(blob) => map.serialize_entry("inlineData", blob)?,
            PartData::FileData(file) => map.serialize_entry("fileData", file)?,
            PartData::FunctionCall(call) => map.serialize_entry("functionCall", call)?,
            PartData::FunctionResponse(response) => {
                map.serialize_entry("functionResponse", response)?;
            }
        }
        if let Some(signature) = self.thought_signature {
            map.serialize_entry("thoughtSignature", signature)?;
        }
        if let Some(resolution) = self.media_resolution {
            map.serialize_entry("mediaResolution", resolution)?;
        }
        if let Some(metadata) = &self.video_metadata {
            map.serialize_entry("videoMetadata", metadata)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Blob {
    mime_type: String,
    /// Base64.
    data: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileData<'a> {
    file_uri: &'a str,
    mime_type: String,
}

#[derive(Serialize)]
struct FunctionCall<'a> {
    name: &'a str,
    args: Map<String, Value>,
    id: &'a str,
}

#[derive(Serialize)]
struct FunctionResponse<'a> {
    name: &'a str,
    response: Map<String, Value>,
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tool<'a> {
    function_declarations: Vec<FunctionDeclaration<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FunctionDeclaration<'a> {
    name: &'a str,
    description: &'a str,
    parameters_json_schema: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ToolConfig<'a> {
    function_calling_config: FunctionCallingConfig<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FunctionCallingConfig<'a> {
    mode: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allowed_function_names: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GenerationConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_sequences: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presence_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frequency_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thinking_config: Option<ThinkingConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_mime_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_json_schema: Option<Value>,
    response_modalities: [&'static str; 1],
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct ThinkingConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    include_thoughts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thinking_budget: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thinking_level: Option<&'static str>,
}

impl Gemini {
    fn build_request<'a>(
        &self,
        request: &PreparedRequest<'a>,
    ) -> Result<GenerateContentRequest<'a>> {
        let model = request.model_name;
        let settings: &'a ModelSettings = request.settings;
        let parameters = request.parameters;
        let family = Family::of(model);

        let (declarations, tool_config) = tools(request, family)?;
        if !parameters.function_tools.is_empty() && !request.profile.supports_tools {
            return Err(Error::user(format!(
                "`{model}` does not support tools: remove the function tools or use another model"
            )));
        }
        let (response_mime_type, response_json_schema) =
            output_format(request, family, !declarations.is_empty())?;
        let (system_instruction, contents) =
            self.map_messages(request.messages, request.provider_name)?;
        warn_unsupported_settings(model, settings);

        Ok(GenerateContentRequest {
            contents,
            system_instruction,
            tools: if declarations.is_empty() {
                Vec::new()
            } else {
                vec![Tool {
                    function_declarations: declarations,
                }]
            },
            tool_config,
            generation_config: GenerationConfig {
                temperature: settings.temperature,
                top_p: settings.top_p,
                top_k: settings.top_k,
                max_output_tokens: settings.max_tokens,
                stop_sequences: settings.stop_sequences.as_deref(),
                presence_penalty: settings.presence_penalty,
                frequency_penalty: settings.frequency_penalty,
                seed: settings.seed,
                thinking_config: thinking_config(model, family, settings.thinking),
                response_mime_type,
                response_json_schema,
                response_modalities: ["TEXT"],
            },
            service_tier: service_tier(model, settings.service_tier.as_deref()),
        })
    }

    /// `systemInstruction` and `contents` (pydantic-ai's `GoogleModel._map_messages`).
    fn map_messages<'a>(
        &self,
        messages: &'a [ModelMessage],
        provider: &str,
    ) -> Result<(Option<Content<'a>>, Vec<Content<'a>>)> {
        let mut system_parts: Vec<Part<'a>> = Vec::new();
        let mut contents: Vec<Content<'a>> = Vec::new();
        for message in messages {
            match message {
                ModelMessage::Request(request) => {
                    let mut parts: Vec<Part<'a>> = Vec::new();
                    for part in &request.parts {
                        match part {
                            ModelRequestPart::SystemPrompt(p) => {
                                system_parts.push(Part::text(p.content.as_str()));
                            }
                            ModelRequestPart::UserPrompt(p) => user_parts(&p.content, &mut parts)?,
                            ModelRequestPart::ToolReturn(p) => {
                                parts.push(Part::new(PartData::FunctionResponse(
                                    FunctionResponse {
                                        name: &p.tool_name,
                                        response: p.model_response_object(),
                                        id: &p.tool_call_id,
                                    },
                                )));
                            }
                            ModelRequestPart::RetryPrompt(p) => match &p.tool_name {
                                None => parts.push(Part::text(p.model_response())),
                                Some(name) => {
                                    let mut response = Map::new();
                                    response
                                        .insert("error".into(), Value::String(p.model_response()));
                                    parts.push(Part::new(PartData::FunctionResponse(
                                        FunctionResponse {
                                            name,
                                            response,
                                            id: &p.tool_call_id,
                                        },
                                    )));
                                }
                            },
                        }
                    }
                    push_user_turns(parts, &mut contents);
                }
                ModelMessage::Response(response) => {
                    if let Some(content) = self.model_content(response, provider)? {
                        contents.push(content);
                    }
                }
            }
        }
        // The API wants a user turn first (a function call must follow a user turn).
        if contents.first().is_none_or(|c| c.role == "model") {
            contents.insert(
                0,
                Content {
                    role: "user",
                    parts: vec![Part::text("")],
                },
            );
        }
        if let Some(instructions) = instructions(messages) {
            system_parts.push(Part::text(instructions));
        }
        let system = (!system_parts.is_empty()).then_some(Content {
            role: "user",
            parts: system_parts,
        });
        Ok((system, contents))
    }

    /// A response sent back as a `model` turn (pydantic-ai's `_content_model_response`), with
    /// each thought signature in the part it came with; `None` when nothing is left to send.
    fn model_content<'a>(
        &self,
        response: &'a ModelResponse,
        provider: &str,
    ) -> Result<Option<Content<'a>>> {
        let mut parts = Vec::new();
        // A thinking part's own signature (older pydantic-ai histories) goes with the next part.
        let mut pending: Option<&'a str> = None;
        // The first function call of a turn must carry a signature.
        let mut call_needs_signature = true;
        for item in &response.parts {
            let signature = self
                .inline_signature(item, response, provider)?
                .or(pending.take());
            let part = match item {
                ModelResponsePart::ToolCall(call) => {
                    let signature = match signature {
                        None if call_needs_signature => Some(SKIP_SIGNATURE),
                        other => other,
                    };
                    call_needs_signature = false;
                    Some(Part {
                        thought_signature: signature,
                        ..Part::new(PartData::FunctionCall(FunctionCall {
                            name: &call.tool_name,
                            args: call.args_as_dict(),
                            id: &call.tool_call_id,
                        }))
                    })
                }
                ModelResponsePart::Text(text) => Some(Part {
                    thought_signature: signature,
                    ..Part::text(text.content.as_str())
                }),
                ModelResponsePart::Thinking(thinking) => {
                    if accepts(provider, thinking.provider_name.as_deref()) {
                        pending = thinking.signature.as_deref().filter(|s| !s.is_empty());
                    }
                    (!thinking.content.is_empty()).then(|| Part {
                        thought_signature: signature,
                        ..Part::new(PartData::Text {
                            text: Cow::Borrowed(&thinking.content),
                            thought: true,
                        })
                    })
                }
            };
            parts.extend(part);
        }
        Ok((!parts.is_empty()).then_some(Content {
            role: "model",
            parts,
        }))
    }

    /// The signature in a part's `provider_details`, when the part (or its response) came from
    /// the Gemini API.
    fn inline_signature<'a>(
        &self,
        item: &'a ModelResponsePart,
        response: &ModelResponse,
        provider: &str,
    ) -> Result<Option<&'a str>> {
        let (name, details) = match item {
            ModelResponsePart::Text(p) => (p.provider_name.as_deref(), p.provider_details.as_ref()),
            ModelResponsePart::Thinking(p) => {
                (p.provider_name.as_deref(), p.provider_details.as_ref())
            }
            ModelResponsePart::ToolCall(p) => {
                (p.provider_name.as_deref(), p.provider_details.as_ref())
            }
        };
        let Some(details) = details else {
            return Ok(None);
        };
        if !accepts(provider, response.provider_name.as_deref()) && !accepts(provider, name) {
            return Ok(None);
        }
        match details.get(SIGNATURE_KEY) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(signature)) if signature.is_empty() => Ok(None),
            Some(Value::String(signature)) => Ok(Some(signature)),
            Some(other) => Err(Error::user(format!(
                "`provider_details.{SIGNATURE_KEY}` of a response part must be a base64 string, \
                 not {other}"
            ))),
        }
    }
}

/// Adds the parts of one request as user turns, starting a new turn after function responses
/// (the API takes a turn that holds them for a `model` turn otherwise: pydantic-ai#4210).
fn push_user_turns<'a>(parts: Vec<Part<'a>>, contents: &mut Vec<Content<'a>>) {
    if parts.is_empty() {
        return;
    }
    let mut turn: Vec<Part<'a>> = Vec::new();
    for part in parts {
        if turn.last().is_some_and(Part::is_function_response) && !part.is_function_response() {
            contents.push(Content {
                role: "user",
                parts: std::mem::take(&mut turn),
            });
        }
        turn.push(part);
    }
    contents.push(Content {
        role: "user",
        parts: turn,
    });
}

fn user_parts<'a>(content: &'a UserContent, out: &mut Vec<Part<'a>>) -> Result<()> {
    let items = match content {
        UserContent::Text(text) => {
            out.push(Part::text(text.as_str()));
            return Ok(());
        }
        UserContent::Items(items) => items,
    };
    for item in items {
        match item {
            UserContentItem::Text(text) => out.push(Part::text(text.as_str())),
            UserContentItem::TextContent(text) => out.push(Part::text(text.content.as_str())),
            UserContentItem::Binary(binary) => out.push(binary_part(binary)),
            UserContentItem::ImageUrl(file) => out.push(file_part(file, FileKind::Image)?),
            UserContentItem::AudioUrl(file) => out.push(file_part(file, FileKind::Audio)?),
            UserContentItem::VideoUrl(file) => out.push(file_part(file, FileKind::Video)?),
            UserContentItem::DocumentUrl(file) => out.push(file_part(file, FileKind::Document)?),
            UserContentItem::CachePoint(_) => {
                // Gemini caches through cached-content resources made beforehand, not with
                // breakpoints in a prompt.
                tracing::debug!(
                    target: "llm_runtime::providers",
                    "cache point not sent: the Gemini API has no inline cache breakpoints"
                );
            }
        }
    }
    Ok(())
}

fn binary_part(binary: &BinaryContent) -> Part<'_> {
    let part = Part::new(PartData::InlineData(Blob {
        mime_type: binary.media_type.clone(),
        data: binary.base64(),
    }));
    with_vendor_metadata(part, binary.vendor_metadata.as_ref(), true)
}

/// A file the API fetches itself (YouTube videos, Files API uploads) as `fileData`.
fn file_part(file: &FileUrl, kind: FileKind) -> Result<Part<'_>> {
    let youtube = kind == FileKind::Video && file.is_youtube();
    if !youtube
        && (file.force_download != ForceDownload::No || !file.url.starts_with(FILES_API_PREFIX))
    {
        return Err(Error::user(format!(
            "the file at `{}` must be sent as bytes, which needs a download this translation does \
             not make: pass it as `BinaryContent` (the Gemini API fetches YouTube videos and its \
             own Files API uploads only)",
            file.url
        )));
    }
    let part = Part::new(PartData::FileData(FileData {
        file_uri: &file.url,
        mime_type: file.media_type(kind),
    }));
    Ok(with_vendor_metadata(
        part,
        file.vendor_metadata.as_ref(),
        kind == FileKind::Video,
    ))
}

/// Applies a file's vendor metadata as pydantic-ai does: `media_resolution` to the part, the
/// rest (`fps`, `start_offset`, `end_offset`) as `videoMetadata` of a video or of bytes.
fn with_vendor_metadata<'a>(
    mut part: Part<'a>,
    metadata: Option<&'a Map<String, Value>>,
    video: bool,
) -> Part<'a> {
    let Some(metadata) = metadata else {
        return part;
    };
    let mut rest = Map::new();
    for (key, value) in metadata {
        if key == "media_resolution" {
            part.media_resolution = Some(value);
        } else {
            rest.insert(camel_case(key), value.clone());
        }
    }
    if !rest.is_empty() {
        if video {
            part.video_metadata = Some(rest);
        } else {
            let keys: Vec<&String> = rest.keys().collect();
            tracing::warn!(
                target: "llm_runtime::providers",
                keys = ?keys,
                "vendor metadata other than `media_resolution` applies to videos only; it is not sent"
            );
        }
    }
    part
}

/// `start_offset` as `startOffset`.
fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The function declarations and their `toolConfig` (pydantic-ai's `_get_tool_config`).
fn tools<'a>(
    request: &PreparedRequest<'a>,
    family: Family,
) -> Result<(Vec<FunctionDeclaration<'a>>, Option<ToolConfig<'a>>)> {
    let parameters = request.parameters;
    let mut definitions = tool_definitions(parameters);
    let mut allowed: Vec<&'a str> = Vec::new();
    let mode = match resolve_tool_choice(request.settings.tool_choice.as_ref(), parameters)? {
        ResolvedToolChoice::Auto => "AUTO",
        ResolvedToolChoice::None => "NONE",
        ResolvedToolChoice::Required => "ANY",
        ResolvedToolChoice::Only {
            required: false,
            names,
        } => {
            // `AUTO` takes no list of allowed functions: only the chosen ones are sent.
            definitions.retain(|d| names.contains(&d.name));
            "AUTO"
        }
        ResolvedToolChoice::Only {
            required: true,
            names,
        } => {
            allowed = definitions
                .iter()
                .filter(|d| names.contains(&d.name))
                .map(|d| d.name.as_str())
                .collect();
            "ANY"
        }
    };
    if definitions.is_empty() {
        return Ok((Vec::new(), None));
    }
    // `VALIDATED` is `AUTO` with the schemas enforced; a tool with `strict: false` opts the
    // whole request out.
    let mode = if mode == "AUTO"
        && family.validated_mode
        && !definitions.iter().any(|d| d.strict == Some(false))
    {
        "VALIDATED"
    } else {
        mode
    };
    let declarations = definitions
        .into_iter()
        .map(|definition| {
            let transformed =
                schema::gemini::transform(&definition.parameters_json_schema, definition.strict)?;
            Ok(FunctionDeclaration {
                name: &definition.name,
                description: definition.description.as_deref().unwrap_or(""),
                parameters_json_schema: transformed.schema,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((
        declarations,
        Some(ToolConfig {
            function_calling_config: FunctionCallingConfig {
                mode,
                allowed_function_names: allowed,
            },
        }),
    ))
}

/// `responseMimeType` and `responseJsonSchema` for the output mode.
fn output_format(
    request: &PreparedRequest<'_>,
    family: Family,
    has_tools: bool,
) -> Result<(Option<&'static str>, Option<Value>)> {
    let parameters = request.parameters;
    match parameters.output_mode {
        OutputMode::Native => {
            if !parameters.function_tools.is_empty() && !family.gemini_3 {
                return Err(Error::user(format!(
                    "`{}` cannot combine native structured output with function tools: use the \
                     `tool` output mode",
                    request.model_name
                )));
            }
            let Some(object) = &parameters.output_object else {
                return Err(Error::user(
                    "the `native` output mode needs `output_object` (the schema to produce)",
                ));
            };
            let mut schema = schema::gemini::transform(&object.json_schema, object.strict)?.schema;
            if let Value::Object(map) = &mut schema {
                if let Some(name) = object.name.as_deref().filter(|n| !n.is_empty()) {
                    map.insert("title".into(), Value::String(name.to_owned()));
                }
                if let Some(description) = object.description.as_deref().filter(|d| !d.is_empty()) {
                    map.insert("description".into(), Value::String(description.to_owned()));
                }
            }
            Ok((Some("application/json"), Some(schema)))
        }
        OutputMode::Prompted if !has_tools => {
            if !request.profile.supports_json_object_output {
                return Err(Error::user(format!(
                    "`{}` has no JSON output mode for prompted output",
                    request.model_name
                )));
            }
            Ok((Some("application/json"), None))
        }
        OutputMode::Image => Err(Error::user(
            "image output is not supported: the message model has no part for generated files",
        )),
        _ => Ok((None, None)),
    }
}

/// `thinkingConfig` for the unified `thinking` setting (pydantic-ai's `_translate_thinking`):
/// thinking levels for Gemini 3, token budgets for Gemini 2.5.
fn thinking_config(
    model: &str,
    family: Family,
    thinking: Option<Thinking>,
) -> Option<ThinkingConfig> {
    let thinking = thinking?;
    if !family.thinking {
        tracing::warn!(
            target: "llm_runtime::settings",
            model,
            setting = "thinking",
            "`{model}` does not reason; `thinking` is not sent"
        );
        return None;
    }
    if thinking == Thinking::Disabled && family.always_thinks {
        tracing::warn!(
            target: "llm_runtime::settings",
            model,
            setting = "thinking",
            "`{model}` always reasons; `thinking: Disabled` is not sent"
        );
        return None;
    }
    let level = |thinking: Thinking| match thinking {
        Thinking::Minimal | Thinking::Disabled if family.minimal_level => "MINIMAL",
        Thinking::Minimal | Thinking::Disabled | Thinking::Low => "LOW",
        Thinking::Medium | Thinking::Enabled => "MEDIUM",
        Thinking::High | Thinking::XHigh => "HIGH",
    };
    let budget = |thinking: Thinking| match thinking {
        Thinking::Disabled => 0,
        Thinking::Minimal => 128,
        Thinking::Low => 2048,
        Thinking::Medium | Thinking::Enabled => 8192,
        Thinking::High | Thinking::XHigh => 24576,
    };
    Some(match thinking {
        // Gemini 3 turns thinking down to its lowest level; 2.5 takes a zero budget.
        Thinking::Disabled if family.gemini_3 => ThinkingConfig {
            thinking_level: Some(level(thinking)),
            ..ThinkingConfig::default()
        },
        Thinking::Disabled => ThinkingConfig {
            thinking_budget: Some(budget(thinking)),
            ..ThinkingConfig::default()
        },
        Thinking::Enabled => ThinkingConfig {
            include_thoughts: Some(true),
            ..ThinkingConfig::default()
        },
        effort if family.gemini_3 => ThinkingConfig {
            include_thoughts: Some(true),
            thinking_level: Some(level(effort)),
            ..ThinkingConfig::default()
        },
        effort => ThinkingConfig {
            include_thoughts: Some(true),
            thinking_budget: Some(budget(effort)),
            ..ThinkingConfig::default()
        },
    })
}

/// The Gemini API's `serviceTier` for the unified setting (`default` is `standard`; `auto`
/// leaves the choice to the API).
fn service_tier(model: &str, tier: Option<&str>) -> Option<&'static str> {
    match tier? {
        "default" | "standard" => Some("standard"),
        "flex" => Some("flex"),
        "priority" => Some("priority"),
        "auto" => None,
        other => {
            tracing::warn!(
                target: "llm_runtime::settings",
                model,
                setting = "service_tier",
                "the Gemini API has no `{other}` service tier (it has standard, flex and \
                 priority); `service_tier` is not sent"
            );
            None
        }
    }
}

fn warn_unsupported_settings(model: &str, settings: &ModelSettings) {
    if settings.logit_bias.is_some() {
        tracing::warn!(
            target: "llm_runtime::settings",
            model,
            setting = "logit_bias",
            "the Gemini API has no `logit_bias`; the setting is not sent"
        );
    }
    if settings.parallel_tool_calls.is_some() {
        tracing::warn!(
            target: "llm_runtime::settings",
            model,
            setting = "parallel_tool_calls",
            "the Gemini API cannot turn parallel function calls on or off; \
             `parallel_tool_calls` is not sent"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Responses and stream events
// ---------------------------------------------------------------------------------------------

/// A `GenerateContentResponse`, whole or one event of a stream.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct WireResponse<'a> {
    #[serde(borrow)]
    candidates: Option<Vec<WireCandidate<'a>>>,
    prompt_feedback: Option<PromptFeedback>,
    usage_metadata: Option<UsageMetadata>,
    #[serde(borrow)]
    model_version: Option<Text<'a>>,
    #[serde(borrow)]
    response_id: Option<Text<'a>>,
    /// Vertex AI's only; kept as `provider_details["timestamp"]` when present.
    #[serde(borrow)]
    create_time: Option<Text<'a>>,
    /// An error reported in a 200 body or inside a stream.
    error: Option<WireError>,
}

/// A string borrowed from the body when it has no escapes.
#[derive(Deserialize)]
#[serde(transparent)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireCandidate<'a> {
    #[serde(borrow)]
    content: Option<WireContent<'a>>,
    #[serde(borrow)]
    finish_reason: Option<Text<'a>>,
    safety_ratings: Option<Vec<SafetyRating>>,
    avg_logprobs: Option<f64>,
    logprobs_result: Option<Value>,
    grounding_metadata: Option<IgnoredAny>,
    url_context_metadata: Option<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireContent<'a> {
    #[serde(borrow)]
    parts: Option<Vec<WirePart<'a>>>,
}

/// A part of a candidate: one of its data fields is set.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WirePart<'a> {
    #[serde(borrow)]
    text: Option<Text<'a>>,
    thought: Option<bool>,
    #[serde(borrow)]
    thought_signature: Option<Text<'a>>,
    #[serde(borrow)]
    function_call: Option<WireFunctionCall<'a>>,
    executable_code: Option<IgnoredAny>,
    code_execution_result: Option<IgnoredAny>,
    inline_data: Option<IgnoredAny>,
    file_data: Option<IgnoredAny>,
    tool_call: Option<IgnoredAny>,
    tool_response: Option<IgnoredAny>,
}

/// What a part holds.
enum WireKind<'p, 'a> {
    Text(&'p str, bool),
    FunctionCall(&'p WireFunctionCall<'a>),
    /// Something the message model has no part for (named for the warning).
    Unrepresented(&'static str),
    Unknown,
}

impl<'a> WirePart<'a> {
    /// The part's kind, in pydantic-ai's order of precedence.
    fn kind(&self) -> WireKind<'_, 'a> {
        if self.executable_code.is_some() {
            WireKind::Unrepresented("executableCode")
        } else if self.code_execution_result.is_some() {
            WireKind::Unrepresented("codeExecutionResult")
        } else if let Some(text) = &self.text {
            WireKind::Text(&text.0, self.thought == Some(true))
        } else if let Some(call) = &self.function_call {
            WireKind::FunctionCall(call)
        } else if self.tool_call.is_some() {
            WireKind::Unrepresented("toolCall")
        } else if self.tool_response.is_some() {
            WireKind::Unrepresented("toolResponse")
        } else if self.inline_data.is_some() {
            WireKind::Unrepresented("inlineData")
        } else if self.file_data.is_some() {
            WireKind::Unrepresented("fileData")
        } else {
            WireKind::Unknown
        }
    }

    /// `{"thought_signature": …}` when the part has a signature.
    fn signature_details(&self) -> Option<Map<String, Value>> {
        let signature = self.thought_signature.as_ref()?;
        let mut details = Map::new();
        details.insert(
            SIGNATURE_KEY.into(),
            Value::String(signature.0.as_ref().into()),
        );
        Some(details)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireFunctionCall<'a> {
    #[serde(borrow)]
    name: Option<Text<'a>>,
    args: Option<Map<String, Value>>,
    #[serde(borrow)]
    id: Option<Text<'a>>,
}

impl WireFunctionCall<'_> {
    /// The call as a tool call, with its id or a generated one.
    fn to_part(&self, raw: &[u8]) -> Result<ToolCallPart> {
        let Some(name) = &self.name else {
            return Err(Error::unexpected_with_body(
                "a function call has no name",
                raw,
            ));
        };
        let id = self
            .id
            .as_ref()
            .map(|id| id.0.as_ref())
            .filter(|id| !id.is_empty())
            .map_or_else(generate_tool_call_id, str::to_owned);
        Ok(ToolCallPart {
            args: self.args.clone().map(ToolArgs::Object),
            ..ToolCallPart::new(name.0.as_ref(), "", id)
        })
    }
}

/// A safety rating, kept in `provider_details` with the fields pydantic-ai writes (absent
/// ones as `null`) and any other the API sends.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct SafetyRating {
    #[serde(default)]
    blocked: Option<bool>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    overwritten_threshold: Option<String>,
    #[serde(default)]
    probability: Option<String>,
    #[serde(default)]
    probability_score: Option<f64>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    severity_score: Option<f64>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PromptFeedback {
    block_reason: Option<String>,
    block_reason_message: Option<String>,
    safety_ratings: Option<Vec<SafetyRating>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct UsageMetadata {
    prompt_token_count: Option<u64>,
    candidates_token_count: Option<u64>,
    cached_content_token_count: Option<u64>,
    thoughts_token_count: Option<u64>,
    tool_use_prompt_token_count: Option<u64>,
    prompt_tokens_details: Option<Vec<ModalityTokenCount>>,
    cache_tokens_details: Option<Vec<ModalityTokenCount>>,
    candidates_tokens_details: Option<Vec<ModalityTokenCount>>,
    tool_use_prompt_tokens_details: Option<Vec<ModalityTokenCount>>,
    traffic_type: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ModalityTokenCount {
    modality: Option<String>,
    token_count: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireError {
    code: Option<i64>,
    message: Option<String>,
    status: Option<String>,
}

impl UsageMetadata {
    /// The usage as pydantic-ai counts it (through genai-prices' Google extractor): tool-use
    /// prompt tokens are input, thoughts are output; cached and per-modality counts in
    /// `details`.
    fn to_usage(&self, requests: u32) -> Usage {
        fn count(n: Option<u64>) -> u64 {
            n.unwrap_or(0)
        }
        fn audio(details: &Option<Vec<ModalityTokenCount>>) -> u64 {
            details
                .iter()
                .flatten()
                .filter(|d| d.modality.as_deref() == Some("AUDIO"))
                .map(|d| count(d.token_count))
                .sum()
        }
        let mut usage = Usage {
            requests,
            request_tokens: count(self.prompt_token_count)
                + count(self.tool_use_prompt_token_count),
            cache_read_tokens: count(self.cached_content_token_count),
            response_tokens: count(self.candidates_token_count) + count(self.thoughts_token_count),
            input_audio_tokens: audio(&self.prompt_tokens_details),
            cache_audio_read_tokens: audio(&self.cache_tokens_details),
            output_audio_tokens: audio(&self.candidates_tokens_details),
            ..Usage::default()
        };
        for (name, value) in [
            ("cached_content_tokens", self.cached_content_token_count),
            ("thoughts_tokens", self.thoughts_token_count),
            ("tool_use_prompt_tokens", self.tool_use_prompt_token_count),
        ] {
            if let Some(value) = value.filter(|v| *v != 0) {
                usage.details.insert(name.into(), value);
            }
        }
        for (prefix, details) in [
            ("prompt", &self.prompt_tokens_details),
            ("cache", &self.cache_tokens_details),
            ("candidates", &self.candidates_tokens_details),
            ("tool_use_prompt", &self.tool_use_prompt_tokens_details),
        ] {
            for detail in details.iter().flatten() {
                let (Some(modality), Some(tokens)) = (&detail.modality, detail.token_count) else {
                    continue;
                };
                if modality.is_empty() || tokens == 0 {
                    continue;
                }
                usage.details.insert(
                    format!("{}_{prefix}_tokens", modality.to_lowercase()),
                    tokens,
                );
            }
        }
        usage.recompute_total();
        usage
    }
}

/// A streamed usage snapshot merged over the one before it: Gemini streams cumulative usage,
/// but a count reported earlier may be missing later (pydantic-ai#5205), so zeros and missing
/// details keep their earlier values.
fn merge_usage(mut new: Usage, earlier: &Usage) -> Usage {
    for (name, value) in &earlier.details {
        new.details.entry(name.clone()).or_insert(*value);
    }
    for (field, old) in [
        (&mut new.request_tokens, earlier.request_tokens),
        (&mut new.cache_write_tokens, earlier.cache_write_tokens),
        (&mut new.cache_read_tokens, earlier.cache_read_tokens),
        (&mut new.response_tokens, earlier.response_tokens),
        (&mut new.input_audio_tokens, earlier.input_audio_tokens),
        (
            &mut new.cache_audio_read_tokens,
            earlier.cache_audio_read_tokens,
        ),
        (&mut new.output_audio_tokens, earlier.output_audio_tokens),
    ] {
        if *field == 0 {
            *field = old;
        }
    }
    new.recompute_total();
    new
}

/// Gemini finish reasons, normalised (pydantic-ai's `_FINISH_REASON_MAP`). Unmapped values
/// give `None`; the raw value stays in `provider_details["finish_reason"]`.
fn map_finish_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "STOP" => Some(FinishReason::Stop),
        "MAX_TOKENS" => Some(FinishReason::Length),
        "SAFETY"
        | "RECITATION"
        | "BLOCKLIST"
        | "PROHIBITED_CONTENT"
        | "SPII"
        | "IMAGE_SAFETY"
        | "IMAGE_PROHIBITED_CONTENT"
        | "MODEL_ARMOR" => Some(FinishReason::ContentFilter),
        "LANGUAGE" | "MALFORMED_FUNCTION_CALL" | "UNEXPECTED_TOOL_CALL" | "NO_IMAGE" => {
            Some(FinishReason::Error)
        }
        "FINISH_REASON_UNSPECIFIED" | "OTHER" => None,
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

fn ratings_value(ratings: &[SafetyRating], raw: &[u8]) -> Result<Value> {
    serde_json::to_value(ratings).map_err(|e| {
        Error::unexpected_with_body(format!("the safety ratings cannot be kept: {e}"), raw)
    })
}

/// The error an `error` object describes: an HTTP error when its `code` is an HTTP error
/// status, else an unexpected-behaviour error with the raw data.
fn reported_error(error: &WireError, model_name: &str, raw: &[u8]) -> Error {
    let status = error
        .code
        .and_then(|code| u16::try_from(code).ok())
        .filter(|code| (400..=599).contains(code));
    match status {
        Some(status) => Error::http(status, model_name, raw, None),
        None => Error::unexpected_with_body(
            format!(
                "the Gemini API reported an error: {} ({})",
                error.message.as_deref().unwrap_or("no message"),
                error.status.as_deref().unwrap_or("no status")
            ),
            raw,
        ),
    }
}

fn warn_unrepresented(kind: &str) {
    tracing::warn!(
        target: "llm_runtime::providers",
        part = kind,
        "a `{kind}` part (a built-in tool's or a generated file) has no place in the message \
         model; it is left out of the response"
    );
}

fn warn_grounding() {
    tracing::warn!(
        target: "llm_runtime::providers",
        "grounding metadata of a built-in tool (search, URL context, file search) has no place \
         in the message model; it is left out of the response"
    );
}

fn unknown_part(raw: &[u8]) -> Error {
    Error::unexpected_with_body(
        "a candidate part holds none of text, functionCall, inlineData, fileData, \
         executableCode, codeExecutionResult, toolCall or toolResponse",
        raw,
    )
}

impl Gemini {
    /// Builds the response of a whole `GenerateContentResponse` (pydantic-ai's
    /// `_process_response`).
    fn response_from(
        &self,
        response: WireResponse<'_>,
        cx: &mut ResponseContext<'_>,
        raw: &[u8],
    ) -> Result<ModelResponse> {
        let requested_model = cx.model_name;
        let candidate = response.candidates.unwrap_or_default().into_iter().next();
        let mut details = Map::new();
        let mut finish_reason = None;
        match &candidate {
            Some(candidate) => {
                if let Some(reason) = candidate.finish_reason.as_ref().filter(|r| !r.0.is_empty()) {
                    details.insert("finish_reason".into(), Value::String(reason.0.to_string()));
                    if let Some(ratings) = candidate
                        .safety_ratings
                        .as_deref()
                        .filter(|r| !r.is_empty())
                    {
                        details.insert("safety_ratings".into(), ratings_value(ratings, raw)?);
                    }
                    finish_reason = map_finish_reason(&reason.0);
                }
            }
            None => {
                if let Some(feedback) = &response.prompt_feedback {
                    if let Some(reason) = feedback.block_reason.as_deref().filter(|r| !r.is_empty())
                    {
                        insert_block_details(&mut details, feedback, reason, raw)?;
                        finish_reason = Some(FinishReason::ContentFilter);
                    }
                }
            }
        }
        if let Some(time) = &response.create_time {
            details.insert("timestamp".into(), Value::String(time.0.to_string()));
        }
        if let Some(traffic) = response
            .usage_metadata
            .as_ref()
            .and_then(|u| u.traffic_type.as_deref())
        {
            details.insert("traffic_type".into(), Value::String(traffic.to_owned()));
        }

        let mut parts = Vec::new();
        if let Some(candidate) = candidate {
            if let Some(logprobs) = candidate.logprobs_result.filter(schema::truthy) {
                details.insert("logprobs".into(), logprobs);
                details.insert(
                    "avg_logprobs".into(),
                    candidate.avg_logprobs.map_or(Value::Null, Value::from),
                );
            }
            if candidate.grounding_metadata.is_some() || candidate.url_context_metadata.is_some() {
                warn_grounding();
            }
            for part in candidate.content.and_then(|c| c.parts).unwrap_or_default() {
                if let Some(item) = self.part_from(&part, raw, cx.provider_name)? {
                    parts.push(item);
                }
            }
        }

        let usage = response
            .usage_metadata
            .as_ref()
            .map_or_else(|| Usage::new(0, 0), |u| u.to_usage(1));
        let model_name = response
            .model_version
            .map(|m| m.0)
            .filter(|m| !m.is_empty())
            .map_or_else(|| requested_model.to_owned(), Cow::into_owned);
        Ok(ModelResponse {
            parts,
            usage,
            model_name: Some(model_name),
            provider_response_id: response.response_id.map(|id| id.0.into_owned()),
            provider_details: (!details.is_empty()).then_some(details),
            finish_reason,
            ..ModelResponse::default()
        })
    }

    /// One part of a whole response (pydantic-ai's `_process_part`); `None` for a part that
    /// is left out (empty text, what the message model has no part for).
    fn part_from(
        &self,
        part: &WirePart<'_>,
        raw: &[u8],
        provider: &str,
    ) -> Result<Option<ModelResponsePart>> {
        let details = part.signature_details();
        let mut item: ModelResponsePart = match part.kind() {
            WireKind::Text(text, _) if text.is_empty() && details.is_none() => return Ok(None),
            WireKind::Text(text, true) => ThinkingPart::new(text).into(),
            WireKind::Text(text, false) => TextPart::new(text).into(),
            WireKind::FunctionCall(call) => call.to_part(raw)?.into(),
            WireKind::Unrepresented(kind) => {
                warn_unrepresented(kind);
                return Ok(None);
            }
            WireKind::Unknown => return Err(unknown_part(raw)),
        };
        if let Some(details) = details {
            let name = Some(provider.to_owned());
            match &mut item {
                ModelResponsePart::Text(p) => {
                    p.provider_details = Some(details);
                    p.provider_name = name;
                }
                ModelResponsePart::Thinking(p) => {
                    p.provider_details = Some(details);
                    p.provider_name = name;
                }
                ModelResponsePart::ToolCall(p) => {
                    p.provider_details = Some(details);
                    p.provider_name = name;
                }
            }
        }
        Ok(Some(item))
    }

    /// Applies one stream event (pydantic-ai's `GeminiStreamedResponse._get_event_iterator`).
    fn apply_chunk(
        &self,
        chunk: WireResponse<'_>,
        raw: &[u8],
        state: &mut GeminiStreamState,
        parts: &mut PartsManager,
    ) -> Result<()> {
        if !state.started {
            state.started = true;
            // The first event names the model that answers.
            if let Some(model) = chunk.model_version.as_ref().filter(|m| !m.0.is_empty()) {
                parts.model_name = model.0.to_string();
            }
            if let Some(time) = &chunk.create_time {
                insert_detail(parts, "timestamp", Value::String(time.0.to_string()));
            }
        }
        if let Some(usage) = &chunk.usage_metadata {
            parts.usage = merge_usage(usage.to_usage(0), &parts.usage);
            if let Some(traffic) = &usage.traffic_type {
                insert_detail(parts, "traffic_type", Value::String(traffic.clone()));
            }
        }
        let Some(candidate) = chunk.candidates.unwrap_or_default().into_iter().next() else {
            if let Some(feedback) = &chunk.prompt_feedback {
                if let Some(reason) = feedback.block_reason.as_deref().filter(|r| !r.is_empty()) {
                    state.blocked = true;
                    state.finished = true;
                    let details = parts.provider_details.get_or_insert_with(Map::new);
                    insert_block_details(details, feedback, reason, raw)?;
                    parts.finish_reason = Some(FinishReason::ContentFilter);
                    if let Some(id) = chunk.response_id.filter(|id| !id.0.is_empty()) {
                        parts.provider_response_id = Some(id.0.into_owned());
                    }
                }
            }
            return Ok(());
        };
        if let Some(id) = chunk.response_id.filter(|id| !id.0.is_empty()) {
            parts.provider_response_id = Some(id.0.into_owned());
        }
        if let Some(reason) = candidate.finish_reason.as_ref().filter(|r| !r.0.is_empty()) {
            state.finished = true;
            if !state.blocked {
                insert_detail(parts, "finish_reason", Value::String(reason.0.to_string()));
                if let Some(ratings) = candidate
                    .safety_ratings
                    .as_deref()
                    .filter(|r| !r.is_empty())
                {
                    insert_detail(parts, "safety_ratings", ratings_value(ratings, raw)?);
                }
                parts.finish_reason = map_finish_reason(&reason.0);
            }
        }
        if (candidate.grounding_metadata.is_some() || candidate.url_context_metadata.is_some())
            && !state.grounding_reported
        {
            state.grounding_reported = true;
            warn_grounding();
        }
        for part in candidate.content.and_then(|c| c.parts).unwrap_or_default() {
            let details = part.signature_details();
            let name = details.as_ref().map(|_| stream_provider_name(parts));
            match part.kind() {
                WireKind::Text(text, _) if text.is_empty() && details.is_none() => {}
                WireKind::Text(text, true) => parts.handle_thinking_delta_with_details(
                    None,
                    Some(text),
                    None,
                    name.as_deref(),
                    details,
                )?,
                WireKind::Text(text, false) => {
                    parts.handle_text_delta_with_details(None, text, name.as_deref(), details)?;
                }
                WireKind::FunctionCall(call) => {
                    // Function calls arrive whole, each its own part.
                    let call = ToolCallPart {
                        provider_name: name,
                        provider_details: details,
                        ..call.to_part(raw)?
                    };
                    parts.handle_part(None, call.into());
                }
                WireKind::Unrepresented(kind) => warn_unrepresented(kind),
                WireKind::Unknown => return Err(unknown_part(raw)),
            }
        }
        Ok(())
    }
}

/// `block_reason`, `block_reason_message` and `safety_ratings` of a blocked prompt.
fn insert_block_details(
    details: &mut Map<String, Value>,
    feedback: &PromptFeedback,
    reason: &str,
    raw: &[u8],
) -> Result<()> {
    details.insert("block_reason".into(), Value::String(reason.to_owned()));
    if let Some(message) = feedback
        .block_reason_message
        .as_deref()
        .filter(|m| !m.is_empty())
    {
        details.insert(
            "block_reason_message".into(),
            Value::String(message.to_owned()),
        );
    }
    if let Some(ratings) = feedback.safety_ratings.as_deref().filter(|r| !r.is_empty()) {
        details.insert("safety_ratings".into(), ratings_value(ratings, raw)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Bodies written from the documented format (<https://ai.google.dev/api/generate-content>),
    //! not recorded traffic.

    use super::*;
    use crate::messages::{
        ModelRequest, ModelResponseStreamEvent, RetryPromptPart, SystemPromptPart,
        ToolReturnOutcome, ToolReturnPart, UserPromptPart,
    };
    use crate::models::{ModelRequestParameters, OutputObjectDefinition};
    use crate::providers::test_support::{kinds, prompt, request_json, run_stream, Streamed};
    #[allow(unused_imports)]
    use crate::providers::ResponseContext;
    use crate::settings::ToolChoice;
    use crate::tools::ToolDefinition;
    use serde_json::json;

    /// The provider name the tests give the protocol.
    const PROVIDER: &str = "google-gla";

    fn divide() -> ToolDefinition {
        ToolDefinition::new("divide")
            .with_description("Divide two numbers.")
            .with_parameters(json!({
                "title": "Divide",
                "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"]
            }))
    }

    fn body_with(
        model: &str,
        messages: &[ModelMessage],
        settings: &ModelSettings,
        parameters: &ModelRequestParameters,
    ) -> Result<Value> {
        request_json(
            &Gemini::new(),
            PROVIDER,
            model,
            messages,
            settings,
            parameters,
            false,
        )
    }

    fn body(messages: &[ModelMessage], parameters: &ModelRequestParameters) -> Value {
        body_with(
            "gemini-2.5-flash",
            messages,
            &ModelSettings::default(),
            parameters,
        )
        .unwrap()
    }

    fn with_tools(tools: Vec<ToolDefinition>) -> ModelRequestParameters {
        ModelRequestParameters {
            function_tools: tools,
            ..ModelRequestParameters::default()
        }
    }

    fn signature(value: &str) -> Option<Map<String, Value>> {
        let mut details = Map::new();
        details.insert(SIGNATURE_KEY.into(), json!(value));
        Some(details)
    }

    fn parse(body: Value) -> ModelResponse {
        Gemini::new()
            .parse_response(
                body.to_string().as_bytes(),
                &mut ResponseContext::new("gemini-2.5-flash", PROVIDER),
            )
            .unwrap()
    }

    /// Feeds `events` as SSE data; returns the response and the stream events.
    fn stream_with(parameters: &ModelRequestParameters, events: &[Value]) -> Result<Streamed> {
        let parts =
            PartsManager::new("gemini-2.5-flash", parameters).with_provider("google-gla", None);
        let data: Vec<String> = events.iter().map(Value::to_string).collect();
        run_stream(
            &Gemini::new(),
            parts,
            data.iter().map(|data| ("message", data.as_str())),
        )
    }

    fn stream(events: &[Value]) -> Streamed {
        stream_with(&ModelRequestParameters::default(), events).unwrap()
    }

    fn chunk(parts: Value, finish_reason: Option<&str>) -> Value {
        let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
        if let Some(reason) = finish_reason {
            candidate["finishReason"] = json!(reason);
        }
        json!({"candidates": [candidate], "modelVersion": "gemini-2.5-flash-001",
               "responseId": "resp-1"})
    }

    // -------------------------------------------------------------------------- requests

    #[test]
    fn text_prompt_body_is_the_documented_minimum() {
        assert_eq!(
            body(&prompt("Hello"), &ModelRequestParameters::default()),
            json!({
                "contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
                "generationConfig": {"responseModalities": ["TEXT"]}
            })
        );
    }

    #[test]
    fn endpoints_name_the_model_and_stream_as_sse() {
        let gemini = Gemini::new();
        assert_eq!(
            gemini.endpoint("gemini-2.0-flash", false),
            "models/gemini-2.0-flash:generateContent"
        );
        assert_eq!(
            gemini.endpoint("models/gemini-2.0-flash", true),
            "models/gemini-2.0-flash:streamGenerateContent?alt=sse"
        );
        assert_eq!(
            gemini.endpoint("tunedModels/my model", false),
            "tunedModels/my%20model:generateContent"
        );
    }

    #[test]
    fn system_prompts_and_instructions_go_to_the_system_instruction() {
        let first = ModelRequest::new(vec![
            SystemPromptPart::new("You are terse.").into(),
            UserPromptPart::new("Hi").into(),
        ])
        .with_instructions("old instructions");
        let second = ModelRequest::new(vec![
            SystemPromptPart::new("Answer in French.").into(),
            UserPromptPart::new("And now?").into(),
        ])
        .with_instructions("Be brief.");
        let messages = vec![
            first.into(),
            ModelResponse::new(vec![TextPart::new("Hello").into()]).into(),
            second.into(),
        ];
        let body = body(&messages, &ModelRequestParameters::default());
        assert_eq!(
            body["systemInstruction"],
            json!({"role": "user", "parts": [
                {"text": "You are terse."}, {"text": "Answer in French."}, {"text": "Be brief."}
            ]})
        );
        assert_eq!(
            body["contents"],
            json!([
                {"role": "user", "parts": [{"text": "Hi"}]},
                {"role": "model", "parts": [{"text": "Hello"}]},
                {"role": "user", "parts": [{"text": "And now?"}]}
            ])
        );
    }

    #[test]
    fn multimodal_user_content() {
        let mut video = BinaryContent::new(b"mp4".to_vec(), "video/mp4");
        video.vendor_metadata =
            json!({"fps": 2, "start_offset": "1s", "media_resolution": "MEDIA_RESOLUTION_LOW"})
                .as_object()
                .cloned();
        let mut youtube = FileUrl::new("https://www.youtube.com/watch?v=x");
        youtube.vendor_metadata = json!({"end_offset": "10s"}).as_object().cloned();
        let mut image = BinaryContent::new(b"\x89PNG".to_vec(), "image/png");
        image.vendor_metadata = json!({"media_resolution": {"level": "HIGH"}})
            .as_object()
            .cloned();
        let items = vec![
            UserContentItem::Text("Describe these".into()),
            image.into(),
            video.into(),
            UserContentItem::VideoUrl(youtube),
            UserContentItem::DocumentUrl(
                FileUrl::new("https://generativelanguage.googleapis.com/v1beta/files/abc-123")
                    .with_media_type("application/pdf"),
            ),
            UserContentItem::CachePoint(Default::default()),
            BinaryContent::new(b"a,b".to_vec(), "text/csv").into(),
        ];
        let messages = vec![ModelRequest::new(vec![UserPromptPart::new(items).into()]).into()];
        let body = body(&messages, &ModelRequestParameters::default());
        assert_eq!(
            body["contents"][0]["parts"],
            json!([
                {"text": "Describe these"},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="},
                 "mediaResolution": {"level": "HIGH"}},
                {"inlineData": {"mimeType": "video/mp4", "data": "bXA0"},
                 "mediaResolution": "MEDIA_RESOLUTION_LOW",
                 "videoMetadata": {"fps": 2, "startOffset": "1s"}},
                {"fileData": {"fileUri": "https://www.youtube.com/watch?v=x", "mimeType": "video/mp4"},
                 "videoMetadata": {"endOffset": "10s"}},
                {"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc-123",
                              "mimeType": "application/pdf"}},
                {"inlineData": {"mimeType": "text/csv", "data": "YSxi"}}
            ])
        );
    }

    #[test]
    fn urls_the_api_does_not_fetch_are_user_errors() {
        let mut forced = FileUrl::new("https://generativelanguage.googleapis.com/v1beta/files/x");
        forced.force_download = ForceDownload::Yes;
        for item in [
            UserContentItem::ImageUrl(FileUrl::new("https://example.com/cat.png")),
            UserContentItem::DocumentUrl(FileUrl::new("gs://bucket/report.pdf")),
            UserContentItem::AudioUrl(FileUrl::new("https://www.youtube.com/watch?v=x")),
            UserContentItem::DocumentUrl(forced),
        ] {
            let messages =
                vec![ModelRequest::new(vec![UserPromptPart::new(vec![item]).into()]).into()];
            let err = body_with(
                "gemini-2.5-flash",
                &messages,
                &ModelSettings::default(),
                &ModelRequestParameters::default(),
            )
            .unwrap_err();
            assert!(matches!(err, Error::User { .. }), "{err}");
            assert!(err.to_string().contains("BinaryContent"), "{err}");
        }
    }

    #[test]
    fn history_with_tool_calls_returns_and_retries() {
        let mut failed = ToolReturnPart::new("divide", "division by zero", "c2");
        failed.outcome = ToolReturnOutcome::Failed;
        let retry = RetryPromptPart {
            tool_name: Some("divide".into()),
            tool_call_id: "c3".into(),
            ..RetryPromptPart::new("b must not be 0")
        };
        let messages = vec![
            ModelRequest::user_text_prompt("What is 1/2, 3/0 and 5/0?").into(),
            ModelResponse::new(vec![
                ToolCallPart::new("divide", r#"{"a": 1, "b": 2}"#, "c1").into(),
                ToolCallPart::new(
                    "divide",
                    json!({"a": 3, "b": 0}).as_object().cloned().unwrap(),
                    "c2",
                )
                .into(),
                ToolCallPart {
                    args: None,
                    ..ToolCallPart::new("divide", "", "c3")
                }
                .into(),
            ])
            .into(),
            ModelRequest::new(vec![
                ToolReturnPart::new("divide", 0.5, "c1").into(),
                failed.into(),
                retry.into(),
                UserPromptPart::new("Thanks").into(),
                RetryPromptPart::new("Also give the unit.").into(),
            ])
            .into(),
        ];
        let body = body(&messages, &with_tools(vec![divide()]));
        assert_eq!(
            body["contents"],
            json!([
                {"role": "user", "parts": [{"text": "What is 1/2, 3/0 and 5/0?"}]},
                {"role": "model", "parts": [
                    {"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}, "id": "c1"},
                     "thoughtSignature": SKIP_SIGNATURE},
                    {"functionCall": {"name": "divide", "args": {"a": 3, "b": 0}, "id": "c2"}},
                    {"functionCall": {"name": "divide", "args": {}, "id": "c3"}}
                ]},
                {"role": "user", "parts": [
                    {"functionResponse": {"name": "divide", "response": {"return_value": 0.5}, "id": "c1"}},
                    {"functionResponse": {"name": "divide", "response": {"error": "division by zero"}, "id": "c2"}},
                    {"functionResponse": {"name": "divide",
                     "response": {"error": "b must not be 0\n\nFix the errors and try again."}, "id": "c3"}}
                ]},
                {"role": "user", "parts": [
                    {"text": "Thanks"},
                    {"text": "Validation feedback:\nAlso give the unit.\n\nFix the errors and try again."}
                ]}
            ])
        );
    }

    #[test]
    fn the_skip_signature_is_googles_documented_value() {
        use base64::Engine as _;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(SKIP_SIGNATURE)
            .unwrap();
        assert_eq!(decoded, b"skip_thought_signature_validator");
    }

    #[test]
    fn thought_signatures_go_back_in_their_parts_to_gemini_only() {
        let ours = ModelResponse {
            provider_name: Some("google-gla".into()),
            ..ModelResponse::new(vec![
                ThinkingPart {
                    provider_name: Some("google-gla".into()),
                    provider_details: signature("sig-think"),
                    ..ThinkingPart::new("Let me think.")
                }
                .into(),
                TextPart {
                    provider_name: Some("google-gla".into()),
                    provider_details: signature("sig-text"),
                    ..TextPart::new("Calling the tool.")
                }
                .into(),
                ToolCallPart {
                    provider_name: Some("google-gla".into()),
                    provider_details: signature("sig-call"),
                    ..ToolCallPart::new("divide", "{}", "c1")
                }
                .into(),
            ])
        };
        // pydantic-ai 2.x names the Gemini API `google`; an older history kept the signature
        // on the thinking part, for the part after it.
        let legacy = ModelResponse {
            provider_name: Some("google".into()),
            ..ModelResponse::new(vec![
                ThinkingPart {
                    signature: Some("sig-legacy".into()),
                    provider_name: Some("google".into()),
                    ..ThinkingPart::default()
                }
                .into(),
                TextPart::new("Done.").into(),
            ])
        };
        let other = ModelResponse {
            provider_name: Some("anthropic".into()),
            ..ModelResponse::new(vec![
                ThinkingPart {
                    signature: Some("anthropic-sig".into()),
                    provider_name: Some("anthropic".into()),
                    provider_details: signature("not-ours"),
                    ..ThinkingPart::new("Hmm.")
                }
                .into(),
                TextPart::new("Hi.").into(),
                ToolCallPart::new("divide", "{}", "c9").into(),
            ])
        };
        let messages = vec![
            ModelRequest::user_text_prompt("Go").into(),
            ours.into(),
            ModelRequest::user_text_prompt("Again").into(),
            legacy.into(),
            ModelRequest::user_text_prompt("Once more").into(),
            other.into(),
        ];
        let contents = body(&messages, &ModelRequestParameters::default())["contents"].clone();
        assert_eq!(
            contents[1],
            json!({"role": "model", "parts": [
                {"text": "Let me think.", "thought": true, "thoughtSignature": "sig-think"},
                {"text": "Calling the tool.", "thoughtSignature": "sig-text"},
                {"functionCall": {"name": "divide", "args": {}, "id": "c1"}, "thoughtSignature": "sig-call"}
            ]})
        );
        assert_eq!(
            contents[3],
            json!({"role": "model", "parts": [{"text": "Done.", "thoughtSignature": "sig-legacy"}]})
        );
        assert_eq!(
            contents[5],
            json!({"role": "model", "parts": [
                {"text": "Hmm.", "thought": true},
                {"text": "Hi."},
                {"functionCall": {"name": "divide", "args": {}, "id": "c9"}, "thoughtSignature": SKIP_SIGNATURE}
            ]})
        );
        // A signature that is not a string is a user error, not a silent drop.
        let bad = ModelResponse {
            provider_name: Some("google-gla".into()),
            ..ModelResponse::new(vec![TextPart {
                provider_details: Some(
                    json!({"thought_signature": 7})
                        .as_object()
                        .cloned()
                        .unwrap(),
                ),
                ..TextPart::new("x")
            }
            .into()])
        };
        let err = body_with(
            "gemini-2.5-flash",
            &[bad.into()],
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{err}");
    }

    #[test]
    fn a_history_starting_with_the_model_gets_an_empty_user_turn() {
        let messages = vec![
            ModelResponse::new(vec![TextPart::new("Welcome!").into()]).into(),
            ModelResponse::new(Vec::new()).into(),
        ];
        assert_eq!(
            body(&messages, &ModelRequestParameters::default())["contents"],
            json!([
                {"role": "user", "parts": [{"text": ""}]},
                {"role": "model", "parts": [{"text": "Welcome!"}]}
            ])
        );
    }

    #[test]
    fn tools_are_declared_with_gemini_schemas_and_validated_mode() {
        let output = ToolDefinition::new("final_result")
            .with_parameters(json!({"type": "object", "properties": {"x": {"type": "string", "format": "uuid"}}}))
            .into_output_tool();
        let parameters = ModelRequestParameters {
            function_tools: vec![divide()],
            output_tools: vec![output],
            allow_text_output: false,
            ..ModelRequestParameters::default()
        };
        let body = body(&prompt("x"), &parameters);
        assert_eq!(
            body["tools"],
            json!([{"functionDeclarations": [
                {"name": "divide", "description": "Divide two numbers.",
                 "parametersJsonSchema": {"type": "object",
                    "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                    "required": ["a", "b"]}},
                {"name": "final_result", "description": "",
                 "parametersJsonSchema": {"type": "object",
                    "properties": {"x": {"type": "string", "description": "Format: uuid"}}}}
            ]}])
        );
        // Text output not allowed: a tool must be called.
        assert_eq!(
            body["toolConfig"],
            json!({"functionCallingConfig": {"mode": "ANY"}})
        );

        let auto = |model: &str, tools: Vec<ToolDefinition>| {
            body_with(
                model,
                &prompt("x"),
                &ModelSettings::default(),
                &with_tools(tools),
            )
            .unwrap()["toolConfig"]
                .clone()
        };
        assert_eq!(
            auto("gemini-2.5-flash", vec![divide()]),
            json!({"functionCallingConfig": {"mode": "VALIDATED"}})
        );
        assert_eq!(
            auto("gemini-2.5-flash", vec![divide().with_strict(false)]),
            json!({"functionCallingConfig": {"mode": "AUTO"}})
        );
        assert_eq!(
            auto("gemini-2.0-flash", vec![divide()]),
            json!({"functionCallingConfig": {"mode": "AUTO"}})
        );
        assert!(body_with(
            "gemini-2.0-flash",
            &prompt("x"),
            &ModelSettings::default(),
            &ModelRequestParameters::default()
        )
        .unwrap()
        .get("toolConfig")
        .is_none());
    }

    #[test]
    fn tool_choice_maps_to_the_function_calling_config() {
        let add = ToolDefinition::new("add");
        let parameters = with_tools(vec![divide(), add]);
        let config = |choice: ToolChoice| {
            let settings = ModelSettings {
                tool_choice: Some(choice),
                ..ModelSettings::default()
            };
            let body = body_with("gemini-2.0-flash", &prompt("x"), &settings, &parameters).unwrap();
            let names: Vec<Value> = body["tools"][0]["functionDeclarations"]
                .as_array()
                .map(|d| d.iter().map(|d| d["name"].clone()).collect())
                .unwrap_or_default();
            (body["toolConfig"].clone(), names)
        };
        assert_eq!(
            config(ToolChoice::Required),
            (
                json!({"functionCallingConfig": {"mode": "ANY"}}),
                vec![json!("divide"), json!("add")]
            )
        );
        assert_eq!(
            config(ToolChoice::None),
            (
                json!({"functionCallingConfig": {"mode": "NONE"}}),
                vec![json!("divide"), json!("add")]
            )
        );
        assert_eq!(
            config(ToolChoice::Tools(vec!["add".into()])),
            (
                json!({"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["add"]}}),
                vec![json!("divide"), json!("add")]
            )
        );
        // AUTO takes no allowed names: only the chosen tools are declared.
        assert_eq!(
            config(ToolChoice::ToolOrOutput(vec!["add".into()])),
            (
                json!({"functionCallingConfig": {"mode": "AUTO"}}),
                vec![json!("add")]
            )
        );
        let settings = ModelSettings {
            tool_choice: Some(ToolChoice::Tools(vec!["nope".into()])),
            ..ModelSettings::default()
        };
        assert!(matches!(
            body_with("gemini-2.0-flash", &prompt("x"), &settings, &parameters),
            Err(Error::User { .. })
        ));
    }

    #[test]
    fn settings_map_to_the_generation_config() {
        let settings = ModelSettings {
            max_tokens: Some(100),
            temperature: Some(0.5),
            top_p: Some(0.9),
            top_k: Some(40),
            seed: Some(7),
            presence_penalty: Some(0.1),
            frequency_penalty: Some(0.2),
            stop_sequences: Some(vec!["END".into()]),
            service_tier: Some("flex".into()),
            // Not in the API: warned about, not sent.
            logit_bias: Some([("1".to_owned(), 5)].into()),
            parallel_tool_calls: Some(false),
            ..ModelSettings::default()
        };
        let body = body_with(
            "gemini-2.0-flash",
            &prompt("x"),
            &settings,
            &ModelRequestParameters::default(),
        )
        .unwrap();
        assert_eq!(
            body["generationConfig"],
            json!({"maxOutputTokens": 100, "temperature": 0.5, "topP": 0.9, "topK": 40,
                   "seed": 7, "presencePenalty": 0.1, "frequencyPenalty": 0.2,
                   "stopSequences": ["END"], "responseModalities": ["TEXT"]})
        );
        assert_eq!(body["serviceTier"], "flex");
        assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
        for (tier, sent) in [
            ("default", json!("standard")),
            ("priority", json!("priority")),
            ("auto", Value::Null),
            ("turbo", Value::Null),
        ] {
            let settings = ModelSettings {
                service_tier: Some(tier.into()),
                ..ModelSettings::default()
            };
            let body = body_with(
                "gemini-2.0-flash",
                &prompt("x"),
                &settings,
                &ModelRequestParameters::default(),
            )
            .unwrap();
            assert_eq!(
                body.get("serviceTier").cloned().unwrap_or(Value::Null),
                sent,
                "{tier}"
            );
        }
    }

    #[test]
    fn thinking_becomes_a_budget_or_a_level_by_model() {
        let config = |model: &str, thinking: Thinking| {
            let settings = ModelSettings {
                thinking: Some(thinking),
                ..ModelSettings::default()
            };
            body_with(
                model,
                &prompt("x"),
                &settings,
                &ModelRequestParameters::default(),
            )
            .unwrap()["generationConfig"]
                .get("thinkingConfig")
                .cloned()
        };
        assert_eq!(
            config("gemini-2.5-flash", Thinking::Enabled),
            Some(json!({"includeThoughts": true}))
        );
        assert_eq!(
            config("gemini-2.5-flash", Thinking::High),
            Some(json!({"includeThoughts": true, "thinkingBudget": 24576}))
        );
        assert_eq!(
            config("gemini-2.5-flash", Thinking::Disabled),
            Some(json!({"thinkingBudget": 0}))
        );
        assert_eq!(config("gemini-2.5-pro", Thinking::Disabled), None);
        assert_eq!(
            config("gemini-3-flash-preview", Thinking::Minimal),
            Some(json!({"includeThoughts": true, "thinkingLevel": "MINIMAL"}))
        );
        assert_eq!(
            config("gemini-3-flash-preview", Thinking::Disabled),
            Some(json!({"thinkingLevel": "MINIMAL"}))
        );
        assert_eq!(
            config("gemini-3-pro-preview", Thinking::Minimal),
            Some(json!({"includeThoughts": true, "thinkingLevel": "LOW"}))
        );
        assert_eq!(
            config("gemini-3-pro-preview", Thinking::XHigh),
            Some(json!({"includeThoughts": true, "thinkingLevel": "HIGH"}))
        );
        assert_eq!(config("gemini-2.0-flash", Thinking::High), None);
    }

    #[test]
    fn structured_output_uses_the_response_schema_or_json_mode() {
        let native = ModelRequestParameters {
            output_mode: OutputMode::Native,
            output_object: Some(OutputObjectDefinition {
                json_schema: json!({"title": "City", "type": "object",
                                    "properties": {"name": {"type": "string"}}}),
                name: Some("CityLocation".into()),
                description: Some("A city.".into()),
                strict: None,
            }),
            ..ModelRequestParameters::default()
        };
        let native_body = body(&prompt("x"), &native);
        assert_eq!(
            native_body["generationConfig"],
            json!({"responseMimeType": "application/json", "responseModalities": ["TEXT"],
                   "responseJsonSchema": {"type": "object", "properties": {"name": {"type": "string"}},
                                          "title": "CityLocation", "description": "A city."}})
        );
        let with_tool = ModelRequestParameters {
            function_tools: vec![divide()],
            ..native.clone()
        };
        let err = body_with(
            "gemini-2.5-flash",
            &prompt("x"),
            &ModelSettings::default(),
            &with_tool,
        )
        .unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{err}");
        assert!(body_with(
            "gemini-3-flash-preview",
            &prompt("x"),
            &ModelSettings::default(),
            &with_tool
        )
        .is_ok());

        let prompted = ModelRequestParameters {
            output_mode: OutputMode::Prompted,
            ..ModelRequestParameters::default()
        };
        assert_eq!(
            body(&prompt("x"), &prompted)["generationConfig"]["responseMimeType"],
            "application/json"
        );
        let prompted_with_tools = ModelRequestParameters {
            function_tools: vec![divide()],
            ..prompted
        };
        assert!(body(&prompt("x"), &prompted_with_tools)["generationConfig"]
            .get("responseMimeType")
            .is_none());
        let image = ModelRequestParameters {
            output_mode: OutputMode::Image,
            ..ModelRequestParameters::default()
        };
        assert!(matches!(
            body_with(
                "gemini-2.5-flash",
                &prompt("x"),
                &ModelSettings::default(),
                &image
            ),
            Err(Error::User { .. })
        ));
    }

    // -------------------------------------------------------------------------- responses

    #[test]
    fn parses_thoughts_text_function_calls_usage_and_details() {
        let response = parse(json!({
            "candidates": [{
                "content": {"role": "model", "parts": [
                    {"text": "Thinking about it.", "thought": true},
                    {"text": "Let me divide.", "thoughtSignature": "c2lnLTE="},
                    {"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}}},
                    {"functionCall": {"name": "divide", "args": {"a": 3, "b": 4}, "id": "call-2"}},
                    {"text": ""}
                ]},
                "finishReason": "STOP",
                "index": 0,
                "safetyRatings": []
            }],
            "usageMetadata": {
                "promptTokenCount": 100, "candidatesTokenCount": 20, "thoughtsTokenCount": 30,
                "cachedContentTokenCount": 40, "toolUsePromptTokenCount": 5, "totalTokenCount": 155,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 90}, {"modality": "AUDIO", "tokenCount": 10}],
                "cacheTokensDetails": [{"modality": "AUDIO", "tokenCount": 4}, {"modality": "TEXT"}],
                "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 20}]
            },
            "modelVersion": "gemini-2.5-flash-001",
            "responseId": "resp-1"
        }));
        assert_eq!(response.parts.len(), 4);
        assert_eq!(
            response.parts[0],
            ThinkingPart::new("Thinking about it.").into()
        );
        assert_eq!(
            response.parts[1],
            TextPart {
                provider_name: Some("google-gla".into()),
                provider_details: signature("c2lnLTE="),
                ..TextPart::new("Let me divide.")
            }
            .into()
        );
        let calls = response.tool_calls();
        assert!(
            calls[0].tool_call_id.starts_with("pyd_ai_"),
            "{:?}",
            calls[0]
        );
        assert_eq!(
            calls[0].args,
            Some(ToolArgs::Object(
                json!({"a": 1, "b": 2}).as_object().cloned().unwrap()
            ))
        );
        assert_eq!(calls[1].tool_call_id, "call-2");
        assert_eq!(response.model_name.as_deref(), Some("gemini-2.5-flash-001"));
        assert_eq!(response.provider_response_id.as_deref(), Some("resp-1"));
        assert_eq!(response.finish_reason, Some(FinishReason::Stop));
        assert_eq!(
            response.provider_details,
            json!({"finish_reason": "STOP"}).as_object().cloned()
        );
        let usage = &response.usage;
        assert_eq!(
            (
                usage.requests,
                usage.request_tokens,
                usage.response_tokens,
                usage.total_tokens
            ),
            (1, 105, 50, 155)
        );
        assert_eq!(
            (
                usage.cache_read_tokens,
                usage.input_audio_tokens,
                usage.cache_audio_read_tokens
            ),
            (40, 10, 4)
        );
        assert_eq!(
            serde_json::to_value(&usage.details).unwrap(),
            json!({"cached_content_tokens": 40, "thoughts_tokens": 30, "tool_use_prompt_tokens": 5,
                   "text_prompt_tokens": 90, "audio_prompt_tokens": 10, "audio_cache_tokens": 4,
                   "text_candidates_tokens": 20})
        );
    }

    #[test]
    fn safety_stops_and_blocked_prompts_are_content_filtered() {
        let response = parse(json!({
            "candidates": [{"content": {}, "finishReason": "SAFETY", "safetyRatings": [
                {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "LOW", "blocked": true}
            ]}],
            "usageMetadata": {"promptTokenCount": 14, "totalTokenCount": 14}
        }));
        assert!(response.parts.is_empty());
        assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
        assert_eq!(response.model_name.as_deref(), Some("gemini-2.5-flash"));
        assert_eq!(
            Value::Object(response.provider_details.unwrap()),
            json!({"finish_reason": "SAFETY", "safety_ratings": [
                {"blocked": true, "category": "HARM_CATEGORY_HATE_SPEECH", "overwrittenThreshold": null,
                 "probability": "LOW", "probabilityScore": null, "severity": null, "severityScore": null}
            ]})
        );

        let blocked = parse(json!({
            "promptFeedback": {"blockReason": "PROHIBITED_CONTENT", "blockReasonMessage": "no",
                               "safetyRatings": [{"category": "X", "probability": "HIGH", "extra": 1}]},
            "usageMetadata": {"promptTokenCount": 3},
            "responseId": "r"
        }));
        assert!(blocked.parts.is_empty());
        assert_eq!(blocked.finish_reason, Some(FinishReason::ContentFilter));
        let details = blocked.provider_details.unwrap();
        assert_eq!(details["block_reason"], "PROHIBITED_CONTENT");
        assert_eq!(details["block_reason_message"], "no");
        assert_eq!(details["safety_ratings"][0]["extra"], 1);

        for (raw, mapped) in [
            ("MAX_TOKENS", Some(FinishReason::Length)),
            ("MALFORMED_FUNCTION_CALL", Some(FinishReason::Error)),
            ("RECITATION", Some(FinishReason::ContentFilter)),
            ("OTHER", None),
            ("SOMETHING_NEW", None),
        ] {
            let response = parse(json!({"candidates": [{"finishReason": raw}]}));
            assert_eq!(response.finish_reason, mapped, "{raw}");
            assert_eq!(response.provider_details.unwrap()["finish_reason"], raw);
        }
    }

    #[test]
    fn unrepresented_parts_are_left_out_and_unknown_ones_are_errors() {
        let response = parse(json!({"candidates": [{
            "content": {"parts": [
                {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
                {"inlineData": {"mimeType": "image/png", "data": "AA=="}},
                {"text": "1"}
            ]},
            "finishReason": "STOP",
            "groundingMetadata": {"webSearchQueries": ["x"]}
        }]}));
        assert_eq!(response.parts, [TextPart::new("1").into()]);

        let gemini = Gemini::new();
        for bad in [
            json!({"candidates": [{"content": {"parts": [{"somethingNew": {}}]}}]}),
            json!({"candidates": [{"content": {"parts": [{"thoughtSignature": "c2ln"}]}}]}),
            json!({"candidates": [{"content": {"parts": [{"functionCall": {"args": {}}}]}}]}),
        ] {
            let raw = bad.to_string();
            let err = gemini
                .parse_response(raw.as_bytes(), &mut ResponseContext::new("m", PROVIDER))
                .unwrap_err();
            let Error::UnexpectedModelBehavior { body, .. } = &err else {
                panic!("{err:?}")
            };
            assert_eq!(body.as_deref(), Some(raw.as_str()));
        }
    }

    #[test]
    fn malformed_and_error_bodies_are_typed_errors() {
        let gemini = Gemini::new();
        let err = gemini
            .parse_response(
                b"{\"candidates\": [",
                &mut ResponseContext::new("m", PROVIDER),
            )
            .unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { body: Some(ref b), .. } if b == "{\"candidates\": ["),
            "{err:?}"
        );
        let err = gemini
            .parse_response(b"\xff\xfe", &mut ResponseContext::new("m", PROVIDER))
            .unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{err:?}"
        );
        let err = gemini
            .parse_response(br#"{"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": [1]}}]}}]}"#, &mut ResponseContext::new("m", PROVIDER))
            .unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{err:?}"
        );
        let overloaded = br#"{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}"#;
        let err = gemini
            .parse_response(
                overloaded,
                &mut ResponseContext::new("gemini-2.5-flash", PROVIDER),
            )
            .unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert!(err.is_retryable());
        let err = gemini
            .parse_response(
                br#"{"error": {"message": "odd", "status": "INTERNAL"}}"#,
                &mut ResponseContext::new("m", PROVIDER),
            )
            .unwrap_err();
        assert!(err.to_string().contains("odd (INTERNAL)"), "{err}");
    }

    // -------------------------------------------------------------------------- streams

    #[test]
    fn streams_text_and_cumulative_usage() {
        let mut first = chunk(json!([{"text": "Hello"}]), None);
        first["usageMetadata"] = json!({"promptTokenCount": 10, "candidatesTokenCount": 1,
                                        "cachedContentTokenCount": 8,
                                        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}]});
        let mut last = chunk(json!([{"text": ", world"}]), Some("STOP"));
        // The cached count is missing from the later snapshot: it is kept.
        last["usageMetadata"] = json!({"promptTokenCount": 10, "candidatesTokenCount": 3});
        let (response, events) = stream(&[first, last]);
        assert_eq!(kinds(&events), ["start0", "final", "delta0", "end0"]);
        assert_eq!(response.text(), "Hello, world");
        assert_eq!(response.model_name.as_deref(), Some("gemini-2.5-flash-001"));
        assert_eq!(response.provider_response_id.as_deref(), Some("resp-1"));
        assert_eq!(response.finish_reason, Some(FinishReason::Stop));
        let usage = &response.usage;
        assert_eq!(
            (
                usage.requests,
                usage.request_tokens,
                usage.response_tokens,
                usage.cache_read_tokens
            ),
            (1, 10, 3, 8)
        );
        assert_eq!(usage.details["text_prompt_tokens"], 10);
        assert_eq!(usage.details["cached_content_tokens"], 8);
    }

    #[test]
    fn streams_thoughts_then_text_with_signatures() {
        let (response, events) = stream(&[
            chunk(json!([{"text": "Hmm, ", "thought": true}]), None),
            chunk(json!([{"text": "division.", "thought": true}]), None),
            chunk(
                json!([{"text": "The answer", "thoughtSignature": "c2lnLTE="}]),
                None,
            ),
            chunk(json!([{"text": " is 0.5."}]), None),
            // A later signature on empty text: merged into the part, as pydantic-ai does.
            chunk(
                json!([{"text": "", "thoughtSignature": "c2lnLTI="}]),
                Some("STOP"),
            ),
        ]);
        assert_eq!(
            kinds(&events),
            ["start0", "delta0", "end0", "start1", "final", "delta1", "delta1", "end1"]
        );
        assert_eq!(
            response.parts[0],
            ThinkingPart::new("Hmm, division.").into()
        );
        assert_eq!(
            response.parts[1],
            TextPart {
                provider_name: Some("google-gla".into()),
                provider_details: signature("c2lnLTI="),
                ..TextPart::new("The answer is 0.5.")
            }
            .into()
        );
        let ModelResponseStreamEvent::PartDelta(last) = &events[6] else {
            panic!("{events:?}")
        };
        assert_eq!(
            serde_json::to_value(&last.delta).unwrap(),
            json!({"content_delta": "", "provider_name": null,
                   "provider_details": {"thought_signature": "c2lnLTI="}, "part_delta_kind": "text"})
        );
    }

    #[test]
    fn streamed_function_calls_arrive_whole() {
        let parameters = ModelRequestParameters {
            function_tools: vec![divide()],
            output_tools: vec![ToolDefinition::new("final_result").into_output_tool()],
            allow_text_output: false,
            ..ModelRequestParameters::default()
        };
        let (response, events) = stream_with(
            &parameters,
            &[chunk(
                json!([
                    {"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}}, "thoughtSignature": "c2ln"},
                    {"functionCall": {"name": "final_result", "args": {}, "id": "out-1"}}
                ]),
                Some("STOP"),
            )],
        )
        .unwrap();
        assert_eq!(
            kinds(&events),
            ["start0", "end0", "start1", "final", "end1"]
        );
        let calls = response.tool_calls();
        assert_eq!(calls[0].provider_name.as_deref(), Some("google-gla"));
        assert_eq!(calls[0].provider_details, signature("c2ln"));
        assert!(calls[0].tool_call_id.starts_with("pyd_ai_"));
        assert_eq!(calls[1].tool_call_id, "out-1");
    }

    #[test]
    fn a_stream_without_a_finish_reason_is_truncated() {
        let err = stream_with(
            &ModelRequestParameters::default(),
            &[chunk(json!([{"text": "Hel"}]), None)],
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn blocked_prompts_and_errors_in_streams() {
        let (response, events) = stream(&[json!({
            "promptFeedback": {"blockReason": "SAFETY"},
            "usageMetadata": {"promptTokenCount": 5},
            "responseId": "r-9"
        })]);
        assert!(events.is_empty());
        assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
        assert_eq!(response.provider_details.unwrap()["block_reason"], "SAFETY");
        assert_eq!(response.provider_response_id.as_deref(), Some("r-9"));

        let err = stream_with(
            &ModelRequestParameters::default(),
            &[
                chunk(json!([{"text": "Hi"}]), None),
                json!({"error": {"code": 500, "message": "Internal error", "status": "INTERNAL"}}),
            ],
        )
        .unwrap_err();
        assert_eq!(err.status(), Some(500));

        let protocol = Gemini::new();
        let mut parts = PartsManager::new("m", &ModelRequestParameters::default());
        let mut state = GeminiStreamState::default();
        let event = crate::providers::RawEvent::new("message", "{\"candidates\": [");
        let err =
            crate::providers::apply_event(&protocol, event, &mut state, &mut parts).unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { body: Some(ref b), .. } if b == "{\"candidates\": [")
        );
    }

    #[test]
    fn streamed_and_whole_responses_are_equal() {
        let events = [
            chunk(
                json!([{"text": "Weighing it.", "thought": true, "thoughtSignature": "c2lnLTA="}]),
                None,
            ),
            chunk(
                json!([{"text": "Half", "thoughtSignature": "c2lnLTE="}]),
                None,
            ),
            chunk(json!([{"text": " of one."}]), None),
            {
                let mut last = chunk(
                    json!([{"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}, "id": "c1"}}]),
                    Some("STOP"),
                );
                last["usageMetadata"] = json!({"promptTokenCount": 9, "candidatesTokenCount": 4,
                                               "thoughtsTokenCount": 2});
                last
            },
        ];
        let whole = json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "Weighing it.", "thought": true, "thoughtSignature": "c2lnLTA="},
                {"text": "Half of one.", "thoughtSignature": "c2lnLTE="},
                {"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}, "id": "c1"}}
            ]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 4, "thoughtsTokenCount": 2},
            "modelVersion": "gemini-2.5-flash-001",
            "responseId": "resp-1"
        });
        let (streamed, _) = stream(&events);
        let parsed = parse(whole);
        let comparable = |mut r: ModelResponse| {
            r.timestamp = chrono::DateTime::UNIX_EPOCH;
            r.provider_name = None;
            r.provider_url = None;
            r
        };
        assert_eq!(comparable(streamed), comparable(parsed));
    }

    // -------------------------------------------------------------------------- the host

    #[test]
    fn the_host_reads_both_key_variables_and_names_them_when_missing() {
        let err = GoogleGla::builder().build_with_env(|_| None).unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{err}");
        let message = err.to_string();
        assert!(
            message.contains("GEMINI_API_KEY or GOOGLE_API_KEY"),
            "{message}"
        );

        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let provider = GoogleGla::builder()
            .build_with_env(env(&[("GOOGLE_API_KEY", "g-key")]))
            .unwrap();
        assert!(provider.has_api_key());
        assert_eq!(provider.name(), "google-gla");
        assert_eq!(
            provider.base_url(),
            "https://generativelanguage.googleapis.com/v1beta"
        );
        assert!(!format!("{provider:?}").contains("g-key"));
        let provider = GoogleGla::builder()
            .build_with_env(env(&[
                ("GEMINI_API_KEY", "k"),
                ("GEMINI_BASE_URL", "http://127.0.0.1:9/v1beta/"),
            ]))
            .unwrap();
        assert_eq!(provider.base_url(), "http://127.0.0.1:9/v1beta");
        assert!(crate::models::known_providers().contains(&"google-gla"));
        assert!(crate::models::known_providers().contains(&"google"));
    }
}
