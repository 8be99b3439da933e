//! The Anthropic-specific part of the conformance suites over `../shared/fixtures`: the
//! protocol as the `anthropic` host declares it, the recorded function tools, the differences
//! from pydantic-ai's oracle accepted or known (with their reasons), the comparison of an
//! outcome with the oracle, and the report. Shared by the offline suite
//! (`anthropic_conformance.rs`) and the wire suite (`anthropic_wire_conformance.rs`).

use std::collections::BTreeMap;
use std::path::Path;

use llm_runtime::models::{
    AdvisorTool, BuiltinTool, CodeExecutionTool, MCPServerTool, WebFetchTool, WebSearchTool,
};
use llm_runtime::providers::anthropic::AnthropicMessages;
use llm_runtime::providers::Anthropic;
use llm_runtime::tools::ToolDefinition;
use llm_runtime::Error;
use serde_json::{Map, Value};

use super::conformance::{judge, print_tallies, Failure, Known, Tally};
use super::recordings::{diff, normalise, read_json, split_sse};

/// The protocol as the built-in `anthropic` host declares it (and names it).
pub fn protocol() -> AnthropicMessages {
    Anthropic::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .expect("the anthropic host builds with a key")
        .protocol()
        .clone()
}

/// A difference from the oracle accepted on purpose.
pub struct Accepted {
    /// What is compared: `response`, `events` or `request`.
    pub aspect: &'static str,
    /// The difference.
    pub what: &'static str,
    /// Why it is accepted.
    pub why: &'static str,
    /// Removes the difference from both sides (oracle, ours).
    pub apply: fn(&mut Value, &mut Value),
}

/// Differences accepted in both suites.
pub const ACCEPTED: &[Accepted] = &[
    Accepted {
        aspect: "response",
        what: "null fields inside a built-in tool's return",
        why: BUILTIN_CONTENT,
        apply: |oracle, ours| {
            without_nulls_in_returns(oracle);
            without_nulls_in_returns(ours);
        },
    },
    Accepted {
        aspect: "events",
        what: "null fields inside a built-in tool's return",
        why: BUILTIN_CONTENT,
        apply: |oracle, ours| {
            without_nulls_in_returns(oracle);
            without_nulls_in_returns(ours);
        },
    },
    Accepted {
        aspect: "response",
        what: "a streamed MCP call's arguments as an object",
        why: STREAMED_ARGS,
        apply: |oracle, _| args_as_objects(oracle),
    },
    Accepted {
        aspect: "events",
        what: "a streamed MCP call's arguments as an object at its end",
        why: STREAMED_ARGS,
        apply: |oracle, _| args_as_objects(oracle),
    },
];

const BUILTIN_CONTENT: &str = "pydantic-ai stores a server tool's result as the Anthropic SDK's \
    model dumps it, with `null` for the fields the API did not send (a text block's `citations`); \
    we keep the result as the API sent it, which goes back to the API unchanged";
const STREAMED_ARGS: &str = "pydantic-ai ends a streamed MCP call with its arguments as the JSON \
    text it accumulated, while the whole response has them as an object; we end the stream with \
    the object too, so that a streamed response equals the whole one (as for function tool calls)";

/// Removes every `null` field inside the content of the built-in tool returns of a response,
/// or of the parts of its stream events.
fn without_nulls_in_returns(value: &mut Value) {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|_, v| !v.is_null());
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut visit = |part: &mut Value| {
        if part["part_kind"] == "builtin-tool-return" {
            if let Some(content) = part.get_mut("content") {
                strip(content);
            }
        }
    };
    match value {
        Value::Array(events) => events
            .iter_mut()
            .filter_map(|e| e.get_mut("part"))
            .for_each(&mut visit),
        Value::Object(_) => {
            if let Some(Value::Array(parts)) = value.get_mut("parts") {
                parts.iter_mut().for_each(visit);
            }
        }
        _ => {}
    }
}

/// The oracle's built-in tool calls with JSON text arguments given as the object they spell,
/// in a response's parts or in the parts of `part_end` events.
fn args_as_objects(value: &mut Value) {
    let fix = |part: &mut Value| {
        if part["part_kind"] != "builtin-tool-call" {
            return;
        }
        if let Some(text) = part["args"].as_str() {
            if let Ok(object @ Value::Object(_)) = serde_json::from_str::<Value>(text) {
                part["args"] = object;
            }
        }
    };
    match value {
        Value::Array(events) => events
            .iter_mut()
            .filter(|e| e["event_kind"] == "part_end")
            .filter_map(|e| e.get_mut("part"))
            .for_each(fix),
        Value::Object(_) => {
            if let Some(Value::Array(parts)) = value.get_mut("parts") {
                parts.iter_mut().for_each(fix);
            }
        }
        _ => {}
    }
}

