//! The OpenAI Chat side of the conformance suites over `../shared/fixtures`, shared by the
//! offline suite (`openai_chat_conformance.rs`: bodies straight into the protocol) and the wire
//! suite (`hosts_wire_conformance.rs`: the same bodies over HTTP through the built-in hosts):
//! the host of each recording, the recorded function tools, the whole completion a stream
//! amounts to, the comparison of one interaction with the oracle, and the report.
//!
//! Every difference accepted is listed in [`ACCEPTED`] (or a suite's own list) with its reason;
//! comparisons known to differ are in [`KNOWN_DIFFERENCES`], and a suite fails when one of them
//! starts to pass.

use std::collections::BTreeMap;
use std::path::Path;

use llm_runtime::providers::openai::chat::OpenAiChat;
use llm_runtime::providers::{
    Cerebras, DeepSeek, Groq, HuggingFace, Mistral, Ollama, OpenAi, OpenRouter, Provider,
    ProviderBuilder,
};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::Error;
use serde_json::{Map, Value};

use super::conformance::{http_error_matches, judge, print_tallies, Failure, Known, Tally};
use super::recordings::{diff, normalise, read_json, split_sse};

/// The built-in host that served `provider_api` (the cassette index's name; `openai-chat` and
/// OpenAI-compatible servers of no built-in host are OpenAI's).
pub fn host(provider_api: &str) -> ProviderBuilder<OpenAiChat> {
    match provider_api {
        "groq" => Groq::builder(),
        "deepseek" => DeepSeek::builder(),
        "openrouter" => OpenRouter::builder(),
        "ollama" => Ollama::builder(),
        "cerebras" => Cerebras::builder(),
        "mistral" => Mistral::builder(),
        "huggingface" => HuggingFace::builder(),
        _ => OpenAi::builder(),
    }
}

/// That host as declared: a test key, its default base URL, nothing from the environment.
pub fn declared_host(provider_api: &str) -> Provider<OpenAiChat> {
    host(provider_api)
        .api_key("test")
        .build_with_env(|_| None)
        .expect("a built-in host with a key builds")
}

/// A difference from the oracle accepted on purpose.
pub struct Accepted {
    /// The `provider_api` it applies to (`*` for all).
    pub provider_api: &'static str,
    /// What is compared: `response`, `events` or `request`.
    pub aspect: &'static str,
    /// The difference.
    pub what: &'static str,
    /// Why it is accepted.
    pub why: &'static str,
    /// Removes the difference from both sides (oracle, ours).
    pub apply: fn(&mut Value, &mut Value),
}

