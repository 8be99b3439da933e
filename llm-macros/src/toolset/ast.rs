//! The enum under `#[toolset]`, borrowing the `syn` input.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Data, DeriveInput, Fields, Generics, Ident, Token, Type, Visibility};

use crate::ctxt::Ctxt;
use crate::paths::Paths;
use crate::symbol::CRATE;

/// The annotated item.
pub struct Input<'a> {
    pub original: &'a DeriveInput,
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    pub generics: &'a Generics,
    pub shape: Shape<'a>,
}

/// What kind of item it is.
pub enum Shape<'a> {
    /// `enum E { .. }`: what a toolset is.
    Enum(Vec<Variant<'a>>),
    /// `struct S ..`
    Struct(&'a Token![struct]),
    /// `union U { .. }`
    Union(&'a Token![union]),
}

/// One variant of the toolset.
pub struct Variant<'a> {
    pub original: &'a syn::Variant,
    pub ident: &'a Ident,
    /// The type of its one unnamed field: the tool. `None` for any other variant shape.
    pub tool: Option<&'a Type>,
}

impl<'a> Input<'a> {
    pub fn from_syn(input: &'a DeriveInput) -> Input<'a> {
        let shape = match &input.data {
            Data::Enum(data) => Shape::Enum(
                data.variants
                    .iter()
                    .map(|variant| Variant {
                        original: variant,
                        ident: &variant.ident,
                        tool: match &variant.fields {
                            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                                fields.unnamed.first().map(|field| &field.ty)
                            }
                            _ => None,
                        },
                    })
                    .collect(),
            ),
            Data::Struct(data) => Shape::Struct(&data.struct_token),
            Data::Union(data) => Shape::Union(&data.union_token),
        };
        Input {
            original: input,
            ident: &input.ident,
            vis: &input.vis,
            generics: &input.generics,
            shape,
        }
    }

    /// The variants, when the item is an enum.
    pub fn variants(&self) -> &[Variant<'a>] {
        match &self.shape {
            Shape::Enum(variants) => variants,
            _ => &[],
        }
    }
}

/// Parses the tokens inside `#[toolset(..)]`: only `crate = ".."`.
pub fn parse_args(cx: &Ctxt, args: TokenStream) -> Option<Paths> {
    let mut paths = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path == CRATE {
            if paths.is_some() {
                cx.error_spanned_by(&meta.path, "duplicate #[toolset] option `crate`");
            }
            paths = Paths::parse_option(cx, &meta)?.or(paths.take());
            Ok(())
        } else {
            Err(meta.error(
                "unknown #[toolset] option; the only option is `crate = \"..\"` (tool names \
                 and descriptions are set on each #[tool] struct)",
            ))
        }
    });
    if let Err(err) = parser.parse2(args) {
        cx.syn_error(err);
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;
    use syn::parse_quote;

    #[test]
    fn variants_wrapping_one_type_are_tools() {
        let input: DeriveInput = parse_quote! {
            pub enum Calc { Divide(Divide), Add(ops::Add), Bad { a: u8 }, Two(A, B), Unit }
        };
        let parsed = Input::from_syn(&input);
        let tools: Vec<(String, Option<String>)> = parsed
            .variants()
            .iter()
            .map(|v| {
                (
                    v.ident.to_string(),
                    v.tool.map(|t| quote!(#t).to_string().replace(' ', "")),
                )
            })
            .collect();
        assert_eq!(
            tools,
            [
                ("Divide".to_owned(), Some("Divide".to_owned())),
                ("Add".to_owned(), Some("ops::Add".to_owned())),
                ("Bad".to_owned(), None),
                ("Two".to_owned(), None),
                ("Unit".to_owned(), None),
            ]
        );
        assert!(matches!(parsed.vis, Visibility::Public(_)));
    }

    #[test]
    fn structs_and_unions_are_modelled() {
        let input: DeriveInput = parse_quote!(
            struct S;
        );
        assert!(matches!(Input::from_syn(&input).shape, Shape::Struct(_)));
        assert!(Input::from_syn(&input).variants().is_empty());
        let input: DeriveInput = parse_quote!(union U { a: u8 });
        assert!(matches!(Input::from_syn(&input).shape, Shape::Union(_)));
    }

    #[test]
    fn args_take_only_crate() {
        let cx = Ctxt::new();
        let paths = parse_args(&cx, quote!(crate = "my::llm"));
        assert_eq!(
            paths.map(|p| p.private_crate_string("serde")).as_deref(),
            Some("my::llm::__private::serde")
        );
        assert!(cx.check().is_ok());
        let cx = Ctxt::new();
        assert!(parse_args(&cx, quote!(name = "x")).is_none());
        assert_eq!(
            cx.messages(),
            [
                "unknown #[toolset] option; the only option is `crate = \"..\"` (tool names \
              and descriptions are set on each #[tool] struct)"
            ]
        );
    }
}
