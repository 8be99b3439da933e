//! OpenAI's strict-mode schema transformer (pydantic-ai's `OpenAIJsonSchemaTransformer`).
//!
//! In strict mode OpenAI requires every object to list all its properties as `required` and
//! to set `additionalProperties: false`, and rejects a set of keywords (`minLength`,
//! `pattern` with look-arounds, most string `format`s…). [`transform`] makes a schema
//! compatible when strict mode is forced, and otherwise only reports whether it already is:
//! `strict` is then sent only for compatible schemas. See
//! <https://platform.openai.com/docs/guides/function-calling#strict-mode>.

use serde_json::{Map, Value};

use super::{def_key, truthy, walk, Transform, TransformedSchema, WalkOptions};
use crate::error::{Error, Result};

/// Keywords OpenAI's strict mode rejects.
const STRICT_INCOMPATIBLE_KEYS: [&str; 12] = [
    "minLength",
    "maxLength",
    "patternProperties",
    "unevaluatedProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "uniqueItems",
];

/// String formats OpenAI's strict mode accepts.
const STRICT_COMPATIBLE_STRING_FORMATS: [&str; 9] = [
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];

/// Keywords whose presence means a node describes a concrete type.
const TYPE_BEARING_KEYS: [&str; 7] = ["type", "$ref", "anyOf", "oneOf", "allOf", "enum", "const"];

