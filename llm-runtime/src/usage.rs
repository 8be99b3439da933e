//! Token usage of requests.

use std::collections::BTreeMap;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Deserializer, Serialize};

/// Tokens used by one request, or summed over several (pydantic-ai's `RequestUsage` and
/// `RunUsage` in one type, with V1 field names).
///
/// In JSON the counts use pydantic-ai's current names: `request_tokens` is written
/// `input_tokens` and `response_tokens` is written `output_tokens`; both names are read.
/// `total_tokens` is not written: it is always `request_tokens + response_tokens`, and is
/// recomputed when read. `requests` is written only when it is not 1 (a response's usage is
/// one request, as pydantic-ai's `RequestUsage.requests` says), and read as 1 when absent.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "UsageRepr")]
pub struct Usage {
    /// Number of requests made.
    #[serde(skip_serializing_if = "is_one")]
    pub requests: u32,
    /// Input (prompt) tokens, across modalities; includes cached and audio input tokens.
    #[serde(rename = "input_tokens")]
    pub request_tokens: u64,
    /// Tokens written to the provider's prompt cache (part of `request_tokens`).
    pub cache_write_tokens: u64,
    /// Tokens read from the provider's prompt cache (part of `request_tokens`).
    pub cache_read_tokens: u64,
    /// Output (completion) tokens, reasoning included.
    #[serde(rename = "output_tokens")]
    pub response_tokens: u64,
    /// Audio input tokens (part of `request_tokens`).
    pub input_audio_tokens: u64,
    /// Audio tokens read from the cache (part of `cache_read_tokens`).
    pub cache_audio_read_tokens: u64,
    /// Audio output tokens (part of `response_tokens`).
    pub output_audio_tokens: u64,
    /// `request_tokens + response_tokens`.
    #[serde(skip)]
    pub total_tokens: u64,
    /// Provider-specific counts, e.g. `reasoning_tokens`.
    pub details: BTreeMap<String, u64>,
    /// Best-effort cost in USD, when known.
    pub cost: Option<f64>,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Default for Usage {
    /// No request and no tokens.
    fn default() -> Self {
        Usage {
            requests: 0,
            request_tokens: 0,
            cache_write_tokens: 0,
            cache_read_tokens: 0,
            response_tokens: 0,
            input_audio_tokens: 0,
            cache_audio_read_tokens: 0,
            output_audio_tokens: 0,
            total_tokens: 0,
            details: BTreeMap::new(),
            cost: None,
        }
    }
}

impl Usage {
    /// The usage of one request with the given input and output token counts.
    ///
    /// ```
    /// use llm_runtime::usage::Usage;
    /// let usage = Usage::new(56, 1);
    /// assert_eq!((usage.requests, usage.total_tokens), (1, 57));
    /// ```
    pub fn new(request_tokens: u64, response_tokens: u64) -> Self {
        Usage {
            requests: 1,
            request_tokens,
            response_tokens,
            total_tokens: request_tokens + response_tokens,
            ..Usage::default()
        }
    }

    /// Adds `other` to this usage (counts, details and cost).
    pub fn incr(&mut self, other: &Usage) {
        self.requests += other.requests;
        self.request_tokens += other.request_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.response_tokens += other.response_tokens;
        self.input_audio_tokens += other.input_audio_tokens;
        self.cache_audio_read_tokens += other.cache_audio_read_tokens;
        self.output_audio_tokens += other.output_audio_tokens;
        self.total_tokens = self.request_tokens + self.response_tokens;
        for (key, value) in &other.details {
            *self.details.entry(key.clone()).or_default() += value;
        }
        self.cost = match (self.cost, other.cost) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }

    /// Sets `total_tokens` to `request_tokens + response_tokens`.
    pub fn recompute_total(&mut self) {
        self.total_tokens = self.request_tokens + self.response_tokens;
    }

    /// Whether any count is non-zero.
    pub fn has_values(&self) -> bool {
        self.request_tokens != 0
            || self.response_tokens != 0
            || self.cache_read_tokens != 0
            || self.cache_write_tokens != 0
            || self.details.values().any(|v| *v != 0)
    }
}

impl std::fmt::Debug for Usage {
    /// Shows the four main counts, then only the other fields that are set:
    /// `Usage { requests: 1, request_tokens: 56, response_tokens: 1, total_tokens: 57, .. }`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Usage");
        d.field("requests", &self.requests)
            .field("request_tokens", &self.request_tokens)
            .field("response_tokens", &self.response_tokens)
            .field("total_tokens", &self.total_tokens);
        for (name, value) in [
            ("cache_write_tokens", self.cache_write_tokens),
            ("cache_read_tokens", self.cache_read_tokens),
            ("input_audio_tokens", self.input_audio_tokens),
            ("cache_audio_read_tokens", self.cache_audio_read_tokens),
            ("output_audio_tokens", self.output_audio_tokens),
        ] {
            if value != 0 {
                d.field(name, &value);
            }
        }
        if !self.details.is_empty() {
            d.field("details", &self.details);
        }
        if let Some(cost) = self.cost {
            d.field("cost", &cost);
        }
        d.finish_non_exhaustive()
    }
}

impl AddAssign<&Usage> for Usage {
    fn add_assign(&mut self, other: &Usage) {
        self.incr(other);
    }
}

impl Add for Usage {
    type Output = Usage;

