use llm_runtime::provider;

fn make_protocol() -> u8 {
    0
}

#[provider(name = "groq", protocol = make_protocol())]
struct Groq;

fn main() {}
