//! Cohere's v2 Chat API over the wire: the built-in `cohere` host against a 127.0.0.1 server
//! speaking `POST /v2/chat` with bodies written from the API reference
//! (<https://docs.cohere.com/reference/chat>, <https://docs.cohere.com/v2/docs/streaming>):
//! the path and the bearer key, `CO_API_KEY` / `CO_API_URL`, text, a tool call with its plan,
//! streams cut in odd places, a truncated stream and a malformed event, retries, built-in
//! tools (none: an `Error::User`).

mod support;

use llm_runtime::messages::{
    FinishReason, ModelMessage, ModelRequest, ModelResponsePart, ModelResponseStreamEvent,
    ToolReturnPart,
};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::cohere::CohereChat;
use llm_runtime::providers::{Cohere, ProviderModel};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::{json, Value};
use support::echo::fast_retry;
use support::server::{End, Reply, TestServer};
use support::stream::{collect, timeless};

const KEY: &str = "co-cohere-SECRET-0042";
const MODEL: &str = "command-a-03-2025";

fn model(server: &TestServer) -> ProviderModel<CohereChat> {
    Cohere::builder()
        .api_key(KEY)
        .base_url(server.url(""))
        .retry(fast_retry())
        .build()
        .expect("the Cohere host builds")
        .model(MODEL)
}

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("How far is the Moon?").with_instructions("Be brief.")]
}

fn lookup() -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: vec![ToolDefinition::new("lookup")
            .with_description("Look a distance up.")
            .with_parameters(json!({
                "type": "object",
                "properties": {"body": {"type": "string"}},
                "required": ["body"]
            }))],
        allow_text_output: true,
        ..ModelRequestParameters::default()
    }
}

fn usage() -> Value {
    json!({"billed_units": {"input_tokens": 9, "output_tokens": 14},
           "tokens": {"input_tokens": 212, "output_tokens": 30},
           "cached_tokens": 128})
}

/// A whole response with text (with multi-byte characters).
fn text_response() -> Value {
    json!({
        "id": "resp-moon",
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant",
                    "content": [{"type": "text", "text": "About 384 400 km — on average…"}]},
        "usage": usage()
    })
}

/// A whole response with a tool plan and a tool call.
fn tool_response() -> Value {
    json!({
        "id": "resp-tool",
        "finish_reason": "TOOL_CALL",
        "message": {
            "role": "assistant",
            "tool_plan": "I will look the distance up.",
            "tool_calls": [{"id": "lookup_1", "type": "function",
                            "function": {"name": "lookup", "arguments": "{\"body\":\"Moon\"}"}}]
        },
        "usage": usage()
    })
}

/// An SSE event as Cohere writes it: its `type` as the event name, and the data.
fn event(data: &Value) -> String {
    format!(
        "event: {}\ndata: {data}\n\n",
        data["type"].as_str().unwrap_or_default()
    )
}

/// The text response as a stream.
fn text_stream() -> Vec<u8> {
    let mut events = vec![
        json!({"type": "message-start", "id": "resp-moon",
               "delta": {"message": {"role": "assistant", "content": [], "tool_plan": "",
                                     "tool_calls": [], "citations": []}}}),
        json!({"type": "content-start", "index": 0,
               "delta": {"message": {"content": {"type": "text", "text": ""}}}}),
    ];
    for piece in ["About ", "384 400 km", " — on average…"] {
        events.push(json!({"type": "content-delta", "index": 0,
                           "delta": {"message": {"content": {"text": piece}}}}));
    }
    events.push(json!({"type": "content-end", "index": 0}));
    events.push(json!({"type": "message-end",
                       "delta": {"finish_reason": "COMPLETE", "usage": usage()}}));
    events.iter().map(event).collect::<String>().into_bytes()
}

