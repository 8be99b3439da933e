//! The walk over a value and its compiled schema: coercing in place and collecting problems.

use serde_json::{Map, Number, Value};

use super::describe::{describe_members, describe_type, join_alternatives, type_error_kind};
use super::lax::{as_i128, coerce_to, has_type, trim_float};
use super::{type_name, Additional, ArrayRules, Node, NumberRules, ObjectRules, Ty, Validator};
use crate::tools::error::{ArgProblem, PathSegment};

/// How deeply schemas and values may nest before the walk gives up (recursive schemas).
const MAX_DEPTH: usize = 128;

/// How badly a union branch fails, worst first: a problem at the union's own level, wrong
/// tags, missing or unknown fields, problems in all.
type BranchScore = (bool, usize, usize, usize);

/// One step of the current path, borrowed from the compiled schema where it can be.
#[derive(Debug, Clone)]
pub(super) enum Step<'v> {
    Key(&'v str),
    OwnedKey(String),
    Index(usize),
}

pub(super) struct Walker<'v> {
    pub(super) validator: &'v Validator,
    pub(super) path: Vec<Step<'v>>,
    pub(super) problems: Vec<ArgProblem>,
    pub(super) depth: usize,
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
    pub(super) fn check(&mut self, node: &'v Node, value: &mut Value, lax: bool) {
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
