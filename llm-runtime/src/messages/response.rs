//! What a model answers: [`ModelResponse`] and its parts.

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::builtin::{BuiltinToolCallPart, BuiltinToolReturnPart};
use super::generated::{CompactionPart, FilePart};
use super::request::generate_tool_call_id;
use super::serde_util::{now, self_tagged_enum, string_tag, timestamp};
use crate::usage::Usage;

string_tag!(
    /// The `kind` tag of [`ModelResponse`].
    ResponseKind = "response"
);

/// A response from a model (pydantic-ai's `ModelResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelResponse {
    /// The parts of the response, in order.
    pub parts: Vec<ModelResponsePart>,
    /// The tokens this request used (`requests` is 1: a response is one request).
    #[serde(default = "one_request")]
    pub usage: Usage,
    /// The model that answered, as the provider named it.
    #[serde(default)]
    pub model_name: Option<String>,
    /// When the response was received.
    #[serde(with = "timestamp", default = "now")]
    pub timestamp: DateTime<Utc>,
    /// The `kind` tag, always `"response"`.
    #[serde(default)]
    pub kind: ResponseKind,
    /// The provider that answered, e.g. `openai`.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// The base URL of the provider that answered.
    #[serde(default)]
    pub provider_url: Option<String>,
    /// Data the provider returned that has no standard field (its raw finish reason, its
    /// creation timestamp, …).
    #[serde(default, alias = "vendor_details")]
    pub provider_details: Option<Map<String, Value>>,
    /// The provider's id of this response.
    #[serde(default, alias = "vendor_id")]
    pub provider_response_id: Option<String>,
    /// Why the model stopped, normalised across providers.
    #[serde(default)]
    pub finish_reason: Option<FinishReason>,
    /// The agent run this response belongs to, if any.
    #[serde(default)]
    pub run_id: Option<String>,
    /// The conversation this response belongs to, if any.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Application data, never sent to the model.
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
    /// Whether the response is whole.
    #[serde(default)]
    pub state: ResponseState,
}

/// The usage of one request that used no tokens.
fn one_request() -> Usage {
    Usage {
        requests: 1,
        ..Usage::default()
    }
}

impl Default for ModelResponse {
    fn default() -> Self {
        ModelResponse::new(Vec::new())
    }
}

impl ModelResponse {
    /// A response of the given parts, received now, with everything else empty.
    pub fn new(parts: Vec<ModelResponsePart>) -> Self {
        ModelResponse {
            parts,
            usage: one_request(),
            model_name: None,
            timestamp: now(),
            kind: ResponseKind,
            provider_name: None,
            provider_url: None,
            provider_details: None,
            provider_response_id: None,
            finish_reason: None,
            run_id: None,
            conversation_id: None,
            metadata: None,
            state: ResponseState::Complete,
        }
    }

    /// The text of the response, as pydantic-ai's `ModelResponse.text`: adjacent text parts are
    /// concatenated, text parts separated by other parts are joined by a blank line; empty
    /// when there is no text part.
    ///
    /// ```
    /// use llm_runtime::messages::{ModelResponse, TextPart};
    /// let response = ModelResponse::new(vec![TextPart::new("Paris").into()]);
    /// assert_eq!(response.text(), "Paris");
    /// ```
    pub fn text(&self) -> String {
        joined_text(&self.parts)
    }

    /// The tool calls of the response, in order.
    pub fn tool_calls(&self) -> Vec<&ToolCallPart> {
        self.parts
            .iter()
            .filter_map(|part| match part {
                ModelResponsePart::ToolCall(call) => Some(call),
                _ => None,
            })
            .collect()
    }

    /// The thinking parts of the response, in order.
    pub fn thinking(&self) -> Vec<&ThinkingPart> {
        self.parts
            .iter()
            .filter_map(|part| match part {
                ModelResponsePart::Thinking(thinking) => Some(thinking),
                _ => None,
            })
            .collect()
    }
}

/// Why a model stopped, normalised to OpenTelemetry's values (pydantic-ai's `FinishReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// It was done.
    Stop,
    /// It reached the token limit.
    Length,
    /// A content filter stopped it.
    ContentFilter,
    /// It called one or more tools.
    ToolCall,
    /// The provider reported an error.
    Error,
}

impl FinishReason {
    /// The value as OpenTelemetry and pydantic-ai write it (`stop`, `tool_call`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::ToolCall => "tool_call",
            FinishReason::Error => "error",
        }
    }
}

/// The lifecycle state of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseState {
    /// Received whole (the default).
    #[default]
    Complete,
    /// Still streaming, or the stream stopped before its end.
    Incomplete,
    /// The model paused and expects a continuation request.
    Suspended,
    /// Generation was stopped on purpose.
    Interrupted,
}

