//! Lax validation of tool arguments against their JSON schema: pydantic's lax mode, for the
//! subset of JSON schema that schemars writes.
//!
//! A schema is compiled once ([`Validator::compile`]) into a tree of nodes that says, without
//! any lookup by keyword, what each value must be. One walk over the value and that tree
//! coerces what the schema allows coercing (in place) and collects every problem with its
//! path. Nothing is guessed beyond the schema: a string is turned into a number only where a
//! number is expected.

use serde_json::{Map, Number, Value};

use super::error::{ArgProblem, PathSegment};

/// How deeply schemas and values may nest before the walk gives up (recursive schemas).
const MAX_DEPTH: usize = 128;

/// How badly a union branch fails, worst first: a problem at the union's own level, wrong
/// tags, missing or unknown fields, problems in all.
type BranchScore = (bool, usize, usize, usize);

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

/// Compiles the schemas of one root.
struct Compiler<'s> {
    root: &'s Value,
    names: Vec<&'s str>,
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

    fn node(&self, schema: &Value) -> Node {
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

/// One step of the current path, borrowed from the compiled schema where it can be.
#[derive(Debug, Clone)]
enum Step<'v> {
    Key(&'v str),
    OwnedKey(String),
    Index(usize),
}

struct Walker<'v> {
    validator: &'v Validator,
    path: Vec<Step<'v>>,
    problems: Vec<ArgProblem>,
    depth: usize,
}

impl<'v> Walker<'v> {
    fn loc(&self) -> Vec<PathSegment> {
        self.path
            .iter()
            .map(|step| match step {
                Step::Key(key) => PathSegment::Field((*key).to_owned()),
                Step::OwnedKey(key) => PathSegment::Field(key.clone()),
                Step::Index(i) => PathSegment::Index(*i),
            })
            .collect()
    }

    fn problem(&mut self, kind: &str, expected: String, received: Option<&Value>) {
        self.problems.push(ArgProblem {
            loc: self.loc(),
            kind: kind.to_owned(),
            expected,
            received: received.cloned(),
        });
    }

    /// Checks `value` against `node`; with `lax`, coerces it where the schema allows.
    fn check(&mut self, node: &'v Node, value: &mut Value, lax: bool) {
        if self.depth >= MAX_DEPTH {
            self.problem("recursion_loop", "less deeply nested data".to_owned(), None);
            return;
        }
        self.depth += 1;
        self.check_node(node, value, lax);
        self.depth -= 1;
    }

