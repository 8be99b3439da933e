//! Every request path of the client against its floor, in one run, written to BENCHMARKS.md:
//! a non-streamed request; a 2,000-delta stream of each protocol (OpenAI Chat and Responses,
//! Anthropic, Gemini, Bedrock, Cohere); the time from the first byte to the first event; a
//! 1 MB and a 10 MB SSE line; the memory of each open stream at 2,000 and 10,000 streams.
//!
//! `scripts/bench.sh [--quick]` runs it (`cargo bench --bench floor -- [--quick] [--out FILE]`).
//! The floor is plain reqwest and serde_json doing only what the case needs (`floors.rs`).
//! The server runs in a child process, so the CPU time measured here (`getrusage`, every
//! thread of this process) is the client's; each memory figure comes from a child process of
//! its own that holds the streams open. Samples of the floor and of this crate alternate,
//! so that both meet the same noise; each sample is a batch of operations, and the tables
//! give the minimum, median and maximum of the samples' per-operation times.

mod bodies;
mod floors;
mod measure;
mod ours;
mod report;
mod server;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::Arc;

use llm_runtime::models::Model;
use measure::sample;
use report::{Latency, Memory, Timed};
use tokio::runtime::Runtime;

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    pub quick: bool,
    /// Samples of each side of each timed case.
    pub samples: usize,
    /// Runs of each memory case.
    pub memory_runs: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--serve") {
        return server::serve();
    }
    if let Some(at) = args.iter().position(|a| a == "--hold") {
        return hold_child(&args[at + 1..]);
    }
    if let Some(at) = args.iter().position(|a| a == "--profile") {
        return profile(&args[at + 1..]);
    }
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|at| args.get(at + 1))
        .cloned()
        .unwrap_or_else(|| "BENCHMARKS.md".to_owned());
    let mode = Mode {
        quick,
        samples: if quick { 11 } else { 31 },
        memory_runs: if quick { 1 } else { 3 },
    };
    measure::raise_open_files();
    let (mut server, port) = server::spawn();
    let started = std::time::Instant::now();
    let bench = Bench::new(port);
    let timed = bench.timed(mode);
    let latency = bench.latency(mode);
    drop(bench);
    let memory = memory(mode, port);
    let _ = server.kill();
    let _ = server.wait();
    let report = report::write(mode, &timed, &latency, &memory, started.elapsed());
    std::fs::write(&out, &report).expect("write the report");
    println!("{report}");
    eprintln!("written to {out}");
}

/// `--profile <route> <floor|ours> <ops>`: one warm-up operation, then `ops` operations of
/// one side, nothing else (to run under `valgrind --tool=callgrind`, whose instruction counts
/// do not depend on the machine's load; the server's child process is not traced).
fn profile(args: &[String]) {
    let route = args.first().map_or("request", String::as_str);
    let side = match args.get(1).map(String::as_str) {
        Some("floor") => Side::Floor,
        _ => Side::Ours,
    };
    let ops: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100);
    let (mut server, port) = server::spawn();
    let bench = Bench::new(port);
    bench.op(route, side);
    for _ in 0..ops {
        bench.op(route, side);
    }
    let _ = server.kill();
    let _ = server.wait();
}

/// Which client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Floor,
    Ours,
}

/// The timed cases: name, route on the server, operations per sample (full, quick).
const TIMED: [(&str, &str, usize, usize); 9] = [
    ("request (Chat, not streamed)", "request", 1000, 300),
    ("stream: OpenAI Chat", "chat", 40, 15),
    ("stream: OpenAI Responses", "responses", 40, 15),
    ("stream: Anthropic", "anthropic", 40, 15),
    ("stream: Gemini", "gemini", 40, 15),
    ("stream: Bedrock", "bedrock", 40, 15),
    ("stream: Cohere", "cohere", 40, 15),
    ("1 MB SSE line (Chat)", "big1", 20, 8),
    ("10 MB SSE line (Chat)", "big10", 3, 2),
];