/// One part of a [`ModelResponse`], tagged by `part_kind` in JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "part_kind")]
pub enum ModelResponsePart {
    /// Text (`text`).
    #[serde(rename = "text")]
    Text(TextPart),
    /// A call of a function tool (`tool-call`).
    #[serde(rename = "tool-call")]
    ToolCall(ToolCallPart),
    /// The model's reasoning (`thinking`).
    #[serde(rename = "thinking")]
    Thinking(ThinkingPart),
    /// A call of a provider's built-in tool, run on the provider's side (`builtin-tool-call`;
    /// pydantic-ai 2.x's `NativeToolCallPart`).
    #[serde(rename = "builtin-tool-call")]
    BuiltinToolCall(BuiltinToolCallPart),
    /// What a built-in tool returned (`builtin-tool-return`; pydantic-ai 2.x's
    /// `NativeToolReturnPart`).
    #[serde(rename = "builtin-tool-return")]
    BuiltinToolReturn(BuiltinToolReturnPart),
    /// A file the model generated, such as an image (`file`).
    #[serde(rename = "file")]
    File(FilePart),
    /// A provider's summary of the earlier conversation (`compaction`).
    #[serde(rename = "compaction")]
    Compaction(CompactionPart),
}

impl ModelResponsePart {
    /// The part's kind as pydantic-ai names it (`text`, `tool-call`, `thinking`, …).
    pub fn part_kind(&self) -> PartKind {
        match self {
            ModelResponsePart::Text(_) => PartKind::Text,
            ModelResponsePart::ToolCall(_) => PartKind::ToolCall,
            ModelResponsePart::Thinking(_) => PartKind::Thinking,
            ModelResponsePart::BuiltinToolCall(_) => PartKind::BuiltinToolCall,
            ModelResponsePart::BuiltinToolReturn(_) => PartKind::BuiltinToolReturn,
            ModelResponsePart::File(_) => PartKind::File,
            ModelResponsePart::Compaction(_) => PartKind::Compaction,
        }
    }

    /// The provider that produced the part's ids, signatures or details, if it names one.
    pub fn provider_name(&self) -> Option<&str> {
        match self {
            ModelResponsePart::Text(p) => p.provider_name.as_deref(),
            ModelResponsePart::ToolCall(p) => p.provider_name.as_deref(),
            ModelResponsePart::Thinking(p) => p.provider_name.as_deref(),
            ModelResponsePart::BuiltinToolCall(p) => p.provider_name.as_deref(),
            ModelResponsePart::BuiltinToolReturn(p) => p.provider_name.as_deref(),
            ModelResponsePart::File(p) => p.provider_name.as_deref(),
            ModelResponsePart::Compaction(p) => p.provider_name.as_deref(),
        }
    }

    /// The part's provider details, if any.
    pub fn provider_details(&self) -> Option<&Map<String, Value>> {
        match self {
            ModelResponsePart::Text(p) => p.provider_details.as_ref(),
            ModelResponsePart::ToolCall(p) => p.provider_details.as_ref(),
            ModelResponsePart::Thinking(p) => p.provider_details.as_ref(),
            ModelResponsePart::BuiltinToolCall(p) => p.provider_details.as_ref(),
            ModelResponsePart::BuiltinToolReturn(p) => p.provider_details.as_ref(),
            ModelResponsePart::File(p) => p.provider_details.as_ref(),
            ModelResponsePart::Compaction(p) => p.provider_details.as_ref(),
        }
    }

    /// Sets the part's provider details and the provider that produced them (pydantic-ai
    /// requires `provider_name` whenever `provider_details` is set).
    pub fn set_provider_details(&mut self, provider: &str, details: Map<String, Value>) {
        let (name, slot) = match self {
            ModelResponsePart::Text(p) => (&mut p.provider_name, &mut p.provider_details),
            ModelResponsePart::ToolCall(p) => (&mut p.provider_name, &mut p.provider_details),
            ModelResponsePart::Thinking(p) => (&mut p.provider_name, &mut p.provider_details),
            ModelResponsePart::BuiltinToolCall(p) => {
                (&mut p.provider_name, &mut p.provider_details)
            }
            ModelResponsePart::BuiltinToolReturn(p) => {
                (&mut p.provider_name, &mut p.provider_details)
            }
            ModelResponsePart::File(p) => (&mut p.provider_name, &mut p.provider_details),
            ModelResponsePart::Compaction(p) => (&mut p.provider_name, &mut p.provider_details),
        };
        *name = Some(provider.to_owned());
        *slot = Some(details);
    }
}

self_tagged_enum!(ModelResponsePart {
    Text(TextPart),
    ToolCall(ToolCallPart),
    Thinking(ThinkingPart),
    BuiltinToolCall(BuiltinToolCallPart),
    BuiltinToolReturn(BuiltinToolReturnPart),
    File(FilePart),
    Compaction(CompactionPart),
});

