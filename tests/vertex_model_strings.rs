//! `google-vertex:<model>` model strings configured from the environment, in a binary of
//! their own since they set process variables: Application Default Credentials from
//! `GOOGLE_APPLICATION_CREDENTIALS`, the project from the file, `GOOGLE_CLOUD_LOCATION`,
//! `GOOGLE_VERTEX_BASE_URL`; a loop of `model_request` over Gemini and Claude fetches one token.

mod support;

use llm_runtime::messages::ModelRequest;
use llm_runtime::model_request;
use serde_json::json;
use support::server::{Reply, TestServer};
use support::vertex::{gemini_text, service_account_file, temp_dir, TokenEndpoint};

#[tokio::test]
async fn a_loop_of_model_strings_fetches_one_token() {
    let tokens = TokenEndpoint::start(|_| 3600).await;
    let claude = json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-3-5-haiku",
        "content": [{"type": "text", "text": "Paris"}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 5, "output_tokens": 1}
    });
    let vertex = TestServer::start(move |_, request| {
        if request.path().contains("/publishers/anthropic/") {
            Reply::json(200, &claude)
        } else {
            Reply::json(200, &gemini_text("Paris"))
        }
    })
    .await;
    let dir = temp_dir("model-strings");
    let file = service_account_file(&dir, &tokens.uri());
    std::env::set_var("GOOGLE_APPLICATION_CREDENTIALS", &file);
    std::env::remove_var("GOOGLE_CLOUD_PROJECT");
    std::env::set_var("GOOGLE_CLOUD_LOCATION", "global");
    std::env::set_var("GOOGLE_VERTEX_BASE_URL", vertex.url("/"));
    for model in [
        "google-vertex:gemini-2.5-flash",
        "google-vertex:claude-3-5-haiku@20241022",
    ] {
        for _ in 0..3 {
            let prompt = [ModelRequest::user_text_prompt("Capital of France?")];
            let (response, _) = model_request(model, prompt).await.unwrap();
            assert_eq!(response.text(), "Paris");
            assert_eq!(response.provider_name.as_deref(), Some("google-vertex"));
        }
    }
    assert_eq!(
        tokens.fetches(),
        1,
        "one token for six requests of two models"
    );
    let targets: Vec<String> = vertex.requests().iter().map(|r| r.target.clone()).collect();
    let base = "/v1/projects/vertex-proj/locations/global/publishers";
    assert_eq!(
        targets[0],
        format!("{base}/google/models/gemini-2.5-flash:generateContent")
    );
    assert_eq!(
        targets[5],
        format!("{base}/anthropic/models/claude-3-5-haiku@20241022:rawPredict")
    );

    // Without a project anywhere: a user error naming the variable.
    let user = dir.join("user.json");
    std::fs::write(
        &user,
        json!({"type": "authorized_user", "client_id": "c", "client_secret": "s-SECRET",
               "refresh_token": "r-SECRET"})
        .to_string(),
    )
    .unwrap();
    std::env::set_var("GOOGLE_APPLICATION_CREDENTIALS", &user);
    let prompt = [ModelRequest::user_text_prompt("Capital of France?")];
    let error = model_request("google-vertex:gemini-2.5-flash", prompt)
        .await
        .unwrap_err();
    let shown = error.to_string();
    assert!(
        matches!(error, llm_runtime::Error::User { .. }),
        "{error:?}"
    );
    assert!(shown.contains("GOOGLE_CLOUD_PROJECT"), "{shown}");
    assert!(!shown.contains("SECRET"), "{shown}");
    std::fs::remove_dir_all(dir).unwrap();
}
