//! `#[tool]`: parse (`attr`, `ast`), check (`check`), generate (`expand`).

mod ast;
mod attr;
mod check;
mod expand;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ctxt::Ctxt;

/// Expands `#[tool(args)] input`.
pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let attr = attr::parse(&cx, args);
    let item: DeriveInput = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => return not_a_type(input, cx),
    };
    let parsed = ast::Input::from_syn(&cx, &item);
    check::check(&cx, &parsed, &attr);
    let paths = attr.paths.clone().unwrap_or_default();
    match cx.check() {
        Ok(()) => expand::tool(&parsed, &input, &attr, &paths),
        Err(errors) => expand::fallback(&parsed, &input, &attr, &paths, errors),
    }
}

/// `#[tool]` on a function, an impl…: the item unchanged, and one error at its first token
/// after its attributes (and the errors in its options).
fn not_a_type(input: TokenStream, cx: Ctxt) -> TokenStream {
    let span = crate::item_span(&input);
    let mut error = syn::Error::new(
        span,
        "#[tool] applies to a struct with named fields, e.g. \
         `struct Divide { numerator: f64, denominator: f64 }`",
    );
    // The mistakes in the options too, if any.
    if let Err(options) = cx.check() {
        error.combine(options);
    }
    let error = error.to_compile_error();
    quote!(#input #error)
}
