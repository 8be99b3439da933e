use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{schema_for, ArgsSchema};
use crate::messages::ToolCallPart;
use crate::tools::{ArgProblem, PathSegment};

/// Divide two numbers.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Divide {
    numerator: f64,
    /// The number to divide by.
    denominator: f64,
    /// What to return when dividing by zero.
    #[serde(default)]
    on_inf: OnInf,
}

/// What to do on a division by zero.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum OnInf {
    Error,
    #[default]
    Infinity,
}

#[test]
fn schema_is_pydantic_like() {
    assert_eq!(
        schema_for::<Divide>().json(),
        &json!({
            "type": "object",
            "properties": {
                "numerator": {"type": "number"},
                "denominator": {"description": "The number to divide by.", "type": "number"},
                "on_inf": {
                    "description": "What to return when dividing by zero.",
                    "type": "string",
                    "enum": ["error", "infinity"],
                    "default": "infinity",
                },
            },
            "required": ["numerator", "denominator"],
            "additionalProperties": false,
        })
    );
}

#[test]
fn schema_keeps_property_order_byte_for_byte() {
    let text = serde_json::to_string(schema_for::<Divide>().json()).unwrap_or_default();
    assert!(text.starts_with(
        r#"{"type":"object","properties":{"numerator":{"type":"number"},"denominator":"#
    ));
}

#[test]
fn schema_is_computed_once_per_type() {
    let first: *const ArgsSchema = schema_for::<Divide>();
    let second: *const ArgsSchema = schema_for::<Divide>();
    assert_eq!(first, second);
    let other: *const ArgsSchema = schema_for::<Inner>();
    assert_ne!(first, other);
}

/// An inner value.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Inner {
    label: String,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Outer {
    inner: Inner,
    maybe: Option<Inner>,
    small: u8,
    mode: OnInf,
    counts: BTreeMap<String, u32>,
}

#[test]
fn structs_stay_in_defs_and_simple_enums_are_inlined() {
    let schema = schema_for::<Outer>();
    assert_eq!(
        schema.json(),
        &json!({
            "type": "object",
            "properties": {
                "inner": {"$ref": "#/$defs/Inner"},
                "maybe": {"anyOf": [{"$ref": "#/$defs/Inner"}, {"type": "null"}]},
                "small": {"type": "integer", "minimum": 0, "maximum": 255},
                "mode": {"description": "What to do on a division by zero.", "type": "string", "enum": ["error", "infinity"]},
                "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
            },
            "required": ["inner", "small", "mode", "counts"],
            "additionalProperties": false,
            "$defs": {
                "Inner": {
                    "description": "An inner value.",
                    "type": "object",
                    "properties": {"label": {"type": "string"}},
                    "required": ["label"],
                },
            },
        })
    );
}

#[test]
fn validation_keeps_the_integer_formats_the_model_is_not_shown() {
    let schema = schema_for::<Outer>();
    let problems = schema
        .coerce(
            json!({"inner": {"label": "a"}, "small": 256, "mode": "error", "counts": {"a": -1}}),
        )
        .err()
        .unwrap_or_default();
    let paths: Vec<(String, &str)> = problems
        .iter()
        .map(|p| (p.path(), p.kind.as_str()))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("small".to_owned(), "less_than_equal"),
            ("counts.a".to_owned(), "greater_than_equal"),
        ]
    );
}

#[test]
fn hand_written_schema_keeps_its_extra_properties_setting() {
    let open = ArgsSchema::from_json_schema(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "T",
        "type": "object",
        "properties": {},
        "additionalProperties": true,
    }));
    assert_eq!(
        open.json(),
        &json!({"type": "object", "properties": {}, "additionalProperties": true})
    );
    assert_eq!(open.coerce(json!({"x": 1})), Ok(json!({"x": 1})));
}

fn call(args: impl Into<crate::messages::ToolArgs>) -> ToolCallPart {
    ToolCallPart::new("divide", args, "call_1")
}

