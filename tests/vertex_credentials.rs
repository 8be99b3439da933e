//! Vertex AI credentials over real HTTP: a local OAuth2 token endpoint and a local Vertex
//! server, both on 127.0.0.1. The service-account JWT is verified with the key's public half
//! (and by google-auth, the oracle, where a Python with it is found); 50 concurrent requests
//! cause one token fetch; an expired token is refreshed; a 401 fetches a new token once; a
//! refused grant is a typed error naming the credentials file and none of its secrets.
//!
//! The google-auth test runs `tests/python/google_auth_jwt.py` under `LLM_PYTHON` if set (then
//! it must work), else the peers venv, else `.venv-oracle` in the workspace, else `python3`,
//! the first that imports `google.auth`; with none it prints one line and returns.

mod support;

use std::future::IntoFuture;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::SystemTime;

use futures::future::join_all;
use llm_runtime::http::TokenSource;
use llm_runtime::messages::ModelRequest;
use llm_runtime::providers::vertex::Credentials;
use llm_runtime::{model_request, ApiErrorKind, Error};
use serde_json::{json, Value};
use support::oracle::python_with;
use support::server::{Reply, TestServer};
use support::vertex::*;

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

const GEMINI_PATH: &str =
    "/v1/projects/vertex-proj/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent";