/// Rewrites `schema` for OpenAI (tools and `response_format`), as pydantic-ai's
/// `OpenAIJsonSchemaTransformer` does.
///
/// With `strict = Some(true)` the schema is made strict-compatible: every object gets
/// `additionalProperties: false` and all its properties `required`, `oneOf` becomes `anyOf`,
/// `default` is removed and unsupported keywords move into the description. With `None`, the
/// schema is only tidied (titles removed, `additionalProperties: false` added where absent) and
/// the returned `strict` says whether it is compatible as it is.
///
/// # Errors
/// [`Error::User`] when the schema is not an object, names a missing definition, or (strict
/// mode forced) has an array whose items have no type.
pub fn transform(schema: &Value, strict: Option<bool>) -> Result<TransformedSchema> {
    let mut transformer = OpenAiStrict {
        strict,
        root_ref: schema
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_owned),
        is_strict_compatible: true,
    };
    let walked = walk(schema, WalkOptions::default(), &mut transformer)?;
    let mut result = walked.schema;
    if let Some(root_ref) = &transformer.root_ref {
        // A recursive root: its `$ref` becomes the definition itself, so that inner
        // references to it can point at `#`.
        result.remove("$ref");
        if let Some(Value::Object(root)) = walked.defs.get(def_key(root_ref)) {
            for (key, value) in root {
                result.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(TransformedSchema {
        schema: Value::Object(result),
        strict: strict.unwrap_or(transformer.is_strict_compatible),
        warnings: Vec::new(),
    })
}

struct OpenAiStrict {
    strict: Option<bool>,
    root_ref: Option<String>,
    is_strict_compatible: bool,
}

impl Transform for OpenAiStrict {
    fn transform(&mut self, node: &mut Map<String, Value>) -> Result<()> {
        node.remove("title");
        node.remove("$schema");
        node.remove("discriminator");

        if node.contains_key("default") {
            // Not allowed in strict mode, but it helps some models when not strict.
            match self.strict {
                Some(true) => {
                    node.remove("default");
                }
                None => self.is_strict_compatible = false,
                Some(false) => {}
            }
        }

        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            if Some(reference) == self.root_ref.as_deref() {
                node.insert("$ref".to_owned(), Value::String("#".to_owned()));
            }
            if node.len() > 1 {
                // Strict mode forbids siblings of `$ref` but allows them beside `anyOf`.
                if let Some(reference) = node.remove("$ref") {
                    let mut only = Map::new();
                    only.insert("$ref".to_owned(), reference);
                    node.insert("anyOf".to_owned(), Value::Array(vec![Value::Object(only)]));
                }
            }
        }

        let mut incompatible: Vec<&str> = STRICT_INCOMPATIBLE_KEYS
            .into_iter()
            .filter(|key| node.contains_key(*key))
            .collect();
        if let Some(format) = node.get("format") {
            let compatible = format
                .as_str()
                .is_some_and(|f| STRICT_COMPATIBLE_STRING_FORMATS.contains(&f));
            if truthy(format) && !compatible {
                incompatible.push("format");
            }
        }
        if node
            .get("pattern")
            .and_then(Value::as_str)
            .is_some_and(regex_contains_lookaround)
        {
            incompatible.push("pattern");
        }
        if !incompatible.is_empty() {
            match self.strict {
                Some(true) => {
                    let notes: Vec<String> = incompatible
                        .iter()
                        .filter_map(|key| {
                            node.remove(*key)
                                .map(|value| format!("{key}={}", python_str(&value)))
                        })
                        .collect();
                    let notes = notes.join(", ");
                    let description = match node.get("description") {
                        Some(d) if truthy(d) => {
                            format!("{} ({notes})", python_str(d))
                        }
                        _ => notes,
                    };
                    node.insert("description".to_owned(), Value::String(description));
                }
                None => self.is_strict_compatible = false,
                Some(false) => {}
            }
        }

        if node.contains_key("oneOf") {
            if self.strict == Some(true) {
                if let Some(one_of) = node.remove("oneOf") {
                    node.insert("anyOf".to_owned(), one_of);
                }
            } else {
                self.is_strict_compatible = false;
            }
        }

        match node.get("type").and_then(Value::as_str) {
            Some("object") => self.object(node),
            Some("array") => self.array(node)?,
            _ => {}
        }
        Ok(())
    }
}

impl OpenAiStrict {
    fn object(&mut self, node: &mut Map<String, Value>) {
        // OpenAI drops objects without `properties`.
        if !node.contains_key("properties") {
            node.insert("properties".to_owned(), Value::Object(Map::new()));
        }
        match self.strict {
            Some(true) => {
                node.insert("additionalProperties".to_owned(), Value::Bool(false));
                let required: Vec<Value> = match node.get("properties") {
                    Some(Value::Object(properties)) => {
                        properties.keys().cloned().map(Value::String).collect()
                    }
                    _ => Vec::new(),
                };
                node.insert("required".to_owned(), Value::Array(required));
            }
            None => {
                match node.get("additionalProperties") {
                    None | Some(Value::Null) | Some(Value::Bool(false)) => {
                        node.insert("additionalProperties".to_owned(), Value::Bool(false));
                    }
                    Some(_) => self.is_strict_compatible = false,
                }
                match (node.get("properties"), node.get("required")) {
                    (Some(Value::Object(properties)), Some(Value::Array(required))) => {
                        let all_required = properties
                            .keys()
                            .all(|key| required.iter().any(|r| r.as_str() == Some(key)));
                        if !all_required {
                            self.is_strict_compatible = false;
                        }
                    }
                    _ => self.is_strict_compatible = false,
                }
            }
            Some(false) => {}
        }
    }

    fn array(&mut self, node: &Map<String, Value>) -> Result<()> {
        // Strict mode needs to know the type of the elements (`items` or `prefixItems`).
        let typed_items = matches!(
            node.get("items"),
            Some(Value::Object(items)) if TYPE_BEARING_KEYS.iter().any(|k| items.contains_key(*k))
        );
        let prefix_items = node.get("prefixItems").is_some_and(truthy);
        if !typed_items && !prefix_items {
            match self.strict {
                Some(true) => {
                    return Err(Error::user(
                        "OpenAI strict mode requires array items to have a type, but the schema \
                         has an untyped array; give the items a type (e.g. `Vec<String>`) or set \
                         `strict` to false",
                    ))
                }
                None => self.is_strict_compatible = false,
                Some(false) => {}
            }
        }
        Ok(())
    }
}

/// Whether a regular expression uses a look-ahead or look-behind (`(?=`, `(?!`, `(?<=`,
/// `(?<!`) outside an escape, which strict mode rejects.
fn regex_contains_lookaround(pattern: &str) -> bool {
    let mut escaped = false;
    for (i, c) in pattern.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        let rest = &pattern[i..];
        if ["(?=", "(?!", "(?<=", "(?<!"]
            .iter()
            .any(|token| rest.starts_with(token))
        {
            return true;
        }
    }
    false
}

/// A value as Python's `str()` prints it, as pydantic-ai writes notes into descriptions.
pub(super) fn python_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => python_repr(other),
    }
}

