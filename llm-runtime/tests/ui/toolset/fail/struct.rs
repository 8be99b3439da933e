use llm_runtime::toolset;

#[toolset]
struct Calc {
    tools: Vec<String>,
}

fn main() {}
