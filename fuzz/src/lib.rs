//! Helpers shared by the fuzz targets of llm-runtime: splitting an input into chunks the way a
//! network would, running each frame decoder to completion, and feeding an arbitrary sequence
//! of stream events through a protocol into a [`StreamedResponse`].
//!
//! Not a public API: this crate only exists for `cargo fuzz` (see `scripts/fuzz.sh`).

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::StreamExt;
use llm_runtime::http::eventstream::EventStreamDecoder;
use llm_runtime::http::jsonl::JsonLinesDecoder;
use llm_runtime::http::sse::SseDecoder;
use llm_runtime::messages::{ModelResponseStreamEvent, ResponseState};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::{apply_event, EventKind, Flow, Protocol, RawEvent, ResponseContext};
use llm_runtime::stream::{PartsManager, StreamSource, StreamedResponse};

/// `body` cut into chunks whose lengths (1 to 32 bytes, or the whole rest) follow from
/// `seed`, as a network may cut a body anywhere.
pub fn chunks(body: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = body;
    let mut state = u32::from(seed) | 1;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let len = match (state >> 16) % 40 {
            n @ 0..=31 => n as usize + 1,
            _ => rest.len(),
        };
        let (head, tail) = rest.split_at(len.min(rest.len()));
        out.push(head);
        rest = tail;
    }
    out
}

/// What a decoder made of a body: each event (or line, or message) as text, or the error that
/// took its place.
pub type Decoded = Vec<Result<String, String>>;

/// Runs an SSE decoder over `chunks`, then ends the body.
pub fn decode_sse(chunks: &[&[u8]], max_event_size: usize) -> Decoded {
    let mut decoder = SseDecoder::new().with_max_event_size(max_event_size);
    let mut out = Vec::new();
    let show =
        |e: llm_runtime::http::sse::SseEvent<'_>| format!("{}|{}|{:?}", e.event, e.data, e.id);
    for chunk in chunks {
        decoder.push(chunk);
        loop {
            match decoder.next_event() {
                Ok(Some(event)) => out.push(Ok(show(event))),
                Ok(None) => break,
                Err(err) => out.push(Err(err.to_string())),
            }
            if out.len() > 100_000 {
                panic!("the SSE decoder does not make progress");
            }
        }
    }
    match decoder.finish() {
        Ok(Some(event)) => out.push(Ok(show(event))),
        Ok(None) => {}
        Err(err) => out.push(Err(err.to_string())),
    }
    out
}

/// Runs a newline-delimited JSON decoder over `chunks`, then ends the body.
pub fn decode_jsonl(chunks: &[&[u8]], max_line_size: usize) -> Decoded {
    let mut decoder = JsonLinesDecoder::new().with_max_line_size(max_line_size);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        loop {
            match decoder.next_line() {
                Ok(Some(line)) => out.push(Ok(line.to_owned())),
                Ok(None) => break,
                Err(err) => out.push(Err(err.to_string())),
            }
            if out.len() > 100_000 {
                panic!("the JSON lines decoder does not make progress");
            }
        }
    }
    match decoder.finish() {
        Ok(Some(line)) => out.push(Ok(line.to_owned())),
        Ok(None) => {}
        Err(err) => out.push(Err(err.to_string())),
    }
    out
}

/// Runs an AWS event-stream decoder over `chunks`, then ends the body.
pub fn decode_eventstream(chunks: &[&[u8]], max_message_size: usize) -> Decoded {
    let mut decoder = EventStreamDecoder::new().with_max_message_size(max_message_size);
    let mut out = Vec::new();
    let mut broken = false;
    for chunk in chunks {
        if broken {
            // A corrupt prelude: every later call fails the same way, however many chunks come.
            break;
        }
        decoder.push(chunk);
        loop {
            let whole = decoder.has_message();
            match decoder.next_message() {
                Ok(Some(message)) => {
                    assert_eq!(whole.ok(), Some(true), "has_message missed a message");
                    out.push(Ok(format!(
                        "{:?}|{:?}",
                        message.headers(),
                        message.payload()
                    )))
                }
                Ok(None) => {
                    assert_eq!(whole.ok(), Some(false), "has_message saw a message");
                    break;
                }
                Err(err) => {
                    out.push(Err(err.to_string()));
                    if whole.is_err() {
                        broken = true;
                        break;
                    }
                }
            }
            if out.len() > 100_000 {
                panic!("the event-stream decoder does not make progress");
            }
        }
    }
    if !broken {
        if let Err(err) = decoder.finish() {
            out.push(Err(err.to_string()));
        }
    }
    out
}

/// Rewrites the prelude and message CRCs of the AWS event-stream frames in `body` so that
/// they hold, following each frame's declared length as far as the body goes: lets the
/// fuzzer reach headers and payloads instead of stopping at a checksum.
pub fn fix_eventstream_crcs(body: &mut [u8]) {
    let mut start = 0usize;
    while let Some(prelude) = body.get(start..start + 12) {
        let total = u32::from_be_bytes([prelude[0], prelude[1], prelude[2], prelude[3]]) as usize;
        let crc = crc32fast::hash(&body[start..start + 8]).to_be_bytes();
        body[start + 8..start + 12].copy_from_slice(&crc);
        let Some(end) = start.checked_add(total) else {
            return;
        };
        if total < 16 || end > body.len() {
            return;
        }
        let crc = crc32fast::hash(&body[start..end - 4]).to_be_bytes();
        body[end - 4..end].copy_from_slice(&crc);
        start = end;
    }
}

