//! pydantic-ai's message histories (`../shared/fixtures/histories/`) load, and serialize back
//! to the same JSON.

mod support;

use llm_runtime::messages::ModelMessage;
use serde_json::Value;

#[test]
fn pydantic_ai_histories_round_trip() {
    let Some(dir) = support::shared_fixtures("pydantic_ai_histories_round_trip") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(dir.join("histories"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        let messages: Vec<ModelMessage> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} does not load: {e}", file.display()));
        let written = serde_json::to_value(&messages).unwrap();
        // No difference at all: every field pydantic-ai writes is kept, and the derived
        // `requests` (1 per response) and `total_tokens` are not written, as in pydantic-ai.
        assert_eq!(
            written,
            original,
            "{} changed in a round trip",
            file.display()
        );
        // And what we write loads to the same messages.
        let again: Vec<ModelMessage> = serde_json::from_value(written).unwrap();
        assert_eq!(again, messages);
    }
}
