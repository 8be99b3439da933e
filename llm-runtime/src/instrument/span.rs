//! One instrumented request: its `chat {model}` span, what is recorded on it when the request
//! starts and ends, and (with the `otel` feature) its metrics.

use std::time::Instant;

use tracing::field::Empty;
use tracing::Span;

use super::messages::{self, Capture};
use super::semconv::*;
use super::InstrumentationSettings;
use crate::error::Error;
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{self, Model, ModelRequestParameters};
use crate::settings::ModelSettings;

/// The span of one request and what its end needs.
pub(crate) struct Call {
    span: Span,
    capture: Capture,
    start: Instant,
    provider: String,
    request_model: String,
    time_to_first_chunk: Option<f64>,
    /// Whether [`Call::end`] ran; a call dropped before is recorded as cancelled.
    ended: bool,
    #[cfg(feature = "otel")]
    metrics: std::sync::Arc<super::metrics::Metrics>,
}

/// The `error.type` of a request whose future was dropped before it finished.
pub(crate) const CANCELLED: &str = "cancelled";

/// A request dropped before its end (its future dropped by a timeout, a `select!` or an
/// aborted task) still ends its span and records its duration, as cancelled. A stream's
/// observer ends the call itself when the stream is dropped, with what arrived.
impl Drop for Call {
    fn drop(&mut self) {
        if !self.ended {
            let description = "the request was cancelled before it finished".to_owned();
            self.finish(None, Some(CANCELLED), Some(description));
        }
    }
}

impl Call {
    /// Opens the span of a request to `model` and records what is known before it is sent.
    ///
    /// When no subscriber wants the span, nothing is formatted or serialized.
    pub(crate) fn start(
        model: &dyn Model,
        messages: &[ModelMessage],
        model_settings: &ModelSettings,
        parameters: &ModelRequestParameters,
        settings: &InstrumentationSettings,
    ) -> Call {
        let request_model = model.model_name();
        let provider = model.system();
        let span = tracing::info_span!(
            target: "llm_runtime::instrument",
            "chat",
            { OTEL_NAME } = %format_args!("{OPERATION_CHAT} {request_model}"),
            { OTEL_KIND } = "client",
            { OTEL_STATUS_CODE } = Empty,
            { OTEL_STATUS_DESCRIPTION } = Empty,
            { GEN_AI_OPERATION_NAME } = OPERATION_CHAT,
            { GEN_AI_PROVIDER_NAME } = provider,
            { GEN_AI_SYSTEM } = provider,
            { GEN_AI_REQUEST_MODEL } = request_model,
            { SERVER_ADDRESS } = Empty,
            { SERVER_PORT } = Empty,
            { GEN_AI_REQUEST_MAX_TOKENS } = Empty,
            { GEN_AI_REQUEST_TEMPERATURE } = Empty,
            { GEN_AI_REQUEST_TOP_P } = Empty,
            { GEN_AI_REQUEST_TOP_K } = Empty,
            { GEN_AI_REQUEST_SEED } = Empty,
            { GEN_AI_REQUEST_PRESENCE_PENALTY } = Empty,
            { GEN_AI_REQUEST_FREQUENCY_PENALTY } = Empty,
            { GEN_AI_RESPONSE_MODEL } = Empty,
            { GEN_AI_RESPONSE_ID } = Empty,
            { GEN_AI_RESPONSE_FINISH_REASONS } = Empty,
            { GEN_AI_USAGE_INPUT_TOKENS } = Empty,
            { GEN_AI_USAGE_OUTPUT_TOKENS } = Empty,
            { GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS } = Empty,
            { GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS } = Empty,
            { GEN_AI_USAGE_DETAILS_REASONING_TOKENS } = Empty,
            { GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK } = Empty,
            { OPERATION_COST } = Empty,
            { ERROR_TYPE } = Empty,
            { GEN_AI_INPUT_MESSAGES } = Empty,
            { GEN_AI_OUTPUT_MESSAGES } = Empty,
            { GEN_AI_SYSTEM_INSTRUCTIONS } = Empty,
            { GEN_AI_TOOL_DEFINITIONS } = Empty,
        );
        let capture = Capture {
            content: settings.include_content,
            binary: settings.include_binary_content,
        };
        if !span.is_disabled() {
            if let Some((host, port)) = model.base_url().and_then(server_address) {
                span.record(SERVER_ADDRESS, host.as_str());
                if let Some(port) = port {
                    span.record(SERVER_PORT, i64::from(port));
                }
            }
            record_settings(&span, model_settings);
            span.record(
                GEN_AI_INPUT_MESSAGES,
                messages::input_messages(messages, capture).as_str(),
            );
            let instructions = models::instructions(messages).filter(|i| !i.is_empty());
            if capture.content {
                if let Some(instructions) = instructions {
                    let json = messages::system_instructions(instructions);
                    span.record(GEN_AI_SYSTEM_INSTRUCTIONS, json.as_str());
                }
                if let Some(json) = messages::tool_definitions(parameters) {
                    span.record(GEN_AI_TOOL_DEFINITIONS, json.as_str());
                }
            }
            #[cfg(feature = "otel")]
            otel::set_json_schema(&span, capture.content && instructions.is_some());
        }
        Call {
            span,
            capture,
            start: Instant::now(),
            provider: provider.to_owned(),
            request_model: request_model.to_owned(),
            time_to_first_chunk: None,
            ended: false,
            #[cfg(feature = "otel")]
            metrics: settings.metrics(),
        }
    }

