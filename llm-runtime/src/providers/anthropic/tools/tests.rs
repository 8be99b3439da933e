//! Bodies written from Anthropic's documented format
//! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
//! not recorded traffic (that is `tests/anthropic_conformance.rs`).

use serde_json::json;

use super::super::test_kit::*;
use crate::models::{ModelRequestParameters, OutputMode, OutputObjectDefinition};
use crate::providers::test_support::prompt;
use crate::settings::{ModelSettings, Thinking, ToolChoice};
use crate::tools::ToolDefinition;

#[test]
fn tools_carry_their_input_schema() {
    let parameters = ModelRequestParameters {
        function_tools: vec![divide(), ToolDefinition::new("now")],
        ..Default::default()
    };
    let value = body(&prompt("Hi"), &parameters);
    assert_eq!(
        value["tools"],
        json!([
            {"name": "divide", "description": "Divide two numbers.", "input_schema": {
                "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"]}},
            {"name": "now", "description": "",
             "input_schema": {"type": "object", "properties": {}}}
        ])
    );
    assert_eq!(value["tool_choice"], json!({"type": "auto"}));
}

#[test]
fn tool_choice_maps_to_the_api() {
    let tools = vec![named("a"), named("b"), named("c")];
    let parameters = ModelRequestParameters {
        function_tools: tools.clone(),
        ..Default::default()
    };
    let case = |choice: ToolChoice, parallel: Option<bool>| {
        let settings = ModelSettings {
            tool_choice: Some(choice),
            parallel_tool_calls: parallel,
            ..Default::default()
        };
        let value = tools_body(&settings, &parameters, SONNET_45).unwrap();
        let names: Vec<&str> = value["tools"]
            .as_array()
            .map(|t| t.iter().map(|t| t["name"].as_str().unwrap()).collect())
            .unwrap_or_default();
        (value["tool_choice"].clone(), names.join(","))
    };
    assert_eq!(
        case(ToolChoice::Auto, Some(false)),
        (
            json!({"type": "auto", "disable_parallel_tool_use": true}),
            "a,b,c".into()
        )
    );
    assert_eq!(
        case(ToolChoice::None, Some(false)),
        (json!({"type": "none"}), "a,b,c".into())
    );
    assert_eq!(
        case(ToolChoice::Required, Some(true)),
        (
            json!({"type": "any", "disable_parallel_tool_use": false}),
            "a,b,c".into()
        )
    );
    assert_eq!(
        case(ToolChoice::Tools(vec!["b".into()]), None),
        (json!({"type": "tool", "name": "b"}), "a,b,c".into())
    );
    assert_eq!(
        case(ToolChoice::Tools(vec!["a".into(), "c".into()]), None),
        (json!({"type": "any"}), "a,c".into())
    );
    assert_eq!(
        case(ToolChoice::ToolOrOutput(vec!["c".into()]), None),
        (json!({"type": "auto"}), "c".into())
    );
    // Text output not allowed: a tool must be called.
    let required = ModelRequestParameters {
        allow_text_output: false,
        ..parameters.clone()
    };
    let value = tools_body(&ModelSettings::default(), &required, SONNET_45).unwrap();
    assert_eq!(value["tool_choice"], json!({"type": "any"}));
    // Unknown tool names are an error naming them.
    let settings = ModelSettings {
        tool_choice: Some(ToolChoice::Tools(vec!["zz".into()])),
        ..Default::default()
    };
    let err = tools_body(&settings, &parameters, SONNET_45).unwrap_err();
    assert!(err.to_string().contains("zz"), "{err}");
    // No tools: neither `tools` nor `tool_choice`.
    let value = tools_body(
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        SONNET_45,
    )
    .unwrap();
    assert!(value.get("tools").is_none() && value.get("tool_choice").is_none());
}

