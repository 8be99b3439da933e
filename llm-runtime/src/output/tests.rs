use serde::Deserialize;
use serde_json::json;

use super::*;
use crate::messages::{ModelResponsePart, RetryContent, TextPart, ThinkingPart};

/// A city.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
struct City {
    name: String,
    population: Option<u64>,
}

fn call(args: &str) -> ModelResponsePart {
    ToolCallPart::new(OUTPUT_TOOL_NAME, args, "call_1").into()
}

#[test]
fn the_spec_offers_final_result_described_by_the_doc_comment() {
    let spec = OutputSpec::<City>::new();
    let tool = spec.tool_definition();
    assert_eq!(tool.name, "final_result");
    assert_eq!(tool.description.as_deref(), Some("A city."));
    assert_eq!(tool.outer_typed_dict_key, None);
    let mut parameters = ModelRequestParameters::default();
    spec.apply(&mut parameters, OutputMode::Native).unwrap();
    let object = parameters.output_object.unwrap();
    assert_eq!(object.name.as_deref(), Some("City"));
    assert_eq!(object.json_schema, tool.parameters_json_schema);
    assert!(parameters.allow_text_output);
    let err = spec.apply(&mut ModelRequestParameters::default(), OutputMode::Text);
    assert!(matches!(err, Err(Error::User { .. })));
}

