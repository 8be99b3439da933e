//! Conformance of the Bedrock Converse protocol with pydantic-ai's `BedrockConverseModel`,
//! over the recorded traffic in `../shared/fixtures` (no HTTP: the recorded bodies go straight
//! to the protocol; `tests/bedrock.rs` covers the wire).
//!
//! For every recorded `bedrock-converse` interaction the oracle covers (`test_bedrock` and the
//! model-name suggestion):
//! * the request body for the oracle's scenario (prompt `'x'`, the recorded function tools, no
//!   settings) is built and compared with `.request.json`;
//! * the response body is parsed, or the recorded event stream (AWS event-stream frames,
//!   base64 in the cassette) is decoded and its events fed to `on_event`, and the
//!   `ModelResponse` compared, as JSON, with the oracle's `.json`, the stream events with
//!   `.events.json`;
//! * recorded error statuses are compared with the oracle's `.error.json` (status and
//!   message: the cassettes lack `x-amzn-errortype`, so botocore's code is the status).
//!
//! Each comparison known to differ is listed in [`KNOWN`] with its reason (none now), and the one
//! difference accepted ([`CACHE_TTL_ACCEPTED`]) is printed; the test fails on
//! any other difference and on a known one that no longer differs. A table per aspect
//! (recorded, passing) and the reason of each that does not pass are printed. Streams are also
//! assembled into the whole response they amount to, which must parse to the same response.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use llm_runtime::http::eventstream::EventStreamDecoder;
use llm_runtime::messages::{
    ModelMessage, ModelRequest, ModelResponsePart, SystemPromptPart, ToolReturnPart, UserPromptPart,
};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::bedrock::BedrockConverse;
use llm_runtime::providers::{PreparedRequest, Protocol, ResponseContext};
use llm_runtime::settings::ModelSettings;
use llm_runtime::stream::PartsManager;
use llm_runtime::tools::ToolDefinition;
use llm_runtime::warning::Warnings;
use llm_runtime::Error;
use serde_json::{json, Map, Value};
use support::conformance::{judge, print_tallies, replay_stream, Failure, Known, Tally};
use support::recordings::{
    comparable, compare_stream_with_whole, diff, directory, normalise, oracle_entries, read_json,
    response_body, status,
};

/// Why the per-TTL cache writes are compared in `details`.
const CACHE_TTL_ACCEPTED: &str = "pydantic-ai's usage carries Bedrock's `cacheDetails` as extra \
    fields beside `details` (`cache_write_5m_tokens`, `cache_write_1h_tokens`: genai-prices' \
    extractor sets them as attributes); our `Usage` has no such fields and keeps the same counts \
    in `details`, where the oracle's are moved before the comparison (so they must be equal)";

/// The per-TTL cache writes of the oracle's usage, moved into its `details` ([`CACHE_TTL_ACCEPTED`]).
fn cache_ttl_in_details(oracle: &mut Value) {
    let Some(usage) = oracle.get_mut("usage").and_then(Value::as_object_mut) else {
        return;
    };
    for key in ["cache_write_5m_tokens", "cache_write_1h_tokens"] {
        if let Some(count) = usage.remove(key) {
            if let Some(details) = usage.get_mut("details").and_then(Value::as_object_mut) {
                details.insert(key.to_owned(), count);
            }
        }
    }
}

/// Comparisons known to differ: (oracle stem, aspect, reason).
const KNOWN: &[Known] = &[];

/// A response with every tool call's arguments as a JSON object: a stream gives them as the
/// text that was streamed (as pydantic-ai's does), a whole response as an object.
fn args_as_objects(mut response: Value) -> Value {
    for part in response["parts"].as_array_mut().into_iter().flatten() {
        if let Some(text) = part.get("args").and_then(Value::as_str) {
            part["args"] = serde_json::from_str(text).unwrap_or(Value::Null);
        }
    }
    response
}

/// The protocol as the `bedrock` provider speaks it.
fn protocol() -> BedrockConverse {
    BedrockConverse
}

/// The function tools of a recorded request (`toolConfig.tools[].toolSpec`); `final_result*`
/// output tools are not sent for the text output mode the oracle used.
fn recorded_tools(request: &Value) -> Vec<ToolDefinition> {
    // Bedrock request bodies are recorded as text (`body`), not as `parsed_body`.
    let body = match request.get("parsed_body") {
        Some(parsed) => parsed.clone(),
        None => request["body"]
            .as_str()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default(),
    };
    let mut tools = Vec::new();
    for tool in body
        .pointer("/toolConfig/tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(spec) = tool.get("toolSpec") else {
            continue;
        };
        let Some(name) = spec.get("name").and_then(Value::as_str) else {
            continue;
        };
        if name.starts_with("final_result") {
            continue;
        }
        let mut def = ToolDefinition::new(name);
        def.description = spec
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(schema) = spec.pointer("/inputSchema/json") {
            def.parameters_json_schema = schema.clone();
        }
        def.strict = spec.get("strict").and_then(Value::as_bool);
        tools.push(def);
    }
    tools
}

