//! OpenTelemetry SDK in-memory exporters behind a `tracing` subscriber, for the
//! instrumentation tests: what a service with `tracing-opentelemetry` would export.
#![allow(dead_code)]

use std::collections::BTreeMap;

use llm_runtime::instrument::InstrumentationSettings;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, HistogramDataPoint, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::layer::SubscriberExt;

/// Span and metric exporters, and the subscriber feeding them on this thread.
pub struct Otel {
    spans: InMemorySpanExporter,
    metrics: InMemoryMetricExporter,
    tracer_provider: SdkTracerProvider,
    meter_provider: SdkMeterProvider,
    _guard: DefaultGuard,
}

impl Otel {
    /// Installs a `tracing-opentelemetry` layer as this thread's default subscriber. The
    /// layer's own extras (code location, thread, target, busy/idle times) are off so that the
    /// exported attributes are exactly the crate's.
    pub fn install() -> Otel {
        let spans = InMemorySpanExporter::default();
        let tracer_provider = SdkTracerProvider::builder()
            .with_simple_exporter(spans.clone())
            .build();
        let metrics = InMemoryMetricExporter::default();
        let meter_provider = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(metrics.clone()).build())
            .build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(tracer_provider.tracer("tests"))
            .with_location(false)
            .with_threads(false)
            .with_target(false)
            .with_tracked_inactivity(false);
        let guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
        Otel {
            spans,
            metrics,
            tracer_provider,
            meter_provider,
            _guard: guard,
        }
    }

    /// Default instrumentation settings recording metrics into this meter provider.
    pub fn settings(&self) -> InstrumentationSettings {
        InstrumentationSettings::default().with_meter_provider(&self.meter_provider)
    }

    /// The spans ended so far.
    pub fn spans(&self) -> Vec<SpanData> {
        self.tracer_provider.force_flush().expect("flush spans");
        self.spans.get_finished_spans().expect("finished spans")
    }

    /// The only span ended so far.
    pub fn span(&self) -> SpanData {
        let mut spans = self.spans();
        assert_eq!(spans.len(), 1, "{spans:#?}");
        spans.remove(0)
    }

    /// The histogram points recorded so far, by metric name, each as its attributes and
    /// (count, sum as f64).
    pub fn histograms(&self) -> BTreeMap<String, Vec<Point>> {
        self.meter_provider.force_flush().expect("flush metrics");
        let exported = self.metrics.get_finished_metrics().expect("metrics");
        let mut out: BTreeMap<String, Vec<Point>> = BTreeMap::new();
        // Cumulative temporality: the last export holds every point.
        if let Some(resource) = exported.last() {
            for scope in resource.scope_metrics() {
                assert_eq!(scope.scope().name(), "llm-runtime");
                for metric in scope.metrics() {
                    let points = match metric.data() {
                        AggregatedMetrics::U64(MetricData::Histogram(h)) => h
                            .data_points()
                            .map(|p| Point::of(p, p.sum() as f64))
                            .collect(),
                        AggregatedMetrics::F64(MetricData::Histogram(h)) => {
                            h.data_points().map(|p| Point::of(p, p.sum())).collect()
                        }
                        other => panic!("{} is not a histogram: {other:?}", metric.name()),
                    };
                    out.insert(metric.name().to_owned(), points);
                }
            }
        }
        out
    }

    /// Everything exported, as text, to prove what is absent.
    pub fn exported_text(&self) -> String {
        let spans = self.spans();
        self.meter_provider.force_flush().expect("flush metrics");
        let metrics = self.metrics.get_finished_metrics().expect("metrics");
        format!("{spans:?}\n{metrics:?}")
    }
}

/// One histogram data point.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub attributes: BTreeMap<String, Value>,
    pub count: u64,
    pub sum: f64,
}

impl Point {
    fn of<T>(point: &HistogramDataPoint<T>, sum: f64) -> Point {
        Point {
            attributes: to_map(point.attributes()),
            count: point.count(),
            sum,
        }
    }
}

/// Attributes as a map, for comparing whole sets.
pub fn to_map<'a>(attributes: impl IntoIterator<Item = &'a KeyValue>) -> BTreeMap<String, Value> {
    attributes
        .into_iter()
        .map(|kv| (kv.key.as_str().to_owned(), kv.value.clone()))
        .collect()
}

/// The attributes of a span as a map.
pub fn attributes(span: &SpanData) -> BTreeMap<String, Value> {
    let map = to_map(&span.attributes);
    assert_eq!(
        map.len(),
        span.attributes.len(),
        "duplicate attributes: {span:#?}"
    );
    map
}

/// `(key, value)` pairs as an attribute map.
pub fn map<const N: usize>(pairs: [(&str, Value); N]) -> BTreeMap<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// A string array attribute value.
pub fn strings(values: &[&str]) -> Value {
    Value::Array(opentelemetry::Array::String(
        values.iter().map(|v| v.to_string().into()).collect(),
    ))
}

/// A JSON attribute parsed.
pub fn json(value: &Value) -> serde_json::Value {
    match value {
        Value::String(s) => serde_json::from_str(s.as_str()).expect("JSON attribute"),
        other => panic!("not a string: {other:?}"),
    }
}
