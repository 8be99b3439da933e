//! Auth as a driver part, over the wire: a request signer called once per attempt over the
//! exact bytes sent (a retry signed anew), and a token source whose token goes out as a bearer
//! header, fetched once for concurrent requests, fetched anew after a 401, and whose failure is
//! an error naming the source without its secret.

mod support;

use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::{join_all, BoxFuture, FutureExt};
use futures::StreamExt;
use llm_runtime::http::reqwest::header::{HeaderValue, CONTENT_TYPE};
use llm_runtime::http::{AccessToken, RequestSigner, RetryPolicy, SignableRequest, TokenSource};
use llm_runtime::messages::ModelRequest;
use llm_runtime::providers::{ProviderBuilder, ProviderModel};
use llm_runtime::settings::ModelSettings;
use llm_runtime::{model_request, model_request_stream, ApiErrorKind, Error, Result};
use serde::Deserialize;
use serde_json::json;
use support::echo::{fast_retry, Echo, EchoTest};
use support::server::{End, Recorded, Reply, TestServer};

/// The client secret the token source sends; tests assert it never shows.
const CLIENT_SECRET: &str = "cs-DO-NOT-SHOW-5151";

fn prompt() -> [ModelRequest; 1] {
    [ModelRequest::user_text_prompt(
        "What is the capital of France?",
    )]
}

fn ok() -> Reply {
    Reply::json(
        200,
        &json!({"text": "Paris", "input_tokens": 9, "output_tokens": 1}),
    )
}

/// The echo provider on `server`, without a key, and configured further by `with`.
fn echo_on(
    server: &TestServer,
    with: impl FnOnce(ProviderBuilder<Echo>) -> ProviderBuilder<Echo>,
) -> ProviderModel<Echo> {
    let builder = EchoTest::builder()
        .base_url(server.url("/v1"))
        .retry(fast_retry());
    with(builder)
        .build_with_env(|_| None)
        .expect("the echo provider builds without a key")
        .model("m1")
}

// ---- a signer ----------------------------------------------------------------------------

/// What the signer saw of one attempt.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    time: SystemTime,
}

/// A toy signer (no HMAC): `x-toy-signature: t=<nanoseconds>;sum=<hash of body and time>`.
/// It records what it saw.
#[derive(Clone, Default)]
struct ToySigner {
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// The provider's `Debug` shows its signer's: what it saw (a token among the headers) stays out.
impl std::fmt::Debug for ToySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ToySigner")
    }
}

impl ToySigner {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// FNV-1a over the bytes, then the time: the signature changes with either.
fn toy_hash(body: &[u8], nanos: u128) -> u64 {
    body.iter()
        .chain(nanos.to_le_bytes().iter())
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

impl RequestSigner for ToySigner {
    fn sign(&self, request: &mut SignableRequest<'_>) -> Result<()> {
        let nanos = request
            .time
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::user("the clock is before 1970"))?
            .as_nanos();
        self.seen.lock().unwrap().push(Seen {
            method: request.method.to_string(),
            url: request.url.to_string(),
            headers: request
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = value.to_str().unwrap_or("<binary>");
                    (name.as_str().to_owned(), value.to_owned())
                })
                .collect(),
            body: request.body.to_vec(),
            time: request.time,
        });
        let signature = format!("t={nanos};sum={:016x}", toy_hash(request.body, nanos));
        let value = HeaderValue::from_str(&signature)
            .map_err(|_| Error::user("the signature is not a header value"))?;
        request.headers.insert("x-toy-signature", value);
        Ok(())
    }
}

/// The signing time a request carries in its signature header.
fn signed_at(request: &Recorded) -> SystemTime {
    let signature = request.header("x-toy-signature").expect("a signature");
    let nanos: u64 = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(';').next())
        .and_then(|nanos| nanos.parse().ok())
        .expect("t=<nanoseconds>");
    UNIX_EPOCH + Duration::from_nanos(nanos)
}

