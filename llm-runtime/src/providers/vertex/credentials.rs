//! Application Default Credentials, resolved as google-auth resolves them:
//! `GOOGLE_APPLICATION_CREDENTIALS`, then gcloud's well-known file, then the metadata server.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use futures::future::{BoxFuture, FutureExt};
use reqwest::header::CONTENT_TYPE;

use super::jwt::{Assertion, SigningKey};
use crate::error::{ApiErrorKind, Error, Result};
use crate::http::{shared_client, AccessToken, ApiKey, TokenSource};

/// The OAuth2 scope of Vertex AI (and every other Google Cloud API).
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// Google's OAuth2 token endpoint: where files that name no `token_uri` send their grants, and
/// the audience of every service-account assertion whatever the file's `token_uri` (as
/// google-auth makes them).
const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// The variable naming the credentials file to use first.
pub const CREDENTIALS_VAR: &str = "GOOGLE_APPLICATION_CREDENTIALS";

/// The variable naming gcloud's configuration folder (default `~/.config/gcloud`).
pub const GCLOUD_CONFIG_VAR: &str = "CLOUDSDK_CONFIG";

/// gcloud's well-known credentials file in its configuration folder.
pub const WELL_KNOWN_FILE: &str = "application_default_credentials.json";

/// The variable naming the metadata server's host.
pub const METADATA_HOST_VAR: &str = "GCE_METADATA_HOST";

/// The metadata server's host when `GCE_METADATA_HOST` is not set.
pub const DEFAULT_METADATA_HOST: &str = "metadata.google.internal";

/// The largest token response read (a token is a few kilobytes).
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

/// How long a token request may take.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// Credentials for Google Cloud: a service account, a user's gcloud login or the metadata
/// server of the machine.
///
/// Its `Debug` shows where the credentials come from and never a key, secret or token.
///
/// ```
/// use llm_runtime::providers::vertex::Credentials;
///
/// let json = br#"{"type": "authorized_user", "client_id": "id.apps.googleusercontent.com",
///     "client_secret": "s3cret", "refresh_token": "1//r3fresh"}"#;
/// let credentials = Credentials::from_json(json, "adc.json".as_ref())?;
/// assert_eq!(credentials.describe(), "authorized-user credentials file adc.json");
/// let debug = format!("{credentials:?}");
/// assert!(!debug.contains("s3cret") && !debug.contains("r3fresh"));
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub struct Credentials {
    kind: Kind,
    /// The client that fetches tokens.
    client: reqwest::Client,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
enum Kind {
    ServiceAccount(Box<ServiceAccount>),
    AuthorizedUser(AuthorizedUser),
    Metadata { host: String },
}

struct ServiceAccount {
    path: PathBuf,
    client_email: String,
    private_key_id: Option<String>,
    key: SigningKey,
    token_uri: String,
    project_id: Option<String>,
}

struct AuthorizedUser {
    path: PathBuf,
    client_id: String,
    client_secret: ApiKey,
    refresh_token: ApiKey,
    token_uri: String,
    quota_project_id: Option<String>,
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("path", &self.path)
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for AuthorizedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizedUser")
            .field("path", &self.path)
            .field("client_id", &self.client_id)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

/// The fields of a credentials file we read; the secret ones go straight into redacting types.
#[derive(Deserialize)]
struct CredentialsFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key_id: Option<String>,
    private_key: Option<Secret>,
    token_uri: Option<String>,
    project_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    refresh_token: Option<Secret>,
    quota_project_id: Option<String>,
}

/// A secret read from JSON, straight into an [`ApiKey`] (redacted in `Debug`).
struct Secret(ApiKey);

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Secret(ApiKey::new(s)))
    }
}