#[test]
fn forced_tool_choice_and_extended_thinking() {
    let parameters = ModelRequestParameters {
        function_tools: vec![named("a"), named("b")],
        ..Default::default()
    };
    let thinking = ModelSettings {
        thinking: Some(Thinking::Low),
        tool_choice: Some(ToolChoice::Required),
        ..Default::default()
    };
    // Asked for explicitly: an error.
    let err = tools_body(&thinking, &parameters, SONNET_45).unwrap_err();
    assert!(err.to_string().contains("with extended thinking"), "{err}");
    // Adaptive thinking accepts forcing.
    let value = tools_body(&thinking, &parameters, "claude-sonnet-4-6").unwrap();
    assert_eq!(value["tool_choice"], json!({"type": "any"}));
    // Some models reject forcing outright.
    let plain = ModelSettings {
        tool_choice: Some(ToolChoice::Tools(vec!["a".into()])),
        ..Default::default()
    };
    let err = tools_body(&plain, &parameters, "claude-fable-5").unwrap_err();
    assert!(err.to_string().contains("for this model"), "{err}");
    // Only implied by the output configuration: softly `auto`, with only the tools allowed.
    let output = ModelRequestParameters {
        function_tools: vec![named("a")],
        output_tools: vec![named("final_result")],
        allow_text_output: true,
        output_mode: OutputMode::Tool,
        ..Default::default()
    };
    let none = ModelSettings {
        tool_choice: Some(ToolChoice::None),
        ..Default::default()
    };
    let value = tools_body(&none, &output, "claude-fable-5").unwrap();
    assert_eq!(value["tool_choice"], json!({"type": "auto"}));
    assert_eq!(value["tools"][0]["name"], "final_result");
    assert_eq!(value["tools"].as_array().unwrap().len(), 1);
    // Output tools that must be called cannot be combined with extended thinking.
    let must = ModelRequestParameters {
        allow_text_output: false,
        ..output
    };
    let err = tools_body(
        &ModelSettings {
            thinking: Some(Thinking::Enabled),
            ..Default::default()
        },
        &must,
        SONNET_45,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("thinking and output tools") && err.to_string().contains("native"),
        "{err}"
    );
}

#[test]
fn structured_output_natively_or_with_strict_tools() {
    let object = OutputObjectDefinition {
        json_schema: json!({"type": "object", "title": "City",
                            "properties": {"name": {"type": "string", "minLength": 1}},
                            "required": ["name"]}),
        name: Some("City".into()),
        description: None,
        strict: None,
    };
    let native = ModelRequestParameters {
        output_mode: OutputMode::Native,
        output_object: Some(object.clone()),
        ..Default::default()
    };
    let value = tools_body(&ModelSettings::default(), &native, SONNET_45).unwrap();
    assert_eq!(
        value["output_config"],
        json!({"format": {"type": "json_schema", "schema": {
            "type": "object",
            "properties": {"name": {"type": "string", "description": "{minLength: 1}"}},
            "additionalProperties": false, "required": ["name"]}}})
    );
    let err = tools_body(
        &ModelSettings::default(),
        &native,
        "claude-3-5-haiku-latest",
    )
    .unwrap_err();
    assert!(err
        .to_string()
        .contains("not supported by `claude-3-5-haiku-latest`"));
    let lax = ModelRequestParameters {
        output_object: Some(OutputObjectDefinition {
            strict: Some(false),
            ..object
        }),
        ..native
    };
    let err = tools_body(&ModelSettings::default(), &lax, SONNET_45).unwrap_err();
    assert!(err.to_string().contains("`strict: false`"), "{err}");
    let image = ModelRequestParameters {
        output_mode: OutputMode::Image,
        ..Default::default()
    };
    assert!(tools_body(&ModelSettings::default(), &image, SONNET_45).is_err());

    // A strict tool is sent strict (and its schema made strict) where the model supports it.
    let strict_tool = ModelRequestParameters {
        function_tools: vec![divide().with_strict(true)],
        ..Default::default()
    };
    let value = tools_body(&ModelSettings::default(), &strict_tool, SONNET_45).unwrap();
    assert_eq!(value["tools"][0]["strict"], true);
    assert_eq!(
        value["tools"][0]["input_schema"]["additionalProperties"],
        false
    );
    let value = tools_body(
        &ModelSettings::default(),
        &strict_tool,
        "claude-3-5-haiku-latest",
    )
    .unwrap();
    assert!(value["tools"][0].get("strict").is_none());
}

#[test]
fn a_strict_schema_closing_an_open_map_is_a_warning_of_the_request() {
    let scores = ToolDefinition::new("record")
        .with_parameters(json!({"type": "object", "properties": {
            "scores": {"type": "object", "additionalProperties": {"type": "integer"}}
        }}))
        .with_strict(true);
    let parameters = ModelRequestParameters {
        function_tools: vec![scores],
        ..ModelRequestParameters::default()
    };
    let (body, warnings) = crate::providers::test_support::request_json_warned(
        &protocol(),
        PROVIDER,
        SONNET_45,
        &prompt("Hi"),
        &ModelSettings::default(),
        &parameters,
        false,
    )
    .unwrap();
    assert_eq!(
        body["tools"][0]["input_schema"]["properties"]["scores"]["additionalProperties"],
        false
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings.as_slice()[0].kind(), "compatibility");
    assert!(warnings.as_slice()[0]
        .message()
        .contains("additionalProperties"));
}
