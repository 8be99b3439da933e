//! Built-in tools' stream events, written from OpenAI's documented events
//! (<https://platform.openai.com/docs/api-reference/responses-streaming>) and pydantic-ai 2.33's
//! handling of them; the recorded streams are in the conformance suite.

use serde_json::{json, Value};

use super::super::super::fixtures::{named, OURS};
use crate::error::{Error, Result};
use crate::messages::{ModelResponse, ModelResponsePart, ModelResponseStreamEvent, ToolArgs};
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{kinds, run_stream};
use crate::stream::PartsManager;

/// Streams OpenAI's events (name and `type`, numbered), then `response.completed`.
fn stream(
    events: Vec<(&'static str, Value)>,
) -> Result<(ModelResponse, Vec<ModelResponseStreamEvent>)> {
    let mut events = events;
    events.push((
        "response.completed",
        json!({"response": {"status": "completed"}}),
    ));
    let events: Vec<(&str, String)> = events
        .into_iter()
        .enumerate()
        .map(|(n, (name, mut data))| {
            data["type"] = json!(name);
            data["sequence_number"] = json!(n);
            (name, data.to_string())
        })
        .collect();
    let parts =
        PartsManager::new("gpt-5", &ModelRequestParameters::default()).with_provider(OURS, None);
    run_stream(
        &named(),
        parts,
        events.iter().map(|(n, d)| (*n, d.as_str())),
    )
}

fn added(item: Value) -> (&'static str, Value) {
    (
        "response.output_item.added",
        json!({"output_index": 0, "item": item}),
    )
}

fn done(item: Value) -> (&'static str, Value) {
    (
        "response.output_item.done",
        json!({"output_index": 0, "item": item}),
    )
}

fn piece(kind: &'static str, item_id: &str, delta: Option<&str>) -> (&'static str, Value) {
    let mut data = json!({"item_id": item_id, "output_index": 0});
    if let Some(delta) = delta {
        data["delta"] = json!(delta);
    }
    (kind, data)
}

/// The arguments of the `n`th part, a built-in tool call, as a JSON object.
fn args(response: &ModelResponse, n: usize) -> Value {
    let Some(ModelResponsePart::BuiltinToolCall(call)) = response.parts.get(n) else {
        panic!("part {n} is not a built-in tool call: {:?}", response.parts);
    };
    match &call.args {
        Some(ToolArgs::Json(text)) => {
            serde_json::from_str(text).expect("the streamed args are JSON")
        }
        Some(ToolArgs::Object(map)) => Value::Object(map.clone()),
        None => Value::Null,
    }
}

/// Code with quotes and a backslash, which its JSON text escapes.
const CODE_START: &str = r#"print("a\tb")"#;

#[test]
fn code_and_mcp_arguments_stream_as_json_text() {
    let code_item = json!({"type": "code_interpreter_call", "id": "ci_1", "status": "in_progress",
        "code": "", "container_id": "cntr_1", "outputs": null});
    let mcp_item = json!({"type": "mcp_call", "id": "mcp_1", "server_label": "wiki",
        "name": "ask", "arguments": "", "output": null, "error": null});
    let (response, events) = stream(vec![
        added(code_item.clone()),
        piece(
            "response.code_interpreter_call_code.delta",
            "ci_1",
            Some(CODE_START),
        ),
        piece(
            "response.code_interpreter_call_code.delta",
            "ci_1",
            Some("\n"),
        ),
        piece("response.code_interpreter_call_code.done", "ci_1", None),
        done(
            json!({"type": "code_interpreter_call", "id": "ci_1", "status": "completed",
            "code": format!("{CODE_START}\n"), "container_id": "cntr_1",
            "outputs": [{"type": "logs", "logs": "a"}]}),
        ),
        added(mcp_item),
        piece(
            "response.mcp_call_arguments.delta",
            "mcp_1",
            Some("{\"q\":"),
        ),
        piece("response.mcp_call_arguments.delta", "mcp_1", Some("\"x\"}")),
        piece("response.mcp_call_arguments.done", "mcp_1", None),
        done(
            json!({"type": "mcp_call", "id": "mcp_1", "server_label": "wiki", "name": "ask",
            "arguments": "{\"q\":\"x\"}", "output": "y", "error": null}),
        ),
    ])
    .unwrap();
    // The call (its start, the opening of its arguments, two code deltas, their closing),
    // then its return (which has no end, as in pydantic-ai); the same for the MCP call.
    assert_eq!(
        kinds(&events),
        [
            "start0", "delta0", "delta0", "delta0", "delta0", "end0", "start1", "start2", "delta2",
            "delta2", "delta2", "delta2", "end2", "start3"
        ]
    );
    assert_eq!(
        args(&response, 0),
        json!({"container_id": "cntr_1", "code": format!("{CODE_START}\n")})
    );
    assert_eq!(
        args(&response, 2),
        json!({"action": "call_tool", "tool_name": "ask", "tool_args": {"q": "x"}})
    );
    let ModelResponsePart::BuiltinToolReturn(ret) = &response.parts[3] else {
        panic!("{:?}", response.parts[3]);
    };
    assert_eq!(ret.content, json!({"output": "y", "error": null}));
}

#[test]
fn arguments_an_item_brings_whole_are_not_streamed_again() {
    let (response, _) = stream(vec![
        added(
            json!({"type": "mcp_call", "id": "mcp_1", "server_label": "wiki", "name": "ask",
            "arguments": "{\"q\":\"x\"}"}),
        ),
        piece(
            "response.mcp_call_arguments.delta",
            "mcp_1",
            Some("{\"q\":\"x\"}"),
        ),
        piece("response.mcp_call_arguments.done", "mcp_1", None),
        done(
            json!({"type": "mcp_call", "id": "mcp_1", "server_label": "wiki", "name": "ask",
            "arguments": "{\"q\":\"x\"}", "output": "y", "error": null}),
        ),
    ])
    .unwrap();
    assert_eq!(
        args(&response, 0),
        json!({"action": "call_tool", "tool_name": "ask", "tool_args": {"q": "x"}})
    );
}

#[test]
fn partial_images_are_a_file_part_the_final_image_replaces() {
    let (response, events) = stream(vec![
        added(json!({"type": "image_generation_call", "id": "ig_1", "status": "in_progress"})),
        (
            "response.image_generation_call.partial_image",
            json!({"item_id": "ig_1",
            "output_index": 0, "partial_image_index": 0, "partial_image_b64": "AAE=",
            "output_format": "webp"}),
        ),
        (
            "response.image_generation_call.partial_image",
            json!({"item_id": "ig_1",
            "output_index": 0, "partial_image_index": 1, "partial_image_b64": "AAI="}),
        ),
        done(
            json!({"type": "image_generation_call", "id": "ig_1", "status": "generating",
            "result": "AAM=", "output_format": "webp", "size": "1024x1024"}),
        ),
    ])
    .unwrap();
    assert_eq!(
        kinds(&events),
        ["start0", "end0", "start1", "start1", "start1", "start2"]
    );
    let ModelResponseStreamEvent::PartStart(first) = &events[2] else {
        panic!("{:?}", events[2]);
    };
    let ModelResponsePart::File(partial) = &first.part else {
        panic!("{:?}", first.part);
    };
    assert_eq!(
        (
            partial.content.data.as_slice(),
            partial.content.media_type.as_str()
        ),
        (&[0, 1][..], "image/webp")
    );
    let ModelResponsePart::File(last) = &response.parts[1] else {
        panic!("{:?}", response.parts);
    };
    assert_eq!(last.content.data, [0, 3]);
    assert_eq!(last.id.as_deref(), Some("ig_1"));
    let ModelResponsePart::BuiltinToolReturn(ret) = &response.parts[2] else {
        panic!("{:?}", response.parts);
    };
    assert_eq!(
        ret.content,
        json!({"status": "completed", "size": "1024x1024"})
    );
}

#[test]
fn malformed_built_in_tool_events_are_errors() {
    let not_base64 = stream(vec![
        added(json!({"type": "image_generation_call", "id": "ig_1", "status": "in_progress"})),
        (
            "response.image_generation_call.partial_image",
            json!({"item_id": "ig_1",
            "partial_image_b64": "not base64!"}),
        ),
    ]);
    assert!(
        matches!(&not_base64, Err(Error::UnexpectedModelBehavior { .. })),
        "{not_base64:?}"
    );
    let without_item = stream(vec![piece(
        "response.code_interpreter_call_code.delta",
        "",
        Some("x"),
    )]);
    assert!(
        matches!(&without_item, Err(Error::UnexpectedModelBehavior { .. })),
        "{without_item:?}"
    );
    let image_without_item = stream(vec![(
        "response.image_generation_call.partial_image",
        json!({"partial_image_b64": "AAE="}),
    )]);
    assert!(
        matches!(
            &image_without_item,
            Err(Error::UnexpectedModelBehavior { .. })
        ),
        "{image_without_item:?}"
    );
}
