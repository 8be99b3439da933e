//! The request body of every output mode, per protocol, as a typed request sets it up
//! (`OutputSpec::apply`, then `resolve_output_mode` as the driver does): tool output offers
//! `final_result` with the choice forced, `ToolOrText` offers it with the choice left to the
//! model, native output uses the protocol's own structured output field (or is an
//! `Error::User` where the protocol has none), prompted output adds pydantic-ai's instructions,
//! and `Auto` is the body of the profile's mode. Where the fixtures hold a recorded request of
//! the mode, its shape is compared with ours.

mod support;

use llm_runtime::messages::{ModelMessage, ModelRequest};
use llm_runtime::models::{resolve_output_mode, ModelRequestParameters, OutputMode};
use llm_runtime::output::OutputSpec;
use llm_runtime::providers::bedrock::BedrockConverse;
use llm_runtime::providers::openai::chat::OpenAiChat;
use llm_runtime::providers::{
    Anthropic, Cohere, GoogleGla, OpenAi, OpenAiResponsesHost, PreparedRequest, Protocol,
};
use llm_runtime::settings::ModelSettings;
use llm_runtime::warning::Warnings;
use llm_runtime::Error;
use serde::Deserialize;
use serde_json::{json, Value};

/// The largest city of a country.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
struct City {
    name: String,
    country: String,
}

/// The body `protocol` writes for a typed request of `City` in `mode` to `model`.
fn body<P: Protocol>(
    protocol: &P,
    provider: &str,
    model: &str,
    mode: OutputMode,
) -> Result<Value, Error> {
    let mut parameters = ModelRequestParameters::default();
    OutputSpec::<City>::new().apply(&mut parameters, mode)?;
    let profile = protocol.profile(model);
    let parameters = resolve_output_mode(&parameters, &profile);
    let messages = [ModelMessage::from(ModelRequest::user_text_prompt(
        "What is the largest city in France?",
    ))];
    let settings = ModelSettings::default();
    let request = PreparedRequest {
        model_name: model,
        provider_name: provider,
        messages: &messages,
        settings: &settings,
        parameters: &parameters,
        profile: &profile,
    };
    let bytes = protocol.request_body(&request, false, &mut Warnings::new())?;
    Ok(serde_json::from_slice(&bytes).expect("a JSON body"))
}

/// The first recorded request body of `cassette` (a path under `cassettes/`), when the
/// fixtures are there.
fn recorded(cassette: &str) -> Option<Value> {
    let fixtures = support::shared_fixtures(cassette)?;
    let path = fixtures.join("cassettes").join(cassette);
    let interactions = support::recordings::load_yaml(&path).interactions;
    let request = &interactions.first()?["request"];
    match request.get("parsed_body") {
        Some(body) => Some(body.clone()),
        None => serde_json::from_str(request["body"].as_str()?).ok(),
    }
}

/// Whether `ours` has the keys `recorded` has, and no other besides `extra`.
fn assert_same_keys(recorded: &Value, ours: &Value, extra: &[&str]) {
    let keys = |v: &Value| -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (theirs, mine) = (keys(recorded), keys(ours));
    for key in &theirs {
        assert!(mine.contains(key), "`{key}` recorded but not ours: {ours}");
    }
    for key in &mine {
        assert!(
            theirs.contains(key) || extra.contains(&key.as_str()),
            "`{key}` ours but not recorded: {recorded}"
        );
    }
}

fn text_of(instructions: &Value) -> &str {
    instructions.as_str().unwrap_or_default()
}

const TEMPLATE_START: &str = "Always respond with a JSON object that's compatible with this schema";

fn chat() -> impl Protocol {
    OpenAi::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone()
}

fn responses() -> impl Protocol {
    OpenAiResponsesHost::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone()
}

fn anthropic() -> impl Protocol {
    Anthropic::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone()
}

fn gemini() -> impl Protocol {
    GoogleGla::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone()
}

fn cohere() -> impl Protocol {
    Cohere::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .unwrap()
        .protocol()
        .clone()
}

/// The profile's mode, for `Auto`.
fn auto_mode<P: Protocol>(protocol: &P, model: &str) -> OutputMode {
    match protocol.profile(model).default_structured_output_mode {
        OutputMode::Auto => OutputMode::Tool,
        mode => mode,
    }
}

