//! Model strings of the built-in hosts, read from the process environment: a missing key is an
//! `Error::User` naming the variable to set, and an unknown prefix lists every host.
//!
//! This binary holds one test on purpose: it changes the process environment, which no other
//! test thread may read at the same time.

use llm_runtime::messages::ModelRequest;
use llm_runtime::models::{infer_model, known_providers};
use llm_runtime::providers::OpenAi;
use llm_runtime::{model_request, model_request_sync, Error};

/// Each host that needs a key, a model string for it, and the variables named when it is
/// missing.
const KEYED: [(&str, &str); 14] = [
    ("openai:gpt-4.1-nano", "OPENAI_API_KEY"),
    ("openai-chat:gpt-4.1-nano", "OPENAI_API_KEY"),
    ("groq:llama-3.3-70b-versatile", "GROQ_API_KEY"),
    ("mistral:mistral-small-latest", "MISTRAL_API_KEY"),
    ("deepseek:deepseek-chat", "DEEPSEEK_API_KEY"),
    ("openrouter:openai/gpt-4o", "OPENROUTER_API_KEY"),
    ("xai:grok-4", "XAI_API_KEY"),
    ("grok:grok-4", "XAI_API_KEY"),
    (
        "together:meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "TOGETHER_API_KEY",
    ),
    (
        "fireworks:accounts/fireworks/models/llama-v3p1-8b-instruct",
        "FIREWORKS_API_KEY",
    ),
    ("cerebras:llama3.1-8b", "CEREBRAS_API_KEY"),
    ("github:openai/gpt-4.1", "GITHUB_API_KEY"),
    (
        "huggingface:Qwen/Qwen3-8B",
        "HF_TOKEN or HUGGINGFACE_API_KEY",
    ),
    ("moonshotai:kimi-k2-0711-preview", "MOONSHOTAI_API_KEY"),
];

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("What is 123 / 456?")]
}

fn user_message(err: Error) -> String {
    match err {
        Error::User { message, .. } => message,
        other => panic!("not a user error: {other:?}"),
    }
}

#[test]
fn host_model_strings_read_the_environment_and_name_what_is_missing() {
    for (_, vars) in KEYED {
        for var in vars.split(" or ") {
            std::env::remove_var(var);
        }
    }
    std::env::remove_var("AZURE_OPENAI_API_KEY");
    std::env::set_var("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com");
    std::env::set_var("OPENAI_API_VERSION", "2024-10-21");

    // The request functions report it when the request runs, blocking or awaited.
    let expected = "missing API key for provider `openai`: set the OPENAI_API_KEY environment \
                    variable or pass the key to the provider's builder";
    let err = model_request_sync("openai:gpt-4.1-nano", prompt()).unwrap_err();
    assert_eq!(user_message(err), expected);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(async { model_request("openai:gpt-4.1-nano", prompt()).await })
        .unwrap_err();
    assert_eq!(user_message(err), expected);
    // The same from the builder, with the environment given instead of read.
    let err = OpenAi::builder().build_with_env(|_| None).unwrap_err();
    assert_eq!(user_message(err), expected);

    for (model, vars) in KEYED {
        let provider = model.split(':').next().unwrap();
        let provider = match provider {
            "openai-chat" => "openai",
            "grok" => "xai",
            other => other,
        };
        let message = user_message(infer_model(model).unwrap_err());
        assert_eq!(
            message,
            format!(
                "missing API key for provider `{provider}`: set the {vars} environment variable \
                 or pass the key to the provider's builder"
            )
        );
    }
    let message = user_message(infer_model("azure:my-deployment").unwrap_err());
    assert_eq!(
        message,
        "missing API key for provider `azure`: set the AZURE_OPENAI_API_KEY environment \
         variable or pass the key to the provider's builder"
    );

    // With the key set, the model string resolves to the host's model.
    std::env::set_var("GROQ_API_KEY", "gsk-from-env");
    std::env::set_var("GROQ_BASE_URL", "http://127.0.0.1:9/openai/v1");
    let model = infer_model("groq:llama-3.3-70b-versatile").unwrap();
    assert_eq!(model.system(), "groq");
    assert_eq!(model.model_name(), "llama-3.3-70b-versatile");
    assert_eq!(model.base_url(), Some("http://127.0.0.1:9/openai/v1"));
    assert!(!format!("{model:?}").contains("gsk-from-env"));
    // Hosts without a key.
    std::env::remove_var("OLLAMA_API_KEY");
    std::env::remove_var("OLLAMA_BASE_URL");
    let model = infer_model("ollama:qwen3").unwrap();
    assert_eq!(model.base_url(), Some("http://localhost:11434/v1"));
    std::env::remove_var("LITELLM_BASE_URL");
    assert_eq!(
        user_message(infer_model("litellm:gpt-4o").unwrap_err()),
        "no base URL for provider `litellm`: set the LITELLM_BASE_URL environment variable or \
         pass one to the provider's builder"
    );

    // An unknown prefix lists every host and alias and suggests the closest.
    let message = user_message(infer_model("opneai:gpt-4.1-nano").unwrap_err());
    let (listed, suggestion) = message
        .strip_prefix(
            "unknown model provider `opneai` in `opneai:gpt-4.1-nano`: known providers are ",
        )
        .and_then(|rest| rest.split_once("; "))
        .unwrap_or_else(|| panic!("{message}"));
    assert_eq!(suggestion, "did you mean `openai`?");
    let listed: Vec<&str> = listed.split(", ").collect();
    assert_eq!(listed, known_providers());
    for host in [
        "azure",
        "cerebras",
        "deepseek",
        "fireworks",
        "github",
        "grok",
        "groq",
        "huggingface",
        "litellm",
        "mistral",
        "moonshotai",
        "ollama",
        "openai",
        "openai-chat",
        "openai-compatible",
        "openrouter",
        "test",
        "together",
        "xai",
    ] {
        assert!(listed.contains(&host), "{host} not in {listed:?}");
    }
}
