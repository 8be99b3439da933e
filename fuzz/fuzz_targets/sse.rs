//! The SSE decoder: any bytes, cut into any chunks, decode to the same events (or errors) as
//! the whole body does, and a small event bound never panics or loops.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llm_runtime_fuzz::{chunks, decode_sse};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, body)) = data.split_first() else {
        return;
    };
    let whole = decode_sse(&[body], usize::MAX);
    let cut = decode_sse(&chunks(body, seed), usize::MAX);
    assert_eq!(whole, cut, "chunking changed the events");
    decode_sse(&chunks(body, seed), usize::from(seed));
});
