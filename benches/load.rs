//! The load numbers as a benchmark: N concurrent Chat streams (each [`load::DELTAS`] deltas)
//! through the whole client against the lean local server of `tests/support/load.rs`, in one
//! process; and the resident memory they took. `cargo bench --bench load`. The 10,000-stream
//! run with its checks is `tests/load.rs` (ignored by default).

#[allow(dead_code)]
#[path = "../tests/support/load.rs"]
mod load;

use futures::StreamExt;
use llm_runtime::messages::ModelRequest;
use llm_runtime::model_request_stream;
use llm_runtime::providers::OpenAi;
use load::{answer, Behaviour, LoadServer};

fn main() {
    divan::main();
}

#[divan::bench(args = [100, 1000], sample_count = 5, sample_size = 1)]
fn concurrent_streams(bencher: divan::Bencher, n: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(LoadServer::start(|_| Behaviour::Answer, None));
    let model = OpenAi::builder()
        .base_url(server.url())
        .api_key("sk-bench")
        .build()
        .expect("provider")
        .model("gpt-4o");
    bencher.bench_local(|| {
        runtime.block_on(async {
            let streams = (0..n).map(|id| {
                let model = model.clone();
                tokio::spawn(async move {
                    let prompt = [ModelRequest::user_text_prompt(format!("load-{id}"))];
                    let mut stream = model_request_stream(model, prompt).await.expect("stream");
                    while let Some(event) = stream.next().await {
                        event.expect("no error");
                    }
                    assert_eq!(stream.get().text(), answer(id));
                })
            });
            for stream in futures::future::join_all(streams).await {
                stream.expect("stream task");
            }
        })
    });
    eprintln!(
        "{n} streams: peak RSS (VmHWM) {} kB",
        load::status_kb("VmHWM").unwrap_or(0)
    );
}
