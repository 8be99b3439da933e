//! Procedural macros of `llm-runtime`: `#[tool]`, `#[toolset]` and `#[provider]`.
//!
//! Use them through `llm-runtime`, which re-exports them and documents them.
