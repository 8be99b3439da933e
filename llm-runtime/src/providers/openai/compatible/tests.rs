//! Unit tests of the built-in hosts: their registration, environment, and the bodies their
//! protocol options produce.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::*;
use crate::messages::{
    BinaryContent, ModelMessage, ModelRequest, ModelResponsePart, UserContentItem, UserPromptPart,
};
use crate::models::{known_providers, ModelRequestParameters};
use crate::providers::test_support::{prompt, request_json};
#[allow(unused_imports)]
use crate::providers::ResponseContext;
use crate::providers::{PreparedRequest, Protocol, Provider, ProviderDefinition};
use crate::settings::ModelSettings;
use crate::tools::ToolDefinition;
use crate::Error;

/// The provider name the tests give the protocol.
const PROVIDER: &str = "openai";

/// What a host is declared with, as its documentation states it.
struct Host {
    name: &'static str,
    aliases: &'static [&'static str],
    /// The default base URL, if any.
    base_url: Option<&'static str>,
    key_vars: &'static [&'static str],
    url_var: &'static str,
    key_required: bool,
    builder: fn() -> crate::providers::ProviderBuilder<OpenAiChat>,
}

fn of<D: ProviderDefinition<Protocol = OpenAiChat>>(
) -> fn() -> crate::providers::ProviderBuilder<OpenAiChat> {
    D::builder
}

fn hosts() -> Vec<Host> {
    let host = |name, base_url, key_vars, url_var, builder| Host {
        name,
        aliases: &[],
        base_url,
        key_vars,
        url_var,
        key_required: true,
        builder,
    };
    vec![
        Host {
            aliases: &["openai-chat"],
            ..host(
                "openai",
                Some("https://api.openai.com/v1"),
                &["OPENAI_API_KEY"],
                "OPENAI_BASE_URL",
                of::<OpenAi>(),
            )
        },
        host(
            "groq",
            Some("https://api.groq.com/openai/v1"),
            &["GROQ_API_KEY"],
            "GROQ_BASE_URL",
            of::<Groq>(),
        ),
        host(
            "mistral",
            Some("https://api.mistral.ai/v1"),
            &["MISTRAL_API_KEY"],
            "MISTRAL_BASE_URL",
            of::<Mistral>(),
        ),
        host(
            "deepseek",
            Some("https://api.deepseek.com"),
            &["DEEPSEEK_API_KEY"],
            "DEEPSEEK_BASE_URL",
            of::<DeepSeek>(),
        ),
        host(
            "openrouter",
            Some("https://openrouter.ai/api/v1"),
            &["OPENROUTER_API_KEY"],
            "OPENROUTER_BASE_URL",
            of::<OpenRouter>(),
        ),
        Host {
            key_required: false,
            ..host(
                "ollama",
                Some("http://localhost:11434/v1"),
                &["OLLAMA_API_KEY"],
                "OLLAMA_BASE_URL",
                of::<Ollama>(),
            )
        },
        Host {
            aliases: &["grok"],
            ..host(
                "xai",
                Some("https://api.x.ai/v1"),
                &["XAI_API_KEY"],
                "XAI_BASE_URL",
                of::<Xai>(),
            )
        },
        host(
            "together",
            Some("https://api.together.xyz/v1"),
            &["TOGETHER_API_KEY"],
            "TOGETHER_BASE_URL",
            of::<Together>(),
        ),
        host(
            "fireworks",
            Some("https://api.fireworks.ai/inference/v1"),
            &["FIREWORKS_API_KEY"],
            "FIREWORKS_BASE_URL",
            of::<Fireworks>(),
        ),
        host(
            "cerebras",
            Some("https://api.cerebras.ai/v1"),
            &["CEREBRAS_API_KEY"],
            "CEREBRAS_BASE_URL",
            of::<Cerebras>(),
        ),
        host(
            "azure",
            None,
            &["AZURE_OPENAI_API_KEY"],
            "AZURE_OPENAI_ENDPOINT",
            of::<Azure>(),
        ),
        host(
            "github",
            Some("https://models.github.ai/inference"),
            &["GITHUB_API_KEY"],
            "GITHUB_BASE_URL",
            of::<GitHub>(),
        ),
        host(
            "huggingface",
            Some("https://router.huggingface.co/v1"),
            &["HF_TOKEN", "HUGGINGFACE_API_KEY"],
            "HUGGINGFACE_BASE_URL",
            of::<HuggingFace>(),
        ),
        host(
            "moonshotai",
            Some("https://api.moonshot.ai/v1"),
            &["MOONSHOTAI_API_KEY"],
            "MOONSHOTAI_BASE_URL",
            of::<MoonshotAi>(),
        ),
        Host {
            key_required: false,
            ..host(
                "litellm",
                None,
                &["LITELLM_API_KEY"],
                "LITELLM_BASE_URL",
                of::<LiteLlm>(),
            )
        },
        Host {
            key_required: false,
            ..host(
                "openai-compatible",
                None,
                &["OPENAI_COMPATIBLE_API_KEY"],
                "OPENAI_COMPATIBLE_BASE_URL",
                of::<OpenAiCompatible>(),
            )
        },
    ]
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |var| map.get(var).cloned()
}

