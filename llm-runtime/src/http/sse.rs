//! Server-sent events: [`SseDecoder`] turns the bytes of an `text/event-stream` body into
//! [`SseEvent`]s.
//!
//! The decoder is pure (bytes in, events out, no I/O), so it is unit-tested and benchmarked
//! on its own. It follows the WHATWG event-stream grammar: `LF`, `CRLF` and `CR` line ends,
//! `:` comments, `data:` lines joined by `\n`, `event:` names, `id:`, and a leading byte-order
//! mark. It scans each byte once, so a multi-megabyte line costs time linear in its length
//! however it is split into chunks, and a UTF-8 character split across chunks is whole again
//! before it is decoded.
//!
//! Every event of every SSE protocol passes here, so the common case is kept short: an event
//! of one `data:` line and at most one `event:` line, its lines ended by `LF`, `CRLF` or `CR`,
//! is read in one go (anything else line by line), a blank line ending in `LF` is taken
//! without a search, `data:` and `event:` lines are recognized by their first bytes, the
//! lines of an event are validated as UTF-8 in one SIMD pass (falling back to one field at a
//! time only when something in the event is not UTF-8), and a chunk that starts with a new
//! event is read in place.

use std::ops::Range;

use bytes::Bytes;

use crate::error::{Error, Result};

mod dispatch;
mod lines;

/// One server-sent event, borrowed from the decoder's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SseEvent<'a> {
    /// The `event:` field; `message` when absent.
    pub event: &'a str,
    /// The `data:` lines, joined by `\n`.
    pub data: &'a str,
    /// The `id:` field, if any.
    pub id: Option<&'a str>,
}

/// The default bound on the size of one event, in bytes (64 MiB).
pub const DEFAULT_MAX_EVENT_SIZE: usize = 64 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the data of the event being read is.
#[derive(Debug, Clone)]
enum Data {
    /// No `data:` line yet.
    None,
    /// One `data:` line: its value, in the buffer.
    InBuf(Range<usize>),
    /// Several `data:` lines, joined in `SseDecoder::joined`.
    Joined,
}

/// The field a line sets.
#[derive(Debug, Clone, Copy)]
enum Field {
    Data,
    Event,
    Id,
    /// `retry:` and unknown fields.
    Other,
}

impl Field {
    fn named(name: &[u8]) -> Field {
        match name {
            b"data" => Field::Data,
            b"event" => Field::Event,
            b"id" => Field::Id,
            _ => Field::Other,
        }
    }
}

/// An incremental decoder of server-sent events.
///
/// Feed it the body's chunks with [`push`](Self::push) and take the complete events with
/// [`next_event`](Self::next_event) until it returns `None`; at the end of the body, take the
/// last event with [`finish`](Self::finish).
///
/// ```
/// use llm_runtime::http::sse::SseDecoder;
///
/// let mut decoder = SseDecoder::new();
/// decoder.push(b"event: delta\r\ndata: {\"text\":");
/// assert!(decoder.next_event()?.is_none()); // the event is not complete yet
/// decoder.push(b" \"Hi\"}\r\n\r\n: a comment\n");
/// let event = decoder.next_event()?.expect("a whole event");
/// assert_eq!((event.event, event.data), ("delta", "{\"text\": \"Hi\"}"));
/// assert!(decoder.next_event()?.is_none());
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// One event borrows the decoder, so it must be used before the next call: events cost no
/// allocation (a single `data:` line is handed out from the input buffer, several are joined
/// in a buffer reused from event to event).
#[derive(Debug, Clone)]
pub struct SseDecoder {
    /// Bytes received and not yet discarded, when they are not all in `chunk`.
    buf: Vec<u8>,
    /// The chunk being read in place, when it came with nothing pending before it (see
    /// [`push_bytes`](Self::push_bytes)); empty otherwise. When it is not empty, `buf` is
    /// empty and every position below is in it.
    chunk: Bytes,
    /// The part of a chunk not yet appended: a chunk that came while an event was pending
    /// is copied up to the end of its first event only, and its rest read once that event is
    /// out (in place, when nothing is pending then). Empty whenever more bytes are needed.
    rest: Bytes,
    /// Start of the first line not yet processed.
    line_start: usize,
    /// Where the search for the next line end resumes: every byte between `line_start` and
    /// here is known not to end a line.
    searched: usize,
    /// The last line ended with `CR` at the end of the buffer: a `LF` first in the next chunk
    /// belongs to that line end.
    skip_lf: bool,
    /// Whether the stream's first bytes were checked for a byte-order mark.
    bom_checked: bool,
    /// A line of the fast path ended with `CR`: it looks for `CRLF` and `CR` line ends too.
    cr_line_ends: bool,
    /// Where the first field line of the event being read starts (kept on compaction).
    event_start: Option<usize>,
    /// The value of the `event:` field, in the buffer.
    event_name: Option<Range<usize>>,
    /// The value of the `id:` field, in the buffer.
    id: Option<Range<usize>>,
    /// The data of the event being read.
    data: Data,
    /// The joined `data:` lines when there are several; reused from event to event.
    joined: Vec<u8>,
    /// An event was handed out: its fields are cleared before anything else happens.
    dispatched: bool,
    /// The rest of the current line belongs to an oversized event that was given up.
    discard_line: bool,
    /// The largest event accepted, in bytes.
    max_event_size: usize,
    /// How many bytes were searched for line ends (tests prove each byte is searched once).
    #[cfg(test)]
    scanned: usize,
    /// Every event is read line by line (tests compare the fast path with it).
    #[cfg(test)]
    line_by_line: bool,
}

