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
//! Every difference accepted is listed in [`ACCEPTED`] with its reason; everything else must be
//! equal. The counts per directory are printed.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use futures::StreamExt;
use llm_runtime::messages::{ModelMessage, ModelRequest};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::openai_chat::OpenAiChat;
use llm_runtime::providers::{
    Cerebras, DeepSeek, Flow, Groq, Mistral, Ollama, OpenAi, OpenRouter, PreparedRequest, Protocol,
    SseEvent,
};
use llm_runtime::settings::ModelSettings;
use llm_runtime::stream::{PartsManager, StreamedResponse};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::Error;
use serde_json::{Map, Value};

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

/// The protocol of the built-in host that served `provider_api`, as its `#[provider]` item
/// declares it and as the provider built from it names it (`provider_name` in the oracle).
fn protocol_for(provider_api: &str) -> OpenAiChat {
    let builder = match provider_api {
        "groq" => Groq::builder(),
        "deepseek" => DeepSeek::builder(),
        "openrouter" => OpenRouter::builder(),
        "ollama" => Ollama::builder(),
        "cerebras" => Cerebras::builder(),
        "mistral" => Mistral::builder(),
        _ => OpenAi::builder(),
    };
    builder
        .api_key("test")
        .build_with_env(|_| None)
        .expect("a built-in host with a key builds")
        .protocol()
        .clone()
}

/// The provider name of a host, as pydantic-ai's provider objects name them.
fn provider_name(provider_api: &str) -> &'static str {
    match provider_api {
        "groq" => "groq",
        "deepseek" => "deepseek",
        "openrouter" => "openrouter",
        "ollama" => "ollama",
        "cerebras" => "cerebras",
        "mistral" => "mistral",
        _ => "openai",
    }
}

/// A difference from the oracle accepted on purpose.
struct Accepted {
    /// The `provider_api` it applies to (`*` for all).
    provider_api: &'static str,
    /// What is compared: `response`, `events` or `request`.
    aspect: &'static str,
    /// The difference.
    what: &'static str,
    /// Why it is accepted.
    why: &'static str,
    /// Removes the difference from both sides (oracle, ours).
    apply: fn(&mut Value, &mut Value),
}

/// Marks pydantic-ai's GroqModel does not put on thinking parts.
fn clear_thinking_marks(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("part_kind").and_then(Value::as_str) == Some("thinking") {
                map.insert("id".into(), Value::Null);
                map.insert("provider_name".into(), Value::Null);
            }
            map.values_mut().for_each(clear_thinking_marks);
        }
        Value::Array(items) => items.iter_mut().for_each(clear_thinking_marks),
        _ => {}
    }
}

/// Removes `key` from `object` when its value is one of `values`.
fn remove_if(object: &mut Value, key: &str, values: &[Value]) {
    if let Some(map) = object.as_object_mut() {
        if map.get(key).is_some_and(|v| values.contains(v)) {
            map.remove(key);
        }
    }
}

