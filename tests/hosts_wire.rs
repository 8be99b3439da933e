//! The built-in hosts over real HTTP on 127.0.0.1, with bodies written from OpenAI's documented
//! Chat Completions format (no `../shared` needed): each host's URL, auth and body; a stream
//! and a whole completion of the same answer; every error status as `Error::Http` with its
//! body and `retry_after`; retries through a host; and the shapes compatible servers send that
//! differ from OpenAI's (no `object`, an empty or unknown `finish_reason`, arguments as
//! objects, no `[DONE]`).

mod support;

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::{FinishReason, ModelRequest, ModelResponse, ModelResponsePart};
use llm_runtime::models::{Model, ModelRequestParameters};
use llm_runtime::providers::openai::chat::OpenAiChat;
use llm_runtime::providers::{
    Azure, Cerebras, DeepSeek, Fireworks, GitHub, Groq, HuggingFace, LiteLlm, Mistral, MoonshotAi,
    Ollama, OpenAi, OpenAiCompatible, OpenRouter, ProviderBuilder, ProviderModel, Together, Xai,
};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::{json, Value};
use support::server::{Reply, TestServer};

const KEY: &str = "sk-wire-3c9a";

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("x")]
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |var| map.get(var).cloned()
}

/// A whole completion as OpenAI documents it.
fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_741_000_000,
        "model": "m-1",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}
    })
}

/// `chunks` as `data:` events, then `[DONE]`, cut into pieces of odd sizes.
fn sse(chunks: &[Value], done: bool) -> Reply {
    let mut text: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    if done {
        text.push_str("data: [DONE]\n\n");
    }
    Reply::sse_split(text.as_bytes(), &[1, 4, 9, 16, 25, 36])
}

/// A host under test: its builder, the path of its base URL, the header carrying the key.
struct Host {
    name: &'static str,
    builder: ProviderBuilder<OpenAiChat>,
    endpoint: &'static str,
    auth: (&'static str, String),
}

fn hosts() -> Vec<Host> {
    let bearer = || ("authorization", format!("Bearer {KEY}"));
    let host = |name, builder| Host {
        name,
        builder,
        endpoint: "/v1/chat/completions",
        auth: bearer(),
    };
    vec![
        host("openai", OpenAi::builder()),
        host("groq", Groq::builder()),
        host("mistral", Mistral::builder()),
        host("deepseek", DeepSeek::builder()),
        host("openrouter", OpenRouter::builder()),
        host("ollama", Ollama::builder()),
        host("xai", Xai::builder()),
        host("together", Together::builder()),
        host("fireworks", Fireworks::builder()),
        host("cerebras", Cerebras::builder()),
        Host {
            endpoint: "/v1/openai/deployments/m-1/chat/completions?api-version=2024-10-21",
            auth: ("api-key", KEY.to_owned()),
            ..host("azure", Azure::builder())
        },
        host("github", GitHub::builder()),
        host("huggingface", HuggingFace::builder()),
        host("moonshotai", MoonshotAi::builder()),
        host("litellm", LiteLlm::builder()),
        host("openai-compatible", OpenAiCompatible::builder()),
    ]
}

fn model_of(
    builder: ProviderBuilder<OpenAiChat>,
    server: &TestServer,
) -> ProviderModel<OpenAiChat> {
    builder
        .base_url(server.url("/v1"))
        .api_key(KEY)
        .retry(RetryPolicy::none())
        .build_with_env(env(&[("OPENAI_API_VERSION", "2024-10-21")]))
        .expect("the host builds")
        .model("m-1")
}

#[tokio::test]
async fn every_host_answers_over_http_at_its_url_with_its_auth() {
    for host in hosts() {
        let server = TestServer::always(Reply::json(200, &completion("Paris"))).await;
        let model = model_of(host.builder, &server);
        assert!(!format!("{model:?}").contains(KEY));
        let (response, usage) = model_request(model, prompt()).await.unwrap();
        assert_eq!(response.text(), "Paris", "{}", host.name);
        assert_eq!(response.provider_name.as_deref(), Some(host.name));
        assert_eq!(
            response.provider_url.as_deref(),
            Some(server.url("/v1").as_str())
        );
        assert_eq!(response.finish_reason, Some(FinishReason::Stop));
        assert_eq!((usage.request_tokens, usage.response_tokens), (9, 1));

        let requests = server.requests();
        assert_eq!(requests.len(), 1, "{}", host.name);
        let sent = &requests[0];
        assert_eq!(
            (sent.method.as_str(), sent.target.as_str()),
            ("POST", host.endpoint),
            "{}",
            host.name
        );
        assert_eq!(
            sent.header(host.auth.0),
            Some(host.auth.1.as_str()),
            "{}",
            host.name
        );
        if host.auth.0 != "authorization" {
            assert_eq!(sent.header("authorization"), None);
        }
        assert_eq!(sent.header("content-type"), Some("application/json"));
        let body = sent.json();
        assert_eq!(body["model"], "m-1");
        assert_eq!(body["messages"], json!([{"role": "user", "content": "x"}]));
        assert_eq!(body["stream"], false);
    }
}

/// The same answer, with reasoning, text and a tool call, whole and streamed.
fn whole_answer() -> Value {
    json!({
        "id": "chatcmpl-7",
        "object": "chat.completion",
        "created": 1_741_000_000,
        "model": "m-1",
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "reasoning_content": "The user wants the weather. ",
                "content": "Let me check — Zürich?",
                "tool_calls": [{
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\"city\": \"Zürich\"}"}
                }]
            },
            "finish_reason": "tool_calls"
        }],
        "usage": {
            "prompt_tokens": 21, "completion_tokens": 12, "total_tokens": 33,
            "completion_tokens_details": {"reasoning_tokens": 5}
        }
    })
}

