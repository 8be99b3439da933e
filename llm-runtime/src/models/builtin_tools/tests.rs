use super::*;
use serde_json::json;

/// What pydantic-ai 2.33's `TypeAdapter(list[AbstractNativeTool]).dump_json` writes for each
/// tool (defaults, and a few options set).
fn pydantic_ai_json() -> Value {
    json!([
        {"kind": "web_search", "optional": false, "search_context_size": "high",
         "user_location": {"city": "Paris", "country": "FR"}, "blocked_domains": null,
         "allowed_domains": ["example.com"], "max_uses": 3, "external_web_access": null},
        {"kind": "x_search", "optional": false, "allowed_x_handles": null,
         "excluded_x_handles": ["spam"], "from_date": "2025-01-01T00:00:00Z", "to_date": null,
         "enable_image_understanding": false, "enable_video_understanding": false,
         "include_output": true},
        {"kind": "code_execution", "optional": false, "files": null},
        {"kind": "web_fetch", "optional": true, "max_uses": null, "allowed_domains": null,
         "blocked_domains": null, "enable_citations": true, "max_content_tokens": 1000},
        {"kind": "image_generation", "optional": false, "action": "auto", "background": "auto",
         "input_fidelity": null, "moderation": "auto", "model": null, "output_compression": null,
         "output_format": "webp", "partial_images": 0, "quality": "low", "size": "1024x1024",
         "aspect_ratio": null},
        {"kind": "memory", "optional": false},
        {"kind": "mcp_server", "optional": false, "id": "deepwiki",
         "url": "https://mcp.deepwiki.com/mcp", "authorization_token": "secret-token",
         "description": null, "allowed_tools": ["ask_question"],
         "headers": {"X-Key": "secret-header"}},
        {"kind": "file_search", "optional": false, "file_store_ids": ["vs_1"],
         "max_num_results": null, "instructions": null, "retrieval_mode": null},
        {"kind": "advisor", "optional": false, "model": "claude-opus-4-6", "max_uses": null,
         "max_tokens": 2048, "caching": "5m"}
    ])
}

#[test]
fn tools_read_and_write_pydantic_ai_json() {
    let tools: Vec<BuiltinTool> = serde_json::from_value(pydantic_ai_json()).unwrap();
    let kinds: Vec<_> = tools.iter().map(BuiltinTool::kind).collect();
    assert_eq!(
        kinds,
        [
            "web_search",
            "x_search",
            "code_execution",
            "web_fetch",
            "image_generation",
            "memory",
            "mcp_server",
            "file_search",
            "advisor"
        ]
    );
    assert_eq!(serde_json::to_value(&tools).unwrap(), pydantic_ai_json());
    assert_eq!(tools[6].unique_id(), "mcp_server:deepwiki");
    assert!(tools[3].optional());
    assert_eq!(tools[3].type_name(), "WebFetchTool");
}

#[test]
fn defaults_are_pydantic_ai_defaults_and_v1_names_load() {
    let tool: BuiltinTool = serde_json::from_value(json!({"kind": "web_search"})).unwrap();
    assert_eq!(tool, BuiltinTool::WebSearch(WebSearchTool::default()));
    let tool: BuiltinTool = serde_json::from_value(json!({"kind": "url_context"})).unwrap();
    assert_eq!(tool, BuiltinTool::WebFetch(UrlContextTool::default()));
    // A server needs its id and URL; a file search its stores.
    for missing in [
        json!({"kind": "mcp_server", "id": "x"}),
        json!({"kind": "file_search"}),
        json!({"kind": "advisor"}),
    ] {
        assert!(serde_json::from_value::<BuiltinTool>(missing).is_err());
    }
    let err = serde_json::from_value::<BuiltinTool>(json!({"kind": "tool_search"})).unwrap_err();
    assert!(err.to_string().contains("tool_search"), "{err}");
}

#[test]
fn debug_hides_the_mcp_server_secrets() {
    let tools: Vec<BuiltinTool> = serde_json::from_value(pydantic_ai_json()).unwrap();
    let debug = format!("{tools:?}");
    assert!(!debug.contains("secret-token"), "{debug}");
    assert!(!debug.contains("secret-header"), "{debug}");
    assert!(debug.contains("X-Key"), "{debug}");
    assert!(debug.contains("deepwiki"), "{debug}");
}
