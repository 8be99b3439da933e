//! Built-in tools: ask a model to search the web on the provider's side, then show the
//! search calls and results it reports (built-in tool call and return parts) and its answer.
//!
//! Runs offline on the built-in `test` model (which answers with a canned search) unless
//! `LLM_MODEL` names another that has web search, e.g.
//! `LLM_MODEL=anthropic:claude-sonnet-4-5` (with `ANTHROPIC_API_KEY` set) or
//! `LLM_MODEL=openai-responses:gpt-5` (with `OPENAI_API_KEY` set). A model without web search
//! fails with an error naming the tool and the provider.

use llm_runtime::messages::{ModelRequest, ModelResponsePart};
use llm_runtime::model_request;
use llm_runtime::models::{ModelRequestParameters, WebSearchTool};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = std::env::var("LLM_MODEL").unwrap_or_else(|_| "test".to_owned());
    let parameters = ModelRequestParameters {
        builtin_tools: vec![WebSearchTool {
            max_uses: Some(3),
            ..Default::default()
        }
        .into()],
        ..Default::default()
    };
    let (response, usage) = model_request(
        model.as_str(),
        [ModelRequest::user_text_prompt(
            "What is the weather in Paris today?",
        )],
    )
    .parameters(parameters)
    .await?;

    for part in &response.parts {
        match part {
            ModelResponsePart::BuiltinToolCall(call) => println!(
                "searched ({}): {} {}",
                call.provider_name.as_deref().unwrap_or("?"),
                call.tool_name,
                call.args_as_json_str()
            ),
            ModelResponsePart::BuiltinToolReturn(ret) => {
                let results = ret.content.as_array().map_or(1, Vec::len);
                println!("results of {}: {results}", ret.tool_name);
            }
            _ => {}
        }
    }
    println!("answer: {}", response.text());
    println!("{usage:?}");
    Ok(())
}
