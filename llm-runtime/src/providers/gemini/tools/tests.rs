use super::*;
use crate::models::{ModelRequestParameters, OutputObjectDefinition};
use crate::providers::gemini::test_support::{body, body_with, divide, with_tools};
use crate::providers::test_support::prompt;
use crate::settings::{ModelSettings, ToolChoice};
use crate::tools::ToolDefinition;
use serde_json::json;

#[test]
fn tools_are_declared_with_gemini_schemas_and_validated_mode() {
    let output = ToolDefinition::new("final_result")
        .with_parameters(
            json!({"type": "object", "properties": {"x": {"type": "string", "format": "uuid"}}}),
        )
        .into_output_tool();
    let parameters = ModelRequestParameters {
        function_tools: vec![divide()],
        output_tools: vec![output],
        allow_text_output: false,
        ..ModelRequestParameters::default()
    };
    let body = body(&prompt("x"), &parameters);
    assert_eq!(
        body["tools"],
        json!([{"functionDeclarations": [
            {"name": "divide", "description": "Divide two numbers.",
             "parametersJsonSchema": {"type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"]}},
            {"name": "final_result", "description": "",
             "parametersJsonSchema": {"type": "object",
                "properties": {"x": {"type": "string", "description": "Format: uuid"}}}}
        ]}])
    );
    // Text output not allowed: a tool must be called.
    assert_eq!(
        body["toolConfig"],
        json!({"functionCallingConfig": {"mode": "ANY"}})
    );

    let auto = |model: &str, tools: Vec<ToolDefinition>| {
        body_with(
            model,
            &prompt("x"),
            &ModelSettings::default(),
            &with_tools(tools),
        )
        .unwrap()["toolConfig"]
            .clone()
    };
    assert_eq!(
        auto("gemini-2.5-flash", vec![divide()]),
        json!({"functionCallingConfig": {"mode": "VALIDATED"}})
    );
    assert_eq!(
        auto("gemini-2.5-flash", vec![divide().with_strict(false)]),
        json!({"functionCallingConfig": {"mode": "AUTO"}})
    );
    assert_eq!(
        auto("gemini-2.0-flash", vec![divide()]),
        json!({"functionCallingConfig": {"mode": "AUTO"}})
    );
    assert!(body_with(
        "gemini-2.0-flash",
        &prompt("x"),
        &ModelSettings::default(),
        &ModelRequestParameters::default()
    )
    .unwrap()
    .get("toolConfig")
    .is_none());
}

#[test]
fn tool_choice_maps_to_the_function_calling_config() {
    let add = ToolDefinition::new("add");
    let parameters = with_tools(vec![divide(), add]);
    let config = |choice: ToolChoice| {
        let settings = ModelSettings {
            tool_choice: Some(choice),
            ..ModelSettings::default()
        };
        let body = body_with("gemini-2.0-flash", &prompt("x"), &settings, &parameters).unwrap();
        let names: Vec<Value> = body["tools"][0]["functionDeclarations"]
            .as_array()
            .map(|d| d.iter().map(|d| d["name"].clone()).collect())
            .unwrap_or_default();
        (body["toolConfig"].clone(), names)
    };
    assert_eq!(
        config(ToolChoice::Required),
        (
            json!({"functionCallingConfig": {"mode": "ANY"}}),
            vec![json!("divide"), json!("add")]
        )
    );
    assert_eq!(
        config(ToolChoice::None),
        (
            json!({"functionCallingConfig": {"mode": "NONE"}}),
            vec![json!("divide"), json!("add")]
        )
    );
    assert_eq!(
        config(ToolChoice::Tools(vec!["add".into()])),
        (
            json!({"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["add"]}}),
            vec![json!("divide"), json!("add")]
        )
    );
    // AUTO takes no allowed names: only the chosen tools are declared.
    assert_eq!(
        config(ToolChoice::ToolOrOutput(vec!["add".into()])),
        (
            json!({"functionCallingConfig": {"mode": "AUTO"}}),
            vec![json!("add")]
        )
    );
    let settings = ModelSettings {
        tool_choice: Some(ToolChoice::Tools(vec!["nope".into()])),
        ..ModelSettings::default()
    };
    assert!(matches!(
        body_with("gemini-2.0-flash", &prompt("x"), &settings, &parameters),
        Err(Error::User { .. })
    ));
}

#[test]
fn structured_output_uses_the_response_schema_or_json_mode() {
    let native = ModelRequestParameters {
        output_mode: OutputMode::Native,
        output_object: Some(OutputObjectDefinition {
            json_schema: json!({"title": "City", "type": "object",
                                "properties": {"name": {"type": "string"}}}),
            name: Some("CityLocation".into()),
            description: Some("A city.".into()),
            strict: None,
        }),
        ..ModelRequestParameters::default()
    };
    let native_body = body(&prompt("x"), &native);
    assert_eq!(
        native_body["generationConfig"],
        json!({"responseMimeType": "application/json", "responseModalities": ["TEXT"],
               "responseJsonSchema": {"type": "object", "properties": {"name": {"type": "string"}},
                                      "title": "CityLocation", "description": "A city."}})
    );
    let with_tool = ModelRequestParameters {
        function_tools: vec![divide()],
        ..native.clone()
    };
    let err = body_with(
        "gemini-2.5-flash",
        &prompt("x"),
        &ModelSettings::default(),
        &with_tool,
    )
    .unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err}");
    assert!(body_with(
        "gemini-3-flash-preview",
        &prompt("x"),
        &ModelSettings::default(),
        &with_tool
    )
    .is_ok());

    let prompted = ModelRequestParameters {
        output_mode: OutputMode::Prompted,
        ..ModelRequestParameters::default()
    };
    assert_eq!(
        body(&prompt("x"), &prompted)["generationConfig"]["responseMimeType"],
        "application/json"
    );
    let prompted_with_tools = ModelRequestParameters {
        function_tools: vec![divide()],
        ..prompted
    };
    assert!(body(&prompt("x"), &prompted_with_tools)["generationConfig"]
        .get("responseMimeType")
        .is_none());
    let image = ModelRequestParameters {
        output_mode: OutputMode::Image,
        ..ModelRequestParameters::default()
    };
    assert!(matches!(
        body_with(
            "gemini-2.5-flash",
            &prompt("x"),
            &ModelSettings::default(),
            &image
        ),
        Err(Error::User { .. })
    ));
}
