//! Newline-delimited JSON: [`JsonLinesDecoder`] splits a body of one JSON value per line
//! (`application/x-ndjson`, `application/jsonl`) into its lines.
//!
//! The decoder is pure (bytes in, lines out, no I/O) and leaves the JSON to its caller. Lines
//! end with `LF` or `CRLF`; blank lines (empty, or only spaces and tabs) are skipped; the last
//! line may lack its line end. Each byte is searched for a line end once, so a long line costs
//! time linear in its length however it is split into chunks, and a UTF-8 character split
//! across chunks is whole again before the line is decoded.

use std::ops::Range;

use crate::error::{Error, Result};

/// The default bound on the size of one line, in bytes (64 MiB, as for one server-sent event).
pub const DEFAULT_MAX_LINE_SIZE: usize = super::sse::DEFAULT_MAX_EVENT_SIZE;

/// An incremental decoder of newline-delimited JSON.
///
/// Feed it the body's chunks with [`push`](Self::push) and take the complete lines with
/// [`next_line`](Self::next_line) until it returns `None`; at the end of the body, take the
/// last line, if it had no line end, with [`finish`](Self::finish).
///
/// ```
/// use llm_runtime::http::jsonl::JsonLinesDecoder;
///
/// let mut decoder = JsonLinesDecoder::new();
/// decoder.push(b"{\"delta\":\"Hi\"}\r\n\n{\"done\":");
/// assert_eq!(decoder.next_line()?, Some("{\"delta\":\"Hi\"}"));
/// assert_eq!(decoder.next_line()?, None); // the blank line is skipped, the next is not whole
/// decoder.push(b"true}");
/// assert_eq!(decoder.next_line()?, None);
/// assert_eq!(decoder.finish()?, Some("{\"done\":true}"));
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// A line borrows the decoder, so it must be used before the next call; lines cost no
/// allocation.
#[derive(Debug, Clone)]
pub struct JsonLinesDecoder {
    /// Bytes received and not yet discarded.
    buf: Vec<u8>,
    /// Start of the first line not yet handed out.
    line_start: usize,
    /// Where the search for the next line end resumes: every byte between `line_start` and
    /// here is known not to be one.
    searched: usize,
    /// The rest of the current line belongs to an oversized line that was given up.
    discard_line: bool,
    /// The largest line accepted, in bytes, without its line end.
    max_line_size: usize,
    /// How many bytes were searched for line ends (tests prove each byte is searched once).
    #[cfg(test)]
    scanned: usize,
}

impl Default for JsonLinesDecoder {
    fn default() -> Self {
        JsonLinesDecoder::new()
    }
}

impl JsonLinesDecoder {
    /// A decoder at the start of a body, accepting lines of up to [`DEFAULT_MAX_LINE_SIZE`]
    /// bytes.
    pub fn new() -> Self {
        JsonLinesDecoder {
            buf: Vec::new(),
            line_start: 0,
            searched: 0,
            discard_line: false,
            max_line_size: DEFAULT_MAX_LINE_SIZE,
            #[cfg(test)]
            scanned: 0,
        }
    }

    /// This decoder with another bound on the size of one line; a longer line is an
    /// [`Error::UnexpectedModelBehavior`] instead of unbounded memory.
    pub fn with_max_line_size(mut self, bytes: usize) -> Self {
        self.max_line_size = bytes;
        self
    }

    /// Appends a chunk of the body. Chunks may split lines, line ends and UTF-8 characters
    /// anywhere.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.line_start > 0 {
            // Only the pending line moves, and not at all while one long line accumulates.
            self.buf.drain(..self.line_start);
            self.searched = self.searched.saturating_sub(self.line_start);
            self.line_start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete, non-blank line in what was pushed, without its line end, or `None`
    /// until more bytes arrive.
    ///
    /// # Errors
    /// [`Error::UnexpectedModelBehavior`] with the offending bytes when a line is not UTF-8,
    /// or grows past the size bound (the rest of it is then skipped). The decoder goes on with
    /// the next line after an error.
    pub fn next_line(&mut self) -> Result<Option<&str>> {
        match self.next_range(false)? {
            Some(line) => self.decode(line).map(Some),
            None => Ok(None),
        }
    }

    /// Ends the body: its last line, when it had no line end. Call it once
    /// [`next_line`](Self::next_line) returned `None`; it then gives at most one line.
    ///
    /// # Errors
    /// As [`next_line`](Self::next_line).
    pub fn finish(&mut self) -> Result<Option<&str>> {
        match self.next_range(true)? {
            Some(line) => self.decode(line).map(Some),
            None => Ok(None),
        }
    }

    /// How many bytes are buffered (the pending line, and lines not taken yet).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.line_start
    }

    /// The range of the next non-blank line, without its line end; at the end of the body
    /// (`at_end`) what follows the last line end is a line too.
    fn next_range(&mut self, at_end: bool) -> Result<Option<Range<usize>>> {
        loop {
            let from = self.searched.max(self.line_start);
            let rest = self.buf.get(from..).unwrap_or_default();
            let (end, next) = match memchr::memchr(b'\n', rest) {
                Some(offset) => {
                    #[cfg(test)]
                    {
                        self.scanned += offset + 1;
                    }
                    (from + offset, from + offset + 1)
                }
                None => {
                    #[cfg(test)]
                    {
                        self.scanned += rest.len();
                    }
                    self.searched = self.buf.len();
                    if self.discard_line {
                        self.line_start = self.buf.len();
                        self.discard_line = !at_end;
                        return Ok(None);
                    }
                    if !at_end {
                        self.check_pending_size()?;
                        return Ok(None);
                    }
                    if self.line_start == self.buf.len() {
                        return Ok(None);
                    }
                    (self.buf.len(), self.buf.len())
                }
            };
            let mut line = self.line_start..end;
            self.line_start = next;
            self.searched = next;
            if std::mem::take(&mut self.discard_line) {
                continue;
            }
            if self.buf.get(line.clone()).and_then(<[u8]>::last) == Some(&b'\r') {
                line.end -= 1;
            }
            let bytes = self.buf.get(line.clone()).unwrap_or_default();
            if bytes.len() > self.max_line_size {
                return Err(self.too_long(bytes));
            }
            if bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                continue;
            }
            return Ok(Some(line));
        }
    }

    /// Gives up the pending line when it is already longer than the bound (a `CR` at its
    /// end may be half of its line end, so it does not count).
    fn check_pending_size(&mut self) -> Result<()> {
        let pending = self.buf.get(self.line_start..).unwrap_or_default();
        let content = pending.strip_suffix(b"\r").unwrap_or(pending);
        if content.len() <= self.max_line_size {
            return Ok(());
        }
        let error = self.too_long(content);
        self.line_start = self.buf.len();
        self.searched = self.buf.len();
        self.discard_line = true;
        Err(error)
    }

    fn too_long(&self, line: &[u8]) -> Error {
        Error::unexpected_with_body(
            format!(
                "a line of newline-delimited JSON is longer than {} bytes",
                self.max_line_size
            ),
            line,
        )
    }

    fn decode(&self, line: Range<usize>) -> Result<&str> {
        let bytes = self.buf.get(line).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|_| {
            Error::unexpected_with_body(
                "a line of newline-delimited JSON is not valid UTF-8",
                bytes,
            )
        })
    }
}

#[cfg(test)]
mod tests;
