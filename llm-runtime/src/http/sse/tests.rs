use super::*;
use crate::http::test_rng::XorShift;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Owned {
    event: String,
    data: String,
    id: Option<String>,
}

fn owned(event: SseEvent<'_>) -> Owned {
    Owned {
        event: event.event.to_owned(),
        data: event.data.to_owned(),
        id: event.id.map(str::to_owned),
    }
}

fn ev(event: &str, data: &str) -> Owned {
    Owned {
        event: event.to_owned(),
        data: data.to_owned(),
        id: None,
    }
}

/// Decodes `input` pushed in the given chunks.
fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Owned>> {
    let mut decoder = SseDecoder::new();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(event) = decoder.next_event()? {
            out.push(owned(event));
        }
    }
    if let Some(event) = decoder.finish()? {
        out.push(owned(event));
    }
    Ok(out)
}

/// As [`decode_chunks`], each chunk handed over as [`Bytes`] (read in place when
/// nothing is pending); the decoder keeps no chunk once it waits for more bytes.
fn decode_owned_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Owned>> {
    let mut decoder = SseDecoder::new();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push_bytes(Bytes::copy_from_slice(chunk));
        while let Some(event) = decoder.next_event()? {
            out.push(owned(event));
            // As the driver does once an event is applied.
            decoder.release_read();
        }
        assert!(decoder.chunk.is_empty(), "a chunk kept while waiting");
        assert!(decoder.rest.is_empty(), "a chunk's rest kept while waiting");
    }
    if let Some(event) = decoder.finish()? {
        out.push(owned(event));
    }
    Ok(out)
}

#[test]
fn a_chunk_read_to_its_end_is_let_go_after_its_last_event() {
    let mut decoder = SseDecoder::new();
    decoder.push_bytes(Bytes::from_static(b"data: 1\n\ndata: 2\n\n"));
    let first = decoder.next_event().map(|e| e.map(|e| e.data.to_owned()));
    assert_eq!(first.ok().flatten().as_deref(), Some("1"));
    decoder.release_read();
    assert!(
        !decoder.chunk.is_empty(),
        "a chunk with an unread event is kept"
    );
    let second = decoder.next_event().map(|e| e.map(|e| e.data.to_owned()));
    assert_eq!(second.ok().flatten().as_deref(), Some("2"));
    decoder.release_read();
    assert!(
        decoder.chunk.is_empty(),
        "a chunk read to its end is let go"
    );
    assert_eq!(decoder.buffered(), 0);
    decoder.push_bytes(Bytes::from_static(b"data: 3\n\n"));
    let third = decoder.next_event().map(|e| e.map(|e| e.data.to_owned()));
    assert_eq!(third.ok().flatten().as_deref(), Some("3"));
    assert!(matches!(decoder.next_event(), Ok(None)));
}

#[test]
fn crlf_and_cr_events_are_read_in_one_go_and_in_place() {
    // An event split across two chunks: the second chunk is copied up to the end of that
    // event only (its CRLF blank line), and its other events read in place, in one go each.
    for (first, second) in [
        (
            &b"data: {\"a\""[..],
            &b":1}\r\n\r\nevent: e\r\ndata: 2\r\n\r\ndata: 3\r\n\r\n"[..],
        ),
        (
            b"data: {\"a\"",
            b":1}\n\r\nevent: e\rdata: 2\r\rdata: 3\r\n\r\n",
        ),
    ] {
        let mut decoder = SseDecoder::new();
        decoder.push_bytes(Bytes::copy_from_slice(first));
        assert!(matches!(decoder.next_event(), Ok(None)));
        decoder.push_bytes(Bytes::copy_from_slice(second));
        assert_eq!(
            decoder.buf.len(),
            first.len() + second.len() - decoder.rest.len()
        );
        assert!(decoder.buf.ends_with(b"\r\n"), "{:?}", decoder.buf);
        let mut events = Vec::new();
        while let Some(event) = decoder.next_event().unwrap() {
            events.push(owned(event));
            if events.len() > 1 {
                assert!(!decoder.chunk.is_empty(), "read in place");
            }
            decoder.release_read();
        }
        assert_eq!(
            events,
            vec![ev("message", "{\"a\":1}"), ev("e", "2"), ev("message", "3")]
        );
        assert_eq!(decoder.buffered(), 0);
    }
}

