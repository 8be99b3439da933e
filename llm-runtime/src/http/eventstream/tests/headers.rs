//! The header block of a message (`headers.rs`): every value type round-trips, lookups by
//! name, and malformed blocks (a header past its block, an unknown value type, a name or
//! string that is not UTF-8).

use super::*;

#[test]
fn every_header_type_round_trips() {
    let long_string = "x".repeat(65_535);
    let long_name = "n".repeat(255);
    let headers = [
        ("t", HeaderValue::Bool(true)),
        ("f", HeaderValue::Bool(false)),
        ("byte-", HeaderValue::Byte(i8::MIN)),
        ("byte+", HeaderValue::Byte(i8::MAX)),
        ("short", HeaderValue::Short(-2)),
        ("int", HeaderValue::Int(i32::MIN)),
        ("long", HeaderValue::Long(i64::MAX)),
        ("bytes", HeaderValue::Bytes(&[0, 0xff, 0x80])),
        ("no bytes", HeaderValue::Bytes(b"")),
        ("string", HeaderValue::String("héllo → 🌍")),
        ("", HeaderValue::String("")),
        ("time", HeaderValue::Timestamp(-1)),
        ("uuid", HeaderValue::Uuid(UUID)),
        ("long string", HeaderValue::String(&long_string)),
        (&long_name, HeaderValue::Int(1)),
    ];
    let frame = encode_message(&headers, b"\x00payload\xff");
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&frame);
    let message = decoder.next_message().unwrap().unwrap();
    assert_eq!(message.headers(), headers);
    assert_eq!(message.payload(), b"\x00payload\xff");
    assert!(decoder.next_message().unwrap().is_none());
    decoder.finish().unwrap();
    // And in 3-byte chunks.
    let messages = decode_chunks(frame.chunks(3)).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].headers.len(), headers.len());
}

#[test]
fn header_lookup() {
    let frame = encode_message(
        &[
            (":event-type", HeaderValue::String("first")),
            (":event-type", HeaderValue::String("second")),
            ("n", HeaderValue::Int(3)),
        ],
        b"{}",
    );
    let mut decoder = EventStreamDecoder::default();
    decoder.push(&frame);
    let message = decoder.next_message().unwrap().unwrap();
    assert_eq!(message.header_str(":event-type"), Some("first"));
    assert_eq!(message.header("n"), Some(&HeaderValue::Int(3)));
    assert_eq!(message.header_str("n"), None);
    assert_eq!(message.header("absent"), None);
    assert_eq!(message.headers().len(), 3);
}

#[test]
fn header_past_its_block() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"\x05ab",
            "the name of an event-stream header runs past the end of the headers",
        ),
        (
            b"\x02ab",
            "the value type of event-stream header `ab` runs past the end of the headers",
        ),
        (
            b"\x02ab\x04\x00\x00\x01",
            "the value of event-stream header `ab` runs past the end of the headers",
        ),
        (
            b"\x02ab\x07\x00\x05abcd",
            "the value of event-stream header `ab` runs past the end of the headers",
        ),
        (
            b"\x02ab\x06\x00",
            "the value of event-stream header `ab` runs past the end of the headers",
        ),
        (
            b"\x02ab\x09\x00\x01\x02",
            "the value of event-stream header `ab` runs past the end of the headers",
        ),
    ];
    for (block, expected) in cases {
        let frame = frame_with_headers(block, b"{}");
        let mut decoder = EventStreamDecoder::new();
        decoder.push(&frame);
        decoder.push(&encode_message(&[], b"next"));
        let (message, body) = unexpected(decoder.next_message().unwrap_err());
        assert_eq!(&message, expected, "{block:?}");
        assert_eq!(body.map(String::into_bytes).as_deref(), Some(*block));
        // The message is skipped; the next one is read.
        assert_eq!(decoder.next_message().unwrap().unwrap().payload(), b"next");
    }
}

#[test]
fn unknown_value_type() {
    let frame = frame_with_headers(b"\x01k\x0a", b"{}");
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&frame);
    let (message, _) = unexpected(decoder.next_message().unwrap_err());
    assert_eq!(
        message,
        "event-stream header `k` has an unknown value type 10"
    );
}

#[test]
fn non_utf8_name_or_string() {
    let frame = frame_with_headers(b"\x02\xc3\x28\x00", b"");
    let (message, _) = unexpected(decode(&frame).unwrap_err());
    assert_eq!(message, "an event-stream header name is not valid UTF-8");
    let frame = frame_with_headers(b"\x01s\x07\x00\x02\xff\xfe", b"");
    let (message, _) = unexpected(decode(&frame).unwrap_err());
    assert_eq!(
        message,
        "the string value of event-stream header `s` is not valid UTF-8"
    );
    // A byte array need not be UTF-8.
    let frame = frame_with_headers(b"\x01b\x06\x00\x02\xff\xfe", b"");
    let messages = decode(&frame).unwrap();
    assert_eq!(
        messages[0].headers,
        [("b".to_owned(), OwnedValue::Bytes(vec![0xff, 0xfe]))]
    );
}

