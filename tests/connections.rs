//! Connections over many requests: after 1,000 requests with retries, cancellations and
//! timeouts mixed, 32 at a time, the server sees no leaked connection: no more open at once
//! than requests in flight plus the idle pool, and no more than the pool once they are done.

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::StreamExt;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::ModelRequest;
use llm_runtime::providers::OpenAi;
use llm_runtime::{model_request, model_request_stream};
use support::load::{answer, Behaviour, LoadServer};

const REQUESTS: usize = 1_000;
const IN_FLIGHT: usize = 32;
/// The idle connections the client keeps.
const POOL: usize = 8;

fn behaviour(id: usize) -> Behaviour {
    match id % 6 {
        0 => Behaviour::FailOnce,
        1 => Behaviour::Stall,
        2 => Behaviour::Slow,
        _ => Behaviour::Answer,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_mixed_requests_leak_no_connection() {
    let server = LoadServer::start(behaviour, None).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(POOL)
        .build()
        .expect("client");
    let model = OpenAi::builder()
        .base_url(server.url())
        .api_key("sk-load")
        .client(client)
        .retry(
            RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .timeout(Duration::from_millis(300))
        .build()
        .expect("provider")
        .model("gpt-4o");
    let outcomes: Vec<&'static str> = futures::stream::iter(0..REQUESTS)
        .map(|id| {
            let model = model.clone();
            async move {
                let prompt = [ModelRequest::user_text_prompt(format!("load-{id}"))];
                let behaviour = behaviour(id);
                if behaviour == Behaviour::Answer && id % 2 == 0 {
                    let (response, _) = model_request(model, prompt).await.expect("answer");
                    assert_eq!(response.text(), answer(id));
                    return "whole";
                }
                let mut stream = model_request_stream(model, prompt).await.expect("stream");
                if behaviour == Behaviour::Slow {
                    // Cancelled after the first event: dropping the stream closes it.
                    stream.next().await.expect("an event").expect("no error");
                    return "cancelled";
                }
                let mut failed = None;
                while let Some(event) = stream.next().await {
                    if let Err(e) = event {
                        failed = Some(e);
                    }
                }
                match failed {
                    Some(error) => {
                        assert_eq!(behaviour, Behaviour::Stall, "{id}: {error}");
                        assert!(error.is_timeout(), "{id}: {error}");
                        "timed out"
                    }
                    None => {
                        assert_eq!(stream.get().text(), answer(id));
                        if behaviour == Behaviour::FailOnce {
                            "retried"
                        } else {
                            "streamed"
                        }
                    }
                }
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let count = |what: &str| outcomes.iter().filter(|o| **o == what).count();
    let most_open = server.shared.most_open.load(Ordering::SeqCst);
    let accepted = server.shared.accepted.load(Ordering::SeqCst);
    println!(
        "{REQUESTS} requests: {} whole, {} streamed, {} retried, {} cancelled, {} timed out; \
         {accepted} connections accepted, at most {most_open} open at once",
        count("whole"),
        count("streamed"),
        count("retried"),
        count("cancelled"),
        count("timed out"),
    );
    assert_eq!(outcomes.len(), REQUESTS);
    assert!(count("retried") > 0 && count("cancelled") > 0 && count("timed out") > 0);
    // A connection the client closed counts until the server notices (its next read or
    // write), so the bound has room for that lag; the 334 cancelled or timed-out streams,
    // were their connections leaked, would be far past it.
    assert!(
        most_open <= 2 * IN_FLIGHT,
        "{most_open} connections open at once for {IN_FLIGHT} requests in flight"
    );
    // Done: only the idle pool may stay open.
    let settled = server.settle(POOL, Duration::from_secs(5)).await;
    let open = server.shared.open.load(Ordering::SeqCst);
    assert!(
        settled,
        "{open} connections still open, the pool keeps {POOL}"
    );
}
