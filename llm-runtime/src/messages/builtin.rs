//! The parts of a provider's built-in tools, which run on the provider's side (web search,
//! code execution, URL fetching, image generation, remote MCP servers, …): pydantic-ai's
//! `BuiltinToolCallPart` and `BuiltinToolReturnPart` (2.x: `NativeToolCallPart`,
//! `NativeToolReturnPart`), with the same JSON (`part_kind` `builtin-tool-call` and
//! `builtin-tool-return`).
//!
//! Both are sent back only to the provider that produced them (`provider_name`): another
//! provider cannot resume a search it never ran.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::request::{generate_tool_call_id, model_response_str, ToolReturnOutcome};
use super::response::{args_as_dict, args_as_json_str, args_have_content, ToolArgs};
use super::serde_util::{now, timestamp};

/// A call of a built-in tool that the provider ran itself.
///
/// ```
/// use llm_runtime::messages::{BuiltinToolCallPart, ModelResponsePart};
/// let call = BuiltinToolCallPart::new("web_search", r#"{"query":"Paris"}"#, "srvtoolu_1")
///     .with_provider("anthropic");
/// let json = serde_json::to_value(ModelResponsePart::from(call.clone()))?;
/// assert_eq!(json["part_kind"], "builtin-tool-call");
/// assert_eq!(call.args_as_dict()["query"], "Paris");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "builtin-tool-call")]
pub struct BuiltinToolCallPart {
    /// The tool's name as pydantic-ai names it (`web_search`, `code_execution`,
    /// `mcp_server:<label>`, …).
    pub tool_name: String,
    /// The arguments: a JSON string or an object; `None` for none.
    #[serde(default)]
    pub args: Option<ToolArgs>,
    /// The provider's id of this call; the matching return carries it.
    #[serde(default = "generate_tool_call_id")]
    pub tool_call_id: String,
    /// pydantic-ai's typed tool discriminator (`tool-search`, `mcp_server`, …), if any.
    #[serde(default)]
    pub tool_kind: Option<String>,
    /// The provider's id of this part (OpenAI Responses item ids), if any.
    #[serde(default)]
    pub id: Option<String>,
    /// The provider that ran the tool; the part is sent back only to it.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider data that must be sent back with the part.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

impl BuiltinToolCallPart {
    /// A call of the built-in tool `tool_name` with `args` and the id `tool_call_id`.
    pub fn new(
        tool_name: impl Into<String>,
        args: impl Into<ToolArgs>,
        tool_call_id: impl Into<String>,
    ) -> Self {
        BuiltinToolCallPart {
            tool_name: tool_name.into(),
            args: Some(args.into()),
            tool_call_id: tool_call_id.into(),
            tool_kind: None,
            id: None,
            provider_name: None,
            provider_details: None,
        }
    }

    /// The same call, attributed to `provider`.
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider_name = Some(provider.into());
        self
    }

    /// The arguments as a JSON object text, as
    /// [`ToolCallPart::args_as_json_str`](super::ToolCallPart::args_as_json_str) gives them.
    pub fn args_as_json_str(&self) -> String {
        args_as_json_str(&self.args)
    }

    /// The arguments as a JSON object, as
    /// [`ToolCallPart::args_as_dict`](super::ToolCallPart::args_as_dict) gives them.
    pub fn args_as_dict(&self) -> Map<String, Value> {
        args_as_dict(&self.args)
    }

    /// Whether the call has arguments (not `None`, `""` or `{}`).
    pub fn has_content(&self) -> bool {
        args_have_content(&self.args)
    }

    /// Whether this part may be sent to `provider`: it names no provider, or that one.
    pub fn belongs_to(&self, provider: &str) -> bool {
        self.provider_name.as_deref().is_none_or(|p| p == provider)
    }
}

/// What a built-in tool returned, as the provider reported it (search results, code output,
/// fetched pages, …), kept as JSON.
///
/// ```
/// use llm_runtime::messages::{BuiltinToolReturnPart, ModelResponsePart};
/// use serde_json::json;
/// let ret = BuiltinToolReturnPart::new("web_search", json!([{"url": "https://a.example"}]), "srvtoolu_1");
/// let json = serde_json::to_value(ModelResponsePart::from(ret))?;
/// assert_eq!(json["part_kind"], "builtin-tool-return");
/// assert_eq!(json["outcome"], "success");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "builtin-tool-return")]
pub struct BuiltinToolReturnPart {
    /// The name of the tool that ran.
    pub tool_name: String,
    /// What it returned: any JSON value.
    pub content: Value,
    /// The id of the call this answers.
    #[serde(default = "generate_tool_call_id")]
    pub tool_call_id: String,
    /// pydantic-ai's typed tool discriminator, if any.
    #[serde(default)]
    pub tool_kind: Option<String>,
    /// Application data, never sent to the model.
    #[serde(default)]
    pub metadata: Value,
    /// When the tool returned.
    #[serde(with = "timestamp", default = "now")]
    pub timestamp: DateTime<Utc>,
    /// How the call ended.
    #[serde(default)]
    pub outcome: ToolReturnOutcome,
    /// The provider that ran the tool; the part is sent back only to it.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider data that must be sent back with the part.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

impl BuiltinToolReturnPart {
    /// A successful return of `content` for the call `tool_call_id` of `tool_name`.
    pub fn new(
        tool_name: impl Into<String>,
        content: impl Into<Value>,
        tool_call_id: impl Into<String>,
    ) -> Self {
        BuiltinToolReturnPart {
            tool_name: tool_name.into(),
            content: content.into(),
            tool_call_id: tool_call_id.into(),
            tool_kind: None,
            metadata: Value::Null,
            timestamp: now(),
            outcome: ToolReturnOutcome::Success,
            provider_name: None,
            provider_details: None,
        }
    }

    /// The same return, attributed to `provider`.
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider_name = Some(provider.into());
        self
    }

    /// Whether this part may be sent to `provider`: it names no provider, or that one.
    pub fn belongs_to(&self, provider: &str) -> bool {
        self.provider_name.as_deref().is_none_or(|p| p == provider)
    }

    /// The content as text, as
    /// [`ToolReturnPart::model_response_str`](super::ToolReturnPart::model_response_str) gives it.
    pub fn model_response_str(&self) -> String {
        model_response_str(&self.content, self.outcome)
    }
}

#[cfg(test)]
mod tests;
