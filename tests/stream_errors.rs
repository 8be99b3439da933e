//! Errors a provider reports inside a stream (Anthropic's `error` event, Responses'
//! `response.failed`, Gemini's error object, Chat's error chunk, Bedrock's exception frame):
//! each is a typed error that says whether asking again may succeed (`is_retryable`), and a
//! stream is retried only while nothing has reached the caller.

mod support;

use futures::StreamExt;
use llm_runtime::messages::{ModelRequest, ResponseState};
use llm_runtime::model_request_stream;
use support::server::{End, TestServer};
use support::wire::{token_server, Limits, Proto, SECRET};

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

#[tokio::test]
async fn an_error_event_before_the_first_event_is_retried() {
    let tokens = token_server().await;
    for proto in Proto::ALL {
        let Some(overloaded) = proto.overloaded_event() else {
            continue;
        };
        // The preamble that makes no event for the caller, then the error.
        let mut failing = match proto {
            Proto::Anthropic | Proto::Bedrock => proto.stream_frames()[..1].to_vec(),
            _ => Vec::new(),
        };
        failing.push(overloaded);
        let server = TestServer::sequence(vec![
            proto.stream_reply(failing, End::Complete),
            proto.stream_reply(proto.stream_frames(), End::Complete),
        ])
        .await;
        let model = proto.model(&server, &tokens, &Limits::default());
        let mut stream = model_request_stream(model, prompt())
            .await
            .unwrap_or_else(|e| panic!("{proto:?}: {e:?}"));
        while let Some(event) = stream.next().await {
            event.unwrap_or_else(|e| panic!("{proto:?}: {e:?}"));
        }
        assert_eq!(stream.get().text(), "Paris", "{proto:?}");
        assert_eq!(stream.get().state, ResponseState::Complete, "{proto:?}");
        assert_eq!(server.requests().len(), 2, "{proto:?}");
    }
}

#[tokio::test]
async fn an_error_event_after_the_first_event_ends_the_stream_and_is_not_retried() {
    let tokens = token_server().await;
    for proto in Proto::ALL {
        let Some(overloaded) = proto.overloaded_event() else {
            continue;
        };
        // Everything up to the first delta ("Par"), then the error.
        let mut failing = proto.stream_frames()[..=proto.first_delta()].to_vec();
        failing.push(overloaded);
        let server = TestServer::sequence(vec![
            proto.stream_reply(failing, End::Complete),
            proto.stream_reply(proto.stream_frames(), End::Complete),
        ])
        .await;
        let model = proto.model(&server, &tokens, &Limits::default());
        let mut stream = model_request_stream(model, prompt())
            .await
            .unwrap_or_else(|e| panic!("{proto:?}: {e:?}"));
        let mut error = None;
        while let Some(event) = stream.next().await {
            if let Err(e) = event {
                error = Some(e);
            }
        }
        let error = error.unwrap_or_else(|| panic!("{proto:?}: the error event ends the stream"));
        // Typed: the status the provider's error stands for, which may be retried by the caller.
        assert!(error.is_retryable(), "{proto:?}: {error:?}");
        assert!(
            matches!(error.status(), Some(500..=599)),
            "{proto:?}: {error:?}"
        );
        assert!(!format!("{error} {error:?}").contains(SECRET));
        // What arrived is kept, and not taken for a whole answer.
        let partial = stream.get();
        assert_eq!(partial.text(), "Par", "{proto:?}");
        assert_eq!(partial.state, ResponseState::Incomplete, "{proto:?}");
        assert_eq!(
            server.requests().len(),
            1,
            "{proto:?}: never retried once started"
        );
    }
}
