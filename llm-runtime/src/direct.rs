//! The four request functions: [`model_request`], [`model_request_sync`],
//! [`model_request_stream`] and [`model_request_stream_sync`].
//!
//! Each async function returns a builder: set options with `.settings(..)`,
//! `.parameters(..)` and `.instrument(..)`, then `.await` it, or call `.blocking()` to run it
//! from synchronous code. The model is resolved when the builder is made; a bad model string
//! is reported when the request runs. `.output::<T>()` on a builder asks for a typed output
//! instead (see [`crate::output`]).

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

use futures::future::Either;

use crate::blocking::block_on;
use crate::error::Result;
use crate::instrument::{self, Instrumentation};
use crate::messages::{ModelMessage, ModelResponse};
use crate::models::{IntoModel, Model, ModelRequestParameters};
use crate::settings::ModelSettings;
use crate::stream::{StreamedResponse, StreamedResponseSync};
use crate::usage::Usage;

/// What every request carries, whichever function made it.
struct Request {
    model: Result<Arc<dyn Model>>,
    messages: Vec<ModelMessage>,
    settings: Given<ModelSettings>,
    parameters: Given<ModelRequestParameters>,
    instrument: Instrumentation,
}

/// A request's settings or parameters: the default until given, then boxed. Every future of
/// a request holds them for as long as it is in flight (thousands of streams being opened
/// at once hold thousands): a pointer there instead of the value (hundreds of bytes) keeps
/// those futures small, and a request that sets neither allocates neither.
struct Given<T: 'static>(Option<Box<T>>);

impl<T: Default> Given<T> {
    /// The value given, else `default`.
    fn get<'a>(&'a self, default: &'static T) -> &'a T {
        self.0.as_deref().unwrap_or(default)
    }

    fn set(&mut self, value: T) {
        self.0 = Some(Box::new(value));
    }

    /// The value given, made the default first if none was.
    fn make_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

/// The settings of a request that sets none.
fn default_settings() -> &'static ModelSettings {
    static DEFAULT: LazyLock<ModelSettings> = LazyLock::new(ModelSettings::default);
    &DEFAULT
}

/// The parameters of a request that sets none.
fn default_parameters() -> &'static ModelRequestParameters {
    static DEFAULT: LazyLock<ModelRequestParameters> =
        LazyLock::new(ModelRequestParameters::default);
    &DEFAULT
}

impl Request {
    fn new<M, I>(model: M, messages: I) -> Self
    where
        M: IntoModel,
        I: IntoIterator,
        I::Item: Into<ModelMessage>,
    {
        Request {
            model: model.into_model(),
            messages: messages.into_iter().map(Into::into).collect(),
            settings: Given(None),
            parameters: Given(None),
            instrument: Instrumentation::Default,
        }
    }

    /// The model and the settings to send: the model's own settings under the request's.
    fn resolve(self) -> Result<Resolved> {
        let model = self.model?;
        let settings = match model.settings() {
            Some(defaults) => Given(Some(Box::new(
                defaults.merged_with(self.settings.get(default_settings())),
            ))),
            None => self.settings,
        };
        Ok(Resolved {
            model,
            messages: self.messages,
            settings,
            parameters: self.parameters,
            instrument: self.instrument,
        })
    }

    /// The request's future. Not an `async fn`: an `async fn` keeps its argument and every
    /// local moved out of it, two copies of the request in each future in flight; here the
    /// request is resolved first and the future holds the resolved request once.
    fn send(self) -> impl Future<Output = Result<(ModelResponse, Usage)>> + Send {
        match self.resolve() {
            Ok(resolved) => Either::Right(resolved.send()),
            Err(error) => Either::Left(std::future::ready(Err(error))),
        }
    }

    /// The streamed request's future (not an `async fn`, as [`Request::send`]).
    fn send_stream(self) -> impl Future<Output = Result<StreamedResponse>> + Send {
        match self.resolve() {
            Ok(resolved) => Either::Right(resolved.send_stream()),
            Err(error) => Either::Left(std::future::ready(Err(error))),
        }
    }
}

/// A request whose model is resolved and whose settings are merged with the model's.
struct Resolved {
    model: Arc<dyn Model>,
    messages: Vec<ModelMessage>,
    settings: Given<ModelSettings>,
    parameters: Given<ModelRequestParameters>,
    instrument: Instrumentation,
}

