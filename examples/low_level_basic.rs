//! The first seed example: ask a model a question, print the answer and the usage.
//!
//! Runs offline on the built-in `test` model unless `LLM_MODEL` names another, e.g.
//! `LLM_MODEL=openai:gpt-4.1-nano` (with `OPENAI_API_KEY` set), or
//! `LLM_MODEL=bedrock:us.amazon.nova-micro-v1:0` (with AWS credentials and `AWS_REGION` set), or
//! `LLM_MODEL=cohere:command-a-03-2025` (with `CO_API_KEY` set).

use llm_runtime::messages::ModelRequest;
use llm_runtime::model_request_sync;

fn main() -> Result<(), llm_runtime::Error> {
    let model = std::env::var("LLM_MODEL").unwrap_or_else(|_| "test".to_owned());
    let (response, usage) = model_request_sync(
        model.as_str(),
        [ModelRequest::user_text_prompt(
            "What is the capital of France?",
        )],
    )?;
    println!("{}", response.text());
    println!("{usage:?}");
    Ok(())
}
