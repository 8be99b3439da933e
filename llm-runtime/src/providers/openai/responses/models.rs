//! What each model supports: OpenAI's model families, by name (pydantic-ai's
//! `openai_model_profile`), and the profile the protocol gives every model.

use crate::models::ModelProfile;
use crate::providers::openai::shared::{openai_reasoning_support, ReasoningSupport};

/// What a model of OpenAI's families supports, by name (pydantic-ai's `openai_model_profile`).
#[derive(Debug, Clone, Copy)]
pub(super) struct ModelFacts {
    pub(super) reasoning: ReasoningSupport,
    /// Accepts `reasoning.context: "all_turns"`.
    pub(super) reasoning_context: bool,
    /// Labels assistant messages with `phase` and wants it back.
    pub(super) phase: bool,
    /// Accepts `reasoning.effort: "minimal"`.
    pub(super) minimal_effort: bool,
}

impl ModelFacts {
    pub(super) fn of(model: &str) -> Self {
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| model.starts_with(p));
        ModelFacts {
            reasoning: openai_reasoning_support(model),
            reasoning_context: starts(&["gpt-5.4", "gpt-5.5", "gpt-5.6"]),
            phase: starts(&["gpt-5.3-codex", "gpt-5.4", "gpt-5.5", "gpt-5.6"]),
            minimal_effort: !model.starts_with("gpt-5.6"),
        }
    }

    /// Whether the model returns encrypted reasoning, and so takes item ids back.
    pub(super) fn encrypted_reasoning(self) -> bool {
        self.reasoning.supported()
    }
}

/// The profile of every model of the protocol: the Responses API takes a JSON schema and JSON
/// mode for structured output, whatever the model.
pub(super) fn profile() -> ModelProfile {
    ModelProfile {
        supports_json_schema_output: true,
        supports_json_object_output: true,
        ..ModelProfile::default()
    }
}
