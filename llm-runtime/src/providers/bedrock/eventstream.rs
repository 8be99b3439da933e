//! The AWS event-stream framing (`application/vnd.amazon.eventstream`) of Bedrock's
//! streamed responses: [`EventStreamDecoder`] turns the body's bytes into
//! [`EventStreamMessage`]s, checking both CRCs; [`encode_message`] makes frames (for tests and
//! local servers).
//!
//! A frame: total length (u32, big-endian), headers length (u32), CRC-32 of those 8 bytes,
//! the headers (name length u8, name, value type u8, value), the payload, and the CRC-32 of
//! everything before it. Reference:
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html>.
//!
//! Pure (bytes in, messages out). A corrupt or truncated frame is an
//! [`Error::UnexpectedModelBehavior`], never a panic or a wait for bytes that cannot come.

use crate::error::{Error, Result};

/// The prelude: total length, headers length, prelude CRC.
const PRELUDE_LEN: usize = 12;
/// The prelude and the message CRC: the size of a frame with no headers and no payload.
const MIN_FRAME_LEN: usize = PRELUDE_LEN + 4;
/// The largest frame accepted (AWS sends at most 16 MiB).
pub const MAX_FRAME_LEN: usize = 16 * 1024 * 1024;
/// The largest headers section accepted (AWS's limit: 128 KiB).
pub const MAX_HEADERS_LEN: usize = 128 * 1024;

/// CRC-32 (IEEE 802.3, as zlib), table-driven.
fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut crc = i as u32;
            let mut bit = 0;
            while bit < 8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
                bit += 1;
            }
            table[i] = crc;
            i += 1;
        }
        table
    };
    !bytes.iter().fold(!0u32, |crc, &byte| {
        let index = usize::try_from((crc ^ u32::from(byte)) & 0xFF).unwrap_or_default();
        TABLE.get(index).copied().unwrap_or_default() ^ (crc >> 8)
    })
}

/// The value of a frame header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Type 0 / 1.
    Bool(bool),
    /// Type 2.
    Byte(i8),
    /// Type 3.
    Short(i16),
    /// Type 4.
    Int(i32),
    /// Type 5.
    Long(i64),
    /// Type 6.
    Bytes(Vec<u8>),
    /// Type 7.
    String(String),
    /// Type 8: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9.
    Uuid([u8; 16]),
}

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventStreamMessage {
    /// The headers, in order (`:message-type`, `:event-type`, `:content-type`…).
    pub headers: Vec<(String, HeaderValue)>,
    /// The payload (JSON for Bedrock).
    pub payload: Vec<u8>,
}

impl EventStreamMessage {
    /// The value of a string header.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|(n, value)| match value {
            HeaderValue::String(s) if n == name => Some(s.as_str()),
            _ => None,
        })
    }
}

/// An incremental decoder of event-stream frames.
///
/// ```
/// use llm_runtime::providers::bedrock::eventstream::{encode_message, EventStreamDecoder};
///
/// let frame = encode_message(&[(":event-type", "messageStart")], br#"{"role":"assistant"}"#);
/// let mut decoder = EventStreamDecoder::new();
/// decoder.push(&frame[..5]);
/// assert!(decoder.next_message()?.is_none()); // not whole yet
/// decoder.push(&frame[5..]);
/// let message = decoder.next_message()?.expect("a whole frame");
/// assert_eq!(message.header_str(":event-type"), Some("messageStart"));
/// decoder.finish()?;
/// # Ok::<(), llm_runtime::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct EventStreamDecoder {
    buffer: Vec<u8>,
    start: usize,
}

impl EventStreamDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes of the body.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start >= self.buffer.len() / 2 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole frame, or `None` until more bytes arrive.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] for a bad prelude CRC, a length out of bounds, a bad
    /// message CRC or malformed headers. The decoder is unusable afterwards.
    pub fn next_message(&mut self) -> Result<Option<EventStreamMessage>> {
        let rest = self.buffer.get(self.start..).unwrap_or_default();
        let Some(prelude) = rest.get(..PRELUDE_LEN) else {
            return Ok(None);
        };
        let total = usize::try_from(read_u32(prelude, 0)).unwrap_or(usize::MAX);
        let headers_len = usize::try_from(read_u32(prelude, 4)).unwrap_or(usize::MAX);
        if read_u32(prelude, 8) != crc32(prelude.get(..8).unwrap_or_default()) {
            return Err(corrupt("the prelude CRC does not match", prelude));
        }
        if !(MIN_FRAME_LEN..=MAX_FRAME_LEN).contains(&total) {
            return Err(corrupt(
                &format!("a frame length of {total} bytes is out of bounds"),
                prelude,
            ));
        }
        if headers_len > MAX_HEADERS_LEN || headers_len > total - MIN_FRAME_LEN {
            return Err(corrupt(
                &format!("a headers length of {headers_len} bytes does not fit the frame"),
                prelude,
            ));
        }
        let Some(frame) = rest.get(..total) else {
            return Ok(None);
        };
        let (body, crc) = frame.split_at(total - 4);
        if read_u32(crc, 0) != crc32(body) {
            return Err(corrupt("the message CRC does not match", frame));
        }
        let headers = parse_headers(
            body.get(PRELUDE_LEN..PRELUDE_LEN + headers_len)
                .unwrap_or_default(),
        )
        .map_err(|what| corrupt(&what, frame))?;
        let payload = body
            .get(PRELUDE_LEN + headers_len..)
            .unwrap_or_default()
            .to_vec();
        self.start += total;
        Ok(Some(EventStreamMessage { headers, payload }))
    }

    /// Checks, at the end of the body, that no partial frame is left.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] when the body ended inside a frame.
    pub fn finish(&self) -> Result<()> {
        let rest = self.buffer.get(self.start..).unwrap_or_default();
        if rest.is_empty() {
            Ok(())
        } else {
            Err(corrupt(
                &format!(
                    "the stream ended inside a frame ({} bytes left)",
                    rest.len()
                ),
                rest,
            ))
        }
    }
}

