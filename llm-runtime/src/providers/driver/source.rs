//! [`FrameSource`]: reads a streamed body, decodes its frames as the protocol's
//! [`Framing`] says, runs the prologue every protocol shares, and hands the protocol one
//! event at a time.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use tokio::time::{Instant, Sleep};

use crate::error::{ApiErrorKind, Error, Result};
use crate::http::eventstream::{EventStreamDecoder, EventStreamMessage};
use crate::http::jsonl::JsonLinesDecoder;
use crate::http::send::{deadline, first_byte_error, transport_error_for};
use crate::http::sse::SseDecoder;
use crate::providers::{trimmed, EventKind, Flow, Framing, Protocol, Provider, RawEvent};
use crate::stream::{PartsManager, StreamSource};
use crate::warning::Warning;

/// A response body, chunk by chunk.
pub(super) type BodyStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// The timers of a stream besides its deadline.
pub(super) struct Timing {
    /// Bounds each gap between two chunks.
    pub idle: Duration,
    /// When the first byte must have come, if bounded.
    pub first_byte_by: Option<Instant>,
}

/// The decoder of one framing.
pub(super) enum Decoder {
    Sse(SseDecoder),
    EventStream(EventStreamDecoder),
    JsonLines(JsonLinesDecoder),
}

impl Decoder {
    /// The decoder of `framing`.
    pub(super) fn new(framing: Framing) -> Self {
        match framing {
            Framing::Sse => Decoder::Sse(SseDecoder::new()),
            Framing::AwsEventStream => Decoder::EventStream(EventStreamDecoder::new()),
            Framing::JsonLines => Decoder::JsonLines(JsonLinesDecoder::new()),
        }
    }

    fn push(&mut self, chunk: Bytes) {
        match self {
            // Both read in place: only what a chunk ends inside of is copied.
            Decoder::Sse(decoder) => decoder.push_bytes(chunk),
            Decoder::EventStream(decoder) => decoder.push_bytes(chunk),
            Decoder::JsonLines(decoder) => decoder.push(&chunk),
        }
    }

    /// Applies the next complete event to the protocol: `None` when more bytes are needed.
    fn apply_next<P: Protocol>(
        &mut self,
        protocol: &P,
        state: &mut P::StreamState,
        parts: &mut PartsManager,
    ) -> Result<Option<Flow>> {
        match self {
            Decoder::Sse(decoder) => {
                let Some(event) = decoder.next_event()? else {
                    return Ok(None);
                };
                let flow = apply_event_inline(
                    protocol,
                    RawEvent::new(event.event, event.data),
                    state,
                    parts,
                );
                // A stream held after this event holds no read buffer.
                decoder.release_read();
                flow.map(Some)
            }
            Decoder::EventStream(decoder) => match decoder.next_message()? {
                Some(message) => {
                    apply_event_inline(protocol, message_event(&message)?, state, parts).map(Some)
                }
                None => Ok(None),
            },
            Decoder::JsonLines(decoder) => match decoder.next_line()? {
                Some(line) => {
                    apply_event(protocol, RawEvent::new("message", line), state, parts).map(Some)
                }
                None => Ok(None),
            },
        }
    }

    /// At the end of the body: applies what the framing still held, `Some(Done)` when that
    /// was the terminator.
    fn finish<P: Protocol>(
        &mut self,
        protocol: &P,
        state: &mut P::StreamState,
        parts: &mut PartsManager,
    ) -> Result<Option<Flow>> {
        match self {
            Decoder::Sse(decoder) => match decoder.finish()? {
                Some(event) => apply_event(
                    protocol,
                    RawEvent::new(event.event, event.data),
                    state,
                    parts,
                )
                .map(Some),
                None => Ok(None),
            },
            // Every message was taken as it completed: what is left is a truncated one.
            Decoder::EventStream(decoder) => decoder.finish().map(|()| None),
            Decoder::JsonLines(decoder) => match decoder.finish()? {
                Some(line) => {
                    apply_event(protocol, RawEvent::new("message", line), state, parts).map(Some)
                }
                None => Ok(None),
            },
        }
    }
}

