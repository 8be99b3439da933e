//! The `bedrock` provider over real HTTP (a scripted server on 127.0.0.1): requests signed
//! with SigV4 (each attempt anew) or sent with a Bedrock API key, Converse responses and
//! event streams parsed, errors mapped and retried where retryable, and the secret key
//! absent from every error and `Debug`.

mod otel_support;
mod support;

use std::time::Duration;

use futures::StreamExt;
use llm_runtime::http::eventstream::{encode_message, HeaderValue as FrameHeader};
use llm_runtime::http::{ApiKey, RetryPolicy};
use llm_runtime::messages::{
    FinishReason, ModelMessage, ModelRequest, ModelResponsePart, ToolReturnPart,
};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::bedrock::credentials::{AwsCredentials, BedrockAuth, BedrockConfig};
use llm_runtime::providers::bedrock::sigv4::{self, SigningRequest, SigningScope};
use llm_runtime::providers::bedrock::{self, BedrockModel};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::{model_request, model_request_stream, Error};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};
use support::server::{Body, End, Recorded, Reply, TestServer};

const MODEL: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
const ACCESS_KEY: &str = "AKIAWIRETEST";
const SECRET: &str = "wire-SECRET-access-key-4242";
const TOKEN: &str = "wire-SESSION-token-4242";

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

fn config(server: &TestServer, auth: BedrockAuth) -> BedrockConfig {
    BedrockConfig {
        auth,
        region: "us-east-1".into(),
        endpoint: server.url("").trim_end_matches('/').to_owned(),
    }
}

fn sigv4_auth() -> BedrockAuth {
    BedrockAuth::SigV4(AwsCredentials::new(
        ACCESS_KEY,
        SECRET,
        Some(ApiKey::new(TOKEN)),
    ))
}

fn model(server: &TestServer) -> BedrockModel {
    bedrock::builder(config(server, sigv4_auth()))
        .retry(fast_retry())
        .build()
        .unwrap()
        .model(MODEL)
}

fn prompt() -> [ModelMessage; 1] {
    [ModelRequest::user_text_prompt("What is the capital of France?").into()]
}

fn converse(content: Value, stop_reason: &str) -> Value {
    json!({
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 12, "outputTokens": 5, "totalTokens": 17},
        "metrics": {"latencyMs": 300},
    })
}

