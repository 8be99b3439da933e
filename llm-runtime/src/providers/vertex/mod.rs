//! Google Vertex AI: Application Default Credentials and their OAuth2 access tokens.
//!
//! [`Credentials::application_default`] resolves credentials as google-auth does
//! (`GOOGLE_APPLICATION_CREDENTIALS`, then gcloud's well-known file, then the metadata
//! server); [`Credentials::token`] hands out a token from one process-wide cache per
//! credentials, refreshed 5 minutes before it expires and fetched once however many requests
//! wait for it. Service-account assertions are RS256 JWTs signed with `ring`.

mod cache;
mod credentials;
mod jwt;

pub use credentials::{Credentials, CLOUD_PLATFORM_SCOPE};
