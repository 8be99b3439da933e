//! The Gemini API's wire format: the request body this protocol writes and the
//! `GenerateContentResponse` it reads (whole or as one stream event), as serde types only.
//! What fills them is in `request.rs`, what reads them in `response.rs` and `stream.rs`.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::providers::common::CowStr;

mod seed;

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `generateContent` and `streamGenerateContent`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GenerateContentRequest<'a> {
    pub(super) contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) system_instruction: Option<Content<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tool_config: Option<ToolConfig<'a>>,
    pub(super) generation_config: GenerationConfig<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_tier: Option<&'static str>,
}

/// A turn: `user` or `model`, and its parts.
#[derive(Serialize)]
pub(super) struct Content<'a> {
    pub(super) role: &'static str,
    pub(super) parts: Vec<Part<'a>>,
}

/// One part of a turn, with the signature and media options it carries.
pub(super) struct Part<'a> {
    pub(super) data: PartData<'a>,
    pub(super) thought_signature: Option<&'a str>,
    pub(super) media_resolution: Option<&'a Value>,
    pub(super) video_metadata: Option<Map<String, Value>>,
}

/// What a part carries: exactly one of these.
pub(super) enum PartData<'a> {
    Text {
        text: Cow<'a, str>,
        thought: bool,
    },
    InlineData(Blob),
    FileData(FileData<'a>),
    FunctionCall(FunctionCall<'a>),
    FunctionResponse(FunctionResponse<'a>),
    /// A built-in tool's part sent back as it came (`executableCode`, `codeExecutionResult`,
    /// `toolCall`, `toolResponse`): its field name and value.
    Builtin(&'static str, Value),
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
            PartData::Builtin(field, value) => map.serialize_entry(field, value)?,
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

/// Bytes sent inline (`inlineData`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Blob {
    pub(super) mime_type: String,
    /// Base64.
    pub(super) data: String,
}

/// A file the API fetches itself (`fileData`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FileData<'a> {
    pub(super) file_uri: &'a str,
    pub(super) mime_type: String,
}

/// A function call of an earlier `model` turn, sent back.
#[derive(Serialize)]
pub(super) struct FunctionCall<'a> {
    pub(super) name: &'a str,
    pub(super) args: Map<String, Value>,
    pub(super) id: &'a str,
}

/// A tool's return (or a retry prompt for it), sent as `functionResponse`.
#[derive(Serialize)]
pub(super) struct FunctionResponse<'a> {
    pub(super) name: &'a str,
    pub(super) response: Map<String, Value>,
    pub(super) id: &'a str,
}

/// A tool entry: the function declarations, or one built-in tool.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Tool<'a> {
    /// The function tools.
    FunctionDeclarations(Vec<FunctionDeclaration<'a>>),
    /// Google Search (`WebSearchTool`).
    GoogleSearch(Empty),
    /// URL context (`WebFetchTool`).
    UrlContext(Empty),
    /// Code execution (`CodeExecutionTool`).
    CodeExecution(Empty),
    /// File search over file search stores (`FileSearchTool`), spelled as google-genai sends
    /// it (and Google's REST examples write it).
    FileSearch {
        file_search_store_names: &'a [String],
    },
}

/// An empty configuration object (`{}`).
#[derive(Serialize)]
pub(super) struct Empty {}

/// `generationConfig.imageConfig`: the image generation options.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct ImageConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) aspect_ratio: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) image_size: Option<&'a str>,
    /// Vertex AI only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) image_output_options: Option<ImageOutputOptions>,
}

/// Vertex AI's output format of generated images.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ImageOutputOptions {
    pub(super) mime_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) compression_quality: Option<u8>,
}

/// One function tool.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FunctionDeclaration<'a> {
    pub(super) name: &'a str,
    pub(super) description: &'a str,
    pub(super) parameters_json_schema: Value,
}

/// `toolConfig`: how the model may call functions, and whether built-in tools' calls come
/// back as parts.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) function_calling_config: Option<FunctionCallingConfig<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) include_server_side_tool_invocations: Option<bool>,
}

/// The function-calling mode (`AUTO`, `VALIDATED`, `ANY`, `NONE`) and the functions allowed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FunctionCallingConfig<'a> {
    pub(super) mode: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) allowed_function_names: Vec<&'a str>,
}

/// `generationConfig`: the sampling settings, thinking and the output format.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GenerationConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) top_k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) stop_sequences: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) presence_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) frequency_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) thinking_config: Option<ThinkingConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) response_mime_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) response_json_schema: Option<Value>,
    pub(super) response_modalities: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) image_config: Option<ImageConfig<'a>>,
}

