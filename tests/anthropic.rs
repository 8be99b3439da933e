//! The `anthropic` provider over the wire, on a 127.0.0.1 server: what is sent (path, auth and
//! version headers, body), whole and streamed answers (odd chunk splits, CRLF, a UTF-8
//! character cut in two), truncated streams, error events, retries (529 and 429 retried, 400
//! not), the model string and its missing-key error, and the key kept out of errors.

mod support;

use std::collections::BTreeMap;

use llm_runtime::messages::{ModelRequest, ModelResponseStreamEvent, ToolArgs};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::anthropic::AnthropicMessages;
use llm_runtime::providers::{Anthropic, ProviderModel};
use llm_runtime::settings::ModelSettings;
use llm_runtime::tools::ToolDefinition;
use llm_runtime::{model_request, model_request_stream, model_request_sync, Error};
use serde_json::{json, Value};
use support::echo::fast_retry;
use support::server::{End, Reply, TestServer};
use support::stream::{collect, timeless};

const KEY: &str = "sk-ant-SECRET-0451";
const MODEL: &str = "claude-3-5-haiku-latest";

fn model(server: &TestServer) -> ProviderModel<AnthropicMessages> {
    Anthropic::builder()
        .base_url(server.url(""))
        .api_key(KEY)
        .retry(fast_retry())
        .build()
        .expect("the anthropic provider builds")
        .model(MODEL)
}

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

/// A whole answer: "Paris", with the cache counts Anthropic reports.
fn paris() -> Value {
    json!({
        "id": "msg_01Paris", "type": "message", "role": "assistant",
        "model": "claude-3-5-haiku-20241022",
        "content": [{"type": "text", "text": "Paris"}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 14, "output_tokens": 1, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 42}
    })
}

/// An event of an Anthropic stream, CRLF-terminated as some proxies send them.
fn event(name: &str, data: &Value) -> String {
    format!("event: {name}\r\ndata: {data}\r\n\r\n")
}

/// The stream of a text answer with a tool call, ending with `message_stop` or not.
fn stream_text(text_pieces: &[&str], stop: bool) -> String {
    let mut out = event(
        "message_start",
        &json!({"type": "message_start", "message": {
            "id": "msg_01Stream", "type": "message", "role": "assistant", "content": [],
            "model": "claude-3-5-haiku-20241022", "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 14, "output_tokens": 1, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 42}}}),
    );
    out += &event(
        "content_block_start",
        &json!({"type": "content_block_start", "index": 0,
                "content_block": {"type": "text", "text": ""}}),
    );
    out += &event("ping", &json!({"type": "ping"}));
    for piece in text_pieces {
        out += &event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": 0,
                    "delta": {"type": "text_delta", "text": piece}}),
        );
    }
    out += &event(
        "content_block_stop",
        &json!({"type": "content_block_stop", "index": 0}),
    );
    out += &event(
        "content_block_start",
        &json!({"type": "content_block_start", "index": 1, "content_block": {
            "type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {}}}),
    );
    for fragment in ["", "{\"city\": ", "\"Paris\"}"] {
        out += &event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": 1,
                    "delta": {"type": "input_json_delta", "partial_json": fragment}}),
        );
    }
    out += &event(
        "content_block_stop",
        &json!({"type": "content_block_stop", "index": 1}),
    );
    out += &event(
        "message_delta",
        &json!({"type": "message_delta", "delta": {"stop_reason": "tool_use",
                "stop_sequence": null}, "usage": {"output_tokens": 12}}),
    );
    if stop {
        out += &event("message_stop", &json!({"type": "message_stop"}));
    }
    out
}

/// The whole message the stream of `stream_text` amounts to.
fn whole_text(text: &str) -> Value {
    json!({
        "id": "msg_01Stream", "type": "message", "role": "assistant",
        "model": "claude-3-5-haiku-20241022",
        "content": [{"type": "text", "text": text},
                    {"type": "tool_use", "id": "toolu_01", "name": "get_weather",
                     "input": {"city": "Paris"}}],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 14, "output_tokens": 12, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 42}
    })
}

fn weather_tool() -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: vec![ToolDefinition::new("get_weather")
            .with_description("The weather in a city.")
            .with_parameters(json!({"type": "object",
                "properties": {"city": {"type": "string"}}, "required": ["city"]}))],
        ..Default::default()
    }
}