    fn check_node(&mut self, node: &'v Node, value: &mut Value, lax: bool) {
        if node.never {
            self.problem("no_value_allowed", node.expected.clone(), Some(value));
            return;
        }
        if let Some(target) = node.reference.and_then(|t| self.validator.resolve(t)) {
            let before = self.problems.len();
            self.check(target, value, lax);
            if self.problems.len() > before {
                return;
            }
        }
        for sub in &node.all_of {
            self.check(sub, value, lax);
        }
        for branches in &node.unions {
            if !self.check_union(branches, value, lax) {
                return;
            }
        }
        if !node.types.is_empty() {
            if !self.check_type(&node.types, value, lax) {
                return;
            }
        } else if lax {
            if let Some(coerced) = node.implied.and_then(|ty| coerce_to(ty, value)) {
                *value = coerced;
            }
        }
        if let Some(constant) = &node.constant {
            let members = std::slice::from_ref(constant);
            if !check_members(members, value, lax) {
                self.problem("literal_error", describe_members(members), Some(value));
                return;
            }
        }
        if let Some(members) = &node.members {
            if !check_members(members, value, lax) {
                self.problem("enum", describe_members(members), Some(value));
                return;
            }
        }
        match value {
            Value::Object(map) => {
                if let Some(rules) = &node.object {
                    self.check_object(rules, map, lax);
                }
            }
            Value::Array(items) => {
                if let Some(rules) = &node.array {
                    self.check_array(rules, items, lax);
                }
            }
            Value::Number(number) => {
                if let Some((kind, expected)) =
                    node.number.as_ref().and_then(|r| number_problem(r, number))
                {
                    self.problem(kind, expected, Some(value));
                }
            }
            Value::String(text) => {
                let (min, max) = node.length;
                if min.is_none() && max.is_none() {
                    return;
                }
                let length = text.chars().count() as u64;
                if let Some(min) = min.filter(|min| length < *min) {
                    let expected = format!("a string of at least {min} characters");
                    self.problem("string_too_short", expected, Some(value));
                } else if let Some(max) = max.filter(|max| length > *max) {
                    let expected = format!("a string of at most {max} characters");
                    self.problem("string_too_long", expected, Some(value));
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// Checks `type`. Returns whether the value now has one of the types.
    fn check_type(&mut self, types: &[Ty], value: &mut Value, lax: bool) -> bool {
        if types.iter().any(|ty| has_type(*ty, value)) {
            return true;
        }
        if lax {
            if let Some(coerced) = types.iter().find_map(|ty| coerce_to(*ty, value)) {
                *value = coerced;
                return true;
            }
        }
        let main = types
            .iter()
            .find(|ty| **ty != Ty::Null)
            .copied()
            .unwrap_or(Ty::Null);
        let expected = join_alternatives(
            types
                .iter()
                .map(|ty| describe_type(type_name(*ty)).to_owned())
                .collect(),
        );
        self.problem(type_error_kind(main, value), expected, Some(value));
        false
    }

    /// Checks a union: a branch the value fits as it is wins; then, with `lax`, the first
    /// branch it fits after coercion. Returns whether one fits.
    fn check_union(&mut self, branches: &'v [Node], value: &mut Value, lax: bool) -> bool {
        let before = self.problems.len();
        for branch in branches {
            self.check(branch, value, false);
            let fits = self.problems.len() == before;
            self.problems.truncate(before);
            if fits {
                return true;
            }
        }
        if !lax {
            self.problem("union_tag_invalid", String::new(), None);
            return false;
        }
        let mut failures = Vec::with_capacity(branches.len());
        for branch in branches {
            let mut candidate = value.clone();
            self.check(branch, &mut candidate, true);
            if self.problems.len() == before {
                *value = candidate;
                return true;
            }
            failures.push(self.problems.split_off(before));
        }
        let depth = self.path.len();
        if let Some(tag) = wrong_tag(&failures, depth) {
            self.problems.push(tag);
            return false;
        }
        // A branch the value has the shape of (no problem at this level, no wrong tag, fewest
        // missing or unknown fields) explains the failure best, when one stands out.
        let score = |problems: &[ArgProblem]| -> BranchScore {
            let count = |kinds: &[&str]| {
                problems
                    .iter()
                    .filter(|p| p.loc.len() == depth + 1 && kinds.contains(&p.kind.as_str()))
                    .count()
            };
            (
                problems.iter().any(|p| p.loc.len() <= depth),
                count(&["literal_error", "enum"]),
                count(&["missing", "extra_forbidden"]),
                problems.len(),
            )
        };
        let mut ranked: Vec<(BranchScore, Vec<ArgProblem>)> = failures
            .into_iter()
            .map(|problems| (score(&problems), problems))
            .collect();
        ranked.sort_by_key(|(score, _)| *score);
        let clear_best = match ranked.as_slice() {
            [(best, _)] => !best.0 && best.1 == 0,
            [(best, _), (next, _), ..] => !best.0 && best.1 == 0 && best < next,
            [] => false,
        };
        if clear_best {
            if let Some((_, problems)) = ranked.into_iter().next() {
                self.problems.extend(problems);
                return false;
            }
        }
        let expected = join_alternatives(branches.iter().map(|b| b.expected.clone()).collect());
        self.problem("union_tag_invalid", expected, Some(value));
        false
    }

    fn check_object(&mut self, rules: &'v ObjectRules, map: &mut Map<String, Value>, lax: bool) {
        let mut seen = 0;
        for property in &rules.properties {
            self.path.push(Step::Key(&property.name));
            match map.get_mut(&property.name) {
                Some(field) => {
                    seen += 1;
                    self.check(&property.node, field, lax);
                }
                None if property.required => {
                    self.problem("missing", property.node.expected.clone(), None);
                }
                None => {}
            }
            self.path.pop();
        }
        for name in &rules.other_required {
            if !map.contains_key(name) {
                self.path.push(Step::Key(name));
                self.problem("missing", "a value".to_owned(), None);
                self.path.pop();
            }
        }
        if seen == map.len() {
            // Every key is a property: no extra ones to look at.
            return;
        }
        let known = |key: &str| rules.properties.iter().any(|p| p.name == key);
        match &rules.additional {
            Additional::Forbidden => {
                for (key, extra) in map.iter() {
                    if !known(key) {
                        self.path.push(Step::OwnedKey(key.clone()));
                        self.problem("extra_forbidden", rules.known.clone(), Some(extra));
                        self.path.pop();
                    }
                }
            }
            Additional::Schema(node) => {
                for (key, extra) in map.iter_mut() {
                    if !known(key) {
                        self.path.push(Step::OwnedKey(key.clone()));
                        self.check(node, extra, lax);
                        self.path.pop();
                    }
                }
            }
            Additional::Any => {}
        }
    }

    fn check_array(&mut self, rules: &'v ArrayRules, items: &mut [Value], lax: bool) {
        for (i, item) in items.iter_mut().enumerate() {
            let Some(node) = rules.prefix.get(i).or(rules.items.as_ref()) else {
                continue;
            };
            self.path.push(Step::Index(i));
            self.check(node, item, lax);
            self.path.pop();
        }
        let count = items.len() as u64;
        if let Some(min) = rules.min.filter(|min| count < *min) {
            let received = Value::Array(items.to_vec());
            let expected = format!("an array of at least {min} items");
            self.problem("too_short", expected, Some(&received));
        } else if let Some(max) = rules.max.filter(|max| count > *max) {
            let received = Value::Array(items.to_vec());
            let expected = format!("an array of at most {max} items");
            self.problem("too_long", expected, Some(&received));
        }
    }
}

/// When every branch of a tagged union fails on the same field with a wrong constant (serde's
/// `tag`), that field is the problem: one problem there listing every tag.
fn wrong_tag(failures: &[Vec<ArgProblem>], depth: usize) -> Option<ArgProblem> {
    let tag_of = |problems: &[ArgProblem]| {
        problems
            .iter()
            .find(|p| p.kind == "literal_error" && p.loc.len() == depth + 1)
            .cloned()
    };
    let first = tag_of(failures.first()?)?;
    let mut tags = Vec::with_capacity(failures.len());
    for problems in failures {
        let tag =
            tag_of(problems).filter(|t| t.loc == first.loc && t.received == first.received)?;
        tags.push(tag.expected);
    }
    Some(ArgProblem {
        kind: "union_tag_invalid".to_owned(),
        expected: join_alternatives(tags),
        ..first
    })
}

/// Whether `value` is (or, with `lax`, is coerced into) one of `members`.
fn check_members(members: &[Value], value: &mut Value, lax: bool) -> bool {
    if members.contains(value) {
        return true;
    }
    if !lax {
        return false;
    }
    for member in members {
        let ty = match member {
            Value::Number(n) if n.is_f64() => Ty::Number,
            Value::Number(_) => Ty::Integer,
            Value::Bool(_) => Ty::Boolean,
            _ => continue,
        };
        if let Some(coerced) = coerce_to(ty, value).filter(|c| c == member) {
            *value = coerced;
            return true;
        }
    }
    false
}

/// The first bound `number` breaks, as (kind, expected).
fn number_problem(rules: &NumberRules, number: &Number) -> Option<(&'static str, String)> {
    let noun = rules.noun;
    let wide = as_i128(number);
    let n = number.as_f64().unwrap_or(f64::NAN);
    if let Some((lo, hi)) = rules.range {
        if wide.is_some_and(|w| w < lo) {
            return Some(("greater_than_equal", format!("{noun} >= {lo}")));
        }
        if wide.is_some_and(|w| w > hi) {
            return Some(("less_than_equal", format!("{noun} <= {hi}")));
        }
    }
    if let Some(min) = rules.minimum.filter(|min| n < *min) {
        return Some((
            "greater_than_equal",
            format!("{noun} >= {}", trim_float(min)),
        ));
    }
    if let Some(min) = rules.exclusive_minimum.filter(|min| n <= *min) {
        return Some(("greater_than", format!("{noun} > {}", trim_float(min))));
    }
    if let Some(max) = rules.maximum.filter(|max| n > *max) {
        return Some(("less_than_equal", format!("{noun} <= {}", trim_float(max))));
    }
    if let Some(max) = rules.exclusive_maximum.filter(|max| n >= *max) {
        return Some(("less_than", format!("{noun} < {}", trim_float(max))));
    }
    None
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

fn has_type(ty: Ty, value: &Value) -> bool {
    match ty {
        Ty::Object => value.is_object(),
        Ty::Array => value.is_array(),
        Ty::String => value.is_string(),
        Ty::Boolean => value.is_boolean(),
        Ty::Null => value.is_null(),
        Ty::Number => value.is_number(),
        Ty::Integer => value.is_i64() || value.is_u64(),
    }
}

/// `value` as `ty`, by pydantic's lax rules, when it can be.
fn coerce_to(ty: Ty, value: &Value) -> Option<Value> {
    match (ty, value) {
        (Ty::Number, Value::String(text)) => parse_number(text.trim()),
        (Ty::Integer, Value::Number(number)) => number.as_f64().and_then(integral),
        (Ty::Integer, Value::String(text)) => {
            let text = text.trim();
            if let Ok(n) = text.parse::<i64>() {
                return Some(Value::from(n));
            }
            if let Ok(n) = text.parse::<u64>() {
                return Some(Value::from(n));
            }
            text.parse::<f64>().ok().and_then(integral)
        }
        (Ty::Boolean, Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "on" | "1" => Some(Value::Bool(true)),
            "false" | "f" | "no" | "n" | "off" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
        (Ty::Boolean, Value::Number(number)) => match number.as_f64() {
            Some(0.0) => Some(Value::Bool(false)),
            Some(1.0) => Some(Value::Bool(true)),
            _ => None,
        },
        (Ty::Object, Value::String(text)) => serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_object),
        (Ty::Array, Value::String(text)) => serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_array),
        _ => None,
    }
}

/// A numeric string as a JSON number: an integer when it is one, else a finite float.
fn parse_number(text: &str) -> Option<Value> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(Value::from(n));
    }
    if let Ok(n) = text.parse::<u64>() {
        return Some(Value::from(n));
    }
    // Rust also parses "inf" and "NaN", which JSON cannot hold.
    let n = text.parse::<f64>().ok().filter(|n| n.is_finite())?;
    Number::from_f64(n).map(Value::Number)
}

/// A float with no fractional part as a JSON integer, when it fits one.
fn integral(n: f64) -> Option<Value> {
    if !n.is_finite() || n.fract() != 0.0 {
        return None;
    }
    if n >= i64::MIN as f64 && n < i64::MAX as f64 {
        Some(Value::from(n as i64))
    } else if n >= 0.0 && n < u64::MAX as f64 {
        Some(Value::from(n as u64))
    } else {
        None
    }
}

fn as_i128(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

/// The range of an integer `format` schemars writes.
fn integer_range(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" | "int" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" | "uint" => (0, u64::MAX.into()),
        _ => return None,
    })
}

fn trim_float(n: f64) -> String {
    match integral(n) {
        Some(int) => int.to_string(),
        None => n.to_string(),
    }
}

/// pydantic's error type for a value that is not of type `ty`.
fn type_error_kind(ty: Ty, value: &Value) -> &'static str {
    match (ty, value) {
        (Ty::Number, Value::String(_)) => "float_parsing",
        (Ty::Number, _) => "float_type",
        (Ty::Integer, Value::String(_)) => "int_parsing",
        (Ty::Integer, Value::Number(_)) => "int_from_float",
        (Ty::Integer, _) => "int_type",
        (Ty::Boolean, Value::String(_)) => "bool_parsing",
        (Ty::Boolean, _) => "bool_type",
        (Ty::String, _) => "string_type",
        (Ty::Object, _) => "dict_type",
        (Ty::Array, _) => "list_type",
        (Ty::Null, _) => "none_required",
    }
}

