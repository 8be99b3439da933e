use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const KEY: &str = include_str!("../../../../../tests/data/vertex_test_only_key.pem");

fn service_account_json(token_uri: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": "service_account",
        "project_id": "proj-1",
        "private_key_id": "kid-1",
        "private_key": KEY,
        "client_email": "sa@proj-1.iam.gserviceaccount.com",
        "client_id": "1234",
        "token_uri": token_uri,
    }))
    .unwrap()
}

#[test]
fn service_account_file_is_read_without_showing_its_key() {
    let credentials = Credentials::from_json(
        &service_account_json("https://oauth2.example/token"),
        Path::new("/keys/sa.json"),
    )
    .unwrap();
    assert_eq!(credentials.describe(), "service account file /keys/sa.json");
    assert_eq!(credentials.project_id(), Some("proj-1"));
    let debug = format!("{credentials:?}");
    assert!(
        debug.contains("sa@proj-1.iam.gserviceaccount.com"),
        "{debug}"
    );
    assert!(
        !debug.contains("PRIVATE KEY") && !debug.contains("MIIE"),
        "{debug}"
    );
    assert!(!credentials.cache_key().contains("MIIE"));
}

#[test]
fn invalid_files_name_the_file_and_the_problem_but_no_secret() {
    let path = Path::new("/keys/bad.json");
    let cases: [(&[u8], &str); 5] = [
        (b"{not json", "is not valid"),
        (br#"{"client_email": "x"}"#, "no `type`"),
        (
            br#"{"type": "external_account"}"#,
            "`type` is `external_account`",
        ),
        (
            br#"{"type": "service_account", "client_email": "x", "private_key": "s3cret-not-pem"}"#,
            "not a PEM private key",
        ),
        (
            br#"{"type": "authorized_user", "client_id": "c", "refresh_token": "r3fresh"}"#,
            "no `client_secret`",
        ),
    ];
    for (json, expected) in cases {
        let err = Credentials::from_json(json, path).unwrap_err().to_string();
        assert!(err.contains("/keys/bad.json"), "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains("s3cret") && !err.contains("r3fresh"), "{err}");
    }
}

#[test]
fn assertion_is_an_rs256_jwt_verified_by_the_public_half() {
    let key = SigningKey::from_pem(KEY).unwrap();
    let assertion = Assertion {
        issuer: "sa@proj-1.iam.gserviceaccount.com",
        key_id: Some("kid-1"),
        scope: CLOUD_PLATFORM_SCOPE,
        audience: "https://oauth2.example/token",
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let jwt = assertion.sign(&key, now).unwrap();
    let [header, claims, signature]: [&str; 3] =
        jwt.split('.').collect::<Vec<_>>().try_into().unwrap();
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).unwrap();
    let header: serde_json::Value = serde_json::from_slice(&decode(header)).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&decode(claims)).unwrap();
    assert_eq!(
        header,
        serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "kid-1"})
    );
    assert_eq!(
        claims,
        serde_json::json!({
            "iss": "sa@proj-1.iam.gserviceaccount.com",
            "scope": CLOUD_PLATFORM_SCOPE,
            "aud": "https://oauth2.example/token",
            "iat": 1_800_000_000u64,
            "exp": 1_800_003_600u64,
        })
    );
    let public = include_str!("../../../../../tests/data/vertex_test_only_key.pub.pem");
    let der: String = public
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(der)
        .unwrap();
    let verifier =
        ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, der);
    let (signed, _) = jwt.rsplit_once('.').unwrap();
    verifier
        .verify(signed.as_bytes(), &decode(signature))
        .unwrap();
    let mut tampered = signed.to_owned();
    tampered.push('x');
    assert!(verifier
        .verify(tampered.as_bytes(), &decode(signature))
        .is_err());
}

#[test]
fn form_bodies_are_url_encoded() {
    assert_eq!(
        form(&[("grant_type", "urn:a b"), ("x", "1/2+3&=~é")]),
        "grant_type=urn%3Aa+b&x=1%2F2%2B3%26%3D%7E%C3%A9"
    );
}

#[test]
fn oauth_errors_keep_code_and_description_only() {
    let body = br#"{"error": "invalid_grant", "error_description": "Invalid JWT Signature.", "access_token": "leak"}"#;
    assert_eq!(oauth_error(body), "invalid_grant: Invalid JWT Signature.");
    let object = br#"{"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "m"}}"#;
    assert_eq!(oauth_error(object), "PERMISSION_DENIED");
    assert_eq!(oauth_error(b"<html>"), "no OAuth2 error in the response");
    let long = format!(
        r#"{{"error": "e", "error_description": "{}"}}"#,
        "é".repeat(400)
    );
    assert!(oauth_error(long.as_bytes()).len() <= 300);
}

#[test]
fn adc_order_is_the_named_file_then_gcloud_then_the_metadata_server() {
    let dir = std::env::temp_dir().join(format!("llm-adc-order-{}", std::process::id()));
    let gcloud = dir.join("gcloud");
    std::fs::create_dir_all(&gcloud).unwrap();
    let user = br#"{"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r"}"#;
    std::fs::write(gcloud.join("application_default_credentials.json"), user).unwrap();
    let named = dir.join("sa.json");
    std::fs::write(&named, service_account_json("https://oauth2.example/token")).unwrap();
    let env = |vars: Vec<(&'static str, String)>| {
        move |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        }
    };
    let gcloud_dir = gcloud.display().to_string();
    let both = Credentials::application_default_with(env(vec![
        (
            "GOOGLE_APPLICATION_CREDENTIALS",
            named.display().to_string(),
        ),
        ("CLOUDSDK_CONFIG", gcloud_dir.clone()),
    ]))
    .unwrap();
    assert!(
        both.describe().starts_with("service account file"),
        "{}",
        both.describe()
    );
    let gcloud_only =
        Credentials::application_default_with(env(vec![("CLOUDSDK_CONFIG", gcloud_dir)])).unwrap();
    assert!(gcloud_only
        .describe()
        .starts_with("authorized-user credentials file"));
    let metadata = Credentials::application_default_with(env(vec![
        ("CLOUDSDK_CONFIG", dir.join("none").display().to_string()),
        ("GCE_METADATA_HOST", "127.0.0.1:8181".to_owned()),
    ]))
    .unwrap();
    assert_eq!(metadata.describe(), "the metadata server at 127.0.0.1:8181");
    let missing = Credentials::application_default_with(env(vec![(
        "GOOGLE_APPLICATION_CREDENTIALS",
        dir.join("missing.json").display().to_string(),
    )]))
    .unwrap_err();
    assert!(missing.to_string().contains("missing.json"), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}
