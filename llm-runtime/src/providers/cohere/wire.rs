//! The serde types of Cohere's v2 Chat API (`POST /v2/chat`): the request body, the whole
//! response and the stream events. Nothing else lives here.

use std::borrow::Cow;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::common::opt_cow;

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `POST /v2/chat`.
#[derive(Debug, Serialize)]
pub(super) struct ChatRequest<'a> {
    pub model: &'a str,
    pub messages: Vec<Message<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict_tools: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingConfig>,
    pub stream: bool,
}

/// One message of the conversation, by role.
#[derive(Debug, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub(super) enum Message<'a> {
    System {
        content: Cow<'a, str>,
    },
    User {
        content: UserContent<'a>,
    },
    Assistant {
        #[serde(skip_serializing_if = "Option::is_none")]
        tool_plan: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        content: Vec<AssistantContent>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall<'a>>,
    },
    Tool {
        tool_call_id: Cow<'a, str>,
        content: String,
    },
}

/// A user message's content: a string, or a list of content items.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum UserContent<'a> {
    Text(Cow<'a, str>),
    Items(Vec<ContentItem<'a>>),
}

/// A content item of a user message.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ContentItem<'a> {
    Text { text: &'a str },
    ImageUrl { image_url: ImageUrl<'a> },
}

/// An image, by URL or as a `data:` URL.
#[derive(Debug, Serialize)]
pub(super) struct ImageUrl<'a> {
    pub url: Cow<'a, str>,
}

/// A content item of an assistant message.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(super) enum AssistantContent {
    Thinking { thinking: String },
    Text { text: String },
}

/// A tool call of an assistant message.
#[derive(Debug, Serialize)]
pub(super) struct ToolCall<'a> {
    pub id: Cow<'a, str>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: ToolCallFunction<'a>,
}

/// The function a tool call calls.
#[derive(Debug, Serialize)]
pub(super) struct ToolCallFunction<'a> {
    pub name: &'a str,
    pub arguments: Cow<'a, str>,
}

/// A tool the model may call.
#[derive(Debug, Serialize)]
pub(super) struct Tool<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: ToolFunction<'a>,
}

/// A tool's function: its name, description and JSON schema.
#[derive(Debug, Serialize)]
pub(super) struct ToolFunction<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub parameters: &'a Value,
}

/// A document the model may cite (the top-level `documents`).
#[derive(Debug, Serialize)]
pub(super) struct Document<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    pub data: DocumentData,
}

/// A document's data: its text.
#[derive(Debug, Serialize)]
pub(super) struct DocumentData {
    pub text: String,
}

/// `thinking` of the reasoning models.
#[derive(Debug, Serialize)]
pub(super) struct ThinkingConfig {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

// ---------------------------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------------------------

/// A whole (non-streamed) response.
#[derive(Debug, Deserialize)]
pub(super) struct ChatResponse {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub finish_reason: Option<String>,
    pub message: ResponseMessage,
    #[serde(default)]
    pub usage: Option<WireUsage>,
}

/// The assistant message of a response.
#[derive(Debug, Deserialize)]
pub(super) struct ResponseMessage {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub content: Vec<ResponseContent>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tool_calls: Vec<ResponseToolCall>,
    #[serde(default)]
    pub tool_plan: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub citations: Vec<Value>,
}

/// A content item of the response message.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(super) enum ResponseContent {
    Text {
        #[serde(default)]
        text: String,
    },
    Thinking {
        #[serde(default)]
        thinking: String,
    },
    #[serde(other)]
    Other,
}

/// A tool call of the response message.
#[derive(Debug, Deserialize)]
pub(super) struct ResponseToolCall {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub function: Option<ResponseFunction>,
}

/// The function a response's tool call calls.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ResponseFunction {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub arguments: Option<String>,
}

/// `usage`: the billed units and the tokens the model saw and made.
#[derive(Debug, Default, Deserialize)]
pub(super) struct WireUsage {
    #[serde(default)]
    pub billed_units: Option<BilledUnits>,
    #[serde(default)]
    pub tokens: Option<Tokens>,
    #[serde(default, deserialize_with = "count")]
    pub cached_tokens: Option<u64>,
}

/// `usage.billed_units`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct BilledUnits {
    #[serde(default, deserialize_with = "count")]
    pub input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "count")]
    pub output_tokens: Option<u64>,
    #[serde(default, deserialize_with = "count")]
    pub search_units: Option<u64>,
    #[serde(default, deserialize_with = "count")]
    pub classifications: Option<u64>,
}

/// `usage.tokens`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Tokens {
    #[serde(default, deserialize_with = "count")]
    pub input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "count")]
    pub output_tokens: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// Stream events
// ---------------------------------------------------------------------------------------------

/// One event of a chat stream, parsed: what [`CohereChat`](super::CohereChat)'s `on_event`
/// takes.
#[derive(Debug)]
pub struct StreamEvent<'a>(pub(super) Event<'a>);

