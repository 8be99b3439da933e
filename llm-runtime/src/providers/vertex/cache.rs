//! The token cache of one set of credentials, and the process-wide map that gives every model
//! resolving to the same credentials the same cache (a loop of `model_request` fetches one
//! token an hour, not one a call).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use crate::error::Result;
use crate::http::ApiKey;

/// How long before its expiry a token is refreshed (5 minutes, as google-auth does), at most
/// half its lifetime.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A token and when to fetch the next one.
struct Cached {
    token: ApiKey,
    /// `None`: the token does not expire.
    refresh_at: Option<SystemTime>,
}

/// One token shared by every request: fetched when missing or about to expire, by one request
/// at a time while the others wait for it (the lock is held across the fetch and is fair, so
/// 50 concurrent requests cause one fetch). A failed fetch is not cached.
#[derive(Default)]
pub(crate) struct TokenCache {
    state: tokio::sync::Mutex<Option<Cached>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache(<redacted>)")
    }
}

impl TokenCache {
    /// The cached token, or the one `fetch` returns (a token and its expiry) when there is
    /// none or it is due for refresh.
    pub(crate) async fn token<F, Fut>(&self, fetch: F) -> Result<ApiKey>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(ApiKey, Option<SystemTime>)>>,
    {
        let mut state = self.state.lock().await;
        let now = SystemTime::now();
        if let Some(cached) = &*state {
            if cached.refresh_at.is_none_or(|at| now < at) {
                return Ok(cached.token.clone());
            }
        }
        let (token, expires_at) = fetch().await?;
        *state = Some(Cached {
            token: token.clone(),
            refresh_at: expires_at.map(|at| refresh_time(now, at)),
        });
        Ok(token)
    }
}

/// When a token fetched at `now` and expiring at `expires_at` is refreshed: the margin before
/// expiry, or half its lifetime when that is shorter.
fn refresh_time(now: SystemTime, expires_at: SystemTime) -> SystemTime {
    let lifetime = expires_at.duration_since(now).unwrap_or_default();
    expires_at
        .checked_sub(REFRESH_MARGIN.min(lifetime / 2))
        .unwrap_or(now)
}

/// The caches of the process, one per credentials key.
static CACHES: OnceLock<Mutex<HashMap<String, Arc<TokenCache>>>> = OnceLock::new();

/// The cache of the credentials known by `key` (their source and identity, never a secret).
pub(crate) fn shared_cache(key: &str) -> Arc<TokenCache> {
    let mut caches = CACHES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    caches.entry(key.to_owned()).or_default().clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn refresh_margin_is_at_most_half_the_lifetime() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let hour = now + Duration::from_secs(3600);
        assert_eq!(refresh_time(now, hour), hour - REFRESH_MARGIN);
        let short = now + Duration::from_secs(60);
        assert_eq!(refresh_time(now, short), now + Duration::from_secs(30));
        assert_eq!(refresh_time(now, now - Duration::from_secs(5)), now - Duration::from_secs(5));
    }

    #[tokio::test]
    async fn concurrent_requests_share_one_fetch_and_failures_are_not_cached() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cache, fetches) = (cache.clone(), fetches.clone());
                tokio::spawn(async move {
                    cache
                        .token(|| async {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            let expiry = SystemTime::now() + Duration::from_secs(3600);
                            Ok((ApiKey::new("t"), Some(expiry)))
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().expose(), "t");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        let failing = TokenCache::default();
        let err = failing
            .token(|| async { Err(crate::Error::user("refused")) })
            .await;
        assert!(err.is_err());
        let ok = failing
            .token(|| async { Ok((ApiKey::new("u"), None)) })
            .await
            .unwrap();
        assert_eq!(ok.expose(), "u");
    }

    #[test]
    fn the_same_key_gives_the_same_cache() {
        let a = shared_cache("test:a");
        assert!(Arc::ptr_eq(&a, &shared_cache("test:a")));
        assert!(!Arc::ptr_eq(&a, &shared_cache("test:b")));
    }
}
