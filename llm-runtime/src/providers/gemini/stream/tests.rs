use super::*;
use crate::messages::{ModelResponse, ModelResponseStreamEvent, TextPart, ThinkingPart};
use crate::models::ModelRequestParameters;
use crate::providers::gemini::test_support::{
    chunk, divide, parse, signature, stream, stream_parts, stream_with,
};
use crate::providers::gemini::Gemini;
use crate::providers::test_support::{kinds, run_stream_warned};
use crate::tools::ToolDefinition;
use crate::warning::Warning;
use serde_json::json;

#[test]
fn streams_text_and_cumulative_usage() {
    let mut first = chunk(json!([{"text": "Hello"}]), None);
    first["usageMetadata"] = json!({"promptTokenCount": 10, "candidatesTokenCount": 1,
                                    "cachedContentTokenCount": 8,
                                    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}]});
    let mut last = chunk(json!([{"text": ", world"}]), Some("STOP"));
    // The cached count is missing from the later snapshot: it is kept.
    last["usageMetadata"] = json!({"promptTokenCount": 10, "candidatesTokenCount": 3});
    let (response, events) = stream(&[first, last]);
    assert_eq!(kinds(&events), ["start0", "final", "delta0", "end0"]);
    assert_eq!(response.text(), "Hello, world");
    assert_eq!(response.model_name.as_deref(), Some("gemini-2.5-flash-001"));
    assert_eq!(response.provider_response_id.as_deref(), Some("resp-1"));
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
    let usage = &response.usage;
    assert_eq!(
        (
            usage.requests,
            usage.request_tokens,
            usage.response_tokens,
            usage.cache_read_tokens
        ),
        (1, 10, 3, 8)
    );
    assert_eq!(usage.details["text_prompt_tokens"], 10);
    assert_eq!(usage.details["cached_content_tokens"], 8);
}

#[test]
fn streams_thoughts_then_text_with_signatures() {
    let (response, events) = stream(&[
        chunk(json!([{"text": "Hmm, ", "thought": true}]), None),
        chunk(json!([{"text": "division.", "thought": true}]), None),
        chunk(
            json!([{"text": "The answer", "thoughtSignature": "c2lnLTE="}]),
            None,
        ),
        chunk(json!([{"text": " is 0.5."}]), None),
        // A later signature on empty text: merged into the part, as pydantic-ai does.
        chunk(
            json!([{"text": "", "thoughtSignature": "c2lnLTI="}]),
            Some("STOP"),
        ),
    ]);
    assert_eq!(
        kinds(&events),
        ["start0", "delta0", "end0", "start1", "final", "delta1", "delta1", "end1"]
    );
    assert_eq!(
        response.parts[0],
        ThinkingPart::new("Hmm, division.").into()
    );
    assert_eq!(
        response.parts[1],
        TextPart {
            provider_name: Some("google-gla".into()),
            provider_details: signature("c2lnLTI="),
            ..TextPart::new("The answer is 0.5.")
        }
        .into()
    );
    let ModelResponseStreamEvent::PartDelta(last) = &events[6] else {
        panic!("{events:?}")
    };
    assert_eq!(
        serde_json::to_value(&last.delta).unwrap(),
        json!({"content_delta": "", "provider_name": null,
               "provider_details": {"thought_signature": "c2lnLTI="}, "part_delta_kind": "text"})
    );
}

