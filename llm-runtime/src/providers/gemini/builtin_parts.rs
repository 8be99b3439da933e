//! Google's built-in tools and generated files in responses, as pydantic-ai's `GoogleModel`
//! reads them; `response.rs` and `stream.rs` share these pieces.
//!
//! - `executableCode` and `codeExecutionResult` parts: a `code_execution`
//!   [`BuiltinToolCallPart`] (args `{code, language}`) and [`BuiltinToolReturnPart`] (content
//!   `{outcome, output}`) sharing a generated id;
//! - `toolCall` and `toolResponse` parts (Gemini 3 with `includeServerSideToolInvocations`): the
//!   call and return of `web_search`, `web_fetch` or `file_search` with Google's id, a file
//!   search's empty response filled from the grounding metadata's retrieved contexts;
//! - without those parts, the grounding metadata: `webSearchQueries` and the web chunks as a
//!   `web_search` call and return, retrieved contexts as `file_search`, `urlContextMetadata` as
//!   `web_fetch`, each pair with a generated id;
//! - `inlineData`: a [`FilePart`] (an image the model drew; the drafts it marks as thoughts
//!   are left out).

use serde_json::{Map, Value};

use super::builtin_tools::tool_name;
use super::wire::{
    GroundingMetadata, UrlContextMetadata, WireBlob, WirePart, WireToolCall, WireToolResponse,
};
use crate::error::{Error, Result};
use crate::messages::serde_util::base64_bytes;
use crate::messages::{
    generate_tool_call_id, BinaryContent, BuiltinToolCallPart, BuiltinToolReturnPart, FilePart,
    ToolArgs,
};

/// The name of code execution's parts.
const CODE_EXECUTION: &str = "code_execution";

/// The name of file search's parts.
const FILE_SEARCH: &str = "file_search";

/// Whether the parts hold built-in tools' own calls or results (then the grounding metadata
/// is not read into parts: it would duplicate them).
pub(super) fn has_invocations(parts: &[WirePart<'_>]) -> bool {
    parts
        .iter()
        .any(|p| p.tool_call.is_some() || p.tool_response.is_some())
}

/// A call of a built-in tool, attributed to `provider`.
fn call(
    tool_name: &str,
    args: Option<Map<String, Value>>,
    id: String,
    provider: &str,
) -> BuiltinToolCallPart {
    BuiltinToolCallPart {
        args: args.map(ToolArgs::Object),
        ..BuiltinToolCallPart::new(tool_name, "", id).with_provider(provider)
    }
}

/// A return of a built-in tool, attributed to `provider`.
fn ret(tool_name: &str, content: Value, id: String, provider: &str) -> BuiltinToolReturnPart {
    BuiltinToolReturnPart::new(tool_name, content, id).with_provider(provider)
}

/// An `executableCode` part as a `code_execution` call.
pub(super) fn code_call(
    code: &Map<String, Value>,
    id: String,
    provider: &str,
) -> BuiltinToolCallPart {
    call(CODE_EXECUTION, Some(without_nulls(code)), id, provider)
}

/// A `codeExecutionResult` part as a `code_execution` return.
pub(super) fn code_return(
    result: &Map<String, Value>,
    id: String,
    provider: &str,
) -> BuiltinToolReturnPart {
    ret(
        CODE_EXECUTION,
        Value::Object(without_nulls(result)),
        id,
        provider,
    )
}

/// A `toolCall` part as the call of its tool.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with `raw` for a missing or unknown `toolType`.
pub(super) fn tool_call(
    wire: &WireToolCall<'_>,
    provider: &str,
    raw: &[u8],
) -> Result<BuiltinToolCallPart> {
    let name = known_tool(wire.tool_type.as_ref().map(|t| t.0.as_ref()), raw)?;
    Ok(call(
        name,
        wire.args.clone(),
        id_or_generated(wire.id.as_ref().map(|i| i.0.as_ref())),
        provider,
    ))
}

/// A `toolResponse` part as the return of its tool (its content `null` when it has none).
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with `raw` for a missing or unknown `toolType`.
pub(super) fn tool_response(
    wire: &WireToolResponse<'_>,
    provider: &str,
    raw: &[u8],
) -> Result<BuiltinToolReturnPart> {
    let name = known_tool(wire.tool_type.as_ref().map(|t| t.0.as_ref()), raw)?;
    let content = wire.response.clone().map_or(Value::Null, Value::Object);
    Ok(ret(
        name,
        content,
        id_or_generated(wire.id.as_ref().map(|i| i.0.as_ref())),
        provider,
    ))
}

/// The tool name of a `toolType`.
fn known_tool(tool_type: Option<&str>, raw: &[u8]) -> Result<&'static str> {
    let Some(tool_type) = tool_type else {
        return Err(Error::unexpected_with_body(
            "a built-in tool's part has no `toolType`",
            raw,
        ));
    };
    tool_name(tool_type).ok_or_else(|| {
        Error::unexpected_with_body(
            format!("a built-in tool's part has the unknown `toolType` `{tool_type}`"),
            raw,
        )
    })
}

