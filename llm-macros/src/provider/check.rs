//! The rules `#[provider]` enforces, one function each, and the resolution of the parsed
//! options into what the expansion needs.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Expr, ExprPath, Fields, Item, LitStr};

use super::attr::{Attrs, Auth};
use crate::ctxt::Ctxt;
use crate::paths::Paths;

/// Everything the expansion needs, checked.
pub struct Provider<'a> {
    pub item: &'a syn::ItemStruct,
    pub name: LitStr,
    pub aliases: Vec<LitStr>,
    /// The protocol's type, and the expression of its value.
    pub protocol_type: syn::Path,
    pub protocol_value: TokenStream,
    pub base_url: Option<LitStr>,
    pub api_key_env: Option<Vec<LitStr>>,
    pub base_url_env: Option<Vec<LitStr>>,
    pub api_key_optional: bool,
    pub auth: Option<Auth>,
    pub headers: Vec<(LitStr, LitStr)>,
    pub query: Vec<(LitStr, LitStr)>,
    pub query_env: Vec<(LitStr, LitStr)>,
    pub krate: Paths,
}

/// Checks the item and the options; `None` when something is wrong (reported to `cx`).
pub fn resolve<'a>(cx: &Ctxt, item: &'a Item, attrs: Attrs) -> Option<Provider<'a>> {
    let item = check_item(cx, item);
    let name = check_name(cx, attrs.name.as_ref());
    check_aliases(cx, name, &attrs.aliases);
    if let Some(url) = &attrs.base_url {
        check_base_url(cx, url);
    }
    for var in attrs
        .api_key_env
        .iter()
        .chain(&attrs.base_url_env)
        .flatten()
        .chain(attrs.query_env.iter().map(|(_, var)| var))
    {
        check_env_var(cx, var);
    }
    check_query_env_not_in_query(cx, &attrs);
    if let Some((_, Auth::Header(header))) = &attrs.auth {
        check_header_name(cx, header);
    }
    for (header, _) in &attrs.headers {
        check_header_name(cx, header);
    }
    check_api_key_optional_with_auth_none(cx, &attrs);
    let protocol = match &attrs.protocol {
        Some(expr) => protocol_type(cx, expr).map(|ty| (ty, expr)),
        None => {
            cx.error_spanned_by(
                proc_macro2::TokenStream::new(),
                "missing `protocol = ..`: the wire protocol of this provider, e.g. \
                 `protocol = OpenAiChat` or `protocol = OpenAiChat::new()`",
            );
            None
        }
    };

    let (item, name, (protocol_type, protocol_expr)) = (item?, name?.clone(), protocol?);
    let protocol_value = match protocol_expr {
        Expr::Path(_) => {
            let span = protocol_expr;
            let default = quote!(<#protocol_type as ::core::default::Default>::default());
            respan(default, span)
        }
        other => other.to_token_stream(),
    };
    let (auth, api_key_optional) = (attrs.auth.map(|(_, auth)| auth), attrs.api_key_optional);
    Some(Provider {
        item,
        name,
        aliases: attrs.aliases,
        protocol_type,
        protocol_value,
        base_url: attrs.base_url,
        api_key_env: attrs.api_key_env,
        base_url_env: attrs.base_url_env,
        api_key_optional: api_key_optional.is_some(),
        auth,
        headers: attrs.headers,
        query: attrs.query,
        query_env: attrs.query_env,
        krate: attrs.crate_path.map_or_else(Paths::default, Paths::new),
    })
}

/// Gives `tokens` the span of `at`, so that a type error in them points at the user's code.
fn respan(tokens: TokenStream, at: &impl ToTokens) -> TokenStream {
    let span = at
        .to_token_stream()
        .into_iter()
        .next()
        .map_or_else(proc_macro2::Span::call_site, |t| t.span());
    tokens
        .into_iter()
        .map(|mut tt| {
            tt.set_span(span);
            tt
        })
        .collect()
}