/// The frames of a recorded event stream (base64 in the cassette, decoded by
/// `llm_runtime::testing`) as `(event type, payload)`; exception frames named by their
/// exception type.
fn recorded_events(response: &Value) -> Vec<(String, String)> {
    let bytes = response_body(response);
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&bytes);
    let mut events = Vec::new();
    while let Some(message) = decoder.next_message().unwrap() {
        let name = message
            .header_str(":event-type")
            .or_else(|| message.header_str(":exception-type"))
            .unwrap_or_default()
            .to_owned();
        events.push((name, String::from_utf8(message.payload().to_vec()).unwrap()));
    }
    decoder.finish().unwrap();
    events
}

/// The endpoint of the recorded URL, as the driver reports it in `provider_url`.
fn endpoint(uri: &str) -> String {
    let host = uri
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or_default();
    format!("https://{host}")
}

/// What the driver adds to what the protocol parses.
fn as_driver_reports(mut response: Value, uri: &str) -> Value {
    if let Some(map) = response.as_object_mut() {
        map.insert("provider_name".into(), json!("bedrock"));
        map.insert("provider_url".into(), json!(endpoint(uri)));
    }
    response
}

/// The whole Converse response a recorded stream amounts to.
fn assemble(events: &[(String, String)]) -> Value {
    let mut blocks: BTreeMap<u64, Value> = BTreeMap::new();
    let mut stop_reason = Value::Null;
    let mut usage = Value::Null;
    for (name, payload) in events {
        let payload: Value = serde_json::from_str(payload).unwrap();
        let index = payload["contentBlockIndex"].as_u64().unwrap_or(0);
        match name.as_str() {
            "contentBlockStart" => {
                if let Some(tool) = payload.pointer("/start/toolUse") {
                    let mut tool = tool.clone();
                    tool["input"] = json!("");
                    blocks.insert(index, json!({"toolUse": tool}));
                } else if let Some(result) = payload.pointer("/start/toolResult") {
                    blocks.insert(index, json!({"toolResult": result}));
                }
            }
            "contentBlockDelta" => {
                let delta = &payload["delta"];
                let block = blocks.entry(index).or_insert_with(|| json!({}));
                if let Some(content) = delta.get("toolResult") {
                    block["toolResult"]["content"] = content.clone();
                }
                let mut append = |pointer: &str, piece: &Value| {
                    if let Some(piece) = piece.as_str() {
                        let old = block
                            .pointer(pointer)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned();
                        set(block, pointer, json!(old + piece));
                    }
                };
                append("/text", &delta["text"]);
                append(
                    "/reasoningContent/reasoningText/text",
                    &delta
                        .pointer("/reasoningContent/text")
                        .cloned()
                        .unwrap_or(Value::Null),
                );
                append(
                    "/reasoningContent/reasoningText/signature",
                    &delta
                        .pointer("/reasoningContent/signature")
                        .cloned()
                        .unwrap_or(Value::Null),
                );
                append(
                    "/reasoningContent/redactedContent",
                    &delta
                        .pointer("/reasoningContent/redactedContent")
                        .cloned()
                        .unwrap_or(Value::Null),
                );
                append(
                    "/toolUse/input",
                    &delta
                        .pointer("/toolUse/input")
                        .cloned()
                        .unwrap_or(Value::Null),
                );
            }
            "messageStop" => stop_reason = payload["stopReason"].clone(),
            "metadata" => usage = payload["usage"].clone(),
            _ => {}
        }
    }
    let content: Vec<Value> = blocks
        .into_values()
        .map(|mut block| {
            if let Some(input) = block.pointer("/toolUse/input").and_then(Value::as_str) {
                let parsed: Value = if input.is_empty() {
                    json!({})
                } else {
                    serde_json::from_str(input).unwrap()
                };
                block["toolUse"]["input"] = parsed;
            }
            block
        })
        .collect();
    json!({
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": usage,
    })
}

/// Sets `pointer` (of object keys) in `value`, making the objects on the way.
fn set(value: &mut Value, pointer: &str, new: Value) {
    let mut node = value;
    let keys: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, key) in keys.iter().enumerate() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let map = node.as_object_mut().unwrap();
        if i + 1 == keys.len() {
            map.insert((*key).to_owned(), new);
            return;
        }
        node = map.entry((*key).to_owned()).or_insert_with(|| json!({}));
    }
}

