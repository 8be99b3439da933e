//! The unified `thinking` setting as Gemini's `thinkingConfig`: thinking levels for Gemini 3,
//! token budgets for Gemini 2.5, nothing (with a warning) for models that do not reason or
//! cannot stop.

use super::models::Family;
use super::wire::ThinkingConfig;
use crate::settings::Thinking;
use crate::warning::{Warning, Warnings};

/// `thinkingConfig` for the unified `thinking` setting (pydantic-ai's `_translate_thinking`):
/// thinking levels for Gemini 3, token budgets for Gemini 2.5.
pub(super) fn thinking_config(
    model: &str,
    family: Family,
    thinking: Option<Thinking>,
    warnings: &mut Warnings,
) -> Option<ThinkingConfig> {
    let thinking = thinking?;
    if !family.thinking {
        warnings.push(Warning::unsupported_setting(
            "thinking",
            format!("`{model}` does not reason; `thinking` is not sent"),
        ));
        return None;
    }
    if thinking == Thinking::Disabled && family.always_thinks {
        warnings.push(Warning::unsupported_setting(
            "thinking",
            format!("`{model}` always reasons; `thinking: Disabled` is not sent"),
        ));
        return None;
    }
    let level = |thinking: Thinking| match thinking {
        Thinking::Minimal | Thinking::Disabled if family.minimal_level => "MINIMAL",
        Thinking::Minimal | Thinking::Disabled | Thinking::Low => "LOW",
        Thinking::Medium | Thinking::Enabled => "MEDIUM",
        Thinking::High | Thinking::XHigh => "HIGH",
    };
    let budget = |thinking: Thinking| match thinking {
        Thinking::Disabled => 0,
        Thinking::Minimal => 128,
        Thinking::Low => 2048,
        Thinking::Medium | Thinking::Enabled => 8192,
        Thinking::High | Thinking::XHigh => 24576,
    };
    Some(match thinking {
        // Gemini 3 turns thinking down to its lowest level; 2.5 takes a zero budget.
        Thinking::Disabled if family.gemini_3 => ThinkingConfig {
            thinking_level: Some(level(thinking)),
            ..ThinkingConfig::default()
        },
        Thinking::Disabled => ThinkingConfig {
            thinking_budget: Some(budget(thinking)),
            ..ThinkingConfig::default()
        },
        Thinking::Enabled => ThinkingConfig {
            include_thoughts: Some(true),
            ..ThinkingConfig::default()
        },
        effort if family.gemini_3 => ThinkingConfig {
            include_thoughts: Some(true),
            thinking_level: Some(level(effort)),
            ..ThinkingConfig::default()
        },
        effort => ThinkingConfig {
            include_thoughts: Some(true),
            thinking_budget: Some(budget(effort)),
            ..ThinkingConfig::default()
        },
    })
}

#[cfg(test)]
mod tests;
