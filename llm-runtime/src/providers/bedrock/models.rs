//! What each model family on Bedrock supports, from its model id (pydantic-ai's
//! `BedrockProvider.model_profile` and the `bedrock_*_model_profile` functions): tool choice,
//! prompt caching, how thinking and `top_k` are asked for, which content may share a user
//! message with a tool result, and so on.

use crate::models::ModelProfile;
use crate::providers::anthropic::models::ADAPTIVE_THINKING_MODELS;
use crate::schema::{self, SchemaTransformer};

/// Cross-region inference prefixes of model ids (`us.anthropic.…`).
const GEO_PREFIXES: [&str; 8] = ["us", "eu", "apac", "jp", "au", "ca", "global", "us-gov"];

/// How a model is asked to think, in `additionalModelRequestFields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ThinkingVariant {
    /// `thinking: {"type": "adaptive"}` (with `output_config.effort` where `effort`), or a token
    /// budget on older models.
    Anthropic { adaptive: bool, effort: bool },
    /// `reasoning_effort` (GPT-OSS).
    OpenAi,
    /// `reasoning_config: "low" | "high"` (Qwen).
    Qwen,
}

/// Where `top_k` goes in `additionalModelRequestFields` (Converse's `inferenceConfig` has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TopKVariant {
    /// `{"top_k": N}`.
    Anthropic,
    /// `{"inferenceConfig": {"topK": N}}`.
    Nova,
}

/// Kinds of content blocks, as a set (which may share a user message with a tool result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Kinds {
    pub text: bool,
    pub image: bool,
    pub document: bool,
    pub video: bool,
}

impl Kinds {
    const ALL: Kinds = Kinds {
        text: true,
        image: true,
        document: true,
        video: true,
    };
    const NONE: Kinds = Kinds {
        text: false,
        image: false,
        document: false,
        video: false,
    };

    /// Whether a block of this key (`text`, `image`…) is in the set.
    pub fn contains(self, key: &str) -> bool {
        match key {
            "text" => self.text,
            "image" => self.image,
            "document" => self.document,
            "video" => self.video,
            _ => false,
        }
    }
}

/// What a model on Bedrock supports (pydantic-ai's `BedrockModelProfile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BedrockProfile {
    pub supports_tool_choice: bool,
    /// Tool results as `{"json": …}` blocks rather than text (Mistral).
    pub tool_result_json: bool,
    pub send_back_thinking: bool,
    pub supports_prompt_caching: bool,
    pub supports_tool_caching: bool,
    /// The conversation may start with an assistant message.
    pub supports_leading_assistant: bool,
    /// `toolResult` blocks take a `status` (all but Writer).
    pub supports_tool_result_status: bool,
    pub supports_strict_tools: bool,
    pub supports_json_schema_output: bool,
    /// The content kinds that may share a user message with a `toolResult`.
    pub tool_result_colocatable: Kinds,
    pub thinking: Option<ThinkingVariant>,
    pub top_k: Option<TopKVariant>,
    /// False for models Bedrock serves only through its OpenAI-compatible API.
    pub supported_on_converse: bool,
    /// The schema transformer of the family (inlined definitions for Amazon models).
    pub inline_defs: bool,
}

impl Default for BedrockProfile {
    fn default() -> Self {
        BedrockProfile {
            supports_tool_choice: false,
            tool_result_json: false,
            send_back_thinking: false,
            supports_prompt_caching: false,
            supports_tool_caching: false,
            supports_leading_assistant: false,
            supports_tool_result_status: true,
            supports_strict_tools: false,
            supports_json_schema_output: false,
            tool_result_colocatable: Kinds::ALL,
            thinking: None,
            top_k: None,
            supported_on_converse: true,
            inline_defs: false,
        }
    }
}

impl BedrockProfile {
    /// The schema transformer for tools of this family.
    pub fn transformer(&self) -> SchemaTransformer {
        if self.inline_defs {
            schema::inline_defs
        } else {
            schema::anthropic::transform
        }
    }

