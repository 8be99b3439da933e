//! Handing an event out: its fields as UTF-8 text, validated in one pass when they are.

use std::ops::Range;

use super::{Data, SseDecoder, SseEvent};
use crate::error::{Error, Result};

impl SseDecoder {
    /// The event whose fields were just completed, decoded as UTF-8.
    ///
    /// Inlined with its fast path (once per event); the field-by-field path is not.
    #[inline]
    pub(super) fn dispatch(&self) -> Result<SseEvent<'_>> {
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
    #[inline(always)]
    pub(super) fn dispatch_whole(&self) -> Option<SseEvent<'_>> {
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
    #[inline(never)]
    pub(super) fn dispatch_fields(&self) -> Result<SseEvent<'_>> {
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
#[inline(always)]
fn field_of<'a>(text: &'a str, start: usize, range: &Range<usize>) -> Option<&'a str> {
    text.get(range.start.checked_sub(start)?..range.end.checked_sub(start)?)
}

/// `bytes` as text. SIMD validation: the data of each event is validated once, and std's
/// byte-by-byte handling of unaligned heads and tails cost more than the scan for line ends.
#[inline(always)]
fn utf8(bytes: &[u8]) -> std::result::Result<&str, simdutf8::basic::Utf8Error> {
    simdutf8::basic::from_utf8(bytes)
}

fn invalid_utf8(field: &str, bytes: &[u8]) -> Error {
    Error::unexpected_with_body(
        format!("the `{field}` field of a server-sent event is not valid UTF-8"),
        bytes,
    )
}