fn check_request(
    key: &str,
    stem: &str,
    ours: Value,
    tally: &mut Tally,
    failures: &mut Vec<Failure>,
) {
    let Some(expected) = read_json(Path::new(&format!("{stem}.request.json"))) else {
        return;
    };
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

/// The oracle's error as ours should be: the same status, and its message in our body.
fn error_matches(expected: &Value, error: Option<&Error>) -> bool {
    let Some(Error::Http { status, body, .. }) = error else {
        return false;
    };
    let message = expected
        .pointer("/body/Error/Message")
        .and_then(Value::as_str)
        .unwrap_or_default();
    expected["exception"] == "ModelHTTPError"
        && expected["status_code"].as_u64() == Some(u64::from(*status))
        && body.contains(message)
}

#[test]
fn bedrock_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) =
        support::shared_fixtures("bedrock_matches_pydantic_ai_on_recorded_traffic")
    else {
        return;
    };
    let protocol = protocol();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let entries = oracle_entries(&fixtures, "bedrock-converse");
    assert!(
        !entries.is_empty(),
        "no bedrock-converse interaction in the oracle"
    );
    for entry in &entries {
        let key = entry.key.as_str();
        let stem = entry.stem.display().to_string();
        let tally = tallies.entry(directory(&entry.cassette)).or_default();
        let model = entry.model_name();
        let parameters = ModelRequestParameters {
            function_tools: recorded_tools(&entry.interaction["request"]),
            ..Default::default()
        };
        // The request.
        let messages = [ModelMessage::from(ModelRequest::user_text_prompt("x"))];
        let settings = ModelSettings::default();
        let profile = protocol.profile(model);
        let request = PreparedRequest {
            model_name: model,
            provider_name: "bedrock",
            messages: &messages,
            settings: &settings,
            parameters: &parameters,
            profile: &profile,
        };
        let ours = match protocol.request_body(&request, entry.streaming(), &mut Warnings::new()) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap(),
            Err(e) => Value::String(format!("error: {e}")),
        };
        check_request(key, &stem, ours, tally, &mut failures);

        // The outcome.
        let response = &entry.interaction["response"];
        let uri = entry.interaction["request"]["uri"]
            .as_str()
            .unwrap_or_default();
        let recorded_status = status(response);
        if let Some(expected) = read_json(Path::new(&format!("{stem}.error.json"))) {
            let error = (recorded_status >= 400)
                .then(|| Error::http(recorded_status, model, &response_body(response), None));
            let ok = error_matches(&expected, error.as_ref());
            tally.record("error", ok);
            if !ok {
                failures.push(Failure::new(
                    key,
                    "error",
                    format!("{key} error\n  oracle: {expected}\n  ours:   {error:?}"),
                ));
            }
            continue;
        }
        let (ours, ours_events, error) = if entry.streaming() {
            let parts =
                PartsManager::new(model, &parameters).with_provider("bedrock", Some(endpoint(uri)));
            let (events, response, error) =
                replay_stream(protocol, recorded_events(response), parts);
            (response, Some(events), error)
        } else {
            match protocol.parse_response(
                &response_body(response),
                &mut ResponseContext::new(model, "bedrock"),
            ) {
                Ok(parsed) => (
                    as_driver_reports(serde_json::to_value(parsed).unwrap(), uri),
                    None,
                    None,
                ),
                Err(e) => (Value::Null, None, Some(e)),
            }
        };
        if let Some(expected) = read_json(Path::new(&format!("{stem}.json"))) {
            let mut expected = expected
                .as_array()
                .and_then(|a| a.first())
                .cloned()
                .unwrap();
            cache_ttl_in_details(&mut expected);
            let mut ours = ours;
            normalise(&mut ours);
            let ok = error.is_none() && expected == ours;
            tally.record("response", ok);
            if !ok {
                let detail = match &error {
                    Some(e) => format!("{key} response: error {e}"),
                    None => diff(&format!("{key} response"), &expected, &ours),
                };
                failures.push(Failure::new(key, "response", detail));
            }
        }
        if let (Some(expected), Some(ours)) = (
            read_json(Path::new(&format!("{stem}.events.json"))),
            ours_events,
        ) {
            let mut ours = Value::Array(ours);
            normalise(&mut ours);
            let ok = expected == ours;
            tally.record("events", ok);
            if !ok {
                failures.push(Failure::new(
                    key,
                    "events",
                    diff(&format!("{key} events"), &expected, &ours),
                ));
            }
        }
    }
    print_tallies(&tallies);
    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for tally in tallies.values() {
        for (aspect, (ok, total)) in &tally.checked {
            let entry = totals.entry(aspect).or_default();
            entry.0 += ok;
            entry.1 += total;
        }
    }
    println!("accepted (response): usage per-TTL cache writes -- {CACHE_TTL_ACCEPTED}");
    println!("| aspect | recorded | passing |\n| --- | ---: | ---: |");
    for (aspect, (ok, total)) in &totals {
        println!("| {aspect} | {total} | {ok} |");
    }
    judge(&failures, KNOWN, None);
}

