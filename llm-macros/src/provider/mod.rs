//! `#[provider]`: parse the options ([`attr`]), check them and the item ([`check`]), expand
//! ([`expand`]). On error the struct is emitted unchanged with every error, so that the
//! user's other uses of it do not cascade into more errors.

mod attr;
mod check;
mod expand;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use self::attr::Attrs;
use crate::ctxt::Ctxt;

/// Expands `#[provider(args)] item`.
pub fn provider(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: syn::Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(err) => {
            let err = err.to_compile_error();
            return quote!(#input #err);
        }
    };
    let cx = Ctxt::new();
    let attrs = Attrs::parse(&cx, args);
    let resolved = check::resolve(&cx, &item, attrs);
    let expanded = resolved.as_ref().map(expand::expand);
    match (cx.check(), expanded) {
        (Ok(()), Some(expanded)) => expanded,
        (Err(err), _) => {
            let err = err.to_compile_error();
            let item = item.to_token_stream();
            quote!(#item #err)
        }
        // `resolve` returns `None` only after reporting an error.
        (Ok(()), None) => item.to_token_stream(),
    }
}
