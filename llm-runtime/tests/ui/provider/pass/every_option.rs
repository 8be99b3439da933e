// Every option, a protocol built by a constructor chain, and `crate = ".."` through a
// re-export under another name.
mod chat {
    use llm_runtime::messages::ModelResponse;
    use llm_runtime::providers::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
    use llm_runtime::warning::Warnings;
    use llm_runtime::stream::PartsManager;

    #[derive(Debug)]
    pub struct Chat {
        pub reasoning_field: &'static str,
    }

    impl Chat {
        pub fn new() -> Self {
            Chat { reasoning_field: "reasoning_content" }
        }
        pub fn reasoning_field(mut self, field: &'static str) -> Self {
            self.reasoning_field = field;
            self
        }
    }

    impl Protocol for Chat {
        type StreamState = ();
        type Event<'a> = serde_json::Value;
        const EVENT_DESCRIPTION: &'static str = "chunk";
        fn endpoint(&self, _: &str, _: bool) -> String {
            "chat/completions".into()
        }
        fn request_body(&self, _: &PreparedRequest<'_>, _: bool, _: &mut Warnings) -> llm_runtime::Result<Vec<u8>> {
            Ok(b"{}".to_vec())
        }
        fn parse_response(&self, _: &[u8], _: &mut ResponseContext<'_>) -> llm_runtime::Result<ModelResponse> {
            Ok(ModelResponse::default())
        }
        fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<serde_json::Value> {
            serde_json::from_str(event.data)
        }
        fn on_event(&self, _: serde_json::Value, _: &RawEvent<'_>, _: &mut (), _: &mut PartsManager) -> llm_runtime::Result<Flow> {
            Ok(Flow::Done)
        }
    }
}

mod reexport {
    pub use llm_runtime as runtime;
}

use llm_runtime::provider;

#[provider(
    name = "local-llm",
    aliases = ["local", "llm.local"],
    protocol = chat::Chat::new().reasoning_field("reasoning"),
    base_url = "http://localhost:11434/v1",
    api_key_env = ["LOCAL_LLM_KEY", "LLM_KEY"],
    base_url_env = "LOCAL_LLM_URL",
    api_key_optional,
    auth = header("api-key"),
    headers = [("x-client", "tests"), ("anthropic-version", "2023-06-01")],
    query = [("api-version", "2024-10-21")],
    query_env = [("deployment", "LOCAL_LLM_DEPLOYMENT")],
    crate = "reexport::runtime"
)]
struct LocalLlm;

#[provider(name = "keyless", protocol = chat::Chat { reasoning_field: "r" }, auth = none)]
pub(crate) struct Keyless;

#[provider(name = "by-query", protocol = chat::Chat::new(), auth = query("key"), base_url = "https://q.example")]
struct ByQuery;

fn main() {
    let provider = LocalLlm::builder().query_param("deployment", "d1").build().unwrap();
    assert_eq!(provider.protocol().reasoning_field, "reasoning");
    assert_eq!(provider.base_url(), std::env::var("LOCAL_LLM_URL").unwrap_or("http://localhost:11434/v1".into()));
    let _ = Keyless::from_env();
    let _ = ByQuery::builder();
}
