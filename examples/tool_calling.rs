//! The seed's tool example: offer the model a `divide` tool defined by a Rust struct, print
//! the response and the typed arguments parsed from its call, then send the result (or, for
//! bad arguments, a retry prompt) back and print the final answer.
//!
//! Runs offline on the built-in `test` model unless `LLM_MODEL` names another, e.g.
//! `LLM_MODEL=openai:gpt-4.1-nano` (with `OPENAI_API_KEY` set).

use llm_runtime::messages::{ModelMessage, ModelRequest, ModelRequestPart, ToolReturnPart};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::tools::Tool;
use llm_runtime::{model_request, tool};

/// Divide two numbers.
#[tool]
#[derive(Debug)]
struct Divide {
    numerator: f64,
    denominator: f64,
    /// What to return when dividing by zero.
    #[serde(default)]
    on_inf: OnInf,
}

/// What a division by zero gives.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum OnInf {
    Error,
    #[default]
    Infinity,
}

impl Divide {
    /// Runs the tool: the quotient, or what `on_inf` says for a division by zero.
    fn run(&self) -> String {
        if self.denominator != 0.0 {
            return (self.numerator / self.denominator).to_string();
        }
        match self.on_inf {
            OnInf::Error => "error: division by zero".to_owned(),
            OnInf::Infinity => f64::INFINITY.to_string(),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), llm_runtime::Error> {
    let model = std::env::var("LLM_MODEL").unwrap_or_else(|_| "test".to_owned());
    let parameters = ModelRequestParameters {
        function_tools: vec![Divide::definition()],
        allow_text_output: true,
        ..Default::default()
    };
    let question = ModelRequest::user_text_prompt("What is 123 / 456?");
    let (response, _usage) = model_request(model.as_str(), [question.clone()])
        .parameters(parameters.clone())
        .await?;
    println!("{response:#?}");

    let calls = response.tool_calls();
    if calls.is_empty() {
        println!("{}", response.text());
        return Ok(());
    }
    let mut returns: Vec<ModelRequestPart> = Vec::new();
    for call in calls {
        match call.parse_args::<Divide>() {
            Ok(divide) => {
                println!("{divide:?}");
                returns.push(
                    ToolReturnPart::new(&call.tool_name, divide.run(), &call.tool_call_id).into(),
                );
            }
            Err(err) => {
                println!("{err}");
                returns.push(err.to_retry_prompt().into());
            }
        }
    }
    let history: Vec<ModelMessage> = vec![
        question.into(),
        response.into(),
        ModelRequest::new(returns).into(),
    ];
    let (answer, usage) = model_request(model.as_str(), history)
        .parameters(parameters)
        .await?;
    println!("{}", answer.text());
    println!("{usage:?}");
    Ok(())
}
