//! Retries over the wire: which statuses and failures are retried, how long the client
//! waits (`retry-after-ms`, `Retry-After` seconds and dates), and the error once it gives up.

mod support;

use std::time::Duration;

use futures::StreamExt;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::ModelRequest;
use llm_runtime::{model_request, model_request_stream, ApiErrorKind, Error};
use serde_json::json;
use support::echo::{echo_model, fast_retry, EchoTest, SECRET_KEY};
use support::server::{End, RefusedPort, Reply, TestServer};

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

fn ok() -> Reply {
    Reply::json(
        200,
        &json!({"text": "Paris", "input_tokens": 9, "output_tokens": 1}),
    )
}

/// The gap between the first and the second request the server received.
fn gap(server: &TestServer) -> Duration {
    let requests = server.requests();
    requests[1].received_at - requests[0].received_at
}

#[tokio::test]
async fn retries_429_then_succeeds() {
    let server = TestServer::sequence(vec![
        Reply::text(429, "slow down"),
        Reply::text(429, "slow down"),
        ok(),
    ])
    .await;
    let (response, usage) = model_request(echo_model(&server), prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris");
    assert_eq!(usage.request_tokens, 9);
    assert_eq!(server.requests().len(), 3);
    // Every attempt sends the same request.
    let bodies: Vec<_> = server.requests().iter().map(|r| r.body.clone()).collect();
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
}

#[tokio::test]
async fn retries_5xx_408_409_and_529_then_succeeds() {
    for statuses in [[500, 502], [503, 504], [408, 409], [529, 529]] {
        let server = TestServer::sequence(vec![
            Reply::text(statuses[0], "busy"),
            Reply::text(statuses[1], "busy"),
            ok(),
        ])
        .await;
        let result = model_request(echo_model(&server), prompt()).await;
        assert!(result.is_ok(), "{statuses:?}: {result:?}");
        assert_eq!(server.requests().len(), 3, "{statuses:?}");
    }
}

#[tokio::test]
async fn other_4xx_are_never_retried() {
    for status in [400, 401, 403, 404, 422] {
        let server =
            TestServer::sequence(vec![Reply::text(status, "{\"error\":\"bad\"}"), ok()]).await;
        let err = model_request(echo_model(&server), prompt())
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.requests().len(), 1, "{status}");
    }
}

#[tokio::test]
async fn the_error_body_is_what_the_protocol_makes_of_the_headers_and_body() {
    let server = TestServer::always(
        Reply::json(400, &json!({"message": "bad prompt"}))
            .header(support::echo::ERROR_TYPE_HEADER, "ValidationError"),
    )
    .await;
    let err = model_request(echo_model(&server), prompt())
        .await
        .unwrap_err();
    let Error::Http { status, body, .. } = &err else {
        panic!("expected an HTTP error, got {err:?}");
    };
    assert_eq!(*status, 400);
    assert_eq!(body, r#"ValidationError: {"message":"bad prompt"}"#);
}

#[tokio::test]
async fn gives_up_after_three_attempts_with_the_last_error() {
    let server = TestServer::always(Reply::text(503, "upstream overloaded")).await;
    let err = model_request(echo_model(&server), prompt())
        .await
        .unwrap_err();
    let Error::Http {
        status,
        model_name,
        body,
        retry_after,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*status, model_name.as_str(), body.as_str(), *retry_after),
        (503, "m1", "upstream overloaded", None)
    );
    assert_eq!(err.to_string(), "status 503 from m1: upstream overloaded");
    assert_eq!(server.requests().len(), 3);
    assert!(!format!("{err:?}").contains(SECRET_KEY));
}