impl Credentials {
    /// Application Default Credentials: the file `GOOGLE_APPLICATION_CREDENTIALS` names, else
    /// gcloud's `application_default_credentials.json` (in `CLOUDSDK_CONFIG`, else
    /// `~/.config/gcloud`, `%APPDATA%\gcloud` on Windows) when it exists, else the metadata
    /// server (`GCE_METADATA_HOST`, default `metadata.google.internal`).
    ///
    /// # Errors
    /// [`Error::User`] when the file named cannot be read or is not credentials.
    pub fn application_default() -> Result<Self> {
        Credentials::application_default_with(|name| std::env::var(name).ok())
    }

    /// As [`application_default`](Self::application_default), reading the variables through
    /// `env` instead of the process environment.
    ///
    /// # Errors
    /// As [`application_default`](Self::application_default).
    pub fn application_default_with(env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(path) = var(CREDENTIALS_VAR) {
            return Credentials::from_file(path);
        }
        let gcloud_dir = var(GCLOUD_CONFIG_VAR).map(PathBuf::from).or_else(|| {
            if cfg!(windows) {
                var("APPDATA").map(|dir| Path::new(&dir).join("gcloud"))
            } else {
                var("HOME").map(|home| Path::new(&home).join(".config").join("gcloud"))
            }
        });
        if let Some(dir) = gcloud_dir {
            let path = dir.join(WELL_KNOWN_FILE);
            if path.is_file() {
                return Credentials::from_file(path);
            }
        }
        Credentials::metadata_server(
            var(METADATA_HOST_VAR).unwrap_or_else(|| DEFAULT_METADATA_HOST.to_owned()),
        )
    }

