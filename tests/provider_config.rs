//! Provider configuration: environment variables and their precedence, the missing-key
//! error, base-URL overrides, auth styles, default and extra headers, query parameters,
//! `extra_body`, a user-supplied client, registration of providers declared in this crate,
//! and redaction of the key everywhere.

mod support;

use std::collections::{BTreeMap, HashMap};

use llm_runtime::http::AuthStyle;
use llm_runtime::messages::ModelRequest;
use llm_runtime::models::{infer_model, known_providers, Model};
use llm_runtime::provider;
use llm_runtime::settings::ModelSettings;
use llm_runtime::{model_request, Error};
use serde_json::json;
use support::echo::{echo_model, fast_retry, Echo, EchoTest, SECRET_KEY};
use support::server::{Reply, TestServer};

/// Reads its key and base URL from `CFG_ENV_API_KEY` and `CFG_ENV_BASE_URL` (only the test
/// that sets them uses this provider).
#[provider(name = "cfg-env", protocol = Echo, base_url = "http://127.0.0.1:9")]
struct CfgEnv;

/// Never configured: its key variables are never set.
#[provider(
    name = "cfg-missing",
    aliases = ["cfg-absent"],
    protocol = Echo,
    base_url = "http://127.0.0.1:9",
    api_key_env = ["CFG_MISSING_KEY_A", "CFG_MISSING_KEY_B"]
)]
struct CfgMissing;

/// Shaped like Gemini: two key variables, its own base-URL variable, the key in a header,
/// a fixed header and query parameter.
#[provider(
    name = "cfg-gemini-like",
    protocol = Echo::default(),
    base_url = "https://generativelanguage.example/v1beta",
    api_key_env = ["CFG_GEMINI_KEY", "CFG_GOOGLE_KEY"],
    base_url_env = "CFG_GEMINI_URL",
    auth = header("x-goog-api-key"),
    headers = [("x-client", "llm-runtime-tests")],
    query = [("api-version", "2024-10-21")]
)]
pub struct CfgGeminiLike;

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt("Hi")]
}

fn ok() -> Reply {
    Reply::json(200, &json!({"text": "hello"}))
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |var| map.get(var).cloned()
}

