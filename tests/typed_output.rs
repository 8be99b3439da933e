//! Typed structured output on recorded traffic (`../shared/fixtures`): the recorded
//! structured-output responses of each protocol parse into Rust types; a recorded structured
//! stream gives partial values on every prefix (no panic, values that only grow) and a final
//! value equal to the non-streamed one; and both go through the real provider path over HTTP
//! on 127.0.0.1. Also: a wrong output becomes a retry prompt the model can be sent.

mod support;

use futures::StreamExt;
use llm_runtime::messages::{ModelRequest, ModelResponse, RetryPromptPart, TextPart, ToolCallPart};
use llm_runtime::models::{ModelRequestParameters, OutputMode, TestModel};
use llm_runtime::output::{partial_json, OutputSpec, TypedStreamedResponse};
use llm_runtime::providers::bedrock::BedrockConverse;
use llm_runtime::providers::{
    apply_event, Anthropic, Cohere, Flow, GoogleGla, OpenAi, OpenAiResponsesHost, Protocol,
    RawEvent, ResponseContext,
};
use llm_runtime::stream::{PartsManager, StreamedResponse};
use llm_runtime::{model_request, model_request_stream, Error};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use support::recordings::{load_yaml, response_body, split_sse};
use support::replay::replay;
use support::server::TestServer;

/// pydantic-ai's `CityLocation` of the recorded tests.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
struct CityLocation {
    city: String,
    country: String,
}

/// The output of the recorded Anthropic structured-output test.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
struct Payment {
    amount: f64,
}

/// The output of the recorded Gemini and Bedrock structured-output tests.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
struct Response {
    temperature: String,
    date: String,
    city: String,
}

/// The output of the recorded Responses stream: `{"result": 6666}`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, schemars::JsonSchema)]
struct Answer {
    #[serde(default)]
    result: Option<i64>,
}

/// The interactions of `cassette` (a path under `cassettes/`), when the fixtures are there.
fn interactions(cassette: &str) -> Option<Vec<Value>> {
    let fixtures = support::shared_fixtures(cassette)?;
    Some(load_yaml(&fixtures.join("cassettes").join(cassette)).interactions)
}

/// The last recorded response of `cassette`, parsed by `protocol`.
fn last_response<P: Protocol>(protocol: &P, cassette: &str, model: &str) -> Option<ModelResponse> {
    let interactions = interactions(cassette)?;
    let body = response_body(&interactions.last()?["response"]);
    let mut cx = ResponseContext::new(model, "recorded");
    Some(
        protocol
            .parse_response(&body, &mut cx)
            .expect("the recorded response parses"),
    )
}

fn typed<T: schemars::JsonSchema + DeserializeOwned + 'static>(response: &ModelResponse) -> T {
    OutputSpec::<T>::new()
        .parse(response)
        .unwrap_or_else(|err| panic!("{err}: {response:?}"))
}

fn openai_chat() -> impl Protocol {
    OpenAi::builder()
        .api_key("t")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone()
}

fn openai_responses() -> impl Protocol {
    OpenAiResponsesHost::builder()
        .api_key("t")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone()
}

fn mexico_city() -> CityLocation {
    CityLocation {
        city: "Mexico City".into(),
        country: "Mexico".into(),
    }
}

fn london() -> Response {
    Response {
        temperature: "30°C".into(),
        date: "2022-01-01".into(),
        city: "London".into(),
    }
}

#[test]
fn recorded_openai_chat_outputs_parse() {
    let chat = openai_chat();
    // Native: JSON text; tool: a call of `final_result`.
    if let Some(native) = last_response(
        &chat,
        "test_openai/test_openai_native_output.yaml",
        "gpt-4o",
    ) {
        assert_eq!(typed::<CityLocation>(&native), mexico_city());
    }
    if let Some(tool) = last_response(&chat, "test_openai/test_openai_tool_output.yaml", "gpt-4o") {
        assert_eq!(tool.tool_calls()[0].tool_name, "final_result");
        assert_eq!(typed::<CityLocation>(&tool), mexico_city());
    }
    if let Some(prompted) = last_response(
        &chat,
        "test_openai/test_openai_prompted_output.yaml",
        "gpt-4o",
    ) {
        assert_eq!(typed::<CityLocation>(&prompted), mexico_city());
    }
}