/// One stream event with owned fields.
#[derive(Debug, Clone)]
pub struct OwnedEvent {
    name: String,
    data: String,
    kind: EventKind,
}

/// The events of an SSE body, as the driver would see them: an event named with a leading `!`
/// is an exception (as AWS event-stream frames report them).
pub fn sse_events(body: &[u8]) -> Vec<OwnedEvent> {
    decode_sse(&[body], 1 << 20)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|shown| {
            let mut fields = shown.splitn(3, '|');
            let name = fields.next()?;
            let data = fields.next()?;
            let (name, kind) = match name.strip_prefix('!') {
                Some(rest) => (rest, EventKind::Exception),
                None => (name, EventKind::Data),
            };
            Some(OwnedEvent {
                name: name.to_owned(),
                data: data.to_owned(),
                kind,
            })
        })
        .collect()
}

/// A [`StreamSource`] applying given events to a protocol, one per poll, as the driver's
/// source does with the frames it decodes.
struct EventSource<P: Protocol> {
    protocol: P,
    state: P::StreamState,
    events: std::vec::IntoIter<OwnedEvent>,
    ended: bool,
}

// Nothing in the source is pinned in place: the state is only used through `&mut`.
impl<P: Protocol> Unpin for EventSource<P> {}

impl<P: Protocol> StreamSource for EventSource<P> {
    fn poll_chunk(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        parts: &mut PartsManager,
    ) -> Poll<Option<llm_runtime::Result<()>>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        let Some(event) = this.events.next() else {
            this.ended = true;
            return match this.protocol.on_eof(&mut this.state, parts) {
                Ok(()) => Poll::Ready(None),
                Err(err) => Poll::Ready(Some(Err(err))),
            };
        };
        let raw = RawEvent {
            name: &event.name,
            data: event.data.trim(),
            kind: event.kind,
        };
        match apply_event(&this.protocol, raw, &mut this.state, parts) {
            Ok(Flow::Continue) => Poll::Ready(Some(Ok(()))),
            Ok(Flow::Done) => {
                this.ended = true;
                Poll::Ready(None)
            }
            Err(err) => {
                this.ended = true;
                Poll::Ready(Some(Err(err)))
            }
        }
    }
}

/// Streams `events` through `protocol` into a [`StreamedResponse`] and checks what a caller
/// may rely on: every delta and end names a part that was started, a stream that ended
/// without error gives a complete (or suspended) response, a failed one an incomplete
/// response, and the response serializes and loads back.
pub fn run_stream<P: Protocol>(protocol: P, events: Vec<OwnedEvent>) {
    let parameters = ModelRequestParameters::default();
    let parts = PartsManager::new("fuzz-model", &parameters);
    let source = EventSource {
        protocol,
        state: P::StreamState::default(),
        events: events.into_iter(),
        ended: false,
    };
    let mut stream = StreamedResponse::new(parts, source);
    // Indices of the parts started so far. As in pydantic-ai, a part may have no start of its
    // own (a tool-call delta without a tool name waits for one), so starts may skip indices,
    // and a part replaced at its index (`handle_part`) starts again.
    let mut started = std::collections::BTreeSet::new();
    let mut failed = false;
    futures::executor::block_on(async {
        while let Some(event) = stream.next().await {
            match event {
                Ok(ModelResponseStreamEvent::PartStart(start)) => {
                    started.insert(start.index);
                }
                Ok(ModelResponseStreamEvent::PartDelta(delta)) => {
                    assert!(
                        started.contains(&delta.index),
                        "a delta for part {} that never started",
                        delta.index
                    );
                }
                Ok(ModelResponseStreamEvent::PartEnd(end)) => {
                    assert!(
                        started.contains(&end.index),
                        "the end of part {} that never started",
                        end.index
                    );
                }
                Ok(_) => {}
                Err(err) => {
                    // Errors are typed and printable.
                    let _ = (err.to_string(), format!("{err:?}"));
                    failed = true;
                }
            }
        }
    });
    let response = stream.get();
    // A stream that failed is never taken for a complete one (a Responses background job
    // that announced itself may end `Suspended`, resumable, rather than `Incomplete`), and one
    // that ended without an error is complete (or `Suspended`, a queued background job, as
    // pydantic-ai ends it).
    if failed {
        assert_ne!(
            response.state,
            ResponseState::Complete,
            "a failed stream is not complete"
        );
    } else {
        assert!(
            matches!(
                response.state,
                ResponseState::Complete | ResponseState::Suspended
            ),
            "a stream that ended is complete, not {:?}",
            response.state
        );
    }
    // The response serializes and loads back as pydantic-ai's history format.
    let json = serde_json::to_string(&response).expect("a response serializes");
    let _: llm_runtime::messages::ModelResponse =
        serde_json::from_str(&json).expect("a serialized response loads");
}

/// Parses a whole response body with `protocol`, and checks that a parsed response serializes.
pub fn parse_response<P: Protocol>(protocol: &P, body: &[u8]) {
    let mut cx = ResponseContext::new("fuzz-model", "fuzz");
    match protocol.parse_response(body, &mut cx) {
        Ok(response) => {
            let json = serde_json::to_string(&response).expect("a response serializes");
            let _: llm_runtime::messages::ModelResponse =
                serde_json::from_str(&json).expect("a serialized response loads");
        }
        Err(err) => {
            let _ = (err.to_string(), format!("{err:?}"));
        }
    }
}
