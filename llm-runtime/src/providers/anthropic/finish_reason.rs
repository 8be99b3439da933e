//! Why the model stopped: the stop reason normalised to a [`FinishReason`] (pydantic-ai's
//! `_FINISH_REASON_MAP`), and the refusal's stop details and the code-execution container as
//! `provider_details` entries.

use super::wire::{Container, StopDetails};
use crate::messages::FinishReason;

/// Stop reasons, normalised (pydantic-ai's `_FINISH_REASON_MAP`). Unknown values and
/// `pause_turn` give `None`; the raw value stays in `provider_details["finish_reason"]`.
pub(super) fn map_stop_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "end_turn" | "stop_sequence" | "compaction" => Some(FinishReason::Stop),
        "max_tokens" | "model_context_window_exceeded" => Some(FinishReason::Length),
        "tool_use" => Some(FinishReason::ToolCall),
        "refusal" => Some(FinishReason::ContentFilter),
        "pause_turn" => None,
        other => {
            tracing::debug!(
                target: "llm_runtime::providers",
                stop_reason = other,
                "unknown stop reason; kept in provider_details only"
            );
            None
        }
    }
}

/// The stop details and container of a message as `provider_details` entries.
pub(super) fn stop_details_entries(
    details: Option<&StopDetails<'_>>,
    container: Option<&Container<'_>>,
) -> Vec<(&'static str, String)> {
    let mut entries = Vec::new();
    if let Some(details) = details {
        if let Some(explanation) = &details.explanation {
            entries.push(("refusal", explanation.to_string()));
        }
        if let Some(category) = &details.category {
            entries.push(("refusal_category", category.to_string()));
        }
    }
    if let Some(id) = container.and_then(|c| c.id.as_deref()) {
        entries.push(("container_id", id.to_owned()));
    }
    entries
}

#[cfg(test)]
mod tests;