fn streamed_answer() -> Vec<Value> {
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1_741_000_000,
            "model": "m-1", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
        })
    };
    let call = |call: Value| json!({"tool_calls": [call]});
    vec![
        chunk(json!({"role": "assistant", "content": null}), Value::Null),
        chunk(json!({"reasoning_content": "The user wants "}), Value::Null),
        chunk(json!({"reasoning_content": "the weather. "}), Value::Null),
        chunk(json!({"content": "Let me check "}), Value::Null),
        chunk(json!({"content": "— Zürich?"}), Value::Null),
        chunk(
            call(json!({"index": 0, "id": "call_1", "type": "function",
                        "function": {"name": "get_weather", "arguments": ""}})),
            Value::Null,
        ),
        chunk(
            call(json!({"index": 0, "function": {"arguments": "{\"city\": "}})),
            Value::Null,
        ),
        chunk(
            call(json!({"index": 0, "function": {"arguments": "\"Zürich\"}"}})),
            Value::Null,
        ),
        chunk(json!({}), json!("tool_calls")),
        json!({
            "id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1_741_000_000,
            "model": "m-1", "choices": [],
            "usage": {
                "prompt_tokens": 21, "completion_tokens": 12, "total_tokens": 33,
                "completion_tokens_details": {"reasoning_tokens": 5}
            }
        }),
    ]
}

fn weather_tool() -> ModelRequestParameters {
    let mut tool = ToolDefinition::new("get_weather");
    tool.parameters_json_schema = json!({
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"]
    });
    ModelRequestParameters {
        function_tools: vec![tool],
        ..ModelRequestParameters::default()
    }
}

/// `response` as JSON without its replay-time timestamp.
fn comparable(response: &ModelResponse) -> Value {
    let mut value = serde_json::to_value(response).unwrap();
    value["timestamp"] = Value::Null;
    value
}

