//! The built-in tools of the Chat Completions hosts over HTTP: for each recorded request that
//! pydantic-ai sent with a built-in tool (`../shared/fixtures`), the same conversation and
//! tool, sent through the built-in host to a server on 127.0.0.1, must give the recorded body
//! (OpenAI's `web_search_options`, Groq's `search_settings`, OpenRouter's server tools), and
//! the recorded answer must parse. A tool a host or model lacks fails before anything is sent.

mod support;

use futures::StreamExt;
use llm_runtime::messages::{ModelMessage, ModelRequest, ModelRequestPart, SystemPromptPart};
use llm_runtime::messages::{ModelResponsePart, UserPromptPart};
use llm_runtime::models::{
    AdvisorTool, BuiltinTool, CodeExecutionTool, ModelRequestParameters, SearchContextSize,
    WebSearchTool, WebSearchUserLocation,
};
use llm_runtime::providers::{Groq, OpenAi, OpenRouter};
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::Value;
use support::recordings::{oracle_entries, response_body, status};
use support::server::{Reply, TestServer};

/// A web search tool with the given context size and nothing else.
fn search(size: SearchContextSize) -> WebSearchTool {
    WebSearchTool {
        search_context_size: size,
        ..Default::default()
    }
}

/// The tools each recorded test of pydantic-ai enabled (from its test code, not the body).
fn recorded_tools(key: &str) -> Option<Vec<BuiltinTool>> {
    let openrouter_search = WebSearchTool {
        max_uses: Some(1),
        ..Default::default()
    };
    Some(match key {
        "test_openai/test_openai_web_search_tool.0" => vec![search(SearchContextSize::Low).into()],
        "test_openai/test_openai_web_search_tool_with_user_location.0" => vec![WebSearchTool {
            user_location: Some(WebSearchUserLocation {
                city: Some("Utrecht".into()),
                country: Some("NL".into()),
                ..Default::default()
            }),
            ..Default::default()
        }
        .into()],
        "test_groq/test_groq_model_web_search_tool.0"
        | "test_groq/test_groq_model_web_search_tool_stream.0" => {
            vec![WebSearchTool::default().into()]
        }
        "test_groq/test_groq_web_search_tool_domain_filters.0" => vec![WebSearchTool {
            allowed_domains: Some(vec!["python.org".into()]),
            blocked_domains: Some(vec!["w3schools.com".into()]),
            ..Default::default()
        }
        .into()],
        "test_openrouter/test_openrouter_web_search_tool_usage.0"
        | "test_openrouter/test_openrouter_web_search_tool_usage_stream.0"
        | "test_openrouter/test_openrouter_web_search_annotations.0"
        | "test_openrouter/test_openrouter_web_search_annotations_stream.0" => {
            vec![openrouter_search.into()]
        }
        "test_openrouter/test_openrouter_web_search_tool_full_params.0" => vec![WebSearchTool {
            search_context_size: SearchContextSize::Low,
            user_location: Some(WebSearchUserLocation {
                city: Some("London".into()),
                country: Some("GB".into()),
                region: Some("England".into()),
                timezone: Some("Europe/London".into()),
            }),
            allowed_domains: Some(vec!["pydantic.dev".into()]),
            blocked_domains: Some(vec!["example.com".into()]),
            max_uses: Some(1),
            ..Default::default()
        }
        .into()],
        "test_openrouter/test_openrouter_advisor_tool.0"
        | "test_openrouter/test_openrouter_advisor_tool_stream.0" => vec![AdvisorTool {
            model: "~anthropic/claude-opus-latest".into(),
            max_tokens: Some(1024),
            ..Default::default()
        }
        .into()],
        _ => return None,
    })
}

/// The recorded conversation: its system and user text messages.
fn recorded_messages(body: &Value) -> Vec<ModelMessage> {
    let mut parts: Vec<ModelRequestPart> = Vec::new();
    for message in body["messages"].as_array().unwrap() {
        let text = message["content"].as_str().unwrap();
        parts.push(match message["role"].as_str().unwrap() {
            "system" => SystemPromptPart::new(text).into(),
            _ => UserPromptPart::new(text).into(),
        });
    }
    vec![ModelRequest::new(parts).into()]
}

