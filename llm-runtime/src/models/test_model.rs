//! [`TestModel`]: an offline model that behaves like pydantic-ai's `TestModel`.

use futures::future::BoxFuture;
use futures::stream;
use serde_json::{Map, Value};

use super::{resolve_output_mode, Model, ModelProfile, ModelRequestParameters, OutputMode};
use crate::error::{Error, Result};
use crate::messages::{
    ModelMessage, ModelRequestPart, ModelResponse, ModelResponsePart, TextPart, ToolArgs,
    ToolCallPart, UserContent, UserContentItem,
};
use crate::settings::ModelSettings;
use crate::stream::{PartsManager, StreamedResponse, VendorId};
use crate::tools::ToolDefinition;
use crate::usage::Usage;

mod builtin;
mod schema_data;

use schema_data::SchemaData;

/// Which function tools a [`TestModel`] calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CallTools {
    /// Every function tool of the request (the default).
    #[default]
    All,
    /// Only these, by name.
    Only(Vec<String>),
}

/// An offline model for examples and tests; what `"test"` resolves to.
///
/// Deterministic, like pydantic-ai's `TestModel`: when the request offers function tools and
/// the history has no response yet, it calls each tool once with arguments generated from the
/// tool's JSON schema (ids `pyd_ai_tool_call_id__<name>`). Then it answers with the tool
/// returns as JSON, or `success (no tool calls)`. With output tools and no text output
/// allowed, it calls an output tool. In the native and prompted output modes it answers with
/// JSON text generated from the output object's schema (or the custom output arguments), so
/// that structured output parses: pydantic-ai's `TestModel` answers `success (no tool calls)`
/// there. [`OutputMode::Auto`] resolves as for a default profile (tool output). Usage is
/// estimated from the words in the conversation.
/// Streamed, text arrives word by word. With built-in tools, a text answer starts with a
/// canned call and return of each, attributed to the `test` provider (pydantic-ai's
/// `TestModel` refuses built-in tools instead).
///
/// ```
/// use llm_runtime::{model_request_sync, models::TestModel, messages::ModelRequest};
/// let model = TestModel::new().with_custom_output_text("Paris");
/// let (response, usage) = model_request_sync(model, [ModelRequest::user_text_prompt("Capital?")])?;
/// assert_eq!(response.text(), "Paris");
/// assert!(usage.request_tokens > 0 && usage.response_tokens > 0);
/// # Ok::<(), llm_runtime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TestModel {
    call_tools: CallTools,
    custom_output_text: Option<String>,
    custom_output_args: Option<Value>,
    seed: u64,
    model_name: String,
}

impl Default for TestModel {
    fn default() -> Self {
        TestModel::new()
    }
}

impl TestModel {
    /// A test model named `test` that calls every tool.
    pub fn new() -> Self {
        TestModel {
            call_tools: CallTools::All,
            custom_output_text: None,
            custom_output_args: None,
            seed: 0,
            model_name: "test".to_owned(),
        }
    }

    /// Sets which tools are called.
    pub fn with_call_tools(mut self, call_tools: CallTools) -> Self {
        self.call_tools = call_tools;
        self
    }

    /// Sets the final text answer.
    pub fn with_custom_output_text(mut self, text: impl Into<String>) -> Self {
        self.custom_output_text = Some(text.into());
        self
    }

    /// Sets the arguments of the final output-tool call.
    pub fn with_custom_output_args(mut self, args: Value) -> Self {
        self.custom_output_args = Some(args);
        self
    }

    /// Sets the seed that varies the generated arguments.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the model name reported in responses.
    pub fn with_model_name(mut self, name: impl Into<String>) -> Self {
        self.model_name = name.into();
        self
    }

