//! Conformance of the OpenAI Responses protocol with pydantic-ai, over the recorded traffic in
//! `../shared/fixtures` (no HTTP: the recorded bodies go straight to the protocol of the
//! built-in `openai-responses` host).
//!
//! For every recorded interaction on the Responses wire that pydantic-ai's oracle covers
//! (`test_openai_responses/`, and the Responses interactions of the other directories):
//! * the response body is parsed (`parse_response`), or the recorded SSE text is split into
//!   events and fed to `on_event`, and the `ModelResponse` is compared, as JSON, with the
//!   oracle's `.json`; stream events are compared with `.events.json`;
//! * the request body for the oracle's scenario (prompt `'x'`, the recorded tools, no settings)
//!   is built and compared with `.request.json`;
//! * recorded HTTP errors are compared with the oracle's `.error.json`.
//!
//! Every difference accepted is listed in [`ACCEPTED`] with its reason, every comparison known
//! to fail in [`KNOWN_DIFFERENCES`] with its reason; everything else must be equal, and a known
//! difference that stops differing fails the suite. The counts per directory are printed.
//!
//! A second test checks that each recorded stream gives the response its own final
//! `response.completed` event holds, parsed as a whole.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use llm_runtime::messages::{ModelMessage, ModelRequest};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::openai_responses::OpenAiResponses;
use llm_runtime::providers::{Flow, OpenAiResponsesHost, PreparedRequest, Protocol, SseEvent};
use llm_runtime::settings::ModelSettings;
use llm_runtime::stream::{PartsManager, StreamedResponse};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::Error;
use serde_json::{Map, Value};

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
            if map.contains_key("part_kind") || map.contains_key("part_delta_kind") {
                if map.get("provider_name") == Some(&Value::from("openai-responses")) {
                    map.insert("provider_name".into(), Value::from("openai"));
                }
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
/// counted as failing; the test fails if one of them starts to pass (remove it then). For a
/// response that differs by [`BUILTIN_TOOLS`], everything but those parts must still be equal.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "test_openai_responses/test_openai_include_raw_annotations_non_streaming.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_include_raw_annotations_non_streaming.1",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_include_raw_annotations_streaming.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_include_raw_annotations_streaming.0",
        "events",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_include_raw_annotations_streaming.1",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_include_raw_annotations_streaming.1",
        "events",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_code_execution_return_image.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_code_execution_return_image.1",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_code_execution_return_image_stream.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_code_execution_return_image_stream.0",
        "events",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_compact_stateful_mode.2",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_compact_stateful_mode_stream.2",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_compact_stateful_mode_stream.2",
        "events",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_image_generation_jpeg.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_builtin_tools_web_search.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_file_search_tool.3",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_file_search_tool.4",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_file_search_tool_stream.3",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_file_search_tool_stream.3",
        "events",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_file_search_tool_with_results.3",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_mcp_list_tools_stream_backfills_missing_results.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_mcp_list_tools_stream_backfills_missing_results.0",
        "events",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_mcp_server_tool.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_mcp_server_tool_stream.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_mcp_server_tool_stream.0",
        "events",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_mcp_server_tool_with_connector.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool.1",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool_stream.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool_stream.0",
        "events",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool_stream.1",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool_with_allowed_domains.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool_with_invalid_region.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool_with_user_location.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_model_web_search_tool_without_external_access.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_thinking_with_code_execution_tool.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_thinking_with_code_execution_tool_stream.0",
        "response",
        BUILTIN_TOOLS,
    ),
    (
        "test_openai_responses/test_openai_responses_thinking_with_code_execution_tool_stream.0",
        "events",
        BUILTIN_TOOLS,
    ),
];

const BUILTIN_TOOLS: &str = "the response holds built-in tool items (web search, file search, \
    code interpreter, image generation, MCP) or a compaction item, which pydantic-ai reads into \
    builtin-tool call/return, file and compaction parts; our message model has no such parts, \
    so the protocol leaves these items out with a warning";

/// The part kinds of built-in tools and compaction, which our message model does not have.
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

struct Cassette {
    interactions: Vec<Value>,
}

