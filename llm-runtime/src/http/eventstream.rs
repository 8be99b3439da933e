//! AWS event stream: [`EventStreamDecoder`] turns the bytes of an
//! `application/vnd.amazon.eventstream` body (Bedrock's `ConverseStream`) into
//! [`EventStreamMessage`]s, and [`encode_message`] writes one.
//!
//! Each message is a frame of binary fields, all integers big-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 4 | total length of the message, these 4 bytes and the final CRC included |
//! | 4 | length of the headers |
//! | 4 | CRC32 of the 8 bytes before it (the *prelude* is these 12 bytes) |
//! | … | headers: name length (u8), name (UTF-8), value type (u8), value |
//! | … | payload (for Bedrock, a JSON object) |
//! | 4 | CRC32 of every byte of the message before it |
//!
//! The value types are those of [`HeaderValue`], in its order (`0` true … `9` UUID). The
//! bounds are those of the AWS implementations (`aws-c-event-stream`'s
//! `AWS_EVENT_STREAM_MAX_MESSAGE_SIZE` and `AWS_EVENT_STREAM_MAX_HEADERS_SIZE`, botocore's
//! `eventstream.py`): a message of at most [`DEFAULT_MAX_MESSAGE_SIZE`] bytes, headers of at
//! most [`MAX_HEADERS_SIZE`]. The CRC is CRC-32/ISO-HDLC, the one of zlib and Ethernet.
//!
//! The decoder is pure (bytes in, messages out, no I/O). It reads a message's length from its
//! prelude, checks it before buffering the rest, and then only waits until that many bytes are
//! there: each byte is checksummed once, however the body is split into chunks (the message
//! CRC goes on from the prelude's). The driver's chunks are read in place: only the start of
//! a message a chunk ends inside is copied, to be completed by the next.

use std::sync::OnceLock;

use bytes::Bytes;

use crate::error::{Error, Result};

mod headers;

pub use headers::HeaderValue;
use headers::{
    block_text, known_index, read_headers, Header, Known, TYPE_BYTE, TYPE_BYTES, TYPE_FALSE,
    TYPE_INT, TYPE_LONG, TYPE_SHORT, TYPE_STRING, TYPE_TIMESTAMP, TYPE_TRUE, TYPE_UUID,
};

/// The default bound on the total size of one message, in bytes (16 MiB, as AWS's own
/// decoders have it).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

/// The bound on the headers of one message, in bytes (128 KiB, as AWS's own decoders have it).
pub const MAX_HEADERS_SIZE: usize = 128 * 1024;

/// Total length, headers length and prelude CRC.
const PRELUDE_LEN: usize = 12;
/// The message CRC that ends each message.
const CRC_LEN: usize = 4;
/// A message without headers or payload.
const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + CRC_LEN;

/// One message of an event stream, borrowed from the decoder's buffer.
///
/// For Bedrock, its `:message-type` header is `event` (then `:event-type` names the event) or
/// `exception` (then `:exception-type` names it), and its payload is JSON.
#[derive(Clone)]
pub struct EventStreamMessage<'a> {
    /// The header block, checked whole when the message was decoded.
    block: &'a [u8],
    /// The block as text, when it is UTF-8 as a whole.
    text: Option<&'a str>,
    /// The headers as a list, made the first time [`headers`](Self::headers) or
    /// [`header`](Self::header) asks for it: [`header_str`](Self::header_str), which is what
    /// reading a stream needs, finds its header in the block.
    listed: OnceLock<Vec<Header<'a>>>,
    /// Where the protocol's own headers (`:message-type`, `:event-type`…) are in `text`,
    /// noted by the walk that checked the block (`None` for a block that is not UTF-8 as a
    /// whole, or not one that walk accepts: then they are found by a walk over the block).
    known: Option<Known>,
    payload: &'a [u8],
    /// The payload as text, when it is UTF-8 (checked in the same pass as the headers).
    payload_text: Option<&'a str>,
}

