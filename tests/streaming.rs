//! Streams over the wire: SSE with odd chunk splits, CRLF, comments, multi-line data;
//! truncated and broken streams; dropping a stream closes its connection.

mod support;

use std::time::Duration;

use futures::StreamExt;
use llm_runtime::messages::{ModelRequest, ModelResponseStreamEvent, ResponseState};
use llm_runtime::{
    model_request, model_request_stream, model_request_stream_sync, ApiErrorKind, Error,
};
use serde_json::json;
use support::echo::{echo_model, EchoOpen, SECRET_KEY};
use support::server::{End, Reply, TestServer};
use support::stream::{collect, timeless};

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("Say hello")]
}

#[tokio::test]
async fn sse_with_odd_chunk_splits_crlf_and_comments() {
    // One stream cut at awkward places: inside `data:`, between CR and LF, inside a UTF-8
    // character (ö is C3 B6, 🌍 is F0 9F 8C 8D), inside the JSON.
    let stream = "event: delta\r\ndata: {\"text\":\"Hello\"}\r\n\r\n: keep-alive\r\n\r\ndata: {\"text\":\", w\u{f6}rld \u{1F30D}\"}\r\n\r\nevent: usage\r\ndata: {\"input_tokens\":3,\"output_tokens\":4}\r\n\r\ndata: [DONE]\r\n\r\n";
    let bytes = stream.as_bytes();
    let o_umlaut = stream.find('\u{f6}').unwrap();
    let globe = stream.find('\u{1F30D}').unwrap();
    let cuts = [
        3,
        14,
        15,
        30,
        o_umlaut + 1,
        globe + 2,
        globe + 3,
        bytes.len() - 5,
    ];
    let mut pieces = Vec::new();
    let mut start = 0;
    for cut in cuts {
        pieces.push(bytes[start..cut].to_vec());
        start = cut;
    }
    pieces.push(bytes[start..].to_vec());
    let server =
        TestServer::always(Reply::sse(pieces, End::Complete).piece_delay(Duration::from_millis(2)))
            .await;

    let stream = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap();
    let (events, error, response) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(response.text(), "Hello, w\u{f6}rld \u{1F30D}");
    assert_eq!(response.state, ResponseState::Complete);
    assert_eq!(
        (
            response.usage.request_tokens,
            response.usage.response_tokens
        ),
        (3, 4)
    );
    assert_eq!(response.provider_name.as_deref(), Some("echo-test"));
    assert_eq!(response.provider_url, Some(server.url("/v1")));
    assert!(matches!(
        events.first(),
        Some(ModelResponseStreamEvent::PartStart(_))
    ));
    assert!(matches!(
        events.last(),
        Some(ModelResponseStreamEvent::PartEnd(_))
    ));

    let request = &server.requests()[0];
    assert_eq!(request.path(), "/v1/echo/m1");
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert_eq!(request.json()["stream"], json!(true));
}

#[tokio::test]
async fn streamed_response_equals_the_non_streamed_one() {
    let server = TestServer::start(|_, request| {
        if request.json()["stream"] == json!(true) {
            Reply::sse(
                [
                    "data: {\"text\":\"Par\"}\n\n",
                    "data: {\"text\":\"is\"}\n\nevent: usage\ndata: {\"input_tokens\":5,\"output_tokens\":1}\n\n",
                    "data: [DONE]\n\n",
                ],
                End::Complete,
            )
        } else {
            Reply::json(200, &json!({"text": "Paris", "input_tokens": 5, "output_tokens": 1}))
        }
    })
    .await;
    let model = echo_model(&server);
    let (plain, _) = model_request(model.clone(), prompt()).await.unwrap();
    let stream = model_request_stream(model, prompt()).await.unwrap();
    let (_, error, streamed) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(timeless(streamed), timeless(plain));
}

#[tokio::test]
async fn stream_usage_counts_one_request_as_the_response_does() {
    let server = TestServer::always(Reply::sse(
        [
            "data: {\"text\":\"Paris\"}\n\nevent: usage\ndata: {\"input_tokens\":5,\"output_tokens\":1}\n\n",
            "data: [DONE]\n\n",
        ],
        End::Complete,
    ))
    .await;
    let mut stream = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap();
    assert_eq!(stream.usage().requests, 1, "before the first event");
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    let usage = stream.usage().clone();
    assert_eq!(
        (
            usage.requests,
            usage.request_tokens,
            usage.response_tokens,
            usage.total_tokens
        ),
        (1, 5, 1, 6)
    );
    assert_eq!(usage, stream.get().usage);
}

#[tokio::test]
async fn multi_line_data_and_a_long_line_arrive_whole() {
    let long = "x".repeat(3 << 20);
    let long_event = format!("data: {{\"text\":\"{long}\"}}\n\n");
    // The JSON of the first event spans two `data:` lines (joined by a newline).
    let mut pieces = vec!["data: {\"text\":\ndata: \"a\"}\n\n".as_bytes().to_vec()];
    pieces.extend(long_event.as_bytes().chunks(64 * 1024).map(<[u8]>::to_vec));
    pieces.push(b"data: [DONE]\n\n".to_vec());
    let server = TestServer::always(Reply::sse(pieces, End::Complete)).await;
    let stream = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap();
    let (_, error, response) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(response.text().len(), 1 + long.len());
    assert!(response.text().starts_with("axxx"));
}

