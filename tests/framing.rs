//! The driver decodes the framing a protocol names, over real HTTP: newline-delimited JSON and
//! AWS event-stream (binary, CRC-checked) bodies cut into odd chunks reach the protocol as the
//! same events SSE would bring; exception frames, corrupt and truncated frames are typed
//! errors, after the events that came before them.

mod support;

use llm_runtime::http::eventstream::{encode_message, HeaderValue};
use llm_runtime::messages::{ModelRequest, ResponseState};
use llm_runtime::providers::Framing;
use llm_runtime::{model_request_stream, Error};
use support::echo::{echo_model_with, Echo};
use support::server::{Reply, TestServer};
use support::stream::collect;

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("Say hello")]
}

/// An AWS event-stream `event` message named `name`, with a JSON payload.
fn event(name: &str, payload: &str) -> Vec<u8> {
    encode_message(
        &[
            (":message-type", HeaderValue::String("event")),
            (":event-type", HeaderValue::String(name)),
            (":content-type", HeaderValue::String("application/json")),
        ],
        payload.as_bytes(),
    )
}

/// An AWS event-stream `exception` message.
fn exception(name: &str, payload: &str) -> Vec<u8> {
    encode_message(
        &[
            (":message-type", HeaderValue::String("exception")),
            (":exception-type", HeaderValue::String(name)),
            (":content-type", HeaderValue::String("application/json")),
        ],
        payload.as_bytes(),
    )
}

/// `bytes` as a reply in pieces of `size` bytes, with the framing's content type.
fn reply(bytes: &[u8], size: usize, content_type: &str) -> Reply {
    Reply::sse_split(bytes, &[size]).header("content-type", content_type)
}

fn event_stream(messages: &[Vec<u8>]) -> Vec<u8> {
    messages.concat()
}

#[tokio::test]
async fn json_lines_in_odd_chunks_reach_the_protocol() {
    let body = "{\"text\":\"Hel\"}\n\n{\"text\":\"lo, w\u{f6}rld\"}\r\n[DONE]\n";
    for size in [1, 2, 5, 64] {
        let server = TestServer::always(reply(body.as_bytes(), size, "application/x-ndjson")).await;
        let model = echo_model_with(&server, Echo::framed(Framing::JsonLines));
        let (_, error, response) =
            collect(model_request_stream(model, prompt()).await.unwrap()).await;
        assert!(error.is_none(), "{size}: {error:?}");
        assert_eq!(response.text(), "Hello, w\u{f6}rld", "{size}");
        assert_eq!(response.state, ResponseState::Complete);
    }
}