impl<'a> EventStreamMessage<'a> {
    /// The headers, in the order they were sent (a name sent twice is there twice).
    pub fn headers(&self) -> &[(&'a str, HeaderValue<'a>)] {
        self.listed.get_or_init(|| {
            let mut headers = Vec::new();
            // The block was read whole when the message was decoded: this cannot fail.
            let _ = read_headers(self.block, self.text, |name, value| {
                headers.push((name, value));
            });
            headers
        })
    }

    /// The value of the first header named `name`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue<'a>> {
        self.headers()
            .iter()
            .find(|(header, _)| *header == name)
            .map(|(_, value)| value)
    }

    /// The text of the first header named `name`, when it is string-typed.
    #[inline]
    pub fn header_str(&self, name: &str) -> Option<&'a str> {
        if let (Some(known), Some(text), Some(index)) =
            (self.known, self.text, known_index(name.as_bytes()))
        {
            return known.get(text, index);
        }
        headers::find(self.block, self.text, name).and_then(|value| value.as_str())
    }

    /// The text of the first header of each name of `names`, as
    /// [`header_str`](Self::header_str) gives it: the protocol's own headers are where the
    /// check of the block noted them, the others are found in one walk over the headers.
    #[inline]
    pub(crate) fn header_strs<const N: usize>(&self, names: [&str; N]) -> [Option<&'a str>; N] {
        if let (Some(known), Some(text)) = (self.known, self.text) {
            let indexes = names.map(|name| known_index(name.as_bytes()));
            if indexes.iter().all(Option::is_some) {
                return indexes.map(|index| index.and_then(|index| known.get(text, index)));
            }
        }
        headers::find_each(self.block, self.text, names)
            .map(|value| value.and_then(|value| value.as_str()))
    }

    /// The payload: the bytes between the headers and the message CRC.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The payload as text, `None` when it is not UTF-8: checked when the message was
    /// decoded, in one pass with the header block (both are text in Bedrock's messages).
    #[inline]
    pub(crate) fn payload_str(&self) -> Option<&'a str> {
        self.payload_text
    }
}

/// Two messages are equal when their headers and payloads are (a header block is the one
/// encoding of its headers).
impl PartialEq for EventStreamMessage<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.block == other.block && self.payload == other.payload
    }
}

impl Eq for EventStreamMessage<'_> {}

impl std::fmt::Debug for EventStreamMessage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStreamMessage")
            .field("headers", &self.headers())
            .field("payload", &self.payload)
            .finish()
    }
}

/// What the prelude of the message being read says, once its CRC and lengths were checked.
#[derive(Debug, Clone, Copy)]
struct Prelude {
    total_len: usize,
    headers_len: usize,
    /// The CRC of the first 8 bytes, from which the message CRC goes on.
    crc: u32,
}

