//! The wire types of the Messages API: the request body (serialized, borrowing our messages)
//! and the response body and stream events (deserialized, borrowing the input where the
//! strings have no escapes). Serde types only: the translation is in `request.rs`,
//! `response.rs` and `stream.rs`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::super::common::opt_cow;
use super::delta::{BlockDelta, DeltaFields};

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

/// The body of `POST /v1/messages`.
#[derive(Serialize)]
pub(super) struct MessagesRequest<'a> {
    pub(super) model: &'a str,
    pub(super) max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) system: Option<System<'a>>,
    pub(super) messages: Vec<Message<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tools: Vec<AnyTool<'a>>,
    /// MCP connector servers (built-in MCP server tools).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) mcp_servers: Vec<Value>,
    /// Context management (compaction, when the history holds compaction blocks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) context_management: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tool_choice: Option<ToolChoiceParam<'a>>,
    pub(super) stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) stop_sequences: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) top_k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) thinking: Option<ThinkingParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) output_config: Option<OutputConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_tier: Option<&'static str>,
}

/// The system prompt: a string, or text blocks (system prompt, then instructions).
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum System<'a> {
    Text(String),
    Blocks(Vec<Block<'a>>),
}

#[derive(Serialize)]
pub(super) struct Message<'a> {
    pub(super) role: &'static str,
    pub(super) content: Vec<Block<'a>>,
}

/// A content block of a request message.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum Block<'a> {
    Text {
        text: Cow<'a, str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    Image {
        source: Source<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    Document {
        source: Source<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    ToolUse {
        id: Cow<'a, str>,
        name: &'a str,
        input: Cow<'a, Map<String, Value>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    ToolResult {
        tool_use_id: Cow<'a, str>,
        content: ToolResultContent<'a>,
        is_error: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl<'a>>,
    },
    Thinking {
        thinking: &'a str,
        signature: &'a str,
    },
    RedactedThinking {
        data: &'a str,
    },
    /// A block built as JSON: server tool calls and results, MCP calls and results,
    /// compaction, as they came back from the API.
    #[serde(untagged)]
    Raw(Value),
}

#[derive(Serialize)]
pub(super) struct CacheControl<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) ttl: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum Source<'a> {
    Base64 { media_type: &'a str, data: String },
    Url { url: &'a str },
    Text { media_type: &'a str, data: &'a str },
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ToolResultContent<'a> {
    Text(Cow<'a, str>),
    Blocks(Vec<Block<'a>>),
}

/// A tool definition: a function tool, or a server tool built as JSON.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum AnyTool<'a> {
    Function(WireTool<'a>),
    Server(Value),
}

#[derive(Serialize)]
pub(super) struct WireTool<'a> {
    pub(super) name: &'a str,
    pub(super) description: &'a str,
    pub(super) input_schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) strict: Option<bool>,
}

#[derive(Serialize)]
pub(super) struct ToolChoiceParam<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) disable_parallel_tool_use: Option<bool>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ThinkingParam {
    Enabled { budget_tokens: u32 },
    Adaptive,
}

#[derive(Serialize)]
pub(super) struct OutputConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) format: Option<OutputFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) effort: Option<&'static str>,
}

#[derive(Serialize)]
pub(super) struct OutputFormat {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) schema: Value,
}

// ---------------------------------------------------------------------------------------------
// Responses and stream events
// ---------------------------------------------------------------------------------------------

/// A message: a whole response, or the one `message_start` carries. Fields the API may omit
/// (and Anthropic-compatible servers do) are optional.
#[derive(Deserialize)]
pub(super) struct WireMessage<'a> {
    #[serde(default, borrow, rename = "type", deserialize_with = "opt_cow")]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) model: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) content: Option<Vec<WireBlock<'a>>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) stop_reason: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) stop_details: Option<StopDetails<'a>>,
    #[serde(default)]
    pub(super) usage: Option<WireUsage<'a>>,
    #[serde(default, borrow)]
    pub(super) container: Option<Container<'a>>,
    #[serde(default, borrow)]
    pub(super) error: Option<WireError<'a>>,
}

/// A content block of a response (or of `content_block_start`); the fields of every kind read
/// here, each optional.
#[derive(Deserialize)]
pub(super) struct WireBlock<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) kind: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) text: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) thinking: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) signature: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) data: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) name: Option<Cow<'a, str>>,
    /// A `tool_use` block's arguments (the JSON object, kept whole).
    #[serde(default)]
    pub(super) input: Option<Value>,
    /// The call a server tool's result block answers.
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) tool_use_id: Option<Cow<'a, str>>,
    /// A result block's content (kept whole), or a compaction block's summary.
    #[serde(default)]
    pub(super) content: Option<Value>,
    /// The MCP server of an `mcp_tool_use` block.
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) server_name: Option<Cow<'a, str>>,
    /// Whether an `mcp_tool_result` is an error.
    #[serde(default)]
    pub(super) is_error: Option<bool>,
    /// Who invoked a server tool (`direct`, or code execution).
    #[serde(default)]
    pub(super) caller: Option<Value>,
    /// A compaction block's encrypted content.
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) encrypted_content: Option<Cow<'a, str>>,
}

