use super::super::stream::parse_event;
use super::super::wire::ContentBlockDelta;
use super::TextDelta;

/// What `parse_event` gives for a `contentBlockDelta` payload, as text, against the derived
/// reading's; and whether the fast path read it.
fn check(data: &str) -> bool {
    let full = serde_json::from_str::<ContentBlockDelta<'_>>(data);
    let ours = parse_event("contentBlockDelta", data);
    let fast = serde_json::from_str::<TextDelta<'_>>(data).is_ok();
    match (&full, &ours) {
        // A text delta read by the fast path is the event of its index and text (the
        // derived reading's, as checked below); any other is the derived reading.
        (Ok(full), Ok(ours)) => assert_eq!(
            format!("{ours:?}"),
            match &full.delta.text {
                Some(text) if fast => format!(
                    "ConverseEvent(TextDelta {{ index: {}, text: {text:?} }})",
                    full.content_block_index
                ),
                _ => format!("ConverseEvent(ContentBlockDelta({full:?}))"),
            },
            "{data}"
        ),
        (Err(full), Err(ours)) => assert_eq!(ours.to_string(), full.to_string(), "{data}"),
        _ => panic!("{data}: full {full:?}, ours {ours:?}"),
    }
    match serde_json::from_str::<TextDelta<'_>>(data) {
        Ok(fast) => {
            // Whatever the fast path reads, the derived reading reads the same.
            let full = full.expect("the full reading of a fast one");
            assert_eq!(fast.index, full.content_block_index, "{data}");
            assert_eq!(full.delta.text.as_deref(), Some(&*fast.text), "{data}");
            assert!(full.delta.tool_use.is_none(), "{data}");
            assert!(full.delta.tool_result.is_none(), "{data}");
            assert!(full.delta.reasoning_content.is_none(), "{data}");
            true
        }
        Err(_) => false,
    }
}

#[test]
fn text_deltas_are_read_by_the_fast_path_as_in_full() {
    for data in [
        r#"{"contentBlockIndex":0,"delta":{"text":"Hello"}}"#,
        r#"{"contentBlockIndex":7,"delta":{"text":""}}"#,
        // Escapes, borrowed or not.
        r#"{"contentBlockIndex":3,"delta":{"text":"a\"b\\c\nd\u00e9\ud83d\ude00\/"}}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"héllo ✓"}}"#,
        // Odd orders, whitespace, an escaped key.
        r#"{"delta":{"text":"x"},"contentBlockIndex":2}"#,
        " { \"contentBlockIndex\" : 1 ,\n \"delta\" : { \"text\" : \"x\" } } ",
        r#"{"contentBlockIndex":0,"delta":{"te\u0078t":"x"}}"#,
        r#"{"content\u0042lockIndex":0,"delta":{"text":"x"}}"#,
        // Extra fields, at either level (AWS pads events with `p`).
        r#"{"contentBlockIndex":1,"delta":{"text":"x"},"p":"abcdefghijklmnop"}"#,
        r#"{"p":"abc","contentBlockIndex":1,"delta":{"citation":null,"text":"x","extra":[1,{"a":2}]}}"#,
        r#"{"contentBlockIndex":1,"text":"top","toolUse":{"input":"{}"},"delta":{"text":"x"}}"#,
        r#"{"contentBlockIndex":1,"delta":{"contentBlockIndex":"no","delta":5,"text":"x"}}"#,
        r#"{"contentBlockIndex":1,"p":1,"p":2,"delta":{"q":1,"q":2,"text":"x"}}"#,
        r#"{"contentBlockIndex":18446744073709551615,"delta":{"text":"x"}}"#,
    ] {
        assert!(check(data), "not on the fast path: {data}");
    }
}

#[test]
fn other_deltas_are_read_in_full() {
    for data in [
        r#"{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"a\":"}}}"#,
        r#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"th"}}}"#,
        r#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"sig"}}}"#,
        r#"{"contentBlockIndex":4,"delta":{"toolResult":[{"text":"r"}]}}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"x","toolUse":{"input":"1"}}}"#,
        r#"{"contentBlockIndex":0,"delta":{"toolUse":null,"text":"x"}}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":null}}"#,
        r#"{"contentBlockIndex":0,"delta":{}}"#,
        r#"{"contentBlockIndex":0}"#,
        r#"{"contentBlockIndex":0,"delta":{"citation":{"title":"t"}}}"#,
        r#"[0,{"text":"x"}]"#,
    ] {
        assert!(!check(data), "on the fast path: {data}");
    }
}

#[test]
fn malformed_deltas_give_the_full_reading_error() {
    for data in [
        r#"{"delta":{"text":"x"}}"#,
        r#"{"contentBlockIndex":-1,"delta":{"text":"x"}}"#,
        r#"{"contentBlockIndex":"0","delta":{"text":"x"}}"#,
        r#"{"contentBlockIndex":1.5,"delta":{"text":"x"}}"#,
        r#"{"contentBlockIndex":18446744073709551616,"delta":{"text":"x"}}"#,
        r#"{"contentBlockIndex":null,"delta":{"text":"x"}}"#,
        r#"{"contentBlockIndex":0,"contentBlockIndex":1,"delta":{"text":"x"}}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"x"},"delta":{"text":"y"}}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"x","text":"y"}}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":5}}"#,
        r#"{"contentBlockIndex":0,"delta":null}"#,
        r#"{"contentBlockIndex":0,"delta":"x"}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"\q"}}"#,
        "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"a\nb\"}}",
        r#"{"contentBlockIndex":0,"delta":{"text":"x"}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"x"}}x"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"x"}}{}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"x",}}"#,
        r#"{"contentBlockIndex":0,"delta":{"text":"x","toolUse":5}}"#,
        "",
        "null",
    ] {
        assert!(!check(data), "on the fast path: {data}");
        assert!(parse_event("contentBlockDelta", data).is_err(), "{data}");
    }
}
