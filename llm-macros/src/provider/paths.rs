//! The path of the runtime crate in expansions: `::llm_runtime`, or what `crate = ".."` says.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

/// The root of `llm-runtime` as the expansion names it.
pub enum RuntimePath {
    Default,
    Custom(syn::Path),
}

impl ToTokens for RuntimePath {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            RuntimePath::Default => tokens.extend(quote!(::llm_runtime)),
            RuntimePath::Custom(path) => path.to_tokens(tokens),
        }
    }
}
