//! Doc comments as text: what becomes a tool's (or a provider's) description.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Attribute, Expr, ExprLit, Lit, Meta};

use crate::symbol::DOC;

/// The doc comment of an item.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    /// Only `///` lines (or `#[doc = "literal"]`): joined, one leading space dropped per
    /// line (as rustdoc and schemars do), trimmed.
    Text(String),
    /// Some lines are macros (`#[doc = include_str!("..")]`): kept as a `concat!` expression.
    Expr(Expr),
}

/// The doc comment in `attrs`, if there is a non-empty one.
pub fn extract(attrs: &[Attribute]) -> Option<Doc> {
    let lines: Vec<&Expr> = attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) if nv.path == DOC => Some(&nv.value),
            _ => None,
        })
        .collect();
    let literal = |expr: &Expr| match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => None,
    };
    if let Some(texts) = lines.iter().map(|l| literal(l)).collect::<Option<Vec<_>>>() {
        let joined = texts
            .iter()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n");
        let trimmed = joined.trim();
        return (!trimmed.is_empty()).then(|| Doc::Text(trimmed.to_owned()));
    }
    let parts = lines.iter().enumerate().map(|(i, line)| {
        let text = literal(line);
        let part = match text.as_deref().map(|t| t.strip_prefix(' ').unwrap_or(t)) {
            Some(stripped) => stripped.to_token_stream(),
            None => line.to_token_stream(),
        };
        if i == 0 {
            part
        } else {
            quote!("\n", #part)
        }
    });
    Some(Doc::Expr(syn::parse_quote!(::core::concat!(#(#parts),*))))
}

impl ToTokens for Doc {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Doc::Text(text) => text.to_tokens(tokens),
            Doc::Expr(expr) => expr.to_tokens(tokens),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn attrs(item: syn::ItemStruct) -> Vec<Attribute> {
        item.attrs
    }

    #[test]
    fn doc_lines_are_joined_and_trimmed() {
        let item = attrs(parse_quote! {
            /// Divide two numbers.
            ///
            ///  Indented second paragraph.
            #[derive(Debug)]
            struct Divide {}
        });
        assert_eq!(
            extract(&item),
            Some(Doc::Text(
                "Divide two numbers.\n\n Indented second paragraph.".into()
            ))
        );
    }

    #[test]
    fn no_or_blank_docs_are_none() {
        assert_eq!(
            extract(&attrs(parse_quote!(
                struct A {}
            ))),
            None
        );
        assert_eq!(
            extract(&attrs(parse_quote! {
                ///
                struct A {}
            })),
            None
        );
    }

    #[test]
    fn include_str_is_kept_as_an_expression() {
        let item = attrs(parse_quote! {
            /// Intro.
            #[doc = include_str!("tool.md")]
            struct A {}
        });
        let Some(Doc::Expr(Expr::Macro(parsed))) = extract(&item) else {
            panic!("expected a macro expression")
        };
        assert!(parsed.mac.path.segments.iter().any(|s| s.ident == "concat"));
        let args: syn::punctuated::Punctuated<Expr, syn::Token![,]> = match parsed
            .mac
            .parse_body_with(syn::punctuated::Punctuated::parse_terminated)
        {
            Ok(args) => args,
            Err(err) => panic!("{err}"),
        };
        assert_eq!(args.len(), 3);
        assert!(
            matches!(&args[0], Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if s.value() == "Intro.")
        );
        assert!(matches!(&args[2], Expr::Macro(m) if m.mac.path.is_ident("include_str")));
    }
}
