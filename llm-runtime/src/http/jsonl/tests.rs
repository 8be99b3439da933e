use super::*;
use crate::http::test_rng::XorShift;

/// Decodes `input` pushed in the given chunks, keeping errors as values instead of stopping.
fn decode_lenient<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    max: usize,
) -> Vec<Result<String, String>> {
    let mut decoder = JsonLinesDecoder::new().with_max_line_size(max);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        loop {
            match decoder.next_line() {
                Ok(Some(line)) => out.push(Ok(line.to_owned())),
                Ok(None) => break,
                Err(err) => out.push(Err(err.to_string())),
            }
        }
    }
    loop {
        match decoder.finish() {
            Ok(Some(line)) => out.push(Ok(line.to_owned())),
            Ok(None) => break,
            Err(err) => out.push(Err(err.to_string())),
        }
    }
    out
}

/// Decodes `input` whole; every line must be valid.
fn decode(input: &[u8]) -> Vec<String> {
    decode_lenient([input], usize::MAX)
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

/// Decodes `input` split at every pair of positions, and byte by byte; all must agree with
/// the unsplit decoding (errors included).
fn assert_split_invariant(input: &[u8], max: usize) -> Vec<Result<String, String>> {
    let whole = decode_lenient([input], max);
    assert_eq!(decode_lenient(input.chunks(1), max), whole, "byte by byte");
    for i in 0..=input.len() {
        for j in i..=input.len() {
            let parts = [&input[..i], &input[i..j], &input[j..]];
            assert_eq!(decode_lenient(parts, max), whole, "split at {i}, {j}");
        }
    }
    whole
}

fn lines(texts: &[&str]) -> Vec<Result<String, String>> {
    texts.iter().map(|t| Ok((*t).to_owned())).collect()
}

#[test]
fn splits_lines_whatever_the_chunks() {
    let input = b"{\"a\":1}\n{\"b\":[1,2]}\n\"text\"\n";
    assert_eq!(
        assert_split_invariant(input, usize::MAX),
        lines(&["{\"a\":1}", "{\"b\":[1,2]}", "\"text\""])
    );
}

#[test]
fn crlf_and_lf_are_equivalent() {
    let expected = lines(&["{\"a\":1}", "{\"b\":2}"]);
    for input in [
        &b"{\"a\":1}\n{\"b\":2}\n"[..],
        b"{\"a\":1}\r\n{\"b\":2}\r\n",
        b"{\"a\":1}\r\n{\"b\":2}\n",
        b"{\"a\":1}\r\n{\"b\":2}",
        b"{\"a\":1}\r\n{\"b\":2}\r",
    ] {
        assert_eq!(
            assert_split_invariant(input, usize::MAX),
            expected,
            "{input:?}"
        );
    }
}

#[test]
fn blank_lines_are_skipped() {
    let input = b"\n\r\n{\"a\":1}\n\n  \t\n\r\n{\"b\":2}\n\n";
    assert_eq!(
        assert_split_invariant(input, usize::MAX),
        lines(&["{\"a\":1}", "{\"b\":2}"])
    );
    assert_eq!(decode(b"\n\n\r\n"), Vec::<String>::new());
    assert_eq!(decode(b""), Vec::<String>::new());
    // Spaces inside a line are the line's.
    assert_eq!(decode(b" {} \n"), vec![" {} "]);
}

#[test]
fn utf8_split_across_chunks_is_whole() {
    let input = "{\"t\":\"héllo → 🌍\"}\n".as_bytes();
    assert_eq!(
        assert_split_invariant(input, usize::MAX),
        lines(&["{\"t\":\"héllo → 🌍\"}"])
    );
}

#[test]
fn invalid_utf8_is_an_error_with_the_bytes() {
    let mut decoder = JsonLinesDecoder::new();
    decoder.push(b"{\"t\":\"ab\xFFcd\"}\n{\"ok\":1}\n");
    let err = decoder.next_line().unwrap_err();
    let Error::UnexpectedModelBehavior { message, body } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        "a line of newline-delimited JSON is not valid UTF-8"
    );
    assert_eq!(body.as_deref(), Some("{\"t\":\"ab\u{FFFD}cd\"}"));
    // The decoder goes on with the next line.
    assert_eq!(decoder.next_line().unwrap(), Some("{\"ok\":1}"));
    // A character cut by the end of the body is invalid too.
    let mut decoder = JsonLinesDecoder::new();
    decoder.push(b"\"\xC3");
    assert_eq!(decoder.next_line().unwrap(), None);
    assert!(decoder.finish().is_err());
}

