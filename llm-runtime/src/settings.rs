//! Settings of a request that every provider understands (pydantic-ai's `ModelSettings`).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// Settings of one request. Every field is optional; `None` leaves the provider's default.
///
/// A provider that cannot honour a setting it was given says so in a `tracing` warning
/// (target `llm_runtime::settings`) instead of dropping it silently.
///
/// ```
/// use std::time::Duration;
/// use llm_runtime::settings::ModelSettings;
/// let settings = ModelSettings {
///     temperature: Some(0.0),
///     timeout: Some(Duration::from_secs(30)),
///     ..Default::default()
/// };
/// # let _ = settings;
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct ModelSettings {
    /// The maximum number of tokens to generate.
    pub max_tokens: Option<u32>,
    /// Sampling temperature (0 is the most deterministic).
    pub temperature: Option<f64>,
    /// Nucleus sampling: consider the tokens with this much probability mass.
    pub top_p: Option<f64>,
    /// Sample only from the `top_k` most likely tokens.
    pub top_k: Option<u32>,
    /// Bounds the whole request, and for streams also any gap between two chunks.
    pub timeout: Option<Duration>,
    /// Whether the model may call several tools in one response.
    pub parallel_tool_calls: Option<bool>,
    /// Which function tools the model may or must call.
    pub tool_choice: Option<ToolChoice>,
    /// A seed for sampling, for reproducible answers where supported.
    pub seed: Option<i64>,
    /// Penalises tokens that already appeared.
    pub presence_penalty: Option<f64>,
    /// Penalises tokens by how often they appeared.
    pub frequency_penalty: Option<f64>,
    /// Biases given tokens (token id → bias).
    pub logit_bias: Option<BTreeMap<String, i64>>,
    /// Sequences that stop generation.
    pub stop_sequences: Option<Vec<String>>,
    /// Extra HTTP headers for the request. Their values are redacted in `Debug`.
    pub extra_headers: Option<BTreeMap<String, String>>,
    /// A JSON object merged into the request body (provider-specific fields).
    pub extra_body: Option<Value>,
    /// Enables, disables or sets the effort of the model's reasoning.
    pub thinking: Option<Thinking>,
    /// The provider's service tier (e.g. OpenAI's `flex`, `priority`).
    pub service_tier: Option<String>,
}

impl ModelSettings {
    /// These settings with every field that `overrides` sets replaced by its value.
    pub fn merged_with(&self, overrides: &ModelSettings) -> ModelSettings {
        macro_rules! pick {
            ($($field:ident),*) => {
                ModelSettings { $($field: overrides.$field.clone().or_else(|| self.$field.clone()),)* }
            };
        }
        pick!(
            max_tokens,
            temperature,
            top_p,
            top_k,
            timeout,
            parallel_tool_calls,
            tool_choice,
            seed,
            presence_penalty,
            frequency_penalty,
            logit_bias,
            stop_sequences,
            extra_headers,
            extra_body,
            thinking,
            service_tier
        )
    }
}

impl fmt::Debug for ModelSettings {
    /// Shows the settings that are set; header values are redacted (they may hold secrets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ModelSettings");
        macro_rules! show {
            ($($field:ident),*) => {
                $(if let Some(value) = &self.$field { d.field(stringify!($field), value); })*
            };
        }
        show!(
            max_tokens,
            temperature,
            top_p,
            top_k,
            timeout,
            parallel_tool_calls,
            tool_choice,
            seed,
            presence_penalty,
            frequency_penalty,
            logit_bias,
            stop_sequences
        );
        if let Some(headers) = &self.extra_headers {
            let redacted: BTreeMap<&str, &str> =
                headers.keys().map(|k| (k.as_str(), "<redacted>")).collect();
            d.field("extra_headers", &redacted);
        }
        show!(extra_body, thinking, service_tier);
        d.finish_non_exhaustive()
    }
}

/// Which function tools the model may or must call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    /// The model decides (the providers' default).
    Auto,
    /// No function tool; output tools stay available.
    None,
    /// The model must call a tool.
    Required,
    /// Only these function tools, and the model must call one of them.
    Tools(Vec<String>),
    /// These function tools, plus the output tools and text/image output.
    ToolOrOutput(Vec<String>),
}

/// How much the model reasons before answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thinking {
    /// Reasoning off (ignored by models that always reason).
    Disabled,
    /// Reasoning on, at the provider's default effort.
    Enabled,
    /// The least effort.
    Minimal,
    /// Low effort.
    Low,
    /// Medium effort.
    Medium,
    /// High effort.
    High,
    /// The most effort.
    XHigh,
}

impl Thinking {
    /// The effort as OpenAI-style APIs name it (`minimal` … `xhigh`), `None` for on/off.
    pub fn effort(self) -> Option<&'static str> {
        match self {
            Thinking::Disabled | Thinking::Enabled => None,
            Thinking::Minimal => Some("minimal"),
            Thinking::Low => Some("low"),
            Thinking::Medium => Some("medium"),
            Thinking::High => Some("high"),
            Thinking::XHigh => Some("xhigh"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_header_values() {
        let settings = ModelSettings {
            temperature: Some(0.5),
            extra_headers: Some(BTreeMap::from([(
                "Authorization".to_owned(),
                "Bearer sk-secret".to_owned(),
            )])),
            ..Default::default()
        };
        let debug = format!("{settings:?}");
        assert!(!debug.contains("sk-secret"), "{debug}");
        assert!(debug.contains("Authorization") && debug.contains("temperature: 0.5"));
    }

    #[test]
    fn merge_prefers_overrides() {
        let base = ModelSettings {
            temperature: Some(1.0),
            max_tokens: Some(10),
            ..Default::default()
        };
        let merged = base.merged_with(&ModelSettings {
            temperature: Some(0.0),
            ..Default::default()
        });
        assert_eq!(
            (merged.temperature, merged.max_tokens),
            (Some(0.0), Some(10))
        );
    }
}
