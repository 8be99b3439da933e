//! The runtime that blocking calls run on: [`block_on`], shared by the `_sync` request
//! functions ([`crate::direct`]) and [`StreamedResponseSync`](crate::stream::StreamedResponseSync).
//!
//! A leaf module: it imports nothing of the crate but the error type, so that `direct` and
//! `stream` both depend on it and not on each other.

use std::future::Future;
use std::sync::OnceLock;

use crate::error::{Error, Result};

/// Runs `future` to completion on the crate's blocking runtime.
///
/// A single background runtime serves every blocking call, so that pooled HTTP connections
/// outlive each call.
///
/// # Errors
/// [`Error::User`] when called from inside an async runtime, where blocking would stall it.
pub(crate) fn block_on<F: Future>(what: &str, future: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::blocking_in_async(what));
    }
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> =
        OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("llm-runtime-blocking")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    });
    match runtime {
        Ok(runtime) => Ok(runtime.block_on(future)),
        Err(message) => Err(Error::user(format!(
            "could not start the runtime for blocking calls: {message}"
        ))),
    }
}
