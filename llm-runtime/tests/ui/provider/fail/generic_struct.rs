use llm_runtime::provider;

#[provider(name = "groq", protocol = Chat)]
struct Groq<P>;

fn main() {}