/// An incremental decoder of AWS event streams.
///
/// Feed it the body's chunks with [`push`](Self::push), take the complete messages with
/// [`next_message`](Self::next_message) until it returns `None`, and at the end of the body
/// call [`finish`](Self::finish), which says whether the body stopped between two messages.
///
/// ```
/// use llm_runtime::http::eventstream::{encode_message, EventStreamDecoder, HeaderValue};
///
/// let frame = encode_message(
///     &[(":event-type", HeaderValue::String("messageStart"))],
///     br#"{"role":"assistant"}"#,
/// );
/// let mut decoder = EventStreamDecoder::new();
/// let (head, tail) = frame.split_at(10);
/// decoder.push(head);
/// assert!(decoder.next_message()?.is_none()); // the message is not complete yet
/// decoder.push(tail);
/// let message = decoder.next_message()?.expect("a whole message");
/// assert_eq!(message.header_str(":event-type"), Some("messageStart"));
/// assert_eq!(message.payload(), br#"{"role":"assistant"}"#);
/// assert!(decoder.next_message()?.is_none());
/// decoder.finish()?;
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// A message borrows the decoder, so it must be used before the next call. Its header block
/// is checked whole when it is decoded, and [`header_str`](EventStreamMessage::header_str)
/// finds a header in it; names, strings, byte arrays and the payload are borrowed.
///
/// A corrupt message CRC or header spoils one message: it is reported and decoding goes on
/// with the next, whose place the prelude gave. A corrupt prelude loses the framing: it is
/// reported, the buffer is dropped, and every later call fails (and pushed bytes are
/// dropped), since nothing after it can be found again.
#[derive(Debug, Clone)]
pub struct EventStreamDecoder {
    /// Bytes kept from earlier chunks: the start of a message a chunk ended inside (and
    /// whatever [`push`](Self::push) appended).
    buf: Vec<u8>,
    /// Start of the first message in `buf` not yet handed out.
    start: usize,
    /// The chunk given to `push_bytes`, read in place: its messages are decoded where they
    /// are, and only a message it ends inside is copied to `buf`. The stream goes on from
    /// `buf[start..]` to `chunk[chunk_start..]`.
    chunk: Bytes,
    /// Start of what was not read of `chunk`.
    chunk_start: usize,
    /// The checked prelude of the next message, once its 12 bytes arrived.
    prelude: Option<Prelude>,
    /// A prelude was corrupt: the stream cannot be decoded any further.
    broken: bool,
    /// The largest message accepted, in bytes.
    max_message_size: usize,
    /// How many bytes were checksummed (tests prove each byte is checksummed once).
    #[cfg(test)]
    checksummed: usize,
}

impl Default for EventStreamDecoder {
    fn default() -> Self {
        EventStreamDecoder::new()
    }
}

impl EventStreamDecoder {
    /// A decoder at the start of a stream, accepting messages of up to
    /// [`DEFAULT_MAX_MESSAGE_SIZE`] bytes.
    pub fn new() -> Self {
        EventStreamDecoder {
            buf: Vec::new(),
            start: 0,
            chunk: Bytes::new(),
            chunk_start: 0,
            prelude: None,
            broken: false,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            #[cfg(test)]
            checksummed: 0,
        }
    }