/// The kind of a response part, as stream events name their neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartKind {
    /// `text`
    #[serde(rename = "text")]
    Text,
    /// `thinking`
    #[serde(rename = "thinking")]
    Thinking,
    /// `tool-call`
    #[serde(rename = "tool-call")]
    ToolCall,
    /// `builtin-tool-call`
    #[serde(rename = "builtin-tool-call")]
    BuiltinToolCall,
    /// `builtin-tool-return`
    #[serde(rename = "builtin-tool-return")]
    BuiltinToolReturn,
    /// `compaction`
    #[serde(rename = "compaction")]
    Compaction,
    /// `file`
    #[serde(rename = "file")]
    File,
}

/// Text from the model.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "text")]
pub struct TextPart {
    /// The text.
    pub content: String,
    /// The provider's id of this part, if it has one.
    #[serde(default)]
    pub id: Option<String>,
    /// The provider that produced `id` or `provider_details`.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider data that must be sent back with the part.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

impl TextPart {
    /// A text part.
    pub fn new(content: impl Into<String>) -> Self {
        TextPart {
            content: content.into(),
            ..TextPart::default()
        }
    }
}

/// The model's reasoning, with the provider's signature when it sends one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "thinking")]
pub struct ThinkingPart {
    /// The reasoning text (may be empty when the provider only sends a signature).
    pub content: String,
    /// The provider's id of this part, if it has one.
    #[serde(default)]
    pub id: Option<String>,
    /// The provider's signature of the reasoning, sent back to the same provider.
    #[serde(default)]
    pub signature: Option<String>,
    /// The provider that produced the signature or details.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider data that must be sent back with the part.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

impl ThinkingPart {
    /// A thinking part.
    pub fn new(content: impl Into<String>) -> Self {
        ThinkingPart {
            content: content.into(),
            ..ThinkingPart::default()
        }
    }
}

/// The arguments of a tool call, kept as the provider gave them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ToolArgs {
    /// A JSON text, byte for byte as received (it may be invalid: models make mistakes).
    Json(String),
    /// A JSON object.
    Object(Map<String, Value>),
}

impl From<&str> for ToolArgs {
    fn from(text: &str) -> Self {
        ToolArgs::Json(text.to_owned())
    }
}

impl From<String> for ToolArgs {
    fn from(text: String) -> Self {
        ToolArgs::Json(text)
    }
}

impl From<Map<String, Value>> for ToolArgs {
    fn from(map: Map<String, Value>) -> Self {
        ToolArgs::Object(map)
    }
}

/// The text of `parts` as [`ModelResponse::text`] joins it (adjacent text parts concatenated,
/// others separated by a blank line); also read from a stream's parts in place.
pub(crate) fn joined_text<'a>(parts: impl IntoIterator<Item = &'a ModelResponsePart>) -> String {
    let mut out = String::new();
    let mut adjacent = false;
    let mut any = false;
    for part in parts {
        if let ModelResponsePart::Text(text) = part {
            if any && !adjacent {
                out.push_str("\n\n");
            }
            out.push_str(&text.content);
            adjacent = true;
            any = true;
        } else {
            adjacent = false;
        }
    }
    out
}

/// The key pydantic-ai wraps invalid JSON arguments under.
pub const INVALID_JSON_KEY: &str = "INVALID_JSON";

/// A call of a function tool by the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "tool-call")]
pub struct ToolCallPart {
    /// The tool's name.
    pub tool_name: String,
    /// The arguments: a JSON string or an object; `None` for none.
    #[serde(default)]
    pub args: Option<ToolArgs>,
    /// The id of this call; the tool's return must carry it.
    #[serde(default = "generate_tool_call_id")]
    pub tool_call_id: String,
    /// pydantic-ai's typed tool discriminator, if any.
    #[serde(default)]
    pub tool_kind: Option<String>,
    /// The provider's id of this part (OpenAI Responses item ids), if any.
    #[serde(default)]
    pub id: Option<String>,
    /// The provider that produced `id` or `provider_details`.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider data that must be sent back with the part.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

impl ToolCallPart {
    /// A call of `tool_name` with `args` and the id `tool_call_id`.
    pub fn new(
        tool_name: impl Into<String>,
        args: impl Into<ToolArgs>,
        tool_call_id: impl Into<String>,
    ) -> Self {
        ToolCallPart {
            tool_name: tool_name.into(),
            args: Some(args.into()),
            tool_call_id: tool_call_id.into(),
            tool_kind: None,
            id: None,
            provider_name: None,
            provider_details: None,
        }
    }

