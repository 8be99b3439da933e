mod chat {
    use llm_runtime::messages::ModelResponse;
    use llm_runtime::providers::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
    use llm_runtime::warning::Warnings;
    use llm_runtime::stream::PartsManager;

    #[derive(Debug)]
    pub struct Chat {
        pub field: &'static str,
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

use llm_runtime::provider;

// `protocol = Type` builds the protocol with `Default`; this one has none.
#[provider(name = "groq", base_url = "https://api.groq.com/openai/v1", protocol = chat::Chat)]
struct Groq;

fn main() {}
