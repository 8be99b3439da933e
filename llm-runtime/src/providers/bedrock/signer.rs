//! [`SigV4Signer`]: AWS Signature Version 4 ([`sigv4`](super::sigv4)) as the driver's
//! [`RequestSigner`], so that every attempt of a Bedrock request, retries included, is signed
//! at its own time over the exact method, URL, headers and body it is sent with.

use chrono::{DateTime, Utc};

use super::credentials::AwsCredentials;
use super::sigv4::{self, SigningRequest, SigningScope};
use super::SIGNING_SERVICE;
use crate::error::Result;
use crate::http::{RequestSigner, SignableRequest};

/// Signs each attempt with SigV4 for a region and a service. Its `Debug` shows the access key
/// id and the scope, never the secret key or the session token.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use llm_runtime::http::reqwest::header::HeaderMap;
/// use llm_runtime::http::reqwest::{Method, Url};
/// use llm_runtime::http::{RequestSigner, SignableRequest};
/// use llm_runtime::providers::bedrock::credentials::AwsCredentials;
/// use llm_runtime::providers::bedrock::SigV4Signer;
///
/// let signer = SigV4Signer::new(AwsCredentials::new("AKIDEXAMPLE", "s3cr3t-EXAMPLE", None), "us-east-1");
/// let url = Url::parse("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse")?;
/// let mut headers = HeaderMap::new();
/// let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_765_000_000);
/// signer.sign(&mut SignableRequest::new(&Method::POST, &url, &mut headers, b"{}", time))?;
/// assert_eq!(headers["x-amz-date"], "20251206T054640Z");
/// let authorization = headers["authorization"].to_str()?;
/// assert!(authorization.starts_with(
///     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251206/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature="
/// ));
/// assert!(!format!("{signer:?}").contains("s3cr3t-EXAMPLE"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4Signer {
    credentials: AwsCredentials,
    scope: SigningScope,
}

impl SigV4Signer {
    /// A signer for Bedrock Runtime (service [`SIGNING_SERVICE`]) in `region`.
    pub fn new(credentials: AwsCredentials, region: impl Into<String>) -> Self {
        Self::with_scope(
            credentials,
            SigningScope {
                region: region.into(),
                service: SIGNING_SERVICE.to_owned(),
            },
        )
    }

    /// A signer for any region and service.
    pub fn with_scope(credentials: AwsCredentials, scope: SigningScope) -> Self {
        SigV4Signer { credentials, scope }
    }

    /// The credentials it signs with.
    pub fn credentials(&self) -> &AwsCredentials {
        &self.credentials
    }

    /// The region and service of its signatures.
    pub fn scope(&self) -> &SigningScope {
        &self.scope
    }
}

impl RequestSigner for SigV4Signer {
    /// Sets `x-amz-date`, `x-amz-security-token` (with a session token) and `authorization`
    /// over the request as it is sent (see [`sigv4::sign`]).
    ///
    /// # Errors
    /// As [`sigv4::sign`]: [`Error::User`](crate::Error::User) when a header value is not
    /// UTF-8 or the URL has no host.
    fn sign(&self, request: &mut SignableRequest<'_>) -> Result<()> {
        let time: DateTime<Utc> = request.time.into();
        let signing = SigningRequest {
            method: request.method.as_str(),
            url: request.url,
            body: request.body,
        };
        sigv4::sign(
            &self.credentials,
            &self.scope,
            signing,
            request.headers,
            time,
        )
    }
}
