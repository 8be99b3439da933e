//! Procedural macros of `llm-runtime`: `#[tool]`, `#[toolset]` and `#[provider]`.
//!
//! Use them through `llm-runtime`, which re-exports them and documents them (its `tools`
//! module has the guide, with examples that run).

mod ctxt;
mod docs;
mod paths;
mod provider;
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

/// Declares an HTTP provider; documented in `llm_runtime`, which re-exports it.
#[proc_macro_attribute]
pub fn provider(args: TokenStream, input: TokenStream) -> TokenStream {
    expand_with(args, input, provider::provider)
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

/// The span of an item's first token after its attributes (`fn`, `pub`, `impl`…), where an
/// error about the kind of item belongs.
fn item_span(item: &proc_macro2::TokenStream) -> proc_macro2::Span {
    use proc_macro2::{Delimiter, TokenTree};
    let mut tokens = item.clone().into_iter().peekable();
    while let Some(token) = tokens.next() {
        let is_attribute = matches!(&token, TokenTree::Punct(p) if p.as_char() == '#')
            && matches!(tokens.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket);
        if is_attribute {
            tokens.next();
        } else {
            return token.span();
        }
    }
    proc_macro2::Span::call_site()
}