#[test]
fn the_fast_path_reads_crlf_events_whole() {
    // Once a CR ended a line, each event of CRLF (or lone CR) lines is read in one go.
    let input = b"event: e\r\ndata: 1\r\n\r\ndata: 2\r\rdata: 3\r\n\r\n";
    let mut decoder = SseDecoder::new();
    decoder.push(input);
    assert!(decoder.strip_bom(false));
    assert!(!decoder.simple_event(), "the first CR: line by line");
    assert!(decoder.cr_line_ends);
    let mut datas = Vec::new();
    while decoder.simple_event() {
        datas.push(decoder.dispatch().unwrap().data.to_owned());
        decoder.clear_dispatched();
    }
    assert_eq!(datas, ["1", "2", "3"]);
    assert_eq!(decoder.line_start, input.len());
}

fn decode(input: &[u8]) -> Vec<Owned> {
    decode_chunks([input]).unwrap()
}

/// Decodes `input` split at every possible pair of positions, and byte by byte; all must
/// agree with the unsplit decoding.
fn assert_split_invariant(input: &[u8]) -> Vec<Owned> {
    let whole = decode(input);
    let slow = decode_line_by_line(input, &[]);
    assert_eq!(slow, whole.iter().cloned().map(Ok).collect::<Vec<_>>());
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(decode_chunks(bytes).unwrap(), whole, "byte by byte");
    for i in 0..=input.len() {
        for j in i..=input.len() {
            let parts = [&input[..i], &input[i..j], &input[j..]];
            assert_eq!(decode_chunks(parts).unwrap(), whole, "split at {i}, {j}");
            assert_eq!(
                decode_owned_chunks(parts).unwrap(),
                whole,
                "owned chunks split at {i}, {j}"
            );
        }
    }
    whole
}

#[test]
fn decodes_openai_style_events() {
    let input = b"data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n";
    assert_eq!(
        assert_split_invariant(input),
        vec![
            ev("message", "{\"a\":1}"),
            ev("message", "{\"a\":2}"),
            ev("message", "[DONE]")
        ]
    );
}

#[test]
fn crlf_cr_and_lf_line_ends_are_equivalent() {
    let expected = vec![ev("ping", "x"), ev("message", "y")];
    for input in [
        &b"event: ping\ndata: x\n\ndata: y\n\n"[..],
        b"event: ping\r\ndata: x\r\n\r\ndata: y\r\n\r\n",
        b"event: ping\rdata: x\r\rdata: y\r\r",
        b"event: ping\r\ndata: x\r\rdata: y\n\r\n",
    ] {
        assert_eq!(assert_split_invariant(input), expected, "{input:?}");
    }
}

#[test]
fn comments_and_unknown_fields_are_ignored() {
    let input = b": keep-alive\n\n:another\nretry: 1000\nfoo: bar\ndata: x\n\n";
    assert_eq!(assert_split_invariant(input), vec![ev("message", "x")]);
}

#[test]
fn multi_line_data_is_joined_with_newlines() {
    let input = b"data: first\ndata:second\ndata\ndata:  fourth\n\n";
    assert_eq!(
        assert_split_invariant(input),
        vec![ev("message", "first\nsecond\n\n fourth")]
    );
}

#[test]
fn event_names_and_ids() {
    let input = b"event: message_start\nid: 7\ndata: {}\n\nevent:\ndata: plain\n\n";
    assert_eq!(
        assert_split_invariant(input),
        vec![
            Owned {
                event: "message_start".into(),
                data: "{}".into(),
                id: Some("7".into())
            },
            ev("message", "plain")
        ]
    );
}

#[test]
fn events_without_data_are_not_dispatched() {
    let input = b"event: ping\n\nid: 1\n\ndata: x\n\n";
    assert_eq!(assert_split_invariant(input), vec![ev("message", "x")]);
    // An empty data line is data.
    assert_eq!(decode(b"data:\n\n"), vec![ev("message", "")]);
}

