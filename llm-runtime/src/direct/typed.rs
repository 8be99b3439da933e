//! The typed request builders: `.output::<T>()` and `.output_tool::<T>()` on
//! [`ModelRequestBuilder`] and [`ModelStreamRequestBuilder`] (see [`crate::output`] for the
//! design).

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::{BoxedFuture, ModelRequestBuilder, ModelStreamRequestBuilder, Request};
use crate::blocking::block_on;
use crate::error::Result;
use crate::instrument::Instrumentation;
use crate::models::{ModelRequestParameters, OutputMode};
use crate::output::{OutputSpec, TypedResponse, TypedStreamedResponse, TypedStreamedResponseSync};
use crate::settings::ModelSettings;
use crate::tools::Tool;

impl ModelRequestBuilder {
    /// Asks for an output of type `T` (its schema from `schemars`), parsed from the answer:
    /// awaiting the returned builder gives a [`TypedResponse<T>`]. The output mode is
    /// [`OutputMode::Auto`] unless [`mode`](TypedRequestBuilder::mode) says otherwise.
    pub fn output<T>(self) -> TypedRequestBuilder<T>
    where
        T: JsonSchema + DeserializeOwned + Send + 'static,
    {
        self.output_spec(OutputSpec::new())
    }

    /// Asks for an output of the `#[tool]` type `T`, offered as an output tool with the
    /// tool's name and description, parsed by [`Tool::from_call`].
    pub fn output_tool<T>(self) -> TypedRequestBuilder<T>
    where
        T: Tool + DeserializeOwned + Send + 'static,
    {
        self.output_spec(OutputSpec::tool())
    }

    /// Asks for the output `spec` describes.
    pub fn output_spec<T>(self, spec: OutputSpec<T>) -> TypedRequestBuilder<T> {
        TypedRequestBuilder {
            request: self.request,
            spec,
            mode: OutputMode::Auto,
        }
    }
}

impl ModelStreamRequestBuilder {
    /// Asks for an output of type `T`, streamed: awaiting the returned builder gives a
    /// [`TypedStreamedResponse<T>`] of partial values, then the final one.
    pub fn output<T>(self) -> TypedStreamRequestBuilder<T>
    where
        T: JsonSchema + DeserializeOwned + Send + 'static,
    {
        self.output_spec(OutputSpec::new())
    }

    /// Asks for an output of the `#[tool]` type `T`, streamed.
    pub fn output_tool<T>(self) -> TypedStreamRequestBuilder<T>
    where
        T: Tool + DeserializeOwned + Send + 'static,
    {
        self.output_spec(OutputSpec::tool())
    }

    /// Asks for the output `spec` describes, streamed.
    pub fn output_spec<T>(self, spec: OutputSpec<T>) -> TypedStreamRequestBuilder<T> {
        TypedStreamRequestBuilder {
            request: self.request,
            spec,
            mode: OutputMode::Auto,
        }
    }
}

macro_rules! typed_options {
    () => {
        options!();

        /// Sets how the output is asked for ([`OutputMode::Auto`] by default: the model's
        /// profile decides).
        pub fn mode(mut self, mode: OutputMode) -> Self {
            self.mode = mode;
            self
        }
    };
}

/// A typed request being prepared by [`ModelRequestBuilder::output`]; await it, or call
/// [`blocking`](Self::blocking).
#[must_use = "a request does nothing until it is awaited or `.blocking()` is called"]
pub struct TypedRequestBuilder<T> {
    request: Request,
    spec: OutputSpec<T>,
    mode: OutputMode,
}

impl<T: Send + 'static> TypedRequestBuilder<T> {
    typed_options!();

    /// Runs the request to completion from synchronous code.
    ///
    /// # Errors
    /// As [`model_request`](crate::model_request); [`Error::ToolArgs`](crate::Error::ToolArgs)
    /// when the output does not fit `T`; [`Error::User`](crate::Error::User) for a mode
    /// without structured output, or when called from inside an async runtime.
    pub fn blocking(self) -> Result<TypedResponse<T>> {
        block_on("model_request_sync", self.send())?
    }

    async fn send(self) -> Result<TypedResponse<T>> {
        let TypedRequestBuilder {
            mut request,
            spec,
            mode,
        } = self;
        spec.apply(request.parameters.make_mut(), mode)?;
        let (response, usage) = request.send().await?;
        let output = spec.parse(&response)?;
        Ok(TypedResponse {
            output,
            response,
            usage,
        })
    }
}

/// The future of a [`TypedRequestBuilder`].
pub struct TypedRequestFuture<T>(BoxedFuture<TypedResponse<T>>);

impl<T> Future for TypedRequestFuture<T> {
    type Output = Result<TypedResponse<T>>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl<T: Send + 'static> IntoFuture for TypedRequestBuilder<T> {
    type Output = Result<TypedResponse<T>>;
    type IntoFuture = TypedRequestFuture<T>;

    fn into_future(self) -> Self::IntoFuture {
        TypedRequestFuture(Box::pin(self.send()))
    }
}

/// A streamed typed request being prepared by [`ModelStreamRequestBuilder::output`]; await
/// it, or call [`blocking`](Self::blocking).
#[must_use = "a request does nothing until it is awaited or `.blocking()` is called"]
pub struct TypedStreamRequestBuilder<T> {
    request: Request,
    spec: OutputSpec<T>,
    mode: OutputMode,
}

impl<T: Send + 'static> TypedStreamRequestBuilder<T> {
    typed_options!();

    /// Starts the streamed request from synchronous code.
    ///
    /// # Errors
    /// As [`model_request_stream`](crate::model_request_stream);
    /// [`Error::User`](crate::Error::User) for a mode without structured output, or when
    /// called from inside an async runtime.
    pub fn blocking(self) -> Result<TypedStreamedResponseSync<T>> {
        let stream = block_on("model_request_stream_sync", self.send())??;
        Ok(TypedStreamedResponseSync::new(stream))
    }

    async fn send(self) -> Result<TypedStreamedResponse<T>> {
        let TypedStreamRequestBuilder {
            mut request,
            spec,
            mode,
        } = self;
        spec.apply(request.parameters.make_mut(), mode)?;
        let stream = request.send_stream().await?;
        Ok(TypedStreamedResponse::new(stream, spec))
    }
}

/// The future of a [`TypedStreamRequestBuilder`].
pub struct TypedStreamRequestFuture<T>(BoxedFuture<TypedStreamedResponse<T>>);

impl<T> Future for TypedStreamRequestFuture<T> {
    type Output = Result<TypedStreamedResponse<T>>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl<T: Send + 'static> IntoFuture for TypedStreamRequestBuilder<T> {
    type Output = Result<TypedStreamedResponse<T>>;
    type IntoFuture = TypedStreamRequestFuture<T>;

    fn into_future(self) -> Self::IntoFuture {
        TypedStreamRequestFuture(Box::pin(self.send()))
    }
}
