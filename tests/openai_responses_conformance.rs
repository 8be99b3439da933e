//! Conformance of the OpenAI Responses protocol with pydantic-ai, over the recorded traffic in
//! `../shared/fixtures`, through the protocol of the built-in `openai-responses` host.
//!
//! For every recorded interaction on the Responses wire that pydantic-ai's oracle covers
//! (`test_openai_responses/`, and the Responses interactions of the other directories), twice:
//! the recorded bodies straight into the protocol (`parse_response`, or the recorded SSE text
//! split into events for `on_event`), and over real HTTP on 127.0.0.1 through
//! `model_request` / `model_request_stream` (streams cut into odd chunks):
//! * the `ModelResponse` is compared, as JSON, with the oracle's `.json`, and stream events
//!   with `.events.json`;
//! * the request body for the oracle's scenario (prompt `'x'`, the recorded tools, no settings)
//!   with `.request.json` (over HTTP: the body the server received);
//! * recorded HTTP errors with the oracle's `.error.json`.
//!
//! Every difference accepted is listed in [`ACCEPTED`] with its reason, every comparison known
//! to fail in [`KNOWN_DIFFERENCES`] with its reason; everything else must be equal, and a known
//! difference that stops differing fails the suite. The counts per directory are printed.
//!
//! A third test checks that each recorded stream gives the response its own final
//! `response.completed` event holds, parsed as a whole.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::ModelRequest;
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::openai::responses::OpenAiResponses;
use llm_runtime::providers::{OpenAiResponsesHost, Protocol, ResponseContext};
use llm_runtime::stream::PartsManager;
use llm_runtime::tools::ToolDefinition;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::Value;
use support::conformance::{
    http_error_matches, judge, our_request_body, print_tallies, replay_stream, Failure, Known,
    Tally,
};
use support::recordings::{
    comparable, compare_stream_with_whole, diff, directory, normalise, oracle_entries, read_json,
    recorded_streams, response_body, split_sse, status, unpriced, PRICED_WHY,
};
use support::replay::CHUNK_SIZES;
use support::server::{Body, Reply, TestServer};

/// The protocol as the built-in host declares it (named `openai-responses`).
fn protocol() -> OpenAiResponses {
    OpenAiResponsesHost::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .expect("the built-in host with a key builds")
        .protocol()
        .clone()
}

/// A difference from the oracle accepted on purpose.
struct Accepted {
    /// What is compared: `response`, `events` or `request`.
    aspect: &'static str,
    /// Whether it applies to streamed recordings only.
    streamed_only: bool,
    /// The difference.
    what: &'static str,
    /// Why it is accepted.
    why: &'static str,
    /// Removes the difference from both sides (oracle, ours).
    apply: fn(&mut Value, &mut Value),
}

/// Renames the parts' `provider_name` from our host's name to pydantic-ai's provider's.
fn host_name_as_pydantic_ai(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let is_part = map.contains_key("part_kind") || map.contains_key("part_delta_kind");
            if is_part && map.get("provider_name") == Some(&Value::from("openai-responses")) {
                map.insert("provider_name".into(), Value::from("openai"));
            }
            map.values_mut().for_each(host_name_as_pydantic_ai);
        }
        Value::Array(items) => items.iter_mut().for_each(host_name_as_pydantic_ai),
        _ => {}
    }
}

/// Sets the `bytes` of every logprob in text parts' provider details to null.
fn null_logprob_bytes(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(logprobs)) = map.get_mut("logprobs") {
                for logprob in logprobs.iter_mut() {
                    if let Some(logprob) = logprob.as_object_mut() {
                        logprob.insert("bytes".into(), Value::Null);
                        if let Some(Value::Array(top)) = logprob.get_mut("top_logprobs") {
                            for t in top.iter_mut().filter_map(Value::as_object_mut) {
                                t.insert("bytes".into(), Value::Null);
                            }
                        }
                    }
                }
            }
            map.values_mut().for_each(null_logprob_bytes);
        }
        Value::Array(items) => items.iter_mut().for_each(null_logprob_bytes),
        _ => {}
    }
}