// Not `async fn`s on purpose (see the comment below), which clippy's `manual_async_fn` asks for.
#[allow(clippy::manual_async_fn)]
impl Resolved {
    // The `async move` blocks below only borrow the captured request: it is kept once, where
    // the block stores it, for as long as the request runs.
    fn send(self) -> impl Future<Output = Result<(ModelResponse, Usage)>> + Send {
        async move {
            let settings = self.settings.get(default_settings());
            let parameters = self.parameters.get(default_parameters());
            let mut response = instrument::request(
                &*self.model,
                &self.messages,
                settings,
                parameters,
                &self.instrument,
                self.model.request(&self.messages, settings, parameters),
            )
            .await?;
            if response.usage.requests == 0 {
                response.usage.requests = 1;
            }
            response.usage.recompute_total();
            let usage = response.usage.clone();
            Ok((response, usage))
        }
    }

    fn send_stream(self) -> impl Future<Output = Result<StreamedResponse>> + Send {
        async move {
            let settings = self.settings.get(default_settings());
            let parameters = self.parameters.get(default_parameters());
            instrument::request_stream(
                &*self.model,
                &self.messages,
                settings,
                parameters,
                &self.instrument,
                self.model
                    .request_stream(&self.messages, settings, parameters),
            )
            .await
        }
    }
}

macro_rules! options {
    () => {
        /// Sets the settings of the request (temperature, max tokens, timeout, …).
        pub fn settings(mut self, settings: ModelSettings) -> Self {
            self.request.settings.set(settings);
            self
        }

        /// Sets the parameters of the request (tools, output mode).
        pub fn parameters(mut self, parameters: ModelRequestParameters) -> Self {
            self.request.parameters.set(parameters);
            self
        }

        /// Switches instrumentation on (`true` or [`InstrumentationSettings`](crate::instrument::InstrumentationSettings))
        /// or off (`false`) for this request; by default the setting of
        /// [`instrument_all`](crate::instrument::instrument_all) applies.
        pub fn instrument(mut self, instrument: impl Into<Instrumentation>) -> Self {
            self.request.instrument = instrument.into();
            self
        }
    };
}

mod typed;

pub use typed::{
    TypedRequestBuilder, TypedRequestFuture, TypedStreamRequestBuilder, TypedStreamRequestFuture,
};

/// Makes a request to a model and returns its response with the usage of the request.
///
/// `model` is a model string such as `"openai:gpt-4.1-nano"` or `"test"`, or any
/// [`Model`]; `messages` is anything iterable of requests, responses or stored messages.
/// Await the returned builder, optionally after setting options on it.
///
/// # Errors
/// [`Error::User`](crate::Error::User) for an unknown model or a missing API key, [`Error::Http`](crate::Error::Http) for an error
/// status (after retries), [`Error::Api`](crate::Error::Api) when the provider cannot be reached or times out,
/// [`Error::UnexpectedModelBehavior`](crate::Error::UnexpectedModelBehavior) for a response we cannot parse.
///
/// ```
/// use std::time::Duration;
/// use llm_runtime::model_request;
/// use llm_runtime::messages::ModelRequest;
/// use llm_runtime::settings::ModelSettings;
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let (response, usage) = model_request("test", [ModelRequest::user_text_prompt("What is 123 / 456?")])
///     .settings(ModelSettings { temperature: Some(0.0), timeout: Some(Duration::from_secs(30)), ..Default::default() })
///     .await?;
/// assert_eq!(response.text(), "success (no tool calls)");
/// assert_eq!(usage.requests, 1);
/// # Ok::<(), llm_runtime::Error>(())
/// # });
/// ```
pub fn model_request<M, I>(model: M, messages: I) -> ModelRequestBuilder
where
    M: IntoModel,
    I: IntoIterator,
    I::Item: Into<ModelMessage>,
{
    ModelRequestBuilder {
        request: Request::new(model, messages),
    }
}

/// Makes a request to a model from synchronous code: [`model_request`]`(..).blocking()`.
///
/// # Errors
/// As [`model_request`], and [`Error::User`](crate::Error::User) when called from inside an async runtime (use
/// `model_request(..).await` there).
///
/// ```
/// use llm_runtime::{model_request_sync, messages::ModelRequest};
/// let (response, usage) = model_request_sync("test", [ModelRequest::user_text_prompt("What is the capital of France?")])?;
/// println!("{}", response.text());
/// println!("{usage:?}");
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn model_request_sync<M, I>(model: M, messages: I) -> Result<(ModelResponse, Usage)>
where
    M: IntoModel,
    I: IntoIterator,
    I::Item: Into<ModelMessage>,
{
    model_request(model, messages).blocking()
}

/// Makes a streamed request to a model. Awaiting the builder gives a [`StreamedResponse`]
/// once the response has started.
///
/// # Errors
/// As [`model_request`]; errors in the middle of the stream come as items of the stream.
pub fn model_request_stream<M, I>(model: M, messages: I) -> ModelStreamRequestBuilder
where
    M: IntoModel,
    I: IntoIterator,
    I::Item: Into<ModelMessage>,
{
    ModelStreamRequestBuilder {
        request: Request::new(model, messages),
    }
}

