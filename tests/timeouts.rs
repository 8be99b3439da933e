//! Timeouts over the wire: `ModelSettings::timeout` (or the provider's default) bounds each
//! attempt of a request, its body included, and each gap between two stream chunks; a
//! provider's `stream_deadline` bounds a whole stream. The server delays instead of the tests
//! sleeping.

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

/// An echo model of `server` whose streams may last `deadline` in all.
fn with_stream_deadline(server: &TestServer, deadline: Duration) -> ProviderModel<Echo> {
    ProviderBuilder::new("echo-test", Echo::default())
        .base_url(server.url("/v1"))
        .api_key("sk-test")
        .retry(RetryPolicy::none())
        .stream_deadline(deadline)
        .build()
        .unwrap()
        .model("m1")
}

#[tokio::test]
async fn a_stream_that_keeps_sending_past_its_deadline_ends_with_a_timeout() {
    // Twenty events 40 ms apart: never idle for long, but 800 ms in all.
    let events: Vec<String> = (0..20)
        .map(|i| format!("data: {{\"text\":\"{i} \"}}\n\n"))
        .chain(["data: [DONE]\n\n".to_owned()])
        .collect();
    let server = TestServer::always(
        Reply::sse(events, End::Complete).piece_delay(Duration::from_millis(40)),
    )
    .await;
    let mut stream = model_request_stream(
        with_stream_deadline(&server, Duration::from_millis(200)),
        prompt(),
    )
    .await
    .unwrap();
    let mut error = None;
    while let Some(event) = stream.next().await {
        if let Err(e) = event {
            error = Some(e);
        }
    }
    let error = error.expect("the stream outlived its deadline");
    assert!(
        matches!(
            &error,
            Error::Api {
                kind: ApiErrorKind::Timeout,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("ProviderBuilder::stream_deadline"),
        "{error}"
    );
    let received = stream.get();
    assert_eq!(received.state, ResponseState::Incomplete);
    assert!(
        !received.text().is_empty(),
        "the events before the deadline are kept"
    );

    // The same stream within a deadline it fits ends properly.
    let mut stream = model_request_stream(
        with_stream_deadline(&server, Duration::from_secs(30)),
        prompt(),
    )
    .await
    .unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert!(stream.get().text().starts_with("0 1 2"));
}

/// An echo model of `server` whose streams must send a byte within `limit`.
fn with_first_byte_timeout(
    server: &TestServer,
    limit: Duration,
    retry: RetryPolicy,
) -> ProviderModel<Echo> {
    ProviderBuilder::new("echo-test", Echo::default())
        .base_url(server.url("/v1"))
        .api_key("sk-test")
        .retry(retry)
        .first_byte_timeout(limit)
        .build()
        .unwrap()
        .model("m1")
}

/// A stream whose headers come at once and whose first byte comes after `delay`.
fn late_body(delay: Duration) -> Reply {
    Reply {
        status: 200,
        headers: vec![("content-type".into(), "text/event-stream".into())],
        delay: Duration::ZERO,
        body: Body::Chunked {
            pieces: vec![
                (delay, b"data: {\"text\":\"late\"}\n\n".to_vec()),
                (Duration::ZERO, b"data: [DONE]\n\n".to_vec()),
            ],
            end: End::Complete,
        },
    }
}

fn assert_first_byte_error(error: &Error) {
    let Error::Api { kind, message, .. } = error else {
        panic!("{error:?}");
    };
    assert_eq!(*kind, ApiErrorKind::Timeout);
    assert!(message.contains("first_byte_timeout"), "{message}");
    assert!(
        message.contains("ProviderBuilder::first_byte_timeout"),
        "{message}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_stream_whose_first_byte_is_late_fails_with_the_first_byte_timeout() {
    // Headers at once, the body late; then headers late.
    for reply in [
        late_body(NEVER),
        Reply::sse(["data: [DONE]\n\n"], End::Complete).delayed(NEVER),
    ] {
        let server = TestServer::always(reply).await;
        let model =
            with_first_byte_timeout(&server, Duration::from_millis(150), RetryPolicy::none());
        let started = std::time::Instant::now();
        let error = model_request_stream(model, prompt()).await.unwrap_err();
        assert!(started.elapsed() < NEVER / 2, "{:?}", started.elapsed());
        assert_first_byte_error(&error);
    }
}

#[tokio::test]
async fn a_late_first_byte_is_retried_and_a_prompt_one_is_not_bounded_further() {
    let server = TestServer::sequence(vec![
        late_body(NEVER),
        // The first byte within the bound; the rest may take longer than the bound.
        Reply::sse(
            [
                "data: {\"text\":\"on \"}\n\n",
                "data: {\"text\":\"time\"}\n\n",
                "data: [DONE]\n\n",
            ],
            End::Complete,
        )
        .piece_delay(Duration::from_millis(150)),
    ])
    .await;
    let retry = RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5));
    let model = with_first_byte_timeout(&server, Duration::from_millis(100), retry);
    let mut stream = model_request_stream(model, prompt()).await.unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(stream.get().text(), "on time");
    assert_eq!(server.requests().len(), 2);
}