#[tokio::test]
async fn stream_ending_without_its_terminator_is_unexpected_model_behavior() {
    let server = TestServer::always(Reply::sse(
        [
            "data: {\"text\":\"Hel\"}\n\n",
            "data: {\"text\":\"lo\"}\n\n",
        ],
        End::Complete,
    ))
    .await;
    let stream = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap();
    let (events, error, response) = collect(stream).await;
    let Some(Error::UnexpectedModelBehavior { message, .. }) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        message,
        "the echo stream ended after 2 events without [DONE]"
    );
    assert!(!events.is_empty());
    // What arrived is kept, marked incomplete.
    assert_eq!(response.text(), "Hello");
    assert_eq!(response.state, ResponseState::Incomplete);
}

#[tokio::test]
async fn protocol_without_terminator_ends_at_the_end_of_the_body() {
    let server = TestServer::always(Reply::sse(
        // The last event has no blank line after it: still applied.
        [
            "data: {\"text\":\"one\"}\n\n",
            "data: {\"text\":\" two\"}\n",
        ],
        End::Complete,
    ))
    .await;
    let model = EchoOpen::builder()
        .base_url(server.url(""))
        .build()
        .unwrap()
        .model("m");
    let stream = model_request_stream(model, prompt()).await.unwrap();
    let (_, error, response) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(response.text(), "one two");
    assert_eq!(response.state, ResponseState::Complete);
    // `api_key_optional` and no key: no auth header at all.
    assert_eq!(server.requests()[0].header("x-echo-key"), None);
}

#[tokio::test]
async fn broken_transfer_is_a_connection_error() {
    let server = TestServer::always(Reply::sse(["data: {\"text\":\"Hel\"}\n\n"], End::Drop)).await;
    let stream = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap();
    let (_, error, response) = collect(stream).await;
    let Some(Error::Api { kind, message, .. }) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*kind, ApiErrorKind::Connection);
    assert!(
        message.starts_with("reading the stream to echo-test for model m1 failed"),
        "{message}"
    );
    assert!(!message.contains(SECRET_KEY));
    assert_eq!(response.text(), "Hel");
}

#[tokio::test]
async fn malformed_and_error_events_are_errors_with_their_data() {
    for (event, expected) in [
        ("data: {not json\n\n", ("malformed delta", "{not json")),
        (
            "event: error\ndata: {\"message\":\"overloaded\"}\n\n",
            (
                "the provider sent an error event",
                "{\"message\":\"overloaded\"}",
            ),
        ),
    ] {
        let server = TestServer::always(Reply::sse([event], End::Complete)).await;
        // The first event is the error: the stream's request fails before anything reached
        // the caller.
        let error = model_request_stream(echo_model(&server), prompt())
            .await
            .err();
        let Some(Error::UnexpectedModelBehavior { message, body, .. }) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(
            (message.as_str(), body.as_deref()),
            (expected.0, Some(expected.1))
        );
    }
}

#[tokio::test]
async fn events_before_a_malformed_one_reach_the_consumer_first_in_order() {
    // Both events in one piece of the body: the first one's events come out, then the error.
    let server = TestServer::always(Reply::sse(
        ["data: {\"text\":\"Hello\"}\n\ndata: {\"text\":\", world\"}\n\ndata: {not json\n\n"],
        End::Complete,
    ))
    .await;
    let mut stream = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap();
    let mut seen = Vec::new();
    let error = loop {
        match stream.next().await {
            Some(Ok(event)) => seen.push(event),
            Some(Err(err)) => break err,
            None => panic!("the stream must fail; events: {seen:?}"),
        }
    };
    assert!(
        matches!(&error, Error::UnexpectedModelBehavior { message, .. } if message == "malformed delta"),
        "{error:?}"
    );
    assert!(
        matches!(seen[0], ModelResponseStreamEvent::PartStart(_)),
        "{seen:?}"
    );
    assert!(
        matches!(seen.last(), Some(ModelResponseStreamEvent::PartDelta(_))),
        "{seen:?}"
    );
    assert_eq!(stream.get().text(), "Hello, world");
    assert!(stream.next().await.is_none(), "nothing after the error");
}

#[tokio::test]
async fn json_answer_to_a_stream_request_is_reported_with_its_body() {
    let server =
        TestServer::always(Reply::json(200, &json!({"error": "streaming disabled"}))).await;
    let err = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap_err();
    let Error::UnexpectedModelBehavior { message, body, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        "echo-test answered a streamed request for model m1 with JSON instead of an event stream"
    );
    assert_eq!(body.as_deref(), Some("{\"error\":\"streaming disabled\"}"));
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let server = TestServer::always(Reply::sse(["data: {\"text\":\"Hi\"}\n\n"], End::Hang)).await;
    let mut stream = model_request_stream(echo_model(&server), prompt())
        .await
        .unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert!(matches!(first, ModelResponseStreamEvent::PartStart(_)));
    assert_eq!(server.closed_connections(), 0);
    drop(stream);
    assert!(
        server.wait_closed(1, Duration::from_secs(10)).await,
        "the server never saw the connection close"
    );
}

#[test]
fn blocking_stream_over_the_wire() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::always(Reply::sse(
        ["data: {\"text\":\"sync\"}\n\n", "data: [DONE]\n\n"],
        End::Complete,
    )));
    let mut stream = model_request_stream_sync(echo_model(&server), prompt()).unwrap();
    let events: Vec<_> = stream.by_ref().collect::<Result<_, _>>().unwrap();
    assert!(!events.is_empty());
    assert_eq!(stream.get().text(), "sync");
}
