use llm_runtime::tool;

/// Divide two numbers.
#[tool]
struct Divide(f64, f64);

fn main() {}
