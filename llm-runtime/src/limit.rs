//! [`ConcurrencyLimiter`]: how many requests may be in flight, how many may start a minute,
//! how many tokens a minute may use, and pacing from the providers' rate-limit headers — so
//! that a burst waits its turn instead of collecting 429s.
//!
//! A limiter is shared by cloning it. It limits the requests of a
//! [`ConcurrencyLimitedModel`](crate::models::ConcurrencyLimitedModel) (any model), or every
//! request of a provider given it with
//! [`ProviderBuilder::limiter`](crate::providers::ProviderBuilder::limiter); only the latter
//! sees the responses' headers, so pacing from them needs it:
//!
//! - a 429's or 503's `retry-after` (or `retry-after-ms`) holds every request of the limiter
//!   back that long;
//! - OpenAI's `x-ratelimit-remaining-{requests,tokens}: 0` holds them until
//!   `x-ratelimit-reset-{requests,tokens}` (`"1s"`, `"6m0s"`, `"20ms"`);
//! - Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-remaining: 0`
//!   until the matching `-reset` time (RFC 3339).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::messages::ModelResponse;
use crate::stream::StreamObserver;
use crate::usage::Usage;

/// A token bucket: `capacity` at most, refilled at `per_second`; its level may go below zero
/// when more was used than it held (tokens are counted after the response).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    capacity: f64,
    per_second: f64,
    level: f64,
    at: Instant,
}

impl Bucket {
    fn per_minute(amount: u64, now: Instant) -> Self {
        let capacity = amount as f64;
        Bucket {
            capacity,
            per_second: capacity / 60.0,
            level: capacity,
            at: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.level = (self.level + elapsed * self.per_second).min(self.capacity);
        self.at = now;
    }

    /// How long until the level reaches `needed` (zero when it has).
    fn wait_for(&self, needed: f64) -> Duration {
        if self.level >= needed {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((needed - self.level) / self.per_second)
        }
    }
}

/// What decides when the next request may start, behind the limiter's lock.
#[derive(Debug)]
struct Pacing {
    requests: Option<Bucket>,
    tokens: Option<Bucket>,
    /// No request starts before this (from the providers' headers).
    held_until: Option<Instant>,
}

struct Inner {
    slots: Arc<Semaphore>,
    max: usize,
    pacing: Mutex<Pacing>,
}

/// A limit on requests shared by every model or provider it is given to: at most
/// `max_in_flight` at once (waiting their turn in the order they came), optionally at most so
/// many starts and so many tokens a minute, and paced by the providers' rate-limit headers
/// (see the [module docs](self)). Cloning gives another handle to the same limit.
///
/// ```
/// use llm_runtime::limit::ConcurrencyLimiter;
///
/// let limiter = ConcurrencyLimiter::builder(4)
///     .requests_per_minute(600)
///     .tokens_per_minute(200_000)
///     .build()?;
/// assert_eq!(limiter.max_in_flight(), 4);
/// assert_eq!(limiter.in_flight(), 0);
/// # Ok::<(), llm_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct ConcurrencyLimiter {
    inner: Arc<Inner>,
}

/// Builds a [`ConcurrencyLimiter`] (from [`ConcurrencyLimiter::builder`]).
#[derive(Debug, Clone)]
pub struct LimiterBuilder {
    max_in_flight: usize,
    requests_per_minute: Option<u64>,
    tokens_per_minute: Option<u64>,
}

impl LimiterBuilder {
    /// At most `requests` starts in any minute (a bucket of that many, refilled evenly).
    pub fn requests_per_minute(mut self, requests: u64) -> Self {
        self.requests_per_minute = Some(requests);
        self
    }

    /// At most `tokens` a minute: a request starts only while the tokens of the responses of
    /// the last minute (their usage, counted when each ends) are under the budget.
    pub fn tokens_per_minute(mut self, tokens: u64) -> Self {
        self.tokens_per_minute = Some(tokens);
        self
    }

