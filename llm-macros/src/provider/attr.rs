//! The options of `#[provider(..)]`, parsed into one typed slot each; a repeated option is
//! reported at its second occurrence, an unknown one with the list of known ones.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, Token};

use crate::ctxt::Ctxt;
use crate::symbol::{self, Symbol};

/// One option's value, remembering the tokens it was written with (for spans).
pub struct Attr<'c, T> {
    cx: &'c Ctxt,
    name: Symbol,
    tokens: TokenStream,
    value: Option<T>,
}

impl<'c, T> Attr<'c, T> {
    fn none(cx: &'c Ctxt, name: Symbol) -> Self {
        Attr {
            cx,
            name,
            tokens: TokenStream::new(),
            value: None,
        }
    }

    fn set<A: ToTokens>(&mut self, obj: A, value: T) {
        let tokens = obj.into_token_stream();
        if self.value.is_some() {
            self.cx.error_spanned_by(
                tokens,
                format!("duplicate #[provider] option `{}`", self.name),
            );
        } else {
            self.tokens = tokens;
            self.value = Some(value);
        }
    }

    pub fn get(self) -> Option<T> {
        self.value
    }

    pub fn get_with_tokens(self) -> Option<(TokenStream, T)> {
        let tokens = self.tokens;
        self.value.map(|value| (tokens, value))
    }
}

/// How the key is sent, as written in `auth = ..`.
pub enum Auth {
    Bearer,
    Header(LitStr),
    Query(LitStr),
    None,
}

/// The parsed options, before the cross-option checks.
pub struct Attrs {
    pub name: Option<LitStr>,
    pub aliases: Vec<LitStr>,
    pub protocol: Option<Expr>,
    pub base_url: Option<LitStr>,
    pub api_key_env: Option<Vec<LitStr>>,
    pub base_url_env: Option<Vec<LitStr>>,
    /// The tokens of `api_key_optional`, when present.
    pub api_key_optional: Option<TokenStream>,
    pub auth: Option<(TokenStream, Auth)>,
    pub headers: Vec<(LitStr, LitStr)>,
    pub query: Vec<(LitStr, LitStr)>,
    /// `(parameter, environment variable)` pairs.
    pub query_env: Vec<(LitStr, LitStr)>,
    pub crate_path: Option<syn::Path>,
}

