//! The recorded Anthropic traffic in `../shared/fixtures`, replayed over real HTTP through the
//! `anthropic` host and compared with pydantic-ai's oracle.
//!
//! For every recorded `anthropic` interaction that the oracle covers, a server on 127.0.0.1
//! answers with the recorded status, headers and body (a stream verbatim, cut into chunks of
//! odd sizes that split lines, JSON and UTF-8 characters); the request goes through
//! `model_request` / `model_request_stream` on `Anthropic::builder().base_url(<server>)` (no
//! retries), for the oracle's scenario (prompt `'x'`, the recorded function tools, no settings).
//!
//! Checked per interaction: the request line and headers we send (`POST /v1/messages`, the key
//! in `x-api-key`, `anthropic-version`, JSON), the body against the oracle's `.request.json`,
//! and the outcome against `.json` / `.events.json` / `.error.json`, with the same accepted and
//! known differences as the offline suite (`support::anthropic`) plus [`WIRE_ACCEPTED`].

mod support;

use std::collections::BTreeMap;

use futures::StreamExt;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::ModelRequest;
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::Anthropic;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::Value;
use support::anthropic::{check_outcome, check_request, recorded_tools, report, Accepted};
use support::conformance::{Failure, Tally};
use support::recordings::{directory, oracle_entries, unpriced, PRICED_WHY};
use support::replay::replay;
use support::server::TestServer;

/// Differences accepted in this suite only.
const WIRE_ACCEPTED: &[Accepted] = &[
    Accepted {
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
        aspect: "response",
        what: "usage.cost",
        why: PRICED_WHY,
        apply: |oracle, ours| unpriced(oracle, ours),
    },
];

/// The response, the stream events, or the error of one request through the host.
async fn send(
    server: &TestServer,
    model_name: &str,
    parameters: &ModelRequestParameters,
    streaming: bool,
) -> (Option<Value>, Option<Vec<Value>>, Option<Error>) {
    let model = Anthropic::builder()
        .base_url(server.url(""))
        .api_key("test")
        .retry(RetryPolicy::none())
        .build_with_env(|_| None)
        .expect("the anthropic host builds")
        .model(model_name);
    let prompt = [ModelRequest::user_text_prompt("x")];
    if !streaming {
        return match model_request(model, prompt)
            .parameters(parameters.clone())
            .await
        {
            Ok((response, _)) => (Some(serde_json::to_value(response).unwrap()), None, None),
            Err(error) => (None, None, Some(error)),
        };
    }
    let mut stream = match model_request_stream(model, prompt)
        .parameters(parameters.clone())
        .await
    {
        Ok(stream) => stream,
        Err(error) => return (None, None, Some(error)),
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
    (
        Some(serde_json::to_value(stream.get()).unwrap()),
        Some(events),
        error,
    )
}

#[tokio::test]
async fn recorded_anthropic_traffic_over_http_matches_pydantic_ai() {
    let Some(fixtures) = support::shared_fixtures("anthropic_wire_conformance") else {
        return;
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in oracle_entries(&fixtures, "anthropic") {
        let interaction = &entry.interaction;
        let key = &entry.key;
        let stem = entry.stem.display().to_string();
        let model_name = entry.model_name();
        let streaming = entry.streaming();
        let parameters = ModelRequestParameters {
            function_tools: recorded_tools(&interaction["request"]),
            ..Default::default()
        };
        let tally = tallies.entry(directory(&entry.cassette)).or_default();

        let server = TestServer::always(replay(&interaction["response"])).await;
        let (response, events, error) = send(&server, model_name, &parameters, streaming).await;

        let requests = server.requests();
        let [sent] = requests.as_slice() else {
            panic!("{key}: {} requests", requests.len());
        };
        let mut problems = Vec::new();
        if (sent.method.as_str(), sent.target.as_str()) != ("POST", "/v1/messages") {
            problems.push(format!("{} {}", sent.method, sent.target));
        }
        for (name, value) in [
            ("x-api-key", Some("test")),
            ("anthropic-version", Some("2023-06-01")),
            ("content-type", Some("application/json")),
            ("authorization", None),
        ] {
            if sent.header(name) != value {
                problems.push(format!("{name}: {:?}", sent.header(name)));
            }
        }
        tally.record("wire", problems.is_empty());
        if !problems.is_empty() {
            failures.push(Failure::new(
                key,
                "wire",
                format!("{key} wire: {}", problems.join("; ")),
            ));
        }
        check_request(key, &stem, sent.json(), tally, &mut failures);
        check_outcome(
            key,
            &stem,
            response,
            events,
            error.as_ref(),
            WIRE_ACCEPTED,
            tally,
            &mut failures,
        );
    }
    report(&tallies, &failures, WIRE_ACCEPTED);
}
