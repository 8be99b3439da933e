//! The recorded OpenAI-style traffic in `../shared/fixtures`, replayed over real HTTP through
//! the built-in hosts and compared with pydantic-ai's oracle.
//!
//! For every recorded `openai-chat` interaction that the oracle covers, in the directories
//! below: a server on 127.0.0.1 answers with the recorded status, headers and body (a stream
//! verbatim, cut into chunks of odd sizes that split lines and UTF-8 characters); the request
//! goes through `model_request` / `model_request_stream` on the host's model
//! (`<Host>::builder().base_url(<server + the recorded path>).api_key("test")`, no retries),
//! for the oracle's scenario (prompt `'x'`, the recorded tools, no settings).
//!
//! Checked, per interaction: the request line and headers we send (`POST` to the recorded
//! path, bearer key, JSON), the body against the oracle's `.request.json`, and the outcome
//! against `.json` / `.events.json` / `.error.json` (an error status also keeps the body and
//! reads `retry_after` from the recorded headers). Differences accepted on purpose are listed
//! with their reasons (`support::openai_chat::ACCEPTED`, [`WIRE_ACCEPTED`]); known differences
//! are counted as failing. Each streamed recording is also assembled into the whole completion
//! it amounts to, served unstreamed, and the two `ModelResponse`s must be equal. The recorded
//! 429s (retried by the SDKs, so not in the oracle) are replayed in order through the retry
//! policy.
//!
//! `test_xai` has no OpenAI-style interaction (its cassettes are xAI's gRPC API): it is
//! reported with 0. When `../shared` is absent each test prints one line and returns; the
//! same paths are covered by `hosts_wire.rs` with bodies written from the documented formats.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::{ModelRequest, ModelResponse};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::openai::chat::OpenAiChat;
use llm_runtime::providers::{OpenRouter, ProviderModel};
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::Value;
use support::conformance::{Failure, Tally};
use support::openai_chat::*;
use support::recordings::{
    compare_stream_with_whole, directory, load_yaml, normalise, oracle_entries, recorded_streams,
    unpriced, PRICED_WHY,
};
use support::replay::replay;
use support::server::{Body, Recorded, Reply, TestServer};

/// The directories whose recorded `openai-chat` interactions are replayed (those the issue
/// names, and two more with OpenAI-style traffic: the 404s of unknown models, and the tool
/// choice matrix).
const DIRECTORIES: [&str; 10] = [
    "test_openai",
    "test_groq",
    "test_deepseek",
    "test_openrouter",
    "test_ollama",
    "test_cerebras",
    "test_xai",
    "test_mistral",
    "model_name_suggestions",
    "test_tool_choice_matrix",
];

/// Whether a cassette is in one of the [`DIRECTORIES`].
fn in_directories(cassette: &str) -> bool {
    DIRECTORIES
        .iter()
        .any(|d| cassette.starts_with(&format!("{d}/")))
}

/// Differences accepted in this suite only.
const WIRE_ACCEPTED: &[Accepted] = &[
    Accepted {
        provider_api: "*",
        aspect: "response",
        what: "provider_url",
        why: "the base URL of the local server the recording is replayed from, by construction",
        apply: |oracle, ours| {
            if let (Some(url), Some(ours)) =
                (oracle.get("provider_url").cloned(), ours.as_object_mut())
            {
                ours.insert("provider_url".into(), url);
            }
        },
    },
    Accepted {
        provider_api: "*",
        aspect: "response",
        what: "usage.cost",
        why: PRICED_WHY,
        apply: |oracle, ours| unpriced(oracle, ours),
    },
];

/// The recorded request's URL without the `/chat/completions` endpoint: the host's base URL
/// as recorded.
fn recorded_base(request: &Value) -> String {
    let uri = request["uri"].as_str().unwrap_or_default();
    let uri = uri.split(['?', '#']).next().unwrap_or(uri);
    uri.trim_end_matches("/chat/completions").to_owned()
}

/// The path part of a URL (`https://host/a/b` → `/a/b`).
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("", |i| &after_scheme[i..])
}