    /// The arguments as a JSON object text.
    ///
    /// Arguments received as a JSON object text are returned byte for byte (key order and
    /// whitespace matter for prompt caching); `None`, `""` and `{}` give `{}`; invalid or
    /// non-object JSON is wrapped as `{"INVALID_JSON": "<raw>"}` so that it can still be sent
    /// back to a provider that requires an object.
    ///
    /// ```
    /// use llm_runtime::messages::ToolCallPart;
    /// let call = ToolCallPart::new("divide", r#"{"a": 1,  "b": 2}"#, "c1");
    /// assert_eq!(call.args_as_json_str(), r#"{"a": 1,  "b": 2}"#);
    /// let bad = ToolCallPart::new("divide", "{oops", "c2");
    /// assert_eq!(bad.args_as_json_str(), r#"{"INVALID_JSON":"{oops"}"#);
    /// ```
    pub fn args_as_json_str(&self) -> String {
        args_as_json_str(&self.args)
    }

    /// The arguments as a JSON object: `None` and `""` give `{}`; invalid or non-object JSON
    /// gives `{"INVALID_JSON": "<raw>"}`.
    pub fn args_as_dict(&self) -> Map<String, Value> {
        args_as_dict(&self.args)
    }

    /// Whether the call has arguments (not `None`, `""` or `{}`).
    pub fn has_content(&self) -> bool {
        args_have_content(&self.args)
    }
}

/// [`ToolCallPart::args_as_json_str`] of any call's arguments.
pub(crate) fn args_as_json_str(args: &Option<ToolArgs>) -> String {
    match args {
        None => "{}".to_owned(),
        Some(ToolArgs::Json(text)) if text.is_empty() => "{}".to_owned(),
        Some(ToolArgs::Json(text)) if is_json_object(text) => text.clone(),
        Some(ToolArgs::Json(text)) => {
            let mut map = Map::new();
            map.insert(INVALID_JSON_KEY.into(), Value::String(text.clone()));
            Value::Object(map).to_string()
        }
        Some(ToolArgs::Object(map)) => Value::Object(map.clone()).to_string(),
    }
}

/// [`ToolCallPart::args_as_dict`] of any call's arguments.
pub(crate) fn args_as_dict(args: &Option<ToolArgs>) -> Map<String, Value> {
    match args {
        None => Map::new(),
        Some(ToolArgs::Json(text)) if text.is_empty() => Map::new(),
        Some(ToolArgs::Json(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            _ => {
                let mut map = Map::new();
                map.insert(INVALID_JSON_KEY.into(), Value::String(text.clone()));
                map
            }
        },
        Some(ToolArgs::Object(map)) => map.clone(),
    }
}

/// [`ToolCallPart::has_content`] of any call's arguments.
pub(crate) fn args_have_content(args: &Option<ToolArgs>) -> bool {
    match args {
        None => false,
        Some(ToolArgs::Json(text)) => !text.is_empty(),
        Some(ToolArgs::Object(map)) => !map.is_empty(),
    }
}

/// Whether `text` is one valid JSON object, without building it.
fn is_json_object(text: &str) -> bool {
    text.trim_start().starts_with('{') && serde_json::from_str::<IgnoredAny>(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn args_semantics_follow_pydantic_ai() {
        let mut call = ToolCallPart::new("t", "", "id");
        assert_eq!(call.args_as_json_str(), "{}");
        assert!(!call.has_content());
        call.args = None;
        assert_eq!(call.args_as_dict(), Map::new());
        call.args = Some(ToolArgs::Json("[1, 2]".into()));
        assert_eq!(call.args_as_json_str(), r#"{"INVALID_JSON":"[1, 2]"}"#);
        assert_eq!(call.args_as_dict()[INVALID_JSON_KEY], json!("[1, 2]"));
        let map = json!({"z": 1, "a": {"b": [true]}})
            .as_object()
            .unwrap()
            .clone();
        call.args = Some(ToolArgs::Object(map.clone()));
        // Objects keep their key order.
        assert_eq!(call.args_as_json_str(), r#"{"z":1,"a":{"b":[true]}}"#);
        assert_eq!(call.args_as_dict(), map);
    }

    #[test]
    fn text_joins_text_parts() {
        let response = ModelResponse::new(vec![
            TextPart::new("a").into(),
            ToolCallPart::new("t", "{}", "1").into(),
            TextPart::new("b").into(),
            TextPart::new("c").into(),
        ]);
        assert_eq!(response.text(), "a\n\nbc");
        assert_eq!(response.tool_calls().len(), 1);
    }

    #[test]
    fn parts_carry_their_tag_alone_and_in_the_enum() {
        let part: ModelResponsePart = ThinkingPart::new("hmm").into();
        let value = serde_json::to_value(&part).unwrap();
        assert_eq!(value["part_kind"], "thinking");
        assert_eq!(
            serde_json::from_value::<ModelResponsePart>(value).unwrap(),
            part
        );
        let err = serde_json::from_value::<ModelResponsePart>(json!({"part_kind": "speech"}));
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("unknown variant `speech`"));
    }
}