/// Event frames, as Bedrock sends them.
fn frames(events: &[(&str, Value)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (name, payload) in events {
        bytes.extend(encode_message(
            &[
                (":event-type", FrameHeader::String(name)),
                (":content-type", FrameHeader::String("application/json")),
                (":message-type", FrameHeader::String("event")),
            ],
            payload.to_string().as_bytes(),
        ));
    }
    bytes
}

fn exception(name: &str, message: &str) -> Vec<u8> {
    encode_message(
        &[
            (":exception-type", FrameHeader::String(name)),
            (":content-type", FrameHeader::String("application/json")),
            (":message-type", FrameHeader::String("exception")),
        ],
        json!({"message": message}).to_string().as_bytes(),
    )
}

/// An event-stream reply, `bytes` cut into pieces of 7 bytes (frames split anywhere).
fn event_stream(bytes: &[u8]) -> Reply {
    Reply {
        status: 200,
        headers: vec![(
            "content-type".into(),
            "application/vnd.amazon.eventstream".into(),
        )],
        delay: Duration::ZERO,
        body: Body::Chunked {
            pieces: bytes
                .chunks(7)
                .map(|piece| (Duration::ZERO, piece.to_vec()))
                .collect(),
            end: End::Complete,
        },
    }
}

/// Checks that the request carries a SigV4 signature of its own method, URL, headers and
/// body at its `x-amz-date`, recomputed here.
fn assert_signed(server: &TestServer, request: &Recorded) {
    let authorization = request.header("authorization").unwrap();
    let signed: Vec<&str> = authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .split(';')
        .collect();
    assert_eq!(
        signed,
        [
            "accept",
            "content-type",
            "host",
            "x-amz-date",
            "x-amz-security-token"
        ],
        "{authorization}"
    );
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        if signed.contains(&name.as_str()) && name != "host" {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
    }
    let date = request.header("x-amz-date").unwrap();
    let time = chrono::NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
        .unwrap()
        .and_utc();
    let url = reqwest::Url::parse(&server.url(&request.target)).unwrap();
    let credentials = AwsCredentials::new(ACCESS_KEY, SECRET, Some(ApiKey::new(TOKEN)));
    let scope = SigningScope {
        region: "us-east-1".into(),
        service: "bedrock".into(),
    };
    let signing = SigningRequest {
        method: &request.method,
        url: &url,
        body: &request.body,
    };
    sigv4::sign(&credentials, &scope, signing, &mut headers, time).unwrap();
    assert_eq!(headers["authorization"], authorization);
    assert_eq!(request.header("x-amz-security-token"), Some(TOKEN));
}

#[tokio::test]
async fn text_is_requested_signed_and_parsed() {
    let server = TestServer::always(Reply::json(
        200,
        &converse(json!([{"text": "Paris."}]), "end_turn"),
    ))
    .await;
    let (response, usage) = model_request(model(&server), prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris.");
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    assert_eq!(response.provider_name.as_deref(), Some("bedrock"));
    assert_eq!((usage.request_tokens, usage.response_tokens), (12, 5));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.path(),
        "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse"
    );
    assert_eq!(
        request.json(),
        json!({
            "messages": [{"role": "user", "content": [{"text": "What is the capital of France?"}]}],
            "system": [],
            "inferenceConfig": {},
        })
    );
    assert_signed(&server, request);
}

#[tokio::test]
async fn a_stream_of_text_and_a_tool_call_is_decoded_across_chunks() {
    let bytes = frames(&[
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "Let me "}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "check."}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 0})),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"city\":"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "\"Paris\"}"}}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 1})),
        ("messageStop", json!({"stopReason": "tool_use"})),
        (
            "metadata",
            json!({"usage": {"inputTokens": 20, "outputTokens": 9, "totalTokens": 29}, "metrics": {"latencyMs": 1}}),
        ),
    ]);
    let server = TestServer::always(event_stream(&bytes)).await;
    let parameters = ModelRequestParameters {
        function_tools: vec![ToolDefinition::new("get_weather")],
        allow_text_output: true,
        ..Default::default()
    };
    let mut stream = model_request_stream(model(&server), prompt())
        .parameters(parameters)
        .await
        .unwrap();
    let mut events = 0;
    while let Some(event) = stream.next().await {
        event.unwrap();
        events += 1;
    }
    assert!(events >= 5, "{events} events");
    let response = stream.get();
    assert_eq!(response.text(), "Let me check.");
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool_name, "get_weather");
    assert_eq!(calls[0].tool_call_id, "tooluse_1");
    assert_eq!(
        calls[0].args_as_dict(),
        *json!({"city": "Paris"}).as_object().unwrap()
    );
    assert_eq!(response.finish_reason, Some(FinishReason::ToolCall));
    assert_eq!(response.usage.total_tokens, 29);

    let request = &server.requests()[0];
    assert!(
        request.path().ends_with("/converse-stream"),
        "{}",
        request.path()
    );
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.amazon.eventstream")
    );
    assert_eq!(
        request.json()["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "get_weather"
    );
    assert_signed(&server, request);
}