const ACCEPTED: &[Accepted] = &[
    Accepted {
        provider_api: "groq",
        aspect: "request",
        what: "n: 1",
        why: "pydantic-ai's GroqModel goes through the groq SDK, which always sends `n: 1`, the \
              API's default",
        apply: |oracle, _| remove_if(oracle, "n", &[Value::from(1)]),
    },
    Accepted {
        provider_api: "groq",
        aspect: "response",
        what: "thinking parts' id and provider_name",
        why: "pydantic-ai's GroqModel leaves them unset; the Chat protocol marks reasoning with \
              its field (or `content` for <think> tags) and provider as OpenAIChatModel does, \
              which decides how it is sent back",
        apply: |_, ours| clear_thinking_marks(ours),
    },
    Accepted {
        provider_api: "groq",
        aspect: "events",
        what: "thinking parts' id and provider_name",
        why: "as for the response",
        apply: |_, ours| clear_thinking_marks(ours),
    },
    Accepted {
        provider_api: "mistral",
        aspect: "request",
        what: "top_p 1.0, n 1, and null stop/presence_penalty/frequency_penalty/top_p",
        why: "pydantic-ai's MistralModel goes through the mistralai SDK, which writes these \
              defaults and nulls; the Chat protocol leaves unset settings out",
        apply: |oracle, _| {
            remove_if(oracle, "n", &[Value::from(1)]);
            remove_if(oracle, "top_p", &[Value::from(1.0), Value::Null]);
            for key in ["stop", "presence_penalty", "frequency_penalty"] {
                remove_if(oracle, key, &[Value::Null]);
            }
        },
    },
    Accepted {
        provider_api: "cerebras",
        aspect: "request",
        what: "clear_thinking: false",
        why: "pydantic-ai's CerebrasModel adds this Cerebras field for zai-glm models; it is a \
              model-specific extra of the Cerebras host, not of the Chat protocol",
        apply: |oracle, _| remove_if(oracle, "clear_thinking", &[Value::Bool(false)]),
    },
    Accepted {
        provider_api: "openrouter",
        aspect: "response",
        what: "provider_details: downstream_provider, costs, is_byok, server_tool_use, and the \
               native finish reason",
        why: "pydantic-ai's OpenRouterModel adds OpenRouter's own fields (`provider`, \
              `usage.cost*`, `native_finish_reason`); they belong to the OpenRouter host, not to \
              the Chat protocol. The normalised finish_reason is still compared",
        apply: |oracle, ours| {
            let ours_finish = ours.pointer("/provider_details/finish_reason").cloned();
            if let Some(details) = oracle
                .get_mut("provider_details")
                .and_then(Value::as_object_mut)
            {
                for key in [
                    "downstream_provider",
                    "cost",
                    "upstream_inference_cost",
                    "upstream_inference_prompt_cost",
                    "upstream_inference_completions_cost",
                    "is_byok",
                    "server_tool_use",
                ] {
                    details.remove(key);
                }
                if let Some(finish) = ours_finish {
                    details.insert("finish_reason".into(), finish);
                }
            }
            // OpenRouterModel moves `usage.cost` out of the counts.
            if oracle.pointer("/usage/details/cost").is_none() {
                if let Some(details) = ours
                    .pointer_mut("/usage/details")
                    .and_then(Value::as_object_mut)
                {
                    details.remove("cost");
                }
            }
        },
    },
    Accepted {
        provider_api: "*",
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
        provider_api: "*",
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
];

/// Comparisons known to differ, by oracle file stem and aspect, with the reason. They are
/// counted as failing; the test fails if one of them starts to pass (remove it then).
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "test_groq/test_groq_model_web_search_tool.0",
        "response",
        GROQ_EXECUTED_TOOLS,
    ),
    (
        "test_groq/test_groq_model_web_search_tool_stream.0",
        "response",
        GROQ_EXECUTED_TOOLS,
    ),
    (
        "test_groq/test_groq_model_web_search_tool_stream.0",
        "events",
        GROQ_EXECUTED_TOOLS,
    ),
    (
        "test_groq/test_groq_web_search_tool_domain_filters.0",
        "response",
        GROQ_EXECUTED_TOOLS,
    ),
    (
        "test_groq/test_tool_use_failed_error.0",
        "response",
        GROQ_TOOL_USE_FAILED,
    ),
    (
        "test_groq/test_tool_use_failed_error_with_text.0",
        "response",
        GROQ_TOOL_USE_FAILED,
    ),
    (
        "test_groq/test_tool_use_failed_error_streaming.0",
        "response",
        GROQ_TOOL_USE_FAILED,
    ),
    (
        "test_groq/test_tool_use_failed_error_streaming.0",
        "events",
        GROQ_TOOL_USE_FAILED,
    ),
    (
        "test_groq/test_tool_use_failed_error_streaming_with_text.0",
        "response",
        GROQ_TOOL_USE_FAILED,
    ),
    (
        "test_groq/test_tool_use_failed_error_streaming_with_text.0",
        "events",
        GROQ_TOOL_USE_FAILED,
    ),
    (
        "test_openrouter/test_eager_input_streaming_sent_to_openrouter[non-anthropic-enabled].0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_file_annotation.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_map_messages_reasoning.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_preserve_reasoning_block.1",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_stream_error.0",
        "events",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_stream_with_native_options.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_stream_with_native_options.0",
        "events",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_stream_with_reasoning.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_stream_with_reasoning.0",
        "events",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_streaming_reasoning.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_streaming_reasoning.0",
        "events",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_thinking_high_emits_effort_high.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_thinking_true_emits_effort_medium.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_usage.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_usage.1",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_web_search_tool_full_params.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_with_reasoning.0",
        "response",
        OPENROUTER_REASONING_DETAILS,
    ),
    (
        "test_openrouter/test_openrouter_web_search_annotations.0",
        "response",
        OPENROUTER_ANNOTATIONS,
    ),
    (
        "test_openrouter/test_openrouter_web_search_annotations_stream.0",
        "response",
        OPENROUTER_ANNOTATIONS,
    ),
    (
        "test_openrouter/test_openrouter_google_nested_schema.0",
        "request",
        OPENROUTER_GOOGLE_SCHEMA,
    ),
    (
        "test_openrouter/test_openrouter_google_nested_schema.1",
        "request",
        OPENROUTER_GOOGLE_SCHEMA,
    ),
];