    /// This decoder with another bound on the total size of one message; a prelude that
    /// declares a larger one is an [`Error::UnexpectedModelBehavior`], found before the
    /// message is buffered.
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Appends a chunk of the body. Chunks may split a message anywhere.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.broken {
            return;
        }
        self.keep_chunk_rest();
        self.compact();
        self.buf.extend_from_slice(chunk);
    }

    /// Appends a chunk of the body without copying it: the messages it holds whole are
    /// decoded in place, and only the start of a message it ends inside is kept (copied)
    /// once they were taken. Chunks may split a message anywhere.
    pub(crate) fn push_bytes(&mut self, chunk: Bytes) {
        if self.broken {
            return;
        }
        self.keep_chunk_rest();
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        self.chunk = chunk;
    }

    /// Moves what was not read of the chunk to `buf`, and lets the chunk go.
    fn keep_chunk_rest(&mut self) {
        if self.chunk_start < self.chunk.len() {
            self.compact();
            let rest = self.chunk.get(self.chunk_start..).unwrap_or_default();
            self.buf.extend_from_slice(rest);
        }
        self.chunk = Bytes::new();
        self.chunk_start = 0;
    }

    /// Drops the bytes of `buf` that were handed out.
    fn compact(&mut self) {
        if self.start > 0 {
            // Only the start of the message being read (or unread messages) moves.
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// Whether the first `len` bytes of the next message are in one place: in the chunk,
    /// when nothing is kept in `buf`; else in `buf`, topped up from the chunk (with those
    /// bytes only).
    fn contiguous(&mut self, len: usize) -> bool {
        let kept = self.buf.len().saturating_sub(self.start);
        let unread = self.chunk.get(self.chunk_start..).unwrap_or_default();
        if kept == 0 {
            return unread.len() >= len;
        }
        if kept < len {
            let (take, _) = unread.split_at(unread.len().min(len - kept));
            self.buf.extend_from_slice(take);
            self.chunk_start += take.len();
        }
        self.buf.len() - self.start >= len
    }

    /// The next complete message in what was pushed, or `None` until more bytes arrive.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`], saying what is wrong, for a corrupt message: a
    /// prelude or message CRC that does not match, a total length below the 16 bytes of an
    /// empty message or above the bound, a headers length past the end of the message or
    /// above [`MAX_HEADERS_SIZE`], a header that runs past the headers, an unknown header value
    /// type, a header name or string value that is not UTF-8. After an error in the message
    /// or its headers, the decoder goes on with the next message; after an error in the
    /// prelude, every call fails.
    pub fn next_message(&mut self) -> Result<Option<EventStreamMessage<'_>>> {
        if self.prelude.is_none() && !self.broken && self.start == self.buf.len() {
            // The usual case, nothing kept from an earlier chunk: the chunk is read in place,
            // and when it holds the next message whole, that message is decoded at once.
            let unread = self.chunk.get(self.chunk_start..).unwrap_or_default();
            let available = unread.len();
            if let Some(bytes) = unread.first_chunk::<PRELUDE_LEN>() {
                let prelude = match check_prelude(bytes, self.max_message_size) {
                    Ok(prelude) => prelude,
                    Err(err) => {
                        self.break_framing();
                        return Err(err);
                    }
                };
                #[cfg(test)]
                {
                    self.checksummed += PRELUDE_LEN - CRC_LEN;
                }
                if available < prelude.total_len {
                    // Kept until the rest of the message arrives.
                    self.prelude = Some(prelude);
                } else {
                    #[cfg(test)]
                    {
                        self.checksummed += prelude.total_len - PRELUDE_LEN;
                    }
                    let start = self.chunk_start;
                    self.chunk_start += prelude.total_len;
                    let frame = self.chunk.get(start..self.chunk_start);
                    return decode_frame(frame.unwrap_or_default(), prelude);
                }
            }
        }
        let Some(prelude) = self.prelude()? else {
            self.keep_chunk_rest();
            return Ok(None);
        };
        if !self.contiguous(prelude.total_len) {
            self.keep_chunk_rest();
            return Ok(None);
        }
        self.prelude = None;
        #[cfg(test)]
        {
            self.checksummed += prelude.total_len - PRELUDE_LEN;
        }
        let frame = if self.start < self.buf.len() {
            let start = self.start;
            self.start += prelude.total_len;
            self.buf.get(start..self.start)
        } else {
            let start = self.chunk_start;
            self.chunk_start += prelude.total_len;
            self.chunk.get(start..self.chunk_start)
        };
        decode_frame(frame.unwrap_or_default(), prelude)
    }

    /// Whether a whole message is buffered, so that [`next_message`](Self::next_message) will
    /// return it (or its error): a look that costs no checksum of the message, and copies no
    /// byte that `next_message` would not have copied.
    ///
    /// # Errors
    /// As `next_message`, for a corrupt prelude.
    pub fn has_message(&mut self) -> Result<bool> {
        let Some(prelude) = self.prelude()? else {
            return Ok(false);
        };
        Ok(self.contiguous(prelude.total_len))
    }

    /// Ends the stream: `Ok` when the body stopped between two messages. Call it once
    /// [`next_message`](Self::next_message) returned `None`.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] with the bytes left when the body ended inside a
    /// message (or its prelude is corrupt, or an earlier one was); [`Error::User`] when a
    /// whole message is still there, not taken with `next_message`.
    pub fn finish(&mut self) -> Result<()> {
        let rest = self.buffered();
        if rest > 0 && rest < PRELUDE_LEN {
            return Err(Error::unexpected_with_body(
                format!(
                    "the event stream ended inside the prelude of a message \
                     ({rest} of its {PRELUDE_LEN} bytes)"
                ),
                self.rest(),
            ));
        }
        let Some(prelude) = self.prelude()? else {
            return Ok(());
        };
        if rest < prelude.total_len {
            return Err(Error::unexpected_with_body(
                format!(
                    "the event stream ended inside a message ({rest} of its {} bytes)",
                    prelude.total_len
                ),
                self.rest(),
            ));
        }
        Err(Error::user(
            "an event-stream message was left unread: call `next_message` until it returns \
             `None` before `finish`",
        ))
    }

    /// How many bytes are buffered (the message being read, and any not taken yet).
    pub fn buffered(&self) -> usize {
        let unread = self.chunk.len().saturating_sub(self.chunk_start);
        self.buf.len().saturating_sub(self.start) + unread
    }

    /// Every byte buffered, in one place (for errors).
    fn rest(&mut self) -> &[u8] {
        self.keep_chunk_rest();
        self.buf.get(self.start..).unwrap_or_default()
    }

    /// The prelude of the message at `start`: `None` until its 12 bytes are there, then
    /// checked once and kept until the message is handed out.
    fn prelude(&mut self) -> Result<Option<Prelude>> {
        if self.broken {
            return Err(Error::unexpected(
                "the event stream cannot be read past a corrupt message prelude",
            ));
        }
        if self.prelude.is_some() {
            return Ok(self.prelude);
        }
        if !self.contiguous(PRELUDE_LEN) {
            return Ok(None);
        }
        let next = if self.start < self.buf.len() {
            self.buf.get(self.start..)
        } else {
            self.chunk.get(self.chunk_start..)
        };
        let Some(bytes) = next.and_then(<[u8]>::first_chunk::<PRELUDE_LEN>) else {
            return Ok(None);
        };
        #[cfg(test)]
        {
            self.checksummed += PRELUDE_LEN - CRC_LEN;
        }
        match check_prelude(bytes, self.max_message_size) {
            Ok(prelude) => {
                self.prelude = Some(prelude);
                Ok(self.prelude)
            }
            Err(err) => {
                self.break_framing();
                Err(err)
            }
        }
    }

    /// A prelude was corrupt: drops every byte, and refuses every later call.
    fn break_framing(&mut self) {
        self.broken = true;
        self.buf = Vec::new();
        self.start = 0;
        self.chunk = Bytes::new();
        self.chunk_start = 0;
    }
}

