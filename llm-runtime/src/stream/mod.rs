//! Streamed responses: [`StreamedResponse`] (a [`futures::Stream`] of events) and its
//! blocking twin [`StreamedResponseSync`], both driven by a [`PartsManager`].

mod parts_manager;

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;

pub use parts_manager::{ArgsDelta, PartsManager, VendorId};

use crate::error::Result;
use crate::messages::{ModelResponse, ModelResponsePart, ModelResponseStreamEvent, ResponseState};
use crate::usage::Usage;

/// What feeds a [`StreamedResponse`]: reads the provider's stream and applies each chunk to
/// the [`PartsManager`].
///
/// The HTTP layer implements it over a response body and an SSE decoder; offline models over
/// their canned parts. Each poll may apply any number of chunks.
pub trait StreamSource: Send + 'static {
    /// Reads what is available and applies it to `parts`.
    ///
    /// Returns `Ready(Some(Ok(())))` after progress, `Ready(None)` when the stream ended
    /// properly, `Ready(Some(Err(_)))` when it failed (malformed or truncated data, a lost
    /// connection, a timeout); a failed source is not polled again.
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        parts: &mut PartsManager,
    ) -> Poll<Option<Result<()>>>;
}

/// Hooks into the life of a stream, for instrumentation: told of the first event and of the
/// end (or the drop) of the stream.
pub trait StreamObserver: Send + 'static {
    /// The first event is being handed to the consumer.
    fn on_first_event(&mut self) {}

    /// The stream ended (`Ok`), failed (`Err`), or was dropped before its end (`None`);
    /// called once, with the response accumulated so far.
    fn on_end(
        &mut self,
        response: &ModelResponse,
        outcome: Option<std::result::Result<(), &crate::Error>>,
    );
}

/// A response being streamed: a [`Stream`] of [`ModelResponseStreamEvent`]s, with the
/// response accumulated so far always available through [`get`](Self::get).
///
/// Dropping it closes the connection. After an error the stream ends; `get()` then returns
/// what arrived, in state [`ResponseState::Incomplete`].
///
/// ```
/// use futures::StreamExt;
/// use llm_runtime::{model_request_stream, messages::ModelRequest};
/// # tokio_test_block_on(async {
/// let mut stream = model_request_stream("test", [ModelRequest::user_text_prompt("Hi")]).await?;
/// while let Some(event) = stream.next().await {
///     let _event = event?;
/// }
/// assert_eq!(stream.get().text(), "success (no tool calls)");
/// # Ok::<(), llm_runtime::Error>(())
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct StreamedResponse {
    /// Boxed: a stream is moved and awaited inside the futures that open it (and in every
    /// future that holds it), and the parts manager is most of its size.
    parts: Box<PartsManager>,
    source: Option<Pin<Box<dyn StreamSource>>>,
    finished: bool,
    started: bool,
    observers: Vec<Box<dyn StreamObserver>>,
}

impl fmt::Debug for StreamedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamedResponse")
            .field("model_name", &self.parts.model_name)
            .field("finished", &self.finished)
            .field("parts", &self.parts.parts().count())
            .finish_non_exhaustive()
    }
}

impl StreamedResponse {
    /// A stream fed by `source` into `parts`.
    pub fn new(parts: PartsManager, source: impl StreamSource) -> Self {
        let mut response = StreamedResponse {
            parts: Box::new(parts),
            source: Some(Box::pin(source)),
            finished: false,
            started: false,
            observers: Vec::new(),
        };
        response.settle_usage();
        response
    }

    /// A stream fed by a [`Stream`] of items, each applied to the parts manager by `apply`.
    ///
    /// ```
    /// use futures::{stream, StreamExt};
    /// use llm_runtime::models::ModelRequestParameters;
    /// use llm_runtime::stream::{PartsManager, StreamedResponse};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let words = stream::iter(["Hello", ", world"].map(Ok));
    /// let parts = PartsManager::new("echo", &ModelRequestParameters::default());
    /// let mut response = StreamedResponse::from_stream(parts, words, |word, parts| {
    ///     parts.handle_text_delta(None, word)
    /// });
    /// while let Some(event) = response.next().await {
    ///     event?;
    /// }
    /// assert_eq!(response.get().text(), "Hello, world");
    /// # Ok::<(), llm_runtime::Error>(())
    /// # });
    /// ```
    pub fn from_stream<S, T, F>(parts: PartsManager, stream: S, apply: F) -> Self
    where
        S: Stream<Item = Result<T>> + Send + 'static,
        F: FnMut(T, &mut PartsManager) -> Result<()> + Send + 'static,
    {
        StreamedResponse::new(
            parts,
            StreamFnSource {
                stream: Box::pin(stream),
                apply: Box::new(apply),
            },
        )
    }

    /// Adds an observer to this stream (instrumentation, a wrapper's accounting); several may
    /// watch one stream, each told in the order they were added.
    pub fn with_observer(mut self, observer: impl StreamObserver) -> Self {
        self.observers.push(Box::new(observer));
        self
    }

    /// The response accumulated so far; in state `Complete` once the stream ended properly.
    pub fn get(&self) -> ModelResponse {
        let state = if self.finished {
            ResponseState::Complete
        } else {
            ResponseState::Incomplete
        };
        self.parts.response(state)
    }

    /// The parts so far, borrowed in place (what [`get`](Self::get) clones into a response).
    pub(crate) fn parts(&self) -> impl Iterator<Item = &ModelResponsePart> + Clone {
        self.parts.parts()
    }

