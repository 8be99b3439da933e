//! The options of `#[tool(..)]`, one typed slot each.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{LitBool, LitStr};

use crate::ctxt::Ctxt;
use crate::paths::Paths;
use crate::symbol::{Symbol, CRATE, DESCRIPTION, NAME, STRICT};

/// `#[tool(name = "..", description = "..", strict, crate = "..")]`, as written.
#[derive(Default)]
pub struct ToolAttr {
    /// The tool's name, overriding the struct's name in snake_case.
    pub name: Option<LitStr>,
    /// The description, overriding the doc comment.
    pub description: Option<LitStr>,
    /// `strict` (true) or `strict = <bool>`.
    pub strict: Option<bool>,
    /// Where `llm_runtime` is.
    pub paths: Option<Paths>,
}

/// One option's slot: set once, a second setting is reported as a duplicate.
struct Slot<T> {
    name: Symbol,
    value: Option<T>,
}

impl<T> Slot<T> {
    fn new(name: Symbol) -> Self {
        Slot { name, value: None }
    }

    fn set(&mut self, cx: &Ctxt, meta: &ParseNestedMeta, value: T) {
        if self.value.is_some() {
            cx.error_spanned_by(
                &meta.path,
                format!("duplicate #[tool] option `{}`", self.name),
            );
        } else {
            self.value = Some(value);
        }
    }
}

/// Parses the tokens inside `#[tool(..)]`, reporting every mistake to `cx`.
pub fn parse(cx: &Ctxt, args: TokenStream) -> ToolAttr {
    let mut name = Slot::new(NAME);
    let mut description = Slot::new(DESCRIPTION);
    let mut strict = Slot::new(STRICT);
    let mut paths = Slot::new(CRATE);
    let parser = syn::meta::parser(|meta| {
        if meta.path == NAME {
            let value: LitStr = meta.value()?.parse()?;
            name.set(cx, &meta, value);
        } else if meta.path == DESCRIPTION {
            let value: LitStr = meta.value()?.parse()?;
            description.set(cx, &meta, value);
        } else if meta.path == STRICT {
            let value = if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<LitBool>()?.value
            } else {
                true
            };
            strict.set(cx, &meta, value);
        } else if meta.path == CRATE {
            if let Some(value) = Paths::parse_option(cx, &meta)? {
                paths.set(cx, &meta, value);
            }
        } else {
            cx.error_spanned_by(
                &meta.path,
                format!(
                    "unknown #[tool] option `{}`; the options are `name = \"..\"`, \
                     `description = \"..\"`, `strict` and `crate = \"..\"`",
                    quote::ToTokens::to_token_stream(&meta.path)
                ),
            );
            // Skip its value, so that the options after it are still read.
            if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            } else if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                meta.input.parse::<proc_macro2::Group>()?;
            }
        }
        Ok(())
    });
    if let Err(err) = parser.parse2(args) {
        cx.syn_error(err);
    }
    ToolAttr {
        name: name.value,
        description: description.value,
        strict: strict.value,
        paths: paths.value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn reads_every_option() {
        let cx = Ctxt::new();
        let attr = parse(
            &cx,
            quote!(
                name = "div",
                description = "Divides.",
                strict,
                crate = "my::llm"
            ),
        );
        assert_eq!(attr.name.map(|n| n.value()).as_deref(), Some("div"));
        assert_eq!(
            attr.description.map(|d| d.value()).as_deref(),
            Some("Divides.")
        );
        assert_eq!(attr.strict, Some(true));
        assert_eq!(
            attr.paths
                .map(|p| p.private_crate_string("serde"))
                .as_deref(),
            Some("my::llm::__private::serde")
        );
        assert!(cx.messages().is_empty());
    }

    #[test]
    fn strict_may_be_false() {
        let cx = Ctxt::new();
        assert_eq!(parse(&cx, quote!(strict = false)).strict, Some(false));
        assert!(cx.messages().is_empty());
    }

    #[test]
    fn reports_unknown_and_duplicate_options_and_goes_on() {
        let cx = Ctxt::new();
        let attr = parse(
            &cx,
            quote!(
                nme = "x",
                name = "a",
                name = "b",
                colour(red),
                description = "d"
            ),
        );
        assert_eq!(attr.name.map(|n| n.value()).as_deref(), Some("a"));
        assert_eq!(attr.description.map(|d| d.value()).as_deref(), Some("d"));
        assert_eq!(
            cx.messages(),
            [
                "unknown #[tool] option `nme`; the options are `name = \"..\"`, \
                 `description = \"..\"`, `strict` and `crate = \"..\"`",
                "duplicate #[tool] option `name`",
                "unknown #[tool] option `colour`; the options are `name = \"..\"`, \
                 `description = \"..\"`, `strict` and `crate = \"..\"`",
            ]
        );
    }

    #[test]
    fn a_name_must_be_a_string() {
        let cx = Ctxt::new();
        let attr = parse(&cx, quote!(name = divide));
        assert!(attr.name.is_none());
        assert_eq!(cx.messages(), ["expected string literal"]);
    }
}