/// The URL (without query) and headers of a request for `model`.
fn wire(
    provider: &Provider<OpenAiChat>,
    model: &str,
) -> (reqwest::Url, reqwest::header::HeaderMap) {
    let request = provider
        .http_request_with(model, &ModelSettings::default(), b"{}".to_vec(), false, &[])
        .unwrap();
    (request.url, request.headers)
}

fn body(
    provider: &Provider<OpenAiChat>,
    model: &str,
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
    stream: bool,
) -> Value {
    let messages = prompt("x");
    request_json(
        provider.protocol(),
        PROVIDER,
        model,
        &messages,
        settings,
        parameters,
        stream,
    )
    .unwrap()
}

#[test]
fn every_host_is_registered_under_its_name_and_aliases() {
    let known = known_providers();
    for host in hosts() {
        for name in std::iter::once(host.name).chain(host.aliases.iter().copied()) {
            assert!(known.contains(&name), "{name} not in {known:?}");
        }
    }
}

#[test]
fn every_host_reads_its_documented_variables() {
    for host in hosts() {
        let builder = host.builder;
        let key_var = host.key_vars[0];
        let extra: &[(&str, &str)] = if host.name == "azure" {
            &[("OPENAI_API_VERSION", "2024-10-21")]
        } else {
            &[]
        };
        let mut vars = vec![
            (key_var, "sk-secret-77"),
            (host.url_var, "http://127.0.0.1:9/v9/"),
        ];
        vars.extend_from_slice(extra);
        let provider = builder().build_with_env(env(&vars)).unwrap();
        assert_eq!(provider.name(), host.name);
        assert_eq!(
            provider.base_url(),
            "http://127.0.0.1:9/v9",
            "{}",
            host.name
        );
        assert!(provider.has_api_key());
        assert!(!format!("{provider:?}").contains("sk-secret-77"));

        // Each further key variable is read when the ones before it are unset.
        for var in &host.key_vars[1..] {
            let mut vars = vec![(*var, "k"), (host.url_var, "http://127.0.0.1:9")];
            vars.extend_from_slice(extra);
            assert!(builder().build_with_env(env(&vars)).unwrap().has_api_key());
        }

        // Without the environment: the default base URL, or an error naming the variable.
        let mut vars = vec![(key_var, "k")];
        vars.extend_from_slice(extra);
        match (host.base_url, builder().build_with_env(env(&vars))) {
            (Some(url), Ok(provider)) => assert_eq!(provider.base_url(), url),
            (None, Err(Error::User { message, .. })) => assert_eq!(
                message,
                format!(
                    "no base URL for provider `{}`: set the {} environment variable or pass \
                     one to the provider's builder",
                    host.name, host.url_var
                )
            ),
            (expected, got) => panic!("{}: {expected:?} {got:?}", host.name),
        }

        // Without a key.
        let mut vars = vec![(host.url_var, "http://127.0.0.1:9")];
        vars.extend_from_slice(extra);
        match builder().build_with_env(env(&vars)) {
            Ok(provider) => {
                assert!(!host.key_required, "{}", host.name);
                assert!(!provider.has_api_key());
                let (_, headers) = wire(&provider, "m");
                assert!(headers.get("authorization").is_none());
            }
            Err(Error::User { message, .. }) => {
                assert!(host.key_required, "{}", host.name);
                assert_eq!(
                    message,
                    format!(
                        "missing API key for provider `{}`: set the {} environment variable \
                         or pass the key to the provider's builder",
                        host.name,
                        host.key_vars.join(" or ")
                    )
                );
            }
            Err(other) => panic!("{other:?}"),
        }
    }
}

