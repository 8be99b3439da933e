//! This crate on the same work: `model_request` and `model_request_stream` on a model of each
//! protocol, pointed at the local server, every stream event looked at.

use std::sync::Arc;

use futures::StreamExt as _;
use llm_runtime::http::{ApiKey, RetryPolicy};
use llm_runtime::messages::{
    ModelRequest, ModelResponsePart, ModelResponsePartDelta, ModelResponseStreamEvent,
};
use llm_runtime::models::Model;
use llm_runtime::providers::bedrock::credentials::{BedrockAuth, BedrockConfig};
use llm_runtime::providers::{bedrock, Anthropic, Cohere, GoogleGla, OpenAi, OpenAiResponsesHost};
use llm_runtime::stream::StreamedResponse;
use llm_runtime::{model_request, model_request_stream};

use super::bodies::ANSWER;
use super::measure::monotonic_ns;

/// A model of each protocol; `route` is the first segment of the server's path.
pub fn model(port: u16, route: &str) -> Arc<dyn Model> {
    let base = format!("http://127.0.0.1:{port}/{route}");
    let none = RetryPolicy::none;
    match route {
        "responses" => Arc::new(
            OpenAiResponsesHost::builder()
                .base_url(format!("{base}/v1"))
                .api_key("sk-bench")
                .retry(none())
                .build_with_env(|_| None)
                .expect("provider")
                .model("gpt-4o"),
        ),
        "anthropic" => Arc::new(
            Anthropic::builder()
                .base_url(base)
                .api_key("sk-ant-bench")
                .retry(none())
                .build()
                .expect("provider")
                .model("claude-sonnet-4-5"),
        ),
        "gemini" => Arc::new(
            GoogleGla::builder()
                .base_url(format!("{base}/v1beta"))
                .api_key("AIza-bench")
                .retry(none())
                .build()
                .expect("provider")
                .model("gemini-2.5-flash"),
        ),
        "cohere" => Arc::new(
            Cohere::builder()
                .base_url(base)
                .api_key("co-bench")
                .retry(none())
                .build()
                .expect("provider")
                .model("command-a-03-2025"),
        ),
        "bedrock" => Arc::new(
            bedrock::builder(BedrockConfig {
                auth: BedrockAuth::Bearer(ApiKey::new("bedrock-bench")),
                region: "us-east-1".into(),
                endpoint: base,
            })
            .retry(none())
            .build()
            .expect("provider")
            .model("us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
        ),
        // Chat Completions: `request`, `chat`, `latency`, `hold`, the big lines.
        _ => Arc::new(
            OpenAi::builder()
                .base_url(format!("{base}/v1"))
                .api_key("sk-bench")
                .retry(none())
                .build()
                .expect("provider")
                .model("gpt-4o"),
        ),
    }
}

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

/// One non-streamed request.
pub async fn request(model: &Arc<dyn Model>) -> usize {
    let (response, usage) = model_request(Arc::clone(model), prompt())
        .await
        .expect("response");
    assert_eq!(response.text(), ANSWER);
    assert_eq!(usage.total_tokens, 22);
    response.parts.len()
}

/// One stream read to its end, every event looked at; returns the response's text.
pub async fn stream(model: &Arc<dyn Model>) -> String {
    let mut stream = model_request_stream(Arc::clone(model), prompt())
        .await
        .expect("stream");
    let mut deltas = 0usize;
    while let Some(event) = stream.next().await {
        if let ModelResponseStreamEvent::PartDelta(delta) = event.expect("event") {
            if let ModelResponsePartDelta::Text(text) = &delta.delta {
                deltas += text.content_delta.len();
            }
        }
    }
    let text = stream.get().text();
    assert!(deltas <= text.len());
    text
}

/// The time from the server writing the first chunk to its event in hand, in ns.
pub async fn first_event(model: &Arc<dyn Model>) -> u64 {
    let mut stream = model_request_stream(Arc::clone(model), prompt())
        .await
        .expect("stream");
    let mut latency = None;
    while let Some(event) = stream.next().await {
        let text = match event.expect("event") {
            ModelResponseStreamEvent::PartStart(start) => match start.part {
                ModelResponsePart::Text(text) => Some(text.content),
                _ => None,
            },
            ModelResponseStreamEvent::PartDelta(delta) => match delta.delta {
                ModelResponsePartDelta::Text(text) => Some(text.content_delta),
                _ => None,
            },
            _ => None,
        };
        if let (None, Some(text)) = (latency, text) {
            let now = monotonic_ns();
            let sent: u64 = text
                .strip_prefix('@')
                .expect("a stamp")
                .parse()
                .expect("ns");
            latency = Some(now - sent);
        }
    }
    latency.expect("a text event")
}

/// Opens a stream (which reads it up to its first event) and keeps it open.
pub async fn hold(model: &Arc<dyn Model>) -> StreamedResponse {
    let stream = model_request_stream(Arc::clone(model), prompt())
        .await
        .expect("stream");
    assert_eq!(stream.get().text(), "held");
    stream
}
