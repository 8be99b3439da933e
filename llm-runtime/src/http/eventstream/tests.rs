use super::*;

/// A message as owned values, to compare decodings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owned {
    headers: Vec<(String, OwnedValue)>,
    payload: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum OwnedValue {
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Bytes(Vec<u8>),
    String(String),
    Timestamp(i64),
    Uuid([u8; 16]),
}

fn owned(message: &EventStreamMessage<'_>) -> Owned {
    let headers = message
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = match *value {
                HeaderValue::Bool(b) => OwnedValue::Bool(b),
                HeaderValue::Byte(n) => OwnedValue::Byte(n),
                HeaderValue::Short(n) => OwnedValue::Short(n),
                HeaderValue::Int(n) => OwnedValue::Int(n),
                HeaderValue::Long(n) => OwnedValue::Long(n),
                HeaderValue::Bytes(b) => OwnedValue::Bytes(b.to_vec()),
                HeaderValue::String(s) => OwnedValue::String(s.to_owned()),
                HeaderValue::Timestamp(ms) => OwnedValue::Timestamp(ms),
                HeaderValue::Uuid(u) => OwnedValue::Uuid(u),
            };
            ((*name).to_owned(), value)
        })
        .collect();
    Owned {
        headers,
        payload: message.payload().to_vec(),
    }
}

/// Decodes `chunks` one after the other, then finishes; stops at the first error.
fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Owned>> {
    let mut decoder = EventStreamDecoder::new();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(message) = decoder.next_message()? {
            out.push(owned(&message));
        }
    }
    decoder.finish()?;
    Ok(out)
}

fn decode(input: &[u8]) -> Result<Vec<Owned>> {
    decode_chunks([input])
}

/// Decodes `input` pushed in the given chunks, keeping errors as values instead of stopping.
fn decode_lenient(input: &[u8], cuts: &[usize]) -> Vec<Result<Owned, String>> {
    let mut decoder = EventStreamDecoder::new();
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
        decoder.push(&input[start..cut]);
        start = cut;
        loop {
            match decoder.next_message() {
                Ok(Some(message)) => out.push(Ok(owned(&message))),
                Ok(None) => break,
                Err(err) => {
                    out.push(Err(err.to_string()));
                    if decoder.broken {
                        break;
                    }
                }
            }
        }
    }
    if let Err(err) = decoder.finish() {
        out.push(Err(err.to_string()));
    }
    out
}

/// The message of an [`Error::UnexpectedModelBehavior`], and its body.
fn unexpected(err: Error) -> (String, Option<String>) {
    match err {
        Error::UnexpectedModelBehavior { message, body } => (message, body),
        other => panic!("not UnexpectedModelBehavior: {other:?}"),
    }
}

fn first_error(input: &[u8]) -> String {
    unexpected(decode(input).unwrap_err()).0
}

/// Recomputes both CRCs of one frame, so that a deliberately corrupted field is checked
/// for itself and not caught by the checksums first.
fn reseal(mut frame: Vec<u8>) -> Vec<u8> {
    let prelude_crc = crc32(&frame[..8]);
    frame[8..12].copy_from_slice(&prelude_crc.to_be_bytes());
    let end = frame.len() - 4;
    let message_crc = crc32(&frame[..end]);
    frame[end..].copy_from_slice(&message_crc.to_be_bytes());
    frame
}

/// A frame with the given total and headers lengths and a correct prelude CRC, followed by
/// `rest`.
fn prelude(total_len: u32, headers_len: u32, rest: &[u8]) -> Vec<u8> {
    let mut frame = Vec::new();
    frame.extend_from_slice(&total_len.to_be_bytes());
    frame.extend_from_slice(&headers_len.to_be_bytes());
    let crc = crc32(&frame);
    frame.extend_from_slice(&crc.to_be_bytes());
    frame.extend_from_slice(rest);
    frame
}

/// Three Bedrock-like messages (event, event, exception).
fn three_messages() -> Vec<u8> {
    let mut stream = encode_message(
        &[
            (":event-type", HeaderValue::String("messageStart")),
            (":content-type", HeaderValue::String("application/json")),
            (":message-type", HeaderValue::String("event")),
        ],
        br#"{"p":"abcd","role":"assistant"}"#,
    );
    stream.extend(encode_message(
        &[
            (":event-type", HeaderValue::String("contentBlockDelta")),
            (":message-type", HeaderValue::String("event")),
        ],
        "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Paris é 🌍\"}}".as_bytes(),
    ));
    stream.extend(encode_message(
        &[
            (
                ":exception-type",
                HeaderValue::String("throttlingException"),
            ),
            (":message-type", HeaderValue::String("exception")),
        ],
        br#"{"message":"Too many requests"}"#,
    ));
    stream
}

