//! Built-in tools in request bodies: one case per (protocol, tool), each with a body to
//! compare with. A case is either a recorded request (`../shared/fixtures/cassettes`: the
//! tool's options are those the recording shows, and the tool entries of our body must equal
//! the recorded ones) or a tool with every option set, whose expected entries are written out
//! from pydantic-ai 2.33's mapping (named in the case). Used by `tests/builtin_tool_bodies.rs`
//! and, for OpenAI Responses, by `tests/prism_openai_responses.rs`.

use llm_runtime::models::{BuiltinTool, ModelRequestParameters};
use llm_runtime::tools::ToolDefinition;
use serde_json::{json, Value};

/// The protocols that take built-in tools, as the case names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    Responses,
    Anthropic,
    Bedrock,
}

/// What a case's tool entries are compared with.
pub enum Expected {
    /// The tool entries of a recorded request: cassette (under `cassettes/`) and interaction.
    Recorded(&'static str, usize),
    /// The tool entries written out from pydantic-ai's mapping, and the `anthropic-beta`
    /// features it adds.
    Written(Value, &'static [&'static str]),
}

/// One request with built-in tools.
pub struct Case {
    pub name: &'static str,
    pub wire: Wire,
    pub model: &'static str,
    pub tools: Vec<BuiltinTool>,
    /// Function tools sent beside them (Anthropic's memory tool needs its handler).
    pub function_tools: Vec<&'static str>,
    pub expected: Expected,
}

impl Case {
    /// The request parameters of the case.
    pub fn parameters(&self) -> ModelRequestParameters {
        ModelRequestParameters {
            builtin_tools: self.tools.clone(),
            function_tools: self
                .function_tools
                .iter()
                .map(|name| {
                    ToolDefinition::new(*name)
                        .with_parameters(json!({"type": "object", "properties": {}}))
                })
                .collect(),
            allow_text_output: true,
            ..Default::default()
        }
    }
}

/// A built-in tool from pydantic-ai's JSON (`kind`-tagged).
fn tool(value: Value) -> BuiltinTool {
    serde_json::from_value(value).expect("a built-in tool in pydantic-ai's JSON")
}

fn recorded(
    name: &'static str,
    wire: Wire,
    model: &'static str,
    tools: Vec<Value>,
    cassette: &'static str,
    interaction: usize,
) -> Case {
    Case {
        name,
        wire,
        model,
        tools: tools.into_iter().map(tool).collect(),
        function_tools: Vec::new(),
        expected: Expected::Recorded(cassette, interaction),
    }
}

fn written(
    name: &'static str,
    wire: Wire,
    model: &'static str,
    tools: Vec<Value>,
    expected: Value,
    betas: &'static [&'static str],
) -> Case {
    Case {
        name,
        wire,
        model,
        tools: tools.into_iter().map(tool).collect(),
        function_tools: Vec::new(),
        expected: Expected::Written(expected, betas),
    }
}

/// The built-in tool entries of a body: Responses' non-function `tools`, Anthropic's typed
/// `tools` (server tools) and its `mcp_servers`, Bedrock's `systemTool`s.
pub fn tool_entries(wire: Wire, body: &Value) -> Value {
    let listed = match wire {
        Wire::Responses | Wire::Anthropic => &body["tools"],
        Wire::Bedrock => &body["toolConfig"]["tools"],
    };
    let tools: Vec<Value> = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| match wire {
            Wire::Responses => t["type"] != "function",
            Wire::Anthropic => t.get("type").is_some_and(|k| k != "custom"),
            Wire::Bedrock => t.get("systemTool").is_some(),
        })
        .cloned()
        .collect();
    let mut entries = json!({"tools": tools});
    if let Some(servers) = body.get("mcp_servers") {
        entries["mcp_servers"] = servers.clone();
    }
    entries
}