/// Checks the prelude's CRC, then the lengths it declares (inlined in the decoder's loop:
/// the usual prelude passes every check, and only a corrupt one is described, by
/// [`prelude_error`]). Forced inline: at its two call sites a call cost as much as the checks.
#[inline(always)]
fn check_prelude(bytes: &[u8; PRELUDE_LEN], max_message_size: usize) -> Result<Prelude> {
    let [t0, t1, t2, t3, h0, h1, h2, h3, c0, c1, c2, c3] = *bytes;
    let computed = crc32(&bytes[..8]);
    // A u32 fits in usize on every platform this crate builds for; saturate otherwise.
    let to_usize = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    let total_len = to_usize(u32::from_be_bytes([t0, t1, t2, t3]));
    let headers_len = to_usize(u32::from_be_bytes([h0, h1, h2, h3]));
    if computed == u32::from_be_bytes([c0, c1, c2, c3])
        && (MIN_MESSAGE_LEN..=max_message_size).contains(&total_len)
        && headers_len <= total_len - MIN_MESSAGE_LEN
        && headers_len <= MAX_HEADERS_SIZE
    {
        return Ok(Prelude {
            total_len,
            headers_len,
            crc: computed,
        });
    }
    Err(prelude_error(bytes, max_message_size))
}

/// What is wrong with a prelude [`check_prelude`] refused: its CRC, then the lengths it
/// declares, in that order.
#[cold]
#[inline(never)]
fn prelude_error(bytes: &[u8; PRELUDE_LEN], max_message_size: usize) -> Error {
    let [t0, t1, t2, t3, h0, h1, h2, h3, c0, c1, c2, c3] = *bytes;
    let computed = crc32(&[t0, t1, t2, t3, h0, h1, h2, h3]);
    let declared = u32::from_be_bytes([c0, c1, c2, c3]);
    let corrupt = |message: String| Error::unexpected_with_body(message, bytes);
    if computed != declared {
        return corrupt(format!(
            "an event-stream message prelude has a bad CRC \
             (computed {computed:#010x}, the prelude says {declared:#010x})"
        ));
    }
    let to_usize = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    let total_len = to_usize(u32::from_be_bytes([t0, t1, t2, t3]));
    let headers_len = to_usize(u32::from_be_bytes([h0, h1, h2, h3]));
    if total_len < MIN_MESSAGE_LEN {
        return corrupt(format!(
            "an event-stream message declares a total length of {total_len} bytes, \
             less than the {MIN_MESSAGE_LEN} of an empty message"
        ));
    }
    if total_len > max_message_size {
        return corrupt(format!(
            "an event-stream message declares a total length of {total_len} bytes, \
             more than the maximum of {max_message_size}"
        ));
    }
    if headers_len > total_len - MIN_MESSAGE_LEN {
        return corrupt(format!(
            "an event-stream message declares {headers_len} bytes of headers, \
             past the end of its {total_len} bytes"
        ));
    }
    corrupt(format!(
        "an event-stream message declares {headers_len} bytes of headers, \
         more than the maximum of {MAX_HEADERS_SIZE}"
    ))
}