// Test vectors of aws-smithy-eventstream (smithy-lang/smithy-rs, Apache-2.0),
// `rust-runtime/aws-smithy-eventstream/test_data/`, as of commit 1aa5969 (2021-10-20).

/// `valid_with_all_headers_and_payload`: one header of each type, payload `some payload`.
const SMITHY_ALL_HEADERS: &[u8] = b"\
\x00\x00\x00\x96\x00\x00\x00\x7a\x8b\xb4\x95\xfb\x04\x74\x72\x75\
\x65\x00\x05\x66\x61\x6c\x73\x65\x01\x04\x62\x79\x74\x65\x02\x32\
\x05\x73\x68\x6f\x72\x74\x03\x4e\x20\x03\x69\x6e\x74\x04\x00\x07\
\xa1\x20\x04\x6c\x6f\x6e\x67\x05\x00\x00\x00\x0b\xa4\x3b\x74\x00\
\x05\x62\x79\x74\x65\x73\x06\x00\x0a\x73\x6f\x6d\x65\x20\x62\x79\
\x74\x65\x73\x03\x73\x74\x72\x07\x00\x08\x73\x6f\x6d\x65\x20\x73\
\x74\x72\x04\x74\x69\x6d\x65\x08\x00\x00\x00\x01\x2a\x05\xf2\x00\
\x04\x75\x75\x69\x64\x09\xb7\x9b\xc9\x14\xde\x21\x4e\x13\xb8\xb2\
\xbc\x47\xe8\x5b\x7f\x0b\x73\x6f\x6d\x65\x20\x70\x61\x79\x6c\x6f\
\x61\x64\x01\xa0\x58\x60";

/// `valid_empty_payload`: header `some-header` (short 500), no payload.
const SMITHY_EMPTY_PAYLOAD: &[u8] = b"\
\x00\x00\x00\x1f\x00\x00\x00\x0f\x17\x2d\xc2\xab\x0b\x73\x6f\x6d\
\x65\x2d\x68\x65\x61\x64\x65\x72\x03\x01\xf4\x93\x3c\x5c\xad";

/// `valid_no_headers`: payload `another test payload`.
const SMITHY_NO_HEADERS: &[u8] = b"\
\x00\x00\x00\x24\x00\x00\x00\x00\x51\x63\x56\xad\x61\x6e\x6f\x74\
\x68\x65\x72\x20\x74\x65\x73\x74\x20\x70\x61\x79\x6c\x6f\x61\x64\
\x8d\xf8\x0e\x65";

/// `invalid_headers_length`: 77 bytes of headers declared in an 89-byte message.
const SMITHY_INVALID_HEADERS_LENGTH: &[u8] = b"\
\x00\x00\x00\x59\x00\x00\x00\x4d\x58\x4c\x4f\xfe\x04\x74\x72\x75\
\x65\x00\x05\x66\x61\x6c\x73\x65\x01\x04\x62\x79\x74\x65\x02\x32\
\x05\x73\x68\x6f\x72\x74\x03\x4e\x20\x03\x69\x6e\x74\x04\x00\x07\
\xa1\x20\x04\x6c\x6f\x6e\x67\x05\x00\x00\x00\x0b\xa4\x3b\x74\x00\
\x05\x62\x79\x74\x65\x73\x06\x00\x0a\x73\x6f\x6d\x65\x20\x62\x79\
\x74\x65\x73\x03\x73\x74\x72\x07\xff";

/// The smithy vectors that are [`SMITHY_ALL_HEADERS`] with one corruption, as (file name,
/// offset, bytes there): in each, the message CRC was left as it was.
const SMITHY_CORRUPTIONS: &[(&str, usize, &[u8])] = &[
    ("invalid_header_name_length", 0x19, b"\xff"),
    ("invalid_header_value_type", 0x1e, b"\x60"),
    ("invalid_header_string_value_length", 0x58, b"\xff\xff"),
];

// Messages of the AWS CRT's `aws-c-event-stream/tests/message_deserializer_test.c`, as
// quoted by aws-smithy-eventstream's `frame.rs` tests.