#[test]
fn recorded_openai_responses_outputs_parse() {
    let responses = openai_responses();
    for cassette in [
        "test_openai_responses/test_native_output.yaml",
        "test_openai_responses/test_prompted_output.yaml",
    ] {
        if let Some(response) = last_response(&responses, cassette, "gpt-4o") {
            assert_eq!(
                typed::<CityLocation>(&response),
                mexico_city(),
                "{cassette}"
            );
        }
    }
}

#[test]
fn recorded_anthropic_output_parses() {
    let anthropic = Anthropic::builder()
        .api_key("t")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone();
    let cassette = "test_anthropic/test_anthropic_native_output_decimal_strict.yaml";
    if let Some(response) = last_response(&anthropic, cassette, "claude-sonnet-4-5") {
        assert_eq!(typed::<Payment>(&response), Payment { amount: 12.34 });
    }
}

#[test]
fn recorded_gemini_outputs_parse() {
    let gemini = GoogleGla::builder()
        .api_key("t")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone();
    // Pretty-printed JSON text, and a call whose arguments arrive as an object.
    if let Some(native) = last_response(
        &gemini,
        "test_google/test_google_native_output.yaml",
        "gemini-2.0-flash",
    ) {
        assert_eq!(typed::<CityLocation>(&native), mexico_city());
    }
    let cassette = "test_google/test_google_model_structured_output.yaml";
    if let Some(tool) = last_response(&gemini, cassette, "gemini-2.0-flash") {
        assert_eq!(typed::<Response>(&tool), london());
    }
}

#[test]
fn recorded_bedrock_output_parses() {
    let cassette = "test_bedrock/test_bedrock_model_structured_output.yaml";
    if let Some(tool) = last_response(&BedrockConverse, cassette, "us.amazon.nova-micro-v1:0") {
        assert_eq!(typed::<Response>(&tool), london());
    }
}

/// The output of the recorded tool-choice matrix: a city and a summary.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
struct CitySummary {
    city: String,
    summary: String,
}

#[test]
fn recorded_cohere_output_parses() {
    let cohere = Cohere::builder()
        .api_key("t")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone();
    let cassette = "test_tool_choice_matrix/test_tool_choice_matrix[none_with_output-cohere].yaml";
    if let Some(tool) = last_response(&cohere, cassette, "command-r7b-12-2024") {
        let summary = CitySummary {
            city: "Paris".into(),
            summary: "Tell me about Paris".into(),
        };
        assert_eq!(typed::<CitySummary>(&tool), summary);
    }
}

/// Every prefix of `text`, as the arguments of an output-tool call and as text: no panic, and
/// the JSON of the partial values only grows.
fn every_prefix_grows<T: schemars::JsonSchema + DeserializeOwned + 'static>(
    text: &str,
) -> Option<T> {
    let spec = OutputSpec::<T>::new();
    let mut previous: Option<Value> = None;
    let mut last = None;
    for end in (0..=text.len()).filter(|&end| text.is_char_boundary(end)) {
        let prefix = &text[..end];
        let call = ModelResponse::new(vec![ToolCallPart::new("final_result", prefix, "c").into()]);
        let as_text = ModelResponse::new(vec![TextPart::new(prefix).into()]);
        let from_call = spec.parse_partial(&call);
        let from_text = spec.parse_partial(&as_text);
        assert_eq!(from_call.is_some(), from_text.is_some(), "{prefix:?}");
        if let Some(value) = partial_json(prefix) {
            if let Some(previous) = &previous {
                assert!(
                    grows_into(previous, &value),
                    "{prefix:?}: {previous} → {value}"
                );
            }
            previous = Some(value);
        }
        last = from_call.or(last);
    }
    last
}

