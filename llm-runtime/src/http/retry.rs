//! When and how long to wait before retrying a request: [`RetryPolicy`], and the parsing of
//! the waits providers ask for ([`retry_after`]).
//!
//! By default a request is retried twice (three attempts in all) after a 408, 409, 429 or
//! 5xx status (Anthropic's 529 included) or a connection failure or timeout; never after
//! another 4xx. The wait is the provider's `retry-after-ms`, else its `Retry-After` (seconds
//! or an HTTP date), else exponential backoff with jitter, as in the official OpenAI and
//! Anthropic SDKs.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// How many times, and after how long, a failed request is tried again.
///
/// ```
/// use std::time::Duration;
/// use llm_runtime::http::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.max_retries, 2);
/// // The provider's own wait wins over backoff…
/// assert_eq!(policy.delay(0, Some(Duration::from_millis(250))), Some(Duration::from_millis(250)));
/// // …unless it is longer than the policy accepts: the error is returned instead.
/// assert_eq!(policy.delay(0, Some(Duration::from_secs(3600))), None);
/// // Backoff doubles from `initial_backoff`, with up to 25% taken off at random.
/// let wait = policy.delay(1, None).unwrap();
/// assert!(wait > Duration::from_millis(750) && wait <= Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (2 by default: three attempts in all).
    pub max_retries: u32,
    /// The backoff before the first retry when the provider asks for no wait (0.5 s).
    pub initial_backoff: Duration,
    /// The longest backoff (8 s).
    pub max_backoff: Duration,
    /// The longest wait a provider may ask for (60 s); when it asks for more, the request is
    /// not retried and its error, with `retry_after` set, is returned at once.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// This policy with another number of retries.
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// This policy with another initial backoff.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// This policy with another longest backoff.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// This policy with another longest accepted `Retry-After`.
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// How long to wait before retry number `retry` (0 for the first retry), given the wait
    /// the provider asked for; `None` when the provider asked for more than
    /// [`max_retry_after`](Self::max_retry_after).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry)),
        }
    }

    /// Exponential backoff: `initial_backoff * 2^retry`, at most `max_backoff`, less a random
    /// share of up to 25% so that clients that failed together do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        let base = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        base.mul_f64(1.0 - 0.25 * random_unit())
    }
}

/// A number in `[0, 1)` from the standard library's randomly keyed hasher (no RNG crate
/// needed for jitter).
fn random_unit() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    // The top 53 bits, as the mantissa of a number in [0, 1).
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait a response asks for: `retry-after-ms` (milliseconds, as OpenAI and Anthropic
/// send it), else `Retry-After` as seconds or as an HTTP date (relative to `now`). Negative,
/// unparsable and past values count as no wait asked.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use llm_runtime::http::retry_after;
/// use reqwest::header::{HeaderMap, HeaderValue};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
/// let now = UNIX_EPOCH + Duration::from_secs(1_445_412_450); // 07:27:30 that day
/// assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
/// headers.insert("retry-after-ms", HeaderValue::from_static("1500"));
/// assert_eq!(retry_after(&headers, now), Some(Duration::from_millis(1500)));
/// ```
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(parse_seconds) {
        return Some(ms / 1000);
    }
    let value = text("retry-after")?;
    if let Some(seconds) = parse_seconds(value) {
        return Some(seconds);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    date.duration_since(now).ok()
}

/// A non-negative decimal number (`"2"`, `"1.5"`) as that many units of a second; `None` for
/// anything else.
fn parse_seconds(value: &str) -> Option<Duration> {
    let number: f64 = value.parse().ok()?;
    if !number.is_finite() || number < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(number).ok()
}

/// Whether the response says explicitly whether to retry (`x-should-retry: true|false`, sent
/// by OpenAI and Anthropic); it overrides the status.
pub(crate) fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry")?.to_str().ok()?.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let wait = |pairs: &[(&'static str, &'static str)]| retry_after(&headers(pairs), now);
        assert_eq!(wait(&[("retry-after", "3")]), Some(Duration::from_secs(3)));
        assert_eq!(
            wait(&[("retry-after", " 0.5 ")]),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            wait(&[("retry-after-ms", "20")]),
            Some(Duration::from_millis(20))
        );
        assert_eq!(
            wait(&[("retry-after-ms", "20"), ("retry-after", "9")]),
            Some(Duration::from_millis(20))
        );
        // A bad `retry-after-ms` falls back to `Retry-After`.
        assert_eq!(
            wait(&[("retry-after-ms", "soon"), ("retry-after", "9")]),
            Some(Duration::from_secs(9))
        );
        // IMF-fixdate, RFC 850 and asctime dates.
        assert_eq!(
            wait(&[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")]),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            wait(&[("retry-after", "Sunday, 06-Nov-94 08:49:39 GMT")]),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            wait(&[("retry-after", "Sun Nov  6 08:49:38 1994")]),
            Some(Duration::from_secs(1))
        );
        // Past dates, negatives and garbage ask for nothing.
        assert_eq!(
            wait(&[("retry-after", "Sun, 06 Nov 1994 08:00:00 GMT")]),
            None
        );
        assert_eq!(wait(&[("retry-after", "-1")]), None);
        assert_eq!(wait(&[("retry-after", "NaN")]), None);
        assert_eq!(wait(&[("retry-after", "later")]), None);
        assert_eq!(wait(&[]), None);
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let policy = RetryPolicy::default();
        for retry in 0..40 {
            let nominal = Duration::from_millis(500)
                .saturating_mul(2u32.saturating_pow(retry.min(31)))
                .min(Duration::from_secs(8));
            let wait = policy.backoff(retry);
            assert!(wait <= nominal, "{retry}: {wait:?}");
            assert!(wait >= nominal.mul_f64(0.75), "{retry}: {wait:?}");
        }
        let waits: Vec<Duration> = (0..20).map(|_| policy.backoff(3)).collect();
        assert!(waits.iter().any(|w| *w != waits[0]), "no jitter: {waits:?}");
    }

    #[test]
    fn provider_waits_win_unless_too_long() {
        let policy = RetryPolicy::default().with_max_retry_after(Duration::from_secs(5));
        assert_eq!(policy.delay(0, Some(Duration::ZERO)), Some(Duration::ZERO));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(6))), None);
        assert_eq!(RetryPolicy::none().max_retries, 0);
    }

    #[test]
    fn should_retry_header_values() {
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "true")])),
            Some(true)
        );
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "false")])),
            Some(false)
        );
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "maybe")])),
            None
        );
        assert_eq!(should_retry_header(&headers(&[])), None);
    }
}
