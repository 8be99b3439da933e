//! The struct under `#[tool]`, as a model borrowing the `syn` input so that every error can
//! point at the user's own tokens.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, Generics, Ident, Path, Token};

use crate::ctxt::Ctxt;
use crate::docs::{self, Doc};
use crate::symbol::{DERIVE, DESERIALIZE, JSON_SCHEMA, SERDE, TRANSPARENT};

/// The annotated item.
pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub shape: Shape<'a>,
    pub doc: Option<Doc>,
    pub derives: Derives,
    /// `#[serde(transparent)]`, which would make the arguments something else than an object.
    pub serde_transparent: Option<Span>,
}

/// What kind of item it is.
pub enum Shape<'a> {
    /// `struct S { .. }`: what a tool is.
    Named,
    /// `struct S(..);`
    Tuple(&'a syn::FieldsUnnamed),
    /// `struct S;`
    Unit,
    /// `enum E { .. }`
    Enum(&'a Token![enum]),
    /// `union U { .. }`
    Union(&'a Token![union]),
}

/// Which of the derives a tool needs are already on the item.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Derives {
    pub deserialize: bool,
    pub json_schema: bool,
}

impl<'a> Input<'a> {
    pub fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Input<'a> {
        let shape = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(_) => Shape::Named,
                Fields::Unnamed(fields) => Shape::Tuple(fields),
                Fields::Unit => Shape::Unit,
            },
            Data::Enum(data) => Shape::Enum(&data.enum_token),
            Data::Union(data) => Shape::Union(&data.union_token),
        };
        Input {
            ident: &input.ident,
            generics: &input.generics,
            shape,
            doc: docs::extract(&input.attrs),
            derives: derives(cx, &input.attrs),
            serde_transparent: serde_transparent(&input.attrs),
        }
    }
}

/// Reads `#[derive(..)]` lists for `Deserialize` and `JsonSchema`, by any path
/// (`serde::Deserialize`, `Deserialize`).
fn derives(cx: &Ctxt, attrs: &[Attribute]) -> Derives {
    let mut found = Derives::default();
    for attr in attrs.iter().filter(|a| a.path() == DERIVE) {
        match attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated) {
            Ok(paths) => {
                for path in &paths {
                    match path.segments.last() {
                        Some(last) if last.ident == DESERIALIZE => found.deserialize = true,
                        Some(last) if last.ident == JSON_SCHEMA => found.json_schema = true,
                        _ => {}
                    }
                }
            }
            Err(err) => cx.syn_error(err),
        }
    }
    found
}

/// Where `transparent` is written in a `#[serde(transparent)]`, if it is. Other serde options
/// are serde's to check: a list this does not understand is skipped, serde reports it.
fn serde_transparent(attrs: &[Attribute]) -> Option<Span> {
    attrs
        .iter()
        .filter(|a| a.path() == SERDE)
        .filter_map(|a| {
            a.parse_args_with(Punctuated::<syn::Meta, Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .find_map(|meta| match meta {
            syn::Meta::Path(path) if path == TRANSPARENT => Some(path.span()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn with<R>(input: DeriveInput, f: impl FnOnce(&Input) -> R) -> R {
        let cx = Ctxt::new();
        let parsed = Input::from_syn(&cx, &input);
        let result = f(&parsed);
        assert!(cx.check().is_ok());
        result
    }

    #[test]
    fn named_struct_with_docs_and_no_derives() {
        let input: DeriveInput = parse_quote! {
            /// Divide two numbers.
            struct Divide { numerator: f64, denominator: f64 }
        };
        with(input, |parsed| {
            assert_eq!(parsed.ident, "Divide");
            assert!(matches!(parsed.shape, Shape::Named));
            assert_eq!(parsed.doc, Some(Doc::Text("Divide two numbers.".into())));
            assert_eq!(parsed.derives, Derives::default());
            assert!(parsed.serde_transparent.is_none());
        });
    }

    #[test]
    fn existing_derives_are_found_by_any_path() {
        let input: DeriveInput = parse_quote! {
            #[derive(Debug, serde::Deserialize)]
            #[derive(JsonSchema)]
            struct A { x: u8 }
        };
        with(input, |parsed| {
            assert_eq!(
                parsed.derives,
                Derives {
                    deserialize: true,
                    json_schema: true
                }
            );
        });
    }

    #[test]
    fn shapes_other_than_named_structs_are_modelled() {
        with(
            parse_quote!(
                struct T(u8);
            ),
            |p| assert!(matches!(p.shape, Shape::Tuple(_))),
        );
        with(
            parse_quote!(
                struct U;
            ),
            |p| assert!(matches!(p.shape, Shape::Unit)),
        );
        with(
            parse_quote!(
                enum E {
                    A,
                }
            ),
            |p| assert!(matches!(p.shape, Shape::Enum(_))),
        );
        with(parse_quote!(union V { a: u8 }), |p| {
            assert!(matches!(p.shape, Shape::Union(_)))
        });
    }

    #[test]
    fn serde_transparent_is_found_among_other_options() {
        let input: DeriveInput = parse_quote! {
            #[serde(rename_all = "camelCase")]
            #[serde(deny_unknown_fields, transparent)]
            struct W { inner: u8 }
        };
        with(input, |parsed| assert!(parsed.serde_transparent.is_some()));
        let input: DeriveInput = parse_quote! {
            #[serde(rename_all = "camelCase")]
            struct W { inner: u8 }
        };
        with(input, |parsed| assert!(parsed.serde_transparent.is_none()));
    }

    #[test]
    fn a_malformed_derive_is_reported() {
        let input: DeriveInput = parse_quote! {
            #[derive(Debug Clone)]
            struct A {}
        };
        let cx = Ctxt::new();
        let _ = Input::from_syn(&cx, &input);
        assert!(cx.check().is_err());
    }
}
