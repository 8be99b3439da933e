//! Messages as OpenTelemetry GenAI JSON, byte for byte as pydantic-ai writes them (its
//! `otel_message_parts`, instrumentation version 5): `gen_ai.input.messages`,
//! `gen_ai.output.messages`, `gen_ai.system_instructions` and `gen_ai.tool.definitions`.
//!
//! Pure functions over borrowed messages; nothing is cloned but what the JSON holds. With
//! content capture off, every text, URL, file, tool argument and tool result is left out and
//! only the structure remains (roles, part types, tool call ids and names, media types).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::messages::{
    FileKind, FileUrl, ModelMessage, ModelRequest, ModelRequestPart, ModelResponse,
    ModelResponsePart, ToolArgs, UserContent, UserContentItem,
};
use crate::models::ModelRequestParameters;

/// What to leave out of the JSON.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Capture {
    /// Texts, URLs, tool arguments and results.
    pub content: bool,
    /// The bytes of inline files (only when `content` is also on).
    pub binary: bool,
}

/// A message of the GenAI conventions: `ChatMessage`, or `OutputMessage` with its finish reason.
#[derive(Serialize)]
struct ChatMessage<'a> {
    role: &'static str,
    parts: Vec<Part<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finish_reason: Option<&'static str>,
}

/// A message part of the GenAI conventions, fields in pydantic-ai's order.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Part<'a> {
    Text {
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<Text<'a>>,
    },
    Thinking {
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<&'a str>,
    },
    ToolCall {
        id: &'a str,
        name: &'a str,
        /// `true` for a provider's built-in tool, absent otherwise (as pydantic-ai writes it).
        #[serde(skip_serializing_if = "Option::is_none")]
        builtin: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        arguments: Option<&'a ToolArgs>,
    },
    ToolCallResponse {
        id: &'a str,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        builtin: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        result: Option<Result<'a>>,
    },
    Uri {
        #[serde(skip_serializing_if = "Option::is_none")]
        modality: Option<&'static str>,
        mime_type: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        uri: Option<&'a str>,
    },
    Blob {
        mime_type: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        modality: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<String>,
    },
}

/// A text borrowed from a message, or one made for the JSON (a retry prompt's wording).
#[derive(Serialize)]
#[serde(untagged)]
enum Text<'a> {
    Borrowed(&'a str),
    Owned(String),
}

/// A tool result: the tool's JSON value, or a retry prompt's wording.
#[derive(Serialize)]
#[serde(untagged)]
enum Result<'a> {
    Value(&'a Value),
    Redacted(Value),
    Text(String),
}

/// `gen_ai.input.messages`: every message sent, requests split into runs of parts by role.
pub(crate) fn input_messages(messages: &[ModelMessage], capture: Capture) -> String {
    let mut out = Vec::new();
    for message in messages {
        match message {
            ModelMessage::Request(request) => request_messages(request, capture, &mut out),
            ModelMessage::Response(response) => out.push(response_message(response, capture)),
        }
    }
    to_json(&out)
}

/// `gen_ai.output.messages`: the answer, as a one-message array.
pub(crate) fn output_messages(response: &ModelResponse, capture: Capture) -> String {
    to_json(&[response_message(response, capture)])
}

/// `gen_ai.system_instructions`: `[{"type": "text", "content": instructions}]`.
pub(crate) fn system_instructions(instructions: &str) -> String {
    to_json(&[Part::Text {
        content: Some(Text::Borrowed(instructions)),
    }])
}

/// `gen_ai.tool.definitions`: the function and output tools, `None` when there is none.
pub(crate) fn tool_definitions(parameters: &ModelRequestParameters) -> Option<String> {
    #[derive(Serialize)]
    struct Definition<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        parameters: Option<&'a Value>,
    }
    let definitions: Vec<Definition<'_>> = parameters
        .function_tools
        .iter()
        .chain(&parameters.output_tools)
        .map(|tool| Definition {
            kind: "function",
            name: &tool.name,
            description: tool.description.as_deref().filter(|d| !d.is_empty()),
            parameters: Some(&tool.parameters_json_schema).filter(|schema| is_truthy(schema)),
        })
        .collect();
    (!definitions.is_empty()).then(|| to_json(&definitions))
}

/// Appends the messages of one request: consecutive parts of one role make one message
/// (messages of different requests are never merged).
fn request_messages<'a>(
    request: &'a ModelRequest,
    capture: Capture,
    out: &mut Vec<ChatMessage<'a>>,
) {
    let first = out.len();
    for part in &request.parts {
        let role = match part {
            ModelRequestPart::SystemPrompt(_) => "system",
            _ => "user",
        };
        let same_role = out.len() > first && out.last().is_some_and(|last| last.role == role);
        if !same_role {
            out.push(ChatMessage {
                role,
                parts: Vec::new(),
                finish_reason: None,
            });
        }
        if let Some(last) = out.last_mut() {
            request_part(part, capture, &mut last.parts);
        }
    }
}

