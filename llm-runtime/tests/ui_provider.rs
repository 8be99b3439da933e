//! Compile tests of `#[provider]`: what must build, and the errors misuse gets.
//!
//! The expected compiler output (`.stderr`) is blessed against the installed stable
//! toolchain with `TRYBUILD=overwrite cargo test -p llm-runtime --test ui_provider`; review
//! the diff when the compiler changes.

#[test]
fn provider_ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/provider/pass/*.rs");
    cases.compile_fail("tests/ui/provider/fail/*.rs");
}
