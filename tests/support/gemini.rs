//! The Gemini halves of the conformance suites shared by `tests/gemini_conformance.rs` and
//! `tests/vertex_conformance.rs` (Gemini on Vertex AI): the accepted differences' shape, the
//! renames they apply, the recorded tools (function and built-in) and SSE events.

use llm_runtime::http::sse::SseDecoder;
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::models::{
    BuiltinTool, CodeExecutionTool, FileSearchTool, ImageFormat, ImageGenerationTool, WebFetchTool,
    WebSearchTool,
};
use llm_runtime::providers::Protocol;
use llm_runtime::tools::ToolDefinition;
use serde_json::Value;

use super::conformance::{our_request_body, Interaction};
use super::recordings::diff;

/// A difference from the oracle accepted on purpose.
pub struct Accepted {
    /// What is compared: `response`, `events` or `request`.
    pub aspect: &'static str,
    /// The difference.
    pub what: &'static str,
    /// Why it is accepted.
    pub why: &'static str,
    /// Removes the difference from both sides (oracle, ours).
    pub apply: fn(&mut Value, &mut Value),
}

/// Applies every accepted difference of `aspect` to both sides.
pub fn apply_accepted(accepted: &[Accepted], aspect: &str, oracle: &mut Value, ours: &mut Value) {
    for accepted in accepted {
        if accepted.aspect == aspect {
            (accepted.apply)(oracle, ours);
        }
    }
}

/// Renames the keys `from` to `to` everywhere in `value`.
pub fn rename_keys(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            if let Some(v) = map.remove(from) {
                map.insert(to.to_owned(), v);
            }
            map.values_mut().for_each(|v| rename_keys(v, from, to));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_keys(v, from, to)),
        _ => {}
    }
}

/// Replaces the part-level `provider_name` `ours` by pydantic-ai 2.x's `theirs` everywhere in
/// `value` (`google-gla` is `google` there, `google-vertex` is `google-cloud`).
pub fn rename_provider(value: &mut Value, ours: &str, theirs: &str) {
    match value {
        Value::Object(map) => {
            if map.get("provider_name").and_then(Value::as_str) == Some(ours) {
                map.insert("provider_name".into(), Value::from(theirs));
            }
            map.values_mut()
                .for_each(|v| rename_provider(v, ours, theirs));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| rename_provider(v, ours, theirs)),
        _ => {}
    }
}

/// The fields of pydantic-ai 2.33's `RequestUsage` that our `Usage` does not have.
pub const USAGE_FIELDS_WE_LACK: [&str; 11] = [
    "input_text_tokens",
    "input_image_tokens",
    "input_video_tokens",
    "input_tool_tokens",
    "input_text_tool_tokens",
    "output_text_tokens",
    "output_reasoning_tokens",
    "cache_text_read_tokens",
    "cache_video_read_tokens",
    "cache_image_read_tokens",
    "output_image_tokens",
];

/// The events of an SSE body, decoded by the HTTP layer's decoder.
pub fn sse_events(body: &[u8]) -> Vec<(String, String)> {
    let mut decoder = SseDecoder::new();
    decoder.push(body);
    let mut events = Vec::new();
    while let Some(event) = decoder.next_event().expect("a recorded stream decodes") {
        events.push((event.event.to_owned(), event.data.to_owned()));
    }
    if let Some(event) = decoder.finish().expect("a recorded stream decodes") {
        events.push((event.event.to_owned(), event.data.to_owned()));
    }
    events
}

