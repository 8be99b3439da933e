//! The output modes that are a matter of the request, over real HTTP for the three native
//! protocol families: `Prompted` puts pydantic-ai's schema instructions after the request's
//! own, `Auto` becomes the model profile's structured mode before the body is built, and
//! `ToolOrText` offers the output tools with the choice left to the model.

mod support;

use llm_runtime::messages::ModelRequest;
use llm_runtime::model_request;
use llm_runtime::models::{
    ModelProfile, ModelRequestParameters, OutputMode, OutputObjectDefinition,
};
use llm_runtime::providers::{Anthropic, GoogleGla, OpenAi};
use llm_runtime::tools::ToolDefinition;
use serde_json::{json, Value};
use support::echo::fast_retry;
use support::server::{Reply, TestServer};

const INSTRUCTIONS: &str = "Answer about France.";

fn city() -> OutputObjectDefinition {
    OutputObjectDefinition {
        json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]}),
        name: Some("City".into()),
        description: None,
        strict: None,
    }
}

fn parameters(mode: OutputMode) -> ModelRequestParameters {
    ModelRequestParameters {
        output_mode: mode,
        output_object: Some(city()),
        ..ModelRequestParameters::default()
    }
}

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("Which city?").with_instructions(INSTRUCTIONS)]
}

/// The instructions the prompted mode should send: the request's, a blank line, the template.
fn expected_system() -> String {
    format!(
        "{INSTRUCTIONS}\n\nAlways respond with a JSON object that's compatible with this schema:\
         \n\n{{\"type\": \"object\", \"properties\": {{\"city\": {{\"type\": \"string\"}}}}, \
         \"required\": [\"city\"], \"title\": \"City\"}}\n\nDon't include any text or Markdown \
         fencing before or after."
    )
}

fn chat_completion() -> Reply {
    Reply::json(
        200,
        &json!({
            "id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "{\"city\": \"Paris\"}"}}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}
        }),
    )
}

async fn chat_body(parameters: ModelRequestParameters, profile: Option<ModelProfile>) -> Value {
    let server = TestServer::always(chat_completion()).await;
    let mut model = OpenAi::builder()
        .base_url(server.url("/v1"))
        .api_key("sk-test")
        .retry(fast_retry())
        .build()
        .unwrap()
        .model("gpt-4o");
    if let Some(profile) = profile {
        model = model.with_profile(profile);
    }
    let (response, _) = model_request(model, prompt())
        .parameters(parameters)
        .await
        .unwrap();
    assert_eq!(response.text(), "{\"city\": \"Paris\"}");
    server.requests()[0].json()
}

#[tokio::test]
async fn prompted_output_instructions_in_openai_chat() {
    let body = chat_body(parameters(OutputMode::Prompted), None).await;
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][0]["content"], expected_system());
}

#[tokio::test]
async fn prompted_output_instructions_in_anthropic() {
    let server = TestServer::always(Reply::json(
        200,
        &json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "{\"city\": \"Paris\"}"}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 9, "output_tokens": 5}
        }),
    ))
    .await;
    let model = Anthropic::builder()
        .base_url(server.url(""))
        .api_key("sk-ant-test")
        .retry(fast_retry())
        .build()
        .unwrap()
        .model("claude-sonnet-4-5");
    model_request(model, prompt())
        .parameters(parameters(OutputMode::Prompted))
        .await
        .unwrap();
    let body = server.requests()[0].json();
    let system = match &body["system"] {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n\n"),
        other => panic!("{other}"),
    };
    assert_eq!(system, expected_system());
}

#[tokio::test]
async fn prompted_output_instructions_in_gemini() {
    let server = TestServer::always(Reply::json(200, &json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": "{\"city\": \"Paris\"}"}]},
                        "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 5}
    })))
    .await;
    let model = GoogleGla::builder()
        .base_url(server.url("/v1beta"))
        .api_key("test-key")
        .retry(fast_retry())
        .build()
        .unwrap()
        .model("gemini-2.5-flash");
    model_request(model, prompt())
        .parameters(parameters(OutputMode::Prompted))
        .await
        .unwrap();
    let body = server.requests()[0].json();
    assert_eq!(
        body["systemInstruction"]["parts"][0]["text"],
        expected_system()
    );
}

#[tokio::test]
async fn auto_is_the_profiles_structured_mode() {
    // A profile that prefers the provider's own structured output: `Auto` sends the schema as
    // `response_format`, as `Native` does.
    let mut native = ModelProfile::default();
    native.supports_json_schema_output = true;
    native.default_structured_output_mode = OutputMode::Native;
    let auto = chat_body(parameters(OutputMode::Auto), Some(native.clone())).await;
    let explicit = chat_body(parameters(OutputMode::Native), Some(native)).await;
    assert_eq!(auto["response_format"]["type"], "json_schema");
    assert_eq!(auto["response_format"], explicit["response_format"]);
    // With the default profile (`Tool`) there is no `response_format`.
    let tool = chat_body(parameters(OutputMode::Auto), None).await;
    assert!(tool.get("response_format").is_none(), "{tool}");
}

#[tokio::test]
async fn tool_or_text_offers_the_output_tool_and_leaves_the_choice_to_the_model() {
    // Raw parameters that forbid text: `ToolOrText` allows it, so the choice is `auto`.
    let parameters = ModelRequestParameters {
        output_mode: OutputMode::ToolOrText,
        output_tools: vec![ToolDefinition::new("final_result")
            .with_parameters(city().json_schema)
            .into_output_tool()],
        allow_text_output: false,
        ..ModelRequestParameters::default()
    };
    let body = chat_body(parameters, None).await;
    assert_eq!(body["tool_choice"], "auto");
    assert_eq!(body["tools"][0]["function"]["name"], "final_result");

    // A typed request in that mode reads the text when the model answers with text.
    let server = TestServer::always(chat_completion()).await;
    let model = OpenAi::builder()
        .base_url(server.url("/v1"))
        .api_key("sk-test")
        .retry(fast_retry())
        .build()
        .unwrap()
        .model("gpt-4o");
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
    struct City {
        city: String,
    }
    let typed = model_request(model, prompt())
        .output::<City>()
        .mode(OutputMode::ToolOrText)
        .await
        .unwrap();
    assert_eq!(typed.output.city, "Paris");
    assert_eq!(server.requests()[0].json()["tool_choice"], "auto");
}