fn check_openai_chat(mode: OutputMode) {
    let (protocol, model) = (chat(), "gpt-4o");
    let body = body(&protocol, "openai", model, mode).unwrap();
    match mode {
        OutputMode::Tool | OutputMode::ToolOrText => {
            assert_eq!(body["tools"][0]["function"]["name"], "final_result");
            let choice = if mode == OutputMode::Tool {
                "required"
            } else {
                "auto"
            };
            assert_eq!(body["tool_choice"], choice);
            assert!(body.get("response_format").is_none(), "{body}");
            if let Some(recorded) = recorded("test_openai/test_openai_tool_output.yaml") {
                assert_eq!(recorded["tool_choice"], "required");
                assert_same_keys(&recorded["tools"][0], &body["tools"][0], &[]);
                assert_same_keys(
                    &recorded["tools"][0]["function"],
                    &body["tools"][0]["function"],
                    &["strict"],
                );
            }
        }
        OutputMode::Native => {
            let format = &body["response_format"];
            assert_eq!(format["type"], "json_schema");
            assert_eq!(format["json_schema"]["name"], "City");
            assert_eq!(
                format["json_schema"]["schema"]["required"],
                json!(["name", "country"])
            );
            assert!(body.get("tools").is_none(), "{body}");
            // A host without JSON-schema output: a clear error, as pydantic-ai raises.
            let host = OpenAiChat::new().with_structured_output(false, true);
            let err = self::body(&host, "openai", model, mode);
            assert!(matches!(err, Err(Error::User { .. })), "{err:?}");
            if let Some(recorded) = recorded("test_openai/test_openai_native_output.yaml") {
                let theirs = &recorded["response_format"];
                assert_same_keys(theirs, format, &[]);
                assert_same_keys(
                    &theirs["json_schema"],
                    &format["json_schema"],
                    &["description"],
                );
            }
        }
        OutputMode::Prompted => {
            assert_eq!(body["messages"][0]["role"], "system");
            assert!(text_of(&body["messages"][0]["content"]).starts_with(TEMPLATE_START));
            assert_eq!(body["response_format"], json!({"type": "json_object"}));
            if let Some(recorded) = recorded("test_openai/test_openai_prompted_output.yaml") {
                assert_eq!(recorded["response_format"], body["response_format"]);
                assert_eq!(recorded["messages"][0]["role"], "system");
                assert!(text_of(&recorded["messages"][0]["content"]).starts_with(TEMPLATE_START));
            }
        }
        OutputMode::Auto => {
            let resolved = auto_mode(&protocol, model);
            assert_eq!(
                body,
                self::body(&protocol, "openai", model, resolved).unwrap()
            );
        }
        _ => unreachable!(),
    }
}

fn check_openai_responses(mode: OutputMode) {
    let (protocol, model) = (responses(), "gpt-4o");
    let body = body(&protocol, "openai-responses", model, mode).unwrap();
    match mode {
        OutputMode::Tool | OutputMode::ToolOrText => {
            assert_eq!(body["tools"][0]["name"], "final_result");
            let choice = if mode == OutputMode::Tool {
                "required"
            } else {
                "auto"
            };
            assert_eq!(body["tool_choice"], choice);
            assert!(body.get("text").is_none(), "{body}");
        }
        OutputMode::Native => {
            let format = &body["text"]["format"];
            assert_eq!(format["type"], "json_schema");
            assert_eq!(format["name"], "City");
            assert_eq!(format["strict"], true);
            if let Some(recorded) = recorded("test_openai_responses/test_native_output.yaml") {
                assert_same_keys(&recorded["text"]["format"], format, &["description"]);
            }
        }
        OutputMode::Prompted => {
            assert_eq!(body["text"]["format"], json!({"type": "json_object"}));
            assert_eq!(body["input"][0]["role"], "system");
            assert!(text_of(&body["input"][0]["content"]).starts_with(TEMPLATE_START));
            if let Some(recorded) = recorded("test_openai_responses/test_prompted_output.yaml") {
                assert_eq!(recorded["text"], body["text"]);
                assert_eq!(recorded["input"][0]["role"], "system");
            }
        }
        OutputMode::Auto => {
            let resolved = auto_mode(&protocol, model);
            assert_eq!(
                body,
                self::body(&protocol, "openai-responses", model, resolved).unwrap()
            );
        }
        _ => unreachable!(),
    }
}

