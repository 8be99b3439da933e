//! `Usage.cost` over real HTTP (a 127.0.0.1 server answering as OpenAI and Anthropic do): a
//! whole answer is priced when it is parsed, a stream when it ends (not before), both the same
//! as [`llm_runtime::cost::response_cost`] prices the response, and an unknown model has none.
//! That this price is genai-prices' own is `cost_conformance.rs`'s business.

mod support;

use futures::StreamExt;
use llm_runtime::cost::response_cost;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::{ModelRequest, ModelResponse};
use llm_runtime::providers::openai::chat::OpenAiChat;
use llm_runtime::providers::{Anthropic, OpenAi, ProviderModel};
use llm_runtime::usage::Usage;
use llm_runtime::{model_request, model_request_stream};
use serde_json::json;
use support::server::{End, Reply, TestServer};

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

fn openai(server: &TestServer, model: &str) -> ProviderModel<OpenAiChat> {
    OpenAi::builder()
        .base_url(server.url("/v1"))
        .api_key("test")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .model(model)
}

/// A Chat Completions answer of `model` with cached prompt tokens.
fn completion(model: &str) -> serde_json::Value {
    json!({
        "id": "chatcmpl-cost", "object": "chat.completion", "created": 1_767_225_600,
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "Paris"}}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 3, "total_tokens": 1203,
                  "prompt_tokens_details": {"cached_tokens": 1024}}
    })
}

/// The same answer streamed, its usage in the last chunk.
fn streamed(model: &str) -> Reply {
    let chunk = |body: serde_json::Value| format!("data: {body}\n\n");
    let base = json!({"id": "chatcmpl-cost", "object": "chat.completion.chunk",
                      "created": 1_767_225_600, "model": model});
    let with = |extra: serde_json::Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        chunk(body)
    };
    Reply::sse(
        [
            with(
                json!({"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Pa"}}]}),
            ),
            with(json!({"choices": [{"index": 0, "delta": {"content": "ris"}}]})),
            with(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})),
            with(json!({"choices": [], "usage": completion(model)["usage"]})),
            "data: [DONE]\n\n".to_owned(),
        ],
        End::Complete,
    )
}

/// The response's cost as `response_cost` gives it for the same response without a cost.
fn repriced(response: &ModelResponse) -> Option<f64> {
    let mut unpriced = response.clone();
    unpriced.usage.cost = None;
    response_cost(&unpriced)
}

#[tokio::test]
async fn a_whole_answer_is_priced_when_parsed() {
    let server = TestServer::always(Reply::json(200, &completion("gpt-4o-2024-08-06"))).await;
    let (response, usage) = model_request(openai(&server, "gpt-4o"), prompt())
        .await
        .unwrap();
    let cost = response.usage.cost.expect("gpt-4o is priced");
    assert!(cost > 0.0);
    assert_eq!(Some(cost), repriced(&response));
    assert_eq!(usage.cost, Some(cost));
    // The cached tokens are priced at the cache rate: dearer without them.
    let mut uncached = response.clone();
    uncached.usage.cache_read_tokens = 0;
    uncached.usage.cost = None;
    assert!(response_cost(&uncached).is_some_and(|dearer| dearer > cost));
}

#[tokio::test]
async fn a_stream_is_priced_when_it_ends_as_its_whole_answer_is() {
    let model = "gpt-4o-2024-08-06";
    let whole = TestServer::always(Reply::json(200, &completion(model))).await;
    let (answer, _) = model_request(openai(&whole, "gpt-4o"), prompt())
        .await
        .unwrap();

    let server = TestServer::always(streamed(model)).await;
    let mut stream = model_request_stream(openai(&server, "gpt-4o"), prompt())
        .await
        .unwrap();
    let mut costs_before_the_end = Vec::new();
    while let Some(event) = stream.next().await {
        event.unwrap();
        costs_before_the_end.push(stream.usage().cost);
    }
    assert!(stream.is_finished());
    // Not priced per chunk: the last events come out of the final chunk, which sets it.
    assert_eq!(costs_before_the_end.first(), Some(&None));
    let response = stream.get();
    assert_eq!(stream.usage().cost, response.usage.cost);
    assert!(response.usage.cost.is_some());
    assert_eq!(response.usage.cost, repriced(&response));
    // The response's timestamp is the stream's start, the whole answer's is `created`: both
    // within the same prices.
    assert_eq!(response.usage.cost, answer.usage.cost);
}

#[tokio::test]
async fn an_unknown_model_has_no_cost_whole_or_streamed() {
    let model = "acme-large-9";
    let server = TestServer::always(Reply::json(200, &completion(model))).await;
    let (response, usage) = model_request(openai(&server, model), prompt())
        .await
        .unwrap();
    assert_eq!((response.usage.cost, usage.cost), (None, None));

    let server = TestServer::always(streamed(model)).await;
    let mut stream = model_request_stream(openai(&server, model), prompt())
        .await
        .unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert!(stream.is_finished());
    assert_eq!(stream.get().usage.cost, None);
}

#[tokio::test]
async fn anthropic_cache_writes_and_reads_are_priced() {
    let server = TestServer::always(Reply::json(
        200,
        &json!({
            "id": "msg_cost", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "text", "text": "Paris"}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 20, "cache_creation_input_tokens": 3000,
                      "cache_read_input_tokens": 5000, "output_tokens": 4}
        }),
    ))
    .await;
    let model = Anthropic::builder()
        .base_url(server.url(""))
        .api_key("test")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .model("claude-sonnet-4-5");
    let (response, _) = model_request(model, prompt()).await.unwrap();
    let usage = &response.usage;
    assert_eq!(
        (
            usage.request_tokens,
            usage.cache_write_tokens,
            usage.cache_read_tokens
        ),
        (8020, 3000, 5000)
    );
    let cost = usage.cost.expect("claude-sonnet-4-5 is priced");
    assert_eq!(Some(cost), repriced(&response));
    // All 8020 input tokens at the plain input rate would cost something else.
    let plain = ModelResponse {
        usage: Usage {
            cost: None,
            ..Usage::new(8020, 4)
        },
        ..response.clone()
    };
    let plain = response_cost(&plain).unwrap();
    assert!((plain - cost).abs() > 1e-9, "{plain} == {cost}");
}
