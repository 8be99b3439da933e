use serde_json::{json, Value};

use super::Validator;
use crate::tools::{ArgProblem, PathSegment};

fn coerce(schema: &Value, value: &mut Value) -> Vec<ArgProblem> {
    Validator::compile(schema).coerce(value)
}

/// Coerces `value` with `schema`: the coerced value, or the problems as (path, kind, expected,
/// received) for compact assertions.
fn run(schema: Value, mut value: Value) -> Result<Value, Vec<(String, String, String, Value)>> {
    let problems = coerce(&schema, &mut value);
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(problems.into_iter().map(flatten).collect())
    }
}

fn flatten(p: ArgProblem) -> (String, String, String, Value) {
    (
        p.path(),
        p.kind,
        p.expected,
        p.received.unwrap_or(Value::Null),
    )
}

fn problem(
    path: &str,
    kind: &str,
    expected: &str,
    received: Value,
) -> (String, String, String, Value) {
    (path.into(), kind.into(), expected.into(), received)
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

#[test]
fn numeric_string_becomes_a_number() {
    let schema = object(json!({"x": {"type": "number"}}), &["x"]);
    assert_eq!(
        run(schema.clone(), json!({"x": "123"})),
        Ok(json!({"x": 123}))
    );
    assert_eq!(
        run(schema.clone(), json!({"x": " 1.5 "})),
        Ok(json!({"x": 1.5}))
    );
    assert_eq!(
        run(schema.clone(), json!({"x": "-2e3"})),
        Ok(json!({"x": -2000.0}))
    );
    assert_eq!(
        run(schema.clone(), json!({"x": "abc"})),
        Err(vec![problem(
            "x",
            "float_parsing",
            "a number",
            json!("abc")
        )])
    );
    assert_eq!(
        run(schema.clone(), json!({"x": "inf"})),
        Err(vec![problem(
            "x",
            "float_parsing",
            "a number",
            json!("inf")
        )])
    );
    assert_eq!(
        run(schema, json!({"x": true})),
        Err(vec![problem("x", "float_type", "a number", json!(true))])
    );
}

#[test]
fn integral_float_and_numeric_string_become_an_integer() {
    let schema = object(json!({"n": {"type": "integer"}}), &["n"]);
    assert_eq!(
        run(schema.clone(), json!({"n": 30.0})),
        Ok(json!({"n": 30}))
    );
    assert_eq!(
        run(schema.clone(), json!({"n": "30"})),
        Ok(json!({"n": 30}))
    );
    assert_eq!(
        run(schema.clone(), json!({"n": "30.0"})),
        Ok(json!({"n": 30}))
    );
    assert_eq!(
        run(schema.clone(), json!({"n": "18446744073709551615"})),
        Ok(json!({"n": u64::MAX}))
    );
    assert_eq!(
        run(schema.clone(), json!({"n": 30.5})),
        Err(vec![problem(
            "n",
            "int_from_float",
            "an integer",
            json!(30.5)
        )])
    );
    assert_eq!(
        run(schema.clone(), json!({"n": "thirty"})),
        Err(vec![problem(
            "n",
            "int_parsing",
            "an integer",
            json!("thirty")
        )])
    );
    assert_eq!(
        run(schema, json!({"n": [1]})),
        Err(vec![problem("n", "int_type", "an integer", json!([1]))])
    );
}

#[test]
fn boolean_words_and_zero_one_become_booleans() {
    let schema = object(json!({"b": {"type": "boolean"}}), &["b"]);
    for (input, output) in [
        (json!("true"), true),
        (json!("True"), true),
        (json!("yes"), true),
        (json!("on"), true),
        (json!("1"), true),
        (json!(1), true),
        (json!("false"), false),
        (json!("no"), false),
        (json!("off"), false),
        (json!("0"), false),
        (json!(0), false),
    ] {
        assert_eq!(
            run(schema.clone(), json!({ "b": input })),
            Ok(json!({ "b": output })),
            "{input}"
        );
    }
    assert_eq!(
        run(schema.clone(), json!({"b": "maybe"})),
        Err(vec![problem(
            "b",
            "bool_parsing",
            "a boolean",
            json!("maybe")
        )])
    );
    assert_eq!(
        run(schema, json!({"b": 2})),
        Err(vec![problem("b", "bool_type", "a boolean", json!(2))])
    );
}

#[test]
fn json_in_a_string_becomes_the_object_or_array_it_encodes() {
    let schema = object(
        json!({
            "point": object(json!({"x": {"type": "integer"}}), &["x"]),
            "tags": {"type": "array", "items": {"type": "string"}},
        }),
        &["point", "tags"],
    );
    assert_eq!(
        run(
            schema.clone(),
            json!({"point": "{\"x\": \"4\"}", "tags": "[\"a\", \"b\"]"})
        ),
        Ok(json!({"point": {"x": 4}, "tags": ["a", "b"]}))
    );
    assert_eq!(
        run(schema, json!({"point": "{not json", "tags": "[1]"})),
        Err(vec![
            problem("point", "dict_type", "an object", json!("{not json")),
            problem("tags[0]", "string_type", "a string", json!(1)),
        ])
    );
}

#[test]
fn strings_are_never_made_from_numbers() {
    let schema = object(json!({"s": {"type": "string"}}), &["s"]);
    assert_eq!(
        run(schema, json!({"s": 12345})),
        Err(vec![problem("s", "string_type", "a string", json!(12345))])
    );
}

#[test]
fn every_problem_is_listed_in_field_order() {
    let schema = json!({
        "type": "object",
        "properties": {
            "a": {"type": "number"},
            "b": {"type": "string", "description": "The b."},
            "c": {"type": "boolean"},
        },
        "required": ["a", "b", "c"],
        "additionalProperties": false,
    });
    assert_eq!(
        run(schema, json!({"zzz": 1, "c": "nope", "a": "x"})),
        Err(vec![
            problem("a", "float_parsing", "a number", json!("x")),
            problem("b", "missing", "a string", Value::Null),
            problem("c", "bool_parsing", "a boolean", json!("nope")),
            problem("zzz", "extra_forbidden", "one of `a`, `b`, `c`", json!(1)),
        ])
    );
}

#[test]
fn optional_fields_may_be_absent_or_null() {
    let schema = object(json!({"n": {"type": ["integer", "null"]}}), &[]);
    assert_eq!(run(schema.clone(), json!({})), Ok(json!({})));
    assert_eq!(
        run(schema.clone(), json!({"n": null})),
        Ok(json!({"n": null}))
    );
    assert_eq!(run(schema.clone(), json!({"n": "7"})), Ok(json!({"n": 7})));
    assert_eq!(
        run(schema, json!({"n": "x"})),
        Err(vec![problem(
            "n",
            "int_parsing",
            "an integer or null",
            json!("x")
        )])
    );
}

#[test]
fn enums_accept_their_members_and_coerce_spelled_numbers() {
    let schema = object(
        json!({
            "mode": {"type": "string", "enum": ["error", "infinity"]},
            "level": {"enum": [1, 2, 3]},
            "kind": {"type": "string", "const": "circle"},
        }),
        &["mode"],
    );
    assert_eq!(
        run(
            schema.clone(),
            json!({"mode": "error", "level": "2", "kind": "circle"})
        ),
        Ok(json!({"mode": "error", "level": 2, "kind": "circle"}))
    );
    assert_eq!(
        run(
            schema,
            json!({"mode": "Error", "level": 4, "kind": "square"})
        ),
        Err(vec![
            problem("mode", "enum", "one of `error`, `infinity`", json!("Error")),
            problem("level", "enum", "one of `1`, `2`, `3`", json!(4)),
            problem("kind", "literal_error", "`circle`", json!("square")),
        ])
    );
}

#[test]
fn references_are_followed() {
    let schema = json!({
        "type": "object",
        "properties": {"inner": {"$ref": "#/$defs/Inner"}, "list": {"type": "array", "items": {"$ref": "#/$defs/Inner"}}},
        "required": ["inner"],
        "$defs": {"Inner": object(json!({"v": {"type": "number"}}), &["v"])},
    });
    assert_eq!(
        run(
            schema.clone(),
            json!({"inner": {"v": "1"}, "list": [{"v": 2}, {"v": "3"}]})
        ),
        Ok(json!({"inner": {"v": 1}, "list": [{"v": 2}, {"v": 3}]}))
    );
    assert_eq!(
        run(schema, json!({"inner": {}, "list": [{"v": 2}, {"v": "x"}]})),
        Err(vec![
            problem("inner.v", "missing", "a number", Value::Null),
            problem("list[1].v", "float_parsing", "a number", json!("x")),
        ])
    );
}

#[test]
fn union_prefers_an_exact_match_over_a_coerced_one() {
    let schema = object(
        json!({"v": {"anyOf": [{"type": "number"}, {"type": "string"}]}}),
        &["v"],
    );
    assert_eq!(
        run(schema.clone(), json!({"v": "12"})),
        Ok(json!({"v": "12"}))
    );
    assert_eq!(run(schema, json!({"v": 12})), Ok(json!({"v": 12})));
    let schema = object(
        json!({"v": {"anyOf": [{"type": "boolean"}, {"type": "integer"}]}}),
        &["v"],
    );
    // Not a boolean or an integer as it is: the first branch that fits after coercion wins.
    assert_eq!(run(schema, json!({"v": "1"})), Ok(json!({"v": true})));
}

#[test]
fn union_failure_reports_the_branch_the_value_has_the_shape_of() {
    // serde's internally tagged enum, as schemars writes it.
    let schema = json!({
        "type": "object",
        "properties": {"shape": {"oneOf": [
            object(json!({"kind": {"type": "string", "const": "circle"}, "r": {"type": "number"}}), &["kind", "r"]),
            object(json!({"kind": {"type": "string", "const": "square"}, "side": {"type": "number"}}), &["kind", "side"]),
        ]}},
        "required": ["shape"],
    });
    assert_eq!(
        run(
            schema.clone(),
            json!({"shape": {"kind": "square", "side": "2"}})
        ),
        Ok(json!({"shape": {"kind": "square", "side": 2}}))
    );
    assert_eq!(
        run(
            schema.clone(),
            json!({"shape": {"kind": "circle", "r": "big"}})
        ),
        Err(vec![problem(
            "shape.r",
            "float_parsing",
            "a number",
            json!("big")
        )])
    );
    assert_eq!(
        run(schema.clone(), json!({"shape": {"kind": "circle"}})),
        Err(vec![problem("shape.r", "missing", "a number", Value::Null)])
    );
    assert_eq!(
        run(
            schema.clone(),
            json!({"shape": {"kind": "triangle", "r": 1}})
        ),
        Err(vec![problem(
            "shape.kind",
            "union_tag_invalid",
            "`circle` or `square`",
            json!("triangle")
        )])
    );
    assert_eq!(
        run(schema, json!({"shape": 3})),
        Err(vec![problem(
            "shape",
            "union_tag_invalid",
            "an object",
            json!(3)
        )])
    );
}

#[test]
fn externally_tagged_enum_is_described_by_its_variants() {
    let schema = object(
        json!({"s": {"oneOf": [
            {"type": "string", "enum": ["Dot"]},
            {"type": "object", "properties": {"Circle": {"type": "number"}}, "required": ["Circle"], "additionalProperties": false},
        ]}}),
        &["s"],
    );
    assert_eq!(
        run(schema.clone(), json!({"s": "Dot"})),
        Ok(json!({"s": "Dot"}))
    );
    assert_eq!(
        run(schema.clone(), json!({"s": {"Circle": "2.5"}})),
        Ok(json!({"s": {"Circle": 2.5}}))
    );
    assert_eq!(
        run(schema, json!({"s": "Dash"})),
        Err(vec![problem(
            "s",
            "union_tag_invalid",
            "`Dot` or an object {\"Circle\": …}",
            json!("Dash")
        )])
    );
}

#[test]
fn maps_check_every_value() {
    let schema = object(
        json!({"m": {"type": "object", "additionalProperties": {"type": "integer"}}}),
        &["m"],
    );
    assert_eq!(
        run(schema.clone(), json!({"m": {"a": "1", "b": 2.0}})),
        Ok(json!({"m": {"a": 1, "b": 2}}))
    );
    assert_eq!(
        run(schema, json!({"m": {"a": "x"}})),
        Err(vec![problem(
            "m.a",
            "int_parsing",
            "an integer",
            json!("x")
        )])
    );
}

#[test]
fn tuples_check_each_position() {
    let schema = object(
        json!({"t": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "minItems": 2, "maxItems": 2}}),
        &["t"],
    );
    assert_eq!(
        run(schema.clone(), json!({"t": ["1", "a"]})),
        Ok(json!({"t": [1, "a"]}))
    );
    assert_eq!(
        run(schema, json!({"t": [1]})),
        Err(vec![problem(
            "t",
            "too_short",
            "an array of at least 2 items",
            json!([1])
        )])
    );
}