#[test]
fn last_line_without_newline_is_finished() {
    let mut decoder = JsonLinesDecoder::new();
    decoder.push(b"{\"a\":1}\n{\"done\":");
    assert_eq!(decoder.next_line().unwrap(), Some("{\"a\":1}"));
    assert_eq!(decoder.next_line().unwrap(), None);
    decoder.push(b"true}");
    assert_eq!(decoder.next_line().unwrap(), None);
    assert_eq!(decoder.finish().unwrap(), Some("{\"done\":true}"));
    assert_eq!(decoder.finish().unwrap(), None);
    assert_eq!(decoder.buffered(), 0);
}

#[test]
fn incomplete_lines_wait_for_more_bytes() {
    let mut decoder = JsonLinesDecoder::default();
    decoder.push(b"{\"a\":");
    assert_eq!(decoder.next_line().unwrap(), None);
    decoder.push(b"1}\r");
    assert_eq!(decoder.next_line().unwrap(), None);
    decoder.push(b"\n");
    assert_eq!(decoder.next_line().unwrap(), Some("{\"a\":1}"));
    assert_eq!(decoder.buffered(), 0);
}

#[test]
fn oversize_lines_are_errors_not_unbounded_memory() {
    // Pending: the error comes before the line end does, and the rest of the line is skipped.
    let mut decoder = JsonLinesDecoder::new().with_max_line_size(8);
    decoder.push(b"{\"a\":\"0123456789");
    let err = decoder.next_line().unwrap_err();
    let Error::UnexpectedModelBehavior { message, body } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        "a line of newline-delimited JSON is longer than 8 bytes"
    );
    assert_eq!(body.as_deref(), Some("{\"a\":\"0123456789"));
    assert_eq!(decoder.buffered(), 0);
    decoder.push(b"abcdef\"}\n{\"b\":2}\n");
    assert_eq!(decoder.next_line().unwrap(), Some("{\"b\":2}"));
    assert_eq!(decoder.next_line().unwrap(), None);
    // Whole: a long line that arrived with its line end is an error too, then the next.
    let mut decoder = JsonLinesDecoder::new().with_max_line_size(8);
    decoder.push(b"[1,2,3,4,5,6]\n[1]\n");
    assert!(decoder.next_line().is_err());
    assert_eq!(decoder.next_line().unwrap(), Some("[1]"));
    // The bound is on the line without its line end: 8 bytes and CRLF fit, byte by byte too.
    assert_eq!(
        assert_split_invariant(b"[1,2,34]\r\n[5]", 8),
        lines(&["[1,2,34]", "[5]"])
    );
    // An oversize last line found at the end of the body.
    let mut decoder = JsonLinesDecoder::new().with_max_line_size(4);
    decoder.push(b"[1]\n");
    assert_eq!(decoder.next_line().unwrap(), Some("[1]"));
    decoder.push(b"[1,2,3]");
    assert!(decoder.finish().is_err());
    assert_eq!(decoder.finish().unwrap(), None);
}

#[test]
fn a_long_line_is_scanned_once() {
    // 4 MiB in 1 KiB chunks: each byte is searched for a line end once, never again when more
    // of the line arrives.
    let payload = "x".repeat(4 << 20);
    let input = format!("{{\"t\":\"{payload}\"}}\n[1]\n");
    let mut decoder = JsonLinesDecoder::new();
    let mut found = 0;
    for chunk in input.as_bytes().chunks(1024) {
        decoder.push(chunk);
        while let Some(line) = decoder.next_line().unwrap() {
            assert!(
                line.len() == payload.len() + 8 || line == "[1]",
                "{}",
                line.len()
            );
            found += 1;
        }
        assert!(decoder.buffered() <= input.len());
    }
    assert_eq!(decoder.finish().unwrap(), None);
    assert_eq!(found, 2);
    assert_eq!(decoder.scanned, input.len());
}

#[test]
fn arbitrary_input_never_panics_and_splits_never_matter() {
    // Inputs drawn from the bytes that matter (line ends, blanks, broken UTF-8), cut at random
    // places: decoding never panics, and gives the same lines and errors as the whole input
    // does, with or without a small bound on the line size (an oversize line is one error, found
    // sooner or later).
    const ALPHABET: &[&[u8]] = &[
        b"{}",
        b"[1]",
        b"\n",
        b"\r",
        b"\r\n",
        b" ",
        b"\t",
        b"x",
        b"\xC3",
        b"\xA9",
        b"\xFF",
        b"\xF0\x9F\x8C\x8D",
    ];
    let mut rng = XorShift::new(0x9E37_79B9_7F4A_7C15);
    for _ in 0..2000 {
        let input = rng.words(ALPHABET, 40);
        let cuts = rng.cuts(input.len(), 6);
        let mut chunks = Vec::new();
        let mut start = 0;
        for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
            chunks.push(&input[start..cut]);
            start = cut;
        }
        for max in [usize::MAX, 6] {
            assert_eq!(
                decode_lenient(chunks.iter().copied(), max),
                decode_lenient([&input[..]], max),
                "{input:?} cut at {cuts:?}, bound {max}"
            );
        }
    }
}
