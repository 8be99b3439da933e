//! What a stream repeats at its end: the streamed text stands over the repeats, and the
//! items it skips are read only as far as their type and id.

use super::*;

/// The text a stream repeats at its end (`output_text.done`, `output_item.done`,
/// `response.completed`) is skipped for a streamed message: the deltas' text stands, whatever
/// the repeats say; an item only the last event has is read whole.
#[test]
fn the_streamed_text_stands_when_its_repeats_differ() {
    let message = |id: &str, text: &str| {
        json!({"type": "message", "id": id, "role": "assistant",
               "content": [{"type": "output_text", "text": text}]})
    };
    let (response, _) = stream(vec![
        (
            "response.output_item.added",
            json!({"item": {"type": "message", "id": "msg_1", "content": []}}),
        ),
        (
            "response.output_text.delta",
            json!({"item_id": "msg_1", "delta": "Hel"}),
        ),
        (
            "response.output_text.delta",
            json!({"item_id": "msg_1", "delta": "lo \"\u{e9}"}),
        ),
        (
            "response.output_text.done",
            json!({"item_id": "msg_1", "text": "Other \"done\""}),
        ),
        (
            "response.output_item.done",
            json!({"item": message("msg_1", "Other item")}),
        ),
        (
            "response.completed",
            json!({"response": {"id": "resp_1", "status": "completed", "model": "m",
                   "output": [message("msg_1", "Other whole"), message("msg_2", "Two.")]}}),
        ),
    ])
    .unwrap();
    let texts = id_texts(&response);
    assert_eq!(texts, [("msg_1", "Hello \"\u{e9}"), ("msg_2", "Two.")]);
    // A repeat that is not JSON is still an error; the text of an item no delta started must
    // be a string.
    let events = vec![(
        "response.output_text.delta",
        r#"{"type":"response.output_text.delta","item_id":"msg_1","delta":"Hi"}"#.to_owned(),
    ), (
        "response.output_item.done",
        r#"{"type":"response.output_item.done","item":{"type":"message","id":"msg_1","content":[{"text":"Hi}]}}"#.to_owned(),
    )];
    let parameters = ModelRequestParameters::default();
    assert!(stream_with(&named(), &parameters, &events).is_err());
    let error = stream(vec![(
        "response.output_text.done",
        json!({"item_id": "msg_1", "text": 5}),
    )])
    .unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedModelBehavior { .. }),
        "{error:?}"
    );
}

/// What a stream reads of an item it skips: its type and id, wherever they are; an MCP tool
/// list whole; a repeated or mistyped `type` or `id` is an error, as in a whole item.
#[test]
fn item_heads_read_type_and_id_in_any_order() {
    use super::super::super::wire::ItemHead;
    fn head(json: &str) -> serde_json::Result<ItemHead<'_>> {
        serde_json::from_str(json)
    }
    let item = head(r#"{"content":[{"text":"x"}],"id":"msg_1","type":"message"}"#).unwrap();
    assert_eq!(
        (item.kind.0.as_ref(), item.id.map(|id| id.0)),
        ("message", Some("msg_1".into()))
    );
    assert!(item.mcp_list.is_none());
    let item = head(r#"{"type":"message","status":"completed","id":null}"#).unwrap();
    assert!(item.id.is_none());
    let list = r#"{"server_label":"s","type":"mcp_list_tools","id":"mcpl_1","tools":[]}"#;
    let item = head(list).unwrap();
    assert_eq!(item.id.map(|id| id.0), Some("mcpl_1".into()));
    assert_eq!(
        item.mcp_list,
        Some(serde_json::from_str::<Value>(list).unwrap())
    );
    for bad in [
        r#"{"id":"a"}"#,
        r#"{"type":"message","type":"message"}"#,
        r#"{"type":"message","id":"a","id":"b"}"#,
        r#"{"id":"a","id":"b","type":"message"}"#,
        r#"{"id":"a","type":"message","id":"b"}"#,
        r#"{"id":5,"type":"message"}"#,
        r#"{"type":"message","id":5}"#,
        r#"{"type":"message","content":[}"#,
    ] {
        assert!(head(bad).is_err(), "{bad}");
    }
}
