//! Conformance of Gemini on Vertex AI ([`VertexGemini`]) with pydantic-ai, over the recorded
//! Vertex traffic in `../shared/fixtures` (no HTTP: the recorded bodies go straight to the
//! protocol): the `google-vertex` interactions of `test_google`, whose oracle entries carry
//! the wire `gemini-vertex` (pydantic-ai 2.x's `GoogleModel` with `GoogleCloudProvider`).
//!
//! For each: the request path (the recorded URL's, after the host, `/v1beta1/projects/…/
//! locations/…/`), the request body for the oracle's scenario (prompt `'x'`, the recorded
//! tools, no settings) against `.request.json`, what the built-in tools the recorded request
//! enabled put in the body against the recorded body (`builtin request`), the parsed response
//! against `.json`, and the stream events against `.events.json`. Accepted differences are listed in [`ACCEPTED`] with
//! their reasons, known ones in [`KNOWN_DIFFERENCES`]; the tallies are printed per directory.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::vertex::VertexGemini;
use llm_runtime::providers::{Protocol, ResponseContext};
use llm_runtime::stream::PartsManager;
use serde_json::Value;
use support::conformance::{
    judge, our_request_body, print_tallies, replay_stream, Failure, Interaction, Known, Tally,
};
use support::gemini::{
    apply_accepted, check_builtin_request, recorded_tools, rename_keys, rename_provider,
    sse_events, without_builtin_parts, Accepted, USAGE_FIELDS_WE_LACK,
};
use support::recordings::{
    diff, directory, normalise, oracle_entries, read_json, response_body, status,
};

const PROVIDER: &str = "google-vertex";

const ACCEPTED: &[Accepted] = &[
    Accepted {
        aspect: "request",
        what: "`parameters_json_schema` spelled `parametersJsonSchema`",
        why: "as for the Gemini API: google-genai sends the proto field name, which the API \
              also reads; we send the REST reference's spelling",
        apply: |oracle, _| rename_keys(oracle, "parameters_json_schema", "parametersJsonSchema"),
    },
    Accepted {
        aspect: "response",
        what: "usage fields input_text_tokens, output_reasoning_tokens, … (per-modality counts)",
        why: "as for the Gemini API: our Usage keeps them in details",
        apply: |oracle, _| {
            if let Some(usage) = oracle.get_mut("usage").and_then(Value::as_object_mut) {
                for field in USAGE_FIELDS_WE_LACK {
                    usage.remove(field);
                }
            }
        },
    },
    Accepted {
        aspect: "response",
        what: "provider_name, provider_url",
        why: "filled from the provider object (the driver), not by the protocol",
        apply: |oracle, ours| {
            for key in ["provider_name", "provider_url"] {
                if let (Some(o), Some(ours)) = (oracle.get(key).cloned(), ours.as_object_mut()) {
                    ours.insert(key.to_owned(), o);
                }
            }
        },
    },
    Accepted {
        aspect: "response",
        what: "parts' provider_name `google-vertex` for pydantic-ai's `google-cloud`",
        why: "pydantic-ai 2.x renamed the provider `google-cloud`; we keep its V1 name and our \
              prefix `google-vertex` (DESIGN: V1 names)",
        apply: |_, ours| rename_provider(ours, PROVIDER, "google-cloud"),
    },
    Accepted {
        aspect: "events",
        what: "parts' provider_name `google-vertex` for pydantic-ai's `google-cloud`",
        why: "as for the response",
        apply: |_, ours| rename_provider(ours, PROVIDER, "google-cloud"),
    },
];

/// Comparisons known to differ, by oracle file stem and aspect, with the reason.
const KNOWN_DIFFERENCES: &[Known] = &[];

/// The path of the recorded URL from `publishers/` on, as our endpoint gives it.
fn recorded_path(entry: &Value) -> Option<String> {
    let url = entry["sent_url"].as_str()?;
    let (_, path) = url.split_once("/publishers/")?;
    Some(format!("publishers/{path}"))
}

