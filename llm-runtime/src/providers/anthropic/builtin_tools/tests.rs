use super::super::test_kit::{body, body_with, named, parse, protocol, PROVIDER, SONNET_45};
use super::*;
use crate::messages::{ModelRequest, ModelResponse};
use crate::models::{
    AdvisorTool, CodeExecutionTool, MemoryTool, ModelRequestParameters, WebSearchUserLocation,
    XSearchTool,
};
use crate::providers::test_support::{prompt, run_stream};
use crate::providers::{Protocol, ResponseContext};
use crate::settings::ModelSettings;
use crate::tools::ToolDefinition;

fn with_tools(
    tools: Vec<BuiltinTool>,
    function_tools: Vec<ToolDefinition>,
) -> ModelRequestParameters {
    ModelRequestParameters {
        builtin_tools: tools,
        function_tools,
        ..Default::default()
    }
}

#[test]
fn server_tools_are_sent_as_pydantic_ai_sends_them() {
    let parameters = with_tools(
        vec![
            WebSearchTool {
                max_uses: Some(2),
                user_location: Some(WebSearchUserLocation {
                    city: Some("Paris".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }
            .into(),
            CodeExecutionTool::default().into(),
            WebFetchTool {
                enable_citations: true,
                ..Default::default()
            }
            .into(),
            AdvisorTool {
                model: "claude-opus-4-6".into(),
                caching: Some("5m".into()),
                ..Default::default()
            }
            .into(),
            MCPServerTool {
                id: "deepwiki".into(),
                url: "https://mcp.deepwiki.com/mcp".into(),
                allowed_tools: Some(vec!["ask_question".into()]),
                authorization_token: Some("tok".into()),
                ..Default::default()
            }
            .into(),
        ],
        vec![],
    );
    let sent = body_with(
        "claude-sonnet-4-0",
        &prompt("x"),
        &ModelSettings::default(),
        &parameters,
        false,
    )
    .unwrap();
    assert_eq!(
        sent["tools"],
        json!([
            {"name": "web_search", "type": "web_search_20250305", "max_uses": 2,
             "allowed_domains": null, "blocked_domains": null,
             "user_location": {"type": "approximate", "city": "Paris"}},
            {"name": "code_execution", "type": "code_execution_20250825"},
            {"name": "web_fetch", "type": "web_fetch_20250910", "max_uses": null,
             "allowed_domains": null, "blocked_domains": null, "citations": {"enabled": true},
             "max_content_tokens": null},
            {"type": "advisor_20260301", "name": "advisor", "model": "claude-opus-4-6",
             "caching": {"type": "ephemeral", "ttl": "5m"}}
        ])
    );
    assert_eq!(sent["tool_choice"], json!({"type": "auto"}));
    assert_eq!(
        sent["mcp_servers"],
        json!([{"type": "url", "name": "deepwiki", "url": "https://mcp.deepwiki.com/mcp",
            "tool_configuration": {"enabled": true, "allowed_tools": ["ask_question"]},
            "authorization_token": "tok"}])
    );
    let messages = prompt("x");
    let settings = ModelSettings::default();
    let profile = crate::models::ModelProfile::default();
    let prepared = PreparedRequest {
        model_name: "claude-sonnet-4-0",
        provider_name: PROVIDER,
        messages: &messages,
        settings: &settings,
        parameters: &parameters,
        profile: &profile,
    };
    assert_eq!(
        protocol().request_headers(&prepared),
        vec![(
            "anthropic-beta",
            "advisor-tool-2026-03-01,mcp-client-2025-04-04,web-fetch-2025-09-10".to_owned()
        )]
    );
    // Models with dynamic filtering take the newer web tools, without the fetch beta.
    let sent = body_with(
        "claude-opus-4-6",
        &prompt("x"),
        &settings,
        &parameters,
        false,
    )
    .unwrap();
    assert_eq!(sent["tools"][0]["type"], "web_search_20260209");
    assert_eq!(sent["tools"][1]["type"], "code_execution_20260120");
    assert_eq!(sent["tools"][2]["type"], "web_fetch_20260209");
}

#[test]
fn the_memory_tool_replaces_its_handler_and_needs_it() {
    let parameters = with_tools(vec![MemoryTool::default().into()], vec![named("memory")]);
    let sent = body(&prompt("x"), &parameters);
    assert_eq!(
        sent["tools"],
        json!([{"name": "memory", "type": "memory_20250818"}])
    );
    let alone = with_tools(vec![MemoryTool::default().into()], vec![]);
    let err = body_with(
        SONNET_45,
        &prompt("x"),
        &ModelSettings::default(),
        &alone,
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`memory`"), "{err}");
    // A tool the API does not have, reaching the translation directly, is an error too.
    let x = with_tools(vec![XSearchTool::default().into()], vec![]);
    let err = body_with(
        SONNET_45,
        &prompt("x"),
        &ModelSettings::default(),
        &x,
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("XSearchTool"), "{err}");
}

/// A response with a web search, a code execution in bash, an MCP call and a compaction.
fn server_body() -> Value {
    json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": SONNET_45,
        "content": [
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
             "input": {"query": "weather"}},
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
             "content": [{"type": "web_search_result", "url": "https://a.example", "title": "A",
                          "encrypted_content": "Eq", "page_age": null}]},
            {"type": "server_tool_use", "id": "srvtoolu_2", "name": "bash_code_execution",
             "input": {"command": "ls"},
             "caller": {"type": "code_execution_20250825", "tool_id": "srvtoolu_0"}},
            {"type": "bash_code_execution_tool_result", "tool_use_id": "srvtoolu_2",
             "content": {"type": "bash_code_execution_result", "stdout": "a", "stderr": "",
                         "return_code": 0, "content": []}},
            {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "ask", "server_name": "wiki",
             "input": {"q": 1}},
            {"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "is_error": false,
             "content": [{"type": "text", "text": "answer"}]},
            {"type": "compaction", "content": "summary", "encrypted_content": null},
            {"type": "text", "text": "Done."}
        ],
        "stop_reason": "end_turn", "usage": {"input_tokens": 10, "output_tokens": 5}
    })
}

