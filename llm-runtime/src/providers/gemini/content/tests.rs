use super::*;
use crate::messages::{ModelRequest, UserPromptPart};
use crate::models::ModelRequestParameters;
use crate::providers::gemini::test_support::{body, body_warned, body_with};
use crate::settings::ModelSettings;
use serde_json::json;

#[test]
fn multimodal_user_content() {
    let mut video = BinaryContent::new(b"mp4".to_vec(), "video/mp4");
    video.vendor_metadata =
        json!({"fps": 2, "start_offset": "1s", "media_resolution": "MEDIA_RESOLUTION_LOW"})
            .as_object()
            .cloned();
    let mut youtube = FileUrl::new("https://www.youtube.com/watch?v=x");
    youtube.vendor_metadata = json!({"end_offset": "10s"}).as_object().cloned();
    let mut image = BinaryContent::new(b"\x89PNG".to_vec(), "image/png");
    image.vendor_metadata = json!({"media_resolution": {"level": "HIGH"}})
        .as_object()
        .cloned();
    let items = vec![
        UserContentItem::Text("Describe these".into()),
        image.into(),
        video.into(),
        UserContentItem::VideoUrl(youtube),
        UserContentItem::DocumentUrl(
            FileUrl::new("https://generativelanguage.googleapis.com/v1beta/files/abc-123")
                .with_media_type("application/pdf"),
        ),
        UserContentItem::CachePoint(Default::default()),
        BinaryContent::new(b"a,b".to_vec(), "text/csv").into(),
    ];
    let messages = vec![ModelRequest::new(vec![UserPromptPart::new(items).into()]).into()];
    let body = body(&messages, &ModelRequestParameters::default());
    assert_eq!(
        body["contents"][0]["parts"],
        json!([
            {"text": "Describe these"},
            {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="},
             "mediaResolution": {"level": "HIGH"}},
            {"inlineData": {"mimeType": "video/mp4", "data": "bXA0"},
             "mediaResolution": "MEDIA_RESOLUTION_LOW",
             "videoMetadata": {"fps": 2, "startOffset": "1s"}},
            {"fileData": {"fileUri": "https://www.youtube.com/watch?v=x", "mimeType": "video/mp4"},
             "videoMetadata": {"endOffset": "10s"}},
            {"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc-123",
                          "mimeType": "application/pdf"}},
            {"inlineData": {"mimeType": "text/csv", "data": "YSxi"}}
        ])
    );
}

#[test]
fn urls_the_api_does_not_fetch_are_user_errors() {
    let mut forced = FileUrl::new("https://generativelanguage.googleapis.com/v1beta/files/x");
    forced.force_download = ForceDownload::Yes;
    for item in [
        UserContentItem::ImageUrl(FileUrl::new("https://example.com/cat.png")),
        UserContentItem::DocumentUrl(FileUrl::new("gs://bucket/report.pdf")),
        UserContentItem::AudioUrl(FileUrl::new("https://www.youtube.com/watch?v=x")),
        UserContentItem::DocumentUrl(forced),
    ] {
        let messages = vec![ModelRequest::new(vec![UserPromptPart::new(vec![item]).into()]).into()];
        let err = body_with(
            "gemini-2.5-flash",
            &messages,
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::User { .. }), "{err}");
        assert!(err.to_string().contains("BinaryContent"), "{err}");
    }
}

#[test]
fn video_options_of_a_document_are_dropped_with_a_warning() {
    let mut document =
        FileUrl::new("https://generativelanguage.googleapis.com/v1beta/files/abc-123")
            .with_media_type("application/pdf");
    document.vendor_metadata = json!({"fps": 2, "media_resolution": "MEDIA_RESOLUTION_LOW"})
        .as_object()
        .cloned();
    let item = UserContentItem::DocumentUrl(document);
    let messages = vec![ModelRequest::new(vec![UserPromptPart::new(vec![item]).into()]).into()];
    let (body, warnings) =
        body_warned("gemini-2.5-flash", &messages, &ModelSettings::default()).unwrap();
    assert_eq!(
        body["contents"][0]["parts"],
        json!([{"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc-123",
                             "mimeType": "application/pdf"},
                "mediaResolution": "MEDIA_RESOLUTION_LOW"}])
    );
    assert_eq!(
        warnings.as_slice(),
        [Warning::dropped_content(
            "vendor_metadata",
            "vendor metadata other than `media_resolution` applies to videos only; it is not \
             sent (`fps`)"
        )]
    );
}
