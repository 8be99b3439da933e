//! Conformance of the Gemini protocol with pydantic-ai, over the recorded Gemini API traffic in
//! `../shared/fixtures` (no HTTP: the recorded bodies go straight to the protocol).
//!
//! For every recorded interaction with `generativelanguage.googleapis.com` (the `gemini` wire;
//! Vertex AI's `aiplatform` ones are out of scope) that pydantic-ai's oracle covers:
//! * the response body is parsed (`parse_response`), or the recorded SSE body is decoded by the
//!   HTTP layer's SSE decoder and fed to `on_event`, and the `ModelResponse` is compared, as
//!   JSON, with the oracle's `.json`; stream events are compared with `.events.json`;
//! * the request body for the oracle's scenario (prompt `'x'`, the recorded tools, no settings)
//!   is built and compared with `.request.json`; with the built-in tools the recorded request
//!   enabled, what they put in the body (tool entries, `includeServerSideToolInvocations`,
//!   `imageConfig`) is compared with the recorded body's (`builtin request`);
//! * recorded error outcomes (HTTP statuses) are compared with the oracle's `.error.json`.
//!
//! Every difference accepted is listed in [`ACCEPTED`] with its reason; comparisons known to
//! differ are in [`KNOWN_DIFFERENCES`] (the test fails when one starts to pass). The counts per
//! directory are printed. A second test checks that each recorded stream gives the same
//! response as the whole response it amounts to.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::gemini::Gemini;
use llm_runtime::providers::{GoogleGla, Protocol, ResponseContext};
use llm_runtime::stream::PartsManager;
use llm_runtime::Error;
use serde_json::{Map, Value};
use support::conformance::{
    judge, our_request_body, print_tallies, replay_stream, Failure, Interaction, Known, Tally,
};
use support::gemini::{
    apply_accepted, check_builtin_request, recorded_tools, rename_keys, rename_provider,
    sse_events, without_builtin_parts, Accepted, USAGE_FIELDS_WE_LACK,
};
use support::recordings::{
    comparable, compare_stream_with_whole, diff, directory, normalise, oracle_entries, read_json,
    recorded_streams, response_body, status,
};

/// The protocol as the built-in host declares it, named by its provider.
fn protocol() -> Gemini {
    GoogleGla::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .expect("the built-in host with a key builds")
        .protocol()
        .clone()
}

const ACCEPTED: &[Accepted] = &[
    Accepted {
        aspect: "request",
        what: "`parameters_json_schema` spelled `parametersJsonSchema`",
        why: "pydantic-ai's google-genai SDK sends the proto field name, which the API also \
              reads (proto3 JSON takes both); we send the REST reference's spelling",
        apply: |oracle, _| rename_keys(oracle, "parameters_json_schema", "parametersJsonSchema"),
    },
    Accepted {
        aspect: "response",
        what: "usage fields input_text_tokens, output_reasoning_tokens, … (per-modality counts)",
        why: "pydantic-ai 2.33's RequestUsage has them (from genai-prices); our Usage keeps the \
              same per-modality counts in details (text_prompt_tokens, thoughts_tokens, …): \
              output_reasoning_tokens is checked equal to details.thoughts_tokens before removal",
        apply: |oracle, _| {
            if let Some(usage) = oracle.get_mut("usage").and_then(Value::as_object_mut) {
                if let Some(reasoning) = usage.get("output_reasoning_tokens").cloned() {
                    let thoughts = usage
                        .get("details")
                        .and_then(|d| d.get("thoughts_tokens"))
                        .cloned()
                        .unwrap_or(Value::from(0));
                    assert_eq!(reasoning, thoughts, "output_reasoning_tokens");
                }
                for field in USAGE_FIELDS_WE_LACK {
                    usage.remove(field);
                }
            }
        },
    },
    Accepted {
        aspect: "response",
        what: "provider_name, provider_url",
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
        aspect: "response",
        what: "parts' provider_name `google-gla` for pydantic-ai's `google`",
        why: "pydantic-ai 2.x renamed the Gemini API provider `google`; we keep its V1 name \
              `google-gla` (DESIGN: V1 names), `google` being its alias, and send signatures \
              back for parts marked with either",
        apply: |_, ours| rename_provider(ours, "google-gla", "google"),
    },
    Accepted {
        aspect: "events",
        what: "parts' provider_name `google-gla` for pydantic-ai's `google`",
        why: "as for the response",
        apply: |_, ours| rename_provider(ours, "google-gla", "google"),
    },
];

