//! [`FunctionModel`]: a model whose answers come from your own closures.

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::test_model::{estimate_tokens, estimate_usage};
use super::{resolve_output_mode, Model, ModelProfile, ModelRequestParameters};
use crate::error::{Error, Result};
use crate::messages::{ModelMessage, ModelResponse};
use crate::settings::ModelSettings;
use crate::stream::{ArgsDelta, PartsManager, StreamedResponse, VendorId};

type ResponseFn =
    dyn Fn(&[ModelMessage], &ModelRequestParameters) -> Result<ModelResponse> + Send + Sync;
type StreamFn = dyn Fn(&[ModelMessage], &ModelRequestParameters) -> BoxStream<'static, Result<StreamDelta>>
    + Send
    + Sync;

/// A piece of a streamed answer from a [`FunctionModel`]'s stream closure.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamDelta {
    /// Text appended to the answer.
    Text(String),
    /// Reasoning appended to the answer's thinking part.
    Thinking(String),
    /// A piece of the tool call at `index`: its name, a fragment of its JSON arguments, its id.
    ToolCall {
        /// Which call this piece belongs to.
        index: u32,
        /// The tool name (or more of it).
        name: Option<String>,
        /// A fragment of the JSON arguments.
        args: Option<String>,
        /// The call's id.
        id: Option<String>,
    },
}

/// A model answered by closures, for tests and custom logic (pydantic-ai's `FunctionModel`).
///
/// The closure gets the messages and the request parameters, their output mode resolved as
/// for a default profile ([`resolve_output_mode`]: `Auto` is tool output). A response without
/// usage gets an estimated one.
///
/// ```
/// use llm_runtime::{model_request_sync, models::FunctionModel};
/// use llm_runtime::messages::{ModelRequest, ModelResponse, TextPart};
///
/// let echo = FunctionModel::new(|messages, _params| {
///     Ok(ModelResponse::new(vec![TextPart::new(format!("{} messages", messages.len())).into()]))
/// });
/// let (response, _usage) = model_request_sync(echo, [ModelRequest::user_text_prompt("hi")])?;
/// assert_eq!(response.text(), "1 messages");
/// # Ok::<(), llm_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct FunctionModel {
    function: Option<Arc<ResponseFn>>,
    stream_function: Option<Arc<StreamFn>>,
    model_name: String,
}

impl fmt::Debug for FunctionModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionModel")
            .field("model_name", &self.model_name)
            .field("function", &self.function.is_some())
            .field("stream_function", &self.stream_function.is_some())
            .finish()
    }
}

impl FunctionModel {
    /// A model answered by `function`.
    pub fn new<F>(function: F) -> Self
    where
        F: Fn(&[ModelMessage], &ModelRequestParameters) -> Result<ModelResponse>
            + Send
            + Sync
            + 'static,
    {
        FunctionModel {
            function: Some(Arc::new(function)),
            stream_function: None,
            model_name: "function".to_owned(),
        }
    }

    /// A model that only streams, its answers coming from `stream_function`.
    pub fn streaming<F>(stream_function: F) -> Self
    where
        F: Fn(&[ModelMessage], &ModelRequestParameters) -> BoxStream<'static, Result<StreamDelta>>
            + Send
            + Sync
            + 'static,
    {
        FunctionModel {
            function: None,
            stream_function: Some(Arc::new(stream_function)),
            model_name: "function".to_owned(),
        }
    }

    /// Adds a closure for streamed requests.
    pub fn with_stream<F>(mut self, stream_function: F) -> Self
    where
        F: Fn(&[ModelMessage], &ModelRequestParameters) -> BoxStream<'static, Result<StreamDelta>>
            + Send
            + Sync
            + 'static,
    {
        self.stream_function = Some(Arc::new(stream_function));
        self
    }

    /// Sets the model name reported in responses.
    pub fn with_model_name(mut self, name: impl Into<String>) -> Self {
        self.model_name = name.into();
        self
    }
}

impl Model for FunctionModel {
    fn request<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        _settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<ModelResponse>> {
        Box::pin(async move {
            let function = self.function.as_ref().ok_or_else(|| {
                Error::user(
                    "this FunctionModel only streams: give it a function with FunctionModel::new",
                )
            })?;
            let parameters = resolve_output_mode(parameters, ModelProfile::default_ref());
            let mut response = function(messages, &parameters)?;
            if !response.usage.has_values() {
                response.usage = estimate_usage(messages, &response.parts);
            }
            if response.model_name.is_none() {
                response.model_name = Some(self.model_name.clone());
            }
            if response.provider_name.is_none() {
                response.provider_name = Some("function".to_owned());
            }
            Ok(response)
        })
    }

    fn request_stream<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        _settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<StreamedResponse>> {
        Box::pin(async move {
            let stream_function = self.stream_function.as_ref().ok_or_else(|| {
                Error::user(
                    "this FunctionModel cannot stream: give it a stream function with FunctionModel::with_stream",
                )
            })?;
            let parameters = resolve_output_mode(parameters, ModelProfile::default_ref());
            let deltas = stream_function(messages, &parameters);
            let manager = PartsManager::new(self.model_name.clone(), &parameters)
                .with_provider("function", None);
            // The usage is estimated as pydantic-ai does: the history up front, then the
            // words of each delta as it arrives.
            let mut manager = manager;
            manager.usage = estimate_usage(messages, &[]);
            Ok(StreamedResponse::from_stream(
                manager,
                deltas,
                move |delta, pm| {
                    pm.usage.response_tokens += match &delta {
                        StreamDelta::Text(text) | StreamDelta::Thinking(text) => {
                            estimate_tokens(text)
                        }
                        StreamDelta::ToolCall { args, .. } => {
                            args.as_deref().map_or(0, estimate_tokens)
                        }
                    };
                    pm.usage.recompute_total();
                    match delta {
                        StreamDelta::Text(text) => {
                            pm.handle_text_delta(Some(VendorId::Key("content")), text)?
                        }
                        StreamDelta::Thinking(text) => pm.handle_thinking_delta(
                            Some(VendorId::Key("thinking")),
                            Some(&text),
                            None,
                            None,
                        )?,
                        StreamDelta::ToolCall {
                            index,
                            name,
                            args,
                            id,
                        } => pm.handle_tool_call_delta(
                            Some(VendorId::from(index)),
                            name.as_deref(),
                            args.as_deref().map(ArgsDelta::Json),
                            id.as_deref(),
                        )?,
                    }
                    Ok(())
                },
            ))
        })
    }

    fn model_name(&self) -> &str {
        &self.model_name
    }

    fn system(&self) -> &str {
        "function"
    }
}