    /// The span of the request.
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// Notes that the first event of a stream reached the consumer.
    pub(crate) fn first_chunk(&mut self) {
        if self.time_to_first_chunk.is_none() {
            let seconds = self.start.elapsed().as_secs_f64();
            self.time_to_first_chunk = Some(seconds);
            self.span
                .record(GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, seconds);
        }
    }

    /// Records the end of the request: the response (whole, or what a stream gave before it
    /// failed or was dropped), the error, and the metrics.
    pub(crate) fn end(&mut self, response: Option<&ModelResponse>, error: Option<&Error>) {
        let description = match error {
            // The message may quote the provider's body, which may quote the prompt.
            Some(error) if self.capture.content => Some(error.to_string()),
            _ => None,
        };
        self.finish(response, error.map(Error::type_name), description);
    }

    /// Records the end, once: `error_type` and `description` mark a failure.
    fn finish(
        &mut self,
        response: Option<&ModelResponse>,
        error_type: Option<&'static str>,
        description: Option<String>,
    ) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        let duration = self.start.elapsed().as_secs_f64();
        if !self.span.is_disabled() {
            if let Some(response) = response {
                self.record_response(response);
            }
            if let Some(error_type) = error_type {
                self.span.record(ERROR_TYPE, error_type);
                self.span.record(OTEL_STATUS_CODE, "ERROR");
                if let Some(description) = description {
                    self.span
                        .record(OTEL_STATUS_DESCRIPTION, description.as_str());
                }
            }
        }
        #[cfg(feature = "otel")]
        self.metrics.record(&super::metrics::End {
            provider: &self.provider,
            request_model: &self.request_model,
            response,
            error_type,
            duration,
            time_to_first_chunk: self.time_to_first_chunk,
        });
        #[cfg(not(feature = "otel"))]
        let _ = (duration, &self.provider);
    }

    fn record_response(&self, response: &ModelResponse) {
        let span = &self.span;
        let model = response
            .model_name
            .as_deref()
            .unwrap_or(&self.request_model);
        span.record(GEN_AI_RESPONSE_MODEL, model);
        if let Some(id) = &response.provider_response_id {
            span.record(GEN_AI_RESPONSE_ID, id.as_str());
        }
        if let Some(reason) = response.finish_reason {
            #[cfg(feature = "otel")]
            otel::set_string_array(span, GEN_AI_RESPONSE_FINISH_REASONS, [reason.as_str()]);
            #[cfg(not(feature = "otel"))]
            span.record(
                GEN_AI_RESPONSE_FINISH_REASONS,
                format_args!("[\"{}\"]", reason.as_str()),
            );
        }
        let usage = &response.usage;
        for (name, count) in [
            (GEN_AI_USAGE_INPUT_TOKENS, usage.request_tokens),
            (GEN_AI_USAGE_OUTPUT_TOKENS, usage.response_tokens),
            (
                GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
                usage.cache_write_tokens,
            ),
            (
                GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
                usage.cache_read_tokens,
            ),
        ] {
            if count != 0 {
                span.record(name, saturating_i64(count));
            }
        }
        if let Some(reasoning) = usage.details.get("reasoning_tokens") {
            span.record(
                GEN_AI_USAGE_DETAILS_REASONING_TOKENS,
                saturating_i64(*reasoning),
            );
        }
        #[cfg(feature = "otel")]
        otel::set_usage_details(span, usage);
        if let Some(cost) = usage.cost {
            span.record(OPERATION_COST, cost);
        }
        span.record(
            GEN_AI_OUTPUT_MESSAGES,
            messages::output_messages(response, self.capture).as_str(),
        );
    }
}