/// The event an AWS event-stream message carries: an `event` (named by `:event-type`), or an
/// `exception` (named by `:exception-type`) or `error` (`:error-code`, `:error-message`) as an
/// [`EventKind::Exception`].
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] for a message without a `:message-type` or the name it
/// needs, or whose payload is not UTF-8.
fn message_event<'a>(message: &EventStreamMessage<'a>) -> Result<RawEvent<'a>> {
    let missing = |header: &str| {
        Error::unexpected_with_body(
            format!("an AWS event-stream message has no `{header}` header"),
            message.payload(),
        )
    };
    let payload = || {
        // Checked when the message was decoded; std's check, which says where the text
        // breaks, only for the error.
        message.payload_str().ok_or_else(|| {
            let e = std::str::from_utf8(message.payload()).err();
            let at = e.map(|e| format!(": {e}")).unwrap_or_default();
            Error::unexpected_with_body(
                format!("the payload of an AWS event-stream message is not UTF-8{at}"),
                message.payload(),
            )
        })
    };
    // One walk finds both headers of an event (nearly every message).
    let [message_type, event_type] = message.header_strs([":message-type", ":event-type"]);
    let message_type = message_type.ok_or_else(|| missing(":message-type"))?;
    let (name, data, kind) = match message_type {
        "event" => {
            let name = event_type.ok_or_else(|| missing(":event-type"))?;
            (name, payload()?, EventKind::Data)
        }
        "exception" => {
            let name = message
                .header_str(":exception-type")
                .ok_or_else(|| missing(":exception-type"))?;
            (name, payload()?, EventKind::Exception)
        }
        "error" => {
            let name = message
                .header_str(":error-code")
                .ok_or_else(|| missing(":error-code"))?;
            let data = match message.header_str(":error-message") {
                Some(text) => text,
                None => payload()?,
            };
            (name, data, EventKind::Exception)
        }
        other => {
            return Err(Error::unexpected_with_body(
                format!("an AWS event-stream message has the unknown `:message-type` `{other}`"),
                message.payload(),
            ))
        }
    };
    Ok(RawEvent {
        name,
        data: trimmed(data),
        kind,
    })
}

/// Applies one event of a stream to the response being built, as the driver does: the
/// prologue every protocol shares (see [`Protocol`]), then the protocol's own parsing and
/// translation. Public for tests of a protocol and for replaying recorded streams.
///
/// ```
/// use llm_runtime::models::ModelRequestParameters;
/// use llm_runtime::providers::{apply_event, openai::chat::OpenAiChat, Flow, Protocol, RawEvent};
/// use llm_runtime::stream::PartsManager;
///
/// let chat = OpenAiChat::new();
/// let mut parts = PartsManager::new("gpt-4o", &ModelRequestParameters::default());
/// let mut state = <OpenAiChat as Protocol>::StreamState::default();
/// let chunk = r#"{"choices":[{"index":0,"delta":{"content":"Hi"}}]}"#;
/// let flow = apply_event(&chat, RawEvent::new("message", chunk), &mut state, &mut parts)?;
/// assert_eq!(flow, Flow::Continue);
/// // A status event that is not JSON is skipped, with a warning.
/// apply_event(&chat, RawEvent::new("status", "busy"), &mut state, &mut parts)?;
/// assert_eq!(parts.warnings.len(), 1);
/// let done = apply_event(&chat, RawEvent::new("message", "[DONE]"), &mut state, &mut parts)?;
/// assert_eq!(done, Flow::Done);
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// # Errors
/// [`Error::UnexpectedModelBehavior`] when the data does not parse, or as the protocol's
/// [`on_event`](Protocol::on_event), [`on_done`](Protocol::on_done) and
/// [`on_exception`](Protocol::on_exception) say.
pub fn apply_event<P: Protocol>(
    protocol: &P,
    event: RawEvent<'_>,
    state: &mut P::StreamState,
    parts: &mut PartsManager,
) -> Result<Flow> {
    apply_event_inline(protocol, event, state, parts)
}

/// [`apply_event`], inlined where the driver applies the events of a stream (once per event:
/// the call and the moves of the event and of the result are saved there).
#[inline(always)]
fn apply_event_inline<P: Protocol>(
    protocol: &P,
    event: RawEvent<'_>,
    state: &mut P::StreamState,
    parts: &mut PartsManager,
) -> Result<Flow> {
    if event.kind == EventKind::Exception {
        return Err(protocol.on_exception(&event, parts));
    }
    let data = event.data;
    if data.is_empty() {
        return Ok(Flow::Continue);
    }
    if data == "[DONE]" {
        return protocol.on_done(state, parts);
    }
    // The data's first byte first: it settles nearly every event without the name.
    if !data.starts_with(['{', '[']) && !matches!(event.name, "message" | "error") {
        skip_not_json::<P>(event.name, parts);
        return Ok(Flow::Continue);
    }
    let parsed = match protocol.parse_event(&event) {
        Ok(parsed) => parsed,
        Err(e) => return Err(parse_error::<P>(&event, &e)),
    };
    protocol.on_event(parsed, &event, state, parts)
}

