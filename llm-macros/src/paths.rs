//! Where the generated code finds `llm-runtime`: `::llm_runtime`, or the path given by
//! `crate = ".."` (for a crate that re-exports it under another name).

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::meta::ParseNestedMeta;

use crate::ctxt::Ctxt;

/// The path of the `llm_runtime` crate in generated code.
#[derive(Clone)]
pub struct Paths {
    krate: syn::Path,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            krate: syn::parse_quote!(::llm_runtime),
        }
    }
}

impl Paths {
    /// The paths under `krate` (what a `crate = ".."` option names).
    pub fn new(krate: syn::Path) -> Self {
        Paths { krate }
    }

    /// Reads the value of a `crate = ".."` option.
    pub fn parse_option(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Paths>> {
        let literal: syn::LitStr = meta.value()?.parse()?;
        match literal.parse::<syn::Path>() {
            Ok(krate) => Ok(Some(Paths { krate })),
            Err(_) => {
                cx.error_spanned_by(
                    &literal,
                    format!(
                        "`crate` must be the path llm_runtime is reachable at, e.g. \
                         `crate = \"::llm_runtime\"`; `{}` is not a path",
                        literal.value()
                    ),
                );
                Ok(None)
            }
        }
    }

    /// `::llm_runtime::tools`.
    pub fn tools(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::tools)
    }

    /// `::llm_runtime::messages`.
    pub fn messages(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::messages)
    }

    /// `::llm_runtime::__private`: the re-exports generated code uses (serde, schemars).
    pub fn private(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::__private)
    }

    /// The path of a crate re-exported in `__private`, as the string serde's and schemars'
    /// `crate = ".."` options take.
    pub fn private_crate_string(&self, name: &str) -> String {
        let mut out = String::new();
        if self.krate.leading_colon.is_some() {
            out.push_str("::");
        }
        for segment in &self.krate.segments {
            out.push_str(&segment.ident.to_string());
            out.push_str("::");
        }
        out.push_str("__private::");
        out.push_str(name);
        out
    }
}

impl ToTokens for Paths {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.krate.to_tokens(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_crate_paths_follow_the_crate_option() {
        assert_eq!(
            Paths::default().private_crate_string("serde"),
            "::llm_runtime::__private::serde"
        );
        let paths = Paths {
            krate: syn::parse_quote!(my_sdk::llm),
        };
        assert_eq!(
            paths.private_crate_string("schemars"),
            "my_sdk::llm::__private::schemars"
        );
    }
}