const GROQ_EXECUTED_TOOLS: &str = "Groq's `executed_tools` (its server-side web search) become \
    builtin-tool call/return parts in pydantic-ai's GroqModel; our message model has no builtin-tool \
    parts yet, so the Chat protocol reads the reasoning, text and tool calls only";
const GROQ_TOOL_USE_FAILED: &str = "pydantic-ai's GroqModel turns Groq's `tool_use_failed` 400 \
    error into a response carrying the failed generation (a Groq-specific retry aid); the Chat \
    protocol reports the HTTP 400 error it is";
const OPENROUTER_REASONING_DETAILS: &str = "pydantic-ai's OpenRouterModel reads OpenRouter's \
    `reasoning_details` (encrypted reasoning, signatures, per-part provider_details); the Chat \
    protocol reads the `reasoning` text only: an OpenRouter host function to add";
const OPENROUTER_ANNOTATIONS: &str = "pydantic-ai's OpenRouterModel keeps `message.annotations` \
    (web-search citations) in provider_details; OpenAIChatModel and the Chat protocol do not";
const OPENROUTER_GOOGLE_SCHEMA: &str = "pydantic-ai sends OpenRouter's google/* models schemas \
    through its Google transformer (no `additionalProperties`); the OpenRouter host uses OpenAI's";

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

/// A temporary SSE splitter (the real decoder is `http::sse`): events are separated by blank
/// lines; `data:` lines are joined by `\n`.
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

struct Interaction<'a> {
    cassette: &'a str,
    index: usize,
    provider_api: &'a str,
    model_name: &'a str,
    streaming: bool,
    tools: Vec<ToolDefinition>,
    response: &'a Value,
    oracle_stem: std::path::PathBuf,
}

