//! What each Claude model supports, decided from its name as pydantic-ai's
//! `anthropic_model_profile` does: native JSON-schema output and strict tools, adaptive
//! thinking, effort, sampling settings, forced tool choice.

use crate::models::ModelProfile;

/// What a model supports, from its name (pydantic-ai's `anthropic_model_profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ModelTraits {
    /// Native JSON-schema output and strict tools.
    pub(super) json_schema_output: bool,
    /// `thinking: {"type": "adaptive"}` instead of a token budget.
    pub(super) adaptive_thinking: bool,
    /// `output_config.effort`.
    pub(super) effort: bool,
    /// The `xhigh` effort (others get `max` for the most effort).
    pub(super) xhigh_effort: bool,
    /// The model rejects `temperature`, `top_p` and `top_k`.
    pub(super) no_sampling_settings: bool,
    /// The model accepts a forced `tool_choice` (`any` or a named tool).
    pub(super) forced_tool_choice: bool,
}

const JSON_SCHEMA_OUTPUT_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-haiku-4-5",
    "claude-sonnet-4-5",
    "claude-sonnet-4-6",
    "claude-opus-4-1",
    "claude-opus-4-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-5",
];
/// Models with adaptive thinking (and `output_config.effort`); Bedrock reads this list too.
pub(crate) const ADAPTIVE_THINKING_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-sonnet-4-6",
    "claude-sonnet-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
];
const EFFORT_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-4-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-4-6",
    "claude-sonnet-5",
];
/// Models that take the `xhigh` effort, reject budget thinking and reject sampling settings.
const NEWEST_MODELS: &[&str] = &[
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-5",
];
const NO_FORCED_TOOL_CHOICE_MODELS: &[&str] =
    &["claude-fable-5", "claude-mythos-5", "claude-mythos-preview"];

/// What `model` supports, by the prefixes of its name.
pub(super) fn model_traits(model: &str) -> ModelTraits {
    let any = |prefixes: &[&str]| prefixes.iter().any(|p| model.starts_with(p));
    ModelTraits {
        json_schema_output: any(JSON_SCHEMA_OUTPUT_MODELS),
        adaptive_thinking: any(ADAPTIVE_THINKING_MODELS),
        effort: any(EFFORT_MODELS),
        xhigh_effort: any(NEWEST_MODELS),
        no_sampling_settings: any(NEWEST_MODELS),
        forced_tool_choice: !any(NO_FORCED_TOOL_CHOICE_MODELS),
    }
}

/// The profile of `model_name`: JSON-schema output where the model has it, and the tags that
/// wrap thinking sent back as text.
pub(super) fn profile(model_name: &str) -> ModelProfile {
    ModelProfile {
        supports_json_schema_output: model_traits(model_name).json_schema_output,
        thinking_tags: ("<thinking>".to_owned(), "</thinking>".to_owned()),
        ..ModelProfile::default()
    }
}