const ACCEPTED: &[Accepted] = &[
    Accepted {
        streamed_only: false,
        aspect: "response",
        what: "usage.cost",
        why: PRICED_WHY,
        apply: |oracle, ours| unpriced(oracle, ours),
    },
    Accepted {
        streamed_only: false,
        aspect: "response",
        what: "provider_name, provider_url of the response",
        why: "filled from the provider object (the #[provider] layer), not by the protocol",
        apply: |oracle, ours| {
            for key in ["provider_name", "provider_url"] {
                if let (Some(o), Some(ours)) = (oracle.get(key).cloned(), ours.as_object_mut()) {
                    ours.insert(key.to_owned(), o);
                }
            }
        },
    },
    Accepted {
        streamed_only: false,
        aspect: "response",
        what: "the parts' provider_name `openai-responses` for pydantic-ai's `openai`",
        why: "the protocol marks parts with its provider's name, and the built-in host is \
              named by its model-string prefix `openai-responses`; pydantic-ai's \
              OpenAIResponsesModel runs on its `openai` provider. Item ids and encrypted \
              reasoning go back to the provider of that name only",
        apply: |_, ours| host_name_as_pydantic_ai(ours),
    },
    Accepted {
        streamed_only: false,
        aspect: "events",
        what: "the parts' provider_name `openai-responses` for pydantic-ai's `openai`",
        why: "as for the response",
        apply: |_, ours| host_name_as_pydantic_ai(ours),
    },
    Accepted {
        streamed_only: false,
        aspect: "response",
        what: "usage.output_reasoning_tokens",
        why: "pydantic-ai 2.33's RequestUsage has this field; our Usage keeps the same count in \
              details.reasoning_tokens (checked equal before the field is removed)",
        apply: |oracle, _ours| {
            if let Some(usage) = oracle.get_mut("usage").and_then(Value::as_object_mut) {
                if let Some(count) = usage.remove("output_reasoning_tokens") {
                    let reasoning = usage
                        .get("details")
                        .and_then(|d| d.get("reasoning_tokens"))
                        .cloned()
                        .unwrap_or(Value::from(0));
                    assert_eq!(count, reasoning, "output_reasoning_tokens");
                }
            }
        },
    },
    Accepted {
        streamed_only: true,
        aspect: "response",
        what: "streamed logprobs keep their `bytes`",
        why: "the openai SDK's type for the logprobs of `response.output_text.done` has no \
              `bytes`, so pydantic-ai's streamed text has `bytes: null` where the event sends \
              them; we keep them, as the whole response (and pydantic-ai's) does",
        apply: |_, ours| null_logprob_bytes(ours),
    },
    Accepted {
        streamed_only: false,
        aspect: "events",
        what: "streamed logprobs keep their `bytes`",
        why: "as for the response",
        apply: |_, ours| null_logprob_bytes(ours),
    },
];

/// Comparisons known to differ, by oracle file stem and aspect, with the reason. They are
/// counted as failing; the test fails if one of them starts to pass (remove it then).
const KNOWN_DIFFERENCES: &[Known] = &[];

/// The part kinds of built-in tools and compaction (a failing comparison says whether the rest
/// of the response is equal without them).
const BUILTIN_PART_KINDS: [&str; 4] = [
    "builtin-tool-call",
    "builtin-tool-return",
    "file",
    "compaction",
];

/// The oracle's response without its built-in tool, file and compaction parts.
fn without_builtin_parts(oracle: &Value) -> Value {
    let mut oracle = oracle.clone();
    if let Some(parts) = oracle.get_mut("parts").and_then(Value::as_array_mut) {
        parts.retain(|p| {
            !BUILTIN_PART_KINDS
                .iter()
                .any(|kind| p.get("part_kind") == Some(&Value::from(*kind)))
        });
    }
    oracle
}