fn python_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let quote = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::with_capacity(s.len() + 2);
            out.push(quote);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(python_repr).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        python_repr(&Value::String(k.clone())),
                        python_repr(v)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compatible_schema_is_strict_and_tidied() {
        let schema = json!({
            "title": "Divide", "type": "object",
            "properties": {"a": {"type": "number", "title": "A"}, "b": {"type": "number"}},
            "required": ["a", "b"]
        });
        let out = transform(&schema, None).unwrap();
        assert!(out.strict);
        assert_eq!(
            out.schema,
            json!({
                "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"], "additionalProperties": false
            })
        );
    }

    #[test]
    fn optional_fields_defaults_and_constraints_are_not_strict_compatible() {
        for schema in [
            json!({"type": "object", "properties": {"a": {"type": "integer"}}}),
            json!({"type": "object", "properties": {"a": {"type": "integer", "default": 1}},
                   "required": ["a"]}),
            json!({"type": "object", "properties": {"a": {"type": "string", "minLength": 2}},
                   "required": ["a"]}),
            json!({"type": "object", "properties": {"a": {"type": "string", "format": "uri"}},
                   "required": ["a"]}),
            json!({"type": "object", "properties": {"a": {"type": "array"}}, "required": ["a"]}),
            json!({"type": "object", "additionalProperties": {"type": "string"}}),
            json!({"type": "object", "required": ["a"], "properties": {
                "a": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}}),
        ] {
            assert!(!transform(&schema, None).unwrap().strict, "{schema}");
        }
    }

    #[test]
    fn forced_strict_rewrites_what_it_can() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 2, "description": "Who", "default": "x"},
                "code": {"type": "string", "pattern": "^(?!0)\\d+$"},
                "choice": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                "nested": {"type": "object", "properties": {"z": {"type": "boolean"}}}
            }
        });
        let out = transform(&schema, Some(true)).unwrap();
        assert!(out.strict);
        assert_eq!(
            out.schema,
            json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "Who (minLength=2)"},
                    "code": {"type": "string", "description": "pattern=^(?!0)\\d+$"},
                    "choice": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                    "nested": {"type": "object", "properties": {"z": {"type": "boolean"}},
                               "additionalProperties": false, "required": ["z"]}
                },
                "additionalProperties": false,
                "required": ["name", "code", "choice", "nested"]
            })
        );
    }

    #[test]
    fn forced_strict_rejects_untyped_arrays() {
        let schema =
            json!({"type": "object", "properties": {"xs": {"type": "array", "items": {}}}});
        assert!(matches!(
            transform(&schema, Some(true)),
            Err(Error::User { .. })
        ));
        assert!(!transform(&schema, Some(false)).unwrap().strict);
    }

    #[test]
    fn recursive_root_points_at_itself() {
        let schema = json!({
            "$ref": "#/$defs/Tree",
            "$defs": {"Tree": {"type": "object", "title": "Tree", "properties": {
                "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
            }, "required": ["children"]}}
        });
        let out = transform(&schema, None).unwrap();
        assert!(out.strict);
        assert_eq!(out.schema["type"], "object");
        assert_eq!(
            out.schema["properties"]["children"]["items"],
            json!({"$ref": "#"})
        );
        assert_eq!(out.schema["$defs"]["Tree"]["additionalProperties"], false);
    }

    #[test]
    fn ref_with_siblings_moves_into_any_of() {
        let schema = json!({
            "type": "object",
            "properties": {"home": {"$ref": "#/$defs/A", "description": "d"}},
            "required": ["home"],
            "$defs": {"A": {"type": "object", "properties": {}, "required": []}}
        });
        let out = transform(&schema, None).unwrap();
        assert_eq!(
            out.schema["properties"]["home"],
            json!({"description": "d", "anyOf": [{"$ref": "#/$defs/A"}]})
        );
        assert!(out.strict);
    }

    #[test]
    fn python_notes_quote_like_python() {
        assert_eq!(
            python_str(&json!(["a", 1, true, null])),
            "['a', 1, True, None]"
        );
        assert_eq!(python_str(&json!({"k": "v"})), "{'k': 'v'}");
        assert!(regex_contains_lookaround("a(?<=b)"));
        assert!(!regex_contains_lookaround("a\\(?=b"));
    }
}
