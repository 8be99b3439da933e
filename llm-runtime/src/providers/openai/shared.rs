//! What OpenAI's two APIs share: Chat Completions ([`chat`](super::chat)) and Responses
//! ([`responses`](super::responses)) ask the same models, so they share the model rules
//! (system role, reasoning support and effort), the request-side content rules (image
//! detail, document formats) and the response-side wire pieces (tool-call arguments, counts,
//! token log probabilities, timestamps). Neither API imports from the other: both import from
//! here.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::providers::common::{visit_cow_str, CowStr};
use crate::settings::Thinking;
use crate::warning::{Warning, Warnings};

/// The name pydantic-ai gives an output object without one.
pub(super) const DEFAULT_OUTPUT_NAME: &str = "final_result";

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/// The role system prompts and instructions are sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemRole {
    /// `system` (OpenAI's default, and every compatible host's).
    System,
    /// `developer` (OpenAI's reasoning models prefer it).
    Developer,
    /// `user`, for models that accept neither (OpenAI's `o1-mini`).
    User,
}

/// The role OpenAI's models take system prompts in: `system`, but `user` for `o1-mini`, which
/// accepts neither `system` nor `developer`.
pub(super) fn openai_system_role(model_name: &str) -> SystemRole {
    if model_name.starts_with("o1-mini") {
        SystemRole::User
    } else {
        SystemRole::System
    }
}

impl SystemRole {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            SystemRole::System => "system",
            SystemRole::Developer => "developer",
            SystemRole::User => "user",
        }
    }
}

/// How an OpenAI model family reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ReasoningSupport {
    /// It reasons when no effort is given.
    pub(super) enabled_by_default: bool,
    /// It accepts `reasoning_effort: "none"`.
    pub(super) can_be_disabled: bool,
}

impl ReasoningSupport {
    /// Whether the model reasons at all.
    pub(super) fn supported(self) -> bool {
        self.enabled_by_default || self.can_be_disabled
    }

    /// Applies the model's reasoning rules to `thinking` (the same in both OpenAI APIs):
    /// `None` for a model that does not reason (a `thinking` asked for is reported, not sent);
    /// else the thinking to send (a `Disabled` the model cannot honour is reported and dropped)
    /// and whether the model reasons or may, which drops the sampling settings. The reports go
    /// into `warnings`.
    pub(super) fn resolve_warned(
        self,
        model: &str,
        thinking: Option<Thinking>,
        warnings: &mut Warnings,
    ) -> Option<(Option<Thinking>, bool)> {
        if !self.supported() {
            if thinking.is_some() {
                warnings.push(Warning::unsupported_setting(
                    "thinking",
                    format!("`{model}` does not reason; `thinking` is not sent"),
                ));
            }
            return None;
        }
        let thinking = match thinking {
            Some(Thinking::Disabled) if !self.can_be_disabled => {
                warnings.push(Warning::unsupported_setting(
                    "thinking",
                    format!("`{model}` always reasons; `thinking: Disabled` is not sent"),
                ));
                None
            }
            other => other,
        };
        let active = match thinking {
            Some(t) => t != Thinking::Disabled,
            None => self.enabled_by_default,
        };
        Some((thinking, active || !self.can_be_disabled))
    }
}

/// Reports the sampling settings left out because an OpenAI model reasons, one warning per
/// setting (none: no report).
pub(super) fn sampling_dropped(model: &str, dropped: &[&str], warnings: &mut Warnings) {
    for setting in dropped {
        warnings.push(Warning::unsupported_setting(
            setting.to_string(),
            format!(
                "sampling settings {dropped:?} are not supported while `{model}` reasons; they \
                 are not sent"
            ),
        ));
    }
}

/// OpenAI's reasoning support by model-name prefix (pydantic-ai's
/// `_REASONING_SUPPORT_BY_PREFIX`; the first matching prefix wins).
pub(super) fn openai_reasoning_support(model: &str) -> ReasoningSupport {
    const ALWAYS: ReasoningSupport = ReasoningSupport {
        enabled_by_default: true,
        can_be_disabled: false,
    };
    const OPT_IN: ReasoningSupport = ReasoningSupport {
        enabled_by_default: false,
        can_be_disabled: true,
    };
    const DEFAULT_ON: ReasoningSupport = ReasoningSupport {
        enabled_by_default: true,
        can_be_disabled: true,
    };
    const NONE: ReasoningSupport = ReasoningSupport {
        enabled_by_default: false,
        can_be_disabled: false,
    };
    const TABLE: [(&str, ReasoningSupport); 16] = [
        ("gpt-5.6", DEFAULT_ON),
        ("gpt-5.5-pro", ALWAYS),
        ("gpt-5.5", DEFAULT_ON),
        ("gpt-5.4-pro", ALWAYS),
        ("gpt-5.4", OPT_IN),
        ("gpt-5.3-chat", ALWAYS),
        ("gpt-5.3", OPT_IN),
        ("gpt-5.2-pro", ALWAYS),
        ("gpt-5.2-chat", ALWAYS),
        ("gpt-5.2", OPT_IN),
        ("gpt-5.1-codex", ALWAYS),
        ("gpt-5.1-chat", ALWAYS),
        ("gpt-5.1", OPT_IN),
        ("gpt-5-chat", NONE),
        ("gpt-5", ALWAYS),
        ("o", ALWAYS),
    ];
    TABLE
        .into_iter()
        .find(|(prefix, _)| model.starts_with(prefix))
        .map_or(NONE, |(_, support)| support)
}

