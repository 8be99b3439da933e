//! The cost of a response in USD ([`Usage::cost`]), from the price data of
//! [genai-prices](https://github.com/pydantic/genai-prices) (MIT), as pydantic-ai computes it.
//!
//! The prices are those the `genai-prices` crate bundles (it is released with its data); they
//! are never fetched at run time. With the default feature `cost` off, nothing is priced and
//! every cost stays `None`.
//!
//! Where the cost is computed: once per response, by the driver of the HTTP providers
//! ([`ProviderModel`](crate::providers::ProviderModel)): for a whole answer when it is parsed,
//! for a stream when it ends properly (its usage is final then: never per chunk, so streaming
//! costs nothing more until the end). A cost the response already has is kept. Offline models
//! (`test`, `function`) are not priced, and a stream that fails or is dropped has no cost. The
//! instrumentation records the cost as the span attribute `operation.cost` and in the histogram
//! of the same name, as pydantic-ai does. Summing usages ([`Usage::incr`]) sums their costs.
//!
//! How a response is priced ([`response_cost`]), as pydantic-ai's `ModelResponse.cost()`:
//! * the model: the name the response reports (the driver fills in the requested one when the
//!   provider does not say);
//! * the provider: first by the response's `provider_url` (a provider pointed at another host
//!   is priced as that host), then by its `provider_name` through [`provider_id`];
//! * the time: the response's `timestamp` (prices change over time);
//! * the usage: [`Usage`]'s counts as genai-prices' usage keys of the same names
//!   (`input_tokens` for `request_tokens`, `output_tokens` for `response_tokens`,
//!   `cache_read_tokens`, `cache_write_tokens`, `input_audio_tokens`,
//!   `cache_audio_read_tokens`, `output_audio_tokens`), the zero counts that do not change the
//!   price left out; genai-prices prices one request per calculation. Provider-specific
//!   `details` are not priced: genai-prices prices reasoning tokens as output tokens for every
//!   model we know, but a 1-hour cache write is priced as a cache write.
//!
//! An unknown provider or model, or usage that genai-prices rejects (more cached than input
//! tokens), gives `None`, never an error. The price data is decoded once per process (about 30
//! ms in a release build; a price then takes a few microseconds, against the 2 ms of the
//! streaming benchmark's stream): the first [`ProviderModel`](crate::providers::ProviderModel)
//! made starts decoding it on a thread of its own, so that the first response rarely waits for
//! it; [`preload`] decodes it on the caller's thread.

use chrono::{DateTime, Utc};

use crate::messages::ModelResponse;
use crate::usage::Usage;

/// The genai-prices provider id of a built-in provider's name (`google-gla` is `google`,
/// `bedrock` is `aws`, `xai` is `x-ai`); `None` for the hosts genai-prices has no prices for
/// (`ollama`, `github`, `huggingface`, `openai-compatible`), whose responses are priced by
/// their URL only. A name that is not built in is returned as it is: genai-prices matches it
/// against its provider ids and aliases, as pydantic-ai does with its provider names.
///
/// ```
/// use llm_runtime::cost::provider_id;
/// assert_eq!(provider_id("google-gla"), Some("google"));
/// assert_eq!(provider_id("bedrock"), Some("aws"));
/// assert_eq!(provider_id("ollama"), None);
/// assert_eq!(provider_id("my-host"), Some("my-host"));
/// ```
pub fn provider_id(provider_name: &str) -> Option<&str> {
    match provider_name {
        "openai" | "openai-chat" | "openai-responses" => Some("openai"),
        "google-gla" | "google" | "google-vertex" | "google-cloud" => Some("google"),
        "bedrock" => Some("aws"),
        "xai" | "grok" => Some("x-ai"),
        "ollama" | "github" | "huggingface" | "openai-compatible" => None,
        other => Some(other),
    }
}

/// The cost in USD of `response`, as its usage, model, provider and timestamp say (see the
/// [module docs](self)); `None` when genai-prices does not know the model or its provider, or
/// when the feature `cost` is off.
///
/// ```
/// use llm_runtime::cost::response_cost;
/// use llm_runtime::messages::ModelResponse;
/// use llm_runtime::usage::Usage;
///
/// let mut response = ModelResponse {
///     usage: Usage::new(1_000, 100),
///     model_name: Some("gpt-4o".into()),
///     provider_name: Some("openai".into()),
///     ..ModelResponse::default()
/// };
/// # if cfg!(feature = "cost") {
/// assert!(response_cost(&response).is_some_and(|usd| usd > 0.0));
/// # }
/// response.model_name = Some("no-such-model".into());
/// assert_eq!(response_cost(&response), None);
/// ```
pub fn response_cost(response: &ModelResponse) -> Option<f64> {
    usage_cost(
        &response.usage,
        response.model_name.as_deref()?,
        response.provider_name.as_deref(),
        response.provider_url.as_deref(),
        response.timestamp,
    )
}

