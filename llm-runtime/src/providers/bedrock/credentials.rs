//! Where Bedrock's credentials, region and endpoint come from: AWS's standard sources, in
//! AWS's order, read through an [`AwsEnvironment`] so that tests never touch the real one.
//!
//! - Auth: a Bedrock API key in `AWS_BEARER_TOKEN_BEDROCK` (sent as a bearer token, no
//!   signing); else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`; else
//!   the static keys of the profile `AWS_PROFILE` (default `default`) in the shared credentials
//!   file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`) or the config file
//!   (`AWS_CONFIG_FILE`, default `~/.aws/config`, sections `[profile NAME]`). Profiles of other
//!   kinds (SSO, `credential_process`, `role_arn`, web identity) are an [`Error::User`] naming the
//!   profile and the kind: this crate fetches no temporary credentials.
//! - Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
//! - Endpoint: `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `AWS_ENDPOINT_URL`, else
//!   `https://bedrock-runtime.{region}.amazonaws.com`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::http::ApiKey;

/// The Bedrock API key, sent as a bearer token instead of signing.
pub const BEARER_TOKEN_VAR: &str = "AWS_BEARER_TOKEN_BEDROCK";
/// The access key id.
pub const ACCESS_KEY_ID_VAR: &str = "AWS_ACCESS_KEY_ID";
/// The secret access key.
pub const SECRET_ACCESS_KEY_VAR: &str = "AWS_SECRET_ACCESS_KEY";
/// The session token of temporary credentials.
pub const SESSION_TOKEN_VAR: &str = "AWS_SESSION_TOKEN";
/// The profile (default `default`).
pub const PROFILE_VAR: &str = "AWS_PROFILE";
/// The regions, in order.
pub const REGION_VARS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];
/// The endpoint overrides, in order.
pub const ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"];
/// The endpoint when no variable overrides it (`{region}` replaced).
pub const DEFAULT_ENDPOINT: &str = "https://bedrock-runtime.{region}.amazonaws.com";

/// Static AWS credentials. `Debug` shows the access key id only.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: ApiKey,
    session_token: Option<ApiKey>,
}

impl AwsCredentials {
    /// Credentials from an access key id, its secret and, for temporary credentials, a session
    /// token.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<ApiKey>,
        session_token: Option<ApiKey>,
    ) -> Self {
        AwsCredentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
    }

    /// The access key id (`AKIA…`): not a secret, it names the key.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &ApiKey {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&ApiKey> {
        self.session_token.as_ref()
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// How requests to Bedrock are authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BedrockAuth {
    /// Signed with SigV4 by these credentials.
    SigV4(AwsCredentials),
    /// A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`), sent as `Authorization: Bearer`.
    Bearer(ApiKey),
}

/// Everything Bedrock needs from the environment: auth, region and endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedrockConfig {
    /// How requests are authenticated.
    pub auth: BedrockAuth,
    /// The region (the signing scope's, and the default endpoint's).
    pub region: String,
    /// The base URL of Bedrock Runtime, without a trailing `/`.
    pub endpoint: String,
}

/// The variables and files credentials are read from. [`ProcessEnvironment`] reads the real
/// ones; tests give a map.
pub trait AwsEnvironment {
    /// The value of an environment variable; unset and empty are both `None`.
    fn var(&self, name: &str) -> Option<String>;

    /// The content of a file; `Ok(None)` when it does not exist.
    ///
    /// # Errors
    /// Any other failure to read it.
    fn read_file(&self, path: &Path) -> std::io::Result<Option<String>>;
}

/// The process's environment and file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl AwsEnvironment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|value| !value.is_empty())
    }

    fn read_file(&self, path: &Path) -> std::io::Result<Option<String>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// Keys that make a profile one whose credentials must be fetched (a kind this crate does not
/// support), with the kind's name for the error; botocore tries these before the shared
/// credentials file.
const FETCHED_BEFORE_FILES: [(&str, &str); 4] = [
    ("role_arn", "assume-role (`role_arn`)"),
    (
        "web_identity_token_file",
        "web identity (`web_identity_token_file`)",
    ),
    ("sso_session", "IAM Identity Center / SSO (`sso_session`)"),
    (
        "sso_start_url",
        "IAM Identity Center / SSO (`sso_start_url`)",
    ),
];