impl Default for SseDecoder {
    fn default() -> Self {
        SseDecoder::new()
    }
}

impl SseDecoder {
    /// A decoder at the start of a stream, accepting events of up to
    /// [`DEFAULT_MAX_EVENT_SIZE`] bytes.
    pub fn new() -> Self {
        SseDecoder {
            buf: Vec::new(),
            chunk: Bytes::new(),
            rest: Bytes::new(),
            line_start: 0,
            searched: 0,
            skip_lf: false,
            bom_checked: false,
            cr_line_ends: false,
            event_start: None,
            event_name: None,
            id: None,
            data: Data::None,
            joined: Vec::new(),
            dispatched: false,
            discard_line: false,
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            #[cfg(test)]
            scanned: 0,
            #[cfg(test)]
            line_by_line: false,
        }
    }

    /// This decoder with another bound on the size of one event; a larger event is an
    /// [`Error::UnexpectedModelBehavior`] instead of unbounded memory.
    pub fn with_max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = bytes;
        self
    }

    /// Appends a chunk of the body. Chunks may split lines, line ends and UTF-8 characters
    /// anywhere.
    pub fn push(&mut self, chunk: &[u8]) {
        self.clear_dispatched();
        self.append_rest();
        self.compact();
        self.buf.extend_from_slice(chunk);
    }

    /// As [`push`](Self::push), for a chunk the caller owns as [`Bytes`]: when nothing is
    /// pending (the previous chunk ended with an event), its events are read in place instead
    /// of from a copy. What remains of it when more bytes are needed (the start of an event)
    /// is copied then, so the chunk (and the read buffer it shares) is not kept.
    pub(crate) fn push_bytes(&mut self, chunk: Bytes) {
        self.clear_dispatched();
        self.append_rest();
        self.compact();
        if self.buf.is_empty() {
            if !chunk.is_empty() {
                self.chunk = chunk;
            }
            return;
        }
        // An event is pending: the chunk is copied up to the end of its first event, and the
        // rest read after it.
        let split = first_event_end(&chunk);
        self.buf.extend_from_slice(&chunk[..split]);
        self.rest = chunk.slice(split..);
    }

    /// Lets go of the chunk read in place once all of it is read (the event handed out last
    /// ended at its end), so that a caller who holds the stream after an event holds no read
    /// buffer. Call it once the event is used; a chunk with unread bytes stays for the next
    /// [`next_event`](Self::next_event).
    pub(crate) fn release_read(&mut self) {
        if self.chunk.is_empty() || !self.rest.is_empty() {
            return;
        }
        self.clear_dispatched();
        if self.keep_from() == self.chunk.len() {
            self.compact();
        }
    }

    /// Appends the rest of the last chunk to the buffer (a copy), when the caller pushes
    /// again or finishes without having taken every event.
    fn append_rest(&mut self) {
        if !self.rest.is_empty() {
            let rest = std::mem::take(&mut self.rest);
            self.compact();
            self.buf.extend_from_slice(&rest);
        }
    }

    /// The bytes received and not yet discarded.
    fn bytes(&self) -> &[u8] {
        source(&self.buf, &self.chunk)
    }

    /// The next complete event in what was pushed, or `None` until more bytes arrive.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] with the offending bytes when a field of the event is
    /// not UTF-8, or when an event grows past the size bound. The decoder goes on with the
    /// next event after an error.
    pub fn next_event(&mut self) -> Result<Option<SseEvent<'_>>> {
        self.clear_dispatched();
        loop {
            if self.simple_event() {
                return self.dispatch().map(Some);
            }
            while let Some(line) = self.next_line() {
                if std::mem::take(&mut self.discard_line) {
                    continue;
                }
                if self.process_line(line) {
                    return self.dispatch().map(Some);
                }
            }
            if self.rest.is_empty() {
                break;
            }
            // The copied start of the last chunk is read: its rest next, in place when
            // nothing is pending.
            let rest = std::mem::take(&mut self.rest);
            self.compact();
            if self.buf.is_empty() {
                self.chunk = rest;
            } else {
                self.buf.extend_from_slice(&rest);
            }
        }
        self.check_size()?;
        if !self.chunk.is_empty() {
            self.compact();
        }
        Ok(None)
    }

    /// Ends the stream: the last event, when the body ended after its `data:` lines but
    /// without the blank line that would have closed it (an unterminated last line counts
    /// too). Call it once [`next_event`](Self::next_event) returned `None`.
    ///
    /// The browser algorithm discards such an event; servers often omit the final blank
    /// line, so it is handed out here and the protocol decides whether the stream was whole.
    ///
    /// # Errors
    /// As [`next_event`](Self::next_event).
    pub fn finish(&mut self) -> Result<Option<SseEvent<'_>>> {
        self.clear_dispatched();
        self.append_rest();
        if self.skip_lf && self.bytes().get(self.line_start) == Some(&b'\n') {
            self.line_start += 1;
        }
        self.skip_lf = false;
        if !self.bom_checked {
            self.strip_bom(true);
        }
        let len = self.bytes().len();
        if std::mem::take(&mut self.discard_line) {
            self.line_start = len;
            self.searched = len;
        }
        if self.line_start < len {
            let line = self.line_start..len;
            self.line_start = len;
            self.searched = len;
            if self.process_line(line) {
                return self.dispatch().map(Some);
            }
        }
        // The end of the body closes the event being read.
        if self.process_line(len..len) {
            return self.dispatch().map(Some);
        }
        Ok(None)
    }

    /// How many bytes are buffered (the pending line and the event being read).
    pub fn buffered(&self) -> usize {
        self.bytes().len() - self.keep_from() + self.rest.len()
    }

    fn keep_from(&self) -> usize {
        self.event_start.unwrap_or(self.line_start)
    }

    /// Forgets the fields of the event handed out last.
    fn clear_dispatched(&mut self) {
        if self.dispatched {
            self.dispatched = false;
            self.reset_event();
        }
    }

    fn reset_event(&mut self) {
        self.event_start = None;
        self.event_name = None;
        self.id = None;
        self.data = Data::None;
    }

    /// Drops the bytes no event needs any more, shifting the ranges that point after them.
    /// The pending bytes move at most once per chunk, and not at all while one long line
    /// accumulates (its start is already at the front).
    fn compact(&mut self) {
        let drop = self.keep_from();
        if self.chunk.is_empty() {
            if drop == 0 {
                return;
            }
            self.buf.drain(..drop);
        } else {
            // The rest of a chunk read in place: what is still needed moves to the buffer.
            let chunk = std::mem::take(&mut self.chunk);
            self.buf.extend_from_slice(&chunk[drop..]);
        }
        let shift = |r: &mut Range<usize>| {
            r.start -= drop;
            r.end -= drop;
        };
        self.line_start -= drop;
        self.searched -= drop;
        if let Some(start) = &mut self.event_start {
            *start -= drop;
        }
        if let Some(r) = &mut self.event_name {
            shift(r);
        }
        if let Some(r) = &mut self.id {
            shift(r);
        }
        if let Data::InBuf(r) = &mut self.data {
            shift(r);
        }
    }

    fn check_size(&mut self) -> Result<()> {
        let size = match self.data {
            Data::Joined => self.joined.len().max(self.buffered()),
            _ => self.buffered(),
        };
        if size <= self.max_event_size {
            return Ok(());
        }
        let start = self.keep_from();
        let error = Error::unexpected_with_body(
            format!(
                "a server-sent event is larger than {} bytes",
                self.max_event_size
            ),
            &self.bytes()[start..],
        );
        // Skip what was read of the oversized event, and the rest of its current line, and
        // go on after it.
        let len = self.bytes().len();
        self.discard_line = self.line_start < len;
        self.line_start = len;
        self.searched = len;
        self.reset_event();
        self.compact();
        Err(error)
    }
}

/// Where the first event of `chunk` ends: after its first blank line that follows a `LF`
/// (`LF LF` or `LF CR LF`, so `CRLF` streams are split as `LF` ones are); the whole chunk
/// when there is none (a stream of lone `CR`s is copied whole). Any split is correct, since
/// what follows it is read after it; this one lets the rest be read in place.
fn first_event_end(chunk: &[u8]) -> usize {
    for at in memchr::memchr_iter(b'\n', chunk) {
        match chunk.get(at + 1..) {
            Some([b'\n', ..]) => return at + 2,
            Some([b'\r', b'\n', ..]) => return at + 3,
            _ => {}
        }
    }
    chunk.len()
}

/// The bytes a decoder reads: the chunk read in place, else its own buffer (see
/// [`SseDecoder::bytes`]; a function of the two fields so that another field can be
/// changed while they are borrowed).
fn source<'a>(buf: &'a [u8], chunk: &'a Bytes) -> &'a [u8] {
    if chunk.is_empty() {
        buf
    } else {
        chunk
    }
}

#[cfg(test)]
mod tests;