#[test]
fn integer_formats_and_bounds_are_enforced() {
    let schema = object(
        json!({
            "small": {"type": "integer", "format": "uint8", "minimum": 0, "maximum": 255},
            "i32": {"type": "integer", "format": "int32"},
            "ratio": {"type": "number", "exclusiveMinimum": 0},
        }),
        &[],
    );
    assert_eq!(
        run(
            schema.clone(),
            json!({"small": "255", "i32": -5, "ratio": 0.5})
        ),
        Ok(json!({"small": 255, "i32": -5, "ratio": 0.5}))
    );
    assert_eq!(
        run(
            schema,
            json!({"small": 300, "i32": 3_000_000_000_i64, "ratio": 0})
        ),
        Err(vec![
            problem("small", "less_than_equal", "an integer <= 255", json!(300)),
            problem(
                "i32",
                "less_than_equal",
                "an integer <= 2147483647",
                json!(3_000_000_000_i64)
            ),
            problem("ratio", "greater_than", "a number > 0", json!(0)),
        ])
    );
}

#[test]
fn string_lengths_are_enforced() {
    let schema = object(
        json!({"s": {"type": "string", "minLength": 2, "maxLength": 3}}),
        &[],
    );
    assert_eq!(
        run(schema.clone(), json!({"s": "été"})),
        Ok(json!({"s": "été"}))
    );
    assert_eq!(
        run(schema, json!({"s": "a"})),
        Err(vec![problem(
            "s",
            "string_too_short",
            "a string of at least 2 characters",
            json!("a")
        )])
    );
}

#[test]
fn a_root_that_is_not_an_object_is_reported_at_the_root() {
    let schema = object(json!({}), &[]);
    assert_eq!(
        run(schema.clone(), json!([1, 2])),
        Err(vec![problem(
            "(arguments)",
            "dict_type",
            "an object",
            json!([1, 2])
        )])
    );
    // A JSON object encoded once more as a string is unwrapped.
    assert_eq!(run(schema, json!("{}")), Ok(json!({})));
}

#[test]
fn recursive_schemas_terminate() {
    let schema = json!({
        "type": "object",
        "properties": {"next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}, "v": {"type": "integer"}},
    });
    assert_eq!(
        run(schema.clone(), json!({"next": {"next": {"v": "3"}}})),
        Ok(json!({"next": {"next": {"v": 3}}}))
    );
    // A definition that only refers to itself never consumes the value.
    let looping = json!({"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/A"}}});
    let problems = coerce(&looping, &mut json!({}));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].kind, "recursion_loop");
    assert_eq!(problems[0].loc, Vec::<PathSegment>::new());
}