    /// The crate-wide profile the driver needs.
    pub fn model_profile(&self) -> ModelProfile {
        ModelProfile {
            supports_json_schema_output: self.supports_json_schema_output,
            ..ModelProfile::default()
        }
    }
}

/// The model id without its geo prefix, split into the provider segment and the bare name
/// without its `-vN(:M)` suffix (pydantic-ai's `split_bedrock_model_id`). An ARN is reduced to
/// its last path segment first.
pub(super) fn split_model_id(model_id: &str) -> (Option<&str>, &str) {
    let id = model_id.rsplit('/').next().unwrap_or(model_id);
    let id = GEO_PREFIXES
        .iter()
        .find_map(|prefix| id.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')))
        .unwrap_or(id);
    let Some((provider, name)) = id.split_once('.').filter(|(_, name)| !name.is_empty()) else {
        return (None, id);
    };
    (Some(provider), strip_version(name))
}

/// `name` without a trailing `-v<digits>` or `-v<digits>:<digits>`.
fn strip_version(name: &str) -> &str {
    let Some(at) = name.rfind("-v") else {
        return name;
    };
    let (base, suffix) = name.split_at(at);
    let Some(version) = suffix.strip_prefix("-v") else {
        return name;
    };
    let (major, minor) = version.split_once(':').unwrap_or((version, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !base.is_empty() && digits(major) && digits(minor) {
        base
    } else {
        name
    }
}

/// Anthropic models with native structured output (as `anthropic.rs` lists them), less those
/// Bedrock's structured-output documentation does not list.
const ANTHROPIC_STRUCTURED_OUTPUT: [&str; 6] = [
    "claude-haiku-4-5",
    "claude-sonnet-4-5",
    "claude-sonnet-4-6",
    "claude-opus-4-5",
    "claude-opus-4-6",
    "claude-mythos-5",
];

/// The profile of a model id (pydantic-ai's profile for its provider segment; the default for
/// an unknown one).
pub(super) fn profile(model_id: &str) -> BedrockProfile {
    let (provider, name) = split_model_id(model_id);
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
    let base = BedrockProfile::default();
    match provider.unwrap_or_default() {
        "anthropic" => {
            let adaptive = starts(ADAPTIVE_THINKING_MODELS);
            let structured = starts(&ANTHROPIC_STRUCTURED_OUTPUT);
            BedrockProfile {
                supports_tool_choice: true,
                send_back_thinking: true,
                supports_prompt_caching: true,
                supports_tool_caching: true,
                tool_result_colocatable: Kinds {
                    document: false,
                    video: false,
                    ..Kinds::ALL
                },
                supports_leading_assistant: true,
                thinking: Some(ThinkingVariant::Anthropic {
                    adaptive,
                    effort: adaptive,
                }),
                top_k: Some(TopKVariant::Anthropic),
                supports_json_schema_output: structured,
                supports_strict_tools: structured,
                ..base
            }
        }
        "amazon" if name.contains("nova") => BedrockProfile {
            supports_tool_choice: true,
            supports_prompt_caching: true,
            top_k: Some(TopKVariant::Nova),
            inline_defs: true,
            ..base
        },
        "amazon" => BedrockProfile {
            inline_defs: true,
            ..base
        },
        "deepseek" => BedrockProfile {
            send_back_thinking: name.contains("r1"),
            ..base
        },
        "meta" => BedrockProfile {
            tool_result_colocatable: Kinds::NONE,
            ..base
        },
        "mistral" => {
            let structured = starts(&[
                "magistral-small",
                "ministral-3",
                "mistral-large-3",
                "voxtral",
            ]);
            BedrockProfile {
                tool_result_json: true,
                supports_json_schema_output: structured,
                supports_strict_tools: structured,
                tool_result_colocatable: Kinds::NONE,
                ..base
            }
        }
        "qwen" => BedrockProfile {
            supports_leading_assistant: true,
            thinking: (name.contains("qwq") || name.contains("qwen3"))
                .then_some(ThinkingVariant::Qwen),
            supports_json_schema_output: name.starts_with("qwen3"),
            supports_strict_tools: name.starts_with("qwen3"),
            ..base
        },
        "google" => {
            let structured = starts(&["gemma-3-12b-it", "gemma-3-27b-it"]);
            BedrockProfile {
                supports_json_schema_output: structured,
                supports_strict_tools: structured,
                ..base
            }
        }
        "zai" | "moonshot" | "moonshotai" => BedrockProfile {
            supports_tool_choice: true,
            supports_leading_assistant: true,
            supports_json_schema_output: true,
            supports_strict_tools: true,
            ..base
        },
        "writer" => BedrockProfile {
            tool_result_colocatable: Kinds::NONE,
            supports_tool_result_status: false,
            ..base
        },
        "minimax" | "nvidia" => {
            let structured = starts(&["minimax-m2", "nemotron-nano"]);
            BedrockProfile {
                supports_json_schema_output: structured,
                supports_strict_tools: structured,
                ..base
            }
        }
        "openai" if name.starts_with("gpt-oss") => BedrockProfile {
            thinking: Some(ThinkingVariant::OpenAi),
            ..base
        },
        "openai" => BedrockProfile {
            supported_on_converse: false,
            ..base
        },
        _ => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_split_as_pydantic_ai_splits_them() {
        assert_eq!(
            split_model_id("us.anthropic.claude-haiku-4-5-20251001-v1:0"),
            (Some("anthropic"), "claude-haiku-4-5-20251001")
        );
        assert_eq!(
            split_model_id("anthropic.claude-haiku-4-5"),
            (Some("anthropic"), "claude-haiku-4-5")
        );
        assert_eq!(
            split_model_id("claude-haiku-4-5"),
            (None, "claude-haiku-4-5")
        );
        assert_eq!(
            split_model_id("us-gov.meta.llama3-8b-instruct-v1:0"),
            (Some("meta"), "llama3-8b-instruct")
        );
        assert_eq!(
            split_model_id("arn:aws:bedrock:us-east-1:1:inference-profile/us.amazon.nova-pro-v1:0"),
            (Some("amazon"), "nova-pro")
        );
        assert_eq!(
            split_model_id("amazon.titan-tg1-large"),
            (Some("amazon"), "titan-tg1-large")
        );
    }

    #[test]
    fn families_get_their_profiles() {
        let claude = profile("us.anthropic.claude-sonnet-4-6");
        assert_eq!(
            claude.thinking,
            Some(ThinkingVariant::Anthropic {
                adaptive: true,
                effort: true
            })
        );
        assert!(claude.supports_tool_choice && claude.supports_prompt_caching);
        let old = profile("anthropic.claude-3-5-sonnet-20241022-v2:0");
        assert_eq!(
            old.thinking,
            Some(ThinkingVariant::Anthropic {
                adaptive: false,
                effort: false
            })
        );
        assert!(!old.supports_json_schema_output);
        assert_eq!(
            profile("us.amazon.nova-micro-v1:0").top_k,
            Some(TopKVariant::Nova)
        );
        assert!(!profile("us.amazon.nova-micro-v1:0").supports_leading_assistant);
        assert!(profile("mistral.mistral-large-2407-v1:0").tool_result_json);
        assert!(!profile("writer.palmyra-x5-v1:0").supports_tool_result_status);
        assert!(!profile("openai.gpt-5.4").supported_on_converse);
        assert_eq!(
            profile("openai.gpt-oss-120b-1:0").thinking,
            Some(ThinkingVariant::OpenAi)
        );
        assert_eq!(profile("unknown.model"), BedrockProfile::default());
    }
}
