//! pydantic's lax mode for one value: which JSON types a value has, and what it turns into
//! where the schema expects another.

use serde_json::{Number, Value};

use super::Ty;

pub(super) fn has_type(ty: Ty, value: &Value) -> bool {
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
pub(super) fn coerce_to(ty: Ty, value: &Value) -> Option<Value> {
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

pub(super) fn as_i128(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

/// The range of an integer `format` schemars writes.
pub(super) fn integer_range(format: &str) -> Option<(i128, i128)> {
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

pub(super) fn trim_float(n: f64) -> String {
    match integral(n) {
        Some(int) => int.to_string(),
        None => n.to_string(),
    }
}
