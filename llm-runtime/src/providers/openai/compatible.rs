//! The built-in hosts of the OpenAI Chat Completions protocol ([`OpenAiChat`]): OpenAI itself
//! and the OpenAI-compatible APIs, each one `#[provider]` item. A host differs from another by
//! its base URL, environment variables, auth and protocol options only; the options follow
//! pydantic-ai's provider profiles (`providers/<host>.py`, `profiles/*.py`).
//!
//! Each registers its model-string prefix (`groq:llama-3.3-70b-versatile`) and reads its key
//! from `<NAME>_API_KEY` and a base-URL override from `<NAME>_BASE_URL` unless its
//! documentation says otherwise. Any other OpenAI-compatible server is reached through
//! [`OpenAiCompatible`] (`openai-compatible:<model>` with `OPENAI_COMPATIBLE_BASE_URL`), or by
//! declaring a host of your own in a few lines (`examples/custom_provider.rs`).
//!
//! ```
//! use llm_runtime::models::Model;
//! use llm_runtime::providers::Groq;
//!
//! let model = Groq::builder()
//!     .api_key("gsk-test")
//!     .base_url("http://127.0.0.1:8080/openai/v1")
//!     .build()?
//!     .model("llama-3.3-70b-versatile");
//! assert_eq!(model.system(), "groq");
//! # Ok::<(), llm_runtime::Error>(())
//! ```

use super::chat::MaxTokensField::MaxTokens;
use super::chat::{ChatBuiltinTools, OpenAiChat, Reasoning, SendBackThinking, Setting};
use crate::provider;
use crate::schema;

/// [OpenAI](https://platform.openai.com/docs/api-reference/chat)'s Chat Completions API
/// (`openai:gpt-4.1-nano`, also `openai-chat:`): `OPENAI_API_KEY`, `OPENAI_BASE_URL`.
#[provider(name = "openai", aliases = ["openai-chat"], base_url = "https://api.openai.com/v1",
    protocol = OpenAiChat)]
pub struct OpenAi;

/// [Groq](https://console.groq.com/docs/openai): reasoning in `reasoning`, usage streamed
/// without `stream_options`, tool schemas `$ref`-inlined, never strict; compound models'
/// searches as built-in tool parts; `tool_use_failed` as a response; URL ends `/openai/v1`.
#[provider(name = "groq", base_url = "https://api.groq.com/openai/v1", protocol = OpenAiChat::new()
    .with_max_tokens_field(MaxTokens).with_stream_usage(false).with_strict_tools(false)
    .with_schema_transformer(schema::inline_defs).with_reasoning(Reasoning::Effort)
    .with_builtin_tools(ChatBuiltinTools::GroqCompound).with_failed_generations(true))]
pub struct Groq;

/// [Mistral](https://docs.mistral.ai/api/)'s chat completions: `max_tokens`, no
/// `stream_options`, no strict tools, no `reasoning_effort` (Magistral always reasons).
#[provider(name = "mistral", base_url = "https://api.mistral.ai/v1", protocol = OpenAiChat::new()
    .with_max_tokens_field(MaxTokens).with_stream_usage(false).with_strict_tools(false)
    .with_reasoning(Reasoning::Unsupported).with_builtin_tools(ChatBuiltinTools::None))]
pub struct Mistral;

/// [DeepSeek](https://api-docs.deepseek.com/): reasoning in `reasoning_content`, sent back
/// there; its reasoning models cannot be forced to call a tool.
#[provider(name = "deepseek", base_url = "https://api.deepseek.com", protocol = OpenAiChat::new()
    .with_thinking_field("reasoning_content").with_send_back_thinking(SendBackThinking::Field)
    .with_no_tool_choice_required_for(&["deepseek-reasoner", "deepseek-v4-"])
    .with_reasoning(Reasoning::Effort).with_builtin_tools(ChatBuiltinTools::None))]
pub struct DeepSeek;

/// [OpenRouter](https://openrouter.ai/docs/api-reference/overview): `vendor/model` names,
/// `reasoning_details` (else `reasoning`), annotations, server tools, document URLs.
#[provider(name = "openrouter", base_url = "https://openrouter.ai/api/v1",
    protocol = OpenAiChat::new().with_reasoning_details(true).with_annotations(true)
    .with_thinking_field("reasoning").with_send_back_thinking(SendBackThinking::Field)
    .with_max_tokens_field(MaxTokens).with_file_urls(true).with_reasoning(Reasoning::Effort)
    .with_builtin_tools(ChatBuiltinTools::OpenRouterServerTools)
    .with_schema_transformer_for("google/", schema::gemini_legacy::transform))]
pub struct OpenRouter;

