use llm_runtime::{tool, toolset};

/// Divide two numbers.
#[tool]
struct Divide {
    numerator: f64,
}

/// Also divides.
#[tool(name = "divide")]
struct Div {
    numerator: f64,
}

#[toolset]
enum Calc {
    Divide(Divide),
    Div(Div),
}

fn main() {}
