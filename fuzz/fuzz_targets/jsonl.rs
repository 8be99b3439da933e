//! The newline-delimited JSON splitter: any bytes, cut into any chunks, give the same lines
//! (or errors) as the whole body does, and a small line bound never panics or loops.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llm_runtime_fuzz::{chunks, decode_jsonl};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, body)) = data.split_first() else {
        return;
    };
    let whole = decode_jsonl(&[body], usize::MAX);
    let cut = decode_jsonl(&chunks(body, seed), usize::MAX);
    assert_eq!(whole, cut, "chunking changed the lines");
    decode_jsonl(&chunks(body, seed), usize::from(seed));
});
