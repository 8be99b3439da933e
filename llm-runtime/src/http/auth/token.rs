//! Short-lived bearer tokens: where they come from ([`TokenSource`]) and the cache that shares
//! and refreshes them ([`TokenCache`]).

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use futures::future::{BoxFuture, FutureExt, Shared};

use super::ApiKey;
use crate::error::{ApiErrorKind, Error, Result};

/// How long before its expiry a cached token is refreshed by default (5 minutes, as
/// google-auth does).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A short-lived bearer token and when it expires.
///
/// Its `Debug` shows the expiry and never the token.
///
/// ```
/// use std::time::Duration;
/// use llm_runtime::http::AccessToken;
///
/// // An OAuth2 token response: {"access_token": "ya29.secret", "expires_in": 3599}
/// let token = AccessToken::expiring_in("ya29.secret", Duration::from_secs(3599));
/// assert_eq!(token.token().expose(), "ya29.secret");
/// assert!(token.expires_at().is_some());
/// assert!(!format!("{token:?}").contains("ya29"));
/// ```
#[derive(Debug, Clone)]
pub struct AccessToken {
    token: ApiKey,
    expires_at: Option<SystemTime>,
}

impl AccessToken {
    /// A token valid until `expires_at` (`None`: until the provider refuses it).
    pub fn new(token: impl Into<ApiKey>, expires_at: Option<SystemTime>) -> Self {
        AccessToken {
            token: token.into(),
            expires_at,
        }
    }

    /// A token valid for `lifetime` from now (OAuth2's `expires_in`).
    pub fn expiring_in(token: impl Into<ApiKey>, lifetime: Duration) -> Self {
        AccessToken::new(token, SystemTime::now().checked_add(lifetime))
    }

    /// The token itself.
    pub fn token(&self) -> &ApiKey {
        &self.token
    }

    /// When the token expires, if it does.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

/// Fetches short-lived tokens (OAuth2 grants, a metadata server...).
///
/// Set on a provider with
/// [`ProviderBuilder::token_source`](crate::providers::ProviderBuilder::token_source), which
/// wraps it in a [`TokenCache`]: the source is called only when the cached token is missing,
/// about to expire or refused (a 401), and once however many requests wait for it.
///
/// ```
/// use std::time::Duration;
/// use futures::future::{BoxFuture, FutureExt};
/// use llm_runtime::http::{AccessToken, TokenCache, TokenSource};
///
/// /// A token from the environment, for the sake of the example.
/// #[derive(Debug)]
/// struct FromEnv;
///
/// impl TokenSource for FromEnv {
///     fn fetch(&self) -> BoxFuture<'_, llm_runtime::Result<AccessToken>> {
///         async {
///             let token = std::env::var("EXAMPLE_TOKEN").unwrap_or_else(|_| "t0k3n".into());
///             Ok(AccessToken::expiring_in(token, Duration::from_secs(3600)))
///         }
///         .boxed()
///     }
///
///     fn describe(&self) -> String {
///         "the EXAMPLE_TOKEN environment variable".into()
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let cache = TokenCache::new(FromEnv);
/// assert_eq!(cache.token().await?.expose(), "t0k3n");
/// # Ok::<(), llm_runtime::Error>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait TokenSource: Send + Sync + fmt::Debug + 'static {
    /// Fetches a fresh token.
    ///
    /// # Errors
    /// Whatever prevents the fetch: the caller wraps it in an error naming
    /// [`describe`](Self::describe), so it must not carry a secret. A retryable error
    /// ([`Error::is_retryable`]: a connection failure, a 5xx) lets the request's retry policy
    /// try again.
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken>>;

    /// Where the credentials come from, for errors ("service account file /x/key.json"); never a secret.
    fn describe(&self) -> String;
}

/// Caches a [`TokenSource`]'s token: refreshes it a margin before expiry (default 5 min, like
/// google-auth), one fetch at a time however many requests wait (single flight), shared by
/// every clone.
///
/// The margin is at most half the token's lifetime, so that a token issued for less than
/// twice the margin is still used for a while. A failed fetch is not cached: every request
/// waiting for it gets the error, and the next request fetches again. A cache can be shared by
/// several providers ([`ProviderBuilder::token_cache`](crate::providers::ProviderBuilder::token_cache)).
///
/// Its `Debug` shows the source's [`describe`](TokenSource::describe) and never the token.
#[derive(Clone)]
pub struct TokenCache {
    inner: Arc<Inner>,
}

