//! What each model supports, as the host's options and the model's name decide: its profile,
//! the role its system prompts take, whether it can be forced to call a tool, and whether it
//! streams whitespace worth ignoring before its text.

use super::super::shared::{openai_system_role, SystemRole};
use super::OpenAiChat;
use crate::models::ModelProfile;

impl OpenAiChat {
    /// The profile of `model_name` on this host.
    pub(super) fn model_profile(&self, model_name: &str) -> ModelProfile {
        ModelProfile {
            supports_json_schema_output: self.json_schema_output,
            supports_json_object_output: self.json_object_output,
            thinking_tags: (
                self.thinking_tags.0.to_owned(),
                self.thinking_tags.1.to_owned(),
            ),
            ignore_streamed_leading_whitespace: self.ignores_leading_whitespace(model_name),
            ..ModelProfile::default()
        }
    }

    /// Whether whitespace-only text at the start of a streamed text part of `model_name` is
    /// ignored (the host's choice, else the model families that send it).
    pub(super) fn ignores_leading_whitespace(&self, model_name: &str) -> bool {
        if let Some(ignore) = self.ignore_streamed_leading_whitespace {
            return ignore;
        }
        // The model's own name, without a host's `vendor/` prefix or `:tag` suffix.
        let name = model_name.rsplit('/').next().unwrap_or(model_name);
        let name = name.split(':').next().unwrap_or(name).to_ascii_lowercase();
        ["qwen", "qwq", "deepseek-r1", "kimi", "moonshot", "gpt-oss"]
            .iter()
            .any(|family| name.starts_with(family))
            || name == "deepseek-reasoner"
    }

    /// Whether `model_name` accepts `tool_choice: "required"` and a forced named tool.
    pub(super) fn supports_tool_choice_required(&self, model_name: &str) -> bool {
        self.tool_choice_required
            && !self
                .no_tool_choice_required_for
                .iter()
                .any(|prefix| model_name.starts_with(prefix))
    }

    /// The role system prompts and instructions take for `model_name`.
    pub(super) fn system_role_for(&self, model_name: &str) -> SystemRole {
        self.system_role
            .unwrap_or_else(|| openai_system_role(model_name))
    }
}