/// Why a refusal stopped the model.
#[derive(Deserialize)]
pub(super) struct StopDetails<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) explanation: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) category: Option<Cow<'a, str>>,
}

/// The code-execution container a response ran in.
#[derive(Deserialize)]
pub(super) struct Container<'a> {
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct WireError<'a> {
    #[serde(default, borrow, rename = "type", deserialize_with = "opt_cow")]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) message: Option<Cow<'a, str>>,
}

/// Token counts; every one optional (`message_delta` carries only those that changed).
#[derive(Deserialize, Default)]
pub(super) struct WireUsage<'a> {
    #[serde(default)]
    pub(super) input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) output_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) output_tokens_details: Option<OutputTokensDetails>,
    #[serde(default, borrow)]
    pub(super) iterations: Option<Vec<Iteration<'a>>>,
}

#[derive(Deserialize)]
pub(super) struct OutputTokensDetails {
    #[serde(default)]
    pub(super) thinking_tokens: Option<u64>,
}

/// One sampling iteration of a response (the model's own, a compaction, an advisor's).
#[derive(Deserialize)]
pub(super) struct Iteration<'a> {
    #[serde(default, borrow, rename = "type", deserialize_with = "opt_cow")]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(super) input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) output_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_read_input_tokens: Option<u64>,
}

/// One stream event of the Messages protocol, as parsed (opaque: read by `stream.rs`).
///
/// Nine events in ten are `content_block_delta`s: they are read into only the fields a
/// block's delta has (`Parsed::Delta`), applied without the match on every event type and
/// moved as a smaller value; every other event is read in full (`Parsed::Full`).
pub struct WireEvent<'a>(pub(super) Parsed<'a>);

/// What [`WireEvent`] holds.
pub(super) enum Parsed<'a> {
    /// A `content_block_delta`, its type checked: its block's index and its delta.
    Delta {
        index: Option<u64>,
        delta: Option<BlockDelta<'a>>,
    },
    /// Any event, every field read here.
    Full(FullEvent<'a>),
}

/// One stream event; the fields of every event type read here, each optional.
///
/// The fields of the rare events are boxed: an event holding every field inline (a kilobyte)
/// was moved several times per event by the parse, which cost more than the parse itself.
#[derive(Deserialize)]
pub(super) struct FullEvent<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) kind: Cow<'a, str>,
    #[serde(default)]
    pub(super) index: Option<u64>,
    #[serde(default, borrow)]
    pub(super) message: Option<Box<WireMessage<'a>>>,
    #[serde(default, borrow)]
    pub(super) content_block: Option<Box<WireBlock<'a>>>,
    #[serde(default, borrow)]
    pub(super) delta: Option<Box<WireDelta<'a>>>,
    #[serde(default, borrow)]
    pub(super) usage: Option<Box<WireUsage<'a>>>,
    #[serde(default, borrow)]
    pub(super) error: Option<Box<WireError<'a>>>,
}

/// The `delta` of `content_block_delta` (typed) or of `message_delta` (the stop reason), in
/// an event read in full.
#[derive(Deserialize)]
pub(super) struct WireDelta<'a> {
    #[serde(default, borrow, rename = "type", deserialize_with = "opt_cow")]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) text: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) thinking: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) signature: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) partial_json: Option<Cow<'a, str>>,
    /// A `compaction_delta`'s summary.
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) content: Option<Cow<'a, str>>,
    /// A `compaction_delta`'s encrypted content.
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) encrypted_content: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_cow")]
    pub(super) stop_reason: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) stop_details: Option<StopDetails<'a>>,
    #[serde(default, borrow)]
    pub(super) container: Option<Container<'a>>,
}

impl<'a> WireDelta<'a> {
    /// The fields a block's delta of its type reads.
    pub(super) fn into_block_delta(self) -> BlockDelta<'a> {
        DeltaFields {
            kind: self.kind,
            text: self.text,
            thinking: self.thinking,
            signature: self.signature,
            partial_json: self.partial_json,
            content: self.content,
            encrypted_content: self.encrypted_content,
        }
        .into_block_delta()
    }
}
