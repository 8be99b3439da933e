//! Every request body the OpenAI Chat Completions protocol builds validates against OpenAI's
//! published OpenAPI spec, served by Prism as a validating mock (`scripts/realpeers/`).
//!
//! Each case of the matrix (every message part, tool shape, setting and output mode the
//! protocol supports, and the protocol's compatible-host options) goes through the real
//! provider path (`model_request` on a `ProviderModel<OpenAiChat>` whose base URL is
//! `PRISM_BASE_URL`) and must get a 2xx. Prism answers an invalid body with 422 naming each
//! problem; a failing case prints them with the body that was sent. Prism cannot stream, so a
//! streamed body is checked by the answer Prism gives only once the body validated (a 500
//! `NO_COMPLEX_OBJECT_TEXT`: it has no event stream to generate). Negative controls prove the
//! validator is live for each part of the body, streamed or not.
//!
//! These tests run when `LLM_REAL_PEERS=1` and `PRISM_BASE_URL` are set (`.ci/run` sets
//! them); otherwise each prints one line and returns. The last test needs no Prism: the spec
//! lets objects carry keys it does not name, so it checks offline that every key we send is
//! one the spec names (a misspelled optional key would otherwise pass everywhere).
//!
//! Nothing is excluded. What the spec cannot judge: the JSON schemas inside tools and
//! `response_format` (free-form objects to it), and host-variant message keys it does not
//! name (`reasoning`, `reasoning_content`: thinking sent back to the host it came from), which
//! the key check allows on messages only.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::{
    BinaryContent, CachePoint, ErrorDetails, FileUrl, ModelMessage, ModelRequest, ModelRequestPart,
    ModelResponse, ModelResponsePart, RetryContent, RetryPromptPart, SystemPromptPart, TextContent,
    TextPart, ThinkingPart, ToolCallPart, ToolReturnOutcome, ToolReturnPart, UserContentItem,
    UserPromptPart,
};
use llm_runtime::models::{
    resolve_output_mode, Model, ModelRequestParameters, OutputMode, OutputObjectDefinition,
    SearchContextSize, WebSearchTool, WebSearchUserLocation,
};
use llm_runtime::output::OutputSpec;
use llm_runtime::providers::openai::chat::{
    AudioEncoding, MaxTokensField, OpenAiChat, Reasoning, SendBackThinking, SystemRole,
};
use llm_runtime::providers::{
    Cerebras, DeepSeek, Fireworks, GitHub, Groq, HuggingFace, LiteLlm, Mistral, MoonshotAi, Ollama,
    OpenAi, OpenAiCompatible, OpenRouter, PreparedRequest, Protocol, ProviderBuilder,
    ProviderModel, Together, Xai,
};
use llm_runtime::settings::{ModelSettings, Thinking, ToolChoice};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::warning::Warnings;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::{json, Map, Value};
use support::peers::peer_url;

/// The model most cases request (any name validates: the spec's model id is any string).
const MODEL: &str = "gpt-4.1-nano";

/// A built-in host's preset builder (`OpenAi::builder`, `Groq::builder`, …).
type HostBuilder = fn() -> ProviderBuilder<OpenAiChat>;

/// Where a case is sent: a built-in host as declared, or the protocol with chosen options.
#[derive(Clone)]
enum Via {
    /// A built-in host (`OpenAi::builder`, `Groq::builder`, …).
    Host(HostBuilder),
    /// `OpenAiChat` with options no built-in host combines this way, as a provider `openai`.
    Protocol(OpenAiChat),
}

/// One request of the matrix.
struct Case {
    name: String,
    via: Via,
    model: &'static str,
    messages: Vec<ModelMessage>,
    settings: ModelSettings,
    parameters: ModelRequestParameters,
}

impl Case {
    /// A request to the built-in `openai` host.
    fn new(name: impl Into<String>, messages: Vec<ModelMessage>) -> Self {
        Case {
            name: name.into(),
            via: Via::Host(OpenAi::builder),
            model: MODEL,
            messages,
            settings: ModelSettings::default(),
            parameters: ModelRequestParameters::default(),
        }
    }

    fn protocol(mut self, protocol: OpenAiChat) -> Self {
        self.via = Via::Protocol(protocol);
        self
    }

    fn host(mut self, builder: HostBuilder) -> Self {
        self.via = Via::Host(builder);
        self
    }

    fn model(mut self, model: &'static str) -> Self {
        self.model = model;
        self
    }

    fn settings(mut self, settings: ModelSettings) -> Self {
        self.settings = settings;
        self
    }

    fn parameters(mut self, parameters: ModelRequestParameters) -> Self {
        self.parameters = parameters;
        self
    }

    /// The model of this case's provider at `base_url`, with any key and no retries.
    fn provider_model(&self, base_url: &str) -> ProviderModel<OpenAiChat> {
        let builder = match &self.via {
            Via::Host(builder) => builder(),
            Via::Protocol(protocol) => ProviderBuilder::new("openai", protocol.clone()),
        };
        builder
            .base_url(base_url)
            .api_key("sk-prism")
            .retry(RetryPolicy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("a provider with an explicit base URL and key builds")
            .model(self.model)
    }

    /// The provider's name, for reports.
    fn provider(&self) -> String {
        self.provider_model("http://127.0.0.1:9")
            .system()
            .to_owned()
    }

    /// The body this case's provider builds, as the provider path sends it (no I/O).
    fn body(&self, stream: bool) -> Vec<u8> {
        let model = self.provider_model("http://127.0.0.1:9");
        let parameters = resolve_output_mode(&self.parameters, model.profile());
        let prepared = PreparedRequest {
            model_name: self.model,
            provider_name: model.provider().name(),
            messages: &self.messages,
            settings: &self.settings,
            parameters: &parameters,
            profile: model.profile(),
        };
        model
            .provider()
            .protocol()
            .request_body(&prepared, stream, &mut Warnings::new())
            .expect("the case's body builds (the provider path built it)")
    }
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

fn request(parts: Vec<ModelRequestPart>) -> ModelMessage {
    ModelRequest::new(parts).into()
}

fn response(parts: Vec<ModelResponsePart>) -> ModelMessage {
    ModelResponse::new(parts).into()
}

fn user(text: &str) -> ModelMessage {
    ModelRequest::user_text_prompt(text).into()
}

fn user_items(items: Vec<UserContentItem>) -> ModelMessage {
    request(vec![UserPromptPart::new(items).into()])
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not a JSON object: {other}"),
    }
}

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6,
    ]);
    png
}

/// A tool whose arguments nest an object, an enum, an optional and an array.
fn weather_tool() -> ToolDefinition {
    ToolDefinition::new("get_weather")
        .with_description("Get the weather for a city.")
        .with_parameters(json!({
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city's name."},
                "units": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": ["integer", "null"], "minimum": 1, "default": null},
                "position": {
                    "type": "object",
                    "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
                    "required": ["lat", "lon"]
                },
                "tags": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["city", "units"]
        }))
}

