//! Tool-argument coercion: any arguments (a JSON text as the model sent it, or the object it
//! parses to) are the tool's value or a `ToolArgsError` naming the problem; an accepted value,
//! serialized and parsed again, is accepted as the same value.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use llm_runtime::messages::{ToolArgs, ToolCallPart};
use llm_runtime::tool;
use llm_runtime::tools::Tool;

/// A unit of temperature.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Unit {
    Celsius,
    Fahrenheit,
}

/// Where.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[tool]
struct Place {
    city: String,
    lat: Option<f64>,
    #[serde(default)]
    tags: Vec<String>,
}

/// Gets the weather.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[tool]
struct Weather {
    place: Place,
    days: u8,
    unit: Option<Unit>,
    #[serde(default)]
    hourly: bool,
    #[serde(rename = "maxResults", default)]
    max_results: Option<i64>,
    #[serde(default)]
    extra: BTreeMap<String, u32>,
}

/// Divides.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[tool]
struct Divide {
    numerator: f64,
    denominator: f64,
}

/// Nothing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[tool]
struct Nothing {}

fn check<T: Tool + serde::Serialize + PartialEq + std::fmt::Debug>(call: &ToolCallPart) {
    match T::from_call(call) {
        Ok(value) => {
            let json = serde_json::to_string(&value).expect("a tool value serializes");
            let again = ToolCallPart::new(T::NAME, ToolArgs::Json(json), "again");
            let reparsed = T::from_call(&again).expect("a serialized tool value parses");
            assert_eq!(value, reparsed, "coercion is not idempotent");
        }
        Err(err) => {
            let _ = (err.to_string(), format!("{err:?}"));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let args = match (mode & 1, serde_json::from_str::<serde_json::Value>(text)) {
        (1, Ok(serde_json::Value::Object(map))) => ToolArgs::Object(map),
        _ => ToolArgs::Json(text.to_owned()),
    };
    let call = ToolCallPart::new("tool", args, "id");
    match (mode >> 1) % 4 {
        0 => check::<Weather>(&call),
        1 => check::<Divide>(&call),
        2 => check::<Nothing>(&call),
        _ => check::<Place>(&call),
    }
});