    /// The limiter.
    ///
    /// # Errors
    /// [`Error::User`] for a limit of 0 (nothing could ever be sent), or `max_in_flight` above
    /// [`Semaphore::MAX_PERMITS`].
    pub fn build(self) -> Result<ConcurrencyLimiter> {
        let max = self.max_in_flight;
        if max == 0 || max > Semaphore::MAX_PERMITS {
            return Err(Error::user(format!(
                "a concurrency limit must be between 1 and {}, not {max}",
                Semaphore::MAX_PERMITS
            )));
        }
        if self.requests_per_minute == Some(0) || self.tokens_per_minute == Some(0) {
            return Err(Error::user(
                "a per-minute budget of 0 would never let a request start",
            ));
        }
        let now = Instant::now();
        Ok(ConcurrencyLimiter {
            inner: Arc::new(Inner {
                slots: Arc::new(Semaphore::new(max)),
                max,
                pacing: Mutex::new(Pacing {
                    requests: self.requests_per_minute.map(|n| Bucket::per_minute(n, now)),
                    tokens: self.tokens_per_minute.map(|n| Bucket::per_minute(n, now)),
                    held_until: None,
                }),
            }),
        })
    }
}

/// A request's place under a [`ConcurrencyLimiter`]: the slot is free again when it is
/// dropped.
#[derive(Debug)]
pub struct Slot {
    _permit: Option<OwnedSemaphorePermit>,
}

impl ConcurrencyLimiter {
    /// A limit of `max_in_flight` requests at a time and nothing else.
    ///
    /// # Errors
    /// As [`LimiterBuilder::build`].
    pub fn new(max_in_flight: usize) -> Result<Self> {
        Self::builder(max_in_flight).build()
    }

    /// A builder for a limiter of `max_in_flight` requests at a time, with per-minute budgets.
    pub fn builder(max_in_flight: usize) -> LimiterBuilder {
        LimiterBuilder {
            max_in_flight,
            requests_per_minute: None,
            tokens_per_minute: None,
        }
    }

    /// The most requests in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max
    }

    /// How many requests hold a slot now.
    pub fn in_flight(&self) -> usize {
        self.inner.max - self.inner.slots.available_permits()
    }

    fn pacing(&self) -> MutexGuard<'_, Pacing> {
        // The state is a few numbers, consistent after every statement: a panic elsewhere
        // while holding the lock leaves nothing half-done.
        self.inner
            .pacing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a free slot, then until the budgets and the providers' headers let a request
    /// start; the slot is the caller's until dropped.
    pub async fn acquire(&self) -> Slot {
        // The semaphore is private and never closed: `ok()` only spares an unreachable panic.
        let permit = self.inner.slots.clone().acquire_owned().await.ok();
        loop {
            let wait = {
                let mut pacing = self.pacing();
                let now = Instant::now();
                let mut wait = pacing
                    .held_until
                    .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
                if let Some(tokens) = &mut pacing.tokens {
                    tokens.refill(now);
                    wait = wait.max(tokens.wait_for(f64::MIN_POSITIVE));
                }
                if let Some(requests) = &mut pacing.requests {
                    requests.refill(now);
                    wait = wait.max(requests.wait_for(1.0));
                    if wait.is_zero() {
                        requests.level -= 1.0;
                    }
                }
                wait
            };
            if wait.is_zero() {
                return Slot { _permit: permit };
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Counts a response's tokens (input, cached ones included, and output) against the
    /// tokens-per-minute budget.
    pub fn record_usage(&self, usage: &Usage) {
        let tokens = usage.request_tokens.saturating_add(usage.response_tokens);
        let mut pacing = self.pacing();
        if let Some(bucket) = &mut pacing.tokens {
            bucket.refill(Instant::now());
            bucket.level -= tokens as f64;
        }
    }

    /// An observer for a stream that holds `slot`: it keeps the slot until the stream ends
    /// (or is dropped), then counts the stream's tokens.
    pub fn stream_accounting(&self, slot: Slot) -> impl StreamObserver {
        StreamAccounting {
            limiter: self.clone(),
            _slot: slot,
        }
    }

    /// Learns from a provider's response: holds every request of this limiter back as its
    /// rate-limit headers say (see the [module docs](self)), and for `retry_after` (a 429's
    /// `retry-after`, as [`crate::http::retry_after`] reads it).
    pub fn observe(&self, headers: &HeaderMap, retry_after: Option<Duration>) {
        let held = hold_from_headers(headers, SystemTime::now());
        let Some(wait) = held.into_iter().chain(retry_after).max() else {
            return;
        };
        let until = Instant::now() + wait;
        let mut pacing = self.pacing();
        if pacing.held_until.is_none_or(|held| held < until) {
            pacing.held_until = Some(until);
        }
    }
}

impl fmt::Debug for ConcurrencyLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrencyLimiter")
            .field("max_in_flight", &self.inner.max)
            .field("in_flight", &self.in_flight())
            .finish_non_exhaustive()
    }
}