#[tokio::test]
async fn a_stream_and_a_whole_completion_of_the_same_answer_are_equal() {
    for builder in [DeepSeek::builder(), OpenAi::builder(), Groq::builder()] {
        let server = TestServer::start(|_, request| {
            if request.json()["stream"] == true {
                sse(&streamed_answer(), true)
            } else {
                Reply::json(200, &whole_answer())
            }
        })
        .await;
        let model = model_of(builder, &server);
        let (whole, _) = model_request(model.clone(), prompt())
            .parameters(weather_tool())
            .await
            .unwrap();
        let mut stream = model_request_stream(model.clone(), prompt())
            .parameters(weather_tool())
            .await
            .unwrap();
        let mut events = 0;
        while let Some(event) = stream.next().await {
            event.unwrap();
            events += 1;
        }
        let streamed = stream.get();
        assert!(events > 5, "{events}");
        assert_eq!(
            comparable(&streamed),
            comparable(&whole),
            "{}",
            model.system()
        );

        let ModelResponsePart::Thinking(thinking) = &whole.parts[0] else {
            panic!("{whole:?}")
        };
        assert_eq!(thinking.content, "The user wants the weather. ");
        assert_eq!(thinking.provider_name.as_deref(), Some(model.system()));
        assert_eq!(whole.text(), "Let me check — Zürich?");
        let calls = whole.tool_calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].args_as_json_str(), "{\"city\": \"Zürich\"}");
        assert_eq!(whole.finish_reason, Some(FinishReason::ToolCall));
        assert_eq!(whole.usage.details.get("reasoning_tokens"), Some(&5));
        assert_eq!(whole.provider_response_id.as_deref(), Some("chatcmpl-7"));
    }
}

