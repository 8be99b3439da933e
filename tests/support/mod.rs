//! Helpers shared by the integration suites (`mod support;` in each; what a suite does not
//! use is dead code there, hence the `allow`), by concept:
//! * [`server`]: a local HTTP server answering scripted replies and recording the requests;
//! * [`echo`], [`peers`]: a toy protocol served by it, and the real local peers;
//! * [`stream`]: reading a response stream to its end;
//! * [`replay`]: a recorded response served again by the [`server`];
//! * [`recordings`]: the recorded traffic in `../shared/fixtures` (cassettes, SSE, oracle
//!   files), located by [`shared_fixtures`];
//! * [`conformance`]: replaying recordings through a protocol, the per-directory tallies and
//!   the verdict on differences from pydantic-ai's oracle;
//! * [`openai_chat`], [`anthropic`], [`gemini`]: the protocol-specific halves of those suites shared by an
//!   offline suite and a wire suite;
//! * [`builtin_tools`]: one request per (protocol, built-in tool), with the body to compare with;
//! * [`vertex`]: a local OAuth2 token endpoint and Vertex AI credential files;
//! * [`spec_keys`]: keys of a body that OpenAI's published spec does not name;
//! * [`oracle`]: the Python that runs an official SDK as a test oracle;
//! * [`load`]: a lean Chat server with counters, for the load and connection tests;
//! * [`wire`]: every landed protocol pointed at the [`server`], with one answer whole and
//!   streamed and its in-stream error (the reliability suites).
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/fixtures` beside the project, when it is there (CI always has it).
///
/// When it is absent the caller's test prints one line saying so and returns.
pub fn shared_fixtures(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("{test}: skipped, ../shared/fixtures is not present (CI has it)");
        None
    }
}

pub mod anthropic;
pub mod builtin_tools;
pub mod conformance;
pub mod echo;
pub mod gemini;
pub mod load;
pub mod openai_chat;
pub mod oracle;
pub mod peers;
pub mod recordings;
pub mod replay;
pub mod server;
pub mod spec_keys;
pub mod stream;
pub mod vertex;
pub mod wire;
