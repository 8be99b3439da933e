//! Conformance of the OpenAI Chat Completions protocol with pydantic-ai, over the recorded
//! traffic in `../shared/fixtures` (no HTTP: the recorded bodies go straight to the protocol).
//!
//! For every recorded `openai-chat` interaction of the directories below that pydantic-ai's
//! oracle covers:
//! * the response body is parsed (`parse_response`), or the recorded SSE text is split into
//!   events and fed to `on_event`, and the `ModelResponse` is compared, as JSON, with the
//!   oracle's `.json`; stream events are compared with `.events.json`;
//! * the request body for the oracle's scenario (prompt `'x'`, the recorded tools, no settings)
//!   is built and compared with `.request.json`;
//! * recorded error outcomes (HTTP statuses, errors inside streams) are compared with the
//!   oracle's `.error.json`.
//!
//! Every difference accepted is listed in `support::openai_chat::ACCEPTED` (and
//! [`OFFLINE_ACCEPTED`]) with its reason; everything else must be equal. The counts per
//! directory are printed. The same recordings go over HTTP through the built-in hosts in
//! `hosts_wire_conformance.rs`.

mod support;

use std::collections::BTreeMap;

use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::openai::chat::OpenAiChat;
use llm_runtime::providers::{Protocol, ResponseContext};
use llm_runtime::stream::PartsManager;
use llm_runtime::tools::ToolDefinition;
use llm_runtime::Error;
use serde_json::Value;
use support::conformance::{our_request_body, replay_stream, Failure, Tally};
use support::openai_chat::*;
use support::recordings::{
    comparable, compare_stream_with_whole, directory, oracle_entries, recorded_streams,
    response_body, split_sse, status,
};

/// The directories whose `openai-chat` interactions are checked. (`test_xai` has none: its
/// cassettes are xAI's gRPC API.)
const DIRECTORIES: [&str; 7] = [
    "test_openai",
    "test_groq",
    "test_deepseek",
    "test_openrouter",
    "test_ollama",
    "test_cerebras",
    "test_mistral",
];

/// Whether a cassette is in one of the [`DIRECTORIES`].
fn in_directories(cassette: &str) -> bool {
    DIRECTORIES
        .iter()
        .any(|d| cassette.starts_with(&format!("{d}/")))
}

/// The protocol of the built-in host that served `provider_api`, as its `#[provider]` item
/// declares it and as the provider built from it names it (`provider_name` in the oracle).
fn protocol_for(provider_api: &str) -> OpenAiChat {
    declared_host(provider_api).protocol().clone()
}

/// Differences accepted in this suite only.
const OFFLINE_ACCEPTED: &[Accepted] = &[Accepted {
    provider_api: "*",
    aspect: "response",
    what: "provider_name, provider_url",
    why: "filled from the provider object (the #[provider] layer), not by the protocol; the wire \
          suite compares provider_name",
    apply: |oracle, ours| {
        for key in ["provider_name", "provider_url"] {
            if let (Some(o), Some(ours)) = (oracle.get(key).cloned(), ours.as_object_mut()) {
                ours.insert(key.to_owned(), o);
            }
        }
    },
}];

struct Interaction<'a> {
    /// `<cassette stem>.<interaction>`.
    key: &'a str,
    provider_api: &'a str,
    model_name: &'a str,
    streaming: bool,
    tools: Vec<ToolDefinition>,
    response: &'a Value,
    oracle_stem: std::path::PathBuf,
}