/// `thinkingConfig`: a thinking budget (Gemini 2.5) or level (Gemini 3).
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct ThinkingConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) include_thoughts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) thinking_budget: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) thinking_level: Option<&'static str>,
}

// ---------------------------------------------------------------------------------------------
// Responses and stream events
// ---------------------------------------------------------------------------------------------

/// A `GenerateContentResponse`, whole or one event of a stream: its `ResponseFields` behind
/// one box, which the hand-written deserializer in `wire/seed.rs` fills in place. Each field
/// is written once into its place, and what the stream driver moves per event is a pointer
/// (the fields inline were ~310 bytes, copied by `memcpy` five times per event).
#[derive(Default)]
pub struct WireResponse<'a>(pub(super) Box<ResponseFields<'a>>);

/// The fields of a [`WireResponse`]: the first candidate inline (no `Vec` for the one
/// candidate a response has) and the usage as a compact [`UsageMetadata`] (no allocation for
/// the counts every stream event repeats).
#[derive(Default)]
pub(super) struct ResponseFields<'a> {
    /// The first candidate (the later ones are read, so that a malformed one is an error,
    /// and dropped: only the first is used).
    pub(super) candidates: Option<WireCandidate<'a>>,
    pub(super) prompt_feedback: Option<Box<PromptFeedback>>,
    pub(super) usage_metadata: Option<UsageMetadata<'a>>,
    pub(super) model_version: Option<CowStr<'a>>,
    pub(super) response_id: Option<CowStr<'a>>,
    /// Vertex AI's only; kept as `provider_details["timestamp"]` when present.
    pub(super) create_time: Option<CowStr<'a>>,
    /// An error reported in a 200 body or inside a stream.
    pub(super) error: Option<Box<WireError>>,
}

/// A candidate of a response (only the first is read), read by hand (`wire/seed.rs`): the
/// first in its place in the response.
#[derive(Default)]
pub(super) struct WireCandidate<'a> {
    pub(super) content: Option<WireContent<'a>>,
    pub(super) finish_reason: Option<CowStr<'a>>,
    pub(super) safety_ratings: Option<Vec<SafetyRating>>,
    pub(super) avg_logprobs: Option<f64>,
    pub(super) logprobs_result: Option<Box<Value>>,
    pub(super) grounding_metadata: Option<Box<GroundingMetadata>>,
    pub(super) url_context_metadata: Option<Box<UrlContextMetadata>>,
}

/// What a built-in tool grounded the answer on: search queries and the chunks retrieved (web
/// pages, file search contexts). Kept as JSON: the fields vary.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct GroundingMetadata {
    pub(super) web_search_queries: Option<Vec<Value>>,
    pub(super) grounding_chunks: Option<Vec<GroundingChunk>>,
}

/// One grounding chunk: a web page or a retrieved context.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct GroundingChunk {
    pub(super) web: Option<Map<String, Value>>,
    pub(super) retrieved_context: Option<Map<String, Value>>,
}

/// The URLs URL context fetched.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct UrlContextMetadata {
    pub(super) url_metadata: Option<Vec<Map<String, Value>>>,
}

/// A candidate's `logprobsResult`, read in the API's camelCase and written into
/// `provider_details["logprobs"]` with google-genai's snake_case names (as pydantic-ai keeps
/// it), absent fields as `null`.
#[derive(Deserialize, Serialize)]
#[serde(rename_all(deserialize = "camelCase", serialize = "snake_case"))]
pub(super) struct LogprobsResult {
    #[serde(default)]
    pub(super) chosen_candidates: Option<Vec<LogprobsCandidate>>,
    #[serde(default)]
    pub(super) top_candidates: Option<Vec<TopCandidates>>,
    #[serde(default)]
    pub(super) log_probability_sum: Option<f64>,
}

/// One token and its log probability.
#[derive(Deserialize, Serialize)]
#[serde(rename_all(deserialize = "camelCase", serialize = "snake_case"))]
pub(super) struct LogprobsCandidate {
    #[serde(default)]
    pub(super) log_probability: Option<f64>,
    #[serde(default)]
    pub(super) token: Option<String>,
    #[serde(default)]
    pub(super) token_id: Option<i64>,
}

/// The most likely tokens at one step.
#[derive(Deserialize, Serialize)]
pub(super) struct TopCandidates {
    #[serde(default)]
    pub(super) candidates: Option<Vec<LogprobsCandidate>>,
}

/// A candidate's content.
#[derive(Deserialize, Default)]
pub(super) struct WireContent<'a> {
    #[serde(borrow)]
    pub(super) parts: Option<Vec<WirePart<'a>>>,
}

