//! Sending one request: retries, the auth steps of each attempt (a token, then a signature),
//! the timeout of each attempt, and the mapping of transport failures and error statuses to
//! [`Error`]. Crate-private: providers reach it through `providers::ProviderModel`.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Client, Method, Response, StatusCode, Url};
use serde_json::Value;
use tokio::time::Instant;

use super::auth::{ApiKey, RequestSigner, SignableRequest, TokenCache};
use super::retry::{retry_after, should_retry_header, RetryPolicy};
use crate::error::{ApiErrorKind, Error, Result};
use crate::limit::ConcurrencyLimiter;

/// The method of every provider request (what a signer signs is what is sent).
const METHOD: Method = Method::POST;

/// How much of an error body is read (the error keeps its first few kilobytes).
const ERROR_BODY_LIMIT: usize = 16 * 1024;

/// One request to a provider, ready to be sent as many times as the retry policy allows.
pub(crate) struct HttpRequest<'a> {
    pub client: Client,
    /// The full URL, query parameters included (it may hold a key: never log or show it).
    pub url: Url,
    /// The headers, a static key included; a token and a signature are added per attempt.
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Where each attempt takes a bearer token from, if the provider has a token source.
    pub tokens: Option<&'a TokenCache>,
    /// What signs each attempt, if the provider has a signer.
    pub signer: Option<&'a dyn RequestSigner>,
    /// What an error status's body becomes in [`Error::Http`] (the protocol's say).
    pub error_body: &'a dyn ErrorBody,
    /// Bounds each attempt: until the whole body for [`send_for_body`], until `open` is done
    /// for [`send_for_stream`].
    pub timeout: Duration,
    /// The largest body [`send_for_body`] reads.
    pub max_body_size: usize,
    /// For [`send_for_stream`]: how long each attempt may wait for the first byte of the body,
    /// from sending the request.
    pub first_byte_timeout: Option<Duration>,
    /// Told of every response's status and headers (rate-limit pacing), if the provider has one.
    pub limiter: Option<&'a ConcurrencyLimiter>,
    pub retry: &'a RetryPolicy,
    pub provider: &'a str,
    pub model_name: &'a str,
    /// Records each attempt's exchange, or answers it from a cassette (feature `testing`).
    #[cfg(feature = "testing")]
    pub vcr: Option<crate::testing::Vcr>,
}

/// Makes the body an [`Error::Http`] keeps from an error status's headers and body (the
/// protocols implement it: `Protocol::error_body`).
pub(crate) trait ErrorBody: Sync {
    /// The body to keep.
    fn error_body(&self, status: u16, headers: &HeaderMap, body: Vec<u8>) -> Vec<u8>;
}

/// A failed attempt, and whether another may succeed.
struct Failure {
    error: Error,
    retryable: bool,
    /// The provider refused the attempt's token with a 401 (the cache has forgotten it).
    token_refused: bool,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            retryable: error.is_retryable(),
            error,
            token_refused: false,
        }
    }
}

/// Sends `request` until it succeeds or the retry policy gives up, and returns the body of
/// the successful response.
pub(crate) async fn send_for_body(request: &HttpRequest<'_>) -> Result<Bytes> {
    with_retries(request, || async {
        let response = attempt(request).await?;
        read_bounded(response, request).await.map_err(Failure::from)
    })
    .await
}

/// Reads a response body chunk by chunk, refusing one over `request.max_body_size` (from its
/// `Content-Length`, else as soon as it grows past the bound) without reading the rest. A body
/// that comes in one chunk (most answers) is returned as it came, not copied.
async fn read_bounded(mut response: Response, request: &HttpRequest<'_>) -> Result<Bytes> {
    let max = request.max_body_size;
    let length = response.content_length();
    if length.is_some_and(|length| length > max as u64) {
        return Err(too_large(request, max));
    }
    let Some(first) = next_chunk(&mut response, request).await? else {
        return Ok(Bytes::new());
    };
    if first.len() > max {
        return Err(too_large(request, max));
    }
    let Some(second) = next_chunk(&mut response, request).await? else {
        return Ok(first);
    };
    let mut body = Vec::with_capacity((length.unwrap_or(0) as usize).max(first.len()));
    body.extend_from_slice(&first);
    let mut chunk = Some(second);
    while let Some(next) = chunk {
        if body.len() + next.len() > max {
            return Err(too_large(request, max));
        }
        body.extend_from_slice(&next);
        chunk = next_chunk(&mut response, request).await?;
    }
    Ok(Bytes::from(body))
}

/// The next chunk of a response body; `None` at its end.
async fn next_chunk(response: &mut Response, request: &HttpRequest<'_>) -> Result<Option<Bytes>> {
    response
        .chunk()
        .await
        .map_err(|err| transport_error(err, request, "reading the response"))
}

