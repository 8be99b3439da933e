use llm_runtime::provider;

#[provider(name = "groq", protocol = Chat)]
enum Groq {
    Fast,
}

fn main() {}