    /// The credentials of a JSON file: a service-account key or an authorized user (what
    /// `gcloud auth application-default login` writes).
    ///
    /// # Errors
    /// [`Error::User`] naming the file when it cannot be read or is not credentials.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|err| {
            Error::user(format!(
                "could not read the Google credentials file {}: {err}",
                path.display()
            ))
        })?;
        Credentials::from_json(&bytes, path)
    }

    /// The credentials of the JSON `bytes` of the file at `path` (named in errors).
    ///
    /// # Errors
    /// [`Error::User`] naming the file when it is not service-account or authorized-user
    /// credentials; [`Error::Api`] when the shared HTTP client cannot be built.
    pub fn from_json(bytes: &[u8], path: &Path) -> Result<Self> {
        let invalid = |what: &str| {
            Error::user(format!(
                "the Google credentials file {} is not valid: {what}",
                path.display()
            ))
        };
        // serde_json's error names a line and column, never the value: safe to show.
        let file: CredentialsFile =
            serde_json::from_slice(bytes).map_err(|err| invalid(&err.to_string()))?;
        let token_uri = file
            .token_uri
            .unwrap_or_else(|| DEFAULT_TOKEN_URI.to_owned());
        let kind = match file.kind.as_deref() {
            Some("service_account") => {
                let key = file
                    .private_key
                    .ok_or_else(|| invalid("no `private_key`"))?;
                Kind::ServiceAccount(Box::new(ServiceAccount {
                    path: path.to_owned(),
                    client_email: file
                        .client_email
                        .ok_or_else(|| invalid("no `client_email`"))?,
                    private_key_id: file.private_key_id,
                    key: SigningKey::from_pem(key.0.expose())
                        .map_err(|err| invalid(&err.to_string()))?,
                    token_uri,
                    project_id: file.project_id,
                }))
            }
            Some("authorized_user") => Kind::AuthorizedUser(AuthorizedUser {
                path: path.to_owned(),
                client_id: file.client_id.ok_or_else(|| invalid("no `client_id`"))?,
                client_secret: file
                    .client_secret
                    .ok_or_else(|| invalid("no `client_secret`"))?
                    .0,
                refresh_token: file
                    .refresh_token
                    .ok_or_else(|| invalid("no `refresh_token`"))?
                    .0,
                token_uri,
                quota_project_id: file.quota_project_id,
            }),
            Some(other) => {
                return Err(invalid(&format!(
                    "`type` is `{other}`; `service_account` and `authorized_user` are supported"
                )))
            }
            None => return Err(invalid("no `type`")),
        };
        Credentials::with_kind(kind)
    }

    fn with_kind(kind: Kind) -> Result<Self> {
        Ok(Credentials {
            kind,
            client: shared_client()?,
        })
    }

    /// These credentials fetching their tokens with `client` (a proxy, custom TLS roots)
    /// instead of the shared one.
    pub fn with_client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }

    /// The credentials of the metadata server at `host` (`metadata.google.internal` on Google
    /// Cloud; a `host:port` for tests and emulators).
    ///
    /// # Errors
    /// [`Error::Api`] when the shared HTTP client cannot be built.
    pub fn metadata_server(host: impl Into<String>) -> Result<Self> {
        Credentials::with_kind(Kind::Metadata { host: host.into() })
    }

    /// Where the credentials come from, for errors and logs; never a secret.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::ServiceAccount(sa) => {
                format!("service account file {}", sa.path.display())
            }
            Kind::AuthorizedUser(user) => {
                format!("authorized-user credentials file {}", user.path.display())
            }
            Kind::Metadata { host } => format!("the metadata server at {host}"),
        }
    }

    /// The project the credentials belong to, when they name one (a service account's
    /// `project_id`, an authorized user's `quota_project_id`).
    pub fn project_id(&self) -> Option<&str> {
        match &self.kind {
            Kind::ServiceAccount(sa) => sa.project_id.as_deref(),
            Kind::AuthorizedUser(user) => user.quota_project_id.as_deref(),
            Kind::Metadata { .. } => None,
        }
    }

    /// The project billed for the requests of a user's credentials (an authorized user's
    /// `quota_project_id`), sent as `x-goog-user-project` as google-auth does.
    pub fn quota_project_id(&self) -> Option<&str> {
        match &self.kind {
            Kind::AuthorizedUser(user) => user.quota_project_id.as_deref(),
            _ => None,
        }
    }

    /// What identifies these credentials among the process's token caches: the source, the
    /// identity and the token endpoint, never a secret.
    pub(crate) fn cache_key(&self) -> String {
        match &self.kind {
            Kind::ServiceAccount(sa) => format!(
                "service_account\n{}\n{}\n{}",
                sa.path.display(),
                sa.client_email,
                sa.token_uri
            ),
            Kind::AuthorizedUser(user) => format!(
                "authorized_user\n{}\n{}\n{}",
                user.path.display(),
                user.client_id,
                user.token_uri
            ),
            Kind::Metadata { host } => format!("metadata\n{host}"),
        }
    }

    /// Fetches a new access token for the cloud-platform scope, bypassing every cache: an
    /// RS256 JWT-bearer grant to a service account's `token_uri`, a refresh-token grant for
    /// an authorized user, a `GET` of the metadata server's token.
    ///
    /// # Errors
    /// [`Error::Api`] of kind [`ApiErrorKind::Connection`] or [`ApiErrorKind::Timeout`] when
    /// the endpoint cannot be reached, [`ApiErrorKind::Other`] when it refuses the grant (its
    /// OAuth2 `error` and `error_description`, never the rest of the body) or answers
    /// something that is not a token; [`Error::Http`] for a 5xx or 429 (retryable). None
    /// carries a secret.
    pub async fn fetch_token(&self) -> Result<AccessToken> {
        let response = self
            .token_request()?
            .timeout(TOKEN_TIMEOUT)
            .send()
            .await
            .map_err(|err| {
                let kind = if err.is_timeout() {
                    ApiErrorKind::Timeout
                } else {
                    ApiErrorKind::Connection
                };
                let message = format!("could not reach the token endpoint: {}", err.without_url());
                Error::api(message, kind, None)
            })?;
        let status = response.status().as_u16();
        let body = read_bounded(response).await?;
        if !(200..300).contains(&status) {
            let reason = oauth_error(&body);
            if status == 429 || status >= 500 {
                return Err(Error::http(
                    status,
                    "the token endpoint",
                    reason.as_bytes(),
                    None,
                ));
            }
            return Err(refused(&format!(
                "the token endpoint refused the grant (status {status}): {reason}"
            )));
        }
        let token: TokenResponse = serde_json::from_slice(&body)
            .map_err(|_| refused("the token response is not an OAuth2 token"))?;
        Ok(match token.expires_in {
            Some(secs) => AccessToken::expiring_in(token.access_token.0, Duration::from_secs(secs)),
            None => AccessToken::new(token.access_token.0, None),
        })
    }

    /// The token request of these credentials, not sent yet.
    fn token_request(&self) -> Result<reqwest::RequestBuilder> {
        let client = &self.client;
        let form_post = |uri: &str, body: String| {
            client
                .post(uri)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
        };
        Ok(match &self.kind {
            Kind::ServiceAccount(sa) => {
                let assertion = Assertion {
                    issuer: &sa.client_email,
                    key_id: sa.private_key_id.as_deref(),
                    scope: CLOUD_PLATFORM_SCOPE,
                    audience: DEFAULT_TOKEN_URI,
                }
                .sign(&sa.key, SystemTime::now())
                .ok_or_else(|| refused("could not sign the JWT assertion"))?;
                let body = form(&[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("assertion", &assertion),
                ]);
                form_post(&sa.token_uri, body)
            }
            Kind::AuthorizedUser(user) => {
                let body = form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", &user.client_id),
                    ("client_secret", user.client_secret.expose()),
                    ("refresh_token", user.refresh_token.expose()),
                ]);
                form_post(&user.token_uri, body)
            }
            Kind::Metadata { host } => client
                .get(format!(
                    "http://{host}/computeMetadata/v1/instance/service-accounts/default/token"
                ))
                .header("Metadata-Flavor", "Google"),
        })
    }
}

