//! Server-sent events.

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