/// `reasoning_effort` for a thinking setting.
pub(super) fn effort(thinking: Thinking, minimal_supported: bool) -> &'static str {
    match thinking {
        Thinking::Disabled => "none",
        Thinking::Enabled => "medium",
        Thinking::Minimal if minimal_supported => "minimal",
        Thinking::Minimal | Thinking::Low => "low",
        Thinking::Medium => "medium",
        Thinking::High => "high",
        Thinking::XHigh => "xhigh",
    }
}

// ---------------------------------------------------------------------------------------------
// Request content
// ---------------------------------------------------------------------------------------------

/// The `detail` of an image: its metadata's `detail` (`auto` when the metadata has none), or
/// `None` without metadata.
pub(super) fn image_detail(metadata: Option<&Map<String, Value>>) -> Option<Cow<'_, str>> {
    let metadata = metadata.filter(|m| !m.is_empty())?;
    Some(match metadata.get("detail") {
        Some(Value::String(detail)) => Cow::Borrowed(detail.as_str()),
        Some(other) => Cow::Owned(other.to_string()),
        None => Cow::Borrowed("auto"),
    })
}

/// The file extension of a document media type (pydantic-ai's `DocumentFormat`).
pub(super) fn document_format(media_type: &str) -> Result<&'static str> {
    Ok(match media_type {
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "text/html" => "html",
        "text/markdown" => "md",
        "application/msword" => "doc",
        "application/vnd.ms-excel" => "xls",
        other => {
            return Err(Error::user(format!(
                "unknown document media type `{other}`"
            )))
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Response wire pieces
// ---------------------------------------------------------------------------------------------

/// Tool-call arguments: JSON text as documented, or an object (some compatible servers).
pub(super) enum WireArgs<'a> {
    Text(Cow<'a, str>),
    Object(Map<String, Value>),
}

impl<'de: 'a, 'a> Deserialize<'de> for WireArgs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = WireArgs<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("tool call arguments as a JSON string or object")
            }
            visit_cow_str!(WireArgs::Text);
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                Map::deserialize(de::value::MapAccessDeserializer::new(map)).map(WireArgs::Object)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

pub(super) fn cow(value: Option<CowStr<'_>>) -> Option<Cow<'_, str>> {
    value.map(|v| v.0)
}

/// A count that may be an integer (kept), a boolean (kept as 0 or 1, as Python counts it) or
/// anything else (not a count).
pub(super) struct Count(pub(super) Option<u64>);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a count")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Count, E> {
                Ok(Count(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Count, E> {
                Ok(Count(u64::try_from(v).ok()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Count, E> {
                Ok(Count(Some(u64::from(v))))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<Count, D::Error> {
                Count::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Count, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Count(None))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Count, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Count(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// One token's log probability, as OpenAI's Chat Completions and Responses APIs send it.
#[derive(Deserialize)]
pub(super) struct TokenLogprob {
    token: String,
    #[serde(default)]
    bytes: Option<Vec<u8>>,
    logprob: f64,
    #[serde(default)]
    top_logprobs: Option<Vec<TopLogprob>>,
}

#[derive(Deserialize)]
struct TopLogprob {
    token: String,
    #[serde(default)]
    bytes: Option<Vec<u8>>,
    logprob: f64,
}

/// Token log probabilities as pydantic-ai puts them in `provider_details["logprobs"]`.
pub(super) fn token_logprobs(content: Vec<TokenLogprob>) -> Vec<Value> {
    fn bytes(b: Option<Vec<u8>>) -> Value {
        b.map_or(Value::Null, |b| {
            Value::Array(b.into_iter().map(Value::from).collect())
        })
    }
    content
        .into_iter()
        .map(|lp| {
            let top: Vec<Value> = lp
                .top_logprobs
                .unwrap_or_default()
                .into_iter()
                .map(|t| {
                    let mut m = Map::new();
                    m.insert("token".into(), Value::String(t.token));
                    m.insert("bytes".into(), bytes(t.bytes));
                    m.insert("logprob".into(), Value::from(t.logprob));
                    Value::Object(m)
                })
                .collect();
            let mut m = Map::new();
            m.insert("token".into(), Value::String(lp.token));
            m.insert("bytes".into(), bytes(lp.bytes));
            m.insert("logprob".into(), Value::from(lp.logprob));
            m.insert("top_logprobs".into(), Value::Array(top));
            Value::Object(m)
        })
        .collect()
}

/// A Unix time (seconds, or milliseconds past 2e10 as pydantic reads numbers) as the RFC 3339
/// text pydantic-ai writes in `provider_details["timestamp"]`.
fn provider_timestamp(created: f64) -> Option<String> {
    let seconds = if created.abs() > 2e10 {
        created / 1000.0
    } else {
        created
    };
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let micros = ((seconds - whole) * 1e6).round();
    // `whole` is finite and range-checked by `from_timestamp`; the casts cannot wrap for the
    // years chrono supports.
    #[allow(clippy::cast_possible_truncation)]
    let (secs, nanos) = (whole as i64, (micros as u32).min(999_999) * 1000);
    let time = DateTime::<Utc>::from_timestamp(secs, nanos)?;
    let format = if nanos == 0 {
        SecondsFormat::Secs
    } else {
        SecondsFormat::Micros
    };
    Some(time.to_rfc3339_opts(format, true))
}

/// The `provider_details["timestamp"]` of a response whose `field` (both OpenAI APIs send Unix
/// seconds) is `created`.
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] with `raw` when `created` is not a valid time.
pub(super) fn timestamp_detail(field: &str, created: f64, raw: &[u8]) -> Result<Value> {
    provider_timestamp(created)
        .map(Value::String)
        .ok_or_else(|| {
            Error::unexpected_with_body(format!("`{field}` {created} is not a valid time"), raw)
        })
}
