//! The `openai-responses` host over real HTTP on 127.0.0.1, with bodies written from OpenAI's
//! documented Responses format (no `../shared` needed): the request line, key and body; a
//! whole response and a stream of the same answer (cut into odd chunks) giving equal
//! `ModelResponse`s; a stream cut before `response.completed`; failures reported in a stream;
//! retried and not retried statuses; the host's environment variables.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::{
    FinishReason, ModelRequest, ModelResponse, ModelResponsePart, ModelResponseStreamEvent,
};
use llm_runtime::models::{Model, ModelRequestParameters};
use llm_runtime::providers::openai::responses::OpenAiResponses;
use llm_runtime::providers::{OpenAiResponsesHost, ProviderModel};
use llm_runtime::settings::{ModelSettings, Thinking};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::{json, Value};
use support::server::{End, Reply, TestServer};
use support::stream::collect;

const KEY: &str = "sk-responses-7d1f";

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("What is 6 / 3?")]
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

fn model(server: &TestServer, retry: RetryPolicy) -> ProviderModel<OpenAiResponses> {
    OpenAiResponsesHost::builder()
        .base_url(server.url("/v1"))
        .api_key(KEY)
        .retry(retry)
        .build_with_env(|_| None)
        .unwrap()
        .model("gpt-5")
}

fn divide() -> ToolDefinition {
    ToolDefinition::new("divide")
        .with_description("Divide two numbers.")
        .with_parameters(json!({
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"]
        }))
}

fn parameters() -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: vec![divide()],
        ..Default::default()
    }
}

/// A whole response of a reasoning model: reasoning with a summary, text, a tool call.
fn response() -> Value {
    json!({
        "id": "resp_1", "object": "response", "created_at": 1_741_000_000,
        "status": "completed", "background": false, "error": null, "incomplete_details": null,
        "model": "gpt-5-2025-08-07",
        "output": [
            {"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAAA-enc",
             "summary": [{"type": "summary_text", "text": "Divide 6 by 3."}]},
            {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
             "content": [{"type": "output_text", "text": "Let me compute — ½ of 4 is 2.",
                          "annotations": []}]},
            {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "divide",
             "arguments": "{\"a\":6,\"b\":3}", "status": "completed"}
        ],
        "usage": {"input_tokens": 50, "input_tokens_details": {"cached_tokens": 10},
                  "output_tokens": 30, "output_tokens_details": {"reasoning_tokens": 12},
                  "total_tokens": 80}
    })
}

