use llm_runtime::tool;

#[tool]
union Bits {
    a: u32,
    b: f32,
}

fn main() {}
