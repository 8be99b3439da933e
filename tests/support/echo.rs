//! A small JSON protocol for testing the HTTP machinery without a real provider's wire
//! format, and a provider declared with `#[provider]` in this (user) crate.
//!
//! Request: `{"model", "stream", "prompt", "temperature"}` to `<base>/echo/<model>`.
//! Response: `{"text", "model"?, "input_tokens", "output_tokens"}`.
//! Stream: `data: {"text": ".."}` events (any event name but `usage` and `error`), an
//! `event: usage` with the token counts, `event: error` for a provider error, and
//! `data: [DONE]` to end.

use llm_runtime::http::reqwest::header::HeaderMap;
use llm_runtime::messages::{
    ModelMessage, ModelRequestPart, ModelResponse, ModelResponsePart, TextPart, UserContent,
};
use llm_runtime::provider;
use llm_runtime::providers::{Flow, Framing, PreparedRequest, Protocol, RawEvent, ResponseContext};
use llm_runtime::stream::PartsManager;
use llm_runtime::usage::Usage;
use llm_runtime::warning::Warnings;
use llm_runtime::{Error, Result};
use serde::Deserialize;
use serde_json::json;

/// The echo protocol: pure translation, no I/O.
#[derive(Debug, Default, Clone)]
pub struct Echo {
    /// Whether the stream ends without `[DONE]` (as Gemini's does).
    pub no_terminator: bool,
    /// How the stream is framed (SSE by default).
    pub framing: Framing,
    /// The status of the [`Error::Http`] an exception frame stands for; without it, the
    /// default [`Protocol::on_exception`] (an `UnexpectedModelBehavior`).
    pub exception_status: Option<u16>,
}

/// The header whose value [`Echo`] puts before an error status's body (`<value>: <body>`).
pub const ERROR_TYPE_HEADER: &str = "x-echo-error-type";

impl Echo {
    /// The echo protocol with a stream that has no terminator.
    pub fn without_terminator() -> Self {
        Echo {
            no_terminator: true,
            ..Echo::default()
        }
    }

    /// The echo protocol with streams framed as `framing`.
    pub fn framed(framing: Framing) -> Self {
        Echo {
            framing,
            ..Echo::default()
        }
    }
}

/// What the stream remembers: how many events it saw.
#[derive(Debug, Default)]
pub struct EchoState {
    pub events: usize,
}

#[derive(Deserialize)]
struct Reply {
    text: String,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
}

#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(borrow)]
    text: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
struct UsageEvent {
    input_tokens: u64,
    output_tokens: u64,
}

/// The text of the last user prompt.
fn last_prompt(messages: &[ModelMessage]) -> String {
    messages
        .iter()
        .rev()
        .find_map(|message| match message {
            ModelMessage::Request(request) => request.parts.iter().find_map(|part| match part {
                ModelRequestPart::UserPrompt(prompt) => match &prompt.content {
                    UserContent::Text(text) => Some(text.clone()),
                    _ => None,
                },
                _ => None,
            }),
            ModelMessage::Response(_) => None,
        })
        .unwrap_or_default()
}

impl Protocol for Echo {
    type StreamState = EchoState;
    type Event<'a> = RawEvent<'a>;
    const EVENT_DESCRIPTION: &'static str = "echo event";

    fn framing(&self) -> Framing {
        self.framing
    }

    fn endpoint(&self, model_name: &str, _stream: bool) -> String {
        format!("echo/{model_name}")
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        stream: bool,
        _warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        let body = json!({
            "model": request.model_name,
            "stream": stream,
            "prompt": last_prompt(request.messages),
            "temperature": request.settings.temperature,
        });
        serde_json::to_vec(&body).map_err(|e| Error::user(e.to_string()))
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        let model_name = cx.model_name;
        let reply: Reply = serde_json::from_slice(body)
            .map_err(|_| Error::unexpected_with_body("not an echo reply", body))?;
        let mut response =
            ModelResponse::new(vec![ModelResponsePart::Text(TextPart::new(reply.text))]);
        response.model_name = Some(reply.model.unwrap_or_else(|| model_name.to_owned()));
        response.usage = Usage {
            request_tokens: reply.input_tokens,
            response_tokens: reply.output_tokens,
            ..Usage::default()
        };
        Ok(response)
    }

