//! Lax validation of tool arguments against their JSON schema: pydantic's lax mode, for the
//! subset of JSON schema that schemars writes.
//!
//! One walk over the value and the schema together coerces what the schema allows coercing
//! (in place) and collects every problem with its path. Nothing is guessed beyond the schema:
//! a string is turned into a number only where a number is expected.

use serde_json::{Map, Number, Value};

use super::error::{ArgProblem, PathSegment};
use super::schema::definition_name;

/// How deeply schemas and values may nest before the walk gives up (recursive schemas).
const MAX_DEPTH: usize = 128;

/// Checks `value` against `schema` (a root schema, with its `$defs`), coercing it in place,
/// and returns every problem found.
pub(crate) fn coerce(schema: &Value, value: &mut Value) -> Vec<ArgProblem> {
    let mut walker = Walker {
        root: schema,
        path: Vec::new(),
        problems: Vec::new(),
        depth: 0,
    };
    walker.check(schema, value, true);
    walker.problems
}

/// How badly a union branch fails, worst first: a problem at the union's own level, wrong
/// tags, missing or unknown fields, problems in all.
type BranchScore = (bool, usize, usize, usize);

/// One step of the current path: borrowed from the schema where it can be.
#[derive(Debug, Clone)]
enum Step<'s> {
    Key(&'s str),
    OwnedKey(String),
    Index(usize),
}

struct Walker<'s> {
    root: &'s Value,
    path: Vec<Step<'s>>,
    problems: Vec<ArgProblem>,
    depth: usize,
}

impl<'s> Walker<'s> {
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

