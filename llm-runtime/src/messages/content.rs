//! What a user prompt can hold: text, files by URL, inline bytes.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::serde_util::{base64_bytes, string_tag};

/// The content of a [`UserPromptPart`](super::UserPromptPart): plain text, or a list of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserContent {
    /// A plain text prompt.
    Text(String),
    /// Text and files, in order.
    Items(Vec<UserContentItem>),
}

impl UserContent {
    /// The text of the prompt: the string itself, or its text items joined by newlines.
    pub fn text(&self) -> String {
        match self {
            UserContent::Text(text) => text.clone(),
            UserContent::Items(items) => items
                .iter()
                .filter_map(|item| match item {
                    UserContentItem::Text(text) => Some(text.as_str()),
                    UserContentItem::TextContent(text) => Some(text.content.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

impl From<String> for UserContent {
    fn from(text: String) -> Self {
        UserContent::Text(text)
    }
}

impl From<&str> for UserContent {
    fn from(text: &str) -> Self {
        UserContent::Text(text.to_owned())
    }
}

impl From<Vec<UserContentItem>> for UserContent {
    fn from(items: Vec<UserContentItem>) -> Self {
        UserContent::Items(items)
    }
}

/// One item of a multimodal user prompt.
///
/// Serialized as pydantic-ai does: text as a bare JSON string, everything else as an object
/// tagged by `kind` (`image-url`, `audio-url`, `video-url`, `document-url`, `binary`,
/// `text-content`, `cache-point`).
#[derive(Debug, Clone, PartialEq)]
pub enum UserContentItem {
    /// Plain text.
    Text(String),
    /// Text with application metadata that is not sent to the model.
    TextContent(TextContent),
    /// An image by URL.
    ImageUrl(FileUrl),
    /// An audio file by URL.
    AudioUrl(FileUrl),
    /// A video by URL.
    VideoUrl(FileUrl),
    /// A document (PDF, text, …) by URL.
    DocumentUrl(FileUrl),
    /// Inline bytes: an image, audio, video or document.
    Binary(BinaryContent),
    /// A prompt-caching breakpoint (honoured by providers that support explicit caching).
    CachePoint(CachePoint),
}

impl From<&str> for UserContentItem {
    fn from(text: &str) -> Self {
        UserContentItem::Text(text.to_owned())
    }
}

impl From<String> for UserContentItem {
    fn from(text: String) -> Self {
        UserContentItem::Text(text)
    }
}

impl From<BinaryContent> for UserContentItem {
    fn from(binary: BinaryContent) -> Self {
        UserContentItem::Binary(binary)
    }
}

/// Which kind of file a [`FileUrl`] points at; decides its `kind` tag and media type inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `image-url`
    Image,
    /// `audio-url`
    Audio,
    /// `video-url`
    Video,
    /// `document-url`
    Document,
}

impl FileKind {
    fn tag(self) -> &'static str {
        match self {
            FileKind::Image => "image-url",
            FileKind::Audio => "audio-url",
            FileKind::Video => "video-url",
            FileKind::Document => "document-url",
        }
    }

    fn fallback_media_type(self) -> &'static str {
        match self {
            FileKind::Image => "image/*",
            FileKind::Audio => "audio/*",
            FileKind::Video => "video/*",
            FileKind::Document => "application/octet-stream",
        }
    }
}

/// Whether a file given by URL is downloaded by us or handed to the provider as a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForceDownload {
    /// Send the URL to providers that accept URLs (the default).
    #[default]
    No,
    /// Always download the file and send its bytes.
    Yes,
    /// Always download, also from private addresses.
    AllowLocal,
}

impl Serialize for ForceDownload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ForceDownload::No => s.serialize_bool(false),
            ForceDownload::Yes => s.serialize_bool(true),
            ForceDownload::AllowLocal => s.serialize_str("allow-local"),
        }
    }
}

impl<'de> Deserialize<'de> for ForceDownload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(false) | Value::Null => Ok(ForceDownload::No),
            Value::Bool(true) => Ok(ForceDownload::Yes),
            Value::String(s) if s == "allow-local" => Ok(ForceDownload::AllowLocal),
            other => Err(de::Error::custom(format!(
                "force_download must be true, false or \"allow-local\", not {other}"
            ))),
        }
    }
}

