//! Lax validation of tool arguments against their JSON schema: pydantic's lax mode, for the
//! subset of JSON schema that schemars writes.
//!
//! A schema is compiled once ([`Validator::compile`]) into a tree of nodes that says, without
//! any lookup by keyword, what each value must be. One walk over the value and that tree
//! coerces what the schema allows coercing (in place) and collects every problem with its
//! path. Nothing is guessed beyond the schema: a string is turned into a number only where a
//! number is expected.

mod compile;
mod describe;
mod lax;
mod walk;

use serde_json::Value;

use super::error::ArgProblem;
pub(crate) use compile::definition_name;
use compile::Compiler;
use walk::Walker;

/// A JSON schema compiled for checking and coercing values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Validator {
    root: Node,
    /// The compiled `$defs`, in their order.
    defs: Vec<Node>,
}

/// What one (sub)schema asks of a value.
#[derive(Debug, Clone, PartialEq, Default)]
struct Node {
    /// The schema `false`: no value fits.
    never: bool,
    /// `$ref`.
    reference: Option<Target>,
    /// `allOf`.
    all_of: Vec<Node>,
    /// `anyOf` and `oneOf`: the value must fit one branch of each.
    unions: Vec<Vec<Node>>,
    /// `type`; empty for any type.
    types: Vec<Ty>,
    /// The type `properties` or `items` imply when `type` is absent.
    implied: Option<Ty>,
    /// `const`.
    constant: Option<Value>,
    /// `enum`.
    members: Option<Vec<Value>>,
    object: Option<Box<ObjectRules>>,
    array: Option<Box<ArrayRules>>,
    number: Option<Box<NumberRules>>,
    /// `minLength`, `maxLength`.
    length: (Option<u64>, Option<u64>),
    /// What the schema expects, for a human and a model.
    expected: String,
}

/// Where a `$ref` points.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Root,
    Def(usize),
}

/// The JSON types of `type`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Object,
    Array,
    String,
    Boolean,
    Null,
    Number,
    Integer,
}

#[derive(Debug, Clone, PartialEq)]
struct ObjectRules {
    properties: Vec<Property>,
    /// Required names that are not among `properties`.
    other_required: Vec<String>,
    additional: Additional,
    /// The properties, as the text an unknown-argument problem expects.
    known: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Property {
    name: String,
    node: Node,
    required: bool,
}

/// `additionalProperties`.
#[derive(Debug, Clone, PartialEq)]
enum Additional {
    Any,
    Forbidden,
    Schema(Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
struct ArrayRules {
    /// `prefixItems`.
    prefix: Vec<Node>,
    /// `items`: every item after the prefix.
    items: Option<Node>,
    min: Option<u64>,
    max: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
struct NumberRules {
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: Option<f64>,
    exclusive_maximum: Option<f64>,
    /// The range of an integer `format` (`uint8`…).
    range: Option<(i128, i128)>,
    /// "an integer" or "a number".
    noun: &'static str,
}

impl Validator {
    /// Compiles a root schema and its `$defs`.
    pub(crate) fn compile(schema: &Value) -> Validator {
        let defs = schema.get("$defs").and_then(Value::as_object);
        let compiler = Compiler {
            root: schema,
            names: defs
                .map(|d| d.keys().map(String::as_str).collect())
                .unwrap_or_default(),
        };
        Validator {
            root: compiler.node(schema),
            defs: defs
                .map(|d| d.values().map(|def| compiler.node(def)).collect())
                .unwrap_or_default(),
        }
    }

    /// Checks `value`, coercing it in place, and returns every problem found.
    pub(crate) fn coerce(&self, value: &mut Value) -> Vec<ArgProblem> {
        let mut walker = Walker {
            validator: self,
            path: Vec::new(),
            problems: Vec::new(),
            depth: 0,
        };
        walker.check(&self.root, value, true);
        walker.problems
    }

    fn resolve(&self, target: Target) -> Option<&Node> {
        match target {
            Target::Root => Some(&self.root),
            Target::Def(i) => self.defs.get(i),
        }
    }
}

fn ty(name: &str) -> Option<Ty> {
    Some(match name {
        "object" => Ty::Object,
        "array" => Ty::Array,
        "string" => Ty::String,
        "boolean" => Ty::Boolean,
        "null" => Ty::Null,
        "number" => Ty::Number,
        "integer" => Ty::Integer,
        _ => return None,
    })
}

fn type_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Object => "object",
        Ty::Array => "array",
        Ty::String => "string",
        Ty::Boolean => "boolean",
        Ty::Null => "null",
        Ty::Number => "number",
        Ty::Integer => "integer",
    }
}

#[cfg(test)]
mod tests;