/// The function tools of a recorded Gemini request (`final_result*` output tools are not
/// sent for the text output mode, as pydantic-ai's prepare step drops them).
pub fn recorded_tools(request: &Value) -> Vec<ToolDefinition> {
    let mut tools = Vec::new();
    let declarations = request
        .pointer("/parsed_body/tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|tool| tool.get("functionDeclarations").and_then(Value::as_array))
        .flatten();
    for declaration in declarations {
        let name = declaration["name"].as_str().unwrap().to_owned();
        if name.starts_with("final_result") {
            continue;
        }
        let mut def = ToolDefinition::new(name);
        def.description = declaration
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let schema = [
            "parameters_json_schema",
            "parametersJsonSchema",
            "parameters",
        ]
        .iter()
        .find_map(|key| declaration.get(*key).filter(|p| !p.is_null()));
        if let Some(schema) = schema {
            def.parameters_json_schema = schema.clone();
        }
        tools.push(def);
    }
    tools
}

/// A response without its builtin-tool call and return parts.
pub fn without_builtin_parts(response: &Value) -> Value {
    let mut response = response.clone();
    if let Some(parts) = response.get_mut("parts").and_then(Value::as_array_mut) {
        parts.retain(|part| {
            !matches!(
                part["part_kind"].as_str(),
                Some("builtin-tool-call" | "builtin-tool-return")
            )
        });
    }
    response
}

/// The built-in tools a recorded Gemini request enabled: its `googleSearch`, `urlContext`,
/// `codeExecution` and `fileSearch` tool entries, and its `imageConfig` as an
/// `ImageGenerationTool`.
pub fn recorded_builtin_tools(request: &Value) -> Vec<BuiltinTool> {
    let body = request.get("parsed_body").unwrap_or(&Value::Null);
    let mut tools: Vec<BuiltinTool> = Vec::new();
    for tool in body["tools"].as_array().into_iter().flatten() {
        if tool.get("googleSearch").is_some() {
            tools.push(WebSearchTool::default().into());
        } else if tool.get("urlContext").is_some() {
            tools.push(WebFetchTool::default().into());
        } else if tool.get("codeExecution").is_some() {
            tools.push(CodeExecutionTool::default().into());
        } else if let Some(search) = tool.get("fileSearch") {
            let stores = search["file_search_store_names"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            tools.push(
                FileSearchTool {
                    file_store_ids: stores,
                    ..Default::default()
                }
                .into(),
            );
        }
    }
    if let Some(config) = body.pointer("/generationConfig/imageConfig") {
        let options = &config["imageOutputOptions"];
        let format = match options["mimeType"].as_str() {
            Some("image/png") => Some(ImageFormat::Png),
            Some("image/webp") => Some(ImageFormat::Webp),
            Some("image/jpeg") => Some(ImageFormat::Jpeg),
            _ => None,
        };
        tools.push(
            ImageGenerationTool {
                aspect_ratio: config["aspectRatio"].as_str().map(str::to_owned),
                size: config["imageSize"].as_str().map(str::to_owned),
                output_format: format,
                output_compression: options["compressionQuality"]
                    .as_u64()
                    .and_then(|q| u8::try_from(q).ok()),
                ..Default::default()
            }
            .into(),
        );
    }
    tools
}

/// What built-in tools put in a request body: the tool entries other than function
/// declarations (sorted: recordings from older pydantic-ai versions put them first),
/// `toolConfig.includeServerSideToolInvocations` and `generationConfig.imageConfig`.
pub fn builtin_shape(body: &Value) -> Value {
    let mut entries: Vec<Value> = body["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|tool| tool.get("functionDeclarations").is_none())
        .cloned()
        .collect();
    entries.sort_by_key(Value::to_string);
    serde_json::json!({
        "tools": entries,
        "includeServerSideToolInvocations":
            body.pointer("/toolConfig/includeServerSideToolInvocations").cloned(),
        "imageConfig": body.pointer("/generationConfig/imageConfig").cloned(),
    })
}

/// Builds our request for the interaction `it` with the built-in tools its recorded `request`
/// enabled (and its function tools), and compares what the tools put in the body
/// ([`builtin_shape`]) with the recorded body's. `None` when the request enabled none.
pub fn check_builtin_request<P: Protocol>(
    protocol: &P,
    provider_name: &str,
    it: &Interaction<'_>,
    request: &Value,
) -> Option<Result<(), String>> {
    let builtin_tools = recorded_builtin_tools(request);
    if builtin_tools.is_empty() {
        return None;
    }
    let parameters = ModelRequestParameters {
        function_tools: it.tools.clone(),
        builtin_tools,
        ..Default::default()
    };
    let ours = builtin_shape(&our_request_body(
        protocol,
        provider_name,
        it.model_name,
        &parameters,
        it.streaming,
    ));
    let recorded = builtin_shape(request.get("parsed_body").unwrap_or(&Value::Null));
    Some(if ours == recorded {
        Ok(())
    } else {
        Err(diff(
            &format!("{} builtin request", it.key),
            &recorded,
            &ours,
        ))
    })
}
