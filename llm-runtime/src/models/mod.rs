//! The [`Model`] trait, what a request asks of a model ([`ModelRequestParameters`]), the
//! model-string registry ([`infer_model`]), the offline models [`TestModel`] and
//! [`FunctionModel`], and the wrappers [`FallbackModel`] and [`ConcurrencyLimitedModel`].
//!
//! # Wrappers by model string
//!
//! `"fallback:<model>,<model>,…"` is a [`FallbackModel`] of the model strings between the
//! commas (its [`model_name`](Model::model_name) reads the same), usable wherever a model
//! string is. A [`ConcurrencyLimitedModel`] has no model string: its limit is a number and,
//! to be worth having, a [`ConcurrencyLimiter`] shared by several models, both of which
//! belong in code rather than in a name.
//!
//! # Writing a wrapper
//!
//! A wrapper (pydantic-ai's `WrapperModel`, Vercel's middleware) is a [`Model`] that holds
//! another as an `Arc<dyn Model>`, does its part around the inner calls, and forwards the
//! rest; it is then usable wherever a model is. Forward [`settings`](Model::settings) and
//! [`profile`](Model::profile) so the wrapped model behaves as it would alone, and keep
//! anything a stream needs until its end in an observer
//! ([`StreamedResponse::with_observer`](crate::stream::StreamedResponse::with_observer)).
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//! use futures::future::BoxFuture;
//! use llm_runtime::messages::{ModelMessage, ModelRequest, ModelResponse};
//! use llm_runtime::models::{infer_model, Model, ModelProfile, ModelRequestParameters};
//! use llm_runtime::settings::ModelSettings;
//! use llm_runtime::stream::StreamedResponse;
//! use llm_runtime::{model_request, Result};
//!
//! /// Counts the requests that reach the wrapped model.
//! #[derive(Debug)]
//! struct Counted {
//!     inner: Arc<dyn Model>,
//!     requests: AtomicUsize,
//! }
//!
//! impl Model for Counted {
//!     fn request<'a>(
//!         &'a self,
//!         messages: &'a [ModelMessage],
//!         settings: &'a ModelSettings,
//!         parameters: &'a ModelRequestParameters,
//!     ) -> BoxFuture<'a, Result<ModelResponse>> {
//!         self.requests.fetch_add(1, Ordering::Relaxed);
//!         self.inner.request(messages, settings, parameters)
//!     }
//!
//!     fn request_stream<'a>(
//!         &'a self,
//!         messages: &'a [ModelMessage],
//!         settings: &'a ModelSettings,
//!         parameters: &'a ModelRequestParameters,
//!     ) -> BoxFuture<'a, Result<StreamedResponse>> {
//!         self.requests.fetch_add(1, Ordering::Relaxed);
//!         self.inner.request_stream(messages, settings, parameters)
//!     }
//!
//!     fn model_name(&self) -> &str { self.inner.model_name() }
//!     fn system(&self) -> &str { self.inner.system() }
//!     fn base_url(&self) -> Option<&str> { self.inner.base_url() }
//!     fn profile(&self) -> &ModelProfile { self.inner.profile() }
//!     fn settings(&self) -> Option<&ModelSettings> { self.inner.settings() }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let counted = Arc::new(Counted { inner: infer_model("test")?, requests: AtomicUsize::new(0) });
//! model_request(counted.clone(), [ModelRequest::user_text_prompt("Hi")]).await?;
//! assert_eq!(counted.requests.load(Ordering::Relaxed), 1);
//! # Ok::<(), llm_runtime::Error>(())
//! # });
//! ```

mod fallback;
mod function;
mod limited;
mod output;
mod registry;
mod test_model;

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::limit::ConcurrencyLimiter;
pub use fallback::{default_fallback_on, FallbackModel};
pub use function::{FunctionModel, StreamDelta};
pub use limited::ConcurrencyLimitedModel;
pub use output::{
    prompted_output_instructions, request_instructions, resolve_output_mode,
    PROMPTED_OUTPUT_TEMPLATE,
};
pub use registry::{infer_model, known_providers, register_provider, ProviderRegistration};
pub use test_model::{CallTools, TestModel};

use crate::error::Result;
use crate::messages::{ModelMessage, ModelResponse};
use crate::settings::ModelSettings;
use crate::stream::StreamedResponse;
use crate::tools::ToolDefinition;

/// A model that can be requested: a provider's model, or an offline one.
///
/// Implementations translate our messages to their wire format and back; everything else
/// (retries, timeouts, instrumentation) is shared. Every model is `Debug`, with API keys
/// redacted.
pub trait Model: Send + Sync + fmt::Debug + 'static {
    /// Sends one request and returns the whole response.
    fn request<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<ModelResponse>>;

    /// Sends one request and returns its response as a stream of events.
    fn request_stream<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<StreamedResponse>>;

    /// The name of the model, as requested (e.g. `gpt-4.1-nano`).
    fn model_name(&self) -> &str;

    /// The provider's name, as OpenTelemetry's `gen_ai.provider.name` (e.g. `openai`).
    fn system(&self) -> &str;

    /// The base URL requests go to, when there is one.
    fn base_url(&self) -> Option<&str> {
        None
    }

    /// What the model supports.
    fn profile(&self) -> &ModelProfile {
        ModelProfile::default_ref()
    }

    /// Settings this model applies under the ones given with each request.
    fn settings(&self) -> Option<&ModelSettings> {
        None
    }
}

