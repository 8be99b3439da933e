use super::*;

fn frame() -> Vec<u8> {
    encode_message(
        &[
            (":message-type", "event"),
            (":event-type", "contentBlockDelta"),
        ],
        br#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#,
    )
}

fn message_error(bytes: &[u8]) -> String {
    let mut decoder = EventStreamDecoder::new();
    decoder.push(bytes);
    match decoder.next_message() {
        Err(Error::UnexpectedModelBehavior { message, .. }) => message,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn crc32_is_zlibs() {
    assert_eq!(crc32(b""), 0);
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn frames_decode_byte_by_byte_and_back_to_back() {
    let mut bytes = frame();
    bytes.extend(encode_message(&[(":event-type", "messageStop")], b"{}"));
    let mut decoder = EventStreamDecoder::new();
    let mut messages = Vec::new();
    for byte in &bytes {
        decoder.push(std::slice::from_ref(byte));
        while let Some(message) = decoder.next_message().unwrap() {
            messages.push(message);
        }
    }
    decoder.finish().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(
        messages[0].header_str(":event-type"),
        Some("contentBlockDelta")
    );
    assert_eq!(messages[0].header_str(":message-type"), Some("event"));
    assert_eq!(
        messages[0].payload,
        br#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#
    );
    assert_eq!(messages[1].header_str(":event-type"), Some("messageStop"));
}

#[test]
fn headers_of_every_type_are_read() {
    // Headers of types 0-9, built by hand, in a frame encoded around them.
    let mut headers = Vec::new();
    let mut add = |name: &str, kind: u8, value: &[u8]| {
        headers.push(u8::try_from(name.len()).unwrap());
        headers.extend_from_slice(name.as_bytes());
        headers.push(kind);
        headers.extend_from_slice(value);
    };
    add("t", 0, &[]);
    add("f", 1, &[]);
    add("b", 2, &[0xFF]);
    add("s", 3, &7i16.to_be_bytes());
    add("i", 4, &(-2i32).to_be_bytes());
    add("l", 5, &9i64.to_be_bytes());
    add("y", 6, &[0, 2, 1, 2]);
    add("z", 7, &[0, 1, b'x']);
    add("ts", 8, &1000i64.to_be_bytes());
    add("u", 9, &[7; 16]);
    let total = MIN_FRAME_LEN + headers.len();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&u32::try_from(total).unwrap().to_be_bytes());
    bytes.extend_from_slice(&u32::try_from(headers.len()).unwrap().to_be_bytes());
    let prelude_crc = crc32(&bytes);
    bytes.extend_from_slice(&prelude_crc.to_be_bytes());
    bytes.extend_from_slice(&headers);
    let crc = crc32(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&bytes);
    let message = decoder.next_message().unwrap().unwrap();
    let values: Vec<HeaderValue> = message.headers.into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        values,
        vec![
            HeaderValue::Bool(true),
            HeaderValue::Bool(false),
            HeaderValue::Byte(-1),
            HeaderValue::Short(7),
            HeaderValue::Int(-2),
            HeaderValue::Long(9),
            HeaderValue::Bytes(vec![1, 2]),
            HeaderValue::String("x".into()),
            HeaderValue::Timestamp(1000),
            HeaderValue::Uuid([7; 16]),
        ]
    );
}

#[test]
fn a_bad_prelude_crc_is_an_error() {
    let mut bytes = frame();
    bytes[8] ^= 1;
    assert!(message_error(&bytes).contains("prelude CRC"));
}

#[test]
fn a_bad_message_crc_is_an_error() {
    let mut bytes = frame();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert!(message_error(&bytes).contains("message CRC"));
    let mut bytes = frame();
    bytes[20] ^= 0x40; // a header byte
    assert!(message_error(&bytes).contains("message CRC"));
}

#[test]
fn a_truncated_frame_is_an_error_at_the_end() {
    let bytes = frame();
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&bytes[..bytes.len() - 3]);
    assert!(decoder.next_message().unwrap().is_none());
    let Err(Error::UnexpectedModelBehavior { message, .. }) = decoder.finish() else {
        panic!("a truncated frame must be an error");
    };
    assert!(message.contains("ended inside a frame"), "{message}");
    // A truncated prelude too.
    let mut decoder = EventStreamDecoder::new();
    decoder.push(&bytes[..5]);
    assert!(decoder.next_message().unwrap().is_none());
    assert!(decoder.finish().is_err());
}

/// A prelude with valid CRC and the given lengths.
fn prelude(total: u32, headers: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&total.to_be_bytes());
    bytes.extend_from_slice(&headers.to_be_bytes());
    let crc = crc32(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    bytes
}

#[test]
fn oversize_or_inconsistent_lengths_are_errors_without_waiting_for_bytes() {
    let too_long = u32::try_from(MAX_FRAME_LEN + 1).unwrap();
    assert!(message_error(&prelude(too_long, 0)).contains("out of bounds"));
    assert!(message_error(&prelude(15, 0)).contains("out of bounds"));
    let big_headers = u32::try_from(MAX_HEADERS_LEN + 1).unwrap();
    assert!(message_error(&prelude(too_long - 1, big_headers)).contains("headers length"));
    assert!(message_error(&prelude(20, 10)).contains("headers length"));
}

#[test]
fn malformed_headers_are_errors() {
    // A header claiming a 200-byte name inside a 3-byte headers section.
    let headers = [200u8, b'a', b'b'];
    let total = u32::try_from(MIN_FRAME_LEN + headers.len()).unwrap();
    let mut bytes = prelude(total, 3);
    bytes.extend_from_slice(&headers);
    let crc = crc32(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    assert!(message_error(&bytes).contains("runs past"));
}
