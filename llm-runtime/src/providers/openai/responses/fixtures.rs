//! What the unit tests of the request, the response and the stream share: the protocol as the
//! tests name it, and a whole response of a reasoning model that thought, talked and called a
//! tool (which the stream tests stream).

use serde_json::{json, Value};

use super::OpenAiResponses;
use crate::messages::ModelResponse;
use crate::providers::{Protocol, ResponseContext};

/// The provider name the tests give the protocol.
pub(super) const PROVIDER: &str = "openai-responses";

/// The provider name the parts of this provider carry (the same: the tests speak as it).
pub(super) const OURS: &str = "openai-responses";

/// The protocol as OpenAI speaks it.
pub(super) fn named() -> OpenAiResponses {
    OpenAiResponses::new()
}

/// The response `body` parses to, from `gpt-5` of [`PROVIDER`].
pub(super) fn parse(body: Value) -> ModelResponse {
    named()
        .parse_response(
            body.to_string().as_bytes(),
            &mut ResponseContext::new("gpt-5", PROVIDER),
        )
        .unwrap()
}

/// A response of a reasoning model that thought, talked and called a tool.
pub(super) fn full_response() -> Value {
    json!({
        "id": "resp_1", "object": "response", "created_at": 1_761_323_546,
        "status": "completed", "background": false, "error": null,
        "incomplete_details": null, "model": "gpt-5.5-2026-01-01",
        "conversation": {"id": "conv_1"},
        "output": [
            {"type": "reasoning", "id": "rs_1", "encrypted_content": "enc-1",
             "summary": [{"type": "summary_text", "text": "First thought."},
                         {"type": "summary_text", "text": "Second thought."}]},
            {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
             "phase": "commentary",
             "content": [{"type": "output_text", "text": "Let me divide.", "annotations": [],
                          "logprobs": [{"token": "Let", "bytes": [76, 101, 116],
                                        "logprob": -0.5, "top_logprobs": []}]}]},
            {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "divide",
             "arguments": "{\"a\":1,\"b\":2}", "status": "completed", "namespace": "math"},
            {"type": "web_search_call", "id": "ws_1", "status": "completed",
             "action": {"type": "search", "query": "weather"}}
        ],
        "usage": {"input_tokens": 40, "input_tokens_details": {"cached_tokens": 8},
                  "output_tokens": 18, "output_tokens_details": {"reasoning_tokens": 12},
                  "total_tokens": 58}
    })
}
