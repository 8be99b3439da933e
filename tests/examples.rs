//! The examples run offline, as the README's first command promises: each is run with
//! `cargo run --example` and no `LLM_MODEL`, so on the built-in `test` model, and its output
//! is checked.

mod support;

use std::process::Command;

use serde_json::json;
use support::server::{End, Reply, TestServer};

/// Runs `cargo run --example {name}` without `LLM_MODEL` and returns its standard output.
fn run_example(name: &str, env: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LLM_MODEL")
        .env_remove("AWS_BEARER_TOKEN_BEDROCK")
        .env_remove("AWS_PROFILE")
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .env_remove("GOOGLE_CLOUD_PROJECT")
        .env_remove("CO_API_KEY")
        .env_remove("CO_API_URL")
        .env_remove("CO_BASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(
        output.status.success(),
        "example {name} failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn low_level_basic_answers_offline() {
    let out = run_example("low_level_basic", &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0], "success (no tool calls)");
    assert!(
        lines[1].starts_with("Usage { requests: 1, request_tokens: "),
        "{out}"
    );
}

/// Records a streamed request against a local stand-in for the provider into a cassette,
/// then replays it from the file with the server gone: the same events and response.
#[test]
fn record_replay_records_then_replays_offline() {
    let out = run_example("record_replay", &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    // The four pieces the server wrote, as they arrived (a busy machine may join some).
    let chunks: usize = lines[0]
        .strip_prefix("recorded: 1 interaction(s), the stream in ")
        .and_then(|rest| rest.strip_suffix(" chunks"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!((1..=4).contains(&chunks), "{out}");
    assert_eq!(lines[1], "key in the cassette: false");
    let (recorded, replayed) = lines[2]
        .strip_prefix("recorded: \"Paris.\" in ")
        .and_then(|rest| rest.split_once("; replayed: \"Paris.\" in "))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(recorded, replayed, "{out}");
    assert_eq!(lines[3], "replay equals recording: true");
}

/// `LLM_MODEL=bedrock:<id>` runs an example on Bedrock: here a local server answering the
/// Converse request, reached through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, with static keys.
#[tokio::test(flavor = "multi_thread")]
async fn low_level_basic_runs_on_bedrock_through_llm_model() {
    let server = TestServer::always(Reply::json(
        200,
        &json!({
            "output": {"message": {"role": "assistant", "content": [{"text": "Paris."}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 14, "outputTokens": 3, "totalTokens": 17},
        }),
    ))
    .await;
    let endpoint = server.url("").trim_end_matches('/').to_owned();
    let out = tokio::task::spawn_blocking(move || {
        run_example(
            "low_level_basic",
            &[
                ("LLM_MODEL", "bedrock:us.amazon.nova-micro-v1:0"),
                ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLETEST"),
                ("AWS_SECRET_ACCESS_KEY", "example-secret-key"),
                ("AWS_REGION", "us-east-1"),
                ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", &endpoint),
            ],
        )
    })
    .await
    .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0], "Paris.");
    assert!(
        lines[1].starts_with("Usage { requests: 1, request_tokens: 14, response_tokens: 3"),
        "{out}"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].target,
        "/model/us.amazon.nova-micro-v1%3A0/converse"
    );
    let authorization = requests[0].header("authorization").unwrap_or_default();
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLETEST/"),
        "{authorization}"
    );
}

/// `LLM_MODEL=google-vertex:<model>` runs an example on Vertex AI, Gemini and Claude: here a
/// local Vertex server reached through `GOOGLE_VERTEX_BASE_URL`, with a service-account file
/// whose `token_uri` is a local token endpoint that verifies the signed assertion.
#[tokio::test(flavor = "multi_thread")]
async fn low_level_basic_runs_on_vertex_through_llm_model() {
    use support::vertex::{gemini_text, service_account_file, temp_dir, TokenEndpoint};
    let tokens = TokenEndpoint::start(|_| 3600).await;
    let server = TestServer::start(|_, request| {
        if request.path().contains("/publishers/anthropic/") {
            Reply::json(
                200,
                &json!({
                    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
                    "content": [{"type": "text", "text": "Paris."}], "stop_reason": "end_turn",
                    "usage": {"input_tokens": 14, "output_tokens": 3}
                }),
            )
        } else {
            Reply::json(200, &gemini_text("Paris."))
        }
    })
    .await;
    let dir = temp_dir("examples");
    let file = service_account_file(&dir, &tokens.uri())
        .display()
        .to_string();
    let base_url = server.url("");
    for model in [
        "google-vertex:gemini-2.5-flash",
        "google-vertex:claude-sonnet-4@20250514",
    ] {
        let (file, base_url) = (file.clone(), base_url.clone());
        let out = tokio::task::spawn_blocking(move || {
            run_example(
                "low_level_basic",
                &[
                    ("LLM_MODEL", model),
                    ("GOOGLE_APPLICATION_CREDENTIALS", &file),
                    ("GOOGLE_CLOUD_LOCATION", "global"),
                    ("GOOGLE_VERTEX_BASE_URL", &base_url),
                ],
            )
        })
        .await
        .unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert_eq!(lines[0], "Paris.", "{model}");
    }
    // Each run is its own process: one token each.
    assert_eq!(tokens.fetches(), 2);
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    let base = "/v1/projects/vertex-proj/locations/global/publishers";
    assert_eq!(
        targets,
        [
            format!("{base}/google/models/gemini-2.5-flash:generateContent"),
            format!("{base}/anthropic/models/claude-sonnet-4@20250514:rawPredict"),
        ]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `LLM_MODEL=cohere:<model>` runs the examples on Cohere: here a local server answering
/// `POST /v2/chat`, reached through `CO_API_URL`, with the key from `CO_API_KEY`.
#[tokio::test(flavor = "multi_thread")]
async fn low_level_basic_and_streaming_run_on_cohere_through_llm_model() {
    let usage = json!({"billed_units": {"input_tokens": 8, "output_tokens": 2},
                       "tokens": {"input_tokens": 204, "output_tokens": 4}});
    let events = [
        json!({"type": "message-start", "id": "r-2", "delta": {"message": {"role": "assistant"}}}),
        json!({"type": "content-start", "index": 0,
               "delta": {"message": {"content": {"type": "text", "text": ""}}}}),
        json!({"type": "content-delta", "index": 0,
               "delta": {"message": {"content": {"text": "A physicist"}}}}),
        json!({"type": "content-delta", "index": 0,
               "delta": {"message": {"content": {"text": "."}}}}),
        json!({"type": "content-end", "index": 0}),
        json!({"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": usage}}),
    ];
    let sse: String = events
        .iter()
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap()))
        .collect();
    let server = TestServer::sequence(vec![
        Reply::json(
            200,
            &json!({"id": "r-1", "finish_reason": "COMPLETE",
                    "message": {"role": "assistant", "content": [{"type": "text", "text": "Paris."}]},
                    "usage": usage}),
        ),
        Reply::sse([sse], End::Complete),
    ])
    .await;
    let url = server.url("");
    let env = move || {
        [
            ("LLM_MODEL", "cohere:command-a-03-2025".to_owned()),
            ("CO_API_KEY", "co-example-key".to_owned()),
            ("CO_API_URL", url.clone()),
        ]
    };
    let run = |name: &'static str, env: [(&'static str, String); 3]| {
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            run_example(name, &env)
        })
    };
    let out = run("low_level_basic", env()).await.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0], "Paris.");
    assert!(
        lines[1].starts_with("Usage { requests: 1, request_tokens: 204, response_tokens: 4"),
        "{out}"
    );

    let out = run("streaming", env()).await.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0], "A physicist.");
    assert_eq!(
        lines[1],
        "1 part(s) started, 1 delta(s) from command-a-03-2025; finish reason Some(Stop)"
    );
    assert!(
        lines[2].starts_with("Usage { requests: 1, request_tokens: 204, response_tokens: 4"),
        "{out}"
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for (request, stream) in requests.iter().zip([false, true]) {
        assert_eq!(request.target, "/v2/chat");
        assert_eq!(
            request.header("authorization"),
            Some("Bearer co-example-key")
        );
        assert_eq!(request.json()["model"], "command-a-03-2025");
        assert_eq!(request.json()["stream"], stream);
    }
}

