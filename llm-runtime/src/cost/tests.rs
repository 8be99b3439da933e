use chrono::{TimeZone, Utc};

use super::*;

/// A time the bundled prices cover.
fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn response(model: &str, provider: &str, usage: Usage) -> ModelResponse {
    ModelResponse {
        usage,
        model_name: Some(model.into()),
        provider_name: Some(provider.into()),
        timestamp: at(),
        ..ModelResponse::default()
    }
}

#[test]
fn built_in_names_map_to_genai_prices_ids() {
    for (name, id) in [
        ("openai", Some("openai")),
        ("openai-responses", Some("openai")),
        ("anthropic", Some("anthropic")),
        ("google-gla", Some("google")),
        ("google-vertex", Some("google")),
        ("bedrock", Some("aws")),
        ("xai", Some("x-ai")),
        ("groq", Some("groq")),
        ("openrouter", Some("openrouter")),
        ("ollama", None),
        ("openai-compatible", None),
    ] {
        assert_eq!(provider_id(name), id, "{name}");
    }
}

#[test]
fn unknown_model_or_provider_has_no_cost() {
    let usage = Usage::new(1_000, 100);
    assert_eq!(
        response_cost(&response("no-such-model-xyz", "openai", usage.clone())),
        None
    );
    assert_eq!(
        response_cost(&response("gpt-4o", "no-such-provider", usage.clone())),
        None
    );
    assert_eq!(
        response_cost(&response("llama3.2", "ollama", usage.clone())),
        None
    );
    let unnamed = ModelResponse {
        model_name: None,
        ..response("gpt-4o", "openai", usage.clone())
    };
    assert_eq!(response_cost(&unnamed), None);
    assert_eq!(usage_cost(&usage, "", Some("openai"), None, at()), None);
}

#[test]
fn keeps_a_cost_already_set() {
    let mut usage = Usage::new(1_000, 100);
    usage.cost = Some(0.5);
    let mut priced = response("gpt-4o", "openai", usage);
    fill_response_cost(&mut priced);
    assert_eq!(priced.usage.cost, Some(0.5));
}

#[cfg(not(feature = "cost"))]
#[test]
fn without_the_feature_nothing_is_priced() {
    assert_eq!(
        response_cost(&response("gpt-4o", "openai", Usage::new(1_000, 100))),
        None
    );
}

#[cfg(feature = "cost")]
mod priced {
    use genai_prices::{Calculator, PriceRequest, UsageKey};

    use super::*;

    /// genai-prices' own price of explicit usage values (the crate called directly).
    fn reference(model: &str, provider: &str, values: &[(UsageKey, f64)]) -> f64 {
        let usage: genai_prices::Usage = values.iter().cloned().collect();
        let request = PriceRequest::new(model, &usage)
            .with_provider_id(provider)
            .with_timestamp(at());
        Calculator::bundled()
            .calculate(&request)
            .unwrap()
            .total_price
    }

    fn relative_eq(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
    }

    #[test]
    fn known_model_is_priced_as_genai_prices_prices_it() {
        let cost = response_cost(&response("gpt-4o", "openai", Usage::new(1_000, 100))).unwrap();
        let expected = reference(
            "gpt-4o",
            "openai",
            &[
                (UsageKey::REQUESTS, 1.0),
                (UsageKey::INPUT_TOKENS, 1_000.0),
                (UsageKey::OUTPUT_TOKENS, 100.0),
            ],
        );
        assert!(cost > 0.0);
        assert!(relative_eq(cost, expected), "{cost} != {expected}");
    }

