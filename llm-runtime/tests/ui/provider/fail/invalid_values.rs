use llm_runtime::provider;

#[provider(
    name = "Groq:Cloud",
    aliases = ["groq", "fast ai"],
    protocol = Chat,
    base_url = "api.groq.com/openai/v1",
    api_key_env = "groq_api_key",
    auth = basic("user"),
    headers = [("x client", "v"), "x-other"]
)]
struct Groq;

#[provider(name = "groq", protocol = Chat, auth = header("x-api-key", "extra"), base_url_env = [])]
struct Groq2;

fn main() {}