/// Skips an event whose data is not JSON, with a warning (out of the inlined path).
#[cold]
#[inline(never)]
fn skip_not_json<P: Protocol>(name: &str, parts: &mut PartsManager) {
    parts.warnings.push(Warning::skipped_event(
        name,
        format!(
            "its data is not JSON, so it is not a {}",
            P::EVENT_DESCRIPTION
        ),
    ));
}

/// The error of an event whose data does not parse (out of the inlined path).
#[cold]
#[inline(never)]
fn parse_error<P: Protocol>(event: &RawEvent<'_>, e: &serde_json::Error) -> Error {
    let message = if event.name == "error" {
        format!("the provider reported an error in the stream ({e} in its data)")
    } else {
        format!("invalid {} `{}`: {e}", P::EVENT_DESCRIPTION, event.name)
    };
    Error::unexpected_with_body(message, event.data.as_bytes())
}

/// Reads a streamed body, decodes its events and hands each to the protocol.
pub(super) struct FrameSource<P: Protocol> {
    provider: Provider<P>,
    model_name: String,
    body: BodyStream,
    decoder: Decoder,
    state: P::StreamState,
    idle_timeout: Duration,
    idle: Pin<Box<Sleep>>,
    /// When the whole stream must have ended, if the provider has a stream deadline.
    total: Option<Pin<Box<Sleep>>>,
    /// When the first byte must have come, until it has, if the provider bounds it.
    first_byte: Option<Pin<Box<Sleep>>>,
    /// The span the stream was opened in (the request's, when instrumented): warnings are
    /// logged in it.
    span: tracing::Span,
    ended: bool,
    /// Bytes of the body read so far.
    read: usize,
}

// Nothing in the source is pinned in place: the body and the timer are boxed, and the
// protocol's state is only ever used through `&mut`.
impl<P: Protocol> Unpin for FrameSource<P> {}

impl<P: Protocol> FrameSource<P> {
    /// A source reading `body` with `decoder`, under the timers of `timing` and the
    /// provider's stream deadline.
    pub(super) fn new(
        provider: Provider<P>,
        model_name: String,
        body: BodyStream,
        decoder: Decoder,
        timing: Timing,
    ) -> Self {
        let total = provider
            .stream_deadline()
            .map(|limit| Box::pin(tokio::time::sleep_until(deadline(limit))));
        let idle_timeout = timing.idle;
        FrameSource {
            first_byte: timing
                .first_byte_by
                .map(|by| Box::pin(tokio::time::sleep_until(by))),
            provider,
            model_name,
            body,
            decoder,
            state: P::StreamState::default(),
            idle_timeout,
            idle: Box::pin(tokio::time::sleep_until(deadline(idle_timeout))),
            total,
            span: tracing::Span::current(),
            ended: false,
            read: 0,
        }
    }

    /// Applies the next event decoded so far: `Some(Done)` when it was the protocol's
    /// terminator, `Some(Continue)` when it was applied, `None` when more bytes are needed.
    ///
    /// One event at a time, so that its stream events reach the consumer before the next is
    /// parsed: the queue stays as short as one event makes it, however many events one read
    /// of the body brought.
    fn apply_next_event(&mut self, parts: &mut PartsManager) -> Result<Option<Flow>> {
        let protocol = self.provider.protocol();
        let flow = self.decoder.apply_next(protocol, &mut self.state, parts);
        self.log_warnings(parts);
        flow
    }

    /// The body ended: the last event, then the protocol decides whether that is a proper end.
    fn at_eof(&mut self, parts: &mut PartsManager) -> Result<()> {
        let protocol = self.provider.protocol();
        let flow = self.decoder.finish(protocol, &mut self.state, parts);
        let end = match flow {
            Ok(Some(Flow::Done)) => Ok(()),
            Ok(_) => protocol.on_eof(&mut self.state, parts),
            Err(err) => Err(err),
        };
        self.log_warnings(parts);
        end
    }

