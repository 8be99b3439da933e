//! History loading: any JSON is a history or a typed serde error; a history that loads
//! serializes, and the JSON it gives loads back and serializes to the same JSON (one round
//! trip may add what pydantic-ai derives when it dumps, a URL's media type; after it, nothing
//! changes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use llm_runtime::messages::ModelMessage;

fuzz_target!(|data: &[u8]| {
    let Ok(history) = serde_json::from_slice::<Vec<ModelMessage>>(data) else {
        return;
    };
    let json = serde_json::to_string(&history).expect("a history serializes");
    let again: Vec<ModelMessage> = serde_json::from_str(&json).expect("a serialized history loads");
    let json_again = serde_json::to_string(&again).expect("a history serializes");
    assert_eq!(json, json_again, "a history changed through JSON");
});