/// `#[provider]` goes on a unit struct without generics.
fn check_item<'a>(cx: &Ctxt, item: &'a Item) -> Option<&'a syn::ItemStruct> {
    const HINT: &str = "#[provider] goes on a unit struct that names the provider, as in \
                        `#[provider(name = \"groq\", protocol = OpenAiChat, ..)] pub struct Groq;`";
    let Item::Struct(item) = item else {
        let at: TokenStream = match item {
            Item::Enum(e) => e.enum_token.to_token_stream(),
            Item::Fn(f) => f.sig.fn_token.to_token_stream(),
            Item::Union(u) => u.union_token.to_token_stream(),
            Item::Trait(t) => t.trait_token.to_token_stream(),
            Item::Impl(i) => i.impl_token.to_token_stream(),
            other => other.to_token_stream(),
        };
        cx.error_spanned_by(at, HINT);
        return None;
    };
    let mut ok = true;
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.generics,
            "a #[provider] struct cannot be generic: it names one provider; put options in \
             the protocol value instead, as in `protocol = OpenAiChat::new()`",
        );
        ok = false;
    }
    if !matches!(item.fields, Fields::Unit) {
        cx.error_spanned_by(
            &item.fields,
            format!(
                "a #[provider] struct has no fields: write `struct {};` (the configuration lives \
                 in the attribute and in `{}::builder()`)",
                item.ident, item.ident
            ),
        );
        ok = false;
    }
    ok.then_some(item)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
}

/// `name` is required and is a lower-case model-string prefix.
fn check_name<'a>(cx: &Ctxt, name: Option<&'a LitStr>) -> Option<&'a LitStr> {
    let Some(name) = name else {
        cx.error_spanned_by(
            TokenStream::new(),
            "missing `name = \"..\"`: the model-string prefix of this provider, as in \
             `name = \"groq\"` for `groq:llama-3.3-70b-versatile`",
        );
        return None;
    };
    check_prefix(cx, name, "name")?;
    Some(name)
}

fn check_prefix(cx: &Ctxt, lit: &LitStr, what: &str) -> Option<()> {
    let value = lit.value();
    if value.is_empty() || !value.chars().all(is_name_char) {
        cx.error_spanned_by(
            lit,
            format!(
                "`{value}` cannot be a provider {what}: use lower-case letters, digits, `-`, `_` \
                 and `.` (it is the part before `:` in a model string)"
            ),
        );
        return None;
    }
    Some(())
}

fn check_aliases(cx: &Ctxt, name: Option<&LitStr>, aliases: &[LitStr]) {
    let mut seen: Vec<String> = name.map(LitStr::value).into_iter().collect();
    for alias in aliases {
        if check_prefix(cx, alias, "alias").is_none() {
            continue;
        }
        let value = alias.value();
        if seen.contains(&value) {
            cx.error_spanned_by(
                alias,
                format!("`{value}` is already a name of this provider"),
            );
        }
        seen.push(value);
    }
}

fn check_base_url(cx: &Ctxt, url: &LitStr) {
    let value = url.value();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !value.contains(char::is_whitespace) => {}
        _ => cx.error_spanned_by(
            url,
            format!("`{value}` is not an http(s) URL; write e.g. `base_url = \"https://api.example.com/v1\"`"),
        ),
    }
}

fn check_env_var(cx: &Ctxt, var: &LitStr) {
    let value = var.value();
    let valid = !value.is_empty()
        && !value.starts_with(|c: char| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        cx.error_spanned_by(
            var,
            format!(
                "`{value}` is not an environment variable name: use upper-case letters, digits \
                 and `_`, as in `GROQ_API_KEY`"
            ),
        );
    }
}

fn check_header_name(cx: &Ctxt, header: &LitStr) {
    let value = header.value();
    let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if value.is_empty() || !value.chars().all(token_char) {
        cx.error_spanned_by(header, format!("`{value}` is not a valid HTTP header name"));
    }
}

/// A parameter is fixed (`query`) or read from the environment (`query_env`), not both.
fn check_query_env_not_in_query(cx: &Ctxt, attrs: &Attrs) {
    for (param, _) in &attrs.query_env {
        if attrs
            .query
            .iter()
            .any(|(fixed, _)| fixed.value() == param.value())
        {
            cx.error_spanned_by(
                param,
                format!(
                    "query parameter `{}` is in both `query` and `query_env`; a fixed value would \
                     always win over the variable: keep one of them",
                    param.value()
                ),
            );
        }
    }
}

fn check_api_key_optional_with_auth_none(cx: &Ctxt, attrs: &Attrs) {
    if let (Some(optional), Some((_, Auth::None))) = (&attrs.api_key_optional, &attrs.auth) {
        cx.error_spanned_by(
            optional,
            "`api_key_optional` has no effect with `auth = none`, which never sends a key; remove one of them",
        );
    }
}