#[test]
fn compatible_hosts_post_chat_completions_with_a_bearer_key() {
    for host in hosts().into_iter().filter(|h| h.name != "azure") {
        let provider = (host.builder)()
            .api_key("sk-1")
            .base_url("http://127.0.0.1:9/base")
            .build_with_env(env(&[]))
            .unwrap();
        let (url, headers) = wire(&provider, "vendor/model:tag");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/base/chat/completions",
            "{}",
            host.name
        );
        assert_eq!(headers["authorization"], "Bearer sk-1");
    }
}

#[test]
fn azure_sends_to_the_deployment_with_its_key_header_and_api_version() {
    let vars = [
        ("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/"),
        ("AZURE_OPENAI_API_KEY", "az-secret"),
        ("OPENAI_API_VERSION", "2024-10-21"),
    ];
    let provider = Azure::builder().build_with_env(env(&vars)).unwrap();
    let (url, headers) = wire(&provider, "my deployment");
    assert_eq!(
        url.as_str(),
        "https://res.openai.azure.com/openai/deployments/my%20deployment/chat/completions?api-version=2024-10-21"
    );
    assert_eq!(headers["api-key"], "az-secret");
    assert!(headers.get("authorization").is_none());
    assert!(!format!("{provider:?}").contains("az-secret"));

    // The version is required, named in the error; an explicit one needs no variable.
    let err = Azure::builder()
        .build_with_env(env(&vars[..2]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "missing query parameter `api-version` for provider `azure`: set the \
         OPENAI_API_VERSION environment variable or pass it to the provider's builder with \
         `query_param(\"api-version\", ..)`"
    );
    let provider = Azure::builder()
        .query_param("api-version", "2025-04-01-preview")
        .build_with_env(env(&vars))
        .unwrap();
    assert_eq!(
        wire(&provider, "d").0.query(),
        Some("api-version=2025-04-01-preview")
    );
    // Azure's Chat Completions take no document parts (OpenAI's do).
    let pdf = UserContentItem::Binary(BinaryContent::new(b"%PDF-1.4".to_vec(), "application/pdf"));
    let messages = [ModelMessage::from(ModelRequest::new(vec![
        UserPromptPart::new(vec![pdf]).into(),
    ]))];
    let document = |provider: &Provider<OpenAiChat>| {
        let profile = provider.protocol().profile("gpt-4o");
        let prepared = PreparedRequest {
            model_name: "gpt-4o",
            provider_name: PROVIDER,
            messages: &messages,
            settings: &ModelSettings::default(),
            parameters: &ModelRequestParameters::default(),
            profile: &profile,
        };
        provider
            .protocol()
            .request_body(&prepared, false, &mut crate::warning::Warnings::new())
    };
    assert!(matches!(document(&provider), Err(Error::User { .. })));
    assert!(document(&built::<OpenAi>()).is_ok());
}

fn tool(name: &str) -> ToolDefinition {
    let mut tool = ToolDefinition::new(name);
    tool.parameters_json_schema =
        json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]});
    tool
}

fn built<D: ProviderDefinition<Protocol = OpenAiChat>>() -> Provider<OpenAiChat> {
    D::builder()
        .api_key("k")
        .base_url("http://127.0.0.1:9")
        .build_with_env(env(&[("OPENAI_API_VERSION", "v")]))
        .unwrap()
}

#[test]
fn max_tokens_and_stream_usage_follow_each_host() {
    let settings = ModelSettings {
        max_tokens: Some(64),
        ..ModelSettings::default()
    };
    let params = ModelRequestParameters::default();
    let cases: [(Provider<OpenAiChat>, &str, bool); 6] = [
        (built::<OpenAi>(), "max_completion_tokens", true),
        (built::<Groq>(), "max_tokens", false),
        (built::<Mistral>(), "max_tokens", false),
        (built::<OpenRouter>(), "max_tokens", true),
        (built::<HuggingFace>(), "max_tokens", true),
        (built::<OpenAiCompatible>(), "max_tokens", true),
    ];
    for (provider, field, stream_usage) in cases {
        let body = body(&provider, "m", &settings, &params, true);
        assert_eq!(body[field], 64, "{}: {body}", provider.name());
        assert_eq!(
            body.get("stream_options").is_some(),
            stream_usage,
            "{}: {body}",
            provider.name()
        );
    }
}

