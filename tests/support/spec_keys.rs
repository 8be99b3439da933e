//! What Prism cannot see: keys of a request body that OpenAI's published spec does not name.
//! The spec's objects allow extra properties, and so does the live API, which ignores them: a
//! misspelled optional key would pass everywhere. Used by the Prism suites
//! (`tests/prism_openai_chat.rs`, `tests/prism_openai_responses.rs`) offline, on
//! `../shared/realpeers/openai-spec/openapi.json`.

use serde_json::{Map, Value};

/// The spec at `../shared/realpeers/openai-spec/openapi.json`; `None`, after printing one skip
/// line for `test`, when it is absent.
pub fn openai_spec(test: &str) -> Option<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realpeers/openai-spec/openapi.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "{test}: skipped, {} is not present (CI has it)",
            path.display()
        );
        return None;
    };
    Some(serde_json::from_str(&text).expect("OpenAI's spec is JSON"))
}

/// The leaf schemas `schema` stands for: `$ref`s followed, `allOf`/`anyOf`/`oneOf` flattened.
fn leaves<'s>(spec: &'s Value, schema: &'s Value, out: &mut Vec<&'s Value>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let target = reference
            .trim_start_matches("#/")
            .split('/')
            .fold(spec, |node, segment| &node[segment]);
        return leaves(spec, target, out);
    }
    let mut combined = false;
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(branches) = schema[key].as_array() {
            combined = true;
            for branch in branches {
                leaves(spec, branch, out);
            }
        }
    }
    if !combined || schema.get("properties").is_some() || schema.get("items").is_some() {
        out.push(schema);
    }
}

/// Collects, under `path`, each key of `value` that none of `schemas` names and `allowed`
/// (given the path and the key) does not allow. Objects whose schemas declare no properties
/// (free-form maps, JSON schemas) are not looked into.
pub fn unknown_keys(
    spec: &Value,
    schemas: &[&Value],
    value: &Value,
    path: &str,
    allowed: &dyn Fn(&str, &str) -> bool,
    out: &mut Vec<String>,
) {
    let mut flat = Vec::new();
    for schema in schemas {
        leaves(spec, schema, &mut flat);
    }
    match value {
        Value::Object(map) => {
            let declared: Vec<&Map<String, Value>> = flat
                .iter()
                .filter_map(|s| s["properties"].as_object())
                .collect();
            if declared.is_empty() {
                return;
            }
            for (key, child) in map {
                let children: Vec<&Value> = declared.iter().filter_map(|p| p.get(key)).collect();
                if children.is_empty() {
                    if !allowed(path, key) {
                        out.push(format!("{path}.{key}"));
                    }
                    continue;
                }
                let child_path = format!("{path}.{key}");
                unknown_keys(spec, &children, child, &child_path, allowed, out);
            }
        }
        Value::Array(items) => {
            let item_schemas: Vec<&Value> = flat.iter().filter_map(|s| s.get("items")).collect();
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{path}.{i}");
                unknown_keys(spec, &item_schemas, item, &item_path, allowed, out);
            }
        }
        _ => {}
    }
}
