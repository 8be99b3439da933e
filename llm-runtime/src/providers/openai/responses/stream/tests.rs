//! Bodies written from OpenAI's documented format
//! (<https://platform.openai.com/docs/api-reference/responses>) and from what llama.cpp's
//! server sends, not recorded traffic (the recordings are in the conformance suite).

use serde_json::{json, Value};

use super::super::fixtures::{full_response, named, parse, OURS};
use super::super::OpenAiResponses;
use crate::error::{Error, Result};
use crate::messages::{
    FinishReason, ModelResponse, ModelResponsePart, ModelResponseStreamEvent, ResponseState,
    TextPart, ThinkingPart,
};
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{kinds, run_stream, run_stream_warned, Streamed};
use crate::stream::PartsManager;
use crate::tools::ToolDefinition;
use crate::warning::Warning;

mod faults;
/// The text repeated at a stream's end, and the item heads read instead of whole items.
mod repeats;

/// The text parts of `response` as (item id, text), in order.
fn id_texts(response: &ModelResponse) -> Vec<(&str, &str)> {
    response
        .parts
        .iter()
        .filter_map(|p| match p {
            ModelResponsePart::Text(t) => Some((t.id.as_deref()?, t.content.as_str())),
            _ => None,
        })
        .collect()
}

/// Feeds `(event name, data)` pairs as SSE events, then the end of the body.
fn stream_with(
    protocol: &OpenAiResponses,
    parameters: &ModelRequestParameters,
    events: &[(&str, String)],
) -> Result<Streamed> {
    let parts = PartsManager::new("gpt-5", parameters).with_provider(OURS, None);
    run_stream(
        protocol,
        parts,
        events.iter().map(|(name, data)| (*name, data.as_str())),
    )
}

