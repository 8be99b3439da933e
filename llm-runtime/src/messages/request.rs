//! What we send: [`ModelRequest`] and its parts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::content::UserContent;
use super::serde_util::{now, opt_timestamp, self_tagged_enum, string_tag, timestamp};

string_tag!(
    /// The `kind` tag of [`ModelRequest`].
    RequestKind = "request"
);

/// A request to a model: the parts we send in one turn (pydantic-ai's `ModelRequest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRequest {
    /// The parts of the request, in order.
    pub parts: Vec<ModelRequestPart>,
    /// When the request was made.
    #[serde(default, with = "opt_timestamp")]
    pub timestamp: Option<DateTime<Utc>>,
    /// Instructions for the model (sent as the system or developer message). Only the
    /// instructions of the most recent request are sent.
    #[serde(default)]
    pub instructions: Option<String>,
    /// The `kind` tag, always `"request"`.
    #[serde(default)]
    pub kind: RequestKind,
    /// The agent run this request belongs to, if any.
    #[serde(default)]
    pub run_id: Option<String>,
    /// The conversation this request belongs to, if any.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Application data, never sent to the model.
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
    /// `complete`, or `interrupted` when the turn was cut short.
    #[serde(default)]
    pub state: RequestState,
}

impl ModelRequest {
    /// A request of the given parts, made now.
    pub fn new(parts: Vec<ModelRequestPart>) -> Self {
        ModelRequest {
            parts,
            timestamp: Some(now()),
            instructions: None,
            kind: RequestKind,
            run_id: None,
            conversation_id: None,
            metadata: None,
            state: RequestState::Complete,
        }
    }

    /// A request with a single text user prompt.
    ///
    /// ```
    /// use llm_runtime::messages::ModelRequest;
    /// let request = ModelRequest::user_text_prompt("What is the capital of France?");
    /// assert_eq!(request.parts.len(), 1);
    /// ```
    pub fn user_text_prompt(prompt: impl Into<String>) -> Self {
        ModelRequest::new(vec![ModelRequestPart::UserPrompt(UserPromptPart::new(
            prompt.into(),
        ))])
    }

    /// Sets the instructions of this request.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }
}

/// The lifecycle state of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestState {
    /// The request was sent whole (the default).
    #[default]
    Complete,
    /// The request was interrupted.
    Interrupted,
}

/// One part of a [`ModelRequest`], tagged by `part_kind` in JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "part_kind")]
pub enum ModelRequestPart {
    /// A system prompt (`system-prompt`).
    #[serde(rename = "system-prompt")]
    SystemPrompt(SystemPromptPart),
    /// A user prompt (`user-prompt`).
    #[serde(rename = "user-prompt")]
    UserPrompt(UserPromptPart),
    /// The result of a tool call (`tool-return`).
    #[serde(rename = "tool-return")]
    ToolReturn(ToolReturnPart),
    /// A request to try again (`retry-prompt`).
    #[serde(rename = "retry-prompt")]
    RetryPrompt(RetryPromptPart),
}

self_tagged_enum!(ModelRequestPart {
    SystemPrompt(SystemPromptPart),
    UserPrompt(UserPromptPart),
    ToolReturn(ToolReturnPart),
    RetryPrompt(RetryPromptPart),
});

/// A system prompt: instructions from the application to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "system-prompt")]
pub struct SystemPromptPart {
    /// The prompt.
    pub content: String,
    /// When the prompt was written.
    #[serde(with = "timestamp", default = "now")]
    pub timestamp: DateTime<Utc>,
    /// The name of the function that produced a dynamic prompt, if any.
    #[serde(default)]
    pub dynamic_ref: Option<String>,
}

impl SystemPromptPart {
    /// A system prompt written now.
    pub fn new(content: impl Into<String>) -> Self {
        SystemPromptPart {
            content: content.into(),
            timestamp: now(),
            dynamic_ref: None,
        }
    }
}

