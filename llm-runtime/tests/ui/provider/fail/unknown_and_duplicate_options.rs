use llm_runtime::provider;

#[provider(name = "groq", name = "grok", protocol = Chat, base_uri = "https://api.groq.com", api_key_optional = true)]
struct Groq;

fn main() {}
