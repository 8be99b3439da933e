//! User prompt content to Converse blocks: text, images, documents and videos (inline bytes
//! or S3 URLs; other URLs need the bytes), and cache points, placed where Bedrock accepts them.
//! Used by `request.rs`.

use std::borrow::Cow;

use super::models::BedrockProfile;
use super::wire::{Block, CachePoint, Document, Media, Message, S3Location, Source};
use crate::error::{Error, Result};
use crate::messages::{BinaryContent, FileKind, FileUrl, UserContent, UserContentItem};
use crate::providers::common::needs_download;

/// The blocks of a user prompt. A cache point with nothing before it in this prompt marks the
/// last user message before it.
pub(super) fn user_content<'a>(
    prompt: &'a UserContent,
    profile: &BedrockProfile,
    documents: &mut usize,
    earlier: &mut [Message<'a>],
) -> Result<Vec<Block<'a>>> {
    let items = match prompt {
        UserContent::Text(text) => return Ok(vec![Block::Text(Cow::Borrowed(text))]),
        UserContent::Items(items) => items,
    };
    let mut content: Vec<Block<'a>> = Vec::new();
    for item in items {
        match item {
            UserContentItem::Text(text) => content.push(Block::Text(Cow::Borrowed(text))),
            UserContentItem::TextContent(text) => {
                content.push(Block::Text(Cow::Borrowed(&text.content)))
            }
            UserContentItem::Binary(binary) => content.push(binary_block(binary, documents)?),
            UserContentItem::ImageUrl(file) => {
                content.push(url_block(file, FileKind::Image, documents)?)
            }
            UserContentItem::DocumentUrl(file) => {
                content.push(url_block(file, FileKind::Document, documents)?)
            }
            UserContentItem::VideoUrl(file) => {
                content.push(url_block(file, FileKind::Video, documents)?)
            }
            UserContentItem::AudioUrl(_) => {
                return Err(Error::user(
                    "audio is not supported in Bedrock user prompts",
                ))
            }
            UserContentItem::CachePoint(point) => {
                if !profile.supports_prompt_caching {
                    continue;
                }
                let cache_point = || {
                    Block::CachePoint(CachePoint {
                        kind: "default",
                        ttl: Some(point.ttl.as_str()),
                    })
                };
                if content.is_empty() {
                    if let Some(last) = earlier.iter_mut().rev().find(|m| m.role == "user") {
                        insert_cache_point(&mut last.content, cache_point(), true);
                    }
                    continue;
                }
                if matches!(content.last(), Some(Block::CachePoint(_))) {
                    return Err(Error::user(
                        "a `CachePoint` cannot follow another `CachePoint`: Bedrock needs content between cache points",
                    ));
                }
                if !insert_cache_point(&mut content, cache_point(), false) {
                    return Err(Error::user(
                        "a `CachePoint` cannot be placed when the user message holds only documents or videos \
                         (a Bedrock restriction): add text before or after them",
                    ));
                }
            }
        }
    }
    // "If you include a ContentBlock with a document field, you must also include a
    // ContentBlock with a text field."
    let has = |kind: &str| content.iter().any(|b| b.kind() == kind);
    if has("document") && !has("text") {
        content.insert(0, Block::Text(Cow::Borrowed("See attached document(s).")));
    }
    Ok(content)
}

/// Puts a cache point before the trailing documents and videos of `content` (Bedrock rejects
/// one right after them) or at its end; `false` when the content is only documents and videos.
/// A cache point already at that place is kept, or replaced when `replace`.
fn insert_cache_point<'a>(content: &mut Vec<Block<'a>>, point: Block<'a>, replace: bool) -> bool {
    let trailing = content
        .iter()
        .rev()
        .take_while(|b| matches!(b, Block::Document(_) | Block::Video(_)))
        .count();
    let at = content.len() - trailing;
    if trailing == 0 {
        if matches!(content.last(), Some(Block::CachePoint(_))) {
            if replace {
                content.pop();
            } else {
                return false;
            }
        }
        content.push(point);
        return true;
    }
    match at
        .checked_sub(1)
        .map(|before| (before, content.get(before)))
    {
        None => false,
        Some((before, Some(Block::CachePoint(_)))) => {
            if replace {
                if let Some(slot) = content.get_mut(before) {
                    *slot = point;
                }
            }
            replace
        }
        Some(_) => {
            content.insert(at, point);
            true
        }
    }
}

fn next_document_name(documents: &mut usize) -> String {
    *documents += 1;
    format!("Document {documents}")
}

fn binary_block<'a>(binary: &BinaryContent, documents: &mut usize) -> Result<Block<'a>> {
    let media_type = binary.media_type.as_str();
    let source = || Source::Bytes(binary.base64());
    if binary.is_image() {
        let format = image_format(media_type)?;
        return Ok(Block::Image(Media {
            format,
            source: source(),
        }));
    }
    if binary.is_video() {
        let format = video_format(media_type)?;
        return Ok(Block::Video(Media {
            format,
            source: source(),
        }));
    }
    match document_format(media_type) {
        Ok(format) => Ok(Block::Document(Document {
            name: next_document_name(documents),
            format,
            source: source(),
        })),
        Err(_) => Err(Error::user(format!(
            "binary content of type `{media_type}` is not supported by Bedrock (images, documents and videos are)"
        ))),
    }
}

/// A file by URL: only S3 URLs are sent as they are; others need the bytes.
fn url_block<'a>(file: &'a FileUrl, kind: FileKind, documents: &mut usize) -> Result<Block<'a>> {
    let label = match kind {
        FileKind::Image => "image",
        FileKind::Video => "video",
        _ => "document",
    };
    if !file.url.starts_with("s3://") {
        return Err(needs_download(label, file));
    }
    let media_type = file.media_type(kind);
    let (uri, query) = file.url.split_once('?').unwrap_or((&file.url, ""));
    let uri = uri.split_once('#').map_or(uri, |(uri, _)| uri);
    let bucket_owner = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("bucketOwner="))
        .filter(|owner| !owner.is_empty())
        .map(str::to_owned);
    let source = Source::S3Location(S3Location {
        uri: Cow::Borrowed(uri),
        bucket_owner,
    });
    Ok(match kind {
        FileKind::Image => Block::Image(Media {
            format: image_format(&media_type)?,
            source,
        }),
        FileKind::Video => Block::Video(Media {
            format: video_format(&media_type)?,
            source,
        }),
        _ => Block::Document(Document {
            name: next_document_name(documents),
            format: document_format(&media_type)?,
            source,
        }),
    })
}

fn image_format(media_type: &str) -> Result<&'static str> {
    Ok(match media_type {
        "image/jpeg" | "image/jpg" => "jpeg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        other => return Err(unsupported_format("image", other)),
    })
}

fn video_format(media_type: &str) -> Result<&'static str> {
    Ok(match media_type {
        "video/x-matroska" => "mkv",
        "video/quicktime" => "mov",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "video/x-flv" => "flv",
        "video/mpeg" => "mpeg",
        "video/mpg" => "mpg",
        "video/x-ms-wmv" => "wmv",
        "video/3gpp" => "three_gp",
        other => return Err(unsupported_format("video", other)),
    })
}

fn document_format(media_type: &str) -> Result<&'static str> {
    Ok(match media_type {
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "text/html" => "html",
        "text/markdown" => "md",
        other => return Err(unsupported_format("document", other)),
    })
}

fn unsupported_format(kind: &str, media_type: &str) -> Error {
    Error::user(format!(
        "Bedrock does not take a {kind} of type `{media_type}`"
    ))
}
