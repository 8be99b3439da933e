//! Every landed wire protocol, as the reliability tests (fault matrix, mid-stream errors, load)
//! see it: a model of each pointed at a local server, the same short answer ("Paris", in two
//! deltas) whole and streamed in the protocol's own format, and the error event each reports
//! in a stream.

use std::sync::Arc;
use std::time::Duration;

use llm_runtime::http::eventstream::{encode_message, HeaderValue as FrameHeader};
use llm_runtime::http::RetryPolicy;
use llm_runtime::models::Model;
use llm_runtime::providers::bedrock::credentials::{AwsCredentials, BedrockAuth, BedrockConfig};
use llm_runtime::providers::vertex::{self, Credentials};
use llm_runtime::providers::{
    bedrock, Anthropic, Cohere, GoogleGla, OpenAi, OpenAiResponsesHost, ProviderBuilder,
};
use serde_json::{json, Value};

use super::server::{Body, End, Reply, TestServer};

/// The key every protocol is given; it must appear in no error, `Debug` or log.
pub const SECRET: &str = "sk-RELIABILITY-SECRET-7731";

/// A wire protocol that has landed, with the provider it is tested through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Chat,
    Responses,
    Anthropic,
    Gemini,
    Bedrock,
    Cohere,
    Vertex,
}

/// How the models of a test are configured.
#[derive(Debug, Clone)]
pub struct Limits {
    pub retry: RetryPolicy,
    pub timeout: Duration,
    pub max_body_size: usize,
    pub max_stream_size: usize,
    pub stream_deadline: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            retry: fast_retry(),
            timeout: Duration::from_secs(10),
            max_body_size: 64 * 1024 * 1024,
            max_stream_size: 256 * 1024 * 1024,
            stream_deadline: None,
        }
    }
}

/// Retries (twice) without waiting.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

fn limited<P>(builder: ProviderBuilder<P>, limits: &Limits) -> ProviderBuilder<P> {
    let builder = builder
        .retry(limits.retry.clone())
        .timeout(limits.timeout)
        .max_body_size(limits.max_body_size)
        .max_stream_size(limits.max_stream_size);
    match limits.stream_deadline {
        Some(deadline) => builder.stream_deadline(deadline),
        None => builder,
    }
}

/// A server handing out OAuth2 tokens, for Vertex AI's metadata-server credentials.
pub async fn token_server() -> TestServer {
    TestServer::always(Reply::json(
        200,
        &json!({"access_token": "ya29.RELIABILITY-TOKEN", "expires_in": 3599,
                "token_type": "Bearer"}),
    ))
    .await
}

impl Proto {
    pub const ALL: [Proto; 7] = [
        Proto::Chat,
        Proto::Responses,
        Proto::Anthropic,
        Proto::Gemini,
        Proto::Bedrock,
        Proto::Cohere,
        Proto::Vertex,
    ];