/// No headers, payload `{'foo':'bar'}`.
const CRT_NO_HEADERS: &[u8] = &[
    0x00, 0x00, 0x00, 0x1D, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52, 0x8c, 0x5a, 0x7b, 0x27, 0x66, 0x6f,
    0x6f, 0x27, 0x3a, 0x27, 0x62, 0x61, 0x72, 0x27, 0x7d, 0xc3, 0x65, 0x39, 0x36,
];

/// Header `content-type: application/json`, payload `{'foo':'bar'}`.
const CRT_ONE_HEADER: &[u8] = b"\x00\x00\x00\x3d\x00\x00\x00\x20\x07\xfd\x83\x96\
\x0ccontent-type\x07\x00\x10application/json{'foo':'bar'}\x8d\x9c\x08\xb1";

const UUID: [u8; 16] = [
    0xb7, 0x9b, 0xc9, 0x14, 0xde, 0x21, 0x4e, 0x13, 0xb8, 0xb2, 0xbc, 0x47, 0xe8, 0x5b, 0x7f, 0x0b,
];

fn smithy_all_headers() -> [(&'static str, HeaderValue<'static>); 10] {
    [
        ("true", HeaderValue::Bool(true)),
        ("false", HeaderValue::Bool(false)),
        ("byte", HeaderValue::Byte(50)),
        ("short", HeaderValue::Short(20_000)),
        ("int", HeaderValue::Int(500_000)),
        ("long", HeaderValue::Long(50_000_000_000)),
        ("bytes", HeaderValue::Bytes(b"some bytes")),
        ("str", HeaderValue::String("some str")),
        ("time", HeaderValue::Timestamp(5_000_000_000)),
        ("uuid", HeaderValue::Uuid(UUID)),
    ]
}

#[test]
fn smithy_valid_vectors_decode_and_encode_byte_for_byte() {
    let mut decoder = EventStreamDecoder::new();
    decoder.push(SMITHY_ALL_HEADERS);
    decoder.push(SMITHY_EMPTY_PAYLOAD);
    decoder.push(SMITHY_NO_HEADERS);

    let message = decoder.next_message().unwrap().unwrap();
    assert_eq!(message.headers(), smithy_all_headers());
    assert_eq!(message.payload(), b"some payload");

    let message = decoder.next_message().unwrap().unwrap();
    assert_eq!(
        message.headers(),
        [("some-header", HeaderValue::Short(500))]
    );
    assert_eq!(message.payload(), b"");

    let message = decoder.next_message().unwrap().unwrap();
    assert!(message.headers().is_empty());
    assert_eq!(message.payload(), b"another test payload");

    assert!(decoder.next_message().unwrap().is_none());
    decoder.finish().unwrap();

    assert_eq!(
        encode_message(&smithy_all_headers(), b"some payload"),
        SMITHY_ALL_HEADERS
    );
    assert_eq!(
        encode_message(&[("some-header", HeaderValue::Short(500))], b""),
        SMITHY_EMPTY_PAYLOAD
    );
    assert_eq!(
        encode_message(&[], b"another test payload"),
        SMITHY_NO_HEADERS
    );
}

#[test]
fn crt_vectors_decode_and_encode_byte_for_byte() {
    let messages = decode(&[CRT_NO_HEADERS, CRT_ONE_HEADER].concat()).unwrap();
    assert_eq!(messages.len(), 2);
    assert!(messages[0].headers.is_empty());
    assert_eq!(messages[0].payload, b"{'foo':'bar'}");
    assert_eq!(
        messages[1].headers,
        [(
            "content-type".to_owned(),
            OwnedValue::String("application/json".into())
        )]
    );
    assert_eq!(messages[1].payload, b"{'foo':'bar'}");
    assert_eq!(encode_message(&[], b"{'foo':'bar'}"), CRT_NO_HEADERS);
    assert_eq!(
        encode_message(
            &[("content-type", HeaderValue::String("application/json"))],
            b"{'foo':'bar'}"
        ),
        CRT_ONE_HEADER
    );
}

