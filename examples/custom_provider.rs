//! A new OpenAI-compatible host in a few lines, used by model string.
//!
//! `#[provider]` below declares the prefix `local`: any server on your machine that speaks
//! OpenAI's Chat Completions (llama.cpp's `llama-server`, vLLM, LM Studio, …), at
//! `LOCAL_BASE_URL` (default `http://127.0.0.1:8080/v1`), with the key in `LOCAL_API_KEY` if
//! it wants one. From then on `"local:<model>"` works wherever a model string does.
//!
//! Offline by default: it shows what `local:` resolves to, then asks the model `LLM_MODEL`
//! names, else the built-in `test` model. With a server running, e.g. the llama.cpp peer of
//! `scripts/realpeers`:
//!
//! ```sh
//! LLM_MODEL=local:SmolLM2-135M-Instruct LOCAL_BASE_URL=http://127.0.0.1:8081/v1 \
//!     cargo run --example custom_provider
//! ```

use llm_runtime::messages::ModelRequest;
use llm_runtime::models::infer_model;
use llm_runtime::provider;
use llm_runtime::providers::openai::chat::{MaxTokensField, OpenAiChat};
use llm_runtime::{model_request_sync, Error};

/// A local OpenAI-compatible server: `max_tokens` (which every such server takes), no key
/// required.
#[provider(name = "local", base_url = "http://127.0.0.1:8080/v1", api_key_optional,
    protocol = OpenAiChat::new().with_max_tokens_field(MaxTokensField::MaxTokens))]
pub struct Local;

fn main() -> Result<(), Error> {
    // The prefix is registered like the built-in ones: no network is touched to resolve it.
    let model = infer_model("local:my-model")?;
    println!(
        "local:my-model -> {} at {:?}",
        model.system(),
        model.base_url()
    );

    let name = std::env::var("LLM_MODEL").unwrap_or_else(|_| "test".to_owned());
    let (response, usage) = model_request_sync(
        name.as_str(),
        [ModelRequest::user_text_prompt(
            "What is the capital of France?",
        )],
    )?;
    println!("{name}: {}", response.text());
    println!("{usage:?}");
    Ok(())
}
