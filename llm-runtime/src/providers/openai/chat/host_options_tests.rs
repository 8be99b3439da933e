//! Unit tests of the host options for the rest of pydantic-ai's part model: OpenRouter's
//! reasoning details and annotations, Groq's executed searches and failed generations, read
//! whole and streamed (the same parts either way), sent back, and malformed input (a typed
//! error, never a panic). Bodies written from the hosts' documented formats.

use serde_json::{json, Value};

use super::fixtures::chunk;
use super::{ChatBuiltinTools, OpenAiChat, SendBackThinking};
use crate::error::Error;
use crate::messages::*;
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{request_json, run_stream, Streamed};
use crate::providers::{Protocol, ResponseContext};
use crate::settings::ModelSettings;
use crate::stream::PartsManager;

fn openrouter() -> OpenAiChat {
    OpenAiChat::new()
        .with_thinking_field("reasoning")
        .with_send_back_thinking(SendBackThinking::Field)
        .with_builtin_tools(ChatBuiltinTools::OpenRouterServerTools)
        .with_reasoning_details(true)
        .with_annotations(true)
}

fn groq() -> OpenAiChat {
    OpenAiChat::new()
        .with_builtin_tools(ChatBuiltinTools::GroqCompound)
        .with_failed_generations(true)
}

fn parse_with(protocol: &OpenAiChat, provider: &str, body: &Value) -> crate::Result<ModelResponse> {
    protocol.parse_response(
        body.to_string().as_bytes(),
        &mut ResponseContext::new("m", provider),
    )
}

fn stream_with(protocol: &OpenAiChat, provider: &str, chunks: &[Value]) -> crate::Result<Streamed> {
    let mut data: Vec<String> = chunks.iter().map(Value::to_string).collect();
    data.push("[DONE]".into());
    let parts =
        PartsManager::new("m", &ModelRequestParameters::default()).with_provider(provider, None);
    run_stream(
        protocol,
        parts,
        data.iter().map(|d| ("message", d.as_str())),
    )
}

fn whole(message: Value) -> Value {
    json!({"id": "gen-1", "created": 1_700_000_000, "model": "m",
           "choices": [{"index": 0, "finish_reason": "stop", "message": message}]})
}

/// Parts without their timestamps (returns get the time they were read).
fn parts_of(response: &ModelResponse) -> Vec<Value> {
    response
        .parts
        .iter()
        .map(|p| {
            let mut value = serde_json::to_value(p).unwrap();
            if let Some(map) = value.as_object_mut() {
                map.remove("timestamp");
                if map.get("part_kind") == Some(&json!("builtin-tool-return"))
                    || map.get("part_kind") == Some(&json!("builtin-tool-call"))
                {
                    map.insert("tool_call_id".into(), json!("<id>"));
                }
            }
            value
        })
        .collect()
}

