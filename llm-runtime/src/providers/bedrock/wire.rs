//! The Converse API's JSON, as serde types only: the request body of `/converse` and
//! `/converse-stream`, the response of `/converse`, and the payloads of the stream's events.
//!
//! Blobs (image, document and video bytes, redacted reasoning) travel as base64 strings, as in
//! every AWS REST-JSON API. Reference:
//! <https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html>.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::super::common::opt_cow;

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `POST /model/{modelId}/converse` (the model id is in the path).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConverseRequest<'a> {
    pub messages: Vec<Message<'a>>,
    pub system: Vec<Block<'a>>,
    pub inference_config: InferenceConfig<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<ToolConfig<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_config: Option<OutputConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<ServiceTier<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_model_request_fields: Option<Map<String, Value>>,
}

/// One turn of the conversation.
#[derive(Debug, Serialize)]
pub(super) struct Message<'a> {
    pub role: &'static str,
    pub content: Vec<Block<'a>>,
}

/// A content block: one key naming its kind.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Block<'a> {
    Text(Cow<'a, str>),
    Image(Media<'a>),
    Document(Document<'a>),
    Video(Media<'a>),
    ToolUse(ToolUse<'a>),
    ToolResult(ToolResult<'a>),
    ReasoningContent(Reasoning<'a>),
    CachePoint(CachePoint<'a>),
}

impl Block<'_> {
    /// The block's key (`text`, `toolResult`…).
    pub fn kind(&self) -> &'static str {
        match self {
            Block::Text(_) => "text",
            Block::Image(_) => "image",
            Block::Document(_) => "document",
            Block::Video(_) => "video",
            Block::ToolUse(_) => "toolUse",
            Block::ToolResult(_) => "toolResult",
            Block::ReasoningContent(_) => "reasoningContent",
            Block::CachePoint(_) => "cachePoint",
        }
    }
}

/// An image or a video.
#[derive(Debug, Serialize)]
pub(super) struct Media<'a> {
    pub format: &'static str,
    pub source: Source<'a>,
}

/// A document, named `Document N` in the order of the conversation.
#[derive(Debug, Serialize)]
pub(super) struct Document<'a> {
    pub name: String,
    pub format: &'static str,
    pub source: Source<'a>,
}

/// Where a file's bytes are: inline (base64) or in S3.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Source<'a> {
    Bytes(String),
    S3Location(S3Location<'a>),
}

/// An object in S3.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct S3Location<'a> {
    pub uri: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_owner: Option<String>,
}

/// A tool call sent back.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolUse<'a> {
    pub tool_use_id: Cow<'a, str>,
    pub name: &'a str,
    pub input: Cow<'a, Map<String, Value>>,
    /// `server_tool_use` for a built-in tool's call; absent for a function tool's.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

/// A tool's result (or a retry prompt for a tool, with status `error`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolResult<'a> {
    pub tool_use_id: Cow<'a, str>,
    pub content: Vec<ToolResultContent<'a>>,
    /// `nova_code_interpreter_result` for a built-in tool's result; absent for a function
    /// tool's.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'a str>,
}

/// A block of a tool result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum ToolResultContent<'a> {
    Text(Cow<'a, str>),
    Json(&'a Value),
    /// A block sent back as it came (a built-in tool's result that was not one JSON block).
    #[serde(untagged)]
    Raw(&'a Value),
}

/// Reasoning sent back to the model that produced it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Reasoning<'a> {
    ReasoningText {
        text: &'a str,
        signature: &'a str,
    },
    /// Base64 of the redacted reasoning's bytes.
    RedactedContent(String),
}

/// A prompt-cache breakpoint.
#[derive(Debug, Serialize)]
pub(super) struct CachePoint<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<&'a str>,
}

/// `inferenceConfig`: the sampling settings Converse has fields for.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct InferenceConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<&'a [String]>,
}

/// `toolConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolConfig<'a> {
    pub tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice<'a>>,
}

/// A tool: a function tool's specification, or a built-in (system) tool by name.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Tool<'a> {
    ToolSpec(ToolSpec<'a>),
    SystemTool(SystemTool),
}

/// A built-in tool Bedrock runs itself (`{"systemTool": {"name": "nova_code_interpreter"}}`).
#[derive(Debug, Serialize)]
pub(super) struct SystemTool {
    pub name: &'static str,
}

/// A function tool.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolSpec<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub input_schema: InputSchema,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// A tool's argument schema.
#[derive(Debug, Serialize)]
pub(super) struct InputSchema {
    pub json: Value,
}

/// `toolChoice`: `{"auto": {}}`, `{"any": {}}` or `{"tool": {"name": …}}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum ToolChoice<'a> {
    Auto(Empty),
    Any(Empty),
    Tool { name: Cow<'a, str> },
}

