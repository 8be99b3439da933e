//! The built-in tools in request bodies, per host, and the refusal of the others.

use serde_json::{json, Value};

use super::super::fixtures::PROVIDER;
use super::super::OpenAiChat;
use super::ChatBuiltinTools;
use crate::error::Error;
use crate::models::{
    AdvisorTool, BuiltinTool, CodeExecutionTool, ModelRequestParameters, SearchContextSize,
    WebSearchTool, WebSearchUserLocation,
};
use crate::providers::builtin_tools::keep_supported;
use crate::providers::test_support::{prompt, request_json};
use crate::providers::Protocol;
use crate::settings::ModelSettings;
use crate::warning::Warnings;

fn with(tools: Vec<BuiltinTool>) -> ModelRequestParameters {
    ModelRequestParameters {
        builtin_tools: tools,
        ..Default::default()
    }
}

fn body(protocol: &OpenAiChat, model: &str, tools: Vec<BuiltinTool>) -> Value {
    request_json(
        protocol,
        PROVIDER,
        model,
        &prompt("x"),
        &ModelSettings::default(),
        &with(tools),
        false,
    )
    .unwrap()
}

fn located() -> WebSearchTool {
    WebSearchTool {
        user_location: Some(WebSearchUserLocation {
            city: Some("Utrecht".into()),
            country: Some("NL".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn openai_search_models_take_web_search_options() {
    let openai = OpenAiChat::new();
    assert_eq!(
        openai.supported_builtin_tools("gpt-4o-search-preview"),
        ["web_search"]
    );
    assert!(openai.supported_builtin_tools("gpt-4o").is_empty());
    let low = WebSearchTool {
        search_context_size: SearchContextSize::Low,
        ..Default::default()
    };
    let sent = body(&openai, "gpt-4o-search-preview", vec![low.into()]);
    assert_eq!(
        sent["web_search_options"],
        json!({"search_context_size": "low"})
    );
    assert_eq!(sent.get("tools"), None);
    let sent = body(&openai, "gpt-4o-search-preview", vec![located().into()]);
    assert_eq!(
        sent["web_search_options"],
        json!({"search_context_size": "medium",
               "user_location": {"type": "approximate",
                                 "approximate": {"city": "Utrecht", "country": "NL"}}})
    );
}

#[test]
fn groq_compound_models_take_domain_filters_as_search_settings() {
    let groq = OpenAiChat::new().with_builtin_tools(ChatBuiltinTools::GroqCompound);
    assert_eq!(
        groq.supported_builtin_tools("groq/compound"),
        ["web_search"]
    );
    assert_eq!(
        groq.supported_builtin_tools("compound-beta"),
        ["web_search"]
    );
    assert!(groq
        .supported_builtin_tools("llama-3.3-70b-versatile")
        .is_empty());
    let filtered = WebSearchTool {
        allowed_domains: Some(vec!["python.org".into()]),
        blocked_domains: Some(vec!["w3schools.com".into()]),
        ..Default::default()
    };
    let sent = body(&groq, "compound-beta", vec![filtered.into()]);
    assert_eq!(
        sent["search_settings"],
        json!({"include_domains": ["python.org"], "exclude_domains": ["w3schools.com"]})
    );
    // Without filters the model searches anyway and nothing is sent.
    let sent = body(
        &groq,
        "compound-beta",
        vec![WebSearchTool::default().into()],
    );
    assert_eq!(sent.get("search_settings"), None);
    assert_eq!(sent.get("web_search_options"), None);
}

#[test]
fn openrouter_takes_its_server_tools_after_the_function_tools() {
    let openrouter = OpenAiChat::new().with_builtin_tools(ChatBuiltinTools::OpenRouterServerTools);
    assert_eq!(
        openrouter.supported_builtin_tools("openai/gpt-4.1-mini"),
        ["web_search", "advisor"]
    );
    let search = WebSearchTool {
        max_uses: Some(1),
        allowed_domains: Some(vec!["pydantic.dev".into()]),
        blocked_domains: Some(vec!["example.com".into()]),
        ..located()
    };
    let advisor = AdvisorTool {
        model: "anthropic/claude-opus-4.6".into(),
        max_tokens: Some(2048),
        ..Default::default()
    };
    let mut parameters = with(vec![search.into(), advisor.into()]);
    parameters.function_tools = vec![super::super::fixtures::divide()];
    let sent = request_json(
        &openrouter,
        "openrouter",
        "openai/gpt-4.1-mini",
        &prompt("x"),
        &ModelSettings::default(),
        &parameters,
        false,
    )
    .unwrap();
    let tools = sent["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 3);
    assert_eq!(tools[0]["function"]["name"], "divide");
    assert_eq!(
        tools[1],
        json!({"type": "openrouter:advisor",
               "parameters": {"model": "anthropic/claude-opus-4.6", "forward_transcript": false,
                              "max_completion_tokens": 2048}})
    );
    assert_eq!(
        tools[2],
        json!({"type": "openrouter:web_search",
               "parameters": {"search_context_size": "medium",
                              "user_location": {"type": "approximate", "city": "Utrecht", "country": "NL"},
                              "allowed_domains": ["pydantic.dev"], "excluded_domains": ["example.com"],
                              "max_uses": 1}})
    );
    assert_eq!(sent.get("web_search_options"), None);
}

#[test]
fn a_tool_the_host_lacks_is_a_user_error_naming_it_and_the_provider() {
    let cases: [(OpenAiChat, &str, BuiltinTool); 4] = [
        (OpenAiChat::new(), "gpt-4o", WebSearchTool::default().into()),
        (
            OpenAiChat::new(),
            "gpt-4o-search-preview",
            CodeExecutionTool::default().into(),
        ),
        (
            OpenAiChat::new().with_builtin_tools(ChatBuiltinTools::GroqCompound),
            "llama-3.3-70b-versatile",
            WebSearchTool::default().into(),
        ),
        (
            OpenAiChat::new().with_builtin_tools(ChatBuiltinTools::None),
            "deepseek-chat",
            WebSearchTool::default().into(),
        ),
    ];
    for (protocol, model, tool) in cases {
        let name = tool.type_name();
        let parameters = with(vec![tool]);
        let supported = protocol.supported_builtin_tools(model);
        let err = keep_supported(
            &parameters,
            supported,
            "some-host",
            model,
            &mut Warnings::new(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::User { .. }), "{err:?}");
        assert!(
            text.contains(name) && text.contains("`some-host`"),
            "{text}"
        );
    }
}
