//! `ConcurrencyLimitedModel` over real HTTP: 200 concurrent requests through a limit of 4 never
//! have more than 4 in flight at the server (the server counts), while the same burst without
//! the limit does; streams hold their slot until they end; a provider's limiter paced by the
//! rate-limit headers keeps a burst clear of the 429s it meets without.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use llm_runtime::http::RetryPolicy;
use llm_runtime::limit::ConcurrencyLimiter;
use llm_runtime::messages::ModelRequest;
use llm_runtime::models::{ConcurrencyLimitedModel, Model};
use llm_runtime::providers::{ProviderBuilder, ProviderModel};
use llm_runtime::{model_request, model_request_stream};
use serde_json::json;
use support::echo::{echo_model, Echo, SECRET_KEY};
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

/// A server allowing `PER_WINDOW` requests a window of `WINDOW`, saying so in OpenAI's
/// rate-limit headers on every answer, and answering 429 past the budget.
async fn rate_limited_server() -> TestServer {
    const PER_WINDOW: u32 = 5;
    const WINDOW: Duration = Duration::from_millis(400);
    let window = std::sync::Mutex::new((std::time::Instant::now(), 0u32));
    TestServer::start(move |_, _| {
        let mut window = window.lock().unwrap();
        let now = std::time::Instant::now();
        if now.duration_since(window.0) >= WINDOW {
            *window = (now, 0);
        }
        let reset = WINDOW.saturating_sub(now.duration_since(window.0));
        // Rounded up, as servers do: a client waiting this long finds the new window.
        let reset = format!("{}ms", reset.as_micros().div_ceil(1000).max(1));
        if window.1 >= PER_WINDOW {
            return Reply::text(429, "rate limited")
                .header("x-ratelimit-remaining-requests", "0")
                .header("x-ratelimit-reset-requests", &reset);
        }
        window.1 += 1;
        Reply::json(
            200,
            &json!({"text": "Paris", "input_tokens": 9, "output_tokens": 1}),
        )
        .header(
            "x-ratelimit-remaining-requests",
            &(PER_WINDOW - window.1).to_string(),
        )
        .header("x-ratelimit-reset-requests", &reset)
    })
    .await
}

/// Sends `n` requests at once through `model`; how many failed with a 429.
async fn burst_429s(model: Arc<dyn Model>, n: usize) -> usize {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let model = model.clone();
            tokio::spawn(async move { model_request(model, prompt()).await })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok((response, _)) => assert_eq!(response.text(), "Paris"),
            Err(error) if error.status() == Some(429) => refused += 1,
            Err(error) => panic!("{error:?}"),
        }
    }
    refused
}

/// An echo model of `server` that does not retry (so a 429 shows), with `limiter` if given.
fn unretried(server: &TestServer, limiter: Option<ConcurrencyLimiter>) -> ProviderModel<Echo> {
    let builder = ProviderBuilder::new("echo-test", Echo::default())
        .base_url(server.url("/v1"))
        .api_key(SECRET_KEY)
        .retry(RetryPolicy::none());
    match limiter {
        Some(limiter) => builder.limiter(limiter),
        None => builder,
    }
    .build()
    .unwrap()
    .model("m1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_from_rate_limit_headers_avoids_the_429s_a_burst_gets_without_it() {
    // The price data is decoded before the first response is priced (once per process, 0.2 s
    // in a debug build): done here, so that it cannot stretch the burst past the budget's
    // window.
    llm_runtime::cost::preload();
    // Without a limiter, 12 requests at once meet the budget of 5.
    let server = rate_limited_server().await;
    let refused = burst_429s(Arc::new(unretried(&server, None)), 12).await;
    // All 12 inside one window would be 7 refusals; a loaded machine may spread the burst
    // over two windows, which still refuses some.
    assert!(refused >= 2, "{refused}");

    // One at a time but blind to the headers (a model-level limit): the 6th still meets it.
    let server = rate_limited_server().await;
    let blind = ConcurrencyLimitedModel::new(unretried(&server, None), 1).unwrap();
    assert!(burst_429s(Arc::new(blind), 12).await >= 1);

    // The provider's limiter reads `remaining: 0` and waits for the reset: no 429 at all.
    let server = rate_limited_server().await;
    let limiter = ConcurrencyLimiter::new(1).unwrap();
    let paced = unretried(&server, Some(limiter));
    assert_eq!(burst_429s(Arc::new(paced), 12).await, 0);
    assert_eq!(server.requests().len(), 12);
}
