//! Groq's `executed_tools`: the web searches its compound models run on the server, as
//! `web_search` built-in tool call and return parts (pydantic-ai's `GroqModel`). A whole
//! message carries each search whole; a stream announces it (arguments, no results: the call)
//! and later repeats it with its results (the return). Other tools (`visit`, …) have no
//! counterpart in pydantic-ai and are reported with a warning.

use serde_json::{Map, Value};

use super::wire::ExecutedTool;
use crate::error::{Error, Result};
use crate::messages::{
    generate_tool_call_id, BuiltinToolCallPart, BuiltinToolReturnPart, ModelResponsePart, ToolArgs,
};
use crate::stream::{PartsManager, VendorId};
use crate::warning::{Warning, Warnings};

/// The tool name of the parts (pydantic-ai's `WebSearchTool.kind`).
const WEB_SEARCH: &str = "web_search";

/// The call and return parts of the searches of a whole message; other tools go to `warnings`.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] when a search's arguments are not JSON.
pub(super) fn whole_parts(
    tools: &[ExecutedTool],
    provider_name: &str,
    warnings: &mut Warnings,
) -> Result<Vec<ModelResponsePart>> {
    let mut parts = Vec::new();
    for tool in tools {
        if tool.kind != "search" {
            warnings.push(not_search(tool));
            continue;
        }
        let id = generate_tool_call_id();
        parts.push(call(tool, provider_name, &id)?.into());
        parts.push(result(tool, provider_name, id).into());
    }
    Ok(parts)
}

/// Applies the searches of one stream delta: a search without results yet starts its call, one
/// with results adds its return (with the id of the call before it, as pydantic-ai pairs them).
/// `open_call` is the id of the call waiting for its return. Returns whether a part was added.
///
/// # Errors
/// As [`whole_parts`].
pub(super) fn stream_parts(
    tools: &[ExecutedTool],
    open_call: &mut Option<String>,
    parts: &mut PartsManager,
) -> Result<bool> {
    // Almost every chunk has none: no copy of the provider's name for them.
    if tools.is_empty() {
        return Ok(false);
    }
    let mut added = false;
    let provider = parts.provider_name.clone().unwrap_or_default();
    for tool in tools {
        if tool.kind != "search" {
            parts.warnings.push(not_search(tool));
            continue;
        }
        let index = tool.index.unwrap_or(0);
        let id = open_call.take().unwrap_or_else(generate_tool_call_id);
        if has_results(tool) {
            let key = format!("executed_tools-{index}-return");
            let part = result(tool, &provider, id);
            parts.handle_part(Some(VendorId::Key(&key)), part.into());
        } else {
            let key = format!("executed_tools-{index}-call");
            let part = call(tool, &provider, &id)?;
            parts.handle_part(Some(VendorId::Key(&key)), part.into());
            *open_call = Some(id);
        }
        added = true;
    }
    Ok(added)
}

fn call(tool: &ExecutedTool, provider_name: &str, id: &str) -> Result<BuiltinToolCallPart> {
    let arguments = tool.arguments.as_deref().unwrap_or("{}");
    let args: Map<String, Value> = serde_json::from_str(arguments).map_err(|e| {
        Error::unexpected_with_body(
            format!("the arguments of an executed search are not a JSON object: {e}"),
            arguments.as_bytes(),
        )
    })?;
    Ok(BuiltinToolCallPart {
        provider_name: Some(provider_name.to_owned()),
        ..BuiltinToolCallPart::new(WEB_SEARCH, ToolArgs::Object(args), id)
    })
}

fn result(tool: &ExecutedTool, provider_name: &str, id: String) -> BuiltinToolReturnPart {
    BuiltinToolReturnPart {
        provider_name: Some(provider_name.to_owned()),
        ..BuiltinToolReturnPart::new(WEB_SEARCH, content(tool), id)
    }
}

/// Whether the search has structured results (results or images).
fn has_results(tool: &ExecutedTool) -> bool {
    tool.search_results.as_ref().is_some_and(|found| {
        ["results", "images"].iter().any(|key| {
            found
                .get(*key)
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        })
    }) || tool.output.as_deref().is_some_and(|o| !o.is_empty())
}

