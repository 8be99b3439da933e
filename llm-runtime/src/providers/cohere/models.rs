//! What each Cohere model supports, by name (<https://docs.cohere.com/v2/docs/models>), and
//! how a tool plan is marked among a response's parts.

use crate::messages::ThinkingPart;
use crate::models::ModelProfile;

/// The `id` of the thinking part that holds a response's `tool_plan` (the model's plan before
/// its tool calls), so that the plan goes back as `tool_plan` rather than as thinking.
pub(super) const TOOL_PLAN_ID: &str = "tool_plan";

/// What a Cohere model can do, read from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ModelTraits {
    /// It reasons (`command-a-reasoning-*`) and takes `thinking`.
    pub reasoning: bool,
}

/// The traits of `model`.
pub(super) fn model_traits(model: &str) -> ModelTraits {
    ModelTraits {
        reasoning: model.contains("reasoning"),
    }
}

/// The profile of `model`: tools, and structured output through a tool (Cohere's
/// `response_format` is not part of this translation, as in pydantic-ai).
pub(super) fn profile(_model: &str) -> ModelProfile {
    ModelProfile {
        supports_tools: true,
        supports_json_schema_output: false,
        supports_json_object_output: false,
        ..ModelProfile::default()
    }
}

/// Whether `part` is the tool plan of an earlier response of `provider` (a plan another
/// provider made is sent back as the thinking it is).
pub(super) fn is_tool_plan(part: &ThinkingPart, provider: &str) -> bool {
    part.id.as_deref() == Some(TOOL_PLAN_ID) && part.provider_name.as_deref() == Some(provider)
}

#[cfg(test)]
mod tests;