fn load_yaml(path: &Path) -> Cassette {
    let text = std::fs::read_to_string(path).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = docs
        .into_iter()
        .next()
        .map(yaml_to_json)
        .unwrap_or(Value::Null);
    let interactions = doc
        .get("interactions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Cassette { interactions }
}

fn yaml_to_json(yaml: yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match yaml {
        Yaml::Real(text) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::String(text), Value::Number),
        Yaml::Integer(i) => Value::from(i),
        Yaml::String(s) => Value::String(s),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Hash(hash) => {
            let mut map = Map::new();
            for (k, v) in hash {
                let key = match yaml_to_json(k) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                map.insert(key, yaml_to_json(v));
            }
            Value::Object(map)
        }
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

/// A plain SSE splitter for reading recordings (the runtime's decoder is `http::sse`): events
/// are separated by blank lines; `data:` lines are joined by `\n`.
fn split_sse(text: &str) -> Vec<(String, String)> {
    let mut events = Vec::new();
    let normalized = text.replace("\r\n", "\n");
    for block in normalized.split("\n\n") {
        let mut event = "message".to_owned();
        let mut data: Vec<&str> = Vec::new();
        for line in block.lines() {
            if let Some(rest) = line.strip_prefix("data:") {
                data.push(rest.strip_prefix(' ').unwrap_or(rest));
            } else if let Some(rest) = line.strip_prefix("event:") {
                event = rest.trim().to_owned();
            }
        }
        if !data.is_empty() {
            events.push((event, data.join("\n")));
        }
    }
    events
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

/// The oracle's normalisation, applied to our side: response timestamps made at replay time
/// and generated tool call ids.
fn normalise(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "timestamp" {
                    if let Some(text) = v.as_str() {
                        if is_recent(text) {
                            *v = Value::String("<timestamp>".into());
                        }
                    }
                } else if key == "tool_call_id"
                    && v.as_str().is_some_and(|s| s.starts_with("pyd_ai_"))
                {
                    *v = Value::String("<generated>".into());
                } else {
                    normalise(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

fn is_recent(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok_and(|t| {
        (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 3600
    })
}

#[derive(Default)]
struct Tally {
    checked: BTreeMap<&'static str, (usize, usize)>,
}

impl Tally {
    fn record(&mut self, aspect: &'static str, ok: bool) {
        let entry = self.checked.entry(aspect).or_default();
        entry.1 += 1;
        if ok {
            entry.0 += 1;
        }
    }
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

fn response_body(response: &Value) -> Vec<u8> {
    if let Some(parsed) = response.get("parsed_body") {
        return serde_json::to_vec(parsed).unwrap();
    }
    match response.get("body") {
        Some(Value::Object(body)) => body
            .get("string")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .as_bytes()
            .to_vec(),
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    }
}

fn status(response: &Value) -> u16 {
    response
        .get("status")
        .and_then(|s| s.get("code"))
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .unwrap_or(200)
}

/// Replays a recorded SSE body through `on_event`, as the HTTP layer does.
fn replay_stream(
    protocol: OpenAiResponses,
    body: &[u8],
    parts: PartsManager,
) -> (Vec<Value>, Value, Option<Error>) {
    let text = String::from_utf8(body.to_vec()).unwrap();
    let mut items: Vec<Option<(String, String)>> = split_sse(&text).into_iter().map(Some).collect();
    items.push(None); // end of body
    let mut state = <OpenAiResponses as Protocol>::StreamState::default();
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

/// The paths where two JSON values differ, with both values shortened.
fn diff(label: &str, oracle: &Value, ours: &Value) -> String {
    fn short(value: Option<&Value>) -> String {
        let text = value.map_or_else(|| "<absent>".to_owned(), Value::to_string);
        match text.char_indices().nth(160) {
            Some((at, _)) => format!("{}…", &text[..at]),
            None => text,
        }
    }
    fn walk(path: String, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<String>) {
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                let mut keys: Vec<&String> = x.keys().collect();
                keys.extend(y.keys().filter(|k| !x.contains_key(*k)));
                for key in keys {
                    walk(format!("{path}.{key}"), x.get(key), y.get(key), out);
                }
            }
            (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    walk(format!("{path}[{i}]"), Some(p), Some(q), out);
                }
            }
            (a, b) if a != b => out.push(format!("    {path}: {} != {}", short(a), short(b))),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(String::new(), Some(oracle), Some(ours), &mut out);
    out.truncate(12);
    format!("{label} (oracle != ours)\n{}", out.join("\n"))
}

fn apply_accepted(aspect: &str, streamed: bool, oracle: &mut Value, ours: &mut Value) {
    for accepted in ACCEPTED
        .iter()
        .filter(|a| a.aspect == aspect && (streamed || !a.streamed_only))
    {
        (accepted.apply)(oracle, ours);
    }
}

/// A comparison that did not match: where, which aspect, and the difference.
struct Failure {
    stem: String,
    aspect: &'static str,
    detail: String,
    /// For a response: whether it equals the oracle without its built-in tool parts.
    equal_without_builtin_parts: bool,
}

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
    let key = &it.key;
    let mut fail = |aspect: &'static str, detail: String, equal_without_builtin_parts: bool| {
        failures.push(Failure {
            stem: key.clone(),
            aspect,
            detail,
            equal_without_builtin_parts,
        });
    };
    let body = response_body(it.response);
    let recorded_status = status(it.response);

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
        let (events, response, error) = replay_stream(protocol, &body, parts);
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
                let expected_body = match &expected["body"] {
                    Value::String(s) => s.clone(),
                    Value::Object(o) => o
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    other => other.to_string(),
                };
                expected["exception"] == "ModelHTTPError"
                    && expected["status_code"].as_u64() == Some(u64::from(*status))
                    && body.contains(&expected_body)
            }
            _ => false,
        };
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
        match ours_response {
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
    if let (Some(mut expected), Some(ours)) = (events_oracle, ours_events) {
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

#[test]
fn openai_responses_matches_pydantic_ai_on_recorded_traffic() {
    let Some(fixtures) = support::shared_fixtures("openai_responses_conformance") else {
        return;
    };
    let index = read_json(&fixtures.join("oracle/index.json")).unwrap();
    let mut cassettes: BTreeMap<String, Cassette> = BTreeMap::new();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut not_covered = Vec::new();
    for entry in index["entries"].as_array().unwrap() {
        if entry["wire"] != "openai-responses" {
            continue;
        }
        let cassette = entry["cassette"].as_str().unwrap();
        let index = usize::try_from(entry["interaction"].as_u64().unwrap()).unwrap();
        let key = format!("{}.{index}", cassette.trim_end_matches(".yaml"));
        if entry["provider_api"] != "openai-responses" || entry["ok"] != true {
            // OpenRouter's `/responses`: pydantic-ai's oracle generator does not replay it.
            not_covered.push(key);
            continue;
        }
        let dir = cassette.split('/').next().unwrap().to_owned();
        let loaded = cassettes
            .entry(cassette.to_owned())
            .or_insert_with(|| load_yaml(&fixtures.join("cassettes").join(cassette)));
        let interaction = &loaded.interactions[index];
        let it = Interaction {
            oracle_stem: fixtures.join("oracle").join(&key),
            key,
            model_name: entry["model_name"].as_str().unwrap(),
            streaming: entry["streaming"].as_bool().unwrap(),
            tools: recorded_tools(&interaction["request"]),
            response: &interaction["response"],
        };
        check_interaction(&it, tallies.entry(dir).or_default(), &mut failures);
    }
    for (dir, tally) in &tallies {
        let counts: Vec<String> = tally
            .checked
            .iter()
            .map(|(aspect, (ok, total))| format!("{aspect} {ok}/{total}"))
            .collect();
        println!("{dir}: {}", counts.join(", "));
    }
    for key in &not_covered {
        println!("not covered by the oracle: {key}");
    }
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
            // Known, but the rest of the response must still be right.
            Some((_, "response", why))
                if *why == BUILTIN_TOOLS && !failure.equal_without_builtin_parts =>
            {
                unexpected.push(&failure.detail)
            }
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
const STREAM_WHOLE_ACCEPTED: &[(&str, &str, fn(&mut Value))] = &[
    (
        "thinking parts' signature",
        "OpenAI encrypts the reasoning anew for each event: the `encrypted_content` of \
         `response.output_item.done` (which the stream keeps, as pydantic-ai does) and of \
         `response.completed` are different ciphertexts of the same reasoning",
        |value| replace_in_parts(value, "signature", |_| Value::from("<encrypted>")),
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

/// The same recorded answer gives the same response streamed and whole: every streamed
/// recording is replayed, and its final event's response object is parsed as a whole body.
#[test]
fn recorded_streams_equal_their_final_responses_parsed_whole() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_streams_equal_their_final_responses_parsed_whole")
    else {
        return;
    };
    let index = read_json(&fixtures.join("cassettes/index.json")).unwrap();
    let mut checked = 0;
    let mut without_final = Vec::new();
    let mut failures = Vec::new();
    for file in index.as_array().unwrap() {
        let name = file["file"].as_str().unwrap();
        let mut cassette = None;
        for detail in file["interactions_detail"].as_array().unwrap() {
            if detail["wire"] != "openai-responses"
                || detail["provider_api"] != "openai-responses"
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
            let Some(whole) = final_response(&String::from_utf8(body.clone()).unwrap()) else {
                without_final.push(key);
                continue;
            };
            let model = interaction["request"]["parsed_body"]["model"]
                .as_str()
                .unwrap_or("model");
            let parts = PartsManager::new(model, &ModelRequestParameters::default())
                .with_provider("openai-responses", None);
            let (_, streamed, error) = replay_stream(protocol(), &body, parts);
            if let Some(error) = error {
                failures.push(format!("{key}: the stream failed: {error}"));
                continue;
            }
            let parsed = protocol()
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
            for value in [&mut parsed, &mut streamed] {
                for accepted in STREAM_WHOLE_ACCEPTED {
                    (accepted.2)(value);
                }
            }
            checked += 1;
            if parsed != streamed {
                failures.push(diff(&format!("{key} whole"), &parsed, &streamed));
            }
        }
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
