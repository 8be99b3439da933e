//! The names of attributes and options the macros read, written once.

use std::fmt::{self, Display};

use syn::{Ident, Path};

/// An attribute or option name.
#[derive(Copy, Clone)]
pub struct Symbol(&'static str);

/// `#[tool(name = "..")]`.
pub const NAME: Symbol = Symbol("name");
/// `#[tool(description = "..")]`.
pub const DESCRIPTION: Symbol = Symbol("description");
/// `#[tool(strict)]`.
pub const STRICT: Symbol = Symbol("strict");
/// `#[tool(crate = "..")]`, `#[toolset(crate = "..")]`.
pub const CRATE: Symbol = Symbol("crate");
/// `#[derive(..)]`.
pub const DERIVE: Symbol = Symbol("derive");
/// `#[serde(..)]`.
pub const SERDE: Symbol = Symbol("serde");
/// `#[serde(transparent)]`.
pub const TRANSPARENT: Symbol = Symbol("transparent");
/// `#[doc = ".."]`, what `///` comments are.
pub const DOC: Symbol = Symbol("doc");
/// serde's derive.
pub const DESERIALIZE: Symbol = Symbol("Deserialize");
/// schemars' derive.
pub const JSON_SCHEMA: Symbol = Symbol("JsonSchema");

// `#[provider(..)]` options (`name` and `crate` are above).
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

/// Every option of `#[provider]`, in the order the documentation lists them.
pub const PROVIDER_OPTIONS: &[Symbol] = &[
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

// `#[provider]` options and the forms of `auth = ..`.
pub const BEARER: Symbol = Symbol("bearer");
pub const HEADER: Symbol = Symbol("header");
pub const NONE: Symbol = Symbol("none");

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

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
