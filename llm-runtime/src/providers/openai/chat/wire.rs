//! The wire types of Chat Completions: the request body (serialized, borrowing our messages)
//! and a completion or stream chunk (deserialized in place by [`seed`], which knows the host's
//! reasoning field). Serde types only: the mapping is in `request`, `response` and `stream`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::shared::{SystemRole, TokenLogprob, WireArgs};
use super::reasoning_details::OutgoingDetail;
use crate::models::{SearchContextSize, WebSearchUserLocation};
use crate::providers::common::CowStr;

pub(super) mod seed;

pub(super) use seed::parse_completion;

/// The body of `POST /chat/completions`.
#[derive(Serialize)]
pub(super) struct ChatRequest<'a> {
    pub(super) model: &'a str,
    pub(super) messages: Vec<ChatMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tools: Vec<ChatToolParam<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tool_choice: Option<ToolChoiceParam<'a>>,
    pub(super) stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) stop: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) response_format: Option<ResponseFormat<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) reasoning_effort: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_tier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) presence_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) frequency_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) logit_bias: Option<&'a BTreeMap<String, i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) web_search_options: Option<WebSearchOptions<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) search_settings: Option<SearchSettings<'a>>,
}

/// OpenAI's `web_search_options` (search models).
#[derive(Serialize)]
pub(super) struct WebSearchOptions<'a> {
    pub(super) search_context_size: SearchContextSize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) user_location: Option<UserLocation<'a>>,
}

#[derive(Serialize)]
pub(super) struct UserLocation<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) approximate: &'a WebSearchUserLocation,
}

/// Groq's `search_settings` (compound models).
#[derive(Serialize)]
pub(super) struct SearchSettings<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) include_domains: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) exclude_domains: Option<&'a [String]>,
}

/// An entry of `tools`: a function, or a host's server tool (OpenRouter's
/// `openrouter:web_search`).
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ChatToolParam<'a> {
    Function(ChatTool<'a>),
    Server(ServerTool),
}

#[derive(Serialize)]
pub(super) struct ServerTool {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) parameters: Value,
}

#[derive(Serialize)]
pub(super) struct StreamOptions {
    pub(super) include_usage: bool,
}

/// One message of the conversation, tagged by `role`.
pub(super) enum ChatMessage<'a> {
    /// A system prompt or instructions, with the role the model takes them in.
    System {
        role: SystemRole,
        content: Cow<'a, str>,
    },
    User {
        content: ChatUserContent<'a>,
    },
    Assistant(AssistantMessage<'a>),
    Tool {
        tool_call_id: Cow<'a, str>,
        content: Cow<'a, str>,
    },
}

impl ChatMessage<'_> {
    pub(super) fn role(&self) -> &'static str {
        match self {
            ChatMessage::System { role, .. } => role.as_str(),
            ChatMessage::User { .. } => "user",
            ChatMessage::Assistant(_) => "assistant",
            ChatMessage::Tool { .. } => "tool",
        }
    }
}

impl Serialize for ChatMessage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("role", self.role())?;
        match self {
            ChatMessage::System { content, .. } => map.serialize_entry("content", content)?,
            ChatMessage::User { content } => map.serialize_entry("content", content)?,
            ChatMessage::Assistant(assistant) => {
                for (field, content) in &assistant.thinking {
                    map.serialize_entry(field, content)?;
                }
                map.serialize_entry("content", &assistant.content)?;
                if !assistant.tool_calls.is_empty() {
                    map.serialize_entry("tool_calls", &assistant.tool_calls)?;
                }
                if !assistant.reasoning_details.is_empty() {
                    map.serialize_entry("reasoning_details", &assistant.reasoning_details)?;
                }
            }
            ChatMessage::Tool {
                tool_call_id,
                content,
            } => {
                map.serialize_entry("tool_call_id", tool_call_id)?;
                map.serialize_entry("content", content)?;
            }
        }
        map.end()
    }
}

