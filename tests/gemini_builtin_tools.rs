//! Google's built-in tools over the wire: the `google-gla` host against a 127.0.0.1 server.
//! Code execution's parts streamed (cut anywhere) equal them whole, go in the request as
//! `codeExecution` and come back in the next turn as `executableCode`/`codeExecutionResult`;
//! a generated image is a file part, streamed and whole; a tool Gemini lacks is refused
//! before anything is sent, or left out when optional.

mod support;

use llm_runtime::messages::{ModelMessage, ModelRequest, ModelResponsePart};
use llm_runtime::models::{CodeExecutionTool, MemoryTool, ModelRequestParameters, WebSearchTool};
use llm_runtime::providers::gemini::Gemini;
use llm_runtime::providers::{GoogleGla, ProviderModel};
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::{json, Value};
use support::echo::fast_retry;
use support::server::{Reply, TestServer};
use support::stream::collect;

fn model(server: &TestServer, name: &str) -> ProviderModel<Gemini> {
    GoogleGla::builder()
        .api_key("AIza-test")
        .base_url(server.url("/v1beta"))
        .retry(fast_retry())
        .build()
        .expect("the Gemini host builds")
        .model(name)
}

fn prompt() -> Vec<ModelMessage> {
    vec![ModelRequest::user_text_prompt("What is 1234 * 5678?").into()]
}

fn candidate(parts: Value, finish: Option<&str>) -> Value {
    let mut candidate = json!({"content": {"role": "model", "parts": parts}, "index": 0});
    if let Some(finish) = finish {
        candidate["finishReason"] = json!(finish);
    }
    json!({"candidates": [candidate], "modelVersion": "gemini-2.5-flash", "responseId": "r-1"})
}

fn sse(events: &[Value]) -> Vec<u8> {
    events
        .iter()
        .map(|event| format!("data: {event}\r\n\r\n"))
        .collect::<String>()
        .into_bytes()
}

/// The parts as JSON, without what differs between two responses (ids, timestamps).
fn comparable(parts: &[ModelResponsePart]) -> Vec<Value> {
    parts
        .iter()
        .map(|part| {
            let mut value = serde_json::to_value(part).unwrap();
            if let Some(map) = value.as_object_mut() {
                map.remove("timestamp");
                map.remove("tool_call_id");
            }
            value
        })
        .collect()
}

fn parameters(tools: Vec<llm_runtime::models::BuiltinTool>) -> ModelRequestParameters {
    ModelRequestParameters {
        builtin_tools: tools,
        allow_text_output: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn code_execution_streamed_equals_whole_and_goes_back_next_turn() {
    let code = json!({"executableCode": {"language": "PYTHON", "code": "print(1234 * 5678)"}});
    let result = json!({"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "7006652\n"}});
    let whole = candidate(
        json!([code, result, {"text": "It is 7006652."}]),
        Some("STOP"),
    );
    let stream = sse(&[
        candidate(json!([code]), None),
        candidate(json!([result, {"text": "It is "}]), None),
        candidate(json!([{"text": "7006652."}]), Some("STOP")),
    ]);
    let parameters = parameters(vec![CodeExecutionTool::default().into()]);
    for sizes in [&[1usize][..], &[9, 40], &[500]] {
        let server = TestServer::sequence(vec![
            Reply::json(200, &whole),
            Reply::sse_split(&stream, sizes),
            Reply::json(200, &candidate(json!([{"text": "Yes."}]), Some("STOP"))),
        ])
        .await;
        let (parsed, _) = model_request(model(&server, "gemini-2.5-flash"), prompt())
            .parameters(parameters.clone())
            .await
            .unwrap();
        let streamed = model_request_stream(model(&server, "gemini-2.5-flash"), prompt())
            .parameters(parameters.clone())
            .await
            .unwrap();
        let (_, error, streamed) = collect(streamed).await;
        assert!(error.is_none(), "{sizes:?}: {error:?}");
        assert_eq!(
            comparable(&streamed.parts),
            comparable(&parsed.parts),
            "{sizes:?}"
        );
        let [ModelResponsePart::BuiltinToolCall(call), ModelResponsePart::BuiltinToolReturn(ret), ModelResponsePart::Text(_)] =
            parsed.parts.as_slice()
        else {
            panic!("{:?}", parsed.parts)
        };
        assert_eq!(
            (call.tool_name.as_str(), call.tool_call_id.as_str()),
            ("code_execution", ret.tool_call_id.as_str())
        );
        assert_eq!(ret.content["output"], "7006652\n");

        // The next turn sends the code and its result back.
        let mut history = prompt();
        history.push(parsed.into());
        history.push(ModelRequest::user_text_prompt("Sure?").into());
        model_request(model(&server, "gemini-2.5-flash"), history)
            .parameters(parameters.clone())
            .await
            .unwrap();
        let requests = server.requests();
        for request in &requests {
            assert_eq!(request.json()["tools"], json!([{"codeExecution": {}}]));
        }
        assert_eq!(
            requests[2].json()["contents"][1],
            json!({"role": "model", "parts": [
                {"executableCode": {"language": "PYTHON", "code": "print(1234 * 5678)"}},
                {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "7006652\n"}},
                {"text": "It is 7006652."}
            ]})
        );
    }
}

#[tokio::test]
async fn a_generated_image_is_a_file_part_streamed_and_whole() {
    let image = json!({"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}});
    let whole = candidate(json!([{"text": "Here:"}, image]), Some("STOP"));
    let stream = sse(&[
        candidate(json!([{"text": "Here:"}]), None),
        candidate(json!([image]), Some("STOP")),
    ]);
    let server = TestServer::sequence(vec![
        Reply::json(200, &whole),
        Reply::sse_split(&stream, &[17]),
    ])
    .await;
    let (parsed, _) = model_request(model(&server, "gemini-2.5-flash-image"), prompt())
        .await
        .unwrap();
    let streamed = model_request_stream(model(&server, "gemini-2.5-flash-image"), prompt())
        .await
        .unwrap();
    let (_, error, streamed) = collect(streamed).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(comparable(&streamed.parts), comparable(&parsed.parts));
    let ModelResponsePart::File(file) = &parsed.parts[1] else {
        panic!("{:?}", parsed.parts)
    };
    assert_eq!(file.content.media_type, "image/png");
    assert_eq!(file.content.data, b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        server.requests()[0].json()["generationConfig"]["responseModalities"],
        json!(["TEXT", "IMAGE"])
    );
}

#[tokio::test]
async fn a_tool_gemini_lacks_is_refused_before_sending_or_left_out_when_optional() {
    let server = TestServer::always(Reply::json(
        200,
        &candidate(json!([{"text": "ok"}]), Some("STOP")),
    ))
    .await;
    let err = model_request(model(&server, "gemini-2.5-flash"), prompt())
        .parameters(parameters(vec![MemoryTool::default().into()]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("MemoryTool") && text.contains("`google-gla`"),
        "{text}"
    );
    assert!(server.requests().is_empty());

    let optional = MemoryTool { optional: true };
    model_request(model(&server, "gemini-2.5-flash"), prompt())
        .parameters(parameters(vec![
            optional.into(),
            WebSearchTool::default().into(),
        ]))
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].json()["tools"],
        json!([{"googleSearch": {}}])
    );
}