/// Reads auth, region and endpoint from `env`, in AWS's order.
///
/// # Errors
/// [`Error::User`] when no credentials or no region are found, when only one of the access key
/// variables is set, when the profile is of a kind this crate does not support, or when a
/// credentials file cannot be read or parsed. No message contains a secret.
pub fn from_environment(env: &dyn AwsEnvironment) -> Result<BedrockConfig> {
    let profile_name = env.var(PROFILE_VAR);
    let profiles = Profiles::load(env)?;
    let name = profile_name.as_deref().unwrap_or("default");
    let profile = profiles.get(name);

    let auth = match env.var(BEARER_TOKEN_VAR) {
        Some(token) => BedrockAuth::Bearer(ApiKey::new(token)),
        None => BedrockAuth::SigV4(credentials(env, &profiles, name, profile_name.is_some())?),
    };
    let region = REGION_VARS
        .iter()
        .find_map(|var| env.var(var))
        .or_else(|| profile.config.get("region").cloned());
    let endpoint = ENDPOINT_VARS.iter().find_map(|var| env.var(var));
    let region = match (region, &endpoint, &auth) {
        (Some(region), _, _) => region,
        // A bearer token needs no signing scope: an explicit endpoint is enough.
        (None, Some(_), BedrockAuth::Bearer(_)) => "us-east-1".to_owned(),
        (None, _, _) => {
            return Err(Error::user(format!(
                "no AWS region for Bedrock: set AWS_REGION or AWS_DEFAULT_REGION, or `region` in the profile `{name}`"
            )))
        }
    };
    let endpoint = endpoint
        .map(|url| url.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.replace("{region}", &region));
    Ok(BedrockConfig {
        auth,
        region,
        endpoint,
    })
}

fn credentials(
    env: &dyn AwsEnvironment,
    profiles: &Profiles,
    name: &str,
    named: bool,
) -> Result<AwsCredentials> {
    match (env.var(ACCESS_KEY_ID_VAR), env.var(SECRET_ACCESS_KEY_VAR)) {
        (Some(id), Some(secret)) => {
            return Ok(AwsCredentials::new(
                id,
                secret,
                env.var(SESSION_TOKEN_VAR).map(ApiKey::new),
            ))
        }
        (Some(_), None) => {
            return Err(Error::user(
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither to use a profile",
            ))
        }
        (None, Some(_)) => {
            return Err(Error::user(
                "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or neither to use a profile",
            ))
        }
        (None, None) => {}
    }
    let profile = profiles.get(name);
    for (key, kind) in FETCHED_BEFORE_FILES {
        if profile.config.contains_key(key) {
            return Err(unsupported_kind(name, kind));
        }
    }
    if let Some(credentials) = static_keys(profile.credentials, name, "shared credentials file")? {
        return Ok(credentials);
    }
    if profile.config.contains_key("credential_process")
        || profile.credentials.contains_key("credential_process")
    {
        return Err(unsupported_kind(
            name,
            "credential process (`credential_process`)",
        ));
    }
    if let Some(credentials) = static_keys(profile.config, name, "config file")? {
        return Ok(credentials);
    }
    if profile.config.contains_key("credential_source") {
        return Err(unsupported_kind(
            name,
            "credential source (`credential_source`)",
        ));
    }
    if named && !profile.found {
        return Err(Error::user(format!(
            "the AWS profile `{name}` (AWS_PROFILE) is in neither {} nor {}",
            profiles.credentials_path.display(),
            profiles.config_path.display()
        )));
    }
    Err(Error::user(
        "no AWS credentials for Bedrock: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile with static keys (AWS_PROFILE), or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK",
    ))
}

fn unsupported_kind(profile: &str, kind: &str) -> Error {
    Error::user(format!(
        "the AWS profile `{profile}` uses {kind} credentials, which this crate does not fetch: export static keys (e.g. `aws configure export-credentials --profile {profile} --format env`) or use a profile with `aws_access_key_id` and `aws_secret_access_key`"
    ))
}

