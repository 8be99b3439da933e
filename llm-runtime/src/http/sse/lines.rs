//! The lines of an event: the byte-order mark, the one-pass read of a simple event, the
//! line-by-line scan and the fields each line sets.

use std::ops::Range;

use super::{source, Data, Field, SseDecoder, BOM};

impl SseDecoder {
    /// Removes a byte-order mark from the start of the stream; waits while what arrived is
    /// a strict prefix of one, unless the stream has ended.
    pub(super) fn strip_bom(&mut self, at_end: bool) -> bool {
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
    /// of it read yet, an event of lines that are one `data:` line and at most one `event:`
    /// line, then its blank line, is read in one go into the fields that
    /// [`dispatch`](Self::dispatch) reads, as the line-by-line path would have set them.
    /// `false` for anything else (a comment, another field, a repeated one, an incomplete
    /// event, a `CR` last in the buffer), with nothing changed: the line-by-line path reads
    /// it. When the first line has no end yet, it is marked as searched, so that a long line
    /// is still searched once.
    ///
    /// Lines end with `LF` until a `CR` ends one: from then on (the event that showed it is
    /// read line by line) they may end with `LF`, `CRLF` or `CR`, so that a `CRLF` stream
    /// (Gemini's) takes the fast path too, and a `LF` one does not pay for the `CR` tests.
    pub(super) fn simple_event(&mut self) -> bool {
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
        if self.cr_line_ends {
            self.simple_event_ending::<true>()
        } else {
            self.simple_event_ending::<false>()
        }
    }

    /// [`simple_event`](Self::simple_event), its lines ended by `LF` (`CR` false) or by `LF`,
    /// `CRLF` or `CR` (`CR` true; a `CR` seen otherwise sets `cr_line_ends` and gives up).
    fn simple_event_ending<const CR: bool>(&mut self) -> bool {
        let bytes = source(&self.buf, &self.chunk);
        let start = self.line_start;
        let (mut at, mut name, mut data) = (start, None, None);
        loop {
            let Some(rest) = bytes.get(at..) else {
                return false;
            };
            // A blank line: `LF`, or with `CR`, `CRLF` or a `CR` followed by anything else (a
            // `CR` last in the buffer may be the start of a `CRLF`: line by line, then).
            let blank_end = match rest {
                [b'\n', ..] => Some(at + 1),
                [b'\r', b'\n', ..] if CR => Some(at + 2),
                [b'\r', _, ..] if CR => Some(at + 1),
                [b'\r'] if CR => return false,
                _ => None,
            };
            if let Some(end) = blank_end {
                #[cfg(test)]
                {
                    self.scanned += 1;
                }
                let Some(data) = data else {
                    return false;
                };
                self.line_start = end;
                self.searched = end;
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
            // The line's end: `LF`, `CRLF` or a lone `CR` (unknown while it is last).
            let mut next = at + offset + 1;
            if rest[offset] == b'\r' {
                if !CR {
                    self.cr_line_ends = true;
                    return false;
                }
                match rest.get(offset + 1) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    None => return false,
                }
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
            at = next;
        }
    }

    /// The range of the next complete line, without its line end.
    #[inline]
    pub(super) fn next_line(&mut self) -> Option<Range<usize>> {
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
    pub(super) fn process_line(&mut self, line: Range<usize>) -> bool {
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

    pub(super) fn append_data(&mut self, value: Range<usize>) {
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
}
