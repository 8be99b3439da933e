//! Compile-pass and compile-fail tests of the macros, one misuse per file; each `.stderr`
//! is the exact message a user sees. Bless with `TRYBUILD=overwrite cargo test --test ui`
//! and review the diff.

#[test]
fn tool() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/tool/pass/*.rs");
    cases.compile_fail("tests/ui/tool/fail/*.rs");
}

#[test]
fn toolset() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/toolset/pass/*.rs");
    cases.compile_fail("tests/ui/toolset/fail/*.rs");
}