/// Error bodies as OpenAI documents them.
fn error_body(message: &str, kind: &str, code: &str) -> Value {
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

#[tokio::test]
async fn every_error_status_is_an_http_error_with_its_body_and_retry_after() {
    let cases: Vec<(Reply, Option<Duration>)> = vec![
        (
            Reply::json(
                400,
                &error_body(
                    "Invalid 'messages'",
                    "invalid_request_error",
                    "invalid_value",
                ),
            ),
            None,
        ),
        (
            Reply::json(
                401,
                &error_body(
                    "Incorrect API key provided",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
            ),
            None,
        ),
        (
            Reply::json(
                404,
                &error_body(
                    "The model `m-1` does not exist",
                    "invalid_request_error",
                    "model_not_found",
                ),
            ),
            None,
        ),
        (
            Reply::json(
                429,
                &error_body("Rate limit reached", "requests", "rate_limit_exceeded"),
            )
            .header("retry-after-ms", "1500")
            .header("retry-after", "9"),
            Some(Duration::from_millis(1500)),
        ),
        (
            Reply::json(
                429,
                &error_body("Rate limit reached", "tokens", "rate_limit_exceeded"),
            )
            .header("retry-after", "7"),
            Some(Duration::from_secs(7)),
        ),
        (
            Reply::json(
                500,
                &error_body("The server had an error", "server_error", "server_error"),
            )
            .header("retry-after", "2"),
            Some(Duration::from_secs(2)),
        ),
        (Reply::text(503, "upstream connect error"), None),
    ];
    for (reply, expected_wait) in cases {
        let support::server::Body::Full(sent) = &reply.body else {
            unreachable!("whole bodies")
        };
        let sent = String::from_utf8(sent.clone()).unwrap();
        for streamed in [false, true] {
            let server = TestServer::always(reply.clone()).await;
            let model = model_of(Groq::builder(), &server);
            let error = if streamed {
                model_request_stream(model, prompt()).await.err()
            } else {
                model_request(model, prompt()).await.err()
            };
            let Some(Error::Http {
                status,
                model_name,
                body,
                retry_after,
                ..
            }) = error
            else {
                panic!("{}: {error:?}", reply.status)
            };
            assert_eq!(status, reply.status);
            assert_eq!(model_name, "m-1");
            assert_eq!(body, sent);
            assert_eq!(retry_after, expected_wait, "{status}");
            assert_eq!(server.requests().len(), 1, "no retry policy: one attempt");
        }
    }
}

#[tokio::test]
async fn a_host_retries_rate_limits_and_server_errors_but_not_client_errors() {
    let fast = RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2));
    let server = TestServer::sequence(vec![
        Reply::json(
            429,
            &error_body("slow down", "requests", "rate_limit_exceeded"),
        )
        .header("retry-after-ms", "5"),
        Reply::json(500, &error_body("oops", "server_error", "server_error")),
        Reply::json(200, &completion("Paris")),
    ])
    .await;
    let model = OpenRouter::builder()
        .base_url(server.url("/v1"))
        .api_key(KEY)
        .retry(fast.clone())
        .build()
        .unwrap()
        .model("openai/gpt-4o");
    let (response, _) = model_request(model, prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris");
    assert_eq!(server.requests().len(), 3);

    // Exhausted: the last status, with its wait.
    let server = TestServer::always(
        Reply::json(
            429,
            &error_body("slow down", "requests", "rate_limit_exceeded"),
        )
        .header("retry-after-ms", "3"),
    )
    .await;
    let model = Cerebras::builder()
        .base_url(server.url("/v1"))
        .api_key(KEY)
        .retry(fast.clone())
        .build()
        .unwrap()
        .model("llama3.1-8b");
    let err = model_request(model, prompt()).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(
        matches!(err, Error::Http { retry_after: Some(wait), .. } if wait == Duration::from_millis(3))
    );
    assert_eq!(server.requests().len(), 3);

    // 401 is not retried.
    let server = TestServer::always(Reply::json(
        401,
        &error_body(
            "Incorrect API key provided",
            "invalid_request_error",
            "invalid_api_key",
        ),
    ))
    .await;
    let model = Xai::builder()
        .base_url(server.url("/v1"))
        .api_key(KEY)
        .retry(fast)
        .build()
        .unwrap()
        .model("grok-4");
    let err = model_request(model, prompt()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!err.to_string().contains(KEY));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn shapes_compatible_servers_send_are_read() {
    // A whole completion without `object`, `id` or `created`, an empty finish reason, an unknown
    // service tier, and arguments as an object.
    let body = json!({
        "model": "llama3.2",
        "service_tier": "flex-unknown",
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "",
                "tool_calls": [{
                    "id": "call_9",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": {"city": "Paris"}}
                }]
            },
            "finish_reason": ""
        }]
    });
    let server = TestServer::always(Reply::json(200, &body)).await;
    let model = model_of(Ollama::builder(), &server);
    let (response, _) = model_request(model, prompt())
        .parameters(weather_tool())
        .await
        .unwrap();
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool_call_id, "call_9");
    let args: Value = serde_json::from_str(&calls[0].args_as_json_str()).unwrap();
    assert_eq!(args, json!({"city": "Paris"}));
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(response.model_name.as_deref(), Some("llama3.2"));

    // A stream whose chunks have no `object`, whose arguments come as an object, whose middle
    // chunks carry an empty finish reason, whose last one an unknown finish reason, and which
    // ends without `[DONE]`.
    let chunk = |delta: Value, finish: &str| json!({"model": "llama3.2", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
    let chunks = vec![
        chunk(json!({"role": "assistant", "content": "Checking"}), ""),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_9", "type": "function",
                                    "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}),
            "",
        ),
        chunk(json!({}), "eos_token"),
    ];
    let server = TestServer::always(sse(&chunks, false)).await;
    let model = model_of(Ollama::builder(), &server);
    let mut stream = model_request_stream(model, prompt())
        .parameters(weather_tool())
        .await
        .unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    let response = stream.get();
    assert_eq!(response.text(), "Checking");
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 1);
    let args: Value = serde_json::from_str(&calls[0].args_as_json_str()).unwrap();
    assert_eq!(args, json!({"city": "Paris"}));
    assert_eq!(response.finish_reason, None);
    assert_eq!(
        response
            .provider_details
            .as_ref()
            .and_then(|d| d.get("finish_reason")),
        Some(&json!("eos_token"))
    );
}

#[tokio::test]
async fn a_truncated_stream_is_an_error_not_a_short_answer() {
    let chunks = vec![
        json!({"choices": [{"index": 0, "delta": {"content": "Par"}, "finish_reason": null}]}),
    ];
    let server = TestServer::always(sse(&chunks, false)).await;
    let model = model_of(OpenAiCompatible::builder(), &server);
    let mut stream = model_request_stream(model, prompt()).await.unwrap();
    let mut last = None;
    while let Some(event) = stream.next().await {
        last = Some(event);
    }
    assert!(
        matches!(last, Some(Err(Error::UnexpectedModelBehavior { .. }))),
        "{last:?}"
    );
}