#[test]
fn reasoning_details_replace_the_reasoning_field_whole_and_streamed() {
    let details = json!([
        {"type": "reasoning.text", "text": "2+2 is 4.", "signature": "sig", "format": "anthropic-claude-v1", "index": 0},
        {"type": "reasoning.encrypted", "data": "gAAA", "id": "rs_1", "format": "openai-responses-v1", "index": 1}
    ]);
    let response = parse_with(
        &openrouter(),
        "openrouter",
        &whole(
            json!({"role": "assistant", "content": "4", "reasoning": "2+2 is 4.",
                      "reasoning_details": details}),
        ),
    )
    .unwrap();
    let thinking: Vec<&ThinkingPart> = response
        .parts
        .iter()
        .filter_map(|p| match p {
            ModelResponsePart::Thinking(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(thinking.len(), 2, "{response:?}");
    assert_eq!(thinking[0].content, "2+2 is 4.");
    assert_eq!(thinking[0].signature.as_deref(), Some("sig"));
    assert_eq!(thinking[1].signature.as_deref(), Some("gAAA"));
    assert_eq!(thinking[1].id.as_deref(), Some("rs_1"));
    assert_eq!(
        thinking[1].provider_details.as_ref().unwrap()["type"],
        "reasoning.encrypted"
    );

    // Streamed in pieces: the text grows, the signature comes last, the encrypted detail whole.
    let (streamed, events) = stream_with(
        &openrouter(),
        "openrouter",
        &[
            chunk(json!({"reasoning": "2+2", "reasoning_details": [
                {"type": "reasoning.text", "text": "2+2", "format": "anthropic-claude-v1", "index": 0}]}), Value::Null),
            chunk(json!({"reasoning": " is 4.", "reasoning_details": [
                {"type": "reasoning.text", "text": " is 4.", "format": "anthropic-claude-v1", "index": 0}]}), Value::Null),
            chunk(json!({"reasoning_details": [
                {"type": "reasoning.text", "text": "", "signature": "sig", "format": "anthropic-claude-v1", "index": 0},
                {"type": "reasoning.encrypted", "data": "gAAA", "id": "rs_1", "format": "openai-responses-v1", "index": 1}]}), Value::Null),
            chunk(json!({"content": "4"}), json!("stop")),
        ],
    )
    .unwrap();
    assert_eq!(parts_of(&streamed), parts_of(&response));
    assert!(events.iter().all(|e| !matches!(e,
        ModelResponseStreamEvent::PartStart(s) if s.index > 2)));

    // Without the option the reasoning field is read, as OpenAI's model reads it.
    let plain = parse_with(
        &OpenAiChat::new(),
        "openai",
        &whole(
            json!({"role": "assistant", "content": "4", "reasoning": "2+2 is 4.",
                      "reasoning_details": details}),
        ),
    )
    .unwrap();
    let ModelResponsePart::Thinking(only) = &plain.parts[0] else {
        panic!("{plain:?}")
    };
    assert_eq!(
        (only.id.as_deref(), only.provider_details.as_ref()),
        (Some("reasoning"), None)
    );
}

#[test]
fn reasoning_details_go_back_to_the_same_provider_only() {
    let response = parse_with(
        &openrouter(),
        "openrouter",
        &whole(json!({"role": "assistant", "content": "4", "reasoning_details": [
            {"type": "reasoning.summary", "summary": "sum", "format": "openai-responses-v1", "index": 0}]})),
    )
    .unwrap();
    let history: Vec<ModelMessage> = vec![
        ModelRequest::user_text_prompt("2+2?").into(),
        response.into(),
        ModelRequest::user_text_prompt("and 3+3?").into(),
    ];
    let body = |provider: &str| {
        request_json(
            &openrouter(),
            provider,
            "openai/gpt-5-mini",
            &history,
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
            false,
        )
        .unwrap()
    };
    let assistant = body("openrouter")["messages"][1].clone();
    assert_eq!(
        assistant["reasoning_details"],
        json!([{"id": null, "format": "openai-responses-v1", "index": 0,
                "type": "reasoning.summary", "summary": "sum"}])
    );
    assert_eq!(assistant.get("reasoning"), None);
    // Another provider's model gets the text in the reasoning field instead.
    let other = body("other")["messages"][1].clone();
    assert_eq!(other.get("reasoning_details"), None);
    assert_eq!(other["reasoning"], "sum");
}

#[test]
fn annotations_are_kept_with_the_option_whole_and_as_a_running_list_streamed() {
    let cite = |url: &str| json!({"type": "url_citation", "url_citation": {"url": url, "title": "t", "start_index": 0, "end_index": 1}});
    let body =
        whole(json!({"role": "assistant", "content": "x", "annotations": [cite("a"), cite("b")]}));
    let kept = parse_with(&openrouter(), "openrouter", &body).unwrap();
    assert_eq!(
        kept.provider_details.as_ref().unwrap()["annotations"],
        json!([cite("a"), cite("b")])
    );
    let plain = parse_with(&OpenAiChat::new(), "openai", &body).unwrap();
    assert_eq!(
        plain.provider_details.as_ref().unwrap().get("annotations"),
        None
    );
    // An empty list is not kept, as pydantic-ai does not keep it.
    let empty = parse_with(
        &openrouter(),
        "openrouter",
        &whole(json!({"content": "x", "annotations": []})),
    )
    .unwrap();
    assert_eq!(
        empty.provider_details.as_ref().unwrap().get("annotations"),
        None
    );

    let (streamed, _) = stream_with(
        &openrouter(),
        "openrouter",
        &[
            chunk(
                json!({"content": "x", "annotations": [cite("a")]}),
                Value::Null,
            ),
            chunk(json!({"annotations": [cite("b")]}), json!("stop")),
        ],
    )
    .unwrap();
    assert_eq!(
        streamed.provider_details.as_ref().unwrap()["annotations"],
        json!([cite("a"), cite("b")])
    );
}

#[test]
fn groq_searches_are_the_same_parts_whole_and_streamed() {
    let search = |results: Value| {
        json!({"index": 0, "type": "search",
        "arguments": "{\"query\": \"q\"}", "search_results": {"results": results}})
    };
    let hit = json!([{"title": "t", "url": "u", "content": "c", "score": 1.0}]);
    let response = parse_with(
        &groq(),
        "groq",
        &whole(json!({"role": "assistant", "content": "done", "executed_tools": [search(hit.clone())]})),
    )
    .unwrap();
    let (streamed, _) = stream_with(
        &groq(),
        "groq",
        &[
            chunk(json!({"executed_tools": [search(json!([]))]}), Value::Null),
            chunk(json!({"executed_tools": [search(hit)]}), Value::Null),
            chunk(json!({"content": "done"}), json!("stop")),
        ],
    )
    .unwrap();
    assert_eq!(parts_of(&streamed), parts_of(&response));
    assert_eq!(parts_of(&response).len(), 3);
}

#[test]
fn groq_failed_generations_are_responses_and_other_errors_stay_errors() {
    let failed = json!({"error": {"message": "Tool call validation failed", "type": "invalid_request_error",
        "code": "tool_use_failed", "failed_generation": "{\"name\": \"f\", \"arguments\": {\"a\": 1}}"}});
    let response = groq()
        .response_for_error(400, &failed.to_string(), "m")
        .unwrap();
    assert_eq!(response.finish_reason, Some(FinishReason::Error));
    assert_eq!(response.tool_calls().len(), 1);
    // Only with the option, only for 400, only for this code.
    assert_eq!(
        OpenAiChat::new().response_for_error(400, &failed.to_string(), "m"),
        None
    );
    assert_eq!(
        groq().response_for_error(500, &failed.to_string(), "m"),
        None
    );
    assert_eq!(
        groq().response_for_error(400, "{\"error\": {\"code\": \"other\"}}", "m"),
        None
    );
    assert_eq!(groq().response_for_error(400, "<html>", "m"), None);

    // In a stream: text first, then the error event ends the stream with what came.
    let mut events = vec![chunk(json!({"content": "maybe"}), Value::Null).to_string()];
    events.push(
        json!({"error": {"message": "Tool choice is required", "type": "invalid_request_error",
        "code": "tool_use_failed", "failed_generation": "", "status_code": 400}})
        .to_string(),
    );
    let parts =
        PartsManager::new("m", &ModelRequestParameters::default()).with_provider("groq", None);
    let (streamed, _) =
        run_stream(&groq(), parts, events.iter().map(|d| ("error", d.as_str()))).unwrap();
    assert_eq!(streamed.text(), "maybe");
    // Without the option the same event is the HTTP error it reports.
    let parts = PartsManager::new("m", &ModelRequestParameters::default());
    let err = run_stream(
        &OpenAiChat::new(),
        parts,
        events.iter().map(|d| ("error", d.as_str())),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Http { status: 400, .. }), "{err:?}");
}

#[test]
fn malformed_details_and_searches_are_typed_errors_or_warnings() {
    for message in [
        json!({"content": "x", "reasoning_details": [{"type": "reasoning.text", "text": 5}]}),
        json!({"content": "x", "reasoning_details": {"type": "reasoning.text"}}),
        json!({"content": "x", "executed_tools": [{"type": "search", "arguments": 3}]}),
        json!({"content": "x", "executed_tools": [{"type": "search", "arguments": "{oops"}]}),
    ] {
        let err = parse_with(
            &openrouter().with_builtin_tools(ChatBuiltinTools::GroqCompound),
            "p",
            &whole(message.clone()),
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedModelBehavior { .. }),
            "{message}: {err:?}"
        );
    }
    // An unknown detail type is left out with a warning, the rest is read.
    let mut cx = ResponseContext::new("m", "openrouter");
    let response = openrouter()
        .parse_response(
            whole(json!({"content": "x", "reasoning_details": [{"type": "reasoning.future"}]}))
                .to_string()
                .as_bytes(),
            &mut cx,
        )
        .unwrap();
    assert_eq!(response.text(), "x");
    assert_eq!(cx.warnings.len(), 1);
}
