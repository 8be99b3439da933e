//! `#[tool]` and `#[toolset]` from a user's point of view: definitions, parsing, errors.

use llm_runtime::messages::{RetryContent, ToolArgs, ToolCallPart};
use llm_runtime::tools::{Tool, ToolArgsError, ToolDefinition};
use llm_runtime::{tool, toolset};
use serde_json::{json, Value};

/// Divide two numbers.
#[tool]
#[derive(Debug, PartialEq)]
struct Divide {
    numerator: f64,
    denominator: f64,
    /// What to return when dividing by zero.
    #[serde(default)]
    on_inf: OnInf,
}

#[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum OnInf {
    Error,
    #[default]
    Infinity,
}

fn call(name: &str, args: &str) -> ToolCallPart {
    ToolCallPart::new(name, args, "call_1")
}

#[test]
fn divide_definition_is_the_full_pydantic_like_json() {
    let definition = serde_json::to_value(Divide::definition()).unwrap_or_default();
    assert_eq!(
        definition,
        json!({
            "name": "divide",
            "parameters_json_schema": {
                "type": "object",
                "properties": {
                    "numerator": {"type": "number"},
                    "denominator": {"type": "number"},
                    "on_inf": {
                        "description": "What to return when dividing by zero.",
                        "type": "string",
                        "enum": ["error", "infinity"],
                        "default": "infinity",
                    },
                },
                "required": ["numerator", "denominator"],
                "additionalProperties": false,
            },
            "description": "Divide two numbers.",
            "outer_typed_dict_key": null,
            "strict": null,
            "sequential": false,
            "kind": "function",
            "metadata": null,
        })
    );
    assert_eq!(Divide::NAME, "divide");
}

#[test]
fn seed_string_args_parse_into_divide() {
    let parsed: Result<Divide, _> =
        call("divide", r#"{"numerator": "123", "denominator": "456"}"#).parse_args();
    assert_eq!(
        parsed,
        Ok(Divide {
            numerator: 123.0,
            denominator: 456.0,
            on_inf: OnInf::Infinity,
        })
    );
}

#[test]
fn args_as_object_parse_like_args_as_string() {
    let mut object = call("divide", "");
    let Value::Object(map) = json!({"numerator": 1, "denominator": "2", "on_inf": "error"}) else {
        unreachable!()
    };
    object.args = Some(ToolArgs::Object(map));
    let text = call(
        "divide",
        r#"{"numerator": 1, "denominator": "2", "on_inf": "error"}"#,
    );
    let expected = Divide {
        numerator: 1.0,
        denominator: 2.0,
        on_inf: OnInf::Error,
    };
    assert_eq!(Divide::from_call(&object), Ok(expected));
    assert_eq!(text.parse_args::<Divide>(), Divide::from_call(&object));
}

#[test]
fn bad_args_name_each_field_and_become_a_retry_prompt() {
    let err = call(
        "divide",
        r#"{"numerator": "lots", "on_inf": "zero", "extra": 1}"#,
    )
    .parse_args::<Divide>()
    .err();
    let Some(err) = err else {
        panic!("bad arguments parsed")
    };
    assert_eq!(
        err.to_string(),
        "4 invalid arguments for tool `divide`: numerator: expected a number, got \"lots\"; \
         denominator: missing, expected a number; on_inf: expected one of `error`, `infinity`, \
         got \"zero\"; extra: unknown argument, expected one of `numerator`, `denominator`, `on_inf`"
    );
    let retry = err.to_retry_prompt();
    assert_eq!(retry.tool_name.as_deref(), Some("divide"));
    assert_eq!(retry.tool_call_id, "call_1");
    let RetryContent::Errors(details) = &retry.content else {
        panic!("{retry:?}")
    };
    let kinds: Vec<&str> = details.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["float_parsing", "missing", "enum", "extra_forbidden"]
    );
    assert!(retry
        .model_response()
        .starts_with("4 validation errors:\n```json\n"));
}

/// Looks a word up.
#[tool(
    name = "lookup_word",
    description = "Finds a word in the dictionary.",
    strict
)]
#[derive(Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Lookup {
    /// The word to look up.
    search_term: String,
    /// How many senses to return.
    max_senses: Option<u8>,
    #[serde(skip)]
    cache_hits: u32,
    #[serde(rename = "lang")]
    language: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

