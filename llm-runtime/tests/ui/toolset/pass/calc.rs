//! A toolset of tools defined here and in a module, with its own derives.
#![deny(warnings)]

use llm_runtime::messages::ToolCallPart;
use llm_runtime::{tool, toolset};

/// Divide two numbers.
#[tool]
#[derive(Debug, PartialEq)]
pub struct Divide {
    numerator: f64,
    denominator: f64,
}

mod more {
    /// Multiply two numbers.
    #[llm_runtime::tool(name = "times")]
    #[derive(Debug, PartialEq)]
    pub struct Multiply {
        pub a: f64,
        pub b: f64,
    }
}

/// What the model may call.
#[toolset]
#[derive(Debug, PartialEq)]
pub enum Calc {
    Divide(Divide),
    Multiply(more::Multiply),
}

fn main() {
    let names: Vec<String> = Calc::definitions().into_iter().map(|d| d.name).collect();
    assert_eq!(names, ["divide", "times"]);
    let call = ToolCallPart::new("times", r#"{"a": 2, "b": "3"}"#, "c1");
    assert_eq!(Calc::from_call(&call).unwrap(), Calc::Multiply(more::Multiply { a: 2.0, b: 3.0 }));
    let call = ToolCallPart::new("divide", r#"{"numerator": 1, "denominator": 2}"#, "c2");
    let Calc::Divide(d) = Calc::from_call(&call).unwrap() else { panic!() };
    assert_eq!(d.numerator / d.denominator, 0.5);
}
