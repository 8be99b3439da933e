use llm_runtime::tool;

#[tool]
#[serde(transparent)]
struct Meters {
    value: f64,
}

fn main() {}
