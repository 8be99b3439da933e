//! Instrumentation end to end: requests made through the request functions, exported by the
//! OpenTelemetry SDK's in-memory exporters behind `tracing-opentelemetry`, as a service would.
//!
//! Covers a plain request, a streamed one, a tool call and failed requests (HTTP 429, a
//! stream failing half-way), each with content capture on and off.

mod otel_support;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{stream, StreamExt};
use llm_runtime::instrument::semconv::*;
use llm_runtime::instrument::InstrumentationSettings;
use llm_runtime::messages::{
    FinishReason, ModelMessage, ModelRequest, ModelResponse, SystemPromptPart, TextPart,
    ToolReturnPart, UserPromptPart,
};
use llm_runtime::models::{Model, ModelRequestParameters, TestModel};
use llm_runtime::settings::ModelSettings;
use llm_runtime::stream::{PartsManager, StreamedResponse};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::usage::Usage;
use llm_runtime::{model_request, model_request_stream, Error};
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::Value;
use otel_support::{attributes, json, map, strings, Otel, Point};
use serde_json::json;
use tracing::Instrument as _;

// Marked texts, so that their absence can be checked anywhere in what is exported.
const SYSTEM: &str = "You are a geographer. [system-77d0]";
const INSTRUCTIONS: &str = "Answer in one word. [instructions-9b2e]";
const PROMPT: &str = "What is the capital of France? [prompt-4f1c]";
const ANSWER: &str = "Paris [answer-c3a5]";
const TOOL_DESCRIPTION: &str = "Looks a city up. [tool-description-51ab]";
const TOOL_RESULT: &str = "France [tool-result-2d4e]";
const HEADER_SECRET: &str = "sk-header-secret-0e6d";
const URL_SECRET: &str = "sk-url-secret-a91f";
const BASE_URL: &str = "https://user:sk-url-secret-a91f@API.fake.test:8443/v1";

/// What a provider answers: a stand-in for an HTTP provider (base URL, usage with cache and
/// reasoning details, cost, response id, finish reason), or its failures.
#[derive(Debug, Clone, Copy)]
enum FakeProvider {
    Answers,
    RateLimited,
    FailsMidStream,
    /// Never answers: for requests cancelled by the caller.
    Hangs,
}

fn usage() -> Usage {
    let mut usage = Usage::new(56, 1);
    usage.cache_write_tokens = 4;
    usage.cache_read_tokens = 8;
    usage.details.insert("reasoning_tokens".into(), 3);
    usage.details.insert("accepted_prediction_tokens".into(), 2);
    usage.cost = Some(0.25);
    usage
}

fn rate_limited() -> Error {
    let body = format!(r#"{{"error": "rate limited [body-5e0b]", "prompt": "{PROMPT}"}}"#);
    Error::http(
        429,
        "fake-model",
        body.as_bytes(),
        Some(Duration::from_secs(1)),
    )
}

impl Model for FakeProvider {
    fn request<'a>(
        &'a self,
        _messages: &'a [ModelMessage],
        _settings: &'a ModelSettings,
        _parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, llm_runtime::Result<ModelResponse>> {
        Box::pin(async move {
            match self {
                FakeProvider::RateLimited => return Err(rate_limited()),
                FakeProvider::Hangs => futures::future::pending::<()>().await,
                FakeProvider::Answers | FakeProvider::FailsMidStream => {}
            }
            let mut response = ModelResponse::new(vec![TextPart::new(ANSWER).into()]);
            response.model_name = Some("fake-model-2025-01".into());
            response.provider_name = Some("fake".into());
            response.provider_response_id = Some("resp_fake_1".into());
            response.finish_reason = Some(FinishReason::Stop);
            response.usage = usage();
            Ok(response)
        })
    }

    fn request_stream<'a>(
        &'a self,
        _messages: &'a [ModelMessage],
        _settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, llm_runtime::Result<StreamedResponse>> {
        Box::pin(async move {
            match self {
                FakeProvider::RateLimited => return Err(rate_limited()),
                FakeProvider::Hangs => futures::future::pending::<()>().await,
                FakeProvider::Answers | FakeProvider::FailsMidStream => {}
            }
            let parts = PartsManager::new("fake-model", parameters).with_provider("fake", None);
            let (head, tail) = ANSWER.split_at(5);
            let last = match self {
                FakeProvider::FailsMidStream => Err(Error::unexpected_with_body(
                    "the stream stopped half-way",
                    PROMPT.as_bytes(),
                )),
                _ => Ok(None),
            };
            let chunks = vec![Ok(Some(head)), Ok(Some(tail)), last];
            Ok(StreamedResponse::from_stream(
                parts,
                stream::iter(chunks),
                |chunk, pm| match chunk {
                    Some(text) => pm.handle_text_delta(None, text),
                    None => {
                        pm.model_name = "fake-model-2025-01".into();
                        pm.provider_response_id = Some("resp_fake_1".into());
                        pm.finish_reason = Some(FinishReason::Stop);
                        pm.usage = usage();
                        Ok(())
                    }
                },
            ))
        })
    }

    fn model_name(&self) -> &str {
        "fake-model"
    }

    fn system(&self) -> &str {
        "fake"
    }

    fn base_url(&self) -> Option<&str> {
        Some(BASE_URL)
    }
}

fn conversation() -> Vec<ModelMessage> {
    vec![ModelRequest::new(vec![
        SystemPromptPart::new(SYSTEM).into(),
        UserPromptPart::new(PROMPT).into(),
    ])
    .with_instructions(INSTRUCTIONS)
    .into()]
}

fn model_settings() -> ModelSettings {
    ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.0),
        top_p: Some(0.9),
        top_k: Some(40),
        seed: Some(7),
        presence_penalty: Some(0.1),
        frequency_penalty: Some(0.2),
        stop_sequences: Some(vec!["\n\n".into(), "END".into()]),
        extra_headers: Some(BTreeMap::from([(
            "Authorization".to_owned(),
            format!("Bearer {HEADER_SECRET}"),
        )])),
        timeout: Some(Duration::from_secs(30)),
        ..Default::default()
    }
}

