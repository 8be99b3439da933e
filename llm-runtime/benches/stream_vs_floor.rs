//! Side by side, over real HTTP on 127.0.0.1: a streamed OpenAI Chat Completions response (and
//! an Anthropic Messages one) read through `model_request_stream` (SSE decoding, typed chunk parsing, the parts manager, every
//! event handed to the caller, the response assembled), against the floor: plain reqwest and
//! serde_json reading the same bytes into a `String` with the least code that does it.
//!
//! `cargo bench -p llm-runtime --bench stream_vs_floor`
//!
//! Each iteration is one whole request: connect, send, read the 2,000-chunk stream to its end.
//! The local server writes a prepared body, so the client's work is what is measured.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::OnceLock;

use divan::Bencher;
use futures::StreamExt as _;
use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::{ModelRequest, ModelResponsePartDelta, ModelResponseStreamEvent};
use llm_runtime::model_request_stream;
use llm_runtime::providers::{Anthropic, OpenAi, Protocol, ProviderModel};
use serde::Deserialize;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

fn main() {
    divan::main();
}

const CHUNKS: usize = 2000;

/// 2,000 chat-completion chunks of a few words each, a usage chunk, then `[DONE]`.
fn openai_stream() -> String {
    let mut body = String::new();
    for i in 0..CHUNKS {
        body.push_str(&format!(
            "data: {{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\
             \"created\":1741570283,\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\",\
             \"system_fingerprint\":\"fp_eb9dce56a8\",\"choices\":[{{\"index\":0,\"delta\":\
             {{\"content\":\" word{i} \\u00e9\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n"
        ));
    }
    body.push_str(
        "data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\
         \"created\":1741570283,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\
         \"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\
         \"completion_tokens\":4000,\"total_tokens\":4012}}\n\ndata: [DONE]\n\n",
    );
    body
}

