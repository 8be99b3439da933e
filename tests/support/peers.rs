//! The real local peers of `scripts/realpeers/` (llama.cpp, Prism), as `.ci/run` exports them.

/// The base URL in `var` (`LLAMA_BASE_URL`, `PRISM_BASE_URL`) when the real peers are on:
/// `LLM_REAL_PEERS=1` and `var` set, as `.ci/run` exports them once the peers answer.
///
/// Otherwise the caller's test prints one line saying so and returns: the suites that need
/// a peer are opt-in outside CI.
pub fn peer_url(var: &str, test: &str) -> Option<String> {
    let enabled = std::env::var("LLM_REAL_PEERS").is_ok_and(|v| v.trim() == "1");
    let url = std::env::var(var)
        .ok()
        .map(|url| url.trim().trim_end_matches('/').to_owned())
        .filter(|url| !url.is_empty());
    match (enabled, url) {
        (true, Some(url)) => Some(url),
        _ => {
            println!(
                "{test}: skipped, real peers not running (needs LLM_REAL_PEERS=1 and {var}; \
                 see scripts/realpeers/README.md)"
            );
            None
        }
    }
}
