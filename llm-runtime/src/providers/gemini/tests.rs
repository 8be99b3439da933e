use super::*;
use crate::error::Error;

#[test]
fn the_host_reads_both_key_variables_and_names_them_when_missing() {
    let err = GoogleGla::builder().build_with_env(|_| None).unwrap_err();
    assert!(matches!(err, Error::User { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("GEMINI_API_KEY or GOOGLE_API_KEY"),
        "{message}"
    );

    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let provider = GoogleGla::builder()
        .build_with_env(env(&[("GOOGLE_API_KEY", "g-key")]))
        .unwrap();
    assert!(provider.has_api_key());
    assert_eq!(provider.name(), "google-gla");
    assert_eq!(
        provider.base_url(),
        "https://generativelanguage.googleapis.com/v1beta"
    );
    assert!(!format!("{provider:?}").contains("g-key"));
    let provider = GoogleGla::builder()
        .build_with_env(env(&[
            ("GEMINI_API_KEY", "k"),
            ("GEMINI_BASE_URL", "http://127.0.0.1:9/v1beta/"),
        ]))
        .unwrap();
    assert_eq!(provider.base_url(), "http://127.0.0.1:9/v1beta");
    assert!(crate::models::known_providers().contains(&"google-gla"));
    assert!(crate::models::known_providers().contains(&"google"));
}
