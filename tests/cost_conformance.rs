//! The cost of every recorded response of the built-in providers in `../shared/fixtures`
//! equals what the Python `genai-prices` package (pydantic's, whose data the crate bundles)
//! calculates for the same usage, model, provider and timestamp, as pydantic-ai's
//! `ModelResponse.cost()` asks it: by the provider's URL first, then by its name.
//!
//! Each response the oracle has (`oracle/index.json`, outcome `response`) is parsed by the
//! provider's protocol as the driver does (a whole body by `parse_response`, a stream event by
//! event), gets the provider's name and default base URL as the driver gives them, and is
//! priced by [`response_cost`], the function the driver calls. The Python side
//! (`tests/python/genai_prices_calc.py`) gets our usage's counts. Equal means both unknown, or
//! both known within 1e-9 relative. A tally per provider API is printed: priced, equal, unknown
//! model. For information only, the responses whose price from pydantic-ai's own parse of the
//! response (its oracle `.json`, whose usage may carry more keys, e.g. `output_reasoning_tokens`)
//! differs are counted too.
//!
//! The Python is `LLM_PYTHON` if set (then it must import `genai_prices`;
//! `scripts/realpeers/setup.sh` installs it into the venv CI uses), else the peers venv, else
//! `.venv-oracle` in the workspace, else `python3`. With none, or without `../shared`, the test
//! prints one line and returns.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use llm_runtime::cost::response_cost;
use llm_runtime::http::eventstream::EventStreamDecoder;
use llm_runtime::http::sse::SseDecoder;
use llm_runtime::messages::ModelResponse;
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::bedrock::BedrockConverse;
use llm_runtime::providers::{
    Anthropic, Cerebras, Cohere, DeepSeek, GoogleGla, Groq, Mistral, Ollama, OpenAi,
    OpenAiResponsesHost, OpenRouter, Protocol, Provider, ProviderBuilder, ResponseContext,
};
use llm_runtime::stream::PartsManager;
use serde_json::{json, Value};
use support::conformance::replay_stream;
use support::oracle::python_with;
use support::recordings::{oracle_entries, read_json, response_body, OracleEntry};

const TEST: &str = "recorded_responses_cost_what_genai_prices_says";

/// The wires of the built-in providers, as the oracle's index names them.
const WIRES: [&str; 6] = [
    "openai-chat",
    "openai-responses",
    "anthropic",
    "gemini",
    "bedrock-converse",
    "cohere",
];

/// Runs the Python oracle over `items`: one price (or `null`) per item.
fn python_prices(python: &Path, items: &[Value]) -> Vec<Option<f64>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/genai_prices_calc.py");
    let mut child = Command::new(python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = serde_json::to_vec(items).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{} failed", script.display());
    let prices: Vec<Option<f64>> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(prices.len(), items.len());
    prices
}

fn python_version(python: &Path) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/genai_prices_calc.py");
    let out = Command::new(python)
        .arg(script)
        .arg("--version")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A built-in provider's protocol, name and default base URL.
fn host<P: Protocol + Clone>(builder: ProviderBuilder<P>) -> (P, String, String) {
    let provider: Provider<P> = builder
        .api_key("test")
        .build_with_env(|_| None)
        .expect("a built-in host with a key builds");
    (
        provider.protocol().clone(),
        provider.name().to_owned(),
        provider.base_url().to_owned(),
    )
}

/// The events of a recorded SSE body.
fn sse_events(body: &[u8]) -> Vec<(String, String)> {
    let mut decoder = SseDecoder::new();
    decoder.push(body);
    let mut events = Vec::new();
    while let Some(event) = decoder.next_event().expect("a recorded stream decodes") {
        events.push((event.event.to_owned(), event.data.to_owned()));
    }
    if let Some(event) = decoder.finish().expect("a recorded stream decodes") {
        events.push((event.event.to_owned(), event.data.to_owned()));
    }
    events
}

/// The events of a recorded AWS event stream (base64 in the cassette, decoded by
/// `llm_runtime::testing` into `body`).
fn aws_events(body: &[u8]) -> Vec<(String, String)> {
    let mut decoder = EventStreamDecoder::new();
    decoder.push(body);
    let mut events = Vec::new();
    while let Some(message) = decoder.next_message().unwrap() {
        let name = message
            .header_str(":event-type")
            .or_else(|| message.header_str(":exception-type"))
            .unwrap_or_default()
            .to_owned();
        events.push((
            name,
            String::from_utf8_lossy(message.payload()).into_owned(),
        ));
    }
    events
}