/// The tool response as a stream.
fn tool_stream() -> Vec<u8> {
    [
        json!({"type": "message-start", "id": "resp-tool",
               "delta": {"message": {"role": "assistant"}}}),
        json!({"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will look "}}}),
        json!({"type": "tool-plan-delta",
               "delta": {"message": {"tool_plan": "the distance up."}}}),
        json!({"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {
            "id": "lookup_1", "type": "function",
            "function": {"name": "lookup", "arguments": ""}}}}}),
        json!({"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {
            "function": {"arguments": "{\"body\":"}}}}}),
        json!({"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {
            "function": {"arguments": "\"Moon\"}"}}}}}),
        json!({"type": "tool-call-end", "index": 0}),
        json!({"type": "message-end", "delta": {"finish_reason": "TOOL_CALL", "usage": usage()}}),
    ]
    .iter()
    .map(event)
    .collect::<String>()
    .into_bytes()
}

#[tokio::test]
async fn a_text_response_over_http_with_the_bearer_key() {
    let server = TestServer::always(Reply::json(200, &text_response())).await;
    let model = model(&server);
    let (response, usage) = model_request(model.clone(), prompt()).await.unwrap();

    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/v2/chat");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(
        request.json(),
        json!({
            "model": MODEL,
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "How far is the Moon?"}
            ],
            "stream": false
        })
    );

    assert_eq!(response.text(), "About 384 400 km — on average…");
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(response.provider_name.as_deref(), Some("cohere"));
    assert_eq!(response.provider_response_id.as_deref(), Some("resp-moon"));
    assert_eq!(response.model_name.as_deref(), Some(MODEL));
    assert_eq!(
        (
            usage.requests,
            usage.request_tokens,
            usage.response_tokens,
            usage.cache_read_tokens
        ),
        (1, 212, 30, 128)
    );
    assert_eq!(usage.details["output_tokens"], 14);
    assert!(!format!("{model:?}").contains(KEY));
}

#[tokio::test]
async fn a_tool_call_with_its_plan_and_the_plan_sent_back() {
    let server = TestServer::sequence(vec![
        Reply::json(200, &tool_response()),
        Reply::json(200, &text_response()),
    ])
    .await;
    let (response, _) = model_request(model(&server), prompt())
        .parameters(lookup())
        .await
        .unwrap();
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    let call = &response.tool_calls()[0];
    assert_eq!(
        (call.tool_name.as_str(), call.tool_call_id.as_str()),
        ("lookup", "lookup_1")
    );
    assert!(matches!(&response.parts[0],
        ModelResponsePart::Thinking(t) if t.content == "I will look the distance up."));
    let sent = server.requests()[0].json();
    assert_eq!(
        sent["tools"],
        json!([{"type": "function", "function": {
            "name": "lookup",
            "description": "Look a distance up.",
            "parameters": {"type": "object", "properties": {"body": {"type": "string"}},
                           "required": ["body"]}
        }}])
    );

    // The next turn sends the plan back with the call, then the tool's return.
    let history: Vec<ModelMessage> = vec![
        prompt()[0].clone().into(),
        response.clone().into(),
        ModelRequest::new(vec![
            ToolReturnPart::new("lookup", "384400 km", "lookup_1").into()
        ])
        .into(),
    ];
    model_request(model(&server), history)
        .parameters(lookup())
        .await
        .unwrap();
    let sent = server.requests()[1].json();
    assert_eq!(
        sent["messages"][2],
        json!({"role": "assistant", "tool_plan": "I will look the distance up.",
               "tool_calls": [{"id": "lookup_1", "type": "function",
                               "function": {"name": "lookup", "arguments": "{\"body\":\"Moon\"}"}}]})
    );
    assert_eq!(
        sent["messages"][3],
        json!({"role": "tool", "tool_call_id": "lookup_1", "content": "384400 km"})
    );
}