/// Makes a streamed request from synchronous code: [`model_request_stream`]`(..).blocking()`.
/// The [`StreamedResponseSync`] is an [`Iterator`] of events.
///
/// # Errors
/// As [`model_request_stream`], and [`Error::User`](crate::Error::User) when called from inside an async runtime.
///
/// ```
/// use llm_runtime::{model_request_stream_sync, messages::ModelRequest};
/// let mut stream = model_request_stream_sync("test", [ModelRequest::user_text_prompt("Hi")])?;
/// let events = stream.by_ref().collect::<Result<Vec<_>, _>>()?;
/// assert!(events.len() > 3);
/// assert_eq!(stream.get().text(), "success (no tool calls)");
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn model_request_stream_sync<M, I>(model: M, messages: I) -> Result<StreamedResponseSync>
where
    M: IntoModel,
    I: IntoIterator,
    I::Item: Into<ModelMessage>,
{
    model_request_stream(model, messages).blocking()
}

/// A request being prepared by [`model_request`]; await it, or call [`blocking`](Self::blocking).
#[must_use = "a request does nothing until it is awaited or `.blocking()` is called"]
pub struct ModelRequestBuilder {
    request: Request,
}

impl ModelRequestBuilder {
    options!();

    /// Runs the request to completion from synchronous code.
    ///
    /// # Errors
    /// As [`model_request`], and [`Error::User`](crate::Error::User) when called from inside an async runtime.
    pub fn blocking(self) -> Result<(ModelResponse, Usage)> {
        block_on("model_request_sync", self.request.send())?
    }
}

/// The future of a [`ModelRequestBuilder`].
pub struct ModelRequestFuture(BoxedFuture<(ModelResponse, Usage)>);

impl Future for ModelRequestFuture {
    type Output = Result<(ModelResponse, Usage)>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl IntoFuture for ModelRequestBuilder {
    type Output = Result<(ModelResponse, Usage)>;
    type IntoFuture = ModelRequestFuture;

    fn into_future(self) -> Self::IntoFuture {
        ModelRequestFuture(Box::pin(self.request.send()))
    }
}

/// A streamed request being prepared by [`model_request_stream`]; await it, or call
/// [`blocking`](Self::blocking).
#[must_use = "a request does nothing until it is awaited or `.blocking()` is called"]
pub struct ModelStreamRequestBuilder {
    request: Request,
}

impl ModelStreamRequestBuilder {
    options!();

    /// Starts the streamed request from synchronous code.
    ///
    /// # Errors
    /// As [`model_request_stream`], and [`Error::User`](crate::Error::User) when called from inside an async runtime.
    pub fn blocking(self) -> Result<StreamedResponseSync> {
        let stream = block_on("model_request_stream_sync", self.request.send_stream())??;
        Ok(StreamedResponseSync::new(stream))
    }
}

/// The future of a [`ModelStreamRequestBuilder`].
pub struct ModelStreamRequestFuture(BoxedFuture<StreamedResponse>);

impl Future for ModelStreamRequestFuture {
    type Output = Result<StreamedResponse>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl IntoFuture for ModelStreamRequestBuilder {
    type Output = Result<StreamedResponse>;
    type IntoFuture = ModelStreamRequestFuture;

    fn into_future(self) -> Self::IntoFuture {
        ModelStreamRequestFuture(Box::pin(self.request.send_stream()))
    }
}

/// A boxed, `Send` future of a request.
type BoxedFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::messages::ModelRequest;

    #[tokio::test]
    async fn blocking_inside_a_runtime_is_a_clear_error() {
        let err = model_request_sync("test", [ModelRequest::user_text_prompt("hi")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "model_request_sync cannot block inside an async runtime (it would stall the runtime); \
             call the async form and `.await` it instead"
        );
        let err =
            model_request_stream_sync("test", [ModelRequest::user_text_prompt("hi")]).unwrap_err();
        assert!(matches!(err, Error::User { .. }));
        assert!(err
            .to_string()
            .starts_with("model_request_stream_sync cannot block"));
    }

    #[tokio::test]
    async fn unknown_model_fails_at_await_not_before() {
        let builder = model_request("nope:x", [ModelRequest::user_text_prompt("hi")]);
        let err = builder.await.unwrap_err();
        assert!(
            err.to_string().starts_with("unknown model provider `nope`"),
            "{err}"
        );
    }

    #[test]
    fn futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let future = model_request("test", [ModelRequest::user_text_prompt("hi")]).into_future();
        assert_send(&future);
        let future =
            model_request_stream("test", [ModelRequest::user_text_prompt("hi")]).into_future();
        assert_send(&future);
    }
}
