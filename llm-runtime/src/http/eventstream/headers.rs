//! The headers of an AWS event-stream message: their value types ([`HeaderValue`]), how a
//! header block is checked and read, and how one header is found in a checked block.

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

/// One header: its name and value.
pub(super) type Header<'a> = (&'a str, HeaderValue<'a>);

/// The header block as text, when it is UTF-8 as a whole (as Bedrock's are): names and string
/// values are then sliced from it rather than checked one by one.
pub(super) fn block_text(block: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(block).ok()
}

/// Reads a header block, every byte of which belongs to a header, handing each header to
/// `each` in order. `text` is [`block_text`]'s.
pub(super) fn read_headers<'a>(
    block: &'a [u8],
    text: Option<&'a str>,
    mut each: impl FnMut(&'a str, HeaderValue<'a>),
) -> Result<()> {
    let mut reader = Reader {
        rest: block,
        pos: 0,
    };
    // One UTF-8 check of the whole block (`text`), names and string values sliced from it: a
    // check of each name and each value (six per Bedrock message) cost more than the rest of
    // the decoding. A slice that does not fall on the block's character boundaries (or a
    // block that is not UTF-8, with its binary values) is checked alone.
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
        let name = utf8_at(text, reader.pos, name).map_err(|_| {
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
                .map(|bytes| string_value(name, utf8_at(text, reader.pos, bytes), bytes))
                .transpose()?,
            unknown => {
                return Err(Error::unexpected_with_body(
                    format!("event-stream header `{name}` has an unknown value type {unknown}"),
                    block,
                ))
            }
        }
        .ok_or_else(|| past_block("value"))?;
        each(name, value);
    }
    Ok(())
}

/// Where one header of a block is: its name, its value type, its value (for strings and
/// bytes, after their length) and its end.
struct Span {
    name: std::ops::Range<usize>,
    value_type: u8,
    value: std::ops::Range<usize>,
}

/// The header at `pos` of `block`: `None` when it does not fit in the block or its value
/// type is unknown (then [`read_headers`] says which).
#[inline]
fn span_at(block: &[u8], pos: usize) -> Option<Span> {
    let name_end = pos + 1 + usize::from(*block.get(pos)?);
    let value_type = *block.get(name_end)?;
    let start = name_end + 1;
    let (start, len) = match value_type {
        TYPE_TRUE | TYPE_FALSE => (start, 0),
        TYPE_BYTE => (start, 1),
        TYPE_SHORT => (start, 2),
        TYPE_INT => (start, 4),
        TYPE_LONG | TYPE_TIMESTAMP => (start, 8),
        TYPE_UUID => (start, 16),
        TYPE_BYTES | TYPE_STRING => {
            let len = block.get(start..).and_then(<[u8]>::first_chunk::<2>)?;
            (start + 2, usize::from(u16::from_be_bytes(*len)))
        }
        _ => return None,
    };
    let end = start + len;
    (end <= block.len()).then_some(Span {
        name: pos + 1..name_end,
        value_type,
        value: start..end,
    })
}

/// The headers of the event-stream protocol itself, whose string values [`scan`] notes where
/// they are, so that finding them costs no walk over the block.
pub(super) const KNOWN: [&str; 5] = [
    ":message-type",
    ":event-type",
    ":exception-type",
    ":error-code",
    ":error-message",
];

/// Where in a block the value of the first header of each [`KNOWN`] name is, when that header
/// is string-typed: `(start, end)`, or `(0, 0)` when there is no such header or the first of
/// its name is not a string (a value never starts at 0: its name length comes first).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Known([(u32, u32); KNOWN.len()]);

impl Known {
    /// The string value of the first header named `KNOWN[index]`, sliced from `text` (the
    /// block that was scanned).
    #[inline]
    pub(super) fn get<'a>(&self, text: &'a str, index: usize) -> Option<&'a str> {
        let (start, end) = *self.0.get(index)?;
        if end == 0 {
            return None;
        }
        text.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)
    }
}

/// A name of 8 to 16 bytes as its length and its first and last 8 bytes (which overlap, and
/// cover it): two names of those lengths are equal when their keys are.
const fn name_key(name: &[u8]) -> Option<(usize, u64, u64)> {
    match (name.first_chunk::<8>(), name.last_chunk::<8>()) {
        (Some(head), Some(tail)) if name.len() <= 16 => Some((
            name.len(),
            u64::from_le_bytes(*head),
            u64::from_le_bytes(*tail),
        )),
        _ => None,
    }
}

/// The keys of [`KNOWN`]'s names (each 8 to 16 bytes long, so each has one).
const KNOWN_KEYS: [Option<(usize, u64, u64)>; KNOWN.len()] = {
    let mut keys = [None; KNOWN.len()];
    let mut i = 0;
    while i < KNOWN.len() {
        keys[i] = name_key(KNOWN[i].as_bytes());
        assert!(keys[i].is_some());
        i += 1;
    }
    keys
};

/// The first 8 bytes of each of [`KNOWN`]'s names (all different).
const KNOWN_HEADS: [u64; KNOWN.len()] = {
    let mut heads = [0; KNOWN.len()];
    let mut i = 0;
    while i < KNOWN.len() {
        if let Some((_, head, _)) = KNOWN_KEYS[i] {
            heads[i] = head;
        }
        i += 1;
    }
    heads
};

