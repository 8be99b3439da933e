//! The published test vectors: every valid one decodes and encodes byte for byte, every
//! invalid one is an error.

use super::*;

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