/// The error for a response body over `max` bytes.
fn too_large(request: &HttpRequest<'_>, max: usize) -> Error {
    Error::api(
        format!(
            "the response from {} for model {} is larger than {max} bytes, the provider's \
             max_body_size; raise it with ProviderBuilder::max_body_size",
            request.provider, request.model_name
        ),
        ApiErrorKind::TooLarge,
        None,
    )
}

/// Sends `request` until a response with a success status arrives and `open` succeeds on it
/// (or the retry policy gives up), and returns what `open` made of it. `open` runs within the
/// attempt, under its timeout: an error it returns is retried when
/// [`is_retryable`](Error::is_retryable) says so (an error the stream reports before its
/// first event). `open` is also given the instant by which the body's first byte must have
/// come, when the request has a first-byte timeout; the headers must come before it too.
pub(crate) async fn send_for_stream<T, F, Fut>(request: &HttpRequest<'_>, open: F) -> Result<T>
where
    F: Fn(Response, Option<Instant>) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    with_retries(request, || async {
        let Some(limit) = request.first_byte_timeout else {
            let response = attempt(request).await?;
            return open(response, None).await.map_err(Failure::from);
        };
        let first_byte_by = deadline(limit);
        let response = tokio::time::timeout_at(first_byte_by, attempt(request))
            .await
            .map_err(|_elapsed| {
                Failure::from(first_byte_error(
                    request.provider,
                    request.model_name,
                    limit,
                ))
            })??;
        open(response, Some(first_byte_by))
            .await
            .map_err(Failure::from)
    })
    .await
}

/// `timeout` from now; a timeout too long to represent is as good as none.
pub(crate) fn deadline(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365 * 30))
}

/// The error for a stream whose first byte did not come within `limit` of the request.
pub(crate) fn first_byte_error(provider: &str, model_name: &str, limit: Duration) -> Error {
    Error::api(
        format!(
            "the stream from {provider} for model {model_name} sent no byte within {limit:?} of \
             the request, the provider's first_byte_timeout; raise it with \
             ProviderBuilder::first_byte_timeout"
        ),
        ApiErrorKind::Timeout,
        None,
    )
}

async fn with_retries<T, F, Fut>(request: &HttpRequest<'_>, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<T, Failure>>,
{
    let mut retry = 0;
    let mut token_refreshed = false;
    loop {
        let failure = match tokio::time::timeout(request.timeout, attempt()).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(failure)) => failure,
            Err(_elapsed) => Failure::from(timeout_error(request)),
        };
        if failure.token_refused && !token_refreshed {
            // Once per request, besides the retry policy: a token revoked or expired early.
            token_refreshed = true;
            tracing::warn!(
                target: "llm_runtime::http",
                provider = request.provider,
                model = request.model_name,
                http.status = failure.error.status(),
                "the provider refused the access token; retrying with a fresh one"
            );
            continue;
        }
        if !failure.retryable || retry >= request.retry.max_retries {
            return Err(failure.error);
        }
        let asked = match &failure.error {
            Error::Http { retry_after, .. } => *retry_after,
            _ => None,
        };
        let Some(wait) = request.retry.delay(retry, asked) else {
            return Err(failure.error);
        };
        retry += 1;
        tracing::warn!(
            target: "llm_runtime::http",
            provider = request.provider,
            model = request.model_name,
            error.type = failure.error.type_name(),
            http.status = failure.error.status(),
            retry,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "retrying a failed request"
        );
        tokio::time::sleep(wait).await;
    }
}

/// Sends the request once; a non-success status is a [`Failure`] carrying [`Error::Http`].
async fn attempt(request: &HttpRequest<'_>) -> std::result::Result<Response, Failure> {
    tracing::debug!(
        target: "llm_runtime::http",
        provider = request.provider,
        model = request.model_name,
        url.path = request.url.path(),
        "sending request"
    );
    let (response, token) = exchange(request).await?;
    let status = response.status();
    if status.is_success() {
        if let Some(limiter) = request.limiter {
            limiter.observe(response.headers(), None);
        }
        return Ok(response);
    }
    // Boxed: the future of an attempt, held while the request is in flight, has no room for
    // reading an error body.
    Err(Box::pin(status_failure(request, response, token)).await)
}

/// The [`Failure`] of a response with an error status, its body read.
async fn status_failure(
    request: &HttpRequest<'_>,
    response: Response,
    token: Option<ApiKey>,
) -> Failure {
    let status = response.status();
    let wait = retry_after(response.headers(), SystemTime::now());
    if let Some(limiter) = request.limiter {
        limiter.observe(response.headers(), wait);
    }
    let should_retry = should_retry_header(response.headers());
    let headers = response.headers().clone();
    let body = read_limited(response, ERROR_BODY_LIMIT).await;
    let body = request
        .error_body
        .error_body(status.as_u16(), &headers, body);
    let error = Error::http(status.as_u16(), request.model_name, &body, wait);
    let token_refused = match (status, request.tokens, &token) {
        (StatusCode::UNAUTHORIZED, Some(tokens), Some(token)) => {
            tokens.invalidate_token(token);
            true
        }
        _ => false,
    };
    Failure {
        retryable: should_retry.unwrap_or_else(|| error.is_retryable()),
        error,
        token_refused,
    }
}

