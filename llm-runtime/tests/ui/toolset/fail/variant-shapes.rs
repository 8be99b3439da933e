use llm_runtime::{tool, toolset};

/// Divide two numbers.
#[tool]
struct Divide {
    numerator: f64,
}

#[toolset]
enum Calc {
    Divide(Divide),
    Named { numerator: f64 },
    Pair(Divide, Divide),
    Nothing,
}

fn main() {
    let _ = Calc::definitions();
}