/// The cost in USD of one request's `usage` with `model_name`, at `timestamp`: the provider is
/// found by `provider_url` first, then by `provider_name` (see [`provider_id`]); with neither,
/// by the model name. `None` when nothing matches or the feature `cost` is off.
///
/// ```
/// use llm_runtime::cost::usage_cost;
/// use llm_runtime::usage::Usage;
///
/// let usage = Usage::new(1_000, 100);
/// let cost = usage_cost(&usage, "claude-sonnet-4-5", Some("anthropic"), None, chrono::Utc::now());
/// # if cfg!(feature = "cost") {
/// assert!(cost.is_some_and(|usd| usd > 0.0));
/// # }
/// # let _ = cost;
/// ```
pub fn usage_cost(
    usage: &Usage,
    model_name: &str,
    provider_name: Option<&str>,
    provider_url: Option<&str>,
    timestamp: DateTime<Utc>,
) -> Option<f64> {
    if model_name.is_empty() {
        return None;
    }
    imp::usage_cost(usage, model_name, provider_name, provider_url, timestamp)
}

/// Decodes the price data now rather than on the first response (tens of milliseconds, once
/// per process). Does nothing when the feature `cost` is off.
///
/// ```
/// llm_runtime::cost::preload();
/// ```
pub fn preload() {
    imp::preload();
}

/// Starts decoding the price data on a thread of its own, once per process (see the
/// [module docs](self)); when no thread can be started, the first price decodes it.
pub(crate) fn warm_up() {
    imp::warm_up();
}

/// Sets `response.usage.cost` to [`response_cost`] unless it has a cost already.
pub(crate) fn fill_response_cost(response: &mut ModelResponse) {
    if response.usage.cost.is_none() {
        response.usage.cost = response_cost(response);
    }
}

#[cfg(feature = "cost")]
mod imp {
    use std::time::SystemTime;

    use chrono::{DateTime, Utc};
    use std::sync::RwLock;

    use genai_prices::{Calculator, ErrorKind, PriceRequest, UsageKey};

    use super::provider_id;
    use crate::usage::Usage;

    pub(super) fn preload() {
        // `bundled` decodes the data once (a `LazyLock` of the crate).
        let _ = Calculator::bundled();
    }

    pub(super) fn warm_up() {
        static STARTED: std::sync::Once = std::sync::Once::new();
        STARTED.call_once(|| {
            // A first price before the thread is done waits for it (the `LazyLock`).
            let _ = std::thread::Builder::new()
                .name("llm-runtime-prices".into())
                .spawn(preload);
        });
    }

