//! Helpers shared by the end-to-end tests.
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

pub mod echo;
pub mod peers;
pub mod server;
pub mod stream;