#[tokio::test]
async fn model_string_of_a_provider_declared_in_this_crate_reads_the_environment() {
    let server = TestServer::always(ok()).await;
    std::env::set_var("CFG_ENV_API_KEY", "sk-from-env");
    std::env::set_var("CFG_ENV_BASE_URL", server.url("/env/v1"));
    let (response, _) = model_request("cfg-env:tiny", prompt()).await.unwrap();
    assert_eq!(response.text(), "hello");
    assert_eq!(response.provider_name.as_deref(), Some("cfg-env"));
    let request = &server.requests()[0];
    assert_eq!(request.path(), "/env/v1/echo/tiny");
    assert_eq!(request.header("authorization"), Some("Bearer sk-from-env"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert!(request
        .header("user-agent")
        .unwrap()
        .starts_with("llm-runtime/"));
}

#[test]
fn missing_key_is_a_user_error_naming_the_variables() {
    for model in ["cfg-missing:m", "cfg-absent:m"] {
        let err = infer_model(model).unwrap_err();
        let Error::User { message, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            message,
            "missing API key for provider `cfg-missing`: set the CFG_MISSING_KEY_A or \
             CFG_MISSING_KEY_B environment variable or pass the key to the provider's builder"
        );
    }
    // The same through the request functions, at `.await`/`.blocking()`.
    let err = llm_runtime::model_request_sync("cfg-missing:m", prompt()).unwrap_err();
    assert!(err.to_string().contains("CFG_MISSING_KEY_A"), "{err}");
}

#[test]
fn registered_prefixes_and_aliases_are_known() {
    let known = known_providers();
    for name in [
        "echo-test",
        "echo-open",
        "cfg-env",
        "cfg-missing",
        "cfg-absent",
        "cfg-gemini-like",
    ] {
        assert!(known.contains(&name), "{name} not in {known:?}");
    }
    let err = infer_model("cfg-mising:m").unwrap_err().to_string();
    assert!(err.ends_with("did you mean `cfg-missing`?"), "{err}");
}

#[test]
fn key_and_base_url_precedence() {
    // The second key variable is read when the first is unset or empty.
    let provider = CfgGeminiLike::builder()
        .build_with_env(env(&[("CFG_GEMINI_KEY", " "), ("CFG_GOOGLE_KEY", "g-key")]))
        .unwrap();
    assert!(provider.has_api_key());
    assert_eq!(
        provider.base_url(),
        "https://generativelanguage.example/v1beta"
    );

    // The environment overrides the default base URL; trailing slashes go.
    let provider = CfgGeminiLike::builder()
        .build_with_env(env(&[
            ("CFG_GEMINI_KEY", "k"),
            ("CFG_GEMINI_URL", "http://proxy.local/g/"),
        ]))
        .unwrap();
    assert_eq!(provider.base_url(), "http://proxy.local/g");

    // An explicit base URL and key override both.
    let provider = CfgGeminiLike::builder()
        .base_url("http://explicit.local")
        .api_key("explicit")
        .build_with_env(env(&[("CFG_GEMINI_URL", "http://proxy.local")]))
        .unwrap();
    assert_eq!(provider.base_url(), "http://explicit.local");

    // Default variables follow the name: <NAME>_API_KEY, <NAME>_BASE_URL.
    let provider = EchoTest::builder()
        .build_with_env(env(&[
            ("ECHO_TEST_API_KEY", "k"),
            ("ECHO_TEST_BASE_URL", "http://e.local/x"),
        ]))
        .unwrap();
    assert_eq!(provider.base_url(), "http://e.local/x");
    let err = EchoTest::builder().build_with_env(env(&[])).unwrap_err();
    assert!(
        err.to_string()
            .contains("set the ECHO_TEST_API_KEY environment variable"),
        "{err}"
    );
}

#[test]
fn bad_base_urls_are_user_errors() {
    for url in ["not a url", "ftp://files.example", ""] {
        let result = EchoTest::builder()
            .api_key("k")
            .base_url(url)
            .build_with_env(env(&[]));
        let Err(Error::User { message, .. }) = &result else {
            panic!("{url}: {result:?}")
        };
        assert!(
            message.starts_with("invalid base URL for provider `echo-test`"),
            "{message}"
        );
    }
    // No base URL anywhere.
    let err = support::echo::EchoOpen::builder()
        .build_with_env(env(&[]))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no base URL for provider `echo-open`: set the ECHO_OPEN_BASE_URL environment variable \
         or pass one to the provider's builder"
    );
}

#[tokio::test]
async fn header_auth_default_headers_and_query_parameters() {
    let server = TestServer::always(ok()).await;
    let model = CfgGeminiLike::builder()
        .base_url(server.url("/v1beta"))
        .api_key("g-secret")
        .build_with_env(env(&[]))
        .unwrap()
        .model("gemini-x");
    model_request(model, prompt()).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.header("x-goog-api-key"), Some("g-secret"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("x-client"), Some("llm-runtime-tests"));
    assert_eq!(
        request.query(),
        vec![("api-version".to_owned(), "2024-10-21".to_owned())]
    );
}

#[tokio::test]
async fn query_auth_puts_the_key_in_the_url() {
    let server = TestServer::always(ok()).await;
    let model = EchoTest::builder()
        .base_url(server.url(""))
        .api_key("q-secret")
        .auth(AuthStyle::query("key"))
        .query_param("alt", "json")
        .build()
        .unwrap()
        .model("m");
    model_request(model, prompt()).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(
        request.query(),
        vec![
            ("alt".to_owned(), "json".to_owned()),
            ("key".to_owned(), "q-secret".to_owned())
        ]
    );
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn extra_headers_and_extra_body_from_settings() {
    let server = TestServer::always(ok()).await;
    let settings = ModelSettings {
        temperature: Some(1.0),
        extra_headers: Some(BTreeMap::from([
            ("x-trace-id".to_owned(), "t-1".to_owned()),
            ("authorization".to_owned(), "Bearer override".to_owned()),
        ])),
        extra_body: Some(json!({"temperature": 0.25, "seed": 7})),
        ..Default::default()
    };
    model_request(echo_model(&server), prompt())
        .settings(settings)
        .await
        .unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.header("x-trace-id"), Some("t-1"));
    // Extra headers come last and win.
    assert_eq!(request.header("authorization"), Some("Bearer override"));
    assert_eq!(
        request.json(),
        json!({"model": "m1", "stream": false, "prompt": "Hi", "temperature": 0.25, "seed": 7})
    );
}

#[tokio::test]
async fn bad_extra_settings_are_user_errors() {
    let server = TestServer::always(ok()).await;
    let settings = ModelSettings {
        extra_body: Some(json!(["not", "an", "object"])),
        ..Default::default()
    };
    let err = model_request(echo_model(&server), prompt())
        .settings(settings)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err:?}");
    let settings = ModelSettings {
        extra_headers: Some(BTreeMap::from([("bad header".to_owned(), "v".to_owned())])),
        ..Default::default()
    };
    let err = model_request(echo_model(&server), prompt())
        .settings(settings)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`bad header` is not a valid HTTP header name"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_user_supplied_client_is_used() {
    let server = TestServer::always(ok()).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-from-client", "yes".parse().unwrap());
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .user_agent("my-app/1.0")
        .build()
        .unwrap();
    let model = EchoTest::builder()
        .base_url(server.url(""))
        .api_key("k")
        .client(client)
        .build()
        .unwrap()
        .model("m");
    assert!(format!("{model:?}").contains("client: \"custom\""));
    model_request(model, prompt()).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.header("x-from-client"), Some("yes"));
    assert_eq!(request.header("user-agent"), Some("my-app/1.0"));
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_errors() {
    let server = TestServer::always(Reply::text(401, "invalid key")).await;
    let model = echo_model(&server);
    let builder = EchoTest::builder()
        .api_key(SECRET_KEY)
        .header("x-org", SECRET_KEY);
    let provider = EchoTest::builder()
        .api_key(SECRET_KEY)
        .header("x-org", SECRET_KEY)
        .query_param("token", SECRET_KEY)
        .build_with_env(env(&[]))
        .unwrap();
    let shown = [
        format!("{model:?}"),
        format!("{model:#?}"),
        format!("{builder:?}"),
        format!("{provider:?}"),
        format!("{:?}", infer_model("test").unwrap()),
    ];
    for text in &shown {
        assert!(!text.contains(SECRET_KEY), "{text}");
    }
    assert!(shown[0].contains("ApiKey(<redacted>)"), "{}", shown[0]);
    assert!(
        shown[2].contains("\"x-org\": \"<redacted>\""),
        "{}",
        shown[2]
    );

    let err = model_request(model, prompt()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!format!("{err} {err:?}").contains(SECRET_KEY));
    // The key went where it belongs.
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(format!("Bearer {SECRET_KEY}").as_str())
    );
}

#[test]
fn model_metadata_comes_from_the_provider() {
    let model = EchoTest::builder()
        .api_key("k")
        .retry(fast_retry())
        .build_with_env(env(&[]))
        .unwrap()
        .model("echo-large");
    assert_eq!(model.model_name(), "echo-large");
    assert_eq!(model.system(), "echo-test");
    assert_eq!(model.base_url(), Some("http://127.0.0.1:9"));
}
