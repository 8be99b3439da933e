//! Conformance of the Anthropic Messages protocol with pydantic-ai, over the recorded traffic
//! in `../shared/fixtures` (no HTTP: the recorded bodies go straight to the protocol).
//!
//! For every recorded `anthropic` interaction that pydantic-ai's oracle covers (most are in
//! `test_anthropic`; a few in `test_tool_choice_matrix`, `model_name_suggestions` and the
//! cross-provider history tests of other directories):
//! * the response body is parsed (`parse_response`), or the recorded SSE text is split into
//!   events and fed to `on_event`, and the `ModelResponse` is compared, as JSON, with the
//!   oracle's `.json`; stream events are compared with `.events.json`;
//! * the request body for the oracle's scenario (prompt `'x'`, the recorded function tools, no
//!   settings) is built and compared with `.request.json`;
//! * recorded error statuses are compared with the oracle's `.error.json`.
//!
//! Every difference accepted is listed in [`OFFLINE_ACCEPTED`] with its reason; comparisons
//! known to differ are in `support::anthropic::KNOWN_DIFFERENCES` (the test fails if one starts
//! to pass), and for those the rest of the response (or stream) is compared with the parts the
//! message model lacks removed; everything else must be equal. The counts per directory are
//! printed. `anthropic_wire_conformance.rs` replays the same traffic over HTTP.

mod support;

use std::collections::BTreeMap;

use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::{Protocol, ResponseContext};
use llm_runtime::stream::PartsManager;
use llm_runtime::Error;
use support::anthropic::{
    assemble, check_outcome, check_request, protocol, recorded_builtin_tools, recorded_tools,
    report, Accepted,
};
use support::conformance::{our_request_body, replay_stream, Failure, Interaction, Tally};
use support::recordings::{
    comparable, compare_stream_with_whole, directory, oracle_entries, recorded_streams,
    response_body, split_sse, status,
};

/// Differences accepted in this suite (the wire suite checks these fields).
const OFFLINE_ACCEPTED: &[Accepted] = &[Accepted {
    aspect: "response",
    what: "provider_name, provider_url",
    why: "filled from the provider object (the #[provider] layer), not by the protocol; the \
          wire suite checks the name",
    apply: |oracle, ours| {
        for key in ["provider_name", "provider_url"] {
            if let (Some(o), Some(ours)) = (oracle.get(key).cloned(), ours.as_object_mut()) {
                ours.insert(key.to_owned(), o);
            }
        }
    },
}];

fn check_interaction(it: &Interaction<'_>, tally: &mut Tally, failures: &mut Vec<Failure>) {
    let protocol = protocol();
    let parameters = ModelRequestParameters {
        function_tools: it.tools.clone(),
        ..Default::default()
    };
    let stem = it.oracle_stem.display().to_string();
    // The request.
    let ours = our_request_body(
        &protocol,
        "anthropic",
        it.model_name,
        &parameters,
        it.streaming,
    );
    check_request(it.key, &stem, ours, tally, failures);

    // The outcome.
    let body = response_body(it.response);
    let recorded_status = status(it.response);
    let (ours_response, ours_events, ours_error) = if recorded_status >= 400 {
        // What the HTTP layer makes of an error status.
        let error = Error::http(recorded_status, it.model_name, &body, None);
        (None, None, Some(error))
    } else if it.streaming {
        let parts = PartsManager::new(it.model_name, &parameters);
        let (events, response, error) = replay_stream(
            protocol.clone(),
            split_sse(std::str::from_utf8(&body).unwrap()),
            parts,
        );
        (Some(response), Some(events), error)
    } else {
        match protocol.parse_response(&body, &mut ResponseContext::new(it.model_name, "anthropic"))
        {
            Ok(response) => (Some(serde_json::to_value(response).unwrap()), None, None),
            Err(e) => (None, None, Some(e)),
        }
    };
    check_outcome(
        it.key,
        &stem,
        ours_response,
        ours_events,
        ours_error.as_ref(),
        OFFLINE_ACCEPTED,
        tally,
        failures,
    );
}

/// The same recorded answer gives the same response streamed and whole: every streamed
/// `anthropic` recording is assembled into the whole message it amounts to and parsed.
#[test]
fn recorded_streams_equal_their_assembled_whole_messages() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_streams_equal_their_assembled_whole_messages")
    else {
        return;
    };
    let protocol = protocol();
    let mut checked = 0;
    let mut failures = Vec::new();
    for recorded in recorded_streams(&fixtures, "anthropic", |_| true) {
        let key = &recorded.key;
        let body = recorded.body();
        let Some(whole) = assemble(&String::from_utf8(body.clone()).unwrap()) else {
            failures.push(format!("{key}: the recorded stream cannot be assembled"));
            continue;
        };
        let model = recorded.model();
        // With the built-in tools the recorded request enabled, as a user's request would.
        let builtin_tools = recorded_builtin_tools(&recorded.interaction["request"]);
        let parameters = ModelRequestParameters {
            builtin_tools: builtin_tools.clone(),
            ..Default::default()
        };
        let parts = PartsManager::new(model, &parameters).with_provider("anthropic", None);
        let (_, streamed, error) = replay_stream(
            protocol.clone(),
            split_sse(std::str::from_utf8(&body).unwrap()),
            parts,
        );
        if let Some(error) = error {
            failures.push(format!("{key}: the stream failed: {error}"));
            continue;
        }
        let parsed = protocol
            .parse_response(
                whole.to_string().as_bytes(),
                &mut ResponseContext::new(model, "anthropic").with_builtin_tools(&builtin_tools),
            )
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let parsed = comparable(serde_json::to_value(parsed).unwrap());
        checked += 1;
        compare_stream_with_whole(key, &parsed, &comparable(streamed), None, &mut failures);
    }
    println!(
        "streamed vs whole: {} of {checked} equal",
        checked - failures.len()
    );
    assert!(checked > 0, "no streamed anthropic recording");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn anthropic_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) = support::shared_fixtures("anthropic_conformance") else {
        return;
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in oracle_entries(&fixtures, "anthropic") {
        let it = Interaction::new(&entry, recorded_tools(&entry.interaction["request"]));
        check_interaction(
            &it,
            tallies.entry(directory(&entry.cassette)).or_default(),
            &mut failures,
        );
    }
    report(&tallies, &failures, OFFLINE_ACCEPTED);
}
