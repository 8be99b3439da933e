use super::{fast, DeltaEvent};

type Flat = (
    String,
    Option<u64>,
    Option<(Option<String>, Option<String>, Option<String>)>,
);

fn flat(event: DeltaEvent<'_>) -> Flat {
    let delta = event.delta.map(|d| {
        let own = |s: Option<std::borrow::Cow<'_, str>>| s.map(|s| s.into_owned());
        (own(d.kind), own(d.value), own(d.encrypted_content))
    });
    (event.kind.into_owned(), event.index, delta)
}

/// Where the one-pass reader answers, serde's reading gives the same event.
fn check(data: &str) -> bool {
    let serde = serde_json::from_str::<DeltaEvent<'_>>(data).map(flat);
    match fast::read(data) {
        Some(event) => {
            assert_eq!(Ok(flat(event)), serde.map_err(|e| e.to_string()), "{data}");
            true
        }
        None => false,
    }
}

#[test]
fn common_shapes_are_read_in_one_pass_as_serde_reads_them() {
    for data in [
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
        r#"{"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":""}}"#,
        r#" { "delta" : { "text" : "a\"b\\c\/d\b\f\n\r\t" , "type" : "text_delta" } , "index" : 3 , "type" : "content_block_delta" } "#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" word1 \u00e9 \u00E9 \ud83d\ude00 \u0000 é"}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"hmm"}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"sig=="}}"#,
        r#"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\": 6, "}}"#,
        r#"{"type":"content_block_delta","index":2,"delta":{"type":"compaction_delta","content":"c","encrypted_content":"e"}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"other_delta","text":"x"}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"text":"no type"}}"#,
        r#"{"type":"content_block_delta","index":18446744073709551615,"delta":{"type":"text_delta","text":"x"}}"#,
        r#"{"type":"content_block_delta"}"#,
        r#"{"type":"content_block_start","index":0,"delta":{"type":"text_delta","text":"x"}}"#,
    ] {
        assert!(check(data), "not read in one pass: {data}");
    }
}

#[test]
fn anything_else_is_left_to_serde() {
    for data in [
        "",
        "{}",
        "[]",
        "null",
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}} x"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"},}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x",}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}"type":"x"}"#,
        r#"{"type":"content_block_delta","type":"x","index":0}"#,
        r#"{"type":"content_block_delta","index":0,"index":1}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","text":"y"}}"#,
        r#"{"type":"content_block_delta","index":0,"extra":1}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","citation":{}}}"#,
        r#"{"type":"content_block_delta","index":null}"#,
        r#"{"type":"content_block_delta","index":-1}"#,
        r#"{"type":"content_block_delta","index":01}"#,
        r#"{"type":"content_block_delta","index":1.0}"#,
        r#"{"type":"content_block_delta","index":1e2}"#,
        r#"{"type":"content_block_delta","index":18446744073709551616}"#,
        r#"{"type":"content_block_delta","index":"0"}"#,
        r#"{"type":"content_block_delta","delta":null}"#,
        r#"{"type":"content_block_delta","delta":{"type":null}}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":5}}"#,
        r#"{"t\u0079pe":"content_block_delta"}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"\ud83d"}}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"\ud83dx"}}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"\ud83d\u0041"}}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"\ude00"}}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"\u00g0"}}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"\x"}}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"\u00e"}}"#,
        "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\nb\"}}",
        "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\\n\tb\"}}",
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"unterminated}}"#,
        r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"esc\"#,
    ] {
        assert!(!check(data), "read in one pass: {data}");
    }
}