#[tokio::test]
async fn tool_results_go_back_as_tool_result_blocks() {
    let server = TestServer::sequence(vec![
        Reply::json(
            200,
            &converse(
                json!([{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Paris"}}}]),
                "tool_use",
            ),
        ),
        Reply::json(200, &converse(json!([{"text": "Sunny."}]), "end_turn")),
    ])
    .await;
    let parameters = ModelRequestParameters {
        function_tools: vec![ToolDefinition::new("get_weather")],
        allow_text_output: true,
        ..Default::default()
    };
    let model = model(&server);
    let mut history: Vec<ModelMessage> = prompt().into();
    let (first, _) = model_request(model.clone(), history.clone())
        .parameters(parameters.clone())
        .await
        .unwrap();
    let call = first.tool_calls()[0].clone();
    history.push(first.into());
    history.push(
        ModelRequest::new(vec![ToolReturnPart::new(
            "get_weather",
            "sunny",
            call.tool_call_id,
        )
        .into()])
        .into(),
    );
    let (second, _) = model_request(model, history)
        .parameters(parameters)
        .await
        .unwrap();
    assert_eq!(second.text(), "Sunny.");
    let body = server.requests()[1].json();
    assert_eq!(
        body["messages"][1],
        json!({"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Paris"}}}]})
    );
    assert_eq!(
        body["messages"][2],
        json!({"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "sunny"}], "status": "success"}}]})
    );
}

#[tokio::test]
async fn thinking_is_parsed_and_replayed_with_its_signature() {
    let server = TestServer::always(Reply::json(
        200,
        &converse(
            json!([
                {"reasoningContent": {"reasoningText": {"text": "France's capital...", "signature": "EqoBCkgIARABGAIiQ"}}},
                {"reasoningContent": {"redactedContent": "cmVkYWN0ZWQ="}},
                {"text": "Paris."},
            ]),
            "end_turn",
        ),
    ))
    .await;
    let model = model(&server);
    let settings = llm_runtime::settings::ModelSettings {
        thinking: Some(llm_runtime::settings::Thinking::Low),
        ..Default::default()
    };
    let (response, _) = model_request(model.clone(), prompt())
        .settings(settings)
        .await
        .unwrap();
    let ModelResponsePart::Thinking(thinking) = &response.parts[0] else {
        panic!("expected thinking first: {:?}", response.parts);
    };
    assert_eq!(thinking.content, "France's capital...");
    assert_eq!(thinking.signature.as_deref(), Some("EqoBCkgIARABGAIiQ"));
    assert_eq!(
        server.requests()[0].json()["additionalModelRequestFields"],
        json!({"thinking": {"type": "enabled", "budget_tokens": 2048}})
    );

    let mut history: Vec<ModelMessage> = prompt().into();
    history.push(response.into());
    history.push(ModelRequest::user_text_prompt("And Germany?").into());
    model_request(model, history).await.unwrap();
    assert_eq!(
        server.requests()[1].json()["messages"][1]["content"],
        json!([
            {"reasoningContent": {"reasoningText": {"text": "France's capital...", "signature": "EqoBCkgIARABGAIiQ"}}},
            {"reasoningContent": {"redactedContent": "cmVkYWN0ZWQ="}},
            {"text": "Paris."},
        ])
    );
}

#[tokio::test]
async fn a_429_is_retried_and_each_attempt_signed_anew() {
    let throttled = Reply::json(
        429,
        &json!({"message": "Too many requests, please wait before trying again."}),
    )
    .header(
        "x-amzn-errortype",
        "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
    )
    .header("retry-after", "1");
    let server = TestServer::sequence(vec![
        throttled,
        Reply::json(200, &converse(json!([{"text": "Paris."}]), "end_turn")),
    ])
    .await;
    let (response, _) = model_request(model(&server), prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris.");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_signed(&server, request);
    }
    // A second later (Retry-After: 1), so a new date and a new signature.
    assert_ne!(
        requests[0].header("x-amz-date"),
        requests[1].header("x-amz-date")
    );
    assert_ne!(
        requests[0].header("authorization"),
        requests[1].header("authorization")
    );
}

#[tokio::test]
async fn a_400_is_not_retried_and_names_the_error_type() {
    let server = TestServer::always(
        Reply::json(
            400,
            &json!({"message": "The provided model identifier is invalid."}),
        )
        .header(
            "x-amzn-errortype",
            "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        ),
    )
    .await;
    let err = model_request(model(&server), prompt()).await.unwrap_err();
    assert_eq!(server.requests().len(), 1);
    let Error::Http { status, body, .. } = &err else {
        panic!("expected an HTTP error, got {err:?}");
    };
    assert_eq!(*status, 400);
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        body,
        json!({"Error": {"Code": "ValidationException", "Message": "The provided model identifier is invalid."}})
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
    }
}

#[tokio::test]
async fn an_exception_frame_mid_stream_ends_it_with_a_typed_error_and_no_retry() {
    let mut bytes = frames(&[
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "Par"}}),
        ),
    ]);
    bytes.extend(exception(
        "modelStreamErrorException",
        "The model stopped streaming.",
    ));
    let server = TestServer::always(event_stream(&bytes)).await;
    let mut stream = model_request_stream(model(&server), prompt())
        .await
        .unwrap();
    let mut error = None;
    while let Some(event) = stream.next().await {
        if let Err(err) = event {
            error = Some(err);
            break;
        }
    }
    let err = error.expect("the exception frame ends the stream with an error");
    assert_eq!(err.status(), Some(424), "{err:?}");
    assert!(
        err.to_string().contains("The model stopped streaming."),
        "{err}"
    );
    assert_eq!(stream.get().text(), "Par");
    assert_eq!(server.requests().len(), 1);
    assert!(!format!("{err:?}").contains(SECRET));
}

