//! Google's built-in tools in requests, as pydantic-ai's `GoogleModel` sends them: `WebSearchTool`
//! as `googleSearch`, `WebFetchTool` as `urlContext`, `CodeExecutionTool` as `codeExecution`,
//! `FileSearchTool` as `fileSearch` over its stores, after the function declarations;
//! `ImageGenerationTool` as `generationConfig.imageConfig` of an image model (with Vertex AI's
//! output format and compression); `toolConfig.includeServerSideToolInvocations` on Gemini 3 at
//! the Gemini API, so that the tools' calls come back as `toolCall`/`toolResponse` parts. Before
//! Gemini 3 a model takes built-in tools or function tools, not both.
//!
//! And the parts of those tools sent back in later turns (pydantic-ai's
//! `_native_tool_call_part_dict` and `_native_tool_return_part_dict`): code execution as
//! `executableCode`/`codeExecutionResult`, the others as `toolCall`/`toolResponse` to Gemini 3
//! when their id is Google's, generated files as `inlineData`; parts of another provider are
//! not sent.

use serde_json::{Map, Value};

use super::models::Family;
use super::wire::{Empty, ImageConfig, ImageOutputOptions, PartData, Tool};
use crate::error::{Error, Result};
use crate::messages::{BuiltinToolCallPart, BuiltinToolReturnPart};
use crate::models::{BuiltinTool, ImageFormat, ImageGenerationTool, ModelRequestParameters};

/// The built-in tools of every Gemini model.
const TOOLS: &[&str] = &["web_search", "code_execution", "web_fetch", "file_search"];

/// The built-in tools of an image model: image generation too.
const IMAGE_MODEL_TOOLS: &[&str] = &[
    "web_search",
    "code_execution",
    "web_fetch",
    "file_search",
    "image_generation",
];

/// The image sizes Google generates.
const IMAGE_SIZES: [&str; 4] = ["512", "1K", "2K", "4K"];

/// The names Vertex AI goes by (pydantic-ai's current one and its V1 one, ours).
const VERTEX_NAMES: [&str; 2] = ["google-vertex", "google-cloud"];

/// The names the Gemini API goes by (ours and pydantic-ai's current one).
const GEMINI_API_NAMES: [&str; 2] = ["google-gla", "google"];

/// The id prefix of pydantic-ai's generated tool call ids (and ours): a part with one was
/// rebuilt from grounding metadata and has no id Google knows.
const GENERATED_ID_PREFIX: &str = "pyd_ai_";

/// The built-in tool kinds `model` takes (image generation on image models only).
pub(super) fn supported(model: &str) -> &'static [&'static str] {
    if Family::of(model).image {
        IMAGE_MODEL_TOOLS
    } else {
        TOOLS
    }
}

/// Whether `provider` is Vertex AI.
pub(super) fn is_vertex(provider: &str) -> bool {
    VERTEX_NAMES.contains(&provider)
}

/// Whether a part marked with `name` came from `provider` (under its current or V1 name):
/// only then are its built-in tools' parts sent back.
pub(super) fn same_provider(provider: &str, name: Option<&str>) -> bool {
    let Some(name) = name else {
        return false;
    };
    [VERTEX_NAMES, GEMINI_API_NAMES]
        .iter()
        .find(|names| names.contains(&provider))
        .map_or(name == provider, |names| names.contains(&name))
}

/// What the built-in tools add to a request.
#[derive(Default)]
pub(super) struct BuiltinRequest<'a> {
    /// The tool entries, after the function declarations.
    pub(super) tools: Vec<Tool<'a>>,
    /// `generationConfig.imageConfig` of an `ImageGenerationTool`.
    pub(super) image_config: Option<ImageConfig<'a>>,
    /// `toolConfig.includeServerSideToolInvocations`.
    pub(super) include_invocations: bool,
}