#[tokio::test]
async fn streams_cut_in_odd_places_equal_the_whole_responses() {
    for (stream_body, whole_body) in [
        (text_stream(), text_response()),
        (tool_stream(), tool_response()),
    ] {
        // A size of 1 cuts inside the UTF-8 of `—` and `…`.
        for sizes in [&[1usize][..], &[7, 3, 64], &[5, 1, 2, 200]] {
            let server = TestServer::always(Reply::sse_split(&stream_body, sizes)).await;
            let stream = model_request_stream(model(&server), prompt())
                .parameters(lookup())
                .await
                .unwrap();
            let (events, error, streamed) = collect(stream).await;
            assert!(error.is_none(), "{sizes:?}: {error:?}");
            let request = &server.requests()[0];
            assert_eq!(request.target, "/v2/chat");
            assert_eq!(request.json()["stream"], true);
            assert_eq!(request.header("accept"), Some("text/event-stream"));
            let starts = events
                .iter()
                .filter(|e| matches!(e, ModelResponseStreamEvent::PartStart(_)))
                .count();
            let ends = events
                .iter()
                .filter(|e| matches!(e, ModelResponseStreamEvent::PartEnd(_)))
                .count();
            assert_eq!(starts, ends, "{sizes:?}");
            assert!(starts > 0);

            let whole_server = TestServer::always(Reply::json(200, &whole_body)).await;
            let (whole, _) = model_request(model(&whole_server), prompt())
                .parameters(lookup())
                .await
                .unwrap();
            let mut whole = timeless(whole);
            let mut streamed = timeless(streamed);
            // Two servers, two base URLs.
            whole.provider_url = None;
            streamed.provider_url = None;
            assert_eq!(streamed, whole, "{sizes:?}");
        }
    }
}

#[tokio::test]
async fn a_stream_cut_before_message_end_is_unexpected_model_behavior() {
    let body = text_stream();
    let text = String::from_utf8(body).unwrap();
    let cut = text.find("event: message-end").unwrap();
    for end in [End::Complete, End::Drop] {
        let server = TestServer::always(Reply::sse([&text[..cut]], end)).await;
        let stream = model_request_stream(model(&server), prompt())
            .await
            .unwrap();
        let (events, error, partial) = collect(stream).await;
        let error = error.expect("the stream is truncated");
        assert!(
            matches!(
                error,
                Error::UnexpectedModelBehavior { .. } | Error::Api { .. }
            ),
            "{end:?}: {error:?}"
        );
        if end == End::Complete {
            assert!(
                matches!(error, Error::UnexpectedModelBehavior { .. }),
                "{error:?}"
            );
        }
        assert!(!events.is_empty());
        assert_eq!(partial.text(), "About 384 400 km — on average…");
        assert!(!format!("{error:?}").contains(KEY));
    }
}

