use super::*;
use crate::messages::{
    BinaryContent, FilePart, ModelMessage, ModelRequest, ModelResponse, TextPart,
};
use crate::models::{
    CodeExecutionTool, FileSearchTool, ImageFormat, MemoryTool, OutputMode, WebFetchTool,
    WebSearchTool,
};
use crate::providers::gemini::test_support::{divide, PROVIDER};
use crate::providers::gemini::Gemini;
use crate::providers::test_support::request_json;
use crate::settings::ModelSettings;
use crate::tools::ToolDefinition;
use serde_json::json;

fn parameters(tools: Vec<BuiltinTool>) -> ModelRequestParameters {
    ModelRequestParameters {
        builtin_tools: tools,
        ..ModelRequestParameters::default()
    }
}

fn body_for(
    provider: &str,
    model: &str,
    messages: &[ModelMessage],
    parameters: &ModelRequestParameters,
) -> Result<Value> {
    request_json(
        &Gemini::new(),
        provider,
        model,
        messages,
        &ModelSettings::default(),
        parameters,
        false,
    )
}

fn prompt() -> Vec<ModelMessage> {
    vec![ModelRequest::user_text_prompt("x").into()]
}

#[test]
fn each_tool_becomes_its_entry_after_the_function_declarations() {
    let all = parameters(vec![
        WebSearchTool::default().into(),
        WebFetchTool::default().into(),
        CodeExecutionTool::default().into(),
        FileSearchTool {
            file_store_ids: vec!["fileSearchStores/a".into()],
            ..Default::default()
        }
        .into(),
    ]);
    let body = body_for(PROVIDER, "gemini-2.5-flash", &prompt(), &all).unwrap();
    assert_eq!(
        body["tools"],
        json!([
            {"googleSearch": {}},
            {"urlContext": {}},
            {"codeExecution": {}},
            {"fileSearch": {"file_search_store_names": ["fileSearchStores/a"]}}
        ])
    );
    // Before Gemini 3 there is no tool config for built-in tools alone.
    assert!(body.get("toolConfig").is_none(), "{body}");

    // Gemini 3 at the Gemini API asks for the tools' own parts, beside function tools.
    let mut combined = parameters(vec![WebSearchTool::default().into()]);
    combined.function_tools = vec![divide()];
    let body = body_for(PROVIDER, "gemini-3-flash-preview", &prompt(), &combined).unwrap();
    assert_eq!(
        body["tools"][0]["functionDeclarations"][0]["name"],
        "divide"
    );
    assert_eq!(body["tools"][1], json!({"googleSearch": {}}));
    assert_eq!(
        body["toolConfig"],
        json!({"functionCallingConfig": {"mode": "VALIDATED"},
               "includeServerSideToolInvocations": true})
    );
    // Vertex AI has no such field.
    let body = body_for(
        "google-vertex",
        "gemini-3-flash-preview",
        &prompt(),
        &combined,
    )
    .unwrap();
    assert_eq!(
        body["toolConfig"],
        json!({"functionCallingConfig": {"mode": "VALIDATED"}})
    );
    let alone = parameters(vec![CodeExecutionTool::default().into()]);
    let body = body_for(PROVIDER, "gemini-3-pro-preview", &prompt(), &alone).unwrap();
    assert_eq!(
        body["toolConfig"],
        json!({"includeServerSideToolInvocations": true})
    );
}