impl TokenSource for Credentials {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken>> {
        self.fetch_token().boxed()
    }

    fn describe(&self) -> String {
        Credentials::describe(self)
    }
}

/// The body of a token response, refused past [`MAX_TOKEN_RESPONSE`] bytes.
async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let chunk = response.chunk().await.map_err(|err| {
            let message = format!("could not read the token response: {}", err.without_url());
            Error::api(message, ApiErrorKind::Connection, None)
        })?;
        let Some(chunk) = chunk else {
            return Ok(body);
        };
        if body.len() + chunk.len() > MAX_TOKEN_RESPONSE {
            return Err(refused("the token response is larger than 64 KiB"));
        }
        body.extend_from_slice(&chunk);
    }
}

/// A refused or unreadable grant (the token cache adds which credentials).
fn refused(what: &str) -> Error {
    Error::api(what, ApiErrorKind::Other, None)
}

/// A successful OAuth2 token response.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: Secret,
    expires_in: Option<u64>,
}

/// The `error` and `error_description` of an OAuth2 error response (RFC 6749 §5.2), never
/// the rest of the body; a short note when the body is not one.
fn oauth_error(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct OAuthError {
        error: Option<serde_json::Value>,
        error_description: Option<String>,
    }
    let Ok(parsed) = serde_json::from_slice::<OAuthError>(body) else {
        return "no OAuth2 error in the response".to_owned();
    };
    let code = match parsed.error {
        Some(serde_json::Value::String(code)) => code,
        // Google's metadata server and some proxies put an object here.
        Some(serde_json::Value::Object(object)) => object
            .get("status")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("error")
            .to_owned(),
        _ => "error".to_owned(),
    };
    let mut reason = match parsed.error_description {
        Some(description) => format!("{code}: {description}"),
        None => code,
    };
    if reason.len() > 300 {
        let mut end = 300;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
    }
    reason
}

/// An `application/x-www-form-urlencoded` body.
fn form(pairs: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in pairs {
        if !body.is_empty() {
            body.push('&');
        }
        encode_into(&mut body, name);
        body.push('=');
        encode_into(&mut body, value);
    }
    body
}

fn encode_into(out: &mut String, value: &str) {
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
}

#[cfg(test)]
mod tests;
