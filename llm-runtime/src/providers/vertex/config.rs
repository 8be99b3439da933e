//! Where Vertex AI requests go and with which tokens: the project, the location, the host
//! (`GOOGLE_VERTEX_BASE_URL` or the location's own) and the credentials' shared token cache.

use std::fmt;

use super::cache::shared_cache;
use super::credentials::Credentials;
use crate::error::{Error, Result};
use crate::http::TokenCache;

/// The variable naming the project (else the credentials' own).
pub const PROJECT_VAR: &str = "GOOGLE_CLOUD_PROJECT";

/// The variable naming the location.
pub const LOCATION_VAR: &str = "GOOGLE_CLOUD_LOCATION";

/// The variable replacing `https://{location}-aiplatform.googleapis.com`.
pub const BASE_URL_VAR: &str = "GOOGLE_VERTEX_BASE_URL";

/// The location when neither the caller nor `GOOGLE_CLOUD_LOCATION` names one (pydantic-ai's
/// default).
pub const DEFAULT_LOCATION: &str = "us-central1";

/// The API version in every request path.
pub const API_VERSION: &str = "v1";

/// The Vertex AI host of `location`: `https://{location}-aiplatform.googleapis.com`, and
/// `https://aiplatform.googleapis.com` for `global`.
///
/// ```
/// use llm_runtime::providers::vertex::location_host;
/// assert_eq!(location_host("europe-west4"), "https://europe-west4-aiplatform.googleapis.com");
/// assert_eq!(location_host("global"), "https://aiplatform.googleapis.com");
/// ```
pub fn location_host(location: &str) -> String {
    if location == "global" {
        "https://aiplatform.googleapis.com".to_owned()
    } else {
        format!("https://{location}-aiplatform.googleapis.com")
    }
}

/// The project, location, host and tokens of Vertex AI requests.
///
/// Its `Debug` names where the tokens come from, never a token or key.
#[derive(Clone)]
pub struct VertexConfig {
    /// The Google Cloud project id.
    pub project: String,
    /// The location (`us-central1`, `europe-west4`, `global`…).
    pub location: String,
    /// What replaces `https://{location}-aiplatform.googleapis.com` (as google-genai reads
    /// `GOOGLE_VERTEX_BASE_URL`): the version and path are appended to it. `None`: the
    /// location's host ([`location_host`]).
    pub base_url: Option<String>,
    /// The project billed for a user's requests (`x-goog-user-project`): the authorized
    /// user's `quota_project_id` with [`VertexConfig::new`].
    pub quota_project: Option<String>,
    /// The tokens, usually the process-wide cache of the credentials ([`VertexConfig::new`]).
    pub tokens: TokenCache,
}

impl fmt::Debug for VertexConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VertexConfig")
            .field("project", &self.project)
            .field("location", &self.location)
            .field("base_url", &self.base_url)
            .field("quota_project", &self.quota_project)
            .field("credentials", &self.tokens.source().describe())
            .finish()
    }
}

impl VertexConfig {
    /// A configuration whose tokens come from the process-wide cache of `credentials`: every
    /// configuration of the same credentials (same file and identity, or same metadata server)
    /// shares one cache, so one token serves them all until it is refreshed.
    pub fn new(
        credentials: Credentials,
        project: impl Into<String>,
        location: impl Into<String>,
    ) -> Self {
        VertexConfig {
            project: project.into(),
            location: location.into(),
            base_url: None,
            quota_project: credentials.quota_project_id().map(str::to_owned),
            tokens: shared_cache(credentials),
        }
    }

    /// The configuration the environment gives: Application Default Credentials
    /// ([`Credentials::application_default`]), the project from `GOOGLE_CLOUD_PROJECT` or else
    /// the credentials' own, the location from `GOOGLE_CLOUD_LOCATION` (default
    /// [`DEFAULT_LOCATION`]), the host from `GOOGLE_VERTEX_BASE_URL`.
    ///
    /// # Errors
    /// [`Error::User`] when the credentials file cannot be read or no project is found.
    pub fn from_environment() -> Result<Self> {
        VertexConfig::from_env_with(|name| std::env::var(name).ok())
    }

    /// As [`from_environment`](Self::from_environment), reading the variables through `env`.
    ///
    /// ```
    /// use llm_runtime::providers::vertex::VertexConfig;
    ///
    /// let env = |name: &str| match name {
    ///     "GOOGLE_CLOUD_PROJECT" => Some("my-project".to_owned()),
    ///     "GOOGLE_CLOUD_LOCATION" => Some("global".to_owned()),
    ///     "GCE_METADATA_HOST" => Some("127.0.0.1:9".to_owned()),
    ///     _ => None,
    /// };
    /// let config = VertexConfig::from_env_with(env)?;
    /// assert_eq!(
    ///     config.endpoint(),
    ///     "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global"
    /// );
    /// # Ok::<(), llm_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_environment`](Self::from_environment).
    pub fn from_env_with(env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let credentials = Credentials::application_default_with(&env)?;
        let project = var(PROJECT_VAR)
            .or_else(|| credentials.project_id().map(str::to_owned))
            .ok_or_else(|| {
                Error::user(format!(
                    "missing Google Cloud project for provider `google-vertex`: set the \
                     GOOGLE_CLOUD_PROJECT environment variable (the credentials of {} name none)",
                    credentials.describe()
                ))
            })?;
        let location = var(LOCATION_VAR).unwrap_or_else(|| DEFAULT_LOCATION.to_owned());
        let mut config = VertexConfig::new(credentials, project, location);
        config.base_url = var(BASE_URL_VAR);
        Ok(config)
    }

    /// The URL requests' paths are relative to:
    /// `{host}/v1/projects/{project}/locations/{location}`.
    pub fn endpoint(&self) -> String {
        let host = match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => location_host(&self.location),
        };
        format!(
            "{host}/{API_VERSION}/projects/{}/locations/{}",
            self.project, self.location
        )
    }
}

#[cfg(test)]
mod tests;
