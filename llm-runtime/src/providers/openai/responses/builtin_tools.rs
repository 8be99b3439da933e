//! The Responses API's built-in tools, as pydantic-ai's `OpenAIResponsesModel` maps them: the
//! request's built-in tools become `web_search`, `code_interpreter`, `image_generation`, `mcp`
//! and `file_search` tools; the output items they produce (`web_search_call`,
//! `code_interpreter_call`, `image_generation_call`, `mcp_call`, `mcp_list_tools`,
//! `file_search_call`, `compaction`) become built-in tool call and return parts, generated
//! images file parts, and compaction parts; and a call goes back as its item (by id) to the
//! same provider, its result being kept server-side.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::messages::{
    BinaryContent, BuiltinToolCallPart, BuiltinToolReturnPart, CompactionPart, FilePart,
    ModelResponsePart, ToolArgs,
};
use crate::models::{BuiltinTool, ImageGenerationTool};
use crate::providers::builtin_tools::unsupported;
use crate::providers::PreparedRequest;

/// The built-in tools the Responses API has.
pub(super) const SUPPORTED: &[&str] = &[
    "web_search",
    "code_execution",
    "file_search",
    "mcp_server",
    "image_generation",
];

/// The output item types that built-in tools produce.
pub(super) const ITEM_TYPES: &[&str] = &[
    "web_search_call",
    "code_interpreter_call",
    "image_generation_call",
    "mcp_call",
    "mcp_list_tools",
    "file_search_call",
    "compaction",
];

/// The tools of the request's built-in tools.
///
/// # Errors
/// [`Error::User`] for a tool this API does not have, and for an image size or aspect ratio
/// OpenAI does not take.
pub(super) fn server_tools(request: &PreparedRequest<'_>) -> Result<Vec<Value>> {
    let mut tools = Vec::new();
    for tool in &request.parameters.builtin_tools {
        tools.push(match tool {
            BuiltinTool::WebSearch(search) => {
                let mut param = json!({"type": "web_search",
                    "search_context_size": search.search_context_size});
                if let Some(location) = &search.user_location {
                    let mut value = serde_json::to_value(location).unwrap_or_default();
                    value["type"] = json!("approximate");
                    param["user_location"] = value;
                }
                if let Some(domains) = search.allowed_domains.as_ref().filter(|d| !d.is_empty()) {
                    param["filters"] = json!({"allowed_domains": domains});
                }
                if let Some(live) = search.external_web_access {
                    param["external_web_access"] = json!(live);
                }
                param
            }
            BuiltinTool::FileSearch(search) => {
                json!({"type": "file_search", "vector_store_ids": search.file_store_ids})
            }
            BuiltinTool::CodeExecution(code) => {
                let mut container = json!({"type": "auto"});
                let file_ids = uploaded_file_ids(code.files.as_deref(), request.provider_name);
                if !file_ids.is_empty() {
                    container["file_ids"] = json!(file_ids);
                }
                json!({"type": "code_interpreter", "container": container})
            }
            BuiltinTool::MCPServer(server) => {
                let mut param = json!({"type": "mcp", "server_label": server.id,
                    "require_approval": "never"});
                if let Some(token) = &server.authorization_token {
                    param["authorization"] = json!(token);
                }
                if let Some(allowed) = &server.allowed_tools {
                    param["allowed_tools"] = json!(allowed);
                }
                if let Some(description) = &server.description {
                    param["server_description"] = json!(description);
                }
                if let Some(headers) = &server.headers {
                    param["headers"] = json!(headers);
                }
                match server.url.strip_prefix("x-openai-connector:") {
                    Some(connector) => param["connector_id"] = json!(connector),
                    None => param["server_url"] = json!(server.url),
                }
                param
            }
            BuiltinTool::ImageGeneration(image) => image_generation(image)?,
            other => {
                return Err(unsupported(
                    other,
                    request.provider_name,
                    request.model_name,
                    SUPPORTED,
                ))
            }
        });
    }
    Ok(tools)
}

/// The ids of the uploaded files (pydantic-ai's `UploadedFile` JSON) that belong to this
/// provider (named `provider` or, as pydantic-ai names it, `openai`); other providers' files
/// are left out, as pydantic-ai leaves them.
fn uploaded_file_ids<'f>(files: Option<&'f [Value]>, provider: &str) -> Vec<&'f str> {
    files
        .unwrap_or_default()
        .iter()
        .filter(|file| {
            matches!(file.get("provider_name").and_then(Value::as_str),
                Some(name) if name == provider || name == "openai")
        })
        .filter_map(|file| file.get("file_id").and_then(Value::as_str))
        .collect()
}