/// The client side of a run: one runtime, one reqwest client for the floors, one model per
/// route for this crate.
struct Bench {
    runtime: Runtime,
    client: reqwest::Client,
    port: u16,
    models: HashMap<&'static str, Arc<dyn Model>>,
}

impl Bench {
    fn new(port: u16) -> Bench {
        // The price data decoded now, not on a thread of its own during the first samples.
        llm_runtime::cost::preload();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let routes = TIMED.iter().map(|case| case.1).chain(["latency"]);
        let models = routes
            .map(|route| (route, ours::model(port, route)))
            .collect();
        Bench {
            runtime,
            client: reqwest::Client::new(),
            port,
            models,
        }
    }

    fn url(&self, route: &str) -> String {
        let port = self.port;
        let base = format!("http://127.0.0.1:{port}/{route}");
        match route {
            "responses" => format!("{base}/v1/responses"),
            "anthropic" => format!("{base}/v1/messages"),
            "gemini" => {
                format!("{base}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
            }
            "cohere" => format!("{base}/v2/chat"),
            "bedrock" => format!("{base}/model/bedrock-model/converse-stream"),
            _ => format!("{base}/v1/chat/completions"),
        }
    }

    /// One operation of `route` by `side`.
    fn op(&self, route: &str, side: Side) {
        let client = &self.client;
        let url = self.url(route);
        self.runtime.block_on(async {
            let text = match (side, route) {
                (Side::Floor, "request") => {
                    floors::request(client, &url).await;
                    return;
                }
                (Side::Ours, "request") => {
                    ours::request(&self.models[route]).await;
                    return;
                }
                (Side::Ours, _) => ours::stream(&self.models[route]).await,
                (Side::Floor, "bedrock") => floors::bedrock(stream_post(client, route, &url)).await,
                (Side::Floor, route) => {
                    let (separator, text_of): (&[u8], floors::TextOf) = match route {
                        "responses" => (b"\n\n", floors::responses_text),
                        "anthropic" => (b"\n\n", floors::anthropic_text),
                        "gemini" => (b"\r\n\r\n", floors::gemini_text),
                        "cohere" => (b"\n\n", floors::cohere_text),
                        _ => (b"\n\n", floors::chat_text),
                    };
                    floors::sse(stream_post(client, route, &url), separator, text_of).await
                }
            };
            assert_eq!(text.len(), expected(route).len(), "{route} {side:?}");
        });
    }

    /// Every timed case, floor and this crate alternating.
    fn timed(&self, mode: Mode) -> Vec<Timed> {
        TIMED
            .iter()
            .map(|&(name, route, full, quick)| {
                let ops = if mode.quick { quick } else { full };
                // Warm up: connections, lazy statics, the allocator's pools.
                self.op(route, Side::Floor);
                self.op(route, Side::Ours);
                let (mut floor, mut ours) = (Vec::new(), Vec::new());
                for s in 0..mode.samples {
                    let run = |side| sample(ops, || self.op(route, side));
                    if s % 2 == 0 {
                        floor.push(run(Side::Floor));
                        ours.push(run(Side::Ours));
                    } else {
                        ours.push(run(Side::Ours));
                        floor.push(run(Side::Floor));
                    }
                }
                eprintln!("{name}: done");
                Timed::new(name, ops, &floor, &ours)
            })
            .collect()
    }

    /// The first-byte-to-first-event time of a Chat stream, floor and this crate alternating.
    fn latency(&self, mode: Mode) -> Latency {
        let url = self.url("latency");
        let model = &self.models["latency"];
        let (mut floor, mut ours) = (Vec::new(), Vec::new());
        let runs = mode.samples * if mode.quick { 10 } else { 20 };
        for _ in 0..runs {
            self.runtime.block_on(async {
                let request = floors::chat_post(&self.client, &url, true);
                floor.push(floors::first_event(request).await as f64);
                ours.push(ours::first_event(model).await as f64);
            });
        }
        eprintln!("first event: done");
        Latency::new(&floor, &ours)
    }
}

/// A streamed request of the floor to `url`, with the headers its API asks for.
fn stream_post(client: &reqwest::Client, route: &str, url: &str) -> reqwest::RequestBuilder {
    match route {
        "chat" | "big1" | "big10" | "latency" | "hold" => floors::chat_post(client, url, true),
        _ => client
            .post(url)
            .bearer_auth("key-bench")
            .header("content-type", "application/json")
            .body(
                r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"What is the capital of France?"}]}"#,
            ),
    }
}

