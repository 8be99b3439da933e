use std::collections::HashMap;

use super::*;

/// Variables and files given by the test; nothing real is read.
#[derive(Default)]
struct FakeEnv {
    vars: HashMap<&'static str, &'static str>,
    files: HashMap<PathBuf, &'static str>,
}

impl FakeEnv {
    fn var(mut self, name: &'static str, value: &'static str) -> Self {
        self.vars.insert(name, value);
        self
    }

    fn file(mut self, path: &str, text: &'static str) -> Self {
        self.files.insert(PathBuf::from(path), text);
        self
    }
}

impl AwsEnvironment for FakeEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars
            .get(name)
            .filter(|value| !value.is_empty())
            .map(|value| (*value).to_owned())
    }

    fn read_file(&self, path: &Path) -> std::io::Result<Option<String>> {
        Ok(self.files.get(path).map(|text| (*text).to_owned()))
    }
}

fn home() -> FakeEnv {
    FakeEnv::default().var("HOME", "/home/u")
}

fn sigv4(config: &BedrockConfig) -> &AwsCredentials {
    match &config.auth {
        BedrockAuth::SigV4(credentials) => credentials,
        BedrockAuth::Bearer(_) => panic!("expected SigV4 credentials"),
    }
}

fn user_message(err: Error) -> String {
    match err {
        Error::User { message, .. } => message,
        other => panic!("expected a user error, got {other:?}"),
    }
}

#[test]
fn environment_keys_come_first() {
    let env = home()
        .var("AWS_ACCESS_KEY_ID", "AKIAENV")
        .var("AWS_SECRET_ACCESS_KEY", "env-secret")
        .var("AWS_SESSION_TOKEN", "env-token")
        .var("AWS_REGION", "eu-west-1")
        .var("AWS_DEFAULT_REGION", "us-west-2")
        .file(
            "/home/u/.aws/credentials",
            "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n",
        );
    let config = from_environment(&env).unwrap();
    let credentials = sigv4(&config);
    assert_eq!(credentials.access_key_id(), "AKIAENV");
    assert_eq!(credentials.secret_access_key().expose(), "env-secret");
    assert_eq!(
        credentials.session_token().map(ApiKey::expose),
        Some("env-token")
    );
    assert_eq!(config.region, "eu-west-1");
    assert_eq!(
        config.endpoint,
        "https://bedrock-runtime.eu-west-1.amazonaws.com"
    );
}

#[test]
fn the_default_profile_from_the_credentials_file_with_region_from_config() {
    let env = home()
        .file(
            "/home/u/.aws/credentials",
            "# comment\n[default]\naws_access_key_id=AKIAFILE\naws_secret_access_key = file-secret\n[other]\naws_access_key_id = X\naws_secret_access_key = Y\n",
        )
        .file("/home/u/.aws/config", "[default]\nregion = ap-south-1\n");
    let config = from_environment(&env).unwrap();
    assert_eq!(sigv4(&config).access_key_id(), "AKIAFILE");
    assert!(sigv4(&config).session_token().is_none());
    assert_eq!(config.region, "ap-south-1");
}

#[test]
fn a_named_profile_from_the_config_file_and_overridden_paths() {
    let env = home()
        .var("AWS_PROFILE", "dev")
        .var("AWS_CONFIG_FILE", "~/cfg")
        .var("AWS_SHARED_CREDENTIALS_FILE", "/etc/creds")
        .var("AWS_DEFAULT_REGION", "us-west-2")
        .file(
            "/home/u/cfg",
            "[profile dev]\nregion = eu-central-1\naws_access_key_id = AKIADEV\naws_secret_access_key = dev-secret\naws_session_token = dev-token\ns3 =\n  max_concurrent_requests = 10\n",
        )
        .file("/etc/creds", "[default]\naws_access_key_id = NO\naws_secret_access_key = NO\n");
    let config = from_environment(&env).unwrap();
    assert_eq!(sigv4(&config).access_key_id(), "AKIADEV");
    assert_eq!(
        sigv4(&config).session_token().map(ApiKey::expose),
        Some("dev-token")
    );
    // The environment's region comes before the profile's.
    assert_eq!(config.region, "us-west-2");
}