/// OpenAI's image sizes, and the aspect ratios it maps to them.
const SIZES: &[&str] = &["auto", "1024x1024", "1024x1536", "1536x1024"];
const RATIOS: &[(&str, &str)] = &[
    ("1:1", "1024x1024"),
    ("2:3", "1024x1536"),
    ("3:2", "1536x1024"),
];

fn image_generation(tool: &ImageGenerationTool) -> Result<Value> {
    let size = match (&tool.aspect_ratio, tool.size.as_deref()) {
        (None, None) => "auto",
        (None, Some(size)) if SIZES.contains(&size) => size,
        (None, Some(size)) => {
            return Err(Error::user(format!(
                "OpenAI image generation only supports `size` values {SIZES:?}, not `{size}`"
            )))
        }
        (Some(ratio), size) => {
            let Some((_, mapped)) = RATIOS.iter().find(|(r, _)| r == ratio) else {
                return Err(Error::user(format!(
                    "OpenAI image generation only supports `aspect_ratio` values 1:1, 2:3 and \
                     3:2, not `{ratio}`"
                )));
            };
            if !matches!(size, None | Some("auto")) && size != Some(*mapped) {
                return Err(Error::user(
                    "`ImageGenerationTool` cannot combine `aspect_ratio` with a conflicting \
                     `size` for OpenAI",
                ));
            }
            mapped
        }
    };
    let mut param = json!({
        "type": "image_generation",
        "action": tool.action,
        "background": tool.background,
        "moderation": tool.moderation,
        "output_compression": tool.output_compression.unwrap_or(100),
        "output_format": tool.output_format.map_or("png", |f| f.as_str()),
        "partial_images": tool.partial_images,
        "quality": tool.quality,
        "size": size,
    });
    if let Some(model) = &tool.model {
        param["model"] = json!(model);
    }
    if let Some(fidelity) = tool.input_fidelity {
        param["input_fidelity"] = json!(fidelity);
    }
    Ok(param)
}

fn text<'v>(item: &'v Value, key: &str) -> Option<&'v str> {
    item.get(key).and_then(Value::as_str)
}

fn call(tool: &str, id: &str, args: Option<Value>, provider: &str) -> BuiltinToolCallPart {
    BuiltinToolCallPart {
        args: args.map(|args| match args {
            Value::Object(map) => ToolArgs::Object(map),
            other => ToolArgs::Json(other.to_string()),
        }),
        ..BuiltinToolCallPart::new(tool, "", id).with_provider(provider)
    }
}

fn ret(tool: &str, id: &str, content: Value, provider: &str) -> ModelResponsePart {
    BuiltinToolReturnPart::new(tool, content, id)
        .with_provider(provider)
        .into()
}

/// The parts of a built-in tool's output item (pydantic-ai's `_map_*_tool_call`); `None` for
/// an item of another type.
pub(super) fn item_parts(item: &Value, provider: &str) -> Option<Vec<ModelResponsePart>> {
    let kind = text(item, "type")?;
    let id = text(item, "id").unwrap_or_default();
    let status = item.get("status").cloned().unwrap_or(Value::Null);
    let parts = match kind {
        "web_search_call" => {
            let mut result = json!({"status": status});
            let args = item.get("action").filter(|a| a.is_object()).map(|action| {
                let mut args: Map<String, Value> = action
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if let Some(sources) = args.remove("sources") {
                    result["sources"] = sources;
                }
                Value::Object(args)
            });
            let mut call = call("web_search", id, args, provider);
            call.id = Some(id.to_owned());
            vec![call.into(), ret("web_search", id, result, provider)]
        }
        "code_interpreter_call" => {
            let mut result = json!({"status": status});
            let mut files = Vec::new();
            let mut logs = Vec::new();
            for output in item["outputs"].as_array().into_iter().flatten() {
                match text(output, "type") {
                    Some("image") => {
                        if let Some(image) = text(output, "url").and_then(from_data_uri) {
                            files.push(file(image, id));
                        }
                    }
                    Some("logs") => logs.push(output["logs"].clone()),
                    _ => {}
                }
            }
            if !logs.is_empty() {
                result["logs"] = Value::Array(logs);
            }
            let args = json!({"container_id": item["container_id"],
                "code": text(item, "code").unwrap_or_default()});
            let mut parts = vec![call("code_execution", id, Some(args), provider).into()];
            parts.extend(files);
            parts.push(ret("code_execution", id, result, provider));
            parts
        }
        "image_generation_call" => {
            let mut result = json!({"status": status});
            for key in ["background", "quality", "size", "revised_prompt"] {
                if let Some(value) = item.get(key).filter(|v| !v.is_null() && v != &"") {
                    result[key] = value.clone();
                }
            }
            let format = text(item, "output_format").unwrap_or("png");
            let mut parts = vec![call("image_generation", id, None, provider).into()];
            if let Some(data) = text(item, "result").filter(|r| !r.is_empty()) {
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) {
                    let image = BinaryContent::new(bytes, format!("image/{format}"));
                    parts.push(file(image, id));
                    // The stream leaves `generating` although the image is done.
                    result["status"] = json!("completed");
                }
            }
            parts.push(ret("image_generation", id, result, provider));
            parts
        }
        "file_search_call" => {
            let mut result = json!({"status": status});
            if let Some(results) = item.get("results").filter(|r| !r.is_null()) {
                result["results"] = results.clone();
            }
            let args = json!({"queries": item["queries"]});
            let mut call = call("file_search", id, Some(args), provider);
            call.id = Some(id.to_owned());
            vec![call.into(), ret("file_search", id, result, provider)]
        }
        "mcp_call" | "mcp_list_tools" => {
            let name = format!(
                "mcp_server:{}",
                text(item, "server_label").unwrap_or_default()
            );
            let (args, result) = if kind == "mcp_call" {
                let tool_args = text(item, "arguments")
                    .filter(|a| !a.is_empty())
                    .map_or_else(
                        || json!({}),
                        |a| serde_json::from_str(a).unwrap_or(json!(a)),
                    );
                (
                    json!({"action": "call_tool", "tool_name": item["name"], "tool_args": tool_args}),
                    json!({"output": item["output"], "error": item["error"]}),
                )
            } else {
                (
                    json!({"action": "list_tools"}),
                    json!({"tools": item["tools"], "error": item["error"]}),
                )
            };
            vec![
                call(&name, id, Some(args), provider).into(),
                ret(&name, id, result, provider),
            ]
        }
        "compaction" => {
            // The item's fields, as the openai SDK's model dumps them.
            let mut details = Map::new();
            for key in ["id", "encrypted_content", "type", "created_by"] {
                details.insert(key.into(), item.get(key).cloned().unwrap_or(Value::Null));
            }
            vec![CompactionPart {
                id: Some(id.to_owned()),
                provider_name: Some(provider.to_owned()),
                provider_details: Some(details),
                ..CompactionPart::default()
            }
            .into()]
        }
        _ => return None,
    };
    Some(parts)
}

