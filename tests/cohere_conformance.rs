//! Conformance of Cohere's v2 Chat protocol with pydantic-ai, over the recorded Cohere traffic
//! in `../shared/fixtures` (no HTTP: the recorded bodies go straight to the protocol).
//!
//! For every recorded `cohere` interaction that pydantic-ai's oracle covers (`test_cohere` and
//! the Cohere cases of `test_tool_choice_matrix`; all are whole responses, pydantic-ai does not
//! stream Cohere):
//! * the response body is parsed (`parse_response`) and the `ModelResponse` is compared, as
//!   JSON, with the oracle's `.json`;
//! * the request body for the oracle's scenario (prompt `'x'`, the recorded function tools, no
//!   settings) is built and compared with `.request.json`.
//!
//! Every difference accepted is listed in [`ACCEPTED`] with its reason (each checks what it
//! removes); everything else must be equal. The tally is printed as a table and its passing
//! counts are asserted as floors. A second test streams each recorded response as Cohere
//! streams one (the events made from the body, per the documented stream format) and checks
//! that the stream gives the same response as the whole body.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::cohere::CohereChat;
use llm_runtime::providers::{Cohere, Protocol, ResponseContext};
use llm_runtime::stream::PartsManager;
use llm_runtime::tools::ToolDefinition;
use serde_json::{json, Value};
use support::conformance::{our_request_body, replay_stream, Failure, Interaction, Tally};
use support::recordings::{
    comparable, compare_stream_with_whole, diff, directory, normalise, oracle_entries, read_json,
    response_body,
};

/// The protocol as the built-in host declares it.
fn protocol() -> CohereChat {
    Cohere::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .expect("the built-in host with a key builds")
        .protocol()
        .clone()
}

/// A difference from the oracle accepted on purpose.
struct Accepted {
    /// What is compared: `response` or `request`.
    aspect: &'static str,
    /// The difference.
    what: &'static str,
    /// Why it is accepted.
    why: &'static str,
    /// Removes the difference from both sides (oracle, ours), given the recorded body;
    /// asserts what it removes is what the reason says.
    apply: fn(&mut Value, &mut Value, &Value),
}

const ACCEPTED: &[Accepted] = &[
    Accepted {
        aspect: "response",
        what: "provider_name, provider_url",
        why: "filled from the provider object (the #[provider] layer), not by the protocol; the \
              wire suite (tests/cohere.rs) checks the name",
        apply: |oracle, ours, _| {
            for key in ["provider_name", "provider_url"] {
                if let (Some(o), Some(ours)) = (oracle.get(key).cloned(), ours.as_object_mut()) {
                    ours.insert(key.to_owned(), o);
                }
            }
        },
    },
    Accepted {
        aspect: "response",
        what: "provider_response_id: the body's `id` (pydantic-ai leaves it null)",
        why: "pydantic-ai's CohereModel does not read the response id; we keep it, as every \
              other protocol here does (checked equal to the recorded `id`)",
        apply: |oracle, ours, body| {
            assert_eq!(
                ours["provider_response_id"], body["id"],
                "provider_response_id"
            );
            ours["provider_response_id"] = oracle["provider_response_id"].clone();
        },
    },
    Accepted {
        aspect: "response",
        what: "a thinking part marked `tool_plan` first (pydantic-ai drops the tool plan)",
        why: "the tool plan is the model's reasoning before its tool calls; we keep it so that \
              it goes back as `tool_plan` with the calls, as Cohere's docs ask (checked equal \
              to the recorded `message.tool_plan`)",
        apply: |_, ours, body| {
            let Some(parts) = ours.get_mut("parts").and_then(Value::as_array_mut) else {
                return;
            };
            if parts.first().and_then(|p| p.get("id")) == Some(&json!("tool_plan")) {
                let plan = parts.remove(0);
                assert_eq!(plan["content"], body["message"]["tool_plan"], "tool plan");
                assert_eq!(plan["part_kind"], "thinking");
            }
        },
    },
];

