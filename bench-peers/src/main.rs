//! The peers (async-openai, genai, rig-core) on the same work as `benches/floor`, against the
//! same child-process server and with the same measurement, next to the floor and this crate:
//! the non-streamed Chat request, the OpenAI Chat stream and the Anthropic stream (genai and
//! rig-core; async-openai speaks OpenAI only). `scripts/bench.sh --peers` runs it and puts its
//! "Peers" section into BENCHMARKS.md (`cargo run --release -- [--quick] [--out FILE]`).
//!
//! The server, bodies, floors, measurements and this crate's side are `benches/floor`'s own
//! files, included by `#[path]`. Samples rotate through the contenders so that each meets the
//! same noise; the CPU time is this process's (`getrusage`, every thread), the server's being
//! in its child process.

#[allow(dead_code)]
#[path = "../../benches/floor/bodies.rs"]
mod bodies;
#[allow(dead_code)]
#[path = "../../benches/floor/floors.rs"]
mod floors;
#[allow(dead_code)]
#[path = "../../benches/floor/measure.rs"]
mod measure;
#[allow(dead_code)]
#[path = "../../benches/floor/ours.rs"]
mod ours;
mod peers;
#[allow(dead_code)]
#[path = "../../benches/floor/report.rs"]
mod report;
mod section;
#[allow(dead_code)]
#[path = "../../benches/floor/server.rs"]
mod server;

use std::sync::Arc;

use llm_runtime::models::Model;
use measure::{sample, Sample};
use peers::Peer;
use tokio::runtime::Runtime;

/// How much to measure (the fields `report.rs` reads).
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    pub quick: bool,
    /// Samples of each contender of each case.
    pub samples: usize,
    /// Unused here: no memory cases.
    pub memory_runs: usize,
}

/// The cases: name, route on the server, operations per sample (full, quick), as in
/// `benches/floor`.
const CASES: [(&str, &str, usize, usize); 3] = [
    ("request (Chat, not streamed)", "request", 1000, 300),
    ("stream: OpenAI Chat", "chat", 40, 15),
    ("stream: Anthropic", "anthropic", 40, 15),
];

/// Who runs an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contender {
    Floor,
    Ours,
    Peer(Peer),
}

impl Contender {
    pub fn name(self) -> &'static str {
        match self {
            Contender::Floor => "floor (reqwest + serde_json)",
            Contender::Ours => "llm-runtime (this crate)",
            Contender::Peer(peer) => peer.name(),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--serve") {
        return server::serve();
    }
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|at| args.get(at + 1))
        .cloned();
    let mode = Mode {
        quick,
        samples: if quick { 11 } else { 31 },
        memory_runs: 0,
    };
    measure::raise_open_files();
    let (mut server, port) = server::spawn();
    let started = std::time::Instant::now();
    llm_runtime::cost::preload();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cases: Vec<section::Case> = CASES
        .iter()
        .map(|&(name, route, full, quick)| {
            let ops = if mode.quick { quick } else { full };
            let case = Case::new(&runtime, port, route);
            let samples = case.samples(mode, ops);
            eprintln!("{name}: done");
            section::Case {
                name,
                ops,
                results: case
                    .contenders
                    .iter()
                    .map(|c| c.name())
                    .zip(samples)
                    .collect(),
            }
        })
        .collect();
    let _ = server.kill();
    let _ = server.wait();
    let text = section::write(mode, &cases, started.elapsed());
    match out {
        Some(out) => {
            std::fs::write(&out, &text).expect("write the section");
            eprintln!("written to {out}");
        }
        None => println!("{text}"),
    }
}


/// One case's contenders and their clients.
struct Case<'a> {
    runtime: &'a Runtime,
    route: &'static str,
    url: String,
    /// The text every stream ends with.
    expected: String,
    client: reqwest::Client,
    model: Arc<dyn Model>,
    peers: Vec<peers::Client>,
    contenders: Vec<Contender>,
}

impl<'a> Case<'a> {
    fn new(runtime: &'a Runtime, port: u16, route: &'static str) -> Case<'a> {
        let base = format!("http://127.0.0.1:{port}/{route}");
        let url = match route {
            "anthropic" => format!("{base}/v1/messages"),
            _ => format!("{base}/v1/chat/completions"),
        };
        let speaking: Vec<Peer> = Peer::ALL.into_iter().filter(|p| p.speaks(route)).collect();
        // Clients built inside the runtime: some spawn or register tasks when built.
        let peers = runtime.block_on(async {
            speaking
                .iter()
                .map(|&peer| peers::client(peer, port, route))
                .collect()
        });
        let contenders = [Contender::Floor, Contender::Ours]
            .into_iter()
            .chain(speaking.into_iter().map(Contender::Peer))
            .collect();
        Case {
            runtime,
            route,
            url,
            expected: bodies::expected_text(),
            client: reqwest::Client::new(),
            model: ours::model(port, route),
            peers,
            contenders,
        }
    }

    /// One operation of `contenders[at]`.
    fn op(&self, at: usize) {
        let route = self.route;
        self.runtime.block_on(async {
            let text = match (self.contenders[at], route) {
                (Contender::Floor, "request") => {
                    floors::request(&self.client, &self.url).await;
                    return;
                }
                (Contender::Ours, "request") => {
                    ours::request(&self.model).await;
                    return;
                }
                (Contender::Peer(_), "request") => {
                    peers::request(&self.peers[at - 2]).await;
                    return;
                }
                (Contender::Floor, "anthropic") => {
                    let request = self
                        .client
                        .post(&self.url)
                        .header("x-api-key", "sk-ant-bench")
                        .header("content-type", "application/json")
                        .body(
                            r#"{"model":"m","stream":true,"max_tokens":1024,"messages":[{"role":"user","content":"What is the capital of France?"}]}"#,
                        );
                    floors::sse(request, b"\n\n", floors::anthropic_text).await
                }
                (Contender::Floor, _) => {
                    let request = floors::chat_post(&self.client, &self.url, true);
                    floors::sse(request, b"\n\n", floors::chat_text).await
                }
                (Contender::Ours, _) => ours::stream(&self.model).await,
                (Contender::Peer(_), _) => peers::stream(&self.peers[at - 2]).await,
            };
            assert_eq!(
                text, self.expected,
                "{route} {}",
                self.contenders[at].name()
            );
        });
    }

    /// The samples of every contender, in the order of `contenders`; each sample round
    /// starts with the next contender, so that none is always first after another.
    fn samples(&self, mode: Mode, ops: usize) -> Vec<Vec<Sample>> {
        let n = self.contenders.len();
        // Warm up: connections, lazy statics, the allocator's pools.
        for at in 0..n {
            self.op(at);
        }
        let mut samples = vec![Vec::new(); n];
        for s in 0..mode.samples {
            for k in 0..n {
                let at = (s + k) % n;
                samples[at].push(sample(ops, || self.op(at)));
            }
        }
        samples
    }
}