/// A tool whose schema is what schemars writes for nested structs and a tagged enum:
/// `$defs`, `$ref`, `oneOf` with `const` tags, a map.
fn schemars_tool() -> ToolDefinition {
    ToolDefinition::new("book_trip")
        .with_description("Book a trip.")
        .with_parameters(json!({
            "type": "object",
            "properties": {
                "traveller": {"$ref": "#/$defs/Person"},
                "leg": {
                    "oneOf": [
                        {"type": "object", "properties": {"kind": {"type": "string", "const": "flight"}, "number": {"type": "string"}}, "required": ["kind", "number"]},
                        {"type": "object", "properties": {"kind": {"type": "string", "const": "train"}, "seat": {"type": ["integer", "null"], "format": "uint32", "minimum": 0}}, "required": ["kind"]}
                    ]
                },
                "notes": {"type": "object", "additionalProperties": {"type": "string"}}
            },
            "required": ["traveller", "leg"],
            "$defs": {
                "Person": {
                    "type": "object",
                    "description": "Who travels.",
                    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "format": "uint8", "minimum": 0, "maximum": 255}},
                    "required": ["name"]
                }
            }
        }))
}

/// A tool without arguments or description.
fn bare_tool() -> ToolDefinition {
    ToolDefinition::new("get_time")
}

/// An output tool (its call is the final result).
fn output_tool() -> ToolDefinition {
    ToolDefinition::new("final_result")
        .with_description("The answer.")
        .with_parameters(json!({
            "type": "object",
            "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
            "required": ["city", "population"]
        }))
        .into_output_tool()
}

fn tools(function_tools: Vec<ToolDefinition>) -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools,
        allow_text_output: true,
        ..Default::default()
    }
}

fn output_object(strict: Option<bool>) -> OutputObjectDefinition {
    OutputObjectDefinition {
        json_schema: json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "country": {"$ref": "#/$defs/Country"},
                "population": {"type": ["integer", "null"]}
            },
            "required": ["city", "country"],
            "$defs": {"Country": {"type": "object", "properties": {"name": {"type": "string"}, "code": {"type": "string", "enum": ["FR", "DE"]}}, "required": ["name"]}}
        }),
        name: Some("CityInfo".into()),
        description: Some("A city and its country.".into()),
        strict,
    }
}

fn retry(content: RetryContent, tool_name: Option<&str>, id: &str) -> RetryPromptPart {
    let mut part = RetryPromptPart::new("");
    part.content = content;
    part.tool_name = tool_name.map(str::to_owned);
    part.tool_call_id = id.to_owned();
    part
}

fn error_details() -> Vec<ErrorDetails> {
    vec![
        ErrorDetails {
            kind: "int_parsing".into(),
            loc: vec![json!("days")],
            msg: "Input should be a valid integer".into(),
            input: json!("three"),
            ctx: None,
            url: None,
        },
        ErrorDetails {
            kind: "missing".into(),
            loc: vec![json!("city")],
            msg: "Field required".into(),
            input: json!({}),
            ctx: Some(object(json!({"field": "city"}))),
            url: Some("https://errors.pydantic.dev/2/v/missing".into()),
        },
    ]
}

/// A conversation where the model called a tool: the call, then `returns` in the next request.
fn tool_turn(call: ToolCallPart, returns: Vec<ModelRequestPart>) -> Vec<ModelMessage> {
    vec![
        user("What is the weather in Paris?"),
        response(vec![call.into()]),
        request(returns),
    ]
}