/// Whether `next` is `previous` grown: strings extended, items and keys added.
fn grows_into(previous: &Value, next: &Value) -> bool {
    match (previous, next) {
        (Value::String(a), Value::String(b)) => b.starts_with(a.as_str()),
        (Value::Array(a), Value::Array(b)) => {
            a.len() <= b.len() && a.iter().zip(b).all(|(x, y)| grows_into(x, y))
        }
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(key, x)| b.get(key).is_some_and(|y| grows_into(x, y))),
        _ => previous == next,
    }
}

#[test]
fn every_prefix_of_recorded_structured_outputs_parses_partially() {
    let chat = openai_chat();
    if let Some(native) = last_response(
        &chat,
        "test_openai/test_openai_native_output.yaml",
        "gpt-4o",
    ) {
        let last = every_prefix_grows::<CityLocation>(&native.text());
        assert_eq!(last, Some(mexico_city()));
    }
    let gemini = GoogleGla::builder()
        .api_key("t")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone();
    if let Some(native) = last_response(
        &gemini,
        "test_google/test_google_native_output.yaml",
        "gemini-2.0-flash",
    ) {
        let last = every_prefix_grows::<CityLocation>(&native.text());
        assert_eq!(last, Some(mexico_city()));
    }
}

/// The recorded Responses stream whose output tool call `final_result` gets `{"result":6666}`
/// in six argument deltas.
const STREAM: &str = "test_openai_responses/test_openai_responses_streaming_usage.yaml";

/// The stream's events and the whole response of its `response.completed` event parsed as a
/// non-streamed response.
fn recorded_stream() -> Option<(Vec<(String, String)>, ModelResponse)> {
    let interactions = interactions(STREAM)?;
    let body = response_body(&interactions.first()?["response"]);
    let events = split_sse(std::str::from_utf8(&body).unwrap());
    let (_, completed) = events
        .iter()
        .find(|(name, _)| name == "response.completed")?;
    let completed: Value = serde_json::from_str(completed).unwrap();
    let whole = serde_json::to_vec(&completed["response"]).unwrap();
    let mut cx = ResponseContext::new("gpt-5", "openai-responses");
    let response = openai_responses().parse_response(&whole, &mut cx).unwrap();
    Some((events, response))
}

fn answer_parameters() -> ModelRequestParameters {
    let mut parameters = ModelRequestParameters::default();
    OutputSpec::<Answer>::new()
        .apply(&mut parameters, OutputMode::Tool)
        .unwrap();
    parameters
}

/// The typed items of the first `count` events of the stream.
fn typed_items(events: &[(String, String)], count: usize) -> Vec<Result<Answer, Error>> {
    let protocol = openai_responses();
    let items: Vec<(String, String)> = events[..count].to_vec();
    let mut state = Default::default();
    let parts = PartsManager::new("gpt-5", &answer_parameters());
    let stream = StreamedResponse::from_stream(
        parts,
        futures::stream::iter(items.into_iter().map(Ok)),
        move |(name, data), parts| {
            apply_event(&protocol, RawEvent::new(&name, &data), &mut state, parts).map(|_: Flow| ())
        },
    );
    let typed = TypedStreamedResponse::new(stream, OutputSpec::<Answer>::new());
    futures::executor::block_on(typed.collect::<Vec<_>>())
}

#[test]
fn every_prefix_of_a_recorded_stream_gives_growing_partials_then_the_final_value() {
    let Some((events, whole)) = recorded_stream() else {
        return;
    };
    let non_streamed = typed::<Answer>(&whole);
    assert_eq!(non_streamed, Answer { result: Some(6666) });
    for count in 0..=events.len() {
        let items = typed_items(&events, count);
        // Every item but the last is a partial value, each grown from the one before (an
        // `Option` that appears and then keeps its value).
        let (last, partials) = items.split_last().expect("the final item");
        for pair in partials.windows(2) {
            let (a, b) = (pair[0].as_ref().unwrap(), pair[1].as_ref().unwrap());
            assert!(a.result.is_none() || a.result == b.result, "{a:?} → {b:?}");
        }
        if count == events.len() {
            assert_eq!(last.as_ref().unwrap(), &non_streamed);
        } else if let Ok(answer) = last {
            // A cut stream's final value is whatever the arguments so far hold.
            assert!(
                answer.result.is_none() || answer.result == Some(6666),
                "{answer:?}"
            );
        }
    }
    // Argument by argument: `6`, `66`, … are held back (the number may grow), so the value
    // appears once, whole.
    let all = typed_items(&events, events.len());
    let values: Vec<_> = all
        .iter()
        .map(|item| item.as_ref().unwrap().result)
        .collect();
    assert!(
        !values.contains(&Some(6)) && !values.contains(&Some(66)),
        "{values:?}"
    );
}

