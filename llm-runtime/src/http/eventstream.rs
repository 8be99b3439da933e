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
//! CRC goes on from the prelude's).

use crate::error::{Error, Result};

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

const TYPE_TRUE: u8 = 0;
const TYPE_FALSE: u8 = 1;
const TYPE_BYTE: u8 = 2;
const TYPE_SHORT: u8 = 3;
const TYPE_INT: u8 = 4;
const TYPE_LONG: u8 = 5;
const TYPE_BYTES: u8 = 6;
const TYPE_STRING: u8 = 7;
const TYPE_TIMESTAMP: u8 = 8;
const TYPE_UUID: u8 = 9;

/// The value of one header of an event-stream message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderValue<'a> {
    /// Types `0` (true) and `1` (false): no value bytes.
    Bool(bool),
    /// Type `2`: a signed byte.
    Byte(i8),
    /// Type `3`: a signed 16-bit integer.
    Short(i16),
    /// Type `4`: a signed 32-bit integer.
    Int(i32),
    /// Type `5`: a signed 64-bit integer.
    Long(i64),
    /// Type `6`: bytes, at most `u16::MAX` of them.
    Bytes(&'a [u8]),
    /// Type `7`: UTF-8 text, at most `u16::MAX` bytes (`:event-type`, `:message-type`…).
    String(&'a str),
    /// Type `8`: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type `9`: a UUID, as its 16 bytes.
    Uuid([u8; 16]),
}

impl<'a> HeaderValue<'a> {
    /// The text of a string-typed value; `None` for every other type.
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            HeaderValue::String(text) => Some(text),
            _ => None,
        }
    }
}

/// One message of an event stream, borrowed from the decoder's buffer.
///
/// For Bedrock, its `:message-type` header is `event` (then `:event-type` names the event) or
/// `exception` (then `:exception-type` names it), and its payload is JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventStreamMessage<'a> {
    headers: Headers<'a>,
    payload: &'a [u8],
}

/// How many headers a message holds without an allocation: Bedrock sends three
/// (`:event-type`, `:content-type`, `:message-type`), and a vector per message cost an
/// allocation and a free per event.
const INLINE_HEADERS: usize = 4;

/// One header: its name and value.
type Header<'a> = (&'a str, HeaderValue<'a>);

/// The headers of a message: inline up to [`INLINE_HEADERS`], else in a vector.
#[derive(Clone)]
enum Headers<'a> {
    Inline {
        len: usize,
        items: [Header<'a>; INLINE_HEADERS],
    },
    Heap(Vec<Header<'a>>),
}

impl<'a> Headers<'a> {
    fn new() -> Self {
        Headers::Inline {
            len: 0,
            items: [("", HeaderValue::Bool(false)); INLINE_HEADERS],
        }
    }

    fn push(&mut self, header: Header<'a>) {
        match self {
            Headers::Inline { len, items } => match items.get_mut(*len) {
                Some(slot) => {
                    *slot = header;
                    *len += 1;
                }
                None => {
                    let mut heap = Vec::with_capacity(INLINE_HEADERS * 2);
                    heap.extend_from_slice(items);
                    heap.push(header);
                    *self = Headers::Heap(heap);
                }
            },
            Headers::Heap(heap) => heap.push(header),
        }
    }

    fn as_slice(&self) -> &[Header<'a>] {
        match self {
            Headers::Inline { len, items } => items.get(..*len).unwrap_or_default(),
            Headers::Heap(heap) => heap,
        }
    }
}

impl PartialEq for Headers<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Headers<'_> {}

impl std::fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl<'a> EventStreamMessage<'a> {
    /// The headers, in the order they were sent (a name sent twice is there twice).
    pub fn headers(&self) -> &[(&'a str, HeaderValue<'a>)] {
        self.headers.as_slice()
    }

    /// The value of the first header named `name`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue<'a>> {
        self.headers
            .as_slice()
            .iter()
            .find(|(header, _)| *header == name)
            .map(|(_, value)| value)
    }

    /// The text of the first header named `name`, when it is string-typed.
    pub fn header_str(&self, name: &str) -> Option<&'a str> {
        self.header(name).and_then(HeaderValue::as_str)
    }

    /// The payload: the bytes between the headers and the message CRC.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
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
/// A message borrows the decoder, so it must be used before the next call. Its headers are
/// held inline (in a vector past four of them); names, strings, byte arrays and the payload
/// are borrowed.
///
/// A corrupt message CRC or header spoils one message: it is reported and decoding goes on
/// with the next, whose place the prelude gave. A corrupt prelude loses the framing: it is
/// reported, the buffer is dropped, and every later call fails (and pushed bytes are
/// dropped), since nothing after it can be found again.
#[derive(Debug, Clone)]
pub struct EventStreamDecoder {
    /// Bytes received and not yet discarded.
    buf: Vec<u8>,
    /// Start of the first message not yet handed out.
    start: usize,
    /// The checked prelude of the message at `start`, once its 12 bytes arrived.
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
        if self.start > 0 {
            // Only the start of the message being read (or unread messages) moves.
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
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
        let Some(prelude) = self.prelude()? else {
            return Ok(None);
        };
        let end = self.start.saturating_add(prelude.total_len);
        if self.buf.len() < end {
            return Ok(None);
        }
        let start = std::mem::replace(&mut self.start, end);
        self.prelude = None;
        #[cfg(test)]
        {
            self.checksummed += prelude.total_len - PRELUDE_LEN;
        }
        let frame = self.buf.get(start..end).unwrap_or_default();
        decode_frame(frame, prelude).map(Some)
    }