/// The parts one request part becomes.
fn request_part<'a>(part: &'a ModelRequestPart, capture: Capture, out: &mut Vec<Part<'a>>) {
    let content = capture.content;
    match part {
        ModelRequestPart::SystemPrompt(p) => out.push(Part::Text {
            content: content.then_some(Text::Borrowed(&p.content)),
        }),
        ModelRequestPart::UserPrompt(p) => match &p.content {
            UserContent::Text(text) => out.push(Part::Text {
                content: content.then_some(Text::Borrowed(text)),
            }),
            UserContent::Items(items) => {
                out.extend(items.iter().filter_map(|item| user_item(item, capture)))
            }
        },
        ModelRequestPart::ToolReturn(p) => out.push(Part::ToolCallResponse {
            id: &p.tool_call_id,
            name: &p.tool_name,
            builtin: None,
            result: tool_result(&p.content, capture),
        }),
        ModelRequestPart::RetryPrompt(p) => match &p.tool_name {
            None => out.push(Part::Text {
                content: content.then(|| Text::Owned(p.model_response())),
            }),
            Some(name) => out.push(Part::ToolCallResponse {
                id: &p.tool_call_id,
                name,
                builtin: None,
                result: content.then(|| Result::Text(p.model_response())),
            }),
        },
    }
}

/// A tool's result as captured: none without content, binary data redacted unless captured.
fn tool_result(value: &Value, capture: Capture) -> Option<Result<'_>> {
    match value {
        Value::Null => None,
        _ if !capture.content => None,
        value if capture.binary => Some(Result::Value(value)),
        value => Some(Result::Redacted(without_binary_data(value))),
    }
}

/// The part one item of a multimodal prompt becomes; a cache point becomes none.
fn user_item(item: &UserContentItem, capture: Capture) -> Option<Part<'_>> {
    let url = |file, kind, modality| uri_part(file, kind, modality, capture);
    Some(match item {
        UserContentItem::Text(text) => Part::Text {
            content: capture.content.then_some(Text::Borrowed(text)),
        },
        UserContentItem::TextContent(text) => Part::Text {
            content: capture.content.then_some(Text::Borrowed(&text.content)),
        },
        UserContentItem::ImageUrl(file) => url(file, FileKind::Image, Some("image")),
        UserContentItem::AudioUrl(file) => url(file, FileKind::Audio, Some("audio")),
        UserContentItem::VideoUrl(file) => url(file, FileKind::Video, Some("video")),
        UserContentItem::DocumentUrl(file) => url(file, FileKind::Document, None),
        UserContentItem::Binary(binary) => Part::Blob {
            mime_type: &binary.media_type,
            modality: modality(&binary.media_type),
            content: (capture.content && capture.binary).then(|| binary.base64()),
        },
        UserContentItem::CachePoint(_) => return None,
    })
}

/// A file given by URL: its media type, and its URL when content is captured.
fn uri_part<'a>(
    file: &'a FileUrl,
    kind: FileKind,
    modality: Option<&'static str>,
    capture: Capture,
) -> Part<'a> {
    Part::Uri {
        modality,
        mime_type: file.media_type(kind),
        uri: capture.content.then_some(file.url.as_str()),
    }
}

/// The message a response becomes, with its finish reason.
fn response_message(response: &ModelResponse, capture: Capture) -> ChatMessage<'_> {
    let content = capture.content;
    let parts = response
        .parts
        .iter()
        .filter_map(|part| {
            Some(match part {
                ModelResponsePart::Text(text) => Part::Text {
                    content: content.then_some(Text::Borrowed(&text.content)),
                },
                ModelResponsePart::Thinking(thinking) => Part::Thinking {
                    content: content.then_some(thinking.content.as_str()),
                },
                ModelResponsePart::ToolCall(call) => Part::ToolCall {
                    id: &call.tool_call_id,
                    name: &call.tool_name,
                    builtin: None,
                    arguments: call.args.as_ref().filter(|_| content),
                },
                ModelResponsePart::BuiltinToolCall(call) => Part::ToolCall {
                    id: &call.tool_call_id,
                    name: &call.tool_name,
                    builtin: Some(true),
                    arguments: call.args.as_ref().filter(|_| content),
                },
                ModelResponsePart::BuiltinToolReturn(ret) => Part::ToolCallResponse {
                    id: &ret.tool_call_id,
                    name: &ret.tool_name,
                    builtin: Some(true),
                    result: tool_result(&ret.content, capture),
                },
                ModelResponsePart::File(file) => Part::Blob {
                    mime_type: &file.content.media_type,
                    modality: modality(&file.content.media_type),
                    content: (content && capture.binary).then(|| file.content.base64()),
                },
                // As in pydantic-ai: the GenAI conventions have no part for a compaction summary.
                ModelResponsePart::Compaction(_) => return None,
            })
        })
        .collect();
    ChatMessage {
        role: "assistant",
        parts,
        finish_reason: response.finish_reason.map(|reason| reason.as_str()),
    }
}