    fn tools_to_call<'p>(
        &self,
        parameters: &'p ModelRequestParameters,
    ) -> Result<Vec<&'p ToolDefinition>> {
        match &self.call_tools {
            CallTools::All => Ok(parameters.function_tools.iter().collect()),
            CallTools::Only(names) => names
                .iter()
                .map(|name| {
                    parameters
                        .function_tools
                        .iter()
                        .find(|t| &t.name == name)
                        .ok_or_else(|| {
                            Error::user(format!(
                                "TestModel was configured to call unknown tool `{name}`"
                            ))
                        })
                })
                .collect(),
        }
    }

    fn call(&self, tool: &ToolDefinition, args: Value) -> ModelResponsePart {
        let args = match args {
            Value::Object(map) => ToolArgs::Object(map),
            other => ToolArgs::Json(other.to_string()),
        };
        ToolCallPart {
            args: Some(args),
            ..ToolCallPart::new(
                tool.name.clone(),
                "",
                format!("pyd_ai_tool_call_id__{}", tool.name),
            )
        }
        .into()
    }

    /// The parts of the answer, as pydantic-ai's `TestModel._request` decides them.
    fn parts(
        &self,
        messages: &[ModelMessage],
        parameters: &ModelRequestParameters,
    ) -> Result<Vec<ModelResponsePart>> {
        let tools = self.tools_to_call(parameters)?;
        let has_response = messages
            .iter()
            .any(|m| matches!(m, ModelMessage::Response(_)));
        if !tools.is_empty() && !has_response {
            return Ok(tools
                .iter()
                .map(|tool| self.call(tool, self.generate_args(tool)))
                .collect());
        }
        if let Some(ModelMessage::Request(last)) = messages.last() {
            let retried: Vec<&str> = last
                .parts
                .iter()
                .filter_map(|p| match p {
                    ModelRequestPart::RetryPrompt(r) => r.tool_name.as_deref(),
                    _ => None,
                })
                .collect();
            if !retried.is_empty() {
                let again = tools
                    .iter()
                    .chain(parameters.output_tools.iter().collect::<Vec<_>>().iter())
                    .filter(|t| retried.contains(&t.name.as_str()))
                    .map(|tool| self.call(tool, self.output_or_generated(tool)))
                    .collect();
                return Ok(again);
            }
        }
        let text_output = self.custom_output_text.is_some()
            || (self.custom_output_args.is_none()
                && (parameters.allow_text_output || parameters.output_tools.is_empty()))
            || (parameters.output_object.is_some() && parameters.output_tools.is_empty());
        if text_output {
            let structured = parameters.output_object.as_ref().filter(|_| {
                matches!(
                    parameters.output_mode,
                    OutputMode::Native | OutputMode::Prompted
                )
            });
            let text = match (&self.custom_output_text, structured) {
                (Some(text), _) => text.clone(),
                (None, Some(object)) => match &self.custom_output_args {
                    Some(args) => args.to_string(),
                    None => SchemaData::new(&object.json_schema, self.seed)
                        .generate()
                        .to_string(),
                },
                (None, None) => {
                    let mut returns = Map::new();
                    for message in messages {
                        if let ModelMessage::Request(request) = message {
                            for part in &request.parts {
                                if let ModelRequestPart::ToolReturn(ret) = part {
                                    returns.insert(ret.tool_name.clone(), ret.content.clone());
                                }
                            }
                        }
                    }
                    if returns.is_empty() {
                        "success (no tool calls)".to_owned()
                    } else {
                        Value::Object(returns).to_string()
                    }
                }
            };
            let mut parts = builtin::canned_parts(&parameters.builtin_tools, messages);
            parts.push(TextPart::new(text).into());
            return Ok(parts);
        }
        let Some(output_tool) = parameters
            .output_tools
            .get((self.seed % parameters.output_tools.len().max(1) as u64) as usize)
        else {
            return Err(Error::user(
                "TestModel was given custom output arguments but the request has no output tool",
            ));
        };
        Ok(vec![
            self.call(output_tool, self.output_or_generated(output_tool))
        ])
    }

    fn output_or_generated(&self, tool: &ToolDefinition) -> Value {
        match (&self.custom_output_args, tool.kind) {
            (Some(args), crate::tools::ToolKind::Output) => match &tool.outer_typed_dict_key {
                Some(key) => {
                    let mut map = Map::new();
                    map.insert(key.clone(), args.clone());
                    Value::Object(map)
                }
                None => args.clone(),
            },
            _ => self.generate_args(tool),
        }
    }

    fn generate_args(&self, tool: &ToolDefinition) -> Value {
        SchemaData::new(&tool.parameters_json_schema, self.seed).generate()
    }

    fn respond(
        &self,
        messages: &[ModelMessage],
        parameters: &ModelRequestParameters,
    ) -> Result<ModelResponse> {
        let parameters = resolve_output_mode(parameters, ModelProfile::default_ref());
        let mut response = ModelResponse::new(self.parts(messages, &parameters)?);
        response.model_name = Some(self.model_name.clone());
        response.provider_name = Some("test".to_owned());
        response.usage = estimate_usage(messages, &response.parts);
        Ok(response)
    }
}

