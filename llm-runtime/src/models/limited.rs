//! [`ConcurrencyLimitedModel`]: any model under a [`ConcurrencyLimiter`] (pydantic-ai's
//! `ConcurrencyLimitedModel`).

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::{IntoModel, Model, ModelProfile, ModelRequestParameters};
use crate::error::Result;
use crate::limit::ConcurrencyLimiter;
use crate::messages::{ModelMessage, ModelResponse};
use crate::settings::ModelSettings;
use crate::stream::StreamedResponse;

/// A model whose requests go through a [`ConcurrencyLimiter`]: at most its limit in flight
/// and within its per-minute budgets, the others waiting their turn instead of collecting
/// 429s; each response's tokens count against the tokens-per-minute budget (a stream's when
/// it ends, and it holds its slot until then). Everything else (name, profile, settings) is
/// the wrapped model's. Pacing from the providers' rate-limit headers needs the limiter on
/// the provider ([`ProviderBuilder::limiter`](crate::providers::ProviderBuilder::limiter)),
/// which sees them.
///
/// ```
/// use llm_runtime::models::ConcurrencyLimitedModel;
/// use llm_runtime::{model_request, messages::ModelRequest};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let model = ConcurrencyLimitedModel::new("test", 2)?;
/// let (response, _usage) = model_request(model, [ModelRequest::user_text_prompt("Hi")]).await?;
/// assert_eq!(response.text(), "success (no tool calls)");
/// # Ok::<(), llm_runtime::Error>(())
/// # });
/// ```
#[derive(Clone)]
pub struct ConcurrencyLimitedModel {
    inner: Arc<dyn Model>,
    limiter: ConcurrencyLimiter,
}

impl ConcurrencyLimitedModel {
    /// `model` (a model string or a model) with at most `max_in_flight` requests at a time.
    ///
    /// # Errors
    /// [`Error::User`](crate::Error::User) for a limit of 0 or a model string that does not resolve.
    pub fn new(model: impl IntoModel, max_in_flight: usize) -> Result<Self> {
        Self::with_limiter(model, ConcurrencyLimiter::new(max_in_flight)?)
    }

    /// `model` under a limiter that other models may share.
    ///
    /// # Errors
    /// [`Error::User`](crate::Error::User) for a model string that does not resolve.
    pub fn with_limiter(model: impl IntoModel, limiter: ConcurrencyLimiter) -> Result<Self> {
        Ok(ConcurrencyLimitedModel {
            inner: model.into_model()?,
            limiter,
        })
    }

    /// The limiter its requests go through.
    pub fn limiter(&self) -> &ConcurrencyLimiter {
        &self.limiter
    }

    /// The wrapped model.
    pub fn inner(&self) -> &Arc<dyn Model> {
        &self.inner
    }
}

impl fmt::Debug for ConcurrencyLimitedModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrencyLimitedModel")
            .field("inner", &self.inner)
            .field("limiter", &self.limiter)
            .finish()
    }
}

impl Model for ConcurrencyLimitedModel {
    fn request<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<ModelResponse>> {
        Box::pin(async move {
            let _slot = self.limiter.acquire().await;
            let response = self.inner.request(messages, settings, parameters).await?;
            self.limiter.record_usage(&response.usage);
            Ok(response)
        })
    }

    fn request_stream<'a>(
        &'a self,
        messages: &'a [ModelMessage],
        settings: &'a ModelSettings,
        parameters: &'a ModelRequestParameters,
    ) -> BoxFuture<'a, Result<StreamedResponse>> {
        Box::pin(async move {
            let slot = self.limiter.acquire().await;
            let stream = self
                .inner
                .request_stream(messages, settings, parameters)
                .await?;
            Ok(stream.with_observer(self.limiter.stream_accounting(slot)))
        })
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn system(&self) -> &str {
        self.inner.system()
    }

    fn base_url(&self) -> Option<&str> {
        self.inner.base_url()
    }

    fn profile(&self) -> &ModelProfile {
        self.inner.profile()
    }

    fn settings(&self) -> Option<&ModelSettings> {
        self.inner.settings()
    }
}

#[cfg(test)]
mod tests;
