//! Reading the recorded traffic in `../shared/fixtures`: the cassettes (VCR YAML) and their
//! interactions, SSE bodies, the oracle's JSON files, and comparing our JSON with them.

use std::path::Path;

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

/// The body of a recorded response, as sent: the parsed JSON re-serialised, or the text.
pub fn response_body(response: &Value) -> Vec<u8> {
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

/// The status of a recorded response (200 when it is not recorded).
pub fn status(response: &Value) -> u16 {
    response
        .get("status")
        .and_then(|s| s.get("code"))
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .unwrap_or(200)
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