#[tokio::test]
async fn sends_the_documented_request_and_reads_the_answer() {
    let server = TestServer::always(Reply::json(200, &paris())).await;
    let settings = ModelSettings {
        temperature: Some(0.0),
        extra_headers: Some(BTreeMap::from([(
            "anthropic-beta".to_owned(),
            "token-efficient-tools-2025-02-19".to_owned(),
        )])),
        extra_body: Some(json!({"metadata": {"user_id": "u-1"}})),
        ..Default::default()
    };
    let (response, usage) = model_request(model(&server), prompt())
        .settings(settings)
        .await
        .unwrap();
    assert_eq!(response.text(), "Paris");
    assert_eq!(
        (usage.requests, usage.request_tokens, usage.response_tokens),
        (1, 56, 1)
    );
    assert_eq!(usage.cache_read_tokens, 42);
    assert_eq!(response.provider_name.as_deref(), Some("anthropic"));
    assert_eq!(
        response.provider_url.as_deref(),
        Some(server.url("").as_str())
    );
    assert_eq!(
        response.model_name.as_deref(),
        Some("claude-3-5-haiku-20241022")
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/v1/messages")
    );
    assert_eq!(request.header("x-api-key"), Some(KEY));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(
        request.header("anthropic-beta"),
        Some("token-efficient-tools-2025-02-19")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"model": MODEL, "max_tokens": 4096, "stream": false, "temperature": 0.0,
               "messages": [{"role": "user", "content": [
                   {"type": "text", "text": "What is the capital of France?"}]}],
               "metadata": {"user_id": "u-1"}})
    );
}

#[tokio::test]
async fn streams_with_odd_chunk_splits_equal_the_whole_answer() {
    let text_pieces = ["Gr\u{fc}\u{df}e ", "aus Paris ", "\u{1F30D}."];
    let stream = stream_text(&text_pieces, true);
    let bytes = stream.as_bytes();
    // Cut inside `event:`, between CR and LF, inside ü (C3 BC) and 🌍 (F0 9F 8C 8D), inside JSON.
    let u_umlaut = stream.find('\u{fc}').unwrap();
    let globe = stream.find('\u{1F30D}').unwrap();
    let crlf = stream.find("\r\n").unwrap();
    let mut cuts = vec![
        3,
        crlf + 1,
        u_umlaut + 1,
        globe + 1,
        globe + 3,
        stream.find("partial_json").unwrap() + 5,
        bytes.len() - 2,
    ];
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut start = 0;
    for cut in cuts {
        pieces.push(bytes[start..cut].to_vec());
        start = cut;
    }
    pieces.push(bytes[start..].to_vec());
    let server = TestServer::sequence(vec![
        Reply::sse(pieces, End::Complete),
        Reply::json(200, &whole_text(&text_pieces.concat())),
    ])
    .await;
    let model = model(&server);

    let streamed = model_request_stream(model.clone(), prompt())
        .parameters(weather_tool())
        .await
        .unwrap();
    let (events, error, streamed) = collect(streamed).await;
    assert!(error.is_none(), "{error:?}");
    assert!(events
        .iter()
        .any(|e| matches!(e, ModelResponseStreamEvent::FinalResult(_))));
    assert_eq!(streamed.text(), "Grüße aus Paris 🌍.");
    let calls = streamed.tool_calls();
    assert_eq!(
        calls[0].args,
        Some(ToolArgs::Object(
            json!({"city": "Paris"}).as_object().unwrap().clone()
        ))
    );
    assert_eq!(streamed.usage.request_tokens, 56);
    assert_eq!(streamed.usage.response_tokens, 12);

    let (whole, _) = model_request(model, prompt())
        .parameters(weather_tool())
        .await
        .unwrap();
    assert_eq!(timeless(streamed), timeless(whole));

    let requests = server.requests();
    assert_eq!(requests[0].json()["stream"], true);
    assert_eq!(requests[1].json()["stream"], false);
    assert_eq!(
        requests[0].json()["tools"][0]["input_schema"]["required"],
        json!(["city"])
    );
    assert_eq!(requests[0].json()["tool_choice"], json!({"type": "auto"}));
}

#[tokio::test]
async fn a_stream_without_message_stop_is_truncated() {
    for end in [End::Complete, End::Drop] {
        let server = TestServer::always(Reply::sse([stream_text(&["Par"], false)], end)).await;
        let stream = model_request_stream(model(&server), prompt())
            .await
            .unwrap();
        let (events, error, partial) = collect(stream).await;
        assert!(!events.is_empty(), "{end:?}");
        let error = error.expect("a truncated stream is an error");
        match end {
            End::Complete => assert!(
                matches!(&error, Error::UnexpectedModelBehavior { message, .. }
                    if message.contains("before `message_stop`")),
                "{error:?}"
            ),
            // A broken transfer is the transport's error.
            _ => assert!(
                matches!(
                    error,
                    Error::Api { .. } | Error::UnexpectedModelBehavior { .. }
                ),
                "{error:?}"
            ),
        }
        assert_eq!(partial.text(), "Par");
        assert!(!format!("{error:?}").contains(KEY));
    }
}

#[tokio::test]
async fn an_overloaded_error_event_is_a_529() {
    let overloaded = json!({"type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"}});
    let mut text = stream_text(&["Hal"], false);
    text.truncate(text.find("event: content_block_stop").unwrap());
    text += &event("error", &overloaded);
    let server = TestServer::always(Reply::sse([text], End::Complete)).await;
    let stream = model_request_stream(model(&server), prompt())
        .await
        .unwrap();
    let (_, error, _) = collect(stream).await;
    let error = error.expect("the error event ends the stream");
    assert_eq!(error.status(), Some(529));
    assert!(error.is_retryable());
    assert!(error.to_string().contains("Overloaded"), "{error}");
}