#[derive(Debug, Default, PartialEq, serde::Deserialize, schemars::JsonSchema)]
struct Paging {
    /// The page to return, from 1.
    page: Option<u32>,
}

#[test]
fn options_override_name_description_and_strict() {
    let definition = Lookup::definition();
    assert_eq!(definition.name, "lookup_word");
    assert_eq!(Lookup::NAME, "lookup_word");
    assert_eq!(
        definition.description.as_deref(),
        Some("Finds a word in the dictionary.")
    );
    assert_eq!(definition.strict, Some(true));
}

#[test]
fn serde_attributes_shape_the_schema() {
    assert_eq!(
        Lookup::definition().parameters_json_schema,
        json!({
            "type": "object",
            "properties": {
                "searchTerm": {"description": "The word to look up.", "type": "string"},
                "maxSenses": {
                    "description": "How many senses to return.",
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "maximum": 255,
                },
                "lang": {"type": ["string", "null"]},
                "page": {"description": "The page to return, from 1.", "type": ["integer", "null"], "minimum": 0},
            },
            "required": ["searchTerm"],
            "additionalProperties": false,
        })
    );
    let parsed = call(
        "lookup_word",
        r#"{"searchTerm": "tool", "maxSenses": "3", "lang": "en", "page": 2.0}"#,
    )
    .parse_args::<Lookup>();
    assert_eq!(
        parsed,
        Ok(Lookup {
            search_term: "tool".into(),
            max_senses: Some(3),
            cache_hits: 0,
            language: Some("en".into()),
            paging: Paging { page: Some(2) },
        })
    );
}

/// Reports the time.
#[tool]
#[derive(Debug, PartialEq)]
struct Now {}

#[test]
fn no_arguments_tool_accepts_every_spelling_of_none() {
    assert_eq!(
        Now::definition().parameters_json_schema,
        json!({"type": "object", "properties": {}, "additionalProperties": false})
    );
    for args in ["", "null", "{}"] {
        assert_eq!(
            call("now", args).parse_args::<Now>(),
            Ok(Now {}),
            "{args:?}"
        );
    }
    let mut none = call("now", "");
    none.args = None;
    assert_eq!(none.parse_args::<Now>(), Ok(Now {}));
}

/// Plans a route.
#[tool]
#[derive(Debug, PartialEq)]
struct Route {
    stops: Vec<Stop>,
    mode: Mode,
    avoid: std::collections::BTreeMap<String, bool>,
}

/// A stop on the route.
#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
struct Stop {
    name: String,
    minutes: u32,
}

#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Mode {
    Walk,
    Drive { max_speed: u16 },
}

#[test]
fn nested_structs_lists_maps_and_data_enums_parse_forgivingly() {
    let parsed = call(
        "route",
        r#"{"stops": "[{\"name\": \"a\", \"minutes\": \"5\"}, {\"name\": \"b\", \"minutes\": 7.0}]",
            "mode": {"kind": "drive", "max_speed": "90"},
            "avoid": {"tolls": "yes", "ferries": 0}}"#,
    )
    .parse_args::<Route>();
    assert_eq!(
        parsed,
        Ok(Route {
            stops: vec![
                Stop {
                    name: "a".into(),
                    minutes: 5
                },
                Stop {
                    name: "b".into(),
                    minutes: 7
                },
            ],
            mode: Mode::Drive { max_speed: 90 },
            avoid: [("tolls".to_owned(), true), ("ferries".to_owned(), false)].into(),
        })
    );
    let err = call(
        "route",
        r#"{"stops": [{"name": "a"}], "mode": {"kind": "drive", "max_speed": 70000}, "avoid": {}}"#,
    )
    .parse_args::<Route>()
    .err()
    .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            "2 invalid arguments for tool `route`: stops[0].minutes: missing, expected an \
             integer; mode.max_speed: expected an integer <= 65535, got 70000"
        )
    );
}

/// Multiply two numbers.
#[tool]
#[derive(Debug, PartialEq)]
struct Multiply {
    a: i64,
    b: i64,
}