#[tokio::test]
async fn a_malformed_event_is_unexpected_model_behavior_with_its_data() {
    let good = json!({"type": "message-start", "id": "r", "delta": {"message": {}}});
    let server = TestServer::always(Reply::sse(
        [format!(
            "{}event: content-delta\ndata: {{\"type\": \"content-delta\", \"index\": \n\n",
            event(&good)
        )],
        End::Complete,
    ))
    .await;
    // `message-start` makes no event: the malformed event comes before anything reached the
    // caller, so the request itself fails (and is not retried).
    let error = model_request_stream(model(&server), prompt())
        .await
        .expect_err("the event is malformed");
    assert_eq!(server.requests().len(), 1);
    let Error::UnexpectedModelBehavior { body, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(
        body.as_deref().is_some_and(|b| b.contains("\"index\"")),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("Cohere chat stream event"),
        "{error}"
    );
}

#[tokio::test]
async fn retries_429_but_not_400() {
    let server = TestServer::sequence(vec![
        Reply::json(429, &json!({"message": "too many requests"})).header("retry-after-ms", "1"),
        Reply::json(200, &text_response()),
    ])
    .await;
    let (response, _) = model_request(model(&server), prompt()).await.unwrap();
    assert_eq!(response.provider_response_id.as_deref(), Some("resp-moon"));
    assert_eq!(server.requests().len(), 2);
    let bodies: Vec<_> = server.requests().iter().map(|r| r.body.clone()).collect();
    assert_eq!(bodies[0], bodies[1]);

    let bad = json!({"message": "invalid api token"});
    let server = TestServer::sequence(vec![
        Reply::json(400, &bad),
        Reply::json(200, &text_response()),
    ])
    .await;
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
    assert_eq!(model_name, MODEL);
    assert!(!format!("{err:?}").contains(KEY) && !err.to_string().contains(KEY));
}

#[tokio::test]
async fn the_host_reads_co_api_key_and_co_api_url() {
    let server = TestServer::always(Reply::json(200, &text_response())).await;
    let url = server.url("");
    let provider = Cohere::builder()
        .build_with_env(|var| match var {
            "CO_API_KEY" => Some(KEY.to_owned()),
            "CO_API_URL" => Some(url.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(provider.base_url().trim_end_matches('/'), url);
    model_request(provider.model(MODEL), prompt())
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert!(!format!("{provider:?}").contains(KEY));

    // pydantic-ai reads `CO_BASE_URL`: the host does too, after the SDK's `CO_API_URL`.
    let provider = Cohere::builder()
        .build_with_env(|var| match var {
            "CO_API_KEY" => Some(KEY.to_owned()),
            "CO_BASE_URL" => Some("http://127.0.0.1:9".to_owned()),
            _ => None,
        })
        .unwrap();
    assert_eq!(provider.base_url(), "http://127.0.0.1:9");

    // The default base URL is Cohere's; a missing key names the variable.
    let provider = Cohere::builder()
        .build_with_env(|var| (var == "CO_API_KEY").then(|| KEY.to_owned()))
        .unwrap();
    assert_eq!(
        provider.base_url().trim_end_matches('/'),
        "https://api.cohere.com"
    );
    assert!(llm_runtime::models::known_providers().contains(&"cohere"));
    let err = Cohere::builder().build_with_env(|_| None).unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
    assert!(err.to_string().contains("CO_API_KEY"), "{err}");
}

/// Cohere's v2 Chat API has no built-in tools (nor has pydantic-ai 2.33's `CohereModel`): a
/// request with one fails before anything is sent, with an `Error::User` naming the tool and
/// the provider; an optional one is left out with a warning and the request goes on.
#[tokio::test]
async fn builtin_tools_are_user_errors_naming_the_tool_and_cohere() {
    use llm_runtime::models::{CodeExecutionTool, WebSearchTool};
    let server = TestServer::always(Reply::json(200, &text_response())).await;
    for tool in [
        WebSearchTool::default().into(),
        CodeExecutionTool::default().into(),
    ] {
        let parameters = ModelRequestParameters {
            builtin_tools: vec![tool],
            ..lookup()
        };
        let err = model_request(model(&server), prompt())
            .parameters(parameters)
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::User { .. }), "{err:?}");
        assert!(text.contains("`cohere`"), "{text}");
        assert!(text.contains("supported: none"), "{text}");
        assert!(
            text.contains("WebSearchTool") || text.contains("CodeExecutionTool"),
            "{text}"
        );
    }
    assert!(server.requests().is_empty());

    let parameters = ModelRequestParameters {
        builtin_tools: vec![WebSearchTool {
            optional: true,
            ..Default::default()
        }
        .into()],
        ..lookup()
    };
    let (response, _) = model_request(model(&server), prompt())
        .parameters(parameters)
        .await
        .unwrap();
    assert_eq!(response.text(), "About 384 400 km — on average…");
    assert_eq!(server.requests().len(), 1);
    let tools = server.requests()[0].json()["tools"].clone();
    assert_eq!(tools.as_array().map(Vec::len), Some(1), "{tools}");
    assert_eq!(tools[0]["function"]["name"], "lookup");
}