/// The same response as OpenAI streams it: each event named and numbered.
fn stream_text() -> String {
    let whole = response();
    let output = whole["output"].clone();
    let mut created = whole.clone();
    created["status"] = json!("in_progress");
    created["output"] = json!([]);
    created["usage"] = Value::Null;
    let events = vec![
        ("response.created", json!({"response": created.clone()})),
        ("response.in_progress", json!({"response": created})),
        (
            "response.output_item.added",
            json!({"output_index": 0,
            "item": {"type": "reasoning", "id": "rs_1", "summary": []}}),
        ),
        (
            "response.reasoning_summary_part.added",
            json!({"item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "part": {"type": "summary_text", "text": ""}}),
        ),
        (
            "response.reasoning_summary_text.delta",
            json!({"item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "delta": "Divide 6"}),
        ),
        (
            "response.reasoning_summary_text.delta",
            json!({"item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "delta": " by 3."}),
        ),
        (
            "response.reasoning_summary_part.done",
            json!({"item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "part": {"type": "summary_text", "text": "Divide 6 by 3."}}),
        ),
        (
            "response.output_item.done",
            json!({"output_index": 0, "item": output[0]}),
        ),
        (
            "response.output_item.added",
            json!({"output_index": 1, "item": {"type": "message",
            "id": "msg_1", "status": "in_progress", "role": "assistant", "content": []}}),
        ),
        (
            "response.content_part.added",
            json!({"item_id": "msg_1", "output_index": 1,
            "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}}),
        ),
        (
            "response.output_text.delta",
            json!({"item_id": "msg_1", "output_index": 1,
            "content_index": 0, "delta": "Let me compute — "}),
        ),
        (
            "response.output_text.delta",
            json!({"item_id": "msg_1", "output_index": 1,
            "content_index": 0, "delta": "½ of 4 is 2."}),
        ),
        (
            "response.output_text.done",
            json!({"item_id": "msg_1", "output_index": 1,
            "content_index": 0, "text": "Let me compute — ½ of 4 is 2.", "logprobs": []}),
        ),
        (
            "response.output_item.done",
            json!({"output_index": 1, "item": output[1]}),
        ),
        (
            "response.output_item.added",
            json!({"output_index": 2, "item": {
            "type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "divide",
            "arguments": "", "status": "in_progress"}}),
        ),
        (
            "response.function_call_arguments.delta",
            json!({"item_id": "fc_1", "output_index": 2,
            "delta": "{\"a\":6,"}),
        ),
        (
            "response.function_call_arguments.delta",
            json!({"item_id": "fc_1", "output_index": 2,
            "delta": "\"b\":3}"}),
        ),
        (
            "response.function_call_arguments.done",
            json!({"item_id": "fc_1", "output_index": 2,
            "arguments": "{\"a\":6,\"b\":3}"}),
        ),
        (
            "response.output_item.done",
            json!({"output_index": 2, "item": output[2]}),
        ),
        ("response.completed", json!({"response": whole})),
    ];
    events
        .into_iter()
        .enumerate()
        .map(|(n, (name, mut data))| {
            data["type"] = json!(name);
            data["sequence_number"] = json!(n);
            format!("event: {name}\ndata: {data}\n\n")
        })
        .collect()
}

/// Pieces of odd sizes, so that chunks end inside lines, JSON strings and the multi-byte `—`
/// and `½`.
const CHUNK_SIZES: [usize; 7] = [1, 3, 7, 11, 2, 29, 5];

/// A stream of `model` read to its end: the events, the response, the error if any.
async fn collect_stream(
    model: ProviderModel<OpenAiResponses>,
    parameters: ModelRequestParameters,
) -> (Vec<ModelResponseStreamEvent>, ModelResponse, Option<Error>) {
    let stream = model_request_stream(model, prompt())
        .parameters(parameters)
        .await
        .unwrap();
    let (events, error, response) = collect(stream).await;
    (events, response, error)
}

#[tokio::test]
async fn a_whole_response_over_http() {
    let server = TestServer::always(Reply::json(200, &response())).await;
    let (response, usage) = model_request(model(&server, RetryPolicy::none()), prompt())
        .parameters(parameters())
        .settings(ModelSettings {
            thinking: Some(Thinking::Low),
            max_tokens: Some(500),
            ..Default::default()
        })
        .await
        .unwrap();

    let requests = server.requests();
    let sent = &requests[0];
    assert_eq!(
        (sent.method.as_str(), sent.path()),
        ("POST", "/v1/responses")
    );
    assert_eq!(
        sent.header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        sent.json(),
        json!({
            "model": "gpt-5", "stream": false, "max_output_tokens": 500,
            "input": [{"role": "user", "content": "What is 6 / 3?"}],
            "include": ["reasoning.encrypted_content"],
            "reasoning": {"effort": "low", "summary": "auto"},
            "tool_choice": "auto",
            "tools": [{"type": "function", "name": "divide", "description": "Divide two numbers.",
                       "parameters": {"type": "object",
                                      "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                                      "required": ["a", "b"], "additionalProperties": false},
                       "strict": true}]
        })
    );

    assert_eq!(response.provider_name.as_deref(), Some("openai-responses"));
    assert_eq!(response.provider_url, Some(server.url("/v1")));
    assert_eq!(response.model_name.as_deref(), Some("gpt-5-2025-08-07"));
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(response.text(), "Let me compute — ½ of 4 is 2.");
    let ModelResponsePart::Thinking(thinking) = &response.parts[0] else {
        panic!("{:?}", response.parts)
    };
    assert_eq!(
        (
            thinking.content.as_str(),
            thinking.signature.as_deref(),
            thinking.id.as_deref()
        ),
        ("Divide 6 by 3.", Some("gAAAA-enc"), Some("rs_1"))
    );
    let calls = response.tool_calls();
    assert_eq!(
        (calls[0].tool_call_id.as_str(), calls[0].id.as_deref()),
        ("call_1", Some("fc_1"))
    );
    assert_eq!(
        (
            usage.request_tokens,
            usage.cache_read_tokens,
            usage.response_tokens
        ),
        (50, 10, 30)
    );
    assert_eq!(usage.details.get("reasoning_tokens"), Some(&12));

    // The next turn sends the items back: the reasoning with its encrypted content, the
    // message and the call with their ids, the call's output.
    let history = vec![
        prompt()[0].clone().into(),
        response.clone().into(),
        ModelRequest::new(vec![llm_runtime::messages::ToolReturnPart::new(
            "divide", 2.0, "call_1",
        )
        .into()])
        .into(),
    ];
    let server = TestServer::always(Reply::json(200, &self::response())).await;
    let messages: Vec<llm_runtime::messages::ModelMessage> = history;
    model(&server, RetryPolicy::none())
        .request(&messages, &ModelSettings::default(), &parameters())
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].json()["input"],
        json!([
            {"role": "user", "content": "What is 6 / 3?"},
            {"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAAA-enc",
             "summary": [{"type": "summary_text", "text": "Divide 6 by 3."}]},
            {"type": "message", "role": "assistant", "id": "msg_1", "status": "completed",
             "content": [{"type": "output_text", "text": "Let me compute — ½ of 4 is 2.",
                          "annotations": []}]},
            {"type": "function_call", "name": "divide", "arguments": "{\"a\":6,\"b\":3}",
             "call_id": "call_1", "id": "fc_1"},
            {"type": "function_call_output", "call_id": "call_1", "output": "2.0"}
        ])
    );
}

#[tokio::test]
async fn a_stream_in_odd_chunks_equals_the_whole_response() {
    let server = TestServer::sequence(vec![
        Reply::json(200, &response()),
        Reply::sse_split(stream_text().as_bytes(), &CHUNK_SIZES),
    ])
    .await;
    let (whole, _) = model_request(model(&server, RetryPolicy::none()), prompt())
        .parameters(parameters())
        .await
        .unwrap();
    let (events, mut streamed, error) =
        collect_stream(model(&server, RetryPolicy::none()), parameters()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(server.requests()[1].json()["stream"], true);
    // Received at different instants; everything else is equal.
    streamed.timestamp = whole.timestamp;
    assert_eq!(streamed, whole);
    let starts = events
        .iter()
        .filter(|e| matches!(e, ModelResponseStreamEvent::PartStart(_)))
        .count();
    let ends = events
        .iter()
        .filter(|e| matches!(e, ModelResponseStreamEvent::PartEnd(_)))
        .count();
    assert_eq!((starts, ends), (3, 3));
    assert!(events
        .iter()
        .any(|e| matches!(e, ModelResponseStreamEvent::FinalResult(_))));
}

#[tokio::test]
async fn a_stream_cut_before_response_completed_is_truncated() {
    let text = stream_text();
    let cut = text
        .find("event: response.completed")
        .expect("the stream ends with response.completed");
    for end in [End::Complete, End::Drop] {
        let server = TestServer::always(Reply::sse([&text.as_bytes()[..cut]], end)).await;
        let (_, partial, error) =
            collect_stream(model(&server, RetryPolicy::none()), parameters()).await;
        let error = error.expect("the cut stream fails");
        match (end, &error) {
            (End::Complete, Error::UnexpectedModelBehavior { message, .. }) => {
                assert!(message.contains("before `response.completed`"), "{message}")
            }
            // A body broken off mid-transfer fails as a transport error, or as a truncation.
            (End::Drop, Error::Api { .. } | Error::UnexpectedModelBehavior { .. }) => {}
            _ => panic!("{end:?}: {error:?}"),
        }
        // What arrived stays readable, marked incomplete.
        assert_eq!(partial.text(), "Let me compute — ½ of 4 is 2.");
        assert_eq!(
            partial.state,
            llm_runtime::messages::ResponseState::Incomplete
        );
    }
}

#[tokio::test]
async fn failures_inside_a_stream_are_errors_with_their_message() {
    // A failure before the first event fails the stream's request itself (nothing reached the
    // caller, so a retry policy may ask again): a known code as the HTTP status it stands for,
    // an unknown one as unexpected behaviour with its message.
    let failed = |code: &str| {
        json!({"type": "response.failed", "sequence_number": 1, "response": {
            "id": "resp_2", "status": "failed",
            "error": {"code": code, "message": "The server had an error."}}})
    };
    let error_event = json!({"type": "error", "sequence_number": 1,
        "code": "rate_limit_exceeded", "message": "Too many tokens.", "param": null});
    for (name, data, expected_status) in [
        ("response.failed", failed("server_error"), Some(500)),
        ("error", error_event, Some(429)),
        ("response.failed", failed("mystery_code"), None),
    ] {
        let text = format!("event: {name}\ndata: {data}\n\n");
        let server = TestServer::always(Reply::sse_split(text.as_bytes(), &CHUNK_SIZES)).await;
        let error = model_request_stream(model(&server, RetryPolicy::none()), prompt())
            .parameters(parameters())
            .await
            .err();
        match (error, expected_status) {
            (Some(Error::Http { status, body, .. }), Some(expected)) => {
                assert_eq!(status, expected, "{name}");
                assert!(body.contains(name), "{body}");
                assert!(error_is_retryable(status), "{name}");
            }
            (Some(Error::UnexpectedModelBehavior { message, body, .. }), None) => {
                assert_eq!(
                    message,
                    "the response failed: mystery_code: The server had an error."
                );
                assert!(body.is_some_and(|b| b.contains(name)));
            }
            (other, _) => panic!("{name}: {other:?}"),
        }
        assert_eq!(server.requests().len(), 1, "no retry without a policy");
    }
}

/// Whether a status is one the retry policy asks again for.
fn error_is_retryable(status: u16) -> bool {
    Error::http(status, "m", b"", None).is_retryable()
}

fn error_body(message: &str, code: &str) -> Value {
    json!({"error": {"message": message, "type": "invalid_request_error", "param": null,
                     "code": code}})
}

#[tokio::test]
async fn rate_limits_are_retried_and_bad_requests_are_not() {
    let server = TestServer::sequence(vec![
        Reply::json(
            429,
            &error_body("Rate limit reached", "rate_limit_exceeded"),
        )
        .header("retry-after-ms", "2"),
        Reply::json(200, &response()),
    ])
    .await;
    let (response, _) = model_request(model(&server, fast_retry()), prompt())
        .await
        .unwrap();
    assert_eq!(response.text(), "Let me compute — ½ of 4 is 2.");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body);

    let sent = error_body(
        "Invalid 'temperature': decimal below minimum value.",
        "decimal_below_min_value",
    );
    for streamed in [false, true] {
        let server = TestServer::always(Reply::json(400, &sent)).await;
        let model = model(&server, fast_retry());
        let error = if streamed {
            model_request_stream(model, prompt()).await.err()
        } else {
            model_request(model, prompt()).await.err()
        };
        let Some(Error::Http {
            status,
            body,
            model_name,
            ..
        }) = error
        else {
            panic!("{error:?}")
        };
        assert_eq!((status, model_name.as_str()), (400, "gpt-5"));
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), sent);
        assert_eq!(server.requests().len(), 1, "a 400 is not retried");
    }
}

#[tokio::test]
async fn the_host_reads_openai_s_variables_and_redacts_its_key() {
    let server = TestServer::always(Reply::json(200, &response())).await;
    let env: HashMap<&str, String> = HashMap::from([
        ("OPENAI_API_KEY", KEY.to_owned()),
        ("OPENAI_BASE_URL", server.url("/v1")),
    ]);
    let provider = OpenAiResponsesHost::builder()
        .build_with_env(|var| env.get(var).cloned())
        .unwrap();
    assert_eq!(provider.name(), "openai-responses");
    assert_eq!(provider.base_url(), server.url("/v1"));
    let model = provider.model("gpt-4.1-nano");
    assert!(!format!("{model:?}").contains(KEY));
    assert_eq!(model.system(), "openai-responses");
    model_request(model, prompt()).await.unwrap();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );

    // Without a key: the error names OpenAI's variable; the default base URL is OpenAI's.
    let err = OpenAiResponsesHost::builder()
        .build_with_env(|_| None)
        .unwrap_err();
    assert!(err.to_string().contains("OPENAI_API_KEY"), "{err}");
    let provider = OpenAiResponsesHost::builder()
        .api_key("k")
        .build_with_env(|_| None)
        .unwrap();
    assert_eq!(provider.base_url(), "https://api.openai.com/v1");
    // The model string resolves to this host.
    assert!(llm_runtime::models::known_providers().contains(&"openai-responses"));
}
