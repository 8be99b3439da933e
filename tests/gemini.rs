//! The Gemini API over the wire: the built-in `google-gla` host against a 127.0.0.1 server
//! speaking `generateContent` and `streamGenerateContent?alt=sse` with bodies written from the
//! API reference (<https://ai.google.dev/api/generate-content>): the URL and the key header,
//! streams cut in odd places, a stream that stops before its finish reason, retries.

mod support;

use llm_runtime::messages::{
    FinishReason, ModelRequest, ModelResponsePart, ModelResponseStreamEvent,
};
use llm_runtime::providers::gemini::Gemini;
use llm_runtime::providers::{GoogleGla, ProviderModel};
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::{json, Value};
use support::echo::fast_retry;
use support::server::{End, Reply, TestServer};
use support::stream::{collect, timeless};

const KEY: &str = "AIza-gemini-SECRET-0042";

fn model(server: &TestServer) -> ProviderModel<Gemini> {
    GoogleGla::builder()
        .api_key(KEY)
        .base_url(server.url("/v1beta"))
        .retry(fast_retry())
        .build()
        .expect("the Gemini host builds")
        .model("gemini-2.5-flash")
}

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("How far is the Moon?").with_instructions("Be brief.")]
}

/// A whole response: a thought, text with a signature (with multi-byte characters) and a
/// function call.
fn whole() -> Value {
    json!({
        "candidates": [{
            "content": {"role": "model", "parts": [
                {"text": "Average distance…", "thought": true},
                {"text": "About 384 400 km — let me check.", "thoughtSignature": "c2lnLWE="},
                {"functionCall": {"name": "lookup", "args": {"body": "Moon"}, "id": "call-1"}}
            ]},
            "finishReason": "STOP",
            "index": 0
        }],
        "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 9,
                          "thoughtsTokenCount": 5, "totalTokenCount": 26,
                          "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}]},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "resp-moon"
    })
}

/// The same answer as a stream, as the API sends it (`data:` events separated by CRLF).
fn stream_body() -> Vec<u8> {
    let events = [
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "Average ", "thought": true}]}, "index": 0}],
            "modelVersion": "gemini-2.5-flash", "responseId": "resp-moon"}),
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "distance…", "thought": true}]}, "index": 0}],
            "modelVersion": "gemini-2.5-flash", "responseId": "resp-moon"}),
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "About 384 400 km — ", "thoughtSignature": "c2lnLWE="}]}, "index": 0}],
            "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 4},
            "modelVersion": "gemini-2.5-flash", "responseId": "resp-moon"}),
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "let me check."},
            {"functionCall": {"name": "lookup", "args": {"body": "Moon"}, "id": "call-1"}}]},
            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 9,
                              "thoughtsTokenCount": 5, "totalTokenCount": 26,
                              "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}]},
            "modelVersion": "gemini-2.5-flash", "responseId": "resp-moon"}),
    ];
    events
        .iter()
        .map(|event| format!("data: {event}\r\n\r\n"))
        .collect::<String>()
        .into_bytes()
}

#[tokio::test]
async fn a_whole_response_over_http_with_the_key_in_its_header() {
    let server = TestServer::always(Reply::json(200, &whole())).await;
    let model = model(&server);
    let (response, usage) = model_request(model.clone(), prompt()).await.unwrap();

    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.target,
        "/v1beta/models/gemini-2.5-flash:generateContent"
    );
    assert_eq!(request.header("x-goog-api-key"), Some(KEY));
    assert_eq!(request.header("authorization"), None);
    assert!(request.query().is_empty());
    assert_eq!(
        request.json(),
        json!({
            "contents": [{"role": "user", "parts": [{"text": "How far is the Moon?"}]}],
            "systemInstruction": {"role": "user", "parts": [{"text": "Be brief."}]},
            "generationConfig": {"responseModalities": ["TEXT"]}
        })
    );

    assert_eq!(response.text(), "About 384 400 km — let me check.");
    assert_eq!(response.tool_calls()[0].tool_call_id, "call-1");
    assert!(
        matches!(&response.parts[0], ModelResponsePart::Thinking(t) if t.content == "Average distance…")
    );
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(response.provider_name.as_deref(), Some("google-gla"));
    assert_eq!(response.provider_url, Some(server.url("/v1beta")));
    assert_eq!(response.provider_response_id.as_deref(), Some("resp-moon"));
    assert_eq!(
        (
            usage.request_tokens,
            usage.response_tokens,
            usage.total_tokens
        ),
        (12, 14, 26)
    );
    assert!(!format!("{model:?}").contains(KEY));
}

#[tokio::test]
async fn a_stream_cut_in_odd_places_equals_the_whole_response() {
    let body = stream_body();
    // A size of 1 cuts inside the UTF-8 of `—` and `…`.
    for sizes in [&[1usize][..], &[7, 3, 64], &[5, 1, 2, 200]] {
        let server = TestServer::always(Reply::sse_split(&body, sizes)).await;
        let stream = model_request_stream(model(&server), prompt())
            .await
            .unwrap();
        let (events, error, streamed) = collect(stream).await;
        assert!(error.is_none(), "{sizes:?}: {error:?}");

        let request = &server.requests()[0];
        assert_eq!(
            request.path(),
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
        );
        assert_eq!(request.query(), [("alt".to_owned(), "sse".to_owned())]);
        assert_eq!(request.header("x-goog-api-key"), Some(KEY));
        assert!(!request.target.contains(KEY));
        assert_eq!(request.header("accept"), Some("text/event-stream"));

        // Thinking (start, delta), text (start, final result, delta), the call: each part ends.
        let starts = events
            .iter()
            .filter(|e| matches!(e, ModelResponseStreamEvent::PartStart(_)))
            .count();
        let ends = events
            .iter()
            .filter(|e| matches!(e, ModelResponseStreamEvent::PartEnd(_)))
            .count();
        assert_eq!((starts, ends), (3, 3), "{sizes:?}");

        let whole_server = TestServer::always(Reply::json(200, &whole())).await;
        let (whole, _) = model_request(model(&whole_server), prompt()).await.unwrap();
        let mut whole = timeless(whole);
        let mut streamed = timeless(streamed);
        // Two servers, two base URLs.
        whole.provider_url = None;
        streamed.provider_url = None;
        assert_eq!(streamed, whole, "{sizes:?}");
    }
}

