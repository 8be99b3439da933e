//! [`TypedStreamedResponse`] and its blocking twin: a streamed response read as partial
//! values of the output type, then the final one.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use serde_json::Value;

use super::{OutputSpec, TypedResponse};
use crate::error::{Error, Result};
use crate::messages::{ModelResponse, ModelResponseStreamEvent};
use crate::stream::StreamedResponse;
use crate::usage::Usage;

/// A streamed typed request: a [`Stream`] of partial values of `T` as the output arrives,
/// each different from the one before, then the final value parsed from the whole response
/// (or the error that parsing it gives) as the last item. See [`crate::output`] for what a
/// partial value is.
///
/// The response and usage so far are always available ([`get`](Self::get),
/// [`usage`](Self::usage)); [`finish`](Self::finish) reads the rest and returns a
/// [`TypedResponse`]. Dropping it closes the connection.
#[must_use = "streams do nothing unless polled"]
pub struct TypedStreamedResponse<T> {
    inner: StreamedResponse,
    spec: OutputSpec<T>,
    /// The JSON of the last partial value yielded.
    last: Option<Value>,
    done: bool,
}

impl<T> fmt::Debug for TypedStreamedResponse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedStreamedResponse")
            .field("inner", &self.inner)
            .field("spec", &self.spec)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> TypedStreamedResponse<T> {
    /// Reads `inner` as the output `spec` describes.
    pub fn new(inner: StreamedResponse, spec: OutputSpec<T>) -> Self {
        TypedStreamedResponse {
            inner,
            spec,
            last: None,
            done: false,
        }
    }

    /// The response accumulated so far.
    pub fn get(&self) -> ModelResponse {
        self.inner.get()
    }

    /// The usage so far; final once the stream ended.
    pub fn usage(&self) -> &Usage {
        self.inner.usage()
    }

    /// The name of the model that answers.
    pub fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    /// The untyped stream inside (its events, not yet taken, stay in it).
    pub fn into_inner(self) -> StreamedResponse {
        self.inner
    }

    /// Reads the rest of the stream and parses the output of the whole response.
    ///
    /// # Errors
    /// An error of the stream, or [`Error::ToolArgs`] when the output does not fit `T`.
    pub async fn finish(mut self) -> Result<TypedResponse<T>> {
        while let Some(event) = self.inner.next().await {
            event?;
        }
        let response = self.inner.get();
        let output = self.spec.parse(&response)?;
        Ok(TypedResponse {
            output,
            usage: self.inner.usage().clone(),
            response,
        })
    }

    /// A new partial value after `event`, when the output changed and deserializes.
    fn partial_after(&mut self, event: &ModelResponseStreamEvent) -> Option<T> {
        if matches!(event, ModelResponseStreamEvent::FinalResult(_)) {
            return None;
        }
        let (value, output) = self.spec.partial_value(self.inner.parts())?;
        if self.last.as_ref() == Some(&value) {
            return None;
        }
        let output = output?;
        self.last = Some(value);
        Some(output)
    }
}

impl<T> Stream for TypedStreamedResponse<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.inner.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(err))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(err)));
                }
                Poll::Ready(Some(Ok(event))) => {
                    if let Some(partial) = this.partial_after(&event) {
                        return Poll::Ready(Some(Ok(partial)));
                    }
                }
                Poll::Ready(None) => {
                    this.done = true;
                    let parsed = this.spec.parse(&this.inner.get()).map_err(Error::from);
                    return Poll::Ready(Some(parsed));
                }
            }
        }
    }
}

/// [`TypedStreamedResponse`] as a blocking [`Iterator`], from
/// `model_request_stream(..).output::<T>().blocking()`. Dropping it closes the connection.
pub struct TypedStreamedResponseSync<T> {
    inner: TypedStreamedResponse<T>,
}

impl<T> fmt::Debug for TypedStreamedResponseSync<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TypedStreamedResponseSync")
            .field(&self.inner)
            .finish()
    }
}

impl<T> TypedStreamedResponseSync<T> {
    pub(crate) fn new(inner: TypedStreamedResponse<T>) -> Self {
        TypedStreamedResponseSync { inner }
    }

    /// The response accumulated so far.
    pub fn get(&self) -> ModelResponse {
        self.inner.get()
    }

    /// The usage so far.
    pub fn usage(&self) -> &Usage {
        self.inner.usage()
    }

    /// The name of the model that answers.
    pub fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    /// The async stream inside.
    pub fn into_inner(self) -> TypedStreamedResponse<T> {
        self.inner
    }

    /// Reads the rest of the stream and parses the output of the whole response.
    ///
    /// # Errors
    /// As [`TypedStreamedResponse::finish`], and [`Error::User`] when called from inside an
    /// async runtime.
    pub fn finish(self) -> Result<TypedResponse<T>> {
        crate::blocking::block_on("finishing a TypedStreamedResponseSync", self.inner.finish())?
    }
}

impl<T> Iterator for TypedStreamedResponseSync<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        match crate::blocking::block_on("iterating a TypedStreamedResponseSync", self.inner.next())
        {
            Ok(item) => item,
            Err(err) => Some(Err(err)),
        }
    }
}