#[tokio::test]
async fn aws_event_stream_frames_in_odd_chunks_reach_the_protocol() {
    let body = event_stream(&[
        event("delta", r#"{"text":"Hel"}"#),
        event("delta", r#"{"text":"lo"}"#),
        event("usage", r#"{"input_tokens":3,"output_tokens":2}"#),
    ]);
    for size in [1, 3, 7, 1000] {
        let server =
            TestServer::always(reply(&body, size, "application/vnd.amazon.eventstream")).await;
        let mut protocol = Echo::framed(Framing::AwsEventStream);
        protocol.no_terminator = true;
        let model = echo_model_with(&server, protocol);
        let (_, error, response) =
            collect(model_request_stream(model, prompt()).await.unwrap()).await;
        assert!(error.is_none(), "{size}: {error:?}");
        assert_eq!(response.text(), "Hello", "{size}");
        assert_eq!(
            (
                response.usage.request_tokens,
                response.usage.response_tokens
            ),
            (3, 2)
        );
    }
}

#[tokio::test]
async fn an_exception_frame_is_an_error_after_the_events_before_it() {
    let body = event_stream(&[
        event("delta", r#"{"text":"Hel"}"#),
        exception("throttlingException", r#"{"message":"Too many requests"}"#),
        event("delta", r#"{"text":"never"}"#),
    ]);
    let server = TestServer::always(reply(&body, 5, "application/vnd.amazon.eventstream")).await;
    let model = echo_model_with(&server, Echo::framed(Framing::AwsEventStream));
    let (_, error, response) = collect(model_request_stream(model, prompt()).await.unwrap()).await;
    assert_eq!(response.text(), "Hel");
    let Some(Error::UnexpectedModelBehavior { message, body, .. }) = error else {
        panic!("expected an UnexpectedModelBehavior, got {error:?}")
    };
    assert!(message.contains("throttlingException"), "{message}");
    assert_eq!(body.as_deref(), Some(r#"{"message":"Too many requests"}"#));
}

#[tokio::test]
async fn a_corrupt_frame_is_an_error_never_a_panic() {
    let good = event("delta", r#"{"text":"Hel"}"#);
    let mut bad = event("delta", r#"{"text":"lo"}"#);
    let last = bad.len() - 1;
    bad[last] ^= 0xFF; // the message CRC
    let body = event_stream(&[good, bad]);
    let server = TestServer::always(reply(&body, 4, "application/vnd.amazon.eventstream")).await;
    let model = echo_model_with(&server, Echo::framed(Framing::AwsEventStream));
    let (_, error, response) = collect(model_request_stream(model, prompt()).await.unwrap()).await;
    assert_eq!(response.text(), "Hel");
    let Some(Error::UnexpectedModelBehavior { message, .. }) = error else {
        panic!("expected an UnexpectedModelBehavior, got {error:?}")
    };
    assert!(message.contains("CRC"), "{message}");
}

#[tokio::test]
async fn a_truncated_frame_at_the_end_of_the_body_is_an_error() {
    let whole = event("delta", r#"{"text":"Hello"}"#);
    let cut = event("delta", r#"{"text":" again"}"#);
    let body = event_stream(&[whole, cut[..cut.len() - 3].to_vec()]);
    let server = TestServer::always(reply(&body, 6, "application/vnd.amazon.eventstream")).await;
    let mut protocol = Echo::framed(Framing::AwsEventStream);
    protocol.no_terminator = true;
    let model = echo_model_with(&server, protocol);
    let (_, error, response) = collect(model_request_stream(model, prompt()).await.unwrap()).await;
    assert_eq!(response.text(), "Hello");
    assert!(
        matches!(error, Some(Error::UnexpectedModelBehavior { .. })),
        "{error:?}"
    );
    assert_eq!(response.state, ResponseState::Incomplete);
}

#[tokio::test]
async fn a_streamed_request_accepts_the_media_type_of_its_framing() {
    for (framing, accept) in [
        (Framing::Sse, "text/event-stream"),
        (
            Framing::AwsEventStream,
            "application/vnd.amazon.eventstream",
        ),
        (Framing::JsonLines, "application/x-ndjson"),
    ] {
        let server = TestServer::always(reply(b"", 64, framing.media_type())).await;
        let mut protocol = Echo::framed(framing);
        protocol.no_terminator = true;
        let model = echo_model_with(&server, protocol);
        collect(model_request_stream(model, prompt()).await.unwrap()).await;
        assert_eq!(server.requests()[0].header("accept"), Some(accept));
    }
}

#[tokio::test]
async fn an_exception_before_the_first_event_is_retried_as_an_error_status_is() {
    let ok = event_stream(&[event("delta", r#"{"text":"Hello"}"#)]);
    let throttled = exception("throttlingException", r#"{"message":"slow down"}"#);
    // Retryable (429): the next attempt streams.
    let server = TestServer::sequence(vec![
        reply(&throttled, 3, "application/vnd.amazon.eventstream"),
        reply(&ok, 3, "application/vnd.amazon.eventstream"),
    ])
    .await;
    let mut protocol = Echo::framed(Framing::AwsEventStream);
    protocol.no_terminator = true;
    protocol.exception_status = Some(429);
    let model = echo_model_with(&server, protocol.clone());
    let (_, error, response) = collect(model_request_stream(model, prompt()).await.unwrap()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(response.text(), "Hello");
    assert_eq!(server.requests().len(), 2);

    // Not retryable (400, or the default protocol's UnexpectedModelBehavior): the request
    // fails once, before a stream is handed out.
    for status in [Some(400), None] {
        let server =
            TestServer::always(reply(&throttled, 3, "application/vnd.amazon.eventstream")).await;
        protocol.exception_status = status;
        let model = echo_model_with(&server, protocol.clone());
        let error = match model_request_stream(model, prompt()).await {
            Ok(_) => panic!("the exception before the first event fails the request"),
            Err(error) => error,
        };
        assert_eq!(server.requests().len(), 1, "{status:?}");
        match status {
            Some(status) => assert_eq!(error.status(), Some(status), "{error:?}"),
            None => assert!(
                matches!(error, Error::UnexpectedModelBehavior { .. }),
                "{error:?}"
            ),
        }
    }
}
