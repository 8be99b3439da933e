//! The rules a `#[toolset]` item must follow, one function each.

use quote::ToTokens;

use super::ast::{Input, Shape};
use crate::ctxt::Ctxt;

/// Runs every rule, recording each violation in `cx`.
pub fn check(cx: &Ctxt, input: &Input) {
    check_shape(cx, input);
    check_generics(cx, input);
    check_variants(cx, input);
    check_duplicate_types(cx, input);
}

/// A toolset is an enum with at least one variant.
fn check_shape(cx: &Ctxt, input: &Input) {
    match &input.shape {
        Shape::Enum(variants) if variants.is_empty() => cx.error_spanned_by(
            input.ident,
            "#[toolset] needs at least one variant wrapping a #[tool] type, e.g. \
             `Divide(Divide)`",
        ),
        Shape::Enum(_) => {}
        Shape::Struct(token) => cx.error_spanned_by(
            token,
            "#[toolset] applies to an enum whose variants each wrap one #[tool] type, e.g. \
             `enum Calc { Divide(Divide), Multiply(Multiply) }`; a single tool is a #[tool] \
             struct",
        ),
        Shape::Union(token) => cx.error_spanned_by(
            token,
            "#[toolset] applies to an enum whose variants each wrap one #[tool] type",
        ),
    }
}

/// A toolset is a fixed list of tools.
fn check_generics(cx: &Ctxt, input: &Input) {
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        cx.error_spanned_by(
            input.generics,
            "#[toolset] does not support generic parameters: list concrete #[tool] types",
        );
    }
}

/// Each variant wraps exactly one type: the tool.
fn check_variants(cx: &Ctxt, input: &Input) {
    for variant in input.variants() {
        if variant.tool.is_none() {
            cx.error_spanned_by(
                variant.original,
                format!(
                    "each #[toolset] variant wraps one #[tool] type: write `{0}({0})`",
                    variant.ident
                ),
            );
        }
    }
}

/// One type in two variants would be two tools of the same name.
fn check_duplicate_types(cx: &Ctxt, input: &Input) {
    let variants = input.variants();
    for (i, later) in variants.iter().enumerate() {
        let Some(ty) = later.tool else { continue };
        let written = ty.to_token_stream().to_string();
        let earlier = variants[..i].iter().find(|v| {
            v.tool
                .is_some_and(|t| t.to_token_stream().to_string() == written)
        });
        if let Some(earlier) = earlier {
            cx.error_spanned_by(
                ty,
                format!(
                    "`{written}` is already in this toolset (variant `{}`): each tool can \
                     appear once, since the model calls it by name",
                    earlier.ident
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::{parse_quote, DeriveInput};

    fn errors(input: DeriveInput) -> Vec<String> {
        let cx = Ctxt::new();
        check(&cx, &Input::from_syn(&input));
        cx.messages()
    }

    #[test]
    fn an_enum_of_tools_passes() {
        assert!(errors(parse_quote!(
            enum Calc {
                Divide(Divide),
                Add(ops::Add),
            }
        ))
        .is_empty());
    }

    #[test]
    fn every_bad_variant_and_duplicate_is_reported() {
        assert_eq!(
            errors(parse_quote! {
                enum Calc { Divide(Divide), Named { a: u8 }, Again(Divide), Unit }
            }),
            [
                "each #[toolset] variant wraps one #[tool] type: write `Named(Named)`",
                "each #[toolset] variant wraps one #[tool] type: write `Unit(Unit)`",
                "`Divide` is already in this toolset (variant `Divide`): each tool can appear \
                 once, since the model calls it by name",
            ]
        );
    }

    #[test]
    fn structs_empty_enums_and_generics_are_rejected() {
        assert!(errors(parse_quote!(
            struct Calc;
        ))[0]
            .starts_with("#[toolset] applies to an enum"));
        assert_eq!(
            errors(parse_quote!(
                enum Calc {}
            )),
            [
                "#[toolset] needs at least one variant wrapping a #[tool] type, e.g. \
              `Divide(Divide)`"
            ]
        );
        assert_eq!(
            errors(parse_quote!(
                enum Calc<T> {
                    A(T),
                }
            )),
            ["#[toolset] does not support generic parameters: list concrete #[tool] types"]
        );
    }
}
