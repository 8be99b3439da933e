//! The cache over a counting fake source and a fake clock: single flight, refresh before and
//! after expiry, failures shared by their waiters and never cached, secrets never shown.

use std::error::Error as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use futures::future::join_all;
use tokio::sync::Semaphore;

use super::*;

const SECRET: &str = "client-secret-DO-NOT-SHOW-9931";
const DESCRIPTION: &str = "service account file /x/key.json";
const HOUR: Duration = Duration::from_secs(3600);

/// Time as the tests move it: a fixed start plus whole seconds.
#[derive(Debug, Default)]
struct FakeClock(AtomicU64);

impl FakeClock {
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + self.0.load(Ordering::SeqCst))
    }

    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs(), Ordering::SeqCst);
    }
}

/// A source handing out `tok-<n>` for its n-th fetch, valid for `lifetime` on the fake clock.
/// Its derived `Debug` shows the secret: the cache must show only `describe()`.
#[derive(Debug)]
struct FakeSource {
    #[allow(dead_code)] // read by the derived `Debug` only, on purpose
    client_secret: String,
    fetches: Arc<AtomicUsize>,
    clock: Arc<FakeClock>,
    lifetime: Option<Duration>,
    /// How many fetches fail (before the others succeed), and with what.
    failures: AtomicUsize,
    failure: fn() -> Error,
    /// When set, each fetch waits for a permit of it.
    gate: Option<Arc<Semaphore>>,
    panics: bool,
}

impl FakeSource {
    fn new(clock: &Arc<FakeClock>) -> Self {
        FakeSource {
            client_secret: SECRET.to_owned(),
            fetches: Arc::default(),
            clock: Arc::clone(clock),
            lifetime: Some(HOUR),
            failures: AtomicUsize::new(0),
            failure: refused,
            gate: None,
            panics: false,
        }
    }

    fn failing(mut self, times: usize, failure: fn() -> Error) -> Self {
        self.failures = AtomicUsize::new(times);
        self.failure = failure;
        self
    }

    fn gated(mut self, gate: &Arc<Semaphore>) -> Self {
        self.gate = Some(Arc::clone(gate));
        self
    }
}