/// Marks pydantic-ai's GroqModel does not put on thinking parts.
pub fn clear_thinking_marks(value: &mut Value) {
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
pub fn remove_if(object: &mut Value, key: &str, values: &[Value]) {
    if let Some(map) = object.as_object_mut() {
        if map.get(key).is_some_and(|v| values.contains(v)) {
            map.remove(key);
        }
    }
}

/// Differences accepted in both suites.
pub const ACCEPTED: &[Accepted] = &[
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
];

/// Comparisons known to differ, by oracle file stem and aspect, with the reason. They are
/// counted as failing; the test fails if one of them starts to pass (remove it then).
pub const KNOWN_DIFFERENCES: &[Known] = &[];

/// The function tools of a recorded request, as the oracle passed them.
pub fn recorded_tools(request: &Value) -> Vec<ToolDefinition> {
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

/// Applies the accepted differences of `provider_api` for `aspect`: the shared ones, then
/// `extra` (a suite's own).
pub fn apply_accepted(
    provider_api: &str,
    aspect: &str,
    extra: &[Accepted],
    oracle: &mut Value,
    ours: &mut Value,
) {
    for accepted in ACCEPTED.iter().chain(extra) {
        if (accepted.provider_api == "*" || accepted.provider_api == provider_api)
            && accepted.aspect == aspect
        {
            (accepted.apply)(oracle, ours);
        }
    }
}

/// Assembles the whole completion a recorded stream amounts to (content, reasoning fields,
/// refusal and tool-call fragments concatenated; the last finish reason and usage), or `None`
/// when the stream cannot be assembled (it reports an error, or sends content chunks).
pub fn assemble(sse: &str) -> Option<Value> {
    let mut top = Map::new();
    let mut texts: BTreeMap<&str, String> = BTreeMap::new();
    let mut calls: BTreeMap<u64, (Value, String, String)> = BTreeMap::new();
    let mut finish = Value::Null;
    let mut details: Vec<Value> = Vec::new();
    let mut annotations: Vec<Value> = Vec::new();
    let mut executed: BTreeMap<u64, Value> = BTreeMap::new();
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
        for detail in delta
            .get("reasoning_details")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            merge_reasoning_detail(&mut details, detail);
        }
        if let Some(list) = delta.get("annotations").and_then(Value::as_array) {
            annotations.extend(list.iter().cloned());
        }
        for tool in delta
            .get("executed_tools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // Announced, then repeated with its results: the last one is the whole search.
            let index = tool.get("index").and_then(Value::as_u64)?;
            executed.insert(index, tool.clone());
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
    if !details.is_empty() {
        message.insert("reasoning_details".into(), Value::Array(details));
    }
    if !annotations.is_empty() {
        message.insert("annotations".into(), Value::Array(annotations));
    }
    if !executed.is_empty() {
        message.insert(
            "executed_tools".into(),
            Value::Array(executed.into_values().collect()),
        );
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

/// Merges a streamed reasoning detail into the details so far: one of the same type and index
/// grows (its text or summary appended, its signature, data and id replaced when given), as
/// OpenRouter streams them; another is added.
fn merge_reasoning_detail(details: &mut Vec<Value>, detail: &Value) {
    let same = |d: &&mut Value| {
        d.get("type") == detail.get("type")
            && d.get("index").is_some()
            && d.get("index") == detail.get("index")
    };
    let Some(existing) = details.iter_mut().find(same) else {
        details.push(detail.clone());
        return;
    };
    for key in ["text", "summary"] {
        if let Some(Value::String(more)) = detail.get(key) {
            let grown = format!(
                "{}{more}",
                existing.get(key).and_then(Value::as_str).unwrap_or("")
            );
            existing[key] = Value::String(grown);
        }
    }
    for key in ["signature", "data", "id", "format"] {
        if let Some(value) = detail.get(key).filter(|v| !v.is_null()) {
            existing[key] = value.clone();
        }
    }
}

/// Streamed recordings whose assembled whole response differs from the streamed one, with
/// the reason.
pub const STREAM_WHOLE_DIFFERENCES: &[(&str, &str)] = &[
    (
        "test_groq/test_groq_model_thinking_part_iter.0",
        LEADING_WHITESPACE,
    ),
    (
        "test_groq/test_groq_model_web_search_tool_stream.0",
        REASONING_SPLIT_BY_SEARCH,
    ),
];

/// A reason for differences listed above.
pub const REASONING_SPLIT_BY_SEARCH: &str = "a stream shows where Groq's server-side search \
    interrupted the reasoning, so the reasoning after it is a new thinking part (as pydantic-ai's \
    GroqModel streams it); a whole message carries the reasoning as one text before the searches";

/// A reason for differences listed above.
pub const LEADING_WHITESPACE: &str = "the stream drops the whitespace-only text that follows the \
    reasoning of an R1-family model (pydantic-ai's `ignore_streamed_leading_whitespace`), which a \
    whole response keeps, as in pydantic-ai";

/// One recorded interaction being compared with its oracle files.
pub struct Check<'a> {
    /// `<cassette stem>.<interaction>`, as [`KNOWN_DIFFERENCES`] names it.
    pub key: String,
    pub provider_api: &'a str,
    /// The oracle files' common path, without `.json`.
    pub stem: String,
    /// The suite's own accepted differences.
    pub extra: &'a [Accepted],
}

impl Check<'_> {
    fn fail(&self, failures: &mut Vec<Failure>, aspect: &'static str, detail: String) {
        failures.push(Failure::new(&self.key, aspect, detail));
    }

    /// The oracle's `.request.json`, if there is one.
    pub fn expected_request(&self) -> Option<Value> {
        read_json(Path::new(&format!("{}.request.json", self.stem)))
    }

    /// Compares the request body we built (or sent) with `expected`.
    pub fn request(
        &self,
        mut expected: Value,
        mut ours: Value,
        tally: &mut Tally,
        failures: &mut Vec<Failure>,
    ) {
        apply_accepted(
            self.provider_api,
            "request",
            self.extra,
            &mut expected,
            &mut ours,
        );
        let ok = expected == ours;
        tally.record("request", ok);
        if !ok {
            let detail = diff(&format!("{} request", self.key), &expected, &ours);
            self.fail(failures, "request", detail);
        }
    }

    /// Compares what we made of the response (a `ModelResponse` as JSON, the stream events,
    /// or an error) with the oracle's `.json`, `.events.json` or `.error.json`.
    pub fn outcome(
        &self,
        ours_response: Option<Value>,
        ours_events: Option<Vec<Value>>,
        ours_error: Option<&Error>,
        tally: &mut Tally,
        failures: &mut Vec<Failure>,
    ) {
        let stem = &self.stem;
        let key = &self.key;
        let error_oracle = read_json(Path::new(&format!("{stem}.error.json")));
        let response_oracle = read_json(Path::new(&format!("{stem}.json")));
        let events_oracle = read_json(Path::new(&format!("{stem}.events.json")));
        if let Some(expected) = error_oracle {
            let ok = ours_error.is_some_and(|error| http_error_matches(&expected, error));
            tally.record("error", ok);
            if !ok {
                let detail = format!("{key} error\n  oracle: {expected}\n  ours:   {ours_error:?}");
                self.fail(failures, "error", detail);
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
                    apply_accepted(
                        self.provider_api,
                        "response",
                        self.extra,
                        &mut expected,
                        &mut ours,
                    );
                    let ok = expected == ours;
                    tally.record("response", ok);
                    if !ok {
                        let detail = diff(&format!("{key} response"), &expected, &ours);
                        self.fail(failures, "response", detail);
                    }
                }
                _ => {
                    tally.record("response", false);
                    self.fail(
                        failures,
                        "response",
                        format!("{key} response: error {ours_error:?}"),
                    );
                }
            }
        }
        if let (Some(mut expected), Some(ours)) = (events_oracle, ours_events) {
            let mut ours = Value::Array(ours);
            normalise(&mut ours);
            apply_accepted(
                self.provider_api,
                "events",
                self.extra,
                &mut expected,
                &mut ours,
            );
            let ok = expected == ours;
            tally.record("events", ok);
            if !ok {
                let detail = diff(&format!("{key} events"), &expected, &ours);
                self.fail(failures, "events", detail);
            }
        }
    }
}

/// Prints the counts per directory, the accepted and known differences and every other
/// difference; fails when a comparison differs unexpectedly or a known difference of the
/// directories checked no longer does.
pub fn report(tallies: &BTreeMap<String, Tally>, failures: &[Failure], extra: &[Accepted]) {
    print_tallies(tallies);
    for accepted in ACCEPTED.iter().chain(extra) {
        println!(
            "accepted ({} {}): {} -- {}",
            accepted.provider_api, accepted.aspect, accepted.what, accepted.why
        );
    }
    let known: Vec<Known> = KNOWN_DIFFERENCES
        .iter()
        .filter(|(stem, _, _)| {
            tallies
                .keys()
                .any(|dir| stem.starts_with(&format!("{dir}/")))
        })
        .copied()
        .collect();
    judge(failures, &known, None);
}
