//! Anthropic's schema transformer (pydantic-ai's `AnthropicJsonSchemaTransformer`).
//!
//! Tool `input_schema`s are sent as they are, without `title` and `$schema`. In strict mode
//! (a tool with `strict: true`, or native structured output) the schema is also rewritten as
//! the Anthropic SDK's `transform_schema` does for structured outputs: every object gets
//! `additionalProperties: false`, `oneOf` becomes `anyOf`, and the keywords the API does not
//! accept (`minLength`, `pattern`, most string `format`s, `minItems` above 1, …) move into the
//! description so that the model may still follow them. See
//! <https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs>.

use serde_json::{Map, Value};

use super::openai::python_str;
use super::{walk, Transform, TransformedSchema, WalkOptions};
use crate::error::{Error, Result};
use crate::warning::Warning;

/// String formats Anthropic's structured outputs accept.
const SUPPORTED_STRING_FORMATS: [&str; 10] = [
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "uri",
    "ipv4",
    "ipv6",
    "uuid",
];

/// Rewrites `schema` for Anthropic (tools and `output_config.format`).
///
/// With `strict = Some(true)` the schema is made compatible with Anthropic's strict mode (see
/// the module documentation) and the returned `strict` is `true`; otherwise only `title` and
/// `$schema` are removed and `strict` is `false` (pydantic-ai never infers strictness for
/// Anthropic: the transformation is lossy).
///
/// # Errors
/// [`Error::User`] when the schema is not an object, names a missing definition, or (strict
/// mode) has a node with neither `type`, `enum`, `anyOf`, `oneOf`, `allOf` nor `$ref`.
pub fn transform(schema: &Value, strict: Option<bool>) -> Result<TransformedSchema> {
    let strict = strict == Some(true);
    let mut tidy = Tidy {
        strict,
        open_maps: false,
    };
    let walked = walk(schema, WalkOptions::default(), &mut tidy)?;
    let mut warnings = Vec::new();
    if tidy.open_maps {
        warnings.push(Warning::compatibility(
            "map fields (`additionalProperties`) are not supported by Anthropic in strict mode: \
             the schema is sent with `additionalProperties: false`, which forces the model to \
             return `{}` for them; use a list of key-value objects instead, or prompted output",
        ));
    }
    let schema = if strict {
        strict_schema(walked.schema)?
    } else {
        walked.schema
    };
    Ok(TransformedSchema {
        schema: Value::Object(schema),
        strict,
        warnings,
    })
}

/// Removes `title` and `$schema` from every node; in strict mode, notes objects whose
/// `additionalProperties` allow any key, which strict mode closes.
struct Tidy {
    strict: bool,
    open_maps: bool,
}

impl Transform for Tidy {
    fn transform(&mut self, node: &mut Map<String, Value>) -> Result<()> {
        node.shift_remove("title");
        node.shift_remove("$schema");
        if self.strict
            && node.get("type").and_then(Value::as_str) == Some("object")
            && matches!(
                node.get("additionalProperties"),
                Some(Value::Object(_) | Value::Bool(true))
            )
        {
            self.open_maps = true;
        }
        Ok(())
    }
}

