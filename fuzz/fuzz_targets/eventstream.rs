//! The AWS event-stream decoder: any bytes (with their CRCs made to hold when the seed's low
//! bit is set, so that headers are reached), cut into any chunks, give the same messages (or
//! errors) as the whole body does; a small message bound never panics or loops.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llm_runtime_fuzz::{chunks, decode_eventstream, fix_eventstream_crcs};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, body)) = data.split_first() else {
        return;
    };
    let mut body = body.to_vec();
    if seed & 1 == 1 {
        fix_eventstream_crcs(&mut body);
    }
    let whole = decode_eventstream(&[&body], 1 << 24);
    let cut = decode_eventstream(&chunks(&body, seed), 1 << 24);
    assert_eq!(whole, cut, "chunking changed the messages");
    decode_eventstream(&chunks(&body, seed), usize::from(seed) * 4);
});
