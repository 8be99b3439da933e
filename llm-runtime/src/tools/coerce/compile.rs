//! Compiling a JSON schema into the tree of [`Node`]s the walk follows.

use serde_json::{Map, Value};

use super::describe::{describe_members, describe_type, join_alternatives};
use super::lax::integer_range;
use super::{ty, Additional, ArrayRules, Node, NumberRules, ObjectRules, Property, Target, Ty};

/// Compiles the schemas of one root.
pub(super) struct Compiler<'s> {
    pub(super) root: &'s Value,
    pub(super) names: Vec<&'s str>,
}

impl Compiler<'_> {
    fn target(&self, reference: &str) -> Option<Target> {
        if reference == "#" {
            return Some(Target::Root);
        }
        let name = definition_name(reference)?;
        self.names.iter().position(|n| *n == name).map(Target::Def)
    }

    fn nodes(&self, schemas: Option<&Value>) -> Vec<Node> {
        schemas
            .and_then(Value::as_array)
            .map(|items| items.iter().map(|s| self.node(s)).collect())
            .unwrap_or_default()
    }

    pub(super) fn node(&self, schema: &Value) -> Node {
        let Some(map) = schema.as_object() else {
            let never = schema == &Value::Bool(false);
            return Node {
                never,
                expected: if never { "nothing" } else { "any value" }.to_owned(),
                ..Node::default()
            };
        };
        let types: Vec<Ty> = match map.get("type") {
            Some(Value::String(name)) => ty(name).into_iter().collect(),
            Some(Value::Array(names)) => names.iter().filter_map(|n| ty(n.as_str()?)).collect(),
            _ => Vec::new(),
        };
        let implied = if map.contains_key("type") {
            None
        } else if map.contains_key("properties") {
            Some(Ty::Object)
        } else if map.contains_key("items") || map.contains_key("prefixItems") {
            Some(Ty::Array)
        } else {
            None
        };
        let u64_of = |key: &str| map.get(key).and_then(Value::as_u64);
        let has_array_rules = ["items", "prefixItems", "minItems", "maxItems"]
            .iter()
            .any(|key| map.contains_key(*key));
        Node {
            never: false,
            reference: map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.target(r)),
            all_of: self.nodes(map.get("allOf")),
            unions: ["anyOf", "oneOf"]
                .iter()
                .filter(|key| map.get(**key).is_some_and(Value::is_array))
                .map(|key| self.nodes(map.get(*key)))
                .collect(),
            constant: map.get("const").cloned(),
            members: map.get("enum").and_then(Value::as_array).cloned(),
            object: self.object_rules(map).map(Box::new),
            array: has_array_rules.then(|| {
                Box::new(ArrayRules {
                    prefix: self.nodes(map.get("prefixItems")),
                    items: map.get("items").map(|s| self.node(s)),
                    min: u64_of("minItems"),
                    max: u64_of("maxItems"),
                })
            }),
            number: number_rules(map, &types).map(Box::new),
            length: (u64_of("minLength"), u64_of("maxLength")),
            types,
            implied,
            expected: self.describe(schema, 0),
        }
    }

    fn object_rules(&self, map: &Map<String, Value>) -> Option<ObjectRules> {
        let properties = map.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let additional = match map.get("additionalProperties") {
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(schema @ Value::Object(_)) => Additional::Schema(Box::new(self.node(schema))),
            _ => Additional::Any,
        };
        if properties.is_none() && required.is_empty() && additional == Additional::Any {
            return None;
        }
        let known = match properties {
            Some(p) if !p.is_empty() => describe_members(
                &p.keys()
                    .map(|k| Value::String(k.clone()))
                    .collect::<Vec<_>>(),
            ),
            _ => "no arguments".to_owned(),
        };
        Some(ObjectRules {
            properties: properties
                .into_iter()
                .flatten()
                .map(|(name, schema)| Property {
                    name: name.clone(),
                    node: self.node(schema),
                    required: required.contains(&name.as_str()),
                })
                .collect(),
            other_required: required
                .iter()
                .filter(|name| !properties.is_some_and(|p| p.contains_key(**name)))
                .map(|name| (*name).to_owned())
                .collect(),
            additional,
            known,
        })
    }

    /// What a schema expects, for a human and a model.
    fn describe(&self, schema: &Value, depth: usize) -> String {
        let Some(map) = schema.as_object() else {
            return "any value".to_owned();
        };
        if depth > 8 {
            return "a value".to_owned();
        }
        let target = map
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.target(r))
            .and_then(|target| match target {
                Target::Root => Some(self.root),
                Target::Def(i) => self
                    .root
                    .get("$defs")
                    .and_then(Value::as_object)
                    .and_then(|defs| defs.values().nth(i)),
            });
        if let Some(target) = target {
            return self.describe(target, depth + 1);
        }
        if let Some(constant) = map.get("const") {
            return describe_members(std::slice::from_ref(constant));
        }
        if let Some(Value::Array(members)) = map.get("enum") {
            return describe_members(members);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = map.get(key) {
                return join_alternatives(
                    branches
                        .iter()
                        .map(|b| self.describe(b, depth + 1))
                        .collect(),
                );
            }
        }
        if let Some(first) = map
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return self.describe(first, depth + 1);
        }
        if let Some(key) = single_key(map) {
            return format!("an object {{\"{key}\": …}}");
        }
        match map.get("type") {
            Some(Value::String(name)) => describe_type(name).to_owned(),
            Some(Value::Array(names)) => join_alternatives(
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|name| describe_type(name).to_owned())
                    .collect(),
            ),
            _ if map.contains_key("properties") => "an object".to_owned(),
            _ => "any value".to_owned(),
        }
    }
}

/// `minimum`, `maximum` (exclusive too) and the range of an integer `format`, when any is set.
fn number_rules(map: &Map<String, Value>, types: &[Ty]) -> Option<NumberRules> {
    let f64_of = |key: &str| map.get(key).and_then(Value::as_f64);
    let range = map
        .get("format")
        .and_then(Value::as_str)
        .and_then(integer_range);
    let rules = NumberRules {
        minimum: f64_of("minimum"),
        maximum: f64_of("maximum"),
        exclusive_minimum: f64_of("exclusiveMinimum"),
        exclusive_maximum: f64_of("exclusiveMaximum"),
        range,
        noun: if types.contains(&Ty::Integer) || range.is_some() {
            "an integer"
        } else {
            "a number"
        },
    };
    let any = rules.minimum.is_some()
        || rules.maximum.is_some()
        || rules.exclusive_minimum.is_some()
        || rules.exclusive_maximum.is_some()
        || rules.range.is_some();
    any.then_some(rules)
}

/// The one key of an object schema that must have exactly that key (how serde tags an
/// enum's data variant by default).
fn single_key(map: &Map<String, Value>) -> Option<&str> {
    let properties = map.get("properties")?.as_object()?;
    let required = map.get("required")?.as_array()?;
    match (properties.len(), required.as_slice()) {
        (1, [Value::String(key)]) if properties.contains_key(key) => Some(key),
        _ => None,
    }
}

/// The name of the definition a `$ref` points at, when it is one of ours (`#/$defs/Name`).
pub(crate) fn definition_name(reference: &str) -> Option<String> {
    let name = reference.strip_prefix("#/$defs/")?;
    Some(name.replace("~1", "/").replace("~0", "~"))
}
