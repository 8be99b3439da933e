//! The OpenAI Responses request bodies with built-in tools validate against OpenAI's published
//! OpenAPI spec, served by Prism as a validating mock (`scripts/realpeers/`).
//!
//! Each case of `support/builtin_tools.rs` for OpenAI Responses (every built-in tool, as
//! recorded and with every option set) goes through the real provider path (`model_request` on
//! the built-in `openai-responses` host whose base URL is `PRISM_BASE_URL`) and must get a 2xx.
//! Prism answers an invalid body with 422 naming each problem; a failing case prints them with
//! the body that was sent. Streamed, Prism validates the body, then answers a valid one with a
//! 500 `NO_COMPLEX_OBJECT_TEXT` (it has no event stream to generate). A negative control proves
//! the validator looks into the tools.
//!
//! These tests run when `LLM_REAL_PEERS=1` and `PRISM_BASE_URL` are set (`.ci/run` sets them);
//! otherwise each prints one line and returns. The last test needs no Prism: the spec lets
//! objects carry keys it does not name, so it checks offline that every key we send is one the
//! spec names.

mod support;

use std::time::Duration;

use llm_runtime::http::RetryPolicy;
use llm_runtime::messages::{ModelMessage, ModelRequest};
use llm_runtime::models::Model;
use llm_runtime::providers::openai::responses::OpenAiResponses;
use llm_runtime::providers::{OpenAiResponsesHost, PreparedRequest, Protocol, ProviderModel};
use llm_runtime::settings::ModelSettings;
use llm_runtime::warning::Warnings;
use llm_runtime::{model_request, model_request_stream, Error};
use serde_json::{json, Value};
use support::builtin_tools::{responses_cases, Case};
use support::peers::peer_url;
use support::spec_keys::{openai_spec, unknown_keys};

fn model(base_url: &str, case: &Case) -> ProviderModel<OpenAiResponses> {
    OpenAiResponsesHost::builder()
        .base_url(base_url)
        .api_key("sk-prism")
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(60))
        .build_with_env(|_| None)
        .expect("the built-in host with a key and base URL builds")
        .model(case.model)
}

fn messages() -> Vec<ModelMessage> {
    vec![ModelRequest::user_text_prompt("x").into()]
}

/// The body the provider path builds for the case (no I/O).
fn body(case: &Case, stream: bool) -> Value {
    let model = model("http://127.0.0.1:9", case);
    let messages = messages();
    let parameters = case.parameters();
    let settings = ModelSettings::default();
    let request = PreparedRequest {
        model_name: case.model,
        provider_name: model.provider().name(),
        messages: &messages,
        settings: &settings,
        parameters: &parameters,
        profile: model.profile(),
    };
    let bytes = model
        .provider()
        .protocol()
        .request_body(&request, stream, &mut Warnings::new())
        .expect("the case's body builds");
    serde_json::from_slice(&bytes).expect("a JSON body")
}

