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
//! Every difference accepted is listed in [`ACCEPTED`] with its reason; comparisons known to
//! differ are in [`KNOWN_DIFFERENCES`] (the test fails if one starts to pass); everything else
//! must be equal. The counts per directory are printed.

mod cassette_support;
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cassette_support::{
    diff, load_yaml, normalise, read_json, response_body, split_sse, status, Cassette, Tally,
};
use futures::StreamExt;
use llm_runtime::messages::{ModelMessage, ModelRequest};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::anthropic::AnthropicMessages;
use llm_runtime::providers::{Anthropic, Flow, PreparedRequest, Protocol, SseEvent};
use llm_runtime::settings::ModelSettings;
use llm_runtime::stream::{PartsManager, StreamedResponse};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::Error;
use serde_json::{Map, Value};

/// The protocol as the built-in `anthropic` host declares it (and names it).
fn protocol() -> AnthropicMessages {
    Anthropic::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .expect("the anthropic host builds with a key")
        .protocol()
        .clone()
}

/// A difference from the oracle accepted on purpose.
struct Accepted {
    /// What is compared: `response`, `events` or `request`.
    aspect: &'static str,
    /// The difference.
    what: &'static str,
    /// Why it is accepted.
    why: &'static str,
    /// Removes the difference from both sides (oracle, ours).
    apply: fn(&mut Value, &mut Value),
}

const ACCEPTED: &[Accepted] = &[Accepted {
    aspect: "response",
    what: "provider_name, provider_url",
    why: "filled from the provider object (the #[provider] layer), not by the protocol; the \
          wire suites check them",
    apply: |oracle, ours| {
        for key in ["provider_name", "provider_url"] {
            if let (Some(o), Some(ours)) = (oracle.get(key).cloned(), ours.as_object_mut()) {
                ours.insert(key.to_owned(), o);
            }
        }
    },
}];

/// Comparisons known to differ, by oracle file stem and aspect, with the reason. They are
/// counted as failing; the test fails if one of them starts to pass (remove it then).
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "test_anthropic/test_anthropic_advisor_tool.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_advisor_tool_message_replay.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_advisor_tool_redacted.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_advisor_tool_stream.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_advisor_tool_stream.0",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_code_execution_tool.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_code_execution_tool.1",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_code_execution_tool_container_reuse.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_code_execution_tool_container_reuse.1",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_code_execution_tool_stream.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_code_execution_tool_stream.0",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_compaction_end_to_end.0",
        "response",
        COMPACTION,
    ),
    (
        "test_anthropic/test_anthropic_compaction_usage_with_cache.0",
        "response",
        COMPACTION,
    ),
    (
        "test_anthropic/test_anthropic_compaction_usage_with_cache_streaming.0",
        "response",
        COMPACTION,
    ),
    (
        "test_anthropic/test_anthropic_compaction_usage_with_cache_streaming.0",
        "events",
        COMPACTION,
    ),
    (
        "test_anthropic/test_anthropic_mcp_servers.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_mcp_servers.1",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_mcp_servers_stream.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_mcp_servers_stream.0",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_model_web_search_tool_stream.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_model_web_search_tool_stream.0",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_server_tool_receive_history_from_another_provider.1",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_editor_code_execution_tool.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_editor_code_execution_tool_stream.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_editor_code_execution_tool_stream.0",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_parts_ahead_of_built_in_tool_call.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_parts_ahead_of_built_in_tool_call.1",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_parts_ahead_of_built_in_tool_call.1",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_parts_ahead_of_built_in_tool_call.2",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_parts_ahead_of_built_in_tool_call.2",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_parts_ahead_of_built_in_tool_call.3",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_text_parts_ahead_of_built_in_tool_call.3",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_web_fetch_tool.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_web_fetch_tool_stream.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_web_fetch_tool_stream.0",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_web_search_tool.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_web_search_tool.1",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_web_search_tool_stream.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_anthropic_web_search_tool_stream.0",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_pause_turn_web_search_streaming_vcr.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_pause_turn_web_search_streaming_vcr.0",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_pause_turn_web_search_streaming_vcr.1",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_pause_turn_web_search_streaming_vcr.1",
        "events",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_pause_turn_web_search_vcr.0",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_anthropic/test_pause_turn_web_search_vcr.1",
        "response",
        SERVER_TOOLS,
    ),
    (
        "test_google/test_google_model_receive_web_search_history_from_another_provider.0",
        "response",
        SERVER_TOOLS,
    ),
];