/// The text a stream of `route` ends with.
fn expected(route: &str) -> &'static str {
    use std::sync::OnceLock;
    static TEXTS: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        let mut texts = HashMap::from([("stream", bodies::expected_text())]);
        for (route, bytes) in server::BIG_LINES {
            texts.insert(route, bodies::big_line_text(bytes));
        }
        texts
    });
    texts.get(route).unwrap_or(&texts["stream"])
}

/// Memory per open stream, each figure from a child process of its own.
fn memory(mode: Mode, port: u16) -> Vec<Memory> {
    [2000usize, 10000]
        .into_iter()
        .map(|streams| {
            let (mut floor, mut ours) = (Vec::new(), Vec::new());
            for _ in 0..mode.memory_runs {
                floor.push(hold_run("floor", streams, port));
                ours.push(hold_run("ours", streams, port));
            }
            eprintln!("memory at {streams} streams: done");
            Memory::new(streams, &floor, &ours)
        })
        .collect()
}

/// Runs `--hold side streams port` in a child process: bytes of resident memory per stream.
fn hold_run(side: &str, streams: usize, port: u16) -> f64 {
    let output = Command::new(std::env::current_exe().expect("this program"))
        .args(["--hold", side, &streams.to_string(), &port.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .expect("the holding process");
    assert!(output.status.success(), "--hold {side} {streams} failed");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("bytes per stream")
}

/// The child of [`hold_run`]: opens the streams at once, each read up to its first event,
/// and prints the growth of resident memory per stream once all are open.
fn hold_child(args: &[String]) {
    let side = if args[0] == "ours" {
        Side::Ours
    } else {
        Side::Floor
    };
    let streams: usize = args[1].parse().expect("streams");
    let port: u16 = args[2].parse().expect("port");
    measure::raise_open_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = reqwest::Client::new();
    let model = ours::model(port, "hold");
    let url = format!("http://127.0.0.1:{port}/hold/v1/chat/completions");
    let open_one = |client: reqwest::Client, model: Arc<dyn Model>, url: String| async move {
        match side {
            Side::Floor => Box::new(floors::hold(floors::chat_post(&client, &url, true)).await)
                as Box<dyn Send>,
            Side::Ours => Box::new(ours::hold(&model).await) as Box<dyn Send>,
        }
    };
    let per_stream = runtime.block_on(async {
        // One stream first, closed: what every process has once it has made a request.
        drop(open_one(client.clone(), Arc::clone(&model), url.clone()).await);
        let before = measure::status_kb("VmRSS").expect("VmRSS");
        let tasks: Vec<_> = (0..streams)
            .map(|_| tokio::spawn(open_one(client.clone(), Arc::clone(&model), url.clone())))
            .collect();
        let mut held = Vec::with_capacity(streams);
        for task in tasks {
            held.push(task.await.expect("a stream"));
        }
        let after = measure::status_kb("VmRSS").expect("VmRSS");
        let per_stream = (after.saturating_sub(before) * 1024) as f64 / streams as f64;
        std::mem::forget(held);
        per_stream
    });
    println!("{per_stream}");
    // Skip closing 10,000 connections one by one.
    std::process::exit(0);
}