pub(super) struct AssistantMessage<'a> {
    /// Reasoning sent back in its own field: (field name, text).
    pub(super) thinking: Vec<(&'a str, String)>,
    pub(super) content: Option<String>,
    pub(super) tool_calls: Vec<ChatToolCall<'a>>,
    /// Reasoning details sent back as they came (OpenRouter).
    pub(super) reasoning_details: Vec<OutgoingDetail<'a>>,
}

#[derive(Serialize)]
pub(super) struct ChatToolCall<'a> {
    pub(super) id: Cow<'a, str>,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) function: ChatFunctionCall<'a>,
}

#[derive(Serialize)]
pub(super) struct ChatFunctionCall<'a> {
    pub(super) name: &'a str,
    pub(super) arguments: String,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ChatUserContent<'a> {
    Text(Cow<'a, str>),
    Parts(Vec<ContentPart<'a>>),
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ContentPart<'a> {
    Text { text: Cow<'a, str> },
    ImageUrl { image_url: ImageUrl<'a> },
    InputAudio { input_audio: InputAudio },
    File { file: FileData<'a> },
}

#[derive(Serialize)]
pub(super) struct ImageUrl<'a> {
    pub(super) url: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) detail: Option<Cow<'a, str>>,
}

#[derive(Serialize)]
pub(super) struct InputAudio {
    pub(super) data: String,
    pub(super) format: &'static str,
}

#[derive(Serialize)]
pub(super) struct FileData<'a> {
    pub(super) file_data: Cow<'a, str>,
    pub(super) filename: String,
}

#[derive(Serialize)]
pub(super) struct ChatTool<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) function: FunctionDefinition<'a>,
}

#[derive(Serialize)]
pub(super) struct FunctionDefinition<'a> {
    pub(super) name: &'a str,
    pub(super) description: &'a str,
    pub(super) parameters: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) strict: Option<bool>,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ToolChoiceParam<'a> {
    Mode(&'static str),
    Function {
        #[serde(rename = "type")]
        kind: &'static str,
        function: NamedFunction<'a>,
    },
}

#[derive(Serialize)]
pub(super) struct NamedFunction<'a> {
    pub(super) name: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ResponseFormat<'a> {
    JsonSchema { json_schema: JsonSchemaFormat<'a> },
    JsonObject,
}

#[derive(Serialize)]
pub(super) struct JsonSchemaFormat<'a> {
    pub(super) name: &'a str,
    pub(super) schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) strict: Option<bool>,
}

/// A chat completion or a stream chunk (they share their shape: a choice holds a `message`
/// or a `delta`). Deserialized with `TopSeed`, which knows the host's reasoning field.
#[derive(Default)]
pub struct Completion<'a> {
    pub(super) id: Option<Cow<'a, str>>,
    pub(super) created: Option<f64>,
    pub(super) model: Option<Cow<'a, str>>,
    /// The first choice (the only one: `n` is never sent).
    pub(super) choice: Option<WireChoice<'a>>,
    pub(super) usage: Option<WireUsage>,
    /// OpenAI's moderation results, kept as they came in `provider_details`.
    pub(super) moderation: Option<Value>,
    /// An error reported in a 200 body or inside a stream.
    pub(super) error: Option<Value>,
}

#[derive(Default)]
pub(super) struct WireChoice<'a> {
    pub(super) finish_reason: Option<Cow<'a, str>>,
    pub(super) logprobs: Option<WireLogprobs>,
    /// `message` of a completion, `delta` of a chunk.
    pub(super) message: Option<WireMessage<'a>>,
}

/// A message or a delta.
#[derive(Default)]
pub(super) struct WireMessage<'a> {
    pub(super) content: Option<WireContent<'a>>,
    pub(super) refusal: Option<Cow<'a, str>>,
    pub(super) tool_calls: ToolCalls<'a>,
    /// The reasoning fields, by slot: the host's own field, `reasoning`, `reasoning_content`.
    pub(super) reasoning: [Option<Thought<'a>>; 3],
    /// OpenRouter's structured reasoning (text, summaries, encrypted blobs with signatures).
    pub(super) reasoning_details: Vec<ReasoningDetail>,
    /// Citations (OpenRouter's `url_citation` and `file` annotations), kept as they came.
    pub(super) annotations: Option<Value>,
    /// The server-side tools Groq ran (its compound models' web search).
    pub(super) executed_tools: Vec<ExecutedTool>,
}