impl Model for TestModel {
    fn request<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        _settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<ModelResponse>> {
        Box::pin(async move { self.respond(messages, parameters) })
    }

    fn request_stream<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        _settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<StreamedResponse>> {
        Box::pin(async move {
            let response = self.respond(messages, parameters)?;
            let parameters = resolve_output_mode(parameters, ModelProfile::default_ref());
            let manager =
                PartsManager::new(self.model_name.clone(), &parameters).with_provider("test", None);
            Ok(stream_parts(manager, response.parts, response.usage))
        })
    }

    fn model_name(&self) -> &str {
        &self.model_name
    }

    fn system(&self) -> &str {
        "test"
    }
}

/// One step of a canned stream.
enum Step {
    Text(usize, String),
    Part(usize, Box<ModelResponsePart>),
    Usage(Usage),
}

/// Streams `parts` as pydantic-ai's test stream does: each text part starts empty and grows
/// word by word (a one-word text in two halves); other parts arrive whole. The usage is set
/// at the end.
pub(crate) fn stream_parts(
    manager: PartsManager,
    parts: Vec<ModelResponsePart>,
    usage: Usage,
) -> StreamedResponse {
    let mut steps = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        match part {
            ModelResponsePart::Text(text) => {
                steps.push(Step::Text(i, String::new()));
                steps.extend(
                    split_words(&text.content)
                        .into_iter()
                        .map(|w| Step::Text(i, w)),
                );
            }
            other => steps.push(Step::Part(i, Box::new(other))),
        }
    }
    steps.push(Step::Usage(usage));
    StreamedResponse::from_stream(
        manager,
        stream::iter(steps.into_iter().map(Ok)),
        |step, pm| {
            match step {
                Step::Text(i, word) => pm.handle_text_delta(Some(VendorId::from(i)), word)?,
                Step::Part(i, part) => pm.handle_part(Some(VendorId::from(i)), *part),
                Step::Usage(usage) => pm.usage = usage,
            }
            Ok(())
        },
    )
}

/// Splits text into words that keep their trailing space; a single word longer than two
/// characters is split in half.
fn split_words(text: &str) -> Vec<String> {
    let pieces: Vec<&str> = text.split(' ').collect();
    let count = pieces.len();
    if count == 1 && text.chars().count() > 2 {
        let mid = text
            .char_indices()
            .nth(text.chars().count() / 2)
            .map_or(0, |(i, _)| i);
        return vec![text[..mid].to_owned(), text[mid..].to_owned()];
    }
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            if i + 1 < count {
                format!("{w} ")
            } else {
                w.to_owned()
            }
        })
        .collect()
}

/// A rough token count: pieces between whitespace, quotes, commas, periods and colons (as
/// pydantic-ai's `_estimate_string_tokens`).
pub(crate) fn estimate_tokens(text: &str) -> u64 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    let is_sep = |c: char| c.is_whitespace() || matches!(c, '"' | ',' | '.' | ':');
    let mut pieces = 1;
    let mut in_sep = false;
    for c in text.chars() {
        if is_sep(c) {
            if !in_sep {
                pieces += 1;
                in_sep = true;
            }
        } else {
            in_sep = false;
        }
    }
    pieces
}