#[tokio::test]
async fn a_throttling_frame_before_the_first_event_is_retried() {
    let ok = frames(&[
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "Paris."}}),
        ),
        ("messageStop", json!({"stopReason": "end_turn"})),
        (
            "metadata",
            json!({"usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}}),
        ),
    ]);
    let server = TestServer::sequence(vec![
        event_stream(&exception("throttlingException", "Too many tokens.")),
        event_stream(&ok),
    ])
    .await;
    let mut stream = model_request_stream(model(&server), prompt())
        .await
        .unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(stream.get().text(), "Paris.");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_corrupt_or_truncated_stream_is_unexpected_behavior() {
    let mut corrupt = frames(&[
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "Par"}}),
        ),
    ]);
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xFF; // the second frame's message CRC
    let truncated = frames(&[
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "Par"}}),
        ),
    ]);
    let truncated = truncated[..truncated.len() - 5].to_vec();
    for bytes in [corrupt, truncated] {
        let server = TestServer::always(event_stream(&bytes)).await;
        // Nothing reached the caller before the bad frame (`messageStart` makes no event), so
        // the request itself fails; a corrupt stream is not retried.
        let error = match model_request_stream(model(&server), prompt()).await {
            Err(err) => Some(err),
            Ok(mut stream) => {
                let mut error = None;
                while let Some(event) = stream.next().await {
                    if let Err(err) = event {
                        error = Some(err);
                        break;
                    }
                }
                error
            }
        };
        assert!(
            matches!(error, Some(Error::UnexpectedModelBehavior { .. })),
            "{error:?}"
        );
        assert_eq!(server.requests().len(), 1);
    }
}

#[tokio::test]
async fn a_bedrock_api_key_is_sent_as_a_bearer_token_without_signing() {
    let server = TestServer::always(Reply::json(
        200,
        &converse(json!([{"text": "Paris."}]), "end_turn"),
    ))
    .await;
    let model = bedrock::model(
        MODEL,
        config(
            &server,
            BedrockAuth::Bearer(ApiKey::new("bedrock-API-key-4242")),
        ),
    )
    .unwrap();
    model_request(model.clone(), prompt()).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(
        request.header("authorization"),
        Some("Bearer bedrock-API-key-4242")
    );
    assert_eq!(request.header("x-amz-date"), None);
    assert!(!format!("{model:?}").contains("bedrock-API-key-4242"));
}

#[test]
fn the_secret_key_is_in_no_debug() {
    let config = BedrockConfig {
        auth: sigv4_auth(),
        region: "us-east-1".into(),
        endpoint: "https://bedrock-runtime.us-east-1.amazonaws.com".into(),
    };
    let model = bedrock::model(MODEL, config.clone()).unwrap();
    let shown = format!("{model:?} {config:?}");
    assert!(shown.contains(ACCESS_KEY), "{shown}");
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
}

#[test]
fn bedrock_model_strings_are_registered() {
    let known = llm_runtime::models::known_providers();
    assert!(known.contains(&"bedrock"), "{known:?}");
}

#[tokio::test]
async fn the_secret_key_is_in_no_span() {
    let otel = otel_support::Otel::install();
    let throttled = Reply::json(429, &json!({"message": "Too many requests."}))
        .header("x-amzn-errortype", "ThrottlingException");
    let denied = Reply::json(403, &json!({"message": "The security token is invalid."}))
        .header("x-amzn-errortype", "UnrecognizedClientException");
    let ok = Reply::json(200, &converse(json!([{"text": "Paris."}]), "end_turn"));
    let server = TestServer::sequence(vec![throttled, ok.clone(), denied]).await;
    model_request(model(&server), prompt())
        .instrument(otel.settings())
        .await
        .unwrap();
    model_request(model(&server), prompt())
        .instrument(otel.settings())
        .await
        .unwrap_err();
    let bearer = TestServer::always(ok).await;
    let with_key = bedrock::model(
        MODEL,
        config(
            &bearer,
            BedrockAuth::Bearer(ApiKey::new("bedrock-API-key-4242")),
        ),
    )
    .unwrap();
    model_request(with_key, prompt())
        .instrument(otel.settings())
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 3);
    let exported = otel.exported_text();
    // The spans are there (a request each, the retry recorded), without a secret.
    assert_eq!(otel.spans().len(), 3, "{exported}");
    assert!(exported.contains(MODEL), "{exported}");
    for secret in [SECRET, TOKEN, "bedrock-API-key-4242", "Signature="] {
        assert!(!exported.contains(secret), "{secret} was exported");
    }
}