/// The function tools of a recorded Responses request (`final_result*` output tools are not
/// sent in the oracle's scenario, as pydantic-ai's prepare step does for text output).
fn recorded_tools(request: &Value) -> Vec<ToolDefinition> {
    let mut tools = Vec::new();
    for tool in request
        .get("parsed_body")
        .and_then(|b| b.get("tools"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| t.get("type") == Some(&Value::from("function")))
    {
        let name = tool["name"].as_str().unwrap().to_owned();
        if name.starts_with("final_result") {
            continue;
        }
        let mut def = ToolDefinition::new(name);
        def.description = tool
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(parameters) = tool.get("parameters").filter(|p| !p.is_null()) {
            def.parameters_json_schema = parameters.clone();
        }
        def.strict = tool.get("strict").and_then(Value::as_bool);
        tools.push(def);
    }
    tools
}

fn apply_accepted(aspect: &str, streamed: bool, oracle: &mut Value, ours: &mut Value) {
    for accepted in ACCEPTED
        .iter()
        .filter(|a| a.aspect == aspect && (streamed || !a.streamed_only))
    {
        (accepted.apply)(oracle, ours);
    }
}

/// One recorded interaction the oracle covers.
struct Interaction {
    /// `<cassette stem>.<interaction>`, as [`KNOWN_DIFFERENCES`] names it.
    key: String,
    /// The cassette's directory.
    dir: String,
    model_name: String,
    streaming: bool,
    tools: Vec<ToolDefinition>,
    /// The recorded response (status, headers, body).
    response: Value,
    oracle_stem: PathBuf,
}

impl Interaction {
    fn parameters(&self) -> ModelRequestParameters {
        ModelRequestParameters {
            function_tools: self.tools.clone(),
            ..Default::default()
        }
    }
}

/// The recorded Responses interactions the oracle covers, and the keys of those it does not.
fn interactions(fixtures: &Path) -> (Vec<Interaction>, Vec<String>) {
    let mut covered = Vec::new();
    let mut not_covered = Vec::new();
    for entry in oracle_entries(fixtures, "openai-responses") {
        if entry.entry["provider_api"] != "openai-responses" || entry.entry["ok"] != true {
            // OpenRouter's `/responses`: pydantic-ai's oracle generator does not replay it.
            not_covered.push(entry.key);
            continue;
        }
        covered.push(Interaction {
            oracle_stem: entry.stem.clone(),
            dir: directory(&entry.cassette),
            model_name: entry.model_name().to_owned(),
            streaming: entry.streaming(),
            tools: recorded_tools(&entry.interaction["request"]),
            response: entry.interaction["response"].clone(),
            key: entry.key,
        });
    }
    (covered, not_covered)
}

/// What we made of a recorded interaction: the request body, and the response (as JSON) with
/// its stream events, or the error.
#[derive(Default)]
struct Outcome {
    request: Option<Value>,
    response: Option<Value>,
    events: Option<Vec<Value>>,
    error: Option<Error>,
}

/// The recorded bodies straight into the protocol of the built-in host.
fn offline(it: &Interaction) -> Outcome {
    let protocol = protocol();
    let parameters = it.parameters();
    let request = Some(our_request_body(
        &protocol,
        "openai-responses",
        &it.model_name,
        &parameters,
        it.streaming,
    ));
    let body = response_body(&it.response);
    let recorded_status = status(&it.response);
    if recorded_status >= 400 {
        // What the HTTP layer makes of an error status.
        let error = Error::http(recorded_status, &it.model_name, &body, None);
        return Outcome {
            request,
            error: Some(error),
            ..Outcome::default()
        };
    }
    if it.streaming {
        let parts =
            PartsManager::new(&it.model_name, &parameters).with_provider("openai-responses", None);
        let (events, response, error) = replay_stream(
            protocol,
            split_sse(std::str::from_utf8(&body).unwrap()),
            parts,
        );
        return Outcome {
            request,
            response: Some(response),
            events: Some(events),
            error,
        };
    }
    match protocol.parse_response(
        &body,
        &mut ResponseContext::new(&it.model_name, "openai-responses"),
    ) {
        Ok(response) => Outcome {
            request,
            response: Some(serde_json::to_value(response).unwrap()),
            ..Outcome::default()
        },
        Err(e) => Outcome {
            request,
            error: Some(e),
            ..Outcome::default()
        },
    }
}

/// The recorded response served on 127.0.0.1 and requested through the built-in host with
/// `model_request` / `model_request_stream` (no retries).
async fn over_http(it: &Interaction) -> Outcome {
    let body = response_body(&it.response);
    let recorded_status = status(&it.response);
    let reply = if it.streaming && recorded_status < 400 {
        Reply::sse_split(&body, &CHUNK_SIZES)
    } else {
        Reply {
            status: recorded_status,
            body: Body::Full(body),
            ..Reply::json(200, &Value::Null)
        }
    };
    let server = TestServer::always(reply).await;
    let model = OpenAiResponsesHost::builder()
        .base_url(server.url("/v1"))
        .api_key("sk-replay")
        .retry(RetryPolicy::none())
        .build_with_env(|_| None)
        .unwrap()
        .model(&it.model_name);
    let messages = [ModelRequest::user_text_prompt("x")];
    let mut outcome = Outcome::default();
    if it.streaming {
        match model_request_stream(model, messages)
            .parameters(it.parameters())
            .await
        {
            Ok(mut stream) => {
                let mut events = Vec::new();
                while let Some(event) = stream.next().await {
                    match event {
                        Ok(event) => events.push(serde_json::to_value(&event).unwrap()),
                        Err(e) => {
                            outcome.error = Some(e);
                            break;
                        }
                    }
                }
                outcome.events = Some(events);
                outcome.response = Some(serde_json::to_value(stream.get()).unwrap());
            }
            Err(e) => outcome.error = Some(e),
        }
    } else {
        match model_request(model, messages)
            .parameters(it.parameters())
            .await
        {
            Ok((response, _)) => outcome.response = Some(serde_json::to_value(response).unwrap()),
            Err(e) => outcome.error = Some(e),
        }
    }
    let requests = server.requests();
    let sent = requests.first().expect("one request was sent");
    assert_eq!(
        (sent.method.as_str(), sent.path()),
        ("POST", "/v1/responses"),
        "{}",
        it.key
    );
    assert_eq!(sent.header("authorization"), Some("Bearer sk-replay"));
    outcome.request = Some(sent.json());
    outcome
}

/// Compares an outcome with the oracle's files.
fn compare(it: &Interaction, outcome: Outcome, tally: &mut Tally, failures: &mut Vec<Failure>) {
    let stem = it.oracle_stem.display().to_string();
    let key = &it.key;
    let mut fail = |aspect: &'static str, detail: String, equal_without_builtin_parts: bool| {
        failures.push(Failure {
            equal_without_builtin_parts,
            ..Failure::new(key, aspect, detail)
        });
    };
    if let (Some(mut expected), Some(mut ours)) = (
        read_json(Path::new(&format!("{stem}.request.json"))),
        outcome.request,
    ) {
        apply_accepted("request", it.streaming, &mut expected, &mut ours);
        let ok = expected == ours;
        tally.record("request", ok);
        if !ok {
            fail(
                "request",
                diff(&format!("{key} request"), &expected, &ours),
                false,
            );
        }
    }

    let error_oracle = read_json(Path::new(&format!("{stem}.error.json")));
    let response_oracle = read_json(Path::new(&format!("{stem}.json")));
    let events_oracle = read_json(Path::new(&format!("{stem}.events.json")));
    let ours_error = outcome.error;
    if let Some(expected) = error_oracle {
        let ok = ours_error
            .as_ref()
            .is_some_and(|error| http_error_matches(&expected, error));
        tally.record("error", ok);
        if !ok {
            fail(
                "error",
                format!("{key} error\n  oracle: {expected}\n  ours:   {ours_error:?}"),
                false,
            );
        }
    } else if let Some(expected) = response_oracle {
        let mut expected = expected
            .as_array()
            .and_then(|a| a.first())
            .cloned()
            .unwrap();
        match outcome.response {
            Some(mut ours) if ours_error.is_none() => {
                normalise(&mut ours);
                apply_accepted("response", it.streaming, &mut expected, &mut ours);
                let ok = expected == ours;
                tally.record("response", ok);
                if !ok {
                    let rest = without_builtin_parts(&expected);
                    fail(
                        "response",
                        diff(&format!("{key} response"), &rest, &ours),
                        rest == ours,
                    );
                }
            }
            _ => {
                tally.record("response", false);
                fail(
                    "response",
                    format!("{key} response: error {ours_error:?}"),
                    false,
                );
            }
        }
    }
    if let (Some(mut expected), Some(ours)) = (events_oracle, outcome.events) {
        let mut ours = Value::Array(ours);
        normalise(&mut ours);
        apply_accepted("events", it.streaming, &mut expected, &mut ours);
        let ok = expected == ours;
        tally.record("events", ok);
        if !ok {
            fail(
                "events",
                diff(&format!("{key} events"), &expected, &ours),
                false,
            );
        }
    }
}

