use llm_runtime::provider;

#[provider(base_url = "https://api.groq.com/openai/v1")]
struct Groq;

fn main() {}