#[tokio::test]
async fn retries_529_and_429_then_succeeds() {
    let overloaded = json!({"type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"}});
    let limited = json!({"type": "error",
        "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your rate limit"}});
    let server = TestServer::sequence(vec![
        Reply::json(529, &overloaded),
        Reply::json(429, &limited).header("retry-after-ms", "5"),
        Reply::json(200, &paris()),
    ])
    .await;
    let (response, _) = model_request(model(&server), prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.windows(2).all(|w| w[0].body == w[1].body));

    // Streams are retried the same way before the first event.
    let server = TestServer::sequence(vec![
        Reply::json(529, &overloaded),
        Reply::sse([stream_text(&["Paris"], true)], End::Complete),
    ])
    .await;
    let stream = model_request_stream(model(&server), prompt())
        .await
        .unwrap();
    let (_, error, response) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(response.text(), "Paris");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let invalid = json!({"type": "error", "error": {"type": "invalid_request_error",
        "message": "max_tokens: Field required"}});
    let server =
        TestServer::sequence(vec![Reply::json(400, &invalid), Reply::json(200, &paris())]).await;
    let err = model_request(model(&server), prompt()).await.unwrap_err();
    let Error::Http {
        status,
        model_name,
        body,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*status, model_name.as_str()), (400, MODEL));
    assert_eq!(serde_json::from_str::<Value>(body).unwrap(), invalid);
    assert_eq!(server.requests().len(), 1);
    assert!(!format!("{err:?}").contains(KEY) && !err.to_string().contains(KEY));
}

#[tokio::test]
async fn llama_cpp_style_tool_use_without_input_streams() {
    // llama.cpp starts `tool_use` without `"input": {}` and sends no cache counts.
    let text = [
        event(
            "message_start",
            &json!({"type": "message_start", "message": {
            "id": "chatcmpl-1", "type": "message", "role": "assistant", "content": [],
            "model": "smollm2", "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 30, "output_tokens": 0}}}),
        ),
        event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "tool_use", "id": "n5Zp2k", "name": "get_weather"}}),
        ),
        event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": "{\"city\":\"Paris\"}"}}),
        ),
        event(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": 0}),
        ),
        event(
            "message_delta",
            &json!({"type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": null},
            "usage": {"output_tokens": 9}}),
        ),
        event("message_stop", &json!({"type": "message_stop"})),
    ]
    .concat();
    let server = TestServer::always(Reply::sse([text], End::Complete)).await;
    let stream = model_request_stream(model(&server), prompt())
        .parameters(weather_tool())
        .await
        .unwrap();
    let (_, error, response) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    let calls = response.tool_calls();
    assert_eq!(
        (calls[0].tool_name.as_str(), calls[0].tool_call_id.as_str()),
        ("get_weather", "n5Zp2k")
    );
    assert_eq!(calls[0].args_as_dict()["city"], "Paris");
    assert_eq!(
        (
            response.usage.request_tokens,
            response.usage.response_tokens
        ),
        (30, 9)
    );
}

/// The model string reads `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL`; without a key it is
/// an `Error::User` naming the variable. (One test, as it changes the process environment.)
#[test]
fn the_model_string_reads_the_environment() {
    std::env::remove_var("ANTHROPIC_API_KEY");
    let err = model_request_sync("anthropic:claude-3-5-haiku-latest", prompt()).unwrap_err();
    assert!(
        matches!(&err, Error::User { message, .. } if message.contains("ANTHROPIC_API_KEY")),
        "{err:?}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::always(Reply::json(200, &paris())));
    std::env::set_var("ANTHROPIC_API_KEY", KEY);
    std::env::set_var("ANTHROPIC_BASE_URL", server.url("/proxy"));
    let result = runtime
        .block_on(async { model_request("anthropic:claude-3-5-haiku-latest", prompt()).await });
    std::env::remove_var("ANTHROPIC_API_KEY");
    std::env::remove_var("ANTHROPIC_BASE_URL");
    let (response, usage) = result.unwrap();
    assert_eq!(response.text(), "Paris");
    assert_eq!(usage.total_tokens, 57);
    let requests = server.requests();
    assert_eq!(requests[0].path(), "/proxy/v1/messages");
    assert_eq!(requests[0].header("x-api-key"), Some(KEY));
    assert_eq!(requests[0].json()["model"], MODEL);
}

#[test]
fn the_model_keeps_its_key_out_of_debug() {
    // Not from the process environment, which another test of this file changes.
    let model = Anthropic::builder()
        .api_key(KEY)
        .build_with_env(|_| None)
        .unwrap()
        .model(MODEL);
    let debug = format!("{model:?}");
    assert!(!debug.contains(KEY), "{debug}");
    assert!(debug.contains("https://api.anthropic.com"), "{debug}");
}
