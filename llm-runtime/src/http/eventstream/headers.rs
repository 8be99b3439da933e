//! The headers of an AWS event-stream message: their value types ([`HeaderValue`]), how a
//! message holds them (inline up to four, the three Bedrock sends among them) and how a header
//! block is read.

use crate::error::{Error, Result};

pub(super) const TYPE_TRUE: u8 = 0;
pub(super) const TYPE_FALSE: u8 = 1;
pub(super) const TYPE_BYTE: u8 = 2;
pub(super) const TYPE_SHORT: u8 = 3;
pub(super) const TYPE_INT: u8 = 4;
pub(super) const TYPE_LONG: u8 = 5;
pub(super) const TYPE_BYTES: u8 = 6;
pub(super) const TYPE_STRING: u8 = 7;
pub(super) const TYPE_TIMESTAMP: u8 = 8;
pub(super) const TYPE_UUID: u8 = 9;

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

/// How many headers a message holds without an allocation: Bedrock sends three
/// (`:event-type`, `:content-type`, `:message-type`), and a vector per message cost an
/// allocation and a free per event.
const INLINE_HEADERS: usize = 4;

/// One header: its name and value.
pub(super) type Header<'a> = (&'a str, HeaderValue<'a>);

/// The headers of a message: inline up to [`INLINE_HEADERS`], else in a vector.
#[derive(Clone)]
pub(super) enum Headers<'a> {
    Inline {
        len: usize,
        items: [Header<'a>; INLINE_HEADERS],
    },
    Heap(Vec<Header<'a>>),
}

impl<'a> Headers<'a> {
    pub(super) fn new() -> Self {
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

    pub(super) fn as_slice(&self) -> &[Header<'a>] {
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

/// Reads a header block, every byte of which belongs to a header.
pub(super) fn read_headers(block: &[u8]) -> Result<Headers<'_>> {
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
