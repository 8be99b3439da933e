//! The seed's tool: `#[tool]` alone adds the derives; no serde or schemars in scope.
#![deny(warnings)]

use llm_runtime::messages::ToolCallPart;
use llm_runtime::tool;
use llm_runtime::tools::Tool;

/// Divide two numbers.
#[tool]
#[derive(Debug)]
struct Divide {
    numerator: f64,
    denominator: f64,
}

fn main() {
    let call = ToolCallPart::new("divide", r#"{"numerator": "1", "denominator": 2}"#, "c1");
    let divide: Divide = call.parse_args().unwrap();
    assert_eq!(divide.numerator / divide.denominator, 0.5);
    assert_eq!(Divide::definition().name, Divide::NAME);
}