fn enabled() -> Vec<BuiltinTool> {
    vec![
        WebSearchTool::default().into(),
        CodeExecutionTool::default().into(),
    ]
}

#[test]
fn server_blocks_become_builtin_parts_and_go_back_as_the_same_blocks() {
    let tools = enabled();
    let response = protocol()
        .parse_response(
            server_body().to_string().as_bytes(),
            &mut ResponseContext::new(SONNET_45, PROVIDER).with_builtin_tools(&tools),
        )
        .unwrap();
    let kinds: Vec<_> = response.parts.iter().map(|p| p.part_kind()).collect();
    use crate::messages::PartKind::*;
    assert_eq!(
        kinds,
        [
            BuiltinToolCall,
            BuiltinToolReturn,
            BuiltinToolCall,
            BuiltinToolReturn,
            BuiltinToolCall,
            BuiltinToolReturn,
            Compaction,
            Text
        ]
    );
    let ModelResponsePart::BuiltinToolCall(bash) = &response.parts[2] else {
        unreachable!()
    };
    assert_eq!(bash.tool_name, "code_execution");
    assert_eq!(
        bash.provider_details.as_ref().unwrap()["anthropic_tool_name"],
        "bash_code_execution"
    );
    let ModelResponsePart::BuiltinToolReturn(mcp) = &response.parts[5] else {
        unreachable!()
    };
    assert_eq!(mcp.tool_name, "mcp_server:wiki");
    assert_eq!(mcp.content["is_error"], false);

    // Sent back to Anthropic: the blocks as they came (null fields aside).
    let mut history = prompt("x");
    history.push(response.clone().into());
    history.push(ModelRequest::user_text_prompt("more").into());
    let parameters = with_tools(tools.clone(), vec![]);
    let sent = body(&history, &parameters);
    let mut expected = server_body()["content"].clone();
    expected[6] = json!({"type": "compaction", "content": "summary"});
    assert_eq!(sent["messages"][1]["content"], expected);
    assert_eq!(
        sent["context_management"],
        json!({"edits": [{"type": "compact_20260112"}]})
    );

    // To another provider's model, or from another provider, they are not sent.
    let mut foreign = response;
    for part in &mut foreign.parts {
        if let Some(details) = part.provider_details().cloned() {
            part.set_provider_details("openai", details);
        } else {
            part.set_provider_details("openai", Map::new());
        }
    }
    let mut history = prompt("x");
    history.push(foreign.into());
    let sent = body(&history, &parameters);
    assert_eq!(
        sent["messages"][1]["content"],
        json!([{"type": "text", "text": "Done."}])
    );
}