fn check_anthropic(mode: OutputMode) {
    let (protocol, model) = (anthropic(), "claude-sonnet-4-5");
    let body = body(&protocol, "anthropic", model, mode).unwrap();
    match mode {
        OutputMode::Tool | OutputMode::ToolOrText => {
            assert_eq!(body["tools"][0]["name"], "final_result");
            let choice = if mode == OutputMode::Tool {
                "any"
            } else {
                "auto"
            };
            assert_eq!(body["tool_choice"]["type"], choice);
            assert!(body.get("output_config").is_none(), "{body}");
        }
        OutputMode::Native => {
            let format = &body["output_config"]["format"];
            assert_eq!(format["type"], "json_schema");
            assert_eq!(format["schema"]["required"], json!(["name", "country"]));
            assert!(body.get("tools").is_none(), "{body}");
            let cassette = "test_anthropic/test_anthropic_native_output_decimal_strict.yaml";
            if let Some(recorded) = recorded(cassette) {
                assert_same_keys(&recorded["output_config"], &body["output_config"], &[]);
                assert_same_keys(&recorded["output_config"]["format"], format, &[]);
            }
            // A model without structured outputs: a clear error, not a body the API rejects.
            let err = self::body(&protocol, "anthropic", "claude-3-5-haiku-latest", mode);
            assert!(matches!(err, Err(Error::User { .. })), "{err:?}");
        }
        OutputMode::Prompted => {
            assert!(text_of(&body["system"][0]["text"]).starts_with(TEMPLATE_START));
            assert!(body.get("tools").is_none() && body.get("output_config").is_none());
        }
        OutputMode::Auto => {
            let resolved = auto_mode(&protocol, model);
            assert_eq!(
                body,
                self::body(&protocol, "anthropic", model, resolved).unwrap()
            );
        }
        _ => unreachable!(),
    }
}

fn check_gemini(mode: OutputMode) {
    let (protocol, model) = (gemini(), "gemini-2.5-flash");
    let body = body(&protocol, "google-gla", model, mode).unwrap();
    let config = &body["generationConfig"];
    match mode {
        OutputMode::Tool | OutputMode::ToolOrText => {
            assert_eq!(
                body["tools"][0]["functionDeclarations"][0]["name"],
                "final_result"
            );
            let calling = &body["toolConfig"]["functionCallingConfig"]["mode"];
            if mode == OutputMode::Tool {
                assert_eq!(calling, "ANY");
                let cassette = "test_google/test_google_model_structured_output.yaml";
                if let Some(recorded) = recorded(cassette) {
                    assert_eq!(
                        recorded["toolConfig"]["functionCallingConfig"]["mode"],
                        "ANY"
                    );
                }
            } else {
                assert_ne!(calling, "ANY", "{body}");
            }
            assert!(config.get("responseMimeType").is_none(), "{body}");
        }
        OutputMode::Native => {
            assert_eq!(config["responseMimeType"], "application/json");
            assert_eq!(config["responseJsonSchema"]["title"], "City");
            assert!(body.get("tools").is_none(), "{body}");
            if let Some(recorded) = recorded("test_google/test_google_native_output.yaml") {
                let theirs = &recorded["generationConfig"];
                assert_same_keys(theirs, config, &[]);
                assert_same_keys(
                    &theirs["responseJsonSchema"],
                    &config["responseJsonSchema"],
                    &["additionalProperties"],
                );
            }
        }
        OutputMode::Prompted => {
            assert!(
                text_of(&body["systemInstruction"]["parts"][0]["text"]).starts_with(TEMPLATE_START)
            );
            assert_eq!(config["responseMimeType"], "application/json");
            assert!(config.get("responseJsonSchema").is_none(), "{body}");
        }
        OutputMode::Auto => {
            let resolved = auto_mode(&protocol, model);
            assert_eq!(
                body,
                self::body(&protocol, "google-gla", model, resolved).unwrap()
            );
        }
        _ => unreachable!(),
    }
}

