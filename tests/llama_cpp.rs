//! Integration suite against a real LLM server that nobody here wrote: llama.cpp's own HTTP
//! server running SmolLM2-135M-Instruct (`scripts/realpeers/`).
//!
//! Runs when `LLM_REAL_PEERS=1` and `LLAMA_BASE_URL` are set (`.ci/run` sets them once the
//! peers answer); otherwise it prints one line and returns. Locally:
//!
//! ```sh
//! scripts/realpeers/setup.sh && scripts/realpeers/start.sh
//! LLM_REAL_PEERS=1 LLAMA_BASE_URL=http://127.0.0.1:8081/v1 cargo test --test llama_cpp -- --nocapture
//! ```
//!
//! Each case runs through every route to the server: the `openai:` model string with
//! `OPENAI_BASE_URL` pointing at llama.cpp, and the generic OpenAI-compatible provider given
//! the base URL explicitly. This binary holds one test, which sets `OPENAI_BASE_URL` and
//! `OPENAI_API_KEY` before anything else runs (the environment is process-wide; no other test
//! thread exists to race with), then runs the cases in turn (the server has one slot) and
//! reports every failure at the end.
//!
//! The model is greedy at temperature 0 and bounded by `max_tokens`, so each answer is the
//! same on every run: "The capital of France is Paris.", and for the few-shot history of
//! `scripts/realpeers/fewshot_weather.json` a call `get_weather({"city": "Paris"})`.

mod support;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use llm_runtime::messages::{
    FinishReason, ModelMessage, ModelRequest, ModelRequestPart, ModelResponse, ModelResponsePart,
    ModelResponseStreamEvent, ToolCallPart, ToolReturnPart, UserPromptPart,
};
use llm_runtime::models::{Model, ModelRequestParameters};
use llm_runtime::providers::OpenAiCompatible;
use llm_runtime::settings::ModelSettings;
use llm_runtime::tools::Tool;
use llm_runtime::usage::Usage;
use llm_runtime::{model_request, model_request_stream, tool, Error};
use serde_json::{json, Value};
use support::peers::peer_url;

const TEST: &str = "llama_cpp";

/// The model name sent (llama.cpp serves its one model under any name).
const MODEL: &str = "smollm2";

/// The name llama.cpp reports for the model (`llama_serve.py`'s alias).
const SERVED_MODEL: &str = "SmolLM2-135M-Instruct";

