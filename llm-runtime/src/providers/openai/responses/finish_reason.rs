//! Finish reasons and states: the `status` (or `incomplete_details.reason`) of a response
//! mapped to a [`FinishReason`] and a [`ResponseState`], for whole responses and streams alike.

use crate::messages::{FinishReason, ResponseState};

/// Responses API finish reasons, normalised (pydantic-ai's `_RESPONSES_FINISH_REASON_MAP`):
/// the `incomplete_details.reason`, else the status. Others give `None`; the raw value stays in
/// `provider_details["finish_reason"]`.
pub(super) fn map_finish_reason(raw: &str) -> Option<FinishReason> {
    match raw {
        "max_output_tokens" => Some(FinishReason::Length),
        "content_filter" => Some(FinishReason::ContentFilter),
        "completed" => Some(FinishReason::Stop),
        "cancelled" | "failed" => Some(FinishReason::Error),
        other => {
            tracing::debug!(
                target: "llm_runtime::providers",
                finish_reason = other,
                "no finish reason for this status; kept in provider_details only"
            );
            None
        }
    }
}

/// The state of a response with `status`: a pending background job is suspended (it is
/// continued by retrieving it); everything else is complete (pydantic-ai's
/// `_response_status_to_state`).
pub(super) fn status_state(status: Option<&str>, background: bool) -> ResponseState {
    match status {
        Some("queued" | "in_progress") if background => ResponseState::Suspended,
        Some("queued" | "in_progress") => ResponseState::Incomplete,
        _ => ResponseState::Complete,
    }
}