#[tokio::test]
async fn a_stream_and_a_whole_response_of_the_same_parts_are_equal() {
    // One text part in the whole response, streamed in three chunks.
    let whole_body = json!({
        "candidates": [{"content": {"role": "model", "parts": [
            {"text": "The Moon is 384 400 km away.", "thoughtSignature": "c2lnLWI="}]},
            "finishReason": "MAX_TOKENS", "index": 0}],
        "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 8},
        "modelVersion": "gemini-2.5-flash", "responseId": "r-2"
    });
    let chunks = [
        json!({"candidates": [{"content": {"parts": [{"text": "The Moon is "}]}}],
               "modelVersion": "gemini-2.5-flash", "responseId": "r-2"}),
        json!({"candidates": [{"content": {"parts": [{"text": "384 400 km"}]}}],
               "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 5},
               "modelVersion": "gemini-2.5-flash", "responseId": "r-2"}),
        json!({"candidates": [{"content": {"parts": [{"text": " away.", "thoughtSignature": "c2lnLWI="}]},
               "finishReason": "MAX_TOKENS"}],
               "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 8},
               "modelVersion": "gemini-2.5-flash", "responseId": "r-2"}),
    ];
    let sse: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    let server = TestServer::sequence(vec![
        Reply::json(200, &whole_body),
        Reply::sse_split(sse.as_bytes(), &[13]),
    ])
    .await;
    let (whole, _) = model_request(model(&server), prompt()).await.unwrap();
    let stream = model_request_stream(model(&server), prompt())
        .await
        .unwrap();
    let (_, error, streamed) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(timeless(streamed), timeless(whole));
}

#[tokio::test]
async fn a_stream_cut_before_any_finish_reason_is_unexpected_model_behavior() {
    let chunk = json!({"candidates": [{"content": {"parts": [{"text": "The Moon"}]}}],
                       "modelVersion": "gemini-2.5-flash"});
    let server = TestServer::always(Reply::sse(
        [format!("data: {chunk}\r\n\r\n")],
        End::Complete,
    ))
    .await;
    let stream = model_request_stream(model(&server), prompt())
        .await
        .unwrap();
    let (events, error, partial) = collect(stream).await;
    let error = error.expect("the stream is truncated");
    assert!(
        matches!(error, Error::UnexpectedModelBehavior { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("before a finish reason"),
        "{error}"
    );
    assert!(!events.is_empty());
    assert_eq!(partial.text(), "The Moon");
}

#[tokio::test]
async fn retries_429_and_503_but_not_400() {
    let server = TestServer::sequence(vec![
        Reply::json(
            429,
            &json!({"error": {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"}}),
        ),
        Reply::json(
            503,
            &json!({"error": {"code": 503, "message": "The model is overloaded", "status": "UNAVAILABLE"}}),
        ),
        Reply::json(200, &whole()),
    ])
    .await;
    let (response, _) = model_request(model(&server), prompt()).await.unwrap();
    assert_eq!(response.provider_response_id.as_deref(), Some("resp-moon"));
    assert_eq!(server.requests().len(), 3);
    let bodies: Vec<_> = server.requests().iter().map(|r| r.body.clone()).collect();
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));

    let bad = json!({"error": {"code": 400, "message": "API key not valid", "status": "INVALID_ARGUMENT"}});
    let server =
        TestServer::sequence(vec![Reply::json(400, &bad), Reply::json(200, &whole())]).await;
    let err = model_request(model(&server), prompt()).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(server.requests().len(), 1);
    let Error::Http {
        body, model_name, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(serde_json::from_str::<Value>(body).unwrap(), bad);
    assert_eq!(model_name, "gemini-2.5-flash");
    assert!(!format!("{err:?}").contains(KEY) && !err.to_string().contains(KEY));

    // A streamed request is retried the same way.
    let server = TestServer::sequence(vec![
        Reply::json(503, &json!({"error": {"code": 503}})),
        Reply::sse([stream_body()], End::Complete),
    ])
    .await;
    let stream = model_request_stream(model(&server), prompt())
        .await
        .unwrap();
    let (_, error, streamed) = collect(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(streamed.finish_reason, Some(FinishReason::Stop));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_error_event_inside_a_stream_is_the_http_error_it_describes() {
    let chunk = json!({"candidates": [{"content": {"parts": [{"text": "The"}]}}]});
    let error = json!({"error": {"code": 500, "message": "Internal error", "status": "INTERNAL"}});
    let server = TestServer::always(Reply::sse(
        [format!("data: {chunk}\r\n\r\ndata: {error}\r\n\r\n")],
        End::Complete,
    ))
    .await;
    let stream = model_request_stream(model(&server), prompt())
        .await
        .unwrap();
    let (_, error, _) = collect(stream).await;
    let error = error.expect("the stream reports the error");
    assert_eq!(error.status(), Some(500), "{error:?}");
}