/// What the return part holds: the structured results as the groq SDK dumps them (`images`
/// and `results`, each result with `content`, `score`, `title`, `url`, null when absent), or
/// the text output when there are none.
fn content(tool: &ExecutedTool) -> Value {
    let found = tool.search_results.as_ref();
    let list = |key: &str| {
        found
            .and_then(|f| f.get(key))
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
    };
    if list("results").is_none() && list("images").is_none() {
        return tool.output.clone().map_or(Value::Null, Value::String);
    }
    let results = found
        .and_then(|f| f.get("results"))
        .cloned()
        .map(|results| match results {
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(mut result) => {
                            for key in ["content", "score", "title", "url"] {
                                result.entry(key).or_insert(Value::Null);
                            }
                            Value::Object(result)
                        }
                        other => other,
                    })
                    .collect(),
            ),
            other => other,
        });
    let mut dumped = Map::new();
    dumped.insert(
        "images".into(),
        found
            .and_then(|f| f.get("images"))
            .cloned()
            .unwrap_or(Value::Null),
    );
    dumped.insert("results".into(), results.unwrap_or(Value::Null));
    Value::Object(dumped)
}

fn not_search(tool: &ExecutedTool) -> Warning {
    Warning::dropped_content(
        "executed_tools",
        format!(
            "the server-side tool `{}` that Groq ran has no built-in tool part; it is not kept",
            tool.kind
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelRequestParameters;
    use serde_json::json;

    fn tool(value: Value) -> ExecutedTool {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_search_becomes_a_call_and_its_return_and_a_visit_a_warning() {
        let tools = [
            tool(
                json!({"index": 0, "type": "search", "arguments": "{\"query\": \"q\"}",
                        "output": "text", "search_results": {"results": [{"url": "https://a", "score": 0.5}]}}),
            ),
            tool(json!({"index": 1, "type": "visit", "arguments": "{\"url\": \"https://a\"}"})),
        ];
        let mut warnings = Warnings::new();
        let parts = whole_parts(&tools, "groq", &mut warnings).unwrap();
        assert_eq!(warnings.len(), 1);
        let [ModelResponsePart::BuiltinToolCall(call), ModelResponsePart::BuiltinToolReturn(ret)] =
            parts.as_slice()
        else {
            panic!("{parts:?}")
        };
        assert_eq!(
            call.args,
            Some(ToolArgs::Object(
                json!({"query": "q"}).as_object().unwrap().clone()
            ))
        );
        assert_eq!(call.tool_call_id, ret.tool_call_id);
        assert_eq!(call.provider_name.as_deref(), Some("groq"));
        assert_eq!(
            ret.content,
            json!({"images": null, "results": [{"url": "https://a", "score": 0.5, "content": null, "title": null}]})
        );
    }

    #[test]
    fn a_search_without_structured_results_returns_its_text_output() {
        let tools = [tool(
            json!({"type": "search", "arguments": "{}", "output": "found"}),
        )];
        let parts = whole_parts(&tools, "groq", &mut Warnings::new()).unwrap();
        let ModelResponsePart::BuiltinToolReturn(ret) = &parts[1] else {
            panic!("{parts:?}")
        };
        assert_eq!(ret.content, json!("found"));
    }

    #[test]
    fn arguments_that_are_not_json_are_an_error_not_a_panic() {
        let tools = [tool(json!({"type": "search", "arguments": "{not json"}))];
        let err = whole_parts(&tools, "groq", &mut Warnings::new()).unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn streamed_the_return_pairs_with_the_announced_call() {
        let mut parts = PartsManager::new("groq/compound", &ModelRequestParameters::default())
            .with_provider("groq", None);
        let mut open = None;
        let announced = [tool(
            json!({"index": 0, "type": "search", "arguments": "{\"query\": \"q\"}"}),
        )];
        stream_parts(&announced, &mut open, &mut parts).unwrap();
        let done = [tool(
            json!({"index": 0, "type": "search", "arguments": "{\"query\": \"q\"}",
                                "search_results": {"results": [{"url": "u"}]}}),
        )];
        stream_parts(&done, &mut open, &mut parts).unwrap();
        assert_eq!(open, None);
        let all: Vec<_> = parts.parts().cloned().collect();
        let [ModelResponsePart::BuiltinToolCall(call), ModelResponsePart::BuiltinToolReturn(ret)] =
            all.as_slice()
        else {
            panic!("{all:?}")
        };
        assert_eq!(call.tool_call_id, ret.tool_call_id);
    }
}
