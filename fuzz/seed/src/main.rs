//! `llm-runtime-fuzz-seed FIXTURES CORPUS`: writes a seed corpus per fuzz target into
//! `CORPUS/<target>/` from the cassettes, oracle outputs and histories under `FIXTURES`
//! (`../shared/fixtures`). Each seed starts with the byte the target reads first (a chunking
//! seed or a protocol pick), as the target expects.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::Value;

/// The protocol a recorded interaction speaks, by the index's `wire`, as the targets name it
/// (and the byte `stream_translation` picks it by).
fn protocol(wire: &str, uri: &str) -> Option<(&'static str, u8)> {
    Some(match wire {
        "openai-chat" => ("chat", 0),
        "openai-responses" => ("responses", 1),
        "anthropic" => ("anthropic", 2),
        "gemini" => ("gemini", 3),
        "bedrock-converse" => ("bedrock", 4),
        "cohere" => ("cohere", 5),
        _ if uri.contains("cohere.com") => ("cohere", 5),
        _ => return None,
    })
}

struct Corpus {
    root: PathBuf,
    counts: BTreeMap<String, usize>,
}

impl Corpus {
    /// A seed of `target`: `first` (the byte the target reads first), then `body`.
    fn add(&mut self, target: &str, first: u8, body: &[u8]) {
        let mut seed = Vec::with_capacity(body.len() + 1);
        seed.push(first);
        seed.extend_from_slice(body);
        self.add_raw(target, &seed);
    }