    fn add(mut self, other: Usage) -> Usage {
        self.incr(&other);
        self
    }
}

/// What is read: pydantic-ai's names, its legacy names, and nulls where it tolerates them.
#[derive(Deserialize)]
struct UsageRepr {
    #[serde(default = "one")]
    requests: u32,
    #[serde(default, alias = "request_tokens", deserialize_with = "count")]
    input_tokens: u64,
    #[serde(default, deserialize_with = "count")]
    cache_write_tokens: u64,
    #[serde(default, deserialize_with = "count")]
    cache_read_tokens: u64,
    #[serde(default, alias = "response_tokens", deserialize_with = "count")]
    output_tokens: u64,
    #[serde(default, deserialize_with = "count")]
    input_audio_tokens: u64,
    #[serde(default, deserialize_with = "count")]
    cache_audio_read_tokens: u64,
    #[serde(default, deserialize_with = "count")]
    output_audio_tokens: u64,
    #[serde(default, deserialize_with = "details")]
    details: BTreeMap<String, u64>,
    #[serde(default, deserialize_with = "cost")]
    cost: Option<f64>,
}

fn one() -> u32 {
    1
}

impl From<UsageRepr> for Usage {
    fn from(r: UsageRepr) -> Self {
        Usage {
            requests: r.requests,
            request_tokens: r.input_tokens,
            cache_write_tokens: r.cache_write_tokens,
            cache_read_tokens: r.cache_read_tokens,
            response_tokens: r.output_tokens,
            input_audio_tokens: r.input_audio_tokens,
            cache_audio_read_tokens: r.cache_audio_read_tokens,
            output_audio_tokens: r.output_audio_tokens,
            total_tokens: r.input_tokens + r.output_tokens,
            details: r.details,
            cost: r.cost,
        }
    }
}

/// A count that may be `null` (legacy histories).
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(Option::<u64>::deserialize(d)?.unwrap_or(0))
}

/// `details` may be `null` (legacy), and its values `null` (providers send them).
fn details<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u64>, D::Error> {
    let raw = Option::<BTreeMap<String, Option<u64>>>::deserialize(d)?.unwrap_or_default();
    Ok(raw
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect())
}

/// pydantic writes `Decimal` costs as strings.
fn cost<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Cost {
        Number(f64),
        Text(String),
    }
    match Option::<Cost>::deserialize(d)? {
        None => Ok(None),
        Some(Cost::Number(n)) => Ok(Some(n)),
        Some(Cost::Text(t)) => t
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("invalid cost `{t}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_current_and_legacy_names() {
        let usage: Usage = serde_json::from_value(json!({
            "input_tokens": 412, "output_tokens": 96, "cache_read_tokens": 256,
            "details": {"reasoning_tokens": 10, "none": null}, "cost": "0.25"
        }))
        .unwrap();
        assert_eq!(usage.requests, 1);
        assert_eq!(usage.total_tokens, 508);
        assert_eq!(usage.details.len(), 1);
        assert_eq!(usage.cost, Some(0.25));
        let legacy: Usage = serde_json::from_value(json!({
            "requests": 2, "request_tokens": 5, "response_tokens": 7, "total_tokens": 12,
            "details": null
        }))
        .unwrap();
        assert_eq!(
            (
                legacy.requests,
                legacy.request_tokens,
                legacy.response_tokens,
                legacy.total_tokens
            ),
            (2, 5, 7, 12)
        );
    }

    #[test]
    fn costs_add_up_as_pydantic_ai_adds_them() {
        let priced = |cost| Usage {
            cost,
            ..Usage::new(1, 1)
        };
        // Known costs are summed; an unknown one adds nothing (pydantic-ai's `_incr_usage_cost`).
        assert_eq!((priced(Some(0.25)) + priced(Some(0.5))).cost, Some(0.75));
        assert_eq!((priced(Some(0.25)) + priced(None)).cost, Some(0.25));
        assert_eq!((priced(None) + priced(Some(0.5))).cost, Some(0.5));
        assert_eq!((priced(None) + priced(None)).cost, None);
    }

    #[test]
    fn debug_shows_what_is_set() {
        let mut usage = Usage::new(56, 1);
        assert_eq!(
            format!("{usage:?}"),
            "Usage { requests: 1, request_tokens: 56, response_tokens: 1, total_tokens: 57, .. }"
        );
        usage.cache_read_tokens = 8;
        usage.details.insert("reasoning_tokens".into(), 3);
        assert_eq!(
            format!("{usage:?}"),
            "Usage { requests: 1, request_tokens: 56, response_tokens: 1, total_tokens: 57, \
             cache_read_tokens: 8, details: {\"reasoning_tokens\": 3}, .. }"
        );
    }

    #[test]
    fn writes_pydantic_ai_names() {
        let value = serde_json::to_value(Usage::new(56, 1)).unwrap();
        assert_eq!(
            value,
            json!({"input_tokens": 56, "cache_write_tokens": 0, "cache_read_tokens": 0,
                "output_tokens": 1, "input_audio_tokens": 0, "cache_audio_read_tokens": 0,
                "output_audio_tokens": 0, "details": {}, "cost": null})
        );
        let mut two = Usage::new(1, 1);
        two.incr(&Usage::new(2, 3));
        assert_eq!(serde_json::to_value(&two).unwrap()["requests"], 2);
        assert_eq!(two.total_tokens, 7);
    }
}