/// Records the settings the GenAI conventions name (`gen_ai.request.*`).
fn record_settings(span: &Span, settings: &ModelSettings) {
    if let Some(max_tokens) = settings.max_tokens {
        span.record(GEN_AI_REQUEST_MAX_TOKENS, i64::from(max_tokens));
    }
    for (name, value) in [
        (GEN_AI_REQUEST_TEMPERATURE, settings.temperature),
        (GEN_AI_REQUEST_TOP_P, settings.top_p),
        (GEN_AI_REQUEST_TOP_K, settings.top_k.map(f64::from)),
        (GEN_AI_REQUEST_PRESENCE_PENALTY, settings.presence_penalty),
        (GEN_AI_REQUEST_FREQUENCY_PENALTY, settings.frequency_penalty),
    ] {
        if let Some(value) = value {
            span.record(name, value);
        }
    }
    if let Some(seed) = settings.seed {
        span.record(GEN_AI_REQUEST_SEED, seed);
    }
    #[cfg(feature = "otel")]
    if let Some(stops) = &settings.stop_sequences {
        otel::set_string_array(
            span,
            GEN_AI_REQUEST_STOP_SEQUENCES,
            stops.iter().map(String::as_str),
        );
    }
}

/// A count as OpenTelemetry's integer type (`tracing-opentelemetry` would write a `u64` as text).
fn saturating_i64(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// The host and explicit port of a base URL, as Python's `urlparse` gives them (lower-case
/// host, IPv6 without brackets); `None` for a URL without scheme or host or with a bad port.
/// User information (`user:key@`) is never part of the result.
pub(crate) fn server_address(url: &str) -> Option<(String, Option<u16>)> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    let port = match port {
        None | Some("") => None,
        Some(port) => Some(port.parse::<u16>().ok()?),
    };
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
}

/// What only the OpenTelemetry API can carry: arrays and names not known in advance.
#[cfg(feature = "otel")]
mod otel {
    use std::collections::BTreeMap;

    use opentelemetry::{Array, StringValue, Value};
    use tracing::Span;
    use tracing_opentelemetry::OpenTelemetrySpanExt;

    use super::super::semconv::*;
    use super::saturating_i64;
    use crate::usage::Usage;

    /// Sets a string-array attribute.
    pub(super) fn set_string_array<'a>(
        span: &Span,
        name: &'static str,
        values: impl IntoIterator<Item = &'a str>,
    ) {
        let values: Vec<StringValue> = values
            .into_iter()
            .map(|v| StringValue::from(v.to_owned()))
            .collect();
        span.set_attribute(name, Value::Array(Array::String(values)));
    }

    /// Sets `gen_ai.usage.details.*` as pydantic-ai does: the provider's details (but
    /// `input_tokens` and `output_tokens`, and `reasoning_tokens`, which has its own field),
    /// and the cache and audio counts again for compatibility.
    pub(super) fn set_usage_details(span: &Span, usage: &Usage) {
        let mut details: BTreeMap<&str, u64> = usage
            .details
            .iter()
            .map(|(key, value)| (key.as_str(), *value))
            .collect();
        for (key, value) in [
            ("cache_write_tokens", usage.cache_write_tokens),
            ("cache_read_tokens", usage.cache_read_tokens),
            ("input_audio_tokens", usage.input_audio_tokens),
            ("cache_audio_read_tokens", usage.cache_audio_read_tokens),
            ("output_audio_tokens", usage.output_audio_tokens),
        ] {
            if value != 0 {
                details.insert(key, value);
            }
        }
        for (key, value) in details {
            if matches!(key, "input_tokens" | "output_tokens" | "reasoning_tokens") {
                continue;
            }
            span.set_attribute(
                format!("{GEN_AI_USAGE_DETAILS_PREFIX}{key}"),
                saturating_i64(value),
            );
        }
    }

    /// Sets `logfire.json_schema`, which tells Logfire the message attributes hold JSON.
    pub(super) fn set_json_schema(span: &Span, with_instructions: bool) {
        let instructions = if with_instructions {
            r#","gen_ai.system_instructions":{"type":"array"}"#
        } else {
            ""
        };
        span.set_attribute(
            LOGFIRE_JSON_SCHEMA,
            format!(
                r#"{{"type":"object","properties":{{"gen_ai.input.messages":{{"type":"array"}},"gen_ai.output.messages":{{"type":"array"}}{instructions}}}}}"#
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_address_is_host_and_explicit_port() {
        let cases = [
            ("https://api.openai.com/v1", Some(("api.openai.com", None))),
            (
                "http://localhost:11434/v1",
                Some(("localhost", Some(11434))),
            ),
            (
                "https://user:sk-secret@API.Example.com:8443/v1?key=x",
                Some(("api.example.com", Some(8443))),
            ),
            ("http://[::1]:8080/", Some(("::1", Some(8080)))),
            ("http://[::1]", Some(("::1", None))),
            ("https://host:99999/", None),
            ("https://host:abc/", None),
            ("localhost:8080", None),
            ("file:///tmp/x", None),
        ];
        for (url, expected) in cases {
            let got = server_address(url);
            let got = got.as_ref().map(|(h, p)| (h.as_str(), *p));
            assert_eq!(got, expected, "{url}");
        }
    }

    #[test]
    fn counts_never_wrap() {
        assert_eq!(saturating_i64(56), 56);
        assert_eq!(saturating_i64(u64::MAX), i64::MAX);
    }
}