#[test]
fn byte_order_mark_is_stripped_once() {
    let input = b"\xEF\xBB\xBFdata: x\n\n\xEF\xBB\xBFdata: y\n\n";
    let events = assert_split_invariant(input);
    assert_eq!(events[0], ev("message", "x"));
    // A second BOM is not at the start of the stream: it is part of a field name.
    assert_eq!(events.len(), 1);
}

#[test]
fn utf8_split_across_chunks_is_whole() {
    let input = "data: héllo → 🌍\n\n".as_bytes();
    assert_eq!(
        assert_split_invariant(input),
        vec![ev("message", "héllo → 🌍")]
    );
}

#[test]
fn invalid_utf8_is_an_error_with_the_bytes() {
    let mut decoder = SseDecoder::new();
    decoder.push(b"data: ab\xFFcd\n\ndata: ok\n\n");
    let err = decoder.next_event().unwrap_err();
    let Error::UnexpectedModelBehavior { message, body } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        "the `data` field of a server-sent event is not valid UTF-8"
    );
    assert_eq!(body.as_deref(), Some("ab\u{FFFD}cd"));
    // The decoder goes on with the next event.
    assert_eq!(
        decoder.next_event().unwrap().map(owned),
        Some(ev("message", "ok"))
    );
}

#[test]
fn invalid_utf8_outside_the_fields_does_not_spoil_the_event() {
    // The whole event is validated at once on the fast path; a comment or an unknown
    // field that is not UTF-8 sends it to the field-by-field path, which ignores them.
    let input = b"event: e\n: \xFF\nretry: \xC3\ndata: x\nid: 1\n\n";
    assert_eq!(
        assert_split_invariant(input),
        vec![Owned {
            event: "e".into(),
            data: "x".into(),
            id: Some("1".into())
        }]
    );
    // A field that is not UTF-8 is still an error naming it.
    let mut decoder = SseDecoder::new();
    decoder.push(b"event: \xFF\ndata: x\n\n");
    let err = decoder.next_event().unwrap_err();
    assert!(err.to_string().contains("`event` field"), "{err}");
}

#[test]
fn last_event_without_blank_line_is_finished() {
    assert_eq!(
        decode(b"data: a\n\ndata: [DONE]\n"),
        vec![ev("message", "a"), ev("message", "[DONE]")]
    );
    assert_eq!(decode(b"data: [DONE]"), vec![ev("message", "[DONE]")]);
    assert_eq!(decode(b"data: x\r"), vec![ev("message", "x")]);
    assert_eq!(decode(b": only a comment"), vec![]);
    assert_eq!(decode(b""), vec![]);
}

#[test]
fn incomplete_events_wait_for_more_bytes() {
    let mut decoder = SseDecoder::new();
    decoder.push(b"data: x\n");
    assert_eq!(decoder.next_event().unwrap(), None);
    decoder.push(b"\n");
    assert_eq!(
        decoder.next_event().unwrap().map(owned),
        Some(ev("message", "x"))
    );
}

#[test]
fn oversized_events_are_errors_not_unbounded_memory() {
    let mut decoder = SseDecoder::new().with_max_event_size(16);
    decoder.push(b"data: 0123456789abcdefghij");
    let err = decoder.next_event().unwrap_err();
    assert!(err.to_string().contains("larger than 16 bytes"), "{err}");
    // The rest of the oversized line is skipped, even when it looks like a field.
    decoder.push(b"klm\ndata: tail\n\ndata: small\n\n");
    let mut events = Vec::new();
    while let Some(event) = decoder.next_event().unwrap() {
        events.push(owned(event));
    }
    assert_eq!(events, vec![ev("message", "tail"), ev("message", "small")]);
}