/// The built-in tools of `parameters` as tool entries, image config and tool-config flag
/// (pydantic-ai's `_get_native_tools` and the end of `_get_tool_config`).
///
/// # Errors
/// [`Error::User`] for built-in tools beside function tools or output tools before Gemini 3,
/// image generation on a model that does not generate images, an image size or compression
/// Google does not have.
pub(super) fn builtin_request<'a>(
    parameters: &'a ModelRequestParameters,
    model: &str,
    provider: &str,
    family: Family,
) -> Result<BuiltinRequest<'a>> {
    let mut out = BuiltinRequest::default();
    if parameters.builtin_tools.is_empty() {
        return Ok(out);
    }
    if !family.gemini_3 {
        if !parameters.function_tools.is_empty() {
            return Err(Error::user(format!(
                "`{model}` does not support function tools and built-in tools at the same time \
                 (Gemini 3 and later do)"
            )));
        }
        let required = parameters.builtin_tools.iter().any(|t| !t.optional());
        if required && !parameters.output_tools.is_empty() {
            return Err(Error::user(format!(
                "`{model}` does not support output tools and built-in tools at the same time: \
                 use the `prompted` output mode"
            )));
        }
    }
    let vertex = is_vertex(provider);
    for tool in &parameters.builtin_tools {
        match tool {
            BuiltinTool::WebSearch(_) => out.tools.push(Tool::GoogleSearch(Empty {})),
            BuiltinTool::WebFetch(_) => out.tools.push(Tool::UrlContext(Empty {})),
            BuiltinTool::CodeExecution(_) => out.tools.push(Tool::CodeExecution(Empty {})),
            BuiltinTool::FileSearch(search) => out.tools.push(Tool::FileSearch {
                file_search_store_names: &search.file_store_ids,
            }),
            BuiltinTool::ImageGeneration(image) => {
                if !family.image {
                    return Err(Error::user(format!(
                        "`ImageGenerationTool` is not supported by `{model}`: use a model with \
                         `image` in its name"
                    )));
                }
                out.image_config = Some(image_config(image, vertex)?);
            }
            other => {
                return Err(Error::user(format!(
                    "`{}` is not supported by the Gemini API",
                    other.type_name()
                )))
            }
        }
    }
    // Gemini 3 at the Gemini API returns the server-side tools' calls as parts when asked;
    // earlier models reject the field, and Vertex AI does not have it.
    out.include_invocations = family.gemini_3
        && !vertex
        && parameters.builtin_tools.iter().any(|t| {
            matches!(
                t,
                BuiltinTool::WebSearch(_)
                    | BuiltinTool::WebFetch(_)
                    | BuiltinTool::FileSearch(_)
                    | BuiltinTool::CodeExecution(_)
            )
        });
    Ok(out)
}

/// `imageConfig` of an `ImageGenerationTool` (pydantic-ai's `_build_image_config`): the aspect
/// ratio and size; on Vertex AI also the output format and JPEG compression.
///
/// # Errors
/// [`Error::User`] for a size other than `512`, `1K`, `2K`, `4K`, a compression above 100 or
/// with a format other than JPEG.
fn image_config(tool: &ImageGenerationTool, vertex: bool) -> Result<ImageConfig<'_>> {
    let mut config = ImageConfig {
        aspect_ratio: tool.aspect_ratio.as_deref(),
        ..ImageConfig::default()
    };
    if let Some(size) = tool.size.as_deref() {
        if !IMAGE_SIZES.contains(&size) {
            return Err(Error::user(format!(
                "Google image generation only supports the `size` values 512, 1K, 2K and 4K, \
                 not `{size}`; leave `size` out for the default (1K)"
            )));
        }
        config.image_size = Some(size);
    }
    if vertex {
        let mut mime_type = tool.output_format.map(mime_type);
        if let Some(quality) = tool.output_compression {
            if quality > 100 {
                return Err(Error::user(format!(
                    "Google image generation's `output_compression` must be between 0 and 100, \
                     not {quality}"
                )));
            }
            if tool.output_format.is_some_and(|f| f != ImageFormat::Jpeg) {
                return Err(Error::user(
                    "Google image generation compresses JPEG images only: set `output_format` \
                     to jpeg or remove `output_compression`",
                ));
            }
            mime_type = Some("image/jpeg");
        }
        config.image_output_options = mime_type.map(|mime_type| ImageOutputOptions {
            mime_type,
            compression_quality: tool.output_compression,
        });
    }
    Ok(config)
}

