//! [`ConcurrencyLimitedModel`]: a model with at most so many requests in flight, and the
//! [`ConcurrencyLimiter`] several models can share (pydantic-ai's `ConcurrencyLimitedModel`).

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{IntoModel, Model, ModelProfile, ModelRequestParameters};
use crate::error::{Error, Result};
use crate::messages::{ModelMessage, ModelResponse};
use crate::settings::ModelSettings;
use crate::stream::StreamedResponse;

/// A limit on the requests in flight, shared by every model it is given to: a request waits
/// for a free slot before it is sent (in the order requests arrived) and holds it until its
/// response has been read — for a stream, until the stream ends or is dropped.
///
/// Cloning gives another handle to the same limit.
///
/// ```
/// use llm_runtime::models::{ConcurrencyLimitedModel, ConcurrencyLimiter};
///
/// // One budget of 4 requests for two models of the same account.
/// let limiter = ConcurrencyLimiter::new(4)?;
/// let fast = ConcurrencyLimitedModel::with_limiter("test", limiter.clone())?;
/// let slow = ConcurrencyLimitedModel::with_limiter("test", limiter.clone())?;
/// assert_eq!(limiter.max_in_flight(), 4);
/// assert_eq!(limiter.in_flight(), 0);
/// # Ok::<(), llm_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct ConcurrencyLimiter {
    slots: Arc<Semaphore>,
    max: usize,
}

impl ConcurrencyLimiter {
    /// A limit of `max_in_flight` requests at a time.
    ///
    /// # Errors
    /// [`Error::User`] for a limit of 0 (nothing could ever be sent) or above
    /// [`Semaphore::MAX_PERMITS`].
    pub fn new(max_in_flight: usize) -> Result<Self> {
        if max_in_flight == 0 || max_in_flight > Semaphore::MAX_PERMITS {
            return Err(Error::user(format!(
                "a concurrency limit must be between 1 and {}, not {max_in_flight}",
                Semaphore::MAX_PERMITS
            )));
        }
        Ok(ConcurrencyLimiter {
            slots: Arc::new(Semaphore::new(max_in_flight)),
            max: max_in_flight,
        })
    }

    /// The limit.
    pub fn max_in_flight(&self) -> usize {
        self.max
    }

    /// How many requests hold a slot now.
    pub fn in_flight(&self) -> usize {
        self.max - self.slots.available_permits()
    }

    /// Waits for a free slot. (`None` only if the semaphore were closed, which this private
    /// one never is: the request then goes ahead rather than fail for a reason of ours.)
    async fn acquire(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().acquire_owned().await.ok()
    }
}

impl fmt::Debug for ConcurrencyLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrencyLimiter")
            .field("max_in_flight", &self.max)
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

/// A model whose requests go through a [`ConcurrencyLimiter`]: at most its limit in flight,
/// the others waiting their turn instead of collecting 429s. Everything else (name, profile,
/// settings) is the wrapped model's.
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
    /// [`Error::User`] for a limit of 0 or a model string that does not resolve.
    pub fn new(model: impl IntoModel, max_in_flight: usize) -> Result<Self> {
        Self::with_limiter(model, ConcurrencyLimiter::new(max_in_flight)?)
    }

    /// `model` under a limiter that other models may share.
    ///
    /// # Errors
    /// [`Error::User`] for a model string that does not resolve.
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
            self.inner.request(messages, settings, parameters).await
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
            Ok(stream.keep_alive(slot))
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