fn check_bedrock(mode: OutputMode) {
    let (protocol, model) = (
        BedrockConverse,
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    );
    let body = body(&protocol, "bedrock", model, mode).unwrap();
    match mode {
        OutputMode::Tool | OutputMode::ToolOrText => {
            let config = &body["toolConfig"];
            assert_eq!(config["tools"][0]["toolSpec"]["name"], "final_result");
            let choice = if mode == OutputMode::Tool {
                json!({"any": {}})
            } else {
                json!({"auto": {}})
            };
            assert_eq!(config["toolChoice"], choice);
            let cassette = "test_bedrock/test_bedrock_model_structured_output.yaml";
            if let (OutputMode::Tool, Some(recorded)) = (mode, recorded(cassette)) {
                assert_eq!(recorded["toolConfig"]["toolChoice"], choice);
                let theirs = recorded["toolConfig"]["tools"].as_array().unwrap();
                let output = theirs
                    .iter()
                    .find(|t| t["toolSpec"]["name"] == "final_result")
                    .unwrap();
                assert_same_keys(&output["toolSpec"], &config["tools"][0]["toolSpec"], &[]);
            }
        }
        OutputMode::Native => {
            let format = &body["outputConfig"]["textFormat"];
            assert_eq!(format["type"], "json_schema");
            let schema = format["structure"]["jsonSchema"]["schema"]
                .as_str()
                .unwrap();
            let schema: Value = serde_json::from_str(schema).unwrap();
            assert_eq!(schema["required"], json!(["name", "country"]));
            // A model without structured output on Bedrock: a clear error.
            let err = self::body(&protocol, "bedrock", "us.amazon.nova-pro-v1:0", mode);
            assert!(matches!(err, Err(Error::User { .. })), "{err:?}");
        }
        OutputMode::Prompted => {
            assert!(text_of(&body["system"][0]["text"]).starts_with(TEMPLATE_START));
            assert!(body.get("toolConfig").is_none() && body.get("outputConfig").is_none());
        }
        OutputMode::Auto => {
            let resolved = auto_mode(&protocol, model);
            assert_eq!(
                body,
                self::body(&protocol, "bedrock", model, resolved).unwrap()
            );
        }
        _ => unreachable!(),
    }
}

fn check_cohere(mode: OutputMode) {
    let (protocol, model) = (cohere(), "command-r7b-12-2024");
    let result = body(&protocol, "cohere", model, mode);
    if mode == OutputMode::Native {
        // Cohere's translation has no native structured output: a clear error.
        assert!(matches!(result, Err(Error::User { .. })), "{result:?}");
        return;
    }
    let body = result.unwrap();
    match mode {
        OutputMode::Tool => {
            assert_eq!(body["tools"][0]["function"]["name"], "final_result");
            assert_eq!(body["tool_choice"], "REQUIRED");
            let cassette =
                "test_tool_choice_matrix/test_tool_choice_matrix[none_with_output-cohere].yaml";
            if let Some(recorded) = recorded(cassette) {
                assert_eq!(recorded["tool_choice"], "REQUIRED");
                assert_same_keys(&recorded["tools"][0], &body["tools"][0], &[]);
                assert_same_keys(
                    &recorded["tools"][0]["function"],
                    &body["tools"][0]["function"],
                    &[],
                );
            }
        }
        OutputMode::ToolOrText => {
            // Cohere has no `auto`: the choice is left out.
            assert_eq!(body["tools"][0]["function"]["name"], "final_result");
            assert!(body.get("tool_choice").is_none(), "{body}");
        }
        OutputMode::Prompted => {
            assert_eq!(body["messages"][0]["role"], "system");
            assert!(text_of(&body["messages"][0]["content"]).starts_with(TEMPLATE_START));
            assert!(body.get("tools").is_none(), "{body}");
        }
        OutputMode::Auto => {
            let resolved = auto_mode(&protocol, model);
            assert_eq!(
                body,
                self::body(&protocol, "cohere", model, resolved).unwrap()
            );
        }
        _ => unreachable!(),
    }
}

/// One test per protocol and mode.
macro_rules! mode_tests {
    ($check:ident: $($name:ident => $mode:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $check(OutputMode::$mode);
            }
        )*
    };
}

mode_tests!(check_openai_chat: openai_chat_tool => Tool, openai_chat_tool_or_text => ToolOrText,
    openai_chat_native => Native, openai_chat_prompted => Prompted, openai_chat_auto => Auto);
mode_tests!(check_openai_responses: openai_responses_tool => Tool,
    openai_responses_tool_or_text => ToolOrText, openai_responses_native => Native,
    openai_responses_prompted => Prompted, openai_responses_auto => Auto);
mode_tests!(check_anthropic: anthropic_tool => Tool, anthropic_tool_or_text => ToolOrText,
    anthropic_native => Native, anthropic_prompted => Prompted, anthropic_auto => Auto);
mode_tests!(check_gemini: gemini_tool => Tool, gemini_tool_or_text => ToolOrText,
    gemini_native => Native, gemini_prompted => Prompted, gemini_auto => Auto);
mode_tests!(check_bedrock: bedrock_tool => Tool, bedrock_tool_or_text => ToolOrText,
    bedrock_native => Native, bedrock_prompted => Prompted, bedrock_auto => Auto);
mode_tests!(check_cohere: cohere_tool => Tool, cohere_tool_or_text => ToolOrText,
    cohere_native => Native, cohere_prompted => Prompted, cohere_auto => Auto);
