// An OpenAI-compatible host is a few lines: the protocol is shared, the host is attributes.
mod chat {
    use llm_runtime::messages::ModelResponse;
    use llm_runtime::providers::{Flow, PreparedRequest, Protocol, RawEvent, ResponseContext};
    use llm_runtime::warning::Warnings;
    use llm_runtime::stream::PartsManager;

    #[derive(Debug, Default)]
    pub struct Chat;

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

use chat::Chat;
use llm_runtime::provider;

/// Groq's OpenAI-compatible API.
#[provider(name = "groq", base_url = "https://api.groq.com/openai/v1", protocol = Chat)]
pub struct Groq;

fn main() {
    let model: llm_runtime::Result<llm_runtime::providers::ProviderModel<Chat>> = Groq::model("llama");
    let _ = model;
    let _: &str = <Groq as llm_runtime::providers::ProviderDefinition>::NAME;
}
