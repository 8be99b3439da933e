//! SigV4 signatures made by `llm_runtime::providers::bedrock::sigv4` equal botocore's for the
//! same requests, header for header, byte for byte.
//!
//! Runs `tests/python/sigv4_botocore.py` under a Python where `botocore` imports: `LLM_PYTHON`
//! if set (then it must work; `scripts/realpeers/setup.sh` installs botocore into the venv CI
//! uses), else the peers venv, else `.venv-oracle` in the workspace, else `python3`. With none,
//! the test prints one line and returns.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{NaiveDateTime, TimeZone, Utc};
use llm_runtime::providers::bedrock::credentials::AwsCredentials;
use llm_runtime::providers::bedrock::sigv4::{sign, SigningRequest, SigningScope};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use serde_json::{json, Map, Value};
use support::oracle::python_with;

const TEST: &str = "signatures_equal_botocores";

/// One request to sign, with the credentials, scope and time to sign it with.
struct Case {
    name: &'static str,
    method: &'static str,
    /// Scheme, host and path, percent-encoded as sent.
    url: String,
    /// The raw query string, or "".
    query: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
    token: Option<&'static str>,
    region: &'static str,
    timestamp: &'static str,
}

impl Case {
    fn post(name: &'static str, url: impl Into<String>) -> Case {
        Case {
            name,
            method: "POST",
            url: url.into(),
            query: "",
            headers: vec![("Content-Type", "application/json")],
            body: br#"{"messages":[{"role":"user","content":[{"text":"x"}]}]}"#.to_vec(),
            token: None,
            region: "us-east-1",
            timestamp: "20261207T055417Z",
        }
    }

    fn full_url(&self) -> String {
        if self.query.is_empty() {
            self.url.clone()
        } else {
            format!("{}?{}", self.url, self.query)
        }
    }
}

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const RUNTIME: &str = "https://bedrock-runtime.us-east-1.amazonaws.com";

fn cases() -> Vec<Case> {
    let arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0";
    let mut large = Case::post("large body", format!("{RUNTIME}/model/m/converse"));
    large.body = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
    vec![
        Case::post(
            "plain converse",
            format!("{RUNTIME}/model/amazon.nova-micro-v1%3A0/converse"),
        ),
        Case {
            token: Some("FwoGZXIvYXdzEBYaDHqa0AP1/session+token=="),
            ..Case::post(
                "session token",
                format!("{RUNTIME}/model/us.amazon.nova-pro-v1%3A0/converse"),
            )
        },
        Case {
            query: "b=2&a=z&a=y&c=x%2Fy%3Az&d=%20&e=caf%C3%A9&f=a~b-c_d.e&g",
            ..Case::post("query with reserved chars and repeated keys", format!("{RUNTIME}/model/m/converse"))
        },
        Case::post(
            "unicode path",
            format!("{RUNTIME}/model/caf%C3%A9-%E6%A8%A1%E5%9E%8B/converse"),
        ),
        Case::post(
            "model ARN with / and :",
            format!(
                "{RUNTIME}/model/{}/converse-stream",
                llm_runtime::providers::bedrock::model_path_segment(arn)
            ),
        ),
        Case {
            method: "GET",
            body: Vec::new(),
            headers: Vec::new(),
            ..Case::post("empty body", format!("{RUNTIME}/"))
        },
        large,
        Case {
            headers: vec![
                ("Content-Type", "application/json"),
                ("Accept", "application/vnd.amazon.eventstream"),
                ("amz-sdk-invocation-id", "0b7c3b1e-9a5e-4c0f-8f37-3b1a8a0f3c11"),
                ("amz-sdk-request", "attempt=2; max=3"),
                ("User-Agent", "llm-runtime/0.1 (not signed)"),
                ("X-Custom", "  spaced   out\tvalue  "),
            ],
            token: Some("token-2"),
            region: "eu-central-1",
            timestamp: "20260101T000000Z",
            ..Case::post(
                "stream with botocore's headers",
                "https://bedrock-runtime.eu-central-1.amazonaws.com/model/eu.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream",
            )
        },
        Case::post(
            "local endpoint with a port",
            "http://127.0.0.1:8080/model/m~1/converse",
        ),
        Case {
            timestamp: "20241231T235959Z",
            ..Case::post("dot segments", format!("{RUNTIME}/model/./a/../m/converse"))
        },
    ]
}

fn botocore_headers(python: &Path, cases: &[Case]) -> Vec<Value> {
    let input: Vec<Value> = cases
        .iter()
        .map(|case| {
            json!({
                "method": case.method,
                "url": case.url,
                "query": case.query,
                "headers": case.headers.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>(),
                "body": case.body.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "token": case.token,
                "region": case.region,
                "service": "bedrock",
                "timestamp": case.timestamp,
            })
        })
        .collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sigv4_botocore.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = serde_json::to_vec(&input).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "botocore failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn our_headers(case: &Case) -> Value {
    let credentials = AwsCredentials::new(
        ACCESS_KEY,
        SECRET_KEY,
        case.token.map(llm_runtime::http::ApiKey::new),
    );
    let scope = SigningScope {
        region: case.region.to_owned(),
        service: "bedrock".to_owned(),
    };
    let url = Url::parse(&case.full_url()).unwrap();
    let mut headers = HeaderMap::new();
    for (name, value) in &case.headers {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let time = Utc.from_utc_datetime(
        &NaiveDateTime::parse_from_str(case.timestamp, "%Y%m%dT%H%M%SZ").unwrap(),
    );
    let request = SigningRequest {
        method: case.method,
        url: &url,
        body: &case.body,
    };
    sign(&credentials, &scope, request, &mut headers, time).unwrap();
    headers
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value.to_str().unwrap())))
        .collect::<Map<_, _>>()
        .into()
}

#[test]
fn signatures_equal_botocores() {
    let Some(python) = python_with("botocore.auth", "botocore", TEST) else {
        return;
    };
    let cases = cases();
    let theirs = botocore_headers(&python, &cases);
    assert_eq!(theirs.len(), cases.len());
    let mut failures = Vec::new();
    for (case, theirs) in cases.iter().zip(&theirs) {
        let ours = our_headers(case);
        let authorization = ours["authorization"].as_str().unwrap_or_default();
        assert!(
            authorization.starts_with("AWS4-HMAC-SHA256 Credential="),
            "{authorization}"
        );
        if &ours == theirs {
            println!("{TEST}: {}: equal", case.name);
        } else {
            failures.push(format!(
                "{}:\n  ours   {ours}\n  theirs {theirs}",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