#[toolset]
#[derive(Debug, PartialEq)]
enum Calc {
    Divide(Divide),
    Multiply(Multiply),
}

#[test]
fn toolset_lists_definitions_in_variant_order() {
    let names: Vec<String> = Calc::definitions().into_iter().map(|d| d.name).collect();
    assert_eq!(names, ["divide", "multiply"]);
    assert_eq!(Calc::definitions()[0], Divide::definition());
}

#[test]
fn toolset_dispatches_on_the_tool_name() {
    assert_eq!(
        Calc::from_call(&call("multiply", r#"{"a": "6", "b": 7.0}"#)),
        Ok(Calc::Multiply(Multiply { a: 6, b: 7 }))
    );
    assert_eq!(
        Calc::from_call(&call("divide", r#"{"numerator": 1, "denominator": 4}"#)),
        Ok(Calc::Divide(Divide {
            numerator: 1.0,
            denominator: 4.0,
            on_inf: OnInf::Infinity
        }))
    );
    let err = Calc::from_call(&call("multiply", r#"{"a": 1.5, "b": 2}"#)).err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("1 invalid argument for tool `multiply`: a: expected an integer, got 1.5")
    );
}

#[test]
fn toolset_unknown_name_lists_the_known_tools() {
    let err: Option<ToolArgsError> = Calc::from_call(&call("subtract", "{}")).err();
    let Some(err) = err else {
        panic!("unknown tool parsed")
    };
    assert!(err.is_unknown_tool());
    assert_eq!(
        err.to_string(),
        "unknown tool `subtract`, expected one of `divide`, `multiply`"
    );
    assert_eq!(
        err.to_retry_prompt().content,
        RetryContent::Text(
            "Unknown tool name: 'subtract'. Available tools: 'divide', 'multiply'".into()
        )
    );
}

/// Tools are usable as definitions of a request.
#[test]
fn definitions_are_plain_tool_definitions() {
    let defs: Vec<ToolDefinition> = vec![Divide::definition(), Multiply::definition()];
    assert_eq!(defs, Calc::definitions());
}

/// Draws a shape.
#[tool]
#[derive(Debug, PartialEq)]
struct Draw {
    shape: Shape,
    fill: Fill,
    label: Label,
}

/// serde's adjacently tagged representation.
#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", content = "size", rename_all = "lowercase")]
enum Shape {
    Circle(f64),
    Square { side: f64 },
}

/// serde's default, externally tagged representation, with a unit variant.
#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
enum Fill {
    None,
    Solid(String),
}

/// serde's untagged representation: the first variant that fits.
#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum Label {
    Number(i64),
    Text(String),
}

#[test]
fn every_enum_representation_parses_forgivingly() {
    let parsed = call(
        "draw",
        r#"{"shape": {"type": "square", "size": {"side": "2"}}, "fill": {"Solid": "red"}, "label": "7"}"#,
    )
    .parse_args::<Draw>();
    assert_eq!(
        parsed,
        Ok(Draw {
            shape: Shape::Square { side: 2.0 },
            fill: Fill::Solid("red".into()),
            // "7" is a string, which fits `Text` as it is: no coercion to `Number`.
            label: Label::Text("7".into()),
        })
    );
    let parsed = call(
        "draw",
        r#"{"shape": {"type": "circle", "size": "1.5"}, "fill": "None", "label": 7.0}"#,
    )
    .parse_args::<Draw>();
    assert_eq!(
        parsed,
        Ok(Draw {
            shape: Shape::Circle(1.5),
            fill: Fill::None,
            label: Label::Number(7),
        })
    );
}

#[test]
fn a_wrong_enum_variant_says_what_the_variants_are() {
    let err = call(
        "draw",
        r#"{"shape": {"type": "hexagon", "size": 1}, "fill": "Striped", "label": [1]}"#,
    )
    .parse_args::<Draw>()
    .err()
    .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            "3 invalid arguments for tool `draw`: shape.type: expected `circle` or `square`, \
             got \"hexagon\"; fill: expected `None` or an object \
             {\"Solid\": …}, got \"Striped\"; label: expected an integer or a string, got [1]"
        )
    );
}
