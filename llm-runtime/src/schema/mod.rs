//! JSON-schema transformers per provider family (pydantic-ai's `JsonSchemaTransformer`).
//!
//! Providers accept different subsets of JSON Schema. A transformer walks a tool's (or an
//! output object's) schema node by node and rewrites each node for one family of providers;
//! it also decides whether the schema can be sent in the provider's strict mode.
//!
//! [`walk`] is the shared walker: it visits object properties, array items, unions and
//! `$defs`, and can inline `$ref`s. A family implements [`Transform`] (what to do with one
//! node) and exposes a [`SchemaTransformer`] function, such as [`inline_defs`] here or
//! [`openai::transform`] for OpenAI's strict mode.
//!
//! Nothing here knows HTTP or a wire format.

pub mod anthropic;
pub mod gemini;
pub mod gemini_legacy;
pub mod openai;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::warning::Warning;

/// A schema rewritten for a provider, with the strictness to request for it.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformedSchema {
    /// The rewritten schema.
    pub schema: Value,
    /// The `strict` to send: the one asked for, else what the transformer found the schema
    /// compatible with.
    pub strict: bool,
    /// What the rewriting changed that the caller should know of (e.g. Anthropic's strict
    /// mode closing an open map); the protocols pass them on with the request's warnings.
    pub warnings: Vec<Warning>,
}

/// Rewrites a tool's or an output object's JSON schema for one provider family.
///
/// The arguments are the schema and the strictness asked for (`ToolDefinition::strict`):
/// `Some(true)` forces strict mode (the schema is made compatible where it can be, and
/// rejected with [`Error::User`] where it cannot), `Some(false)` turns it off, `None` lets the
/// transformer decide from the schema.
pub type SchemaTransformer = fn(&Value, Option<bool>) -> Result<TransformedSchema>;

/// What a transformer does to one schema node (an object of the schema), called after the
/// node's children were walked.
pub trait Transform {
    /// Rewrites `node` in place.
    ///
    /// # Errors
    /// [`Error::User`] when the node cannot be expressed for the provider.
    fn transform(&mut self, node: &mut Map<String, Value>) -> Result<()>;
}

/// How [`walk`] treats references and nullable unions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkOptions {
    /// Replace each `$ref` by the definition it names (recursive definitions stay as `$defs`).
    pub prefer_inlined_defs: bool,
    /// Turn `anyOf: [X, {"type": "null"}]` into `X` with `"nullable": true`.
    pub simplify_nullable_unions: bool,
}

/// The result of a [`walk`]: the rewritten schema and the definitions as walked.
#[derive(Debug, Clone, PartialEq)]
pub struct Walked {
    /// The rewritten schema.
    pub schema: Map<String, Value>,
    /// The `$defs` of the input, each walked (empty when there were none or they were inlined).
    pub defs: Map<String, Value>,
}

