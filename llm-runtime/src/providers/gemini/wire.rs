//! The Gemini API's wire format: the request body this protocol writes and the
//! `GenerateContentResponse` it reads (whole or as one stream event), as serde types only.
//! What fills them is in `request.rs`, what reads them in `response.rs` and `stream.rs`.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::providers::common::CowStr;

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
    Text { text: Cow<'a, str>, thought: bool },
    InlineData(Blob),
    FileData(FileData<'a>),
    FunctionCall(FunctionCall<'a>),
    FunctionResponse(FunctionResponse<'a>),
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

/// The one tool entry that declares the function tools.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Tool<'a> {
    pub(super) function_declarations: Vec<FunctionDeclaration<'a>>,
}

/// One function tool.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FunctionDeclaration<'a> {
    pub(super) name: &'a str,
    pub(super) description: &'a str,
    pub(super) parameters_json_schema: Value,
}

/// `toolConfig`: how the model may call functions.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolConfig<'a> {
    pub(super) function_calling_config: FunctionCallingConfig<'a>,
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
    pub(super) response_modalities: [&'static str; 1],
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

/// A `GenerateContentResponse`, whole or one event of a stream.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct WireResponse<'a> {
    #[serde(borrow)]
    pub(super) candidates: Option<Vec<WireCandidate<'a>>>,
    pub(super) prompt_feedback: Option<PromptFeedback>,
    pub(super) usage_metadata: Option<UsageMetadata>,
    #[serde(borrow)]
    pub(super) model_version: Option<CowStr<'a>>,
    #[serde(borrow)]
    pub(super) response_id: Option<CowStr<'a>>,
    /// Vertex AI's only; kept as `provider_details["timestamp"]` when present.
    #[serde(borrow)]
    pub(super) create_time: Option<CowStr<'a>>,
    /// An error reported in a 200 body or inside a stream.
    pub(super) error: Option<WireError>,
}

/// A candidate of a response (only the first is read).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WireCandidate<'a> {
    #[serde(borrow)]
    pub(super) content: Option<WireContent<'a>>,
    #[serde(borrow)]
    pub(super) finish_reason: Option<CowStr<'a>>,
    pub(super) safety_ratings: Option<Vec<SafetyRating>>,
    pub(super) avg_logprobs: Option<f64>,
    pub(super) logprobs_result: Option<Value>,
    pub(super) grounding_metadata: Option<IgnoredAny>,
    pub(super) url_context_metadata: Option<IgnoredAny>,
}

/// A candidate's content.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WireContent<'a> {
    #[serde(borrow)]
    pub(super) parts: Option<Vec<WirePart<'a>>>,
}

/// A part of a candidate: one of its data fields is set.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct WirePart<'a> {
    #[serde(borrow)]
    pub(super) text: Option<CowStr<'a>>,
    pub(super) thought: Option<bool>,
    #[serde(borrow)]
    pub(super) thought_signature: Option<CowStr<'a>>,
    #[serde(borrow)]
    pub(super) function_call: Option<WireFunctionCall<'a>>,
    pub(super) executable_code: Option<IgnoredAny>,
    pub(super) code_execution_result: Option<IgnoredAny>,
    pub(super) inline_data: Option<IgnoredAny>,
    pub(super) file_data: Option<IgnoredAny>,
    pub(super) tool_call: Option<IgnoredAny>,
    pub(super) tool_response: Option<IgnoredAny>,
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

/// The token counts of a response (cumulative in a stream).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct UsageMetadata {
    pub(super) prompt_token_count: Option<u64>,
    pub(super) candidates_token_count: Option<u64>,
    pub(super) cached_content_token_count: Option<u64>,
    pub(super) thoughts_token_count: Option<u64>,
    pub(super) tool_use_prompt_token_count: Option<u64>,
    pub(super) prompt_tokens_details: Option<Vec<ModalityTokenCount>>,
    pub(super) cache_tokens_details: Option<Vec<ModalityTokenCount>>,
    pub(super) candidates_tokens_details: Option<Vec<ModalityTokenCount>>,
    pub(super) tool_use_prompt_tokens_details: Option<Vec<ModalityTokenCount>>,
    pub(super) traffic_type: Option<String>,
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