type CaseResult = Result<(), String>;
type CaseFuture = Pin<Box<dyn Future<Output = CaseResult>>>;
/// A case: its name, and what it runs against a model.
type Case = (&'static str, fn(Arc<dyn Model>) -> CaseFuture);

/// A way to reach the server: a name for the report and the model to request.
struct Route {
    name: &'static str,
    model: Arc<dyn Model>,
}

fn check(ok: bool, what: impl FnOnce() -> String) -> CaseResult {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

fn greedy(max_tokens: u32) -> ModelSettings {
    ModelSettings {
        temperature: Some(0.0),
        max_tokens: Some(max_tokens),
        timeout: Some(Duration::from_secs(120)),
        ..Default::default()
    }
}

fn paris() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

fn check_usage(usage: &Usage, what: &str) -> CaseResult {
    check(
        usage.requests == 1
            && usage.request_tokens > 0
            && usage.response_tokens > 0
            && usage.total_tokens == usage.request_tokens + usage.response_tokens,
        || format!("{what}: usage should count one request and its tokens: {usage:?}"),
    )
}

/// The seed's question, answered.
async fn answers_paris(model: Arc<dyn Model>) -> CaseResult {
    let (response, usage) = model_request(model, paris())
        .settings(greedy(32))
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    check(response.text().contains("Paris"), || {
        format!("the answer names Paris: {response:?}")
    })?;
    check(response.finish_reason == Some(FinishReason::Stop), || {
        format!("finish reason stop: {:?}", response.finish_reason)
    })?;
    check(response.model_name.as_deref() == Some(SERVED_MODEL), || {
        format!("the served model's name: {:?}", response.model_name)
    })?;
    check_usage(&usage, "usage")?;
    check(usage == response.usage, || {
        format!(
            "the usage returned is the response's: {usage:?} vs {:?}",
            response.usage
        )
    })
}

/// The same question streamed: events in order, and the same answer and usage.
async fn streams_paris(model: Arc<dyn Model>) -> CaseResult {
    let (whole, _) = model_request(model.clone(), paris())
        .settings(greedy(32))
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let mut stream = model_request_stream(model, paris())
        .settings(greedy(32))
        .await
        .map_err(|e| format!("stream failed to open: {e}"))?;
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events
            .push(event.map_err(|e| format!("stream failed after {} events: {e}", events.len()))?);
    }
    let streamed = stream.get();
    let deltas = events
        .iter()
        .filter(|e| matches!(e, ModelResponseStreamEvent::PartDelta(_)))
        .count();
    check(
        matches!(events.first(), Some(ModelResponseStreamEvent::PartStart(start)) if start.index == 0)
            && matches!(events.last(), Some(ModelResponseStreamEvent::PartEnd(_)))
            && deltas >= 2,
        || format!("part_start, several part_delta, part_end: {events:#?}"),
    )?;
    check(streamed.text().contains("Paris"), || {
        format!("the streamed answer names Paris: {streamed:?}")
    })?;
    // Greedy decoding on one slot: the stream amounts to the very response a request gets.
    check(
        streamed.text() == whole.text() && streamed.finish_reason == whole.finish_reason,
        || format!("streamed {streamed:?}\nequals requested {whole:?}"),
    )?;
    check_usage(stream.usage(), "streamed usage")?;
    check(streamed.usage == whole.usage, || {
        format!(
            "streamed usage {:?} equals requested {:?}",
            streamed.usage, whole.usage
        )
    })?;
    check(
        stream.model_name() == SERVED_MODEL || stream.model_name() == MODEL,
        || format!("model name: {}", stream.model_name()),
    )
}

/// Get weather for a city
#[tool]
#[derive(Debug)]
struct GetWeather {
    city: String,
}

/// The few-shot history of `scripts/realpeers/fewshot_weather.json` in our message model:
/// a user prompt, then per city a response calling `get_weather` and a request with its
/// return and the next question.
fn fewshot_history() -> Result<Vec<ModelMessage>, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/realpeers/fewshot_weather.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let fewshot: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut history = Vec::new();
    let mut pending: Vec<ModelRequestPart> = Vec::new();
    for message in fewshot["messages"].as_array().ok_or("no messages")? {
        let text = |key: &str| message[key].as_str().unwrap_or_default().to_owned();
        match message["role"].as_str() {
            Some("user") => {
                pending.push(UserPromptPart::new(text("content")).into());
                history.push(ModelRequest::new(std::mem::take(&mut pending)).into());
            }
            Some("tool") => pending.push(
                ToolReturnPart::new(GetWeather::NAME, text("content"), text("tool_call_id")).into(),
            ),
            Some("assistant") => {
                let calls = message["tool_calls"].as_array().ok_or("no tool_calls")?;
                let parts = calls
                    .iter()
                    .map(|call| {
                        ToolCallPart::new(
                            call["function"]["name"].as_str().unwrap_or_default(),
                            call["function"]["arguments"].as_str().unwrap_or_default(),
                            call["id"].as_str().unwrap_or_default(),
                        )
                        .into()
                    })
                    .collect();
                history.push(ModelResponse::new(parts).into());
            }
            other => return Err(format!("unexpected role {other:?}")),
        }
    }
    Ok(history)
}

/// The one tool call of a response, checked: `get_weather` for Paris.
fn check_paris_call(response: &ModelResponse) -> CaseResult {
    let calls = response.tool_calls();
    let [call] = calls.as_slice() else {
        return Err(format!("exactly one tool call: {response:?}"));
    };
    check(
        call.tool_name == GetWeather::NAME && !call.tool_call_id.is_empty(),
        || format!("a call of get_weather with an id: {call:?}"),
    )?;
    // Parsed by the `#[tool]` type, as an application does.
    let args: GetWeather = call
        .parse_args()
        .map_err(|e| format!("the arguments parse as GetWeather: {e}: {call:?}"))?;
    check(args.city == "Paris", || format!("arguments: {args:?}"))?;
    check(
        response.finish_reason == Some(FinishReason::ToolCall),
        || format!("finish reason tool_call: {:?}", response.finish_reason),
    )
}

