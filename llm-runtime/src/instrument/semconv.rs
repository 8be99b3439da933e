//! The names this crate emits: OpenTelemetry's GenAI semantic conventions as pydantic-ai writes
//! them (`pydantic_ai/_instrumentation.py`, `models/instrumented.py`, `usage.py`), plus the
//! fields `tracing-opentelemetry` reads.
//!
//! Every attribute and metric name used by [`instrument`](super) is one of these constants.

// ----- fields read by tracing-opentelemetry -----

/// The OpenTelemetry span name (`chat {model}`).
pub const OTEL_NAME: &str = "otel.name";
/// The OpenTelemetry span kind (`client`).
pub const OTEL_KIND: &str = "otel.kind";
/// The OpenTelemetry span status (`ERROR` on failure).
pub const OTEL_STATUS_CODE: &str = "otel.status_code";
/// The description of an error status (only recorded when content capture is on: error
/// messages can quote the prompt).
pub const OTEL_STATUS_DESCRIPTION: &str = "otel.status_description";

// ----- request -----

/// The operation: always [`OPERATION_CHAT`].
pub const GEN_AI_OPERATION_NAME: &str = "gen_ai.operation.name";
/// The value of [`GEN_AI_OPERATION_NAME`] for every request.
pub const OPERATION_CHAT: &str = "chat";
/// The provider (`openai`, `anthropic`, `test`, …), from [`Model::system`](crate::models::Model::system).
pub const GEN_AI_PROVIDER_NAME: &str = "gen_ai.provider.name";
/// The deprecated name of [`GEN_AI_PROVIDER_NAME`], still emitted as pydantic-ai does.
pub const GEN_AI_SYSTEM: &str = "gen_ai.system";
/// The model requested.
pub const GEN_AI_REQUEST_MODEL: &str = "gen_ai.request.model";
/// The host of [`Model::base_url`](crate::models::Model::base_url).
pub const SERVER_ADDRESS: &str = "server.address";
/// The port of [`Model::base_url`](crate::models::Model::base_url), when the URL names one.
pub const SERVER_PORT: &str = "server.port";
/// `ModelSettings::max_tokens`.
pub const GEN_AI_REQUEST_MAX_TOKENS: &str = "gen_ai.request.max_tokens";
/// `ModelSettings::temperature`.
pub const GEN_AI_REQUEST_TEMPERATURE: &str = "gen_ai.request.temperature";
/// `ModelSettings::top_p`.
pub const GEN_AI_REQUEST_TOP_P: &str = "gen_ai.request.top_p";
/// `ModelSettings::top_k`.
pub const GEN_AI_REQUEST_TOP_K: &str = "gen_ai.request.top_k";
/// `ModelSettings::seed`.
pub const GEN_AI_REQUEST_SEED: &str = "gen_ai.request.seed";
/// `ModelSettings::presence_penalty`.
pub const GEN_AI_REQUEST_PRESENCE_PENALTY: &str = "gen_ai.request.presence_penalty";
/// `ModelSettings::frequency_penalty`.
pub const GEN_AI_REQUEST_FREQUENCY_PENALTY: &str = "gen_ai.request.frequency_penalty";
/// `ModelSettings::stop_sequences`, a string array (with the `otel` feature only).
pub const GEN_AI_REQUEST_STOP_SEQUENCES: &str = "gen_ai.request.stop_sequences";

// ----- response -----

/// The model that answered (the requested one when the provider does not say).
pub const GEN_AI_RESPONSE_MODEL: &str = "gen_ai.response.model";
/// The provider's id of the response.
pub const GEN_AI_RESPONSE_ID: &str = "gen_ai.response.id";
/// Why the model stopped: a string array with the `otel` feature, else its JSON text.
pub const GEN_AI_RESPONSE_FINISH_REASONS: &str = "gen_ai.response.finish_reasons";
/// Input tokens (omitted when zero, as pydantic-ai does).
pub const GEN_AI_USAGE_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
/// Output tokens (omitted when zero).
pub const GEN_AI_USAGE_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
/// Input tokens written to the provider's cache.
pub const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: &str =
    "gen_ai.usage.cache_creation.input_tokens";
/// Input tokens read from the provider's cache.
pub const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: &str = "gen_ai.usage.cache_read.input_tokens";
/// The prefix of provider-specific usage counts (`gen_ai.usage.details.reasoning_tokens`, …).
pub const GEN_AI_USAGE_DETAILS_PREFIX: &str = "gen_ai.usage.details.";
/// Reasoning tokens, the usage detail every reasoning provider reports.
pub const GEN_AI_USAGE_DETAILS_REASONING_TOKENS: &str = "gen_ai.usage.details.reasoning_tokens";
/// Seconds from issuing a streamed request to its first event reaching the consumer; also the
/// name of the histogram of the same.
pub const GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK: &str =
    "gen_ai.client.operation.time_to_first_chunk";
/// The cost of the request in USD, when it is priced ([`crate::cost`]); also the histogram's name.
pub const OPERATION_COST: &str = "operation.cost";
/// The type of the error the request failed with ([`Error::type_name`](crate::Error::type_name)).
pub const ERROR_TYPE: &str = "error.type";

// ----- content (only with content capture on) -----

/// The messages sent, as OpenTelemetry GenAI JSON (`[{"role": "user", "parts": [...]}]`).
/// With content capture off, only roles, part types and tool call ids and names remain.
pub const GEN_AI_INPUT_MESSAGES: &str = "gen_ai.input.messages";
/// The answer, as OpenTelemetry GenAI JSON (`[{"role": "assistant", "parts": [...],
/// "finish_reason": "stop"}]`). With content capture off, only its structure remains.
pub const GEN_AI_OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
/// The instructions, as `[{"type": "text", "content": "..."}]`.
pub const GEN_AI_SYSTEM_INSTRUCTIONS: &str = "gen_ai.system_instructions";
/// The tools offered, as `[{"type": "function", "name": .., "description": .., "parameters": ..}]`.
pub const GEN_AI_TOOL_DEFINITIONS: &str = "gen_ai.tool.definitions";
/// Tells Logfire which attributes hold JSON (with the `otel` feature only).
pub const LOGFIRE_JSON_SCHEMA: &str = "logfire.json_schema";

// ----- metrics -----

/// Histogram of input and output tokens per request, by [`GEN_AI_TOKEN_TYPE`].
pub const GEN_AI_CLIENT_TOKEN_USAGE: &str = "gen_ai.client.token.usage";
/// Histogram of request durations in seconds (until the end of the stream for streams).
pub const GEN_AI_CLIENT_OPERATION_DURATION: &str = "gen_ai.client.operation.duration";
/// The token type of a [`GEN_AI_CLIENT_TOKEN_USAGE`] point: [`TOKEN_TYPE_INPUT`] or [`TOKEN_TYPE_OUTPUT`].
pub const GEN_AI_TOKEN_TYPE: &str = "gen_ai.token.type";
/// Input tokens.
pub const TOKEN_TYPE_INPUT: &str = "input";
/// Output tokens.
pub const TOKEN_TYPE_OUTPUT: &str = "output";

/// Bucket boundaries of [`GEN_AI_CLIENT_TOKEN_USAGE`], as the GenAI metrics spec advises.
pub const TOKEN_USAGE_BOUNDARIES: [f64; 14] = [
    1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0,
    16777216.0, 67108864.0,
];

/// Bucket boundaries in seconds of [`GEN_AI_CLIENT_OPERATION_DURATION`] and
/// [`GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK`], as the GenAI metrics spec advises.
pub const DURATION_BOUNDARIES: [f64; 14] = [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
