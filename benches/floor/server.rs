//! The server, run in a child process (`--serve`) so that the CPU time measured in the
//! benchmark's own process is the client's alone. HTTP/1.1 with keep-alive on 127.0.0.1; the
//! first segment of the path picks the answer:
//!
//! - `request`: a Chat completion; `chat`, `responses`, `anthropic`, `gemini`, `bedrock`,
//!   `cohere`, `big1`, `big10`: a prepared stream, written at once with its length;
//! - `latency`: the headers, then 2 ms later a first Chat chunk whose text is the
//!   `CLOCK_MONOTONIC` instant at which it is written (`@<ns>`), then the end;
//! - `hold`: the headers and a first Chat chunk, then nothing until the client hangs up.
//!
//! It prints its port on stdout and exits when its stdin closes (when the benchmark ends).

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// Starts this program as the server in a child process (`--serve`) and reads its port.
pub fn spawn() -> (Child, u16) {
    let mut child = Command::new(std::env::current_exe().expect("this program"))
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server's port");
    let port = line.trim().parse().expect("a port");
    (child, port)
}

use super::bodies;
use super::measure::{monotonic_ns, raise_open_files};

/// Big lines, in bytes.
pub const BIG_LINES: [(&str, usize); 2] = [("big1", 1 << 20), ("big10", 10 << 20)];

/// Runs the server until stdin closes.
pub fn serve() {
    raise_open_files();
    std::thread::spawn(|| {
        let mut line = String::new();
        while std::io::stdin()
            .lock()
            .read_line(&mut line)
            .is_ok_and(|n| n > 0)
        {}
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the server's runtime");
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        println!("{port}");
        std::io::stdout().flush().expect("stdout");
        let answers = Arc::new(answers());
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let _ = socket.set_nodelay(true);
            tokio::spawn(connection(socket, Arc::clone(&answers)));
        }
    });
}

/// The prepared answers, headers included, by the first segment of the path.
fn answers() -> HashMap<&'static str, Vec<u8>> {
    let whole = |content_type: &str, body: &[u8]| {
        let mut bytes = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        bytes
    };
    let sse = |body: Vec<u8>| whole("text/event-stream", &body);
    let mut answers = HashMap::from([
        (
            "request",
            whole("application/json", bodies::chat_completion().as_bytes()),
        ),
        ("chat", sse(bodies::chat_stream())),
        ("responses", sse(bodies::responses_stream())),
        ("anthropic", sse(bodies::anthropic_stream())),
        ("gemini", sse(bodies::gemini_stream())),
        ("cohere", sse(bodies::cohere_stream())),
        (
            "bedrock",
            whole(
                "application/vnd.amazon.eventstream",
                &bodies::bedrock_stream(),
            ),
        ),
    ]);
    for (name, bytes) in BIG_LINES {
        answers.insert(name, sse(bodies::chat_big_line(bytes)));
    }
    answers
}

/// Answers each request of one connection.
async fn connection(mut socket: TcpStream, answers: Arc<HashMap<&'static str, Vec<u8>>>) {
    let mut request = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let Some(end) = memchr::memmem::find(&request, b"\r\n\r\n") else {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
            continue;
        };
        let head = String::from_utf8_lossy(&request[..end]).into_owned();
        let length = content_length(&head);
        while request.len() < end + 4 + length {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        request.drain(..end + 4 + length);
        let path = head.split(' ').nth(1).unwrap_or("/");
        let route = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let done = match route {
            "latency" => latency(&mut socket).await,
            "hold" => return hold(socket).await,
            _ => match answers.get(route) {
                Some(answer) => socket.write_all(answer).await,
                None => {
                    socket
                        .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                        .await
                }
            },
        };
        if done.is_err() {
            return;
        }
    }
}

/// The `Content-Length` of a request head (0 without one).
fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}

const CHUNKED_HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";

/// `data` as one chunk of a chunked body.
fn chunk(data: &str) -> Vec<u8> {
    format!("{:x}\r\n{data}\r\n", data.len()).into_bytes()
}

async fn latency(socket: &mut TcpStream) -> std::io::Result<()> {
    socket.write_all(CHUNKED_HEAD).await?;
    tokio::time::sleep(Duration::from_millis(2)).await;
    let first = chunk(&bodies::chat_chunk(&format!("@{}", monotonic_ns())));
    socket.write_all(&first).await?;
    let mut end = chunk(bodies::chat_end());
    end.extend_from_slice(b"0\r\n\r\n");
    socket.write_all(&end).await
}

async fn hold(mut socket: TcpStream) {
    let mut head = CHUNKED_HEAD.to_vec();
    head.extend(chunk(&bodies::chat_chunk("held")));
    if socket.write_all(&head).await.is_err() {
        return;
    }
    let mut buf = [0u8; 1024];
    while let Ok(n) = socket.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}