/// A user prompt: text, or text with images, audio, video and documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "user-prompt")]
pub struct UserPromptPart {
    /// The prompt.
    pub content: UserContent,
    /// When the prompt was written.
    #[serde(with = "timestamp", default = "now")]
    pub timestamp: DateTime<Utc>,
}

impl UserPromptPart {
    /// A user prompt written now.
    pub fn new(content: impl Into<UserContent>) -> Self {
        UserPromptPart {
            content: content.into(),
            timestamp: now(),
        }
    }
}

/// How a tool call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolReturnOutcome {
    /// The tool ran and returned (the default).
    #[default]
    Success,
    /// The tool failed; the content describes the failure.
    Failed,
    /// The call was denied.
    Denied,
    /// The call was interrupted.
    Interrupted,
}

/// [`ToolReturnPart::model_response_str`] of any tool's return.
pub(crate) fn model_response_str(content: &Value, outcome: ToolReturnOutcome) -> String {
    let text = match content {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if outcome == ToolReturnOutcome::Failed {
        serde_json::json!({ "error": text }).to_string()
    } else {
        text
    }
}

/// The result of a tool call, sent back to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "tool-return")]
pub struct ToolReturnPart {
    /// The name of the tool that was called.
    pub tool_name: String,
    /// What the tool returned: a string or any JSON value.
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
}

impl ToolReturnPart {
    /// A successful return of `content` for the call `tool_call_id` of `tool_name`.
    pub fn new(
        tool_name: impl Into<String>,
        content: impl Into<Value>,
        tool_call_id: impl Into<String>,
    ) -> Self {
        ToolReturnPart {
            tool_name: tool_name.into(),
            content: content.into(),
            tool_call_id: tool_call_id.into(),
            tool_kind: None,
            metadata: Value::Null,
            timestamp: now(),
            outcome: ToolReturnOutcome::Success,
        }
    }

    /// The content as the model sees it: a string as is, other JSON serialized compactly,
    /// a failure wrapped as `{"error": ...}`.
    pub fn model_response_str(&self) -> String {
        model_response_str(&self.content, self.outcome)
    }

    /// The content as a JSON object: an object as is, anything else as `{"return_value": ...}`
    /// (for APIs such as Gemini's that accept only objects).
    pub fn model_response_object(&self) -> Map<String, Value> {
        if self.outcome == ToolReturnOutcome::Failed {
            let mut map = Map::new();
            map.insert(
                "error".into(),
                Value::String(self.model_response_str_unwrapped()),
            );
            return map;
        }
        match &self.content {
            Value::Null => Map::new(),
            Value::Object(map) => map.clone(),
            other => {
                let mut map = Map::new();
                map.insert("return_value".into(), other.clone());
                map
            }
        }
    }

    fn model_response_str_unwrapped(&self) -> String {
        match &self.content {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// One validation error, as pydantic reports it (`ErrorDetails`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetails {
    /// The error's type, e.g. `int_parsing` or `missing`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where the error is: field names and list indices.
    pub loc: Vec<Value>,
    /// What is wrong, for a human (and a model).
    pub msg: String,
    /// The value that was wrong.
    pub input: Value,
    /// Values the message refers to (e.g. `{"gt": 0}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctx: Option<Map<String, Value>>,
    /// A link to the error's documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The content of a [`RetryPromptPart`]: a message, or structured validation errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RetryContent {
    /// Validation errors.
    Errors(Vec<ErrorDetails>),
    /// A free-form message.
    Text(String),
}

/// A request to the model to try again: tool arguments that did not validate, an unknown tool,
/// or output that was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "retry-prompt")]
pub struct RetryPromptPart {
    /// Why the model should retry.
    pub content: RetryContent,
    /// The tool whose call failed, if any.
    #[serde(default)]
    pub tool_name: Option<String>,
    /// The id of the call that failed.
    #[serde(default = "generate_tool_call_id")]
    pub tool_call_id: String,
    /// When the retry was requested.
    #[serde(with = "timestamp", default = "now")]
    pub timestamp: DateTime<Utc>,
}

impl RetryPromptPart {
    /// A retry prompt with a free-form message, not tied to a tool call.
    pub fn new(content: impl Into<String>) -> Self {
        RetryPromptPart {
            content: RetryContent::Text(content.into()),
            tool_name: None,
            tool_call_id: generate_tool_call_id(),
            timestamp: now(),
        }
    }

    /// The text the model receives, exactly as pydantic-ai words it.
    pub fn model_response(&self) -> String {
        let description = match &self.content {
            RetryContent::Text(text) if self.tool_name.is_none() => {
                format!("Validation feedback:\n{text}")
            }
            RetryContent::Text(text) => text.clone(),
            RetryContent::Errors(errors) => {
                let shown: Vec<Value> = errors
                    .iter()
                    .map(|e| {
                        let mut obj = Map::new();
                        obj.insert("type".into(), Value::String(e.kind.clone()));
                        obj.insert("loc".into(), Value::Array(e.loc.clone()));
                        obj.insert("msg".into(), Value::String(e.msg.clone()));
                        // Output retries (no tool) drop top-level inputs: the model already has them.
                        if self.tool_name.is_some() || e.loc.len() > 1 {
                            obj.insert("input".into(), e.input.clone());
                        }
                        if let Some(url) = &e.url {
                            obj.insert("url".into(), Value::String(url.clone()));
                        }
                        Value::Object(obj)
                    })
                    .collect();
                let json = serde_json::to_string_pretty(&shown).unwrap_or_default();
                let plural = if errors.len() == 1 { "" } else { "s" };
                format!(
                    "{} validation error{plural}:\n```json\n{json}\n```",
                    errors.len()
                )
            }
        };
        format!("{description}\n\nFix the errors and try again.")
    }
}

/// A fresh tool call id in pydantic-ai's style (`pyd_ai_` and 32 hex digits), for calls a
/// provider sent without one.
pub fn generate_tool_call_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    // A splitmix64 round over time and counter: unique in-process, well spread across processes.
    let mut z = nanos ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    format!("pyd_ai_{z:016x}{count:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn retry_prompt_wording_matches_pydantic_ai() {
        let mut part = RetryPromptPart::new("Please also state the currency.");
        assert_eq!(
            part.model_response(),
            "Validation feedback:\nPlease also state the currency.\n\nFix the errors and try again."
        );
        part.tool_name = Some("place_order".into());
        part.content = RetryContent::Errors(vec![ErrorDetails {
            kind: "int_parsing".into(),
            loc: vec![json!("quantity")],
            msg: "Input should be a valid integer".into(),
            input: json!("three"),
            ctx: Some(Map::new()),
            url: None,
        }]);
        assert_eq!(
            part.model_response(),
            "1 validation error:\n```json\n[\n  {\n    \"type\": \"int_parsing\",\n    \"loc\": [\n      \"quantity\"\n    ],\n    \"msg\": \"Input should be a valid integer\",\n    \"input\": \"three\"\n  }\n]\n```\n\nFix the errors and try again."
        );
    }

    #[test]
    fn tool_return_as_the_model_sees_it() {
        let mut part = ToolReturnPart::new("f", json!({"a": 1}), "c1");
        assert_eq!(part.model_response_str(), r#"{"a":1}"#);
        part.content = json!(3);
        assert_eq!(
            part.model_response_object(),
            json!({"return_value": 3}).as_object().unwrap().clone()
        );
        part.content = json!("boom");
        part.outcome = ToolReturnOutcome::Failed;
        assert_eq!(part.model_response_str(), r#"{"error":"boom"}"#);
    }

    #[test]
    fn generated_ids_are_unique() {
        let a = generate_tool_call_id();
        let b = generate_tool_call_id();
        assert_ne!(a, b);
        assert!(a.starts_with("pyd_ai_") && a.len() == 39, "{a}");
    }
}
