//! `instrument_all`: the process-wide switch, so alone in its own test binary.
//!
//! With it on, all four request functions are instrumented without any per-call option; a
//! per-call `.instrument(false)` still wins; `instrument_all(None)` switches it off again.

mod otel_support;

use futures::StreamExt;
use llm_runtime::instrument::instrument_all;
use llm_runtime::messages::ModelRequest;
use llm_runtime::{
    model_request, model_request_stream, model_request_stream_sync, model_request_sync,
};
use otel_support::{attributes, Otel};

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

#[test]
fn instrument_all_instruments_the_four_functions() {
    let otel = Otel::install();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    instrument_all(otel.settings());

    model_request_sync("test", prompt()).unwrap();
    let events = model_request_stream_sync("test", prompt())
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert!(!events.is_empty());
    runtime.block_on(async {
        model_request("test", prompt()).await.unwrap();
        let mut stream = model_request_stream("test", prompt()).await.unwrap();
        while let Some(event) = stream.next().await {
            event.unwrap();
        }
        // A per-call choice wins over the global one.
        model_request("test", prompt())
            .instrument(false)
            .await
            .unwrap();
    });

    let spans = otel.spans();
    assert_eq!(spans.len(), 4);
    for (span, streamed) in spans.iter().zip([false, true, false, true]) {
        assert_eq!(span.name, "chat test");
        let actual = attributes(span);
        assert_eq!(actual["gen_ai.request.model"], "test".into());
        assert_eq!(
            actual.contains_key("gen_ai.client.operation.time_to_first_chunk"),
            streamed
        );
    }
    let histograms = otel.histograms();
    let durations = &histograms["gen_ai.client.operation.duration"];
    assert_eq!(durations.iter().map(|p| p.count).sum::<u64>(), 4);

    instrument_all(None);
    model_request_sync("test", prompt()).unwrap();
    assert_eq!(otel.spans().len(), 4, "switched off again");
}