/// Prints the counts per directory and every accepted and known difference; fails when a
/// comparison differs unexpectedly or a known difference no longer does.
fn report(tallies: &BTreeMap<String, Tally>, failures: &[Failure], not_covered: &[String]) {
    print_tallies(tallies);
    for key in not_covered {
        println!("not covered by the oracle: {key}");
    }
    for accepted in ACCEPTED {
        println!(
            "accepted ({}): {} -- {}",
            accepted.aspect, accepted.what, accepted.why
        );
    }
    // Known, but the rest of the response must still be right.
    judge(failures, KNOWN_DIFFERENCES, None);
}

#[test]
fn openai_responses_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) = support::shared_fixtures("openai_responses_conformance") else {
        return;
    };
    let (interactions, not_covered) = interactions(&fixtures);
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for it in &interactions {
        let outcome = offline(it);
        compare(
            it,
            outcome,
            tallies.entry(it.dir.clone()).or_default(),
            &mut failures,
        );
    }
    report(&tallies, &failures, &not_covered);
}

/// The same recordings over real HTTP through the built-in host: the path and key we send,
/// the body the server received, and the outcome of `model_request` / `model_request_stream`
/// with the recorded streams cut into odd chunks, all compared with the oracle as above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_responses_over_http_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) = support::shared_fixtures("openai_responses_over_http") else {
        return;
    };
    let (interactions, not_covered) = interactions(&fixtures);
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for it in &interactions {
        let outcome = over_http(it).await;
        compare(
            it,
            outcome,
            tallies.entry(it.dir.clone()).or_default(),
            &mut failures,
        );
    }
    report(&tallies, &failures, &not_covered);
}

