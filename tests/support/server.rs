//! A scripted HTTP/1.1 server on 127.0.0.1 for wire tests: it records each request and
//! answers with the reply its script gives, JSON or SSE, with chosen chunk splits and delays;
//! it can fail N times then succeed, break a stream off, or hang, and it counts the
//! connections the client closed.
//!
//! Written on bare tokio sockets rather than a server framework so that every byte, chunk
//! boundary and connection drop is under the test's control.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// How long a hanging reply waits for the client to close before giving up (bounds tests).
const HANG_LIMIT: Duration = Duration::from_secs(30);

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path with its query string.
    pub target: String,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub received_at: Instant,
}

impl Recorded {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }

    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or(&self.target)
    }

    /// The query parameters, decoded naively (tests use plain values).
    pub fn query(&self) -> Vec<(String, String)> {
        let Some((_, query)) = self.target.split_once('?') else {
            return Vec::new();
        };
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

/// How a chunked reply ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// With the terminating zero-length chunk.
    Complete,
    /// The connection is closed without the terminating chunk (a broken transfer).
    Drop,
    /// The connection stays open and silent until the client closes it.
    Hang,
}

/// The body of a reply.
#[derive(Debug, Clone)]
pub enum Body {
    /// A body with a `content-length`.
    Full(Vec<u8>),
    /// A chunked body: each piece is written (after its delay) and flushed on its own.
    Chunked {
        pieces: Vec<(Duration, Vec<u8>)>,
        end: End,
    },
}

/// What the server answers to one request.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status; 0 closes the connection without replying ([`Reply::hang_up`]).
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Waited before anything is written.
    pub delay: Duration,
    pub body: Body,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            delay: Duration::ZERO,
            body: Body::Full(serde_json::to_vec(body).expect("JSON")),
        }
    }

    /// A plain-text reply (an error page, say).
    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            delay: Duration::ZERO,
            body: Body::Full(body.as_bytes().to_vec()),
        }
    }

    /// An event stream written in `pieces`, each its own chunk, ending as `end` says.
    pub fn sse<I, P>(pieces: I, end: End) -> Reply
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            delay: Duration::ZERO,
            body: Body::Chunked {
                pieces: pieces
                    .into_iter()
                    .map(|p| (Duration::ZERO, p.as_ref().to_vec()))
                    .collect(),
                end,
            },
        }
    }

    /// An event stream of `bytes` cut into pieces of `sizes` in turn (cycling), each its own
    /// chunk: small odd sizes end chunks inside lines, JSON strings and UTF-8 characters.
    pub fn sse_split(bytes: &[u8], sizes: &[usize]) -> Reply {
        let mut pieces = Vec::new();
        let mut rest = bytes;
        for size in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (piece, tail) = rest.split_at((*size).clamp(1, rest.len()));
            pieces.push(piece);
            rest = tail;
        }
        Reply::sse(pieces, End::Complete)
    }

    /// No reply at all: the connection is closed once the request is read (a connection
    /// failure as the client sees it).
    pub fn hang_up() -> Reply {
        Reply {
            status: 0,
            headers: Vec::new(),
            delay: Duration::ZERO,
            body: Body::Full(Vec::new()),
        }
    }

    /// This reply with a header added.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// This reply written only after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// This chunked reply with `delay` before each piece after the first.
    pub fn piece_delay(mut self, delay: Duration) -> Reply {
        if let Body::Chunked { pieces, .. } = &mut self.body {
            for (i, (before, _)) in pieces.iter_mut().enumerate() {
                if i > 0 {
                    *before = delay;
                }
            }
        }
        self
    }
}

type Script = dyn Fn(usize, &Recorded) -> Reply + Send + Sync;

struct State {
    requests: Mutex<Vec<Recorded>>,
    closed: AtomicUsize,
    closed_notify: Notify,
    script: Box<Script>,
    /// Requests received whose reply is not written yet, and the most there ever were.
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

/// A local port where every connection is refused: bound but never listened on, and held until
/// dropped, so that no server the tests start meanwhile can take it.
pub struct RefusedPort {
    socket: tokio::net::TcpSocket,
}

impl RefusedPort {
    /// Binds a free port on 127.0.0.1 without listening.
    pub fn bind() -> Self {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.bind(([127, 0, 0, 1], 0).into()).expect("bind");
        Self { socket }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.socket.local_addr().expect("address"))
    }
}

