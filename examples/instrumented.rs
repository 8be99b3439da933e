//! The seed's instrumented example: instrumentation switched on in two lines, then a request
//! and a streamed request; the spans and metrics they produced are printed by OpenTelemetry's
//! stdout exporter.
//!
//! Runs offline on the built-in `test` model unless `LLM_MODEL` names another, e.g.
//! `LLM_MODEL=openai:gpt-4.1-nano` (with `OPENAI_API_KEY` set). Set `LLM_INCLUDE_CONTENT=0` to
//! see the same telemetry without any prompt or answer text.
//!
//! In a service, the OpenTelemetry setup below is the one you already have (an OTLP exporter,
//! say); the SDK only needs `tracing-opentelemetry`'s layer on the `tracing` subscriber, and,
//! for metrics, a meter provider (the global one, or one given to the settings).

use llm_runtime::instrument::{instrument_all, InstrumentationSettings};
use llm_runtime::messages::ModelRequest;
use llm_runtime::{model_request_stream_sync, model_request_sync};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // OpenTelemetry and tracing, as an application sets them up (Python: `logfire.configure()`).
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(opentelemetry_stdout::MetricExporter::default()).build(),
        )
        .build();
    opentelemetry::global::set_meter_provider(meter_provider.clone());
    let layer = tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("instrumented"));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))?;

    // The two lines of the seed (Python: `logfire.instrument_pydantic_ai()`).
    let include_content = std::env::var("LLM_INCLUDE_CONTENT").map_or(true, |v| v != "0");
    instrument_all(InstrumentationSettings::default().with_include_content(include_content));

    let model = std::env::var("LLM_MODEL").unwrap_or_else(|_| "test".to_owned());
    let (response, usage) = model_request_sync(
        model.as_str(),
        [ModelRequest::user_text_prompt(
            "What is the capital of France?",
        )],
    )?;
    println!("{}", response.text());
    println!("{usage:?}");

    let mut stream = model_request_stream_sync(
        model.as_str(),
        [ModelRequest::user_text_prompt("Who was Albert Einstein?")],
    )?;
    for event in stream.by_ref() {
        event?;
    }
    println!("{}", stream.get().text());
    drop(stream);

    // Flush: the stdout exporters print the spans and the metrics.
    tracer_provider.shutdown()?;
    meter_provider.shutdown()?;
    Ok(())
}
