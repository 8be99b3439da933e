//! Gemini's schema transformer (pydantic-ai's `GoogleJsonSchemaTransformer`).
//!
//! The Gemini API takes tool parameters and structured-output schemas as JSON Schema
//! (`parametersJsonSchema`, `responseJsonSchema`) but rejects a few keywords: `const` (an
//! `enum` of one value instead), `discriminator`, `examples`, `title` (which the API
//! misreads), `exclusiveMinimum`/`exclusiveMaximum`, and string `format`s it does not know
//! (moved into the description). References and `$defs` are kept. See
//! <https://ai.google.dev/gemini-api/docs/function-calling#function_declarations>.

use serde_json::{Map, Value};

use super::{truthy, walk, Transform, TransformedSchema, WalkOptions};
use crate::error::Result;

/// Rewrites `schema` for the Gemini API, as pydantic-ai's `GoogleJsonSchemaTransformer` does.
///
/// Every schema is compatible with Gemini's `VALIDATED` function-calling mode (its form of
/// strict tools, which needs no rewrite), so the returned `strict` is `strict` itself, or
/// `true` when it is `None`.
///
/// # Errors
/// [`Error::User`](crate::Error::User) when the schema is not an object or names a missing
/// definition.
///
/// ```
/// use llm_runtime::schema::gemini::transform;
/// use serde_json::json;
///
/// let schema = json!({
///     "title": "Order", "type": "object",
///     "properties": {
///         "kind": {"const": "pizza"},
///         "when": {"type": "string", "format": "date-time", "description": "Delivery time"}
///     }
/// });
/// let out = transform(&schema, None)?;
/// assert_eq!(out.schema, json!({
///     "type": "object",
///     "properties": {
///         "kind": {"enum": ["pizza"], "type": "string"},
///         "when": {"type": "string", "description": "Delivery time (format: date-time)"}
///     }
/// }));
/// assert!(out.strict);
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn transform(schema: &Value, strict: Option<bool>) -> Result<TransformedSchema> {
    let walked = walk(schema, WalkOptions::default(), &mut GeminiSchema)?;
    Ok(TransformedSchema {
        schema: Value::Object(walked.schema),
        strict: strict.unwrap_or(true),
        warnings: Vec::new(),
    })
}

struct GeminiSchema;

impl Transform for GeminiSchema {
    fn transform(&mut self, node: &mut Map<String, Value>) -> Result<()> {
        node.remove("$schema");
        if let Some(constant) = node.remove("const") {
            if !constant.is_null() {
                if !node.contains_key("type") {
                    // Gemini wants a type beside the enum; Python's check order (bool before
                    // int) matters only there, JSON keeps them apart.
                    let kind = match &constant {
                        Value::String(_) => Some("string"),
                        Value::Bool(_) => Some("boolean"),
                        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
                        Value::Number(_) => Some("number"),
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        node.insert("type".to_owned(), Value::String(kind.to_owned()));
                    }
                }
                node.insert("enum".to_owned(), Value::Array(vec![constant]));
            }
        }
        node.remove("discriminator");
        node.remove("examples");
        // The API misreads `title` (googleapis/python-genai#1732).
        node.remove("title");

        if node.get("type").and_then(Value::as_str) == Some("string") {
            // pydantic-ai pops the format of every string (an empty one too) and describes a
            // non-empty one.
            if let Some(format) = node.remove("format").filter(truthy) {
                let format = match format {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                let description = match node.get("description") {
                    Some(Value::String(d)) if !d.is_empty() => format!("{d} (format: {format})"),
                    Some(d) if truthy(d) => format!("{d} (format: {format})"),
                    _ => format!("Format: {format}"),
                };
                node.insert("description".to_owned(), Value::String(description));
            }
        }

        // Not supported by the API yet.
        node.remove("exclusiveMinimum");
        node.remove("exclusiveMaximum");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removes_what_gemini_rejects_and_keeps_references() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Pet",
            "type": "object",
            "properties": {
                "pet": {
                    "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
                    "discriminator": {"propertyName": "kind"}
                },
                "age": {"type": "integer", "exclusiveMinimum": 0, "examples": [3]},
                "born": {"type": "string", "format": "date"},
                "nick": {"type": "string", "format": ""}
            },
            "$defs": {
                "Cat": {"title": "Cat", "type": "object",
                        "properties": {"kind": {"const": "cat", "title": "Kind"}}},
                "Dog": {"title": "Dog", "type": "object",
                        "properties": {"kind": {"const": "dog"}, "good": {"const": true},
                                       "legs": {"const": 4}, "weight": {"const": 12.5},
                                       "none": {"const": null}}}
            }
        });
        let out = transform(&schema, None).unwrap();
        assert_eq!(
            out.schema,
            json!({
                "type": "object",
                "properties": {
                    "pet": {"oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}]},
                    "age": {"type": "integer"},
                    "born": {"type": "string", "description": "Format: date"},
                    "nick": {"type": "string"}
                },
                "$defs": {
                    "Cat": {"type": "object",
                            "properties": {"kind": {"enum": ["cat"], "type": "string"}}},
                    "Dog": {"type": "object",
                            "properties": {"kind": {"enum": ["dog"], "type": "string"},
                                           "good": {"enum": [true], "type": "boolean"},
                                           "legs": {"enum": [4], "type": "integer"},
                                           "weight": {"enum": [12.5], "type": "number"},
                                           "none": {}}}
                }
            })
        );
        assert!(out.strict);
        assert!(!transform(&schema, Some(false)).unwrap().strict);
    }

    #[test]
    fn a_declared_type_is_kept_beside_a_constant() {
        let out = transform(
            &json!({"type": "object", "properties": {"n": {"type": "number", "const": 1}}}),
            None,
        )
        .unwrap();
        assert_eq!(
            out.schema["properties"]["n"],
            json!({"type": "number", "enum": [1]})
        );
    }

    #[test]
    fn a_non_object_schema_is_a_user_error() {
        assert!(matches!(
            transform(&json!("string"), None),
            Err(crate::Error::User { .. })
        ));
    }
}
