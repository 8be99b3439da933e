//! Typed structured output: ask for a Rust type and get it parsed, then stream the same
//! request and print the partial values as the JSON arrives.
//!
//! Runs offline unless `LLM_MODEL` names a model, e.g. `LLM_MODEL=openai:gpt-4.1-nano` (with
//! `OPENAI_API_KEY` set): offline, the built-in `test` model answers with the data below, as
//! pydantic-ai's `TestModel` does with `custom_output_args`.

use std::sync::Arc;

use futures::StreamExt;
use llm_runtime::messages::ModelRequest;
use llm_runtime::models::{infer_model, Model, OutputMode, TestModel};
use llm_runtime::{model_request, model_request_stream};
use serde::Deserialize;

/// The largest city of a country, and what it is known for.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
struct CityLocation {
    /// The city's name.
    city: String,
    /// The country's name.
    #[serde(default)]
    country: Option<String>,
    /// A few things the city is known for.
    #[serde(default)]
    known_for: Vec<String>,
}

fn model() -> Result<Arc<dyn Model>, llm_runtime::Error> {
    match std::env::var("LLM_MODEL") {
        Ok(name) => infer_model(&name),
        Err(_) => Ok(Arc::new(TestModel::new().with_custom_output_args(
            serde_json::json!({
                "city": "Mexico City",
                "country": "Mexico",
                "known_for": ["the Zócalo", "tacos al pastor"]
            }),
        ))),
    }
}

#[tokio::main]
async fn main() -> Result<(), llm_runtime::Error> {
    let model = model()?;
    let question = || {
        [ModelRequest::user_text_prompt(
            "What is the largest city in Mexico?",
        )]
    };

    // The model's profile picks the output mode (`Auto`): an output tool on most models.
    let typed = model_request(model.clone(), question())
        .output::<CityLocation>()
        .await?;
    println!("{:?}", typed.output);
    println!("requests: {}", typed.usage.requests);

    // Streamed, in the prompted mode (the schema in the instructions, JSON text back): the
    // optional fields show up as soon as they start.
    let mut stream = model_request_stream(model, question())
        .output::<CityLocation>()
        .mode(OutputMode::Prompted)
        .await?;
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item?);
    }
    // The last item is the final value, parsed from the whole response.
    if let Some((last, partials)) = items.split_last() {
        for partial in partials {
            println!("partial: {partial:?}");
        }
        println!("final: {last:?}");
    }
    Ok(())
}
