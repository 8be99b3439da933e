//! The `google-vertex` provider over real HTTP (a local metadata server for the token and a
//! local Vertex server, on 127.0.0.1): Gemini at `publishers/google` and Claude at
//! `publishers/anthropic` (`rawPredict`, `anthropic_version` in the body, no model there),
//! text, streams, tool calls and thinking parsed, a 429 retried and a 400 not, and the token
//! in no error, `Debug` or span.

mod otel_support;
mod support;

use std::sync::Arc;

use llm_runtime::messages::{FinishReason, ModelRequest, ModelResponsePart};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::vertex::{Credentials, VertexConfig};
use llm_runtime::settings::{ModelSettings, Thinking};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::{json, Value};
use support::server::{Reply, TestServer};
use support::stream::{collect, timeless};
use support::vertex::{claude_model, config, gemini_model};

const TOKEN: &str = "ya29.wire-TOKEN-4242";
const GEMINI: &str = "gemini-2.5-flash";
const CLAUDE: &str = "claude-sonnet-4@20250514";
const BASE: &str = "/v1/projects/vertex-proj/locations/us-central1/publishers";

/// A metadata server handing out [`TOKEN`], and the Vertex configuration that uses it with
/// `vertex` as its host.
async fn tokens(vertex: &TestServer) -> (TestServer, VertexConfig) {
    let metadata = TestServer::always(Reply::json(
        200,
        &json!({"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"}),
    ))
    .await;
    let host = metadata.url("").trim_start_matches("http://").to_owned();
    let config = config(Credentials::metadata_server(host).unwrap(), vertex);
    (metadata, config)
}

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("Weather in Paris?").with_instructions("Be brief.")]
}

fn tools() -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: vec![ToolDefinition::new("get_weather")
            .with_description("The weather of a city.")
            .with_parameters(json!({
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"]
            }))],
        allow_text_output: true,
        ..Default::default()
    }
}

fn gemini_whole() -> Value {
    json!({
        "candidates": [{
            "content": {"role": "model", "parts": [
                {"text": "The user wants the weather.", "thought": true},
                {"text": "Let me look.", "thoughtSignature": "c2lnLXY="},
                {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}
            ]},
            "finishReason": "STOP"
        }],
        "usageMetadata": {"promptTokenCount": 20, "candidatesTokenCount": 9,
                          "thoughtsTokenCount": 6, "totalTokenCount": 35},
        "modelVersion": GEMINI,
        "responseId": "vertex-resp-1"
    })
}

fn gemini_stream() -> Vec<u8> {
    let events = [
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "The user wants ", "thought": true}]}}], "modelVersion": GEMINI,
            "responseId": "vertex-resp-1"}),
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "the weather.", "thought": true}]}}], "modelVersion": GEMINI,
            "responseId": "vertex-resp-1"}),
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "Let me look.", "thoughtSignature": "c2lnLXY="},
            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
            "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 20, "candidatesTokenCount": 9,
                              "thoughtsTokenCount": 6, "totalTokenCount": 35},
            "modelVersion": GEMINI, "responseId": "vertex-resp-1"}),
    ];
    events
        .iter()
        .map(|event| format!("data: {event}\r\n\r\n"))
        .collect::<String>()
        .into_bytes()
}

/// The parts every Gemini and Claude answer here has: a thought, text, a call of get_weather.
fn assert_thought_text_and_call(response: &llm_runtime::messages::ModelResponse) {
    assert!(
        matches!(&response.parts[0], ModelResponsePart::Thinking(t) if t.content == "The user wants the weather."),
        "{:?}",
        response.parts
    );
    assert_eq!(response.text(), "Let me look.");
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool_name, "get_weather");
    assert_eq!(calls[0].args_as_json_str(), r#"{"city":"Paris"}"#);
    assert_eq!(response.provider_name.as_deref(), Some("google-vertex"));
}

