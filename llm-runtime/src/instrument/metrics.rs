//! The GenAI client metrics (with the `otel` feature): `gen_ai.client.token.usage`,
//! `gen_ai.client.operation.duration`, `gen_ai.client.operation.time_to_first_chunk` and
//! `operation.cost`, recorded through the OpenTelemetry API.
//!
//! The instruments come from the meter provider given to
//! [`InstrumentationSettings::with_meter_provider`](super::InstrumentationSettings::with_meter_provider),
//! else from the global one at the time of each request, so a provider installed after
//! [`instrument_all`](super::instrument_all) is still used.

use opentelemetry::metrics::{Histogram, Meter, MeterProvider};
use opentelemetry::{InstrumentationScope, KeyValue};

use super::semconv::*;
use crate::messages::ModelResponse;

/// The instruments, made once per meter.
pub(crate) struct Metrics {
    token_usage: Histogram<u64>,
    duration: Histogram<f64>,
    time_to_first_chunk: Histogram<f64>,
    cost: Histogram<f64>,
}

impl Metrics {
    /// The instruments of `provider`'s meter for this crate.
    pub(crate) fn new<P: MeterProvider + ?Sized>(provider: &P) -> Self {
        let scope = InstrumentationScope::builder(env!("CARGO_PKG_NAME"))
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        Metrics::from_meter(&provider.meter_with_scope(scope))
    }

    /// The instruments of the global meter provider, as it is now.
    pub(crate) fn global() -> Self {
        Metrics::new(&*opentelemetry::global::meter_provider())
    }

    fn from_meter(meter: &Meter) -> Self {
        Metrics {
            token_usage: meter
                .u64_histogram(GEN_AI_CLIENT_TOKEN_USAGE)
                .with_unit("{token}")
                .with_description("Measures number of input and output tokens used")
                .with_boundaries(TOKEN_USAGE_BOUNDARIES.to_vec())
                .build(),
            duration: meter
                .f64_histogram(GEN_AI_CLIENT_OPERATION_DURATION)
                .with_unit("s")
                .with_description("GenAI operation duration")
                .with_boundaries(DURATION_BOUNDARIES.to_vec())
                .build(),
            time_to_first_chunk: meter
                .f64_histogram(GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK)
                .with_unit("s")
                .with_description(
                    "Time from issuing a streaming request to the first chunk being surfaced to the consumer",
                )
                .with_boundaries(DURATION_BOUNDARIES.to_vec())
                .build(),
            cost: meter
                .f64_histogram(OPERATION_COST)
                .with_unit("{USD}")
                .with_description("Monetary cost")
                .build(),
        }
    }

    /// Records the end of one request: its duration, and for a response its tokens (each
    /// non-zero count, by token type), its cost when known and the time to its first chunk.
    pub(crate) fn record(&self, end: &End<'_>) {
        let mut attributes = vec![
            KeyValue::new(GEN_AI_OPERATION_NAME, OPERATION_CHAT),
            KeyValue::new(GEN_AI_PROVIDER_NAME, end.provider.to_owned()),
            KeyValue::new(GEN_AI_SYSTEM, end.provider.to_owned()),
            KeyValue::new(GEN_AI_REQUEST_MODEL, end.request_model.to_owned()),
        ];
        if let Some(response) = end.response {
            let model = response.model_name.as_deref().unwrap_or(end.request_model);
            attributes.push(KeyValue::new(GEN_AI_RESPONSE_MODEL, model.to_owned()));
        }
        if let Some(error_type) = end.error_type {
            attributes.push(KeyValue::new(ERROR_TYPE, error_type));
        }
        self.duration.record(end.duration, &attributes);
        if let Some(seconds) = end.time_to_first_chunk {
            self.time_to_first_chunk.record(seconds, &attributes);
        }
        let Some(response) = end.response else {
            return;
        };
        if let Some(cost) = response.usage.cost {
            self.cost.record(cost, &attributes);
        }
        for (token_type, tokens) in [
            (TOKEN_TYPE_INPUT, response.usage.request_tokens),
            (TOKEN_TYPE_OUTPUT, response.usage.response_tokens),
        ] {
            if tokens == 0 {
                continue;
            }
            let mut with_type = attributes.clone();
            with_type.push(KeyValue::new(GEN_AI_TOKEN_TYPE, token_type));
            self.token_usage.record(tokens, &with_type);
        }
    }
}

/// What the metrics of one finished request are made of.
pub(crate) struct End<'a> {
    pub provider: &'a str,
    pub request_model: &'a str,
    pub response: Option<&'a ModelResponse>,
    pub error_type: Option<&'static str>,
    pub duration: f64,
    pub time_to_first_chunk: Option<f64>,
}
