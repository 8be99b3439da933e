use llm_runtime::provider;

#[provider(name = "groq", protocol = Chat)]
struct Groq {
    api_key: String,
}

fn main() {}