    /// The name of its column in the README table.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Chat => "chat",
            Proto::Responses => "responses",
            Proto::Anthropic => "anthropic",
            Proto::Gemini => "gemini",
            Proto::Bedrock => "bedrock",
            Proto::Cohere => "cohere",
            Proto::Vertex => "vertex",
        }
    }

    /// A model of this protocol sending to `server` (and, for Vertex, taking its tokens from
    /// `tokens`).
    pub fn model(
        self,
        server: &TestServer,
        tokens: &TestServer,
        limits: &Limits,
    ) -> Arc<dyn Model> {
        self.model_at(&server.url(""), tokens, limits)
    }

    /// A model of this protocol sending to `base` (a URL where nothing may listen).
    pub fn model_at(self, base: &str, tokens: &TestServer, limits: &Limits) -> Arc<dyn Model> {
        let base = base.to_owned();
        match self {
            Proto::Chat => Arc::new(
                limited(OpenAi::builder().base_url(base).api_key(SECRET), limits)
                    .build()
                    .expect("provider")
                    .model("gpt-4o"),
            ),
            Proto::Responses => Arc::new(
                limited(
                    OpenAiResponsesHost::builder()
                        .base_url(&base)
                        .api_key(SECRET),
                    limits,
                )
                .build()
                .expect("provider")
                .model("gpt-5"),
            ),
            Proto::Anthropic => Arc::new(
                limited(Anthropic::builder().base_url(base).api_key(SECRET), limits)
                    .build()
                    .expect("provider")
                    .model("claude-3-5-haiku-latest"),
            ),
            Proto::Gemini => Arc::new(
                limited(GoogleGla::builder().base_url(base).api_key(SECRET), limits)
                    .build()
                    .expect("provider")
                    .model("gemini-2.5-flash"),
            ),
            Proto::Cohere => Arc::new(
                limited(Cohere::builder().base_url(base).api_key(SECRET), limits)
                    .build()
                    .expect("provider")
                    .model("command-r"),
            ),
            Proto::Bedrock => {
                let config = BedrockConfig {
                    auth: BedrockAuth::SigV4(AwsCredentials::new("AKIARELIABILITY", SECRET, None)),
                    region: "us-east-1".into(),
                    endpoint: base.trim_end_matches('/').to_owned(),
                };
                Arc::new(
                    limited(bedrock::builder(config), limits)
                        .build()
                        .expect("provider")
                        .model("us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
                )
            }
            Proto::Vertex => {
                let host = tokens.url("").trim_start_matches("http://").to_owned();
                let credentials = Credentials::metadata_server(host).expect("credentials");
                let mut config = vertex::VertexConfig::new(credentials, "proj", "us-central1");
                config.base_url = Some(base);
                Arc::new(
                    limited(vertex::gemini_builder(config), limits)
                        .build()
                        .expect("provider")
                        .model("gemini-2.5-flash"),
                )
            }
        }
    }

    /// The whole (non-streamed) answer "Paris".
    pub fn whole(self) -> Value {
        match self {
            Proto::Chat => json!({
                "id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris"},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}}),
            Proto::Responses => json!({
                "id": "resp_1", "object": "response", "created_at": 1, "status": "completed",
                "model": "gpt-5",
                "output": [{"type": "message", "id": "msg_1", "status": "completed",
                            "role": "assistant",
                            "content": [{"type": "output_text", "text": "Paris",
                                         "annotations": []}]}],
                "usage": {"input_tokens": 9, "output_tokens": 1, "total_tokens": 10}}),
            Proto::Anthropic => json!({
                "id": "msg_1", "type": "message", "role": "assistant",
                "model": "claude-3-5-haiku-20241022",
                "content": [{"type": "text", "text": "Paris"}],
                "stop_reason": "end_turn", "stop_sequence": null,
                "usage": {"input_tokens": 9, "output_tokens": 1}}),
            Proto::Gemini | Proto::Vertex => json!({
                "candidates": [{"content": {"role": "model", "parts": [{"text": "Paris"}]},
                                "finishReason": "STOP"}],
                "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 1,
                                  "totalTokenCount": 10},
                "modelVersion": "gemini-2.5-flash", "responseId": "r1"}),
            Proto::Bedrock => json!({
                "output": {"message": {"role": "assistant", "content": [{"text": "Paris"}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 9, "outputTokens": 1, "totalTokens": 10},
                "metrics": {"latencyMs": 1}}),
            Proto::Cohere => json!({
                "id": "r1", "finish_reason": "COMPLETE",
                "message": {"role": "assistant",
                            "content": [{"type": "text", "text": "Paris"}]},
                "usage": {"billed_units": {"input_tokens": 9, "output_tokens": 1},
                          "tokens": {"input_tokens": 9, "output_tokens": 1}}}),
        }
    }

    /// The answer "Paris" as this protocol streams it (`"Par"`, then `"is"`): one frame a
    /// piece, the terminator (or the last event, for protocols without one) last.
    pub fn stream_frames(self) -> Vec<Vec<u8>> {
        self.stream_frames_with(&["Par", "is"])
    }

    /// A streamed answer made of `deltas`, one frame a piece.
    pub fn stream_frames_with(self, deltas: &[&str]) -> Vec<Vec<u8>> {
        let sse =
            |name: &str, data: &Value| format!("event: {name}\ndata: {data}\n\n").into_bytes();
        let data = |data: &Value| format!("data: {data}\n\n").into_bytes();
        let mut out = Vec::new();
        match self {
            Proto::Chat => {
                for delta in deltas {
                    out.push(data(&json!({"id": "c1", "object": "chat.completion.chunk",
                        "created": 1, "model": "gpt-4o",
                        "choices": [{"index": 0, "delta": {"content": delta},
                                     "finish_reason": null}]})));
                }
                out.push(data(&json!({"id": "c1", "object": "chat.completion.chunk",
                    "created": 1, "model": "gpt-4o",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}})));
                out.push(b"data: [DONE]\n\n".to_vec());
            }
            Proto::Responses => {
                let text: String = deltas.concat();
                let mut whole = Proto::Responses.whole();
                whole["output"][0]["content"][0]["text"] = json!(text);
                let mut created = whole.clone();
                created["status"] = json!("in_progress");
                created["output"] = json!([]);
                created["usage"] = Value::Null;
                let mut events = vec![
                    ("response.created", json!({"response": created})),
                    (
                        "response.output_item.added",
                        json!({"output_index": 0, "item": {
                        "type": "message", "id": "msg_1", "status": "in_progress",
                        "role": "assistant", "content": []}}),
                    ),
                ];
                for delta in deltas {
                    events.push((
                        "response.output_text.delta",
                        json!({"item_id": "msg_1",
                        "output_index": 0, "content_index": 0, "delta": delta}),
                    ));
                }
                events.push((
                    "response.output_item.done",
                    json!({"output_index": 0, "item": whole["output"][0].clone()}),
                ));
                events.push(("response.completed", json!({"response": whole})));
                for (n, (name, mut event)) in events.into_iter().enumerate() {
                    event["type"] = json!(name);
                    event["sequence_number"] = json!(n);
                    out.push(sse(name, &event));
                }
            }
            Proto::Anthropic => {
                out.push(sse(
                    "message_start",
                    &json!({"type": "message_start", "message": {
                    "id": "msg_1", "type": "message", "role": "assistant", "content": [],
                    "model": "claude-3-5-haiku-20241022", "stop_reason": null,
                    "stop_sequence": null, "usage": {"input_tokens": 9, "output_tokens": 1}}}),
                ));
                out.push(sse(
                    "content_block_start",
                    &json!({"type": "content_block_start",
                    "index": 0, "content_block": {"type": "text", "text": ""}}),
                ));
                for delta in deltas {
                    out.push(sse(
                        "content_block_delta",
                        &json!({"type": "content_block_delta",
                        "index": 0, "delta": {"type": "text_delta", "text": delta}}),
                    ));
                }
                out.push(sse(
                    "content_block_stop",
                    &json!({"type": "content_block_stop", "index": 0}),
                ));
                out.push(sse(
                    "message_delta",
                    &json!({"type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                    "usage": {"output_tokens": 1}}),
                ));
                out.push(sse("message_stop", &json!({"type": "message_stop"})));
            }
            Proto::Gemini | Proto::Vertex => {
                let last = deltas.len().saturating_sub(1);
                for (i, delta) in deltas.iter().enumerate() {
                    let mut chunk = json!({"candidates": [{"content": {"role": "model",
                        "parts": [{"text": delta}]}}],
                        "modelVersion": "gemini-2.5-flash", "responseId": "r1"});
                    if i == last {
                        chunk["candidates"][0]["finishReason"] = json!("STOP");
                        chunk["usageMetadata"] = json!({"promptTokenCount": 9,
                            "candidatesTokenCount": 1, "totalTokenCount": 10});
                    }
                    out.push(data(&chunk));
                }
            }
            Proto::Bedrock => {
                let frame = |name: &str, payload: Value| {
                    encode_message(
                        &[
                            (":event-type", FrameHeader::String(name)),
                            (":content-type", FrameHeader::String("application/json")),
                            (":message-type", FrameHeader::String("event")),
                        ],
                        payload.to_string().as_bytes(),
                    )
                };
                out.push(frame("messageStart", json!({"role": "assistant"})));
                for delta in deltas {
                    out.push(frame(
                        "contentBlockDelta",
                        json!({"contentBlockIndex": 0, "delta": {"text": delta}}),
                    ));
                }
                out.push(frame("contentBlockStop", json!({"contentBlockIndex": 0})));
                out.push(frame("messageStop", json!({"stopReason": "end_turn"})));
                out.push(frame(
                    "metadata",
                    json!({"usage": {"inputTokens": 9,
                    "outputTokens": 1, "totalTokens": 10}, "metrics": {"latencyMs": 1}}),
                ));
            }
            Proto::Cohere => {
                let ev = |value: Value| {
                    let name = value["type"].as_str().unwrap_or_default().to_owned();
                    sse(&name, &value)
                };
                out.push(ev(json!({"type": "message-start", "id": "r1",
                    "delta": {"message": {"role": "assistant"}}})));
                out.push(ev(json!({"type": "content-start", "index": 0,
                    "delta": {"message": {"content": {"type": "text", "text": ""}}}})));
                for delta in deltas {
                    out.push(ev(json!({"type": "content-delta", "index": 0,
                        "delta": {"message": {"content": {"text": delta}}}})));
                }
                out.push(ev(json!({"type": "content-end", "index": 0})));
                out.push(ev(json!({"type": "message-end", "delta": {
                    "finish_reason": "COMPLETE",
                    "usage": {"billed_units": {"input_tokens": 9, "output_tokens": 1},
                              "tokens": {"input_tokens": 9, "output_tokens": 1}}}})));
            }
        }
        out
    }

    /// The index in [`stream_frames`](Self::stream_frames) of the first delta ("Par"): the
    /// first frame that gives the caller an event.
    pub fn first_delta(self) -> usize {
        match self {
            Proto::Chat | Proto::Gemini | Proto::Vertex => 0,
            Proto::Bedrock => 1,
            Proto::Anthropic | Proto::Responses | Proto::Cohere => 2,
        }
    }

    /// The index in [`stream_frames`](Self::stream_frames) of the frame that says the answer
    /// is whole: the protocol's terminator, or Gemini's last chunk (with its finish reason).
    pub fn terminator(self) -> usize {
        let last = self.stream_frames().len() - 1;
        match self {
            // `messageStop`; the `metadata` with the usage follows it.
            Proto::Bedrock => last - 1,
            _ => last,
        }
    }

    /// The frames of [`stream_frames`](Self::stream_frames) with a byte that is not UTF-8 in
    /// the text of the first delta (a Bedrock frame re-encoded around it, its CRCs valid).
    pub fn invalid_utf8_frames(self) -> Vec<Vec<u8>> {
        let mut frames = self.stream_frames();
        let first = self.first_delta();
        if self == Proto::Bedrock {
            let payload = b"{\"contentBlockIndex\":0,\"delta\":{\"text\":\"P\xFFr\"}}";
            frames[first] = encode_message(
                &[
                    (":event-type", FrameHeader::String("contentBlockDelta")),
                    (":content-type", FrameHeader::String("application/json")),
                    (":message-type", FrameHeader::String("event")),
                ],
                payload,
            );
        } else {
            let frame = &frames[first];
            let at = frame
                .windows(3)
                .position(|w| w == b"Par")
                .expect("the first delta holds `Par`");
            frames[first][at + 1] = 0xFF;
        }
        frames
    }

    /// The error this protocol reports inside a stream when the provider is overloaded, as
    /// one frame; `None` when its streams have no such event.
    pub fn overloaded_event(self) -> Option<Vec<u8>> {
        let sse =
            |name: &str, data: &Value| format!("event: {name}\ndata: {data}\n\n").into_bytes();
        Some(match self {
            Proto::Chat => format!(
                "data: {}\n\n",
                json!({"error": {"message": "overloaded", "code": 503}})
            )
            .into_bytes(),
            Proto::Responses => sse(
                "response.failed",
                &json!({"type": "response.failed",
                "sequence_number": 9, "response": {"id": "resp_1", "status": "failed",
                "error": {"code": "server_error", "message": "overloaded"}}}),
            ),
            Proto::Anthropic => sse(
                "error",
                &json!({"type": "error",
                "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            ),
            Proto::Gemini | Proto::Vertex => format!(
                "data: {}\n\n",
                json!({"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}})
            )
            .into_bytes(),
            Proto::Bedrock => encode_message(
                &[
                    (
                        ":exception-type",
                        FrameHeader::String("serviceUnavailableException"),
                    ),
                    (":content-type", FrameHeader::String("application/json")),
                    (":message-type", FrameHeader::String("exception")),
                ],
                json!({"message": "overloaded"}).to_string().as_bytes(),
            ),
            Proto::Cohere => return None,
        })
    }

    /// The media type of its streams.
    pub fn stream_type(self) -> &'static str {
        match self {
            Proto::Bedrock => "application/vnd.amazon.eventstream",
            _ => "text/event-stream",
        }
    }

    /// A streamed reply of `frames`, each its own chunk, ending as `end` says.
    pub fn stream_reply(self, frames: Vec<Vec<u8>>, end: End) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), self.stream_type().into())],
            delay: Duration::ZERO,
            body: Body::Chunked {
                pieces: frames.into_iter().map(|f| (Duration::ZERO, f)).collect(),
                end,
            },
        }
    }

    /// The whole answer as a 200 reply.
    pub fn whole_reply(self) -> Reply {
        Reply::json(200, &self.whole())
    }
}
