//! [`partial_json`]: the value a prefix of a JSON text has so far, for partial structured
//! output while a stream is still arriving.

use serde::de::IgnoredAny;
use serde_json::Value;

/// The value that a prefix of a JSON text holds so far, or `None` when it holds nothing yet
/// (blank, a cut number or literal at the top, or text that is not JSON).
///
/// The prefix is completed the least that makes it valid: an open string value is closed
/// (a cut escape dropped), open arrays and objects are closed, and what cannot be completed
/// without guessing is dropped: a cut number or `true`/`false`/`null` (a number that ends the
/// text may still grow: `12` may become `123`), a key without its value, a trailing comma.
///
/// So the values of successive prefixes only grow: each is the previous one with strings
/// extended, items and keys added, and nested values grown in the same way. Only a
/// complete text gives a value that [`serde_json::from_str`] would give (a complete top-level
/// value ends the scan: what follows it is ignored).
///
/// ```
/// use llm_runtime::output::partial_json;
/// use serde_json::json;
///
/// assert_eq!(partial_json(r#"{"city": "Par"#), Some(json!({"city": "Par"})));
/// assert_eq!(partial_json(r#"{"city": "Paris", "popul"#), Some(json!({"city": "Paris"})));
/// assert_eq!(partial_json(r#"{"city": "Paris", "population": 21"#), Some(json!({"city": "Paris"})));
/// assert_eq!(partial_json(r#"{"tags": ["a", "b"#), Some(json!({"tags": ["a", "b"]})));
/// assert_eq!(partial_json("  "), None);
/// ```
pub fn partial_json(text: &str) -> Option<Value> {
    serde_json::from_str(&complete(text)?).ok()
}

/// What a container expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A key (or the end of an empty object).
    Key,
    /// The colon after a key.
    Colon,
    /// A value (or the end of an empty array).
    Value,
    /// A comma or the end of the container.
    Next,
}

/// An open array or object.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// The byte that closes it.
    close: u8,
    /// Where the text can be cut inside it: after its opening bracket or its last complete
    /// member.
    safe: usize,
    expect: Expect,
}

/// The prefix completed into a JSON text (see [`partial_json`]); `None` when nothing of it is
/// complete or it is not JSON. Every cut is at an ASCII byte or at the end of `text`, so at
/// a character boundary.
fn complete(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let Some(&byte) = bytes.get(i) else {
            return cut(text, &stack);
        };
        let expect = stack.last().map_or(Expect::Value, |frame| frame.expect);
        match (expect, byte) {
            (Expect::Next, b',') => {
                let frame = stack.last_mut()?;
                frame.expect = if frame.close == b'}' {
                    Expect::Key
                } else {
                    Expect::Value
                };
                i += 1;
            }
            (Expect::Next, b'}' | b']') | (Expect::Key, b'}') | (Expect::Value, b']') => {
                let frame = stack.pop()?;
                if frame.close != byte {
                    return None;
                }
                i += 1;
                if value_done(&mut stack, i) {
                    return Some(text[..i].to_owned());
                }
            }
            (Expect::Key, b'"') => match string_end(bytes, i + 1) {
                Some(end) => {
                    stack.last_mut()?.expect = Expect::Colon;
                    i = end;
                }
                None => return cut(text, &stack),
            },
            (Expect::Colon, b':') => {
                stack.last_mut()?.expect = Expect::Value;
                i += 1;
            }
            (Expect::Value, b'"') => match string_end(bytes, i + 1) {
                Some(end) => {
                    i = end;
                    if value_done(&mut stack, i) {
                        return Some(text[..i].to_owned());
                    }
                }
                None => return close_string(text, i, &stack),
            },
            (Expect::Value, b'{' | b'[') => {
                stack.push(Frame {
                    close: if byte == b'{' { b'}' } else { b']' },
                    safe: i + 1,
                    expect: if byte == b'{' {
                        Expect::Key
                    } else {
                        Expect::Value
                    },
                });
                i += 1;
            }
            (Expect::Value, b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                let end = scalar_end(bytes, i);
                if end == bytes.len() {
                    // It may still grow (`12` → `123`, `tr` → `true`).
                    return cut(text, &stack);
                }
                i = end;
                if value_done(&mut stack, i) {
                    return Some(text[..i].to_owned());
                }
            }
            _ => return None,
        }
    }
}

/// Records a complete value ending at `end` in the innermost container; `true` when it is
/// the top-level value.
fn value_done(stack: &mut [Frame], end: usize) -> bool {
    match stack.last_mut() {
        Some(frame) => {
            frame.safe = end;
            frame.expect = Expect::Next;
            false
        }
        None => true,
    }
}

/// The end (after the closing quote) of the string whose content starts at `start`; `None`
/// when it is not closed yet.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of a number or literal starting at `start`.
fn scalar_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        i += 1;
    }
    i
}

/// The text cut where the innermost container was last complete, every container closed;
/// `None` outside any container (a cut top-level scalar holds nothing yet).
fn cut(text: &str, stack: &[Frame]) -> Option<String> {
    let frame = stack.last()?;
    let mut out = text[..frame.safe].to_owned();
    out.extend(stack.iter().rev().map(|frame| char::from(frame.close)));
    Some(out)
}

/// An open string value, starting with the quote at `quote`, closed where the text ends (a cut
/// escape dropped), then every container; when that is still not JSON (a lone surrogate
/// escape), the string is dropped as [`cut`] does.
fn close_string(text: &str, quote: usize, stack: &[Frame]) -> Option<String> {
    let content = &text[quote + 1..];
    let mut keep = content.len();
    let trailing_backslashes = content.bytes().rev().take_while(|&b| b == b'\\').count();
    if trailing_backslashes % 2 == 1 {
        keep -= 1;
    } else if let Some(at) = content.rfind("\\u") {
        let escaped = content[..at]
            .bytes()
            .rev()
            .take_while(|&b| b == b'\\')
            .count()
            % 2
            == 0;
        if escaped && content.len() - at < 6 {
            keep = at;
        }
    }
    // A high surrogate waits for its pair: alone it is not JSON.
    if let Some(at) = keep.checked_sub(6) {
        let escape = content.as_bytes().get(at..keep).unwrap_or_default();
        let real = content.as_bytes()[..at]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count()
            % 2
            == 0;
        let unit = match escape {
            [b'\\', b'u', hex @ ..] => std::str::from_utf8(hex)
                .ok()
                .and_then(|hex| u16::from_str_radix(hex, 16).ok()),
            _ => None,
        };
        if real && unit.is_some_and(|unit| (0xd800..0xdc00).contains(&unit)) {
            keep = at;
        }
    }
    let mut out = String::with_capacity(quote + keep + 2 + stack.len());
    out.push_str(&text[..quote + 1 + keep]);
    out.push('"');
    out.extend(stack.iter().rev().map(|frame| char::from(frame.close)));
    if serde_json::from_str::<IgnoredAny>(&out).is_ok() {
        Some(out)
    } else {
        cut(text, stack)
    }
}

#[cfg(test)]
mod tests;
