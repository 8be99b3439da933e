//! [`FallbackModel`]: several models tried in order until one answers (pydantic-ai's
//! `FallbackModel`).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::{IntoModel, Model, ModelProfile, ModelRequestParameters};
use crate::error::{Error, ModelFailure, Result};
use crate::messages::{ModelMessage, ModelResponse};
use crate::settings::ModelSettings;
use crate::stream::StreamedResponse;

/// Decides whether a model's error moves the request on to the next model.
type FallbackOn = Arc<dyn Fn(&Error) -> bool + Send + Sync>;

/// The errors a [`FallbackModel`] falls back on unless told otherwise: an HTTP error status
/// ([`Error::Http`]) and a provider that could not be reached or did not answer in time
/// ([`Error::Api`]) — pydantic-ai's `ModelAPIError`, of which `ModelHTTPError` is a kind.
/// A bad request of the caller's own ([`Error::User`]) or a malformed answer is returned as it
/// is.
pub fn default_fallback_on(error: &Error) -> bool {
    matches!(error, Error::Http { .. } | Error::Api { .. })
}

/// Models tried in order: the first answer wins; an error that
/// [`fallback_on`](Self::fallback_on) accepts (by default [`default_fallback_on`]) moves on to
/// the next model, any other error is returned at once, and when every model failed the
/// error is [`Error::Fallback`] with each failure. Each model retries as its provider is
/// configured to before the next one is tried.
///
/// A stream falls back only before its first event: once an event could reach the caller,
/// the stream is that model's, and a later failure is the stream's error.
///
/// Each model's own [`settings`](Model::settings) apply under the request's, as they would if
/// it were requested alone. The model name is pydantic-ai's `fallback:` followed by the
/// models' names.
///
/// The model string `fallback:<model>,<model>,…` makes one of model strings, wherever a
/// model string is accepted (`LLM_MODEL` in the examples, `model_request("fallback:…", ..)`):
///
/// ```
/// use llm_runtime::models::infer_model;
/// let model = infer_model("fallback:test:primary, test:backup")?;
/// assert_eq!(model.model_name(), "fallback:primary,backup");
/// assert!(infer_model("fallback:test:a,,test:b").is_err());
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// ```
/// use std::sync::Arc;
/// use llm_runtime::models::{infer_model, FallbackModel, FunctionModel, Model};
/// use llm_runtime::messages::ModelRequest;
/// use llm_runtime::{model_request, Error};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let down: Arc<dyn Model> = Arc::new(
///     FunctionModel::new(|_, _| Err(Error::http(503, "down", b"unavailable", None)))
///         .with_model_name("down"),
/// );
/// let model = FallbackModel::new([down, infer_model("test")?])?;
/// assert_eq!(model.model_name(), "fallback:down,test");
///
/// let (response, _usage) = model_request(model, [ModelRequest::user_text_prompt("Hi")]).await?;
/// assert_eq!(response.model_name.as_deref(), Some("test"));
/// # Ok::<(), llm_runtime::Error>(())
/// # });
/// ```
#[derive(Clone)]
pub struct FallbackModel {
    models: Vec<Arc<dyn Model>>,
    model_name: String,
    system: String,
    fallback_on: FallbackOn,
}

inventory::submit! {
    super::ProviderRegistration { prefix: "fallback", aliases: &[], build: from_model_string }
}

/// Builds the model of the model string `fallback:<model>,<model>,…` (see [`FallbackModel`]).
///
/// # Errors
/// [`Error::User`] for an empty entry, or an entry that does not resolve.
fn from_model_string(models: &str) -> Result<Arc<dyn Model>> {
    let models: Vec<&str> = models.split(',').map(str::trim).collect();
    if models.iter().any(|model| model.is_empty()) {
        return Err(Error::user(format!(
            "`fallback:{}` has an empty entry: write model strings separated by commas, e.g. \
             `fallback:openai:gpt-4.1-nano,anthropic:claude-3-5-haiku-latest`",
            models.join(",")
        )));
    }
    Ok(Arc::new(FallbackModel::new(models)?))
}

