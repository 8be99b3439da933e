//! A user prompt's content as parts: text, bytes as `inlineData`, files the API fetches itself
//! (YouTube videos, its Files API uploads) as `fileData`, with the media options of a file's
//! vendor metadata. Other URLs need a download, which this pure translation does not make.

use serde_json::{Map, Value};

use super::wire::{Blob, FileData, Part, PartData};
use crate::error::{Error, Result};
use crate::messages::{
    BinaryContent, FileKind, FileUrl, ForceDownload, UserContent, UserContentItem,
};
use crate::warning::{Warning, Warnings};

/// Files the API reads itself: uploads to its Files API.
const FILES_API_PREFIX: &str = "https://generativelanguage.googleapis.com/v1beta/files";

/// The parts of a user prompt, appended to `out`.
///
/// # Errors
/// [`Error::User`] for a file URL the API does not fetch itself.
pub(super) fn user_parts<'a>(
    content: &'a UserContent,
    out: &mut Vec<Part<'a>>,
    warnings: &mut Warnings,
) -> Result<()> {
    let items = match content {
        UserContent::Text(text) => {
            out.push(Part::text(text.as_str()));
            return Ok(());
        }
        UserContent::Items(items) => items,
    };
    for item in items {
        match item {
            UserContentItem::Text(text) => out.push(Part::text(text.as_str())),
            UserContentItem::TextContent(text) => out.push(Part::text(text.content.as_str())),
            UserContentItem::Binary(binary) => out.push(binary_part(binary, warnings)),
            UserContentItem::ImageUrl(file) => {
                out.push(file_part(file, FileKind::Image, warnings)?);
            }
            UserContentItem::AudioUrl(file) => {
                out.push(file_part(file, FileKind::Audio, warnings)?);
            }
            UserContentItem::VideoUrl(file) => {
                out.push(file_part(file, FileKind::Video, warnings)?);
            }
            UserContentItem::DocumentUrl(file) => {
                out.push(file_part(file, FileKind::Document, warnings)?);
            }
            UserContentItem::CachePoint(_) => {
                // Gemini caches through cached-content resources made beforehand, not with
                // breakpoints in a prompt.
                tracing::debug!(
                    target: "llm_runtime::providers",
                    "cache point not sent: the Gemini API has no inline cache breakpoints"
                );
            }
        }
    }
    Ok(())
}

/// Bytes as `inlineData`.
fn binary_part<'a>(binary: &'a BinaryContent, warnings: &mut Warnings) -> Part<'a> {
    let part = Part::new(PartData::InlineData(Blob {
        mime_type: binary.media_type.clone(),
        data: binary.base64(),
    }));
    with_vendor_metadata(part, binary.vendor_metadata.as_ref(), true, warnings)
}

/// A file the API fetches itself (YouTube videos, Files API uploads) as `fileData`.
fn file_part<'a>(file: &'a FileUrl, kind: FileKind, warnings: &mut Warnings) -> Result<Part<'a>> {
    let youtube = kind == FileKind::Video && file.is_youtube();
    if !youtube
        && (file.force_download != ForceDownload::No || !file.url.starts_with(FILES_API_PREFIX))
    {
        return Err(Error::user(format!(
            "the file at `{}` must be sent as bytes, which needs a download this translation does \
             not make: pass it as `BinaryContent` (the Gemini API fetches YouTube videos and its \
             own Files API uploads only)",
            file.url
        )));
    }
    let part = Part::new(PartData::FileData(FileData {
        file_uri: &file.url,
        mime_type: file.media_type(kind),
    }));
    Ok(with_vendor_metadata(
        part,
        file.vendor_metadata.as_ref(),
        kind == FileKind::Video,
        warnings,
    ))
}

/// Applies a file's vendor metadata as pydantic-ai does: `media_resolution` to the part, the
/// rest (`fps`, `start_offset`, `end_offset`) as `videoMetadata` of a video or of bytes.
fn with_vendor_metadata<'a>(
    mut part: Part<'a>,
    metadata: Option<&'a Map<String, Value>>,
    video: bool,
    warnings: &mut Warnings,
) -> Part<'a> {
    let Some(metadata) = metadata else {
        return part;
    };
    let mut rest = Map::new();
    for (key, value) in metadata {
        if key == "media_resolution" {
            part.media_resolution = Some(value);
        } else {
            rest.insert(camel_case(key), value.clone());
        }
    }
    if !rest.is_empty() {
        if video {
            part.video_metadata = Some(rest);
        } else {
            let keys: Vec<String> = rest.keys().map(|key| format!("`{key}`")).collect();
            warnings.push(Warning::dropped_content(
                "vendor_metadata",
                format!(
                    "vendor metadata other than `media_resolution` applies to videos only; it is \
                     not sent ({})",
                    keys.join(", ")
                ),
            ));
        }
    }
    part
}

/// `start_offset` as `startOffset`.
fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
