use super::*;
use crate::messages::{FilePart, ModelResponsePart, PartKind};
use serde_json::json;

#[test]
fn builtin_parts_read_pydantic_ai_json_with_defaults() {
    let call: ModelResponsePart = serde_json::from_value(json!({
        "part_kind": "builtin-tool-call", "tool_name": "web_search", "args": {"query": "x"},
        "tool_call_id": "srvtoolu_1", "provider_name": "anthropic"
    }))
    .unwrap();
    let ModelResponsePart::BuiltinToolCall(call) = call else {
        panic!("{call:?}")
    };
    assert_eq!(call.args_as_json_str(), r#"{"query":"x"}"#);
    assert!(call.belongs_to("anthropic"));
    assert!(!call.belongs_to("openai"));

    let ret: ModelResponsePart = serde_json::from_value(json!({
        "part_kind": "builtin-tool-return", "tool_name": "code_execution",
        "content": {"stdout": "2"}, "tool_call_id": "c", "outcome": "failed"
    }))
    .unwrap();
    assert_eq!(ret.part_kind(), PartKind::BuiltinToolReturn);
    let ModelResponsePart::BuiltinToolReturn(ret) = ret else {
        panic!("{ret:?}")
    };
    assert_eq!(ret.outcome, ToolReturnOutcome::Failed);
    assert_eq!(
        ret.model_response_str(),
        r#"{"error":"{\"stdout\":\"2\"}"}"#
    );
    // No provider named: any provider may take it.
    assert!(ret.belongs_to("openai"));
}

#[test]
fn a_file_part_needs_its_content() {
    let err = serde_json::from_value::<ModelResponsePart>(json!({"part_kind": "file"}));
    assert!(err.unwrap_err().to_string().contains("content"));
    let part: ModelResponsePart = serde_json::from_value(json!({"part_kind": "file",
        "content": {"kind": "binary", "data": "iVBORw==", "media_type": "image/png"}}))
    .unwrap();
    let ModelResponsePart::File(FilePart { content, .. }) = part else {
        panic!("{part:?}")
    };
    assert_eq!(content.data, b"\x89PNG");
}

#[test]
fn provider_details_can_be_set_on_every_part() {
    let mut part: ModelResponsePart = BuiltinToolCallPart::new("web_search", "{}", "c").into();
    let mut details = serde_json::Map::new();
    details.insert("status".into(), json!("completed"));
    part.set_provider_details("openai", details.clone());
    assert_eq!(part.provider_name(), Some("openai"));
    assert_eq!(part.provider_details(), Some(&details));
}
