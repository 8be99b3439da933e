use llm_runtime::tool;

#[tool(nmae = "divide", strict, strict)]
struct Divide {
    numerator: f64,
}

fn main() {}