const SERVER_TOOLS: &str = "pydantic-ai maps the blocks of Anthropic's server-side tools \
    (`server_tool_use`, web search/fetch, code execution, advisor and MCP results) to builtin-tool \
    call and return parts; our message model has no such parts yet, so the protocol leaves them \
    out with a warning (the rest of the response, and the events of the other parts, are \
    compared with those parts removed and must be equal)";
const COMPACTION: &str = "pydantic-ai maps Anthropic's `compaction` block to a CompactionPart, \
    which our message model does not have yet (the rest of the response, usage with the \
    compaction iterations included, is compared with that part removed and must be equal)";

/// The function tools of a recorded request, as the oracle passed them: Anthropic's own tool
/// types (`web_search_…`, `code_execution_…`, with a `type`) are server tools, not function
/// tools, and `final_result*` output tools are not sent for the `text` output mode.
fn recorded_tools(request: &Value) -> Vec<ToolDefinition> {
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

/// Replays a recorded SSE body through `on_event`, as the HTTP layer does.
fn replay_stream(body: &[u8], parts: PartsManager) -> (Vec<Value>, Value, Option<Error>) {
    let protocol = protocol();
    let text = String::from_utf8(body.to_vec()).unwrap();
    let mut items: Vec<Option<(String, String)>> = split_sse(&text).into_iter().map(Some).collect();
    items.push(None); // end of body
    let mut state = <AnthropicMessages as Protocol>::StreamState::default();
    let mut done = false;
    let mut stream = StreamedResponse::from_stream(
        parts,
        futures::stream::iter(items.into_iter().map(Ok)),
        move |item, parts| {
            if done {
                return Ok(());
            }
            match item {
                Some((event, data)) => {
                    let event = SseEvent {
                        event: &event,
                        data: &data,
                        id: None,
                    };
                    if protocol.on_event(&event, &mut state, parts)? == Flow::Done {
                        done = true;
                    }
                    Ok(())
                }
                None => protocol.on_eof(&mut state, parts),
            }
        },
    );
    let mut events = Vec::new();
    let mut error = None;
    futures::executor::block_on(async {
        while let Some(event) = stream.next().await {
            match event {
                Ok(event) => events.push(serde_json::to_value(&event).unwrap()),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
    });
    (events, serde_json::to_value(stream.get()).unwrap(), error)
}

fn apply_accepted(aspect: &str, oracle: &mut Value, ours: &mut Value) {
    for accepted in ACCEPTED.iter().filter(|a| a.aspect == aspect) {
        (accepted.apply)(oracle, ours);
    }
}

/// A comparison that did not match: where, which aspect, and the difference.
struct Failure {
    stem: String,
    aspect: &'static str,
    detail: String,
}

/// One recorded interaction and what the oracle made of it.
struct Interaction<'a> {
    key: String,
    model_name: &'a str,
    streaming: bool,
    tools: Vec<ToolDefinition>,
    response: &'a Value,
    oracle_stem: PathBuf,
}

fn check_interaction(it: &Interaction<'_>, tally: &mut Tally, failures: &mut Vec<Failure>) {
    let protocol = protocol();
    let parameters = ModelRequestParameters {
        function_tools: it.tools.clone(),
        ..Default::default()
    };
    let stem = it.oracle_stem.display().to_string();
    let mut fail = |aspect: &'static str, detail: String| {
        failures.push(Failure {
            stem: it.key.clone(),
            aspect,
            detail,
        });
    };
    let body = response_body(it.response);
    let recorded_status = status(it.response);
    let key = &it.key;

    // The request.
    if let Some(mut expected) = read_json(Path::new(&format!("{stem}.request.json"))) {
        let messages = [ModelMessage::from(ModelRequest::user_text_prompt("x"))];
        let settings = ModelSettings::default();
        let profile = protocol.profile(it.model_name);
        let request = PreparedRequest {
            model_name: it.model_name,
            messages: &messages,
            settings: &settings,
            parameters: &parameters,
            profile: &profile,
        };
        let mut ours = match protocol.request_body(&request, it.streaming) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap(),
            Err(e) => Value::String(format!("error: {e}")),
        };
        apply_accepted("request", &mut expected, &mut ours);
        let ok = expected == ours;
        tally.record("request", ok);
        if !ok {
            fail("request", diff(&format!("{key} request"), &expected, &ours));
        }
    }

    // The outcome.
    let error_oracle = read_json(Path::new(&format!("{stem}.error.json")));
    let response_oracle = read_json(Path::new(&format!("{stem}.json")));
    let events_oracle = read_json(Path::new(&format!("{stem}.events.json")));

    let (ours_response, ours_events, ours_error) = if recorded_status >= 400 {
        // What the HTTP layer makes of an error status.
        let error = Error::http(recorded_status, it.model_name, &body, None);
        (None, None, Some(error))
    } else if it.streaming {
        let parts = PartsManager::new(it.model_name, &parameters);
        let (events, response, error) = replay_stream(&body, parts);
        (Some(response), Some(events), error)
    } else {
        match protocol.parse_response(&body, it.model_name) {
            Ok(response) => (Some(serde_json::to_value(response).unwrap()), None, None),
            Err(e) => (None, None, Some(e)),
        }
    };

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
                apply_accepted("response", &mut expected, &mut ours);
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
        apply_accepted("events", &mut expected, &mut ours);
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

/// Parts pydantic-ai makes of content blocks our message model has no part for yet.
const UNMODELLED_PART_KINDS: [&str; 3] = ["builtin-tool-call", "builtin-tool-return", "compaction"];

/// The oracle's response without its [`UNMODELLED_PART_KINDS`] parts, when it has some.
fn without_unmodelled_parts(response: &Value) -> Option<Value> {
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
fn events_without_unmodelled_parts(events: &Value) -> Option<Value> {
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

/// The directory of a cassette path (`test_anthropic/x.yaml` gives `test_anthropic`).
fn directory(cassette: &str) -> String {
    cassette.split('/').next().unwrap_or(cassette).to_owned()
}

/// Assembles the whole message a recorded stream amounts to, as the Anthropic SDKs'
/// `get_final_message` does: `message_start`'s message, each block from its start and deltas
/// (text and thinking appended, the signature set, `input` parsed from the JSON fragments),
/// the stop reason and usage of `message_delta`. `None` when the stream reports an error.
fn assemble(sse: &str) -> Option<Value> {
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

/// The same recorded answer gives the same response streamed and whole: every streamed
/// `anthropic` recording is assembled into the whole message it amounts to and parsed.
#[test]
fn recorded_streams_equal_their_assembled_whole_messages() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_streams_equal_their_assembled_whole_messages")
    else {
        return;
    };
    let index = read_json(&fixtures.join("cassettes/index.json")).unwrap();
    let protocol = protocol();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in index.as_array().unwrap() {
        let name = file["file"].as_str().unwrap();
        let mut cassette = None;
        for detail in file["interactions_detail"].as_array().unwrap() {
            if detail["wire"] != "anthropic"
                || detail["streaming"] != true
                || detail["status"] != 200
            {
                continue;
            }
            let cassette =
                cassette.get_or_insert_with(|| load_yaml(&fixtures.join("cassettes").join(name)));
            let i = usize::try_from(detail["index"].as_u64().unwrap()).unwrap();
            let interaction = &cassette.interactions[i];
            let body = response_body(&interaction["response"]);
            let key = format!("{}.{i}", name.trim_end_matches(".yaml"));
            let Some(whole) = assemble(&String::from_utf8(body.clone()).unwrap()) else {
                failures.push(format!("{key}: the recorded stream cannot be assembled"));
                continue;
            };
            let model = interaction["request"]["parsed_body"]["model"]
                .as_str()
                .unwrap_or("model");
            let parts = PartsManager::new(model, &ModelRequestParameters::default())
                .with_provider("anthropic", None);
            let (_, streamed, error) = replay_stream(&body, parts);
            if let Some(error) = error {
                failures.push(format!("{key}: the stream failed: {error}"));
                continue;
            }
            let parsed = protocol
                .parse_response(whole.to_string().as_bytes(), model)
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            let mut parsed = serde_json::to_value(parsed).unwrap();
            let mut streamed = streamed;
            for value in [&mut parsed, &mut streamed] {
                normalise(value);
                if let Some(map) = value.as_object_mut() {
                    map.remove("provider_name");
                    map.remove("provider_url");
                }
            }
            checked += 1;
            if parsed != streamed {
                failures.push(diff(&format!("{key} whole"), &parsed, &streamed));
            }
        }
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
    let index = read_json(&fixtures.join("oracle/index.json")).unwrap();
    let mut cassettes: BTreeMap<String, Cassette> = BTreeMap::new();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in index["entries"].as_array().unwrap() {
        if entry["wire"] != "anthropic" {
            continue;
        }
        let cassette = entry["cassette"].as_str().unwrap();
        let loaded = cassettes
            .entry(cassette.to_owned())
            .or_insert_with(|| load_yaml(&fixtures.join("cassettes").join(cassette)));
        let index = usize::try_from(entry["interaction"].as_u64().unwrap()).unwrap();
        let interaction = &loaded.interactions[index];
        let key = format!("{}.{index}", cassette.trim_end_matches(".yaml"));
        let it = Interaction {
            oracle_stem: fixtures.join("oracle").join(&key),
            key,
            model_name: entry["model_name"].as_str().unwrap(),
            streaming: entry["streaming"].as_bool().unwrap(),
            tools: recorded_tools(&interaction["request"]),
            response: &interaction["response"],
        };
        check_interaction(
            &it,
            tallies.entry(directory(cassette)).or_default(),
            &mut failures,
        );
    }
    assert!(
        !tallies.is_empty(),
        "no anthropic interaction in the oracle"
    );
    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (dir, tally) in &tallies {
        let counts: Vec<String> = tally
            .checked
            .iter()
            .map(|(aspect, (ok, total))| format!("{aspect} {ok}/{total}"))
            .collect();
        println!("{dir}: {}", counts.join(", "));
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
    for accepted in ACCEPTED {
        println!(
            "accepted ({}): {} -- {}",
            accepted.aspect, accepted.what, accepted.why
        );
    }
    let mut unexpected = Vec::new();
    for failure in &failures {
        match KNOWN_DIFFERENCES
            .iter()
            .find(|(stem, aspect, _)| *stem == failure.stem && *aspect == failure.aspect)
        {
            Some((_, _, why)) => println!("known: {} {} -- {why}", failure.stem, failure.aspect),
            None => unexpected.push(&failure.detail),
        }
    }
    let now_passing: Vec<_> = KNOWN_DIFFERENCES
        .iter()
        .filter(|(stem, aspect, _)| {
            !failures
                .iter()
                .any(|f| f.stem == *stem && f.aspect == *aspect)
        })
        .collect();
    for detail in &unexpected {
        println!("{detail}\n");
    }
    assert!(
        unexpected.is_empty(),
        "{} comparisons differ from pydantic-ai",
        unexpected.len()
    );
    assert!(
        now_passing.is_empty(),
        "known differences that no longer differ (remove them from KNOWN_DIFFERENCES): {now_passing:?}"
    );
}