/// Comparisons known to differ, by oracle file stem and aspect, with the reason. They are
/// counted as failing; the test fails if one of them starts to pass (remove it then).
pub const KNOWN_DIFFERENCES: &[Known] = &[];

/// The function tools of a recorded request, as the oracle passed them: Anthropic's own tool
/// types (`web_search_…`, `code_execution_…`, with a `type`) are server tools, not function
/// tools, and `final_result*` output tools are not sent for the `text` output mode.
pub fn recorded_tools(request: &Value) -> Vec<ToolDefinition> {
    let mut tools = Vec::new();
    for tool in request
        .pointer("/parsed_body/tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if tool
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t != "custom")
        {
            continue;
        }
        let Some(name) = tool.get("name").and_then(Value::as_str) else {
            continue;
        };
        if name.starts_with("final_result") {
            continue;
        }
        let mut def = ToolDefinition::new(name);
        def.description = tool
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(schema) = tool.get("input_schema").filter(|s| !s.is_null()) {
            def.parameters_json_schema = schema.clone();
        }
        def.strict = tool.get("strict").and_then(Value::as_bool);
        tools.push(def);
    }
    tools
}

/// The built-in tools a recorded request enabled: its server tools (`web_search_…`,
/// `code_execution_…`, `web_fetch_…`, `advisor_…`) and its MCP servers.
pub fn recorded_builtin_tools(request: &Value) -> Vec<BuiltinTool> {
    let body = request.get("parsed_body").unwrap_or(&Value::Null);
    let mut tools = Vec::new();
    for tool in body["tools"].as_array().into_iter().flatten() {
        let kind = tool["type"].as_str().unwrap_or_default();
        let tool: BuiltinTool = if kind.starts_with("web_search_") {
            WebSearchTool::default().into()
        } else if kind.starts_with("code_execution_") {
            CodeExecutionTool::default().into()
        } else if kind.starts_with("web_fetch_") {
            WebFetchTool::default().into()
        } else if kind.starts_with("advisor_") {
            AdvisorTool {
                model: tool["model"].as_str().unwrap_or_default().to_owned(),
                ..Default::default()
            }
            .into()
        } else {
            continue;
        };
        tools.push(tool);
    }
    for server in body["mcp_servers"].as_array().into_iter().flatten() {
        tools.push(
            MCPServerTool {
                id: server["name"].as_str().unwrap_or_default().to_owned(),
                url: server["url"].as_str().unwrap_or_default().to_owned(),
                ..Default::default()
            }
            .into(),
        );
    }
    tools
}

/// Applies the accepted differences of `aspect` ([`ACCEPTED`], then a suite's `extra`).
pub fn apply_accepted(aspect: &str, extra: &[Accepted], oracle: &mut Value, ours: &mut Value) {
    for accepted in ACCEPTED.iter().chain(extra).filter(|a| a.aspect == aspect) {
        (accepted.apply)(oracle, ours);
    }
}

/// Compares the request body we built or sent with the oracle's `.request.json`.
pub fn check_request(
    key: &str,
    stem: &str,
    mut ours: Value,
    tally: &mut Tally,
    failures: &mut Vec<Failure>,
) {
    let Some(mut expected) = read_json(Path::new(&format!("{stem}.request.json"))) else {
        return;
    };
    apply_accepted("request", &[], &mut expected, &mut ours);
    let ok = expected == ours;
    tally.record("request", ok);
    if !ok {
        failures.push(Failure::new(
            key,
            "request",
            diff(&format!("{key} request"), &expected, &ours),
        ));
    }
}