/// The id given, or a generated one.
fn id_or_generated(id: Option<&str>) -> String {
    id.filter(|id| !id.is_empty())
        .map_or_else(generate_tool_call_id, str::to_owned)
}

/// An `inlineData` part as a file part.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with `raw` when the data or media type is missing, or
/// the data is not base64.
pub(super) fn file(blob: &WireBlob<'_>, raw: &[u8]) -> Result<FilePart> {
    let (Some(data), Some(mime_type)) = (&blob.data, &blob.mime_type) else {
        return Err(Error::unexpected_with_body(
            "an `inlineData` part lacks its data or media type",
            raw,
        ));
    };
    let bytes = base64_bytes::decode(&data.0).map_err(|e| {
        Error::unexpected_with_body(
            format!("the data of an `inlineData` part is not base64: {e}"),
            raw,
        )
    })?;
    Ok(FilePart::new(BinaryContent::new(
        bytes,
        mime_type.0.as_ref(),
    )))
}

/// The `web_search` call and return of the grounding metadata: its search queries, and the
/// web pages (`null` when there are no chunks).
pub(super) fn web_search(
    grounding: &GroundingMetadata,
    provider: &str,
) -> Option<(BuiltinToolCallPart, BuiltinToolReturnPart)> {
    let queries = grounding
        .web_search_queries
        .as_ref()
        .filter(|q| !q.is_empty())?;
    let id = generate_tool_call_id();
    let mut args = Map::new();
    args.insert("queries".into(), Value::Array(queries.clone()));
    let content = match grounding.grounding_chunks.as_deref() {
        None | Some([]) => Value::Null,
        Some(chunks) => Value::Array(
            chunks
                .iter()
                .filter_map(|chunk| chunk.web.as_ref())
                .map(|web| {
                    with_fields(
                        web,
                        &[("domain", "domain"), ("title", "title"), ("uri", "uri")],
                    )
                })
                .collect(),
        ),
    };
    Some((
        call("web_search", Some(args), id.clone(), provider),
        ret("web_search", content, id, provider),
    ))
}

/// The `file_search` call (no arguments) and return (the retrieved contexts) of the grounding
/// metadata, when it retrieved any.
pub(super) fn file_search(
    grounding: &GroundingMetadata,
    provider: &str,
) -> Option<(BuiltinToolCallPart, BuiltinToolReturnPart)> {
    let contexts = retrieved_contexts(grounding);
    if contexts.is_empty() {
        return None;
    }
    let id = generate_tool_call_id();
    Some((
        call(FILE_SEARCH, Some(Map::new()), id.clone(), provider),
        ret(FILE_SEARCH, Value::Array(contexts), id, provider),
    ))
}