/// OpenAI's events: the name in `event:`, the same in the data's `type`, numbered.
fn openai_events(events: Vec<(&'static str, Value)>) -> Vec<(&'static str, String)> {
    events
        .into_iter()
        .enumerate()
        .map(|(n, (name, mut data))| {
            data["type"] = json!(name);
            data["sequence_number"] = json!(n);
            (name, data.to_string())
        })
        .collect()
}

fn stream(events: Vec<(&'static str, Value)>) -> Result<Streamed> {
    stream_with(
        &named(),
        &ModelRequestParameters::default(),
        &openai_events(events),
    )
}

/// The response of `full_response()` as OpenAI streams it, ending with `response.completed`.
fn full_stream() -> Vec<(&'static str, Value)> {
    let whole = full_response();
    let mut created = whole.clone();
    created["status"] = json!("in_progress");
    created["output"] = json!([]);
    created["usage"] = Value::Null;
    let output = whole["output"].clone();
    let piece = |item: &str, fields: Value| {
        let mut event = fields;
        event["item_id"] = json!(item);
        event
    };
    vec![
        ("response.created", json!({"response": created.clone()})),
        ("response.in_progress", json!({"response": created})),
        (
            "response.output_item.added",
            json!({"output_index": 0,
            "item": {"type": "reasoning", "id": "rs_1", "summary": []}}),
        ),
        (
            "response.reasoning_summary_part.added",
            piece(
                "rs_1",
                json!({"summary_index": 0,
            "part": {"type": "summary_text", "text": ""}}),
            ),
        ),
        (
            "response.reasoning_summary_text.delta",
            piece(
                "rs_1",
                json!({"summary_index": 0,
            "delta": "First "}),
            ),
        ),
        (
            "response.reasoning_summary_text.delta",
            piece(
                "rs_1",
                json!({"summary_index": 0,
            "delta": "thought."}),
            ),
        ),
        (
            "response.reasoning_summary_text.done",
            piece(
                "rs_1",
                json!({"summary_index": 0,
            "text": "First thought."}),
            ),
        ),
        (
            "response.reasoning_summary_part.done",
            piece("rs_1", json!({"summary_index": 0})),
        ),
        (
            "response.reasoning_summary_part.added",
            piece(
                "rs_1",
                json!({"summary_index": 1,
            "part": {"type": "summary_text", "text": ""}}),
            ),
        ),
        (
            "response.reasoning_summary_text.delta",
            piece(
                "rs_1",
                json!({"summary_index": 1,
            "delta": "Second thought."}),
            ),
        ),
        (
            "response.output_item.done",
            json!({"output_index": 0, "item": output[0]}),
        ),
        (
            "response.output_item.added",
            json!({"output_index": 1, "item": {
            "type": "message", "id": "msg_1", "status": "in_progress", "role": "assistant",
            "phase": "commentary", "content": []}}),
        ),
        (
            "response.content_part.added",
            piece(
                "msg_1",
                json!({"content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []}}),
            ),
        ),
        (
            "response.output_text.delta",
            piece(
                "msg_1",
                json!({"content_index": 0,
            "delta": "Let me ", "logprobs": []}),
            ),
        ),
        (
            "response.output_text.delta",
            piece(
                "msg_1",
                json!({"content_index": 0,
            "delta": "divide.", "logprobs": []}),
            ),
        ),
        (
            "response.output_text.done",
            piece(
                "msg_1",
                json!({"content_index": 0,
            "text": "Let me divide.", "logprobs": output[1]["content"][0]["logprobs"]}),
            ),
        ),
        (
            "response.content_part.done",
            piece("msg_1", json!({"content_index": 0})),
        ),
        (
            "response.output_item.done",
            json!({"output_index": 1, "item": output[1]}),
        ),
        (
            "response.output_item.added",
            json!({"output_index": 2, "item": {
            "type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "divide",
            "arguments": "", "status": "in_progress", "namespace": "math"}}),
        ),
        (
            "response.function_call_arguments.delta",
            piece("fc_1", json!({"delta": "{\"a\":1,"})),
        ),
        (
            "response.function_call_arguments.delta",
            piece("fc_1", json!({"delta": "\"b\":2}"})),
        ),
        (
            "response.function_call_arguments.done",
            piece("fc_1", json!({"arguments": "{\"a\":1,\"b\":2}"})),
        ),
        (
            "response.output_item.done",
            json!({"output_index": 2, "item": output[2]}),
        ),
        (
            "response.output_item.added",
            json!({"output_index": 3, "item": {
            "type": "web_search_call", "id": "ws_1", "status": "in_progress"}}),
        ),
        (
            "response.web_search_call.searching",
            piece("ws_1", json!({"output_index": 3})),
        ),
        (
            "response.output_item.done",
            json!({"output_index": 3, "item": output[3]}),
        ),
        ("response.completed", json!({"response": whole})),
    ]
}

#[test]
fn streamed_and_whole_responses_are_equal() {
    let parsed = parse(full_response());
    let (mut streamed, events) = stream(full_stream()).unwrap();
    // The provider name is set by the HTTP layer; the timestamps are when each was received.
    streamed.provider_name = None;
    streamed.timestamp = parsed.timestamp;
    for (ours, theirs) in streamed.parts.iter_mut().zip(&parsed.parts) {
        if let (
            crate::messages::ModelResponsePart::BuiltinToolReturn(ours),
            crate::messages::ModelResponsePart::BuiltinToolReturn(theirs),
        ) = (ours, theirs)
        {
            ours.timestamp = theirs.timestamp;
        }
    }
    assert_eq!(streamed, parsed);
    assert_eq!(
        kinds(&events),
        [
            "start0", "delta0", "delta0", // the first summary
            "end0", "start1", "delta1", // the second
            "delta0", // the signature, on the first
            "end1", "start2", "final", "delta2", "delta2", // text, then its logprobs
            "end2", "start3", "delta3", "delta3", // the call and its arguments
            "end3", "start4", // the web search's call, when its item is added
            "delta4", // its arguments, at the item's end
            "end4", "start5" // and its return, which has no end (as in pydantic-ai)
        ]
    );
    let ModelResponseStreamEvent::PartStart(text) = &events[8] else {
        panic!("{:?}", events[8])
    };
    // The phase rides on the part's start.
    assert_eq!(
        text.part,
        TextPart {
            id: Some("msg_1".into()),
            provider_name: Some(OURS.into()),
            provider_details: json!({"phase": "commentary"}).as_object().cloned(),
            ..TextPart::new("Let me ")
        }
        .into()
    );
}

#[test]
fn llama_cpp_streams_without_sequence_numbers_or_indices() {
    // As llama.cpp's server sends it: `event:` names, no `sequence_number`, no
    // `output_index`/`content_index`, `response.created` without a model or a time.
    let events: Vec<(&str, String)> = [
        (
            "response.created",
            json!({"type": "response.created", "response": {
            "id": "resp_9", "object": "response", "status": "in_progress"}}),
        ),
        (
            "response.in_progress",
            json!({"type": "response.in_progress", "response": {
            "id": "resp_9", "object": "response", "status": "in_progress"}}),
        ),
        (
            "response.output_item.added",
            json!({"type": "response.output_item.added",
            "item": {"content": [], "id": "msg_9", "role": "assistant",
                     "status": "in_progress", "type": "message"}}),
        ),
        (
            "response.content_part.added",
            json!({"type": "response.content_part.added",
            "item_id": "msg_9", "part": {"type": "output_text", "text": ""}}),
        ),
        (
            "response.output_text.delta",
            json!({"type": "response.output_text.delta",
            "item_id": "msg_9", "delta": "Paris"}),
        ),
        (
            "response.output_text.delta",
            json!({"type": "response.output_text.delta",
            "item_id": "msg_9", "delta": "."}),
        ),
        (
            "response.output_text.done",
            json!({"type": "response.output_text.done",
            "item_id": "msg_9", "text": "Paris."}),
        ),
        (
            "response.output_item.done",
            json!({"type": "response.output_item.done",
            "item": {"type": "message", "status": "completed", "id": "msg_9", "role": "assistant",
                     "content": [{"type": "output_text", "annotations": [], "logprobs": [],
                                  "text": "Paris."}]}}),
        ),
        (
            "response.completed",
            json!({"type": "response.completed", "response": {
            "id": "resp_9", "object": "response", "created_at": 1_795_581_156,
            "status": "completed", "model": "SmolLM2-135M-Instruct",
            "output": [{"type": "message", "status": "completed", "id": "msg_9",
                        "content": [{"type": "output_text", "annotations": [],
                                     "logprobs": [], "text": "Paris."}],
                        "role": "assistant"}],
            "usage": {"input_tokens": 39, "output_tokens": 8, "total_tokens": 47,
                      "input_tokens_details": {"cached_tokens": 3}}},
            "timings": {"prompt_n": 36}}),
        ),
    ]
    .into_iter()
    .map(|(name, data)| (name, data.to_string()))
    .collect();
    let (mut streamed, _) =
        stream_with(&named(), &ModelRequestParameters::default(), &events).unwrap();
    let whole = serde_json::from_str::<Value>(&events[8].1).unwrap()["response"].clone();
    let parsed = parse(whole);
    streamed.provider_name = None;
    streamed.timestamp = parsed.timestamp;
    for (ours, theirs) in streamed.parts.iter_mut().zip(&parsed.parts) {
        if let (
            crate::messages::ModelResponsePart::BuiltinToolReturn(ours),
            crate::messages::ModelResponsePart::BuiltinToolReturn(theirs),
        ) = (ours, theirs)
        {
            ours.timestamp = theirs.timestamp;
        }
    }
    assert_eq!(streamed, parsed);
    assert_eq!(streamed.text(), "Paris.");
    assert_eq!(
        streamed.model_name.as_deref(),
        Some("SmolLM2-135M-Instruct")
    );
    assert_eq!(streamed.usage.cache_read_tokens, 3);

    // The same without `event:` names (every event `message`): the `type` decides.
    let unnamed: Vec<(&str, String)> = events.iter().map(|(_, d)| ("message", d.clone())).collect();
    let (mut again, _) =
        stream_with(&named(), &ModelRequestParameters::default(), &unnamed).unwrap();
    again.provider_name = None;
    again.timestamp = parsed.timestamp;
    assert_eq!(again, parsed);
}

#[test]
fn gateways_that_skip_events_still_give_the_whole_response() {
    let completed = |output: Value| {
        (
            "response.completed",
            json!({"response": {"id": "resp_7", "status": "completed",
            "model": "m", "output": output}}),
        )
    };
    let call = json!({"type": "function_call", "id": "fc_7", "call_id": "call_7",
                      "name": "divide", "arguments": "{\"a\":1}"});
    // Arguments before their call, and no deltas for the second call (its arguments come
    // with the item).
    let (response, _) = stream(vec![
        (
            "response.function_call_arguments.delta",
            json!({"item_id": "fc_7", "delta": "{\"a\""}),
        ),
        (
            "response.function_call_arguments.delta",
            json!({"item_id": "fc_7", "delta": ":1}"}),
        ),
        (
            "response.output_item.added",
            json!({"item": {"type": "function_call",
            "id": "fc_7", "call_id": "call_7", "name": "divide", "arguments": ""}}),
        ),
        (
            "response.output_item.added",
            json!({"item": {"type": "function_call",
            "id": "fc_8", "call_id": "call_8", "name": "divide", "arguments": ""}}),
        ),
        (
            "response.output_item.done",
            json!({"item": {"type": "function_call",
            "id": "fc_8", "call_id": "call_8", "name": "divide", "arguments": "{\"b\":2}"}}),
        ),
        completed(json!([call])),
    ])
    .unwrap();
    let calls: Vec<(String, String)> = response
        .tool_calls()
        .iter()
        .map(|c| (c.tool_call_id.clone(), c.args_as_json_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("call_7".to_owned(), "{\"a\":1}".to_owned()),
            ("call_8".to_owned(), "{\"b\":2}".to_owned())
        ]
    );
    // Text only in `output_text.done`; an item only in `output_item.done`; and one only in
    // `response.completed`.
    let (response, _) = stream(vec![
        ("response.output_text.done", json!({"item_id": "msg_1", "text": "One."})),
        ("response.output_item.done", json!({"item": {"type": "message", "id": "msg_2",
            "role": "assistant", "content": [{"type": "output_text", "text": "Two."}]}})),
        completed(json!([
            {"type": "message", "id": "msg_1", "content": [{"type": "output_text", "text": "One."}]},
            {"type": "message", "id": "msg_3", "content": [{"type": "output_text", "text": "Three."}]}
        ])),
    ])
    .unwrap();
    let texts = id_texts(&response);
    assert_eq!(
        texts,
        [("msg_1", "One."), ("msg_2", "Two."), ("msg_3", "Three.")]
    );
}

#[test]
fn streamed_refusals_incomplete_and_raw_reasoning() {
    let (response, _) = stream(vec![
        (
            "response.output_item.added",
            json!({"item": {"type": "message", "id": "msg_1",
            "role": "assistant", "content": []}}),
        ),
        (
            "response.refusal.delta",
            json!({"item_id": "msg_1", "delta": "I can't"}),
        ),
        (
            "response.refusal.done",
            json!({"item_id": "msg_1", "refusal": "I can't help."}),
        ),
        (
            "response.output_item.done",
            json!({"item": {"type": "message", "id": "msg_1",
            "role": "assistant", "content": [{"type": "refusal", "refusal": "I can't help."}]}}),
        ),
        (
            "response.completed",
            json!({"response": {"id": "r", "status": "completed",
            "output": [{"type": "message", "id": "msg_1", "role": "assistant",
                        "content": [{"type": "refusal", "refusal": "I can't help."}]}]}}),
        ),
    ])
    .unwrap();
    assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
    assert!(response.parts.is_empty());
    assert_eq!(
        response.provider_details,
        json!({"refusal": "I can't help."}).as_object().cloned()
    );

    // Cut at the token limit: `response.incomplete` ends the stream.
    let (response, _) = stream(vec![
        (
            "response.output_text.delta",
            json!({"item_id": "msg_1", "delta": "Once upon"}),
        ),
        (
            "response.incomplete",
            json!({"response": {"id": "r", "status": "incomplete",
            "incomplete_details": {"reason": "max_output_tokens"},
            "usage": {"input_tokens": 3, "output_tokens": 2}}}),
        ),
    ])
    .unwrap();
    assert_eq!(response.finish_reason, Some(FinishReason::Length));
    assert_eq!(response.text(), "Once upon");
    assert_eq!(response.usage.response_tokens, 2);

    // Raw chain of thought (gpt-oss on compatible servers) goes to `raw_content`.
    let events = vec![
        (
            "response.output_item.added",
            json!({"item": {"type": "reasoning", "id": "rs_1",
            "summary": [], "content": []}}),
        ),
        (
            "response.reasoning_text.delta",
            json!({"item_id": "rs_1", "content_index": 0,
            "delta": "Think"}),
        ),
        (
            "response.reasoning_text.delta",
            json!({"item_id": "rs_1", "content_index": 0,
            "delta": "ing."}),
        ),
        (
            "response.reasoning_text.done",
            json!({"item_id": "rs_1", "content_index": 0,
            "text": "Thinking."}),
        ),
        (
            "response.output_item.done",
            json!({"item": {"type": "reasoning", "id": "rs_1",
            "summary": []}}),
        ),
        (
            "response.completed",
            json!({"response": {"status": "completed",
            "output": [{"type": "reasoning", "id": "rs_1", "summary": [],
                        "content": [{"type": "reasoning_text", "text": "Thinking."}]}]}}),
        ),
    ];
    let whole = events[5].1["response"].clone();
    let (mut streamed, stream_events) = stream(events).unwrap();
    let parsed = parse(whole);
    streamed.provider_name = None;
    streamed.timestamp = parsed.timestamp;
    for (ours, theirs) in streamed.parts.iter_mut().zip(&parsed.parts) {
        if let (
            crate::messages::ModelResponsePart::BuiltinToolReturn(ours),
            crate::messages::ModelResponsePart::BuiltinToolReturn(theirs),
        ) = (ours, theirs)
        {
            ours.timestamp = theirs.timestamp;
        }
    }
    assert_eq!(streamed, parsed);
    assert_eq!(
        streamed.parts,
        vec![ModelResponsePart::from(ThinkingPart {
            id: Some("rs_1".into()),
            provider_name: Some(OURS.into()),
            provider_details: json!({"raw_content": ["Thinking."]}).as_object().cloned(),
            ..ThinkingPart::default()
        })]
    );
    assert_eq!(kinds(&stream_events), ["start0", "delta0", "end0"]);
}

#[test]
fn a_streamed_output_tool_call_is_the_final_result() {
    let parameters = ModelRequestParameters {
        output_tools: vec![ToolDefinition::new("final_result")],
        allow_text_output: false,
        ..Default::default()
    };
    let events = openai_events(vec![
        (
            "response.output_item.added",
            json!({"item": {"type": "function_call",
            "id": "fc_1", "call_id": "call_1", "name": "final_result", "arguments": ""}}),
        ),
        (
            "response.function_call_arguments.delta",
            json!({"item_id": "fc_1", "delta": "{}"}),
        ),
        (
            "response.completed",
            json!({"response": {"status": "completed"}}),
        ),
    ]);
    let (_, events) = stream_with(&named(), &parameters, &events).unwrap();
    assert_eq!(kinds(&events), ["start0", "final", "delta0", "end0"]);
    let ModelResponseStreamEvent::FinalResult(result) = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!(result.tool_call_id.as_deref(), Some("call_1"));
}
