use super::*;
use crate::http::test_rng::XorShift;

/// The header block: every value type, lookups, and blocks that are malformed.
mod headers;

/// The published test vectors of aws-smithy-eventstream and aws-c-event-stream.
mod vectors;

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
    // A header found in the block is the first of its name in the list.
    for (name, _) in message.headers() {
        let first = message.headers().iter().find(|(n, _)| n == name);
        let found = super::headers::find(message.block, message.text, name);
        assert_eq!(found.as_ref(), first.map(|(_, value)| value), "{name}");
        assert_eq!(message.header_str(name), found.and_then(|v| v.as_str()));
        let found = message.header_strs([name, "\u{0}absent"]);
        assert_eq!(found, [message.header_str(name), None]);
    }
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

/// Pushes the `i`th chunk: copied (`push`) or read in place (`push_bytes`), in turn, so that
/// every test of chunking decodes both ways and with the two mixed.
fn push_nth(decoder: &mut EventStreamDecoder, i: usize, chunk: &[u8]) {
    if i.is_multiple_of(2) {
        decoder.push_bytes(Bytes::copy_from_slice(chunk));
    } else {
        decoder.push(chunk);
    }
}

/// Decodes `chunks` one after the other, then finishes; stops at the first error.
fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Owned>> {
    let mut decoder = EventStreamDecoder::new();
    let mut out = Vec::new();
    for (i, chunk) in chunks.into_iter().enumerate() {
        push_nth(&mut decoder, i, chunk);
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
    for (i, &cut) in cuts.iter().chain(std::iter::once(&input.len())).enumerate() {
        push_nth(&mut decoder, i, &input[start..cut]);
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

/// The value of the vectors' `uuid` headers (and of the round-trip test's).
const UUID: [u8; 16] = [
    0xb7, 0x9b, 0xc9, 0x14, 0xde, 0x21, 0x4e, 0x13, 0xb8, 0xb2, 0xbc, 0x47, 0xe8, 0x5b, 0x7f, 0x0b,
];

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
    let mut rng = XorShift::new(0x2545_f491);
    for _ in 0..300 {
        let chunks = rng.chunks(&stream, 40);
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
    let mut rng = XorShift::new(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = rng.below(40);
        let block: Vec<u8> = (0..len).map(|_| (rng.next() % 12) as u8).collect();
        let frame = frame_with_headers(&block, b"p");
        let mut decoder = EventStreamDecoder::new();
        decoder.push(&frame);
        let _ = decoder.next_message();
        let _ = decoder.finish();
        let noise: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
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
fn chunks_read_in_place_keep_only_a_partial_message() {
    // Whole messages are read where the chunk holds them; what stays between chunks is the
    // start of the message a chunk ended inside, and each byte is checksummed once.
    let stream = three_messages().repeat(4);
    let whole = decode(&stream).unwrap();
    for size in [1, 5, 12, 13, 50, 97, 200, stream.len()] {
        let mut decoder = EventStreamDecoder::new();
        let mut out = Vec::new();
        for chunk in stream.chunks(size) {
            decoder.push_bytes(Bytes::copy_from_slice(chunk));
            while let Some(message) = decoder.next_message().unwrap() {
                out.push(owned(&message));
            }
            // Nothing of the chunk is held once its whole messages were taken.
            assert!(decoder.chunk.is_empty(), "{size}-byte chunks");
            assert_eq!(decoder.buffered(), decoder.buf.len() - decoder.start);
            assert!(decoder.buffered() < 200, "{size}-byte chunks");
        }
        decoder.finish().unwrap();
        assert_eq!(out, whole, "{size}-byte chunks");
        assert_eq!(decoder.checksummed, stream.len() - whole.len() * CRC_LEN);
    }
}

#[test]
fn a_message_left_in_a_chunk_is_kept_when_the_next_is_pushed() {
    // `push_bytes` twice without taking the messages of the first: nothing is lost.
    let stream = three_messages();
    let (a, b) = stream.split_at(stream.len() / 2);
    let mut decoder = EventStreamDecoder::new();
    decoder.push_bytes(Bytes::copy_from_slice(a));
    assert!(decoder.has_message().unwrap());
    decoder.push_bytes(Bytes::copy_from_slice(b));
    decoder.push(&[]);
    assert_eq!(decoder.buffered(), stream.len());
    let mut out = Vec::new();
    while let Some(message) = decoder.next_message().unwrap() {
        out.push(owned(&message));
    }
    decoder.finish().unwrap();
    assert_eq!(out, decode(&stream).unwrap());
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