/// The type of the protocol: the path itself for `protocol = Type`; the path before the
/// constructor for `Type::new(..)`, `Type { .. }` and method chains on them.
fn protocol_type(cx: &Ctxt, expr: &Expr) -> Option<syn::Path> {
    fn find(expr: &Expr) -> Option<syn::Path> {
        match expr {
            Expr::Path(ExprPath {
                qself: None, path, ..
            }) => Some(path.clone()),
            Expr::Call(call) => match &*call.func {
                Expr::Path(ExprPath {
                    qself: None, path, ..
                }) if path.segments.len() >= 2 => {
                    let mut ty = path.clone();
                    ty.segments.pop();
                    ty.segments.pop_punct();
                    Some(ty)
                }
                _ => None,
            },
            Expr::Struct(s) if s.qself.is_none() => Some(s.path.clone()),
            Expr::MethodCall(call) => find(&call.receiver),
            Expr::Paren(p) => find(&p.expr),
            Expr::Group(g) => find(&g.expr),
            _ => None,
        }
    }
    let found = find(expr);
    if found.is_none() {
        cx.error_spanned_by(
            expr,
            "cannot tell the protocol's type from this expression; write the type \
             (`protocol = OpenAiChat`, built with `Default`) or a constructor on it \
             (`protocol = OpenAiChat::new()`, `protocol = OpenAiChat { .. }`, optionally \
             followed by method calls)",
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn resolve_ok(args: TokenStream, item: Item) -> Result<(String, String, String), String> {
        let cx = Ctxt::new();
        let attrs = Attrs::parse(&cx, args);
        let resolved = resolve(&cx, &item, attrs).map(|p| {
            (
                p.name.value(),
                p.protocol_type.to_token_stream().to_string(),
                p.protocol_value.to_string(),
            )
        });
        match cx.check() {
            Ok(()) => Ok(resolved.expect("no error, so resolved")),
            Err(err) => Err(err
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")),
        }
    }

    #[test]
    fn protocol_type_from_each_form() {
        let item: Item = parse_quote!(
            struct Groq;
        );
        let cases = [
            (quote!(protocol = OpenAiChat), "OpenAiChat"),
            (quote!(protocol = p::OpenAiChat::new()), "p :: OpenAiChat"),
            (
                quote!(protocol = OpenAiChat::new().reasoning("x")),
                "OpenAiChat",
            ),
            (quote!(protocol = OpenAiChat { x: 1 }), "OpenAiChat"),
        ];
        for (protocol, ty) in cases {
            let args = quote!(name = "groq", #protocol);
            let (name, found, _) = resolve_ok(args, item.clone()).unwrap();
            assert_eq!((name.as_str(), found.as_str()), ("groq", ty));
        }
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let item: Item = parse_quote!(
            struct Groq<T>(T);
        );
        let args = quote!(
            name = "Groq",
            protocol = make(),
            auth = basic,
            colour = "red"
        );
        let errors = resolve_ok(args, item).unwrap_err();
        let lines: Vec<&str> = errors.lines().collect();
        assert_eq!(lines.len(), 6, "{errors}");
        assert!(lines
            .iter()
            .any(|l| l.starts_with("`Groq` cannot be a provider name")));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("unknown #[provider] option `colour`")));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("expected `auth = bearer`")));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("cannot tell the protocol's type")));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("a #[provider] struct cannot be generic")));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("a #[provider] struct has no fields")));
    }

    #[test]
    fn a_query_parameter_is_fixed_or_read_from_the_environment() {
        let item: Item = parse_quote!(
            struct Azure;
        );
        let ok = resolve_ok(
            quote!(
                name = "azure",
                protocol = P,
                query_env = [("api-version", "OPENAI_API_VERSION")]
            ),
            item.clone(),
        );
        assert!(ok.is_ok(), "{ok:?}");
        let errors = resolve_ok(
            quote!(
                name = "azure",
                protocol = P,
                query = [("api-version", "2024-10-21")],
                query_env = [("api-version", "OPENAI_API_VERSION"), ("x", "lower_case")]
            ),
            item,
        )
        .unwrap_err();
        let lines: Vec<&str> = errors.lines().collect();
        assert_eq!(lines.len(), 2, "{errors}");
        assert!(lines[0].starts_with("`lower_case` is not an environment variable name"));
        assert!(lines[1]
            .starts_with("query parameter `api-version` is in both `query` and `query_env`"));
    }

    #[test]
    fn duplicates_and_missing_options() {
        let item: Item = parse_quote!(
            struct Groq;
        );
        let errors =
            resolve_ok(quote!(name = "a", name = "b", protocol = P), item.clone()).unwrap_err();
        assert_eq!(errors, "duplicate #[provider] option `name`");
        let errors = resolve_ok(quote!(name = "a"), item).unwrap_err();
        assert!(errors.starts_with("missing `protocol = ..`"), "{errors}");
    }
}
