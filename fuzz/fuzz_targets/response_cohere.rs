//! The Cohere v2 Chat response parser: any body is a response or a typed error, and a response
//! serializes and loads back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    llm_runtime_fuzz::parse_response(&llm_runtime::providers::cohere::CohereChat, data);
});