/// Walks `schema` (which must be a JSON object), applying `transform` to every node, children
/// first, as pydantic-ai's `JsonSchemaTransformer.walk` does.
///
/// # Errors
/// [`Error::User`] when `schema` is not an object, a `$ref` names a missing definition, or
/// `transform` rejects a node.
pub fn walk(schema: &Value, options: WalkOptions, transform: &mut dyn Transform) -> Result<Walked> {
    let Value::Object(root) = schema else {
        return Err(Error::user(format!(
            "a tool or output schema must be a JSON object, not {schema}"
        )));
    };
    let mut root = root.clone();
    let defs = match root.remove("$defs") {
        Some(Value::Object(defs)) => defs,
        Some(other) => {
            return Err(Error::user(format!(
                "`$defs` of a schema must be an object, not {other}"
            )))
        }
        None => Map::new(),
    };
    let mut walker = Walker {
        options,
        transform,
        defs,
        refs_stack: Vec::new(),
        recursive_refs: Vec::new(),
        walked_defs: Map::new(),
    };
    let handled = walker.handle_map(root)?;

    if !options.prefer_inlined_defs && !walker.defs.is_empty() {
        let mut walked_defs = Map::new();
        for (key, def) in std::mem::take(&mut walker.defs) {
            walked_defs.insert(key, walker.handle(def)?);
        }
        let mut schema = handled;
        schema.insert("$defs".to_owned(), Value::Object(walked_defs.clone()));
        return Ok(Walked {
            schema,
            defs: walked_defs,
        });
    }
    if !walker.recursive_refs.is_empty() {
        let mut defs = Map::new();
        for key in walker.recursive_refs.clone() {
            let def = walker.walked_def(&key)?;
            defs.insert(key, def);
        }
        let mut root_key = match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => def_key(reference).to_owned(),
            None => schema
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or("root")
                .to_owned(),
        };
        while defs.contains_key(&root_key) {
            root_key.push_str("_root");
        }
        defs.insert(root_key.clone(), Value::Object(handled));
        let mut schema = Map::new();
        schema.insert("$defs".to_owned(), Value::Object(defs.clone()));
        schema.insert(
            "$ref".to_owned(),
            Value::String(format!("#/$defs/{root_key}")),
        );
        return Ok(Walked { schema, defs });
    }
    Ok(Walked {
        schema: handled,
        defs: Map::new(),
    })
}

/// The identity transformer with `$ref`s inlined (pydantic-ai's
/// `InlineDefsJsonSchemaTransformer`), for providers that do not resolve references. The
/// schema is considered strict-compatible unless `strict` says otherwise.
///
/// # Errors
/// [`Error::User`] when the schema is not an object or a `$ref` names a missing definition.
pub fn inline_defs(schema: &Value, strict: Option<bool>) -> Result<TransformedSchema> {
    struct Identity;
    impl Transform for Identity {
        fn transform(&mut self, _node: &mut Map<String, Value>) -> Result<()> {
            Ok(())
        }
    }
    let walked = walk(
        schema,
        WalkOptions {
            prefer_inlined_defs: true,
            simplify_nullable_unions: false,
        },
        &mut Identity,
    )?;
    Ok(TransformedSchema {
        schema: Value::Object(walked.schema),
        strict: strict.unwrap_or(true),
        warnings: Vec::new(),
    })
}

/// Sends the schema as it is, for providers that accept any JSON Schema. The schema is
/// considered strict-compatible unless `strict` says otherwise.
pub fn unchanged(schema: &Value, strict: Option<bool>) -> Result<TransformedSchema> {
    Ok(TransformedSchema {
        schema: schema.clone(),
        strict: strict.unwrap_or(true),
        warnings: Vec::new(),
    })
}

/// The name a `$ref` points at: `#/$defs/Name` gives `Name`.
pub(crate) fn def_key(reference: &str) -> &str {
    reference.strip_prefix("#/$defs/").unwrap_or(reference)
}

/// Python's truthiness of a JSON value, as pydantic-ai tests values with `if` (its schema
/// walker's `if x := ...`, Gemini's `if logprobs_result`).
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

struct Walker<'t> {
    options: WalkOptions,
    transform: &'t mut dyn Transform,
    defs: Map<String, Value>,
    refs_stack: Vec<String>,
    recursive_refs: Vec<String>,
    walked_defs: Map<String, Value>,
}