/// The index in [`KNOWN`] of `name`: its first 8 bytes pick the one name it can be (a
/// switch), then its length and last 8 bytes are compared with that name's.
#[inline]
pub(super) fn known_index(name: &[u8]) -> Option<usize> {
    const H0: u64 = KNOWN_HEADS[0];
    const H1: u64 = KNOWN_HEADS[1];
    const H2: u64 = KNOWN_HEADS[2];
    const H3: u64 = KNOWN_HEADS[3];
    const H4: u64 = KNOWN_HEADS[4];
    let key = name_key(name)?;
    let index = match key.1 {
        H0 => 0,
        H1 => 1,
        H2 => 2,
        H3 => 3,
        H4 => 4,
        _ => return None,
    };
    (KNOWN_KEYS.get(index) == Some(&Some(key))).then_some(index)
}

/// Checks the header block `text` (UTF-8 as a whole) in one walk that does not read the
/// values, and notes where the [`KNOWN`] headers' values are: `Some` when it is a header
/// block [`read_headers`] accepts (every header fits, its value type is known, and its name
/// and string value fall on character boundaries, so they are UTF-8). A block it refuses is
/// read by `read_headers`, which says what is wrong.
pub(super) fn scan(text: &str) -> Option<Known> {
    let block = text.as_bytes();
    // Whether `at` (at most the block's length) is on a character boundary.
    let boundary = |at: usize| block.get(at).is_none_or(|b| !(0x80..0xc0).contains(b));
    let mut known = Known::default();
    let mut seen = 0u8;
    let mut pos = 0;
    while let Some(&name_len) = block.get(pos) {
        let name_start = pos + 1;
        let name_end = name_start + usize::from(name_len);
        let value_type = *block.get(name_end)?;
        let mut start = name_end + 1;
        let len = match value_type {
            TYPE_TRUE | TYPE_FALSE => 0,
            TYPE_BYTE => 1,
            TYPE_SHORT => 2,
            TYPE_INT => 4,
            TYPE_LONG | TYPE_TIMESTAMP => 8,
            TYPE_UUID => 16,
            TYPE_BYTES | TYPE_STRING => {
                let len = block.get(start..).and_then(<[u8]>::first_chunk::<2>)?;
                start += 2;
                usize::from(u16::from_be_bytes(*len))
            }
            _ => return None,
        };
        let end = start + len;
        let is_string = value_type == TYPE_STRING;
        if end > block.len()
            || !boundary(name_start)
            || !boundary(name_end)
            || (is_string && !(boundary(start) && boundary(end)))
        {
            return None;
        }
        if let Some(index) = block.get(name_start..name_end).and_then(known_index) {
            if seen & (1 << index) == 0 {
                seen |= 1 << index;
                if is_string {
                    let range = (u32::try_from(start).ok()?, u32::try_from(end).ok()?);
                    *known.0.get_mut(index)? = range;
                }
            }
        }
        pos = end;
    }
    Some(known)
}

/// The value of the first header named `name` in a block [`read_headers`] accepted (`text`
/// is [`block_text`]'s): a walk that skips the other headers' values without reading them.
pub(super) fn find<'a>(
    block: &'a [u8],
    text: Option<&'a str>,
    name: &str,
) -> Option<HeaderValue<'a>> {
    let [value] = find_each(block, text, [name]);
    value
}

/// The values of the first headers named as `names` say, found in one walk over a block
/// [`read_headers`] accepted, which stops once each was found.
pub(super) fn find_each<'a, const N: usize>(
    block: &'a [u8],
    text: Option<&'a str>,
    names: [&str; N],
) -> [Option<HeaderValue<'a>>; N] {
    let mut found = [None; N];
    let mut seen = [false; N];
    let mut missing = N;
    let mut pos = 0;
    while missing > 0 {
        let Some(span) = span_at(block, pos) else {
            break;
        };
        let name = block.get(span.name.clone()).unwrap_or_default();
        pos = span.value.end;
        for ((wanted, seen), slot) in names.iter().zip(&mut seen).zip(&mut found) {
            if !*seen && name == wanted.as_bytes() {
                *seen = true;
                *slot = value_at(block, text, span);
                missing -= 1;
                break;
            }
        }
    }
    found
}

/// The value a [`Span`] of a checked block holds.
fn value_at<'a>(block: &'a [u8], text: Option<&'a str>, span: Span) -> Option<HeaderValue<'a>> {
    let bytes = block.get(span.value.clone())?;
    Some(match span.value_type {
        TYPE_TRUE => HeaderValue::Bool(true),
        TYPE_FALSE => HeaderValue::Bool(false),
        TYPE_BYTE => HeaderValue::Byte(i8::from_be_bytes(bytes.try_into().ok()?)),
        TYPE_SHORT => HeaderValue::Short(i16::from_be_bytes(bytes.try_into().ok()?)),
        TYPE_INT => HeaderValue::Int(i32::from_be_bytes(bytes.try_into().ok()?)),
        TYPE_LONG => HeaderValue::Long(i64::from_be_bytes(bytes.try_into().ok()?)),
        TYPE_TIMESTAMP => HeaderValue::Timestamp(i64::from_be_bytes(bytes.try_into().ok()?)),
        TYPE_UUID => HeaderValue::Uuid(bytes.try_into().ok()?),
        TYPE_BYTES => HeaderValue::Bytes(bytes),
        TYPE_STRING => HeaderValue::String(utf8_at(text, span.value.end, bytes).ok()?),
        _ => return None,
    })
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