/// Holds a stream's slot until the stream ends, then counts its tokens.
struct StreamAccounting {
    limiter: ConcurrencyLimiter,
    _slot: Slot,
}

impl StreamObserver for StreamAccounting {
    fn on_end(
        &mut self,
        response: &ModelResponse,
        _outcome: Option<std::result::Result<(), &Error>>,
    ) {
        self.limiter.record_usage(&response.usage);
    }
}

/// OpenAI's budget headers: what is left, and when it is reset (a Go duration).
const OPENAI_BUDGETS: [(&str, &str); 2] = [
    (
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
    ),
    ("x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"),
];

/// Anthropic's budget headers: what is left, and when it is reset (an RFC 3339 time).
const ANTHROPIC_BUDGETS: [(&str, &str); 4] = [
    (
        "anthropic-ratelimit-requests-remaining",
        "anthropic-ratelimit-requests-reset",
    ),
    (
        "anthropic-ratelimit-tokens-remaining",
        "anthropic-ratelimit-tokens-reset",
    ),
    (
        "anthropic-ratelimit-input-tokens-remaining",
        "anthropic-ratelimit-input-tokens-reset",
    ),
    (
        "anthropic-ratelimit-output-tokens-remaining",
        "anthropic-ratelimit-output-tokens-reset",
    ),
];

/// The longest a response's remaining/reset headers ask to hold new requests back, if any.
fn hold_from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut hold: Option<Duration> = None;
    let mut longer = |wait: Duration| hold = Some(hold.map_or(wait, |h| h.max(wait)));
    for (remaining, reset) in OPENAI_BUDGETS {
        if header(remaining) == Some("0") {
            if let Some(wait) = header(reset).and_then(go_duration) {
                longer(wait);
            }
        }
    }
    for (remaining, reset) in ANTHROPIC_BUDGETS {
        if header(remaining) == Some("0") {
            let reset = header(reset).and_then(rfc3339);
            if let Some(wait) = reset.and_then(|at| at.duration_since(now).ok()) {
                longer(wait);
            }
        }
    }
    hold
}

/// A duration as OpenAI writes its resets (Go's format): `"1s"`, `"6m0s"`, `"20ms"`,
/// `"1h2m3.5s"`.
fn go_duration(text: &str) -> Option<Duration> {
    let mut total = 0.0_f64;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += number * seconds;
        rest = &rest[unit_end..];
    }
    Duration::try_from_secs_f64(total).ok()
}

/// An RFC 3339 time in UTC or with an offset (`2026-12-07T12:00:30Z`,
/// `2026-12-07T13:00:30.5+01:00`).
fn rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut date_parts = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (
        date_parts.next()?.ok()?,
        date_parts.next()?.ok()?,
        date_parts.next()?.ok()?,
    );
    let (clock, offset) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (clock, zone) = time.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (hours, minutes) = zone[1..].split_once(':')?;
        (
            clock,
            sign * (hours.parse::<i64>().ok()? * 3600 + minutes.parse::<i64>().ok()? * 60),
        )
    };
    let mut clock_parts = clock.splitn(3, ':');
    let hour: i64 = clock_parts.next()?.parse().ok()?;
    let minute: i64 = clock_parts.next()?.parse().ok()?;
    let second: f64 = clock_parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 - offset;
    let since_epoch = Duration::try_from_secs_f64(seconds as f64 + second).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(since_epoch)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests;