impl Attrs {
    /// Parses the tokens inside `#[provider(..)]`, reporting every problem to `cx`.
    pub fn parse(cx: &Ctxt, args: TokenStream) -> Attrs {
        let mut name = Attr::none(cx, symbol::NAME);
        let mut aliases = Attr::none(cx, symbol::ALIASES);
        let mut protocol = Attr::none(cx, symbol::PROTOCOL);
        let mut base_url = Attr::none(cx, symbol::BASE_URL);
        let mut api_key_env = Attr::none(cx, symbol::API_KEY_ENV);
        let mut base_url_env = Attr::none(cx, symbol::BASE_URL_ENV);
        let mut api_key_optional = Attr::none(cx, symbol::API_KEY_OPTIONAL);
        let mut auth = Attr::none(cx, symbol::AUTH);
        let mut headers = Attr::none(cx, symbol::HEADERS);
        let mut query = Attr::none(cx, symbol::QUERY);
        let mut query_env = Attr::none(cx, symbol::QUERY_ENV);
        let mut crate_path = Attr::none(cx, symbol::CRATE);

        let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
            Ok(metas) => metas,
            Err(err) => {
                cx.syn_error(err);
                Punctuated::new()
            }
        };
        for meta in metas {
            let path = meta.path();
            if path == symbol::API_KEY_OPTIONAL {
                match &meta {
                    Meta::Path(p) => api_key_optional.set(p, p.to_token_stream()),
                    _ => cx.error_spanned_by(
                        &meta,
                        "`api_key_optional` takes no value: write `api_key_optional`",
                    ),
                }
                continue;
            }
            let Meta::NameValue(nv) = &meta else {
                match symbol::PROVIDER_OPTIONS.iter().find(|s| path == **s) {
                    Some(s) => {
                        cx.error_spanned_by(&meta, format!("write the option as `{s} = ..`"))
                    }
                    None => unknown(cx, path),
                }
                continue;
            };
            let value = &nv.value;
            if path == symbol::NAME {
                if let Some(lit) = lit_str(cx, value, "name = \"groq\"") {
                    name.set(&nv.path, lit);
                }
            } else if path == symbol::ALIASES {
                if let Some(list) = lit_strs(cx, value, false, "aliases = [\"grok\"]") {
                    aliases.set(&nv.path, list);
                }
            } else if path == symbol::PROTOCOL {
                protocol.set(&nv.path, value.clone());
            } else if path == symbol::BASE_URL {
                if let Some(lit) = lit_str(cx, value, "base_url = \"https://api.example.com/v1\"") {
                    base_url.set(&nv.path, lit);
                }
            } else if path == symbol::API_KEY_ENV {
                if let Some(list) = lit_strs(cx, value, true, "api_key_env = \"EXAMPLE_API_KEY\"") {
                    api_key_env.set(&nv.path, list);
                }
            } else if path == symbol::BASE_URL_ENV {
                if let Some(list) = lit_strs(cx, value, true, "base_url_env = \"EXAMPLE_BASE_URL\"")
                {
                    base_url_env.set(&nv.path, list);
                }
            } else if path == symbol::AUTH {
                if let Some(parsed) = parse_auth(cx, value) {
                    auth.set(value, parsed);
                }
            } else if path == symbol::HEADERS {
                if let Some(pairs) = pairs(
                    cx,
                    value,
                    "headers = [(\"anthropic-version\", \"2023-06-01\")]",
                ) {
                    headers.set(&nv.path, pairs);
                }
            } else if path == symbol::QUERY {
                if let Some(pairs) = pairs(cx, value, "query = [(\"api-version\", \"2024-10-21\")]")
                {
                    query.set(&nv.path, pairs);
                }
            } else if path == symbol::QUERY_ENV {
                if let Some(pairs) = pairs(
                    cx,
                    value,
                    "query_env = [(\"api-version\", \"OPENAI_API_VERSION\")]",
                ) {
                    query_env.set(&nv.path, pairs);
                }
            } else if path == symbol::CRATE {
                if let Some(lit) = lit_str(cx, value, "crate = \"::llm_runtime\"") {
                    match lit.parse::<syn::Path>() {
                        Ok(parsed) => crate_path.set(&nv.path, parsed),
                        Err(_) => cx.error_spanned_by(
                            &lit,
                            format!(
                                "`{}` is not a path; write e.g. `crate = \"::llm_runtime\"`",
                                lit.value()
                            ),
                        ),
                    }
                }
            } else {
                unknown(cx, path);
            }
        }

        Attrs {
            name: name.get(),
            aliases: aliases.get().unwrap_or_default(),
            protocol: protocol.get(),
            base_url: base_url.get(),
            api_key_env: api_key_env.get(),
            base_url_env: base_url_env.get(),
            api_key_optional: api_key_optional.get(),
            auth: auth.get_with_tokens(),
            headers: headers.get().unwrap_or_default(),
            query: query.get().unwrap_or_default(),
            query_env: query_env.get().unwrap_or_default(),
            crate_path: crate_path.get(),
        }
    }
}

fn unknown(cx: &Ctxt, path: &syn::Path) {
    let known: Vec<String> = symbol::PROVIDER_OPTIONS
        .iter()
        .map(|s| format!("`{s}`"))
        .collect();
    cx.error_spanned_by(
        path,
        format!(
            "unknown #[provider] option `{}`; the options are {}",
            path.to_token_stream().to_string().replace(' ', ""),
            known.join(", ")
        ),
    );
}