/// A file given by URL (pydantic-ai's `ImageUrl`, `AudioUrl`, `VideoUrl`, `DocumentUrl`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileUrl {
    /// The URL of the file.
    pub url: String,
    /// Whether the file is downloaded rather than sent as a URL.
    pub force_download: ForceDownload,
    /// Provider-specific metadata (for example `{"detail": "high"}` for OpenAI images).
    pub vendor_metadata: Option<Map<String, Value>>,
    /// The media type; inferred from the URL's extension when `None`.
    pub media_type: Option<String>,
    /// A short identifier the model can use to refer to the file; derived from the URL when `None`.
    pub identifier: Option<String>,
}

impl FileUrl {
    /// A file URL with everything else left to its default.
    pub fn new(url: impl Into<String>) -> Self {
        FileUrl {
            url: url.into(),
            ..FileUrl::default()
        }
    }

    /// Sets the media type explicitly.
    pub fn with_media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = Some(media_type.into());
        self
    }

    /// The media type: the one given, else inferred from the URL for a file of `kind`.
    pub fn media_type(&self, kind: FileKind) -> String {
        if let Some(media_type) = &self.media_type {
            return media_type.clone();
        }
        if kind == FileKind::Video && is_youtube(&self.url) {
            return "video/mp4".to_owned();
        }
        guess_media_type(&self.url)
            .unwrap_or(kind.fallback_media_type())
            .to_owned()
    }

    /// The identifier: the one given, else the first 6 hex digits of the URL's SHA-1.
    pub fn identifier(&self) -> String {
        self.identifier
            .clone()
            .unwrap_or_else(|| content_identifier(self.url.as_bytes()))
    }

    /// Whether the URL is on a YouTube host that models resolve themselves (`youtu.be`,
    /// `youtube.com`, `www.youtube.com`, `m.youtube.com`; pydantic-ai's `VideoUrl.is_youtube`).
    pub fn is_youtube(&self) -> bool {
        is_youtube(&self.url)
    }

    fn serialize_as<S: Serializer>(&self, kind: FileKind, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("url", &self.url)?;
        map.serialize_entry("force_download", &self.force_download)?;
        map.serialize_entry("vendor_metadata", &self.vendor_metadata)?;
        map.serialize_entry("kind", kind.tag())?;
        map.serialize_entry("media_type", &self.media_type(kind))?;
        map.serialize_entry("identifier", &self.identifier())?;
        map.end()
    }
}

#[derive(Deserialize)]
struct FileUrlRepr {
    url: String,
    #[serde(default)]
    force_download: ForceDownload,
    #[serde(default)]
    vendor_metadata: Option<Map<String, Value>>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    identifier: Option<String>,
}

impl From<FileUrlRepr> for FileUrl {
    fn from(r: FileUrlRepr) -> Self {
        FileUrl {
            url: r.url,
            force_download: r.force_download,
            vendor_metadata: r.vendor_metadata,
            media_type: r.media_type,
            identifier: r.identifier,
        }
    }
}

string_tag!(
    /// The `kind` tag of [`BinaryContent`].
    BinaryKind = "binary"
);
string_tag!(
    /// The `kind` tag of [`TextContent`].
    TextContentKind = "text-content"
);
string_tag!(
    /// The `kind` tag of [`CachePoint`].
    CachePointKind = "cache-point"
);

/// Inline file bytes with their media type (pydantic-ai's `BinaryContent`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BinaryContent {
    /// The bytes; base64 in JSON.
    pub data: Vec<u8>,
    /// The media type, e.g. `image/png`.
    pub media_type: String,
    /// Provider-specific metadata (for example `{"detail": "high"}` for OpenAI images).
    pub vendor_metadata: Option<Map<String, Value>>,
    /// A short identifier the model can use to refer to the file; derived from the bytes when `None`.
    pub identifier: Option<String>,
}

impl BinaryContent {
    /// Bytes of the given media type.
    pub fn new(data: impl Into<Vec<u8>>, media_type: impl Into<String>) -> Self {
        BinaryContent {
            data: data.into(),
            media_type: media_type.into(),
            ..BinaryContent::default()
        }
    }

    /// The identifier: the one given, else the first 6 hex digits of the data's SHA-1.
    pub fn identifier(&self) -> String {
        self.identifier
            .clone()
            .unwrap_or_else(|| content_identifier(&self.data))
    }