#[tokio::test]
async fn gemini_text_thinking_and_a_tool_call_at_the_vertex_path() {
    let vertex = TestServer::always(Reply::json(200, &gemini_whole())).await;
    let (_metadata, config) = tokens(&vertex).await;
    let model = gemini_model(config, GEMINI);
    let (response, usage) = model_request(model.clone(), prompt())
        .parameters(tools())
        .await
        .unwrap();
    assert_thought_text_and_call(&response);
    assert_eq!((usage.request_tokens, usage.response_tokens), (20, 15));
    let request = &vertex.requests()[0];
    assert_eq!(
        request.target,
        format!("{BASE}/google/models/{GEMINI}:generateContent")
    );
    assert_eq!(
        request.header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(request.header("x-goog-api-key"), None);
    let body = request.json();
    assert_eq!(
        body["contents"],
        json!([{"role": "user", "parts": [{"text": "Weather in Paris?"}]}])
    );
    assert_eq!(
        body["tools"][0]["functionDeclarations"][0]["name"],
        "get_weather"
    );
    assert!(!format!("{model:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_gemini_stream_equals_the_whole_response() {
    let vertex = TestServer::start(|_, request| {
        if request.target.ends_with(":streamGenerateContent?alt=sse") {
            Reply::sse_split(&gemini_stream(), &[5, 1, 40])
        } else {
            Reply::json(200, &gemini_whole())
        }
    })
    .await;
    let (_metadata, config) = tokens(&vertex).await;
    let model = gemini_model(config, GEMINI);
    let stream = model_request_stream(model.clone(), prompt())
        .parameters(tools())
        .await
        .unwrap();
    let (events, error, streamed) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert!(events.len() > 3);
    assert_thought_text_and_call(&streamed);
    let (whole, _) = model_request(model, prompt())
        .parameters(tools())
        .await
        .unwrap();
    let mut streamed = timeless(streamed);
    let mut whole = timeless(whole);
    // Ids generated for calls without one differ between the two requests.
    for response in [&mut streamed, &mut whole] {
        for part in &mut response.parts {
            if let ModelResponsePart::ToolCall(call) = part {
                call.tool_call_id = "generated".into();
            }
        }
    }
    assert_eq!(streamed, whole);
    assert_eq!(
        vertex.requests()[0].target,
        format!("{BASE}/google/models/{GEMINI}:streamGenerateContent?alt=sse")
    );
}

fn claude_whole() -> Value {
    json!({
        "id": "msg_vrtx_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-20250514",
        "content": [
            {"type": "thinking", "thinking": "The user wants the weather.", "signature": "c2lnLWM="},
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "toolu_vrtx_1", "name": "get_weather", "input": {"city": "Paris"}}
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 30, "output_tokens": 25}
    })
}

fn claude_stream() -> Vec<u8> {
    let events = [
        (
            "message_start",
            json!({"type": "message_start", "message": {
            "id": "msg_vrtx_1", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-20250514", "content": [], "stop_reason": null,
            "usage": {"input_tokens": 30, "output_tokens": 1}}}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "The user wants "}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "the weather."}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "signature_delta", "signature": "c2lnLWM="}}),
        ),
        (
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 1,
            "content_block": {"type": "text", "text": ""}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 1,
            "delta": {"type": "text_delta", "text": "Let me look."}}),
        ),
        (
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 1}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 2,
            "content_block": {"type": "tool_use", "id": "toolu_vrtx_1", "name": "get_weather", "input": {}}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": "{\"city\":"}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": "\"Paris\"}"}}),
        ),
        (
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 2}),
        ),
        (
            "message_delta",
            json!({"type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": null},
            "usage": {"output_tokens": 25}}),
        ),
        ("message_stop", json!({"type": "message_stop"})),
    ];
    events
        .iter()
        .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
        .collect::<String>()
        .into_bytes()
}

