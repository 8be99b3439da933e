//! The rules a `#[tool]` item must follow: one function each, every message saying what to
//! write instead.

use heck::ToSnakeCase;
use syn::ext::IdentExt;

use super::ast::{Input, Shape};
use super::attr::ToolAttr;
use crate::ctxt::Ctxt;

/// Runs every rule, recording each violation in `cx`.
pub fn check(cx: &Ctxt, input: &Input, attr: &ToolAttr) {
    check_shape(cx, input);
    check_generics(cx, input);
    check_transparent(cx, input);
    check_name(cx, input, attr);
}

/// The name the model calls the tool by: `name = ".."`, else the struct's name in snake_case.
pub fn tool_name(input: &Input, attr: &ToolAttr) -> String {
    match &attr.name {
        Some(name) => name.value(),
        None => input.ident.unraw().to_string().to_snake_case(),
    }
}

/// A tool is a struct with named fields: the model passes arguments by name.
fn check_shape(cx: &Ctxt, input: &Input) {
    match input.shape {
        Shape::Named => {}
        Shape::Tuple(fields) => cx.error_spanned_by(
            fields,
            "#[tool] needs a struct with named fields, since the model passes arguments by \
             name: write `struct Divide { numerator: f64, denominator: f64 }`",
        ),
        Shape::Unit => cx.error_spanned_by(
            input.ident,
            format!(
                "#[tool] needs a struct with named fields; for a tool without arguments write \
                 `struct {} {{}}`",
                input.ident
            ),
        ),
        Shape::Enum(token) => cx.error_spanned_by(
            token,
            "#[tool] applies to a struct with named fields, not to an enum: a tool's \
             arguments are one JSON object; to offer several tools, make each a #[tool] \
             struct and list them in a #[toolset] enum",
        ),
        Shape::Union(token) => cx.error_spanned_by(
            token,
            "#[tool] applies to a struct with named fields, not to a union",
        ),
    }
}

/// A tool has one name and one schema, so no type, lifetime or const parameters.
fn check_generics(cx: &Ctxt, input: &Input) {
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            input.generics,
            "#[tool] does not support generic parameters: a tool has one fixed name and \
             schema; write a struct with concrete, owned field types (e.g. `String`, not `&str`)",
        );
    } else if let Some(where_clause) = &input.generics.where_clause {
        cx.error_spanned_by(
            where_clause,
            "#[tool] does not support a where clause: a tool's field types are concrete",
        );
    }
}

/// `#[serde(transparent)]` would make the arguments the inner field's value, not an object.
fn check_transparent(cx: &Ctxt, input: &Input) {
    if let Some(span) = input.serde_transparent {
        cx.syn_error(syn::Error::new(
            span,
            "#[serde(transparent)] cannot be used on a #[tool] struct: a tool's arguments \
             are a JSON object of named fields",
        ));
    }
}

/// Providers accept tool names of 1 to 64 letters, digits, `_` and `-`.
fn check_name(cx: &Ctxt, input: &Input, attr: &ToolAttr) {
    let name = tool_name(input, attr);
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        return;
    }
    let rule = "providers accept 1 to 64 ASCII letters, digits, `_` and `-`";
    match &attr.name {
        Some(literal) => {
            cx.error_spanned_by(literal, format!("tool name `{name}` is not valid: {rule}"))
        }
        None => cx.error_spanned_by(
            input.ident,
            format!(
                "the tool name `{name}` made from the struct's name is not valid: {rule}; \
                 set one with #[tool(name = \"..\")]"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tool::attr;
    use quote::quote;
    use syn::{parse_quote, DeriveInput};

    fn errors(input: DeriveInput, args: proc_macro2::TokenStream) -> Vec<String> {
        let cx = Ctxt::new();
        let attr = attr::parse(&cx, args);
        let parsed = Input::from_syn(&cx, &input);
        check(&cx, &parsed, &attr);
        cx.messages()
    }

    #[test]
    fn names_are_snake_case_of_the_struct_unless_given() {
        let cx = Ctxt::new();
        let input: DeriveInput = parse_quote!(
            struct GetHTTPStatus {}
        );
        let parsed = Input::from_syn(&cx, &input);
        assert_eq!(tool_name(&parsed, &ToolAttr::default()), "get_http_status");
        let input: DeriveInput = parse_quote!(
            struct r#Divide {}
        );
        let parsed = Input::from_syn(&cx, &input);
        assert_eq!(tool_name(&parsed, &ToolAttr::default()), "divide");
        let attr = attr::parse(&cx, quote!(name = "div-2"));
        assert_eq!(tool_name(&parsed, &attr), "div-2");
        assert!(cx.check().is_ok());
    }

    #[test]
    fn a_named_struct_passes() {
        assert!(errors(
            parse_quote!(
                struct Divide {
                    a: f64,
                }
            ),
            quote!()
        )
        .is_empty());
        assert!(errors(
            parse_quote!(
                struct Now {}
            ),
            quote!()
        )
        .is_empty());
    }

    #[test]
    fn every_violation_is_reported_at_once() {
        let found = errors(
            parse_quote! {
                #[serde(transparent)]
                struct Wrap<T>(T);
            },
            quote!(name = "bad name"),
        );
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].starts_with("#[tool] needs a struct with named fields, since"));
        assert!(found[1].starts_with("#[tool] does not support generic parameters"));
        assert!(found[2].starts_with("#[serde(transparent)] cannot be used"));
        assert!(found[3].starts_with("tool name `bad name` is not valid"));
    }

    #[test]
    fn unit_structs_enums_and_unions_are_rejected() {
        assert_eq!(
            errors(
                parse_quote!(
                    struct Now;
                ),
                quote!()
            ),
            [
                "#[tool] needs a struct with named fields; for a tool without arguments write \
              `struct Now {}`"
            ]
        );
        assert!(errors(
            parse_quote!(
                enum E {
                    A,
                }
            ),
            quote!()
        )[0]
        .contains("not to an enum"));
        assert!(errors(parse_quote!(union U { a: u8 }), quote!())[0].contains("not to a union"));
    }

    #[test]
    fn long_or_non_ascii_names_are_rejected() {
        let long = "a".repeat(65);
        assert_eq!(
            errors(
                parse_quote!(
                    struct A {}
                ),
                quote!(name = #long)
            )
            .len(),
            1
        );
        assert_eq!(
            errors(
                parse_quote!(
                    struct Größe {}
                ),
                quote!()
            ),
            [
                "the tool name `größe` made from the struct's name is not valid: providers \
              accept 1 to 64 ASCII letters, digits, `_` and `-`; set one with \
              #[tool(name = \"..\")]"
            ]
        );
    }

    #[test]
    fn where_clauses_are_rejected() {
        assert_eq!(
            errors(
                parse_quote!(
                    struct A
                    where
                        u8: Copy,
                    {
                        a: u8,
                    }
                ),
                quote!()
            ),
            ["#[tool] does not support a where clause: a tool's field types are concrete"]
        );
    }
}