#[test]
fn streaming_prints_the_deltas_then_what_they_assembled() {
    let out = run_example("streaming", &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0], "success (no tool calls)");
    assert_eq!(
        lines[1],
        "1 part(s) started, 4 delta(s) from test; finish reason None"
    );
    assert!(
        lines[2].starts_with("Usage { requests: 1, request_tokens: "),
        "{out}"
    );
}

#[test]
fn builtin_tools_shows_the_canned_search_of_the_test_model() {
    let out = run_example("builtin_tools", &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(
        lines[0],
        r#"searched (test): web_search {"query":"What is the weather in Paris today?"}"#
    );
    assert_eq!(lines[1], "results of web_search: 1");
    assert_eq!(lines[2], "answer: success (no tool calls)");
    assert!(
        lines[3].starts_with("Usage { requests: 1, request_tokens: "),
        "{out}"
    );
}

#[test]
fn tool_calling_parses_the_call_of_the_test_model_into_divide() {
    let out = run_example("tool_calling", &[]);
    assert!(out.starts_with("ModelResponse {"), "{out}");
    assert!(out.contains("tool_name: \"divide\""), "{out}");
    assert!(
        out.contains("\nDivide { numerator: 0.0, denominator: 0.0, on_inf: Infinity }\n"),
        "{out}"
    );
}

#[test]
fn structured_output_parses_the_city_then_streams_growing_partials() {
    let out = run_example("structured_output", &[]);
    let lines: Vec<&str> = out.lines().collect();
    let city = r#"CityLocation { city: "Mexico City", country: Some("Mexico"), known_for: ["the Zócalo", "tacos al pastor"] }"#;
    assert_eq!(lines.first(), Some(&city), "{out}");
    assert_eq!(lines.get(1), Some(&"requests: 1"), "{out}");
    assert_eq!(
        lines.last().copied(),
        Some(format!("final: {city}").as_str()),
        "{out}"
    );
    let partials: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("partial: "))
        .collect();
    assert!(partials.len() >= 3, "the text arrives word by word: {out}");
    // The first partial has a piece of the city and nothing else yet.
    assert!(
        partials[0].contains("country: None, known_for: []"),
        "{out}"
    );
}