/// A part of a candidate: one of its data fields is set. All but text are boxed: a stream's
/// parts are nearly all text, and a part this size is built and moved for each. Read by hand
/// (`wire/seed.rs`).
#[derive(Default)]
pub(super) struct WirePart<'a> {
    pub(super) text: Option<CowStr<'a>>,
    pub(super) thought: Option<bool>,
    pub(super) thought_signature: Option<CowStr<'a>>,
    pub(super) function_call: Option<Box<WireFunctionCall<'a>>>,
    pub(super) executable_code: Option<Box<Map<String, Value>>>,
    pub(super) code_execution_result: Option<Box<Map<String, Value>>>,
    pub(super) inline_data: Option<Box<WireBlob<'a>>>,
    pub(super) file_data: Option<IgnoredAny>,
    pub(super) tool_call: Option<Box<WireToolCall<'a>>>,
    pub(super) tool_response: Option<Box<WireToolResponse<'a>>>,
}

/// Bytes in a response (a generated image), base64.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WireBlob<'a> {
    #[serde(borrow)]
    pub(super) mime_type: Option<CowStr<'a>>,
    #[serde(borrow)]
    pub(super) data: Option<CowStr<'a>>,
}

/// A built-in tool's call, when `includeServerSideToolInvocations` asks for them.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WireToolCall<'a> {
    #[serde(borrow)]
    pub(super) id: Option<CowStr<'a>>,
    #[serde(borrow)]
    pub(super) tool_type: Option<CowStr<'a>>,
    pub(super) args: Option<Map<String, Value>>,
}

/// A built-in tool's result, when `includeServerSideToolInvocations` asks for them.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WireToolResponse<'a> {
    #[serde(borrow)]
    pub(super) id: Option<CowStr<'a>>,
    #[serde(borrow)]
    pub(super) tool_type: Option<CowStr<'a>>,
    pub(super) response: Option<Map<String, Value>>,
}

/// A function call the model makes.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WireFunctionCall<'a> {
    #[serde(borrow)]
    pub(super) name: Option<CowStr<'a>>,
    pub(super) args: Option<Map<String, Value>>,
    #[serde(borrow)]
    pub(super) id: Option<CowStr<'a>>,
}

/// A safety rating, kept in `provider_details` with the fields pydantic-ai writes (absent
/// ones as `null`) and any other the API sends.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SafetyRating {
    #[serde(default)]
    pub(super) blocked: Option<bool>,
    #[serde(default)]
    pub(super) category: Option<String>,
    #[serde(default)]
    pub(super) overwritten_threshold: Option<String>,
    #[serde(default)]
    pub(super) probability: Option<String>,
    #[serde(default)]
    pub(super) probability_score: Option<f64>,
    #[serde(default)]
    pub(super) severity: Option<String>,
    #[serde(default)]
    pub(super) severity_score: Option<f64>,
    #[serde(flatten)]
    pub(super) other: Map<String, Value>,
}

/// Why the prompt was blocked, when it was.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PromptFeedback {
    pub(super) block_reason: Option<String>,
    pub(super) block_reason_message: Option<String>,
    pub(super) safety_ratings: Option<Vec<SafetyRating>>,
}

/// The token counts of a response (cumulative in a stream), read by hand (`wire/seed.rs`):
/// the counts inline, the rarer per-modality lists behind one box, the traffic type
/// borrowed.
#[derive(Default)]
pub(super) struct UsageMetadata<'a> {
    pub(super) prompt_token_count: Option<u64>,
    pub(super) candidates_token_count: Option<u64>,
    pub(super) cached_content_token_count: Option<u64>,
    pub(super) thoughts_token_count: Option<u64>,
    pub(super) tool_use_prompt_token_count: Option<u64>,
    /// The per-modality lists, when any came.
    pub(super) lists: Option<Box<ModalityLists>>,
    /// Vertex AI's (on every event).
    pub(super) traffic_type: Option<CowStr<'a>>,
}

/// The per-modality token counts of a [`UsageMetadata`].
#[derive(Default)]
pub(super) struct ModalityLists {
    pub(super) prompt_tokens_details: Option<Vec<ModalityTokenCount>>,
    pub(super) cache_tokens_details: Option<Vec<ModalityTokenCount>>,
    pub(super) candidates_tokens_details: Option<Vec<ModalityTokenCount>>,
    pub(super) tool_use_prompt_tokens_details: Option<Vec<ModalityTokenCount>>,
}

/// A token count of one modality (`TEXT`, `AUDIO`, `IMAGE`…).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct ModalityTokenCount {
    pub(super) modality: Option<String>,
    pub(super) token_count: Option<u64>,
}

/// An `error` object: in a 200 body or inside a stream.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WireError {
    pub(super) code: Option<i64>,
    pub(super) message: Option<String>,
    pub(super) status: Option<String>,
}
