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
//! of one `data:` line and at most one `event:` line, `LF`-ended, is read in one go (anything
//! else line by line), a blank line ending in `LF` is taken without a search, `data:` and
//! `event:` lines are recognized by their first bytes, the lines of an event are validated as
//! UTF-8 in one SIMD pass (falling back to one field at a time only when something in the
//! event is not UTF-8), and a chunk that starts with a new event is read in place.

use std::ops::Range;

use bytes::Bytes;

use crate::error::{Error, Result};

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
        // An event is pending: the chunk is copied up to the end of its first event (its
        // first blank line, when its lines end with LF), and the rest read after it.
        let split = memchr::memmem::find(&chunk, b"\n\n").map_or(chunk.len(), |at| at + 2);
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

    /// Removes a byte-order mark from the start of the stream; waits while what arrived is
    /// a strict prefix of one, unless the stream has ended.
    fn strip_bom(&mut self, at_end: bool) -> bool {
        let head = &self.bytes()[self.line_start..];
        if head.len() < BOM.len() && BOM.starts_with(head) && !at_end {
            return false;
        }
        if head.starts_with(BOM) {
            self.line_start += BOM.len();
            self.searched = self.searched.max(self.line_start);
        }
        self.bom_checked = true;
        true
    }

    /// The fast path of [`next_event`](Self::next_event): at the start of an event, nothing
    /// of it read yet, an event of `LF`-ended lines that are one `data:` line and at most one
    /// `event:` line, then its blank line, is read in one go into the fields that
    /// [`dispatch`](Self::dispatch) reads, as the line-by-line path would have set them.
    /// `false` for anything else (a `CR`, a comment, another field, a repeated one, an
    /// incomplete event), with nothing changed: the line-by-line path reads it. When the
    /// first line has no end yet, it is marked as searched, so that a long line is still
    /// searched once.
    fn simple_event(&mut self) -> bool {
        #[cfg(test)]
        if self.line_by_line {
            return false;
        }
        let clean = self.bom_checked
            && !self.skip_lf
            && !self.discard_line
            && self.event_start.is_none()
            && self.searched <= self.line_start;
        if !clean {
            return false;
        }
        let bytes = source(&self.buf, &self.chunk);
        let start = self.line_start;
        let (mut at, mut name, mut data) = (start, None, None);
        loop {
            let Some(rest) = bytes.get(at..) else {
                return false;
            };
            if rest.first() == Some(&b'\n') {
                #[cfg(test)]
                {
                    self.scanned += 1;
                }
                let Some(data) = data else {
                    return false;
                };
                self.line_start = at + 1;
                self.searched = at + 1;
                self.event_start = Some(start);
                self.event_name = name;
                self.data = Data::InBuf(data);
                self.dispatched = true;
                return true;
            }
            let Some(offset) = memchr::memchr2(b'\n', b'\r', rest) else {
                #[cfg(test)]
                {
                    self.scanned += rest.len();
                }
                if at == start {
                    self.searched = bytes.len();
                }
                return false;
            };
            #[cfg(test)]
            {
                self.scanned += offset + 1;
            }
            if rest[offset] == b'\r' {
                return false;
            }
            // The field, and where its value starts: after the colon and one optional space.
            let (is_data, from) = match &rest[..offset] {
                [b'd', b'a', b't', b'a', b':', b' ', ..] => (true, 6),
                [b'd', b'a', b't', b'a', b':', ..] => (true, 5),
                [b'e', b'v', b'e', b'n', b't', b':', b' ', ..] => (false, 7),
                [b'e', b'v', b'e', b'n', b't', b':', ..] => (false, 6),
                _ => return false,
            };
            let value = Some(at + from..at + offset);
            let field = if is_data { &mut data } else { &mut name };
            if field.is_some() {
                return false;
            }
            *field = value;
            at += offset + 1;
        }
    }

    /// The range of the next complete line, without its line end.
    #[inline]
    fn next_line(&mut self) -> Option<Range<usize>> {
        if !self.bom_checked && !self.strip_bom(false) {
            return None;
        }
        if self.skip_lf {
            match self.bytes().get(self.line_start) {
                None => return None,
                Some(b'\n') => {
                    self.line_start += 1;
                    self.searched = self.searched.max(self.line_start);
                }
                Some(_) => {}
            }
            self.skip_lf = false;
        }
        let bytes = source(&self.buf, &self.chunk);
        let from = self.searched.max(self.line_start);
        // Fast path: a blank line ended by LF (the end of most events) needs no search.
        if from == self.line_start && bytes.get(from) == Some(&b'\n') {
            #[cfg(test)]
            {
                self.scanned += 1;
            }
            self.line_start = from + 1;
            self.searched = from + 1;
            return Some(from..from);
        }
        let rest = bytes.get(from..)?;
        let Some(offset) = memchr::memchr2(b'\n', b'\r', rest) else {
            #[cfg(test)]
            {
                self.scanned += rest.len();
            }
            self.searched = bytes.len();
            return None;
        };
        #[cfg(test)]
        {
            self.scanned += offset + 1;
        }
        let end = from + offset;
        let line = self.line_start..end;
        let mut next = end + 1;
        if rest[offset] == b'\r' {
            match bytes.get(next) {
                Some(b'\n') => next += 1,
                Some(_) => {}
                None => self.skip_lf = true,
            }
        }
        self.line_start = next;
        self.searched = next;
        Some(line)
    }

    /// Applies one line to the event being read; `true` when it completes an event.
    #[inline]
    fn process_line(&mut self, line: Range<usize>) -> bool {
        let all = source(&self.buf, &self.chunk);
        let bytes = &all[line.clone()];
        if bytes.is_empty() {
            if matches!(self.data, Data::None) {
                // No data: the spec says not to dispatch; the fields start over.
                self.reset_event();
                return false;
            }
            self.dispatched = true;
            return true;
        }
        // Fast path: the two fields of nearly every event are recognized by their prefix,
        // without searching for the colon or comparing the name again.
        let (field, name_len) = match bytes {
            [b':', ..] => return false,
            [b'd', b'a', b't', b'a', b':', ..] => (Field::Data, 4),
            [b'e', b'v', b'e', b'n', b't', b':', ..] => (Field::Event, 5),
            _ => {
                let name_len = memchr::memchr(b':', bytes).unwrap_or(bytes.len());
                (Field::named(&bytes[..name_len]), name_len)
            }
        };
        let name_end = line.start + name_len;
        let value = if name_end < line.end {
            // The colon, then one optional space.
            let mut value_start = name_end + 1;
            if value_start < line.end && all[value_start] == b' ' {
                value_start += 1;
            }
            value_start..line.end
        } else {
            line.end..line.end
        };
        self.event_start.get_or_insert(line.start);
        match field {
            Field::Data => self.append_data(value),
            Field::Event => self.event_name = Some(value),
            // An id with a NUL is ignored, as the spec says.
            Field::Id if memchr::memchr(0, &all[value.clone()]).is_none() => {
                self.id = Some(value);
            }
            // `retry:` sets a reconnection delay, which has no meaning for a request; the
            // spec ignores unknown fields.
            Field::Id | Field::Other => {}
        }
        false
    }

    fn append_data(&mut self, value: Range<usize>) {
        match std::mem::replace(&mut self.data, Data::Joined) {
            Data::None => self.data = Data::InBuf(value),
            Data::InBuf(first) => {
                self.joined.clear();
                self.joined
                    .extend_from_slice(&source(&self.buf, &self.chunk)[first]);
                self.joined.push(b'\n');
                self.joined
                    .extend_from_slice(&source(&self.buf, &self.chunk)[value]);
            }
            Data::Joined => {
                self.joined.push(b'\n');
                self.joined
                    .extend_from_slice(&source(&self.buf, &self.chunk)[value]);
            }
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

    /// The event whose fields were just completed, decoded as UTF-8.
    fn dispatch(&self) -> Result<SseEvent<'_>> {
        if let Some(event) = self.dispatch_whole() {
            return Ok(event);
        }
        self.dispatch_fields()
    }

    /// The fast path of [`dispatch`](Self::dispatch): the event's lines validated as UTF-8
    /// in one pass, each field then sliced from them at no cost, instead of one validation
    /// per field (a short field costs std's validator about as much as a long one). `None`
    /// when the event is not that simple (several `data:` lines) or not all UTF-8 (a
    /// comment inside it may be anything): the fields are then validated one by one.
    fn dispatch_whole(&self) -> Option<SseEvent<'_>> {
        let start = self.event_start?;
        let data = match &self.data {
            Data::InBuf(range) => range,
            Data::None | Data::Joined => return None,
        };
        let text = utf8(self.bytes().get(start..self.line_start)?).ok()?;
        let event = match &self.event_name {
            Some(range) if !range.is_empty() => field_of(text, start, range)?,
            _ => "message",
        };
        let id = match &self.id {
            Some(range) => Some(field_of(text, start, range)?),
            None => None,
        };
        Some(SseEvent {
            event,
            data: field_of(text, start, data)?,
            id,
        })
    }

    /// The event's fields, each validated as UTF-8 on its own.
    fn dispatch_fields(&self) -> Result<SseEvent<'_>> {
        let text = |range: &Range<usize>, what: &str| -> Result<&str> {
            let bytes = &self.bytes()[range.clone()];
            utf8(bytes).map_err(|_| invalid_utf8(what, bytes))
        };
        let data = match &self.data {
            Data::None => "",
            Data::InBuf(range) => text(range, "data")?,
            Data::Joined => utf8(&self.joined).map_err(|_| invalid_utf8("data", &self.joined))?,
        };
        let event = match &self.event_name {
            Some(range) if !range.is_empty() => text(range, "event")?,
            _ => "message",
        };
        let id = match &self.id {
            Some(range) => Some(text(range, "id")?),
            None => None,
        };
        Ok(SseEvent { event, data, id })
    }
}

