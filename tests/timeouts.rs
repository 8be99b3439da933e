//! Timeouts over the wire: `ModelSettings::timeout` (or the provider's default) bounds each
//! attempt of a request, its body included, and each gap between two stream chunks. The
//! server delays instead of the tests sleeping.

mod support;

use std::time::Duration;

use futures::StreamExt;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::{ModelRequest, ResponseState};
use llm_runtime::providers::{ProviderBuilder, ProviderModel};
use llm_runtime::settings::ModelSettings;
use llm_runtime::{model_request, model_request_stream, ApiErrorKind, Error};
use serde_json::json;
use support::echo::{echo_model, Echo, EchoTest};
use support::server::{Body, End, Reply, TestServer};

/// Far longer than any timeout below: a test passing through it would have failed anyway.
const NEVER: Duration = Duration::from_secs(60);

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("Hello")]
}

fn timeout(ms: u64) -> ModelSettings {
    ModelSettings {
        timeout: Some(Duration::from_millis(ms)),
        ..Default::default()
    }
}

/// An echo model of `server` that tries once, built by `builder` from a preset one.
fn tried_once(
    server: &TestServer,
    builder: impl FnOnce(ProviderBuilder<Echo>) -> ProviderBuilder<Echo>,
) -> ProviderModel<Echo> {
    let preset = EchoTest::builder()
        .base_url(server.url(""))
        .api_key("k")
        .retry(RetryPolicy::none());
    builder(preset).build().unwrap().model("m")
}

fn assert_timeout(err: &Error) {
    let Error::Api { kind, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, ApiErrorKind::Timeout);
    assert!(err.is_timeout());
}

#[tokio::test]
async fn request_timeout_is_retried_then_reported() {
    let server =
        TestServer::always(Reply::json(200, &json!({"text": "late"})).delayed(NEVER)).await;
    let err = model_request(echo_model(&server), prompt())
        .settings(timeout(150))
        .await
        .unwrap_err();
    assert_timeout(&err);
    assert_eq!(
        err.to_string(),
        "request to echo-test for model m1 timed out after 150ms"
    );
    // A timeout is retried like a connection failure: three attempts.
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn the_timeout_covers_the_response_body() {
    // Headers at once, then the JSON body never finishes.
    let reply = Reply {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        delay: Duration::ZERO,
        body: Body::Chunked {
            pieces: vec![
                (Duration::ZERO, b"{\"text\":".to_vec()),
                (NEVER, b"\"x\"}".to_vec()),
            ],
            end: End::Complete,
        },
    };
    let server = TestServer::always(reply).await;
    let model = tried_once(&server, |b| b);
    let err = model_request(model, prompt())
        .settings(timeout(200))
        .await
        .unwrap_err();
    assert_timeout(&err);
}

#[tokio::test]
async fn the_provider_default_applies_without_a_setting() {
    let server =
        TestServer::always(Reply::json(200, &json!({"text": "late"})).delayed(NEVER)).await;
    let model = tried_once(&server, |b| b.timeout(Duration::from_millis(150)));
    let err = model_request(model, prompt()).await.unwrap_err();
    assert_timeout(&err);
}

#[tokio::test]
async fn an_idle_stream_gap_times_out() {
    let server = TestServer::always(
        Reply::sse(
            [
                "data: {\"text\":\"first\"}\n\n",
                "data: {\"text\":\" never\"}\n\n",
            ],
            End::Complete,
        )
        .piece_delay(NEVER),
    )
    .await;
    let mut stream = model_request_stream(echo_model(&server), prompt())
        .settings(timeout(300))
        .await
        .unwrap();
    let mut error = None;
    while let Some(event) = stream.next().await {
        if let Err(err) = event {
            error = Some(err);
            break;
        }
    }
    let err = error.expect("the stream must fail");
    assert_timeout(&err);
    assert_eq!(
        err.to_string(),
        "the stream from echo-test for model m1 sent nothing for 300ms"
    );
    assert_eq!(stream.get().text(), "first");
    assert_eq!(stream.get().state, ResponseState::Incomplete);
}

#[tokio::test]
async fn a_slow_but_steady_stream_does_not_time_out() {
    // Eight chunks 50 ms apart: 400 ms in all, more than the 300 ms timeout, but no gap
    // comes near it: the timeout bounds gaps, not the whole stream.
    let mut pieces: Vec<String> = (0..7)
        .map(|i| format!("data: {{\"text\":\"{i}\"}}\n\n"))
        .collect();
    pieces.push("data: [DONE]\n\n".to_owned());
    let server = TestServer::always(
        Reply::sse(pieces, End::Complete).piece_delay(Duration::from_millis(50)),
    )
    .await;
    let mut stream = model_request_stream(echo_model(&server), prompt())
        .settings(timeout(300))
        .await
        .unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(stream.get().text(), "0123456");
}

#[tokio::test]
async fn waiting_for_stream_headers_is_bounded_too() {
    let server =
        TestServer::always(Reply::sse(["data: [DONE]\n\n"], End::Complete).delayed(NEVER)).await;
    let model = tried_once(&server, |b| b);
    let err = model_request_stream(model, prompt())
        .settings(timeout(150))
        .await
        .unwrap_err();
    assert_timeout(&err);
}
