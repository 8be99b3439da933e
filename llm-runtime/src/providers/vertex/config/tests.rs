use super::*;

fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[test]
fn the_base_url_replaces_the_location_host_and_keeps_version_and_path() {
    let config = VertexConfig::from_env_with(env(&[
        ("GOOGLE_CLOUD_PROJECT", "p"),
        ("GOOGLE_CLOUD_LOCATION", "europe-west4"),
        ("GOOGLE_VERTEX_BASE_URL", "https://proxy.example/vertex/"),
        ("GCE_METADATA_HOST", "127.0.0.1:1"),
        ("CLOUDSDK_CONFIG", "/nonexistent-gcloud"),
    ]))
    .unwrap();
    assert_eq!(
        config.endpoint(),
        "https://proxy.example/vertex/v1/projects/p/locations/europe-west4"
    );
    let default = VertexConfig::from_env_with(env(&[
        ("GOOGLE_CLOUD_PROJECT", "p"),
        ("GCE_METADATA_HOST", "127.0.0.1:1"),
        ("CLOUDSDK_CONFIG", "/nonexistent-gcloud"),
    ]))
    .unwrap();
    assert_eq!(
        default.endpoint(),
        "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1"
    );
    assert_eq!(default.quota_project, None);
    assert!(format!("{default:?}").contains("the metadata server at 127.0.0.1:1"));
}

#[test]
fn without_a_project_the_error_names_the_variable() {
    let err = VertexConfig::from_env_with(env(&[
        ("GCE_METADATA_HOST", "127.0.0.1:1"),
        ("CLOUDSDK_CONFIG", "/nonexistent-gcloud"),
        ("GOOGLE_CLOUD_PROJECT", "  "),
    ]))
    .unwrap_err();
    assert!(matches!(err, Error::User { .. }));
    let message = err.to_string();
    assert!(message.contains("GOOGLE_CLOUD_PROJECT"), "{message}");
    assert!(
        message.contains("the metadata server at 127.0.0.1:1"),
        "{message}"
    );
}
