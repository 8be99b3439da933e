use super::*;
use crate::messages::{
    ModelResponsePartDelta, ModelResponseStreamEvent, PartKind, TextPart, TextPartDelta,
    ThinkingPart, ToolArgs, ToolCallPart,
};
use crate::providers::test_support::kinds;
use crate::tools::ToolDefinition;
use serde_json::json;

fn manager() -> PartsManager {
    PartsManager::new("m", &ModelRequestParameters::default())
}

fn drain(pm: &mut PartsManager) -> Vec<ModelResponseStreamEvent> {
    std::iter::from_fn(|| pm.pop_event()).collect()
}

fn call(pm: &PartsManager, index: usize) -> ToolCallPart {
    match pm.parts().nth(index) {
        Some(ModelResponsePart::ToolCall(call)) => call.clone(),
        other => panic!("part {index} is {other:?}"),
    }
}

mod tool_calls;

#[test]
fn text_deltas_accumulate_into_one_part() {
    let mut pm = manager();
    pm.handle_text_delta(None, "Hel").unwrap();
    pm.handle_text_delta(None, "lo").unwrap();
    pm.finish();
    let events = drain(&mut pm);
    assert_eq!(kinds(&events), ["start0", "final", "delta0", "end0"]);
    let ModelResponseStreamEvent::PartEnd(end) = &events[3] else {
        unreachable!()
    };
    assert_eq!(end.part, TextPart::new("Hello").into());
    assert_eq!(pm.response(ResponseState::Complete).text(), "Hello");
}

#[test]
fn owned_and_borrowed_text_deltas_give_the_same_events_and_part() {
    let run = |owned: bool| {
        let mut pm = manager();
        for piece in ["Hel", "lo", " w\u{e9}"] {
            if owned {
                let delta = std::borrow::Cow::<str>::Owned(piece.to_owned());
                pm.handle_text_delta(None, delta).unwrap();
            } else {
                pm.handle_text_delta(None, piece).unwrap();
            }
        }
        pm.finish();
        (drain(&mut pm), pm.response(ResponseState::Complete))
    };
    let (events, response) = run(true);
    let (borrowed_events, borrowed_response) = run(false);
    assert_eq!(format!("{events:?}"), format!("{borrowed_events:?}"));
    assert_eq!(response.parts, borrowed_response.parts);
    assert_eq!(response.text(), "Hello w\u{e9}");
    let ModelResponseStreamEvent::PartDelta(delta) = &events[3] else {
        unreachable!("{events:?}")
    };
    let ModelResponsePartDelta::Text(text) = &delta.delta else {
        unreachable!()
    };
    assert_eq!(text.content_delta, " w\u{e9}");
}

#[test]
fn vendor_ids_must_keep_their_kind() {
    let mut pm = manager();
    pm.handle_text_delta(Some(0u64.into()), "hi").unwrap();
    let err = pm
        .handle_tool_call_delta(Some(0u64.into()), Some("t"), None, None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected model behavior: cannot apply a tool call delta to part 0, which is a Text part"
    );
    let err = pm
        .handle_thinking_delta(Some(0u64.into()), Some("x"), None, None)
        .unwrap_err();
    assert!(err.to_string().contains("thinking delta"));
}

#[test]
fn thinking_content_and_signature() {
    let mut pm = manager();
    pm.handle_thinking_delta(Some("r".into()), Some("Step 1."), None, None)
        .unwrap();
    pm.handle_thinking_delta(Some("r".into()), Some(" Step 2."), None, None)
        .unwrap();
    pm.handle_thinking_delta(Some("r".into()), None, Some("sig=="), Some("anthropic"))
        .unwrap();
    pm.handle_thinking_delta(Some("r".into()), None, None, None)
        .unwrap();
    let Some(ModelResponsePart::Thinking(thinking)) = pm.parts().next() else {
        panic!()
    };
    assert_eq!(thinking.content, "Step 1. Step 2.");
    assert_eq!(thinking.signature.as_deref(), Some("sig=="));
    assert_eq!(kinds(&drain(&mut pm)), ["start0", "delta0", "delta0"]);
    assert!(manager()
        .handle_thinking_delta(None, None, None, None)
        .is_err());
}