/// The `response` of a recorded stream's last `response.completed` (or `.incomplete`) event:
/// the whole response the stream amounts to, as the API itself gives it.
fn final_response(sse: &str) -> Option<Value> {
    split_sse(sse).into_iter().rev().find_map(|(event, data)| {
        let value: Value = serde_json::from_str(&data).ok()?;
        let kind = value.get("type").and_then(Value::as_str).unwrap_or(&event);
        matches!(kind, "response.completed" | "response.incomplete")
            .then(|| value.get("response").cloned())
            .flatten()
    })
}

/// Differences between a stream and its own final event that come from the API, with the
/// reason; each is removed from both sides before they are compared.
/// What differs, why, and how it is removed from a response.
type StreamWholeAccepted = (&'static str, &'static str, fn(&mut Value));

const STREAM_WHOLE_ACCEPTED: &[StreamWholeAccepted] = &[
    (
        "thinking parts' signature",
        "OpenAI encrypts the reasoning anew for each event: the `encrypted_content` of \
         `response.output_item.done` (which the stream keeps, as pydantic-ai does) and of \
         `response.completed` are different ciphertexts of the same reasoning",
        |value| replace_in_parts(value, "signature", |_| Value::from("<encrypted>")),
    ),
    (
        "built-in tool calls' arguments as the JSON text streamed",
        "a stream gives code interpreter code and MCP arguments in deltas, so the call's `args` \
         are the JSON text streamed (as pydantic-ai's stream has them), where a whole response \
         has the object; the text is parsed before the two are compared",
        |value| {
            for part in value["parts"].as_array_mut().into_iter().flatten() {
                if part["part_kind"] == "builtin-tool-call" {
                    if let Some(text) = part["args"].as_str() {
                        part["args"] = serde_json::from_str(text).unwrap_or(Value::Null);
                    }
                }
            }
        },
    ),
    (
        "logprobs past 6 decimals",
        "`response.completed` rounds log probabilities to 6 decimals; the events give them whole",
        |value| {
            replace_in_parts(value, "provider_details", |details| {
                let mut details = details.clone();
                round_logprobs(&mut details);
                details
            })
        },
    ),
];