/// Compares an outcome (a response, its stream events, or an error) with the oracle's
/// `.json`, `.events.json` or `.error.json`: whole, and, for responses and streams with parts
/// the message model does not have, with those parts removed from the oracle.
#[allow(clippy::too_many_arguments)]
pub fn check_outcome(
    key: &str,
    stem: &str,
    ours_response: Option<Value>,
    ours_events: Option<Vec<Value>>,
    ours_error: Option<&Error>,
    extra: &[Accepted],
    tally: &mut Tally,
    failures: &mut Vec<Failure>,
) {
    let mut fail =
        |aspect: &'static str, detail: String| failures.push(Failure::new(key, aspect, detail));
    let error_oracle = read_json(Path::new(&format!("{stem}.error.json")));
    let response_oracle = read_json(Path::new(&format!("{stem}.json")));
    let events_oracle = read_json(Path::new(&format!("{stem}.events.json")));
    if let Some(expected) = error_oracle {
        let ok = match &ours_error {
            Some(Error::Http { status, body, .. }) => {
                // Our body is the recorded text; the oracle's the JSON the SDK parsed from it.
                let expected_body = &expected["body"];
                let ours_body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
                expected["exception"] == "ModelHTTPError"
                    && expected["status_code"].as_u64() == Some(u64::from(*status))
                    && *expected_body == ours_body
            }
            _ => false,
        };
        tally.record("error", ok);
        if !ok {
            fail(
                "error",
                format!("{key} error\n  oracle: {expected}\n  ours:   {ours_error:?}"),
            );
        }
    } else if let Some(expected) = response_oracle {
        let mut expected = expected
            .as_array()
            .and_then(|a| a.first())
            .cloned()
            .unwrap();
        match ours_response {
            Some(mut ours) if ours_error.is_none() => {
                normalise(&mut ours);
                apply_accepted("response", extra, &mut expected, &mut ours);
                let ok = expected == ours;
                tally.record("response", ok);
                if !ok {
                    fail(
                        "response",
                        diff(&format!("{key} response"), &expected, &ours),
                    );
                }
                if let Some(modelled) = without_unmodelled_parts(&expected) {
                    // Everything the message model can hold must still be equal.
                    let ok = modelled == ours;
                    tally.record("response, unmodelled parts removed", ok);
                    if !ok {
                        fail(
                            "response, unmodelled parts removed",
                            diff(
                                &format!("{key} response (modelled parts)"),
                                &modelled,
                                &ours,
                            ),
                        );
                    }
                }
            }
            _ => {
                tally.record("response", false);
                fail("response", format!("{key} response: error {ours_error:?}"));
            }
        }
    }
    if let (Some(mut expected), Some(ours)) = (events_oracle, ours_events) {
        let mut ours = Value::Array(ours);
        normalise(&mut ours);
        apply_accepted("events", extra, &mut expected, &mut ours);
        let ok = expected == ours;
        tally.record("events", ok);
        if !ok {
            fail("events", diff(&format!("{key} events"), &expected, &ours));
        }
        if let Some(modelled) = events_without_unmodelled_parts(&expected) {
            let ok = modelled == ours;
            tally.record("events, unmodelled parts removed", ok);
            if !ok {
                fail(
                    "events, unmodelled parts removed",
                    diff(&format!("{key} events (modelled parts)"), &modelled, &ours),
                );
            }
        }
    }
}

/// Prints the counts per directory, the accepted and the known differences; fails on any
/// other difference, and on a known difference that no longer differs.
pub fn report(tallies: &BTreeMap<String, Tally>, failures: &[Failure], extra: &[Accepted]) {
    assert!(
        !tallies.is_empty(),
        "no anthropic interaction in the oracle"
    );
    print_tallies(tallies);
    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for tally in tallies.values() {
        for (aspect, (ok, total)) in &tally.checked {
            let entry = totals.entry(aspect).or_default();
            entry.0 += ok;
            entry.1 += total;
        }
    }
    let totals: Vec<String> = totals
        .iter()
        .map(|(aspect, (ok, total))| format!("{aspect} {ok}/{total}"))
        .collect();
    println!("all: {}", totals.join(", "));
    for accepted in ACCEPTED.iter().chain(extra) {
        println!(
            "accepted ({}): {} -- {}",
            accepted.aspect, accepted.what, accepted.why
        );
    }
    judge(failures, KNOWN_DIFFERENCES, None);
}

/// Parts pydantic-ai makes of content blocks our message model has no part for: none since
/// built-in tool and compaction parts exist (the comparisons "with unmodelled parts removed"
/// no longer happen).
pub const UNMODELLED_PART_KINDS: [&str; 0] = [];

/// The oracle's response without its [`UNMODELLED_PART_KINDS`] parts, when it has some.
pub fn without_unmodelled_parts(response: &Value) -> Option<Value> {
    let parts = response.get("parts")?.as_array()?;
    let unmodelled = |part: &Value| {
        part.get("part_kind")
            .and_then(Value::as_str)
            .is_some_and(|kind| UNMODELLED_PART_KINDS.contains(&kind))
    };
    if !parts.iter().any(unmodelled) {
        return None;
    }
    let kept: Vec<Value> = parts.iter().filter(|p| !unmodelled(p)).cloned().collect();
    let mut response = response.clone();
    response["parts"] = Value::Array(kept);
    Some(response)
}