/// One node rewritten as the Anthropic SDK's `transform_schema` does.
fn strict_schema(mut node: Map<String, Value>) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    if let Some(defs) = node.shift_remove("$defs") {
        let Value::Object(defs) = defs else {
            return Err(Error::user(format!(
                "`$defs` of a schema must be an object, not {defs}"
            )));
        };
        let mut strict_defs = Map::new();
        for (name, def) in defs {
            strict_defs.insert(name, Value::Object(strict_schema(as_object(def)?)?));
        }
        out.insert("$defs".to_owned(), Value::Object(strict_defs));
    }
    if let Some(reference) = node.shift_remove("$ref") {
        out.insert("$ref".to_owned(), reference);
        return Ok(out);
    }

    let kind = node.shift_remove("type");
    let choice = ["enum", "anyOf", "oneOf", "allOf"].map(|key| node.shift_remove(key));
    let [enumeration, any_of, one_of, all_of] = choice;
    if let Some(Value::Array(variants)) = enumeration {
        let variants = variants
            .into_iter()
            .map(|variant| match variant {
                Value::Object(map) => strict_schema(map).map(Value::Object),
                other => Ok(other),
            })
            .collect::<Result<Vec<_>>>()?;
        out.insert("enum".to_owned(), Value::Array(variants));
    } else if let Some(Value::Array(members)) = any_of.or(one_of) {
        out.insert("anyOf".to_owned(), strict_members(members)?);
    } else if let Some(Value::Array(members)) = all_of {
        out.insert("allOf".to_owned(), strict_members(members)?);
    } else {
        match &kind {
            Some(kind) => {
                out.insert("type".to_owned(), kind.clone());
            }
            None => {
                return Err(Error::user(format!(
                    "Anthropic's strict mode needs a `type`, `enum`, `anyOf`, `oneOf` or `allOf` \
                     in every schema node, and this one has none: {}; give the field a type or \
                     set `strict` to false",
                    Value::Object(node)
                )))
            }
        }
    }
    for key in ["description", "title"] {
        if let Some(value) = node.shift_remove(key).filter(|v| !v.is_null()) {
            out.insert(key.to_owned(), value);
        }
    }

    match kind.as_ref().and_then(Value::as_str) {
        Some("object") => {
            let properties = match node.shift_remove("properties") {
                Some(Value::Object(properties)) => properties,
                None | Some(Value::Null) => Map::new(),
                Some(other) => {
                    return Err(Error::user(format!(
                        "`properties` of a schema must be an object, not {other}"
                    )))
                }
            };
            let mut strict_properties = Map::new();
            for (name, property) in properties {
                strict_properties.insert(name, Value::Object(strict_schema(as_object(property)?)?));
            }
            out.insert("properties".to_owned(), Value::Object(strict_properties));
            node.shift_remove("additionalProperties");
            out.insert("additionalProperties".to_owned(), Value::Bool(false));
            if let Some(required) = node.shift_remove("required") {
                out.insert("required".to_owned(), required);
            }
        }
        Some("string") => {
            if let Some(format) = node.shift_remove("format") {
                if format
                    .as_str()
                    .is_some_and(|f| SUPPORTED_STRING_FORMATS.contains(&f))
                {
                    out.insert("format".to_owned(), format);
                } else if !format.is_null() && format != Value::String(String::new()) {
                    // Not supported: kept for the description.
                    node.insert("format".to_owned(), format);
                }
            }
        }
        Some("array") => {
            if let Some(items) = node.shift_remove("items") {
                out.insert(
                    "items".to_owned(),
                    Value::Object(strict_schema(as_object(items)?)?),
                );
            }
            if let Some(min_items) = node.shift_remove("minItems") {
                if matches!(min_items.as_f64(), Some(n) if n == 0.0 || n == 1.0) {
                    out.insert("minItems".to_owned(), min_items);
                } else if !min_items.is_null() {
                    node.insert("minItems".to_owned(), min_items);
                }
            }
        }
        // Other types (and `type` lists, which the SDK does not handle) have nothing to rewrite.
        _ => {}
    }

    if !node.is_empty() {
        // What the API does not support goes into the description, so the model may follow it.
        let notes: Vec<String> = node
            .iter()
            .map(|(key, value)| format!("{key}: {}", python_str(value)))
            .collect();
        let notes = format!("{{{}}}", notes.join(", "));
        let description = match out.get("description").and_then(Value::as_str) {
            Some(description) => format!("{description}\n\n{notes}"),
            None => notes,
        };
        out.insert("description".to_owned(), Value::String(description));
    }
    Ok(out)
}

fn strict_members(members: Vec<Value>) -> Result<Value> {
    members
        .into_iter()
        .map(|member| strict_schema(as_object(member)?).map(Value::Object))
        .collect::<Result<Vec<_>>>()
        .map(Value::Array)
}