    /// Whether a whole message is buffered, so that [`next_message`](Self::next_message) will
    /// return it (or its error): a look that costs no copy and no checksum of the message.
    ///
    /// # Errors
    /// As `next_message`, for a corrupt prelude.
    pub fn has_message(&mut self) -> Result<bool> {
        let Some(prelude) = self.prelude()? else {
            return Ok(false);
        };
        Ok(self.buffered() >= prelude.total_len)
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
        self.buf.len().saturating_sub(self.start)
    }

    fn rest(&self) -> &[u8] {
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
        let Some(bytes) = self
            .buf
            .get(self.start..)
            .and_then(<[u8]>::first_chunk::<PRELUDE_LEN>)
        else {
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
                self.broken = true;
                self.buf = Vec::new();
                self.start = 0;
                Err(err)
            }
        }
    }
}

/// Checks the prelude's CRC, then the lengths it declares.
fn check_prelude(bytes: &[u8; PRELUDE_LEN], max_message_size: usize) -> Result<Prelude> {
    let [t0, t1, t2, t3, h0, h1, h2, h3, c0, c1, c2, c3] = *bytes;
    let computed = crc32(&[t0, t1, t2, t3, h0, h1, h2, h3]);
    let declared = u32::from_be_bytes([c0, c1, c2, c3]);
    let corrupt = |message: String| Err(Error::unexpected_with_body(message, bytes));
    if computed != declared {
        return corrupt(format!(
            "an event-stream message prelude has a bad CRC \
             (computed {computed:#010x}, the prelude says {declared:#010x})"
        ));
    }
    // A u32 fits in usize on every platform this crate builds for; saturate otherwise.
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
    if headers_len > MAX_HEADERS_SIZE {
        return corrupt(format!(
            "an event-stream message declares {headers_len} bytes of headers, \
             more than the maximum of {MAX_HEADERS_SIZE}"
        ));
    }
    Ok(Prelude {
        total_len,
        headers_len,
        crc: computed,
    })
}

/// Checks the message CRC of a whole frame, then reads its headers.
fn decode_frame(frame: &[u8], prelude: Prelude) -> Result<EventStreamMessage<'_>> {
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
    Ok(EventStreamMessage {
        headers: read_headers(headers)?,
        payload,
    })
}

