//! Load: 10,000 concurrent streaming requests in one process against a local server (in a
//! child process, so that each side has its own file descriptors). Every stream is held open
//! after its first delta until all are open at once; then each is checked delta by delta (none
//! lost or duplicated) and against its non-streamed twin. Prints the peak RSS (`VmHWM`) and
//! the memory each open stream costs.
//!
//! Ignored by default (about a minute and 10,000 file descriptors a side):
//!
//! ```text
//! cargo test --release --test load -- --ignored --nocapture
//! LLM_LOAD_STREAMS=2000 cargo test --test load -- --ignored --nocapture   # smaller
//! ```

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use llm_runtime::messages::{
    ModelRequest, ModelResponsePart, ModelResponsePartDelta, ModelResponseStreamEvent,
    ResponseState,
};
use llm_runtime::providers::OpenAi;
use llm_runtime::{model_request, model_request_stream};
use support::load::{answer, open_files_limit, status_kb, Behaviour, LoadServer, DELTAS};

const SERVER_ENV: &str = "LLM_LOAD_SERVER";

fn streams() -> usize {
    std::env::var("LLM_LOAD_STREAMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// The server side, run in a child process by `ten_thousand_concurrent_streams`: nothing
/// unless `LLM_LOAD_SERVER` names how many streams to hold together.
#[test]
#[ignore = "the server process of the load test"]
fn load_server_process() {
    let Some(together) = std::env::var(SERVER_ENV).ok().and_then(|n| n.parse().ok()) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = LoadServer::start(|_| Behaviour::Answer, Some(together)).await;
        println!("LOAD_PORT {}", server.port);
        // Until the parent kills it.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    });
}

#[test]
#[ignore = "10,000 streams: run with --ignored --nocapture (see the module docs)"]
fn ten_thousand_concurrent_streams() {
    let n = streams();
    let limit = open_files_limit().unwrap_or(0);
    assert!(
        limit >= n as u64 + 256,
        "this test needs {} open files, the limit is {limit}: raise it (ulimit -n) or set \
         LLM_LOAD_STREAMS",
        n + 256
    );
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--ignored", "--exact", "load_server_process", "--nocapture"])
        .env(SERVER_ENV, n.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("LOAD_PORT ")?.parse::<u16>().ok())
        .expect("the server's port");
    // The rest of its output is read (and dropped), so that it never writes to a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime.block_on(run(n, port));
    let _ = child.kill();
    let _ = child.wait();
    println!("{report}");
}

async fn run(n: usize, port: u16) -> String {
    let model = OpenAi::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .api_key("sk-load")
        .timeout(Duration::from_secs(300))
        .build()
        .expect("provider")
        .model("gpt-4o");
    let baseline_kb = status_kb("VmRSS").unwrap_or(0);
    let first_seen = Arc::new(AtomicUsize::new(0));
    let open_kb = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|id| {
            let model = model.clone();
            let first_seen = Arc::clone(&first_seen);
            let open_kb = Arc::clone(&open_kb);
            tokio::spawn(async move {
                let prompt = [ModelRequest::user_text_prompt(format!("load-{id}"))];
                let mut stream = model_request_stream(model, prompt).await.expect("stream");
                let mut deltas = Vec::new();
                while let Some(event) = stream.next().await {
                    match event.expect("no error") {
                        ModelResponseStreamEvent::PartStart(start) => {
                            if let ModelResponsePart::Text(text) = &start.part {
                                deltas.push(text.content.clone());
                            }
                            // The last stream to start measures the memory of all open ones.
                            if first_seen.fetch_add(1, Ordering::SeqCst) + 1 == n {
                                let kb = status_kb("VmRSS").unwrap_or(0) as usize;
                                open_kb.store(kb, Ordering::SeqCst);
                            }
                        }
                        ModelResponseStreamEvent::PartDelta(delta) => {
                            if let ModelResponsePartDelta::Text(text) = &delta.delta {
                                deltas.push(text.content_delta.clone());
                            }
                        }
                        _ => {}
                    }
                }
                let expected: Vec<String> = (0..DELTAS).map(|k| format!("{id}:{k} ")).collect();
                assert_eq!(deltas, expected, "stream {id}: a delta lost or duplicated");
                let response = stream.get();
                assert_eq!(response.state, ResponseState::Complete);
                assert_eq!(response.text(), answer(id));
                (id, response)
            })
        })
        .collect();
    let mut streamed = Vec::with_capacity(n);
    for task in tasks {
        streamed.push(task.await.expect("stream task"));
    }
    let streams_took = started.elapsed();
    // Every accumulated response equals its non-streamed twin.
    let twins: Vec<_> = futures::stream::iter(streamed)
        .map(|(id, mut from_stream)| {
            let model = model.clone();
            async move {
                let prompt = [ModelRequest::user_text_prompt(format!("load-{id}"))];
                let (whole, _) = model_request(model, prompt).await.expect("twin");
                from_stream.timestamp = whole.timestamp;
                assert_eq!(from_stream, whole, "stream {id} differs from its twin");
            }
        })
        .buffer_unordered(256)
        .collect()
        .await;
    let peak_kb = status_kb("VmHWM").unwrap_or(0);
    let open_kb = open_kb.load(Ordering::SeqCst) as u64;
    let per_stream = open_kb.saturating_sub(baseline_kb) * 1024 / n as u64;
    format!(
        "{n} concurrent streams in {streams_took:.2?}, {} deltas checked, {} twins equal; \
         RSS {baseline_kb} kB before, {open_kb} kB with all {n} open, peak (VmHWM) {peak_kb} \
         kB: {per_stream} bytes per open stream",
        n * DELTAS,
        twins.len()
    )
}
