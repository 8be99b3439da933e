use chrono::TimeZone;

use super::*;

fn at(timestamp: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(timestamp, "%Y%m%dT%H%M%SZ").unwrap();
    Utc.from_utc_datetime(&naive)
}

fn example_credentials(token: Option<&str>) -> AwsCredentials {
    AwsCredentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        token.map(crate::http::ApiKey::new),
    )
}

fn scope(service: &str) -> SigningScope {
    SigningScope {
        region: "us-east-1".into(),
        service: service.into(),
    }
}

/// AWS's own test suite (`get-vanilla`), whose signature AWS publishes.
#[test]
fn signs_the_aws_get_vanilla_example() {
    let url = Url::parse("https://example.amazonaws.com/").unwrap();
    let mut headers = HeaderMap::new();
    let request = SigningRequest {
        method: "GET",
        url: &url,
        body: b"",
    };
    sign(
        &example_credentials(None),
        &scope("service"),
        request,
        &mut headers,
        at("20150830T123600Z"),
    )
    .unwrap();
    assert_eq!(headers[X_AMZ_DATE], "20150830T123600Z");
    assert_eq!(
        headers[AUTHORIZATION],
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders=host;x-amz-date, \
         Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
    assert!(headers[AUTHORIZATION].is_sensitive());
    assert!(!headers.contains_key(X_AMZ_SECURITY_TOKEN));
}

#[test]
fn a_second_signature_replaces_the_first() {
    let url =
        Url::parse("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse").unwrap();
    let mut headers = HeaderMap::new();
    let credentials = example_credentials(Some("token-1"));
    let request = SigningRequest {
        method: "POST",
        url: &url,
        body: b"{}",
    };
    sign(
        &credentials,
        &scope("bedrock"),
        request,
        &mut headers,
        at("20261207T000000Z"),
    )
    .unwrap();
    let first = headers[AUTHORIZATION].clone();
    sign(
        &credentials,
        &scope("bedrock"),
        request,
        &mut headers,
        at("20261207T000001Z"),
    )
    .unwrap();
    assert_eq!(headers.get_all(AUTHORIZATION).iter().count(), 1);
    assert_eq!(headers.get_all(X_AMZ_DATE).iter().count(), 1);
    assert_eq!(headers[X_AMZ_SECURITY_TOKEN], "token-1");
    assert!(headers[X_AMZ_SECURITY_TOKEN].is_sensitive());
    assert_ne!(headers[AUTHORIZATION], first);
    let authorization = headers[AUTHORIZATION].to_str().unwrap();
    assert!(
        authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
        "{authorization}"
    );
}

#[test]
fn paths_are_encoded_twice_and_normalized() {
    assert_eq!(
        canonical_uri("/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse"),
        "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%253A0/converse"
    );
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/a/./b/../c//d/"), "/a/c/d/");
    assert_eq!(canonical_uri("/caf%C3%A9 x"), "/caf%25C3%25A9%20x");
}

#[test]
fn queries_are_reencoded_and_sorted_by_name_then_value() {
    assert_eq!(canonical_query(None), "");
    assert_eq!(
        canonical_query(Some("b=2&a=z&a=y&c=x/y:z&d=%20&e")),
        "a=y&a=z&b=2&c=x%2Fy%3Az&d=%20&e="
    );
    // A `%` not followed by two hex digits is a literal percent sign.
    assert_eq!(canonical_query(Some("p=100%&q=%zz")), "p=100%25&q=%25zz");
}

#[test]
fn header_values_are_trimmed_and_repeated_ones_joined() {
    let url = Url::parse("http://127.0.0.1:8080/x").unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("  application/json  "),
    );
    headers.append("x-multi", HeaderValue::from_static("a   b"));
    headers.append("x-multi", HeaderValue::from_static("c"));
    headers.insert("user-agent", HeaderValue::from_static("not signed"));
    let (canonical, signed) = canonical_headers(&url, &headers).unwrap();
    assert_eq!(
        canonical,
        "content-type:application/json\nhost:127.0.0.1:8080\nx-multi:a b,c"
    );
    assert_eq!(signed, "content-type;host;x-multi");
}

#[test]
fn the_secret_is_in_no_header_and_no_debug() {
    let url = Url::parse("https://bedrock-runtime.us-east-1.amazonaws.com/").unwrap();
    let credentials = example_credentials(Some("session-secret"));
    let mut headers = HeaderMap::new();
    let request = SigningRequest {
        method: "POST",
        url: &url,
        body: b"",
    };
    sign(
        &credentials,
        &scope("bedrock"),
        request,
        &mut headers,
        Utc::now(),
    )
    .unwrap();
    let shown = format!("{headers:?} {credentials:?}");
    assert!(!shown.contains("EXAMPLEKEY"), "{shown}");
    assert!(!shown.contains("session-secret"), "{shown}");
}
