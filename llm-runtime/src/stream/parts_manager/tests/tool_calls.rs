//! Tool calls and built-in tool calls: deltas by index or id, argument forms, names that
//! come late or never.

use super::*;

#[test]
fn interleaved_text_and_tool_deltas() {
    let mut pm = manager();
    pm.handle_text_delta(Some("content".into()), "Let me ")
        .unwrap();
    pm.handle_tool_call_delta(
        Some(0u64.into()),
        Some("get_weather"),
        Some(ArgsDelta::Json("{\"ci")),
        Some("call_1"),
    )
    .unwrap();
    pm.handle_text_delta(Some("content".into()), "check.")
        .unwrap();
    pm.handle_tool_call_delta(
        Some(0u64.into()),
        None,
        Some(ArgsDelta::Json("ty\": \"Paris\"}")),
        None,
    )
    .unwrap();
    pm.finish();
    let events = drain(&mut pm);
    assert_eq!(
        kinds(&events),
        ["start0", "final", "end0", "start1", "delta0", "delta1", "end1"]
    );
    let ModelResponseStreamEvent::PartStart(start) = &events[3] else {
        unreachable!()
    };
    assert_eq!(start.previous_part_kind, Some(PartKind::Text));
    let response = pm.response(ResponseState::Complete);
    assert_eq!(response.text(), "Let me check.");
    let call = call(&pm, 1);
    assert_eq!(call.tool_call_id, "call_1");
    assert_eq!(call.args_as_json_str(), r#"{"city": "Paris"}"#);
}

#[test]
fn two_parallel_tool_calls_by_index() {
    let mut pm = manager();
    pm.handle_tool_call_delta(
        Some(0u64.into()),
        Some("a"),
        Some(ArgsDelta::Json("")),
        Some("id_a"),
    )
    .unwrap();
    pm.handle_tool_call_delta(
        Some(1u64.into()),
        Some("b"),
        Some(ArgsDelta::Json("{\"y\":")),
        Some("id_b"),
    )
    .unwrap();
    pm.handle_tool_call_delta(
        Some(0u64.into()),
        None,
        Some(ArgsDelta::Json("{\"x\":1}")),
        None,
    )
    .unwrap();
    pm.handle_tool_call_delta(Some(1u64.into()), None, Some(ArgsDelta::Json("2}")), None)
        .unwrap();
    let (a, b) = (call(&pm, 0), call(&pm, 1));
    assert_eq!(
        (a.tool_name.as_str(), a.args_as_json_str().as_str()),
        ("a", r#"{"x":1}"#)
    );
    assert_eq!(
        (b.tool_name.as_str(), b.args_as_json_str().as_str()),
        ("b", r#"{"y":2}"#)
    );
    let events = drain(&mut pm);
    assert_eq!(
        kinds(&events),
        ["start0", "end0", "start1", "delta0", "delta1"]
    );
    // Deltas carry the call id even when the chunk did not.
    let ModelResponseStreamEvent::PartDelta(delta) = &events[3] else {
        unreachable!()
    };
    let ModelResponsePartDelta::ToolCall(delta) = &delta.delta else {
        unreachable!()
    };
    assert_eq!(delta.tool_call_id.as_deref(), Some("id_a"));
}

#[test]
fn tool_call_whose_name_arrives_after_its_first_args() {
    let mut pm = manager();
    pm.handle_tool_call_delta(
        Some(3u64.into()),
        None,
        Some(ArgsDelta::Json("{\"q\": ")),
        Some("c9"),
    )
    .unwrap();
    assert!(drain(&mut pm).is_empty(), "no event before the name");
    assert_eq!(pm.parts().count(), 0);
    pm.handle_tool_call_delta(
        Some(3u64.into()),
        Some("search"),
        Some(ArgsDelta::Json("\"rust\"}")),
        None,
    )
    .unwrap();
    let events = drain(&mut pm);
    assert_eq!(kinds(&events), ["start0"]);
    let call = call(&pm, 0);
    assert_eq!(call.tool_name, "search");
    assert_eq!(call.tool_call_id, "c9");
    assert_eq!(call.args_as_json_str(), r#"{"q": "rust"}"#);
}

#[test]
fn object_args_merge_and_mixing_forms_is_an_error() {
    let mut pm = manager();
    let obj = |v: serde_json::Value| ArgsDelta::Object(v.as_object().unwrap().clone());
    pm.handle_tool_call_delta(
        Some(0u64.into()),
        Some("t"),
        Some(obj(json!({"a": 1}))),
        None,
    )
    .unwrap();
    pm.handle_tool_call_delta(Some(0u64.into()), None, Some(obj(json!({"b": 2}))), None)
        .unwrap();
    assert_eq!(
        call(&pm, 0).args_as_dict(),
        *json!({"a": 1, "b": 2}).as_object().unwrap()
    );
    let err = pm
        .handle_tool_call_delta(Some(0u64.into()), None, Some(ArgsDelta::Json("x")), None)
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }),
        "{err}"
    );
    // An empty text start takes an object (lenient compatible servers).
    pm.handle_tool_call_delta(
        Some(1u64.into()),
        Some("u"),
        Some(ArgsDelta::Json("")),
        None,
    )
    .unwrap();
    pm.handle_tool_call_delta(Some(1u64.into()), None, Some(obj(json!({"c": 3}))), None)
        .unwrap();
    assert_eq!(call(&pm, 1).args_as_json_str(), r#"{"c":3}"#);
}

#[test]
fn nameless_tool_calls_are_left_out_at_the_end() {
    let mut pm = manager();
    pm.handle_tool_call_delta(Some(0u64.into()), None, Some(ArgsDelta::Json("{}")), None)
        .unwrap();
    pm.finish();
    assert!(pm.response(ResponseState::Complete).parts.is_empty());
}

#[test]
fn streamed_json_args_can_end_as_the_object_they_spell() {
    let mut pm = manager();
    let first = Some(VendorId::Index(0));
    pm.handle_tool_call_delta(first, Some("divide"), None, Some("t1"))
        .unwrap();
    for fragment in ["", "{\"a\": 6, ", "\"b\": 3}"] {
        pm.handle_tool_call_delta(first, None, Some(ArgsDelta::Json(fragment)), None)
            .unwrap();
    }
    pm.end_tool_call_args_as_object(VendorId::Index(0));
    // A call without any arguments.
    pm.handle_tool_call_delta(Some(VendorId::Index(1)), Some("now"), None, Some("t2"))
        .unwrap();
    pm.end_tool_call_args_as_object(VendorId::Index(1));
    // One cut short keeps its text.
    let third = Some(VendorId::Index(2));
    pm.handle_tool_call_delta(third, Some("divide"), None, Some("t3"))
        .unwrap();
    pm.handle_tool_call_delta(third, None, Some(ArgsDelta::Json("{\"a\": ")), None)
        .unwrap();
    pm.end_tool_call_args_as_object(VendorId::Index(2));
    // A vendor id that names nothing, or a part that is not a tool call, changes nothing.
    pm.end_tool_call_args_as_object(VendorId::Index(9));
    pm.handle_text_delta(Some(VendorId::Index(3)), "{}")
        .unwrap();
    pm.end_tool_call_args_as_object(VendorId::Index(3));
    pm.finish();

    let object = json!({"a": 6, "b": 3}).as_object().unwrap().clone();
    assert_eq!(call(&pm, 0).args, Some(ToolArgs::Object(object.clone())));
    assert_eq!(call(&pm, 1).args, Some(ToolArgs::Object(Map::new())));
    assert_eq!(call(&pm, 2).args, Some(ToolArgs::Json("{\"a\": ".into())));
    assert_eq!(pm.parts().nth(3), Some(&TextPart::new("{}").into()));
    // No event for the change: the deltas carry the text, the part's end the object.
    let events = drain(&mut pm);
    assert_eq!(
        kinds(&events),
        [
            "start0", "delta0", "delta0", "delta0", "end0", "start1", "end1", "start2", "delta2",
            "end2", "start3", "final", "end3"
        ]
    );
    let ModelResponseStreamEvent::PartEnd(end) = &events[4] else {
        unreachable!()
    };
    assert_eq!(
        end.part,
        ToolCallPart::new("divide", ToolArgs::Object(object), "t1").into()
    );
}

#[test]
fn a_tool_call_that_never_gets_its_name_is_a_warning_at_the_end() {
    let mut pm = manager();
    pm.handle_tool_call_delta(
        Some(3u64.into()),
        None,
        Some(ArgsDelta::Json("{\"q\": 1}")),
        Some("c9"),
    )
    .unwrap();
    assert!(pm.warnings.is_empty());
    pm.finish();
    assert_eq!(pm.parts().count(), 0);
    let warnings = pm.warnings.as_slice();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].kind(), "dropped-content");
    assert!(warnings[0].message().contains("never received its name"));
    assert!(
        warnings[0].message().contains(r#"{\"q\": 1}"#),
        "{}",
        warnings[0]
    );
}

#[test]
fn builtin_tool_calls_grow_like_tool_calls_and_returns_are_whole_parts() {
    use crate::messages::{BuiltinToolCallPart, BuiltinToolReturnPart};
    let mut pm = manager();
    let call = BuiltinToolCallPart::new("web_search", "", "srvtoolu_1").with_provider("anthropic");
    pm.handle_part(Some(VendorId::Index(0)), call.into());
    for fragment in ["{\"query\": ", "\"Paris\"}"] {
        pm.handle_tool_call_delta(
            Some(VendorId::Index(0)),
            None,
            Some(ArgsDelta::Json(fragment)),
            None,
        )
        .unwrap();
    }
    pm.end_tool_call_args_as_object(VendorId::Index(0));
    let ret = BuiltinToolReturnPart::new("web_search", json!([]), "srvtoolu_1");
    pm.handle_part(Some(VendorId::Index(1)), ret.clone().into());
    let mut details = Map::new();
    details.insert("status".into(), json!("completed"));
    pm.handle_provider_details(VendorId::Index(1), details.clone())
        .unwrap();
    // A text delta for the call's vendor id is the provider's mistake.
    let err = pm
        .handle_text_delta(Some(VendorId::Index(0)), "x")
        .unwrap_err();
    assert!(err.to_string().contains("BuiltinToolCall"), "{err}");
    pm.finish();

    let parts: Vec<_> = pm.parts().cloned().collect();
    let ModelResponsePart::BuiltinToolCall(call) = &parts[0] else {
        panic!("{parts:?}")
    };
    assert_eq!(
        call.args,
        Some(ToolArgs::Object(
            json!({"query": "Paris"}).as_object().unwrap().clone()
        ))
    );
    assert_eq!(call.provider_name.as_deref(), Some("anthropic"));
    let ModelResponsePart::BuiltinToolReturn(got) = &parts[1] else {
        panic!("{parts:?}")
    };
    assert_eq!(got.provider_details, Some(details));
    let events = drain(&mut pm);
    // No final result: a built-in tool's parts are not output; as in pydantic-ai, a part
    // without deltas (the return) gets no end.
    assert_eq!(
        kinds(&events),
        ["start0", "delta0", "delta0", "end0", "start1"]
    );
    let ModelResponseStreamEvent::PartStart(start) = &events[4] else {
        unreachable!()
    };
    assert_eq!(start.previous_part_kind, Some(PartKind::BuiltinToolCall));
}