/// The response our protocol makes of a recorded one, with what the driver adds (provider
/// name and URL, the requested model when the response names none); `None` when it fails.
fn parse<P: Protocol + Clone>(
    protocol: &P,
    provider: &str,
    url: &str,
    entry: &OracleEntry,
) -> Option<ModelResponse> {
    let model = entry.model_name();
    let recorded = &entry.interaction["response"];
    let body = response_body(recorded);
    let mut response = if entry.streaming() {
        let events = if entry.entry["wire"] == "bedrock-converse" {
            aws_events(&body)
        } else {
            sse_events(&body)
        };
        let parts = PartsManager::new(model, &ModelRequestParameters::default())
            .with_provider(provider, Some(url.to_owned()));
        let (_, response, error) = replay_stream(protocol.clone(), events, parts);
        if error.is_some() {
            return None;
        }
        serde_json::from_value::<ModelResponse>(response).ok()?
    } else {
        protocol
            .parse_response(&body, &mut ResponseContext::new(model, provider))
            .ok()?
    };
    response.provider_name = Some(provider.to_owned());
    response.provider_url = Some(url.to_owned());
    if response.model_name.is_none() {
        response.model_name = Some(model.to_owned());
    }
    Some(response)
}

/// Our response to a recorded one of `provider_api`; `Err` when no built-in provider speaks
/// it here.
fn ours(entry: &OracleEntry) -> Result<Option<ModelResponse>, ()> {
    macro_rules! with {
        ($builder:expr) => {{
            let (protocol, name, url) = host($builder);
            Ok(parse(&protocol, &name, &url, entry))
        }};
    }
    match entry.provider_api() {
        "openai-chat" => with!(OpenAi::builder()),
        "openai-responses" => with!(OpenAiResponsesHost::builder()),
        "anthropic" => with!(Anthropic::builder()),
        "google-gemini" => with!(GoogleGla::builder()),
        "groq" => with!(Groq::builder()),
        "mistral" => with!(Mistral::builder()),
        "deepseek" => with!(DeepSeek::builder()),
        "openrouter" => with!(OpenRouter::builder()),
        "cerebras" => with!(Cerebras::builder()),
        "ollama" => with!(Ollama::builder()),
        "cohere" => with!(Cohere::builder()),
        "bedrock" => {
            let uri = entry.interaction["request"]["uri"]
                .as_str()
                .unwrap_or_default();
            let host = uri
                .trim_start_matches("https://")
                .split('/')
                .next()
                .unwrap_or_default();
            Ok(parse(
                &BedrockConverse,
                "bedrock",
                &format!("https://{host}"),
                entry,
            ))
        }
        _ => Err(()),
    }
}

/// What the Python side prices: the usage's counts (pydantic-ai's `RequestUsage` attributes),
/// the model, the provider's name and URL, the timestamp.
fn item(usage: Value, response: &ModelResponse) -> Value {
    json!({
        "usage": usage,
        "model_name": response.model_name,
        "provider_name": response.provider_name,
        "provider_url": response.provider_url,
        "timestamp": response.timestamp.to_rfc3339(),
    })
}

fn counts(usage: &llm_runtime::usage::Usage) -> Value {
    json!({
        "input_tokens": usage.request_tokens,
        "output_tokens": usage.response_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
        "input_audio_tokens": usage.input_audio_tokens,
        "cache_audio_read_tokens": usage.cache_audio_read_tokens,
        "output_audio_tokens": usage.output_audio_tokens,
    })
}

/// pydantic-ai's own usage of the response (its oracle `.json`): every count it keeps, which
/// genai-prices reads by name (`details` and `cost` are not counts).
fn pydantic_ai_counts(stem: &Path) -> Option<Value> {
    let oracle = read_json(Path::new(&format!("{}.json", stem.display())))?;
    let mut usage = oracle.get(0)?.get("usage")?.as_object()?.clone();
    usage.remove("details");
    usage.remove("cost");
    usage.remove("requests");
    Some(Value::Object(usage))
}

fn equal(ours: Option<f64>, theirs: Option<f64>) -> bool {
    match (ours, theirs) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(f64::MIN_POSITIVE),
        _ => false,
    }
}

#[derive(Default)]
struct Tally {
    responses: usize,
    priced: usize,
    equal: usize,
    unknown_model: usize,
    not_parsed: usize,
    pydantic_ai_usage_differs: usize,
}