/// Sends `messages` with `tools` through the host of `provider_api` at `base_url`.
async fn send(
    provider_api: &str,
    base_url: &str,
    model: &str,
    messages: Vec<ModelMessage>,
    tools: Vec<BuiltinTool>,
    stream: bool,
) -> Result<Vec<ModelResponsePart>, Error> {
    let parameters = ModelRequestParameters {
        builtin_tools: tools,
        ..Default::default()
    };
    macro_rules! with_host {
        ($host:ty) => {{
            let model = <$host>::builder()
                .api_key("test")
                .base_url(base_url)
                .build_with_env(|_| None)?
                .model(model);
            if stream {
                let mut streamed = model_request_stream(model, messages)
                    .parameters(parameters)
                    .await?;
                while let Some(event) = streamed.next().await {
                    event?;
                }
                Ok(streamed.get().parts)
            } else {
                let (response, _) = model_request(model, messages)
                    .parameters(parameters)
                    .await?;
                Ok(response.parts)
            }
        }};
    }
    match provider_api {
        "groq" => with_host!(Groq),
        "openrouter" => with_host!(OpenRouter),
        _ => with_host!(OpenAi),
    }
}

#[tokio::test]
async fn builtin_tool_requests_equal_the_recorded_ones() {
    let Some(fixtures) = support::shared_fixtures("builtin_tool_requests_equal_the_recorded_ones")
    else {
        return;
    };
    let mut checked = 0;
    let mut searched = 0;
    for entry in oracle_entries(&fixtures, "openai-chat") {
        let Some(tools) = recorded_tools(&entry.key) else {
            continue;
        };
        let request = &entry.interaction["request"];
        let mut expected = request["parsed_body"].clone();
        let response = &entry.interaction["response"];
        let streaming = expected["stream"] == true;
        let reply = if streaming {
            Reply::sse_split(&response_body(response), &[usize::MAX])
        } else {
            Reply::json(
                status(response),
                &serde_json::from_slice(&response_body(response)).unwrap(),
            )
        };
        let server = TestServer::always(reply).await;
        let base = server.url(match entry.provider_api() {
            "groq" => "/openai/v1",
            _ => "/v1",
        });
        let model = expected["model"].as_str().unwrap().to_owned();
        let parts = send(
            entry.provider_api(),
            &base,
            &model,
            recorded_messages(&expected),
            tools,
            streaming,
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", entry.key));
        let sent = server.requests()[0].json();
        // The groq SDK always writes the API's default `n: 1`; we leave it out.
        if entry.provider_api() == "groq" {
            expected.as_object_mut().unwrap().remove("n");
        }
        assert_eq!(sent, expected, "{}", entry.key);
        if parts
            .iter()
            .any(|p| matches!(p, ModelResponsePart::BuiltinToolCall(_)))
        {
            searched += 1;
        }
        checked += 1;
    }
    println!("built-in tool requests equal to the recorded ones: {checked} (with search parts: {searched})");
    assert_eq!(checked, 12);
    // Groq's compound searches come back as built-in tool parts.
    assert_eq!(searched, 3);
}

#[tokio::test]
async fn a_builtin_tool_the_model_lacks_fails_before_sending() {
    let server = TestServer::always(Reply::json(200, &serde_json::json!({}))).await;
    let prompt = || vec![ModelMessage::from(ModelRequest::user_text_prompt("x"))];
    let cases: [(&str, &str, &str, BuiltinTool); 4] = [
        // pydantic-ai: only OpenAI's `-search-preview` models search on Chat Completions.
        (
            "openai",
            "/v1",
            "gpt-4o",
            search(SearchContextSize::Low).into(),
        ),
        (
            "openai",
            "/v1",
            "gpt-4o-search-preview",
            CodeExecutionTool::default().into(),
        ),
        // Groq searches with its compound models only.
        (
            "groq",
            "/openai/v1",
            "llama-3.3-70b-versatile",
            WebSearchTool::default().into(),
        ),
        (
            "openrouter",
            "/v1",
            "openai/gpt-4o",
            CodeExecutionTool::default().into(),
        ),
    ];
    for (host, path, model, tool) in cases {
        let name = tool.type_name();
        let err = send(host, &server.url(path), model, prompt(), vec![tool], false)
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::User { .. }), "{host} {model}: {err:?}");
        assert!(
            text.contains(name) && text.contains(&format!("`{host}`")),
            "{text}"
        );
    }
    assert!(server.requests().is_empty());
}
