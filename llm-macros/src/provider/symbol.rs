//! The names of `#[provider]`'s options.

use std::fmt::{self, Display};

use syn::Path;

/// An option name, compared with the path the user wrote.
#[derive(Copy, Clone)]
pub struct Symbol(pub &'static str);

pub const NAME: Symbol = Symbol("name");
pub const ALIASES: Symbol = Symbol("aliases");
pub const BASE_URL: Symbol = Symbol("base_url");
pub const PROTOCOL: Symbol = Symbol("protocol");
pub const API_KEY_ENV: Symbol = Symbol("api_key_env");
pub const BASE_URL_ENV: Symbol = Symbol("base_url_env");
pub const API_KEY_OPTIONAL: Symbol = Symbol("api_key_optional");
pub const AUTH: Symbol = Symbol("auth");
pub const HEADERS: Symbol = Symbol("headers");
pub const QUERY: Symbol = Symbol("query");
pub const QUERY_ENV: Symbol = Symbol("query_env");
pub const CRATE: Symbol = Symbol("crate");

/// Every option, in the order the documentation lists them.
pub const ALL: &[Symbol] = &[
    NAME,
    ALIASES,
    PROTOCOL,
    BASE_URL,
    API_KEY_ENV,
    BASE_URL_ENV,
    API_KEY_OPTIONAL,
    AUTH,
    HEADERS,
    QUERY,
    QUERY_ENV,
    CRATE,
];

// The forms of `auth = ..`.
pub const BEARER: Symbol = Symbol("bearer");
pub const HEADER: Symbol = Symbol("header");
pub const NONE: Symbol = Symbol("none");

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(self.0)
    }
}
