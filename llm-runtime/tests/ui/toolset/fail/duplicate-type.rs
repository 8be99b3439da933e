use llm_runtime::{tool, toolset};

/// Divide two numbers.
#[tool]
struct Divide {
    numerator: f64,
}

#[toolset]
enum Calc {
    Divide(Divide),
    Again(Divide),
}

fn main() {}
