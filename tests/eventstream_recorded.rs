//! The AWS event-stream decoder (`http::eventstream`) on every recorded event-stream body of
//! `../shared/fixtures/cassettes/test_bedrock/`: real Bedrock `ConverseStream` responses,
//! stored by the recorder as `!!binary` (base64).
//!
//! Each body decodes to its end, whatever the chunk sizes, and each message has a
//! `:message-type` header, an `:event-type` (an event) or `:exception-type` (an exception)
//! header, and a JSON payload.

mod support;

use std::path::PathBuf;

use llm_runtime::http::eventstream::EventStreamDecoder;
use llm_runtime::testing::RecordedResponse;
use serde_json::Value;

use support::recordings::load_yaml;

/// What one message says, kept to compare decodings.
#[derive(Debug, PartialEq)]
struct Decoded {
    message_type: String,
    name: String,
    payload: Value,
}

/// Decodes `body` pushed in `chunk`-byte pieces, checking each message's headers and payload.
fn decode(key: &str, body: &[u8], chunk: usize) -> Vec<Decoded> {
    let mut decoder = EventStreamDecoder::new();
    let mut out = Vec::new();
    for piece in body.chunks(chunk) {
        decoder.push(piece);
        while let Some(message) = decoder
            .next_message()
            .unwrap_or_else(|e| panic!("{key}: {e}"))
        {
            let message_type = message
                .header_str(":message-type")
                .unwrap_or_else(|| panic!("{key}: no `:message-type` in {message:?}"));
            let name_header = match message_type {
                "event" => ":event-type",
                "exception" => ":exception-type",
                other => panic!("{key}: unexpected `:message-type` {other}"),
            };
            let name = message
                .header_str(name_header)
                .unwrap_or_else(|| panic!("{key}: no `{name_header}` in {message:?}"));
            let payload: Value = serde_json::from_slice(message.payload())
                .unwrap_or_else(|e| panic!("{key}: the payload of `{name}` is not JSON: {e}"));
            assert!(payload.is_object(), "{key}: {name}: {payload}");
            out.push(Decoded {
                message_type: message_type.to_owned(),
                name: name.to_owned(),
                payload,
            });
        }
    }
    decoder.finish().unwrap_or_else(|e| panic!("{key}: {e}"));
    out
}

/// The recorded response body when the response is an event stream (base64 in the YAML,
/// decoded by `llm_runtime::testing`).
fn event_stream_body(response: &Value) -> Option<Vec<u8>> {
    let recorded = RecordedResponse::from_vcrpy(response);
    if recorded.header("content-type")? != "application/vnd.amazon.eventstream" {
        return None;
    }
    Some(
        recorded
            .body_bytes()
            .unwrap_or_else(|e| panic!("an event-stream body is not base64: {e}")),
    )
}

#[test]
fn recorded_bedrock_event_streams_decode() {
    let Some(fixtures) = support::shared_fixtures("recorded_bedrock_event_streams_decode") else {
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures.join("cassettes/test_bedrock"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    let (mut bodies, mut messages) = (0, 0);
    for path in paths {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        for (i, interaction) in load_yaml(&path).interactions.iter().enumerate() {
            let Some(body) = event_stream_body(&interaction["response"]) else {
                continue;
            };
            let key = format!("{stem}.{i}");
            let whole = decode(&key, &body, body.len().max(1));
            assert!(!whole.is_empty(), "{key}: no message");
            assert_eq!(whole[0].name, "messageStart", "{key}");
            for chunk in [1, 7, 100] {
                assert_eq!(
                    decode(&key, &body, chunk),
                    whole,
                    "{key}: {chunk}-byte chunks"
                );
            }
            bodies += 1;
            messages += whole.len();
        }
    }
    // Nine recordings at pydantic-ai v2.33.0; more are welcome, fewer means they were lost.
    assert!(bodies >= 9, "only {bodies} event-stream bodies found");
    println!("recorded_bedrock_event_streams_decode: {bodies} bodies, {messages} messages");
}