/// The function tools of a recorded Cohere request (`final_result*` output tools are not
/// sent for the oracle's text output scenario, as pydantic-ai's prepare step drops them).
fn recorded_tools(request: &Value) -> Vec<ToolDefinition> {
    request
        .pointer("/parsed_body/tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|tool| tool.get("function"))
        .filter_map(|function| {
            let name = function.get("name")?.as_str()?;
            if name.starts_with("final_result") {
                return None;
            }
            let mut def = ToolDefinition::new(name);
            def.description = function
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let Some(schema) = function.get("parameters") {
                def.parameters_json_schema = schema.clone();
            }
            Some(def)
        })
        .collect()
}

fn apply_accepted(aspect: &str, oracle: &mut Value, ours: &mut Value, body: &Value) {
    for accepted in ACCEPTED {
        if accepted.aspect == aspect {
            (accepted.apply)(oracle, ours, body);
        }
    }
}

fn check_interaction(it: &Interaction<'_>, tally: &mut Tally, failures: &mut Vec<Failure>) {
    let protocol = protocol();
    let parameters = ModelRequestParameters {
        function_tools: it.tools.clone(),
        allow_text_output: true,
        ..Default::default()
    };
    let stem = it.oracle_stem.display().to_string();
    let body = response_body(it.response);
    let recorded: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);

    // The request.
    if let Some(mut expected) = read_json(Path::new(&format!("{stem}.request.json"))) {
        let mut ours = our_request_body(
            &protocol,
            "cohere",
            it.model_name,
            &parameters,
            it.streaming,
        );
        apply_accepted("request", &mut expected, &mut ours, &recorded);
        let ok = expected == ours;
        tally.record("request", ok);
        if !ok {
            failures.push(Failure::new(
                it.key,
                "request",
                diff(&format!("{} request", it.key), &expected, &ours),
            ));
        }
    }

    // The response.
    let Some(expected) = read_json(Path::new(&format!("{stem}.json"))) else {
        return;
    };
    let mut expected = expected
        .as_array()
        .and_then(|a| a.first())
        .cloned()
        .unwrap();
    let ok =
        match protocol.parse_response(&body, &mut ResponseContext::new(it.model_name, "cohere")) {
            Ok(response) => {
                let mut ours = serde_json::to_value(response).unwrap();
                normalise(&mut ours);
                apply_accepted("response", &mut expected, &mut ours, &recorded);
                let ok = expected == ours;
                if !ok {
                    failures.push(Failure::new(
                        it.key,
                        "response",
                        diff(&format!("{} response", it.key), &expected, &ours),
                    ));
                }
                ok
            }
            Err(e) => {
                failures.push(Failure::new(
                    it.key,
                    "response",
                    format!("{} response: error {e}", it.key),
                ));
                false
            }
        };
    tally.record("response", ok);
}

/// The least number of equal comparisons per directory and aspect: a regression fails.
const FLOORS: &[(&str, &str, usize)] = &[
    ("test_cohere", "request", 4),
    ("test_cohere", "response", 4),
    ("test_tool_choice_matrix", "request", 8),
    ("test_tool_choice_matrix", "response", 8),
];