fn lookup_tool() -> ToolDefinition {
    ToolDefinition::new("lookup")
        .with_description(TOOL_DESCRIPTION)
        .with_parameters(json!({
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        }))
}

fn parameters() -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: vec![lookup_tool()],
        ..Default::default()
    }
}

fn settings(otel: &Otel, include_content: bool) -> InstrumentationSettings {
    otel.settings().with_include_content(include_content)
}

/// The attributes every request to the fake provider has before it is sent.
fn request_attributes(include_content: bool) -> BTreeMap<String, Value> {
    let mut expected = map([
        (GEN_AI_OPERATION_NAME, "chat".into()),
        (GEN_AI_PROVIDER_NAME, "fake".into()),
        (GEN_AI_SYSTEM, "fake".into()),
        (GEN_AI_REQUEST_MODEL, "fake-model".into()),
        (SERVER_ADDRESS, "api.fake.test".into()),
        (SERVER_PORT, 8443_i64.into()),
        (GEN_AI_REQUEST_MAX_TOKENS, 100_i64.into()),
        (GEN_AI_REQUEST_TEMPERATURE, 0.0.into()),
        (GEN_AI_REQUEST_TOP_P, 0.9.into()),
        (GEN_AI_REQUEST_TOP_K, 40.0.into()),
        (GEN_AI_REQUEST_SEED, 7_i64.into()),
        (GEN_AI_REQUEST_PRESENCE_PENALTY, 0.1.into()),
        (GEN_AI_REQUEST_FREQUENCY_PENALTY, 0.2.into()),
        (GEN_AI_REQUEST_STOP_SEQUENCES, strings(&["\n\n", "END"])),
    ]);
    let schema = if include_content {
        r#"{"type":"object","properties":{"gen_ai.input.messages":{"type":"array"},"gen_ai.output.messages":{"type":"array"},"gen_ai.system_instructions":{"type":"array"}}}"#
    } else {
        r#"{"type":"object","properties":{"gen_ai.input.messages":{"type":"array"},"gen_ai.output.messages":{"type":"array"}}}"#
    };
    expected.insert(LOGFIRE_JSON_SCHEMA.into(), schema.into());
    expected
}