    /// The data as standard base64.
    pub fn base64(&self) -> String {
        base64_bytes::encode_standard(&self.data)
    }

    /// The data as a `data:` URI.
    pub fn data_uri(&self) -> String {
        format!("data:{};base64,{}", self.media_type, self.base64())
    }

    /// Whether the media type is `image/*`.
    pub fn is_image(&self) -> bool {
        self.media_type.starts_with("image/")
    }

    /// Whether the media type is `audio/*`.
    pub fn is_audio(&self) -> bool {
        self.media_type.starts_with("audio/")
    }

    /// Whether the media type is `video/*`.
    pub fn is_video(&self) -> bool {
        self.media_type.starts_with("video/")
    }
}

impl Serialize for BinaryContent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Data<'a>(&'a [u8]);
        impl Serialize for Data<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                base64_bytes::serialize(self.0, s)
            }
        }
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("data", &Data(&self.data))?;
        map.serialize_entry("media_type", &self.media_type)?;
        map.serialize_entry("vendor_metadata", &self.vendor_metadata)?;
        map.serialize_entry("kind", BinaryKind::VALUE)?;
        map.serialize_entry("identifier", &self.identifier())?;
        map.end()
    }
}

#[derive(Deserialize)]
struct BinaryContentRepr {
    #[serde(with = "base64_bytes")]
    data: Vec<u8>,
    media_type: String,
    #[serde(default)]
    vendor_metadata: Option<Map<String, Value>>,
    #[serde(default)]
    identifier: Option<String>,
}

impl<'de> Deserialize<'de> for BinaryContent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = BinaryContentRepr::deserialize(d)?;
        Ok(BinaryContent {
            data: r.data,
            media_type: r.media_type,
            vendor_metadata: r.vendor_metadata,
            identifier: r.identifier,
        })
    }
}

/// Text with metadata for the application (pydantic-ai's `TextContent`); only `content` is
/// sent to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextContent {
    /// The text.
    pub content: String,
    /// Application metadata, never sent to the model.
    #[serde(default)]
    pub metadata: Value,
    /// The `kind` tag.
    #[serde(default)]
    pub kind: TextContentKind,
}

/// A prompt-caching breakpoint (pydantic-ai's `CachePoint`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachePoint {
    /// The `kind` tag.
    #[serde(default)]
    pub kind: CachePointKind,
    /// How long the cache lives: `5m` or `1h`.
    #[serde(default = "default_ttl")]
    pub ttl: String,
}

impl Default for CachePoint {
    fn default() -> Self {
        CachePoint {
            kind: CachePointKind,
            ttl: default_ttl(),
        }
    }
}

fn default_ttl() -> String {
    "5m".to_owned()
}

impl Serialize for UserContentItem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            UserContentItem::Text(text) => s.serialize_str(text),
            UserContentItem::TextContent(text) => text.serialize(s),
            UserContentItem::ImageUrl(file) => file.serialize_as(FileKind::Image, s),
            UserContentItem::AudioUrl(file) => file.serialize_as(FileKind::Audio, s),
            UserContentItem::VideoUrl(file) => file.serialize_as(FileKind::Video, s),
            UserContentItem::DocumentUrl(file) => file.serialize_as(FileKind::Document, s),
            UserContentItem::Binary(binary) => binary.serialize(s),
            UserContentItem::CachePoint(point) => point.serialize(s),
        }
    }
}

#[derive(Deserialize)]
#[serde(tag = "kind")]
enum TaggedItem {
    #[serde(rename = "image-url")]
    ImageUrl(FileUrlRepr),
    #[serde(rename = "audio-url")]
    AudioUrl(FileUrlRepr),
    #[serde(rename = "video-url")]
    VideoUrl(FileUrlRepr),
    #[serde(rename = "document-url")]
    DocumentUrl(FileUrlRepr),
    #[serde(rename = "binary")]
    Binary(BinaryContentRepr),
    #[serde(rename = "text-content")]
    TextContent {
        content: String,
        #[serde(default)]
        metadata: Value,
    },
    #[serde(rename = "cache-point")]
    CachePoint {
        #[serde(default = "default_ttl")]
        ttl: String,
    },
}