/// The oracle's stream events without the events of its [`UNMODELLED_PART_KINDS`] parts, when
/// it has some: the other parts renumbered, and the neighbour kinds of starts and ends
/// (`previous_part_kind`, `next_part_kind`) those of the parts that remain, as a stream
/// without those parts names them.
pub fn events_without_unmodelled_parts(events: &Value) -> Option<Value> {
    let events = events.as_array()?;
    let part_kind = |event: &Value| {
        event
            .pointer("/part/part_kind")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let unmodelled: std::collections::BTreeSet<u64> = events
        .iter()
        .filter(|e| e["event_kind"] == "part_start")
        .filter(|e| part_kind(e).is_some_and(|k| UNMODELLED_PART_KINDS.contains(&k.as_str())))
        .filter_map(|e| e["index"].as_u64())
        .collect();
    if unmodelled.is_empty() {
        return None;
    }
    let mut kept: Vec<Value> = events
        .iter()
        .filter(|e| !e["index"].as_u64().is_some_and(|i| unmodelled.contains(&i)))
        .cloned()
        .collect();
    for event in &mut kept {
        if let Some(index) = event["index"].as_u64() {
            let before = u64::try_from(unmodelled.iter().filter(|u| **u < index).count()).unwrap();
            event["index"] = Value::from(index - before);
        }
    }
    let mut previous: Option<String> = None;
    for i in 0..kept.len() {
        match kept[i]["event_kind"].as_str() {
            Some("part_start") => {
                kept[i]["previous_part_kind"] = previous.clone().map_or(Value::Null, Value::from);
                previous = part_kind(&kept[i]);
            }
            Some("part_end") => {
                let next = kept[i + 1..]
                    .iter()
                    .find(|e| e["event_kind"] == "part_start")
                    .and_then(part_kind);
                kept[i]["next_part_kind"] = next.map_or(Value::Null, Value::from);
            }
            _ => {}
        }
    }
    Some(Value::Array(kept))
}

/// Assembles the whole message a recorded stream amounts to, as the Anthropic SDKs'
/// `get_final_message` does: `message_start`'s message, each block from its start and deltas
/// (text and thinking appended, the signature set, `input` parsed from the JSON fragments),
/// the stop reason and usage of `message_delta`. `None` when the stream reports an error.
pub fn assemble(sse: &str) -> Option<Value> {
    let mut message = Value::Null;
    let mut blocks: BTreeMap<u64, Value> = BTreeMap::new();
    let mut json: BTreeMap<u64, String> = BTreeMap::new();
    for (_, data) in split_sse(sse) {
        let event: Value = serde_json::from_str(data.trim()).ok()?;
        let index = event["index"].as_u64();
        match event["type"].as_str()? {
            "message_start" => message = event["message"].clone(),
            "content_block_start" => {
                blocks.insert(index?, event["content_block"].clone());
            }
            "content_block_delta" => {
                let block = blocks.get_mut(&index?)?;
                let delta = &event["delta"];
                let append = |block: &mut Value, key: &str, text: &Value| {
                    let joined = format!("{}{}", block[key].as_str().unwrap_or(""), text.as_str()?);
                    block[key] = Value::from(joined);
                    Some(())
                };
                match delta["type"].as_str()? {
                    "text_delta" => append(block, "text", &delta["text"])?,
                    "thinking_delta" => append(block, "thinking", &delta["thinking"])?,
                    "signature_delta" => block["signature"] = delta["signature"].clone(),
                    "input_json_delta" => json
                        .entry(index?)
                        .or_default()
                        .push_str(delta["partial_json"].as_str()?),
                    "compaction_delta" => {
                        for key in ["content", "encrypted_content"] {
                            if !delta[key].is_null() {
                                block[key] = delta[key].clone();
                            }
                        }
                    }
                    _ => {}
                }
            }
            "content_block_stop" => {
                if let Some(text) = json.remove(&index?) {
                    let input = if text.trim().is_empty() {
                        Value::Object(Map::new())
                    } else {
                        serde_json::from_str(&text).ok()?
                    };
                    blocks.get_mut(&index?)?["input"] = input;
                }
            }
            "message_delta" => {
                for key in ["stop_reason", "stop_sequence", "stop_details", "container"] {
                    if let Some(value) = event["delta"].get(key) {
                        message[key] = value.clone();
                    }
                }
                if let Some(usage) = event["usage"].as_object() {
                    for (key, value) in usage {
                        if !value.is_null() {
                            message["usage"][key] = value.clone();
                        }
                    }
                }
            }
            "error" => return None,
            _ => {}
        }
    }
    message["content"] = Value::Array(blocks.into_values().collect());
    Some(message)
}