#[test]
fn parses_string_numbers_as_the_seed_example_sends_them() {
    let parsed: Divide = schema_for::<Divide>()
        .parse(&call(r#"{"numerator": "123", "denominator": "456"}"#))
        .map_err(|e| e.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parsed,
        Divide {
            numerator: 123.0,
            denominator: 456.0,
            on_inf: OnInf::Infinity
        }
    );
}

#[test]
fn args_as_string_or_object_parse_the_same() {
    let text = call(r#"{"numerator": 1, "denominator": 2, "on_inf": "error"}"#);
    let mut map = serde_json::Map::new();
    map.insert("numerator".into(), json!(1));
    map.insert("denominator".into(), json!(2));
    map.insert("on_inf".into(), json!("error"));
    let object = call(map);
    let from_text: Result<Divide, _> = schema_for::<Divide>().parse(&text);
    let from_object: Result<Divide, _> = schema_for::<Divide>().parse(&object);
    assert_eq!(from_text, from_object);
    assert_eq!(
        from_text.ok(),
        Some(Divide {
            numerator: 1.0,
            denominator: 2.0,
            on_inf: OnInf::Error
        })
    );
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct AllOptional {
    limit: Option<u32>,
    #[serde(default)]
    verbose: bool,
}

#[test]
fn no_arguments_in_every_spelling() {
    let expected = AllOptional {
        limit: None,
        verbose: false,
    };
    let mut none = call("");
    none.args = None;
    for c in [
        none,
        call(""),
        call("  "),
        call("null"),
        call("{}"),
        call(r#""""#),
    ] {
        let parsed: Result<AllOptional, _> = schema_for::<AllOptional>().parse(&c);
        assert_eq!(parsed.as_ref().ok(), Some(&expected), "{:?}", c.args);
    }
}

#[test]
fn no_arguments_for_a_tool_with_required_fields_lists_them() {
    let err = schema_for::<Divide>()
        .parse::<Divide>(&call("null"))
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            "2 invalid arguments for tool `divide`: numerator: missing, expected a number; \
             denominator: missing, expected a number"
        )
    );
}

#[test]
fn invalid_json_is_reported_without_line_and_column() {
    let err = schema_for::<Divide>()
        .parse::<Divide>(&call(r#"{"numerator": 1"#))
        .err();
    let Some(err) = err else {
        panic!("invalid JSON parsed")
    };
    assert_eq!(err.raw_args, r#"{"numerator": 1"#);
    assert_eq!(err.problems.len(), 1);
    assert_eq!(err.problems[0].kind, "json_invalid");
    assert_eq!(
        err.to_string(),
        r#"1 invalid argument for tool `divide`: (arguments): expected valid JSON (EOF while parsing an object), got "{\"numerator\": 1""#
    );
    assert!(!err.to_string().contains("line"));
}

#[test]
fn error_keeps_the_call_and_raw_args() {
    let err = schema_for::<Divide>()
        .parse::<Divide>(&call(
            r#"{"numerator": "x", "denominator": 2, "on_inf": "nan"}"#,
        ))
        .err();
    let Some(err) = err else {
        panic!("bad arguments parsed")
    };
    assert_eq!(err.tool_name, "divide");
    assert_eq!(err.tool_call_id.as_deref(), Some("call_1"));
    assert_eq!(
        err.raw_args,
        r#"{"numerator": "x", "denominator": 2, "on_inf": "nan"}"#
    );
    assert_eq!(
        err.problems,
        vec![
            ArgProblem {
                loc: vec![PathSegment::Field("numerator".into())],
                kind: "float_parsing".into(),
                expected: "a number".into(),
                received: Some(json!("x")),
            },
            ArgProblem {
                loc: vec![PathSegment::Field("on_inf".into())],
                kind: "enum".into(),
                expected: "one of `error`, `infinity`".into(),
                received: Some(json!("nan")),
            },
        ]
    );
}

/// A type whose own `Deserialize` is stricter than its schema.
#[derive(Debug, PartialEq, JsonSchema)]
#[schemars(transparent)]
struct Even(u32);

impl<'de> Deserialize<'de> for Even {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = u32::deserialize(deserializer)?;
        if n % 2 == 0 {
            Ok(Even(n))
        } else {
            Err(serde::de::Error::custom(format!("{n} is odd")))
        }
    }
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Pairs {
    items: Vec<Even>,
}

#[test]
fn what_deserialize_still_rejects_is_reported_in_the_types_words() {
    let err = schema_for::<Pairs>()
        .parse::<Pairs>(&call(r#"{"items": [2, "3"]}"#))
        .err();
    let Some(err) = err else {
        panic!("odd number parsed")
    };
    assert_eq!(
        err.problems,
        vec![ArgProblem {
            loc: Vec::new(),
            kind: "value_error".into(),
            expected: "valid arguments (3 is odd)".into(),
            // The arguments as checked: "3" was already coerced to the integer the schema asks.
            received: Some(json!({"items": [2, 3]})),
        }]
    );
    assert_eq!(
        err.to_string(),
        "1 invalid argument for tool `divide`: (arguments): expected valid arguments (3 is odd), \
         got {\"items\":[2,3]}"
    );
}

/// A tree of labels.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Tree {
    label: String,
    children: Vec<Tree>,
}

#[test]
fn recursive_types_reference_their_definition() {
    let schema = schema_for::<Tree>();
    assert_eq!(
        schema.json()["properties"]["children"],
        json!({"type": "array", "items": {"$ref": "#/$defs/Tree"}})
    );
    assert_eq!(
        schema.json()["$defs"]["Tree"]["required"],
        json!(["label", "children"])
    );
    let parsed = schema.parse::<Tree>(&call(
        r#"{"label": "a", "children": [{"label": "b", "children": "[]"}]}"#,
    ));
    assert_eq!(
        parsed,
        Ok(Tree {
            label: "a".into(),
            children: vec![Tree {
                label: "b".into(),
                children: Vec::new()
            }]
        })
    );
    let err = schema
        .parse::<Tree>(&call(
            r#"{"label": "a", "children": [{"label": 1, "children": []}]}"#,
        ))
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("1 invalid argument for tool `divide`: children[0].label: expected a string, got 1")
    );
}