    /// A seed of `target` that is `body` as it is (for targets that read their input whole).
    fn add_raw(&mut self, target: &str, body: &[u8]) {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let n = self.counts.entry(target.to_owned()).or_default();
        *n += 1;
        let path = dir.join(format!("seed-{n:05}"));
        fs::write(&path, body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
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
        Yaml::Hash(hash) => Value::Object(
            hash.into_iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

/// The events of an AWS event-stream body as SSE text (`event: <type>`, the payload as data),
/// without checking CRCs: recorded bodies are whole.
fn eventstream_as_sse(body: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = body;
    while rest.len() >= 16 {
        let total = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let headers_len = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        if total < 16 + headers_len || total > rest.len() {
            break;
        }
        let headers = &rest[12..12 + headers_len];
        let payload = &rest[12 + headers_len..total - 4];
        let mut name = String::from("message");
        let mut exception = false;
        let mut h = headers;
        while let Some((&len, tail)) = h.split_first() {
            let len = usize::from(len);
            if tail.len() < len + 3 {
                break;
            }
            let key = String::from_utf8_lossy(&tail[..len]).into_owned();
            let tail = &tail[len..];
            if tail[0] != 7 {
                break;
            }
            let vlen = usize::from(u16::from_be_bytes([tail[1], tail[2]]));
            let Some(value) = tail.get(3..3 + vlen) else {
                break;
            };
            let value = String::from_utf8_lossy(value).into_owned();
            match key.as_str() {
                ":event-type" => name = value,
                ":exception-type" => {
                    name = value;
                    exception = true;
                }
                _ => {}
            }
            h = &tail[3 + vlen..];
        }
        let prefix = if exception { "!" } else { "" };
        out.push_str(&format!(
            "event: {prefix}{name}\ndata: {}\n\n",
            String::from_utf8_lossy(payload)
        ));
        rest = &rest[total..];
    }
    out
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(fixtures), Some(root)) = (args.next(), args.next()) else {
        eprintln!("usage: llm-runtime-fuzz-seed FIXTURES CORPUS");
        std::process::exit(2);
    };
    let fixtures = PathBuf::from(fixtures);
    let mut corpus = Corpus {
        root: PathBuf::from(root),
        counts: BTreeMap::new(),
    };
    cassettes(&fixtures, &mut corpus);
    histories(&fixtures, &mut corpus);
    for (target, n) in &corpus.counts {
        println!("{target}: {n} seeds");
    }
}

fn cassettes(fixtures: &Path, corpus: &mut Corpus) {
    let index = fixtures.join("cassettes/index.json");
    let index: Value = serde_json::from_slice(&fs::read(&index).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{}: {e}", index.display()));
    let b64 = base64::engine::general_purpose::STANDARD;
    for entry in index.as_array().into_iter().flatten() {
        let Some(file) = entry["file"].as_str() else {
            continue;
        };
        let path = fixtures.join("cassettes").join(file);
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let Ok(docs) = yaml_rust2::YamlLoader::load_from_str(&text) else {
            eprintln!("skipped {}: not YAML", path.display());
            continue;
        };
        let doc = docs
            .into_iter()
            .next()
            .map(yaml_to_json)
            .unwrap_or(Value::Null);
        let interactions = doc["interactions"].as_array().cloned().unwrap_or_default();
        for detail in entry["interactions_detail"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let (Some(i), Some(wire)) = (detail["index"].as_u64(), detail["wire"].as_str()) else {
                continue;
            };
            let uri = detail["uri"].as_str().unwrap_or_default();
            let Some(response) = interactions.get(i as usize).map(|x| &x["response"]) else {
                continue;
            };
            // JSON bodies are recorded parsed, others as text.
            let body = match (
                &response["parsed_body"],
                response["body"]["string"].as_str(),
            ) {
                (Value::Null, Some(text)) => text.to_owned(),
                (Value::Null, None) => continue,
                (parsed, _) => parsed.to_string(),
            };
            let body = body.as_str();
            let streaming = detail["streaming"].as_bool().unwrap_or(false);
            let Some((name, pick)) = protocol(wire, uri) else {
                // Any other body is still good input for the framings.
                corpus.add("sse", 0, body.as_bytes());
                continue;
            };
            if streaming && wire == "bedrock-converse" {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                let Ok(bytes) = b64.decode(compact) else {
                    continue;
                };
                corpus.add("eventstream", 0, &bytes);
                corpus.add("eventstream", 1, &bytes);
                corpus.add(
                    "stream_translation",
                    pick,
                    eventstream_as_sse(&bytes).as_bytes(),
                );
            } else if streaming {
                corpus.add("sse", 0, body.as_bytes());
                corpus.add("sse", 7, body.as_bytes());
                corpus.add("stream_translation", pick, body.as_bytes());
                if name == "anthropic" {
                    corpus.add("stream_translation", 6, body.as_bytes());
                }
                // The events' data, one a line, is newline-delimited JSON.
                let lines: Vec<&str> = body
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:").map(str::trim))
                    .filter(|l| l.starts_with('{'))
                    .collect();
                corpus.add("jsonl", 3, lines.join("\n").as_bytes());
            } else {
                corpus.add_raw(&format!("response_{name}"), body.as_bytes());
                if let Ok(json) = serde_json::from_str::<Value>(body) {
                    tool_args(&json, corpus);
                }
            }
        }
    }
}

/// The arguments of recorded tool calls, wherever a response carries them.
fn tool_args(json: &Value, corpus: &mut Corpus) {
    match json {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("arguments" | "args" | "input", Value::String(text)) => {
                        corpus.add("tool_args", 0, text.as_bytes());
                        corpus.add("tool_args", 2, text.as_bytes());
                    }
                    ("arguments" | "args" | "input", Value::Object(_)) => {
                        corpus.add("tool_args", 1, value.to_string().as_bytes());
                        corpus.add("tool_args", 7, value.to_string().as_bytes());
                    }
                    _ => tool_args(value, corpus),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| tool_args(v, corpus)),
        _ => {}
    }
}

fn histories(fixtures: &Path, corpus: &mut Corpus) {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Ok(entries) = fs::read_dir(fixtures.join("histories")) {
        files.extend(entries.flatten().map(|e| e.path()));
    }
    // The oracle's responses are one-message histories.
    if let Ok(dirs) = fs::read_dir(fixtures.join("oracle")) {
        for dir in dirs.flatten() {
            if let Ok(entries) = fs::read_dir(dir.path()) {
                files.extend(entries.flatten().map(|e| e.path()).filter(|p| {
                    let name = p.to_string_lossy();
                    name.ends_with(".json")
                        && !name.ends_with(".events.json")
                        && !name.ends_with(".error.json")
                        && !name.ends_with(".request.json")
                }));
            }
        }
    }
    files.sort();
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        if let Ok(bytes) = fs::read(path) {
            if bytes.first() == Some(&b'[') {
                corpus.add_raw("history", &bytes);
            }
        }
    }
}