/// The field at `range` of the buffer, in `text`, the event's lines from `start` on.
#[inline]
fn field_of<'a>(text: &'a str, start: usize, range: &Range<usize>) -> Option<&'a str> {
    text.get(range.start.checked_sub(start)?..range.end.checked_sub(start)?)
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

/// `bytes` as text. SIMD validation: the data of each event is validated once, and std's
/// byte-by-byte handling of unaligned heads and tails cost more than the scan for line ends.
fn utf8(bytes: &[u8]) -> std::result::Result<&str, simdutf8::basic::Utf8Error> {
    simdutf8::basic::from_utf8(bytes)
}

fn invalid_utf8(field: &str, bytes: &[u8]) -> Error {
    Error::unexpected_with_body(
        format!("the `{field}` field of a server-sent event is not valid UTF-8"),
        bytes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Owned {
        event: String,
        data: String,
        id: Option<String>,
    }

    fn owned(event: SseEvent<'_>) -> Owned {
        Owned {
            event: event.event.to_owned(),
            data: event.data.to_owned(),
            id: event.id.map(str::to_owned),
        }
    }

    fn ev(event: &str, data: &str) -> Owned {
        Owned {
            event: event.to_owned(),
            data: data.to_owned(),
            id: None,
        }
    }

    /// Decodes `input` pushed in the given chunks.
    fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Owned>> {
        let mut decoder = SseDecoder::new();
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.push(chunk);
            while let Some(event) = decoder.next_event()? {
                out.push(owned(event));
            }
        }
        if let Some(event) = decoder.finish()? {
            out.push(owned(event));
        }
        Ok(out)
    }

    /// As [`decode_chunks`], each chunk handed over as [`Bytes`] (read in place when
    /// nothing is pending); the decoder keeps no chunk once it waits for more bytes.
    fn decode_owned_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Owned>> {
        let mut decoder = SseDecoder::new();
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.push_bytes(Bytes::copy_from_slice(chunk));
            while let Some(event) = decoder.next_event()? {
                out.push(owned(event));
                // As the driver does once an event is applied.
                decoder.release_read();
            }
            assert!(decoder.chunk.is_empty(), "a chunk kept while waiting");
            assert!(decoder.rest.is_empty(), "a chunk's rest kept while waiting");
        }
        if let Some(event) = decoder.finish()? {
            out.push(owned(event));
        }
        Ok(out)
    }

    #[test]
    fn a_chunk_read_to_its_end_is_let_go_after_its_last_event() {
        let mut decoder = SseDecoder::new();
        decoder.push_bytes(Bytes::from_static(b"data: 1\n\ndata: 2\n\n"));
        let first = decoder.next_event().map(|e| e.map(|e| e.data.to_owned()));
        assert_eq!(first.ok().flatten().as_deref(), Some("1"));
        decoder.release_read();
        assert!(
            !decoder.chunk.is_empty(),
            "a chunk with an unread event is kept"
        );
        let second = decoder.next_event().map(|e| e.map(|e| e.data.to_owned()));
        assert_eq!(second.ok().flatten().as_deref(), Some("2"));
        decoder.release_read();
        assert!(
            decoder.chunk.is_empty(),
            "a chunk read to its end is let go"
        );
        assert_eq!(decoder.buffered(), 0);
        decoder.push_bytes(Bytes::from_static(b"data: 3\n\n"));
        let third = decoder.next_event().map(|e| e.map(|e| e.data.to_owned()));
        assert_eq!(third.ok().flatten().as_deref(), Some("3"));
        assert!(matches!(decoder.next_event(), Ok(None)));
    }

    fn decode(input: &[u8]) -> Vec<Owned> {
        decode_chunks([input]).unwrap()
    }

    /// Decodes `input` split at every possible pair of positions, and byte by byte; all must
    /// agree with the unsplit decoding.
    fn assert_split_invariant(input: &[u8]) -> Vec<Owned> {
        let whole = decode(input);
        let slow = decode_line_by_line(input, &[]);
        assert_eq!(slow, whole.iter().cloned().map(Ok).collect::<Vec<_>>());
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(decode_chunks(bytes).unwrap(), whole, "byte by byte");
        for i in 0..=input.len() {
            for j in i..=input.len() {
                let parts = [&input[..i], &input[i..j], &input[j..]];
                assert_eq!(decode_chunks(parts).unwrap(), whole, "split at {i}, {j}");
                assert_eq!(
                    decode_owned_chunks(parts).unwrap(),
                    whole,
                    "owned chunks split at {i}, {j}"
                );
            }
        }
        whole
    }

    #[test]
    fn decodes_openai_style_events() {
        let input = b"data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n";
        assert_eq!(
            assert_split_invariant(input),
            vec![
                ev("message", "{\"a\":1}"),
                ev("message", "{\"a\":2}"),
                ev("message", "[DONE]")
            ]
        );
    }

    #[test]
    fn crlf_cr_and_lf_line_ends_are_equivalent() {
        let expected = vec![ev("ping", "x"), ev("message", "y")];
        for input in [
            &b"event: ping\ndata: x\n\ndata: y\n\n"[..],
            b"event: ping\r\ndata: x\r\n\r\ndata: y\r\n\r\n",
            b"event: ping\rdata: x\r\rdata: y\r\r",
            b"event: ping\r\ndata: x\r\rdata: y\n\r\n",
        ] {
            assert_eq!(assert_split_invariant(input), expected, "{input:?}");
        }
    }

    #[test]
    fn comments_and_unknown_fields_are_ignored() {
        let input = b": keep-alive\n\n:another\nretry: 1000\nfoo: bar\ndata: x\n\n";
        assert_eq!(assert_split_invariant(input), vec![ev("message", "x")]);
    }

    #[test]
    fn multi_line_data_is_joined_with_newlines() {
        let input = b"data: first\ndata:second\ndata\ndata:  fourth\n\n";
        assert_eq!(
            assert_split_invariant(input),
            vec![ev("message", "first\nsecond\n\n fourth")]
        );
    }

    #[test]
    fn event_names_and_ids() {
        let input = b"event: message_start\nid: 7\ndata: {}\n\nevent:\ndata: plain\n\n";
        assert_eq!(
            assert_split_invariant(input),
            vec![
                Owned {
                    event: "message_start".into(),
                    data: "{}".into(),
                    id: Some("7".into())
                },
                ev("message", "plain")
            ]
        );
    }

    #[test]
    fn events_without_data_are_not_dispatched() {
        let input = b"event: ping\n\nid: 1\n\ndata: x\n\n";
        assert_eq!(assert_split_invariant(input), vec![ev("message", "x")]);
        // An empty data line is data.
        assert_eq!(decode(b"data:\n\n"), vec![ev("message", "")]);
    }

    #[test]
    fn byte_order_mark_is_stripped_once() {
        let input = b"\xEF\xBB\xBFdata: x\n\n\xEF\xBB\xBFdata: y\n\n";
        let events = assert_split_invariant(input);
        assert_eq!(events[0], ev("message", "x"));
        // A second BOM is not at the start of the stream: it is part of a field name.
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn utf8_split_across_chunks_is_whole() {
        let input = "data: héllo → 🌍\n\n".as_bytes();
        assert_eq!(
            assert_split_invariant(input),
            vec![ev("message", "héllo → 🌍")]
        );
    }

    #[test]
    fn invalid_utf8_is_an_error_with_the_bytes() {
        let mut decoder = SseDecoder::new();
        decoder.push(b"data: ab\xFFcd\n\ndata: ok\n\n");
        let err = decoder.next_event().unwrap_err();
        let Error::UnexpectedModelBehavior { message, body } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            message,
            "the `data` field of a server-sent event is not valid UTF-8"
        );
        assert_eq!(body.as_deref(), Some("ab\u{FFFD}cd"));
        // The decoder goes on with the next event.
        assert_eq!(
            decoder.next_event().unwrap().map(owned),
            Some(ev("message", "ok"))
        );
    }

    #[test]
    fn invalid_utf8_outside_the_fields_does_not_spoil_the_event() {
        // The whole event is validated at once on the fast path; a comment or an unknown
        // field that is not UTF-8 sends it to the field-by-field path, which ignores them.
        let input = b"event: e\n: \xFF\nretry: \xC3\ndata: x\nid: 1\n\n";
        assert_eq!(
            assert_split_invariant(input),
            vec![Owned {
                event: "e".into(),
                data: "x".into(),
                id: Some("1".into())
            }]
        );
        // A field that is not UTF-8 is still an error naming it.
        let mut decoder = SseDecoder::new();
        decoder.push(b"event: \xFF\ndata: x\n\n");
        let err = decoder.next_event().unwrap_err();
        assert!(err.to_string().contains("`event` field"), "{err}");
    }

    #[test]
    fn last_event_without_blank_line_is_finished() {
        assert_eq!(
            decode(b"data: a\n\ndata: [DONE]\n"),
            vec![ev("message", "a"), ev("message", "[DONE]")]
        );
        assert_eq!(decode(b"data: [DONE]"), vec![ev("message", "[DONE]")]);
        assert_eq!(decode(b"data: x\r"), vec![ev("message", "x")]);
        assert_eq!(decode(b": only a comment"), vec![]);
        assert_eq!(decode(b""), vec![]);
    }

    #[test]
    fn incomplete_events_wait_for_more_bytes() {
        let mut decoder = SseDecoder::new();
        decoder.push(b"data: x\n");
        assert_eq!(decoder.next_event().unwrap(), None);
        decoder.push(b"\n");
        assert_eq!(
            decoder.next_event().unwrap().map(owned),
            Some(ev("message", "x"))
        );
    }

    #[test]
    fn oversized_events_are_errors_not_unbounded_memory() {
        let mut decoder = SseDecoder::new().with_max_event_size(16);
        decoder.push(b"data: 0123456789abcdefghij");
        let err = decoder.next_event().unwrap_err();
        assert!(err.to_string().contains("larger than 16 bytes"), "{err}");
        // The rest of the oversized line is skipped, even when it looks like a field.
        decoder.push(b"klm\ndata: tail\n\ndata: small\n\n");
        let mut events = Vec::new();
        while let Some(event) = decoder.next_event().unwrap() {
            events.push(owned(event));
        }
        assert_eq!(events, vec![ev("message", "tail"), ev("message", "small")]);
    }

    #[test]
    fn a_long_line_is_scanned_once() {
        // 4 MiB in 1 KiB chunks: each byte is searched for a line end once, never again
        // when more of the line arrives.
        let payload = "x".repeat(4 << 20);
        let input = format!("data: {payload}\n\n");
        let mut decoder = SseDecoder::new();
        let mut found = 0;
        for chunk in input.as_bytes().chunks(1024) {
            decoder.push(chunk);
            while let Some(event) = decoder.next_event().unwrap() {
                assert_eq!(event.data.len(), payload.len());
                found += 1;
            }
            assert!(decoder.buffered() <= input.len());
        }
        assert_eq!(found, 1);
        assert_eq!(decoder.buffered(), 0);
        assert!(
            decoder.scanned <= input.len(),
            "{} > {}",
            decoder.scanned,
            input.len()
        );
    }

    #[test]
    fn pseudo_random_splits_agree() {
        let input =
            b"event: a\r\ndata: 1\r\n\r\n: c\ndata: 2\ndata: 3\n\nid: 9\ndata: \xC3\xA9\r\r";
        let whole = decode(input);
        assert_eq!(whole.len(), 3);
        let mut seed = 0x2545_f491_u64;
        for _ in 0..500 {
            let mut chunks = Vec::new();
            let mut rest = &input[..];
            while !rest.is_empty() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let n = usize::try_from(seed % 5).unwrap().min(rest.len());
                let (head, tail) = rest.split_at(n);
                chunks.push(head);
                rest = tail;
            }
            assert_eq!(decode_chunks(chunks.iter().copied()).unwrap(), whole);
            assert_eq!(decode_owned_chunks(chunks).unwrap(), whole);
        }
    }

    /// Decodes `input` in the given chunks, keeping errors as values instead of stopping.
    fn decode_lenient(input: &[u8], cuts: &[usize], max: usize) -> Vec<Result<Owned, String>> {
        decode_lenient_with(SseDecoder::new().with_max_event_size(max), input, cuts)
    }

    /// As [`decode_lenient`], every event read line by line, without the fast path.
    fn decode_line_by_line(input: &[u8], cuts: &[usize]) -> Vec<Result<Owned, String>> {
        let mut decoder = SseDecoder::new();
        decoder.line_by_line = true;
        decode_lenient_with(decoder, input, cuts)
    }

    fn decode_lenient_with(
        mut decoder: SseDecoder,
        input: &[u8],
        cuts: &[usize],
    ) -> Vec<Result<Owned, String>> {
        let mut out = Vec::new();
        let mut start = 0;
        for (n, &cut) in cuts.iter().chain(std::iter::once(&input.len())).enumerate() {
            // Copied and read in place in turn, so that both and their mixes are covered.
            if n % 2 == 0 {
                decoder.push(&input[start..cut]);
            } else {
                decoder.push_bytes(Bytes::copy_from_slice(&input[start..cut]));
            }
            start = cut;
            loop {
                match decoder.next_event() {
                    Ok(Some(event)) => out.push(Ok(owned(event))),
                    Ok(None) => break,
                    Err(err) => out.push(Err(err.to_string())),
                }
            }
        }
        match decoder.finish() {
            Ok(Some(event)) => out.push(Ok(owned(event))),
            Ok(None) => {}
            Err(err) => out.push(Err(err.to_string())),
        }
        out
    }

    #[test]
    fn arbitrary_input_never_panics_and_splits_never_matter() {
        // Inputs drawn from the bytes that matter to the grammar (and broken UTF-8), cut at
        // random places: decoding never panics, and gives the same events and errors as the
        // whole input does (as long as no size bound is hit).
        const ALPHABET: &[&[u8]] = &[
            b"data",
            b"event",
            b"id",
            b":",
            b" ",
            b"\r",
            b"\n",
            b"x",
            b"\xC3",
            b"\xA9",
            b"\xFF",
            b"\xEF\xBB\xBF",
            b"\0",
            b"retry",
            b"data: ",
            b"event:",
            b"\n\n",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pick = |n: u64, len: usize| usize::try_from(n).unwrap() % len;
        for _ in 0..2000 {
            let mut input = Vec::new();
            for _ in 0..pick(next(), 40) {
                input.extend_from_slice(ALPHABET[pick(next(), ALPHABET.len())]);
            }
            let mut cuts: Vec<usize> = (0..pick(next(), 6))
                .map(|_| pick(next(), input.len() + 1))
                .collect();
            cuts.sort_unstable();
            let whole = decode_lenient(&input, &[], usize::MAX);
            // The fast path reads every event as the line-by-line path does.
            assert_eq!(decode_line_by_line(&input, &cuts), whole, "{input:?}");
            assert_eq!(
                decode_lenient(&input, &cuts, usize::MAX),
                whole,
                "{input:?} cut at {cuts:?}"
            );
            // With a tiny bound, errors come instead of events, still without a panic.
            let _ = decode_lenient(&input, &cuts, 8);
        }
    }
}
