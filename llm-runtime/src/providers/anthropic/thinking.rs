//! The unified [`Thinking`] setting in Anthropic's terms: a token budget (extended thinking)
//! or adaptive thinking, an `output_config.effort` on the models that take one, and the
//! `max_tokens` that leaves room for the answer above the budget (pydantic-ai's
//! `_translate_thinking` and `ANTHROPIC_THINKING_BUDGET_MAP`).

use super::models::ModelTraits;
use super::wire::ThinkingParam;
use super::DEFAULT_MAX_TOKENS;
use crate::error::{Error, Result};
use crate::settings::{ModelSettings, Thinking};

/// How the model is asked to think.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ThinkingMode {
    /// Extended thinking with a token budget; it rejects a forced tool choice.
    Budget(u32),
    /// Adaptive thinking; it accepts a forced tool choice.
    Adaptive,
}

impl ThinkingMode {
    /// The `thinking` parameter of the request.
    pub(super) fn param(self) -> ThinkingParam {
        match self {
            ThinkingMode::Budget(budget_tokens) => ThinkingParam::Enabled { budget_tokens },
            ThinkingMode::Adaptive => ThinkingParam::Adaptive,
        }
    }
}

/// The thinking a [`Thinking`] setting asks of `traits`' model (pydantic-ai's
/// `_translate_thinking` and `ANTHROPIC_THINKING_BUDGET_MAP`); `None` when off.
pub(super) fn thinking_mode(
    thinking: Option<Thinking>,
    traits: ModelTraits,
) -> Option<ThinkingMode> {
    let thinking = thinking.filter(|t| *t != Thinking::Disabled)?;
    if traits.adaptive_thinking {
        return Some(ThinkingMode::Adaptive);
    }
    Some(ThinkingMode::Budget(match thinking {
        Thinking::Minimal => 1024,
        Thinking::Low => 2048,
        Thinking::High => 16384,
        Thinking::XHigh => 32768,
        Thinking::Disabled | Thinking::Enabled | Thinking::Medium => 10000,
    }))
}

/// `output_config.effort` for a thinking level, on models that take an effort.
pub(super) fn effort_for(thinking: Option<Thinking>, traits: ModelTraits) -> Option<&'static str> {
    if !traits.effort {
        return None;
    }
    match thinking? {
        Thinking::Disabled | Thinking::Enabled => None,
        Thinking::Minimal | Thinking::Low => Some("low"),
        Thinking::Medium => Some("medium"),
        Thinking::High => Some("high"),
        Thinking::XHigh if traits.xhigh_effort => Some("xhigh"),
        Thinking::XHigh => Some("max"),
    }
}

/// `max_tokens` (which the Messages API requires): the setting, else pydantic-ai's default,
/// raised above a larger thinking budget.
///
/// # Errors
/// [`Error::User`] when the setting leaves no room above the thinking budget.
pub(super) fn max_tokens(settings: &ModelSettings, thinking: Option<ThinkingMode>) -> Result<u32> {
    match (settings.max_tokens, thinking) {
        (Some(max), Some(ThinkingMode::Budget(budget))) if max <= budget => {
            Err(Error::user(format!(
                "`max_tokens` ({max}) must be greater than the thinking budget ({budget} tokens \
                 for `thinking: {:?}`): Anthropic counts thinking in `max_tokens`; raise it or \
                 lower the thinking level",
                settings.thinking.unwrap_or(Thinking::Enabled)
            )))
        }
        (Some(max), _) => Ok(max),
        // pydantic-ai's default cannot hold the larger budgets, which the API rejects:
        // room for the answer is kept above the budget.
        (None, Some(ThinkingMode::Budget(budget))) if budget >= DEFAULT_MAX_TOKENS => {
            Ok(budget.saturating_add(DEFAULT_MAX_TOKENS))
        }
        (None, _) => Ok(DEFAULT_MAX_TOKENS),
    }
}

#[cfg(test)]
mod tests;
