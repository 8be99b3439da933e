use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use super::*;

fn headers(error_type: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        ERROR_TYPE_HEADER,
        HeaderValue::from_str(error_type).unwrap(),
    );
    headers
}

fn parsed(body: Vec<u8>) -> Value {
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn the_error_type_becomes_the_code_beside_the_message() {
    let body = error_body(
        &headers("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
        br#"{"message":"Too many requests, please wait before trying again."}"#.to_vec(),
    );
    assert_eq!(
        parsed(body),
        json!({"Error": {"Code": "ThrottlingException", "Message": "Too many requests, please wait before trying again."}})
    );
    let body = error_body(
        &headers("AccessDeniedException"),
        br#"{"Message":"denied"}"#.to_vec(),
    );
    assert_eq!(
        parsed(body),
        json!({"Error": {"Code": "AccessDeniedException", "Message": "denied"}})
    );
}

#[test]
fn a_body_that_is_not_json_is_the_message_and_without_the_header_the_body_stays() {
    let body = error_body(
        &headers("ServiceUnavailableException"),
        b"upstream down".to_vec(),
    );
    assert_eq!(
        parsed(body),
        json!({"Error": {"Code": "ServiceUnavailableException", "Message": "upstream down"}})
    );
    let raw = br#"{"message":"no type"}"#.to_vec();
    assert_eq!(error_body(&HeaderMap::new(), raw.clone()), raw);
    assert_eq!(error_body(&headers(":x"), raw.clone()), raw);
}
