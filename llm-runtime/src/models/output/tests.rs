use serde_json::json;

use super::*;
use crate::messages::ModelRequest;
use crate::models::OutputObjectDefinition;
use crate::tools::ToolDefinition;

fn object(name: Option<&str>) -> OutputObjectDefinition {
    OutputObjectDefinition {
        json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        name: name.map(str::to_owned),
        description: None,
        strict: None,
    }
}

fn prompted(
    schema: Value,
    name: Option<&str>,
    description: Option<&str>,
) -> ModelRequestParameters {
    ModelRequestParameters {
        output_mode: OutputMode::Prompted,
        output_object: Some(OutputObjectDefinition {
            json_schema: schema,
            name: name.map(str::to_owned),
            description: description.map(str::to_owned),
            strict: None,
        }),
        ..ModelRequestParameters::default()
    }
}

#[test]
fn the_instructions_are_pydantic_ais_to_the_byte() {
    // As recorded in test_openai_responses/test_prompted_output.yaml.
    let schema = json!({
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city", "country"], "title": "CityLocation", "type": "object"
    });
    let text = prompted_output_instructions(&prompted(schema, Some("CityLocation"), None));
    assert_eq!(
        text.as_deref(),
        Some(
            "Always respond with a JSON object that's compatible with this schema:\n\n\
             {\"properties\": {\"city\": {\"type\": \"string\"}, \"country\": {\"type\": \
             \"string\"}}, \"required\": [\"city\", \"country\"], \"title\": \"CityLocation\", \
             \"type\": \"object\"}\n\nDon't include any text or Markdown fencing before or after."
        )
    );
}

#[test]
fn name_and_description_join_the_schema_and_non_ascii_is_escaped() {
    let schema = json!({"type": "object", "properties": {"ville": {"description": "Où 🏙"}}});
    let text =
        prompted_output_instructions(&prompted(schema, Some("Ville"), Some("Une ville"))).unwrap();
    assert!(
        text.contains(
            r#"{"type": "object", "properties": {"ville": {"description": "O\u00f9 \ud83c\udfd9"}}, "title": "Ville", "description": "Une ville"}"#
        ),
        "{text}"
    );
}

#[test]
fn only_the_prompted_mode_with_an_object_adds_instructions() {
    let mut parameters = prompted(json!({"type": "object"}), None, None);
    assert!(prompted_output_instructions(&parameters).is_some());
    parameters.output_mode = OutputMode::Native;
    assert_eq!(prompted_output_instructions(&parameters), None);
    let without_object = ModelRequestParameters {
        output_mode: OutputMode::Prompted,
        ..ModelRequestParameters::default()
    };
    assert_eq!(prompted_output_instructions(&without_object), None);
}

#[test]
fn the_output_instructions_follow_the_requests_own() {
    let parameters = prompted(json!({"type": "object"}), None, None);
    let output = prompted_output_instructions(&parameters).unwrap();
    let plain: Vec<ModelMessage> = vec![ModelRequest::user_text_prompt("Hi").into()];
    assert_eq!(
        request_instructions(&plain, &parameters).as_deref(),
        Some(output.as_str())
    );
    let instructed: Vec<ModelMessage> = vec![ModelRequest::user_text_prompt("Hi")
        .with_instructions("Be brief.")
        .into()];
    assert_eq!(
        request_instructions(&instructed, &parameters).as_deref(),
        Some(format!("Be brief.\n\n{output}").as_str())
    );
    let text = ModelRequestParameters::default();
    assert!(matches!(
        request_instructions(&instructed, &text),
        Some(Cow::Borrowed("Be brief."))
    ));
}

#[test]
fn auto_becomes_the_profiles_mode_and_the_rest_stays_borrowed() {
    let auto = ModelRequestParameters {
        output_mode: OutputMode::Auto,
        ..ModelRequestParameters::default()
    };
    let mut profile = ModelProfile::default();
    assert_eq!(
        resolve_output_mode(&auto, &profile).output_mode,
        OutputMode::Tool
    );
    profile.default_structured_output_mode = OutputMode::Native;
    assert_eq!(
        resolve_output_mode(&auto, &profile).output_mode,
        OutputMode::Native
    );
    profile.default_structured_output_mode = OutputMode::Auto;
    assert_eq!(
        resolve_output_mode(&auto, &profile).output_mode,
        OutputMode::Tool
    );
    let tool = ModelRequestParameters {
        output_mode: OutputMode::Tool,
        ..ModelRequestParameters::default()
    };
    assert!(matches!(
        resolve_output_mode(&tool, &profile),
        Cow::Borrowed(_)
    ));
}

#[test]
fn auto_allows_text_exactly_for_the_text_modes() {
    let auto = ModelRequestParameters {
        output_mode: OutputMode::Auto,
        allow_text_output: true,
        ..ModelRequestParameters::default()
    };
    let mut profile = ModelProfile::default();
    assert!(!resolve_output_mode(&auto, &profile).allow_text_output);
    for mode in [OutputMode::Native, OutputMode::Prompted] {
        profile.default_structured_output_mode = mode;
        let forbidden = ModelRequestParameters {
            allow_text_output: false,
            ..auto.clone()
        };
        assert!(resolve_output_mode(&forbidden, &profile).allow_text_output);
    }
}

#[test]
fn tool_or_text_offers_the_tools_and_allows_text() {
    let tool = ToolDefinition::new("final_result").into_output_tool();
    let parameters = ModelRequestParameters {
        output_mode: OutputMode::ToolOrText,
        output_tools: vec![tool.clone()],
        output_object: Some(object(None)),
        allow_text_output: false,
        ..ModelRequestParameters::default()
    };
    let resolved = resolve_output_mode(&parameters, &ModelProfile::default());
    assert_eq!(resolved.output_mode, OutputMode::ToolOrText);
    assert!(resolved.allow_text_output);
    assert_eq!(resolved.output_tools, vec![tool]);
    assert_eq!(resolved.output_object, None);
}

#[test]
fn what_the_mode_does_not_use_is_dropped() {
    let both = ModelRequestParameters {
        output_mode: OutputMode::Native,
        output_tools: vec![ToolDefinition::new("final_result").into_output_tool()],
        output_object: Some(object(None)),
        ..ModelRequestParameters::default()
    };
    let profile = ModelProfile::default();
    let native = resolve_output_mode(&both, &profile);
    assert!(native.output_tools.is_empty());
    assert_eq!(native.output_object, both.output_object);
    let tool = ModelRequestParameters {
        output_mode: OutputMode::Tool,
        allow_text_output: false,
        ..both.clone()
    };
    let tool = resolve_output_mode(&tool, &profile);
    assert_eq!(tool.output_tools, both.output_tools);
    assert_eq!(tool.output_object, None);
    assert!(!tool.allow_text_output);
}
