//! The SSE decoder on a realistic OpenAI-style stream and on one 10 MB line.
//!
//! `cargo bench -p llm-runtime --bench sse`

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use llm_runtime::http::sse::SseDecoder;

fn main() {
    divan::main();
}

/// 2,000 chat-completion chunks of a few words each, then `[DONE]`, as OpenAI sends them.
fn openai_stream() -> Vec<u8> {
    let mut body = String::new();
    for i in 0..2000 {
        body.push_str(&format!(
            "data: {{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\
             \"created\":1741570283,\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\",\
             \"system_fingerprint\":\"fp_eb9dce56a8\",\"choices\":[{{\"index\":0,\"delta\":\
             {{\"content\":\" word{i} é\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n"
        ));
    }
    body.push_str("data: [DONE]\n\n");
    body.into_bytes()
}

/// Decodes `body` pushed in `chunk`-byte pieces; returns the number of events and data bytes.
fn decode(body: &[u8], chunk: usize) -> (usize, usize) {
    let mut decoder = SseDecoder::new();
    let (mut events, mut bytes) = (0, 0);
    for piece in body.chunks(chunk) {
        decoder.push(piece);
        while let Some(event) = decoder.next_event().expect("valid stream") {
            events += 1;
            bytes += event.data.len();
        }
    }
    (events, bytes)
}

/// The stream arriving in TCP-segment-sized chunks (cut anywhere, UTF-8 included).
#[divan::bench(args = [1460, 16 * 1024])]
fn openai_chunks(bencher: Bencher, chunk: usize) {
    let body = openai_stream();
    bencher
        .counter(BytesCount::of_slice(&body))
        .bench(|| black_box(decode(black_box(&body), chunk)));
}

/// One event whose `data:` line is 10 MB, in 16 KiB chunks: must be linear, not quadratic.
#[divan::bench(sample_count = 20)]
fn ten_mb_line(bencher: Bencher) {
    let mut body = b"data: ".to_vec();
    body.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    body.extend_from_slice(b"\n\n");
    bencher.counter(BytesCount::of_slice(&body)).bench(|| {
        let (events, _) = decode(black_box(&body), 16 * 1024);
        assert_eq!(events, 1);
    });
}