/// Replaces the non-null `key` of every part with `with(value)`.
fn replace_in_parts(value: &mut Value, key: &str, with: impl Fn(&Value) -> Value) {
    for part in value
        .get_mut("parts")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(slot) = part.get_mut(key).filter(|v| !v.is_null()) {
            *slot = with(slot);
        }
    }
}

fn round_logprobs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v.as_f64() {
                    Some(x) if key == "logprob" => {
                        let rounded = (x * 1e6).round() / 1e6;
                        *v = Value::from(if rounded == 0.0 { 0.0 } else { rounded });
                    }
                    _ => round_logprobs(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(round_logprobs),
        _ => {}
    }
}

/// Recordings whose stream is known to differ from its final response object, with the reason.
const STREAM_WHOLE_KNOWN: &[(&str, &str)] = &[
    (
        "test_openai_responses/test_openai_responses_compact_stateful_mode_stream.2",
        "the recording's `compaction` item has another `encrypted_content` in its \
         `output_item.done` event than in the final response object; the stream keeps the event's",
    ),
    (
        "test_openai_responses/test_openai_responses_model_mcp_list_tools_stream_backfills_missing_results.0",
        "the recording never sends the MCP tool lists' `output_item.done`: their returns come \
         from `response.completed`, after every other part, as pydantic-ai's do (its streamed \
         response, which the suites above compare with ours, has the same order); the whole \
         response has each return right after its call",
    ),
];

/// The same recorded answer gives the same response streamed and whole: every streamed
/// recording is replayed, and its final event's response object is parsed as a whole body.
#[test]
fn recorded_streams_equal_their_final_responses_parsed_whole() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_streams_equal_their_final_responses_parsed_whole")
    else {
        return;
    };
    let mut checked = 0;
    let mut without_final = Vec::new();
    let mut failures = Vec::new();
    for recorded in recorded_streams(&fixtures, "openai-responses", |_| true) {
        if recorded.provider_api != "openai-responses" {
            continue;
        }
        let key = recorded.key.clone();
        let body = recorded.body();
        let Some(whole) = final_response(&String::from_utf8(body.clone()).unwrap()) else {
            without_final.push(key);
            continue;
        };
        let model = recorded.model();
        let parts = PartsManager::new(model, &ModelRequestParameters::default())
            .with_provider("openai-responses", None);
        let (_, streamed, error) = replay_stream(
            protocol(),
            split_sse(std::str::from_utf8(&body).unwrap()),
            parts,
        );
        if let Some(error) = error {
            failures.push(format!("{key}: the stream failed: {error}"));
            continue;
        }
        let parsed = protocol()
            .parse_response(
                whole.to_string().as_bytes(),
                &mut ResponseContext::new(model, "openai-responses"),
            )
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let mut parsed = comparable(serde_json::to_value(parsed).unwrap());
        let mut streamed = comparable(streamed);
        for value in [&mut parsed, &mut streamed] {
            for accepted in STREAM_WHOLE_ACCEPTED {
                (accepted.2)(value);
            }
        }
        checked += 1;
        let known = STREAM_WHOLE_KNOWN
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, why)| *why);
        compare_stream_with_whole(&key, &parsed, &streamed, known, &mut failures);
    }
    for (what, why, _) in STREAM_WHOLE_ACCEPTED {
        println!("accepted (streamed vs whole): {what} -- {why}");
    }
    for key in &without_final {
        println!("no final response event (a background stream resumed or cut): {key}");
    }
    println!(
        "streamed vs whole: {} of {checked} equal",
        checked - failures.len()
    );
    assert!(checked > 0, "no recorded stream was checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
