//! [`Warning`]: what a protocol could not do as asked, returned as data.
//!
//! Building a request can meet a setting the model or provider does not take, content the wire
//! format cannot carry, or a host that needs a fallback; parsing a response can meet a part the
//! message model has no place for, or an event it does not know. None of these is an error:
//! the request goes on without the thing. Each is a [`Warning`] that the protocol pushes into
//! [`Warnings`] instead of dropping it silently; the driver
//! ([`ProviderModel`](crate::providers::ProviderModel)) logs each through `tracing` (target
//! `llm_runtime::warnings`) inside the request's span, so an OpenTelemetry exporter records it
//! as a span event, and tests of a protocol assert on the list itself.
//!
//! This module depends on nothing else in the crate.

use std::borrow::Cow;
use std::fmt;

/// One thing a protocol did not do as asked, and why.
///
/// ```
/// use llm_runtime::warning::{Warning, Warnings};
///
/// let mut warnings = Warnings::new();
/// warnings.push(Warning::unsupported_setting(
///     "top_k",
///     "the Chat Completions API has no `top_k`; the setting is not sent",
/// ));
/// assert_eq!(warnings.len(), 1);
/// assert_eq!(warnings.as_slice()[0].setting(), Some("top_k"));
/// assert_eq!(
///     warnings.as_slice()[0].to_string(),
///     "unsupported setting `top_k`: the Chat Completions API has no `top_k`; the setting is not sent"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A setting (or a tool option) the model or provider does not take was not sent.
    UnsupportedSetting {
        /// The setting's name in [`ModelSettings`](crate::settings::ModelSettings) (or the
        /// option's).
        setting: Cow<'static, str>,
        /// What happened, in a sentence.
        message: Cow<'static, str>,
    },
    /// Content was left out: of the request, because the wire format cannot carry it, or of
    /// the response, because the message model has no place for it.
    DroppedContent {
        /// What was left out (a part kind, a block type, a field).
        what: Cow<'static, str>,
        /// What happened, in a sentence.
        message: Cow<'static, str>,
    },
    /// The request was adapted to what the host accepts (a compatibility fallback).
    Compatibility {
        /// What was done instead, in a sentence.
        message: Cow<'static, str>,
    },
    /// A stream event that is not the protocol's, or that it does not know, was skipped.
    SkippedEvent {
        /// The event's name.
        event: String,
        /// What happened, in a sentence.
        message: Cow<'static, str>,
    },
}

impl Warning {
    /// A setting that was not sent.
    pub fn unsupported_setting(
        setting: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Warning::UnsupportedSetting {
            setting: setting.into(),
            message: message.into(),
        }
    }

    /// Content that was left out.
    pub fn dropped_content(
        what: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Warning::DroppedContent {
            what: what.into(),
            message: message.into(),
        }
    }

    /// A compatibility fallback.
    pub fn compatibility(message: impl Into<Cow<'static, str>>) -> Self {
        Warning::Compatibility {
            message: message.into(),
        }
    }

    /// A stream event that was skipped.
    pub fn skipped_event(event: impl Into<String>, message: impl Into<Cow<'static, str>>) -> Self {
        Warning::SkippedEvent {
            event: event.into(),
            message: message.into(),
        }
    }

    /// The kind of warning, as recorded on spans: `unsupported-setting`, `dropped-content`,
    /// `compatibility` or `skipped-event`.
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::UnsupportedSetting { .. } => "unsupported-setting",
            Warning::DroppedContent { .. } => "dropped-content",
            Warning::Compatibility { .. } => "compatibility",
            Warning::SkippedEvent { .. } => "skipped-event",
        }
    }

    /// The sentence that says what happened.
    pub fn message(&self) -> &str {
        match self {
            Warning::UnsupportedSetting { message, .. }
            | Warning::DroppedContent { message, .. }
            | Warning::Compatibility { message }
            | Warning::SkippedEvent { message, .. } => message,
        }
    }

    /// The setting's name, for an [`UnsupportedSetting`](Warning::UnsupportedSetting).
    pub fn setting(&self) -> Option<&str> {
        match self {
            Warning::UnsupportedSetting { setting, .. } => Some(setting),
            _ => None,
        }
    }

    /// Logs the warning through `tracing` (target `llm_runtime::warnings`), in the current
    /// span: what the driver does with every warning of a request.
    pub fn log(&self, provider: &str, model: &str) {
        tracing::warn!(
            target: "llm_runtime::warnings",
            provider,
            model,
            warning.kind = self.kind(),
            "{self}"
        );
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnsupportedSetting { setting, message } => {
                write!(f, "unsupported setting `{setting}`: {message}")
            }
            Warning::DroppedContent { what, message } => {
                write!(f, "dropped content `{what}`: {message}")
            }
            Warning::Compatibility { message } => write!(f, "compatibility: {message}"),
            Warning::SkippedEvent { event, message } => {
                write!(f, "skipped event `{event}`: {message}")
            }
        }
    }
}

/// The warnings of one request, in the order they arose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Warnings(Vec<Warning>);

impl Warnings {
    /// No warnings.
    pub const fn new() -> Self {
        Warnings(Vec::new())
    }

    /// Adds a warning.
    pub fn push(&mut self, warning: Warning) {
        self.0.push(warning);
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The warnings, in order.
    pub fn as_slice(&self) -> &[Warning] {
        &self.0
    }

    /// Takes the warnings out, leaving none.
    pub fn take(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.0)
    }

    /// Logs each warning (see [`Warning::log`]) and clears the list.
    pub fn log_all(&mut self, provider: &str, model: &str) {
        for warning in self.0.drain(..) {
            warning.log(provider, model);
        }
    }
}

impl Extend<Warning> for Warnings {
    fn extend<I: IntoIterator<Item = Warning>>(&mut self, warnings: I) {
        self.0.extend(warnings);
    }
}

impl IntoIterator for Warnings {
    type Item = Warning;
    type IntoIter = std::vec::IntoIter<Warning>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_displays_what_and_why() {
        let cases = [
            (
                Warning::dropped_content("server_tool_use", "left out of the response"),
                "dropped-content",
                "dropped content `server_tool_use`: left out of the response",
            ),
            (
                Warning::compatibility("sent `max_tokens` instead"),
                "compatibility",
                "compatibility: sent `max_tokens` instead",
            ),
            (
                Warning::skipped_event("keepalive", "not a chunk"),
                "skipped-event",
                "skipped event `keepalive`: not a chunk",
            ),
        ];
        for (warning, kind, text) in cases {
            assert_eq!(warning.kind(), kind);
            assert_eq!(warning.to_string(), text);
            assert_eq!(warning.setting(), None);
        }
    }

    #[test]
    fn take_and_log_all_empty_the_list() {
        let mut warnings = Warnings::new();
        warnings.push(Warning::compatibility("a"));
        warnings.push(Warning::compatibility("b"));
        assert_eq!(warnings.take().len(), 2);
        assert!(warnings.is_empty());
        warnings.push(Warning::compatibility("c"));
        warnings.log_all("p", "m");
        assert!(warnings.is_empty());
    }
}