impl Walker<'_> {
    fn handle(&mut self, node: Value) -> Result<Value> {
        match node {
            Value::Object(map) => Ok(Value::Object(self.handle_map(map)?)),
            // Booleans are schemas too (`true` accepts anything); other values are left alone.
            other => Ok(other),
        }
    }

    fn handle_map(&mut self, mut node: Map<String, Value>) -> Result<Map<String, Value>> {
        if self.options.prefer_inlined_defs {
            if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
                let key = def_key(reference).to_owned();
                if self.refs_stack.contains(&key) {
                    // A recursive reference cannot be unpacked: it stays a `$ref`, and `walk`
                    // emits the definition.
                    if !self.recursive_refs.contains(&key) {
                        self.recursive_refs.push(key);
                    }
                } else if !self.recursive_refs.contains(&key) {
                    let mut siblings = node.clone();
                    siblings.remove("$ref");
                    if !siblings.is_empty() {
                        return self.walk_def(&key, siblings);
                    }
                    return match self.walked_def(&key)? {
                        Value::Object(map) => Ok(map),
                        other => Err(Error::user(format!(
                            "the definition `{key}` of a schema must be an object, not {other}"
                        ))),
                    };
                }
            }
        }

        let kind = node.get("type").filter(|v| !v.is_null()).cloned();
        match kind.as_ref().and_then(Value::as_str) {
            Some("object") => node = self.handle_object(node)?,
            Some("array") => node = self.handle_array(node)?,
            _ => {}
        }
        if kind.is_none() {
            for union in ["allOf", "anyOf", "oneOf"] {
                node = self.handle_union(node, union)?;
            }
        } else {
            for union in ["allOf", "anyOf", "oneOf"] {
                if let Some(Value::Array(members)) = node.get(union) {
                    if !members.is_empty() {
                        let members = members.clone();
                        let handled = members
                            .into_iter()
                            .map(|m| self.handle(m))
                            .collect::<Result<Vec<_>>>()?;
                        node.insert(union.to_owned(), Value::Array(handled));
                    }
                }
            }
        }
        self.transform.transform(&mut node)?;
        Ok(node)
    }

    fn walked_def(&mut self, key: &str) -> Result<Value> {
        if let Some(walked) = self.walked_defs.get(key) {
            return Ok(walked.clone());
        }
        let walked = Value::Object(self.walk_def(key, Map::new())?);
        self.walked_defs.insert(key.to_owned(), walked.clone());
        Ok(walked)
    }

    fn walk_def(&mut self, key: &str, siblings: Map<String, Value>) -> Result<Map<String, Value>> {
        let Some(def) = self.defs.get(key) else {
            return Err(Error::user(format!(
                "the schema refers to `#/$defs/{key}`, which it does not define"
            )));
        };
        let mut merged = match def {
            Value::Object(map) => map.clone(),
            other => {
                return Err(Error::user(format!(
                    "the definition `{key}` of a schema must be an object, not {other}"
                )))
            }
        };
        merged.extend(siblings);
        self.refs_stack.push(key.to_owned());
        let walked = self.handle_map(merged);
        self.refs_stack.pop();
        walked
    }

    fn handle_object(&mut self, mut node: Map<String, Value>) -> Result<Map<String, Value>> {
        if let Some(Value::Object(properties)) = node.get("properties") {
            if !properties.is_empty() {
                let properties = properties.clone();
                let mut handled = Map::new();
                for (key, value) in properties {
                    handled.insert(key, self.handle(value)?);
                }
                node.insert("properties".to_owned(), Value::Object(handled));
            }
        }
        if let Some(additional) = node.get("additionalProperties") {
            if !additional.is_null() && !additional.is_boolean() {
                let handled = self.handle(additional.clone())?;
                node.insert("additionalProperties".to_owned(), handled);
            }
        }
        if let Some(Value::Object(patterns)) = node.get("patternProperties") {
            let patterns = patterns.clone();
            let mut handled = Map::new();
            for (key, value) in patterns {
                handled.insert(key, self.handle(value)?);
            }
            node.insert("patternProperties".to_owned(), Value::Object(handled));
        }
        Ok(node)
    }

    fn handle_array(&mut self, mut node: Map<String, Value>) -> Result<Map<String, Value>> {
        if let Some(Value::Array(prefix)) = node.get("prefixItems") {
            if !prefix.is_empty() {
                let prefix = prefix.clone();
                let handled = prefix
                    .into_iter()
                    .map(|m| self.handle(m))
                    .collect::<Result<Vec<_>>>()?;
                node.insert("prefixItems".to_owned(), Value::Array(handled));
            }
        }
        if let Some(items) = node.get("items") {
            if truthy(items) {
                let handled = self.handle(items.clone())?;
                node.insert("items".to_owned(), handled);
            }
        }
        Ok(node)
    }

    fn handle_union(
        &mut self,
        mut node: Map<String, Value>,
        union: &str,
    ) -> Result<Map<String, Value>> {
        let Some(members) = node.remove(union) else {
            return Ok(node);
        };
        let members = match members {
            Value::Array(members) => members,
            other => {
                return Err(Error::user(format!(
                    "`{union}` of a schema must be an array, not {other}"
                )))
            }
        };
        let mut handled = members
            .into_iter()
            .map(|m| self.handle(m))
            .collect::<Result<Vec<_>>>()?;
        if self.options.simplify_nullable_unions {
            handled = simplify_nullable_union(handled);
        }
        if let [Value::Object(only)] = handled.as_slice() {
            // A union of one is that one; the node's own keys (title, description…) win.
            let mut merged = only.clone();
            merged.extend(node);
            return Ok(merged);
        }
        node.insert(union.to_owned(), Value::Array(handled));
        Ok(node)
    }
}

