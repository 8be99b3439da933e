use llm_runtime::tool;

#[tool(name = "divide numbers")]
struct Divide {
    numerator: f64,
}

#[tool]
struct Größe {
    value: f64,
}

fn main() {}
