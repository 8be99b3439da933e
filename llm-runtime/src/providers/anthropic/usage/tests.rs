//! Bodies written from Anthropic's documented format
//! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
//! not recorded traffic (that is `tests/anthropic_conformance.rs`).

use serde_json::json;

use super::super::test_kit::*;

#[test]
fn compaction_iterations_count_in_the_usage() {
    let response = parse(json!({
        "content": [{"type": "text", "text": "ok"}],
        "usage": {"input_tokens": 229, "output_tokens": 5, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0, "iterations": [
            {"type": "compaction", "input_tokens": 100, "output_tokens": 131,
             "cache_creation_input_tokens": 55096, "cache_read_input_tokens": 0},
            {"type": "message", "input_tokens": 229, "output_tokens": 5,
             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
            {"type": "advisor_message", "input_tokens": 40, "output_tokens": 4}]}
    }));
    let usage = &response.usage;
    assert_eq!(
        (
            usage.request_tokens,
            usage.cache_write_tokens,
            usage.response_tokens
        ),
        (229 + 100 + 55096, 55096, 136)
    );
    assert_eq!(
        serde_json::to_value(&usage.details).unwrap(),
        json!({"input_tokens": 229, "output_tokens": 5, "cache_creation_input_tokens": 0,
               "cache_read_input_tokens": 0, "message_iterations": 1,
               "compaction_iterations": 1, "compaction_input_tokens": 100,
               "compaction_output_tokens": 131,
               "compaction_cache_creation_input_tokens": 55096,
               "advisor_iterations": 1, "advisor_input_tokens": 40,
               "advisor_output_tokens": 4})
    );
}