#[tokio::test]
async fn a_recorded_stream_over_http_gives_the_non_streamed_value() {
    let Some(interactions) = interactions(STREAM) else {
        return;
    };
    let Some((_, whole)) = recorded_stream() else {
        return;
    };
    let server = TestServer::always(replay(&interactions[0]["response"])).await;
    let model = OpenAiResponsesHost::builder()
        .base_url(server.url("/v1"))
        .api_key("sk-test")
        .build()
        .unwrap()
        .model("gpt-5");
    let mut stream = model_request_stream(model, [ModelRequest::user_text_prompt("2 * 3333?")])
        .output::<Answer>()
        .mode(OutputMode::Tool)
        .await
        .unwrap();
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.unwrap());
    }
    assert_eq!(items.last(), Some(&typed::<Answer>(&whole)));
    assert_eq!(stream.usage().response_tokens, 469);
    let sent = server.requests()[0].json();
    assert_eq!(sent["tools"][0]["name"], "final_result");
    assert_eq!(sent["tool_choice"], "required");
}

#[tokio::test]
async fn a_recorded_native_answer_over_http_parses() {
    let cassette = "test_openai/test_openai_native_output.yaml";
    let Some(interactions) = interactions(cassette) else {
        return;
    };
    let last = interactions.last().unwrap();
    let server = TestServer::always(replay(&last["response"])).await;
    let model = OpenAi::builder()
        .base_url(server.url("/v1"))
        .api_key("sk-test")
        .build()
        .unwrap()
        .model("gpt-4o");
    let typed = model_request(
        model,
        [ModelRequest::user_text_prompt("Largest city in Mexico?")],
    )
    .output::<CityLocation>()
    .mode(OutputMode::Native)
    .await
    .unwrap();
    assert_eq!(typed.output, mexico_city());
    assert_eq!(typed.usage, typed.response.usage);
    let sent = server.requests()[0].json();
    assert_eq!(
        sent["response_format"]["json_schema"]["name"],
        "CityLocation"
    );
}

#[tokio::test]
async fn a_wrong_output_becomes_a_retry_prompt_the_model_can_be_sent() {
    let wrong = TestModel::new().with_custom_output_args(serde_json::json!({"city": 3}));
    let err = model_request(wrong, [ModelRequest::user_text_prompt("A city?")])
        .output::<CityLocation>()
        .await
        .unwrap_err();
    let Error::ToolArgs(err) = err else {
        panic!("{err:?}")
    };
    assert_eq!(err.problems.len(), 2, "{err}");
    let retry: RetryPromptPart = (*err).into();
    assert_eq!(retry.tool_name.as_deref(), Some("final_result"));
    // Sent back, the model calls the output tool again; the test model's arguments are
    // generated from the schema this time.
    let history = vec![
        ModelRequest::user_text_prompt("A city?").into(),
        ModelResponse::new(vec![ToolCallPart::new(
            "final_result",
            r#"{"city": 3}"#,
            retry.tool_call_id.clone(),
        )
        .into()])
        .into(),
        llm_runtime::messages::ModelMessage::from(ModelRequest::new(vec![retry.into()])),
    ];
    let typed = model_request("test", history)
        .output::<CityLocation>()
        .await
        .unwrap();
    assert!(!typed.output.city.is_empty());
}
