//! `#[toolset]`: parse (`ast`), check (`check`), generate (`expand`).

mod ast;
mod check;
mod expand;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ctxt::Ctxt;

/// Expands `#[toolset(args)] input`.
pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let paths = ast::parse_args(&cx, args).unwrap_or_default();
    let item: DeriveInput = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => return not_a_type(input, cx),
    };
    let parsed = ast::Input::from_syn(&item);
    check::check(&cx, &parsed);
    match cx.check() {
        Ok(()) => expand::toolset(&parsed, &paths),
        Err(errors) => expand::fallback(&parsed, &paths, errors),
    }
}

/// `#[toolset]` on a function, an impl…: the item unchanged, and one error at its first token
/// after its attributes (and the errors in its options).
fn not_a_type(input: TokenStream, cx: Ctxt) -> TokenStream {
    let span = crate::item_span(&input);
    let mut error = syn::Error::new(
        span,
        "#[toolset] applies to an enum whose variants each wrap one #[tool] type, e.g. \
         `enum Calc { Divide(Divide), Multiply(Multiply) }`",
    );
    // The mistakes in the options too, if any.
    if let Err(options) = cx.check() {
        error.combine(options);
    }
    let error = error.to_compile_error();
    quote!(#input #error)
}
