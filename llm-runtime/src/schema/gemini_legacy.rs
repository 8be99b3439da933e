//! The legacy Google transformer for Gemini models reached through OpenRouter (pydantic-ai's
//! `_OpenRouterGoogleJsonSchemaTransformer`, its 1.19 behaviour): OpenRouter's translation to
//! Gemini does not handle `$ref`s nor `anyOf` with `null`, so references are inlined and
//! nullable unions become `"nullable": true`; enums are strings; what Gemini rejects is
//! removed as in [`gemini::transform`](super::gemini::transform). Unlike OpenAI's strict
//! transformer it never adds `additionalProperties`.

use serde_json::{Map, Value};

use super::{walk, Transform, TransformedSchema, WalkOptions};
use crate::error::Result;

/// Rewrites `schema` for a Gemini model behind OpenRouter.
///
/// # Errors
/// [`Error::User`](crate::Error::User) when the schema is not an object or names a missing
/// definition.
///
/// ```
/// use llm_runtime::schema::gemini_legacy::transform;
/// use serde_json::json;
///
/// let schema = json!({
///     "type": "object",
///     "properties": {
///         "size": {"enum": [1, 2]},
///         "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}
///     }
/// });
/// let out = transform(&schema, None)?;
/// assert_eq!(out.schema, json!({
///     "type": "object",
///     "properties": {
///         "size": {"enum": ["1", "2"], "type": "string"},
///         "note": {"type": "string", "nullable": true}
///     }
/// }));
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn transform(schema: &Value, strict: Option<bool>) -> Result<TransformedSchema> {
    let options = WalkOptions {
        prefer_inlined_defs: true,
        simplify_nullable_unions: true,
    };
    let walked = walk(schema, options, &mut Legacy)?;
    Ok(TransformedSchema {
        schema: Value::Object(walked.schema),
        strict: strict.unwrap_or(true),
        warnings: Vec::new(),
    })
}

struct Legacy;

impl Transform for Legacy {
    fn transform(&mut self, node: &mut Map<String, Value>) -> Result<()> {
        for key in [
            "$schema",
            "title",
            "discriminator",
            "examples",
            "exclusiveMaximum",
            "exclusiveMinimum",
        ] {
            node.remove(key);
        }
        if let Some(constant) = node.remove("const").filter(|c| !c.is_null()) {
            node.insert("enum".to_owned(), Value::Array(vec![constant]));
        }
        if let Some(Value::Array(values)) = node.get("enum").filter(|e| non_empty(e)) {
            let values = values.iter().map(python_str).collect();
            node.insert("type".to_owned(), Value::from("string"));
            node.insert("enum".to_owned(), Value::Array(values));
        }
        if node.contains_key("oneOf") && !node.contains_key("type") {
            if let Some(variants) = node.remove("oneOf") {
                node.insert("anyOf".to_owned(), variants);
            }
        }
        if node.get("type").and_then(Value::as_str) == Some("string") {
            if let Some(format) = node.remove("format").filter(non_empty) {
                let format = match format {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                let description = match node.get("description") {
                    Some(Value::String(d)) if !d.is_empty() => format!("{d} (format: {format})"),
                    _ => format!("Format: {format}"),
                };
                node.insert("description".to_owned(), Value::String(description));
            }
        }
        Ok(())
    }
}

/// Python's truthiness of a JSON value, as the transformer tests it.
fn non_empty(value: &Value) -> bool {
    super::truthy(value)
}

/// Python's `str()` of an enum value, as the transformer writes it.
fn python_str(value: &Value) -> Value {
    Value::String(match value {
        Value::String(text) => text.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Null => "None".to_owned(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inlines_references_and_adds_no_additional_properties() {
        let schema = json!({
            "type": "object", "additionalProperties": false,
            "properties": {
                "level": {"anyOf": [{"$ref": "#/$defs/Level"}, {"type": "null"}]},
                "kind": {"oneOf": [{"const": true}, {"const": "x"}]},
                "at": {"type": "string", "format": "date", "title": "At"}
            },
            "required": ["level"],
            "$defs": {"Level": {"type": "object", "properties": {"name": {"type": "string"}}}}
        });
        let out = transform(&schema, Some(true)).unwrap();
        assert_eq!(
            out.schema,
            json!({
                "type": "object", "additionalProperties": false,
                "properties": {
                    "level": {"type": "object", "properties": {"name": {"type": "string"}},
                              "nullable": true},
                    "kind": {"anyOf": [{"enum": ["True"], "type": "string"},
                                       {"enum": ["x"], "type": "string"}]},
                    "at": {"type": "string", "description": "Format: date"}
                },
                "required": ["level"]
            })
        );
        assert!(out.strict);
        assert!(transform(&json!([1]), None).is_err());
    }
}