#[tokio::test]
async fn fifty_concurrent_requests_cause_one_verified_token_fetch() {
    let tokens = TokenEndpoint::start(|_| 3600).await;
    let vertex = TestServer::always(Reply::json(200, &gemini_text("Paris"))).await;
    let dir = temp_dir("fifty");
    let file = service_account_file(&dir, &tokens.uri());
    let model = gemini_model(
        config(Credentials::from_file(&file).unwrap(), &vertex),
        "gemini-2.5-flash",
    );
    let calls = (0..50).map(|_| model_request(model.clone(), prompt()).into_future());
    for outcome in join_all(calls).await {
        let (response, _) = outcome.unwrap();
        assert_eq!(response.text(), "Paris");
    }
    assert_eq!(tokens.fetches(), 1, "one grant for 50 concurrent requests");
    let grant = &tokens.server.requests()[0];
    assert_eq!(
        check_grant(grant),
        Ok(()),
        "the JWT verifies with the public key"
    );
    let requests = vertex.requests();
    assert_eq!(requests.len(), 50);
    for request in &requests {
        assert_eq!(request.path(), GEMINI_PATH);
        assert_eq!(request.header("authorization"), Some("Bearer ya29.token-1"));
    }
    let debug = format!("{model:?}");
    assert!(
        !debug.contains(KEY_FRAGMENT) && !debug.contains("ya29"),
        "{debug}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_a_fresh_one_reused() {
    // The first token expires at once; the second lasts an hour.
    let tokens = TokenEndpoint::start(|n| if n == 1 { 0 } else { 3600 }).await;
    let vertex = TestServer::always(Reply::json(200, &gemini_text("Paris"))).await;
    let dir = temp_dir("expired");
    let file = service_account_file(&dir, &tokens.uri());
    let model = gemini_model(
        config(Credentials::from_file(&file).unwrap(), &vertex),
        "gemini-2.5-flash",
    );
    for _ in 0..3 {
        model_request(model.clone(), prompt()).await.unwrap();
    }
    assert_eq!(tokens.fetches(), 2);
    let bearers: Vec<_> = vertex
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        bearers,
        [
            "Bearer ya29.token-1",
            "Bearer ya29.token-2",
            "Bearer ya29.token-2"
        ]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_401_fetches_a_new_token_once_and_retries() {
    let tokens = TokenEndpoint::start(|_| 3600).await;
    let vertex = TestServer::start(|_, request| {
        if request.header("authorization") == Some("Bearer ya29.token-1") {
            Reply::json(
                401,
                &json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}}),
            )
        } else {
            Reply::json(200, &gemini_text("Paris"))
        }
    })
    .await;
    let dir = temp_dir("unauthorized");
    let file = authorized_user_file(&dir, &tokens.uri());
    let model = gemini_model(
        config(Credentials::from_file(&file).unwrap(), &vertex),
        "gemini-2.5-flash",
    );
    let (response, _) = model_request(model.clone(), prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris");
    assert_eq!(tokens.fetches(), 2);
    for grant in tokens.server.requests() {
        assert_eq!(check_grant(&grant), Ok(()));
    }
    assert_eq!(vertex.requests().len(), 2);
    // The user's quota project is billed, as google-auth's credentials ask.
    for request in vertex.requests() {
        assert_eq!(request.header("x-goog-user-project"), Some(PROJECT));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn an_oversized_token_response_is_refused() {
    let huge = json!({"access_token": "ya29.huge", "padding": "x".repeat(100 * 1024)});
    let tokens = TestServer::always(Reply::json(200, &huge)).await;
    let vertex = TestServer::always(Reply::json(200, &gemini_text("Paris"))).await;
    let dir = temp_dir("oversized");
    let file = service_account_file(&dir, &tokens.url("/token"));
    let model = gemini_model(
        config(Credentials::from_file(&file).unwrap(), &vertex),
        "gemini-2.5-flash",
    );
    let error = model_request(model.clone(), prompt()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                kind: ApiErrorKind::Credentials,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("larger than 64 KiB"), "{error}");
    assert!(vertex.requests().is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

/// What a refused grant must look like: a credentials error naming the file, no secret.
fn assert_refused(error: &Error, file: &Path, secrets: &[&str]) {
    let Error::Api { kind, .. } = error else {
        panic!("not an API error: {error:?}");
    };
    assert_eq!(*kind, ApiErrorKind::Credentials);
    let shown = format!("{error} {error:?}");
    assert!(shown.contains(&file.display().to_string()), "{shown}");
    assert!(shown.contains("invalid_grant"), "{shown}");
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn a_refused_grant_is_a_credentials_error_naming_the_file_not_its_secret() {
    let tokens = TokenEndpoint::start(|_| 3600).await;
    let vertex = TestServer::always(Reply::json(200, &gemini_text("Paris"))).await;
    let dir = temp_dir("refused");
    // The refresh token in the file is not the one the endpoint knows.
    let file = authorized_user_file(&dir, &tokens.uri());
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace(REFRESH_TOKEN, "1//revoked-REFRESH-9")).unwrap();
    let model = gemini_model(
        config(Credentials::from_file(&file).unwrap(), &vertex),
        "gemini-2.5-flash",
    );
    let error = model_request(model.clone(), prompt()).await.unwrap_err();
    assert_refused(&error, &file, &[CLIENT_SECRET, "1//revoked-REFRESH-9"]);
    assert!(vertex.requests().is_empty(), "nothing sent without a token");

    // A service account whose token endpoint refuses every grant.
    let refusing = TestServer::always(Reply::json(
        400,
        &json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}),
    ))
    .await;
    let file = service_account_file(&dir, &refusing.url("/token"));
    let model = gemini_model(
        config(Credentials::from_file(&file).unwrap(), &vertex),
        "gemini-2.5-flash",
    );
    let error = model_request(model.clone(), prompt()).await.unwrap_err();
    assert_refused(&error, &file, &[KEY_FRAGMENT, "PRIVATE KEY"]);
    // A failure is not cached: the next request asks again.
    let again = model_request(model.clone(), prompt()).await.unwrap_err();
    assert_refused(&again, &file, &[KEY_FRAGMENT]);
    assert_eq!(refusing.requests().len(), 2);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_metadata_server_gives_the_token_of_the_machine() {
    let metadata = TestServer::start(|_, request| {
        if request.header("metadata-flavor") == Some("Google")
            && request.method == "GET"
            && request.path() == "/computeMetadata/v1/instance/service-accounts/default/token"
        {
            Reply::json(
                200,
                &json!({"access_token": "ya29.metadata", "expires_in": 3599, "token_type": "Bearer"}),
            )
        } else {
            Reply::json(404, &json!({}))
        }
    })
    .await;
    let vertex = TestServer::always(Reply::json(200, &gemini_text("Paris"))).await;
    let host = metadata.url("").trim_start_matches("http://").to_owned();
    let credentials = Credentials::metadata_server(host.clone()).unwrap();
    assert_eq!(
        credentials.describe(),
        format!("the metadata server at {host}")
    );
    let model = gemini_model(config(credentials, &vertex), "gemini-2.5-flash");
    model_request(model.clone(), prompt()).await.unwrap();
    model_request(model.clone(), prompt()).await.unwrap();
    assert_eq!(metadata.requests().len(), 1);
    assert_eq!(
        vertex.requests()[1].header("authorization"),
        Some("Bearer ya29.metadata")
    );
}

#[tokio::test]
async fn models_of_the_same_credentials_share_one_token() {
    let tokens = TokenEndpoint::start(|_| 3600).await;
    let vertex = TestServer::always(Reply::json(200, &gemini_text("Paris"))).await;
    let dir = temp_dir("shared");
    let file = service_account_file(&dir, &tokens.uri());
    for model_name in ["gemini-2.5-flash", "gemini-2.0-flash", "gemini-2.5-pro"] {
        // A new Credentials and model each time, as a loop of model strings makes them.
        let model = gemini_model(
            config(Credentials::from_file(&file).unwrap(), &vertex),
            model_name,
        );
        model_request(model.clone(), prompt()).await.unwrap();
    }
    assert_eq!(tokens.fetches(), 1);
    assert_eq!(vertex.requests().len(), 3);
    std::fs::remove_dir_all(dir).unwrap();
}

const ORACLE_TEST: &str = "our_assertion_is_what_google_auth_makes_and_verifies";

#[tokio::test]
async fn our_assertion_is_what_google_auth_makes_and_verifies() {
    let Some(python) = python_with("google.auth", "google-auth", ORACLE_TEST) else {
        return;
    };
    let tokens = TokenEndpoint::start(|_| 3600).await;
    let dir = temp_dir("oracle");
    let file = service_account_file(&dir, &tokens.uri());
    let credentials = Credentials::from_file(&file).unwrap();
    credentials.fetch().await.unwrap();
    let form = form(&tokens.server.requests()[0]);
    let jwt = field(&form, "assertion").unwrap().to_owned();
    let case = json!({
        "jwt": jwt,
        "public_key": PUBLIC_KEY,
        "audience": "https://oauth2.googleapis.com/token",
        "info": serde_json::from_slice::<Value>(&std::fs::read(&file).unwrap()).unwrap(),
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/google_auth_jwt.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(case.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut out: Value = serde_json::from_slice(&output.stdout).unwrap();
    // google-auth verified our signature and audience; the times differ by when each was made.
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for side in ["ours", "theirs"] {
        let claims = &mut out[side]["claims"];
        let iat = claims["iat"].as_u64().unwrap();
        assert!(iat.abs_diff(now) < 60, "{side}: iat {iat}");
        assert_eq!(claims["exp"].as_u64(), Some(iat + 3600), "{side}");
        claims["iat"] = json!("<iat>");
        claims["exp"] = json!("<iat + 3600>");
    }
    assert_eq!(out["ours"], out["theirs"]);
    std::fs::remove_dir_all(dir).unwrap();
}