#[test]
fn smithy_invalid_vectors_are_errors() {
    // Its prelude CRC is right: the headers length is refused from the prelude.
    assert_eq!(
        first_error(SMITHY_INVALID_HEADERS_LENGTH),
        "an event-stream message declares 77 bytes of headers, past the end of its 89 bytes"
    );
    // `invalid_prelude_checksum` and `invalid_message_checksum`.
    let mut bad_prelude = SMITHY_ALL_HEADERS.to_vec();
    bad_prelude[8..12].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        first_error(&bad_prelude),
        "an event-stream message prelude has a bad CRC \
         (computed 0x8bb495fb, the prelude says 0xdeadbeef)"
    );
    let mut bad_message = SMITHY_ALL_HEADERS.to_vec();
    bad_message[0x92..].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        first_error(&bad_message),
        "an event-stream message has a bad CRC (computed 0x01a05860, the message says 0xdeadbeef)"
    );
    for &(file, offset, bytes) in SMITHY_CORRUPTIONS {
        let mut corrupt = SMITHY_ALL_HEADERS.to_vec();
        corrupt[offset..offset + bytes.len()].copy_from_slice(bytes);
        // As published, the message CRC catches them.
        assert!(
            first_error(&corrupt).starts_with("an event-stream message has a bad CRC"),
            "{file}"
        );
        // Resealed, each is caught for what it is.
        let expected = match file {
            "invalid_header_name_length" => {
                "the name of an event-stream header runs past the end of the headers"
            }
            "invalid_header_value_type" => {
                "event-stream header `byte` has an unknown value type 96"
            }
            _ => "the value of event-stream header `str` runs past the end of the headers",
        };
        assert_eq!(first_error(&reseal(corrupt)), expected, "{file}");
    }
}

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
fn chunk_sizes_do_not_matter() {
    let stream = three_messages();
    let whole = decode(&stream).unwrap();
    assert_eq!(whole.len(), 3);
    assert_eq!(
        whole[1].payload,
        "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Paris é 🌍\"}}".as_bytes()
    );
    for size in [1, 2, 3, 4, 7, 11, 12, 13, 16, 64, stream.len()] {
        assert_eq!(
            decode_chunks(stream.chunks(size)).unwrap(),
            whole,
            "{size}-byte chunks"
        );
    }
    for i in 0..=stream.len() {
        let (a, b) = stream.split_at(i);
        assert_eq!(decode_chunks([a, b]).unwrap(), whole, "split at {i}");
    }
    let mut seed = 0x2545_f491_u64;
    for _ in 0..300 {
        let mut chunks = Vec::new();
        let mut rest = &stream[..];
        while !rest.is_empty() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = usize::try_from(seed % 40).unwrap().min(rest.len());
            let (head, tail) = rest.split_at(n);
            chunks.push(head);
            rest = tail;
        }
        assert_eq!(decode_chunks(chunks).unwrap(), whole);
    }
}

#[test]
fn incomplete_messages_wait_for_more_bytes() {
    let frame = encode_message(&[("a", HeaderValue::Bool(true))], b"xyz");
    let mut decoder = EventStreamDecoder::new();
    for (i, byte) in frame.iter().enumerate() {
        assert!(decoder.next_message().unwrap().is_none(), "after {i} bytes");
        decoder.push(&[*byte]);
    }
    assert_eq!(decoder.next_message().unwrap().unwrap().payload(), b"xyz");
    assert_eq!(decoder.buffered(), 0);
}

#[test]
fn bad_prelude_crc() {
    let mut stream = three_messages();
    stream[9] ^= 0x01;
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&stream);
    let (message, body) = unexpected(decoder.next_message().unwrap_err());
    assert!(
        message.starts_with("an event-stream message prelude has a bad CRC (computed 0x"),
        "{message}"
    );
    assert_eq!(
        body.as_deref(),
        Some(&*String::from_utf8_lossy(&stream[..12]))
    );
    // The framing is lost: the buffer is dropped, and every later call fails.
    assert_eq!(decoder.buffered(), 0);
    decoder.push(&three_messages());
    assert_eq!(decoder.buffered(), 0);
    let (message, _) = unexpected(decoder.next_message().unwrap_err());
    assert_eq!(
        message,
        "the event stream cannot be read past a corrupt message prelude"
    );
    assert!(decoder.finish().is_err());
}

#[test]
fn bad_message_crc_spoils_one_message() {
    let mut stream = three_messages();
    let first_len = usize::try_from(u32::from_be_bytes(stream[..4].try_into().unwrap())).unwrap();
    // A byte of the first payload.
    stream[first_len - 6] ^= 0x20;
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&stream);
    let (message, body) = unexpected(decoder.next_message().unwrap_err());
    assert!(
        message.starts_with("an event-stream message has a bad CRC (computed 0x"),
        "{message}"
    );
    assert!(body.unwrap().contains("messageStart"));
    // The prelude was sound: the next messages are found where it said.
    let second = decoder.next_message().unwrap().unwrap();
    assert_eq!(second.header_str(":event-type"), Some("contentBlockDelta"));
    let third = decoder.next_message().unwrap().unwrap();
    assert_eq!(
        third.header_str(":exception-type"),
        Some("throttlingException")
    );
    assert!(decoder.next_message().unwrap().is_none());
    decoder.finish().unwrap();
}

