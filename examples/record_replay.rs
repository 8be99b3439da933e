//! Record/replay for your own tests (`llm_runtime::testing`, feature `testing`).
//!
//! A test records its exchanges with the real provider once (`LLM_RECORD=1`), then replays
//! them offline from the cassette file. Here a local server on 127.0.0.1 stands in for the
//! provider (OpenAI Chat Completions, streamed): the request is recorded into a temporary
//! cassette, the server goes away, and the same request is replayed from the file with the
//! same stream events, chunk by chunk, and no key in the file.
//!
//! Run with `cargo run --example record_replay`.

use std::time::Duration;

use futures::StreamExt;
use llm_runtime::messages::{ModelRequest, ModelResponse};
use llm_runtime::model_request_stream;
use llm_runtime::providers::OpenAi;
use llm_runtime::testing::{Cassette, Mode, Vcr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The key the provider is given: the cassette must not hold it.
const KEY: &str = "sk-example-0123456789";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("record_replay-{}.json", std::process::id()));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}/v1", listener.local_addr()?);
    let server = tokio::spawn(answer_once(listener));

    // 1. Record: the request goes to the "provider", the exchange into the cassette.
    let recorder = Vcr::at(&path).mode(Mode::Record).build()?;
    let (recorded_events, recorded) = ask(&base_url, recorder.clone()).await?;
    recorder.finish()?;
    server.await??; // it answered once and stopped listening

    let cassette = Cassette::load(&path)?;
    let chunks = cassette.interactions[0].response.chunks.len();
    println!(
        "recorded: {} interaction(s), the stream in {chunks} chunks",
        cassette.interactions.len()
    );
    let file = std::fs::read_to_string(&path)?;
    println!("key in the cassette: {}", file.contains(KEY));

    // 2. Replay: nothing listens at base_url any more; the cassette answers.
    let player = Vcr::at(&path).mode(Mode::Replay).build()?;
    let (replayed_events, replayed) = ask(&base_url, player.clone()).await?;
    player.finish()?; // every recorded interaction was played

    println!(
        "recorded: {:?} in {} events; replayed: {:?} in {} events",
        recorded.text(),
        recorded_events.len(),
        replayed.text(),
        replayed_events.len()
    );
    println!(
        "replay equals recording: {}",
        recorded_events == replayed_events && recorded == replayed
    );
    std::fs::remove_file(&path)?;
    Ok(())
}

/// Asks the model at `base_url`, through `vcr`, and returns the stream's events (as JSON)
/// and the final response.
async fn ask(
    base_url: &str,
    vcr: Vcr,
) -> Result<(Vec<String>, ModelResponse), Box<dyn std::error::Error>> {
    let model = OpenAi::builder()
        .base_url(base_url)
        .api_key(KEY)
        .vcr(vcr)
        .build()?
        .model("gpt-4.1-nano");
    let mut stream = model_request_stream(
        model,
        [ModelRequest::user_text_prompt(
            "What is the capital of France?",
        )],
    )
    .await?;
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(serde_json::to_string(&event?)?);
    }
    let mut response = stream.get();
    response.timestamp = chrono::DateTime::UNIX_EPOCH; // the time it was received
    Ok((events, response))
}

/// The stand-in provider: reads one request and answers an event stream in four chunks, a
/// pause between them, then closes.
async fn answer_once(listener: TcpListener) -> std::io::Result<()> {
    let (mut socket, _) = listener.accept().await?;
    socket.set_nodelay(true)?; // each piece goes out as written
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    // The head, then as many body bytes as its content-length says.
    let body_start = loop {
        let n = socket.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buffer[..n]);
        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..body_start]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < body_start + length {
        let n = socket.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..n]);
    }
    socket
        .write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
        )
        .await?;
    let chunk = |delta: &str, finish: &str| {
        format!(
            "data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\
             \"model\":\"gpt-4.1-nano\",\"choices\":[{{\"index\":0,\"delta\":{delta},\
             \"finish_reason\":{finish}}}]}}\n\n"
        )
    };
    for piece in [
        chunk(r#"{"content":"Par"}"#, "null"),
        chunk(r#"{"content":"is."}"#, "null"),
        chunk("{}", r#""stop""#),
        "data: [DONE]\n\n".to_owned(),
    ] {
        socket.write_all(piece.as_bytes()).await?;
        socket.flush().await?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    socket.shutdown().await
}