/// The attributes a whole response of the fake provider adds.
fn response_attributes() -> BTreeMap<String, Value> {
    map([
        (GEN_AI_RESPONSE_MODEL, "fake-model-2025-01".into()),
        (GEN_AI_RESPONSE_ID, "resp_fake_1".into()),
        (GEN_AI_RESPONSE_FINISH_REASONS, strings(&["stop"])),
        (GEN_AI_USAGE_INPUT_TOKENS, 56_i64.into()),
        (GEN_AI_USAGE_OUTPUT_TOKENS, 1_i64.into()),
        (GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, 4_i64.into()),
        (GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, 8_i64.into()),
        (GEN_AI_USAGE_DETAILS_REASONING_TOKENS, 3_i64.into()),
        (
            "gen_ai.usage.details.accepted_prediction_tokens",
            2_i64.into(),
        ),
        ("gen_ai.usage.details.cache_write_tokens", 4_i64.into()),
        ("gen_ai.usage.details.cache_read_tokens", 8_i64.into()),
        (OPERATION_COST, 0.25.into()),
    ])
}

/// The JSON attributes of a request to the fake provider: parsed, and removed from `actual`.
fn take_json(actual: &mut BTreeMap<String, Value>) -> BTreeMap<&'static str, serde_json::Value> {
    [
        GEN_AI_INPUT_MESSAGES,
        GEN_AI_OUTPUT_MESSAGES,
        GEN_AI_SYSTEM_INSTRUCTIONS,
        GEN_AI_TOOL_DEFINITIONS,
    ]
    .into_iter()
    .filter_map(|key| actual.remove(key).map(|value| (key, json(&value))))
    .collect()
}

fn expected_input(include_content: bool) -> serde_json::Value {
    if include_content {
        json!([
            {"role": "system", "parts": [{"type": "text", "content": SYSTEM}]},
            {"role": "user", "parts": [{"type": "text", "content": PROMPT}]},
        ])
    } else {
        json!([
            {"role": "system", "parts": [{"type": "text"}]},
            {"role": "user", "parts": [{"type": "text"}]},
        ])
    }
}

/// The JSON attributes of a request to the fake provider, with the answer given.
fn expected_json(
    include_content: bool,
    output: Option<serde_json::Value>,
) -> BTreeMap<&'static str, serde_json::Value> {
    let mut expected = BTreeMap::from([(GEN_AI_INPUT_MESSAGES, expected_input(include_content))]);
    if let Some(output) = output {
        expected.insert(GEN_AI_OUTPUT_MESSAGES, output);
    }
    if include_content {
        expected.insert(
            GEN_AI_SYSTEM_INSTRUCTIONS,
            json!([{"type": "text", "content": INSTRUCTIONS}]),
        );
        expected.insert(
            GEN_AI_TOOL_DEFINITIONS,
            json!([{"type": "function", "name": "lookup", "description": TOOL_DESCRIPTION,
                    "parameters": lookup_tool().parameters_json_schema}]),
        );
    }
    expected
}

fn answer_output(include_content: bool) -> serde_json::Value {
    let part = if include_content {
        json!({"type": "text", "content": ANSWER})
    } else {
        json!({"type": "text"})
    };
    json!([{"role": "assistant", "parts": [part], "finish_reason": "stop"}])
}

/// The attributes of every metric point of a request to the fake provider.
fn metric_attributes(response_model: Option<&str>, error: Option<&str>) -> BTreeMap<String, Value> {
    let mut expected = map([
        (GEN_AI_OPERATION_NAME, "chat".into()),
        (GEN_AI_PROVIDER_NAME, "fake".into()),
        (GEN_AI_SYSTEM, "fake".into()),
        (GEN_AI_REQUEST_MODEL, "fake-model".into()),
    ]);
    if let Some(model) = response_model {
        expected.insert(GEN_AI_RESPONSE_MODEL.into(), model.to_owned().into());
    }
    if let Some(error) = error {
        expected.insert(ERROR_TYPE.into(), error.to_owned().into());
    }
    expected
}

fn with_token_type(
    attributes: &BTreeMap<String, Value>,
    token_type: &str,
) -> BTreeMap<String, Value> {
    let mut with_type = attributes.clone();
    with_type.insert(GEN_AI_TOKEN_TYPE.into(), token_type.to_owned().into());
    with_type
}

/// The points of `name`, sorted by their token type, with durations reduced to their count.
fn points(histograms: &BTreeMap<String, Vec<Point>>, name: &str) -> Vec<Point> {
    let mut points = histograms.get(name).cloned().unwrap_or_default();
    points.sort_by_key(|p| format!("{:?}", p.attributes.get(GEN_AI_TOKEN_TYPE)));
    points
}