/// Checks the message CRC of a whole frame, then reads its headers. It returns the type
/// [`EventStreamDecoder::next_message`] does, so that the message is written once, in the
/// caller's place (a conversion from `Result<EventStreamMessage>` copied its ~140 bytes).
fn decode_frame(frame: &[u8], prelude: Prelude) -> Result<Option<EventStreamMessage<'_>>> {
    let Some((covered, crc)) = frame.split_last_chunk::<CRC_LEN>() else {
        return Err(Error::unexpected_with_body(
            "an event-stream message is shorter than its prelude says",
            frame,
        ));
    };
    // The CRC of the first 8 bytes is known: go on from it over the prelude CRC and the rest.
    let mut hasher = crc32fast::Hasher::new_with_initial(prelude.crc);
    hasher.update(covered.get(PRELUDE_LEN - CRC_LEN..).unwrap_or_default());
    let computed = hasher.finalize();
    let declared = u32::from_be_bytes(*crc);
    if computed != declared {
        return Err(Error::unexpected_with_body(
            format!(
                "an event-stream message has a bad CRC \
                 (computed {computed:#010x}, the message says {declared:#010x})"
            ),
            frame,
        ));
    }
    let Some((headers, payload)) = covered
        .get(PRELUDE_LEN..)
        .and_then(|rest| rest.split_at_checked(prelude.headers_len))
    else {
        return Err(Error::unexpected_with_body(
            "an event-stream message is shorter than its headers length says",
            frame,
        ));
    };
    // The usual message, headers and payload both UTF-8, is checked in one pass; any other
    // has its block and its payload checked apart.
    let (text, payload_text) = match covered.get(PRELUDE_LEN..).and_then(utf8) {
        Some(both) => match (both.get(..headers.len()), both.get(headers.len()..)) {
            (Some(text), Some(payload_text)) => (Some(text), Some(payload_text)),
            _ => (block_text(headers), utf8(payload)),
        },
        None => (block_text(headers), utf8(payload)),
    };
    // The usual block (UTF-8, every header whole) is checked by a walk over it, which notes
    // where the protocol's headers are; any other is read header by header, which finds what
    // is wrong with it.
    let known = text.and_then(headers::scan);
    if known.is_none() {
        read_headers(headers, text, |_, _| {})?;
    }
    Ok(Some(EventStreamMessage {
        block: headers,
        text,
        listed: OnceLock::new(),
        known,
        payload,
        payload_text,
    }))
}

