//! A derive above `#[tool]` has not run yet when `#[tool]` sees the struct, and `#[tool]`
//! cannot see it: `#[tool]` must come first, as documented.
use llm_runtime::tool;

/// Divide two numbers.
#[derive(serde::Deserialize)]
#[tool]
struct Divide {
    numerator: f64,
}

fn main() {}