/// Sends one attempt, authorized, and returns the response with the token it carried; a
/// [`Vcr`](crate::testing::Vcr) records the exchange or answers it from its cassette.
async fn exchange(
    request: &HttpRequest<'_>,
) -> std::result::Result<(Response, Option<ApiKey>), Failure> {
    #[cfg(feature = "testing")]
    if let Some(vcr) = request.vcr.as_ref().filter(|vcr| vcr.is_replaying()) {
        // Nothing leaves the process: no token is fetched and nothing is signed.
        let response = vcr.replay(&METHOD, &request.url, &request.headers, &request.body)?;
        return Ok((response, None));
    }
    // A static key (or none) is in the headers already: nothing to await or add.
    let (headers, token) = if request.tokens.is_none() && request.signer.is_none() {
        (request.headers.clone(), None)
    } else {
        // Boxed, as only providers with a token source or a signer take this branch.
        Box::pin(authorize(request)).await?
    };
    #[cfg(feature = "testing")]
    if let Some(vcr) = &request.vcr {
        // Boxed, as only a recording takes this branch: the future of an exchange, held
        // while the request is in flight, has no room for the headers it keeps.
        return Box::pin(record(vcr, request, headers, token)).await;
    }
    let response = request
        .client
        .execute(outgoing(request, headers))
        .await
        .map_err(|err| Failure::from(transport_error(err, request, "sending the request")))?;
    Ok((response, token))
}

/// [`exchange`] recorded by `vcr`: the headers sent are kept for the cassette.
#[cfg(feature = "testing")]
async fn record(
    vcr: &crate::testing::Vcr,
    request: &HttpRequest<'_>,
    headers: HeaderMap,
    token: Option<ApiKey>,
) -> std::result::Result<(Response, Option<ApiKey>), Failure> {
    let sent_headers = headers.clone();
    let response = request
        .client
        .execute(outgoing(request, headers))
        .await
        .map_err(|err| Failure::from(transport_error(err, request, "sending the request")))?;
    let response = vcr.record(
        &METHOD,
        &request.url,
        &sent_headers,
        &request.body,
        response,
    );
    Ok((response, token))
}

/// The request of one attempt. Built directly rather than through a `RequestBuilder` (which
/// re-inserts every header into a map of its own, a cost per request): the headers of this
/// attempt move into the request as they are. A URL with credentials in it still goes through
/// the builder, which turns them into a basic `Authorization` header.
fn outgoing(request: &HttpRequest<'_>, headers: HeaderMap) -> reqwest::Request {
    let url = &request.url;
    if !url.username().is_empty() || url.password().is_some() {
        if let Ok(built) = request
            .client
            .request(METHOD, url.clone())
            .headers(headers.clone())
            .body(request.body.clone())
            .build()
        {
            return built;
        }
    }
    let mut outgoing = reqwest::Request::new(METHOD, url.clone());
    *outgoing.headers_mut() = headers;
    *outgoing.body_mut() = Some(request.body.clone().into());
    outgoing
}

/// The headers of one attempt: the request's, then the cached token as a bearer header, then
/// the signer's, computed last over the final method, URL, headers and body. Also returns the
/// token sent, to forget it if the provider refuses it.
async fn authorize(
    request: &HttpRequest<'_>,
) -> std::result::Result<(HeaderMap, Option<ApiKey>), Failure> {
    let mut headers = request.headers.clone();
    let mut sent_token = None;
    if let Some(tokens) = request.tokens {
        let token = tokens
            .token_or_failure()
            .await
            .map_err(|(error, retryable)| Failure {
                error,
                retryable,
                token_refused: false,
            })?;
        headers.insert(AUTHORIZATION, bearer(&token, tokens)?);
        sent_token = Some(token);
    }
    if let Some(signer) = request.signer {
        let method = METHOD;
        let mut signable = SignableRequest::new(
            &method,
            &request.url,
            &mut headers,
            &request.body,
            SystemTime::now(),
        );
        signer.sign(&mut signable)?;
    }
    Ok((headers, sent_token))
}