    /// Logs the warnings the last event caused, if any (checked after every event: the
    /// check is inlined, the logging is not).
    #[inline]
    fn log_warnings(&self, parts: &mut PartsManager) {
        if !parts.warnings.is_empty() {
            self.log_all(parts);
        }
    }

    #[inline(never)]
    fn log_all(&self, parts: &mut PartsManager) {
        let _entered = self.span.enter();
        parts
            .warnings
            .log_all(self.provider.name(), &self.model_name);
    }

    fn too_large_error(&self) -> Error {
        Error::api(
            format!(
                "the stream from {} for model {} brought more than {} bytes, the provider's \
                 max_stream_size; raise it with ProviderBuilder::max_stream_size",
                self.provider.name(),
                self.model_name,
                self.provider.max_stream_size()
            ),
            ApiErrorKind::TooLarge,
            None,
        )
    }

    /// Whether the stream deadline has passed (registering the waker when it has not).
    fn past_deadline(&mut self, cx: &mut Context<'_>) -> bool {
        self.total
            .as_mut()
            .is_some_and(|total| total.as_mut().poll(cx).is_ready())
    }

    fn deadline_error(&self) -> Error {
        Error::api(
            format!(
                "the stream from {} for model {} did not end within {:?}, the provider's \
                 stream_deadline; raise it with ProviderBuilder::stream_deadline",
                self.provider.name(),
                self.model_name,
                self.provider.stream_deadline().unwrap_or_default()
            ),
            ApiErrorKind::Timeout,
            None,
        )
    }

    fn idle_error(&self) -> Error {
        Error::api(
            format!(
                "the stream from {} for model {} sent nothing for {:?}",
                self.provider.name(),
                self.model_name,
                self.idle_timeout
            ),
            ApiErrorKind::Timeout,
            None,
        )
    }
}

impl<P: Protocol> StreamSource for FrameSource<P> {
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        parts: &mut PartsManager,
    ) -> Poll<Option<Result<()>>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        loop {
            match this.apply_next_event(parts) {
                Err(err) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(err)));
                }
                Ok(Some(Flow::Done)) => {
                    this.ended = true;
                    price(parts);
                    return Poll::Ready(None);
                }
                Ok(Some(Flow::Continue)) => return Poll::Ready(Some(Ok(()))),
                Ok(None) => {}
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    if !chunk.is_empty() {
                        this.first_byte = None;
                    }
                    if this.past_deadline(cx) {
                        this.ended = true;
                        return Poll::Ready(Some(Err(this.deadline_error())));
                    }
                    this.read = this.read.saturating_add(chunk.len());
                    if this.read > this.provider.max_stream_size() {
                        this.ended = true;
                        return Poll::Ready(Some(Err(this.too_large_error())));
                    }
                    this.decoder.push(chunk);
                    let next = deadline(this.idle_timeout);
                    this.idle.as_mut().reset(next);
                }
                Poll::Ready(Some(Err(err))) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(transport_error_for(
                        err,
                        this.provider.name(),
                        &this.model_name,
                        "reading the stream",
                    ))));
                }
                Poll::Ready(None) => {
                    this.ended = true;
                    return match this.at_eof(parts) {
                        Ok(()) => {
                            price(parts);
                            Poll::Ready(None)
                        }
                        Err(err) => Poll::Ready(Some(Err(err))),
                    };
                }
                Poll::Pending => {
                    if this.past_deadline(cx) {
                        this.ended = true;
                        return Poll::Ready(Some(Err(this.deadline_error())));
                    }
                    if let Some(first_byte) = this.first_byte.as_mut() {
                        if first_byte.as_mut().poll(cx).is_ready() {
                            this.ended = true;
                            let limit = this.provider.first_byte_timeout().unwrap_or_default();
                            return Poll::Ready(Some(Err(first_byte_error(
                                this.provider.name(),
                                &this.model_name,
                                limit,
                            ))));
                        }
                    }
                    if this.idle.as_mut().poll(cx).is_ready() {
                        this.ended = true;
                        return Poll::Ready(Some(Err(this.idle_error())));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

/// Prices a stream that ended properly, once: its usage is final (see [`crate::cost`]).
fn price(parts: &mut PartsManager) {
    if parts.usage.cost.is_none() {
        parts.usage.cost = crate::cost::usage_cost(
            &parts.usage,
            &parts.model_name,
            parts.provider_name.as_deref(),
            parts.provider_url.as_deref(),
            parts.timestamp,
        );
    }
}