fn check_interaction(it: &Interaction<'_>, tally: &mut Tally, failures: &mut Vec<Failure>) {
    let protocol = protocol_for(it.provider_api);
    let host = declared_host(it.provider_api);
    let provider = host.name();
    let parameters = ModelRequestParameters {
        function_tools: it.tools.clone(),
        ..Default::default()
    };
    let check = Check {
        key: it.key.to_owned(),
        provider_api: it.provider_api,
        stem: it.oracle_stem.display().to_string(),
        extra: OFFLINE_ACCEPTED,
    };
    let body = response_body(it.response);
    let recorded_status = status(it.response);

    // The request.
    if let Some(expected) = check.expected_request() {
        let ours = our_request_body(
            &protocol,
            provider,
            it.model_name,
            &parameters,
            it.streaming,
        );
        check.request(expected, ours, tally, failures);
    }

    // The outcome.
    let (ours_response, ours_events, ours_error) = if recorded_status >= 400 {
        // What the HTTP layer makes of an error status, and what the driver makes of that (a
        // host may read some error statuses as responses: Groq's `tool_use_failed`).
        let error = Error::http(recorded_status, it.model_name, &body, None);
        let recovered = match &error {
            Error::Http { status, body, .. } => {
                protocol.response_for_error(*status, body, it.model_name)
            }
            _ => None,
        };
        match recovered {
            Some(response) => (Some(serde_json::to_value(response).unwrap()), None, None),
            None => (None, None, Some(error)),
        }
    } else if it.streaming {
        let parts = PartsManager::new(it.model_name, &parameters).with_provider(provider, None);
        let (events, response, error) = replay_stream(
            protocol,
            split_sse(std::str::from_utf8(&body).unwrap()),
            parts,
        );
        (Some(response), Some(events), error)
    } else {
        match protocol.parse_response(&body, &mut ResponseContext::new(it.model_name, provider)) {
            Ok(response) => (Some(serde_json::to_value(response).unwrap()), None, None),
            Err(e) => (None, None, Some(e)),
        }
    };
    check.outcome(
        ours_response,
        ours_events,
        ours_error.as_ref(),
        tally,
        failures,
    );
}

/// The same recorded answer gives the same response streamed and whole: every streamed
/// recording is assembled into the whole completion it amounts to and parsed.
#[test]
fn recorded_streams_equal_their_assembled_whole_responses() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_streams_equal_their_assembled_whole_responses")
    else {
        return;
    };
    let mut checked = 0;
    let mut skipped = 0;
    let mut failures = Vec::new();
    for recorded in recorded_streams(&fixtures, "openai-chat", in_directories) {
        let key = &recorded.key;
        let body = recorded.body();
        let sse = String::from_utf8(body.clone()).unwrap();
        let Some(whole) = assemble(&sse) else {
            skipped += 1;
            continue;
        };
        let provider_api = recorded.provider_api.as_str();
        let model = recorded.model();
        let protocol = protocol_for(provider_api);
        let parts = PartsManager::new(model, &ModelRequestParameters::default())
            .with_provider(declared_host(provider_api).name().to_owned(), None);
        let (_, streamed, error) = replay_stream(protocol.clone(), split_sse(&sse), parts);
        if let Some(error) = error {
            failures.push(format!("{key}: the stream failed: {error}"));
            continue;
        }
        let parsed = protocol
            .parse_response(
                whole.to_string().as_bytes(),
                &mut ResponseContext::new(model, declared_host(provider_api).name()),
            )
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let parsed = comparable(serde_json::to_value(parsed).unwrap());
        checked += 1;
        let known = STREAM_WHOLE_DIFFERENCES
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, why)| *why);
        compare_stream_with_whole(key, &parsed, &comparable(streamed), known, &mut failures);
    }
    println!(
        "streamed vs whole: {} of {checked} equal ({skipped} not assembled: errors or content chunks)",
        checked - STREAM_WHOLE_DIFFERENCES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn openai_chat_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) = support::shared_fixtures("openai_chat_conformance") else {
        return;
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in oracle_entries(&fixtures, "openai-chat") {
        if !in_directories(&entry.cassette) {
            continue;
        }
        let it = Interaction {
            key: &entry.key,
            provider_api: entry.provider_api(),
            model_name: entry.model_name(),
            streaming: entry.streaming(),
            tools: recorded_tools(&entry.interaction["request"]),
            response: &entry.interaction["response"],
            oracle_stem: entry.stem.clone(),
        };
        check_interaction(
            &it,
            tallies.entry(directory(&entry.cassette)).or_default(),
            &mut failures,
        );
    }
    report(&tallies, &failures, OFFLINE_ACCEPTED);
}
