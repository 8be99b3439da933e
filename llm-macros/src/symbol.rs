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