fn simplify_nullable_union(cases: Vec<Value>) -> Vec<Value> {
    let null = serde_json::json!({"type": "null"});
    if cases.len() != 2 || !cases.contains(&null) {
        return cases;
    }
    match cases.iter().find(|case| **case != null) {
        Some(Value::Object(other)) => {
            let mut nullable = other.clone();
            nullable.insert("nullable".to_owned(), Value::Bool(true));
            vec![Value::Object(nullable)]
        }
        Some(_) => cases,
        None => cases.into_iter().take(1).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_defs_replaces_references_and_keeps_siblings() {
        let schema = json!({
            "type": "object",
            "properties": {
                "home": {"$ref": "#/$defs/Address", "description": "Where they live"},
                "work": {"$ref": "#/$defs/Address"}
            },
            "$defs": {"Address": {"type": "object", "properties": {"city": {"type": "string"}}}}
        });
        let out = inline_defs(&schema, None).unwrap();
        assert_eq!(
            out.schema,
            json!({
                "type": "object",
                "properties": {
                    "home": {"type": "object", "properties": {"city": {"type": "string"}},
                             "description": "Where they live"},
                    "work": {"type": "object", "properties": {"city": {"type": "string"}}}
                }
            })
        );
        assert!(out.strict);
    }

    #[test]
    fn recursive_definitions_stay_as_defs_when_inlining() {
        let schema = json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {"type": "object", "properties": {
                "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}
            }}}
        });
        let out = inline_defs(&schema, Some(false)).unwrap();
        assert_eq!(out.schema["$ref"], "#/$defs/Node_root");
        assert_eq!(
            out.schema["$defs"]["Node"]["properties"]["next"]["anyOf"][0],
            json!({"$ref": "#/$defs/Node"})
        );
        assert!(!out.strict);
    }

    #[test]
    fn single_member_unions_collapse_and_nullable_unions_simplify() {
        struct Identity;
        impl Transform for Identity {
            fn transform(&mut self, _node: &mut Map<String, Value>) -> Result<()> {
                Ok(())
            }
        }
        let schema = json!({"type": "object", "properties": {
            "a": {"anyOf": [{"type": "integer"}], "title": "A"},
            "b": {"anyOf": [{"type": "string"}, {"type": "null"}]}
        }});
        let options = WalkOptions {
            prefer_inlined_defs: false,
            simplify_nullable_unions: true,
        };
        let walked = walk(&schema, options, &mut Identity).unwrap();
        assert_eq!(
            Value::Object(walked.schema),
            json!({"type": "object", "properties": {
                "a": {"type": "integer", "title": "A"},
                "b": {"type": "string", "nullable": true}
            }})
        );
    }

    #[test]
    fn missing_definitions_and_non_objects_are_user_errors() {
        let err = inline_defs(&json!({"$ref": "#/$defs/Nope"}), None).unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{err}");
        assert!(matches!(
            inline_defs(&json!(true), None),
            Err(Error::User { .. })
        ));
    }
}
