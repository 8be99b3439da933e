use super::*;
use serde_json::json;

#[test]
fn gemini_paths_are_under_publishers_google() {
    let protocol = VertexGemini::default();
    assert_eq!(
        protocol.endpoint("gemini-2.5-flash", false),
        "publishers/google/models/gemini-2.5-flash:generateContent"
    );
    assert_eq!(
        protocol.endpoint("models/gemini-2.0-flash", true),
        "publishers/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
    );
    assert_eq!(
        protocol.endpoint("a b/c", false),
        "publishers/google/models/a%20b%2Fc:generateContent"
    );
}

#[test]
fn claude_paths_keep_the_at_of_the_version() {
    let protocol = VertexClaude::default();
    assert_eq!(
        protocol.endpoint("claude-3-5-haiku@20241022", true),
        "publishers/anthropic/models/claude-3-5-haiku@20241022:streamRawPredict"
    );
    assert_eq!(
        protocol.endpoint("claude-opus-4", false),
        "publishers/anthropic/models/claude-opus-4:rawPredict"
    );
}

#[test]
fn claude_body_has_the_vertex_version_first_and_no_model() {
    let body = json!({"model": "claude-x", "max_tokens": 10, "messages": [], "stream": true});
    let vertex: Value =
        serde_json::from_slice(&vertex_body(&serde_json::to_vec(&body).unwrap()).unwrap()).unwrap();
    assert_eq!(
        vertex,
        json!({"anthropic_version": "vertex-2023-10-16", "max_tokens": 10, "messages": [], "stream": true})
    );
    let first = vertex.as_object().unwrap().keys().next().unwrap().clone();
    assert_eq!(first, "anthropic_version");
    assert!(vertex_body(b"[1]").is_err());
}

#[test]
fn claude_on_vertex_sends_the_basic_web_search() {
    use crate::messages::{ModelMessage, ModelRequest};
    use crate::models::{ModelRequestParameters, WebSearchTool};
    use crate::providers::test_support::request_json;
    use crate::settings::ModelSettings;

    let messages: Vec<ModelMessage> = vec![ModelRequest::user_text_prompt("x").into()];
    let parameters = ModelRequestParameters {
        builtin_tools: vec![WebSearchTool::default().into()],
        ..Default::default()
    };
    let tool_type = |protocol: &dyn Fn() -> Value| protocol()["tools"][0]["type"].clone();
    // A model with the filtering web tools gets them from Anthropic, not on Vertex AI (as
    // pydantic-ai narrows the profile for its Vertex client).
    let vertex = || {
        request_json(
            &VertexClaude::default(),
            "google-vertex",
            "claude-sonnet-4-6",
            &messages,
            &ModelSettings::default(),
            &parameters,
            false,
        )
        .unwrap()
    };
    let anthropic = || {
        request_json(
            &AnthropicMessages,
            "anthropic",
            "claude-sonnet-4-6",
            &messages,
            &ModelSettings::default(),
            &parameters,
            false,
        )
        .unwrap()
    };
    assert_eq!(tool_type(&vertex), json!("web_search_20250305"));
    assert_eq!(tool_type(&anthropic), json!("web_search_20260209"));
}