#[test]
fn combinations_gemini_2_lacks_are_user_errors() {
    let mut with_functions = parameters(vec![WebSearchTool::default().into()]);
    with_functions.function_tools = vec![divide()];
    let err = body_for(PROVIDER, "gemini-2.5-flash", &prompt(), &with_functions).unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("function tools and built-in tools"),
        "{err}"
    );

    let mut with_output = parameters(vec![WebSearchTool::default().into()]);
    with_output.output_tools = vec![ToolDefinition::new("final_result")];
    with_output.output_mode = OutputMode::Tool;
    let err = body_for(PROVIDER, "gemini-2.5-flash", &prompt(), &with_output).unwrap_err();
    assert!(err.to_string().contains("`prompted` output mode"), "{err}");

    let memory = parameters(vec![MemoryTool::default().into()]);
    let err = body_for(PROVIDER, "gemini-2.5-flash", &prompt(), &memory).unwrap_err();
    assert!(err.to_string().contains("MemoryTool"), "{err}");

    assert_eq!(supported("gemini-2.5-flash"), TOOLS);
    assert!(supported("gemini-2.5-flash-image").contains(&"image_generation"));
}

#[test]
fn image_generation_configures_images_of_image_models() {
    let image = |tool: ImageGenerationTool| parameters(vec![tool.into()]);
    let sized = image(ImageGenerationTool {
        aspect_ratio: Some("16:9".into()),
        size: Some("2K".into()),
        output_format: Some(ImageFormat::Png),
        ..Default::default()
    });
    let body = body_for(PROVIDER, "gemini-2.5-flash-image", &prompt(), &sized).unwrap();
    assert_eq!(
        body["generationConfig"],
        json!({"responseModalities": ["TEXT", "IMAGE"],
               "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}})
    );
    // Vertex AI also takes the format and compression.
    let compressed = image(ImageGenerationTool {
        output_compression: Some(85),
        ..Default::default()
    });
    let body = body_for(
        "google-vertex",
        "gemini-2.5-flash-image",
        &prompt(),
        &compressed,
    )
    .unwrap();
    assert_eq!(
        body["generationConfig"]["imageConfig"],
        json!({"imageOutputOptions": {"mimeType": "image/jpeg", "compressionQuality": 85}})
    );
    let webp = image(ImageGenerationTool {
        output_format: Some(ImageFormat::Webp),
        ..Default::default()
    });
    let body = body_for("google-vertex", "gemini-2.5-flash-image", &prompt(), &webp).unwrap();
    assert_eq!(
        body["generationConfig"]["imageConfig"],
        json!({"imageOutputOptions": {"mimeType": "image/webp"}})
    );
    // Images only, when text output is not allowed.
    let mut only_images = ModelRequestParameters {
        output_mode: OutputMode::Image,
        allow_text_output: false,
        ..Default::default()
    };
    let body = body_for(PROVIDER, "gemini-2.5-flash-image", &prompt(), &only_images).unwrap();
    assert_eq!(
        body["generationConfig"]["responseModalities"],
        json!(["IMAGE"])
    );
    only_images.allow_text_output = true;
    let err = body_for(PROVIDER, "gemini-2.5-flash", &prompt(), &only_images).unwrap_err();
    assert!(
        err.to_string().contains("does not generate images"),
        "{err}"
    );

    for (provider, model, bad, expected) in [
        (
            PROVIDER,
            "gemini-2.5-flash",
            ImageGenerationTool::default(),
            "ImageGenerationTool",
        ),
        (
            PROVIDER,
            "gemini-2.5-flash-image",
            ImageGenerationTool {
                size: Some("1024x1024".into()),
                ..Default::default()
            },
            "`1024x1024`",
        ),
        (
            "google-vertex",
            "gemini-2.5-flash-image",
            ImageGenerationTool {
                output_compression: Some(101),
                ..Default::default()
            },
            "between 0 and 100",
        ),
        (
            "google-vertex",
            "gemini-2.5-flash-image",
            ImageGenerationTool {
                output_compression: Some(50),
                output_format: Some(ImageFormat::Png),
                ..Default::default()
            },
            "JPEG images only",
        ),
    ] {
        let err = body_for(provider, model, &prompt(), &image(bad)).unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{err:?}");
        assert!(err.to_string().contains(expected), "{err}");
    }
}

fn history(parts: Vec<ModelResponsePart>, provider: &str) -> Vec<ModelMessage> {
    vec![
        ModelRequest::user_text_prompt("x").into(),
        ModelResponse {
            parts,
            provider_name: Some(provider.into()),
            ..ModelResponse::default()
        }
        .into(),
    ]
}

use crate::messages::ModelResponsePart;

#[test]
fn builtin_parts_go_back_to_their_provider_only() {
    let code = BuiltinToolCallPart::new(
        "code_execution",
        r#"{"code": "print(1)", "language": "PYTHON"}"#,
        "pyd_ai_1",
    )
    .with_provider("google-gla");
    let result = BuiltinToolReturnPart::new(
        "code_execution",
        json!({"outcome": "OUTCOME_OK", "output": "1"}),
        "pyd_ai_1",
    )
    .with_provider("google");
    let search = BuiltinToolCallPart::new("web_search", r#"{"queries": ["q"]}"#, "g1")
        .with_provider("google-gla");
    let found = BuiltinToolReturnPart::new("web_search", json!([{"uri": "u"}]), "g1")
        .with_provider("google-gla");
    let rebuilt =
        BuiltinToolCallPart::new("file_search", "{}", "pyd_ai_2").with_provider("google-gla");
    let foreign =
        BuiltinToolCallPart::new("web_search", "{}", "srvtoolu_1").with_provider("anthropic");
    let image = FilePart::new(BinaryContent::new(vec![1, 2], "image/png"));
    let parts: Vec<ModelResponsePart> = vec![
        code.into(),
        result.into(),
        search.into(),
        found.into(),
        rebuilt.into(),
        foreign.into(),
        image.into(),
        TextPart::new("done").into(),
    ];
    let messages = history(parts, "google-gla");
    let gemini_3 = body_for(
        PROVIDER,
        "gemini-3-flash-preview",
        &messages,
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(
        gemini_3["contents"][1]["parts"],
        json!([
            {"executableCode": {"code": "print(1)", "language": "PYTHON"}},
            {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
            {"toolCall": {"id": "g1", "toolType": "GOOGLE_SEARCH_WEB", "args": {"queries": ["q"]}}},
            {"toolResponse": {"id": "g1", "toolType": "GOOGLE_SEARCH_WEB", "response": {"result": [{"uri": "u"}]}}},
            {"inlineData": {"mimeType": "image/png", "data": "AQI="}},
            {"text": "done"}
        ])
    );
    // Before Gemini 3 only code execution goes back; on Vertex AI none of the Gemini API's.
    let gemini_2 = body_for(
        PROVIDER,
        "gemini-2.5-flash",
        &messages,
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(
        gemini_2["contents"][1]["parts"].as_array().unwrap().len(),
        4
    );
    let vertex = body_for(
        "google-vertex",
        "gemini-3-flash-preview",
        &messages,
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(
        vertex["contents"][1]["parts"],
        json!([{"inlineData": {"mimeType": "image/png", "data": "AQI="}}, {"text": "done"}])
    );

    let unknown = history(
        vec![BuiltinToolCallPart::new("x_search", "{}", "a")
            .with_provider("google-gla")
            .into()],
        "google-gla",
    );
    let err = body_for(
        PROVIDER,
        "gemini-3-flash-preview",
        &unknown,
        &ModelRequestParameters::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
    assert!(err.to_string().contains("`x_search`"), "{err}");
}

#[test]
fn provider_names_match_their_aliases_only() {
    assert!(same_provider("google-gla", Some("google")));
    assert!(same_provider("google-vertex", Some("google-cloud")));
    assert!(!same_provider("google-vertex", Some("google-gla")));
    assert!(!same_provider("google-gla", None));
    assert!(same_provider("my-gemini", Some("my-gemini")));
    assert_eq!(tool_name("URL_CONTEXT"), Some("web_fetch"));
    assert_eq!(tool_type("file_search"), Some("FILE_SEARCH"));
}
