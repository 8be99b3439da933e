//! `FallbackModel` over real HTTP: the next model answers after a 500 (retried first by its
//! own provider) and after a connection refusal, a stream falls back before its first event
//! only, and when every model fails the error lists each failure without any API key.

mod support;

use std::sync::Arc;

use futures::StreamExt;
use llm_runtime::messages::ModelRequest;
use llm_runtime::models::{FallbackModel, Model};
use llm_runtime::providers::ProviderBuilder;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::json;
use support::echo::{echo_model, fast_retry, Echo, SECRET_KEY};
use support::server::{End, RefusedPort, Reply, TestServer};

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

fn ok(text: &str) -> Reply {
    Reply::json(
        200,
        &json!({"text": text, "input_tokens": 9, "output_tokens": 1}),
    )
}

/// An echo model whose server refuses connections (a port nothing listens on).
fn refused(port: &RefusedPort) -> Arc<dyn Model> {
    Arc::new(
        ProviderBuilder::new("echo-test", Echo::default())
            .base_url(format!("{}/v1", port.url()))
            .api_key(SECRET_KEY)
            .retry(fast_retry())
            .build()
            .unwrap()
            .model("refused"),
    )
}

#[tokio::test]
async fn falls_back_after_a_500_and_after_a_refused_connection() {
    let failing = TestServer::always(Reply::text(500, "internal error")).await;
    let working = TestServer::always(ok("Paris")).await;
    let port = RefusedPort::bind();
    let model = FallbackModel::new([
        Arc::new(echo_model(&failing)) as Arc<dyn Model>,
        refused(&port),
        Arc::new(echo_model(&working)),
    ])
    .unwrap();
    let (response, _) = model_request(model, prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris");
    // The first model's provider retried its 500s before the fallback moved on.
    assert_eq!(failing.requests().len(), 3);
    assert_eq!(working.requests().len(), 1);
}

#[tokio::test]
async fn when_every_model_fails_one_error_lists_each_without_the_key() {
    let failing = TestServer::always(Reply::text(503, "unavailable")).await;
    let port = RefusedPort::bind();
    let model = FallbackModel::new([
        Arc::new(echo_model(&failing)) as Arc<dyn Model>,
        refused(&port),
    ])
    .unwrap();
    let error = model_request(model.clone(), prompt()).await.unwrap_err();
    let Error::Fallback { failures, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].model, "echo-test:m1");
    assert_eq!(failures[0].error.status(), Some(503));
    assert_eq!(failures[1].model, "echo-test:refused");
    assert!(
        matches!(failures[1].error, Error::Api { .. }),
        "{:?}",
        failures[1].error
    );
    for printed in [
        error.to_string(),
        format!("{error:?}"),
        format!("{model:?}"),
    ] {
        assert!(!printed.contains(SECRET_KEY), "{printed}");
    }
    assert!(error.to_string().contains("echo-test:refused"), "{error}");
}

#[tokio::test]
async fn a_stream_falls_back_before_its_first_event_but_not_after() {
    // The first server breaks its stream off before any event; the second answers.
    let broken = TestServer::always(Reply::sse(Vec::<&str>::new(), End::Drop)).await;
    let working = TestServer::always(Reply::sse(
        [
            "data: {\"text\":\"Par\"}\n\n",
            "data: {\"text\":\"is\"}\n\n",
            "data: [DONE]\n\n",
        ],
        End::Complete,
    ))
    .await;
    let model = FallbackModel::new([
        Arc::new(echo_model(&broken)) as Arc<dyn Model>,
        Arc::new(echo_model(&working)),
    ])
    .unwrap();
    let mut stream = model_request_stream(model, prompt()).await.unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(stream.get().text(), "Paris");

    // Cut after the first event: that stream is the answer, and its error is the caller's.
    let cut = TestServer::always(Reply::sse(["data: {\"text\":\"Par\"}\n\n"], End::Drop)).await;
    let untouched = TestServer::always(ok("never")).await;
    let model = FallbackModel::new([
        Arc::new(echo_model(&cut)) as Arc<dyn Model>,
        Arc::new(echo_model(&untouched)),
    ])
    .unwrap();
    let mut stream = model_request_stream(model, prompt()).await.unwrap();
    let mut error = None;
    while let Some(event) = stream.next().await {
        if let Err(e) = event {
            error = Some(e);
        }
    }
    assert!(error.is_some(), "the cut stream ends in its error");
    assert_eq!(stream.get().text(), "Par");
    assert!(untouched.requests().is_empty());
}
