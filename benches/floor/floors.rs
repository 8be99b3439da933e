//! The floors: plain reqwest and serde_json doing only what each case needs, with borrowed
//! structs of the needed fields, the end of each event searched for in the new bytes only.

use std::borrow::Cow;

use futures::StreamExt as _;
use serde::{Deserialize, Serialize};

use super::bodies::ANSWER;
use super::measure::monotonic_ns;

/// A Chat request body, borrowed.
#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: [ChatMessage<'a>; 1],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
}

#[derive(Serialize)]
struct ChatMessage<'a> {
    role: &'a str,
    content: &'a str,
}

/// The body of a Chat request of `prompt`.
fn chat_body(prompt: &str, stream: bool) -> Vec<u8> {
    let request = ChatRequest {
        model: "gpt-4o",
        messages: [ChatMessage {
            role: "user",
            content: prompt,
        }],
        stream,
    };
    serde_json::to_vec(&request).expect("a body")
}

/// A Chat request to `url`.
pub fn chat_post(client: &reqwest::Client, url: &str, stream: bool) -> reqwest::RequestBuilder {
    client
        .post(url)
        .bearer_auth("sk-bench")
        .header("content-type", "application/json")
        .body(chat_body("What is the capital of France?", stream))
}

/// One non-streamed Chat request: the text, finish reason, model, id and usage read.
pub async fn request(client: &reqwest::Client, url: &str) -> usize {
    #[derive(Deserialize)]
    struct Completion<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
        #[serde(borrow)]
        model: Cow<'a, str>,
        #[serde(borrow)]
        choices: Vec<Choice<'a>>,
        usage: Usage,
    }
    #[derive(Deserialize)]
    struct Choice<'a> {
        #[serde(borrow)]
        message: Message<'a>,
        #[serde(borrow)]
        finish_reason: Option<Cow<'a, str>>,
    }
    #[derive(Deserialize)]
    struct Message<'a> {
        #[serde(borrow)]
        content: Option<Cow<'a, str>>,
    }
    #[derive(Deserialize)]
    struct Usage {
        prompt_tokens: u64,
        completion_tokens: u64,
    }
    let response = chat_post(client, url, false)
        .send()
        .await
        .expect("response");
    assert!(response.status().is_success());
    let body = response.bytes().await.expect("body");
    let completion: Completion<'_> = serde_json::from_slice(&body).expect("a completion");
    let choice = &completion.choices[0];
    assert_eq!(choice.message.content.as_deref(), Some(ANSWER));
    assert_eq!(choice.finish_reason.as_deref(), Some("stop"));
    assert_eq!(
        completion.usage.prompt_tokens + completion.usage.completion_tokens,
        22
    );
    completion.id.len() + completion.model.len()
}

/// What takes the text out of one event's data, onto the text so far.
pub type TextOf = fn(&[u8], &mut String);

/// Reads an SSE stream to its end (events end with `separator`), `text_of` given each
/// event's data; returns the text.
pub async fn sse(request: reqwest::RequestBuilder, separator: &[u8], text_of: TextOf) -> String {
    let response = request.send().await.expect("response");
    let mut body = response.bytes_stream();
    let finder = memchr::memmem::Finder::new(separator);
    let (mut pending, mut scanned) = (Vec::new(), 0);
    let mut text = String::new();
    while let Some(bytes) = body.next().await {
        pending.extend_from_slice(&bytes.expect("bytes"));
        let mut start = 0;
        while let Some(end) = finder.find(&pending[scanned..]) {
            let event = &pending[start..scanned + end];
            scanned += end + separator.len();
            start = scanned;
            text_of(data_line(event), &mut text);
        }
        pending.drain(..start);
        scanned -= start;
    }
    text
}

/// The data of an SSE event: its first line, or the one after `event:`.
fn data_line(event: &[u8]) -> &[u8] {
    match event.strip_prefix(b"data: ") {
        Some(data) => data,
        None => {
            let at = memchr::memchr(b'\n', event).expect("a data line");
            event[at + 1..]
                .strip_prefix(b"data: ")
                .expect("a data line")
        }
    }
}

/// `choices[].delta.content` of a Chat chunk.
pub fn chat_text(data: &[u8], text: &mut String) {
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
    if data == b"[DONE]" {
        return;
    }
    let chunk: Chunk<'_> = serde_json::from_slice(data).expect("chunk");
    for choice in chunk.choices {
        if let Some(content) = choice.delta.content {
            text.push_str(&content);
        }
    }
}

/// `delta` of a Responses `response.output_text.delta` event.
pub fn responses_text(data: &[u8], text: &mut String) {
    #[derive(Deserialize)]
    struct Event<'a> {
        #[serde(borrow, rename = "type")]
        kind: Cow<'a, str>,
        #[serde(borrow, default)]
        delta: Option<Cow<'a, str>>,
    }
    let event: Event<'_> = serde_json::from_slice(data).expect("event");
    if let ("response.output_text.delta", Some(delta)) = (&*event.kind, event.delta) {
        text.push_str(&delta);
    }
}