fn corrupt(what: &str, bytes: &[u8]) -> Error {
    Error::unexpected_with_body(format!("invalid event-stream frame: {what}"), bytes)
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    if let Some(slice) = bytes.get(at..at + 4) {
        word.copy_from_slice(slice);
    }
    u32::from_be_bytes(word)
}

/// Reads `n` bytes at `*at`, advancing it.
fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize) -> std::result::Result<&'a [u8], String> {
    let slice = bytes
        .get(*at..at.saturating_add(n))
        .ok_or_else(|| "a header runs past the headers section".to_owned())?;
    *at += n;
    Ok(slice)
}

fn fixed<const N: usize>(bytes: &[u8], at: &mut usize) -> std::result::Result<[u8; N], String> {
    let mut out = [0u8; N];
    out.copy_from_slice(take(bytes, at, N)?);
    Ok(out)
}

fn parse_headers(bytes: &[u8]) -> std::result::Result<Vec<(String, HeaderValue)>, String> {
    let mut headers = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let [name_len] = fixed::<1>(bytes, &mut at)?;
        let name = std::str::from_utf8(take(bytes, &mut at, usize::from(name_len))?)
            .map_err(|_| "a header name is not UTF-8".to_owned())?
            .to_owned();
        let [kind] = fixed::<1>(bytes, &mut at)?;
        let value = match kind {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(i8::from_be_bytes(fixed(bytes, &mut at)?)),
            3 => HeaderValue::Short(i16::from_be_bytes(fixed(bytes, &mut at)?)),
            4 => HeaderValue::Int(i32::from_be_bytes(fixed(bytes, &mut at)?)),
            5 => HeaderValue::Long(i64::from_be_bytes(fixed(bytes, &mut at)?)),
            6 | 7 => {
                let len = u16::from_be_bytes(fixed(bytes, &mut at)?);
                let value = take(bytes, &mut at, usize::from(len))?.to_vec();
                if kind == 6 {
                    HeaderValue::Bytes(value)
                } else {
                    HeaderValue::String(
                        String::from_utf8(value)
                            .map_err(|_| format!("the header `{name}` is not UTF-8"))?,
                    )
                }
            }
            8 => HeaderValue::Timestamp(i64::from_be_bytes(fixed(bytes, &mut at)?)),
            9 => HeaderValue::Uuid(fixed(bytes, &mut at)?),
            other => {
                return Err(format!(
                    "the header `{name}` has an unknown value type {other}"
                ))
            }
        };
        headers.push((name, value));
    }
    Ok(headers)
}

/// Encodes one frame with string headers (a name over 255 bytes or a value over 65,535 bytes
/// is cut to fit).
pub fn encode_message(headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
    let mut encoded_headers = Vec::new();
    for (name, value) in headers {
        let name = name.as_bytes();
        let name = name.get(..usize::from(u8::MAX)).unwrap_or(name);
        let value = value.as_bytes();
        let value = value.get(..usize::from(u16::MAX)).unwrap_or(value);
        encoded_headers.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
        encoded_headers.extend_from_slice(name);
        encoded_headers.push(7);
        encoded_headers
            .extend_from_slice(&u16::try_from(value.len()).unwrap_or(u16::MAX).to_be_bytes());
        encoded_headers.extend_from_slice(value);
    }
    let total = MIN_FRAME_LEN + encoded_headers.len() + payload.len();
    let mut frame = Vec::with_capacity(total);
    frame.extend_from_slice(&u32::try_from(total).unwrap_or(u32::MAX).to_be_bytes());
    frame.extend_from_slice(
        &u32::try_from(encoded_headers.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    let prelude_crc = crc32(&frame);
    frame.extend_from_slice(&prelude_crc.to_be_bytes());
    frame.extend_from_slice(&encoded_headers);
    frame.extend_from_slice(payload);
    let message_crc = crc32(&frame);
    frame.extend_from_slice(&message_crc.to_be_bytes());
    frame
}

#[cfg(test)]
mod tests;
