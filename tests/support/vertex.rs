//! Vertex AI over real HTTP: a local OAuth2 token endpoint that checks each grant (the
//! service-account JWT verified with the test key's public half), credential files written
//! for a test, and models pointed at a local Vertex server.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use llm_runtime::http::RetryPolicy;
use llm_runtime::providers::vertex::{self, Credentials, VertexConfig};
use serde_json::{json, Value};

use super::server::{Recorded, Reply, TestServer};

/// The test-only service-account key (tests/data/README.md).
pub const PRIVATE_KEY: &str = include_str!("../data/vertex_test_only_key.pem");
/// Its public half, PKCS#1 PEM.
pub const PUBLIC_KEY: &str = include_str!("../data/vertex_test_only_key.pub.pem");
/// A fragment of the private key's base64 that must appear in no error or `Debug`.
pub const KEY_FRAGMENT: &str = "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCkgWLrhpiJQn2X";
pub const CLIENT_EMAIL: &str = "llm-test@vertex-proj.iam.gserviceaccount.com";
pub const PROJECT: &str = "vertex-proj";
pub const LOCATION: &str = "us-central1";
/// The client secret and refresh token of the authorized-user files.
pub const CLIENT_SECRET: &str = "GOCSPX-client-SECRET-4242";
pub const REFRESH_TOKEN: &str = "1//refresh-TOKEN-4242";

/// A fresh directory for one test's files.
pub fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-vertex-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes a service-account file whose `token_uri` is `token_uri`.
pub fn service_account_file(dir: &Path, token_uri: &str) -> PathBuf {
    let path = dir.join("service-account.json");
    let json = json!({
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "test-key-id-1",
        "private_key": PRIVATE_KEY,
        "client_email": CLIENT_EMAIL,
        "client_id": "1000001",
        "token_uri": token_uri,
    });
    std::fs::write(&path, json.to_string()).expect("write credentials");
    path
}

/// Writes an authorized-user file whose `token_uri` is `token_uri`.
pub fn authorized_user_file(dir: &Path, token_uri: &str) -> PathBuf {
    let path = dir.join("authorized-user.json");
    let json = json!({
        "type": "authorized_user",
        "client_id": "client-1.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        "quota_project_id": PROJECT,
        "token_uri": token_uri,
    });
    std::fs::write(&path, json.to_string()).expect("write credentials");
    path
}

/// The `application/x-www-form-urlencoded` body of a request, decoded.
pub fn form(request: &Recorded) -> Vec<(String, String)> {
    let body = std::str::from_utf8(&request.body).expect("form body is UTF-8");
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("percent escape"));
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8")
}

/// The value of the form field `name`.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Verifies an RS256 JWT with the test key's public half; returns its header and claims.
pub fn verify_jwt(jwt: &str) -> Result<(Value, Value), String> {
    let (signed, signature) = jwt.rsplit_once('.').ok_or("not a JWT")?;
    let (header, claims) = signed.split_once('.').ok_or("not a JWT")?;
    let der: String = PUBLIC_KEY
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let der = STANDARD.decode(der).map_err(|e| e.to_string())?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| e.to_string())?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, der)
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| "the signature does not verify".to_owned())?;
    let part = |text: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    Ok((part(header)?, part(claims)?))
}

/// A token endpoint that checks each grant as Google would (a JWT-bearer grant signed by the
/// test key for `audience`, or the refresh-token grant of the authorized-user file) and
/// answers `token-{n}` (from 1) valid for `lifetime(n)` seconds; a grant it cannot verify gets
/// a 400 `invalid_grant`. `fetches` counts the grants.
pub struct TokenEndpoint {
    pub server: TestServer,
    pub fetches: Arc<AtomicUsize>,
}

impl TokenEndpoint {
    pub async fn start(lifetime: impl Fn(usize) -> u64 + Send + Sync + 'static) -> Self {
        let fetches = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&fetches);
        let server = TestServer::start(move |_, request| {
            let n = counted.fetch_add(1, Ordering::SeqCst) + 1;
            match check_grant(request) {
                Ok(()) => Reply::json(
                    200,
                    &json!({
                        "access_token": format!("ya29.token-{n}"),
                        "expires_in": lifetime(n),
                        "token_type": "Bearer",
                    }),
                ),
                Err(why) => Reply::json(
                    400,
                    &json!({"error": "invalid_grant", "error_description": why}),
                ),
            }
        })
        .await;
        TokenEndpoint { server, fetches }
    }

    /// The token endpoint's URL (a service account's `token_uri`).
    pub fn uri(&self) -> String {
        self.server.url("/token")
    }

    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

/// Whether `request` is a grant the token endpoint accepts.
pub fn check_grant(request: &Recorded) -> Result<(), String> {
    if request.method != "POST" || request.path() != "/token" {
        return Err(format!("{} {}", request.method, request.target));
    }
    if request.header("content-type") != Some("application/x-www-form-urlencoded") {
        return Err("not a form".into());
    }
    let form = form(request);
    match field(&form, "grant_type") {
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            let jwt = field(&form, "assertion").ok_or("no assertion")?;
            let (header, claims) = verify_jwt(jwt)?;
            // google-auth's audience, whatever the file's `token_uri`.
            let audience = "https://oauth2.googleapis.com/token";
            let expected_header = json!({"alg": "RS256", "typ": "JWT", "kid": "test-key-id-1"});
            if header != expected_header {
                return Err(format!("header {header}"));
            }
            let iat = claims["iat"].as_u64().ok_or("no iat")?;
            let expected = json!({
                "iss": CLIENT_EMAIL,
                "scope": "https://www.googleapis.com/auth/cloud-platform",
                "aud": audience,
                "iat": iat,
                "exp": iat + 3600,
            });
            if claims != expected {
                return Err(format!("claims {claims}"));
            }
            Ok(())
        }
        Some("refresh_token") => {
            let expected = [
                ("client_id", "client-1.apps.googleusercontent.com"),
                ("client_secret", CLIENT_SECRET),
                ("refresh_token", REFRESH_TOKEN),
            ];
            for (name, value) in expected {
                if field(&form, name) != Some(value) {
                    return Err(format!("bad {name}"));
                }
            }
            Ok(())
        }
        other => Err(format!("grant_type {other:?}")),
    }
}

/// A Gemini `generateContent` answer.
pub fn gemini_text(text: &str) -> Value {
    json!({
        "candidates": [{
            "content": {"role": "model", "parts": [{"text": text}]},
            "finishReason": "STOP",
        }],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1, "totalTokenCount": 6},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "resp-1",
    })
}

/// A Vertex configuration of `credentials` whose host is `vertex` (as `GOOGLE_VERTEX_BASE_URL`).
pub fn config(credentials: Credentials, vertex: &TestServer) -> VertexConfig {
    let mut config = VertexConfig::new(credentials, PROJECT, LOCATION);
    config.base_url = Some(vertex.url(""));
    config
}

/// Retries without waiting.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

/// A Gemini model on `vertex` with fast retries.
pub fn gemini_model(config: VertexConfig, model: &str) -> Arc<vertex::VertexGeminiModel> {
    Arc::new(
        vertex::gemini_builder(config)
            .retry(fast_retry())
            .build()
            .expect("provider")
            .model(model),
    )
}

/// A Claude model on `vertex` with fast retries.
pub fn claude_model(config: VertexConfig, model: &str) -> Arc<vertex::VertexClaudeModel> {
    Arc::new(
        vertex::claude_builder(config)
            .retry(fast_retry())
            .build()
            .expect("provider")
            .model(model),
    )
}