#[tokio::test]
async fn a_signer_is_called_once_per_attempt_and_a_429_retry_is_signed_anew() {
    // When the server received each request, on the clock the signer reads.
    let received = Arc::new(Mutex::new(Vec::new()));
    let script_received = Arc::clone(&received);
    let server = TestServer::start(move |n, _| {
        script_received.lock().unwrap().push(SystemTime::now());
        if n == 0 {
            Reply::text(429, "slow down").header("retry-after-ms", "20")
        } else {
            ok()
        }
    })
    .await;
    let signer = ToySigner::default();
    let model = echo_on(&server, |b| {
        b.signer(signer.clone()).header("x-team", "r&d")
    });
    let (response, _) = model_request(model, prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris");

    let requests = server.requests();
    let received = received.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(signer.seen().len(), 2, "one signature per attempt");
    let (first, second) = (&requests[0], &requests[1]);
    assert_ne!(
        first.header("x-toy-signature"),
        second.header("x-toy-signature")
    );
    // Each attempt is signed at its own time: the first before the server got it, the retry
    // only after the server had answered the first.
    assert!(signed_at(first) <= received[0]);
    assert!(received[0] <= signed_at(second));
    assert!(signed_at(second) <= received[1]);
    for (seen, request) in signer.seen().iter().zip(&requests) {
        let nanos = seen.time.duration_since(UNIX_EPOCH).unwrap().as_nanos();
        assert_eq!(
            request.header("x-toy-signature"),
            Some(format!("t={nanos};sum={:016x}", toy_hash(&request.body, nanos)).as_str()),
            "the server got the signature made over the bytes it received"
        );
    }
}

#[tokio::test]
async fn the_signer_sees_the_exact_request_sent() {
    let server = TestServer::always(ok()).await;
    let signer = ToySigner::default();
    let model = echo_on(&server, |b| {
        b.signer(signer.clone())
            .header("x-team", "r&d")
            .query_param("api-version", "2025-01-01")
    });
    // `extra_body` is merged before signing: the signature covers the final body.
    let settings = ModelSettings {
        extra_body: Some(json!({"seed": 7})),
        ..Default::default()
    };
    model_request(model, prompt())
        .settings(settings)
        .await
        .unwrap();
    let [seen] = signer.seen().try_into().expect("one attempt");
    let [request] = server.requests().try_into().expect("one request");
    assert_eq!(seen.body, request.body);
    assert_eq!(request.json()["seed"], 7);
    assert_eq!(seen.method, request.method);
    assert_eq!(seen.url, server.url(&request.target));
    // The headers the signer saw are sent as it saw them.
    for (name, value) in &seen.headers {
        assert_eq!(request.header(name), Some(value.as_str()), "{name}");
    }
    let names: Vec<&str> = seen.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"content-type") && names.contains(&"x-team"),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_failing_signer_stops_the_request() {
    #[derive(Debug)]
    struct Expired;
    impl RequestSigner for Expired {
        fn sign(&self, _: &mut SignableRequest<'_>) -> Result<()> {
            Err(Error::user("the AWS session token has expired"))
        }
    }
    let server = TestServer::always(ok()).await;
    let err = model_request(echo_on(&server, |b| b.signer(Expired)), prompt())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "the AWS session token has expired");
    assert!(server.requests().is_empty());
}

// ---- a token source ----------------------------------------------------------------------

/// An OAuth2 client-credentials grant against a token endpoint on the test server.
///
/// Its derived `Debug` holds the secret on purpose: the driver must show only `describe()`.
#[derive(Debug)]
struct ClientCredentials {
    token_url: String,
    client_secret: String,
}

impl ClientCredentials {
    fn at(server: &TestServer) -> Self {
        ClientCredentials {
            token_url: server.url("/token"),
            client_secret: CLIENT_SECRET.to_owned(),
        }
    }
}

#[derive(Deserialize)]
struct Grant {
    access_token: String,
    expires_in: u64,
}

impl TokenSource for ClientCredentials {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken>> {
        async move {
            let response = reqwest::Client::new()
                .post(&self.token_url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(format!(
                    "grant_type=client_credentials&client_secret={}",
                    self.client_secret
                ))
                .send()
                .await
                .map_err(|_| {
                    Error::api(
                        "the token endpoint is unreachable",
                        ApiErrorKind::Connection,
                        None,
                    )
                })?;
            let status = response.status();
            let body = response.bytes().await.unwrap_or_default();
            if !status.is_success() {
                return Err(Error::http(status.as_u16(), "token endpoint", &body, None));
            }
            let grant: Grant = serde_json::from_slice(&body)
                .map_err(|_| Error::unexpected("the token endpoint sent no access_token"))?;
            Ok(AccessToken::expiring_in(
                grant.access_token,
                Duration::from_secs(grant.expires_in),
            ))
        }
        .boxed()
    }

    fn describe(&self) -> String {
        format!("client credentials at {}", self.token_url)
    }
}

/// The token endpoint's reply granting `tok-<n+1>` for an hour.
fn grant(n: usize) -> Reply {
    Reply::json(
        200,
        &json!({"access_token": format!("tok-{}", n + 1), "expires_in": 3600, "token_type": "Bearer"}),
    )
}

fn bearers(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or("none").to_owned())
        .collect()
}

#[tokio::test]
async fn a_token_reaches_the_server_as_a_bearer_header() {
    let tokens = TestServer::start(|n, _| grant(n)).await;
    let server = TestServer::sequence(vec![
        ok(),
        Reply::sse(
            ["data: {\"text\":\"Paris\"}\n\n", "data: [DONE]\n\n"],
            End::Complete,
        ),
    ])
    .await;
    let model = echo_on(&server, |b| b.token_source(ClientCredentials::at(&tokens)));
    model_request(model.clone(), prompt()).await.unwrap();
    let mut stream = model_request_stream(model, prompt()).await.unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(bearers(&server), ["Bearer tok-1", "Bearer tok-1"]);
    let [fetch] = tokens.requests().try_into().expect("one token fetch");
    assert_eq!(fetch.path(), "/token");
    assert!(String::from_utf8_lossy(&fetch.body).contains(CLIENT_SECRET));
}