#[test]
fn a_call_of_a_tool_not_enabled_is_kept_only_with_its_result() {
    let body = json!({"type": "message", "content": [
        {"type": "server_tool_use", "id": "a", "name": "web_search", "input": {}},
        {"type": "server_tool_use", "id": "b", "name": "web_fetch", "input": {"url": "u"}},
        {"type": "web_fetch_tool_result", "tool_use_id": "b", "content": {"type": "web_fetch_result"}}
    ]});
    let response = parse(body);
    let names: Vec<_> = response
        .parts
        .iter()
        .map(|p| serde_json::to_value(p).unwrap()["tool_name"].clone())
        .collect();
    assert_eq!(names, [json!("web_fetch"), json!("web_fetch")]);
}

/// The stream of [`server_body`], as Anthropic sends it: the server calls' input as JSON
/// fragments, the results and compaction whole; `(event name, data)` pairs.
fn server_stream() -> Vec<(String, String)> {
    let content = server_body()["content"].as_array().unwrap().clone();
    let mut events = vec![json!({"type": "message_start", "message": {"id": "msg_1",
        "type": "message", "role": "assistant", "model": SONNET_45, "content": [],
        "usage": {"input_tokens": 10, "output_tokens": 0}}})];
    for (index, block) in content.into_iter().enumerate() {
        let mut start = block.clone();
        let streamed_input = matches!(
            block["type"].as_str(),
            Some("server_tool_use" | "mcp_tool_use")
        );
        if streamed_input {
            start["input"] = json!({});
        }
        if block["type"] == "text" {
            start["text"] = json!("");
        }
        events.push(json!({"type": "content_block_start", "index": index, "content_block": start}));
        if streamed_input {
            let text = block["input"].to_string();
            let (a, b) = text.split_at(text.len() / 2);
            for piece in ["", a, b] {
                events.push(json!({"type": "content_block_delta", "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": piece}}));
            }
        }
        if block["type"] == "text" {
            events.push(json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "text_delta", "text": block["text"]}}));
        }
        events.push(json!({"type": "content_block_stop", "index": index}));
    }
    events.push(
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
        "usage": {"output_tokens": 5}}),
    );
    events.push(json!({"type": "message_stop"}));
    events
        .iter()
        .map(|e| (e["type"].as_str().unwrap().to_owned(), e.to_string()))
        .collect()
}

#[test]
fn a_stream_of_server_tools_gives_the_parts_of_the_whole_response() {
    let tools = enabled();
    let parameters = with_tools(tools.clone(), vec![]);
    let whole = protocol()
        .parse_response(
            server_body().to_string().as_bytes(),
            &mut ResponseContext::new(SONNET_45, PROVIDER).with_builtin_tools(&tools),
        )
        .unwrap();
    let stream = server_stream();
    let parts = crate::stream::PartsManager::new(SONNET_45, &parameters);
    let (streamed, events) = run_stream(
        &protocol(),
        parts,
        stream.iter().map(|(n, d)| (n.as_str(), d.as_str())),
    )
    .unwrap();
    assert_eq!(strip_times(streamed), strip_times(whole));
    let starts = events
        .iter()
        .filter(|e| matches!(e, crate::messages::ModelResponseStreamEvent::PartStart(_)))
        .count();
    assert_eq!(starts, 8);
}

/// The response with the timestamps of its returns and its own zeroed, and the fields only a
/// driver fills removed, for comparing a stream with a whole body.
fn strip_times(mut response: ModelResponse) -> Vec<ModelResponsePart> {
    for part in &mut response.parts {
        if let ModelResponsePart::BuiltinToolReturn(ret) = part {
            ret.timestamp = chrono::DateTime::UNIX_EPOCH;
        }
    }
    response.parts
}