impl FallbackModel {
    /// The models to try, in order: model strings (`"openai:gpt-4.1-nano"`) or models.
    ///
    /// # Errors
    /// [`Error::User`] when there is no model, or a model string does not resolve.
    pub fn new<I>(models: I) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: IntoModel,
    {
        let models = models
            .into_iter()
            .map(IntoModel::into_model)
            .collect::<Result<Vec<_>>>()?;
        if models.is_empty() {
            return Err(Error::user(
                "a FallbackModel needs at least one model to try",
            ));
        }
        let joined = |part: fn(&dyn Model) -> &str| {
            models
                .iter()
                .map(|model| part(model.as_ref()))
                .collect::<Vec<_>>()
                .join(",")
        };
        let model_name = format!("fallback:{}", joined(|m| m.model_name()));
        let system = format!("fallback:{}", joined(|m| m.system()));
        Ok(FallbackModel {
            models,
            model_name,
            system,
            fallback_on: Arc::new(default_fallback_on),
        })
    }

    /// Which errors move on to the next model (default: [`default_fallback_on`]).
    ///
    /// ```
    /// use llm_runtime::models::{default_fallback_on, FallbackModel};
    /// use llm_runtime::Error;
    ///
    /// // Also fall back when a model answers with something we cannot read.
    /// let model = FallbackModel::new(["test", "test"])?.fallback_on(|error| {
    ///     default_fallback_on(error) || matches!(error, Error::UnexpectedModelBehavior { .. })
    /// });
    /// # Ok::<(), llm_runtime::Error>(())
    /// ```
    pub fn fallback_on(mut self, decide: impl Fn(&Error) -> bool + Send + Sync + 'static) -> Self {
        self.fallback_on = Arc::new(decide);
        self
    }

    /// The models, in the order they are tried.
    pub fn models(&self) -> &[Arc<dyn Model>] {
        &self.models
    }

    /// The request's settings with `model`'s own under them.
    fn settings_for<'a>(model: &dyn Model, settings: &'a ModelSettings) -> Cow<'a, ModelSettings> {
        match model.settings() {
            Some(defaults) => Cow::Owned(defaults.merged_with(settings)),
            None => Cow::Borrowed(settings),
        }
    }

    /// Records `error` of `model` when it falls back, else gives it back.
    fn fall_back(
        &self,
        model: &dyn Model,
        error: Error,
        failures: &mut Vec<ModelFailure>,
    ) -> Result<()> {
        if !(self.fallback_on)(&error) {
            return Err(error);
        }
        failures.push(ModelFailure::new(
            format!("{}:{}", model.system(), model.model_name()),
            error,
        ));
        Ok(())
    }
}

impl fmt::Debug for FallbackModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FallbackModel")
            .field("models", &self.models)
            .finish_non_exhaustive()
    }
}

impl Model for FallbackModel {
    fn request<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<ModelResponse>> {
        Box::pin(async move {
            let mut failures = Vec::new();
            for model in &self.models {
                let settings = Self::settings_for(model.as_ref(), settings);
                match model.request(messages, &settings, parameters).await {
                    Ok(response) => return Ok(response),
                    Err(error) => self.fall_back(model.as_ref(), error, &mut failures)?,
                }
            }
            Err(Error::Fallback { failures })
        })
    }

    fn request_stream<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<StreamedResponse>> {
        Box::pin(async move {
            let mut failures = Vec::new();
            for model in &self.models {
                let settings = Self::settings_for(model.as_ref(), settings);
                let opened = async {
                    let mut stream = model
                        .request_stream(messages, &settings, parameters)
                        .await?;
                    stream.ready().await?;
                    Ok(stream)
                };
                match opened.await {
                    Ok(stream) => return Ok(stream),
                    Err(error) => self.fall_back(model.as_ref(), error, &mut failures)?,
                }
            }
            Err(Error::Fallback { failures })
        })
    }

    fn model_name(&self) -> &str {
        &self.model_name
    }

    fn system(&self) -> &str {
        &self.system
    }

    /// The first model's base URL.
    fn base_url(&self) -> Option<&str> {
        self.models.first().and_then(|model| model.base_url())
    }

    /// The first model's profile.
    fn profile(&self) -> &ModelProfile {
        match self.models.first() {
            Some(model) => model.profile(),
            None => ModelProfile::default_ref(),
        }
    }
}

#[cfg(test)]
mod tests;