#[test]
fn the_quick_check_accepts_exactly_what_reading_accepts() {
    // `scan` (a walk over a UTF-8 block) stands in for `read_headers` on the usual
    // block: on random blocks, and on sound ones with a byte changed, they agree.
    let sound = {
        let frame = encode_message(
            &[
                (":event-type", HeaderValue::String("contentBlockDelta")),
                ("é", HeaderValue::String("→ 🌍")),
                ("n", HeaderValue::Int(7)),
                ("b", HeaderValue::Bytes(b"xy")),
                ("t", HeaderValue::Bool(true)),
            ],
            b"",
        );
        frame[PRELUDE_LEN..frame.len() - CRC_LEN].to_vec()
    };
    let mut blocks = vec![sound.clone()];
    for i in 0..sound.len() {
        for value in [0x00, 0x01, 0x07, 0x0a, 0x20, 0x80, 0xc3, 0xff] {
            let mut block = sound.clone();
            block[i] = value;
            blocks.push(block);
        }
        blocks.push(sound[..i].to_vec());
    }
    let mut seed = 0x2545_f491_u64;
    for _ in 0..5000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = usize::try_from(seed % 24).unwrap();
        blocks.push(
            (0..len)
                .map(|i| {
                    let byte = (seed >> (i % 8 * 8)) as u8;
                    if i.is_multiple_of(3) {
                        byte % 12
                    } else {
                        byte % 0x62 + 0x1e
                    }
                })
                .collect(),
        );
    }
    for block in &blocks {
        let text = super::super::headers::block_text(block);
        let read = super::super::headers::read_headers(block, text, |_, _| {}).is_ok();
        if let Some(text) = text {
            assert_eq!(
                super::super::headers::scan(text).is_some(),
                read,
                "{block:?}"
            );
        }
    }
}

#[test]
fn the_protocol_headers_are_found_where_the_check_noted_them() {
    // The first header of a name is the one found, also when it is not a string; the
    // protocol's names are noted by the check of the block, the others found by a walk, and
    // both agree with the list.
    let frame = encode_message(
        &[
            (":message-type", HeaderValue::Int(1)),
            (":message-type", HeaderValue::String("event")),
            (":event-type", HeaderValue::String("")),
            (":event-type", HeaderValue::String("second")),
            (":error-code", HeaderValue::String("é→🌍")),
            (":content-type", HeaderValue::String("application/json")),
        ],
        b"{}",
    );
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&frame);
    let message = decoder.next_message().unwrap().unwrap();
    assert!(message.known.is_some());
    assert_eq!(message.header_str(":message-type"), None);
    assert_eq!(message.header_str(":event-type"), Some(""));
    assert_eq!(message.header_str(":error-code"), Some("é→🌍"));
    assert_eq!(message.header_str(":exception-type"), None);
    assert_eq!(message.header_str(":error-message"), None);
    assert_eq!(
        message.header_strs([":event-type", ":content-type", ":message-type"]),
        [Some(""), Some("application/json"), None]
    );
    assert_eq!(
        message.header_strs([":error-code", ":message-type"]),
        [Some("é→🌍"), None]
    );
    owned(&message);
}

#[test]
fn the_payload_text_is_there_when_the_payload_is_utf8() {
    // Checked with the block in one pass, or apart when the block is not UTF-8 or the two
    // only make UTF-8 together (a character cut between block and payload).
    type Case<'a> = (&'a [(&'a str, HeaderValue<'a>)], &'a [u8], Option<&'a str>);
    let cases: [Case<'_>; 5] = [
        (
            &[(":event-type", HeaderValue::String("é"))],
            "{\"a\":\"→\"}".as_bytes(),
            Some("{\"a\":\"→\"}"),
        ),
        (&[("b", HeaderValue::Bytes(&[0xff]))], b"{}", Some("{}")),
        (&[("b", HeaderValue::Bytes(&[0xc3]))], &[0xa9], None),
        (&[("s", HeaderValue::String("x"))], &[b'{', 0xff], None),
        (&[], b"", Some("")),
    ];
    for (headers, payload, text) in cases {
        let frame = encode_message(headers, payload);
        let mut decoder = EventStreamDecoder::new();
        decoder.push(&frame);
        let message = decoder.next_message().unwrap().unwrap();
        assert_eq!(message.payload_str(), text, "{headers:?}");
        assert_eq!(message.payload(), payload);
    }
}
