mod chat {
    use llm_runtime::messages::ModelResponse;
    use llm_runtime::providers::{Flow, PreparedRequest, Protocol, SseEvent};
    use llm_runtime::stream::PartsManager;

    #[derive(Debug)]
    pub struct Chat {
        pub field: &'static str,
    }

    impl Protocol for Chat {
        type StreamState = ();
        fn endpoint(&self, _: &str, _: bool) -> String {
            "chat/completions".into()
        }
        fn request_body(&self, _: &PreparedRequest<'_>, _: bool) -> llm_runtime::Result<Vec<u8>> {
            Ok(b"{}".to_vec())
        }
        fn parse_response(&self, _: &[u8], _: &str) -> llm_runtime::Result<ModelResponse> {
            Ok(ModelResponse::default())
        }
        fn on_event(&self, _: &SseEvent<'_>, _: &mut (), _: &mut PartsManager) -> llm_runtime::Result<Flow> {
            Ok(Flow::Done)
        }
    }
}

use llm_runtime::provider;

// `protocol = Type` builds the protocol with `Default`; this one has none.
#[provider(name = "groq", base_url = "https://api.groq.com/openai/v1", protocol = chat::Chat)]
struct Groq;

fn main() {}
