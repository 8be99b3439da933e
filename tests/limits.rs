//! The size bounds of a provider over real HTTP: a non-streamed body over `max_body_size`
//! (announced by `Content-Length` or found while reading a chunked body) and a stream past
//! `max_stream_size` are `ApiErrorKind::TooLarge` errors that name the bound and how to raise
//! it, are not retried, and never show the key.

mod support;

use futures::StreamExt;
use llm_runtime::messages::ModelRequest;
use llm_runtime::providers::{ProviderBuilder, ProviderModel};
use llm_runtime::{model_request, model_request_stream, ApiErrorKind, Error};
use serde_json::json;
use support::echo::{fast_retry, Echo, SECRET_KEY};
use support::server::{End, Reply, TestServer};

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

/// An echo model of `server` with the given bounds.
fn bounded(server: &TestServer, body: usize, stream: usize) -> ProviderModel<Echo> {
    ProviderBuilder::new("echo-test", Echo::default())
        .base_url(server.url("/v1"))
        .api_key(SECRET_KEY)
        .retry(fast_retry())
        .max_body_size(body)
        .max_stream_size(stream)
        .build()
        .unwrap()
        .model("m1")
}

/// A JSON answer whose text is `n` bytes long.
fn answer(n: usize) -> Vec<u8> {
    serde_json::to_vec(&json!({"text": "x".repeat(n), "input_tokens": 1, "output_tokens": 1}))
        .unwrap()
}

fn assert_too_large(error: &Error, bound: &str) {
    let Error::Api { kind, .. } = error else {
        panic!("{error:?}")
    };
    assert_eq!(*kind, ApiErrorKind::TooLarge);
    let message = error.to_string();
    assert!(message.contains(bound), "{message}");
    assert!(
        message.contains(&format!("ProviderBuilder::{bound}")),
        "{message}"
    );
    assert!(!message.contains(SECRET_KEY) && !format!("{error:?}").contains(SECRET_KEY));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_body_over_the_bound_is_refused_from_its_content_length_and_not_retried() {
    let body = answer(2_000);
    let server =
        TestServer::always(Reply::json(200, &serde_json::from_slice(&body).unwrap())).await;
    let error = model_request(bounded(&server, 1_000, 1_000), prompt())
        .await
        .unwrap_err();
    assert_too_large(&error, "max_body_size");
    assert_eq!(server.requests().len(), 1);

    // The same body under a bound it fits.
    let (response, _) = model_request(bounded(&server, body.len(), 1_000), prompt())
        .await
        .unwrap();
    assert_eq!(response.text().len(), 2_000);
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_as_soon_as_it_grows_past_the_bound() {
    // Chunked, so no Content-Length: the bound is found while reading.
    let body = answer(5_000);
    let server = TestServer::always(Reply::sse_split(&body, &[700])).await;
    let error = model_request(bounded(&server, 1_000, 1_000), prompt())
        .await
        .unwrap_err();
    assert_too_large(&error, "max_body_size");
    let (response, _) = model_request(bounded(&server, body.len(), 1_000), prompt())
        .await
        .unwrap();
    assert_eq!(response.text().len(), 5_000);
}

#[tokio::test]
async fn a_stream_past_its_bound_ends_with_the_error_after_what_it_brought() {
    let event = "data: {\"text\":\"0123456789\"}\n\n";
    let server = TestServer::always(Reply::sse(
        std::iter::repeat_n(event, 100).chain(["data: [DONE]\n\n"]),
        End::Complete,
    ))
    .await;
    let mut stream = model_request_stream(bounded(&server, 1_000, 10 * event.len()), prompt())
        .await
        .unwrap();
    let mut error = None;
    while let Some(event) = stream.next().await {
        if let Err(e) = event {
            error = Some(e);
        }
    }
    assert_too_large(&error.expect("the stream fails"), "max_stream_size");
    let text = stream.get().text();
    assert!(!text.is_empty() && text.len() <= 100, "{}", text.len());

    // Within its bound the whole stream arrives.
    let mut stream = model_request_stream(bounded(&server, 1_000, 200 * event.len()), prompt())
        .await
        .unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(stream.get().text().len(), 1_000);
}