/// What a request through a host gave: the response, the stream events, or the error.
#[derive(Default)]
struct Outcome {
    response: Option<ModelResponse>,
    events: Option<Vec<Value>>,
    error: Option<Error>,
}

async fn send(
    model: &ProviderModel<OpenAiChat>,
    parameters: &ModelRequestParameters,
    streaming: bool,
) -> Outcome {
    let prompt = [ModelRequest::user_text_prompt("x")];
    if !streaming {
        return match model_request(model.clone(), prompt)
            .parameters(parameters.clone())
            .await
        {
            Ok((response, _)) => Outcome {
                response: Some(response),
                ..Outcome::default()
            },
            Err(error) => Outcome {
                error: Some(error),
                ..Outcome::default()
            },
        };
    }
    let mut stream = match model_request_stream(model.clone(), prompt)
        .parameters(parameters.clone())
        .await
    {
        Ok(stream) => stream,
        Err(error) => {
            return Outcome {
                error: Some(error),
                ..Outcome::default()
            }
        }
    };
    let mut events = Vec::new();
    let mut error = None;
    while let Some(event) = stream.next().await {
        match event {
            Ok(event) => events.push(serde_json::to_value(&event).unwrap()),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    Outcome {
        response: Some(stream.get()),
        events: Some(events),
        error,
    }
}

/// The request line and headers the host sent, compared with the recorded request.
fn wire_problems(sent: &Recorded, expected_path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if sent.method != "POST" {
        problems.push(format!("method {}", sent.method));
    }
    if sent.target != expected_path {
        problems.push(format!("target {} (recorded {expected_path})", sent.target));
    }
    for (name, value) in [
        ("authorization", "Bearer test"),
        ("content-type", "application/json"),
    ] {
        if sent.header(name) != Some(value) {
            problems.push(format!("{name}: {:?}", sent.header(name)));
        }
    }
    problems
}

/// What an error status must become: `Error::Http` with the status, the body sent, and the
/// wait the recorded headers ask for.
fn http_error_problems(error: Option<&Error>, reply: &Reply) -> Vec<String> {
    let Some(Error::Http {
        status,
        body,
        retry_after,
        ..
    }) = error
    else {
        return vec![format!("not an HTTP error: {error:?}")];
    };
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &reply.headers {
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(name.as_bytes()),
            reqwest::header::HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    let expected_wait = llm_runtime::http::retry_after(&headers, SystemTime::now());
    let Body::Full(sent) = &reply.body else {
        return vec!["the recorded error is not a whole body".into()];
    };
    let mut problems = Vec::new();
    if *status != reply.status {
        problems.push(format!("status {status} != {}", reply.status));
    }
    let sent = String::from_utf8_lossy(sent);
    if sent.len() <= 4096 && *body != sent {
        problems.push(format!("body {body} != {sent}"));
    }
    if retry_after.map(|d| d.as_secs()) != expected_wait.map(|d| d.as_secs()) {
        problems.push(format!("retry_after {retry_after:?} != {expected_wait:?}"));
    }
    problems
}

struct Entry<'a> {
    /// `<cassette stem>.<interaction>`.
    key: &'a str,
    provider_api: &'a str,
    model_name: &'a str,
    streaming: bool,
}

/// Replays one recorded interaction; compares what was sent and what came back.
async fn check_entry(
    entry: &Entry<'_>,
    interaction: &Value,
    stem: String,
    tally: &mut Tally,
    failures: &mut Vec<Failure>,
    bases: &mut BTreeMap<String, (String, String)>,
) {
    let check = Check {
        key: entry.key.to_owned(),
        provider_api: entry.provider_api,
        stem,
        extra: WIRE_ACCEPTED,
    };
    let failures_before = failures.len();
    let recorded_base = recorded_base(&interaction["request"]);
    bases.insert(
        entry.provider_api.to_owned(),
        (
            recorded_base.clone(),
            declared_host(entry.provider_api).base_url().to_owned(),
        ),
    );
    let reply = replay(&interaction["response"]);
    let server = TestServer::always(reply.clone()).await;
    let model = host(entry.provider_api)
        .base_url(server.url(path_of(&recorded_base)))
        .api_key("test")
        .retry(RetryPolicy::none())
        .build_with_env(|_| None)
        .expect("a host with a base URL and a key builds")
        .model(entry.model_name);
    let parameters = ModelRequestParameters {
        function_tools: recorded_tools(&interaction["request"]),
        ..Default::default()
    };
    let outcome = send(&model, &parameters, entry.streaming).await;

    // What we sent.
    let requests = server.requests();
    let sent = match requests.as_slice() {
        [sent] => sent,
        other => {
            tally.record("wire", false);
            failures.push(Failure::new(
                &check.key,
                "wire",
                format!("{}: {} requests sent", check.key, other.len()),
            ));
            return;
        }
    };
    let problems = wire_problems(
        sent,
        &format!("{}/chat/completions", path_of(&recorded_base)),
    );
    tally.record("wire", problems.is_empty());
    if !problems.is_empty() {
        failures.push(Failure::new(
            &check.key,
            "wire",
            format!("{} wire: {}", check.key, problems.join("; ")),
        ));
    }
    if let Some(expected) = check.expected_request() {
        check.request(expected, sent.json(), tally, failures);
    }

    // What came back: an error status is an `Error::Http`, unless the host reads it as a
    // response (Groq's `tool_use_failed`), which is compared with the oracle's below.
    if reply.status >= 400 && outcome.response.is_none() {
        let problems = http_error_problems(outcome.error.as_ref(), &reply);
        tally.record("status", problems.is_empty());
        if !problems.is_empty() {
            failures.push(Failure::new(
                &check.key,
                "status",
                format!("{} status: {}", check.key, problems.join("; ")),
            ));
        }
    }
    let response = outcome
        .response
        .as_ref()
        .map(|r| serde_json::to_value(r).unwrap());
    check.outcome(
        response,
        outcome.events,
        outcome.error.as_ref(),
        tally,
        failures,
    );
    tally.record("interactions", failures.len() == failures_before);
}

#[tokio::test]
async fn recorded_openai_style_traffic_through_the_hosts_matches_pydantic_ai() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_openai_style_traffic_through_the_hosts")
    else {
        return;
    };
    let mut tallies: BTreeMap<String, Tally> = DIRECTORIES
        .iter()
        .map(|d| ((*d).to_owned(), Tally::default()))
        .collect();
    let mut failures = Vec::new();
    let mut bases = BTreeMap::new();
    for entry in oracle_entries(&fixtures, "openai-chat") {
        if !in_directories(&entry.cassette) {
            continue;
        }
        let it = Entry {
            key: &entry.key,
            provider_api: entry.provider_api(),
            model_name: entry.model_name(),
            streaming: entry.streaming(),
        };
        check_entry(
            &it,
            &entry.interaction,
            entry.stem.display().to_string(),
            tallies.get_mut(&directory(&entry.cassette)).unwrap(),
            &mut failures,
            &mut bases,
        )
        .await;
    }
    for (dir, tally) in &tallies {
        if tally.checked.is_empty() {
            println!("{dir}: no OpenAI-style interaction (0 checked)");
        }
    }
    let mut base_mismatches = Vec::new();
    for (provider_api, (recorded, declared)) in &bases {
        let same_host = recorded.split('/').nth(2) == declared.split('/').nth(2);
        let verdict = if !same_host {
            "recorded on another host"
        } else if recorded == declared {
            "equal"
        } else {
            base_mismatches.push(format!("{provider_api}: {recorded} != {declared}"));
            "DIFFERENT"
        };
        println!("base URL {provider_api}: recorded {recorded}, declared {declared}: {verdict}");
    }
    tallies.retain(|_, tally| !tally.checked.is_empty());
    report(&tallies, &failures, WIRE_ACCEPTED);
    assert!(base_mismatches.is_empty(), "{base_mismatches:?}");
}

/// A streamed recording and the whole completion it amounts to, both over HTTP through the
/// host, give equal `ModelResponse`s.
#[tokio::test]
async fn recorded_streams_and_their_whole_responses_are_equal_over_http() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_streams_and_their_whole_responses_are_equal_over_http")
    else {
        return;
    };
    let mut checked = 0;
    let mut skipped = 0;
    let mut failures = Vec::new();
    for recorded in recorded_streams(&fixtures, "openai-chat", in_directories) {
        let key = &recorded.key;
        let interaction = &recorded.interaction;
        let sse = String::from_utf8(recorded.body()).unwrap();
        let Some(whole) = assemble(&sse) else {
            skipped += 1;
            continue;
        };
        let provider_api = recorded.provider_api.as_str();
        let model_name = recorded.model();
        let base = recorded_base(&interaction["request"]);
        let streamed_server = TestServer::always(replay(&interaction["response"])).await;
        let whole_server = TestServer::always(Reply::json(200, &whole)).await;
        let model = |server: &TestServer| {
            host(provider_api)
                .base_url(server.url(path_of(&base)))
                .api_key("test")
                .retry(RetryPolicy::none())
                .build_with_env(|_| None)
                .unwrap()
                .model(model_name)
        };
        let parameters = ModelRequestParameters::default();
        let streamed = send(&model(&streamed_server), &parameters, true).await;
        let unstreamed = send(&model(&whole_server), &parameters, false).await;
        let (Some(streamed), None, Some(unstreamed)) =
            (streamed.response, &streamed.error, unstreamed.response)
        else {
            failures.push(format!(
                "{key}: {:?} {:?}",
                streamed.error, unstreamed.error
            ));
            continue;
        };
        let mut values = [streamed, unstreamed].map(|r| {
            let mut value = serde_json::to_value(r).unwrap();
            normalise(&mut value);
            value
        });
        // The two servers have different ports.
        for value in &mut values {
            value["provider_url"] = Value::Null;
        }
        checked += 1;
        let [streamed, unstreamed] = values;
        let known = STREAM_WHOLE_DIFFERENCES
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, why)| *why);
        compare_stream_with_whole(key, &unstreamed, &streamed, known, &mut failures);
    }
    let known = STREAM_WHOLE_DIFFERENCES
        .iter()
        .filter(|(k, _)| in_directories(k))
        .count();
    println!(
        "streamed vs whole over HTTP: {} of {checked} equal ({skipped} not assembled: errors or content chunks)",
        checked - known
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// OpenRouter's recorded 429s (three in a row) go through the retry policy: three attempts,
/// then the last one's `Error::Http` with its body.
#[tokio::test]
async fn recorded_rate_limits_are_retried_then_reported() {
    let Some(fixtures) = support::shared_fixtures("recorded_rate_limits_are_retried_then_reported")
    else {
        return;
    };
    let cassette =
        load_yaml(&fixtures.join("cassettes/test_openrouter/test_openrouter_errors_raised.yaml"));
    let replies: Vec<Reply> = cassette
        .interactions
        .iter()
        .map(|i| replay(&i["response"]))
        .collect();
    assert_eq!(
        replies.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 429, 429]
    );
    let last = replies[2].clone();
    let server = TestServer::sequence(replies).await;
    let request = &cassette.interactions[0]["request"];
    let model_name = request["parsed_body"]["model"].as_str().unwrap();
    let model = OpenRouter::builder()
        .base_url(server.url(path_of(&recorded_base(request))))
        .api_key("test")
        .retry(
            RetryPolicy::default()
                .with_initial_backoff(Duration::ZERO)
                .with_max_backoff(Duration::ZERO),
        )
        .build_with_env(|_| None)
        .unwrap()
        .model(model_name);
    let outcome = send(&model, &ModelRequestParameters::default(), false).await;
    assert_eq!(server.requests().len(), 3);
    let problems = http_error_problems(outcome.error.as_ref(), &last);
    assert!(problems.is_empty(), "{problems:?}");
}