#[test]
fn final_result_for_an_output_tool_only() {
    let params = ModelRequestParameters {
        function_tools: vec![ToolDefinition::new("lookup")],
        output_tools: vec![ToolDefinition::new("final_result").into_output_tool()],
        allow_text_output: false,
        ..Default::default()
    };
    let mut pm = PartsManager::new("m", &params);
    pm.handle_text_delta(None, "thinking aloud").unwrap();
    pm.handle_tool_call_part(None, "lookup", None, Some("1"));
    pm.handle_tool_call_part(
        None,
        "final_result",
        Some(ToolArgs::Json("{}".into())),
        Some("2"),
    );
    let events = drain(&mut pm);
    assert_eq!(
        kinds(&events),
        ["start0", "end0", "start1", "end1", "start2", "final"]
    );
    let ModelResponseStreamEvent::FinalResult(fin) = &events[5] else {
        unreachable!()
    };
    assert_eq!(fin.tool_name.as_deref(), Some("final_result"));
    assert_eq!(fin.tool_call_id.as_deref(), Some("2"));
}

#[test]
fn whole_parts_replace_by_vendor_id() {
    let mut pm = manager();
    pm.handle_tool_call_part(
        Some(0u64.into()),
        "t",
        Some(ToolArgs::Json("{}".into())),
        Some("1"),
    );
    pm.handle_tool_call_part(
        Some(0u64.into()),
        "t",
        Some(ToolArgs::Json("{\"a\":1}".into())),
        Some("1"),
    );
    assert_eq!(pm.parts().count(), 1);
    assert_eq!(call(&pm, 0).args_as_json_str(), r#"{"a":1}"#);
}

#[test]
fn leading_whitespace_can_be_ignored() {
    let mut pm = manager();
    pm.handle_text_delta_ignoring_leading_whitespace(None, "\n\n")
        .unwrap();
    assert_eq!(pm.parts().count(), 0);
    pm.handle_text_delta_ignoring_leading_whitespace(None, " hi")
        .unwrap();
    assert_eq!(pm.response(ResponseState::Complete).text(), " hi");
}

#[test]
fn provider_details_merge_into_the_part_with_a_delta() {
    let mut pm = manager();
    pm.handle_text_delta(Some("msg".into()), "Hi").unwrap();
    let first = json!({"phase": "final_answer"})
        .as_object()
        .unwrap()
        .clone();
    pm.handle_provider_details("msg".into(), first).unwrap();
    let second = json!({"logprobs": []}).as_object().unwrap().clone();
    pm.handle_provider_details("msg".into(), second.clone())
        .unwrap();
    let events = drain(&mut pm);
    assert_eq!(kinds(&events), ["start0", "final", "delta0", "delta0"]);
    let ModelResponseStreamEvent::PartDelta(delta) = &events[3] else {
        unreachable!()
    };
    assert_eq!(
        delta.delta,
        ModelResponsePartDelta::Text(TextPartDelta {
            content_delta: String::new(),
            provider_name: None,
            provider_details: Some(second),
        })
    );
    let Some(ModelResponsePart::Text(text)) = pm.parts().next() else {
        panic!("{:?}", pm.parts().collect::<Vec<_>>())
    };
    assert_eq!(
        text.provider_details,
        json!({"phase": "final_answer", "logprobs": []})
            .as_object()
            .cloned()
    );
    assert_eq!(text.content, "Hi");

    // Nothing to attach them to: an error, not a drop.
    let err = pm
        .handle_provider_details("other".into(), Map::new())
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }),
        "{err}"
    );
    pm.handle_tool_call_delta(Some(7u64.into()), None, Some(ArgsDelta::Json("{")), None)
        .unwrap();
    assert!(pm.handle_provider_details(7u64.into(), Map::new()).is_err());
}

fn details(signature: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("thought_signature".into(), json!(signature));
    map
}