    fn resolve(&self, reference: &str) -> Option<&'s Value> {
        if reference == "#" {
            return Some(self.root);
        }
        let name = definition_name(reference)?;
        self.root.get("$defs")?.get(name)
    }

    /// Checks `value` against `schema`; with `lax`, coerces it where the schema allows.
    fn check(&mut self, schema: &'s Value, value: &mut Value, lax: bool) {
        if self.depth >= MAX_DEPTH {
            self.problem("recursion_loop", "less deeply nested data".to_owned(), None);
            return;
        }
        self.depth += 1;
        self.check_schema(schema, value, lax);
        self.depth -= 1;
    }

    fn check_schema(&mut self, schema: &'s Value, value: &mut Value, lax: bool) {
        let schema = match schema {
            Value::Object(map) => map,
            Value::Bool(false) => {
                self.problem("no_value_allowed", "nothing".to_owned(), Some(value));
                return;
            }
            // `true`, or something that is not a schema: anything goes.
            _ => return,
        };
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.resolve(r))
        {
            let before = self.problems.len();
            self.check(target, value, lax);
            if self.problems.len() > before {
                return;
            }
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for sub in all {
                self.check(sub, value, lax);
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = schema.get(key) {
                if !self.check_union(branches, value, lax) {
                    return;
                }
            }
        }
        if let Some(types) = schema.get("type") {
            if !self.check_type(types, value, lax) {
                return;
            }
        } else if lax {
            // `properties` or `items` without `type` still say what the value is.
            let implied = if schema.contains_key("properties") {
                Some("object")
            } else if schema.contains_key("items") || schema.contains_key("prefixItems") {
                Some("array")
            } else {
                None
            };
            if let Some(coerced) = implied.and_then(|ty| coerce_to(ty, value)) {
                *value = coerced;
            }
        }
        if let Some(constant) = schema.get("const") {
            if !self.check_members(std::slice::from_ref(constant), value, lax) {
                let expected = describe_members(std::slice::from_ref(constant));
                self.problem("literal_error", expected, Some(value));
                return;
            }
        }
        if let Some(Value::Array(members)) = schema.get("enum") {
            if !self.check_members(members, value, lax) {
                self.problem("enum", describe_members(members), Some(value));
                return;
            }
        }
        match value {
            Value::Object(map) => self.check_object(schema, map, lax),
            Value::Array(items) => self.check_array(schema, items, lax),
            Value::Number(_) => self.check_number(schema, value),
            Value::String(text) => {
                let length = text.chars().count();
                if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
                    if (length as u64) < min {
                        let expected = format!("a string of at least {min} characters");
                        self.problem("string_too_short", expected, Some(value));
                    }
                }
                if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                    if (length as u64) > max {
                        let expected = format!("a string of at most {max} characters");
                        self.problem("string_too_long", expected, Some(value));
                    }
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// Whether `value` is (or, with `lax`, is coerced into) one of `members`.
    fn check_members(&mut self, members: &[Value], value: &mut Value, lax: bool) -> bool {
        if members.contains(value) {
            return true;
        }
        if !lax {
            return false;
        }
        for member in members {
            let ty = match member {
                Value::Number(n) if n.is_f64() => "number",
                Value::Number(_) => "integer",
                Value::Bool(_) => "boolean",
                _ => continue,
            };
            if let Some(coerced) = coerce_to(ty, value).filter(|c| c == member) {
                *value = coerced;
                return true;
            }
        }
        false
    }

    /// Checks `type` (one name or a list). Returns whether the value now has the type.
    fn check_type(&mut self, types: &'s Value, value: &mut Value, lax: bool) -> bool {
        let names: Vec<&str> = match types {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        if names.is_empty() || names.iter().any(|ty| has_type(ty, value)) {
            return true;
        }
        if lax {
            if let Some(coerced) = names.iter().find_map(|ty| coerce_to(ty, value)) {
                *value = coerced;
                return true;
            }
        }
        let main = names
            .iter()
            .find(|ty| **ty != "null")
            .copied()
            .unwrap_or("null");
        let kind = type_error_kind(main, value);
        let expected = join_alternatives(
            names
                .iter()
                .map(|ty| describe_type(ty).to_owned())
                .collect(),
        );
        self.problem(kind, expected, Some(value));
        false
    }

    /// Checks a union: a branch the value fits as it is wins; then, with `lax`, the first
    /// branch it fits after coercion. Returns whether one fits.
    fn check_union(&mut self, branches: &'s [Value], value: &mut Value, lax: bool) -> bool {
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
        // Each branch's problems, ranked: a branch the value has the shape of (no problem
        // at this level, no wrong tag, fewest missing or unknown fields) explains the failure
        // best.
        let depth = self.path.len();
        let mut best: Option<(BranchScore, Vec<ArgProblem>)> = None;
        let mut tied = false;
        for branch in branches {
            let mut candidate = value.clone();
            self.check(branch, &mut candidate, true);
            if self.problems.len() == before {
                *value = candidate;
                return true;
            }
            let problems = self.problems.split_off(before);
            let count = |kinds: &[&str]| {
                problems
                    .iter()
                    .filter(|p| p.loc.len() == depth + 1 && kinds.contains(&p.kind.as_str()))
                    .count()
            };
            let score = (
                problems.iter().any(|p| p.loc.len() <= depth),
                count(&["literal_error", "enum"]),
                count(&["missing", "extra_forbidden"]),
                problems.len(),
            );
            match &best {
                Some((best_score, _)) if *best_score < score => {}
                Some((best_score, _)) if *best_score == score => tied = true,
                _ => {
                    tied = false;
                    best = Some((score, problems));
                }
            }
        }
        match best {
            Some(((false, _, _, _), problems)) if !tied => self.problems.extend(problems),
            _ => {
                let expected = self.describe_union(branches);
                self.problem("union_tag_invalid", expected, Some(value));
            }
        }
        false
    }

    fn check_object(
        &mut self,
        schema: &'s Map<String, Value>,
        map: &mut Map<String, Value>,
        lax: bool,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let required: Vec<&'s str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = properties {
            for (name, sub) in properties {
                self.path.push(Step::Key(name));
                match map.get_mut(name) {
                    Some(field) => self.check(sub, field, lax),
                    None if required.contains(&name.as_str()) => {
                        let expected = self.describe(sub);
                        self.problem("missing", expected, None);
                    }
                    None => {}
                }
                self.path.pop();
            }
        }
        for name in &required {
            if !map.contains_key(*name) && !properties.is_some_and(|p| p.contains_key(*name)) {
                self.path.push(Step::Key(name));
                self.problem("missing", "a value".to_owned(), None);
                self.path.pop();
            }
        }
        let known = |key: &str| properties.is_some_and(|p| p.contains_key(key));
        match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => {
                let expected = match properties {
                    Some(p) if !p.is_empty() => describe_members(
                        &p.keys()
                            .map(|k| Value::String(k.clone()))
                            .collect::<Vec<_>>(),
                    ),
                    _ => "no arguments".to_owned(),
                };
                for (key, extra) in map.iter() {
                    if !known(key) {
                        self.path.push(Step::OwnedKey(key.clone()));
                        self.problem("extra_forbidden", expected.clone(), Some(extra));
                        self.path.pop();
                    }
                }
            }
            Some(additional @ Value::Object(_)) => {
                for (key, extra) in map.iter_mut() {
                    if !known(key) {
                        self.path.push(Step::OwnedKey(key.clone()));
                        self.check(additional, extra, lax);
                        self.path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn check_array(&mut self, schema: &'s Map<String, Value>, items: &mut [Value], lax: bool) {
        let prefix = schema
            .get("prefixItems")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let rest = schema.get("items");
        for (i, item) in items.iter_mut().enumerate() {
            let sub = match prefix.get(i) {
                Some(sub) => sub,
                None => match rest {
                    Some(sub) => sub,
                    None => continue,
                },
            };
            self.path.push(Step::Index(i));
            self.check(sub, item, lax);
            self.path.pop();
        }
        let count = items.len() as u64;
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
            if count < min {
                let received = Value::Array(items.to_vec());
                let expected = format!("an array of at least {min} items");
                self.problem("too_short", expected, Some(&received));
            }
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
            if count > max {
                let received = Value::Array(items.to_vec());
                let expected = format!("an array of at most {max} items");
                self.problem("too_long", expected, Some(&received));
            }
        }
    }

    /// Checks `minimum`, `maximum` (exclusive too) and the range of integer `format`s.
    fn check_number(&mut self, schema: &'s Map<String, Value>, value: &Value) {
        let Value::Number(number) = value else {
            return;
        };
        let range = schema
            .get("format")
            .and_then(Value::as_str)
            .and_then(integer_range);
        let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
        let (min, max) = (bound("minimum"), bound("maximum"));
        let (ex_min, ex_max) = (bound("exclusiveMinimum"), bound("exclusiveMaximum"));
        let integer_type = match schema.get("type") {
            Some(Value::String(ty)) => ty == "integer",
            Some(Value::Array(types)) => types.iter().any(|ty| ty == "integer"),
            _ => false,
        };
        let noun = if integer_type || range.is_some() {
            "an integer"
        } else {
            "a number"
        };
        let mut low: Option<(String, bool)> = None;
        let mut high: Option<(String, bool)> = None;
        if let Some((lo, hi)) = range {
            let wide = as_i128(number);
            if wide.is_some_and(|n| n < lo) {
                low = Some((lo.to_string(), true));
            }
            if wide.is_some_and(|n| n > hi) {
                high = Some((hi.to_string(), true));
            }
        }
        let as_f64 = number.as_f64().unwrap_or(f64::NAN);
        if let Some(min) = min.filter(|min| as_f64 < *min) {
            low = Some((trim_float(min), true));
        }
        if let Some(min) = ex_min.filter(|min| as_f64 <= *min) {
            low = Some((trim_float(min), false));
        }
        if let Some(max) = max.filter(|max| as_f64 > *max) {
            high = Some((trim_float(max), true));
        }
        if let Some(max) = ex_max.filter(|max| as_f64 >= *max) {
            high = Some((trim_float(max), false));
        }
        if let Some((bound, inclusive)) = low {
            let (kind, op) = if inclusive {
                ("greater_than_equal", ">=")
            } else {
                ("greater_than", ">")
            };
            self.problem(kind, format!("{noun} {op} {bound}"), Some(value));
        }
        if let Some((bound, inclusive)) = high {
            let (kind, op) = if inclusive {
                ("less_than_equal", "<=")
            } else {
                ("less_than", "<")
            };
            self.problem(kind, format!("{noun} {op} {bound}"), Some(value));
        }
    }

    /// What a schema expects, for a human and a model.
    fn describe(&self, schema: &'s Value) -> String {
        self.describe_at(schema, 0)
    }

    fn describe_at(&self, schema: &'s Value, depth: usize) -> String {
        let Some(map) = schema.as_object() else {
            return "any value".to_owned();
        };
        if depth > 8 {
            return "a value".to_owned();
        }
        if let Some(target) = map
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.resolve(r))
        {
            return self.describe_at(target, depth + 1);
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
                        .map(|b| self.describe_at(b, depth + 1))
                        .collect(),
                );
            }
        }
        if let Some(Value::Array(all)) = map.get("allOf") {
            if let Some(first) = all.first() {
                return self.describe_at(first, depth + 1);
            }
        }
        if let Some(key) = single_key(map) {
            return format!("an object {{\"{key}\": …}}");
        }
        match map.get("type") {
            Some(Value::String(ty)) => describe_type(ty).to_owned(),
            Some(Value::Array(types)) => join_alternatives(
                types
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|ty| describe_type(ty).to_owned())
                    .collect(),
            ),
            _ if map.contains_key("properties") => "an object".to_owned(),
            _ => "any value".to_owned(),
        }
    }

    fn describe_union(&self, branches: &'s [Value]) -> String {
        join_alternatives(branches.iter().map(|b| self.describe_at(b, 1)).collect())
    }
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

fn has_type(ty: &str, value: &Value) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => true,
    }
}