/// The modality the GenAI conventions name for a media type, if any.
fn modality(media_type: &str) -> Option<&'static str> {
    ["image", "audio", "video"].into_iter().find(|m| {
        media_type
            .strip_prefix(m)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// `value` with the bytes of every serialized inline file (`{"kind": "binary", "data": ..}`)
/// removed, as pydantic-ai's `redact_binary_content` keeps only their metadata.
fn without_binary_data(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(without_binary_data).collect()),
        Value::Object(map) => {
            let binary = map.get("kind").and_then(Value::as_str) == Some("binary");
            Value::Object(
                map.iter()
                    .filter(|(key, _)| !(binary && key.as_str() == "data"))
                    .map(|(key, item)| (key.clone(), without_binary_data(item)))
                    .collect::<Map<String, Value>>(),
            )
        }
        other => other.clone(),
    }
}

/// Python's truthiness of a JSON value, which decides whether pydantic-ai writes a schema.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::String(s) => !s.is_empty(),
        Value::Number(_) => true,
    }
}

/// Compact JSON; these types always serialize (no non-string keys, no failing impls).
fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::messages::{
        BinaryContent, FileUrl, FinishReason, RetryPromptPart, SystemPromptPart, TextPart,
        ThinkingPart, ToolCallPart, ToolReturnPart, UserPromptPart,
    };
    use crate::tools::ToolDefinition;

    const ON: Capture = Capture {
        content: true,
        binary: true,
    };
    const OFF: Capture = Capture {
        content: false,
        binary: true,
    };

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn history() -> Vec<ModelMessage> {
        let mut answer = ModelResponse::new(vec![
            ThinkingPart::new("hmm").into(),
            TextPart::new("Let me divide.").into(),
            ToolCallPart::new("divide", r#"{"a": 1, "b": 2}"#, "call_1").into(),
        ]);
        answer.finish_reason = Some(FinishReason::ToolCall);
        vec![
            ModelRequest::new(vec![
                SystemPromptPart::new("Be brief.").into(),
                UserPromptPart::new(vec![
                    UserContentItem::from("What is on this picture?"),
                    UserContentItem::ImageUrl(FileUrl::new("https://x.test/cat.png")),
                    UserContentItem::DocumentUrl(FileUrl::new("https://x.test/a.pdf")),
                    UserContentItem::Binary(BinaryContent::new(vec![1, 2, 3], "audio/wav")),
                    UserContentItem::CachePoint(Default::default()),
                ])
                .into(),
            ])
            .into(),
            answer.into(),
            ModelRequest::new(vec![
                ToolReturnPart::new("divide", json!({"result": 0.5}), "call_1").into(),
                RetryPromptPart {
                    tool_name: Some("divide".into()),
                    tool_call_id: "call_2".into(),
                    ..RetryPromptPart::new("b must not be 0")
                }
                .into(),
                RetryPromptPart::new("answer in French").into(),
            ])
            .into(),
        ]
    }

    #[test]
    fn input_messages_follow_pydantic_ai_with_content() {
        let json = parse(&input_messages(&history(), ON));
        assert_eq!(
            json,
            json!([
                {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
                {"role": "user", "parts": [
                    {"type": "text", "content": "What is on this picture?"},
                    {"type": "uri", "modality": "image", "mime_type": "image/png", "uri": "https://x.test/cat.png"},
                    {"type": "uri", "mime_type": "application/pdf", "uri": "https://x.test/a.pdf"},
                    {"type": "blob", "mime_type": "audio/wav", "modality": "audio", "content": "AQID"},
                ]},
                {"role": "assistant", "parts": [
                    {"type": "thinking", "content": "hmm"},
                    {"type": "text", "content": "Let me divide."},
                    {"type": "tool_call", "id": "call_1", "name": "divide", "arguments": "{\"a\": 1, \"b\": 2}"},
                ], "finish_reason": "tool_call"},
                {"role": "user", "parts": [
                    {"type": "tool_call_response", "id": "call_1", "name": "divide", "result": {"result": 0.5}},
                    {"type": "tool_call_response", "id": "call_2", "name": "divide",
                     "result": "b must not be 0\n\nFix the errors and try again."},
                    {"type": "text", "content": "Validation feedback:\nanswer in French\n\nFix the errors and try again."},
                ]},
            ])
        );
    }

    #[test]
    fn without_content_only_the_structure_remains() {
        let text = input_messages(&history(), OFF);
        assert_eq!(
            parse(&text),
            json!([
                {"role": "system", "parts": [{"type": "text"}]},
                {"role": "user", "parts": [
                    {"type": "text"},
                    {"type": "uri", "modality": "image", "mime_type": "image/png"},
                    {"type": "uri", "mime_type": "application/pdf"},
                    {"type": "blob", "mime_type": "audio/wav", "modality": "audio"},
                ]},
                {"role": "assistant", "parts": [
                    {"type": "thinking"},
                    {"type": "text"},
                    {"type": "tool_call", "id": "call_1", "name": "divide"},
                ], "finish_reason": "tool_call"},
                {"role": "user", "parts": [
                    {"type": "tool_call_response", "id": "call_1", "name": "divide"},
                    {"type": "tool_call_response", "id": "call_2", "name": "divide"},
                    {"type": "text"},
                ]},
            ])
        );
        for secret in [
            "Be brief", "picture", "x.test", "AQID", "hmm", "divide.", "0.5", "French",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    #[test]
    fn binary_bytes_can_be_left_out_alone() {
        let capture = Capture {
            content: true,
            binary: false,
        };
        let file = json!({"kind": "binary", "data": "AQID", "media_type": "image/png"});
        let messages = vec![ModelMessage::from(ModelRequest::new(vec![
            UserPromptPart::new(vec![
                UserContentItem::from("look"),
                UserContentItem::Binary(BinaryContent::new(vec![1, 2, 3], "image/png")),
            ])
            .into(),
            ToolReturnPart::new("snap", json!({"files": [file]}), "c1").into(),
        ]))];
        assert_eq!(
            parse(&input_messages(&messages, capture)),
            json!([{"role": "user", "parts": [
                {"type": "text", "content": "look"},
                {"type": "blob", "mime_type": "image/png", "modality": "image"},
                {"type": "tool_call_response", "id": "c1", "name": "snap",
                 "result": {"files": [{"kind": "binary", "media_type": "image/png"}]}},
            ]}])
        );
    }

    #[test]
    fn output_messages_are_one_assistant_message() {
        let mut response = ModelResponse::new(vec![TextPart::new("Paris").into()]);
        assert_eq!(
            parse(&output_messages(&response, ON)),
            json!([{"role": "assistant", "parts": [{"type": "text", "content": "Paris"}]}])
        );
        response.finish_reason = Some(FinishReason::Stop);
        let mut call = ToolCallPart::new("f", "", "c");
        call.args = Some(ToolArgs::Object(
            json!({"x": 1}).as_object().cloned().unwrap_or_default(),
        ));
        response.parts.push(call.into());
        assert_eq!(
            parse(&output_messages(&response, ON)),
            json!([{"role": "assistant", "parts": [
                {"type": "text", "content": "Paris"},
                {"type": "tool_call", "id": "c", "name": "f", "arguments": {"x": 1}},
            ], "finish_reason": "stop"}])
        );
    }

    #[test]
    fn instructions_and_tool_definitions() {
        assert_eq!(
            parse(&system_instructions("Answer in French.")),
            json!([{"type": "text", "content": "Answer in French."}])
        );
        assert_eq!(tool_definitions(&ModelRequestParameters::default()), None);
        let parameters = ModelRequestParameters {
            function_tools: vec![ToolDefinition::new("divide").with_description("Divides.")],
            output_tools: vec![ToolDefinition::new("final_result")
                .with_parameters(json!({}))
                .into_output_tool()],
            ..Default::default()
        };
        assert_eq!(
            parse(&tool_definitions(&parameters).unwrap_or_default()),
            json!([
                {"type": "function", "name": "divide", "description": "Divides.",
                 "parameters": {"type": "object", "properties": {}}},
                {"type": "function", "name": "final_result"},
            ])
        );
    }

    #[test]
    fn messages_of_two_requests_are_never_merged() {
        let messages = vec![
            ModelMessage::from(ModelRequest::user_text_prompt("a")),
            ModelMessage::from(ModelRequest::user_text_prompt("b")),
        ];
        assert_eq!(
            parse(&input_messages(&messages, ON)),
            json!([
                {"role": "user", "parts": [{"type": "text", "content": "a"}]},
                {"role": "user", "parts": [{"type": "text", "content": "b"}]},
            ])
        );
    }

    #[test]
    fn an_empty_request_makes_no_message() {
        let messages = vec![ModelMessage::from(ModelRequest::new(Vec::new()))];
        assert_eq!(input_messages(&messages, ON), "[]");
    }
}