/// `Bearer <token>`, marked sensitive so that `reqwest` and `http` never show it.
fn bearer(token: &ApiKey, tokens: &TokenCache) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
        Error::user(format!(
            "the access token from {} contains characters a header cannot carry",
            tokens.source().describe()
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Reads at most about `limit` bytes of the body; a body that breaks off is kept as far as it
/// came (it only explains an error).
///
/// Its future is boxed: it is awaited on error paths only, and inline it would make the
/// future of every request in flight larger by the size of a response being read.
pub(crate) fn read_limited(
    mut response: Response,
    limit: usize,
) -> Pin<Box<dyn Future<Output = Vec<u8>> + Send>> {
    Box::pin(async move {
        let mut body = Vec::new();
        while body.len() < limit {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) | Err(_) => break,
            }
        }
        body
    })
}

/// The media type of a response, lower-cased, without parameters.
pub(crate) fn media_type(response: &Response) -> Option<String> {
    let value = response.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or(value).trim();
    Some(essence.to_ascii_lowercase())
}

/// The error for an attempt that took longer than the request's timeout.
pub(crate) fn timeout_error(request: &HttpRequest<'_>) -> Error {
    Error::api(
        format!(
            "request to {} for model {} timed out after {:?}",
            request.provider, request.model_name, request.timeout
        ),
        ApiErrorKind::Timeout,
        None,
    )
}

/// Maps a `reqwest` failure (the URL, which may hold a key, taken out) to [`Error::Api`],
/// naming what was being done and the root cause.
pub(crate) fn transport_error(
    err: reqwest::Error,
    request: &HttpRequest<'_>,
    doing: &str,
) -> Error {
    transport_error_for(err, request.provider, request.model_name, doing)
}

/// As [`transport_error`], without the request at hand (while streaming).
pub(crate) fn transport_error_for(
    err: reqwest::Error,
    provider: &str,
    model_name: &str,
    doing: &str,
) -> Error {
    let err = err.without_url();
    let kind = if err.is_timeout() {
        ApiErrorKind::Timeout
    } else if err.is_connect() || err.is_request() || err.is_body() || err.is_decode() {
        ApiErrorKind::Connection
    } else {
        ApiErrorKind::Other
    };
    let mut cause: &dyn std::error::Error = &err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    Error::api(
        format!("{doing} to {provider} for model {model_name} failed: {cause}"),
        kind,
        Some(Box::new(err)),
    )
}

/// Merges the `extra_body` setting into a JSON object body: its top-level fields are added,
/// replacing those of the same name (as the official SDKs merge `extra_body`).
///
/// # Errors
/// [`Error::User`] when `extra` is not a JSON object, or when the body is not one.
pub(crate) fn merge_extra_body(body: Vec<u8>, extra: Option<&Value>) -> Result<Vec<u8>> {
    // `null` means unset, as it does to the protocols (`OpenAiChat` reads it so).
    let Some(extra) = extra.filter(|extra| !extra.is_null()) else {
        return Ok(body);
    };
    let Value::Object(extra) = extra else {
        return Err(Error::user(
            "`extra_body` must be a JSON object: its fields are added to the request body",
        ));
    };
    if extra.is_empty() {
        return Ok(body);
    }
    let mut parsed: Value = serde_json::from_slice(&body).map_err(|_| {
        Error::user("`extra_body` is set, but this provider's request body is not JSON")
    })?;
    let Value::Object(fields) = &mut parsed else {
        return Err(Error::user(
            "`extra_body` is set, but this provider's request body is not a JSON object",
        ));
    };
    for (key, value) in extra {
        fields.insert(key.clone(), value.clone());
    }
    serde_json::to_vec(&parsed)
        .map_err(|err| Error::user(format!("could not serialize the request body: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extra_body_is_merged_at_the_top_level() {
        let body = br#"{"model":"m","temperature":1}"#.to_vec();
        let merged = merge_extra_body(body, Some(&json!({"temperature": 0, "seed": 7}))).unwrap();
        let merged: Value = serde_json::from_slice(&merged).unwrap();
        assert_eq!(merged, json!({"model": "m", "temperature": 0, "seed": 7}));
    }

    #[test]
    fn extra_body_must_be_an_object_on_an_object() {
        let err = merge_extra_body(b"{}".to_vec(), Some(&json!([1]))).unwrap_err();
        assert!(matches!(err, Error::User { .. }));
        let err = merge_extra_body(b"[1]".to_vec(), Some(&json!({"a": 1}))).unwrap_err();
        assert!(matches!(err, Error::User { .. }));
        // Unset, null or empty: the body is untouched, byte for byte.
        let body = b"{ \"a\" : 1 }".to_vec();
        assert_eq!(merge_extra_body(body.clone(), None).unwrap(), body);
        assert_eq!(
            merge_extra_body(body.clone(), Some(&Value::Null)).unwrap(),
            body
        );
        assert_eq!(
            merge_extra_body(body.clone(), Some(&json!({}))).unwrap(),
            body
        );
    }
}