/// A token endpoint's refusal (as an OAuth2 server answers a bad grant).
fn refused() -> Error {
    Error::http(400, "oauth2", br#"{"error":"invalid_grant"}"#, None)
}

fn unreachable() -> Error {
    Error::api("connection refused", ApiErrorKind::Connection, None)
}

impl TokenSource for FakeSource {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken>> {
        async move {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(gate) = &self.gate {
                gate.acquire().await.expect("the gate stays open").forget();
            }
            assert!(!self.panics, "the fake source panics on purpose");
            let fail = self
                .failures
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if fail {
                return Err((self.failure)());
            }
            let expires_at = self.lifetime.map(|lifetime| self.clock.now() + lifetime);
            Ok(AccessToken::new(format!("tok-{n}"), expires_at))
        }
        .boxed()
    }

    fn describe(&self) -> String {
        DESCRIPTION.to_owned()
    }
}

/// A cache of `source` on `clock`, and the source's fetch counter.
fn cache_of(source: FakeSource, clock: &Arc<FakeClock>) -> (TokenCache, Arc<AtomicUsize>) {
    let fetches = Arc::clone(&source.fetches);
    let clock = Arc::clone(clock);
    (
        TokenCache::new(source).with_clock(move || clock.now()),
        fetches,
    )
}

async fn token(cache: &TokenCache) -> String {
    cache.token().await.unwrap().expose().to_owned()
}

#[tokio::test]
async fn fifty_concurrent_calls_make_one_fetch() {
    let clock = Arc::new(FakeClock::default());
    let gate = Arc::new(Semaphore::new(0));
    let (cache, fetches) = cache_of(FakeSource::new(&clock).gated(&gate), &clock);
    let calls = join_all((0..50).map(|_| {
        let cache = cache.clone();
        async move { cache.token().await }
    }));
    // All 50 are waiting on the fetch before it is let through (with a permit for each, so
    // that 50 fetches would show as such rather than hang).
    let (results, ()) = tokio::time::timeout(Duration::from_secs(10), async {
        futures::join!(calls, async { gate.add_permits(50) })
    })
    .await
    .expect("no call hangs");
    for result in results {
        assert_eq!(result.unwrap().expose(), "tok-1");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    // And later calls use the cached token.
    assert_eq!(token(&cache).await, "tok-1");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_token_within_the_margin_of_expiry_is_refreshed() {
    let clock = Arc::new(FakeClock::default());
    let (cache, fetches) = cache_of(FakeSource::new(&clock), &clock);
    assert_eq!(token(&cache).await, "tok-1");
    // One second before the margin (5 minutes before the hour) the token is still used...
    clock.advance(HOUR - DEFAULT_REFRESH_MARGIN - Duration::from_secs(1));
    assert_eq!(token(&cache).await, "tok-1");
    // ...and one second into it, refreshed although it has not expired.
    clock.advance(Duration::from_secs(2));
    assert_eq!(token(&cache).await, "tok-2");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_expired_token_is_refreshed() {
    let clock = Arc::new(FakeClock::default());
    let (cache, fetches) = cache_of(FakeSource::new(&clock), &clock);
    assert_eq!(token(&cache).await, "tok-1");
    clock.advance(2 * HOUR);
    assert_eq!(token(&cache).await, "tok-2");
    assert_eq!(token(&cache).await, "tok-2");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_margin_is_settable_and_at_most_half_the_lifetime() {
    let clock = Arc::new(FakeClock::default());
    let (cache, _) = cache_of(FakeSource::new(&clock), &clock);
    let cache = cache.with_refresh_margin(Duration::from_secs(10));
    assert_eq!(token(&cache).await, "tok-1");
    clock.advance(HOUR - Duration::from_secs(11));
    assert_eq!(token(&cache).await, "tok-1");
    clock.advance(Duration::from_secs(2));
    assert_eq!(token(&cache).await, "tok-2");

    // A two-minute token under a five-minute margin is used for its first minute.
    let clock = Arc::new(FakeClock::default());
    let mut source = FakeSource::new(&clock);
    source.lifetime = Some(Duration::from_secs(120));
    let (cache, _) = cache_of(source, &clock);
    assert_eq!(token(&cache).await, "tok-1");
    clock.advance(Duration::from_secs(59));
    assert_eq!(token(&cache).await, "tok-1");
    clock.advance(Duration::from_secs(2));
    assert_eq!(token(&cache).await, "tok-2");
}

#[tokio::test]
async fn a_token_without_expiry_is_kept_until_invalidated() {
    let clock = Arc::new(FakeClock::default());
    let mut source = FakeSource::new(&clock);
    source.lifetime = None;
    let (cache, fetches) = cache_of(source, &clock);
    assert_eq!(token(&cache).await, "tok-1");
    clock.advance(100 * HOUR);
    assert_eq!(token(&cache).await, "tok-1");
    // A refusal of another (older) token leaves the cached one alone.
    cache.invalidate_token(&ApiKey::new("tok-0"));
    assert_eq!(token(&cache).await, "tok-1");
    cache.invalidate_token(&ApiKey::new("tok-1"));
    assert_eq!(token(&cache).await, "tok-2");
    cache.invalidate();
    assert_eq!(token(&cache).await, "tok-3");
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_failed_fetch_names_the_source_hides_the_secret_and_is_not_cached() {
    let clock = Arc::new(FakeClock::default());
    let (cache, fetches) = cache_of(FakeSource::new(&clock).failing(1, refused), &clock);
    let err = cache.token().await.unwrap_err();
    let Error::Api { kind, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, ApiErrorKind::Credentials);
    assert_eq!(
        message,
        &format!(
            "could not get an access token from {DESCRIPTION}: status 400 from oauth2: \
             {{\"error\":\"invalid_grant\"}}"
        )
    );
    // The source's own error is the cause, kept whole.
    let cause = err.source().expect("the source's error");
    assert_eq!(cause.to_string(), refused().to_string());
    assert!(!err.is_retryable());
    for shown in [
        err.to_string(),
        format!("{err:?}"),
        format!("{cache:?}"),
        cause.to_string(),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
    assert!(format!("{cache:?}").contains(DESCRIPTION));
    // The next call fetches again, and succeeds.
    assert_eq!(token(&cache).await, "tok-2");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn concurrent_waiters_of_a_failed_fetch_each_get_the_error() {
    let clock = Arc::new(FakeClock::default());
    let gate = Arc::new(Semaphore::new(0));
    let source = FakeSource::new(&clock).failing(1, refused).gated(&gate);
    let (cache, fetches) = cache_of(source, &clock);
    let calls = join_all((0..10).map(|_| {
        let cache = cache.clone();
        async move { cache.token_or_failure().await }
    }));
    let waited = tokio::time::timeout(Duration::from_secs(10), async {
        futures::join!(calls, async { gate.add_permits(1) }).0
    })
    .await
    .expect("no waiter hangs");
    for result in waited {
        let (err, retryable) = result.unwrap_err();
        assert!(err.to_string().contains(DESCRIPTION), "{err}");
        assert!(!retryable);
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    gate.add_permits(1);
    assert_eq!(token(&cache).await, "tok-2");
}

#[tokio::test]
async fn a_failure_worth_retrying_says_so() {
    let clock = Arc::new(FakeClock::default());
    let (cache, _) = cache_of(FakeSource::new(&clock).failing(1, unreachable), &clock);
    let (err, retryable) = cache.token_or_failure().await.unwrap_err();
    assert!(retryable, "{err}");
    assert!(matches!(
        err,
        Error::Api {
            kind: ApiErrorKind::Credentials,
            ..
        }
    ));
}

#[tokio::test]
async fn a_panicking_source_is_an_error_and_does_not_wedge_the_cache() {
    let clock = Arc::new(FakeClock::default());
    let mut source = FakeSource::new(&clock);
    source.panics = true;
    let (cache, fetches) = cache_of(source, &clock);
    for _ in 0..2 {
        let err = cache.token().await.unwrap_err();
        assert!(err.to_string().contains("panicked"), "{err}");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_fetch_whose_caller_went_away_is_finished_by_the_next() {
    let clock = Arc::new(FakeClock::default());
    let gate = Arc::new(Semaphore::new(0));
    let (cache, fetches) = cache_of(FakeSource::new(&clock).gated(&gate), &clock);
    {
        let mut first = std::pin::pin!(cache.token());
        assert!(futures::poll!(first.as_mut()).is_pending());
    }
    gate.add_permits(1);
    assert_eq!(token(&cache).await, "tok-1");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}

#[test]
fn debug_shows_the_source_description_and_never_the_token() {
    let token = AccessToken::new("tok-secret", None);
    assert!(!format!("{token:?}").contains("tok-secret"));
    let clock = Arc::new(FakeClock::default());
    let (cache, _) = cache_of(FakeSource::new(&clock), &clock);
    let shown = format!("{cache:?}");
    assert!(shown.contains(DESCRIPTION), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
}