/// The same recorded answer gives the same response streamed and whole.
#[test]
fn bedrock_recorded_streams_equal_their_assembled_whole_responses() {
    let Some(fixtures) =
        support::shared_fixtures("bedrock_recorded_streams_equal_their_assembled_whole_responses")
    else {
        return;
    };
    let protocol = protocol();
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in oracle_entries(&fixtures, "bedrock-converse") {
        if !entry.streaming() || status(&entry.interaction["response"]) != 200 {
            continue;
        }
        let key = &entry.key;
        let model = entry.model_name();
        let events = recorded_events(&entry.interaction["response"]);
        let whole = assemble(&events);
        let parts = PartsManager::new(model, &ModelRequestParameters::default())
            .with_provider("bedrock", None);
        let (_, streamed, error) = replay_stream(protocol, events, parts);
        if let Some(error) = error {
            failures.push(format!("{key}: the stream failed: {error}"));
            continue;
        }
        let parsed = protocol
            .parse_response(
                whole.to_string().as_bytes(),
                &mut ResponseContext::new(model, "bedrock"),
            )
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let parsed = args_as_objects(comparable(serde_json::to_value(parsed).unwrap()));
        checked += 1;
        let streamed = args_as_objects(comparable(streamed));
        compare_stream_with_whole(key, &parsed, &streamed, None, &mut failures);
    }
    println!("bedrock streams compared with their whole responses: {checked}");
    assert!(checked > 0, "no recorded bedrock stream");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The recorded two-turn conversation with Nova's code interpreter
/// (`test_bedrock_model_with_code_execution_tool`): each request body we build, the second
/// with the first answer's built-in tool call and return sent back, is the recorded one.
#[test]
fn bedrock_code_execution_requests_are_the_recorded_ones() {
    let Some(fixtures) =
        support::shared_fixtures("bedrock_code_execution_requests_are_the_recorded_ones")
    else {
        return;
    };
    let cassette = support::recordings::load_yaml(
        &fixtures.join("cassettes/test_bedrock/test_bedrock_model_with_code_execution_tool.yaml"),
    );
    assert_eq!(cassette.interactions.len(), 2);
    let recorded = |i: usize| -> Value {
        let text = cassette.interactions[i]["request"]["body"]
            .as_str()
            .unwrap_or_default();
        serde_json::from_str(text).unwrap()
    };
    let model = "us.amazon.nova-2-lite-v1:0";
    let mut output = ToolDefinition::new("final_result");
    output.description = Some("The final response which ends this conversation".into());
    output.parameters_json_schema = json!({
        "properties": {"result": {"type": "number"}},
        "required": ["result"],
        "title": "Response",
        "type": "object",
    });
    let parameters = ModelRequestParameters {
        output_tools: vec![output],
        allow_text_output: false,
        output_mode: llm_runtime::models::OutputMode::Tool,
        builtin_tools: vec![llm_runtime::models::CodeExecutionTool::default().into()],
        ..Default::default()
    };
    let protocol = protocol();
    let settings = ModelSettings::default();
    let profile = protocol.profile(model);
    let body = |messages: &[ModelMessage]| -> Value {
        let request = PreparedRequest {
            model_name: model,
            provider_name: "bedrock",
            messages,
            settings: &settings,
            parameters: &parameters,
            profile: &profile,
        };
        let bytes = protocol
            .request_body(&request, false, &mut Warnings::new())
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let mut messages = vec![ModelMessage::from(ModelRequest::new(vec![
        SystemPromptPart::new("You are a helpful chatbot.").into(),
        UserPromptPart::new("What is 1234 * 5678?").into(),
    ]))];
    let first = body(&messages);
    assert_eq!(
        first,
        recorded(0),
        "{}",
        diff("first request", &recorded(0), &first)
    );

    let answer = protocol
        .parse_response(
            &response_body(&cassette.interactions[0]["response"]),
            &mut ResponseContext::new(model, "bedrock"),
        )
        .unwrap();
    let output_call = answer
        .parts
        .iter()
        .find_map(|part| match part {
            ModelResponsePart::ToolCall(call) => Some(call.tool_call_id.clone()),
            _ => None,
        })
        .unwrap();
    messages.push(answer.into());
    messages.push(
        ModelRequest::new(vec![
            ToolReturnPart::new("final_result", "Final result processed.", output_call).into(),
            UserPromptPart::new("Now multiply that by 2").into(),
        ])
        .into(),
    );
    let second = body(&messages);
    assert_eq!(
        second,
        recorded(1),
        "{}",
        diff("second request", &recorded(1), &second)
    );
}
