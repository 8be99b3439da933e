//! A lean OpenAI Chat server for the load and connection tests: one task a connection,
//! HTTP/1.1 keep-alive, nothing recorded but counters. Each request's prompt names it
//! (`load-<id>`); the answer is [`DELTAS`] deltas `"<id>:<k> "`, streamed or whole, so that a
//! client can check that no delta was lost or duplicated. What a request meets is chosen by
//! its id ([`Behaviour`]).

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Barrier;

/// The deltas of every answer.
pub const DELTAS: usize = 10;

/// What a request meets, by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// The answer.
    Answer,
    /// A 503 the first time the id is seen, then the answer.
    FailOnce,
    /// The first delta, then silence until the client hangs up.
    Stall,
    /// The deltas 20 ms apart (a client that cancels after the first one).
    Slow,
}

/// The text of the answer to request `id`.
pub fn answer(id: usize) -> String {
    (0..DELTAS).map(|k| format!("{id}:{k} ")).collect()
}

/// The counters and settings of a running server.
pub struct Shared {
    pub open: AtomicUsize,
    pub most_open: AtomicUsize,
    pub accepted: AtomicUsize,
    pub requests: AtomicUsize,
    failed_once: Mutex<HashSet<usize>>,
    behaviour: fn(usize) -> Behaviour,
    /// When set, every stream waits after its first delta until this many streams are open.
    barrier: Option<Barrier>,
}

/// A server running on the current Tokio runtime.
pub struct LoadServer {
    pub port: u16,
    pub shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LoadServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LoadServer {
    /// Starts a server; `together` streams (if any) are held after their first delta until
    /// all of them are open at once.
    pub async fn start(behaviour: fn(usize) -> Behaviour, together: Option<usize>) -> LoadServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let shared = Arc::new(Shared {
            open: AtomicUsize::new(0),
            most_open: AtomicUsize::new(0),
            accepted: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            failed_once: Mutex::new(HashSet::new()),
            behaviour,
            barrier: together.map(Barrier::new),
        });
        let state = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let _ = socket.set_nodelay(true);
                let state = Arc::clone(&state);
                state.accepted.fetch_add(1, Ordering::SeqCst);
                let now = state.open.fetch_add(1, Ordering::SeqCst) + 1;
                state.most_open.fetch_max(now, Ordering::SeqCst);
                tokio::spawn(async move {
                    serve(socket, &state).await;
                    state.open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        LoadServer { port, shared, task }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until at most `n` connections are open; whether that happened within `limit`.
    pub async fn settle(&self, n: usize, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.shared.open.load(Ordering::SeqCst) > n {
            if tokio::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}

async fn serve(mut socket: TcpStream, state: &Shared) {
    let mut buf = Vec::with_capacity(2048);
    loop {
        let Some((id, stream)) = read_request(&mut socket, &mut buf).await else {
            return;
        };
        state.requests.fetch_add(1, Ordering::SeqCst);
        let behaviour = (state.behaviour)(id);
        if behaviour == Behaviour::FailOnce && state.failed_once.lock().expect("lock").insert(id) {
            let head =
                "HTTP/1.1 503 Busy\r\ncontent-type: text/plain\r\ncontent-length: 4\r\n\r\nbusy";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            continue;
        }
        let written = if stream {
            write_stream(&mut socket, id, behaviour, state).await
        } else {
            write_whole(&mut socket, id).await
        };
        if written.is_none() {
            return;
        }
    }
}

/// Reads one request: the id its prompt names and whether it asks for a stream.
async fn read_request(socket: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(usize, bool)> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buf.drain(..head_end + length).skip(head_end).collect();
    let body = String::from_utf8_lossy(&body);
    let at = body.find("load-")? + "load-".len();
    let id = body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    Some((id, body.contains("\"stream\":true")))
}

async fn write_whole(socket: &mut TcpStream, id: usize) -> Option<()> {
    let body = json!({
        "id": format!("chatcmpl-{id}"), "object": "chat.completion", "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer(id)},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": DELTAS, "total_tokens": 5 + DELTAS}
    })
    .to_string();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.ok()?;
    socket.write_all(body.as_bytes()).await.ok()
}

async fn write_stream(
    socket: &mut TcpStream,
    id: usize,
    behaviour: Behaviour,
    state: &Shared,
) -> Option<()> {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
    socket.write_all(head.as_bytes()).await.ok()?;
    let chunk = |data: String| {
        let event = format!("data: {data}\n\n");
        format!("{:x}\r\n{event}\r\n", event.len())
    };
    let delta = |k: usize| {
        let mut data = json!({"id": format!("chatcmpl-{id}"), "object": "chat.completion.chunk",
            "created": 1, "model": "gpt-4o",
            "choices": [{"index": 0, "delta": {"content": format!("{id}:{k} ")},
                         "finish_reason": null}]});
        if k == 0 {
            data["choices"][0]["delta"]["role"] = json!("assistant");
        }
        chunk(data.to_string())
    };
    socket.write_all(delta(0).as_bytes()).await.ok()?;
    if behaviour == Behaviour::Stall {
        // Silent until the client hangs up.
        let mut probe = [0u8; 64];
        while socket.read(&mut probe).await.ok()? > 0 {}
        return None;
    }
    if let Some(barrier) = &state.barrier {
        barrier.wait().await;
    }
    for k in 1..DELTAS {
        if behaviour == Behaviour::Slow {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        socket.write_all(delta(k).as_bytes()).await.ok()?;
    }
    let last = json!({"id": format!("chatcmpl-{id}"), "object": "chat.completion.chunk",
        "created": 1, "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": DELTAS, "total_tokens": 5 + DELTAS}});
    socket
        .write_all(chunk(last.to_string()).as_bytes())
        .await
        .ok()?;
    socket
        .write_all(chunk("[DONE]".into()).as_bytes())
        .await
        .ok()?;
    socket.write_all(b"0\r\n\r\n").await.ok()
}

/// A line of `/proc/self/status` in kB (`VmRSS`, `VmHWM`), if the platform has it.
pub fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The soft limit on open files, if the platform says.
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}