#[test]
fn the_credentials_file_comes_before_the_config_file() {
    let env = home()
        .var("AWS_REGION", "us-east-1")
        .file(
            "/home/u/.aws/credentials",
            "[default]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n",
        )
        .file(
            "/home/u/.aws/config",
            "[default]\naws_access_key_id = FROMCONFIG\naws_secret_access_key = s\ncredential_process = /bin/x\n",
        );
    assert_eq!(
        sigv4(&from_environment(&env).unwrap()).access_key_id(),
        "FROMCREDS"
    );
}

#[test]
fn profiles_of_other_kinds_are_user_errors_naming_the_profile_and_the_kind() {
    let cases = [
        (
            "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n",
            "role_arn",
        ),
        (
            "[profile p]\nsso_session = s\nsso_account_id = 1\n",
            "sso_session",
        ),
        (
            "[profile p]\ncredential_process = /usr/bin/get-creds\n",
            "credential_process",
        ),
        (
            "[profile p]\nweb_identity_token_file = /t\n",
            "web_identity_token_file",
        ),
    ];
    for (config, kind) in cases {
        let env = home()
            .var("AWS_PROFILE", "p")
            .var("AWS_REGION", "us-east-1")
            .file("/home/u/.aws/config", config);
        let message = user_message(from_environment(&env).unwrap_err());
        assert!(
            message.contains("`p`") && message.contains(kind),
            "{message}"
        );
    }
}

#[test]
fn missing_pieces_are_user_errors_that_say_what_to_set() {
    let message =
        user_message(from_environment(&home().var("AWS_REGION", "us-east-1")).unwrap_err());
    assert!(message.contains("AWS_ACCESS_KEY_ID"), "{message}");
    assert!(message.contains("AWS_BEARER_TOKEN_BEDROCK"), "{message}");

    let env = home()
        .var("AWS_ACCESS_KEY_ID", "AKIA")
        .var("AWS_REGION", "us-east-1");
    let message = user_message(from_environment(&env).unwrap_err());
    assert!(message.contains("AWS_SECRET_ACCESS_KEY"), "{message}");

    let env = home()
        .var("AWS_ACCESS_KEY_ID", "AKIA")
        .var("AWS_SECRET_ACCESS_KEY", "very-secret");
    let message = user_message(from_environment(&env).unwrap_err());
    assert!(message.contains("AWS_REGION"), "{message}");
    assert!(!message.contains("very-secret"), "{message}");

    let env = home()
        .var("AWS_PROFILE", "nope")
        .var("AWS_REGION", "us-east-1");
    let message = user_message(from_environment(&env).unwrap_err());
    assert!(message.contains("`nope`"), "{message}");

    let env = home().var("AWS_REGION", "us-east-1").file(
        "/home/u/.aws/credentials",
        "[default]\naws_secret_access_key = only-secret\n",
    );
    let message = user_message(from_environment(&env).unwrap_err());
    assert!(message.contains("aws_access_key_id"), "{message}");
    assert!(!message.contains("only-secret"), "{message}");
}

#[test]
fn a_bedrock_api_key_is_a_bearer_token_and_endpoints_are_overridden() {
    let env = home()
        .var("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key")
        .var("AWS_ACCESS_KEY_ID", "AKIA")
        .var("AWS_SECRET_ACCESS_KEY", "s")
        .var("AWS_ENDPOINT_URL", "http://generic:1/")
        .var("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:9000/");
    let config = from_environment(&env).unwrap();
    assert_eq!(
        config.auth,
        BedrockAuth::Bearer(ApiKey::new("bedrock-api-key"))
    );
    assert_eq!(config.endpoint, "http://127.0.0.1:9000");
    assert!(!format!("{config:?}").contains("bedrock-api-key"));

    let env = home()
        .var("AWS_ACCESS_KEY_ID", "AKIA")
        .var("AWS_SECRET_ACCESS_KEY", "super-secret")
        .var("AWS_SESSION_TOKEN", "token-secret")
        .var("AWS_REGION", "us-east-2")
        .var("AWS_ENDPOINT_URL", "http://generic:1");
    let config = from_environment(&env).unwrap();
    assert_eq!(config.endpoint, "http://generic:1");
    let shown = format!("{config:?}");
    assert!(shown.contains("AKIA"), "{shown}");
    assert!(
        !shown.contains("super-secret") && !shown.contains("token-secret"),
        "{shown}"
    );
}
