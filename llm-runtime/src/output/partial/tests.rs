use serde_json::{json, Value};

use super::partial_json;

/// Whether `next` is `previous` grown: strings extended, items and keys added, nested values
/// grown the same way; other values equal.
pub(crate) fn grows_into(previous: &Value, next: &Value) -> bool {
    match (previous, next) {
        (Value::String(a), Value::String(b)) => b.starts_with(a.as_str()),
        (Value::Array(a), Value::Array(b)) => {
            a.len() <= b.len() && a.iter().zip(b).all(|(x, y)| grows_into(x, y))
        }
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(key, x)| b.get(key).is_some_and(|y| grows_into(x, y))),
        _ => previous == next,
    }
}

/// Every prefix of `text`, at every character boundary: no panic, values that only grow, and
/// the whole text's value at the end.
fn check_every_prefix(text: &str) {
    let mut previous: Option<Value> = None;
    for end in (0..=text.len()).filter(|&end| text.is_char_boundary(end)) {
        let value = partial_json(&text[..end]);
        if let (Some(before), Some(now)) = (&previous, &value) {
            assert!(
                grows_into(before, now),
                "{:?}: {before} does not grow into {now}",
                &text[..end]
            );
        }
        assert!(
            previous.is_none() || value.is_some(),
            "{:?} lost its value",
            &text[..end]
        );
        previous = value.or(previous);
    }
    let whole: Value = serde_json::from_str(text).unwrap();
    assert_eq!(partial_json(text), Some(whole));
}

#[test]
fn every_prefix_grows_into_the_whole() {
    check_every_prefix(
        r#"{"name": "Zoë \"Z\" \u00e9\\", "age": -12.5e3, "ok": true, "none": null,
            "tags": ["a", {"b": [1, 2, []]}, "c"], "nested": {"x": {}, "y": [false]}}"#,
    );
    check_every_prefix(r#"[1, "two", [3], {"four": 4}]"#);
    check_every_prefix(r#""just a string with \n escapes""#);
    check_every_prefix(r#"{"emoji": "🦀 \ud83e\udd80 done"}"#);
}

#[test]
fn dangling_keys_and_cut_scalars_are_dropped() {
    assert_eq!(partial_json(r#"{"a": 1, "b"#), Some(json!({"a": 1})));
    assert_eq!(partial_json(r#"{"a": 1, "b":"#), Some(json!({"a": 1})));
    assert_eq!(partial_json(r#"{"a": 1,"#), Some(json!({"a": 1})));
    assert_eq!(partial_json(r#"{"a": tr"#), Some(json!({})));
    assert_eq!(partial_json(r#"{"a": 12"#), Some(json!({})));
    assert_eq!(partial_json(r#"{"a": 12 "#), Some(json!({"a": 12})));
    assert_eq!(partial_json(r#"[1, 2"#), Some(json!([1])));
    assert_eq!(partial_json("12"), None);
    assert_eq!(partial_json("12 "), Some(json!(12)));
}

#[test]
fn cut_escapes_are_dropped() {
    assert_eq!(partial_json(r#"{"a": "x\"#), Some(json!({"a": "x"})));
    assert_eq!(partial_json(r#"{"a": "x\u00"#), Some(json!({"a": "x"})));
    assert_eq!(partial_json(r#"{"a": "x\\"#), Some(json!({"a": "x\\"})));
    // A lone high surrogate is not JSON: the string waits for its pair.
    assert_eq!(partial_json(r#"{"a": "x\ud83e"#), Some(json!({"a": "x"})));
    assert_eq!(
        partial_json(r#"{"a": "x\ud83e\udd80"#),
        Some(json!({"a": "x🦀"}))
    );
}

#[test]
fn text_that_is_not_json_has_no_value() {
    assert_eq!(partial_json("Sure! Here it is"), None);
    assert_eq!(partial_json(r#"{"a" 1}"#), None);
    assert_eq!(partial_json(r#"{"a": 1]"#), None);
    assert_eq!(partial_json(""), None);
    // What follows a complete value is ignored.
    assert_eq!(partial_json(r#"{"a": 1} trailing"#), Some(json!({"a": 1})));
}

#[test]
fn no_text_makes_it_panic() {
    // Texts made of JSON's own characters (and a few others), in every arrangement a simple
    // generator gives: each either has a value or not, never a panic.
    const ALPHABET: &[&str] = &[
        "{", "}", "[", "]", "\"", "\\", ":", ",", " ", "1", "-", ".", "e", "t", "true", "null",
        "u", "d83e", "é", "🦀", "\"k\"", "\\u00", "\\ud83e",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = next() % 24;
        let text: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        if let Some(value) = partial_json(&text) {
            // A value is always one serde_json reads back.
            let again: Value = serde_json::from_str(&value.to_string()).unwrap();
            assert_eq!(again, value);
        }
    }
}
