use llm_runtime::provider;

#[derive(Debug, Default)]
struct NotAProtocol;

#[provider(name = "groq", base_url = "https://api.groq.com/openai/v1", protocol = NotAProtocol)]
struct Groq;

fn main() {}
