//! The peers on the same work, each through its normal public API, pointed at the local server:
//! async-openai's `chat().create` / `create_stream`, genai's `exec_chat` / `exec_chat_stream`
//! (a service-target resolver sets the endpoint), rig-core's `Model::call` / `Model::stream`.
//! Every request is built anew each time; every stream is read to its end and every text delta
//! appended, like the floor and this crate do.

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequest,
    CreateChatCompletionRequestArgs,
};
use futures::StreamExt as _;
use genai::adapter::AdapterKind;
use genai::chat::{ChatMessage, ChatRequest, ChatStreamEvent};
use genai::resolver::{AuthData, Endpoint, ServiceTargetResolver};
use genai::{ModelIden, ServiceTarget};
use rig_core::completion::message::AssistantContent;
use rig_core::providers::anthropic::{AnthropicConfig, Messages};
use rig_core::providers::openai::wire::Chat;
use rig_core::providers::openai::OpenAIConfig as RigOpenAiConfig;
use rig_core::streaming::{Item, StreamEvent};

use super::bodies::ANSWER;

const PROMPT: &str = "What is the capital of France?";

/// A peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Peer {
    AsyncOpenAi,
    Genai,
    Rig,
}

impl Peer {
    pub const ALL: [Peer; 3] = [Peer::AsyncOpenAi, Peer::Genai, Peer::Rig];

    /// The crate and version, as the table names it.
    pub fn name(self) -> &'static str {
        match self {
            Peer::AsyncOpenAi => "async-openai 0.43.0",
            Peer::Genai => "genai 0.7.2",
            Peer::Rig => "rig-core 0.44.0",
        }
    }

    /// Whether the peer speaks the protocol of `route` (async-openai speaks OpenAI's only).
    pub fn speaks(self, route: &str) -> bool {
        route != "anthropic" || self != Peer::AsyncOpenAi
    }
}

/// One peer's client of one route of the server (the first segment of the path picks the
/// answer, so each route has its own base URL).
pub enum Client {
    AsyncOpenAi(async_openai::Client<OpenAIConfig>),
    /// The client and the model name it is given.
    Genai(genai::Client, &'static str),
    RigChat(Box<rig_core::Model<Chat>>),
    RigAnthropic(Box<rig_core::Model<Messages>>),
}

/// `peer`'s client of `route` on a server at `port`.
pub fn client(peer: Peer, port: u16, route: &str) -> Client {
    let base = format!("http://127.0.0.1:{port}/{route}");
    let anthropic = route == "anthropic";
    match peer {
        Peer::AsyncOpenAi => Client::AsyncOpenAi(async_openai::Client::with_config(
            OpenAIConfig::new()
                .with_api_base(format!("{base}/v1"))
                .with_api_key("sk-bench"),
        )),
        Peer::Genai if anthropic => Client::Genai(
            genai_client(
                format!("{base}/v1/"),
                AdapterKind::Anthropic,
                "sk-ant-bench",
            ),
            "claude-sonnet-4-5",
        ),
        Peer::Genai => Client::Genai(
            genai_client(format!("{base}/v1/"), AdapterKind::OpenAI, "sk-bench"),
            "gpt-4o",
        ),
        Peer::Rig if anthropic => Client::RigAnthropic(Box::new(
            AnthropicConfig::new("sk-ant-bench")
                .with_base_url(base)
                .client()
                .completion("claude-sonnet-4-5"),
        )),
        Peer::Rig => Client::RigChat(Box::new(
            RigOpenAiConfig::new("sk-bench")
                .with_base_url(format!("{base}/v1"))
                .client()
                .chat("gpt-4o"),
        )),
    }
}

/// A genai client whose every model goes to `endpoint` through `adapter`.
fn genai_client(endpoint: String, adapter: AdapterKind, key: &'static str) -> genai::Client {
    let resolver = ServiceTargetResolver::from_resolver_fn(
        move |target: ServiceTarget| -> Result<ServiceTarget, genai::resolver::Error> {
            Ok(ServiceTarget {
                endpoint: Endpoint::from_owned(endpoint.clone()),
                auth: AuthData::from_single(key),
                model: ModelIden::new(adapter, target.model.model_name),
            })
        },
    );
    genai::Client::builder()
        .with_service_target_resolver(resolver)
        .build()
        .expect("a genai client")
}

fn async_openai_request() -> CreateChatCompletionRequest {
    CreateChatCompletionRequestArgs::default()
        .model("gpt-4o")
        .messages([ChatCompletionRequestUserMessageArgs::default()
            .content(PROMPT)
            .build()
            .expect("a message")
            .into()])
        .build()
        .expect("a request")
}

fn genai_request() -> ChatRequest {
    ChatRequest::new(vec![ChatMessage::user(PROMPT)])
}

/// One non-streamed Chat request: the answer's text checked, its length returned.
pub async fn request(client: &Client) -> usize {
    let text = match client {
        Client::AsyncOpenAi(client) => {
            let response = client
                .chat()
                .create(async_openai_request())
                .await
                .expect("an async-openai response");
            let usage = response.usage.expect("usage");
            assert_eq!(usage.prompt_tokens + usage.completion_tokens, 22);
            let choice = response.choices.into_iter().next().expect("a choice");
            assert!(choice.finish_reason.is_some());
            choice.message.content.expect("text")
        }
        Client::Genai(client, model) => {
            let response = client
                .exec_chat(*model, genai_request(), None)
                .await
                .expect("a genai response");
            assert_eq!(response.usage.total_tokens, Some(22));
            response.first_text().expect("text").to_owned()
        }
        Client::RigChat(model) => {
            let response = model.call(PROMPT).await.expect("a rig response");
            assert_eq!(
                response.usage.input_tokens.unwrap_or(0)
                    + response.usage.output_tokens.unwrap_or(0),
                22
            );
            response
                .choice
                .into_iter()
                .find_map(|content| match content {
                    AssistantContent::Text(text) => Some(text.text),
                    _ => None,
                })
                .expect("text")
        }
        Client::RigAnthropic(_) => panic!("the request case is Chat's"),
    };
    assert_eq!(text, ANSWER);
    text.len()
}

/// One stream read to its end: the text of its deltas.
pub async fn stream(client: &Client) -> String {
    let mut text = String::new();
    match client {
        Client::AsyncOpenAi(client) => {
            let mut stream = client
                .chat()
                .create_stream(async_openai_request())
                .await
                .expect("an async-openai stream");
            while let Some(chunk) = stream.next().await {
                for choice in chunk.expect("a chunk").choices {
                    if let Some(delta) = choice.delta.content {
                        text.push_str(&delta);
                    }
                }
            }
        }
        Client::Genai(client, model) => {
            let response = client
                .exec_chat_stream(*model, genai_request(), None)
                .await
                .expect("a genai stream");
            let mut stream = response.stream;
            while let Some(event) = stream.next().await {
                if let ChatStreamEvent::Chunk(chunk) = event.expect("an event") {
                    text.push_str(&chunk.content);
                }
            }
        }
        Client::RigChat(model) => rig_text(model.stream(PROMPT), &mut text).await,
        Client::RigAnthropic(model) => rig_text(model.stream(PROMPT), &mut text).await,
    }
    text
}

async fn rig_text(
    stream: Result<rig_core::streaming::CompletionStream, rig_core::ProviderError>,
    text: &mut String,
) {
    let mut stream = stream.expect("a rig stream");
    while let Some(item) = stream.next().await {
        if let Item::Event(StreamEvent::Text { text: delta, .. }) = item.expect("an item") {
            text.push_str(&delta);
        }
    }
}
