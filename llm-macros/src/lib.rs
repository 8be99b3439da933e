//! Procedural macros of `llm-runtime`: `#[tool]`, `#[toolset]` and `#[provider]`.
//!
//! Use them through `llm-runtime`, which re-exports them and documents them (its `tools`
//! module has the guide, with examples that run).

mod ctxt;
mod docs;
mod paths;
mod symbol;
mod tool;
mod toolset;

use proc_macro::TokenStream;

/// Makes a struct with named fields a tool the model can call: adds the `Deserialize` and
/// `JsonSchema` derives it lacks and implements `llm_runtime::tools::Tool`.
///
/// Options: `name = ".."`, `description = ".."`, `strict`, `crate = ".."`. See the `tools`
/// module of `llm-runtime` for the guide.
#[proc_macro_attribute]
pub fn tool(args: TokenStream, input: TokenStream) -> TokenStream {
    expand_with(args, input, tool::expand)
}

/// Makes an enum whose variants each wrap one `#[tool]` type a toolset: generates
/// `definitions()` and `from_call()`, which dispatches on the tool name.
///
/// Option: `crate = ".."`. See the `tools` module of `llm-runtime` for the guide.
#[proc_macro_attribute]
pub fn toolset(args: TokenStream, input: TokenStream) -> TokenStream {
    expand_with(args, input, toolset::expand)
}

/// Runs one macro; `LLM_MACROS_DEBUG=1` prints each expansion to stderr.
fn expand_with(
    args: TokenStream,
    input: TokenStream,
    expand: fn(proc_macro2::TokenStream, proc_macro2::TokenStream) -> proc_macro2::TokenStream,
) -> TokenStream {
    let output = expand(args.into(), input.into());
    if std::env::var_os("LLM_MACROS_DEBUG").is_some_and(|v| v != "0") {
        eprintln!("{output}");
    }
    output.into()
}