    #[test]
    fn cache_tokens_are_priced_at_their_own_rates() {
        let plain = Usage::new(10_000, 100);
        let mut read = plain.clone();
        read.cache_read_tokens = 8_000;
        let mut written = plain.clone();
        written.cache_write_tokens = 8_000;
        let model = "claude-sonnet-4-5";
        let cost = |usage: &Usage| response_cost(&response(model, "anthropic", usage.clone()));
        let (plain, read, written) = (
            cost(&plain).unwrap(),
            cost(&read).unwrap(),
            cost(&written).unwrap(),
        );
        // A cache read is cheaper than input, a cache write dearer.
        assert!(read < plain, "{read} !< {plain}");
        assert!(written > plain, "{written} !> {plain}");
        let expected_read = reference(
            model,
            "anthropic",
            &[
                (UsageKey::INPUT_TOKENS, 10_000.0),
                (UsageKey::CACHE_READ_TOKENS, 8_000.0),
                (UsageKey::OUTPUT_TOKENS, 100.0),
            ],
        );
        assert!(
            relative_eq(read, expected_read),
            "{read} != {expected_read}"
        );
    }

    /// Leaving zero counts and `requests` out of genai-prices' usage prices every usage as the
    /// eight keys do (all zero patterns of the seven counts, with counts that fit inside each
    /// other and counts that do not, on models with cache, audio, tiered and per-request
    /// prices).
    #[test]
    fn zero_counts_left_out_price_the_same() {
        let models = [
            ("gpt-4o", "openai"),
            ("gpt-realtime", "openai"),
            ("gpt-4o-realtime-preview", "openai"),
            ("gemini-2.5-flash", "google"),
            ("gemini-2.5-pro", "google"),
            ("claude-sonnet-4-5", "anthropic"),
            ("amazon.nova-sonic-v1:0", "aws"),
            ("sonar", "perplexity"),
        ];
        let fitting = [10_000, 700, 3_000, 2_000, 1_500, 500, 200];
        let overflowing = [100, 10, 3_000, 50, 20, 900, 200];
        let price = |model: &str, provider: &str, usage: &genai_prices::Usage| {
            let request = PriceRequest::new(model, usage)
                .with_provider_id(provider)
                .with_timestamp(at());
            Calculator::bundled()
                .calculate(&request)
                .ok()
                .map(|price| price.total_price)
        };
        let mut priced = 0;
        for counts in [fitting, overflowing] {
            for mask in 0..1_u32 << 7 {
                let n = |i: usize| if mask & (1 << i) == 0 { 0 } else { counts[i] };
                let usage = Usage {
                    request_tokens: n(0),
                    response_tokens: n(1),
                    cache_read_tokens: n(2),
                    cache_write_tokens: n(3),
                    input_audio_tokens: n(4),
                    cache_audio_read_tokens: n(5),
                    output_audio_tokens: n(6),
                    ..Usage::new(0, 0)
                };
                #[allow(clippy::cast_precision_loss)]
                let all: genai_prices::Usage = [
                    (UsageKey::REQUESTS, 1.0),
                    (UsageKey::INPUT_TOKENS, n(0) as f64),
                    (UsageKey::OUTPUT_TOKENS, n(1) as f64),
                    (UsageKey::CACHE_READ_TOKENS, n(2) as f64),
                    (UsageKey::CACHE_WRITE_TOKENS, n(3) as f64),
                    (UsageKey::INPUT_AUDIO_TOKENS, n(4) as f64),
                    (UsageKey::CACHE_AUDIO_READ_TOKENS, n(5) as f64),
                    (UsageKey::OUTPUT_AUDIO_TOKENS, n(6) as f64),
                ]
                .into();
                let sparse = super::super::imp::price_usage(&usage);
                for (model, provider) in models {
                    let expected = price(model, provider, &all);
                    priced += usize::from(expected.is_some());
                    assert_eq!(
                        price(model, provider, &sparse),
                        expected,
                        "{model} {mask:07b} {counts:?}"
                    );
                }
            }
        }
        assert!(priced > 500, "only {priced} priced");
    }

    #[test]
    fn more_cached_than_input_tokens_has_no_cost() {
        let mut usage = Usage::new(100, 10);
        usage.cache_read_tokens = 1_000;
        assert_eq!(
            response_cost(&response("claude-sonnet-4-5", "anthropic", usage)),
            None
        );
    }