fn as_lit_str(expr: &Expr) -> Option<&LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit),
        Expr::Group(group) => as_lit_str(&group.expr),
        _ => None,
    }
}

fn lit_str(cx: &Ctxt, expr: &Expr, example: &str) -> Option<LitStr> {
    match as_lit_str(expr) {
        Some(lit) => Some(lit.clone()),
        None => {
            cx.error_spanned_by(
                expr,
                format!("expected a string literal, as in `{example}`"),
            );
            None
        }
    }
}

/// `["a", "b"]`, or with `single_ok` also `"a"`.
fn lit_strs(cx: &Ctxt, expr: &Expr, single_ok: bool, example: &str) -> Option<Vec<LitStr>> {
    if single_ok {
        if let Some(lit) = as_lit_str(expr) {
            return Some(vec![lit.clone()]);
        }
    }
    let error = || {
        let what = if single_ok {
            "a string literal or an array of them"
        } else {
            "an array of string literals"
        };
        cx.error_spanned_by(expr, format!("expected {what}, as in `{example}`"));
    };
    let Expr::Array(array) = expr else {
        error();
        return None;
    };
    if array.elems.is_empty() && single_ok {
        cx.error_spanned_by(
            expr,
            "this names no environment variable; name at least one, or leave the option out \
             for the default",
        );
        return None;
    }
    let mut out = Vec::new();
    for elem in &array.elems {
        match as_lit_str(elem) {
            Some(lit) => out.push(lit.clone()),
            None => {
                error();
                return None;
            }
        }
    }
    Some(out)
}

/// `[("name", "value"), ..]`.
fn pairs(cx: &Ctxt, expr: &Expr, example: &str) -> Option<Vec<(LitStr, LitStr)>> {
    let error = |at: &dyn ToTokens| {
        cx.error_spanned_by(
            at.to_token_stream(),
            format!("expected an array of (\"name\", \"value\") pairs, as in `{example}`"),
        );
    };
    let Expr::Array(array) = expr else {
        error(expr);
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for elem in &array.elems {
        let pair = match elem {
            Expr::Tuple(tuple) if tuple.elems.len() == 2 => {
                match (as_lit_str(&tuple.elems[0]), as_lit_str(&tuple.elems[1])) {
                    (Some(name), Some(value)) => Some((name.clone(), value.clone())),
                    _ => None,
                }
            }
            _ => None,
        };
        match pair {
            Some(pair) => out.push(pair),
            None => {
                error(elem);
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// `bearer`, `none`, `header("api-key")` or `query("key")`.
fn parse_auth(cx: &Ctxt, expr: &Expr) -> Option<Auth> {
    const FORMS: &str =
        "expected `auth = bearer`, `auth = header(\"x-api-key\")`, `auth = query(\"key\")` or `auth = none`";
    match expr {
        Expr::Path(p) if p.path == symbol::BEARER => Some(Auth::Bearer),
        Expr::Path(p) if p.path == symbol::NONE => Some(Auth::None),
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                cx.error_spanned_by(expr, FORMS);
                return None;
            };
            let is_header = func.path == symbol::HEADER;
            if !is_header && func.path != symbol::QUERY {
                cx.error_spanned_by(expr, FORMS);
                return None;
            }
            let arg = match (call.args.len(), call.args.first().and_then(as_lit_str)) {
                (1, Some(lit)) => lit.clone(),
                _ => {
                    cx.error_spanned_by(
                        &call.args,
                        format!(
                            "expected one string literal: the name of the {}, as in `{}`",
                            if is_header {
                                "header"
                            } else {
                                "query parameter"
                            },
                            if is_header {
                                "header(\"x-api-key\")"
                            } else {
                                "query(\"key\")"
                            }
                        ),
                    );
                    return None;
                }
            };
            Some(if is_header {
                Auth::Header(arg)
            } else {
                Auth::Query(arg)
            })
        }
        _ => {
            cx.error_spanned_by(expr, FORMS);
            None
        }
    }
}