fn recorded_tools(request: &Value) -> Vec<ToolDefinition> {
    let mut tools = Vec::new();
    for tool in request
        .get("parsed_body")
        .and_then(|b| b.get("tools"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(function) = tool
            .get("function")
            .filter(|_| tool.get("type") == Some(&Value::from("function")))
        else {
            continue;
        };
        let name = function["name"].as_str().unwrap().to_owned();
        // As pydantic-ai's prepare step does for the `text` output mode, `final_result*` output
        // tools are not sent.
        if name.starts_with("final_result") {
            continue;
        }
        let mut def = ToolDefinition::new(name);
        def.description = function
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(parameters) = function.get("parameters").filter(|p| !p.is_null()) {
            def.parameters_json_schema = parameters.clone();
        }
        def.strict = function.get("strict").and_then(Value::as_bool);
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

/// Replays a recorded SSE body through `on_event`, as the HTTP layer will.
fn replay_stream(
    protocol: OpenAiChat,
    body: &[u8],
    parts: PartsManager,
) -> (Vec<Value>, Value, Option<Error>) {
    let text = String::from_utf8(body.to_vec()).unwrap();
    let mut items: Vec<Option<(String, String)>> = split_sse(&text).into_iter().map(Some).collect();
    items.push(None); // end of body
    let mut state = <OpenAiChat as Protocol>::StreamState::default();
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

fn apply_accepted(provider_api: &str, aspect: &str, oracle: &mut Value, ours: &mut Value) {
    for accepted in ACCEPTED {
        if (accepted.provider_api == "*" || accepted.provider_api == provider_api)
            && accepted.aspect == aspect
        {
            (accepted.apply)(oracle, ours);
        }
    }
}

/// A comparison that did not match: where, which aspect, and the difference.
struct Failure {
    stem: String,
    aspect: &'static str,
    detail: String,
}

fn check_interaction(it: &Interaction<'_>, tally: &mut Tally, failures: &mut Vec<Failure>) {
    let protocol = protocol_for(it.provider_api);
    let parameters = ModelRequestParameters {
        function_tools: it.tools.clone(),
        ..Default::default()
    };
    let stem = it.oracle_stem.display().to_string();
    let key = format!("{}.{}", it.cassette.trim_end_matches(".yaml"), it.index);
    let mut fail = |aspect: &'static str, detail: String| {
        failures.push(Failure {
            stem: key.clone(),
            aspect,
            detail,
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
        apply_accepted(it.provider_api, "request", &mut expected, &mut ours);
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
                let expected_status = expected["status_code"].as_u64();
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
                    && expected_status == Some(u64::from(*status))
                    && body.contains(&expected_body)
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
                apply_accepted(it.provider_api, "response", &mut expected, &mut ours);
                let ok = expected == ours;
                tally.record("response", ok);
                if !ok {
                    fail(
                        "response",
                        diff(&format!("{key} response"), &expected, &ours),
                    );
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
        apply_accepted(it.provider_api, "events", &mut expected, &mut ours);
        let ok = expected == ours;
        tally.record("events", ok);
        if !ok {
            fail("events", diff(&format!("{key} events"), &expected, &ours));
        }
    }
}

/// Assembles the whole completion a recorded stream amounts to (content, reasoning fields,
/// refusal and tool-call fragments concatenated; the last finish reason and usage), or `None`
/// when the stream cannot be assembled (it reports an error, or sends content chunks).
fn assemble(sse: &str) -> Option<Value> {
    let mut top = Map::new();
    let mut texts: BTreeMap<&str, String> = BTreeMap::new();
    let mut calls: BTreeMap<u64, (Value, String, String)> = BTreeMap::new();
    let mut finish = Value::Null;
    for (_, data) in split_sse(sse) {
        let data = data.trim();
        if data == "[DONE]" {
            break;
        }
        let chunk: Value = serde_json::from_str(data).ok()?;
        if chunk.get("error").is_some_and(|e| !e.is_null()) {
            return None;
        }
        if let Some(moderation) = chunk.get("moderation").filter(|m| !m.is_null()) {
            top.insert("moderation".into(), moderation.clone());
        }
        for key in ["id", "model"] {
            if let Some(v) = chunk
                .get(key)
                .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
            {
                top.insert(key.into(), v.clone());
            }
        }
        if !top.contains_key("created") {
            if let Some(created) = chunk
                .get("created")
                .filter(|c| c.as_f64().is_some_and(|c| c != 0.0))
            {
                top.insert("created".into(), created.clone());
            }
        }
        let usage = chunk
            .get("usage")
            .filter(|u| !u.is_null())
            .or_else(|| chunk.pointer("/x_groq/usage"));
        if let Some(usage) = usage {
            top.insert("usage".into(), usage.clone());
        }
        let Some(choice) = chunk.pointer("/choices/0") else {
            continue;
        };
        if let Some(reason) = choice
            .get("finish_reason")
            .filter(|r| r.as_str().is_some_and(|r| !r.is_empty()))
        {
            finish = reason.clone();
        }
        let Some(delta) = choice.get("delta") else {
            continue;
        };
        for field in ["content", "reasoning", "reasoning_content", "refusal"] {
            match delta.get(field) {
                Some(Value::String(text)) => texts.entry(field).or_default().push_str(text),
                None | Some(Value::Null) => {}
                Some(_) => return None,
            }
        }
        for call in delta
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let entry = calls.entry(call.get("index")?.as_u64()?).or_insert((
                Value::Null,
                String::new(),
                String::new(),
            ));
            if let Some(id) = call.get("id").filter(|id| !id.is_null()) {
                entry.0 = id.clone();
            }
            if let Some(name) = call.pointer("/function/name").and_then(Value::as_str) {
                entry.1.push_str(name);
            }
            match call.pointer("/function/arguments") {
                Some(Value::String(args)) => entry.2.push_str(args),
                None | Some(Value::Null) => {}
                Some(_) => return None,
            }
        }
    }
    let mut message = Map::new();
    message.insert("role".into(), Value::from("assistant"));
    message.insert(
        "content".into(),
        texts.remove("content").map_or(Value::Null, Value::from),
    );
    for (field, text) in texts {
        message.insert(field.into(), Value::from(text));
    }
    if !calls.is_empty() {
        let calls: Vec<Value> = calls
            .into_values()
            .map(|(id, name, args)| {
                serde_json::json!({"id": id, "type": "function",
                                   "function": {"name": name, "arguments": args}})
            })
            .collect();
        message.insert("tool_calls".into(), Value::Array(calls));
    }
    top.insert(
        "choices".into(),
        serde_json::json!([{"index": 0, "message": message, "finish_reason": finish}]),
    );
    Some(Value::Object(top))
}

/// Streamed recordings whose assembled whole response differs from the streamed one, with
/// the reason.
const STREAM_WHOLE_DIFFERENCES: &[(&str, &str)] = &[(
    "test_groq/test_groq_model_thinking_part_iter.0",
    LEADING_WHITESPACE,
)];

const LEADING_WHITESPACE: &str = "the stream drops the whitespace-only text that follows the \
    reasoning of an R1-family model (pydantic-ai's `ignore_streamed_leading_whitespace`), which a \
    whole response keeps, as in pydantic-ai";

/// The same recorded answer gives the same response streamed and whole: every streamed
/// recording is assembled into the whole completion it amounts to and parsed.
#[test]
fn recorded_streams_equal_their_assembled_whole_responses() {
    let Some(fixtures) =
        support::shared_fixtures("recorded_streams_equal_their_assembled_whole_responses")
    else {
        return;
    };
    let index = read_json(&fixtures.join("cassettes/index.json")).unwrap();
    let mut checked = 0;
    let mut skipped = 0;
    let mut failures = Vec::new();
    for file in index.as_array().unwrap() {
        let name = file["file"].as_str().unwrap();
        if !DIRECTORIES
            .iter()
            .any(|d| name.starts_with(&format!("{d}/")))
        {
            continue;
        }
        let mut cassette = None;
        for detail in file["interactions_detail"].as_array().unwrap() {
            if detail["wire"] != "openai-chat"
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
            let sse = String::from_utf8(body.clone()).unwrap();
            let Some(whole) = assemble(&sse) else {
                skipped += 1;
                continue;
            };
            let provider_api = detail["provider_api"].as_str().unwrap();
            let model = interaction["request"]["parsed_body"]["model"]
                .as_str()
                .unwrap_or("model");
            let protocol = protocol_for(provider_api);
            let parts = PartsManager::new(model, &ModelRequestParameters::default())
                .with_provider(provider_name(provider_api), None);
            let (_, streamed, error) = replay_stream(protocol.clone(), &body, parts);
            let key = format!("{}.{i}", name.trim_end_matches(".yaml"));
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
            let known = STREAM_WHOLE_DIFFERENCES.iter().find(|(k, _)| *k == key);
            match (parsed == streamed, known) {
                (true, None) => {}
                (false, Some((_, why))) => println!("known: {key} -- {why}"),
                (true, Some(_)) => {
                    failures.push(format!("{key} no longer differs: remove it from the list"))
                }
                (false, None) => failures.push(diff(&format!("{key} whole"), &parsed, &streamed)),
            }
        }
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
    let index = read_json(&fixtures.join("oracle/index.json")).unwrap();
    let mut cassettes: BTreeMap<String, Cassette> = BTreeMap::new();
    let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in index["entries"].as_array().unwrap() {
        if entry["wire"] != "openai-chat" {
            continue;
        }
        let cassette = entry["cassette"].as_str().unwrap();
        let Some(dir) = DIRECTORIES
            .iter()
            .copied()
            .find(|d| cassette.starts_with(&format!("{d}/")))
        else {
            continue;
        };
        let loaded = cassettes
            .entry(cassette.to_owned())
            .or_insert_with(|| load_yaml(&fixtures.join("cassettes").join(cassette)));
        let index = usize::try_from(entry["interaction"].as_u64().unwrap()).unwrap();
        let interaction = &loaded.interactions[index];
        let stem = fixtures
            .join("oracle")
            .join(format!("{}.{index}", cassette.trim_end_matches(".yaml")));
        let it = Interaction {
            cassette,
            index,
            provider_api: entry["provider_api"].as_str().unwrap(),
            model_name: entry["model_name"].as_str().unwrap(),
            streaming: entry["streaming"].as_bool().unwrap(),
            tools: recorded_tools(&interaction["request"]),
            response: &interaction["response"],
            oracle_stem: stem,
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
    for accepted in ACCEPTED {
        println!(
            "accepted ({} {}): {} -- {}",
            accepted.provider_api, accepted.aspect, accepted.what, accepted.why
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