#[tokio::test]
async fn the_retry_policy_sets_the_number_of_attempts() {
    let server = TestServer::always(Reply::text(500, "down")).await;
    let model = EchoTest::builder()
        .base_url(server.url(""))
        .api_key("k")
        .retry(fast_retry().with_max_retries(4))
        .build()
        .unwrap()
        .model("m");
    assert!(model_request(model, prompt()).await.is_err());
    assert_eq!(server.requests().len(), 5);

    let server = TestServer::always(Reply::text(500, "down")).await;
    let model = EchoTest::builder()
        .base_url(server.url(""))
        .api_key("k")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .model("m");
    assert!(model_request(model, prompt()).await.is_err());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn honours_retry_after_ms() {
    // The policy's own backoff is at most 5 ms: a longer gap is the header's doing.
    let server = TestServer::sequence(vec![
        Reply::text(429, "wait")
            .header("retry-after-ms", "300")
            .header("retry-after", "30"),
        ok(),
    ])
    .await;
    model_request(echo_model(&server), prompt()).await.unwrap();
    assert!(
        gap(&server) >= Duration::from_millis(300),
        "{:?}",
        gap(&server)
    );
}

#[tokio::test]
async fn honours_retry_after_seconds() {
    let server = TestServer::sequence(vec![
        Reply::text(503, "wait").header("retry-after", "1"),
        ok(),
    ])
    .await;
    model_request(echo_model(&server), prompt()).await.unwrap();
    assert!(gap(&server) >= Duration::from_secs(1), "{:?}", gap(&server));
}

#[tokio::test]
async fn honours_retry_after_http_date() {
    // Two seconds ahead at one-second resolution: at least one second of wait.
    let date = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let server = TestServer::sequence(vec![
        Reply::text(429, "wait").header("retry-after", &date),
        ok(),
    ])
    .await;
    model_request(echo_model(&server), prompt()).await.unwrap();
    assert!(
        gap(&server) >= Duration::from_millis(1000),
        "{:?}",
        gap(&server)
    );
}

#[tokio::test]
async fn a_wait_longer_than_the_policy_accepts_is_returned_not_waited() {
    let server = TestServer::sequence(vec![
        Reply::text(429, "quota").header("retry-after", "3600"),
        ok(),
    ])
    .await;
    let err = model_request(echo_model(&server), prompt())
        .await
        .unwrap_err();
    let Error::Http {
        status,
        retry_after,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*status, *retry_after),
        (429, Some(Duration::from_secs(3600)))
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn x_should_retry_overrides_the_status() {
    let server = TestServer::sequence(vec![
        Reply::text(503, "no").header("x-should-retry", "false"),
        ok(),
    ])
    .await;
    assert_eq!(
        model_request(echo_model(&server), prompt())
            .await
            .unwrap_err()
            .status(),
        Some(503)
    );
    assert_eq!(server.requests().len(), 1);

    let server = TestServer::sequence(vec![
        Reply::text(400, "again").header("x-should-retry", "true"),
        ok(),
    ])
    .await;
    assert!(model_request(echo_model(&server), prompt()).await.is_ok());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn connection_failures_are_retried() {
    let server = TestServer::sequence(vec![Reply::hang_up(), Reply::hang_up(), ok()]).await;
    let (response, _) = model_request(echo_model(&server), prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris");
    assert_eq!(server.requests().len(), 3);

    let server = TestServer::always(Reply::hang_up()).await;
    let err = model_request(echo_model(&server), prompt())
        .await
        .unwrap_err();
    let Error::Api { kind, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, ApiErrorKind::Connection);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn unreachable_host_is_a_connection_error_without_the_key() {
    let port = RefusedPort::bind();
    let model = EchoTest::builder()
        .base_url(format!("{}/v1", port.url()))
        .api_key(SECRET_KEY)
        .auth(llm_runtime::http::AuthStyle::query("key"))
        .retry(fast_retry())
        .build()
        .unwrap()
        .model("m1");
    let err = model_request(model, prompt()).await.unwrap_err();
    let Error::Api { kind, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, ApiErrorKind::Connection);
    assert!(
        message.starts_with("sending the request to echo-test for model m1 failed: "),
        "{message}"
    );
    // The key was in the URL's query: neither the message nor the source chain shows it.
    let mut shown = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        shown.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(!shown.contains(SECRET_KEY), "{shown}");
}

#[tokio::test]
async fn streams_are_retried_until_they_start() {
    let server = TestServer::sequence(vec![
        Reply::text(529, "overloaded"),
        Reply::sse(
            ["data: {\"text\":\"ok\"}\n\n", "data: [DONE]\n\n"],
            End::Complete,
        ),
    ])
    .await;
    let mut stream = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(stream.get().text(), "ok");
    assert_eq!(server.requests().len(), 2);
}