/// A running server; it stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// A server answering request number `n` (from 0) with `script(n, &request)`.
    pub async fn start(script: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let state = Arc::new(State {
            requests: Mutex::new(Vec::new()),
            closed: AtomicUsize::new(0),
            closed_notify: Notify::new(),
            script: Box::new(script),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
        });
        let accept_state = Arc::clone(&state);
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                // Each scripted piece goes out as written, not held back for an ACK (Nagle).
                let _ = socket.set_nodelay(true);
                let state = Arc::clone(&accept_state);
                tokio::spawn(serve_connection(socket, state));
            }
        });
        TestServer { addr, state, task }
    }

    /// A server answering the replies in order; the last one repeats.
    pub async fn sequence(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        TestServer::start(move |n, _| replies[n.min(replies.len() - 1)].clone()).await
    }

    /// A server giving the same reply to every request.
    pub async fn always(reply: Reply) -> Self {
        TestServer::sequence(vec![reply]).await
    }

    /// `http://127.0.0.1:<port>`, with `path` appended.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().expect("lock").clone()
    }

    /// The most requests that were ever in flight at once (received, reply not yet written).
    pub fn most_in_flight(&self) -> usize {
        self.state.most_in_flight.load(Ordering::SeqCst)
    }

    /// How many connections the client has closed.
    pub fn closed_connections(&self) -> usize {
        self.state.closed.load(Ordering::SeqCst)
    }

    /// Waits until the client has closed `n` connections; `false` if that did not happen
    /// within `limit`.
    pub async fn wait_closed(&self, n: usize, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.state.closed_notify.notified();
                if self.closed_connections() >= n {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

async fn serve_connection(mut socket: TcpStream, state: Arc<State>) {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buf).await else {
            note_closed(&state);
            return;
        };
        let n = {
            let mut requests = state.requests.lock().expect("lock");
            requests.push(request.clone());
            requests.len() - 1
        };
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let reply = (state.script)(n, &request);
        let keep_open = write_reply(&mut socket, &reply).await;
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        match keep_open {
            Some(End::Complete) => continue,
            Some(End::Hang) => {
                // Silent until the client closes the connection (or the limit passes).
                let mut probe = [0u8; 64];
                let closed = tokio::time::timeout(HANG_LIMIT, async {
                    loop {
                        match socket.read(&mut probe).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                    }
                })
                .await;
                if closed.is_ok() {
                    note_closed(&state);
                }
                return;
            }
            Some(End::Drop) | None => return,
        }
    }
}

fn note_closed(state: &State) {
    state.closed.fetch_add(1, Ordering::SeqCst);
    state.closed_notify.notify_waiters();
}

/// Reads one request; `None` when the client closed the connection.
async fn read_request(socket: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Recorded> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 8192];
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buf.len() < body_start + length {
        let mut chunk = [0u8; 8192];
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buf[body_start..body_start + length].to_vec();
    buf.drain(..body_start + length);
    Some(Recorded {
        method,
        target,
        headers,
        body,
        received_at: Instant::now(),
    })
}

/// Writes `reply`; how the connection goes on, or `None` when writing failed.
async fn write_reply(socket: &mut TcpStream, reply: &Reply) -> Option<End> {
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    if reply.status == 0 {
        return None;
    }
    let mut head = format!("HTTP/1.1 {} Scripted\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match &reply.body {
        Body::Full(body) => {
            head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            socket.write_all(head.as_bytes()).await.ok()?;
            socket.write_all(body).await.ok()?;
            socket.flush().await.ok()?;
            Some(End::Complete)
        }
        Body::Chunked { pieces, end } => {
            head.push_str("transfer-encoding: chunked\r\n\r\n");
            socket.write_all(head.as_bytes()).await.ok()?;
            socket.flush().await.ok()?;
            for (delay, piece) in pieces {
                // A zero sleep still waits for the timer's next millisecond tick.
                if !delay.is_zero() {
                    tokio::time::sleep(*delay).await;
                }
                if piece.is_empty() {
                    continue;
                }
                let mut chunk = format!("{:x}\r\n", piece.len()).into_bytes();
                chunk.extend_from_slice(piece);
                chunk.extend_from_slice(b"\r\n");
                socket.write_all(&chunk).await.ok()?;
                socket.flush().await.ok()?;
            }
            if *end == End::Complete {
                socket.write_all(b"0\r\n\r\n").await.ok()?;
                socket.flush().await.ok()?;
            }
            Some(*end)
        }
    }
}