/// `delta.text` of an Anthropic `content_block_delta`.
pub fn anthropic_text(data: &[u8], text: &mut String) {
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
    let event: Event<'_> = serde_json::from_slice(data).expect("event");
    if let Some(Delta { text: Some(delta) }) = event.delta {
        text.push_str(&delta);
    }
}

/// `candidates[].content.parts[].text` of a Gemini chunk.
pub fn gemini_text(data: &[u8], text: &mut String) {
    #[derive(Deserialize)]
    struct Chunk<'a> {
        #[serde(borrow)]
        candidates: Vec<Candidate<'a>>,
    }
    #[derive(Deserialize)]
    struct Candidate<'a> {
        #[serde(borrow)]
        content: Content<'a>,
    }
    #[derive(Deserialize)]
    struct Content<'a> {
        #[serde(borrow)]
        parts: Vec<Part<'a>>,
    }
    #[derive(Deserialize)]
    struct Part<'a> {
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
    }
    let chunk: Chunk<'_> = serde_json::from_slice(data).expect("chunk");
    for candidate in chunk.candidates {
        for part in candidate.content.parts {
            if let Some(delta) = part.text {
                text.push_str(&delta);
            }
        }
    }
}

/// `delta.message.content.text` of a Cohere `content-delta`.
pub fn cohere_text(data: &[u8], text: &mut String) {
    #[derive(Deserialize)]
    struct Event<'a> {
        #[serde(borrow, default)]
        delta: Option<Delta<'a>>,
    }
    #[derive(Deserialize)]
    struct Delta<'a> {
        #[serde(borrow, default)]
        message: Option<Message<'a>>,
    }
    #[derive(Deserialize)]
    struct Message<'a> {
        #[serde(borrow, default)]
        content: Option<Content<'a>>,
    }
    #[derive(Deserialize)]
    struct Content<'a> {
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
    }
    let event: Event<'_> = serde_json::from_slice(data).expect("event");
    if let Some(text_delta) = event
        .delta
        .and_then(|delta| delta.message)
        .and_then(|message| message.content)
        .and_then(|content| content.text)
    {
        text.push_str(&text_delta);
    }
}

/// Reads a Bedrock event stream to its end: each frame's length and both CRCs checked, the
/// text of each `contentBlockDelta` payload kept (`delta.text`).
pub async fn bedrock(request: reqwest::RequestBuilder) -> String {
    #[derive(Deserialize)]
    struct Payload<'a> {
        #[serde(borrow, default)]
        delta: Option<Delta<'a>>,
    }
    #[derive(Deserialize)]
    struct Delta<'a> {
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
    }
    let response = request.send().await.expect("response");
    let mut body = response.bytes_stream();
    let mut pending = Vec::new();
    let mut text = String::new();
    while let Some(bytes) = body.next().await {
        pending.extend_from_slice(&bytes.expect("bytes"));
        let mut start = 0;
        while pending.len() - start >= 12 {
            let frame = &pending[start..];
            let word = |at: usize| u32::from_be_bytes(frame[at..at + 4].try_into().expect("4"));
            let (total, headers) = (word(0) as usize, word(4) as usize);
            if frame.len() < total {
                break;
            }
            assert_eq!(crc32fast::hash(&frame[..8]), word(8), "prelude CRC");
            assert_eq!(crc32fast::hash(&frame[..total - 4]), word(total - 4), "CRC");
            let payload = &frame[12 + headers..total - 4];
            let payload: Payload<'_> = serde_json::from_slice(payload).expect("payload");
            if let Some(Delta { text: Some(delta) }) = payload.delta {
                text.push_str(&delta);
            }
            start += total;
        }
        pending.drain(..start);
    }
    text
}

/// The time from the server writing the first chunk to its text being in hand, in ns.
pub async fn first_event(request: reqwest::RequestBuilder) -> u64 {
    let response = request.send().await.expect("response");
    let mut body = response.bytes_stream();
    let mut pending = Vec::new();
    while let Some(bytes) = body.next().await {
        pending.extend_from_slice(&bytes.expect("bytes"));
        if let Some(end) = memchr::memmem::find(&pending, b"\n\n") {
            let mut text = String::new();
            chat_text(data_line(&pending[..end]), &mut text);
            let now = monotonic_ns();
            let sent: u64 = text
                .strip_prefix('@')
                .expect("a stamp")
                .parse()
                .expect("ns");
            // Read the rest, as a client would.
            while body.next().await.is_some() {}
            return now - sent;
        }
    }
    panic!("the stream ended before its first event")
}

/// Opens a stream and reads it up to its first event, then keeps it open (held by the
/// returned body and the bytes read so far).
pub async fn hold(request: reqwest::RequestBuilder) -> impl Sized {
    let response = request.send().await.expect("response");
    let mut body = response.bytes_stream();
    let mut pending = Vec::new();
    let mut text = String::new();
    while let Some(bytes) = body.next().await {
        pending.extend_from_slice(&bytes.expect("bytes"));
        if let Some(end) = memchr::memmem::find(&pending, b"\n\n") {
            chat_text(data_line(&pending[..end]), &mut text);
            pending.drain(..end + 2);
            break;
        }
    }
    assert_eq!(text, "held");
    (body, pending, text)
}