/// The `web_fetch` call (the URLs retrieved) and return (each URL's status) of the URL context
/// metadata.
pub(super) fn url_context(
    metadata: &UrlContextMetadata,
    provider: &str,
) -> Option<(BuiltinToolCallPart, BuiltinToolReturnPart)> {
    let urls = metadata.url_metadata.as_ref().filter(|u| !u.is_empty())?;
    let id = generate_tool_call_id();
    let retrieved: Vec<Value> = urls
        .iter()
        .filter_map(|u| u.get("retrievedUrl"))
        .filter(|u| !u.is_null() && u.as_str() != Some(""))
        .cloned()
        .collect();
    let args = (!retrieved.is_empty()).then(|| {
        let mut args = Map::new();
        args.insert("urls".into(), Value::Array(retrieved));
        args
    });
    let content = urls
        .iter()
        .map(|u| {
            with_fields(
                u,
                &[
                    ("retrievedUrl", "retrieved_url"),
                    ("urlRetrievalStatus", "url_retrieval_status"),
                ],
            )
        })
        .collect();
    Some((
        call("web_fetch", args, id.clone(), provider),
        ret("web_fetch", Value::Array(content), id, provider),
    ))
}

/// The retrieved contexts of the grounding chunks, with google-genai's snake_case names and
/// without null fields (as pydantic-ai keeps them).
pub(super) fn retrieved_contexts(grounding: &GroundingMetadata) -> Vec<Value> {
    grounding
        .grounding_chunks
        .iter()
        .flatten()
        .filter_map(|chunk| chunk.retrieved_context.as_ref())
        .map(|context| snake_case_keys(&Value::Object(context.clone())))
        .collect()
}

/// Fills an empty `file_search` return from the grounding metadata's retrieved contexts (Gemini
/// 3 sends them there, not in the `toolResponse`); `true` when it is filled or needs no filling.
pub(super) fn fill_file_search(
    part: &mut BuiltinToolReturnPart,
    grounding: Option<&GroundingMetadata>,
) -> bool {
    if part.tool_name != FILE_SEARCH || !part.content.is_null() {
        return true;
    }
    let contexts = grounding.map(retrieved_contexts).unwrap_or_default();
    if contexts.is_empty() {
        return false;
    }
    part.content = Value::Array(contexts);
    true
}

/// The query of file search's generated code (`print(file_search.query(query="…"))`), when the
/// code is such a call (pydantic-ai's `_FILE_SEARCH_QUERY_PATTERN`).
pub(super) fn file_search_query(code: &str) -> Option<String> {
    const CALL: &str = "file_search.query(query=";
    let mut rest = code;
    while let Some(at) = rest.find(CALL) {
        let after = &rest[at + CALL.len()..];
        if let Some(query) = quoted_argument(after) {
            return Some(
                query
                    .replace("\\\\", "\\")
                    .replace("\\\"", "\"")
                    .replace("\\'", "'"),
            );
        }
        rest = &rest[at + 1..];
    }
    None
}

/// The quoted string at the start of `text` when a `)` follows it, escapes kept.
fn quoted_argument(text: &str) -> Option<&str> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &text[1..];
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next()?;
        } else if c == quote {
            return body[i + 1..].starts_with(')').then(|| &body[..i]);
        }
    }
    None
}

/// An object with exactly `fields` (wire name, kept name), absent ones as `null`.
fn with_fields(object: &Map<String, Value>, fields: &[(&str, &str)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(wire, kept)| {
                let value = object.get(*wire).or_else(|| object.get(*kept)).cloned();
                ((*kept).to_owned(), value.unwrap_or(Value::Null))
            })
            .collect(),
    )
}

/// An object without its `null` fields.
fn without_nulls(object: &Map<String, Value>) -> Map<String, Value> {
    object
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `value` with every object key in snake_case and no `null` fields, recursively.
fn snake_case_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (snake_case(k), snake_case_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(snake_case_keys).collect()),
        other => other.clone(),
    }
}

/// `fileSearchStore` as `file_search_store`.
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