/// `value` as `ty`, by pydantic's lax rules, when it can be.
fn coerce_to(ty: &str, value: &Value) -> Option<Value> {
    match (ty, value) {
        ("number", Value::String(text)) => parse_number(text.trim()),
        ("integer", Value::Number(number)) => number.as_f64().and_then(integral),
        ("integer", Value::String(text)) => {
            let text = text.trim();
            if let Ok(n) = text.parse::<i64>() {
                return Some(Value::from(n));
            }
            if let Ok(n) = text.parse::<u64>() {
                return Some(Value::from(n));
            }
            text.parse::<f64>().ok().and_then(integral)
        }
        ("boolean", Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "on" | "1" => Some(Value::Bool(true)),
            "false" | "f" | "no" | "n" | "off" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
        ("boolean", Value::Number(number)) => match number.as_f64() {
            Some(0.0) => Some(Value::Bool(false)),
            Some(1.0) => Some(Value::Bool(true)),
            _ => None,
        },
        ("object", Value::String(text)) => serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_object),
        ("array", Value::String(text)) => serde_json::from_str::<Value>(text)
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
fn type_error_kind(ty: &str, value: &Value) -> &'static str {
    match (ty, value) {
        ("number", Value::String(_)) => "float_parsing",
        ("number", _) => "float_type",
        ("integer", Value::String(_)) => "int_parsing",
        ("integer", Value::Number(_)) => "int_from_float",
        ("integer", _) => "int_type",
        ("boolean", Value::String(_)) => "bool_parsing",
        ("boolean", _) => "bool_type",
        ("string", _) => "string_type",
        ("object", _) => "dict_type",
        ("array", _) => "list_type",
        ("null", _) => "none_required",
        _ => "type_error",
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

#[cfg(test)]
mod tests;
