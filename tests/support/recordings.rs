//! Reading the recorded traffic in `../shared/fixtures`: the cassettes (VCR YAML) and their
//! interactions, SSE bodies, the oracle's JSON files, and comparing our JSON with them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use llm_runtime::testing::RecordedResponse;
use serde_json::{Map, Value};

/// A recorded cassette: its interactions (request and response), as JSON.
pub struct Cassette {
    pub interactions: Vec<Value>,
}

/// Reads a cassette (pydantic-ai's VCR YAML).
pub fn load_yaml(path: &Path) -> Cassette {
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

/// A YAML value as JSON (keys that are not strings written as JSON text).
pub fn yaml_to_json(yaml: yaml_rust2::Yaml) -> Value {
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
pub fn split_sse(text: &str) -> Vec<(String, String)> {
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

/// The JSON of a file, `None` when there is no such file.
pub fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

/// The oracle's normalisation, applied to our side: response timestamps made at replay time
/// and generated tool call ids.
pub fn normalise(value: &mut Value) {
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

/// Whether `text` is an RFC 3339 time within the hour: one made at replay time.
pub fn is_recent(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok_and(|t| {
        (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 3600
    })
}

/// The body of a recorded (vcrpy) response, as sent: the parsed JSON re-serialised, the
/// text, or the bytes of a binary body (base64 in the cassette), as `llm_runtime::testing`
/// converts it.
pub fn response_body(response: &Value) -> Vec<u8> {
    RecordedResponse::from_vcrpy(response)
        .body_bytes()
        .expect("a recorded body")
}

/// The status of a recorded response (200 when it is not recorded).
pub fn status(response: &Value) -> u16 {
    RecordedResponse::from_vcrpy(response).status
}

/// The paths where two JSON values differ, with both values shortened.
pub fn diff(label: &str, oracle: &Value, ours: &Value) -> String {
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

/// The directory of a cassette path (`test_anthropic/x.yaml` gives `test_anthropic`).
pub fn directory(cassette: &str) -> String {
    cassette.split('/').next().unwrap_or(cassette).to_owned()
}

/// One interaction of the oracle's index (`oracle/index.json`), with its recording.
pub struct OracleEntry {
    /// The cassette's path under `cassettes/` (`test_openai/x.yaml`).
    pub cassette: String,
    /// The interaction's place in the cassette.
    pub index: usize,
    /// `<cassette stem>.<interaction>`, as the lists of known differences name it.
    pub key: String,
    /// The oracle files' common path, without `.json`.
    pub stem: PathBuf,
    /// The index entry (`provider_api`, `model_name`, `streaming`, `ok`…).
    pub entry: Value,
    /// The recorded interaction (`request`, `response`).
    pub interaction: Value,
}

impl OracleEntry {
    /// The entry's `model_name`.
    pub fn model_name(&self) -> &str {
        self.entry["model_name"].as_str().unwrap()
    }

    /// The entry's `provider_api`.
    pub fn provider_api(&self) -> &str {
        self.entry["provider_api"].as_str().unwrap()
    }

    /// Whether the interaction was streamed.
    pub fn streaming(&self) -> bool {
        self.entry["streaming"].as_bool().unwrap()
    }
}

/// The interactions of the `wire` protocol (`openai-chat`, `anthropic`…) that the oracle
/// covers, in the index's order, each cassette read once.
pub fn oracle_entries(fixtures: &Path, wire: &str) -> Vec<OracleEntry> {
    let index = read_json(&fixtures.join("oracle/index.json")).unwrap();
    let mut cassettes: BTreeMap<String, Cassette> = BTreeMap::new();
    let mut entries = Vec::new();
    for entry in index["entries"].as_array().unwrap() {
        if entry["wire"] != wire {
            continue;
        }
        let cassette = entry["cassette"].as_str().unwrap();
        let loaded = cassettes
            .entry(cassette.to_owned())
            .or_insert_with(|| load_yaml(&fixtures.join("cassettes").join(cassette)));
        let index = usize::try_from(entry["interaction"].as_u64().unwrap()).unwrap();
        let key = format!("{}.{index}", cassette.trim_end_matches(".yaml"));
        entries.push(OracleEntry {
            cassette: cassette.to_owned(),
            index,
            stem: fixtures.join("oracle").join(&key),
            key,
            entry: entry.clone(),
            interaction: loaded.interactions[index].clone(),
        });
    }
    entries
}

/// A streamed recording answered with 200, from the cassette index (`cassettes/index.json`).
pub struct RecordedStream {
    /// `<cassette stem>.<interaction>`.
    pub key: String,
    /// The index's `provider_api` of the interaction.
    pub provider_api: String,
    /// The recorded interaction (`request`, `response`).
    pub interaction: Value,
}

impl RecordedStream {
    /// The recorded response body (the SSE text).
    pub fn body(&self) -> Vec<u8> {
        response_body(&self.interaction["response"])
    }

    /// The model the request named (`model` of its body; `model` when there is none).
    pub fn model(&self) -> &str {
        self.interaction["request"]["parsed_body"]["model"]
            .as_str()
            .unwrap_or("model")
    }
}

/// The streamed recordings of the `wire` protocol answered with 200, in the cassettes of which
/// `in_scope` accepts the path (each cassette read once, only when it has one).
pub fn recorded_streams(
    fixtures: &Path,
    wire: &str,
    in_scope: impl Fn(&str) -> bool,
) -> Vec<RecordedStream> {
    let index = read_json(&fixtures.join("cassettes/index.json")).unwrap();
    let mut streams = Vec::new();
    for file in index.as_array().unwrap() {
        let name = file["file"].as_str().unwrap();
        if !in_scope(name) {
            continue;
        }
        let mut cassette = None;
        for detail in file["interactions_detail"].as_array().unwrap() {
            if detail["wire"] != wire || detail["streaming"] != true || detail["status"] != 200 {
                continue;
            }
            let cassette =
                cassette.get_or_insert_with(|| load_yaml(&fixtures.join("cassettes").join(name)));
            let i = usize::try_from(detail["index"].as_u64().unwrap()).unwrap();
            streams.push(RecordedStream {
                key: format!("{}.{i}", name.trim_end_matches(".yaml")),
                provider_api: detail["provider_api"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                interaction: cassette.interactions[i].clone(),
            });
        }
    }
    streams
}

/// A response as JSON made comparable with another of the same answer: normalised (see
/// [`normalise`]) and without the provider's name and URL, which the two may not share.
pub fn comparable(mut response: Value) -> Value {
    normalise(&mut response);
    if let Some(map) = response.as_object_mut() {
        map.remove("provider_name");
        map.remove("provider_url");
    }
    response
}

/// Compares the response a recorded stream gave with the one the whole answer it amounts to
/// gave. `known` is the reason they are known to differ, if they are: a difference not known,
/// or a known one that is gone, is added to `failures`.
pub fn compare_stream_with_whole(
    key: &str,
    whole: &Value,
    streamed: &Value,
    known: Option<&str>,
    failures: &mut Vec<String>,
) {
    match (whole == streamed, known) {
        (true, None) => {}
        (false, Some(why)) => println!("known: {key} -- {why}"),
        (true, Some(_)) => {
            failures.push(format!("{key} no longer differs: remove it from the list"))
        }
        (false, None) => failures.push(diff(&format!("{key} whole"), whole, streamed)),
    }
}

/// Why a suite replaying recordings through the driver accepts a cost where the oracle has
/// none (see [`unpriced`]).
pub const PRICED_WHY: &str = "the driver prices each response (Usage.cost, from genai-prices); \
     pydantic-ai's direct API leaves the cost null (its agent fills it in): cost_conformance.rs \
     checks ours against genai-prices";

/// Our response's `usage.cost` made `null` where the oracle's is: the driver prices the
/// responses it returns, pydantic-ai's direct API does not ([`PRICED_WHY`]).
pub fn unpriced(oracle: &Value, ours: &mut Value) {
    if oracle.pointer("/usage/cost") == Some(&Value::Null) {
        if let Some(cost) = ours.pointer_mut("/usage/cost") {
            *cost = Value::Null;
        }
    }
}
