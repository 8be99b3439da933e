//! The four request functions on the offline models.

mod support;

use futures::{stream, StreamExt};
use llm_runtime::messages::{
    ModelMessage, ModelRequest, ModelResponse, ModelResponsePart, ModelResponseStreamEvent,
    PartKind, ResponseState, TextPart, ToolReturnPart,
};
use llm_runtime::models::{FunctionModel, ModelRequestParameters, StreamDelta, TestModel};
use llm_runtime::settings::ModelSettings;
use llm_runtime::tools::ToolDefinition;
use llm_runtime::{
    model_request, model_request_stream, model_request_stream_sync, model_request_sync, Error,
};
use serde_json::json;
use support::stream::timeless;

fn divide() -> ToolDefinition {
    ToolDefinition::new("divide")
        .with_description("Divide two numbers.")
        .with_parameters(json!({
            "type": "object",
            "properties": {"numerator": {"type": "number"}, "denominator": {"type": "number"}},
            "required": ["numerator", "denominator"]
        }))
}

fn with_tools() -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: vec![divide()],
        allow_text_output: true,
        ..Default::default()
    }
}

#[test]
fn sync_request_answers_with_usage() {
    let (response, usage) = model_request_sync(
        "test",
        [ModelRequest::user_text_prompt(
            "What is the capital of France?",
        )],
    )
    .unwrap();
    assert_eq!(response.text(), "success (no tool calls)");
    assert_eq!(response.model_name.as_deref(), Some("test"));
    assert_eq!(usage.requests, 1);
    // 50 of overhead + 6 words; 4 words answered.
    assert_eq!(
        (
            usage.request_tokens,
            usage.response_tokens,
            usage.total_tokens
        ),
        (56, 4, 60)
    );
    assert_eq!(usage, response.usage);
}

#[test]
fn options_work_on_the_blocking_forms() {
    let (response, _) = model_request(
        "test",
        [ModelRequest::user_text_prompt("What is 123 / 456?")],
    )
    .parameters(with_tools())
    .settings(ModelSettings {
        temperature: Some(0.0),
        ..Default::default()
    })
    .instrument(false)
    .blocking()
    .unwrap();
    assert_eq!(response.tool_calls()[0].tool_name, "divide");

    let mut stream = model_request_stream("test", [ModelRequest::user_text_prompt("Hi")])
        .parameters(with_tools())
        .blocking()
        .unwrap();
    let events: Vec<_> = stream.by_ref().collect::<Result<_, _>>().unwrap();
    assert!(matches!(events[0], ModelResponseStreamEvent::PartStart(_)));
    assert_eq!(stream.get().tool_calls().len(), 1);
}

#[tokio::test]
async fn stream_equals_the_non_streamed_response() {
    let cases = [
        (
            ModelRequestParameters::default(),
            vec![ModelMessage::from(ModelRequest::user_text_prompt(
                "Hello there",
            ))],
        ),
        (
            with_tools(),
            vec![ModelRequest::user_text_prompt("What is 1/2?").into()],
        ),
    ];
    for (parameters, messages) in cases {
        let (plain, usage) = model_request("test", messages.clone())
            .parameters(parameters.clone())
            .await
            .unwrap();
        let mut stream = model_request_stream("test", messages)
            .parameters(parameters)
            .await
            .unwrap();
        assert_eq!(stream.get().state, ResponseState::Incomplete);
        let mut events = Vec::new();
        while let Some(event) = stream.next().await {
            events.push(event.unwrap());
        }
        let streamed = stream.get();
        assert_eq!(streamed.state, ResponseState::Complete);
        assert_eq!(timeless(streamed), timeless(plain));
        assert_eq!(stream.usage(), &usage);
        assert!(matches!(
            events.last(),
            Some(ModelResponseStreamEvent::PartEnd(_))
        ));
    }
}

