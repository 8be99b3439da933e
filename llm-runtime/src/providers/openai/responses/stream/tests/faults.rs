//! Streams that end wrong or carry what we do not read: truncated, failed and error streams,
//! unknown events, background jobs, and the warnings for what a stream leaves out.

use super::*;

#[test]
fn truncated_failed_and_error_streams_are_errors() {
    let unexpected = |result: Result<Streamed>| match result {
        Err(Error::UnexpectedModelBehavior { message, body }) => (message, body),
        other => panic!("{other:?}"),
    };
    // No `response.completed`: truncated.
    let (message, _) = unexpected(stream(vec![
        (
            "response.created",
            json!({"response": {"id": "r", "status": "in_progress"}}),
        ),
        (
            "response.output_text.delta",
            json!({"item_id": "msg_1", "delta": "Hel"}),
        ),
    ]));
    assert!(message.contains("before `response.completed`"), "{message}");
    // `[DONE]` without it is no better.
    let events = vec![("message", "[DONE]".to_owned())];
    let (message, _) = unexpected(stream_with(&named(), &Default::default(), &events));
    assert!(message.contains("truncated"), "{message}");

    // A failure or an error event with a known code is the status the code stands for, so
    // that `is_retryable` says whether asking again may succeed.
    let Err(error) = stream(vec![(
        "response.failed",
        json!({"response": {"id": "r", "status": "failed",
            "error": {"code": "server_error", "message": "The model crashed."}}}),
    )]) else {
        panic!("a failed response is an error")
    };
    assert!(
        matches!(&error, Error::Http { status: 500, body, .. } if body.contains("server_error")),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let Err(error) = stream(vec![(
        "error",
        json!({"code": "rate_limit_exceeded", "message": "Slow down.", "param": null}),
    )]) else {
        panic!("an error event is an error")
    };
    assert_eq!(error.status(), Some(429));
    assert!(error.is_retryable());
    let (message, body) = unexpected(stream(vec![(
        "response.failed",
        json!({"response": {"id": "r", "status": "failed",
            "error": {"code": "mystery", "message": "The model crashed."}}}),
    )]));
    assert_eq!(message, "the response failed: mystery: The model crashed.");
    assert!(body.is_some_and(|b| b.contains("mystery")));
    let (message, _) = unexpected(stream(vec![(
        "error",
        json!({"error": {"message": "Overloaded."}}),
    )]));
    assert!(message.ends_with(": Overloaded."), "{message}");
    // Malformed data: the event named, the bytes kept.
    let events = vec![("response.output_text.delta", "{\"delta\": 7}".to_owned())];
    let (message, body) = unexpected(stream_with(&named(), &Default::default(), &events));
    assert!(
        message.contains("`response.output_text.delta`"),
        "{message}"
    );
    assert_eq!(body.as_deref(), Some("{\"delta\": 7}"));
    let events = vec![("message", "{\"delta\": \"x\"}".to_owned())];
    let (message, _) = unexpected(stream_with(&named(), &Default::default(), &events));
    assert!(
        message.contains("neither an event name nor a `type`"),
        "{message}"
    );
    // A delta for a part of another kind.
    let (message, _) = unexpected(stream(vec![
        (
            "response.output_text.delta",
            json!({"item_id": "x", "delta": "a"}),
        ),
        (
            "response.reasoning_summary_text.delta",
            json!({"item_id": "x", "delta": "b"}),
        ),
    ]));
    assert!(
        message.contains("cannot apply a thinking delta"),
        "{message}"
    );
}

#[test]
fn unknown_events_are_skipped_and_background_jobs_suspend() {
    let (response, _) = stream(vec![
        (
            "response.created",
            json!({"response": {"id": "r", "status": "queued",
            "background": true, "model": "gpt-4o"}}),
        ),
        (
            "response.queued",
            json!({"response": {"id": "r", "status": "queued",
            "background": true}}),
        ),
        ("response.audio.delta", json!({"delta": "AAAA"})),
        ("response.some_future_event", json!({"anything": [1, 2]})),
        (
            "response.output_text.delta",
            json!({"item_id": "msg_1", "delta": "4"}),
        ),
    ])
    .unwrap();
    // The body ended while the job was still running: suspended, with where to resume.
    assert_eq!(response.state, ResponseState::Suspended);
    assert_eq!(response.text(), "4");
    assert_eq!(
        response.provider_details,
        json!({"background": true, "last_sequence_number": 4})
            .as_object()
            .cloned()
    );
    // Keep-alive text that is not JSON is reported and skipped.
    let events = vec![
        ("ping", "keep-alive".to_owned()),
        ("message", String::new()),
        (
            "response.completed",
            json!({"type": "response.completed", "response": {"status": "completed"}}).to_string(),
        ),
    ];
    let (response, _) = stream_with(&named(), &Default::default(), &events).unwrap();
    assert_eq!(response.finish_reason, Some(FinishReason::Stop));
}

#[test]
fn skipped_events_and_items_left_out_of_a_stream_are_warned() {
    let mut events = vec![("ping", "keep-alive".to_owned())];
    events.extend(openai_events(vec![
        (
            "response.output_item.added",
            json!({"item": {"type": "computer_call", "id": "cu_1", "status": "in_progress"}}),
        ),
        (
            "response.output_item.done",
            json!({"item": {"type": "computer_call", "id": "cu_1", "status": "completed"}}),
        ),
        (
            "response.output_text.delta",
            json!({"item_id": "msg_1", "delta": "Sunny."}),
        ),
        (
            "response.completed",
            json!({"response": {"status": "completed"}}),
        ),
    ]));
    let parts =
        PartsManager::new("gpt-5", &ModelRequestParameters::default()).with_provider(OURS, None);
    let ((response, _), warnings) = run_stream_warned(
        &named(),
        parts,
        events.iter().map(|(name, data)| (*name, data.as_str())),
    )
    .unwrap();
    assert_eq!(response.text(), "Sunny.");
    assert_eq!(
        warnings.as_slice(),
        [
            // The driver's: a keep-alive that is not JSON.
            Warning::skipped_event(
                "ping",
                "its data is not JSON, so it is not a Responses API event"
            ),
            Warning::dropped_content(
                "computer_call",
                "an output item of type `computer_call` was left out (the message model has no \
                 part for it)"
            ),
        ]
    );
}
