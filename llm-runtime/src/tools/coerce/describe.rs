//! What a schema expects and what went wrong, as text for a human and a model.

use serde_json::Value;

use super::Ty;

/// pydantic's error type for a value that is not of type `ty`.
pub(super) fn type_error_kind(ty: Ty, value: &Value) -> &'static str {
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

pub(super) fn describe_type(ty: &str) -> &str {
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
pub(super) fn describe_members(members: &[Value]) -> String {
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
pub(super) fn join_alternatives(mut items: Vec<String>) -> String {
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