#[test]
fn a_long_line_is_scanned_once() {
    // 4 MiB in 1 KiB chunks: each byte is searched for a line end once, never again
    // when more of the line arrives.
    let payload = "x".repeat(4 << 20);
    let input = format!("data: {payload}\n\n");
    let mut decoder = SseDecoder::new();
    let mut found = 0;
    for chunk in input.as_bytes().chunks(1024) {
        decoder.push(chunk);
        while let Some(event) = decoder.next_event().unwrap() {
            assert_eq!(event.data.len(), payload.len());
            found += 1;
        }
        assert!(decoder.buffered() <= input.len());
    }
    assert_eq!(found, 1);
    assert_eq!(decoder.buffered(), 0);
    assert!(
        decoder.scanned <= input.len(),
        "{} > {}",
        decoder.scanned,
        input.len()
    );
}

#[test]
fn pseudo_random_splits_agree() {
    let input = b"event: a\r\ndata: 1\r\n\r\n: c\ndata: 2\ndata: 3\n\nid: 9\ndata: \xC3\xA9\r\r";
    let whole = decode(input);
    assert_eq!(whole.len(), 3);
    let mut rng = XorShift::new(0x2545_f491);
    for _ in 0..500 {
        let chunks = rng.chunks(input, 5);
        assert_eq!(decode_chunks(chunks.iter().copied()).unwrap(), whole);
        assert_eq!(decode_owned_chunks(chunks).unwrap(), whole);
    }
}

/// Decodes `input` in the given chunks, keeping errors as values instead of stopping.
fn decode_lenient(input: &[u8], cuts: &[usize], max: usize) -> Vec<Result<Owned, String>> {
    decode_lenient_with(SseDecoder::new().with_max_event_size(max), input, cuts)
}

/// As [`decode_lenient`], every event read line by line, without the fast path.
fn decode_line_by_line(input: &[u8], cuts: &[usize]) -> Vec<Result<Owned, String>> {
    let mut decoder = SseDecoder::new();
    decoder.line_by_line = true;
    decode_lenient_with(decoder, input, cuts)
}

fn decode_lenient_with(
    mut decoder: SseDecoder,
    input: &[u8],
    cuts: &[usize],
) -> Vec<Result<Owned, String>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (n, &cut) in cuts.iter().chain(std::iter::once(&input.len())).enumerate() {
        // Copied and read in place in turn, so that both and their mixes are covered.
        if n % 2 == 0 {
            decoder.push(&input[start..cut]);
        } else {
            decoder.push_bytes(Bytes::copy_from_slice(&input[start..cut]));
        }
        start = cut;
        loop {
            match decoder.next_event() {
                Ok(Some(event)) => out.push(Ok(owned(event))),
                Ok(None) => break,
                Err(err) => out.push(Err(err.to_string())),
            }
        }
    }
    match decoder.finish() {
        Ok(Some(event)) => out.push(Ok(owned(event))),
        Ok(None) => {}
        Err(err) => out.push(Err(err.to_string())),
    }
    out
}

#[test]
fn arbitrary_input_never_panics_and_splits_never_matter() {
    // Inputs drawn from the bytes that matter to the grammar (and broken UTF-8), cut at
    // random places: decoding never panics, and gives the same events and errors as the
    // whole input does (as long as no size bound is hit).
    const ALPHABET: &[&[u8]] = &[
        b"data",
        b"event",
        b"id",
        b":",
        b" ",
        b"\r",
        b"\n",
        b"x",
        b"\xC3",
        b"\xA9",
        b"\xFF",
        b"\xEF\xBB\xBF",
        b"\0",
        b"retry",
        b"data: ",
        b"event:",
        b"\n\n",
        b"\r\n",
    ];
    let mut rng = XorShift::new(0x9E37_79B9_7F4A_7C15);
    for _ in 0..2000 {
        let input = rng.words(ALPHABET, 40);
        let cuts = rng.cuts(input.len(), 6);
        let whole = decode_lenient(&input, &[], usize::MAX);
        // The fast path reads every event as the line-by-line path does.
        assert_eq!(decode_line_by_line(&input, &cuts), whole, "{input:?}");
        assert_eq!(
            decode_lenient(&input, &cuts, usize::MAX),
            whole,
            "{input:?} cut at {cuts:?}"
        );
        // With a tiny bound, errors come instead of events, still without a panic.
        let _ = decode_lenient(&input, &cuts, 8);
    }
}