/// `bytes` as text, when they are UTF-8 (SIMD validation).
fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

/// CRC-32/ISO-HDLC (zlib's), the checksum of event-stream messages.
fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// Encodes one message (for tests of code that reads event streams, ours and users').
///
/// ```
/// use llm_runtime::http::eventstream::{encode_message, EventStreamDecoder, HeaderValue};
///
/// let bytes = encode_message(&[("n", HeaderValue::Int(7))], b"{}");
/// assert_eq!(bytes.len(), 12 + (1 + 1 + 1 + 4) + 2 + 4);
/// let mut decoder = EventStreamDecoder::new();
/// decoder.push(&bytes);
/// let message = decoder.next_message()?.expect("a whole message");
/// assert_eq!(message.header("n"), Some(&HeaderValue::Int(7)));
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// # Panics
/// When the input cannot be encoded: a header name over 255 bytes, a string or byte value over
/// 65,535, or a message over 4 GiB. These are the caller's own values, never received data.
pub fn encode_message(headers: &[(&str, HeaderValue<'_>)], payload: &[u8]) -> Vec<u8> {
    fn sized(bytes: &[u8]) -> Vec<u8> {
        let len = u16::try_from(bytes.len())
            .unwrap_or_else(|_| panic!("event-stream header value of {} bytes", bytes.len()));
        [&len.to_be_bytes(), bytes].concat()
    }
    let mut block = Vec::new();
    for (name, value) in headers {
        let name_len = u8::try_from(name.len())
            .unwrap_or_else(|_| panic!("event-stream header name of {} bytes", name.len()));
        block.push(name_len);
        block.extend_from_slice(name.as_bytes());
        let (value_type, bytes) = match *value {
            HeaderValue::Bool(true) => (TYPE_TRUE, Vec::new()),
            HeaderValue::Bool(false) => (TYPE_FALSE, Vec::new()),
            HeaderValue::Byte(n) => (TYPE_BYTE, n.to_be_bytes().to_vec()),
            HeaderValue::Short(n) => (TYPE_SHORT, n.to_be_bytes().to_vec()),
            HeaderValue::Int(n) => (TYPE_INT, n.to_be_bytes().to_vec()),
            HeaderValue::Long(n) => (TYPE_LONG, n.to_be_bytes().to_vec()),
            HeaderValue::Bytes(bytes) => (TYPE_BYTES, sized(bytes)),
            HeaderValue::String(text) => (TYPE_STRING, sized(text.as_bytes())),
            HeaderValue::Timestamp(ms) => (TYPE_TIMESTAMP, ms.to_be_bytes().to_vec()),
            HeaderValue::Uuid(uuid) => (TYPE_UUID, uuid.to_vec()),
        };
        block.push(value_type);
        block.extend_from_slice(&bytes);
    }
    let total_len = MIN_MESSAGE_LEN + block.len() + payload.len();
    let as_u32 =
        |n: usize| u32::try_from(n).unwrap_or_else(|_| panic!("event-stream message of {n} bytes"));
    let mut out = Vec::with_capacity(total_len);
    out.extend_from_slice(&as_u32(total_len).to_be_bytes());
    out.extend_from_slice(&as_u32(block.len()).to_be_bytes());
    out.extend_from_slice(&crc32(&out).to_be_bytes());
    out.extend_from_slice(&block);
    out.extend_from_slice(payload);
    out.extend_from_slice(&crc32(&out).to_be_bytes());
    out
}

#[cfg(test)]
mod tests;
