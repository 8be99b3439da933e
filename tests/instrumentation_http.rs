//! Instrumentation of a built-in host over real HTTP (a 127.0.0.1 server): the span carries the
//! address and port of the server the request went to and the cost the driver priced the
//! response at, and when the host answers 429 until the retries run out, the error's type as
//! well.

mod otel_support;
mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use llm_runtime::http::RetryPolicy;
use llm_runtime::instrument::semconv::*;
use llm_runtime::messages::ModelRequest;
use llm_runtime::providers::Groq;
use llm_runtime::{model_request, model_request_stream, Error};
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::Value;
use otel_support::{attributes, map, strings, Otel};
use serde_json::json;
use support::server::{Reply, TestServer};

const KEY: &str = "gsk-otel-wire-5d1e";
const MODEL: &str = "llama-3.3-70b-versatile";

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

/// The port the test server listens on.
fn port(server: &TestServer) -> i64 {
    let url = server.url("");
    url.rsplit(':').next().unwrap().parse().unwrap()
}

/// The span's attributes without the JSON ones (messages, their schema), which the
/// instrumentation tests check on their own.
fn plain_attributes(span: &opentelemetry_sdk::trace::SpanData) -> BTreeMap<String, Value> {
    let mut actual = attributes(span);
    for key in [
        GEN_AI_INPUT_MESSAGES,
        GEN_AI_OUTPUT_MESSAGES,
        LOGFIRE_JSON_SCHEMA,
    ] {
        actual.remove(key);
    }
    actual
}

fn request_attributes(server: &TestServer) -> BTreeMap<String, Value> {
    map([
        (GEN_AI_OPERATION_NAME, "chat".into()),
        (GEN_AI_PROVIDER_NAME, "groq".into()),
        (GEN_AI_SYSTEM, "groq".into()),
        (GEN_AI_REQUEST_MODEL, MODEL.into()),
        (SERVER_ADDRESS, "127.0.0.1".into()),
        (SERVER_PORT, port(server).into()),
    ])
}

fn model(
    server: &TestServer,
    retry: RetryPolicy,
) -> llm_runtime::providers::ProviderModel<llm_runtime::providers::openai::chat::OpenAiChat> {
    Groq::builder()
        .base_url(server.url("/openai/v1"))
        .api_key(KEY)
        .retry(retry)
        .build()
        .unwrap()
        .model(MODEL)
}

#[tokio::test]
async fn a_request_to_a_host_records_the_server_it_went_to() {
    let server = TestServer::always(Reply::json(
        200,
        &json!({
            "id": "chatcmpl-otel", "object": "chat.completion", "created": 1_741_000_000,
            "model": "llama-3.3-70b-versatile",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "Paris"}}],
            "usage": {"prompt_tokens": 15, "completion_tokens": 1, "total_tokens": 16}
        }),
    ))
    .await;
    let otel = Otel::install();
    let (response, _) = model_request(model(&server, RetryPolicy::none()), prompt())
        .instrument(otel.settings())
        .await
        .unwrap();
    assert_eq!(response.text(), "Paris");

    let span = otel.span();
    assert_eq!(span.name, format!("chat {MODEL}"));
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    let mut expected = request_attributes(&server);
    expected.extend(map([
        (GEN_AI_RESPONSE_MODEL, MODEL.into()),
        (GEN_AI_RESPONSE_ID, "chatcmpl-otel".into()),
        (GEN_AI_RESPONSE_FINISH_REASONS, strings(&["stop"])),
        (GEN_AI_USAGE_INPUT_TOKENS, 15_i64.into()),
        (GEN_AI_USAGE_OUTPUT_TOKENS, 1_i64.into()),
    ]));
    // Groq prices this model (genai-prices): the driver priced the response, the span says so.
    let cost = response.usage.cost.expect("a priced response");
    assert!(cost > 0.0);
    expected.insert(OPERATION_COST.into(), cost.into());
    assert_eq!(plain_attributes(&span), expected);
    assert!(!otel.exported_text().contains(KEY));
}

#[tokio::test]
async fn a_host_rate_limiting_until_the_retries_run_out_records_the_error_and_the_server() {
    for streamed in [false, true] {
        let server = TestServer::always(
            Reply::json(
                429,
                &json!({"error": {"message": "Rate limit reached", "type": "requests",
                                  "code": "rate_limit_exceeded"}}),
            )
            .header("retry-after-ms", "2"),
        )
        .await;
        let retry = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(2));
        let otel = Otel::install();
        let err = if streamed {
            model_request_stream(model(&server, retry), prompt())
                .instrument(otel.settings())
                .await
                .err()
        } else {
            model_request(model(&server, retry), prompt())
                .instrument(otel.settings())
                .await
                .err()
        };
        let Some(err @ Error::Http { .. }) = err else {
            panic!("{err:?}")
        };
        assert_eq!(err.status(), Some(429));
        assert_eq!(server.requests().len(), 3, "two retries, then the error");

        let span = otel.span();
        assert_eq!(span.name, format!("chat {MODEL}"));
        assert_eq!(span.status, Status::error(err.to_string()));
        let mut expected = request_attributes(&server);
        expected.insert(ERROR_TYPE.into(), "ModelHTTPError".into());
        assert_eq!(plain_attributes(&span), expected, "streamed {streamed}");
        assert!(!otel.exported_text().contains(KEY));
    }
}

#[tokio::test]
async fn a_stream_to_a_host_records_its_cost_when_it_ends() {
    let chunk = |body: serde_json::Value| format!("data: {body}\n\n");
    let server = TestServer::always(Reply::sse(
        [
            chunk(
                json!({"id": "chatcmpl-otel", "created": 1_741_000_000, "model": MODEL,
                         "choices": [{"index": 0, "delta": {"content": "Paris"}}]}),
            ),
            chunk(
                json!({"id": "chatcmpl-otel", "created": 1_741_000_000, "model": MODEL,
                         "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 15, "completion_tokens": 1,
                                   "total_tokens": 16}}),
            ),
            "data: [DONE]\n\n".to_owned(),
        ],
        support::server::End::Complete,
    ))
    .await;
    let otel = Otel::install();
    let mut stream = model_request_stream(model(&server, RetryPolicy::none()), prompt())
        .instrument(otel.settings())
        .await
        .unwrap();
    while let Some(event) = futures::StreamExt::next(&mut stream).await {
        event.unwrap();
    }
    let cost = stream.get().usage.cost.expect("a priced stream");
    let span = otel.span();
    assert_eq!(
        attributes(&span).get(OPERATION_COST),
        Some(&Value::F64(cost))
    );
    assert_eq!(
        attributes(&span).get(GEN_AI_USAGE_INPUT_TOKENS),
        Some(&Value::I64(15))
    );
}
