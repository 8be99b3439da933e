//! `ConcurrencyLimitedModel` over real HTTP: 200 concurrent requests through a limit of 4 never
//! have more than 4 in flight at the server (the server counts), while the same burst without
//! the limit does; streams hold their slot until they end.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use llm_runtime::messages::ModelRequest;
use llm_runtime::models::{ConcurrencyLimitedModel, Model};
use llm_runtime::{model_request, model_request_stream};
use serde_json::json;
use support::echo::echo_model;
use support::server::{End, Reply, TestServer};

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

fn slow_ok() -> Reply {
    Reply::json(
        200,
        &json!({"text": "Paris", "input_tokens": 9, "output_tokens": 1}),
    )
    .delayed(Duration::from_millis(5))
}

/// Sends `n` requests at once through `model`; each must answer.
async fn burst(model: Arc<dyn Model>, n: usize) {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let model = model.clone();
            tokio::spawn(async move { model_request(model, prompt()).await })
        })
        .collect();
    for task in tasks {
        let (response, _) = task.await.unwrap().unwrap();
        assert_eq!(response.text(), "Paris");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_requests_through_a_limit_of_four_never_exceed_four_at_the_server() {
    let server = TestServer::always(slow_ok()).await;
    let limited = ConcurrencyLimitedModel::new(echo_model(&server), 4).unwrap();
    let limiter = limited.limiter().clone();
    burst(Arc::new(limited), 200).await;
    assert_eq!(server.requests().len(), 200);
    assert!(server.most_in_flight() <= 4, "{}", server.most_in_flight());
    assert_eq!(limiter.in_flight(), 0);

    // The same burst without the limit overlaps far more: the count above can fail.
    let unlimited = TestServer::always(slow_ok()).await;
    burst(Arc::new(echo_model(&unlimited)), 200).await;
    assert!(
        unlimited.most_in_flight() > 4,
        "{}",
        unlimited.most_in_flight()
    );
}

#[tokio::test]
async fn a_stream_keeps_its_slot_until_it_ends() {
    let server = TestServer::always(Reply::sse(
        [
            "data: {\"text\":\"Par\"}\n\n",
            "data: {\"text\":\"is\"}\n\n",
            "data: [DONE]\n\n",
        ],
        End::Complete,
    ))
    .await;
    let model = ConcurrencyLimitedModel::new(echo_model(&server), 1).unwrap();
    let limiter = model.limiter().clone();
    let mut stream = model_request_stream(model, prompt()).await.unwrap();
    assert_eq!(limiter.in_flight(), 1);
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(stream.get().text(), "Paris");
    assert_eq!(limiter.in_flight(), 0);
}
