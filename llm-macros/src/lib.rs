//! Procedural macros of `llm-runtime`: `#[tool]`, `#[toolset]` and `#[provider]`.
//!
//! Use them through `llm-runtime`, which re-exports them and documents them.

mod provider;

use proc_macro::TokenStream;

/// Declares an HTTP provider; documented in `llm_runtime`, which re-exports it.
#[proc_macro_attribute]
pub fn provider(args: TokenStream, input: TokenStream) -> TokenStream {
    debug_expansion("provider", provider::provider(args.into(), input.into())).into()
}

/// Prints an expansion to stderr when `LLM_MACROS_DEBUG` is set.
fn debug_expansion(macro_name: &str, tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    if std::env::var_os("LLM_MACROS_DEBUG").is_some() {
        eprintln!("#[{macro_name}] expands to:\n{tokens}");
    }
    tokens
}