fn describe_type(ty: &str) -> &str {
    match ty {
        "object" => "an object",
        "array" => "an array",
        "string" => "a string",
        "boolean" => "a boolean",
        "null" => "null",
        "number" => "a number",
        "integer" => "an integer",
        other => other,
    }
}

/// "`a`" or "one of `a`, `b`": strings unquoted in backticks, other values as JSON.
fn describe_members(members: &[Value]) -> String {
    let shown: Vec<String> = members
        .iter()
        .map(|m| match m {
            Value::String(text) => format!("`{text}`"),
            other => format!("`{other}`"),
        })
        .collect();
    match shown.as_slice() {
        [one] => one.clone(),
        _ => format!("one of {}", shown.join(", ")),
    }
}

/// "a", "a or b", "a, b or c", without repeats.
fn join_alternatives(mut items: Vec<String>) -> String {
    let mut seen = Vec::new();
    items.retain(|item| {
        if seen.contains(item) {
            false
        } else {
            seen.push(item.clone());
            true
        }
    });
    match items.split_last() {
        None => "a value".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The name of the definition a `$ref` points at, when it is one of ours (`#/$defs/Name`).
pub(crate) fn definition_name(reference: &str) -> Option<String> {
    let name = reference.strip_prefix("#/$defs/")?;
    Some(name.replace("~1", "/").replace("~0", "~"))
}

#[cfg(test)]
mod tests;