/// The same text as Anthropic streams it: `content_block_delta` events between the message's
/// and the block's start and stop events.
fn anthropic_stream() -> String {
    let mut body = String::from(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",         \"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,         \"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n\
         event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,         \"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
    );
    for i in 0..CHUNKS {
        body.push_str(&format!(
            "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,             \"delta\":{{\"type\":\"text_delta\",\"text\":\" word{i} \\u00e9\"}}}}\n\n"
        ));
    }
    body.push_str(
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
         event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",         \"stop_sequence\":null},\"usage\":{\"output_tokens\":4000}}\n\n\
         event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    );
    body
}

/// The runtime, and a server on 127.0.0.1 answering every request with the stream of its
/// API (by path).
fn server() -> &'static (Runtime, SocketAddr) {
    static SERVER: OnceLock<(Runtime, SocketAddr)> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let response = |body: String| {
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        };
        let (openai, anthropic) = (response(openai_stream()), response(anthropic_stream()));
        runtime.spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (openai, anthropic) = (openai.clone(), anthropic.clone());
                tokio::spawn(async move {
                    // Keep-alive: answer each request on the connection.
                    let mut request = Vec::new();
                    let mut buf = [0u8; 8192];
                    loop {
                        let Ok(n) = socket.read(&mut buf).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        request.extend_from_slice(&buf[..n]);
                        // Requests here are small: headers, then a body of content-length.
                        if let Some(end) = find(&request, b"\r\n\r\n") {
                            let length = content_length(&request[..end]);
                            if request.len() >= end + 4 + length {
                                let response = if find(&request[..end], b"/messages").is_some() {
                                    &anthropic
                                } else {
                                    &openai
                                };
                                request.drain(..end + 4 + length);
                                if socket.write_all(response).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        (runtime, addr)
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}

/// The text every client must end with.
fn expected_text() -> String {
    (0..CHUNKS).map(|i| format!(" word{i} é")).collect()
}

/// Benches `model_request_stream` on `model`, every event looked at.
fn bench_model<P: Protocol>(bencher: Bencher, model: ProviderModel<P>) {
    let (runtime, _) = server();
    let expected = expected_text();
    bencher.bench_local(|| {
        runtime.block_on(async {
            let mut stream =
                model_request_stream(model.clone(), [ModelRequest::user_text_prompt("Count.")])
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
            let response = stream.get();
            assert_eq!(response.text().len(), expected.len());
            assert_eq!(response.usage.response_tokens, 4000);
            deltas
        })
    });
}

/// Benches the floor on `request`: reqwest, a search for the end of each event in the new
/// bytes only, and `text_of` (serde_json into borrowed structs that hold just the text) on
/// the data of each event, the text pushed onto a `String`.
fn bench_floor(
    bencher: Bencher,
    request: impl Fn() -> reqwest::RequestBuilder,
    text_of: impl Fn(&[u8], &mut String),
) {
    let (runtime, _) = server();
    let expected = expected_text();
    bencher.bench_local(|| {
        runtime.block_on(async {
            let response = request().send().await.expect("response");
            let mut body = response.bytes_stream();
            let (mut pending, mut scanned) = (Vec::new(), 0);
            let mut text = String::new();
            while let Some(bytes) = body.next().await {
                pending.extend_from_slice(&bytes.expect("bytes"));
                let mut start = 0;
                while let Some(end) = memchr::memmem::find(&pending[scanned..], b"\n\n") {
                    let event = &pending[start..scanned + end];
                    scanned += end + 2;
                    start = scanned;
                    // The data line: the event's first line, or one after `event:`.
                    let data = match event.strip_prefix(b"data: ") {
                        Some(data) => data,
                        None => {
                            let at = memchr::memchr(b'\n', event).expect("a data line");
                            event[at + 1..]
                                .strip_prefix(b"data: ")
                                .expect("a data line")
                        }
                    };
                    text_of(data, &mut text);
                }
                pending.drain(..start);
                scanned -= start;
            }
            assert_eq!(text, expected);
            text.len()
        })
    });
}

/// This crate on an `openai:` model.
#[divan::bench]
fn llm_runtime_model_request_stream(bencher: Bencher) {
    let (_, addr) = server();
    let model = OpenAi::builder()
        .base_url(format!("http://{addr}/v1"))
        .api_key("sk-bench")
        .retry(RetryPolicy::none())
        .build()
        .expect("provider")
        .model("gpt-4o");
    bench_model(bencher, model);
}

/// The floor for OpenAI's stream, keeping `choices[].delta.content`.
#[divan::bench]
fn floor_reqwest_serde_json(bencher: Bencher) {
    #[derive(Deserialize)]
    struct Chunk<'a> {
        #[serde(borrow)]
        choices: Vec<Choice<'a>>,
    }
    #[derive(Deserialize)]
    struct Choice<'a> {
        #[serde(borrow)]
        delta: Delta<'a>,
    }
    #[derive(Deserialize)]
    struct Delta<'a> {
        #[serde(borrow, default)]
        content: Option<Cow<'a, str>>,
    }

    let (_, addr) = server();
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/v1/chat/completions");
    let request = || {
        client.post(&url).bearer_auth("sk-bench").body(
            r#"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Count."}]}"#,
        )
    };
    bench_floor(bencher, request, |data, text| {
        if data == b"[DONE]" {
            return;
        }
        let chunk: Chunk<'_> = serde_json::from_slice(data).expect("chunk");
        for choice in chunk.choices {
            if let Some(content) = choice.delta.content {
                text.push_str(&content);
            }
        }
    });
}

/// This crate on an `anthropic:` model.
#[divan::bench]
fn llm_runtime_model_request_stream_anthropic(bencher: Bencher) {
    let (_, addr) = server();
    let model = Anthropic::builder()
        .base_url(format!("http://{addr}"))
        .api_key("sk-ant-bench")
        .retry(RetryPolicy::none())
        .build()
        .expect("provider")
        .model("claude-sonnet-4-5");
    bench_model(bencher, model);
}

/// The floor for Anthropic's stream, keeping `delta.text` of each `content_block_delta`.
#[divan::bench]
fn floor_reqwest_serde_json_anthropic(bencher: Bencher) {
    #[derive(Deserialize)]
    struct Event<'a> {
        #[serde(borrow, default)]
        delta: Option<Delta<'a>>,
    }
    #[derive(Deserialize)]
    struct Delta<'a> {
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
    }

    let (_, addr) = server();
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/v1/messages");
    let request = || {
        client
            .post(&url)
            .header("x-api-key", "sk-ant-bench")
            .header("anthropic-version", "2023-06-01")
            .body(r#"{"model":"claude-sonnet-4-5","max_tokens":4096,"stream":true,"messages":[{"role":"user","content":"Count."}]}"#)
    };
    bench_floor(bencher, request, |data, text| {
        let event: Event<'_> = serde_json::from_slice(data).expect("event");
        if let Some(Delta { text: Some(delta) }) = event.delta {
            text.push_str(&delta);
        }
    });
}