/// The OpenAI Responses cases.
pub fn responses_cases() -> Vec<Case> {
    use Wire::Responses as R;
    vec![
        recorded("web_search", R, "gpt-5", vec![json!({"kind": "web_search"})],
            "test_openai_responses/test_openai_responses_model_web_search_tool.yaml", 0),
        recorded("web_search user_location", R, "gpt-5",
            vec![json!({"kind": "web_search", "user_location": {"city": "Utrecht", "region": "NL"}})],
            "test_openai_responses/test_openai_responses_model_web_search_tool_with_user_location.yaml", 0),
        recorded("web_search allowed_domains", R, "gpt-5",
            vec![json!({"kind": "web_search", "allowed_domains": ["wikipedia.org"]})],
            "test_openai_responses/test_openai_responses_model_web_search_tool_with_allowed_domains.yaml", 0),
        recorded("web_search external_web_access", R, "gpt-5.6",
            vec![json!({"kind": "web_search", "external_web_access": false})],
            "test_openai_responses/test_openai_responses_model_web_search_tool_without_external_access.yaml", 0),
        recorded("code_execution", R, "gpt-5", vec![json!({"kind": "code_execution"})],
            "test_openai_responses/test_openai_responses_code_execution_return_image.yaml", 0),
        recorded("file_search", R, "gpt-4o",
            vec![json!({"kind": "file_search", "file_store_ids": ["vs_6931d72a43048191bbe7518b93c1d8ed"]})],
            "test_openai_responses/test_openai_responses_model_file_search_tool.yaml", 3),
        recorded("mcp_server url", R, "o4-mini",
            vec![json!({"kind": "mcp_server", "id": "deepwiki", "url": "https://mcp.deepwiki.com/mcp",
                "description": "DeepWiki MCP server", "allowed_tools": ["ask_question"],
                "headers": {"custom-header-key": "custom-header-value"}})],
            "test_openai_responses/test_openai_responses_model_mcp_server_tool.yaml", 0),
        recorded("mcp_server connector", R, "o4-mini",
            vec![json!({"kind": "mcp_server", "id": "google_calendar",
                "url": "x-openai-connector:connector_googlecalendar", "authorization_token": "fake",
                "description": "Google Calendar", "allowed_tools": ["search_events"]})],
            "test_openai_responses/test_openai_responses_model_mcp_server_tool_with_connector.yaml", 0),
        recorded("mcp_server three servers", R, "gpt-4.1",
            vec![
                json!({"kind": "mcp_server", "id": "deepwiki", "url": "https://mcp.deepwiki.com/mcp"}),
                json!({"kind": "mcp_server", "id": "microsoft_learn", "url": "https://learn.microsoft.com/api/mcp"}),
                json!({"kind": "mcp_server", "id": "gitmcp", "url": "https://gitmcp.io/pydantic/pydantic-ai"}),
            ],
            "test_openai_responses/test_openai_responses_model_mcp_list_tools_stream_backfills_missing_results.yaml", 0),
        // `_get_native_tools` (WebSearchTool): the user location with `type: approximate`, the
        // allowed domains as `filters`; blocked domains and `max_uses` are Anthropic's.
        written("web_search every option", R, "gpt-5",
            vec![json!({"kind": "web_search", "search_context_size": "high",
                "user_location": {"city": "Utrecht", "country": "NL", "region": "UT", "timezone": "Europe/Amsterdam"},
                "allowed_domains": ["wikipedia.org"], "blocked_domains": ["example.com"], "max_uses": 3,
                "external_web_access": true})],
            json!({"tools": [{"type": "web_search", "search_context_size": "high",
                "user_location": {"type": "approximate", "city": "Utrecht", "country": "NL", "region": "UT",
                    "timezone": "Europe/Amsterdam"},
                "filters": {"allowed_domains": ["wikipedia.org"]}, "external_web_access": true}]}),
            &[]),
        // `_get_native_tools` (CodeExecutionTool): the ids of the files uploaded to this
        // provider in `container.file_ids`; other providers' files are left out.
        written("code_execution every option", R, "gpt-5",
            vec![json!({"kind": "code_execution", "files": [
                {"kind": "uploaded-file", "file_id": "file-abc", "provider_name": "openai"},
                {"kind": "uploaded-file", "file_id": "file_011", "provider_name": "anthropic"}]})],
            json!({"tools": [{"type": "code_interpreter", "container": {"type": "auto", "file_ids": ["file-abc"]}}]}),
            &[]),
        // `_get_native_tools` (FileSearchTool): only the vector stores (the other options are
        // xAI's and Gemini's).
        written("file_search every option", R, "gpt-5",
            vec![json!({"kind": "file_search", "file_store_ids": ["vs_1", "vs_2"], "max_num_results": 5,
                "instructions": "prefer recent", "retrieval_mode": "hybrid"})],
            json!({"tools": [{"type": "file_search", "vector_store_ids": ["vs_1", "vs_2"]}]}),
            &[]),
        // `_get_native_tools` (MCPServerTool).
        written("mcp_server every option", R, "gpt-5",
            vec![json!({"kind": "mcp_server", "id": "deepwiki", "url": "https://mcp.deepwiki.com/mcp",
                "authorization_token": "tok", "description": "DeepWiki", "allowed_tools": ["ask_question"],
                "headers": {"x-key": "v"}})],
            json!({"tools": [{"type": "mcp", "server_label": "deepwiki", "require_approval": "never",
                "authorization": "tok", "allowed_tools": ["ask_question"], "server_description": "DeepWiki",
                "headers": {"x-key": "v"}, "server_url": "https://mcp.deepwiki.com/mcp"}]}),
            &[]),
        // `_map_openai_image_generation_tool`.
        written("image_generation every option", R, "gpt-5",
            vec![json!({"kind": "image_generation", "action": "edit", "background": "transparent",
                "input_fidelity": "high", "moderation": "low", "model": "gpt-image-1",
                "output_compression": 80, "output_format": "webp", "partial_images": 2, "quality": "high",
                "size": "1024x1536"})],
            json!({"tools": [{"type": "image_generation", "action": "edit", "background": "transparent",
                "moderation": "low", "output_compression": 80, "output_format": "webp", "partial_images": 2,
                "quality": "high", "size": "1024x1536", "model": "gpt-image-1", "input_fidelity": "high"}]}),
            &[]),
        // The recording (`..._image_generation_jpeg`) predates `action`; its other keys are these.
        written("image_generation jpeg", R, "gpt-5",
            vec![json!({"kind": "image_generation", "output_format": "jpeg"})],
            json!({"tools": [{"type": "image_generation", "action": "auto", "background": "auto",
                "moderation": "auto", "output_compression": 100, "output_format": "jpeg", "partial_images": 0,
                "quality": "auto", "size": "auto"}]}),
            &[]),
    ]
}