#[test]
fn cohere_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) = support::shared_fixtures("cohere_conformance") else {
        return;
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in oracle_entries(&fixtures, "cohere") {
        let it = Interaction::new(&entry, recorded_tools(&entry.interaction["request"]));
        check_interaction(
            &it,
            tallies.entry(directory(&entry.cassette)).or_default(),
            &mut failures,
        );
    }
    println!("| directory | aspect | recorded | passing | why not |");
    println!("|---|---|---:|---:|---|");
    for (dir, tally) in &tallies {
        for (aspect, (ok, total)) in &tally.checked {
            let why: Vec<&str> = failures
                .iter()
                .filter(|f| f.aspect == *aspect && f.stem.starts_with(dir.as_str()))
                .map(|f| f.stem.as_str())
                .collect();
            let why = if why.is_empty() {
                "-".to_owned()
            } else {
                why.join(", ")
            };
            println!("| {dir} | {aspect} | {total} | {ok} | {why} |");
        }
    }
    for accepted in ACCEPTED {
        println!(
            "accepted ({}): {} -- {}",
            accepted.aspect, accepted.what, accepted.why
        );
    }
    for failure in &failures {
        println!("{}\n", failure.detail);
    }
    for (dir, aspect, floor) in FLOORS {
        let passing = tallies
            .get(*dir)
            .and_then(|t| t.checked.get(aspect))
            .map_or(0, |(ok, _)| *ok);
        assert!(
            passing >= *floor,
            "{dir} {aspect}: {passing} equal, fewer than the floor {floor}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} comparisons differ from pydantic-ai",
        failures.len()
    );
}

/// The stream events Cohere sends for a whole response `body` (per
/// <https://docs.cohere.com/v2/docs/streaming>): `message-start`, the tool plan, each content
/// item and tool call in order (the arguments cut in two deltas), then `message-end`.
fn stream_of(body: &Value) -> Vec<(String, String)> {
    let mut events = vec![json!({"type": "message-start", "id": body["id"],
        "delta": {"message": {"role": "assistant"}}})];
    let message = &body["message"];
    if let Some(plan) = message["tool_plan"].as_str() {
        let cut = plan
            .char_indices()
            .nth(plan.chars().count() / 2)
            .map_or(0, |(at, _)| at);
        for piece in [&plan[..cut], &plan[cut..]] {
            events.push(json!({"type": "tool-plan-delta",
                               "delta": {"message": {"tool_plan": piece}}}));
        }
    }
    for (index, item) in message["content"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let kind = item["type"].as_str().unwrap_or("text");
        let text = item[kind].as_str().unwrap_or_default();
        events.push(json!({"type": "content-start", "index": index,
            "delta": {"message": {"content": {"type": kind, kind: ""}}}}));
        for piece in text.split_inclusive(' ') {
            events.push(json!({"type": "content-delta", "index": index,
                "delta": {"message": {"content": {kind: piece}}}}));
        }
        events.push(json!({"type": "content-end", "index": index}));
    }
    for (index, call) in message["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let arguments = call["function"]["arguments"].as_str().unwrap_or_default();
        let cut = arguments.len() / 2;
        let (first, rest) = arguments.split_at(if arguments.is_char_boundary(cut) {
            cut
        } else {
            0
        });
        events.push(json!({"type": "tool-call-start", "index": index,
            "delta": {"message": {"tool_calls": {"id": call["id"], "type": "function",
                "function": {"name": call["function"]["name"], "arguments": first}}}}}));
        events.push(json!({"type": "tool-call-delta", "index": index,
            "delta": {"message": {"tool_calls": {"function": {"arguments": rest}}}}}));
        events.push(json!({"type": "tool-call-end", "index": index}));
    }
    events.push(json!({"type": "message-end",
        "delta": {"finish_reason": body["finish_reason"], "usage": body["usage"]}}));
    events
        .into_iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().to_owned(),
                e.to_string(),
            )
        })
        .collect()
}

/// The same recorded answer gives the same response streamed and whole: every recorded Cohere
/// response is streamed as Cohere streams it and compared with its parse.
#[test]
fn recorded_responses_streamed_equal_their_whole_parse() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_responses_streamed_equal_their_whole_parse")
    else {
        return;
    };
    let protocol = protocol();
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in oracle_entries(&fixtures, "cohere") {
        let body = response_body(&entry.interaction["response"]);
        let recorded: Value = serde_json::from_slice(&body).unwrap();
        let model = entry.model_name();
        let whole = protocol
            .parse_response(&body, &mut ResponseContext::new(model, "cohere"))
            .unwrap_or_else(|e| panic!("{}: {e}", entry.key));
        let parts = PartsManager::new(model, &ModelRequestParameters::default())
            .with_provider("cohere", None);
        let (_, streamed, error) = replay_stream(protocol.clone(), stream_of(&recorded), parts);
        if let Some(error) = error {
            failures.push(format!("{}: the stream failed: {error}", entry.key));
            continue;
        }
        checked += 1;
        let whole = comparable(serde_json::to_value(whole).unwrap());
        compare_stream_with_whole(
            &entry.key,
            &whole,
            &comparable(streamed),
            None,
            &mut failures,
        );
    }
    println!(
        "streamed vs whole: {} of {checked} equal",
        checked - failures.len()
    );
    assert!(
        checked >= 12,
        "only {checked} recorded Cohere responses were streamed"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