fn static_keys(
    section: &HashMap<String, String>,
    profile: &str,
    file: &str,
) -> Result<Option<AwsCredentials>> {
    match (
        section.get("aws_access_key_id"),
        section.get("aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => Ok(Some(AwsCredentials::new(
            id.clone(),
            secret.as_str(),
            section.get("aws_session_token").map(|t| ApiKey::new(t.as_str())),
        ))),
        (None, None) => Ok(None),
        _ => Err(Error::user(format!(
            "the AWS profile `{profile}` in the {file} has only one of aws_access_key_id and aws_secret_access_key"
        ))),
    }
}

/// The two files' sections, by profile name.
#[derive(Default)]
struct Profiles {
    credentials_path: PathBuf,
    config_path: PathBuf,
    credentials: HashMap<String, HashMap<String, String>>,
    config: HashMap<String, HashMap<String, String>>,
}

/// One profile's keys in each file.
struct Profile<'a> {
    found: bool,
    credentials: &'a HashMap<String, String>,
    config: &'a HashMap<String, String>,
}

impl Profiles {
    fn load(env: &dyn AwsEnvironment) -> Result<Profiles> {
        let home = env.var("HOME").or_else(|| env.var("USERPROFILE"));
        let path = |var: &str, default: &str| -> Option<PathBuf> {
            match env.var(var) {
                Some(path) => Some(expand_home(&path, home.as_deref())),
                None => home
                    .as_ref()
                    .map(|home| Path::new(home).join(".aws").join(default)),
            }
        };
        let mut profiles = Profiles::default();
        if let Some(path) = path("AWS_SHARED_CREDENTIALS_FILE", "credentials") {
            if let Some(text) = read(env, &path)? {
                profiles.credentials = parse_ini(&text)
                    .into_iter()
                    .map(|(section, keys)| (section.trim().to_owned(), keys))
                    .collect();
            }
            profiles.credentials_path = path;
        }
        if let Some(path) = path("AWS_CONFIG_FILE", "config") {
            if let Some(text) = read(env, &path)? {
                for (section, keys) in parse_ini(&text) {
                    // `[profile NAME]`, and `[default]` for the default profile.
                    let name = match section.strip_prefix("profile") {
                        Some(rest) if rest.starts_with([' ', '\t']) => rest.trim(),
                        _ if section.trim() == "default" => "default",
                        _ => continue,
                    };
                    profiles
                        .config
                        .entry(name.to_owned())
                        .or_default()
                        .extend(keys);
                }
            }
            profiles.config_path = path;
        }
        Ok(profiles)
    }

    fn get(&self, name: &str) -> Profile<'_> {
        static EMPTY: std::sync::OnceLock<HashMap<String, String>> = std::sync::OnceLock::new();
        let empty = EMPTY.get_or_init(HashMap::new);
        let credentials = self.credentials.get(name);
        let config = self.config.get(name);
        Profile {
            found: credentials.is_some() || config.is_some(),
            credentials: credentials.unwrap_or(empty),
            config: config.unwrap_or(empty),
        }
    }
}

fn read(env: &dyn AwsEnvironment, path: &Path) -> Result<Option<String>> {
    env.read_file(path).map_err(|err| {
        Error::user(format!(
            "cannot read the AWS file {}: {err}",
            path.display()
        ))
    })
}

fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with(['/', '\\']) => {
            PathBuf::from(format!("{home}{rest}"))
        }
        _ => PathBuf::from(path),
    }
}

/// The sections of an AWS INI file: `[name]` headers, `key = value` lines, `#` and `;`
/// comments, and indented continuation lines (nested settings such as `s3 =`), which are
/// skipped. Keys are lower-cased, as botocore reads them.
fn parse_ini(text: &str) -> Vec<(String, HashMap<String, String>)> {
    let mut sections: Vec<(String, HashMap<String, String>)> = Vec::new();
    for line in text.lines() {
        let indented = line.starts_with([' ', '\t']);
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.trim().to_owned(), HashMap::new()));
            continue;
        }
        if indented {
            continue;
        }
        let (Some((_, keys)), Some((key, value))) = (sections.last_mut(), line.split_once('='))
        else {
            continue;
        };
        keys.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    sections
}

#[cfg(test)]
mod tests;
