use llm_runtime::tool;

/// Either tool.
#[tool]
enum Calc {
    Add { a: f64, b: f64 },
}

fn main() {}