/// Comparisons known to differ, by oracle file stem and aspect, with the reason. They are
/// counted as failing; the test fails if one of them starts to pass (remove it then).
const KNOWN_DIFFERENCES: &[Known] = &[];

/// Whether our error is the HTTP error the oracle reports: the same status and the same body.
fn http_error_matches(expected: &Value, ours: Option<&Error>) -> bool {
    let Some(Error::Http { status, body, .. }) = ours else {
        return false;
    };
    let body_matches = match &expected["body"] {
        Value::String(text) => body == text,
        structured => serde_json::from_str::<Value>(body).is_ok_and(|ours| &ours == structured),
    };
    expected["exception"] == "ModelHTTPError"
        && expected["status_code"].as_u64() == Some(u64::from(*status))
        && body_matches
}

fn check_interaction(
    it: &Interaction<'_>,
    request: &Value,
    tally: &mut Tally,
    failures: &mut Vec<Failure>,
) {
    let protocol = protocol();
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
    let body = response_body(it.response);
    let recorded_status = status(it.response);

    // The request.
    if let Some(mut expected) = read_json(Path::new(&format!("{stem}.request.json"))) {
        let mut ours = our_request_body(
            &protocol,
            "google-gla",
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

    // What the recorded built-in tools put in the request.
    if let Some(outcome) = check_builtin_request(&protocol, "google-gla", it, request) {
        tally.record("builtin request", outcome.is_ok());
        if let Err(detail) = outcome {
            fail("builtin request", detail, false);
        }
    }

    // The outcome.
    let (ours_response, ours_events, ours_error) = if recorded_status >= 400 {
        // What the HTTP layer makes of an error status.
        let error = Error::http(recorded_status, it.model_name, &body, None);
        (None, None, Some(error))
    } else if it.streaming {
        let parts = PartsManager::new(it.model_name, &parameters).with_provider("google-gla", None);
        let (events, response, error) = replay_stream(protocol.clone(), sse_events(&body), parts);
        (Some(response), Some(events), error)
    } else {
        match protocol.parse_response(
            &body,
            &mut ResponseContext::new(it.model_name, "google-gla"),
        ) {
            Ok(response) => (Some(serde_json::to_value(response).unwrap()), None, None),
            Err(e) => (None, None, Some(e)),
        }
    };

    if let Some(expected) = read_json(Path::new(&format!("{stem}.error.json"))) {
        let ok = http_error_matches(&expected, ours_error.as_ref());
        tally.record("error", ok);
        if !ok {
            fail(
                "error",
                format!(
                    "{} error\n  oracle: {expected}\n  ours:   {ours_error:?}",
                    it.key
                ),
                false,
            );
        }
    } else if let Some(expected) = read_json(Path::new(&format!("{stem}.json"))) {
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
fn gemini_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) = support::shared_fixtures("gemini_conformance") else {
        return;
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in oracle_entries(&fixtures, "gemini") {
        let it = Interaction::new(&entry, recorded_tools(&entry.interaction["request"]));
        check_interaction(
            &it,
            &entry.interaction["request"],
            tallies.entry(directory(&entry.cassette)).or_default(),
            &mut failures,
        );
    }
    assert!(
        !tallies.is_empty(),
        "the oracle lists no Gemini API traffic"
    );
    print_tallies(&tallies);
    for accepted in ACCEPTED {
        println!(
            "accepted ({}): {} -- {}",
            accepted.aspect, accepted.what, accepted.why
        );
    }
    // A response known to differ by its builtin-tool parts must differ by them only.
    judge(&failures, KNOWN_DIFFERENCES, None);
}

/// Assembles the whole `GenerateContentResponse` a recorded stream amounts to: consecutive text
/// (or thought) parts joined into one, keeping the last signature; function calls as they
/// came; the first model version, the last response id, finish reason and safety ratings; the
/// usage snapshots merged key by key. `None` when the stream reports an error.
fn assemble(body: &[u8]) -> Option<Value> {
    let mut top = Map::new();
    let mut usage = Map::new();
    let mut parts: Vec<Value> = Vec::new();
    let mut candidate = Map::new();
    for (_, data) in sse_events(body) {
        let chunk: Value = serde_json::from_str(&data).ok()?;
        if chunk.get("error").is_some() {
            return None;
        }
        if let Some(version) = chunk.get("modelVersion") {
            top.entry("modelVersion").or_insert_with(|| version.clone());
        }
        for key in ["responseId", "promptFeedback"] {
            if let Some(value) = chunk.get(key) {
                top.insert(key.into(), value.clone());
            }
        }
        if let Some(Value::Object(snapshot)) = chunk.get("usageMetadata") {
            usage.extend(snapshot.clone());
        }
        let Some(first) = chunk.pointer("/candidates/0") else {
            continue;
        };
        for key in ["finishReason", "safetyRatings", "groundingMetadata"] {
            if let Some(value) = first.get(key) {
                candidate.insert(key.into(), value.clone());
            }
        }
        if let Some(value) = first.get("urlContextMetadata") {
            candidate
                .entry("urlContextMetadata")
                .or_insert_with(|| value.clone());
        }
        for part in first
            .pointer("/content/parts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(text) = part.get("text").and_then(Value::as_str) else {
                parts.push(part.clone());
                continue;
            };
            let signature = part.get("thoughtSignature");
            if text.is_empty() && signature.is_none() {
                continue;
            }
            let thought = part.get("thought") == Some(&Value::Bool(true));
            match parts.last_mut() {
                Some(last)
                    if last.get("text").is_some()
                        && (last.get("thought") == Some(&Value::Bool(true))) == thought =>
                {
                    let joined = format!("{}{text}", last["text"].as_str().unwrap_or_default());
                    last["text"] = Value::String(joined);
                    if let Some(signature) = signature {
                        last["thoughtSignature"] = signature.clone();
                    }
                }
                _ => parts.push(part.clone()),
            }
        }
    }
    // pydantic-ai does not stream search grounding (Google sends it after the text it
    // grounds): the whole response the stream amounts to has none.
    if let Some(Value::Object(grounding)) = candidate.get_mut("groundingMetadata") {
        grounding.remove("webSearchQueries");
    }
    candidate.insert(
        "content".into(),
        serde_json::json!({"role": "model", "parts": parts}),
    );
    top.insert(
        "candidates".into(),
        Value::Array(vec![Value::Object(candidate)]),
    );
    if !usage.is_empty() {
        top.insert("usageMetadata".into(), Value::Object(usage));
    }
    Some(Value::Object(top))
}

/// Recorded streams whose response differs from the whole response they amount to, by a
/// documented pydantic-ai behaviour we keep.
const STREAMED_UNLIKE_WHOLE: &[(&str, &str)] = &[(
    "test_google/test_google_model_file_search_tool_stream.3",
    "pydantic-ai reads a whole response's file search from its grounding metadata (a call \
     without arguments and the retrieved contexts, before the parts), but a stream's from the \
     code the model runs (a `file_search` call with its query when the request enabled file \
     search, else `code_execution`) and the contexts after the text; this stream's request \
     did not enable it, so it has the code's call and no results",
)];

/// The same recorded answer gives the same response streamed and whole: every streamed
/// recording of the Gemini API is assembled into the whole response it amounts to and parsed.
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
    for recorded in recorded_streams(&fixtures, "gemini", |_| true) {
        let key = &recorded.key;
        let body = recorded.body();
        let uri = recorded.interaction["request"]["uri"]
            .as_str()
            .unwrap_or_default();
        if !uri.starts_with("https://generativelanguage.googleapis.com/") {
            // Vertex AI (`aiplatform.googleapis.com`) is out of scope.
            continue;
        }
        let model = uri
            .split("/models/")
            .nth(1)
            .and_then(|rest| rest.split(':').next())
            .unwrap_or("model");
        let Some(whole) = assemble(&body) else {
            skipped += 1;
            continue;
        };
        let parts = PartsManager::new(model, &ModelRequestParameters::default())
            .with_provider("google-gla", None);
        let (_, streamed, error) = replay_stream(protocol(), sse_events(&body), parts);
        if let Some(error) = error {
            failures.push(format!("{key}: the stream failed: {error}"));
            continue;
        }
        let parsed = protocol()
            .parse_response(
                whole.to_string().as_bytes(),
                &mut ResponseContext::new(model, "google-gla"),
            )
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let parsed = comparable(serde_json::to_value(parsed).unwrap());
        checked += 1;
        let known = STREAMED_UNLIKE_WHOLE
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, why)| *why);
        compare_stream_with_whole(key, &parsed, &comparable(streamed), known, &mut failures);
    }
    println!(
        "streamed vs whole: {} of {checked} equal ({skipped} not assembled: errors)",
        checked - failures.len()
    );
    assert!(checked > 0, "no recorded Gemini stream was checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