#[tokio::test]
async fn a_token_replaces_a_bearer_key_and_is_signed_with_the_rest() {
    let tokens = TestServer::start(|n, _| grant(n)).await;
    let server = TestServer::always(ok()).await;
    let signer = ToySigner::default();
    let model = echo_on(&server, |b| {
        b.api_key("sk-static")
            .token_source(ClientCredentials::at(&tokens))
            .signer(signer.clone())
    });
    model_request(model, prompt()).await.unwrap();
    assert_eq!(bearers(&server), ["Bearer tok-1"]);
    let [seen] = signer.seen().try_into().expect("one attempt");
    assert!(seen
        .headers
        .contains(&("authorization".to_owned(), "Bearer tok-1".to_owned())));
}

#[tokio::test]
async fn fifty_concurrent_requests_make_one_token_fetch() {
    // The grant takes a while: every request is waiting for it before it comes.
    let tokens = TestServer::start(|n, _| grant(n).delayed(Duration::from_millis(200))).await;
    let server = TestServer::always(ok()).await;
    let model = echo_on(&server, |b| b.token_source(ClientCredentials::at(&tokens)));
    let results =
        join_all((0..50).map(|_| model_request(model.clone(), prompt()).into_future())).await;
    for result in results {
        result.unwrap();
    }
    assert_eq!(tokens.requests().len(), 1);
    assert_eq!(bearers(&server), vec!["Bearer tok-1"; 50]);
}

#[tokio::test]
async fn a_401_fetches_a_new_token_once_and_retries() {
    let tokens = TestServer::start(|n, _| grant(n)).await;
    let server = TestServer::sequence(vec![Reply::text(401, "token revoked"), ok()]).await;
    // No retries by the policy: the retry after a 401 is the token's own.
    let model = echo_on(&server, |b| {
        b.token_source(ClientCredentials::at(&tokens))
            .retry(RetryPolicy::none())
    });
    let (response, _) = model_request(model, prompt()).await.unwrap();
    assert_eq!(response.text(), "Paris");
    assert_eq!(bearers(&server), ["Bearer tok-1", "Bearer tok-2"]);
    assert_eq!(tokens.requests().len(), 2);

    // Refused again: only one retry, and the 401 is the error.
    let tokens = TestServer::start(|n, _| grant(n)).await;
    let server = TestServer::always(Reply::text(401, "no")).await;
    let model = echo_on(&server, |b| b.token_source(ClientCredentials::at(&tokens)));
    let err = model_request(model, prompt()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(bearers(&server), ["Bearer tok-1", "Bearer tok-2"]);
    assert_eq!(tokens.requests().len(), 2);
}

#[tokio::test]
async fn a_refused_token_fetch_is_a_typed_error_without_the_secret() {
    let tokens = TestServer::start(|n, _| {
        if n == 0 {
            Reply::json(400, &json!({"error": "invalid_client"}))
        } else {
            grant(n)
        }
    })
    .await;
    let server = TestServer::always(ok()).await;
    let credentials = ClientCredentials::at(&tokens);
    let description = credentials.describe();
    let model = echo_on(&server, |b| b.token_source(credentials));
    let err = model_request(model.clone(), prompt()).await.unwrap_err();
    let Error::Api { kind, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, ApiErrorKind::Credentials);
    assert_eq!(
        message,
        &format!(
            "could not get an access token from {description}: status 400 from token endpoint: \
             {{\"error\":\"invalid_client\"}}"
        )
    );
    let mut shown = format!("{err} {err:?} {model:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        shown.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    // Refused, so not retried, and nothing reached the provider.
    assert_eq!(tokens.requests().len(), 1);
    assert!(server.requests().is_empty());
    // Not cached: the next request fetches again.
    model_request(model, prompt()).await.unwrap();
    assert_eq!(tokens.requests().len(), 2);
    assert_eq!(bearers(&server), ["Bearer tok-2"]);
}

#[tokio::test]
async fn the_provider_debug_shows_its_auth_and_no_secret() {
    let tokens = TestServer::start(|n, _| grant(n)).await;
    let server = TestServer::always(ok()).await;
    let credentials = ClientCredentials::at(&tokens);
    let description = credentials.describe();
    let model = echo_on(&server, |b| {
        b.token_source(credentials).signer(ToySigner::default())
    });
    model_request(model.clone(), prompt()).await.unwrap();
    let shown = format!("{model:?}");
    assert!(shown.contains(&description), "{shown}");
    assert!(shown.contains("ToySigner"), "{shown}");
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    assert!(!shown.contains("tok-1"), "{shown}");
}
