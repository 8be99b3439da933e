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