/// One entry of `reasoning_details`, by its `type`: `reasoning.text` (`text`, `signature`),
/// `reasoning.summary` (`summary`) or `reasoning.encrypted` (`data`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ReasoningDetail {
    #[serde(rename = "type")]
    pub(super) kind: String,
    pub(super) id: Option<String>,
    pub(super) format: Option<String>,
    pub(super) index: Option<i64>,
    pub(super) text: Option<String>,
    pub(super) signature: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) data: Option<String>,
}

/// One of Groq's `executed_tools`: a `search` (web search) or another tool (`visit`, …).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ExecutedTool {
    pub(super) index: Option<u64>,
    #[serde(rename = "type")]
    pub(super) kind: String,
    /// The arguments, a JSON object as text.
    pub(super) arguments: Option<String>,
    /// The tool's output as text.
    pub(super) output: Option<String>,
    /// The structured results (`results`, `images`), kept as JSON.
    pub(super) search_results: Option<serde_json::Map<String, Value>>,
}

/// The value of a reasoning field: text, or something else (which is reported, not used).
pub(super) enum Thought<'a> {
    Text(Cow<'a, str>),
    NotText(&'static str),
}

/// Message content: a string, or (Mistral) a list of typed chunks.
pub(super) enum WireContent<'a> {
    Text(Cow<'a, str>),
    Chunks(Vec<ContentChunk>),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ContentChunk {
    Text {
        #[serde(default)]
        text: String,
    },
    Thinking {
        #[serde(default)]
        thinking: Vec<ThinkingChunk>,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
pub(super) struct ThinkingChunk {
    #[serde(default, rename = "type")]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) text: String,
}

#[derive(Deserialize)]
pub(super) struct WireToolCall<'a> {
    #[serde(default)]
    pub(super) index: Option<u64>,
    #[serde(default, borrow)]
    pub(super) id: Option<CowStr<'a>>,
    #[serde(default, rename = "type", borrow)]
    pub(super) kind: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) function: Option<WireFunction<'a>>,
}

#[derive(Deserialize)]
pub(super) struct WireFunction<'a> {
    #[serde(default, borrow)]
    pub(super) name: Option<CowStr<'a>>,
    #[serde(default, borrow)]
    pub(super) arguments: Option<WireArgs<'a>>,
}

/// The tool calls of a message or delta: the first one inline (a delta usually carries one),
/// the others in a list.
#[derive(Default)]
pub(super) struct ToolCalls<'a> {
    pub(super) first: Option<WireToolCall<'a>>,
    pub(super) rest: Vec<WireToolCall<'a>>,
}

impl<'a> ToolCalls<'a> {
    pub(super) fn iter(&self) -> impl Iterator<Item = &WireToolCall<'a>> {
        self.first.iter().chain(&self.rest)
    }
}

impl<'a> IntoIterator for ToolCalls<'a> {
    type Item = WireToolCall<'a>;
    type IntoIter = std::iter::Chain<
        std::option::IntoIter<WireToolCall<'a>>,
        std::vec::IntoIter<WireToolCall<'a>>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter().chain(self.rest)
    }
}

#[derive(Deserialize)]
pub(super) struct WireLogprobs {
    #[serde(default)]
    pub(super) content: Option<Vec<TokenLogprob>>,
}

/// `usage`: the counts we map, and every other integer count as a detail.
#[derive(Default)]
pub(super) struct WireUsage {
    pub(super) prompt_tokens: u64,
    pub(super) completion_tokens: u64,
    pub(super) cached_tokens: u64,
    pub(super) cache_write_tokens: u64,
    pub(super) input_audio_tokens: u64,
    pub(super) output_audio_tokens: u64,
    pub(super) details: BTreeMap<String, u64>,
}

/// Groq's `x_groq` object, where its streams report usage.
#[derive(Deserialize)]
pub(super) struct XGroq {
    #[serde(default)]
    pub(super) usage: Option<WireUsage>,
}