#[tokio::test]
async fn claude_through_raw_predict_with_the_vertex_version_in_the_body() {
    let vertex = TestServer::always(Reply::json(200, &claude_whole())).await;
    let (_metadata, config) = tokens(&vertex).await;
    let model = claude_model(config, CLAUDE);
    let settings = ModelSettings {
        thinking: Some(Thinking::Enabled),
        ..Default::default()
    };
    let (response, usage) = model_request(model.clone(), prompt())
        .parameters(tools())
        .settings(settings)
        .await
        .unwrap();
    assert_thought_text_and_call(&response);
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    assert_eq!((usage.request_tokens, usage.response_tokens), (30, 25));
    let request = &vertex.requests()[0];
    assert_eq!(
        request.target,
        format!("{BASE}/anthropic/models/{CLAUDE}:rawPredict")
    );
    assert_eq!(
        request.header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(request.header("x-api-key"), None);
    let body = request.json();
    assert_eq!(body["anthropic_version"], "vertex-2023-10-16");
    assert_eq!(body.get("model"), None);
    assert_eq!(
        body["system"],
        json!([{"type": "text", "text": "Be brief."}])
    );
    assert_eq!(body["tools"][0]["name"], "get_weather");
    assert_eq!(body["thinking"]["type"], "enabled");
    assert!(!format!("{model:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_claude_stream_through_stream_raw_predict_equals_the_whole_response() {
    let vertex = TestServer::start(|_, request| {
        if request.target.ends_with(":streamRawPredict") {
            Reply::sse_split(&claude_stream(), &[3, 17, 1])
        } else {
            Reply::json(200, &claude_whole())
        }
    })
    .await;
    let (_metadata, config) = tokens(&vertex).await;
    let model = claude_model(config, CLAUDE);
    let stream = model_request_stream(model.clone(), prompt())
        .parameters(tools())
        .await
        .unwrap();
    let (_, error, streamed) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    let (whole, _) = model_request(model, prompt())
        .parameters(tools())
        .await
        .unwrap();
    assert_thought_text_and_call(&streamed);
    assert_eq!(timeless(streamed), timeless(whole));
    let request = &vertex.requests()[0];
    assert_eq!(
        request.target,
        format!("{BASE}/anthropic/models/{CLAUDE}:streamRawPredict")
    );
    assert_eq!(request.json()["stream"], true);
    assert_eq!(request.json().get("model"), None);
}

#[tokio::test]
async fn a_429_is_retried_and_a_400_is_not() {
    let throttled = Reply::json(
        429,
        &json!({"error": {"code": 429, "message": "Resource exhausted.", "status": "RESOURCE_EXHAUSTED"}}),
    );
    let invalid = Reply::json(
        400,
        &json!({"error": {"code": 400, "message": "Invalid argument.", "status": "INVALID_ARGUMENT"}}),
    );
    let ok = Reply::json(200, &gemini_whole());
    let vertex = TestServer::sequence(vec![throttled.clone(), ok, invalid.clone()]).await;
    let (metadata, config) = tokens(&vertex).await;
    let model = gemini_model(config.clone(), GEMINI);
    model_request(model.clone(), prompt()).await.unwrap();
    assert_eq!(vertex.requests().len(), 2);
    let error = model_request(model, prompt()).await.unwrap_err();
    assert!(
        matches!(error, Error::Http { status: 400, .. }),
        "{error:?}"
    );
    assert_eq!(vertex.requests().len(), 3, "a 400 is not retried");
    assert_eq!(metadata.requests().len(), 1, "one token for all attempts");

    let claude_vertex = TestServer::sequence(vec![throttled, invalid]).await;
    let mut claude_config = config;
    claude_config.base_url = Some(claude_vertex.url(""));
    let error = model_request(claude_model(claude_config, CLAUDE), prompt())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Http { status: 400, .. }),
        "{error:?}"
    );
    assert_eq!(
        claude_vertex.requests().len(),
        2,
        "the 429 retried, the 400 not"
    );
    for shown in [format!("{error}"), format!("{error:?}")] {
        assert!(!shown.contains(TOKEN), "{shown}");
    }
}

#[tokio::test]
async fn the_token_and_the_private_key_are_in_no_span_error_or_debug() {
    let otel = otel_support::Otel::install();
    let token_endpoint = support::vertex::TokenEndpoint::start(|_| 3600).await;
    let vertex = TestServer::sequence(vec![
        Reply::json(500, &json!({"error": {"code": 500, "status": "INTERNAL"}})),
        Reply::json(200, &gemini_whole()),
        Reply::json(200, &claude_whole()),
    ])
    .await;
    let dir = support::vertex::temp_dir("spans");
    let file = support::vertex::service_account_file(&dir, &token_endpoint.uri());
    let credentials = Credentials::from_file(&file).unwrap();
    let config = config(credentials, &vertex);
    let debug_config = format!("{config:?}");
    let gemini = gemini_model(config.clone(), GEMINI);
    let claude = claude_model(config, CLAUDE);
    model_request(gemini.clone(), prompt())
        .instrument(otel.settings())
        .await
        .unwrap();
    model_request(claude.clone(), prompt())
        .instrument(otel.settings())
        .await
        .unwrap();
    assert_eq!(otel.spans().len(), 2);
    let exported = otel.exported_text();
    assert!(
        exported.contains(GEMINI) && exported.contains(CLAUDE),
        "{exported}"
    );
    let shown = [
        exported,
        debug_config,
        format!("{gemini:?}"),
        format!("{claude:?}"),
        format!("{:?}", Arc::clone(&gemini)),
    ];
    for text in shown {
        for secret in ["ya29.token-1", support::vertex::KEY_FRAGMENT, "PRIVATE KEY"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}
