//! One pass over a `content_block_delta`'s data as Anthropic writes it: an object of `type`,
//! `index` and `delta`, the delta an object of string fields. Keys are matched on their bytes
//! and strings borrowed from the data (decoded only when they have escapes), with no visitor
//! per field. Whatever this reader does not expect (another key, a `null`, an escaped key, a
//! duplicate, a number that is not a plain integer, a malformed string…) makes it give up,
//! and the event is read again by the serde reading, whose result or error is the one
//! reported: this reader only answers where that reading would give the same event.

use std::borrow::Cow;

use super::{BlockDelta, DeltaEvent, DeltaFields};

/// The event, when its data has the common shape; `None` to read it the general way.
pub(in super::super) fn read(data: &str) -> Option<DeltaEvent<'_>> {
    let mut r = Reader {
        s: data,
        b: data.as_bytes(),
        i: 0,
    };
    let mut kind = None;
    let mut index = None;
    let mut delta = None;
    r.open()?;
    loop {
        let key = r.key()?;
        match key {
            b"type" if kind.is_none() => kind = Some(r.string()?),
            b"index" if index.is_none() => index = Some(r.integer()?),
            b"delta" if delta.is_none() => delta = Some(r.delta()?),
            _ => return None,
        }
        if !r.next_member()? {
            break;
        }
    }
    r.ws();
    if r.i != r.b.len() {
        return None;
    }
    Some(DeltaEvent {
        kind: kind?,
        index,
        delta,
    })
}

/// The bytes that end a run of a string's plain characters: its closing quote, an escape, and
/// the control characters JSON does not allow in a string.
static STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        table[c] = true;
        c += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// A cursor over the data.
struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    /// Skips JSON whitespace.
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// Expects `byte` after whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        if self.b.get(self.i) != Some(&byte) {
            return None;
        }
        self.i += 1;
        Some(())
    }

    /// `{` of a non-empty object.
    fn open(&mut self) -> Option<()> {
        self.eat(b'{')
    }

    /// After a member: `true` at `,`, `false` at `}`.
    fn next_member(&mut self) -> Option<bool> {
        self.ws();
        let byte = *self.b.get(self.i)?;
        self.i += 1;
        match byte {
            b',' => Some(true),
            b'}' => Some(false),
            _ => None,
        }
    }

    /// Moves to the next byte that ends a run of plain characters; `None` at the end.
    fn run(&mut self) -> Option<u8> {
        loop {
            let c = *self.b.get(self.i)?;
            if STOP[usize::from(c)] {
                return Some(c);
            }
            self.i += 1;
        }
    }

    /// A key without escapes and its `:`.
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        if self.run()? != b'"' {
            return None;
        }
        let key = &self.b[start..self.i];
        self.i += 1;
        self.eat(b':')?;
        Some(key)
    }

    /// A string value: borrowed, or decoded when it has escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        match self.run()? {
            b'"' => {
                self.i += 1;
                // Both ends are ASCII: the slice is on character boundaries.
                return Some(Cow::Borrowed(&self.s[start..self.i - 1]));
            }
            b'\\' => {}
            _ => return None,
        }
        let mut out = String::with_capacity(self.i - start + 16);
        out.push_str(&self.s[start..self.i]);
        loop {
            let run = self.i;
            let c = self.run()?;
            if c < 0x20 {
                return None;
            }
            out.push_str(&self.s[run..self.i]);
            self.i += 1;
            if c == b'"' {
                return Some(Cow::Owned(out));
            }
            let escape = *self.b.get(self.i)?;
            self.i += 1;
            match escape {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => out.push(self.unicode_escape()?),
                _ => return None,
            }
        }
    }

    /// The character of a `\u` escape (a surrogate pair's two), after the `u`.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        match first {
            0xD800..=0xDBFF => {
                if self.b.get(self.i..self.i + 2)? != b"\\u" {
                    return None;
                }
                self.i += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return None;
                }
                char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            }
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(first),
        }
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        self.i += 4;
        Some(n)
    }

    /// A plain non-negative integer that fits a `u64` (no sign, fraction or exponent).
    fn integer(&mut self) -> Option<u64> {
        self.ws();
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = self.b.get(self.i) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.i += 1;
        }
        let len = self.i - start;
        // None, a leading zero, or a fraction or exponent next: the general reading's.
        if len == 0
            || (len > 1 && self.b[start] == b'0')
            || matches!(self.b.get(self.i), Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        Some(n)
    }

    /// The `delta` object: its string fields, then the ones its type reads.
    fn delta(&mut self) -> Option<BlockDelta<'a>> {
        self.open()?;
        let mut fields = DeltaFields::default();
        loop {
            let slot = match self.key()? {
                b"type" => &mut fields.kind,
                b"text" => &mut fields.text,
                b"thinking" => &mut fields.thinking,
                b"signature" => &mut fields.signature,
                b"partial_json" => &mut fields.partial_json,
                b"content" => &mut fields.content,
                b"encrypted_content" => &mut fields.encrypted_content,
                _ => return None,
            };
            if slot.is_some() {
                return None;
            }
            *slot = Some(self.string()?);
            if !self.next_member()? {
                break;
            }
        }
        Some(fields.into_block_delta())
    }
}
