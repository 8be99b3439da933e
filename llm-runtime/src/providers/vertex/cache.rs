//! One [`TokenCache`] per credentials for the whole process: every model that resolves to the
//! same credentials (the same file and identity, or the same metadata server) shares one
//! cache, so a loop of `model_request("google-vertex:…")` fetches one token an hour, not one
//! a call.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use super::credentials::Credentials;
use crate::http::TokenCache;

/// The caches of the process, by [`Credentials::cache_key`] (never a secret).
static CACHES: OnceLock<Mutex<HashMap<String, TokenCache>>> = OnceLock::new();

/// The process-wide cache of `credentials`' tokens: the one made for the first credentials of
/// the same source, or a new one of `credentials` (which then fetch its tokens).
pub(crate) fn shared_cache(credentials: Credentials) -> TokenCache {
    let key = credentials.cache_key();
    let mut caches = CACHES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    caches
        .entry(key)
        .or_insert_with(|| TokenCache::new(credentials))
        .clone()
}