    /// The usage so far; final once the stream ended. It counts one request and its total
    /// is the sum of its tokens, as the usage of [`get`](Self::get)'s response does.
    pub fn usage(&self) -> &Usage {
        &self.parts.usage
    }

    /// The name of the model that answers, as the provider reports it.
    pub fn model_name(&self) -> &str {
        &self.parts.model_name
    }

    /// The provider's name.
    pub fn provider_name(&self) -> Option<&str> {
        self.parts.provider_name.as_deref()
    }

    /// Whether the stream has ended properly.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Brings the usage a source wrote to what the response reports: one request (pydantic-ai's
    /// `RequestUsage.requests`), the total recomputed.
    fn settle_usage(&mut self) {
        let usage = &mut self.parts.usage;
        if usage.requests == 0 {
            usage.requests = 1;
        }
        usage.recompute_total();
    }

    /// Waits until the first event can be taken, or the stream ended, without taking it. An
    /// error the stream meets before then is returned here (and the stream is over): this is
    /// how a [`FallbackModel`](crate::models::FallbackModel) tries its next model before
    /// anything has reached the caller. Once an event is queued it returns at once.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use llm_runtime::{model_request_stream, messages::ModelRequest};
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let mut stream = model_request_stream("test", [ModelRequest::user_text_prompt("Hi")]).await?;
    /// stream.ready().await?; // the first event is there, not yet taken
    /// assert!(stream.next().await.is_some());
    /// # Ok::<(), llm_runtime::Error>(())
    /// # });
    /// ```
    ///
    /// # Errors
    /// The error the stream failed with before its first event.
    pub async fn ready(&mut self) -> Result<()> {
        std::future::poll_fn(|cx| {
            while !self.parts.has_event() && !self.finished && self.source.is_some() {
                match self.poll_source(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                    Poll::Ready(Ok(())) => {}
                }
            }
            Poll::Ready(Ok(()))
        })
        .await
    }

    /// Polls the source once and applies what it read: `Ready(Ok)` after progress or its end,
    /// `Ready(Err)` when it failed (the stream is then over).
    #[inline(always)]
    fn poll_source(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let Some(source) = self.source.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let polled = source.as_mut().poll_chunk(cx, &mut self.parts);
        if polled.is_ready() {
            self.settle_usage();
        }
        match polled {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(()))) => Poll::Ready(Ok(())),
            Poll::Ready(None) => {
                self.source = None;
                self.parts.finish();
                self.finished = true;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Some(Err(err))) => {
                self.source = None;
                self.end(Some(Err(&err)));
                Poll::Ready(Err(err))
            }
        }
    }

    fn end(&mut self, outcome: Option<std::result::Result<(), &crate::Error>>) {
        let observers = std::mem::take(&mut self.observers);
        if !observers.is_empty() {
            let response = self.get();
            for mut observer in observers {
                observer.on_end(&response, outcome);
            }
        }
    }
}

impl Stream for StreamedResponse {
    type Item = Result<ModelResponseStreamEvent>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.parts.has_event() {
                if !this.started {
                    this.started = true;
                    for observer in &mut this.observers {
                        observer.on_first_event();
                    }
                }
                // Popped straight into the result: an event is a few hundred bytes, and
                // binding it to a local first costs a copy per event.
                return Poll::Ready(this.parts.pop_event().map(Ok));
            }
            if this.finished {
                this.end(Some(Ok(())));
                return Poll::Ready(None);
            }
            if this.source.is_none() {
                return Poll::Ready(None);
            }
            match this.poll_source(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(err)) => return Poll::Ready(Some(Err(err))),
            }
        }
    }
}

impl Drop for StreamedResponse {
    fn drop(&mut self) {
        if !self.observers.is_empty() {
            self.end(None);
        }
    }
}

/// Both fields are boxed, so the source is `Unpin` and needs no pin projection.
struct StreamFnSource<S, F> {
    stream: Pin<Box<S>>,
    apply: Box<F>,
}

impl<S, T, F> StreamSource for StreamFnSource<S, F>
where
    S: Stream<Item = Result<T>> + Send + 'static,
    F: FnMut(T, &mut PartsManager) -> Result<()> + Send + 'static,
{
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        parts: &mut PartsManager,
    ) -> Poll<Option<Result<()>>> {
        let this = self.get_mut();
        match this.stream.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(err))),
            Poll::Ready(Some(Ok(item))) => Poll::Ready(Some((this.apply)(item, parts))),
        }
    }
}

/// A [`StreamedResponse`] consumed as a blocking [`Iterator`], from
/// [`model_request_stream_sync`](crate::model_request_stream_sync) or
/// `model_request_stream(..).blocking()`.
///
/// Dropping it closes the connection.
pub struct StreamedResponseSync {
    inner: StreamedResponse,
}

impl fmt::Debug for StreamedResponseSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StreamedResponseSync")
            .field(&self.inner)
            .finish()
    }
}

impl StreamedResponseSync {
    pub(crate) fn new(inner: StreamedResponse) -> Self {
        StreamedResponseSync { inner }
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
    pub fn into_inner(self) -> StreamedResponse {
        self.inner
    }
}

impl Iterator for StreamedResponseSync {
    type Item = Result<ModelResponseStreamEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        use futures::StreamExt;
        match crate::blocking::block_on("iterating a StreamedResponseSync", self.inner.next()) {
            Ok(item) => item,
            Err(err) => Some(Err(err)),
        }
    }
}