#[test]
fn truncated_prelude_at_finish() {
    let stream = three_messages();
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&stream[..5]);
    assert!(decoder.next_message().unwrap().is_none());
    let (message, body) = unexpected(decoder.finish().unwrap_err());
    assert_eq!(
        message,
        "the event stream ended inside the prelude of a message (5 of its 12 bytes)"
    );
    assert!(body.is_some());
}

#[test]
fn truncated_message_at_finish() {
    let stream = three_messages();
    let first_len = usize::try_from(u32::from_be_bytes(stream[..4].try_into().unwrap())).unwrap();
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&stream[..first_len + 20]);
    assert!(decoder.next_message().unwrap().is_some());
    assert!(decoder.next_message().unwrap().is_none());
    let (message, _) = unexpected(decoder.finish().unwrap_err());
    let second_len = u32::from_be_bytes(stream[first_len..first_len + 4].try_into().unwrap());
    assert_eq!(
        message,
        format!("the event stream ended inside a message (20 of its {second_len} bytes)")
    );
}

#[test]
fn finish_with_a_message_not_taken_is_a_user_error() {
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&three_messages());
    let err = decoder.finish().unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
}

#[test]
fn oversize_total_length_is_refused_from_the_prelude() {
    // Only the prelude arrived: the declared 16 MiB + 1 is refused before any of it.
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&prelude(16 * 1024 * 1024 + 1, 0, &[]));
    let (message, _) = unexpected(decoder.next_message().unwrap_err());
    assert_eq!(
        message,
        "an event-stream message declares a total length of 16777217 bytes, \
         more than the maximum of 16777216"
    );
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&prelude(u32::MAX, 0, &[]));
    assert!(decoder.next_message().is_err());
    // A smaller bound of one's own.
    let frame = encode_message(&[], &[b'x'; 85]);
    assert_eq!(frame.len(), 101);
    let mut decoder = EventStreamDecoder::new().with_max_message_size(100);
    decoder.push(&frame[..12]);
    let (message, _) = unexpected(decoder.next_message().unwrap_err());
    assert!(
        message.ends_with("101 bytes, more than the maximum of 100"),
        "{message}"
    );
    let mut decoder = EventStreamDecoder::new().with_max_message_size(101);
    decoder.push(&frame);
    assert!(decoder.next_message().unwrap().is_some());
}

#[test]
fn total_length_below_the_minimum() {
    for total in [0, 12, 15] {
        let mut decoder = EventStreamDecoder::new();
        decoder.push(&prelude(total, 0, &[0; 8]));
        let (message, _) = unexpected(decoder.next_message().unwrap_err());
        assert_eq!(
            message,
            format!(
                "an event-stream message declares a total length of {total} bytes, \
                 less than the 16 of an empty message"
            )
        );
    }
}

#[test]
fn oversize_headers_length() {
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&prelude(200 * 1024, 128 * 1024 + 1, &[]));
    let (message, _) = unexpected(decoder.next_message().unwrap_err());
    assert_eq!(
        message,
        "an event-stream message declares 131073 bytes of headers, more than the maximum of 131072"
    );
}

#[test]
fn headers_length_past_the_message() {
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&prelude(20, 5, &[]));
    let (message, _) = unexpected(decoder.next_message().unwrap_err());
    assert_eq!(
        message,
        "an event-stream message declares 5 bytes of headers, past the end of its 20 bytes"
    );
}