/// A real tool call from the few-shot history, streamed and not.
async fn calls_the_tool(model: Arc<dyn Model>) -> CaseResult {
    let history = fewshot_history()?;
    let parameters = ModelRequestParameters {
        function_tools: vec![GetWeather::definition()],
        allow_text_output: true,
        ..Default::default()
    };
    let (response, usage) = model_request(model.clone(), history.clone())
        .parameters(parameters.clone())
        .settings(greedy(60))
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    check_paris_call(&response)?;
    check_usage(&usage, "usage")?;

    let mut stream = model_request_stream(model, history)
        .parameters(parameters)
        .settings(greedy(60))
        .await
        .map_err(|e| format!("stream failed to open: {e}"))?;
    while let Some(event) = stream.next().await {
        event.map_err(|e| format!("stream failed: {e}"))?;
    }
    let streamed = stream.get();
    check_paris_call(&streamed).map_err(|e| format!("streamed: {e}"))?;
    check(
        matches!(streamed.parts.as_slice(), [ModelResponsePart::ToolCall(_)]),
        || format!("the streamed response is the call alone: {streamed:?}"),
    )?;
    check_usage(&streamed.usage, "streamed usage")
}

/// A request llama.cpp rejects (it serves one completion per request: `n` must be 1) is an
/// `Error::Http` with the status and the server's error body, streamed or not, not retried.
async fn rejects_with_http_error(model: Arc<dyn Model>) -> CaseResult {
    let settings = ModelSettings {
        extra_body: Some(json!({"n": 3})),
        ..greedy(8)
    };
    let not_streamed = model_request(model.clone(), paris())
        .settings(settings.clone())
        .await
        .map(|_| ());
    let streamed = model_request_stream(model, paris())
        .settings(settings)
        .await
        .map(|_| ());
    for (form, result) in [("not streamed", not_streamed), ("streamed", streamed)] {
        let Err(Error::Http {
            status,
            body,
            model_name,
            ..
        }) = result
        else {
            return Err(format!("{form}: expected Error::Http, got {result:?}"));
        };
        let body: Value = serde_json::from_str(&body)
            .map_err(|e| format!("{form}: the error body is llama.cpp's JSON: {e}: {body}"))?;
        check(
            status == 400
                && body["error"]["code"] == json!(400)
                && body["error"]["type"] == json!("invalid_request_error")
                && body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("'n'"))
                && model_name == MODEL,
            || {
                format!(
                    "{form}: 400 naming the field `n` for {MODEL}: {status} {body} ({model_name})"
                )
            },
        )?;
    }
    Ok(())
}

#[test]
fn llama_cpp() {
    let Some(base_url) = peer_url("LLAMA_BASE_URL", TEST) else {
        return;
    };
    // The only test of this binary, before any other thread exists: the environment the
    // `openai:` model string reads.
    std::env::set_var("OPENAI_BASE_URL", &base_url);
    std::env::set_var("OPENAI_API_KEY", "sk-local");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let routes = runtime.block_on(async { routes(&base_url) });
    let cases: [Case; 4] = [
        ("answers Paris", |m| Box::pin(answers_paris(m))),
        ("streams Paris", |m| Box::pin(streams_paris(m))),
        ("calls get_weather from a few-shot history", |m| {
            Box::pin(calls_the_tool(m))
        }),
        ("a rejected request is Error::Http", |m| {
            Box::pin(rejects_with_http_error(m))
        }),
    ];
    let mut failures = Vec::new();
    for route in &routes {
        for (case, run) in &cases {
            let started = std::time::Instant::now();
            let outcome = runtime.block_on(run(route.model.clone()));
            let seconds = started.elapsed().as_secs_f32();
            match outcome {
                Ok(()) => println!("{TEST}: {}: {case}: ok ({seconds:.1} s)", route.name),
                Err(err) => {
                    println!("{TEST}: {}: {case}: FAILED ({seconds:.1} s)", route.name);
                    failures.push(format!("{}: {case}: {err}", route.name));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every route to the server: the `openai:` model string (reading `OPENAI_BASE_URL` and
/// `OPENAI_API_KEY`), and the generic OpenAI-compatible provider given the base URL.
fn routes(base_url: &str) -> Vec<Route> {
    let openai = llm_runtime::models::infer_model(&format!("openai:{MODEL}"))
        .expect("`openai:` builds from OPENAI_BASE_URL and OPENAI_API_KEY");
    assert_eq!(
        openai.base_url(),
        Some(base_url),
        "`openai:` reads OPENAI_BASE_URL"
    );
    let compatible = OpenAiCompatible::builder()
        .base_url(base_url)
        .build()
        .expect("the compatible provider needs only a base URL")
        .model(MODEL);
    vec![
        Route {
            name: "openai: with OPENAI_BASE_URL",
            model: openai,
        },
        Route {
            name: "openai-compatible",
            model: Arc::new(compatible),
        },
    ]
}
