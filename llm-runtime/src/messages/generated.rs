//! What a model generates besides text and calls: files ([`FilePart`], e.g. generated images)
//! and summaries of the earlier conversation ([`CompactionPart`]), as pydantic-ai's `FilePart`
//! and `CompactionPart`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::content::BinaryContent;

/// A file in a response: an image the model generated, a file its code wrote.
///
/// ```
/// use llm_runtime::messages::{BinaryContent, FilePart, ModelResponsePart};
/// let part = FilePart::new(BinaryContent::new(vec![0x89, b'P', b'N', b'G'], "image/png"));
/// let json = serde_json::to_value(ModelResponsePart::from(part))?;
/// assert_eq!(json["part_kind"], "file");
/// assert_eq!(json["content"]["kind"], "binary");
/// assert_eq!(json["content"]["data"], "iVBORw==");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "file")]
pub struct FilePart {
    /// The file's bytes and media type.
    pub content: BinaryContent,
    /// The provider's id of this part (an OpenAI image generation call), if any.
    #[serde(default)]
    pub id: Option<String>,
    /// The provider that generated the file.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider data that must be sent back with the part.
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

impl FilePart {
    /// A file part of `content`.
    pub fn new(content: BinaryContent) -> Self {
        FilePart {
            content,
            id: None,
            provider_name: None,
            provider_details: None,
        }
    }

    /// Whether the file has any bytes.
    pub fn has_content(&self) -> bool {
        !self.content.data.is_empty()
    }
}

/// A provider's summary of the conversation before it, sent back to the same provider in
/// later turns instead of the messages it replaces: Anthropic's readable `compaction` block
/// (in `content`), OpenAI's encrypted `compaction` item (in `provider_details`).
///
/// ```
/// use llm_runtime::messages::{CompactionPart, ModelResponsePart};
/// let part = CompactionPart { content: Some("We talked about Paris.".into()), ..Default::default() };
/// let json = serde_json::to_value(ModelResponsePart::from(part))?;
/// assert_eq!(json["part_kind"], "compaction");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "part_kind", rename = "compaction")]
pub struct CompactionPart {
    /// The summary text, when the provider gives a readable one.
    #[serde(default)]
    pub content: Option<String>,
    /// The provider's id of this part, if any.
    #[serde(default)]
    pub id: Option<String>,
    /// The provider that compacted; the part is sent back only to it.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Provider data that must be sent back (OpenAI's `encrypted_content`, …).
    #[serde(default)]
    pub provider_details: Option<Map<String, Value>>,
}

impl CompactionPart {
    /// Whether the summary has text.
    pub fn has_content(&self) -> bool {
        self.content.as_deref().is_some_and(|c| !c.is_empty())
    }
}