#[test]
fn streamed_function_calls_arrive_whole() {
    let parameters = ModelRequestParameters {
        function_tools: vec![divide()],
        output_tools: vec![ToolDefinition::new("final_result").into_output_tool()],
        allow_text_output: false,
        ..ModelRequestParameters::default()
    };
    let (response, events) = stream_with(
        &parameters,
        &[chunk(
            json!([
                {"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}}, "thoughtSignature": "c2ln"},
                {"functionCall": {"name": "final_result", "args": {}, "id": "out-1"}}
            ]),
            Some("STOP"),
        )],
    )
    .unwrap();
    assert_eq!(
        kinds(&events),
        ["start0", "end0", "start1", "final", "end1"]
    );
    let calls = response.tool_calls();
    assert_eq!(calls[0].provider_name.as_deref(), Some("google-gla"));
    assert_eq!(calls[0].provider_details, signature("c2ln"));
    assert!(calls[0].tool_call_id.starts_with("pyd_ai_"));
    assert_eq!(calls[1].tool_call_id, "out-1");
}

#[test]
fn a_stream_without_a_finish_reason_is_truncated() {
    let err = stream_with(
        &ModelRequestParameters::default(),
        &[chunk(json!([{"text": "Hel"}]), None)],
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn blocked_prompts_and_errors_in_streams() {
    let (response, events) = stream(&[json!({
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 5},
        "responseId": "r-9"
    })]);
    assert!(events.is_empty());
    assert_eq!(response.finish_reason, Some(FinishReason::ContentFilter));
    assert_eq!(response.provider_details.unwrap()["block_reason"], "SAFETY");
    assert_eq!(response.provider_response_id.as_deref(), Some("r-9"));

    let err = stream_with(
        &ModelRequestParameters::default(),
        &[
            chunk(json!([{"text": "Hi"}]), None),
            json!({"error": {"code": 500, "message": "Internal error", "status": "INTERNAL"}}),
        ],
    )
    .unwrap_err();
    assert_eq!(err.status(), Some(500));

    let protocol = Gemini::new();
    let mut parts = PartsManager::new("m", &ModelRequestParameters::default());
    let mut state = GeminiStreamState::default();
    let event = crate::providers::RawEvent::new("message", "{\"candidates\": [");
    let err = crate::providers::apply_event(&protocol, event, &mut state, &mut parts).unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedModelBehavior { body: Some(ref b), .. } if b == "{\"candidates\": [")
    );
}

#[test]
fn streamed_and_whole_responses_are_equal() {
    let events = [
        chunk(
            json!([{"text": "Weighing it.", "thought": true, "thoughtSignature": "c2lnLTA="}]),
            None,
        ),
        chunk(
            json!([{"text": "Half", "thoughtSignature": "c2lnLTE="}]),
            None,
        ),
        chunk(json!([{"text": " of one."}]), None),
        {
            let mut last = chunk(
                json!([{"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}, "id": "c1"}}]),
                Some("STOP"),
            );
            last["usageMetadata"] = json!({"promptTokenCount": 9, "candidatesTokenCount": 4,
                                           "thoughtsTokenCount": 2});
            last
        },
    ];
    let whole = json!({
        "candidates": [{"content": {"role": "model", "parts": [
            {"text": "Weighing it.", "thought": true, "thoughtSignature": "c2lnLTA="},
            {"text": "Half of one.", "thoughtSignature": "c2lnLTE="},
            {"functionCall": {"name": "divide", "args": {"a": 1, "b": 2}, "id": "c1"}}
        ]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 4, "thoughtsTokenCount": 2},
        "modelVersion": "gemini-2.5-flash-001",
        "responseId": "resp-1"
    });
    let (streamed, _) = stream(&events);
    let parsed = parse(whole);
    let comparable = |mut r: ModelResponse| {
        r.timestamp = chrono::DateTime::UNIX_EPOCH;
        r.provider_name = None;
        r.provider_url = None;
        r
    };
    assert_eq!(comparable(streamed), comparable(parsed));
}

#[test]
fn skipped_events_and_dropped_parts_of_a_stream_are_warnings() {
    let first = chunk(
        json!([{"fileData": {"mimeType": "image/png", "fileUri": "gs://b/o.png"}}]),
        None,
    );
    let last = chunk(json!([{"text": "1"}]), Some("STOP"));
    let (first, last) = (first.to_string(), last.to_string());
    let ((response, _), warnings) = run_stream_warned(
        &Gemini::new(),
        stream_parts(&ModelRequestParameters::default()),
        [
            ("ping", "keep-alive"),
            ("message", first.as_str()),
            ("message", last.as_str()),
        ],
    )
    .unwrap();
    assert_eq!(response.parts, [TextPart::new("1").into()]);
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::skipped_event(
                "ping",
                "its data is not JSON, so it is not a streamGenerateContent event"
            ),
            Warning::dropped_content(
                "fileData",
                "a `fileData` part (a file the API stores) has no place in the message model; it \
                 is left out of the response"
            ),
        ]
    );
}