#[test]
fn a_call_of_the_output_tool_is_parsed_forgivingly() {
    let spec = OutputSpec::<City>::new();
    let response = ModelResponse::new(vec![
        TextPart::new("Let me think.").into(),
        call(r#"{"name": "Paris", "population": "2100000"}"#),
    ]);
    assert_eq!(
        spec.parse(&response).unwrap(),
        City {
            name: "Paris".into(),
            population: Some(2_100_000)
        }
    );
}

#[test]
fn text_is_parsed_after_its_fences_are_stripped() {
    let spec = OutputSpec::<City>::new();
    for text in [
        r#"{"name": "Paris"}"#,
        "```json\n{\"name\": \"Paris\"}\n```",
        "Here you go:\n```\n{\"name\": \"Paris\"}\n```\nAnything else?",
    ] {
        let response = ModelResponse::new(vec![
            ThinkingPart::new("hmm").into(),
            TextPart::new(text).into(),
        ]);
        assert_eq!(spec.parse(&response).unwrap().name, "Paris", "{text}");
    }
}

#[test]
fn a_wrong_output_is_a_tool_args_error_that_becomes_a_retry_prompt() {
    let spec = OutputSpec::<City>::new();
    let err = spec
        .parse(&ModelResponse::new(vec![call(r#"{"population": 3}"#)]))
        .unwrap_err();
    assert_eq!(err.problems[0].kind, "missing");
    let retry = err.to_retry_prompt();
    assert_eq!(retry.tool_name.as_deref(), Some("final_result"));
    assert_eq!(retry.tool_call_id, "call_1");

    // Text has no call: a plain retry prompt.
    let err = spec
        .parse(&ModelResponse::new(vec![
            TextPart::new("Paris, I think").into()
        ]))
        .unwrap_err();
    assert_eq!(err.problems[0].kind, "json_invalid");
    let retry = err.to_retry_prompt();
    assert_eq!(retry.tool_name, None);
    assert!(matches!(retry.content, RetryContent::Errors(_)));

    let err = spec.parse(&ModelResponse::new(Vec::new())).unwrap_err();
    assert_eq!(err.problems[0].kind, "missing");
}

#[test]
fn a_type_that_is_not_an_object_is_wrapped() {
    let spec = OutputSpec::<Vec<String>>::new();
    let tool = spec.tool_definition();
    assert_eq!(tool.outer_typed_dict_key.as_deref(), Some("response"));
    assert_eq!(tool.parameters_json_schema["required"], json!(["response"]));
    let response = ModelResponse::new(vec![call(r#"{"response": ["a", "b"]}"#)]);
    assert_eq!(spec.parse(&response).unwrap(), ["a", "b"]);
    let partial = ModelResponse::new(vec![call(r#"{"response": ["a", "b"#)]);
    assert_eq!(spec.parse_partial(&partial).unwrap(), ["a", "b"]);
}

#[test]
fn partial_values_need_the_required_fields() {
    let spec = OutputSpec::<City>::new();
    let text = |t: &str| ModelResponse::new(vec![TextPart::new(t).into()]);
    assert_eq!(spec.parse_partial(&text(r#"{"popul"#)), None);
    assert_eq!(
        spec.parse_partial(&text(r#"{"name": "Par"#)),
        Some(City {
            name: "Par".into(),
            population: None
        })
    );
    assert_eq!(
        spec.parse_partial(&text(
            "```json\n{\"name\": \"Paris\", \"population\": \"2\" "
        )),
        Some(City {
            name: "Paris".into(),
            population: Some(2)
        })
    );
    assert_eq!(spec.parse_partial(&text("```json")), None);
}

#[test]
fn fences_are_found_as_pydantic_ai_finds_them() {
    assert_eq!(strip_markdown_fences("{\"a\": 1}"), "{\"a\": 1}");
    assert_eq!(
        strip_markdown_fences("```json\n{\"a\": 1}\n```"),
        "{\"a\": 1}"
    );
    assert_eq!(
        strip_markdown_fences("```\r\n{\"a\": {}}```"),
        "{\"a\": {}}"
    );
    assert_eq!(
        strip_markdown_fences("x ```py\nprint()\n``` ```\n{\"b\": 2}"),
        "{\"b\": 2}"
    );
    assert_eq!(strip_markdown_fences("no fence"), "no fence");
    assert_eq!(
        strip_markdown_fences("```\nnot json\n```"),
        "```\nnot json\n```"
    );
}

#[test]
fn the_blocking_stream_gives_partials_then_the_non_streamed_value() {
    use crate::messages::ModelRequest;
    use crate::models::TestModel;

    let model =
        TestModel::new().with_custom_output_args(json!({"name": "Paris", "population": 2100000}));
    let prompt = || [ModelRequest::user_text_prompt("The capital of France?")];
    let whole = crate::model_request(model.clone(), prompt())
        .output::<City>()
        .mode(OutputMode::Prompted)
        .blocking()
        .unwrap();
    assert_eq!(
        whole.output,
        City {
            name: "Paris".into(),
            population: Some(2_100_000)
        }
    );

    let mut stream = crate::model_request_stream(model.clone(), prompt())
        .output::<City>()
        .mode(OutputMode::Prompted)
        .blocking()
        .unwrap();
    let items = stream.by_ref().collect::<Result<Vec<City>>>().unwrap();
    assert!(items.len() >= 2, "{items:?}");
    assert_eq!(items.last(), Some(&whole.output));
    assert_eq!(stream.get().text(), whole.response.text());

    let finished = crate::model_request_stream(model, prompt())
        .output::<City>()
        .blocking()
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(finished.output, whole.output);
    assert_eq!(finished.usage.requests, 1);
}

#[tokio::test]
async fn a_function_model_sees_the_resolved_mode_and_its_answer_is_parsed() {
    use crate::messages::ModelRequest;
    use crate::models::FunctionModel;

    let model = FunctionModel::new(|_, parameters| {
        // `Auto` on a default profile: an output tool, text not allowed, no output object.
        assert_eq!(parameters.output_mode, OutputMode::Tool);
        assert!(!parameters.allow_text_output);
        assert_eq!(parameters.output_object, None);
        let tool = &parameters.output_tools[0];
        Ok(ModelResponse::new(vec![ToolCallPart::new(
            tool.name.clone(),
            r#"{"name": "Lyon", "population": 522000.0}"#,
            "call_9",
        )
        .into()]))
    });
    let typed = crate::model_request(model, [ModelRequest::user_text_prompt("A city?")])
        .output::<City>()
        .await
        .unwrap();
    assert_eq!(
        typed.output,
        City {
            name: "Lyon".into(),
            population: Some(522_000)
        }
    );
}