    /// genai-prices' usage of one request: our counts under its keys of the same meaning.
    ///
    /// Only what changes the price is given (each key is a `BTreeMap` entry that genai-prices
    /// validates, looks up and iterates for every priced unit, with a SipHash lookup each time):
    /// * no `requests`: genai-prices prices one request per calculation whatever the usage says
    ///   (the key is only ever listed in its warnings, which are not read here);
    /// * a zero count is left out when leaving it out prices the same. A count genai-prices does
    ///   not find is 0, except that a missing key with a positive count under it
    ///   (`input_tokens` above a positive `cache_read_tokens`) or a missing join of two positive
    ///   counts (`cache_audio_read_tokens` of `cache_read_tokens` and `input_audio_tokens`) is
    ///   an error where a 0 is a price (or the usage error of a negative remainder: the same
    ///   `None`), so such a zero is kept. The relations are those of genai-prices' unit registry
    ///   (`prices/units.yml`): input tokens are above cache reads, cache writes and audio input;
    ///   cache reads and audio input above cached audio; output tokens above audio output.
    ///
    /// The test `zero_counts_left_out_price_the_same` checks every zero pattern against the
    /// eight keys.
    pub(super) fn price_usage(usage: &Usage) -> genai_prices::Usage {
        // u64 → f64 is exact below 2^53 tokens.
        #[allow(clippy::cast_precision_loss)]
        let count = |n: u64| n as f64;
        let (cache_read, input_audio, cache_audio_read) = (
            usage.cache_read_tokens,
            usage.input_audio_tokens,
            usage.cache_audio_read_tokens,
        );
        let input_under = cache_read | usage.cache_write_tokens | input_audio | cache_audio_read;
        let keys = [
            (
                UsageKey::INPUT_TOKENS,
                usage.request_tokens,
                input_under != 0,
            ),
            (
                UsageKey::OUTPUT_TOKENS,
                usage.response_tokens,
                usage.output_audio_tokens != 0,
            ),
            (
                UsageKey::CACHE_READ_TOKENS,
                cache_read,
                cache_audio_read != 0,
            ),
            (
                UsageKey::CACHE_WRITE_TOKENS,
                usage.cache_write_tokens,
                false,
            ),
            (
                UsageKey::INPUT_AUDIO_TOKENS,
                input_audio,
                cache_audio_read != 0,
            ),
            (
                UsageKey::CACHE_AUDIO_READ_TOKENS,
                cache_audio_read,
                cache_read != 0 && input_audio != 0,
            ),
            (
                UsageKey::OUTPUT_AUDIO_TOKENS,
                usage.output_audio_tokens,
                false,
            ),
        ];
        let mut priced = genai_prices::Usage::new();
        for (key, n, zero_matters) in keys {
            if n != 0 || zero_matters {
                priced.insert(key, count(n));
            }
        }
        priced
    }

    /// Provider URLs that no provider of the price data matches (a local server, a proxy):
    /// looking a URL up tries every provider's URL pattern, so each is tried once per process.
    /// Whether a URL matches depends on the URL alone (the data is bundled), never on the
    /// model or the usage. At most [`UNPRICED_URLS_KEPT`] are kept.
    static UNPRICED_URLS: RwLock<Vec<Box<str>>> = RwLock::new(Vec::new());

    /// How many URLs [`UNPRICED_URLS`] keeps (a program talks to a few hosts).
    const UNPRICED_URLS_KEPT: usize = 64;

    pub(super) fn unpriced_url(url: &str) -> bool {
        UNPRICED_URLS
            .read()
            .is_ok_and(|urls| urls.iter().any(|known| **known == *url))
    }

    fn remember_unpriced_url(url: &str) {
        if let Ok(mut urls) = UNPRICED_URLS.write() {
            if urls.len() < UNPRICED_URLS_KEPT && !urls.iter().any(|known| **known == *url) {
                urls.push(url.into());
            }
        }
    }

    pub(super) fn usage_cost(
        usage: &Usage,
        model_name: &str,
        provider_name: Option<&str>,
        provider_url: Option<&str>,
        timestamp: DateTime<Utc>,
    ) -> Option<f64> {
        let calculator = Calculator::bundled();
        let usage = price_usage(usage);
        let at = SystemTime::from(timestamp);
        let request = |selected: PriceRequest<'_>| {
            calculator
                .calculate(&selected.with_timestamp(at))
                .ok()
                .map(|price| price.total_price)
        };
        if let Some(url) = provider_url.filter(|url| !unpriced_url(url)) {
            let by_url = PriceRequest::new(model_name, &usage).with_provider_api_url(url);
            match calculator.calculate(&by_url.with_timestamp(at)) {
                Ok(price) => return Some(price.total_price),
                Err(error) if error.kind() == ErrorKind::ProviderNotFound => {
                    remember_unpriced_url(url);
                }
                Err(_) => {}
            }
        }
        match provider_name {
            Some(name) => {
                let id = provider_id(name)?;
                request(PriceRequest::new(model_name, &usage).with_provider_id(id))
            }
            None => request(PriceRequest::new(model_name, &usage)),
        }
    }
}

#[cfg(not(feature = "cost"))]
mod imp {
    use chrono::{DateTime, Utc};

    use crate::usage::Usage;

    pub(super) fn preload() {}

    pub(super) fn warm_up() {}

    pub(super) fn usage_cost(
        _usage: &Usage,
        _model_name: &str,
        _provider_name: Option<&str>,
        _provider_url: Option<&str>,
        _timestamp: DateTime<Utc>,
    ) -> Option<f64> {
        None
    }
}

#[cfg(test)]
mod tests;
