//! Tools end to end: definitions from `#[tool]` offered through the request functions, calls
//! from the offline models parsed back into the Rust types, errors sent back as retry prompts.

use futures::stream;
use llm_runtime::messages::{
    ModelMessage, ModelRequest, ModelRequestPart, ModelResponse, RetryContent, ToolCallPart,
};
use llm_runtime::models::{FunctionModel, ModelRequestParameters, StreamDelta, TestModel};
use llm_runtime::tools::Tool;
use llm_runtime::{model_request_stream_sync, model_request_sync, tool, toolset};

/// Divide two numbers.
#[tool]
#[derive(Debug, PartialEq)]
struct Divide {
    numerator: f64,
    denominator: f64,
    /// What to return when dividing by zero.
    #[serde(default)]
    on_inf: OnInf,
}

#[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum OnInf {
    Error,
    #[default]
    Infinity,
}

/// Rounds a number.
#[tool]
#[derive(Debug, PartialEq)]
struct Round {
    value: f64,
    digits: Option<u8>,
    mode: Option<RoundMode>,
}

#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum RoundMode {
    HalfUp,
    HalfEven,
}

#[toolset]
#[derive(Debug, PartialEq)]
enum Calc {
    Divide(Divide),
    Round(Round),
}

fn parameters() -> ModelRequestParameters {
    ModelRequestParameters {
        function_tools: Calc::definitions(),
        allow_text_output: true,
        ..Default::default()
    }
}

fn ask(model: impl llm_runtime::models::IntoModel) -> ModelResponse {
    match llm_runtime::model_request(
        model,
        [ModelRequest::user_text_prompt("What is 123 / 456?")],
    )
    .parameters(parameters())
    .blocking()
    {
        Ok((response, _usage)) => response,
        Err(err) => panic!("{err}"),
    }
}

#[test]
fn test_model_calls_every_tool_with_arguments_that_parse() {
    for seed in 0..4 {
        let response = ask(TestModel::new().with_seed(seed));
        let calls = response.tool_calls();
        assert_eq!(calls.len(), 2, "seed {seed}");
        for call in calls {
            let parsed = Calc::from_call(call);
            assert!(parsed.is_ok(), "seed {seed}: {call:?} gave {parsed:?}");
        }
    }
}

#[test]
fn seed_string_args_from_a_model_parse_into_divide() {
    let model = FunctionModel::new(|_, _| {
        Ok(ModelResponse::new(vec![ToolCallPart::new(
            "divide",
            r#"{"numerator": "123", "denominator": "456"}"#,
            "call_1",
        )
        .into()]))
    });
    let response = ask(model);
    let call = response.tool_calls()[0];
    assert_eq!(
        call.parse_args::<Divide>(),
        Ok(Divide {
            numerator: 123.0,
            denominator: 456.0,
            on_inf: OnInf::Infinity
        })
    );
}

#[test]
fn streamed_tool_call_args_parse_once_assembled() {
    let model = FunctionModel::streaming(|_, _| {
        let piece = |name: Option<&str>, args: &str| StreamDelta::ToolCall {
            index: 0,
            name: name.map(str::to_owned),
            args: Some(args.to_owned()),
            id: Some("call_7".to_owned()),
        };
        Box::pin(stream::iter(
            [
                piece(Some("round"), r#"{"val"#),
                piece(None, r#"ue": "2.345", "dig"#),
                piece(None, r#"its": 2.0, "mode": "half_even"}"#),
            ]
            .map(Ok),
        ))
    });
    let mut events =
        match model_request_stream_sync(model, [ModelRequest::user_text_prompt("Round it")]) {
            Ok(events) => events,
            Err(err) => panic!("{err}"),
        };
    for event in events.by_ref() {
        assert!(event.is_ok(), "{event:?}");
    }
    let response = events.get();
    assert_eq!(
        Calc::from_call(response.tool_calls()[0]),
        Ok(Calc::Round(Round {
            value: 2.345,
            digits: Some(2),
            mode: Some(RoundMode::HalfEven)
        }))
    );
}

#[test]
fn bad_arguments_go_back_as_a_retry_prompt_the_model_can_act_on() {
    // The model gets the arguments wrong once, reads the retry prompt, then fixes them.
    let model = FunctionModel::new(|messages, _| {
        let retry = messages.iter().rev().find_map(|m| match m {
            ModelMessage::Request(request) => request.parts.iter().find_map(|p| match p {
                ModelRequestPart::RetryPrompt(retry) => Some(retry.clone()),
                _ => None,
            }),
            ModelMessage::Response(_) => None,
        });
        let args = match retry {
            None => r#"{"numerator": "one", "denominator": 4}"#,
            Some(retry) => {
                assert_eq!(retry.tool_name.as_deref(), Some("divide"));
                assert_eq!(retry.tool_call_id, "call_1");
                let RetryContent::Errors(errors) = &retry.content else {
                    panic!("{retry:?}")
                };
                assert_eq!(errors[0].loc, [serde_json::json!("numerator")]);
                r#"{"numerator": 1, "denominator": 4}"#
            }
        };
        Ok(ModelResponse::new(vec![ToolCallPart::new(
            "divide", args, "call_1",
        )
        .into()]))
    });
    let question = ModelRequest::user_text_prompt("What is one quarter?");
    let first = match model_request_sync(model.clone(), [question.clone()]) {
        Ok((response, _)) => response,
        Err(err) => panic!("{err}"),
    };
    let err = match Divide::from_call(first.tool_calls()[0]) {
        Ok(parsed) => panic!("bad arguments parsed: {parsed:?}"),
        Err(err) => err,
    };
    assert_eq!(
        err.to_string(),
        "1 invalid argument for tool `divide`: numerator: expected a number, got \"one\""
    );
    let history: Vec<ModelMessage> = vec![
        question.into(),
        first.clone().into(),
        ModelRequest::new(vec![err.to_retry_prompt().into()]).into(),
    ];
    let second = match model_request_sync(model, history) {
        Ok((response, _)) => response,
        Err(err) => panic!("{err}"),
    };
    assert_eq!(
        second.tool_calls()[0].parse_args::<Divide>(),
        Ok(Divide {
            numerator: 1.0,
            denominator: 4.0,
            on_inf: OnInf::Infinity
        })
    );
}