    #[test]
    fn aliases_reach_the_same_prices() {
        let usage = Usage::new(2_000, 300);
        let gla = response_cost(&response("gemini-2.5-flash", "google-gla", usage.clone()));
        let vertex = response_cost(&response(
            "gemini-2.5-flash",
            "google-vertex",
            usage.clone(),
        ));
        assert!(gla.is_some());
        assert_eq!(gla, vertex);
        let bedrock = response_cost(&response(
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "bedrock",
            usage.clone(),
        ));
        assert!(bedrock.is_some_and(|usd| usd > 0.0));
        let xai = response_cost(&response("grok-3", "xai", usage));
        assert!(xai.is_some_and(|usd| usd > 0.0));
    }

    #[test]
    fn the_url_decides_before_the_name() {
        // The `openai` provider pointed at Groq: Groq's model, priced as Groq prices it.
        let usage = Usage::new(1_000, 100);
        let model = "llama-3.3-70b-versatile";
        let as_openai = response(model, "openai", usage.clone());
        assert_eq!(response_cost(&as_openai), None);
        let at_groq = ModelResponse {
            provider_url: Some("https://api.groq.com/openai/v1".into()),
            ..as_openai
        };
        let by_url = response_cost(&at_groq);
        assert!(by_url.is_some());
        assert_eq!(
            by_url,
            response_cost(&response(model, "groq", usage.clone()))
        );
        // A URL genai-prices does not know falls back to the name.
        let local = ModelResponse {
            provider_url: Some("http://127.0.0.1:8080/v1".into()),
            ..response("gpt-4o", "openai", usage.clone())
        };
        assert_eq!(
            response_cost(&local),
            response_cost(&response("gpt-4o", "openai", usage))
        );
    }

    #[test]
    fn a_url_no_provider_matches_is_looked_up_once_and_priced_by_the_name() {
        let usage = Usage::new(1_000, 100);
        let url = "http://127.0.0.1:9/unpriced-by-url/v1";
        let local = ModelResponse {
            provider_url: Some(url.into()),
            ..response("gpt-4o", "openai", usage.clone())
        };
        let by_name = response_cost(&response("gpt-4o", "openai", usage.clone()));
        assert!(by_name.is_some());
        assert!(!super::super::imp::unpriced_url(url));
        assert_eq!(response_cost(&local), by_name);
        // Remembered: the second price skips the URL and is the same.
        assert!(super::super::imp::unpriced_url(url));
        assert_eq!(response_cost(&local), by_name);
        // A URL a provider matches is never remembered, whatever the model.
        let groq = "https://api.groq.com/openai/v1";
        let unknown_model = ModelResponse {
            provider_url: Some(groq.into()),
            ..response("no-such-model", "openai", usage)
        };
        assert_eq!(response_cost(&unknown_model), None);
        assert!(!super::super::imp::unpriced_url(groq));
    }

    #[test]
    fn prices_change_with_the_timestamp() {
        // gemini-3.6-flash's prices double on 2027-01-01, in the bundled data.
        let usage = Usage::new(1_000_000, 0);
        let later = Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap();
        let cost = |when| usage_cost(&usage, "gemini-3.6-flash", Some("google-gla"), None, when);
        let expected = |when: DateTime<Utc>| {
            let usage: genai_prices::Usage = [
                (UsageKey::REQUESTS, 1.0),
                (UsageKey::INPUT_TOKENS, 1_000_000.0),
            ]
            .into();
            Calculator::bundled()
                .calculate(
                    &PriceRequest::new("gemini-3.6-flash", &usage)
                        .with_provider_id("google")
                        .with_timestamp(when),
                )
                .unwrap()
                .total_price
        };
        let (now, then) = (cost(at()).unwrap(), cost(later).unwrap());
        assert!(then > now, "{then} !> {now}");
        assert_eq!((now, then), (expected(at()), expected(later)));
    }
}