#[test]
fn strict_tools_only_where_the_host_takes_them() {
    let mut strict = tool("t");
    strict.strict = Some(true);
    let params = ModelRequestParameters {
        function_tools: vec![strict],
        ..ModelRequestParameters::default()
    };
    let settings = ModelSettings::default();
    for (provider, sends_strict) in [
        (built::<OpenAi>(), true),
        (built::<Xai>(), true),
        (built::<Groq>(), false),
        (built::<Mistral>(), false),
        (built::<Ollama>(), false),
        (built::<HuggingFace>(), false),
    ] {
        let body = body(&provider, "m", &settings, &params, false);
        let function = &body["tools"][0]["function"];
        assert_eq!(
            function.get("strict") == Some(&Value::Bool(true)),
            sends_strict,
            "{}: {function}",
            provider.name()
        );
    }
}

#[test]
fn forcing_a_tool_follows_the_host_and_model() {
    let settings = ModelSettings::default();
    let params = ModelRequestParameters {
        output_tools: vec![tool("final_result")],
        allow_text_output: false,
        ..ModelRequestParameters::default()
    };
    let choice = |provider: &Provider<OpenAiChat>, model: &str| {
        body(provider, model, &settings, &params, false)["tool_choice"].clone()
    };
    let deepseek = built::<DeepSeek>();
    assert_eq!(choice(&deepseek, "deepseek-chat"), "required");
    assert_eq!(choice(&deepseek, "deepseek-reasoner"), "auto");
    assert_eq!(choice(&deepseek, "deepseek-v4-pro"), "auto");
    assert_eq!(choice(&built::<MoonshotAi>(), "kimi-k2"), "auto");
    assert_eq!(choice(&built::<OpenAi>(), "gpt-4o"), "required");
}

#[test]
fn cerebras_leaves_out_the_settings_it_rejects() {
    let settings = ModelSettings {
        temperature: Some(0.5),
        frequency_penalty: Some(0.1),
        presence_penalty: Some(0.1),
        parallel_tool_calls: Some(false),
        ..ModelSettings::default()
    };
    let params = ModelRequestParameters {
        function_tools: vec![tool("t")],
        ..ModelRequestParameters::default()
    };
    let body = body(
        &built::<Cerebras>(),
        "llama3.1-8b",
        &settings,
        &params,
        false,
    );
    assert_eq!(body["temperature"], 0.5);
    for field in [
        "frequency_penalty",
        "presence_penalty",
        "parallel_tool_calls",
    ] {
        assert!(body.get(field).is_none(), "{field}: {body}");
    }
}

#[test]
fn the_provider_name_in_the_context_marks_reasoning() {
    let completion = json!({
        "id": "c1", "object": "chat.completion", "created": 1, "model": "deepseek-reasoner",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": "4", "reasoning_content": "2 + 2"}}]
    });
    let bytes = completion.to_string().into_bytes();
    for (provider, name) in [
        (built::<DeepSeek>(), "deepseek"),
        (built::<MoonshotAi>(), "moonshotai"),
    ] {
        let response = provider
            .protocol()
            .parse_response(&bytes, &mut ResponseContext::new("m", provider.name()))
            .unwrap();
        let ModelResponsePart::Thinking(thinking) = &response.parts[0] else {
            panic!("{response:?}")
        };
        assert_eq!(thinking.content, "2 + 2");
        assert_eq!(thinking.id.as_deref(), Some("reasoning_content"));
        assert_eq!(thinking.provider_name.as_deref(), Some(name));
    }

    // Sent back in its field to the provider that produced it, in tags to another.
    let history: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("q").into(),
        built::<DeepSeek>()
            .protocol()
            .parse_response(&bytes, &mut ResponseContext::new("m", "deepseek"))
            .unwrap()
            .into(),
        ModelRequest::user_text_prompt("again").into(),
    ];
    let send = |provider: &Provider<OpenAiChat>| {
        let body = request_json(
            provider.protocol(),
            provider.name(),
            "m",
            &history,
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            false,
        )
        .unwrap();
        body["messages"][1].clone()
    };
    let same = send(&built::<DeepSeek>());
    assert_eq!(
        (same["reasoning_content"].clone(), same["content"].clone()),
        (json!("2 + 2"), json!("4"))
    );
    // In its field also to a host that always sends thinking back in that field.
    let field = send(&built::<MoonshotAi>());
    assert_eq!(field["reasoning_content"], "2 + 2");
    // In tags to a host that sends another provider's reasoning in tags.
    let other = send(&built::<OpenAi>());
    assert_eq!(other["content"], "<think>\n2 + 2\n</think>\n\n4");
    assert!(other.get("reasoning_content").is_none(), "{other}");
}
