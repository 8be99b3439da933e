//! The Python that runs an official SDK as an oracle (botocore, google-auth, genai-prices,
//! pydantic-ai): `LLM_PYTHON` if set (then it must import the module: CI sets it once
//! `scripts/realpeers/setup.sh` installed them), else the peers venv (`REALPEERS_DIR`, default
//! `.realpeers`), else `.venv-oracle` in the workspace, else `python3`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Whether `python` imports `module`.
fn imports(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// A Python that imports `module` (the package `package` installs it); `None`, after printing
/// one skip line for `test`, when there is none.
pub fn python_with(module: &str, package: &str, test: &str) -> Option<PathBuf> {
    if let Some(python) = std::env::var_os("LLM_PYTHON").filter(|p| !p.is_empty()) {
        let python = PathBuf::from(python);
        assert!(
            imports(&python, module),
            "LLM_PYTHON={} cannot import {module} (run scripts/realpeers/setup.sh)",
            python.display()
        );
        return Some(python);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let peers = std::env::var_os("REALPEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".realpeers"));
    let found = [
        peers.join("venv/bin/python"),
        root.join(".venv-oracle/bin/python"),
        PathBuf::from("python3"),
    ]
    .into_iter()
    .find(|python| imports(python, module));
    if found.is_none() {
        println!(
            "{test}: skipped, no Python with {package} (set LLM_PYTHON or run scripts/realpeers/setup.sh)"
        );
    }
    found
}