/// A sealed frame whose header block is `block`.
fn frame_with_headers(block: &[u8], payload: &[u8]) -> Vec<u8> {
    let total = u32::try_from(MIN_MESSAGE_LEN + block.len() + payload.len()).unwrap();
    let headers_len = u32::try_from(block.len()).unwrap();
    let mut frame = prelude(total, headers_len, block);
    frame.extend_from_slice(payload);
    frame.extend_from_slice(&[0; 4]);
    reseal(frame)
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
fn every_prefix_and_every_byte_mutation_is_handled() {
    let stream = three_messages();
    let whole = decode(&stream).unwrap();
    let mut boundaries = vec![0];
    let mut at = 0;
    while at < stream.len() {
        at += usize::try_from(u32::from_be_bytes(stream[at..at + 4].try_into().unwrap())).unwrap();
        boundaries.push(at);
    }
    // A prefix ends well exactly at a message boundary, and gives the messages before it.
    for end in 0..=stream.len() {
        let result = decode_lenient(&stream[..end], &[]);
        let complete = boundaries.iter().filter(|&&b| b > 0 && b <= end).count();
        let messages: Vec<Owned> = result.iter().filter_map(|r| r.clone().ok()).collect();
        assert_eq!(messages, whole[..complete], "prefix of {end} bytes");
        let failed = result.iter().any(Result::is_err);
        assert_eq!(failed, !boundaries.contains(&end), "prefix of {end} bytes");
    }
    // A CRC32 catches every error of one byte: each mutation is an error, never a panic,
    // never a message that was not sent.
    for i in 0..stream.len() {
        for flip in [0x01, 0x10, 0x80, 0xff] {
            let mut mutated = stream.clone();
            mutated[i] ^= flip;
            for cuts in [vec![], vec![i], vec![1, i / 2, i]] {
                let mut cuts = cuts;
                cuts.sort_unstable();
                let result = decode_lenient(&mutated, &cuts);
                assert!(
                    result.iter().any(Result::is_err),
                    "byte {i} ^ {flip:#x} went unnoticed"
                );
                for message in result.iter().filter_map(|r| r.as_ref().ok()) {
                    assert!(whole.contains(message), "byte {i} ^ {flip:#x}: {message:?}");
                }
            }
        }
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // Random frames that are valid up to a point: sound preludes with random headers and
    // payloads, some resealed so that the header parser sees them.
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let len = usize::try_from(next() % 40).unwrap();
        let block: Vec<u8> = (0..len).map(|_| (next() % 12) as u8).collect();
        let frame = frame_with_headers(&block, b"p");
        let mut decoder = EventStreamDecoder::new();
        decoder.push(&frame);
        let _ = decoder.next_message();
        let _ = decoder.finish();
        let noise: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let _ = decode_lenient(&noise, &[len / 2]);
    }
}

#[test]
fn a_large_message_in_one_byte_chunks_is_checksummed_once() {
    // 1 MiB of payload and a few small messages, pushed a byte at a time: each byte but the
    // message CRCs is checksummed once, and nothing is decoded again when more of a
    // message arrives.
    let big = vec![b'x'; 1 << 20];
    let mut stream = three_messages();
    stream.extend(encode_message(
        &[(":event-type", HeaderValue::String("big"))],
        &big,
    ));
    stream.extend(three_messages());
    let mut decoder = EventStreamDecoder::new();
    let mut found = 0;
    for byte in &stream {
        decoder.push(std::slice::from_ref(byte));
        while let Some(message) = decoder.next_message().unwrap() {
            found += 1;
            if message.header_str(":event-type") == Some("big") {
                assert_eq!(message.payload().len(), big.len());
            }
        }
        assert!(decoder.buffered() <= big.len() + 64);
    }
    decoder.finish().unwrap();
    assert_eq!(found, 7);
    assert_eq!(decoder.checksummed, stream.len() - 7 * CRC_LEN);
}

#[test]
#[should_panic(expected = "event-stream header name of 256 bytes")]
fn encoding_a_name_too_long_panics() {
    encode_message(&[(&"n".repeat(256), HeaderValue::Bool(true))], b"");
}

#[test]
fn has_message_says_whether_a_whole_message_is_buffered_without_taking_it() {
    let stream = three_messages();
    let first_len = usize::try_from(u32::from_be_bytes([
        stream[0], stream[1], stream[2], stream[3],
    ]))
    .unwrap();
    let mut decoder = EventStreamDecoder::new();
    for byte in &stream[..first_len - 1] {
        decoder.push(std::slice::from_ref(byte));
        assert!(!decoder.has_message().unwrap());
    }
    // Only the prelude was checksummed while looking, once.
    assert_eq!(decoder.checksummed, PRELUDE_LEN - CRC_LEN);
    decoder.push(&stream[first_len - 1..first_len]);
    assert!(decoder.has_message().unwrap());
    assert!(decoder.has_message().unwrap());
    let message = owned(&decoder.next_message().unwrap().unwrap());
    assert_eq!(message.headers[0].0, ":event-type");
    assert!(!decoder.has_message().unwrap());

    let mut corrupt = stream.clone();
    corrupt[8] ^= 0xFF; // the prelude CRC
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&corrupt);
    assert!(matches!(
        decoder.has_message(),
        Err(Error::UnexpectedModelBehavior { .. })
    ));
}