/// [Ollama](https://github.com/ollama/ollama/blob/main/docs/openai.md) on
/// `OLLAMA_BASE_URL` (default `http://localhost:11434/v1`); the key is optional.
#[provider(name = "ollama", base_url = "http://localhost:11434/v1", api_key_optional,
    protocol = OpenAiChat::new().with_thinking_field("reasoning").with_strict_tools(false)
        .with_reasoning(Reasoning::Effort).with_builtin_tools(ChatBuiltinTools::None))]
pub struct Ollama;

/// [xAI](https://docs.x.ai/docs/api-reference)'s OpenAI-compatible API (`xai:grok-4`, also
/// `grok:`): `XAI_API_KEY`, `XAI_BASE_URL`.
#[provider(name = "xai", aliases = ["grok"], base_url = "https://api.x.ai/v1",
    protocol = OpenAiChat::new().with_reasoning(Reasoning::Effort)
        .with_builtin_tools(ChatBuiltinTools::None))]
pub struct Xai;

/// [Together AI](https://docs.together.ai/docs/openai-api-compatibility): `TOGETHER_API_KEY`.
#[provider(name = "together", base_url = "https://api.together.xyz/v1", protocol = OpenAiChat)]
pub struct Together;

/// [Fireworks AI](https://docs.fireworks.ai/tools-sdks/openai-compatibility):
/// `FIREWORKS_API_KEY`; models named `accounts/fireworks/models/<model>`.
#[provider(name = "fireworks", base_url = "https://api.fireworks.ai/inference/v1",
    protocol = OpenAiChat)]
pub struct Fireworks;

/// [Cerebras](https://inference-docs.cerebras.ai/resources/openai): settings it rejects are
/// left out with a warning.
#[provider(name = "cerebras", base_url = "https://api.cerebras.ai/v1", protocol = OpenAiChat::new()
    .with_unsupported_settings(&[Setting::FrequencyPenalty, Setting::LogitBias,
        Setting::PresencePenalty, Setting::ParallelToolCalls, Setting::ServiceTier])
    .with_reasoning(Reasoning::Effort).with_builtin_tools(ChatBuiltinTools::None))]
pub struct Cerebras;

/// [Azure OpenAI](https://learn.microsoft.com/azure/ai-foundry/openai/reference): the model is
/// the deployment; `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_API_KEY`, `OPENAI_API_VERSION`.
#[provider(name = "azure", base_url_env = "AZURE_OPENAI_ENDPOINT",
    api_key_env = "AZURE_OPENAI_API_KEY", auth = header("api-key"),
    query_env = [("api-version", "OPENAI_API_VERSION")],
    protocol = OpenAiChat::new().with_endpoint("openai/deployments/{model}/chat/completions")
        .with_document_input(false))]
pub struct Azure;

/// [GitHub Models](https://docs.github.com/en/rest/models/inference): `GITHUB_API_KEY` (a
/// token with `models: read`); models named `vendor/model`.
#[provider(name = "github", base_url = "https://models.github.ai/inference",
    protocol = OpenAiChat)]
pub struct GitHub;

/// [Hugging Face](https://huggingface.co/docs/inference-providers)'s router: `HF_TOKEN` (or
/// `HUGGINGFACE_API_KEY`), `max_tokens`, no strict tools.
#[provider(name = "huggingface", base_url = "https://router.huggingface.co/v1",
    api_key_env = ["HF_TOKEN", "HUGGINGFACE_API_KEY"],
    protocol = OpenAiChat::new().with_max_tokens_field(MaxTokens).with_strict_tools(false)
        .with_builtin_tools(ChatBuiltinTools::None))]
pub struct HuggingFace;

/// [Moonshot AI](https://platform.moonshot.ai/docs/api/chat) (Kimi): reasoning in
/// `reasoning_content`, sent back there; tool use cannot be forced.
#[provider(name = "moonshotai", base_url = "https://api.moonshot.ai/v1",
    protocol = OpenAiChat::new().with_thinking_field("reasoning_content")
        .with_send_back_thinking(SendBackThinking::Field).with_tool_choice_required(false)
        .with_reasoning(Reasoning::Effort).with_builtin_tools(ChatBuiltinTools::None))]
pub struct MoonshotAi;

/// A [LiteLLM](https://docs.litellm.ai/docs/simple_proxy) proxy at `LITELLM_BASE_URL`
/// (required); `LITELLM_API_KEY` is optional.
#[provider(name = "litellm", api_key_optional, protocol = OpenAiChat)]
pub struct LiteLlm;

/// Any OpenAI-compatible server (vLLM, llama.cpp, LM Studio…): `openai-compatible:<model>`
/// at `OPENAI_COMPATIBLE_BASE_URL` (required), key from `OPENAI_COMPATIBLE_API_KEY` if set.
#[provider(name = "openai-compatible", api_key_optional, protocol = OpenAiChat::new()
    .with_max_tokens_field(MaxTokens).with_reasoning(Reasoning::Effort))]
pub struct OpenAiCompatible;

#[cfg(test)]
mod tests;