    /// The echo server's events are parsed by `on_event` itself, by name.
    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<RawEvent<'a>> {
        Ok(*event)
    }

    fn on_event(
        &self,
        event: RawEvent<'_>,
        _raw: &RawEvent<'_>,
        state: &mut EchoState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        state.events += 1;
        match event.name {
            "usage" => {
                let usage: UsageEvent = serde_json::from_str(event.data).map_err(|_| {
                    Error::unexpected_with_body("malformed usage event", event.data.as_bytes())
                })?;
                parts.usage.request_tokens = usage.input_tokens;
                parts.usage.response_tokens = usage.output_tokens;
                Ok(Flow::Continue)
            }
            "error" => Err(Error::unexpected_with_body(
                "the provider sent an error event",
                event.data.as_bytes(),
            )),
            _ => {
                let delta: Delta<'_> = serde_json::from_str(event.data).map_err(|_| {
                    Error::unexpected_with_body("malformed delta", event.data.as_bytes())
                })?;
                parts.handle_text_delta(None, delta.text)?;
                Ok(Flow::Continue)
            }
        }
    }

    fn on_exception(&self, event: &RawEvent<'_>, parts: &PartsManager) -> Error {
        match self.exception_status {
            Some(status) => Error::http(status, &parts.model_name, event.data.as_bytes(), None),
            None => Error::unexpected_with_body(
                format!("the provider reported `{}` in the stream", event.name),
                event.data.as_bytes(),
            ),
        }
    }

    fn error_body(&self, _status: u16, headers: &HeaderMap, body: Vec<u8>) -> Vec<u8> {
        match headers.get(ERROR_TYPE_HEADER) {
            Some(kind) => [kind.as_bytes(), b": ", &body].concat(),
            None => body,
        }
    }

    fn on_done(&self, state: &mut EchoState, _parts: &mut PartsManager) -> Result<Flow> {
        state.events += 1;
        Ok(Flow::Done)
    }

    fn on_eof(&self, state: &mut EchoState, _parts: &mut PartsManager) -> Result<()> {
        if self.no_terminator {
            return Ok(());
        }
        Err(Error::unexpected(format!(
            "the echo stream ended after {} events without [DONE]",
            state.events
        )))
    }
}

/// An echo host declared in this crate, as a user would declare their own provider.
#[provider(name = "echo-test", base_url = "http://127.0.0.1:9", protocol = Echo)]
pub struct EchoTest;

/// An echo host whose stream has no terminator, built from a constructor expression.
#[provider(
    name = "echo-open",
    protocol = Echo::without_terminator(),
    api_key_optional,
    auth = header("x-echo-key")
)]
pub struct EchoOpen;

/// Retries without real waits, for tests that count attempts.
pub fn fast_retry() -> llm_runtime::http::RetryPolicy {
    llm_runtime::http::RetryPolicy::default()
        .with_initial_backoff(std::time::Duration::from_millis(1))
        .with_max_backoff(std::time::Duration::from_millis(5))
}

/// The key the echo models are built with; tests assert it never shows.
pub const SECRET_KEY: &str = "sk-echo-SECRET-4242";

/// An `echo-test` model of `server`, with [`SECRET_KEY`] and [`fast_retry`].
pub fn echo_model(
    server: &super::server::TestServer,
) -> llm_runtime::providers::ProviderModel<Echo> {
    echo_model_with(server, Echo::default())
}

/// As [`echo_model`], speaking `protocol`.
pub fn echo_model_with(
    server: &super::server::TestServer,
    protocol: Echo,
) -> llm_runtime::providers::ProviderModel<Echo> {
    llm_runtime::providers::ProviderBuilder::new("echo-test", protocol)
        .base_url(server.url("/v1"))
        .api_key(SECRET_KEY)
        .retry(fast_retry())
        .build()
        .expect("the echo provider builds")
        .model("m1")
}