#[test]
fn recorded_responses_cost_what_genai_prices_says() {
    let Some(fixtures) = support::shared_fixtures(TEST) else {
        return;
    };
    let Some(python) = python_with("genai_prices", "genai-prices", TEST) else {
        return;
    };
    println!("Python genai-prices {}", python_version(&python));

    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut not_built_in: BTreeMap<String, usize> = BTreeMap::new();
    let mut priced = Vec::new(); // (key, provider_api, our response, our cost)
    for wire in WIRES {
        for entry in oracle_entries(&fixtures, wire) {
            if entry.entry["outcome"] != "response" {
                continue;
            }
            let api = entry.provider_api().to_owned();
            match ours(&entry) {
                Err(()) => *not_built_in.entry(api).or_default() += 1,
                Ok(None) => {
                    let tally = tallies.entry(api).or_default();
                    tally.responses += 1;
                    tally.not_parsed += 1;
                }
                Ok(Some(response)) => {
                    tallies.entry(api.clone()).or_default().responses += 1;
                    let cost = response_cost(&response);
                    priced.push((entry.key.clone(), api, entry.stem.clone(), response, cost));
                }
            }
        }
    }
    for wire in ["gemini-vertex"] {
        for entry in oracle_entries(&fixtures, wire) {
            if entry.entry["outcome"] == "response" {
                *not_built_in
                    .entry(entry.provider_api().to_owned())
                    .or_default() += 1;
            }
        }
    }

    let items: Vec<Value> = priced
        .iter()
        .map(|(_, _, _, response, _)| item(counts(&response.usage), response))
        .collect();
    let theirs = python_prices(&python, &items);
    let pydantic_ai_items: Vec<Value> = priced
        .iter()
        .map(|(_, _, stem, response, _)| {
            item(
                pydantic_ai_counts(stem).unwrap_or_else(|| counts(&response.usage)),
                response,
            )
        })
        .collect();
    let pydantic_ai = python_prices(&python, &pydantic_ai_items);

    let mut differences = Vec::new();
    let mut pydantic_ai_differences = Vec::new();
    for ((key, api, _, response, cost), (theirs, pydantic_ai)) in
        priced.iter().zip(theirs.iter().zip(&pydantic_ai))
    {
        let tally = tallies.get_mut(api).unwrap();
        if cost.is_some() {
            tally.priced += 1;
        } else {
            tally.unknown_model += 1;
        }
        if equal(*cost, *theirs) {
            tally.equal += 1;
        } else {
            differences.push(format!(
                "{key} ({api}, model {:?}): ours {cost:?}, genai-prices {theirs:?}, usage {:?}",
                response.model_name, response.usage
            ));
        }
        if !equal(*cost, *pydantic_ai) {
            tally.pydantic_ai_usage_differs += 1;
            pydantic_ai_differences.push(format!(
                "{key}: ours {cost:?}, from pydantic-ai's usage {pydantic_ai:?}"
            ));
        }
    }

    let mut total = Tally::default();
    for (api, tally) in &tallies {
        println!(
            "{api}: {} responses, priced {}, equal {}, unknown model {}, not parsed {}; \
             pydantic-ai's own usage prices differently: {}",
            tally.responses,
            tally.priced,
            tally.equal,
            tally.unknown_model,
            tally.not_parsed,
            tally.pydantic_ai_usage_differs
        );
        total.responses += tally.responses;
        total.priced += tally.priced;
        total.equal += tally.equal;
        total.unknown_model += tally.unknown_model;
        total.not_parsed += tally.not_parsed;
        total.pydantic_ai_usage_differs += tally.pydantic_ai_usage_differs;
    }
    println!(
        "total: {} responses, priced {}, equal {}, unknown model {}, not parsed {}; \
         pydantic-ai's own usage prices differently: {}",
        total.responses,
        total.priced,
        total.equal,
        total.unknown_model,
        total.not_parsed,
        total.pydantic_ai_usage_differs
    );
    println!("not built in here (no provider to parse them): {not_built_in:?}");
    for difference in pydantic_ai_differences.iter().take(10) {
        println!("info: {difference}");
    }
    for difference in &differences {
        println!("{difference}");
    }
    assert!(
        differences.is_empty(),
        "{} costs differ from genai-prices'",
        differences.len()
    );
    assert!(total.priced > 0, "nothing was priced");
}