/// The time as the cache sees it (injectable, so that tests move it instead of sleeping).
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A fetch in flight, awaited by every request that needs the token meanwhile.
type SharedFetch = Shared<BoxFuture<'static, std::result::Result<ApiKey, FetchFailure>>>;

struct Inner {
    source: Arc<dyn TokenSource>,
    margin: Duration,
    clock: Clock,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// The fetch in flight and its number (a finished fetch clears only itself).
    fetch: Option<(u64, SharedFetch)>,
    fetches: u64,
}

struct Cached {
    token: ApiKey,
    /// When the token is refreshed; `None` when it does not expire.
    refresh_at: Option<SystemTime>,
}

impl Cached {
    fn is_fresh(&self, now: SystemTime) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

/// A failed fetch, shared by every request that awaited it; each gets its own [`Error`].
#[derive(Clone)]
struct FetchFailure {
    message: Arc<str>,
    retryable: bool,
    cause: Option<Arc<Error>>,
}

impl FetchFailure {
    fn new(source: &dyn TokenSource, cause: Error) -> Self {
        FetchFailure {
            message: format!(
                "could not get an access token from {}: {cause}",
                source.describe()
            )
            .into(),
            retryable: cause.is_retryable(),
            cause: Some(Arc::new(cause)),
        }
    }

    fn panicked(source: &dyn TokenSource) -> Self {
        FetchFailure {
            message: format!(
                "could not get an access token from {}: the token source panicked",
                source.describe()
            )
            .into(),
            retryable: false,
            cause: None,
        }
    }

    fn into_error(self) -> (Error, bool) {
        let source = self
            .cause
            .map(|cause| -> crate::error::BoxError { Box::new(cause) });
        let error = Error::api(&*self.message, ApiErrorKind::Credentials, source);
        (error, self.retryable)
    }
}

impl TokenCache {
    /// A cache of `source`'s tokens, empty until the first [`token`](Self::token), with the
    /// [default margin](DEFAULT_REFRESH_MARGIN).
    pub fn new(source: impl TokenSource) -> Self {
        TokenCache::build(Arc::new(source), DEFAULT_REFRESH_MARGIN, system_clock())
    }

