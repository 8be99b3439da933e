#![doc = include_str!("../docs/guide.md")]
#![warn(missing_docs)]

// The built-in providers are declared with `#[provider]`, whose expansion names this crate
// `::llm_runtime` as it does in a user's crate.
extern crate self as llm_runtime;

mod blocking;
pub mod cost;
pub mod direct;
mod error;
pub mod http;
pub mod instrument;
pub mod limit;
pub mod messages;
pub mod models;
pub mod output;
pub mod providers;
pub mod schema;
pub mod settings;
pub mod stream;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tools;
pub mod usage;
pub mod warning;

pub use direct::{
    model_request, model_request_stream, model_request_stream_sync, model_request_sync,
};
#[cfg(feature = "testing")]
pub use error::CassetteErrorKind;
pub use error::{ApiErrorKind, BoxError, Error, ModelFailure, Result};
#[doc = include_str!("../docs/provider.md")]
pub use llm_macros::provider;
pub use llm_macros::{tool, toolset};

/// Re-exports used by the code the macros generate. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use schemars;
    pub use serde;
    pub use serde_json;
}