fn check_interaction(
    it: &Interaction<'_>,
    entry: &Value,
    request: &Value,
    tally: &mut Tally,
    failures: &mut Vec<Failure>,
) {
    let protocol = VertexGemini::default();
    let parameters = ModelRequestParameters {
        function_tools: it.tools.clone(),
        ..Default::default()
    };
    let stem = it.oracle_stem.display().to_string();
    let mut fail = |aspect: &'static str, detail: String, equal_without_builtin_parts: bool| {
        failures.push(Failure {
            equal_without_builtin_parts,
            ..Failure::new(it.key, aspect, detail)
        });
    };

    if let Some(expected) = recorded_path(entry) {
        let ours = protocol.endpoint(it.model_name, it.streaming);
        let ok = ours == expected;
        tally.record("path", ok);
        if !ok {
            fail("path", format!("{}: {expected} vs {ours}", it.key), false);
        }
    }

    if let Some(mut expected) = read_json(Path::new(&format!("{stem}.request.json"))) {
        let mut ours = our_request_body(
            &protocol,
            PROVIDER,
            it.model_name,
            &parameters,
            it.streaming,
        );
        apply_accepted(ACCEPTED, "request", &mut expected, &mut ours);
        let ok = expected == ours;
        tally.record("request", ok);
        if !ok {
            fail(
                "request",
                diff(&format!("{} request", it.key), &expected, &ours),
                false,
            );
        }
    }

    if let Some(outcome) = check_builtin_request(&protocol, PROVIDER, it, request) {
        tally.record("builtin request", outcome.is_ok());
        if let Err(detail) = outcome {
            fail("builtin request", detail, false);
        }
    }

    let body = response_body(it.response);
    assert!(
        status(it.response) < 400,
        "{}: no error outcome is recorded",
        it.key
    );
    let (ours_response, ours_events, ours_error) = if it.streaming {
        let parts = PartsManager::new(it.model_name, &parameters).with_provider(PROVIDER, None);
        let (events, response, error) = replay_stream(protocol.clone(), sse_events(&body), parts);
        (Some(response), Some(events), error)
    } else {
        match protocol.parse_response(&body, &mut ResponseContext::new(it.model_name, PROVIDER)) {
            Ok(response) => (Some(serde_json::to_value(response).unwrap()), None, None),
            Err(e) => (None, None, Some(e)),
        }
    };

    if let Some(expected) = read_json(Path::new(&format!("{stem}.json"))) {
        let mut expected = expected
            .as_array()
            .and_then(|a| a.first())
            .cloned()
            .unwrap();
        match ours_response {
            Some(mut ours) if ours_error.is_none() => {
                normalise(&mut ours);
                apply_accepted(ACCEPTED, "response", &mut expected, &mut ours);
                let ok = expected == ours;
                tally.record("response", ok);
                if !ok {
                    fail(
                        "response",
                        diff(&format!("{} response", it.key), &expected, &ours),
                        without_builtin_parts(&expected) == ours,
                    );
                }
            }
            _ => {
                tally.record("response", false);
                fail(
                    "response",
                    format!("{} response: error {ours_error:?}", it.key),
                    false,
                );
            }
        }
    }
    if let (Some(mut expected), Some(ours)) = (
        read_json(Path::new(&format!("{stem}.events.json"))),
        ours_events,
    ) {
        let mut ours = Value::Array(ours);
        normalise(&mut ours);
        apply_accepted(ACCEPTED, "events", &mut expected, &mut ours);
        let ok = expected == ours;
        tally.record("events", ok);
        if !ok {
            fail(
                "events",
                diff(&format!("{} events", it.key), &expected, &ours),
                false,
            );
        }
    }
}

#[test]
fn gemini_on_vertex_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) = support::shared_fixtures("vertex_conformance") else {
        return;
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in oracle_entries(&fixtures, "gemini-vertex") {
        let it = Interaction::new(&entry, recorded_tools(&entry.interaction["request"]));
        check_interaction(
            &it,
            &entry.entry,
            &entry.interaction["request"],
            tallies.entry(directory(&entry.cassette)).or_default(),
            &mut failures,
        );
    }
    assert!(!tallies.is_empty(), "the oracle lists no Vertex traffic");
    print_tallies(&tallies);
    for accepted in ACCEPTED {
        println!(
            "accepted ({}): {} -- {}",
            accepted.aspect, accepted.what, accepted.why
        );
    }
    judge(&failures, KNOWN_DIFFERENCES, None);
}