    fn build(source: Arc<dyn TokenSource>, margin: Duration, clock: Clock) -> Self {
        TokenCache {
            inner: Arc::new(Inner {
                source,
                margin,
                clock,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// This cache refreshing tokens `margin` before they expire. It is a new, empty cache of
    /// the same source: set the margin before sharing the cache.
    pub fn with_refresh_margin(self, margin: Duration) -> Self {
        let clock = Arc::clone(&self.inner.clock);
        TokenCache::build(Arc::clone(&self.inner.source), margin, clock)
    }

    /// This cache reading the time from `clock` (a new, empty cache of the same source).
    #[cfg(test)]
    pub(crate) fn with_clock(self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        TokenCache::build(
            Arc::clone(&self.inner.source),
            self.inner.margin,
            Arc::new(clock),
        )
    }

    /// The source of the tokens.
    pub fn source(&self) -> &dyn TokenSource {
        &*self.inner.source
    }

    /// The cached token while it is fresh; else a fresh one, fetched once for every caller
    /// waiting meanwhile.
    ///
    /// # Errors
    /// [`Error::Api`] of kind [`ApiErrorKind::Credentials`] when the fetch fails: its message
    /// names the source's [`describe`](TokenSource::describe) and its
    /// [`source`](std::error::Error::source) is the source's error.
    pub async fn token(&self) -> Result<ApiKey> {
        self.token_or_failure().await.map_err(|(error, _)| error)
    }

    /// As [`token`](Self::token), the error paired with whether retrying may help.
    pub(crate) async fn token_or_failure(&self) -> std::result::Result<ApiKey, (Error, bool)> {
        let fetch = match self.cached_or_fetch() {
            Ok(token) => return Ok(token),
            Err(fetch) => fetch,
        };
        fetch.await.map_err(FetchFailure::into_error)
    }

    /// Forgets the cached token (after the provider refused it with a 401), so that the next
    /// [`token`](Self::token) fetches a new one. A fetch in flight goes on.
    pub fn invalidate(&self) {
        self.inner.lock().cached = None;
    }

    /// Forgets the cached token if it is still `stale`: of many requests refused with the
    /// same token, only the first one's refusal causes a new fetch.
    pub(crate) fn invalidate_token(&self, stale: &ApiKey) {
        let mut state = self.inner.lock();
        if state.cached.as_ref().is_some_and(|c| c.token == *stale) {
            state.cached = None;
        }
    }

    /// The fresh cached token, or the fetch to await (joined if one is in flight, else started).
    fn cached_or_fetch(&self) -> std::result::Result<ApiKey, SharedFetch> {
        let mut state = self.inner.lock();
        if let Some(cached) = &state.cached {
            if cached.is_fresh((self.inner.clock)()) {
                return Ok(cached.token.clone());
            }
        }
        if let Some((_, fetch)) = &state.fetch {
            return Err(fetch.clone());
        }
        state.fetches += 1;
        let id = state.fetches;
        let fetch = Inner::fetch(&self.inner, id);
        state.fetch = Some((id, fetch.clone()));
        Err(fetch)
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is consistent after every statement: a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Fetch number `id`: it stores its token, or only clears itself on failure, when it ends.
    /// It holds the cache weakly, so that a fetch nobody awaits any more frees it.
    fn fetch(this: &Arc<Inner>, id: u64) -> SharedFetch {
        let source = Arc::clone(&this.source);
        let cache = Arc::downgrade(this);
        async move {
            tracing::debug!(
                target: "llm_runtime::http",
                credentials = %source.describe(),
                "fetching an access token"
            );
            let outcome = match AssertUnwindSafe(source.fetch()).catch_unwind().await {
                Ok(Ok(token)) => Ok(token),
                Ok(Err(error)) => Err(FetchFailure::new(&*source, error)),
                Err(_panic) => Err(FetchFailure::panicked(&*source)),
            };
            Inner::finish(&cache, id, outcome.as_ref().ok());
            outcome.map(|token| token.token)
        }
        .boxed()
        .shared()
    }

    fn finish(cache: &Weak<Inner>, id: u64, token: Option<&AccessToken>) {
        let Some(inner) = cache.upgrade() else {
            return;
        };
        let mut state = inner.lock();
        if state
            .fetch
            .as_ref()
            .is_some_and(|(current, _)| *current == id)
        {
            state.fetch = None;
        }
        if let Some(token) = token {
            let now = (inner.clock)();
            state.cached = Some(Cached {
                token: token.token.clone(),
                refresh_at: refresh_at(now, token.expires_at, inner.margin),
            });
        }
    }
}

/// When a token fetched at `now` is refreshed: `margin` before it expires, but no sooner than
/// halfway through its lifetime; never for a token without expiry.
fn refresh_at(
    now: SystemTime,
    expires_at: Option<SystemTime>,
    margin: Duration,
) -> Option<SystemTime> {
    let expires_at = expires_at?;
    let lifetime = expires_at.duration_since(now).unwrap_or(Duration::ZERO);
    Some(
        expires_at
            .checked_sub(margin.min(lifetime / 2))
            .unwrap_or(now),
    )
}

fn system_clock() -> Clock {
    Arc::new(SystemTime::now)
}

impl fmt::Debug for TokenCache {
    /// Shows where the tokens come from and whether one is cached, never the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (cached, fetching) = {
            let state = self.inner.lock();
            (state.cached.is_some(), state.fetch.is_some())
        };
        f.debug_struct("TokenCache")
            .field("source", &self.inner.source.describe())
            .field("refresh_margin", &self.inner.margin)
            .field("cached", &cached)
            .field("fetching", &fetching)
            .finish()
    }
}

#[cfg(test)]
mod tests;