fn estimate_content(content: &UserContent) -> u64 {
    match content {
        UserContent::Text(text) => estimate_tokens(text),
        UserContent::Items(items) => items
            .iter()
            .map(|item| match item {
                UserContentItem::Text(text) => estimate_tokens(text),
                UserContentItem::TextContent(text) => estimate_tokens(&text.content),
                UserContentItem::Binary(binary) => binary.data.len() as u64,
                _ => 0,
            })
            .sum(),
    }
}

fn estimate_response_part(part: &ModelResponsePart) -> u64 {
    match part {
        ModelResponsePart::Text(text) => estimate_tokens(&text.content),
        ModelResponsePart::Thinking(thinking) => estimate_tokens(&thinking.content),
        ModelResponsePart::ToolCall(call) => 1 + estimate_tokens(&call.args_as_json_str()),
        ModelResponsePart::BuiltinToolCall(call) => 1 + estimate_tokens(&call.args_as_json_str()),
        ModelResponsePart::BuiltinToolReturn(ret) => estimate_tokens(&ret.model_response_str()),
        // pydantic-ai counts a file's bytes, one token each.
        ModelResponsePart::File(file) => file.content.data.len() as u64,
        ModelResponsePart::Compaction(_) => 0,
    }
}

/// A plausible usage for a conversation and the answer to it, as pydantic-ai's
/// `_estimate_usage`: 50 tokens of overhead plus the words of every request, and the words
/// of every response.
pub(crate) fn estimate_usage(messages: &[ModelMessage], answer: &[ModelResponsePart]) -> Usage {
    let mut request_tokens = 50;
    let mut response_tokens = 0;
    for message in messages {
        match message {
            ModelMessage::Request(request) => {
                for part in &request.parts {
                    request_tokens += match part {
                        ModelRequestPart::SystemPrompt(p) => estimate_tokens(&p.content),
                        ModelRequestPart::UserPrompt(p) => estimate_content(&p.content),
                        ModelRequestPart::ToolReturn(p) => estimate_tokens(&p.model_response_str()),
                        ModelRequestPart::RetryPrompt(p) => estimate_tokens(&p.model_response()),
                    };
                }
            }
            ModelMessage::Response(response) => {
                response_tokens += response
                    .parts
                    .iter()
                    .map(estimate_response_part)
                    .sum::<u64>();
            }
        }
    }
    response_tokens += answer.iter().map(estimate_response_part).sum::<u64>();
    Usage::new(request_tokens, response_tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{ModelRequest, ToolReturnPart};
    use serde_json::json;

    fn divide() -> ToolDefinition {
        ToolDefinition::new("divide").with_parameters(json!({
            "type": "object",
            "properties": {
                "numerator": {"type": "number"},
                "denominator": {"type": "number"},
                "on_inf": {"enum": ["error", "infinity"], "default": "infinity"}
            },
            "required": ["numerator", "denominator"]
        }))
    }

    #[test]
    fn calls_each_tool_once_then_answers_with_the_returns() {
        let model = TestModel::new();
        let params = ModelRequestParameters {
            function_tools: vec![divide()],
            ..Default::default()
        };
        let mut history = vec![ModelMessage::from(ModelRequest::user_text_prompt("1/2?"))];
        let first = model.respond(&history, &params).unwrap();
        let calls = first.tool_calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].tool_call_id, "pyd_ai_tool_call_id__divide");
        assert_eq!(
            calls[0].args_as_json_str(),
            r#"{"numerator":0.0,"denominator":0.0}"#
        );
        history.push(first.clone().into());
        history.push(
            ModelRequest::new(vec![ToolReturnPart::new(
                "divide",
                json!(0.5),
                "pyd_ai_tool_call_id__divide",
            )
            .into()])
            .into(),
        );
        let second = model.respond(&history, &params).unwrap();
        assert_eq!(second.text(), r#"{"divide":0.5}"#);
    }

    #[test]
    fn schema_data_covers_the_json_schema_shapes() {
        let schema = json!({
            "type": "object",
            "properties": {
                "s": {"type": "string", "minLength": 3},
                "i": {"type": "integer", "minimum": 5},
                "b": {"type": "boolean"},
                "opt": {"type": ["number", "null"]},
                "list": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
                "tagged": {"oneOf": [{"const": "x"}, {"const": "y"}]},
                "map": {"type": "object", "additionalProperties": {"type": "integer"}},
                "day": {"type": "string", "format": "date"}
            },
            "required": ["s", "i", "b", "opt", "list", "tagged", "map", "day"],
            "$defs": {"Item": {"type": "object", "properties": {"n": {"type": "string"}}, "required": ["n"]}}
        });
        assert_eq!(
            SchemaData::new(&schema, 0).generate(),
            json!({"s": "aaa", "i": 5, "b": false, "opt": 0.0, "list": [{"n": "a"}],
                   "tagged": "x", "map": {"additionalProperty": 0}, "day": "2024-01-01"})
        );
        assert_eq!(
            SchemaData::new(&json!({"type": "string"}), 95).generate(),
            json!("ab")
        );
        // A recursive schema terminates.
        let recursive = json!({"$ref": "#/$defs/N", "$defs": {"N": {"type": "object",
            "properties": {"next": {"$ref": "#/$defs/N"}}, "required": ["next"]}}});
        assert!(SchemaData::new(&recursive, 0).generate().is_object());
    }

    #[test]
    fn token_estimates_match_pydantic_ai() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("What is the capital of France?"), 6);
        assert_eq!(estimate_tokens(r#"{"a":1}"#), 3);
        assert_eq!(estimate_tokens("a."), 2);
    }

    #[test]
    fn words_keep_their_spaces() {
        assert_eq!(split_words("a b c"), ["a ", "b ", "c"]);
        assert_eq!(split_words("Paris"), ["Pa", "ris"]);
        assert_eq!(split_words("ok"), ["ok"]);
    }

    #[test]
    fn unknown_tool_to_call_is_a_user_error() {
        let model = TestModel::new().with_call_tools(CallTools::Only(vec!["nope".into()]));
        let err = model
            .respond(&[], &ModelRequestParameters::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "TestModel was configured to call unknown tool `nope`"
        );
    }

    #[test]
    fn builtin_tools_get_a_canned_call_and_return_streamed_or_not() {
        use crate::models::{MCPServerTool, WebSearchTool};
        use futures::StreamExt as _;
        let params = ModelRequestParameters {
            builtin_tools: vec![
                WebSearchTool::default().into(),
                MCPServerTool {
                    id: "wiki".into(),
                    url: "https://example.com/mcp".into(),
                    ..Default::default()
                }
                .into(),
            ],
            ..Default::default()
        };
        let history = vec![ModelMessage::from(ModelRequest::user_text_prompt("Paris"))];
        let response = TestModel::new().respond(&history, &params).unwrap();
        let kinds: Vec<_> = response.parts.iter().map(|p| p.part_kind()).collect();
        use crate::messages::PartKind::*;
        assert_eq!(
            kinds,
            [
                BuiltinToolCall,
                BuiltinToolReturn,
                BuiltinToolCall,
                BuiltinToolReturn,
                Text
            ]
        );
        let ModelResponsePart::BuiltinToolCall(search) = &response.parts[0] else {
            unreachable!()
        };
        assert_eq!(search.args_as_json_str(), r#"{"query":"Paris"}"#);
        assert_eq!(search.provider_name.as_deref(), Some("test"));
        let ModelResponsePart::BuiltinToolCall(mcp) = &response.parts[2] else {
            unreachable!()
        };
        assert_eq!(mcp.tool_name, "mcp_server:wiki");

        let streamed = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async {
                let settings = ModelSettings::default();
                let mut stream = TestModel::new()
                    .request_stream(&history, &settings, &params)
                    .await
                    .unwrap();
                while stream.next().await.is_some() {}
                stream.get()
            });
        let strip = |parts: &[ModelResponsePart]| -> Vec<ModelResponsePart> {
            parts
                .iter()
                .cloned()
                .map(|mut p| {
                    if let ModelResponsePart::BuiltinToolReturn(r) = &mut p {
                        r.timestamp = chrono::DateTime::UNIX_EPOCH;
                    }
                    p
                })
                .collect()
        };
        assert_eq!(strip(&streamed.parts), strip(&response.parts));
    }
}
