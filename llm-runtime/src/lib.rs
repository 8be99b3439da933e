//! Request any large language model through one small API: the Rust counterpart of
//! pydantic-ai's direct API (`model_request`, `model_request_sync`, `model_request_stream`,
//! `model_request_stream_sync`).
//!
//! ```
//! use llm_runtime::{model_request_sync, messages::ModelRequest};
//!
//! let (response, usage) = model_request_sync(
//!     "test",
//!     [ModelRequest::user_text_prompt("What is the capital of France?")],
//! )?;
//! println!("{}", response.text());
//! println!("{usage:?}");
//! # Ok::<(), llm_runtime::Error>(())
//! ```
//!
//! The only abstraction is the translation of the message model ([`messages`]) to and from
//! each provider's wire format. Model strings name a provider and a model
//! (`"openai:gpt-4.1-nano"`); `"test"` is a built-in offline model.

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
pub mod tools;
pub mod usage;
pub mod warning;

pub use direct::{
    model_request, model_request_stream, model_request_stream_sync, model_request_sync,
};
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