/// Nova's code interpreter over the wire: the request carries its `systemTool`, the streamed
/// call and result (frames cut anywhere) end as the built-in parts the same blocks give whole,
/// and a built-in tool Bedrock does not have fails before anything is sent.
#[tokio::test]
async fn the_code_interpreter_streamed_equals_it_whole_and_web_search_is_a_user_error() {
    let call = json!({"toolUseId": "tooluse_c", "name": "nova_code_interpreter", "type": "server_tool_use"});
    let result = json!({"toolUseId": "tooluse_c", "status": "success", "type": "nova_code_interpreter_result"});
    let output = json!([{"json": {"stdOut": "7006652", "exitCode": 0}}]);
    let bytes = frames(&[
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 0, "start": {"toolUse": call}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": "{\"snippet\":\"1234 * 5678\"}"}}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 0})),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 1, "start": {"toolResult": result}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolResult": output}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 1})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 2, "delta": {"text": "7006652"}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 2})),
        ("messageStop", json!({"stopReason": "end_turn"})),
        (
            "metadata",
            json!({"usage": {"inputTokens": 20, "outputTokens": 9, "totalTokens": 29}}),
        ),
    ]);
    let mut whole_call = call.clone();
    whole_call["input"] = json!({"snippet": "1234 * 5678"});
    let mut whole_result = result.clone();
    whole_result["content"] = output.clone();
    let whole = converse(
        json!([{"toolUse": whole_call}, {"toolResult": whole_result}, {"text": "7006652"}]),
        "end_turn",
    );
    let server = TestServer::sequence(vec![event_stream(&bytes), Reply::json(200, &whole)]).await;
    let parameters = ModelRequestParameters {
        builtin_tools: vec![llm_runtime::models::CodeExecutionTool::default().into()],
        allow_text_output: true,
        ..Default::default()
    };
    let mut stream = model_request_stream(model(&server), prompt())
        .parameters(parameters.clone())
        .await
        .unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    let streamed = stream.get();
    let (parsed, _) = model_request(model(&server), prompt())
        .parameters(parameters)
        .await
        .unwrap();
    let as_json = |parts: &[ModelResponsePart]| -> Vec<Value> {
        parts
            .iter()
            .map(|part| {
                let mut value = serde_json::to_value(part).unwrap();
                value.as_object_mut().map(|m| m.remove("timestamp"));
                if let Some(args) = value.get("args").and_then(Value::as_str) {
                    value["args"] = serde_json::from_str(args).unwrap();
                }
                value
            })
            .collect()
    };
    assert_eq!(as_json(&streamed.parts), as_json(&parsed.parts));
    assert!(matches!(
        parsed.parts.as_slice(),
        [
            ModelResponsePart::BuiltinToolCall(_),
            ModelResponsePart::BuiltinToolReturn(_),
            ModelResponsePart::Text(_)
        ]
    ));
    for request in server.requests() {
        assert_eq!(
            request.json()["toolConfig"]["tools"],
            json!([{"systemTool": {"name": "nova_code_interpreter"}}])
        );
    }

    let parameters = ModelRequestParameters {
        builtin_tools: vec![llm_runtime::models::WebSearchTool::default().into()],
        allow_text_output: true,
        ..Default::default()
    };
    let err = model_request(model(&server), prompt())
        .parameters(parameters)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
    assert!(err.to_string().contains("WebSearchTool"), "{err}");
    assert!(err.to_string().contains("`bedrock`"), "{err}");
    assert_eq!(server.requests().len(), 2);
}