/// The token, cost and duration metrics of one whole answer of the fake provider.
fn assert_answer_metrics(otel: &Otel, streamed: bool) {
    let histograms = otel.histograms();
    let base = metric_attributes(Some("fake-model-2025-01"), None);
    let mut names = vec![
        GEN_AI_CLIENT_OPERATION_DURATION,
        GEN_AI_CLIENT_TOKEN_USAGE,
        OPERATION_COST,
    ];
    if streamed {
        names.push(GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
    }
    names.sort();
    assert_eq!(histograms.keys().collect::<Vec<_>>(), names);
    assert_eq!(
        points(&histograms, GEN_AI_CLIENT_TOKEN_USAGE),
        vec![
            Point {
                attributes: with_token_type(&base, "input"),
                count: 1,
                sum: 56.0
            },
            Point {
                attributes: with_token_type(&base, "output"),
                count: 1,
                sum: 1.0
            },
        ]
    );
    assert_eq!(
        points(&histograms, OPERATION_COST),
        vec![Point {
            attributes: base.clone(),
            count: 1,
            sum: 0.25
        }]
    );
    let mut timed = vec![GEN_AI_CLIENT_OPERATION_DURATION];
    if streamed {
        timed.push(GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
    }
    for name in timed {
        let points = points(&histograms, name);
        assert_eq!(points.len(), 1, "{name}");
        assert_eq!(
            (&points[0].attributes, points[0].count),
            (&base, 1),
            "{name}"
        );
        assert!(points[0].sum >= 0.0, "{name}");
    }
}

#[tokio::test]
async fn a_plain_request_exports_its_span_and_metrics() {
    for include_content in [true, false] {
        let otel = Otel::install();
        let (response, _) = model_request(FakeProvider::Answers, conversation())
            .settings(model_settings())
            .parameters(parameters())
            .instrument(settings(&otel, include_content))
            .await
            .unwrap();
        assert_eq!(response.text(), ANSWER);

        let span = otel.span();
        assert_eq!(span.name, "chat fake-model");
        assert_eq!(span.span_kind, SpanKind::Client);
        assert_eq!(span.status, Status::Unset);
        let mut actual = attributes(&span);
        assert_eq!(
            take_json(&mut actual),
            expected_json(include_content, Some(answer_output(include_content))),
            "content {include_content}"
        );
        let mut expected = request_attributes(include_content);
        expected.extend(response_attributes());
        assert_eq!(actual, expected, "content {include_content}");
        assert_answer_metrics(&otel, false);
    }
}

#[tokio::test]
async fn a_streamed_request_keeps_its_span_open_until_the_stream_ends() {
    for include_content in [true, false] {
        let otel = Otel::install();
        let mut stream = model_request_stream(FakeProvider::Answers, conversation())
            .settings(model_settings())
            .parameters(parameters())
            .instrument(settings(&otel, include_content))
            .await
            .unwrap();
        assert!(
            otel.spans().is_empty(),
            "the span is open while the stream is"
        );
        // A span that ends after the stream was opened and before it is read.
        drop(tracing::info_span!("consumer").entered());
        while let Some(event) = stream.next().await {
            event.unwrap();
        }
        assert_eq!(stream.get().text(), ANSWER);
        drop(stream);

        let spans = otel.spans();
        assert_eq!(spans.len(), 2);
        let (consumer, span) = (&spans[0], &spans[1]);
        assert_eq!(
            (consumer.name.as_ref(), span.name.as_ref()),
            ("consumer", "chat fake-model")
        );
        assert!(
            span.end_time >= consumer.end_time,
            "the chat span ends with the stream, not when it opened"
        );
        assert_eq!(span.span_kind, SpanKind::Client);
        assert_eq!(span.status, Status::Unset);
        let mut actual = attributes(&span.clone());
        let ttfc = actual.remove(GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
        assert!(
            matches!(ttfc, Some(Value::F64(seconds)) if seconds >= 0.0),
            "{ttfc:?}"
        );
        assert_eq!(
            take_json(&mut actual),
            expected_json(include_content, Some(answer_output(include_content)))
        );
        let mut expected = request_attributes(include_content);
        expected.extend(response_attributes());
        assert_eq!(actual, expected, "content {include_content}");
        assert_answer_metrics(&otel, true);
    }
}

#[tokio::test]
async fn a_dropped_stream_ends_its_span_with_what_arrived() {
    let otel = Otel::install();
    let mut stream = model_request_stream(FakeProvider::Answers, conversation())
        .instrument(otel.settings())
        .await
        .unwrap();
    stream.next().await.unwrap().unwrap();
    drop(stream);
    let span = otel.span();
    assert_eq!(span.status, Status::Unset);
    let actual = attributes(&span);
    assert_eq!(
        actual.get(GEN_AI_RESPONSE_MODEL),
        Some(&"fake-model".into())
    );
    assert!(actual.contains_key(GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK));
    assert!(!actual.contains_key(GEN_AI_USAGE_INPUT_TOKENS));
    let output = json(&actual[GEN_AI_OUTPUT_MESSAGES]);
    assert_eq!(output[0]["parts"][0]["type"], "text");
}

#[tokio::test]
async fn a_tool_call_and_its_return_are_recorded_as_genai_parts() {
    for include_content in [true, false] {
        let otel = Otel::install();
        let first: ModelMessage = ModelRequest::user_text_prompt(PROMPT).into();
        let (response, _) = model_request(TestModel::new(), [first.clone()])
            .parameters(parameters())
            .instrument(settings(&otel, include_content))
            .await
            .unwrap();
        let call = response.tool_calls()[0].clone();
        let history = vec![
            first,
            response.clone().into(),
            ModelRequest::new(vec![ToolReturnPart::new(
                "lookup",
                json!({"country": TOOL_RESULT}),
                call.tool_call_id.clone(),
            )
            .into()])
            .into(),
        ];
        let (answer, _) = model_request(TestModel::new(), history)
            .parameters(parameters())
            .instrument(settings(&otel, include_content))
            .await
            .unwrap();
        assert!(answer.text().contains(TOOL_RESULT));

        let spans = otel.spans();
        assert_eq!(spans.len(), 2);
        for span in &spans {
            assert_eq!(span.name, "chat test");
            let actual = attributes(span);
            assert_eq!(actual[GEN_AI_PROVIDER_NAME], "test".into());
            assert_eq!(actual[GEN_AI_RESPONSE_MODEL], "test".into());
            assert!(
                !actual.contains_key(SERVER_ADDRESS),
                "offline models have no server"
            );
            assert_eq!(
                actual.get(GEN_AI_TOOL_DEFINITIONS).map(json),
                include_content.then(|| json!([{"type": "function", "name": "lookup",
                    "description": TOOL_DESCRIPTION,
                    "parameters": lookup_tool().parameters_json_schema}]))
            );
        }
        let id = call.tool_call_id.as_str();
        let arguments = serde_json::to_value(call.args.as_ref()).unwrap();
        let (tool_call, tool_return, prompt) = if include_content {
            (
                json!({"type": "tool_call", "id": id, "name": "lookup", "arguments": arguments}),
                json!({"type": "tool_call_response", "id": id, "name": "lookup",
                       "result": {"country": TOOL_RESULT}}),
                json!({"type": "text", "content": PROMPT}),
            )
        } else {
            (
                json!({"type": "tool_call", "id": id, "name": "lookup"}),
                json!({"type": "tool_call_response", "id": id, "name": "lookup"}),
                json!({"type": "text"}),
            )
        };
        let first = attributes(&spans[0]);
        assert_eq!(
            json(&first[GEN_AI_OUTPUT_MESSAGES]),
            json!([{"role": "assistant", "parts": [tool_call.clone()]}])
        );
        let second = attributes(&spans[1]);
        assert_eq!(
            json(&second[GEN_AI_INPUT_MESSAGES]),
            json!([
                {"role": "user", "parts": [prompt]},
                {"role": "assistant", "parts": [tool_call]},
                {"role": "user", "parts": [tool_return]},
            ])
        );
    }
}

#[tokio::test]
async fn a_rate_limited_request_records_its_error() {
    for include_content in [true, false] {
        for streamed in [false, true] {
            let otel = Otel::install();
            let err = if streamed {
                model_request_stream(FakeProvider::RateLimited, conversation())
                    .settings(model_settings())
                    .parameters(parameters())
                    .instrument(settings(&otel, include_content))
                    .await
                    .unwrap_err()
            } else {
                model_request(FakeProvider::RateLimited, conversation())
                    .settings(model_settings())
                    .parameters(parameters())
                    .instrument(settings(&otel, include_content))
                    .await
                    .unwrap_err()
            };
            assert_eq!(err.status(), Some(429));

            let span = otel.span();
            assert_eq!(span.name, "chat fake-model");
            let description = if include_content {
                err.to_string()
            } else {
                String::new()
            };
            assert_eq!(span.status, Status::error(description));
            let mut actual = attributes(&span);
            assert_eq!(take_json(&mut actual), expected_json(include_content, None));
            let mut expected = request_attributes(include_content);
            expected.insert(ERROR_TYPE.into(), "ModelHTTPError".into());
            assert_eq!(
                actual, expected,
                "content {include_content}, streamed {streamed}"
            );

            let histograms = otel.histograms();
            assert_eq!(
                histograms.keys().collect::<Vec<_>>(),
                [GEN_AI_CLIENT_OPERATION_DURATION],
                "no tokens were used"
            );
            let points = points(&histograms, GEN_AI_CLIENT_OPERATION_DURATION);
            assert_eq!(points.len(), 1);
            assert_eq!(
                points[0].attributes,
                metric_attributes(None, Some("ModelHTTPError"))
            );
        }
    }
}

#[tokio::test]
async fn a_request_cancelled_by_its_caller_ends_its_span_and_records_its_duration() {
    for streamed in [false, true] {
        let otel = Otel::install();
        let settings = settings(&otel, false);
        // The caller gives up: its timeout drops the request's future.
        let timed_out = if streamed {
            let request = model_request_stream(FakeProvider::Hangs, conversation())
                .parameters(parameters())
                .instrument(settings);
            tokio::time::timeout(Duration::from_millis(20), request)
                .await
                .map(drop)
        } else {
            let request = model_request(FakeProvider::Hangs, conversation())
                .parameters(parameters())
                .instrument(settings);
            tokio::time::timeout(Duration::from_millis(20), request)
                .await
                .map(drop)
        };
        assert!(timed_out.is_err(), "the fake provider never answers");

        let span = otel.span();
        assert_eq!(span.name, "chat fake-model", "streamed {streamed}");
        assert_eq!(
            span.status,
            Status::error("the request was cancelled before it finished")
        );
        let actual = attributes(&span);
        assert_eq!(actual.get(ERROR_TYPE), Some(&Value::from("cancelled")));
        assert!(!actual.contains_key(GEN_AI_RESPONSE_MODEL));

        let histograms = otel.histograms();
        assert_eq!(
            histograms.keys().collect::<Vec<_>>(),
            [GEN_AI_CLIENT_OPERATION_DURATION],
            "no tokens were used"
        );
        let points = points(&histograms, GEN_AI_CLIENT_OPERATION_DURATION);
        assert_eq!(points.len(), 1);
        assert_eq!(
            points[0].attributes,
            metric_attributes(None, Some("cancelled"))
        );
        assert!(points[0].sum >= 0.02, "the duration runs until the drop");
    }
}

#[tokio::test]
async fn a_stream_failing_half_way_records_the_error_and_what_arrived() {
    for include_content in [true, false] {
        let otel = Otel::install();
        let mut stream = model_request_stream(FakeProvider::FailsMidStream, conversation())
            .instrument(settings(&otel, include_content))
            .await
            .unwrap();
        let mut failed = None;
        while let Some(event) = stream.next().await {
            if let Err(err) = event {
                failed = Some(err);
            }
        }
        let err = failed.expect("the stream fails");
        drop(stream);

        let span = otel.span();
        let description = if include_content {
            err.to_string()
        } else {
            String::new()
        };
        assert_eq!(span.status, Status::error(description));
        let actual = attributes(&span);
        assert_eq!(actual[ERROR_TYPE], "UnexpectedModelBehavior".into());
        assert_eq!(actual[GEN_AI_RESPONSE_MODEL], "fake-model".into());
        let part = if include_content {
            json!({"type": "text", "content": ANSWER})
        } else {
            json!({"type": "text"})
        };
        assert_eq!(
            json(&actual[GEN_AI_OUTPUT_MESSAGES]),
            json!([{"role": "assistant", "parts": [part]}])
        );
        let histograms = otel.histograms();
        let duration = points(&histograms, GEN_AI_CLIENT_OPERATION_DURATION);
        assert_eq!(
            duration[0].attributes,
            metric_attributes(Some("fake-model"), Some("UnexpectedModelBehavior"))
        );
        assert!(!histograms.contains_key(GEN_AI_CLIENT_TOKEN_USAGE));
    }
}

/// Every scenario with content capture off: no marked text anywhere in what is exported.
/// With it on, the same run shows them (so the check can fail), but never a secret.
#[tokio::test]
async fn without_content_no_prompt_or_answer_text_is_exported() {
    for include_content in [false, true] {
        let otel = Otel::install();
        let instrument = || settings(&otel, include_content);
        model_request(FakeProvider::Answers, conversation())
            .settings(model_settings())
            .parameters(parameters())
            .instrument(instrument())
            .await
            .unwrap();
        for model in [FakeProvider::Answers, FakeProvider::FailsMidStream] {
            let mut stream = model_request_stream(model, conversation())
                .settings(model_settings())
                .parameters(parameters())
                .instrument(instrument())
                .await
                .unwrap();
            while stream.next().await.is_some() {}
        }
        model_request(FakeProvider::RateLimited, conversation())
            .settings(model_settings())
            .parameters(parameters())
            .instrument(instrument())
            .await
            .unwrap_err();
        let first: ModelMessage = ModelRequest::user_text_prompt(PROMPT).into();
        let (call, _) = model_request(TestModel::new(), [first.clone()])
            .parameters(parameters())
            .instrument(instrument())
            .await
            .unwrap();
        let id = call.tool_calls()[0].tool_call_id.clone();
        let history = vec![
            first,
            call.into(),
            ModelRequest::new(vec![ToolReturnPart::new("lookup", TOOL_RESULT, id).into()]).into(),
        ];
        model_request(TestModel::new(), history)
            .parameters(parameters())
            .instrument(instrument())
            .await
            .unwrap();

        let exported = otel.exported_text();
        assert_eq!(otel.spans().len(), 6);
        for marked in [
            "system-77d0",
            "instructions-9b2e",
            "prompt-4f1c",
            "answer-c3a5",
            "tool-description-51ab",
            "tool-result-2d4e",
            "body-5e0b",
        ] {
            assert_eq!(
                exported.contains(marked),
                include_content,
                "{marked} with content {include_content}"
            );
        }
        for secret in [HEADER_SECRET, URL_SECRET, "Authorization"] {
            assert!(!exported.contains(secret), "{secret} was exported");
        }
    }
}

#[tokio::test]
async fn the_span_is_a_child_of_the_callers_span() {
    let otel = Otel::install();
    async {
        model_request(FakeProvider::Answers, conversation())
            .instrument(otel.settings())
            .await
            .unwrap()
    }
    .instrument(tracing::info_span!("handler"))
    .await;
    let spans = otel.spans();
    let (chat, handler) = (&spans[0], &spans[1]);
    assert_eq!(
        (chat.name.as_ref(), handler.name.as_ref()),
        ("chat fake-model", "handler")
    );
    assert_eq!(chat.parent_span_id, handler.span_context.span_id());
    assert_eq!(
        chat.span_context.trace_id(),
        handler.span_context.trace_id()
    );
}

#[tokio::test]
async fn without_instrumentation_nothing_is_exported() {
    let otel = Otel::install();
    // Off explicitly, and by default (this test binary never calls `instrument_all`).
    model_request(FakeProvider::Answers, conversation())
        .instrument(false)
        .await
        .unwrap();
    model_request(FakeProvider::Answers, conversation())
        .await
        .unwrap();
    let mut stream = model_request_stream(FakeProvider::Answers, conversation())
        .await
        .unwrap();
    while stream.next().await.is_some() {}
    drop(stream);
    assert!(otel.spans().is_empty());
    assert!(otel.histograms().is_empty());
}

#[test]
fn the_blocking_forms_are_instrumented_too() {
    let otel = Otel::install();
    model_request(FakeProvider::Answers, conversation())
        .instrument(otel.settings())
        .blocking()
        .unwrap();
    let stream = model_request_stream(FakeProvider::Answers, conversation())
        .instrument(otel.settings())
        .blocking()
        .unwrap();
    let events = stream.collect::<Result<Vec<_>, _>>().unwrap();
    assert!(!events.is_empty());
    let spans = otel.spans();
    assert_eq!(spans.len(), 2);
    for span in &spans {
        assert_eq!(span.name, "chat fake-model");
        let actual = attributes(span);
        assert_eq!(actual[GEN_AI_USAGE_INPUT_TOKENS], 56_i64.into());
    }
    assert!(attributes(&spans[1]).contains_key(GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK));
}
