//! Request signers: auth computed over each attempt's exact bytes (AWS SigV4 and the like).

use std::fmt;
use std::time::SystemTime;

use reqwest::header::HeaderMap;
use reqwest::{Method, Url};

use crate::error::Result;

/// Signs each attempt of a request over its exact bytes (AWS SigV4 and the like).
///
/// Set on a provider with [`ProviderBuilder::signer`](crate::providers::ProviderBuilder::signer).
/// The driver calls it last, after every other header (a token included) is in place, once per
/// attempt: a retry is signed anew at its own time, so a signature never outlives the few
/// minutes a service accepts it for.
///
/// Its `Debug` is shown in the provider's: keep credentials out of it.
///
/// A toy signer that adds a header naming the signing time and a checksum of the body:
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use llm_runtime::http::{RequestSigner, SignableRequest};
/// use llm_runtime::http::reqwest::header::{HeaderMap, HeaderValue};
/// use llm_runtime::http::reqwest::{Method, Url};
///
/// #[derive(Debug)]
/// struct Checksum;
///
/// impl RequestSigner for Checksum {
///     fn sign(&self, request: &mut SignableRequest<'_>) -> llm_runtime::Result<()> {
///         let sum = request.body.iter().fold(0u32, |sum, b| sum.wrapping_mul(31).wrapping_add(u32::from(*b)));
///         let at = request.time.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_secs();
///         let value = format!("t={at},sum={sum:08x},path={}", request.url.path());
///         let value = HeaderValue::from_str(&value)
///             .map_err(|_| llm_runtime::Error::user("the signature is not a header value"))?;
///         request.headers.insert("x-toy-signature", value);
///         Ok(())
///     }
/// }
///
/// // What the driver does before each attempt:
/// let url = Url::parse("https://api.example/v1/chat")?;
/// let mut headers = HeaderMap::new();
/// let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let mut request = SignableRequest::new(&Method::POST, &url, &mut headers, b"{}", time);
/// Checksum.sign(&mut request)?;
/// assert_eq!(headers["x-toy-signature"], "t=1700000000,sum=00000f62,path=/v1/chat");
///
/// // On a provider, every attempt goes through it (no API key needed):
/// # use llm_runtime::providers::openai::chat::OpenAiChat;
/// let provider = llm_runtime::providers::ProviderBuilder::new("signed", OpenAiChat::new())
///     .default_base_url("https://api.example/v1")
///     .signer(Checksum)
///     .build_with_env(|_| None)?;
/// assert!(format!("{provider:?}").contains("Checksum"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait RequestSigner: Send + Sync + fmt::Debug + 'static {
    /// Adds the signature headers to `request.headers`. Called once per attempt, retries
    /// included, just before sending, with the time to sign at.
    ///
    /// # Errors
    /// Whatever stops the signature (missing or expired credentials): the request is not sent
    /// and the error is returned as it is, so it must not carry a secret.
    fn sign(&self, request: &mut SignableRequest<'_>) -> Result<()>;
}

/// What a signer sees: the method, the full URL (query included), the headers that will be
/// sent (it adds its own), the exact body bytes, and the signing time.
///
/// The transport adds a few headers of its own after signing: `host` and `content-length`
/// (which the URL and the body determine) and the client's defaults such as `user-agent`. A
/// signature that must cover them derives them from the URL and the body, as SigV4 does.
#[non_exhaustive]
pub struct SignableRequest<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The full URL, query parameters included.
    pub url: &'a Url,
    /// The headers to be sent: the provider's, the request's and any token; the signer adds
    /// its own here.
    pub headers: &'a mut HeaderMap,
    /// The body, byte for byte as it is sent.
    pub body: &'a [u8],
    /// The time to sign at (the attempt's start).
    pub time: SystemTime,
}

impl<'a> SignableRequest<'a> {
    /// A request to sign (the driver builds one per attempt; this is for testing a signer).
    pub fn new(
        method: &'a Method,
        url: &'a Url,
        headers: &'a mut HeaderMap,
        body: &'a [u8],
        time: SystemTime,
    ) -> Self {
        SignableRequest {
            method,
            url,
            headers,
            body,
            time,
        }
    }
}

impl fmt::Debug for SignableRequest<'_> {
    /// Shows the method, the URL's path (its query may hold a key), the header names (their
    /// values may be secrets) and the body's length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|name| name.as_str()).collect();
        f.debug_struct("SignableRequest")
            .field("method", self.method)
            .field("path", &self.url.path())
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .field("time", &self.time)
            .finish()
    }
}