#[test]
fn text_deltas_carry_provider_details_as_pydantic_ai_merges_them() {
    let mut pm = manager();
    pm.handle_text_delta_with_details(None, "Hel", Some("google"), Some(details("s1")))
        .unwrap();
    pm.handle_text_delta(None, "lo").unwrap();
    // A later signature with no text: merged into the part, carried by the delta.
    let mut more = details("s2");
    more.insert("other".into(), json!(1));
    pm.handle_text_delta_with_details(None, "", Some("google"), Some(more.clone()))
        .unwrap();
    pm.finish();
    let events = drain(&mut pm);
    assert_eq!(
        kinds(&events),
        ["start0", "final", "delta0", "delta0", "end0"]
    );
    let ModelResponseStreamEvent::PartStart(start) = &events[0] else {
        unreachable!()
    };
    let ModelResponsePart::Text(first) = &start.part else {
        panic!("{start:?}")
    };
    assert_eq!(first.provider_name.as_deref(), Some("google"));
    assert_eq!(first.provider_details, Some(details("s1")));
    let ModelResponseStreamEvent::PartDelta(last) = &events[3] else {
        unreachable!()
    };
    let ModelResponsePartDelta::Text(delta) = &last.delta else {
        panic!("{last:?}")
    };
    // The part already has the name: the delta does not repeat it.
    assert_eq!(
        (delta.content_delta.as_str(), delta.provider_name.as_deref()),
        ("", None)
    );
    assert_eq!(delta.provider_details, Some(more.clone()));
    let response = pm.response(ResponseState::Complete);
    let ModelResponsePart::Text(text) = &response.parts[0] else {
        panic!("{response:?}")
    };
    assert_eq!(text.content, "Hello");
    assert_eq!(text.provider_details, Some(more));
}

#[test]
fn thinking_deltas_carry_provider_details_and_may_start_with_them_alone() {
    let mut pm = manager();
    pm.handle_thinking_delta_with_details(None, None, None, Some("google"), Some(details("s")))
        .unwrap();
    pm.handle_thinking_delta_with_details(None, Some("hmm"), None, None, None)
        .unwrap();
    // Nothing to apply: no event.
    pm.handle_thinking_delta_with_details(None, None, None, None, None)
        .unwrap();
    pm.finish();
    let events = drain(&mut pm);
    assert_eq!(kinds(&events), ["start0", "delta0", "end0"]);
    let response = pm.response(ResponseState::Complete);
    assert_eq!(
        response.parts,
        [ThinkingPart {
            provider_name: Some("google".into()),
            provider_details: Some(details("s")),
            ..ThinkingPart::new("hmm")
        }
        .into()]
    );
    let mut empty = manager();
    assert!(empty
        .handle_thinking_delta_with_details(None, None, None, Some("google"), None)
        .is_err());
}

/// A start is built when it is taken, but shows the part as it started: deltas, details and
/// replacements that arrive while it is queued do not reach it.
#[test]
fn a_queued_start_shows_the_part_as_it_started() {
    let mut pm = manager();
    pm.handle_text_delta(Some("content".into()), "Hel").unwrap();
    pm.handle_text_delta(Some("content".into()), "lo").unwrap();
    pm.handle_tool_call_delta(
        Some(0u64.into()),
        Some("get_weather"),
        Some(ArgsDelta::Json("{\"ci")),
        Some("call_1"),
    )
    .unwrap();
    pm.handle_tool_call_delta(
        Some(0u64.into()),
        None,
        Some(ArgsDelta::Json("ty\": \"Paris\"}")),
        None,
    )
    .unwrap();
    pm.end_tool_call_args_as_object(VendorId::Index(0));
    pm.handle_part(Some("content".into()), TextPart::new("replaced").into());
    pm.finish();
    let events = drain(&mut pm);
    let starts: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            ModelResponseStreamEvent::PartStart(start) => Some((start.index, start.part.clone())),
            _ => None,
        })
        .collect();
    let ModelResponsePart::ToolCall(call) = &starts[1].1 else {
        panic!("{starts:?}")
    };
    assert_eq!(call.args, Some(ToolArgs::Json("{\"ci".into())));
    assert_eq!(starts[0], (0, TextPart::new("Hel").into()));
    assert_eq!(starts[2], (0, TextPart::new("replaced").into()));
    assert_eq!(pm.unbuilt_starts, 0);
    // Taken one at a time, each start is built from the part as it stands.
    let mut pm = manager();
    pm.handle_text_delta(None, "Hi").unwrap();
    let Some(ModelResponseStreamEvent::PartStart(start)) = pm.pop_event() else {
        panic!("no start")
    };
    assert_eq!(start.part, TextPart::new("Hi").into());
}
