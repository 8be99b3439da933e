use llm_runtime::tool;

/// Divide two numbers.
#[tool(nmae = "divide")]
fn divide(numerator: f64, denominator: f64) -> f64 {
    numerator / denominator
}

fn main() {
    divide(1.0, 2.0);
}
