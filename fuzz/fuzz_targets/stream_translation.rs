//! Stream translation: an arbitrary SSE body (events named with a leading `!` are exceptions)
//! through one protocol's event translation and the parts manager, the protocol picked by the
//! first byte. See `llm_runtime_fuzz::run_stream` for what is checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llm_runtime::providers::{
    bedrock::BedrockConverse, cohere::CohereChat, gemini::Gemini, openai::chat::OpenAiChat,
    openai::responses::OpenAiResponses, vertex::VertexClaude, AnthropicMessages,
};
use llm_runtime_fuzz::{run_stream, sse_events};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let events = sse_events(body);
    match pick % 7 {
        0 => run_stream(OpenAiChat::new(), events),
        1 => run_stream(OpenAiResponses::new(), events),
        2 => run_stream(AnthropicMessages, events),
        3 => run_stream(Gemini, events),
        4 => run_stream(BedrockConverse, events),
        5 => run_stream(CohereChat, events),
        _ => run_stream(VertexClaude::default(), events),
    }
});