/// POSTs `body` to Prism's `/responses`: the status and Prism's problems, if any.
async fn post(prism: &str, body: &Value) -> (u16, Vec<String>) {
    let response = reqwest::Client::new()
        .post(format!("{prism}/responses"))
        .bearer_auth("sk-prism")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("Prism answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let problems = answer["validation"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let location: Vec<&str> = p["location"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            format!(
                "{}: {}",
                location.join("."),
                p["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    (status, problems)
}

async fn report(prism: &str, case: &Case, err: &Error, stream: bool) -> String {
    let body = body(case, stream);
    let (status, problems) = post(prism, &body).await;
    format!(
        "`{}` (stream: {stream}): {err}\n  Prism ({status}): {problems:#?}\n  body sent: {body}",
        case.name
    )
}

#[tokio::test]
async fn builtin_tool_bodies_validate_against_openais_spec() {
    const TEST: &str = "builtin_tool_bodies_validate_against_openais_spec";
    let Some(prism) = peer_url("PRISM_BASE_URL", TEST) else {
        return;
    };
    let cases = responses_cases();
    let mut failures = Vec::new();
    for case in &cases {
        let result = model_request(model(&prism, case), messages())
            .parameters(case.parameters())
            .await;
        match result {
            // A 2xx: Prism's example response parsed.
            Ok((response, _)) => assert!(
                response
                    .provider_response_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with("resp_")),
                "`{}`: Prism's example response: {response:?}",
                case.name
            ),
            Err(err) => failures.push(report(&prism, case, &err, false).await),
        }
        match model_request_stream(model(&prism, case), messages())
            .parameters(case.parameters())
            .await
        {
            Err(Error::Http {
                status: 500, body, ..
            }) if body.contains("NO_COMPLEX_OBJECT_TEXT") => {}
            Ok(_) => failures.push(format!(
                "`{}`: Prism streamed an answer, which it cannot",
                case.name
            )),
            Err(err) => failures.push(report(&prism, case, &err, true).await),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bodies were rejected by OpenAI's spec:\n{}",
        failures.len(),
        cases.len() * 2,
        failures.join("\n")
    );
    println!("{TEST}: {} request bodies validated", cases.len() * 2);
}

/// The negative control: a tool that breaks the spec is a 422 naming it.
#[tokio::test]
async fn an_invalid_tool_is_rejected_with_named_problems() {
    const TEST: &str = "an_invalid_tool_is_rejected_with_named_problems";
    let Some(prism) = peer_url("PRISM_BASE_URL", TEST) else {
        return;
    };
    let cases = responses_cases();
    for (name, tool) in [
        (
            "web_search",
            json!({"type": "web_search", "search_context_size": "huge"}),
        ),
        (
            "mcp",
            json!({"type": "mcp", "server_label": "x", "require_approval": "sometimes"}),
        ),
        (
            "image_generation",
            json!({"type": "image_generation", "output_format": "gif"}),
        ),
    ] {
        let mut body = body(&cases[0], false);
        body["tools"] = json!([tool]);
        let (status, problems) = post(&prism, &body).await;
        assert_eq!(status, 422, "{name}: {problems:?}");
        assert!(
            problems.iter().any(|p| p.starts_with("body.tools.0")),
            "{name}: {problems:?}"
        );
    }
}

/// Prism accepts keys the spec does not name, and so does the live API, which ignores them:
/// every key of every body, at every depth the spec describes, must be one the spec names.
/// Offline: needs only `../shared/realpeers/openai-spec/openapi.json`.
#[test]
fn every_key_of_builtin_tool_bodies_is_named_by_openais_spec() {
    const TEST: &str = "every_key_of_builtin_tool_bodies_is_named_by_openais_spec";
    let Some(spec) = openai_spec(TEST) else {
        return;
    };
    let schema = &spec["paths"]["/responses"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    assert!(schema.is_object(), "the spec describes POST /responses");
    let nothing_else = |_: &str, _: &str| false;
    // The checker looks into the tools.
    let mut found = Vec::new();
    let probe = json!({"model": "m", "tools": [{"type": "mcp", "server_label": "x",
        "server_urll": "u"}]});
    unknown_keys(&spec, &[schema], &probe, "body", &nothing_else, &mut found);
    assert_eq!(found, ["body.tools.0.server_urll"]);

    let mut failures = Vec::new();
    let mut bodies = 0;
    for case in responses_cases() {
        for stream in [false, true] {
            let body = body(&case, stream);
            let mut unknown = Vec::new();
            unknown_keys(&spec, &[schema], &body, "body", &nothing_else, &mut unknown);
            if !unknown.is_empty() {
                failures.push(format!("`{}`: {unknown:?}\n  {body}", case.name));
            }
            bodies += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "keys OpenAI's spec does not name:\n{}",
        failures.join("\n")
    );
    println!("{TEST}: every key of {bodies} request bodies is named by the spec");
}