#[test]
fn custom_provider_registers_its_prefix() {
    let out = run_example("custom_provider", &[]);
    assert!(
        out.starts_with("local:my-model -> local at Some(\"http://127.0.0.1:8080/v1\")\n"),
        "{out}"
    );
    assert!(out.contains("\ntest: success (no tool calls)\n"), "{out}");
}

#[test]
fn instrumented_exports_two_chat_spans_and_the_metrics() {
    let out = run_example("instrumented", &[]);
    assert_eq!(
        out.matches("\tName         : chat test\n").count(),
        2,
        "{out}"
    );
    for metric in [
        "gen_ai.client.token.usage",
        "gen_ai.client.operation.duration",
        "gen_ai.client.operation.time_to_first_chunk",
    ] {
        assert!(
            out.contains(&format!("Name         : {metric}\n")),
            "{metric}\n{out}"
        );
    }
    assert!(
        out.contains("What is the capital of France?"),
        "content is on by default"
    );
    let without_content = run_example("instrumented", &[("LLM_INCLUDE_CONTENT", "0")]);
    assert_eq!(
        without_content.matches("Name         : chat test").count(),
        2
    );
    // The answer is printed by the example itself; the spans carry no prompt.
    assert!(!without_content.contains("What is the capital of France?"));
}
