use llm_runtime::{tool, toolset};

/// Divide two numbers.
#[tool]
struct Divide {
    numerator: f64,
}

#[toolset(name = "calc")]
enum Calc {
    Divide(Divide),
}

fn main() {}
