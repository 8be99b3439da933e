use llm_runtime::tool;

/// Reports the time.
#[tool]
struct Now;

fn main() {}