fn as_object(value: Value) -> Result<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(Error::user(format!(
            "Anthropic's strict mode needs every schema node to be an object, not {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn without_strict_only_titles_and_schema_ids_go() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Divide", "type": "object",
            "properties": {"a": {"type": "number", "title": "A", "minimum": 0}},
            "required": ["a"]
        });
        let transformed = transform(&schema, None).unwrap();
        assert_eq!(
            transformed.schema,
            json!({"type": "object", "properties": {"a": {"type": "number", "minimum": 0}},
                   "required": ["a"]})
        );
        assert!(!transformed.strict);
        assert!(!transform(&schema, Some(false)).unwrap().strict);
    }

    #[test]
    fn strict_closes_objects_and_describes_what_it_cannot_send() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 2, "description": "Who"},
                "when": {"type": "string", "format": "date"},
                "code": {"type": "string", "pattern": "^[A-Z]+$", "format": "binary"},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3},
                "some": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
                "kind": {"oneOf": [{"type": "integer"}, {"type": "null"}]},
                "extra": {"type": "object", "additionalProperties": {"type": "integer"}}
            },
            "required": ["name"]
        });
        let transformed = transform(&schema, Some(true)).unwrap();
        assert!(transformed.strict);
        assert_eq!(
            transformed.schema,
            json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "Who\n\n{minLength: 2}"},
                    "when": {"type": "string", "format": "date"},
                    "code": {"type": "string", "description": "{pattern: ^[A-Z]+$, format: binary}"},
                    "tags": {"type": "array", "items": {"type": "string"},
                             "description": "{minItems: 3}"},
                    "some": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
                    "kind": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    "extra": {"type": "object", "properties": {}, "additionalProperties": false}
                },
                "additionalProperties": false,
                "required": ["name"]
            })
        );
    }

    #[test]
    fn strict_keeps_references_and_definitions() {
        let schema = json!({
            "type": "object",
            "properties": {"point": {"$ref": "#/$defs/Point", "description": "dropped with the ref"}},
            "$defs": {"Point": {"type": "object", "title": "Point",
                                "properties": {"x": {"type": "number"}}}}
        });
        let transformed = transform(&schema, Some(true)).unwrap();
        assert_eq!(
            transformed.schema,
            json!({
                "type": "object",
                "properties": {"point": {"$ref": "#/$defs/Point"}},
                "additionalProperties": false,
                "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "number"}},
                                    "additionalProperties": false}}
            })
        );
    }

    #[test]
    fn strict_rejects_untyped_nodes_naming_them() {
        let schema = json!({"type": "object", "properties": {"any": {"description": "anything"}}});
        let err = transform(&schema, Some(true)).unwrap_err().to_string();
        assert!(
            err.contains("needs a `type`") && err.contains("anything"),
            "{err}"
        );
        // Without strict mode the same schema is fine.
        assert!(transform(&schema, None).is_ok());
    }

    #[test]
    fn strict_enums_lose_their_type_as_in_the_sdk() {
        let schema = json!({"type": "string", "enum": ["a", "b"], "title": "Kind"});
        assert_eq!(
            transform(&schema, Some(true)).unwrap().schema,
            json!({"enum": ["a", "b"]})
        );
    }

    #[test]
    fn strict_mode_closing_an_open_map_is_a_warning_and_nothing_else_is() {
        let map = json!({"type": "object", "properties": {
            "scores": {"type": "object", "additionalProperties": {"type": "integer"}}
        }});
        let transformed = transform(&map, Some(true)).unwrap();
        assert_eq!(transformed.warnings.len(), 1, "{:?}", transformed.warnings);
        assert_eq!(transformed.warnings[0].kind(), "compatibility");
        assert!(transformed.warnings[0]
            .message()
            .contains("additionalProperties"));
        assert!(transform(&map, None).unwrap().warnings.is_empty());
        let closed = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        assert!(transform(&closed, Some(true)).unwrap().warnings.is_empty());
    }
}
