//! The message model of pydantic-ai's direct API: requests, responses, their parts, and the
//! events of a streamed response.
//!
//! This module knows nothing of HTTP or of any provider. Its serde JSON is pydantic-ai's
//! history format (`kind`, `part_kind` tags, base64 bytes, RFC 3339 timestamps): a history
//! written by pydantic-ai loads, and one written here loads in pydantic-ai.
//!
//! ```
//! use llm_runtime::messages::{ModelMessage, ModelRequest};
//! let history = vec![ModelMessage::from(ModelRequest::user_text_prompt("Hi"))];
//! let json = serde_json::to_string(&history)?;
//! let back: Vec<ModelMessage> = serde_json::from_str(&json)?;
//! assert_eq!(back, history);
//! # Ok::<(), serde_json::Error>(())
//! ```

mod builtin;
mod content;
mod events;
mod generated;
mod request;
mod response;
pub(crate) mod serde_util;

pub use serde_util::now;

use serde::Deserialize;

pub use builtin::{BuiltinToolCallPart, BuiltinToolReturnPart};
pub use content::{
    guess_media_type, BinaryContent, BinaryKind, CachePoint, CachePointKind, FileKind, FileUrl,
    ForceDownload, TextContent, TextContentKind, UserContent, UserContentItem,
};
pub use events::{
    FinalResultEvent, ModelResponsePartDelta, ModelResponseStreamEvent, PartDeltaEvent,
    PartEndEvent, PartStartEvent, TextPartDelta, ThinkingPartDelta, ToolCallPartDelta,
};
pub use generated::{CompactionPart, FilePart};
pub use request::{
    generate_tool_call_id, ErrorDetails, ModelRequest, ModelRequestPart, RequestKind, RequestState,
    RetryContent, RetryPromptPart, SystemPromptPart, ToolReturnOutcome, ToolReturnPart,
    UserPromptPart,
};
pub(crate) use response::joined_text;
pub use response::{
    FinishReason, ModelResponse, ModelResponsePart, PartKind, ResponseKind, ResponseState,
    TextPart, ThinkingPart, ToolArgs, ToolCallPart, INVALID_JSON_KEY,
};

/// A message of a conversation: a request we sent or a response the model gave. Tagged by
/// `kind` in JSON.
// Responses are larger than requests; boxing them would cost every user a `Box` in patterns
// for a few hundred bytes per message of a history.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind")]
pub enum ModelMessage {
    /// A request (`"kind": "request"`).
    #[serde(rename = "request")]
    Request(ModelRequest),
    /// A response (`"kind": "response"`).
    #[serde(rename = "response")]
    Response(ModelResponse),
}

serde_util::self_tagged_enum!(ModelMessage {
    Request(ModelRequest),
    Response(ModelResponse),
});

impl From<&ModelRequest> for ModelMessage {
    fn from(m: &ModelRequest) -> Self {
        ModelMessage::Request(m.clone())
    }
}

impl From<&ModelResponse> for ModelMessage {
    fn from(m: &ModelResponse) -> Self {
        ModelMessage::Response(m.clone())
    }
}

impl From<&ModelMessage> for ModelMessage {
    fn from(m: &ModelMessage) -> Self {
        m.clone()
    }
}

impl ModelMessage {
    /// The request, if this is one.
    pub fn as_request(&self) -> Option<&ModelRequest> {
        match self {
            ModelMessage::Request(r) => Some(r),
            ModelMessage::Response(_) => None,
        }
    }

    /// The response, if this is one.
    pub fn as_response(&self) -> Option<&ModelResponse> {
        match self {
            ModelMessage::Response(r) => Some(r),
            ModelMessage::Request(_) => None,
        }
    }
}