/// One stream event, by its `type`.
#[derive(Debug)]
pub(super) enum Event<'a> {
    /// `message-start`: the response id.
    MessageStart(MessageStart),
    /// `content-start` / `content-delta`: text or thinking at `index`.
    Content(ContentEvent<'a>),
    /// `content-end`.
    ContentEnd,
    /// `tool-plan-delta`: more of the plan before the tool calls.
    ToolPlan(ToolPlanEvent<'a>),
    /// `tool-call-start` / `tool-call-delta`: a tool call at `index`.
    ToolCall(ToolCallEvent<'a>),
    /// `tool-call-end`.
    ToolCallEnd,
    /// `citation-start` / `citation-end`.
    Citation,
    /// `message-end`: the finish reason and usage. Boxed: it comes once, and inline it
    /// would make every event (moved several times on its way) as large as it is.
    MessageEnd(Box<MessageEnd>),
    /// `debug` and events this translation does not know, by name.
    Other(Cow<'a, str>),
}

/// The `type` of an event, to route one that came without an SSE event name.
#[derive(Debug, Deserialize)]
pub(super) struct EventType<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
}

/// `message-start`.
#[derive(Debug, Deserialize)]
pub(super) struct MessageStart {
    #[serde(default)]
    pub id: Option<String>,
}

/// `content-start` / `content-delta`.
#[derive(Debug, Deserialize)]
pub(super) struct ContentEvent<'a> {
    #[serde(default)]
    pub index: Option<u64>,
    #[serde(default, borrow)]
    pub delta: Option<Delta<ContentMessage<'a>>>,
}

/// `content-delta` read in one pass with its `type`: the stream's fast path (see
/// `stream::parse_event`).
#[derive(Debug, Deserialize)]
pub(super) struct TypedContentEvent<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(default)]
    pub index: Option<u64>,
    #[serde(default, borrow)]
    pub delta: Option<Delta<ContentMessage<'a>>>,
}

/// `delta` of an event: its `message`.
#[derive(Debug, Deserialize)]
pub(super) struct Delta<M> {
    #[serde(default = "Option::default")]
    pub message: Option<M>,
}

/// `delta.message` of a content event.
#[derive(Debug, Deserialize)]
pub(super) struct ContentMessage<'a> {
    #[serde(default, borrow)]
    pub content: Option<ContentDelta<'a>>,
}

/// `delta.message.content` of a content event.
#[derive(Debug, Deserialize)]
pub(super) struct ContentDelta<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub text: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub thinking: Option<Cow<'a, str>>,
}

/// `tool-plan-delta`.
#[derive(Debug, Deserialize)]
pub(super) struct ToolPlanEvent<'a> {
    #[serde(default, borrow)]
    pub delta: Option<Delta<ToolPlanMessage<'a>>>,
}

/// `delta.message` of a tool plan event.
#[derive(Debug, Deserialize)]
pub(super) struct ToolPlanMessage<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub tool_plan: Option<Cow<'a, str>>,
}

/// `tool-call-start` / `tool-call-delta`.
#[derive(Debug, Deserialize)]
pub(super) struct ToolCallEvent<'a> {
    #[serde(default)]
    pub index: Option<u64>,
    #[serde(default, borrow)]
    pub delta: Option<Delta<ToolCallMessage<'a>>>,
}

/// `delta.message` of a tool call event.
#[derive(Debug, Deserialize)]
pub(super) struct ToolCallMessage<'a> {
    #[serde(default, borrow)]
    pub tool_calls: Option<ToolCallDelta<'a>>,
}

/// `delta.message.tool_calls` of a tool call event (one call, not a list).
#[derive(Debug, Deserialize)]
pub(super) struct ToolCallDelta<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub function: Option<FunctionDelta<'a>>,
}

/// The function of a tool call event.
#[derive(Debug, Deserialize)]
pub(super) struct FunctionDelta<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub name: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub arguments: Option<Cow<'a, str>>,
}

/// `message-end`.
#[derive(Debug, Deserialize)]
pub(super) struct MessageEnd {
    #[serde(default)]
    pub delta: Option<EndDelta>,
}

/// `delta` of `message-end`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EndDelta {
    #[serde(default)]
    pub finish_reason: Option<String>,
    #[serde(default)]
    pub usage: Option<WireUsage>,
    #[serde(default)]
    pub error: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A list that may be `null`.
fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// The largest count a float carries exactly (2^53).
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// A count the API may write as an integer or as a float (the SDK types them as floats): a
/// whole, non-negative number, else an error.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_u64() {
        return Ok(Some(n));
    }
    match number.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= MAX_EXACT_FLOAT => {
            // Whole, non-negative and exactly representable: the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(Some(f as u64))
        }
        _ => Err(de::Error::custom(format!(
            "expected a whole non-negative count, got {number}"
        ))),
    }
}
