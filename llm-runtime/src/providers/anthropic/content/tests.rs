//! Bodies written from Anthropic's documented format
//! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
//! not recorded traffic (that is `tests/anthropic_conformance.rs`).

use serde_json::json;

use super::super::test_kit::*;
use crate::error::Error;
use crate::messages::{
    BinaryContent, CachePoint, FileUrl, ForceDownload, ModelMessage, ModelRequest, ModelResponse,
    TextContent, TextPart, ThinkingPart, UserContentItem,
};
use crate::models::ModelRequestParameters;
use crate::settings::ModelSettings;

#[test]
fn multimodal_user_content() {
    let messages = [user(vec![
        "Compare these.".into(),
        UserContentItem::Text(String::new()),
        UserContentItem::ImageUrl(FileUrl::new("https://example.com/a.png")),
        BinaryContent::new(b"\x89PNG".to_vec(), "image/png").into(),
        UserContentItem::DocumentUrl(FileUrl::new("https://example.com/paper.pdf")),
        BinaryContent::new(b"%PDF-1.4".to_vec(), "application/pdf").into(),
        BinaryContent::new(b"plain words".to_vec(), "text/plain").into(),
        UserContentItem::TextContent(TextContent {
            content: "Thanks.".into(),
            metadata: json!({"not": "sent"}),
            kind: Default::default(),
        }),
    ])];
    assert_eq!(
        body(&messages, &ModelRequestParameters::default())["messages"][0]["content"],
        json!([
            {"type": "text", "text": "Compare these."},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                         "data": "iVBORw=="}},
            {"type": "document", "source": {"type": "url",
                                            "url": "https://example.com/paper.pdf"}},
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                            "data": "JVBERi0xLjQ="}},
            {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                            "data": "plain words"}},
            {"type": "text", "text": "Thanks."}
        ])
    );
    // An empty prompt sends no empty text block (and no message).
    let empty = [ModelRequest::user_text_prompt("").into()];
    assert_eq!(
        body(&empty, &ModelRequestParameters::default())["messages"],
        json!([])
    );
}

#[test]
fn content_the_api_cannot_take_is_a_user_error() {
    let cases: Vec<(UserContentItem, &str)> = vec![
        (
            BinaryContent::new(b"RIFF".to_vec(), "audio/wav").into(),
            "does not accept audio",
        ),
        (
            UserContentItem::AudioUrl(FileUrl::new("https://x/a.mp3")),
            "does not accept audio",
        ),
        (
            UserContentItem::VideoUrl(FileUrl::new("https://x/v.mp4")),
            "does not accept video",
        ),
        (
            BinaryContent::new(b"..".to_vec(), "video/mp4").into(),
            "does not accept video",
        ),
        (
            UserContentItem::ImageUrl(FileUrl {
                force_download: ForceDownload::Yes,
                ..FileUrl::new("https://x/a.png")
            }),
            "pass it as `BinaryContent`",
        ),
        (
            UserContentItem::DocumentUrl(FileUrl::new("https://x/notes.txt")),
            "pass it as `BinaryContent`",
        ),
        (
            UserContentItem::DocumentUrl(FileUrl::new("https://x/sheet.xlsx")),
            "not `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`",
        ),
        (
            BinaryContent::new(b"{}".to_vec(), "application/json").into(),
            "not `application/json`",
        ),
        (
            BinaryContent::new(vec![0xff, 0xfe], "text/plain").into(),
            "not valid UTF-8",
        ),
    ];
    for (item, expected) in cases {
        let err = body_with(
            SONNET_45,
            &[user(vec![item.clone()])],
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            false,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::User { .. }) && err.to_string().contains(expected),
            "{item:?}: {err}"
        );
    }
}

#[test]
fn cache_points_mark_the_block_before_them() {
    let messages: Vec<ModelMessage> = vec![
        user(vec![
            "Long document.".into(),
            UserContentItem::CachePoint(CachePoint::default()),
        ]),
        ModelResponse::new(vec![TextPart::new("Read.").into()]).into(),
        user(vec![
            UserContentItem::CachePoint(CachePoint {
                ttl: "1h".into(),
                ..CachePoint::default()
            }),
            "Question?".into(),
        ]),
    ];
    let value = body(&messages, &ModelRequestParameters::default());
    assert_eq!(
        value["messages"][0]["content"][0]["cache_control"],
        json!({"type": "ephemeral", "ttl": "5m"})
    );
    assert_eq!(
        value["messages"][1]["content"][0]["cache_control"],
        json!({"type": "ephemeral", "ttl": "1h"})
    );
    assert!(value["messages"][2]["content"][0]
        .get("cache_control")
        .is_none());

    // Nothing to mark, or a block that cannot be cached: errors.
    let first = [user(vec![UserContentItem::CachePoint(
        CachePoint::default(),
    )])];
    let err = body_with(
        SONNET_45,
        &first,
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("cannot be the first content"),
        "{err}"
    );
    let after_thinking: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("Hi").into(),
        ModelResponse::new(vec![ThinkingPart {
            signature: Some("s".into()),
            provider_name: Some("anthropic".into()),
            ..ThinkingPart::new("t")
        }
        .into()])
        .into(),
        user(vec![UserContentItem::CachePoint(CachePoint::default())]),
    ];
    let err = body_with(
        SONNET_45,
        &after_thinking,
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`thinking` block"), "{err}");

    // At most four breakpoints: the newest are kept.
    let mut items = Vec::new();
    for i in 0..6 {
        items.push(UserContentItem::Text(format!("part {i}")));
        items.push(UserContentItem::CachePoint(CachePoint::default()));
    }
    let value = body(&[user(items)], &ModelRequestParameters::default());
    let marked: Vec<bool> = value["messages"][0]["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.get("cache_control").is_some())
        .collect();
    assert_eq!(marked, [false, false, true, true, true, true]);
}
