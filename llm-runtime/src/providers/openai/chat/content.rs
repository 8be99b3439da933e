//! The content of a user prompt: text, images, audio and documents as Chat Completions
//! content parts, and the errors for content it cannot take.

use std::borrow::Cow;

use super::super::shared::{document_format, image_detail};
use super::wire::{ChatUserContent, ContentPart, FileData, ImageUrl, InputAudio};
use super::{AudioEncoding, OpenAiChat};
use crate::error::{Error, Result};
use crate::messages::{BinaryContent, ForceDownload, UserContent, UserContentItem};
use crate::providers::common::needs_download;

impl OpenAiChat {
    /// The content of a user prompt.
    pub(super) fn user_content<'a>(&self, content: &'a UserContent) -> Result<ChatUserContent<'a>> {
        match content {
            UserContent::Text(text) => Ok(ChatUserContent::Text(Cow::Borrowed(text))),
            UserContent::Items(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(part) = self.content_part(item)? {
                        parts.push(part);
                    }
                }
                Ok(ChatUserContent::Parts(parts))
            }
        }
    }

    /// One item of a user prompt (`None` for what is not sent, such as a cache point).
    fn content_part<'a>(&self, item: &'a UserContentItem) -> Result<Option<ContentPart<'a>>> {
        Ok(Some(match item {
            UserContentItem::Text(text) => ContentPart::Text {
                text: Cow::Borrowed(text),
            },
            UserContentItem::TextContent(text) => ContentPart::Text {
                text: Cow::Borrowed(&text.content),
            },
            UserContentItem::ImageUrl(file) => {
                if file.force_download != ForceDownload::No {
                    return Err(needs_download("image", file));
                }
                ContentPart::ImageUrl {
                    image_url: ImageUrl {
                        url: Cow::Borrowed(&file.url),
                        detail: image_detail(file.vendor_metadata.as_ref()),
                    },
                }
            }
            UserContentItem::AudioUrl(file) => return Err(needs_download("audio", file)),
            UserContentItem::DocumentUrl(file) => {
                if file.force_download != ForceDownload::No || !self.file_urls {
                    return Err(needs_download("document", file));
                }
                let media_type = file.media_type(crate::messages::FileKind::Document);
                ContentPart::File {
                    file: FileData {
                        file_data: Cow::Borrowed(&file.url),
                        filename: format!("filename.{}", document_format(&media_type)?),
                    },
                }
            }
            UserContentItem::VideoUrl(_) => {
                return Err(Error::user(
                    "the Chat Completions API does not accept video in user prompts",
                ))
            }
            UserContentItem::Binary(binary) => self.binary_part(binary)?,
            UserContentItem::CachePoint(_) => {
                // OpenAI caches prompts on its own; explicit breakpoints are not part of the
                // Chat Completions format this protocol speaks.
                tracing::debug!(
                    target: "llm_runtime::providers",
                    "cache point not sent: the Chat Completions API caches prompts automatically"
                );
                return Ok(None);
            }
        }))
    }

    /// Bytes as text, an image, audio or a document, by media type.
    fn binary_part<'a>(&self, binary: &'a BinaryContent) -> Result<ContentPart<'a>> {
        let media_type = binary.media_type.as_str();
        if is_text_like(media_type) {
            let text = std::str::from_utf8(&binary.data).map_err(|e| {
                Error::user(format!(
                    "the `{media_type}` file `{}` is not valid UTF-8 text: {e}",
                    binary.identifier()
                ))
            })?;
            return Ok(ContentPart::Text {
                text: Cow::Owned(format!(
                    "-----BEGIN FILE id=\"{id}\" type=\"{media_type}\"-----\n{text}\n-----END FILE id=\"{id}\"-----",
                    id = binary.identifier()
                )),
            });
        }
        if binary.is_image() {
            return Ok(ContentPart::ImageUrl {
                image_url: ImageUrl {
                    url: Cow::Owned(binary.data_uri()),
                    detail: image_detail(binary.vendor_metadata.as_ref()),
                },
            });
        }
        if binary.is_audio() {
            let format = match media_type {
                "audio/wav" => "wav",
                "audio/mpeg" => "mp3",
                other => {
                    return Err(Error::user(format!(
                        "the Chat Completions API accepts wav and mp3 audio, not `{other}`"
                    )))
                }
            };
            let data = match self.audio_encoding {
                AudioEncoding::Base64 => binary.base64(),
                AudioEncoding::DataUri => binary.data_uri(),
            };
            return Ok(ContentPart::InputAudio {
                input_audio: InputAudio { data, format },
            });
        }
        if let Ok(format) = document_format(media_type) {
            if !self.document_input {
                return Err(Error::user(
                    "this host does not accept documents in Chat Completions requests",
                ));
            }
            return Ok(ContentPart::File {
                file: FileData {
                    file_data: Cow::Owned(binary.data_uri()),
                    filename: format!("filename.{format}"),
                },
            });
        }
        if binary.is_video() {
            return Err(Error::user(
                "the Chat Completions API does not accept video in user prompts",
            ));
        }
        Err(Error::user(format!(
            "the Chat Completions API does not accept `{media_type}` content"
        )))
    }
}

/// Whether a media type is text that can be inlined in the prompt (pydantic-ai's
/// `is_text_like_media_type`).
fn is_text_like(media_type: &str) -> bool {
    media_type.starts_with("text/")
        || media_type == "application/json"
        || media_type.ends_with("+json")
        || media_type == "application/xml"
        || media_type.ends_with("+xml")
        || media_type == "application/x-yaml"
        || media_type == "application/yaml"
}
