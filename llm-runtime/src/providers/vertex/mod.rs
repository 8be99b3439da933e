//! Google Vertex AI: Gemini and Claude through Google Cloud (model strings
//! `google-vertex:<model>`; [`model`], [`gemini_builder`], [`claude_builder`]).
//!
//! API reference: <https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest>;
//! Claude on Vertex: <https://docs.anthropic.com/en/api/claude-on-vertex-ai>.
//!
//! Vertex reuses two protocols with its own paths and auth. Gemini models speak the
//! [Gemini protocol](crate::providers::gemini) at
//! `{host}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent`
//! (`:streamGenerateContent?alt=sse`); `claude-…` models speak the
//! [Anthropic protocol](crate::providers::anthropic) at
//! `…/publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict`), with
//! `anthropic_version: vertex-2023-10-16` in the body instead of the model. The host is
//! `https://{location}-aiplatform.googleapis.com` (`https://aiplatform.googleapis.com` for
//! `global`), or `GOOGLE_VERTEX_BASE_URL`.
//!
//! Auth is an OAuth2 bearer token from Application Default Credentials, resolved as
//! google-auth does ([`Credentials::application_default`]): the service-account or
//! authorized-user file `GOOGLE_APPLICATION_CREDENTIALS` names, then gcloud's well-known
//! file, then the metadata server (`GCE_METADATA_HOST`). Tokens go through a
//! [`TokenCache`](crate::http::TokenCache), one per credentials for the whole process: one
//! fetch for concurrent requests, refreshed 5 minutes before expiry, fetched anew once after
//! a 401, and shared by every model of the same credentials.
//!
//! The files, each one concern:
//! - `credentials.rs`: [`Credentials`], the ADC sources and their token grants;
//! - `jwt.rs`: the RS256 JWT assertion of a service account, signed with `ring`;
//! - `cache.rs`: the process-wide token cache of each credentials;
//! - `config.rs`: [`VertexConfig`], project, location and host;
//! - `protocol.rs`: [`VertexGemini`] and [`VertexClaude`], the two protocols at Vertex's paths.

use std::sync::Arc;

use crate::error::Result;
use crate::models::{Model, ProviderRegistration};

use super::{ProviderBuilder, ProviderModel};

mod cache;
mod config;
mod credentials;
mod jwt;
mod protocol;

pub use config::{
    location_host, VertexConfig, API_VERSION, BASE_URL_VAR, DEFAULT_LOCATION, LOCATION_VAR,
    PROJECT_VAR,
};
pub use credentials::{
    Credentials, CLOUD_PLATFORM_SCOPE, CREDENTIALS_VAR, DEFAULT_METADATA_HOST, GCLOUD_CONFIG_VAR,
    METADATA_HOST_VAR, WELL_KNOWN_FILE,
};
pub use protocol::{VertexClaude, VertexGemini, ANTHROPIC_VERSION};

/// The provider name (and model-string prefix) of Vertex AI.
pub const PROVIDER_NAME: &str = "google-vertex";

/// A Gemini model on Vertex AI.
pub type VertexGeminiModel = ProviderModel<VertexGemini>;

/// A Claude model on Vertex AI.
pub type VertexClaudeModel = ProviderModel<VertexClaude>;

inventory::submit! {
    ProviderRegistration { prefix: PROVIDER_NAME, aliases: &[], build: build_registered }
}

fn build_registered(model_name: &str) -> Result<Arc<dyn Model>> {
    model_from_env(model_name)
}

/// Whether `model_name` is one of Anthropic's (served through [`VertexClaude`]).
///
/// ```
/// use llm_runtime::providers::vertex::is_claude;
/// assert!(is_claude("claude-sonnet-4@20250514"));
/// assert!(!is_claude("gemini-2.5-flash"));
/// ```
pub fn is_claude(model_name: &str) -> bool {
    model_name.starts_with("claude")
}

/// A [`ProviderBuilder`] of Gemini on Vertex with `config`: its endpoint as the base URL, its
/// token cache as the auth, its quota project as `x-goog-user-project`. No environment variable is read; further calls set the retry
/// policy, the timeout, the client or headers.
///
/// ```
/// use llm_runtime::providers::vertex::{self, Credentials, VertexConfig};
///
/// let credentials = Credentials::metadata_server("127.0.0.1:9")?;
/// let provider = vertex::gemini_builder(VertexConfig::new(credentials, "proj", "global")).build()?;
/// assert_eq!(
///     provider.base_url(),
///     "https://aiplatform.googleapis.com/v1/projects/proj/locations/global"
/// );
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn gemini_builder(config: VertexConfig) -> ProviderBuilder<VertexGemini> {
    builder(config, VertexGemini::default())
}

/// A [`ProviderBuilder`] of Claude on Vertex with `config` (as [`gemini_builder`]).
pub fn claude_builder(config: VertexConfig) -> ProviderBuilder<VertexClaude> {
    builder(config, VertexClaude::default())
}

fn builder<P>(config: VertexConfig, protocol: P) -> ProviderBuilder<P> {
    let builder = ProviderBuilder::new(PROVIDER_NAME, protocol)
        .base_url(config.endpoint())
        .base_url_env(std::iter::empty::<&'static str>())
        .api_key_env(std::iter::empty::<&'static str>());
    let builder = match config.quota_project {
        Some(project) => builder.header("x-goog-user-project", project),
        None => builder,
    };
    builder.token_cache(config.tokens)
}

/// A model on Vertex AI with `config` and the default retry policy: a Claude model
/// ([`is_claude`]) through [`VertexClaude`], any other through [`VertexGemini`].
///
/// ```
/// use llm_runtime::providers::vertex::{self, Credentials, VertexConfig};
///
/// let config = VertexConfig::new(Credentials::metadata_server("127.0.0.1:9")?, "proj", "us-east5");
/// let claude = vertex::model("claude-sonnet-4@20250514", config.clone())?;
/// let gemini = vertex::model("gemini-2.5-flash", config)?;
/// assert_eq!((claude.system(), gemini.system()), ("google-vertex", "google-vertex"));
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// # Errors
/// [`Error::User`](crate::Error::User) when the endpoint is not an `http(s)` URL.
pub fn model(model_name: &str, config: VertexConfig) -> Result<Arc<dyn Model>> {
    Ok(if is_claude(model_name) {
        Arc::new(claude_builder(config).build()?.model(model_name))
    } else {
        Arc::new(gemini_builder(config).build()?.model(model_name))
    })
}

/// A model on Vertex AI configured from the environment ([`VertexConfig::from_environment`]):
/// what the model string `google-vertex:<model_name>` gives.
///
/// # Errors
/// [`Error::User`](crate::Error::User) when the credentials file cannot be read, no project is
/// found, or the endpoint is not an `http(s)` URL.
pub fn model_from_env(model_name: &str) -> Result<Arc<dyn Model>> {
    model(model_name, VertexConfig::from_environment()?)
}