/// `{}`.
#[derive(Debug, Serialize)]
pub(super) struct Empty {}

/// `outputConfig` for native structured output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OutputConfig {
    pub text_format: TextFormat,
}

/// `outputConfig.textFormat`.
#[derive(Debug, Serialize)]
pub(super) struct TextFormat {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub structure: Structure,
}

/// `textFormat.structure`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Structure {
    pub json_schema: JsonSchemaDefinition,
}

/// The output object: its schema as a JSON string, as the API takes it.
#[derive(Debug, Serialize)]
pub(super) struct JsonSchemaDefinition {
    pub name: String,
    pub schema: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `serviceTier`.
#[derive(Debug, Serialize)]
pub(super) struct ServiceTier<'a> {
    #[serde(rename = "type")]
    pub kind: &'a str,
}

// ---------------------------------------------------------------------------------------------
// Response and stream events
// ---------------------------------------------------------------------------------------------

/// The response of `/converse`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConverseResponse {
    #[serde(default)]
    pub output: Option<Output>,
    #[serde(default)]
    pub stop_reason: Option<String>,
    #[serde(default)]
    pub usage: Option<TokenUsage>,
}

/// `output`: the assistant's message.
#[derive(Debug, Deserialize)]
pub(super) struct Output {
    #[serde(default)]
    pub message: Option<OutputMessage>,
}

/// The assistant's message.
#[derive(Debug, Deserialize)]
pub(super) struct OutputMessage {
    #[serde(default)]
    pub content: Vec<OutputBlock>,
}

/// A content block of the answer: one of its fields is set.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OutputBlock {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub tool_use: Option<OutputToolUse>,
    #[serde(default)]
    pub tool_result: Option<Value>,
    #[serde(default)]
    pub reasoning_content: Option<OutputReasoning>,
}

/// A tool call of the answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OutputToolUse {
    #[serde(default)]
    pub tool_use_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub input: Option<Value>,
    /// `server_tool_use` for a built-in tool (Nova's code interpreter).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// Reasoning of the answer: text with a signature, or redacted (base64) content.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OutputReasoning {
    #[serde(default)]
    pub reasoning_text: Option<ReasoningText>,
    #[serde(default)]
    pub redacted_content: Option<String>,
}

/// `reasoningText`.
#[derive(Debug, Deserialize)]
pub(super) struct ReasoningText {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
}

/// `usage`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TokenUsage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_read_input_tokens: u64,
    #[serde(default)]
    pub cache_write_input_tokens: u64,
    /// The tokens written to the cache, per time to live.
    #[serde(default)]
    pub cache_details: Vec<CacheDetail>,
}

/// An entry of `usage.cacheDetails`: tokens written to the cache with one time to live.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CacheDetail {
    #[serde(default)]
    pub ttl: Option<String>,
    #[serde(default)]
    pub input_tokens: u64,
}

/// The payload of `messageStop`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MessageStop {
    #[serde(default)]
    pub stop_reason: Option<String>,
}

/// The payload of `metadata`.
#[derive(Debug, Deserialize)]
pub(super) struct Metadata {
    #[serde(default)]
    pub usage: Option<TokenUsage>,
}

/// The payload of `contentBlockStart`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ContentBlockStart {
    pub content_block_index: u64,
    #[serde(default)]
    pub start: BlockStart,
}

/// What a started block is.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BlockStart {
    #[serde(default)]
    pub tool_use: Option<OutputToolUse>,
    #[serde(default)]
    pub tool_result: Option<Value>,
}

/// The payload of `contentBlockDelta`, borrowing its strings from the payload where they have
/// no escapes: most events of a stream are these, and an owned copy of each text cost an
/// allocation per event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ContentBlockDelta<'a> {
    pub content_block_index: u64,
    #[serde(default, borrow)]
    pub delta: Delta<'a>,
}

/// A piece of a block: one of its fields is set.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Delta<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub tool_use: Option<ToolUseDelta<'a>>,
    /// The content blocks of a built-in tool's result.
    #[serde(default)]
    pub tool_result: Option<Vec<Value>>,
    #[serde(default, borrow)]
    pub reasoning_content: Option<ReasoningDelta<'a>>,
}

/// A piece of a tool call's arguments (a JSON fragment).
#[derive(Debug, Deserialize)]
pub(super) struct ToolUseDelta<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub input: Option<Cow<'a, str>>,
}

/// A piece of reasoning: text, a signature, or redacted (base64) content.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ReasoningDelta<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub text: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub signature: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub redacted_content: Option<Cow<'a, str>>,
}

/// The payload of `contentBlockStop`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ContentBlockStop {
    pub content_block_index: u64,
}

/// The payload of an exception event (`{"message": …}`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct ExceptionPayload {
    #[serde(default, alias = "Message")]
    pub message: Option<String>,
}
