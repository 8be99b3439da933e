use reqwest::header::HeaderValue;

use super::*;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn go_durations_as_openai_writes_them() {
    assert_eq!(go_duration("1s"), Some(Duration::from_secs(1)));
    assert_eq!(go_duration("6m0s"), Some(Duration::from_secs(360)));
    assert_eq!(go_duration("20ms"), Some(Duration::from_millis(20)));
    assert_eq!(
        go_duration("1h2m3.5s"),
        Some(Duration::from_millis(3_723_500))
    );
    for bad in ["", "s", "5", "5x", "1.2.3s", "-1s"] {
        assert_eq!(go_duration(bad), None, "{bad}");
    }
}

#[test]
fn rfc3339_times_in_utc_and_with_offsets() {
    let at = |s| rfc3339(s).map(|t| t.duration_since(SystemTime::UNIX_EPOCH).unwrap());
    assert_eq!(at("1970-01-01T00:00:00Z"), Some(Duration::ZERO));
    assert_eq!(
        at("2026-12-07T12:00:30Z"),
        Some(Duration::from_secs(1_796_644_830))
    );
    assert_eq!(at("2026-12-07T13:00:30+01:00"), at("2026-12-07T12:00:30Z"));
    assert_eq!(
        at("2000-03-01T00:00:00.5Z"),
        Some(Duration::from_millis(951_868_800_500))
    );
    for bad in [
        "",
        "2026-12-07",
        "2026-13-01T00:00:00Z",
        "2026-12-07T25:00:00Z",
        "soon",
    ] {
        assert_eq!(rfc3339(bad), None, "{bad}");
    }
}

#[test]
fn exhausted_budgets_hold_until_their_reset() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_644_800); // 12:00:00Z
    let openai = headers(&[
        ("x-ratelimit-remaining-requests", "0"),
        ("x-ratelimit-reset-requests", "2s"),
        ("x-ratelimit-remaining-tokens", "0"),
        ("x-ratelimit-reset-tokens", "6m0s"),
    ]);
    assert_eq!(
        hold_from_headers(&openai, now),
        Some(Duration::from_secs(360))
    );
    let anthropic = headers(&[
        ("anthropic-ratelimit-requests-remaining", "0"),
        ("anthropic-ratelimit-requests-reset", "2026-12-07T12:00:30Z"),
    ]);
    assert_eq!(
        hold_from_headers(&anthropic, now),
        Some(Duration::from_secs(30))
    );
    // Budget left, or a reset already past: no hold.
    let left = headers(&[
        ("x-ratelimit-remaining-requests", "3"),
        ("x-ratelimit-reset-requests", "2s"),
        ("anthropic-ratelimit-tokens-remaining", "0"),
        ("anthropic-ratelimit-tokens-reset", "2026-12-07T11:59:00Z"),
    ]);
    assert_eq!(hold_from_headers(&left, now), None);
}

#[test]
fn zero_limits_are_user_errors() {
    assert!(ConcurrencyLimiter::new(0).is_err());
    assert!(ConcurrencyLimiter::builder(1)
        .requests_per_minute(0)
        .build()
        .is_err());
    assert!(ConcurrencyLimiter::builder(1)
        .tokens_per_minute(0)
        .build()
        .is_err());
}

#[tokio::test(start_paused = true)]
async fn a_hold_delays_the_next_start_and_only_that_long() {
    let limiter = ConcurrencyLimiter::new(4).unwrap();
    limiter.observe(&HeaderMap::new(), Some(Duration::from_secs(3)));
    let start = Instant::now();
    let _slot = limiter.acquire().await;
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    let again = Instant::now();
    let _slot = limiter.acquire().await;
    assert_eq!(again.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn requests_per_minute_spreads_a_burst_beyond_the_bucket() {
    let limiter = ConcurrencyLimiter::builder(100)
        .requests_per_minute(60)
        .build()
        .unwrap();
    let start = Instant::now();
    let mut slots = Vec::new();
    for _ in 0..60 {
        slots.push(limiter.acquire().await);
    }
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "the bucket's 60 start at once"
    );
    slots.push(limiter.acquire().await);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(999) && waited <= Duration::from_millis(1_001),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn tokens_per_minute_waits_until_used_tokens_are_refilled() {
    let limiter = ConcurrencyLimiter::builder(10)
        .tokens_per_minute(6_000)
        .build()
        .unwrap();
    let usage = Usage {
        request_tokens: 7_000,
        response_tokens: 2_000,
        ..Usage::default()
    };
    drop(limiter.acquire().await);
    limiter.record_usage(&usage); // 3,000 over budget: 30 s at 100 tokens a second
    let start = Instant::now();
    drop(limiter.acquire().await);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(30) && waited <= Duration::from_millis(30_010),
        "{waited:?}"
    );
}

#[tokio::test]
async fn in_flight_counts_the_slots_held() {
    let limiter = ConcurrencyLimiter::new(2).unwrap();
    let a = limiter.acquire().await;
    let _b = limiter.acquire().await;
    assert_eq!(limiter.in_flight(), 2);
    drop(a);
    assert_eq!(limiter.in_flight(), 1);
    let printed = format!("{limiter:?}");
    assert!(
        printed.contains("max_in_flight: 2") && printed.contains("in_flight: 1"),
        "{printed}"
    );
}