/// Reads a header block, every byte of which belongs to a header.
fn read_headers(block: &[u8]) -> Result<Headers<'_>> {
    let mut reader = Reader {
        rest: block,
        pos: 0,
    };
    let mut headers = Headers::new();
    // One UTF-8 check of the whole block, names and string values sliced from it: a check of
    // each name and each value (six per Bedrock message) cost more than the rest of the
    // decoding. A slice that does not fall on the block's character boundaries (or a block
    // that is not UTF-8, with its binary values) is checked alone, as before.
    let block_text = std::str::from_utf8(block).ok();
    while !reader.rest.is_empty() {
        let past_block = |what: &str| {
            Error::unexpected_with_body(
                format!("{what} of an event-stream header runs past the end of the headers"),
                block,
            )
        };
        let name_len = reader.byte().ok_or_else(|| past_block("the name length"))?;
        let name = reader
            .take(usize::from(name_len))
            .ok_or_else(|| past_block("the name"))?;
        let name = utf8_at(block_text, reader.pos, name).map_err(|_| {
            Error::unexpected_with_body("an event-stream header name is not valid UTF-8", name)
        })?;
        let past_block = |what: &str| {
            Error::unexpected_with_body(
                format!(
                    "the {what} of event-stream header `{name}` runs past the end of the headers"
                ),
                block,
            )
        };
        let value_type = reader.byte().ok_or_else(|| past_block("value type"))?;
        let value = match value_type {
            TYPE_TRUE => Some(HeaderValue::Bool(true)),
            TYPE_FALSE => Some(HeaderValue::Bool(false)),
            TYPE_BYTE => reader
                .array()
                .map(|b| HeaderValue::Byte(i8::from_be_bytes(b))),
            TYPE_SHORT => reader
                .array()
                .map(|b| HeaderValue::Short(i16::from_be_bytes(b))),
            TYPE_INT => reader
                .array()
                .map(|b| HeaderValue::Int(i32::from_be_bytes(b))),
            TYPE_LONG => reader
                .array()
                .map(|b| HeaderValue::Long(i64::from_be_bytes(b))),
            TYPE_TIMESTAMP => reader
                .array()
                .map(|b| HeaderValue::Timestamp(i64::from_be_bytes(b))),
            TYPE_UUID => reader.array().map(HeaderValue::Uuid),
            TYPE_BYTES => reader.sized().map(HeaderValue::Bytes),
            TYPE_STRING => reader
                .sized()
                .map(|bytes| string_value(name, utf8_at(block_text, reader.pos, bytes), bytes))
                .transpose()?,
            unknown => {
                return Err(Error::unexpected_with_body(
                    format!("event-stream header `{name}` has an unknown value type {unknown}"),
                    block,
                ))
            }
        }
        .ok_or_else(|| past_block("value"))?;
        headers.push((name, value));
    }
    Ok(headers)
}

/// `bytes`, the slice of a header block that ends at `end`, as text: sliced from the block's
/// text when there is one and `bytes` falls on its character boundaries, else checked alone.
fn utf8_at<'a>(
    block_text: Option<&'a str>,
    end: usize,
    bytes: &'a [u8],
) -> std::result::Result<&'a str, std::str::Utf8Error> {
    let start = end.saturating_sub(bytes.len());
    match block_text.and_then(|text| text.get(start..end)) {
        Some(text) => Ok(text),
        None => std::str::from_utf8(bytes),
    }
}

fn string_value<'a>(
    name: &str,
    text: std::result::Result<&'a str, std::str::Utf8Error>,
    bytes: &'a [u8],
) -> Result<HeaderValue<'a>> {
    let text = text.map_err(|_| {
        Error::unexpected_with_body(
            format!("the string value of event-stream header `{name}` is not valid UTF-8"),
            bytes,
        )
    })?;
    Ok(HeaderValue::String(text))
}

/// Reads a header block from the front, `None` when it is too short for what is asked.
struct Reader<'a> {
    rest: &'a [u8],
    /// How many bytes of the block were read.
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        self.pos += n;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.rest.split_first_chunk::<N>()?;
        self.rest = rest;
        self.pos += N;
        Some(*head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }

    /// A value preceded by its length as a big-endian u16.
    fn sized(&mut self) -> Option<&'a [u8]> {
        let len = u16::from_be_bytes(self.array()?);
        self.take(usize::from(len))
    }
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