fn thinking(content: &str, id: Option<&str>, provider: Option<&str>) -> ThinkingPart {
    let mut part = ThinkingPart::new(content);
    part.id = id.map(str::to_owned);
    part.provider_name = provider.map(str::to_owned);
    part
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

fn message_cases() -> Vec<Case> {
    let call = || {
        ToolCallPart::new(
            "get_weather",
            r#"{"city": "Paris", "units": "celsius"}"#,
            "call_1",
        )
    };
    vec![
        Case::new("user text", vec![user("What is the capital of France?")]),
        Case::new(
            "system prompt",
            vec![request(vec![
                SystemPromptPart::new("You are terse.").into(),
                UserPromptPart::new("Hi").into(),
            ])],
        ),
        Case::new(
            "instructions",
            vec![ModelRequest::user_text_prompt("Hi")
                .with_instructions("Answer in French.")
                .into()],
        ),
        Case::new(
            "system prompts and instructions",
            vec![ModelRequest::new(vec![
                SystemPromptPart::new("You are terse.").into(),
                SystemPromptPart::new("You like maps.").into(),
                UserPromptPart::new("Hi").into(),
            ])
            .with_instructions("Answer in French.")
            .into()],
        ),
        Case::new(
            "system prompts merged into one (host variant)",
            vec![ModelRequest::new(vec![
                SystemPromptPart::new("You are terse.").into(),
                SystemPromptPart::new("You like maps.").into(),
                UserPromptPart::new("Hi").into(),
            ])
            .with_instructions("Answer in French.")
            .into()],
        )
        .protocol(OpenAiChat::new().with_multiple_system_messages(false)),
        Case::new(
            "system prompt as developer message",
            vec![request(vec![
                SystemPromptPart::new("You are terse.").into(),
                UserPromptPart::new("Hi").into(),
            ])],
        )
        .protocol(OpenAiChat::new().with_system_role(SystemRole::Developer)),
        Case::new(
            "system prompt as user message (o1-mini)",
            vec![request(vec![
                SystemPromptPart::new("You are terse.").into(),
                UserPromptPart::new("Hi").into(),
            ])],
        )
        .model("o1-mini"),
        Case::new(
            "image URL with detail",
            vec![user_items(vec![
                "What is in this picture?".into(),
                UserContentItem::ImageUrl(FileUrl {
                    vendor_metadata: Some(object(json!({"detail": "high"}))),
                    ..FileUrl::new("https://example.com/photos/eiffel.jpg")
                }),
            ])],
        ),
        Case::new(
            "image URL without detail",
            vec![user_items(vec![
                "What is in this picture?".into(),
                UserContentItem::ImageUrl(FileUrl::new("https://example.com/photos/eiffel.jpg")),
            ])],
        ),
        Case::new(
            "image bytes",
            vec![user_items(vec![
                "Describe it.".into(),
                BinaryContent::new(png(), "image/png").into(),
            ])],
        ),
        Case::new(
            "image bytes with detail",
            vec![user_items(vec![BinaryContent {
                vendor_metadata: Some(object(json!({"detail": "low"}))),
                ..BinaryContent::new(png(), "image/png")
            }
            .into()])],
        ),
        Case::new(
            "audio bytes (wav, mp3)",
            vec![user_items(vec![
                "Transcribe both.".into(),
                BinaryContent::new(b"RIFF\x24\0\0\0WAVEfmt ".to_vec(), "audio/wav").into(),
                BinaryContent::new(b"ID3\x04\0\0\0\0\0\0".to_vec(), "audio/mpeg").into(),
            ])],
        ),
        Case::new(
            "audio bytes as a data URI (host variant)",
            vec![user_items(vec![BinaryContent::new(
                b"RIFF\x24\0\0\0WAVEfmt ".to_vec(),
                "audio/wav",
            )
            .into()])],
        )
        .protocol(OpenAiChat::new().with_audio_encoding(AudioEncoding::DataUri)),
        Case::new(
            "document bytes (pdf)",
            vec![user_items(vec![
                "Summarize.".into(),
                BinaryContent::new(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec(), "application/pdf")
                    .into(),
            ])],
        ),
        Case::new(
            "document by URL (openrouter)",
            vec![user_items(vec![
                "Summarize.".into(),
                UserContentItem::DocumentUrl(FileUrl::new("https://example.com/report.pdf")),
            ])],
        )
        .host(OpenRouter::builder),
        Case::new(
            "text-like bytes inlined, text content, cache point",
            vec![user_items(vec![
                UserContentItem::TextContent(TextContent {
                    content: "Read these files.".into(),
                    metadata: json!({"source": "app"}),
                    kind: Default::default(),
                }),
                BinaryContent::new(b"name,population\nParis,2100000\n".to_vec(), "text/csv")
                    .into(),
                BinaryContent::new(br#"{"city": "Paris"}"#.to_vec(), "application/json").into(),
                UserContentItem::CachePoint(CachePoint::default()),
                "Which city is it?".into(),
            ])],
        ),
        Case::new(
            "assistant text",
            vec![
                user("Hi"),
                response(vec![TextPart::new("Hello! How can I help?").into()]),
                user("What is the capital of France?"),
            ],
        ),
        Case::new(
            "assistant text in several parts, empty response dropped",
            vec![
                user("Hi"),
                response(vec![TextPart::new("Hello!").into(), TextPart::new("Ask away.").into()]),
                user("Still there?"),
                response(vec![]),
                user("What is the capital of France?"),
            ],
        ),
        Case::new(
            "assistant tool calls: string, object, empty and invalid args; text beside",
            vec![
                user("Weather in Paris and Rome, and the time?"),
                response(vec![
                    TextPart::new("Let me check.").into(),
                    ToolCallPart::new("get_weather", r#"{"city": "Paris", "units": "celsius"}"#, "call_1").into(),
                    ToolCallPart::new("get_weather", object(json!({"city": "Rome", "units": "celsius", "position": {"lat": 41.9, "lon": 12.5}})), "call_2").into(),
                    ToolCallPart::new("get_time", "", "call_3").into(),
                    ToolCallPart::new("get_weather", "{oops", "call_4").into(),
                    ToolCallPart { args: None, ..ToolCallPart::new("get_time", "", "") }.into(),
                ]),
                request(vec![
                    ToolReturnPart::new("get_weather", "sunny", "call_1").into(),
                    ToolReturnPart::new("get_weather", "rainy", "call_2").into(),
                    ToolReturnPart::new("get_time", "12:00", "call_3").into(),
                    retry(RetryContent::Text("Invalid JSON.".into()), Some("get_weather"), "call_4").into(),
                ]),
            ],
        )
        .parameters(tools(vec![weather_tool(), bare_tool()])),
        Case::new(
            "tool return: string",
            tool_turn(call(), vec![ToolReturnPart::new("get_weather", "sunny, 21 °C", "call_1").into()]),
        ),
        Case::new(
            "tool return: JSON object, array, number, null",
            vec![
                user("Weather?"),
                response(vec![
                    ToolCallPart::new("get_weather", r#"{"city": "Paris"}"#, "c1").into(),
                    ToolCallPart::new("get_weather", r#"{"city": "Rome"}"#, "c2").into(),
                    ToolCallPart::new("get_weather", r#"{"city": "Oslo"}"#, "c3").into(),
                    ToolCallPart::new("get_weather", r#"{"city": "Bern"}"#, "c4").into(),
                ]),
                request(vec![
                    ToolReturnPart::new("get_weather", json!({"sky": "clear", "temp": 21.5, "wind": {"kmh": 10}}), "c1").into(),
                    ToolReturnPart::new("get_weather", json!(["rain", "wind"]), "c2").into(),
                    ToolReturnPart::new("get_weather", json!(-3), "c3").into(),
                    ToolReturnPart::new("get_weather", Value::Null, "c4").into(),
                ]),
            ],
        ),
        Case::new(
            "tool return: failed, then a user prompt in the same request",
            tool_turn(
                call(),
                vec![
                    ToolReturnPart {
                        outcome: ToolReturnOutcome::Failed,
                        ..ToolReturnPart::new("get_weather", "service unavailable", "call_1")
                    }
                    .into(),
                    UserPromptPart::new("Try once more.").into(),
                ],
            ),
        ),
        Case::new(
            "retry prompt: text with tool name",
            tool_turn(call(), vec![retry(RetryContent::Text("Unknown city.".into()), Some("get_weather"), "call_1").into()]),
        ),
        Case::new(
            "retry prompt: error details with tool name",
            tool_turn(call(), vec![retry(RetryContent::Errors(error_details()), Some("get_weather"), "call_1").into()]),
        ),
        Case::new(
            "retry prompt: text without tool name",
            vec![
                user("Give me a city as JSON."),
                response(vec![TextPart::new("Paris").into()]),
                request(vec![retry(RetryContent::Text("Not JSON.".into()), None, "").into()]),
            ],
        ),
        Case::new(
            "retry prompt: error details without tool name",
            vec![
                user("Give me a city as JSON."),
                response(vec![TextPart::new(r#"{"city": 3}"#).into()]),
                request(vec![retry(RetryContent::Errors(error_details()), None, "r1").into()]),
            ],
        ),
        Case::new(
            "thinking sent back in its field (reasoning)",
            vec![
                user("Hi"),
                response(vec![
                    thinking("The user greets me.", Some("reasoning"), None).into(),
                    TextPart::new("Hello!").into(),
                ]),
                user("What is 2 + 2?"),
            ],
        ),
        Case::new(
            "thinking sent back in tags (from another provider, or alone)",
            vec![
                user("Hi"),
                response(vec![
                    thinking("Claude's thoughts.", None, Some("anthropic")).into(),
                    TextPart::new("Hello!").into(),
                ]),
                user("And?"),
                response(vec![thinking("Only thinking, no text.", Some("content"), None).into()]),
                user("What is 2 + 2?"),
            ],
        ),
        Case::new(
            "thinking sent back in reasoning_content with tool calls (deepseek)",
            vec![
                user("Weather in Paris?"),
                response(vec![
                    thinking("I should call the tool.", Some("reasoning_content"), Some("deepseek")).into(),
                    ToolCallPart::new("get_weather", r#"{"city": "Paris"}"#, "call_1").into(),
                ]),
                request(vec![ToolReturnPart::new("get_weather", "sunny", "call_1").into()]),
                response(vec![ToolCallPart::new("get_weather", r#"{"city": "Rome"}"#, "call_2").into()]),
                request(vec![ToolReturnPart::new("get_weather", "rainy", "call_2").into()]),
            ],
        )
        .host(DeepSeek::builder),
        Case::new(
            "thinking omitted (host variant)",
            vec![
                user("Hi"),
                response(vec![thinking("Hidden.", None, None).into(), TextPart::new("Hello!").into()]),
                user("Bye"),
            ],
        )
        .protocol(OpenAiChat::new().with_send_back_thinking(SendBackThinking::Omit)),
    ]
}

fn tool_cases() -> Vec<Case> {
    let ask = || vec![user("What is the weather in Paris?")];
    vec![
        Case::new(
            "tools: nested, enum, optional; strict chosen from the schema",
            ask(),
        )
        .parameters(tools(vec![weather_tool(), schemars_tool(), bare_tool()])),
        Case::new("tools: strict", ask()).parameters(tools(vec![
            weather_tool().with_strict(true),
            schemars_tool().with_strict(true),
            bare_tool().with_strict(true),
        ])),
        Case::new("tools: not strict", ask()).parameters(tools(vec![
            weather_tool().with_strict(false),
            schemars_tool().with_strict(false),
        ])),
        Case::new("tools: strict not supported (host variant)", ask())
            .parameters(tools(vec![
                weather_tool().with_strict(true),
                schemars_tool(),
            ]))
            .protocol(OpenAiChat::new().with_strict_tools(false)),
        Case::new("output tool only", ask()).parameters(ModelRequestParameters {
            output_tools: vec![output_tool()],
            output_mode: OutputMode::Tool,
            allow_text_output: false,
            ..Default::default()
        }),
        Case::new("function tools and output tool", ask()).parameters(ModelRequestParameters {
            function_tools: vec![weather_tool(), bare_tool()],
            output_tools: vec![output_tool(), output_tool().with_strict(true)],
            output_mode: OutputMode::Tool,
            allow_text_output: false,
            ..Default::default()
        }),
        Case::new("tool_choice: auto", ask())
            .parameters(tools(vec![weather_tool()]))
            .settings(ModelSettings {
                tool_choice: Some(ToolChoice::Auto),
                ..Default::default()
            }),
        Case::new("tool_choice: none", ask())
            .parameters(tools(vec![weather_tool()]))
            .settings(ModelSettings {
                tool_choice: Some(ToolChoice::None),
                ..Default::default()
            }),
        Case::new("tool_choice: none keeps the output tools", ask())
            .parameters(ModelRequestParameters {
                function_tools: vec![weather_tool()],
                output_tools: vec![output_tool()],
                output_mode: OutputMode::Tool,
                ..Default::default()
            })
            .settings(ModelSettings {
                tool_choice: Some(ToolChoice::None),
                ..Default::default()
            }),
        Case::new("tool_choice: required", ask())
            .parameters(tools(vec![weather_tool(), bare_tool()]))
            .settings(ModelSettings {
                tool_choice: Some(ToolChoice::Required),
                ..Default::default()
            }),
        Case::new("tool_choice: one named tool", ask())
            .parameters(tools(vec![weather_tool(), bare_tool()]))
            .settings(ModelSettings {
                tool_choice: Some(ToolChoice::Tools(vec!["get_weather".into()])),
                ..Default::default()
            }),
        Case::new("tool_choice: two of three tools", ask())
            .parameters(tools(vec![weather_tool(), bare_tool(), schemars_tool()]))
            .settings(ModelSettings {
                tool_choice: Some(ToolChoice::Tools(vec![
                    "get_weather".into(),
                    "get_time".into(),
                ])),
                ..Default::default()
            }),
        Case::new("tool_choice: tool or output", ask())
            .parameters(ModelRequestParameters {
                function_tools: vec![weather_tool(), bare_tool()],
                output_tools: vec![output_tool()],
                output_mode: OutputMode::Tool,
                ..Default::default()
            })
            .settings(ModelSettings {
                tool_choice: Some(ToolChoice::ToolOrOutput(vec!["get_weather".into()])),
                ..Default::default()
            }),
        Case::new(
            "tool_choice: required on a host without forcing (sent as auto)",
            ask(),
        )
        .parameters(ModelRequestParameters {
            output_tools: vec![output_tool()],
            output_mode: OutputMode::Tool,
            ..Default::default()
        })
        .protocol(OpenAiChat::new().with_tool_choice_required(false)),
        Case::new("parallel_tool_calls with tools", ask())
            .parameters(tools(vec![weather_tool()]))
            .settings(ModelSettings {
                parallel_tool_calls: Some(false),
                ..Default::default()
            }),
        Case::new("parallel_tool_calls without tools (not sent)", ask()).settings(ModelSettings {
            parallel_tool_calls: Some(true),
            ..Default::default()
        }),
    ]
}

fn settings_cases() -> Vec<Case> {
    let ask = || vec![user("What is the capital of France?")];
    let with = |name, settings| Case::new(name, ask()).settings(settings);
    let mut cases = vec![
        with(
            "max_tokens (max_completion_tokens)",
            ModelSettings {
                max_tokens: Some(64),
                ..Default::default()
            },
        ),
        with(
            "max_tokens (max_tokens, host variant)",
            ModelSettings {
                max_tokens: Some(64),
                ..Default::default()
            },
        )
        .protocol(OpenAiChat::new().with_max_tokens_field(MaxTokensField::MaxTokens)),
        with(
            "temperature",
            ModelSettings {
                temperature: Some(0.0),
                ..Default::default()
            },
        ),
        with(
            "top_p",
            ModelSettings {
                top_p: Some(0.9),
                ..Default::default()
            },
        ),
        with(
            "seed",
            ModelSettings {
                seed: Some(42),
                ..Default::default()
            },
        ),
        with(
            "presence_penalty",
            ModelSettings {
                presence_penalty: Some(-1.5),
                ..Default::default()
            },
        ),
        with(
            "frequency_penalty",
            ModelSettings {
                frequency_penalty: Some(2.0),
                ..Default::default()
            },
        ),
        with(
            "logit_bias",
            ModelSettings {
                logit_bias: Some(BTreeMap::from([("50256".into(), -100), ("1234".into(), 5)])),
                ..Default::default()
            },
        ),
        with(
            "stop_sequences (one)",
            ModelSettings {
                stop_sequences: Some(vec!["\n\n".into()]),
                ..Default::default()
            },
        ),
        with(
            "stop_sequences (four)",
            ModelSettings {
                stop_sequences: Some(vec!["END".into(), "STOP".into(), "###".into(), "\n".into()]),
                ..Default::default()
            },
        ),
        with(
            "top_k (not in the API: not sent)",
            ModelSettings {
                top_k: Some(40),
                ..Default::default()
            },
        ),
        with(
            "timeout and extra_headers (not in the body)",
            ModelSettings {
                timeout: Some(Duration::from_secs(30)),
                extra_headers: Some(BTreeMap::from([("x-trace".into(), "abc".into())])),
                ..Default::default()
            },
        ),
        with(
            "extra_body",
            ModelSettings {
                extra_body: Some(json!({
                    "user": "user-1234",
                    "store": true,
                    "metadata": {"team": "research"},
                    "logprobs": true,
                    "top_logprobs": 3,
                    "n": 1,
                    "verbosity": "low",
                    "prompt_cache_key": "k1",
                    "safety_identifier": "sid"
                })),
                ..Default::default()
            },
        ),
        with(
            "extra_body: null",
            ModelSettings {
                extra_body: Some(Value::Null),
                ..Default::default()
            },
        ),
    ];
    for tier in ["auto", "default", "flex", "priority"] {
        cases.push(with(
            match tier {
                "auto" => "service_tier auto",
                "default" => "service_tier default",
                "flex" => "service_tier flex",
                _ => "service_tier priority",
            },
            ModelSettings {
                service_tier: Some(tier.into()),
                ..Default::default()
            },
        ));
    }
    let thinking = |name, model, thinking| {
        with(
            name,
            ModelSettings {
                thinking: Some(thinking),
                temperature: Some(0.5),
                ..Default::default()
            },
        )
        .model(model)
    };
    cases.extend([
        thinking("thinking minimal (gpt-5)", "gpt-5", Thinking::Minimal),
        thinking("thinking low (o4-mini)", "o4-mini", Thinking::Low),
        thinking("thinking medium (o3)", "o3", Thinking::Medium),
        thinking("thinking high (gpt-5.1)", "gpt-5.1", Thinking::High),
        thinking("thinking xhigh (gpt-5.2)", "gpt-5.2", Thinking::XHigh),
        thinking("thinking enabled (gpt-5.4)", "gpt-5.4", Thinking::Enabled),
        thinking(
            "thinking disabled (gpt-5.1: none)",
            "gpt-5.1",
            Thinking::Disabled,
        ),
        thinking(
            "thinking minimal on gpt-5.6 (low)",
            "gpt-5.6-terra",
            Thinking::Minimal,
        ),
        thinking(
            "thinking on a model that does not reason (not sent)",
            MODEL,
            Thinking::High,
        ),
        thinking(
            "thinking as reasoning_effort on any model (host variant)",
            "qwen3-32b",
            Thinking::Low,
        )
        .protocol(OpenAiChat::new().with_reasoning(Reasoning::Effort)),
    ]);
    cases.push(
        Case::new("every setting at once", vec![user("Weather in Paris?")])
            .parameters(tools(vec![weather_tool(), bare_tool()]))
            .settings(ModelSettings {
                max_tokens: Some(100),
                temperature: Some(0.2),
                top_p: Some(0.95),
                top_k: Some(10),
                timeout: Some(Duration::from_secs(30)),
                parallel_tool_calls: Some(true),
                tool_choice: Some(ToolChoice::Required),
                seed: Some(7),
                presence_penalty: Some(0.1),
                frequency_penalty: Some(0.1),
                logit_bias: Some(BTreeMap::from([("11".into(), 1)])),
                stop_sequences: Some(vec!["END".into()]),
                extra_headers: Some(BTreeMap::from([("x-a".into(), "b".into())])),
                extra_body: Some(json!({"user": "u1"})),
                thinking: None,
                service_tier: Some("flex".into()),
            }),
    );
    cases
}

/// The parameters a typed request (`.output::<Forecast>()`) sends in `mode`.
fn typed(mode: OutputMode) -> ModelRequestParameters {
    /// A forecast for a city.
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Forecast {
        city: String,
        celsius: f64,
        summary: Option<String>,
    }
    let mut parameters = ModelRequestParameters::default();
    OutputSpec::<Forecast>::new()
        .apply(&mut parameters, mode)
        .expect("a structured mode");
    parameters
}

fn output_cases() -> Vec<Case> {
    let ask = || vec![user("Tell me about Paris.")];
    let mode = |output_mode, strict| ModelRequestParameters {
        output_mode,
        output_object: Some(output_object(strict)),
        ..Default::default()
    };
    vec![
        Case::new("output: text", ask()).parameters(ModelRequestParameters {
            output_mode: OutputMode::Text,
            allow_text_output: true,
            ..Default::default()
        }),
        Case::new("output: tool", ask()).parameters(ModelRequestParameters {
            output_mode: OutputMode::Tool,
            output_tools: vec![output_tool()],
            ..Default::default()
        }),
        Case::new("output: tool or text", ask()).parameters(ModelRequestParameters {
            output_mode: OutputMode::ToolOrText,
            output_tools: vec![output_tool()],
            allow_text_output: true,
            ..Default::default()
        }),
        Case::new("output: native json_schema (strict from the schema)", ask())
            .parameters(mode(OutputMode::Native, None)),
        Case::new("output: native json_schema strict", ask())
            .parameters(mode(OutputMode::Native, Some(true))),
        Case::new("output: native json_schema not strict", ask())
            .parameters(mode(OutputMode::Native, Some(false))),
        Case::new("output: native without name or description", ask()).parameters(
            ModelRequestParameters {
                output_mode: OutputMode::Native,
                output_object: Some(OutputObjectDefinition {
                    name: None,
                    description: None,
                    ..output_object(None)
                }),
                ..Default::default()
            },
        ),
        Case::new(
            "output: native on a host without strict (host variant)",
            ask(),
        )
        .parameters(mode(OutputMode::Native, Some(true)))
        .protocol(OpenAiChat::new().with_strict_tools(false)),
        Case::new("output: prompted (json_object)", ask()).parameters(ModelRequestParameters {
            output_mode: OutputMode::Prompted,
            output_object: Some(output_object(None)),
            ..Default::default()
        }),
        Case::new(
            "output: prompted on a host without JSON mode (host variant)",
            ask(),
        )
        .parameters(ModelRequestParameters {
            output_mode: OutputMode::Prompted,
            output_object: Some(output_object(None)),
            ..Default::default()
        })
        .protocol(OpenAiChat::new().with_structured_output(false, false)),
        Case::new(
            "output: auto, as a typed request sets it (profile: tool)",
            ask(),
        )
        .parameters(typed(OutputMode::Auto)),
        Case::new("output: tool or text, as a typed request sets it", ask())
            .parameters(typed(OutputMode::ToolOrText)),
        Case::new("output: native, as a typed request sets it", ask())
            .parameters(typed(OutputMode::Native)),
        Case::new(
            "output: native with tools",
            vec![user("Weather in Paris, as JSON.")],
        )
        .parameters(ModelRequestParameters {
            function_tools: vec![weather_tool()],
            ..mode(OutputMode::Native, None)
        }),
    ]
}

/// The built-in hosts other than `openai` (which every case above goes to), each with a model
/// of its own naming, and whether it has a reasoning field of its own.
fn hosts() -> Vec<(HostBuilder, &'static str, Option<&'static str>)> {
    vec![
        (Groq::builder, "llama-3.3-70b-versatile", None),
        (Mistral::builder, "mistral-large-latest", None),
        (
            DeepSeek::builder,
            "deepseek-chat",
            Some("reasoning_content"),
        ),
        (
            OpenRouter::builder,
            "openai/gpt-4.1-nano",
            Some("reasoning"),
        ),
        (Ollama::builder, "qwen3:8b", Some("reasoning")),
        (Xai::builder, "grok-4", None),
        (
            Together::builder,
            "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            None,
        ),
        (
            Fireworks::builder,
            "accounts/fireworks/models/llama-v3p3-70b-instruct",
            None,
        ),
        (Cerebras::builder, "llama-3.3-70b", None),
        (GitHub::builder, "openai/gpt-4.1-nano", None),
        (HuggingFace::builder, "Qwen/Qwen3-32B", None),
        (
            MoonshotAi::builder,
            "kimi-k2-0905-preview",
            Some("reasoning_content"),
        ),
        (LiteLlm::builder, "gpt-4.1-nano", None),
        (OpenAiCompatible::builder, "smollm2", None),
    ]
}

/// Through every other built-in host: a long history with every part kind, every setting,
/// tools and thinking; native output; an output tool. (Azure is not here: its path,
/// `openai/deployments/{model}/chat/completions`, is not one OpenAI's spec has; its body is
/// OpenAI's without documents.)
fn host_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (builder, model, thinking_field) in hosts() {
        let host = Case::new("", vec![]).host(builder).model(model).provider();
        let history = vec![
            ModelRequest::new(vec![
                SystemPromptPart::new("You are a weather bot.").into(),
                UserPromptPart::new(vec![
                    "What is the weather where this was taken?".into(),
                    UserContentItem::ImageUrl(FileUrl::new("https://example.com/eiffel.jpg")),
                    BinaryContent::new(png(), "image/png").into(),
                    BinaryContent::new(b"RIFF\x24\0\0\0WAVEfmt ".to_vec(), "audio/wav").into(),
                ])
                .into(),
            ])
            .with_instructions("Be brief.")
            .into(),
            response(vec![
                thinking(
                    "Paris, so call the tool.",
                    thinking_field,
                    Some(host.as_str()),
                )
                .into(),
                TextPart::new("Checking.").into(),
                ToolCallPart::new(
                    "get_weather",
                    r#"{"city": "Paris", "units": "celsius"}"#,
                    "call_1",
                )
                .into(),
                ToolCallPart::new("get_weather", object(json!({"city": "Rome"})), "call_2").into(),
            ]),
            request(vec![
                ToolReturnPart::new("get_weather", json!({"sky": "clear"}), "call_1").into(),
                retry(
                    RetryContent::Errors(error_details()),
                    Some("get_weather"),
                    "call_2",
                )
                .into(),
            ]),
            response(vec![TextPart::new("Sunny in Paris.").into()]),
            request(vec![
                retry(RetryContent::Text("Answer in French.".into()), None, "").into(),
                UserPromptPart::new("And tomorrow?").into(),
            ]),
        ];
        cases.push(
            Case::new(format!("{host}: history, tools, every setting"), history)
                .host(builder)
                .model(model)
                .parameters(tools(vec![weather_tool(), schemars_tool(), bare_tool()]))
                .settings(ModelSettings {
                    max_tokens: Some(100),
                    temperature: Some(0.2),
                    top_p: Some(0.9),
                    seed: Some(7),
                    presence_penalty: Some(0.1),
                    frequency_penalty: Some(0.1),
                    logit_bias: Some(BTreeMap::from([("11".into(), 1)])),
                    stop_sequences: Some(vec!["END".into()]),
                    parallel_tool_calls: Some(false),
                    tool_choice: Some(ToolChoice::Auto),
                    thinking: Some(Thinking::Low),
                    service_tier: Some("auto".into()),
                    ..Default::default()
                }),
        );
        cases.push(
            Case::new(
                format!("{host}: native output"),
                vec![user("Tell me about Paris.")],
            )
            .host(builder)
            .model(model)
            .parameters(ModelRequestParameters {
                output_mode: OutputMode::Native,
                output_object: Some(output_object(None)),
                ..Default::default()
            }),
        );
        cases.push(
            Case::new(
                format!("{host}: output tool"),
                vec![user("Tell me about Paris.")],
            )
            .host(builder)
            .model(model)
            .parameters(ModelRequestParameters {
                output_mode: OutputMode::Tool,
                output_tools: vec![output_tool()],
                ..Default::default()
            }),
        );
    }
    cases
}

/// OpenAI's built-in tool on Chat Completions: web search on a search model, as
/// `web_search_options` (context sizes, an approximate user location with every field).
fn builtin_cases() -> Vec<Case> {
    let search =
        |size: SearchContextSize, location: Option<WebSearchUserLocation>| ModelRequestParameters {
            builtin_tools: vec![WebSearchTool {
                search_context_size: size,
                user_location: location,
                ..Default::default()
            }
            .into()],
            ..Default::default()
        };
    let everywhere = WebSearchUserLocation {
        city: Some("Utrecht".into()),
        country: Some("NL".into()),
        region: Some("Utrecht".into()),
        timezone: Some("Europe/Amsterdam".into()),
    };
    vec![
        Case::new("web search, low context", vec![user("What day is today?")])
            .host(OpenAi::builder)
            .model("gpt-4o-search-preview")
            .parameters(search(SearchContextSize::Low, None)),
        Case::new(
            "web search, located",
            vec![user("What is the temperature?")],
        )
        .host(OpenAi::builder)
        .model("gpt-4o-mini-search-preview")
        .parameters(search(SearchContextSize::High, Some(everywhere))),
    ]
}

fn matrix() -> Vec<Case> {
    let mut cases = message_cases();
    cases.extend(builtin_cases());
    cases.extend(tool_cases());
    cases.extend(settings_cases());
    cases.extend(output_cases());
    cases.extend(host_cases());
    cases
}

// ---------------------------------------------------------------------------------------------
// Running and reporting
// ---------------------------------------------------------------------------------------------

/// The problems Prism names in a 422 body (`validation[].message`).
fn prism_problems(body: &str) -> Vec<String> {
    let Ok(problem) = serde_json::from_str::<Value>(body) else {
        return vec![format!("(not a problem document) {body}")];
    };
    match problem["validation"].as_array() {
        Some(list) => list
            .iter()
            .map(|p| {
                let location = p["location"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .map(|s| s.as_str().unwrap_or("?"))
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .unwrap_or_default();
                format!("{location}: {}", p["message"].as_str().unwrap_or("?"))
            })
            .collect(),
        None => vec![format!("{} {}", problem["title"], problem["detail"])],
    }
}

/// POSTs `body` to Prism as the provider does, and returns the status and the answer's text.
async fn post(prism: &str, body: Vec<u8>, stream: bool) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{prism}/chat/completions"))
        .bearer_auth("sk-prism")
        .header("content-type", "application/json")
        .header(
            "accept",
            if stream {
                "text/event-stream"
            } else {
                "application/json"
            },
        )
        .body(body)
        .send()
        .await
        .expect("Prism answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// What went wrong with a case, with Prism's named problems (read again from Prism in full,
/// as an error keeps only the start of a body) and the body that was sent.
async fn report(case: &Case, prism: &str, err: &Error, stream: bool) -> String {
    let body = case.body(stream);
    let (status, answer) = post(prism, body.clone(), stream).await;
    let problems = if status == 422 {
        prism_problems(&answer).join("\n    ")
    } else {
        format!("(Prism now answers {status})")
    };
    format!(
        "`{}` ({}:{}): {err}\n  Prism's problems:\n    {problems}\n  body sent: {}",
        case.name,
        case.provider(),
        case.model,
        String::from_utf8_lossy(&body)
    )
}

#[tokio::test]
async fn every_request_body_validates_against_openais_spec() {
    const TEST: &str = "every_request_body_validates_against_openais_spec";
    let Some(prism) = peer_url("PRISM_BASE_URL", TEST) else {
        return;
    };
    let cases = matrix();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");

    let mut failures = Vec::new();
    for case in &cases {
        let model: Arc<dyn Model> = Arc::new(case.provider_model(&prism));
        let result = model_request(model, case.messages.clone())
            .settings(case.settings.clone())
            .parameters(case.parameters.clone())
            .await;
        match result {
            // A 2xx: Prism's placeholder completion (every string is `"string"`; its
            // `refusal` makes it a content-filtered response) parsed.
            Ok((response, _usage)) => assert_eq!(
                response.provider_response_id.as_deref(),
                Some("string"),
                "`{}`: Prism's example completion",
                case.name
            ),
            Err(err) => failures.push(report(case, &prism, &err, false).await),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} request bodies were rejected by OpenAI's spec:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!("{TEST}: {} request bodies validated", cases.len());
}

/// The streamed form of a body: `stream: true` and `stream_options.include_usage`, with tools,
/// output tools and settings. Prism validates the body before it picks an answer; a valid one
/// then gets a 500 `NO_COMPLEX_OBJECT_TEXT` (the spec has no event stream to generate), an
/// invalid one a 422.
#[tokio::test]
async fn streamed_request_bodies_validate_against_openais_spec() {
    const TEST: &str = "streamed_request_bodies_validate_against_openais_spec";
    let Some(prism) = peer_url("PRISM_BASE_URL", TEST) else {
        return;
    };
    let cases = [
        Case::new(
            "streamed: user text",
            vec![user("Who was Albert Einstein?")],
        ),
        Case::new(
            "streamed: tools, output tool, settings",
            vec![user("Weather in Paris?")],
        )
        .parameters(ModelRequestParameters {
            function_tools: vec![weather_tool()],
            output_tools: vec![output_tool()],
            output_mode: OutputMode::Tool,
            ..Default::default()
        })
        .settings(ModelSettings {
            max_tokens: Some(60),
            temperature: Some(0.0),
            seed: Some(1),
            ..Default::default()
        }),
        Case::new(
            "streamed: native output",
            vec![user("Tell me about Paris.")],
        )
        .parameters(ModelRequestParameters {
            output_mode: OutputMode::Native,
            output_object: Some(output_object(None)),
            ..Default::default()
        }),
        Case::new("streamed: without stream_options (groq)", vec![user("Hi")])
            .host(Groq::builder)
            .model("llama-3.3-70b-versatile"),
        Case::new("streamed: openai-compatible", vec![user("Hi")])
            .host(OpenAiCompatible::builder)
            .model("smollm2")
            .settings(greedy_settings()),
    ];
    let mut failures = Vec::new();
    for case in &cases {
        let body: Value = serde_json::from_slice(&case.body(true)).expect("the body is JSON");
        assert_eq!(body["stream"], json!(true), "`{}`", case.name);
        let result = model_request_stream(case.provider_model(&prism), case.messages.clone())
            .settings(case.settings.clone())
            .parameters(case.parameters.clone())
            .await;
        match result {
            Err(Error::Http {
                status: 500, body, ..
            }) if problem_type(&body).as_deref() == Some("NO_COMPLEX_OBJECT_TEXT") => {}
            Ok(_) => failures.push(format!(
                "`{}`: Prism streamed an answer, which it cannot",
                case.name
            )),
            Err(err) => failures.push(report(case, &prism, &err, true).await),
        }
    }
    assert!(
        failures.is_empty(),
        "streamed bodies rejected:\n{}",
        failures.join("\n")
    );
    println!("{TEST}: {} streamed request bodies validated", cases.len());
}

fn greedy_settings() -> ModelSettings {
    ModelSettings {
        temperature: Some(0.0),
        max_tokens: Some(32),
        ..Default::default()
    }
}

/// The `…#NAME` of a Prism problem document's `type`.
fn problem_type(body: &str) -> Option<String> {
    let problem: Value = serde_json::from_str(body).ok()?;
    let kind = problem["type"].as_str()?;
    kind.rsplit('#').next().map(str::to_owned)
}

/// The negative controls: a body that breaks the spec is a 422 naming the problem, streamed or
/// not, so the suites above can fail; and Prism looks into each part of the body the matrix
/// covers (message content parts, tool calls, tools, tool choice, response format, settings).
#[tokio::test]
async fn an_invalid_body_is_rejected_with_named_problems() {
    const TEST: &str = "an_invalid_body_is_rejected_with_named_problems";
    let Some(prism) = peer_url("PRISM_BASE_URL", TEST) else {
        return;
    };
    // `extra_body` is merged over the body as given: the one way to send what the spec forbids.
    let invalid = |extra: Value| {
        Case::new("invalid", vec![user("Hi")])
            .parameters(tools(vec![weather_tool()]))
            .settings(ModelSettings {
                extra_body: Some(extra),
                ..Default::default()
            })
    };

    let case =
        invalid(json!({"temperature": "hot", "messages": [{"role": "tool", "content": "x"}]}));
    let not_streamed = model_request(case.provider_model(&prism), case.messages.clone())
        .settings(case.settings.clone())
        .await
        .map(|_| ());
    let streamed = model_request_stream(case.provider_model(&prism), case.messages.clone())
        .settings(case.settings.clone())
        .await
        .map(|_| ());
    for (form, result) in [("not streamed", not_streamed), ("streamed", streamed)] {
        let Err(Error::Http { status, body, .. }) = result else {
            panic!("{form}: expected Error::Http 422, got {result:?}");
        };
        assert_eq!(status, 422, "{form}: {body}");
        let problems = prism_problems(&body);
        assert!(
            problems.contains(
                &"body.temperature: Request body property temperature must be number".to_owned()
            ),
            "{form}: {problems:#?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("must have required property 'tool_call_id'")),
            "{form}: {problems:#?}"
        );
    }

    // (the mutation, a location Prism must name). Problems are read from Prism in full: an
    // error keeps only the start of a long body.
    let mutations = [
        (
            json!({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "huge"}}]}]}),
            "body.messages.0.content.0.image_url.detail",
        ),
        (
            json!({"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "AAAA", "format": "ogg"}}]}]}),
            "body.messages.0.content.0.input_audio.format",
        ),
        (
            json!({"messages": [{"role": "user", "content": []}]}),
            "body.messages.0.content",
        ),
        (
            json!({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]}]}),
            "body.messages.1.tool_calls.0.function.arguments",
        ),
        (
            json!({"tools": [{"type": "function", "function": {"name": "f", "strict": "yes"}}]}),
            "body.tools.0.function.strict",
        ),
        (
            json!({"tool_choice": {"type": "function"}}),
            "body.tool_choice",
        ),
        (
            json!({"response_format": {"type": "json_schema", "json_schema": {"schema": {}}}}),
            "body.response_format.json_schema",
        ),
        (json!({"stop": ["a", "b", "c", "d", "e"]}), "body.stop"),
        (json!({"reasoning_effort": "huge"}), "body.reasoning_effort"),
        (json!({"service_tier": "ultra"}), "body.service_tier"),
        (
            json!({"logit_bias": {"50256": "ban"}}),
            "body.logit_bias.50256",
        ),
        (json!({"presence_penalty": 3}), "body.presence_penalty"),
        (
            json!({"max_completion_tokens": 1.5}),
            "body.max_completion_tokens",
        ),
        (
            json!({"stream_options": {"include_usage": "yes"}}),
            "body.stream_options.include_usage",
        ),
        (
            json!({"web_search_options": {"search_context_size": "huge"}}),
            "body.web_search_options.search_context_size",
        ),
        (
            json!({"web_search_options": {"user_location": {"approximate": {"city": "Utrecht"}}}}),
            "body.web_search_options.user_location",
        ),
    ];
    for (extra, location) in mutations {
        let case = invalid(extra.clone());
        let result = model_request(case.provider_model(&prism), case.messages.clone())
            .settings(case.settings.clone())
            .await;
        assert!(
            matches!(result, Err(Error::Http { status: 422, .. })),
            "{extra}: expected a 422, got {result:?}"
        );
        let (status, answer) = post(&prism, case.body(false), false).await;
        assert_eq!(status, 422);
        let problems = prism_problems(&answer);
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with(&format!("{location}:"))),
            "{extra}: no problem at {location}: {problems:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// What Prism cannot see: keys the spec does not name
// ---------------------------------------------------------------------------------------------

/// Message keys that compatible hosts read and OpenAI's spec does not name: thinking sent
/// back in the reasoning field it came from (host variants, or thinking from such a host).
const HOST_KEYS: [&str; 2] = ["reasoning", "reasoning_content"];

/// The leaf schemas `schema` stands for: `$ref`s followed, `allOf`/`anyOf`/`oneOf` flattened.
fn leaves<'s>(spec: &'s Value, schema: &'s Value, out: &mut Vec<&'s Value>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let target = reference
            .trim_start_matches("#/")
            .split('/')
            .fold(spec, |node, segment| &node[segment]);
        return leaves(spec, target, out);
    }
    let mut combined = false;
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(branches) = schema[key].as_array() {
            combined = true;
            for branch in branches {
                leaves(spec, branch, out);
            }
        }
    }
    if !combined || schema.get("properties").is_some() || schema.get("items").is_some() {
        out.push(schema);
    }
}

/// Collects, under `path`, each key of `value` that none of `schemas` names. Objects whose
/// schemas declare no properties (free-form maps, JSON schemas) are not looked into.
fn unknown_keys(
    spec: &Value,
    schemas: &[&Value],
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
) {
    let mut flat = Vec::new();
    for schema in schemas {
        leaves(spec, schema, &mut flat);
    }
    match value {
        Value::Object(map) => {
            let declared: Vec<&Map<String, Value>> = flat
                .iter()
                .filter_map(|s| s["properties"].as_object())
                .collect();
            if declared.is_empty() {
                return;
            }
            for (key, child) in map {
                let children: Vec<&Value> = declared.iter().filter_map(|p| p.get(key)).collect();
                if children.is_empty() {
                    let in_message = path
                        .strip_prefix("body.messages.")
                        .is_some_and(|index| index.parse::<usize>().is_ok());
                    if !(in_message && HOST_KEYS.contains(&key.as_str())) {
                        out.push(format!("{path}.{key}"));
                    }
                    continue;
                }
                unknown_keys(spec, &children, child, &format!("{path}.{key}"), out);
            }
        }
        Value::Array(items) => {
            let item_schemas: Vec<&Value> = flat.iter().filter_map(|s| s.get("items")).collect();
            for (i, item) in items.iter().enumerate() {
                unknown_keys(spec, &item_schemas, item, &format!("{path}.{i}"), out);
            }
        }
        _ => {}
    }
}

/// Prism accepts keys the spec does not name (its objects allow extra properties), and so
/// does the live API, which ignores them: a misspelled optional key would pass unnoticed. So
/// every key of every body of the matrix, at every depth the spec describes, must be one the
/// spec names. Offline: needs only `../shared/realpeers/openai-spec/openapi.json`.
#[test]
fn every_key_we_send_is_named_by_openais_spec() {
    const TEST: &str = "every_key_we_send_is_named_by_openais_spec";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realpeers/openai-spec/openapi.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "{TEST}: skipped, {} is not present (CI has it)",
            path.display()
        );
        return;
    };
    let spec: Value = serde_json::from_str(&text).expect("OpenAI's spec is JSON");
    let request_schema = &spec["paths"]["/chat/completions"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"];
    assert!(
        request_schema.is_object(),
        "the spec describes POST /chat/completions"
    );

    // The checker itself: a misspelled key is found at any depth, a free-form map is not.
    let mut found = Vec::new();
    let probe = json!({
        "model": "m", "max_completion_token": 5, "metadata": {"anything": "goes"},
        "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "u", "detial": "low"}}]}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"any": "schema"}, "stict": true}}]
    });
    unknown_keys(&spec, &[request_schema], &probe, "body", &mut found);
    assert_eq!(
        found,
        [
            "body.max_completion_token",
            "body.messages.0.content.0.image_url.detial",
            "body.tools.0.function.stict"
        ]
    );

    let mut failures = Vec::new();
    let mut bodies = 0;
    for case in matrix() {
        for stream in [false, true] {
            let body: Value = serde_json::from_slice(&case.body(stream)).expect("JSON body");
            let mut unknown = Vec::new();
            unknown_keys(&spec, &[request_schema], &body, "body", &mut unknown);
            if !unknown.is_empty() {
                failures.push(format!(
                    "`{}` (stream: {stream}): {unknown:?}\n  {body}",
                    case.name
                ));
            }
            bodies += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "keys OpenAI's spec does not name:\n{}",
        failures.join("\n")
    );
    println!("{TEST}: every key of {bodies} request bodies is named by the spec");
}