#[tokio::test]
async fn test_model_streams_word_by_word() {
    let model = TestModel::new().with_custom_output_text("The capital of France is Paris.");
    let mut stream = model_request_stream(model, [ModelRequest::user_text_prompt("Capital?")])
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while let Some(event) = stream.next().await {
        kinds.push(match event.unwrap() {
            ModelResponseStreamEvent::PartStart(s) => format!("start:{:?}", s.part),
            ModelResponseStreamEvent::PartDelta(_) => "delta".to_owned(),
            ModelResponseStreamEvent::PartEnd(_) => "end".to_owned(),
            ModelResponseStreamEvent::FinalResult(_) => "final".to_owned(),
        });
    }
    assert!(
        kinds[0].starts_with("start:Text(TextPart { content: \"\""),
        "{kinds:?}"
    );
    assert_eq!(kinds[1], "final");
    assert_eq!(kinds.iter().filter(|k| *k == "delta").count(), 6);
    assert_eq!(kinds.last().map(String::as_str), Some("end"));
    assert_eq!(stream.get().text(), "The capital of France is Paris.");
}

#[test]
fn tool_loop_with_the_test_model() {
    let mut history: Vec<ModelMessage> =
        vec![ModelRequest::user_text_prompt("What is 1/2?").into()];
    let (first, _) = model_request("test", history.clone())
        .parameters(with_tools())
        .blocking()
        .unwrap();
    let call = first.tool_calls()[0].clone();
    history.push(first.into());
    history.push(
        ModelRequest::new(vec![ToolReturnPart::new(
            "divide",
            json!(0.5),
            call.tool_call_id,
        )
        .into()])
        .into(),
    );
    let (second, usage) = model_request("test", history)
        .parameters(with_tools())
        .blocking()
        .unwrap();
    assert_eq!(second.text(), r#"{"divide":0.5}"#);
    assert!(usage.response_tokens > 0);
}

#[test]
fn function_model_streams_text_thinking_and_tool_calls() {
    let model = FunctionModel::new(|_, _| Ok(ModelResponse::new(vec![TextPart::new("x").into()])))
        .with_stream(|_, _| {
            stream::iter(vec![
                Ok(StreamDelta::Thinking("hmm".into())),
                Ok(StreamDelta::Text("Let me".into())),
                Ok(StreamDelta::Text(" see".into())),
                Ok(StreamDelta::ToolCall {
                    index: 0,
                    name: None,
                    args: Some("{\"a\":".into()),
                    id: Some("c1".into()),
                }),
                Ok(StreamDelta::ToolCall {
                    index: 0,
                    name: Some("f".into()),
                    args: Some("1}".into()),
                    id: None,
                }),
            ])
            .boxed()
        });
    let mut stream =
        model_request_stream_sync(model, [ModelRequest::user_text_prompt("go")]).unwrap();
    let events: Vec<_> = stream.by_ref().collect::<Result<_, _>>().unwrap();
    let response = stream.get();
    assert_eq!(response.parts.len(), 3);
    assert_eq!(response.text(), "Let me see");
    let ModelResponsePart::ToolCall(call) = &response.parts[2] else {
        panic!("{response:?}")
    };
    assert_eq!(
        (
            call.tool_name.as_str(),
            call.args_as_json_str().as_str(),
            call.tool_call_id.as_str()
        ),
        ("f", r#"{"a":1}"#, "c1")
    );
    let previous: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ModelResponseStreamEvent::PartStart(s) => Some(s.previous_part_kind),
            _ => None,
        })
        .collect();
    assert_eq!(
        previous,
        [None, Some(PartKind::Thinking), Some(PartKind::Text)]
    );
    assert!(response.usage.response_tokens > 0);
}

#[tokio::test]
async fn errors_in_a_stream_end_it_and_keep_what_arrived() {
    let model = FunctionModel::streaming(|_, _| {
        stream::iter(vec![
            Ok(StreamDelta::Text("partial".into())),
            Err(Error::unexpected("connection reset")),
        ])
        .boxed()
    });
    let mut stream = model_request_stream(model, [ModelRequest::user_text_prompt("go")])
        .await
        .unwrap();
    let mut results = Vec::new();
    while let Some(event) = stream.next().await {
        results.push(event);
    }
    assert!(results[..results.len() - 1].iter().all(Result::is_ok));
    let err = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected model behavior: connection reset"
    );
    let response = stream.get();
    assert_eq!(response.state, ResponseState::Incomplete);
    assert_eq!(response.text(), "partial");
}

#[tokio::test]
async fn a_streaming_only_function_model_cannot_answer_plainly() {
    let model = FunctionModel::streaming(|_, _| stream::empty().boxed());
    let err = model_request(model, [ModelRequest::user_text_prompt("go")])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err}");
}