/// A generated file, with the id of its item (and, as pydantic-ai makes it, no provider: it
/// goes back with its item).
fn file(content: BinaryContent, id: &str) -> ModelResponsePart {
    FilePart {
        id: Some(id.to_owned()),
        ..FilePart::new(content)
    }
    .into()
}

/// The bytes of a `data:<media type>;base64,<data>` URI.
fn from_data_uri(uri: &str) -> Option<BinaryContent> {
    let rest = uri.strip_prefix("data:")?;
    let (media_type, data) = rest.split_once(";base64,")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .ok()?;
    Some(BinaryContent::new(bytes, media_type))
}

/// The input item a built-in tool call of this provider goes back as (its result is kept
/// server-side, by the item's id); `None` when it cannot go back.
pub(super) fn call_item(call: &BuiltinToolCallPart) -> Option<Value> {
    let id = call.tool_call_id.as_str();
    if id.is_empty() {
        return None;
    }
    let args = call.args_as_dict();
    Some(match call.tool_name.as_str() {
        "code_execution" => json!({"id": id, "type": "code_interpreter_call",
            "code": args.get("code"), "container_id": args.get("container_id")?,
            "outputs": null, "status": "completed"}),
        "web_search" if !args.is_empty() => {
            let action: Map<String, Value> =
                args.into_iter().filter(|(_, v)| !v.is_null()).collect();
            json!({"id": call.id.as_deref().unwrap_or(id), "type": "web_search_call",
                "action": action, "status": "completed"})
        }
        "file_search" if !args.is_empty() => json!({"id": call.id.as_deref().unwrap_or(id),
            "type": "file_search_call", "queries": args.get("queries").cloned()
                .unwrap_or_else(|| json!([])), "status": "completed"}),
        "image_generation" => json!({"id": id, "type": "image_generation_call"}),
        name => {
            let server = name.strip_prefix("mcp_server:")?;
            match args.get("action").and_then(Value::as_str)? {
                "list_tools" => json!({"id": id, "type": "mcp_list_tools",
                    "server_label": server, "tools": []}),
                "call_tool" => json!({"id": id, "type": "mcp_call", "server_label": server,
                    "name": args.get("tool_name")?, "arguments": args.get("tool_args")?.to_string(),
                    "error": null, "output": null}),
                _ => return None,
            }
        }
    })
}

/// The input item a compaction part of this provider goes back as (its encrypted content).
pub(super) fn compaction_item(part: &CompactionPart) -> Option<Value> {
    let encrypted = part.provider_details.as_ref()?.get("encrypted_content")?;
    Some(json!({"id": part.id, "encrypted_content": encrypted, "type": "compaction"}))
}

#[cfg(test)]
mod tests;