/// What one request asks of the model besides the messages: tools and the kind of output.
///
/// `Default` allows text output and offers no tool, as pydantic-ai's does.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequestParameters {
    /// Tools the model may call.
    pub function_tools: Vec<ToolDefinition>,
    /// Tools whose call is the final, structured output.
    pub output_tools: Vec<ToolDefinition>,
    /// Whether plain text is an acceptable final output.
    pub allow_text_output: bool,
    /// How structured output is requested.
    pub output_mode: OutputMode,
    /// The object to produce, for the `native` and `prompted` output modes.
    pub output_object: Option<OutputObjectDefinition>,
}

impl Default for ModelRequestParameters {
    fn default() -> Self {
        ModelRequestParameters {
            function_tools: Vec::new(),
            output_tools: Vec::new(),
            allow_text_output: true,
            output_mode: OutputMode::Text,
            output_object: None,
        }
    }
}

impl ModelRequestParameters {
    /// The definition of the function or output tool named `name`.
    pub fn tool(&self, name: &str) -> Option<&ToolDefinition> {
        self.function_tools
            .iter()
            .chain(&self.output_tools)
            .find(|tool| tool.name == name)
    }

    /// Whether `name` is one of the output tools.
    pub fn is_output_tool(&self, name: &str) -> bool {
        self.output_tools.iter().any(|tool| tool.name == name)
    }
}

/// How structured output is requested (pydantic-ai's `OutputMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputMode {
    /// Plain text (the default).
    #[default]
    Text,
    /// A call of an output tool.
    Tool,
    /// The provider's own structured output (e.g. OpenAI's `response_format` JSON schema).
    Native,
    /// The schema is put in the prompt and the text parsed.
    Prompted,
    /// A tool call or text (deprecated in pydantic-ai).
    ToolOrText,
    /// An image.
    Image,
    /// The model's preferred structured mode.
    Auto,
}

/// An object the model must produce (pydantic-ai's `OutputObjectDefinition`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputObjectDefinition {
    /// The JSON schema of the object.
    pub json_schema: Value,
    /// A name for the schema.
    #[serde(default)]
    pub name: Option<String>,
    /// What the object is.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether to ask for strict schema adherence.
    #[serde(default)]
    pub strict: Option<bool>,
}

/// What a model supports, which decides how requests are built for it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelProfile {
    /// Whether the model can call tools.
    pub supports_tools: bool,
    /// Whether the model accepts a JSON schema for its output.
    pub supports_json_schema_output: bool,
    /// Whether the model has a JSON-object output mode.
    pub supports_json_object_output: bool,
    /// The structured output mode used for [`OutputMode::Auto`].
    pub default_structured_output_mode: OutputMode,
    /// Tags around reasoning embedded in text (e.g. `<think>`, `</think>`).
    pub thinking_tags: (String, String),
    /// Whether leading whitespace-only text is ignored in streams (some models send it before tool calls).
    pub ignore_streamed_leading_whitespace: bool,
}

impl Default for ModelProfile {
    fn default() -> Self {
        ModelProfile {
            supports_tools: true,
            supports_json_schema_output: false,
            supports_json_object_output: false,
            default_structured_output_mode: OutputMode::Tool,
            thinking_tags: ("<think>".to_owned(), "</think>".to_owned()),
            ignore_streamed_leading_whitespace: false,
        }
    }
}

impl ModelProfile {
    fn default_ref() -> &'static ModelProfile {
        static DEFAULT: std::sync::OnceLock<ModelProfile> = std::sync::OnceLock::new();
        DEFAULT.get_or_init(ModelProfile::default)
    }
}

/// The instructions to send: those of the most recent request that has some.
pub fn instructions(messages: &[ModelMessage]) -> Option<&str> {
    messages.iter().rev().find_map(|message| match message {
        ModelMessage::Request(request) => request.instructions.as_deref(),
        ModelMessage::Response(_) => None,
    })
}

/// Anything a request function accepts as its model: a model string such as
/// `"openai:gpt-4.1-nano"` or `"test"`, or any [`Model`].
pub trait IntoModel {
    /// Resolves the model; a model string that names no known provider is an [`Error::User`](crate::Error::User).
    fn into_model(self) -> Result<Arc<dyn Model>>;
}

impl IntoModel for &str {
    fn into_model(self) -> Result<Arc<dyn Model>> {
        infer_model(self)
    }
}

impl IntoModel for String {
    fn into_model(self) -> Result<Arc<dyn Model>> {
        infer_model(&self)
    }
}

impl IntoModel for &String {
    fn into_model(self) -> Result<Arc<dyn Model>> {
        infer_model(self)
    }
}

impl IntoModel for Arc<dyn Model> {
    fn into_model(self) -> Result<Arc<dyn Model>> {
        Ok(self)
    }
}

impl<M: Model> IntoModel for Arc<M> {
    fn into_model(self) -> Result<Arc<dyn Model>> {
        Ok(self)
    }
}

impl<M: Model> IntoModel for M {
    fn into_model(self) -> Result<Arc<dyn Model>> {
        Ok(Arc::new(self))
    }
}