/// The media type of an image format.
fn mime_type(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Webp => "image/webp",
        ImageFormat::Jpeg => "image/jpeg",
    }
}

/// The wire `toolType` of a built-in tool's name, for the tools whose calls come as parts.
pub(super) fn tool_type(tool_name: &str) -> Option<&'static str> {
    match tool_name {
        "web_search" => Some("GOOGLE_SEARCH_WEB"),
        "web_fetch" => Some("URL_CONTEXT"),
        "file_search" => Some("FILE_SEARCH"),
        _ => None,
    }
}

/// The built-in tool's name of a wire `toolType`.
pub(super) fn tool_name(tool_type: &str) -> Option<&'static str> {
    match tool_type {
        "GOOGLE_SEARCH_WEB" => Some("web_search"),
        "URL_CONTEXT" => Some("web_fetch"),
        "FILE_SEARCH" => Some("file_search"),
        _ => None,
    }
}

/// Whether a server-side tool's part may be sent back as `toolCall`/`toolResponse`: the model
/// takes them (Gemini 3) and the id is Google's, not one rebuilt from grounding metadata.
fn echoes(tool_call_id: &str, family: Family) -> bool {
    family.gemini_3 && !tool_call_id.starts_with(GENERATED_ID_PREFIX)
}

/// A built-in tool's call sent back; `None` when it is not sent.
///
/// # Errors
/// [`Error::User`] for a call of a tool Gemini does not have.
pub(super) fn call_data(
    call: &BuiltinToolCallPart,
    family: Family,
) -> Result<Option<PartData<'static>>> {
    if call.tool_name == "code_execution" {
        return Ok(Some(PartData::Builtin(
            "executableCode",
            Value::Object(call.args_as_dict()),
        )));
    }
    let Some(tool_type) = tool_type(&call.tool_name) else {
        return Err(unknown_tool(&call.tool_name));
    };
    if !echoes(&call.tool_call_id, family) {
        return Ok(None);
    }
    let mut wire = Map::new();
    wire.insert("id".into(), Value::String(call.tool_call_id.clone()));
    wire.insert("toolType".into(), Value::from(tool_type));
    wire.insert("args".into(), Value::Object(call.args_as_dict()));
    Ok(Some(PartData::Builtin("toolCall", Value::Object(wire))))
}

/// A built-in tool's return sent back; `None` when it is not sent.
///
/// # Errors
/// [`Error::User`] for a return of a tool Gemini does not have.
pub(super) fn return_data(
    ret: &BuiltinToolReturnPart,
    family: Family,
) -> Result<Option<PartData<'static>>> {
    if ret.tool_name == "code_execution" {
        if let Value::Object(result) = &ret.content {
            return Ok(Some(PartData::Builtin(
                "codeExecutionResult",
                Value::Object(result.clone()),
            )));
        }
    }
    let Some(tool_type) = tool_type(&ret.tool_name) else {
        return Err(unknown_tool(&ret.tool_name));
    };
    if !echoes(&ret.tool_call_id, family) {
        return Ok(None);
    }
    let response = match &ret.content {
        Value::Object(map) => Value::Object(map.clone()),
        other => {
            let mut map = Map::new();
            map.insert("result".into(), other.clone());
            Value::Object(map)
        }
    };
    let mut wire = Map::new();
    wire.insert("id".into(), Value::String(ret.tool_call_id.clone()));
    wire.insert("toolType".into(), Value::from(tool_type));
    wire.insert("response".into(), response);
    Ok(Some(PartData::Builtin("toolResponse", Value::Object(wire))))
}

/// The error for a Gemini built-in tool part of a tool Gemini does not have.
fn unknown_tool(name: &str) -> Error {
    Error::user(format!(
        "a built-in tool part of `{name}` marked as Gemini's cannot be sent back: Gemini's \
         built-in tools are web_search, web_fetch, file_search and code_execution (whose \
         return must be an object)"
    ))
}

#[cfg(test)]
mod tests;