/// The Anthropic cases.
pub fn anthropic_cases() -> Vec<Case> {
    use Wire::Anthropic as A;
    let mut memory = recorded(
        "memory",
        A,
        "claude-sonnet-4-5",
        vec![json!({"kind": "memory"})],
        "test_anthropic/test_anthropic_memory_tool.yaml",
        0,
    );
    memory.function_tools = vec!["memory"];
    vec![
        recorded(
            "web_search",
            A,
            "claude-sonnet-4-0",
            vec![json!({"kind": "web_search"})],
            "test_anthropic/test_anthropic_web_search_tool.yaml",
            0,
        ),
        recorded(
            "web_fetch",
            A,
            "claude-sonnet-4-0",
            vec![json!({"kind": "web_fetch"})],
            "test_anthropic/test_anthropic_web_fetch_tool.yaml",
            0,
        ),
        recorded(
            "code_execution",
            A,
            "claude-sonnet-4-6",
            vec![json!({"kind": "code_execution"})],
            "test_anthropic/test_anthropic_code_execution_tool.yaml",
            0,
        ),
        memory,
        recorded(
            "advisor",
            A,
            "claude-sonnet-5",
            vec![json!({"kind": "advisor", "model": "claude-opus-4-8", "max_tokens": 1024})],
            "test_anthropic/test_anthropic_advisor_tool.yaml",
            0,
        ),
        recorded(
            "mcp_server",
            A,
            "claude-sonnet-4-0",
            vec![
                json!({"kind": "mcp_server", "id": "deepwiki", "url": "https://mcp.deepwiki.com/mcp"}),
            ],
            "test_anthropic/test_anthropic_mcp_servers.yaml",
            0,
        ),
        recorded(
            "mcp_server allowed_tools",
            A,
            "claude-sonnet-4-5",
            vec![
                json!({"kind": "mcp_server", "id": "deepwiki", "url": "https://mcp.deepwiki.com/mcp",
                "allowed_tools": ["ask_question"]}),
            ],
            "test_anthropic/test_anthropic_mcp_servers_stream.yaml",
            0,
        ),
        // `_map_web_search_tool`: every field (null when unset), the location `approximate`.
        written(
            "web_search every option",
            A,
            "claude-sonnet-4-5",
            vec![
                json!({"kind": "web_search", "search_context_size": "high", "max_uses": 3,
                "user_location": {"city": "Utrecht", "country": "NL", "region": "UT", "timezone": "Europe/Amsterdam"},
                "allowed_domains": ["wikipedia.org"], "blocked_domains": ["example.com"]}),
            ],
            json!({"tools": [{"name": "web_search", "type": "web_search_20250305", "max_uses": 3,
                "allowed_domains": ["wikipedia.org"], "blocked_domains": ["example.com"],
                "user_location": {"type": "approximate", "city": "Utrecht", "country": "NL", "region": "UT",
                    "timezone": "Europe/Amsterdam"}}]}),
            &[],
        ),
        // The same on a model with dynamic filtering: the 2026-02-09 version.
        written(
            "web_search dynamic filtering",
            A,
            "claude-opus-4-6",
            vec![json!({"kind": "web_search", "max_uses": 1})],
            json!({"tools": [{"name": "web_search", "type": "web_search_20260209", "max_uses": 1,
                "allowed_domains": null, "blocked_domains": null, "user_location": null}]}),
            &[],
        ),
        // `_map_web_fetch_tool`: citations `{"enabled": true}`, and its beta.
        written(
            "web_fetch every option",
            A,
            "claude-sonnet-4-5",
            vec![
                json!({"kind": "web_fetch", "max_uses": 2, "allowed_domains": ["a.example"],
                "blocked_domains": ["b.example"], "enable_citations": true, "max_content_tokens": 5000}),
            ],
            json!({"tools": [{"name": "web_fetch", "type": "web_fetch_20250910", "max_uses": 2,
                "allowed_domains": ["a.example"], "blocked_domains": ["b.example"],
                "citations": {"enabled": true}, "max_content_tokens": 5000}]}),
            &["web-fetch-2025-09-10"],
        ),
        // `_map_code_execution_tool` on a model before the 2026-01-20 version.
        written(
            "code_execution older model",
            A,
            "claude-3-7-sonnet-latest",
            vec![json!({"kind": "code_execution"})],
            json!({"tools": [{"name": "code_execution", "type": "code_execution_20250825"}]}),
            &[],
        ),
        // `_map_advisor_tool`: caching as an ephemeral cache control, and its beta.
        written(
            "advisor every option",
            A,
            "claude-sonnet-5",
            vec![
                json!({"kind": "advisor", "model": "claude-opus-4-8", "max_uses": 2, "max_tokens": 512,
                "caching": "5m"}),
            ],
            json!({"tools": [{"type": "advisor_20260301", "name": "advisor", "model": "claude-opus-4-8",
                "max_uses": 2, "max_tokens": 512, "caching": {"type": "ephemeral", "ttl": "5m"}}]}),
            &["advisor-tool-2026-03-01"],
        ),
        // `_add_native_tools` (MCPServerTool): the token; description and headers are OpenAI's.
        written(
            "mcp_server every option",
            A,
            "claude-sonnet-4-5",
            vec![
                json!({"kind": "mcp_server", "id": "deepwiki", "url": "https://mcp.deepwiki.com/mcp",
                "authorization_token": "tok", "description": "DeepWiki", "allowed_tools": [],
                "headers": {"x-key": "v"}}),
            ],
            json!({"tools": [], "mcp_servers": [{"type": "url", "name": "deepwiki",
                "url": "https://mcp.deepwiki.com/mcp",
                "tool_configuration": {"enabled": false, "allowed_tools": []},
                "authorization_token": "tok"}]}),
            &["mcp-client-2025-04-04"],
        ),
    ]
}

/// The Bedrock cases (no recording has a built-in tool: `_map_tool_config` of
/// `BedrockConverseModel` maps the code execution tool to Nova's code interpreter).
pub fn bedrock_cases() -> Vec<Case> {
    vec![written(
        "code_execution",
        Wire::Bedrock,
        "us.amazon.nova-2-lite-v1:0",
        vec![json!({"kind": "code_execution"})],
        json!({"tools": [{"systemTool": {"name": "nova_code_interpreter"}}]}),
        &[],
    )]
}