impl<'de> Deserialize<'de> for UserContentItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = UserContentItem;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an object with a `kind`")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(UserContentItem::Text(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(UserContentItem::Text(v))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let item = TaggedItem::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(match item {
                    TaggedItem::ImageUrl(r) => UserContentItem::ImageUrl(r.into()),
                    TaggedItem::AudioUrl(r) => UserContentItem::AudioUrl(r.into()),
                    TaggedItem::VideoUrl(r) => UserContentItem::VideoUrl(r.into()),
                    TaggedItem::DocumentUrl(r) => UserContentItem::DocumentUrl(r.into()),
                    TaggedItem::Binary(r) => UserContentItem::Binary(BinaryContent {
                        data: r.data,
                        media_type: r.media_type,
                        vendor_metadata: r.vendor_metadata,
                        identifier: r.identifier,
                    }),
                    TaggedItem::TextContent { content, metadata } => {
                        UserContentItem::TextContent(TextContent {
                            content,
                            metadata,
                            kind: TextContentKind,
                        })
                    }
                    TaggedItem::CachePoint { ttl } => UserContentItem::CachePoint(CachePoint {
                        kind: CachePointKind,
                        ttl,
                    }),
                })
            }
        }
        d.deserialize_any(ItemVisitor)
    }
}

/// The first 6 hex digits of the SHA-1 of `bytes`, as pydantic-ai identifies files.
pub(crate) fn content_identifier(bytes: &[u8]) -> String {
    let mut hex = sha1_smol::Sha1::from(bytes).digest().to_string();
    hex.truncate(6);
    hex
}

fn is_youtube(url: &str) -> bool {
    let host = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    matches!(
        host,
        "youtu.be" | "youtube.com" | "www.youtube.com" | "m.youtube.com"
    )
}

/// Guesses a media type from the extension of a URL's path, as Python's `mimetypes` does for
/// the types models accept.
pub fn guess_media_type(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let file = path.rsplit('/').next().unwrap_or(path);
    let (_, ext) = file.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "oga" | "ogg" => "audio/ogg",
        "aiff" | "aif" => "audio/aiff",
        "aac" => "audio/aac",
        "m4a" => "audio/mp4",
        "mkv" => "video/x-matroska",
        "mov" => "video/quicktime",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "flv" => "video/x-flv",
        "mpeg" | "mpg" => "video/mpeg",
        "wmv" => "video/x-ms-wmv",
        "3gp" => "video/3gpp",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "md" => "text/markdown",
        "json" => "application/json",
        "xml" => "application/xml",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_url_infers_media_type_and_identifier() {
        let file = FileUrl::new("https://example.com/images/sales-chart.png?x=1");
        assert_eq!(file.media_type(FileKind::Image), "image/png");
        assert_eq!(file.identifier().len(), 6);
        let video = FileUrl::new("https://youtu.be/abc");
        assert_eq!(video.media_type(FileKind::Video), "video/mp4");
        assert_eq!(
            FileUrl::new("https://x/y").media_type(FileKind::Document),
            "application/octet-stream"
        );
    }

    #[test]
    fn items_round_trip_with_their_kind() {
        let items: Vec<UserContentItem> = serde_json::from_value(json!([
            "hello",
            {"url": "https://a/b.mp3", "kind": "audio-url"},
            {"data": "aGk=", "media_type": "text/plain", "kind": "binary"},
            {"content": "meta", "metadata": {"a": 1}, "kind": "text-content"},
            {"kind": "cache-point"}
        ]))
        .unwrap();
        assert_eq!(items[0], UserContentItem::Text("hello".into()));
        let UserContentItem::Binary(binary) = &items[2] else {
            panic!("{items:?}")
        };
        assert_eq!(binary.data, b"hi");
        let back = serde_json::to_value(&items).unwrap();
        assert_eq!(back[1]["media_type"], "audio/mpeg");
        assert_eq!(back[1]["force_download"], false);
        assert_eq!(back[2]["data"], "aGk=");
        assert_eq!(back[4]["ttl"], "5m");
    }

    #[test]
    fn unknown_kind_is_an_error_not_a_drop() {
        let err = serde_json::from_value::<UserContentItem>(json!({"kind": "hologram"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown variant `hologram`"), "{err}");
    }
}
