//! Built-in tools in the request bodies of OpenAI Responses, Anthropic and Bedrock: for each
//! (protocol, tool), the tool entries of the body we build (Responses' and Anthropic's server
//! tools in `tools`, Anthropic's `mcp_servers`, Bedrock's `systemTool`s) equal those of a
//! recorded request with the same options (`../shared/fixtures/cassettes`), or, for a tool with
//! every option set, those pydantic-ai 2.33's mapping gives (written out in
//! `support/builtin_tools.rs`, which names the mapping), with the `anthropic-beta` features it
//! needs. Bodies are built through each protocol's `request_body` as the provider path does
//! (prompt `'x'`, no settings). The OpenAI Responses bodies are also validated against OpenAI's
//! spec by `tests/prism_openai_responses.rs`.
//!
//! Recorded cases print one skip line when `../shared/fixtures` is absent; written ones always run.

mod support;

use std::path::Path;

use llm_runtime::messages::{ModelMessage, ModelRequest};
use llm_runtime::providers::anthropic::AnthropicMessages;
use llm_runtime::providers::bedrock::BedrockConverse;
use llm_runtime::providers::openai::responses::OpenAiResponses;
use llm_runtime::providers::{PreparedRequest, Protocol};
use llm_runtime::settings::ModelSettings;
use llm_runtime::warning::Warnings;
use serde_json::Value;
use support::builtin_tools::{
    anthropic_cases, bedrock_cases, responses_cases, tool_entries, Case, Expected, Wire,
};
use support::recordings::{diff, load_yaml};

/// The body a protocol builds for the case, and its `anthropic-beta` features.
fn ours_with<P: Protocol>(protocol: &P, provider: &str, case: &Case) -> (Value, Vec<String>) {
    let messages = [ModelMessage::from(ModelRequest::user_text_prompt("x"))];
    let settings = ModelSettings::default();
    let parameters = case.parameters();
    let profile = protocol.profile(case.model);
    let request = PreparedRequest {
        model_name: case.model,
        provider_name: provider,
        messages: &messages,
        settings: &settings,
        parameters: &parameters,
        profile: &profile,
    };
    let bytes = protocol
        .request_body(&request, false, &mut Warnings::new())
        .unwrap_or_else(|e| panic!("`{}`: the body builds: {e}", case.name));
    let betas = protocol
        .request_headers(&request)
        .into_iter()
        .filter(|(name, _)| *name == "anthropic-beta")
        .flat_map(|(_, value)| {
            value
                .split(',')
                .map(|b| b.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    (serde_json::from_slice(&bytes).expect("a JSON body"), betas)
}

fn ours(case: &Case) -> (Value, Vec<String>) {
    match case.wire {
        Wire::Responses => ours_with(&OpenAiResponses::default(), "openai", case),
        Wire::Anthropic => ours_with(&AnthropicMessages, "anthropic", case),
        Wire::Bedrock => ours_with(&BedrockConverse, "bedrock", case),
    }
}

/// The recorded request body of a cassette's interaction.
fn recorded_body(fixtures: &Path, cassette: &str, interaction: usize) -> Value {
    let cassette = load_yaml(&fixtures.join("cassettes").join(cassette));
    cassette.interactions[interaction]["request"]["parsed_body"].clone()
}

/// Compares every case of `cases`; returns the failures and the number compared.
fn check(cases: Vec<Case>, fixtures: Option<&Path>, failures: &mut Vec<String>) -> usize {
    let mut compared = 0;
    for case in &cases {
        let (body, betas) = ours(case);
        let entries = tool_entries(case.wire, &body);
        let label = format!("{:?} `{}`", case.wire, case.name);
        let (expected, expected_betas) = match &case.expected {
            Expected::Recorded(cassette, interaction) => {
                let Some(fixtures) = fixtures else { continue };
                let recorded = recorded_body(fixtures, cassette, *interaction);
                assert_eq!(
                    recorded["model"], case.model,
                    "{label}: the case's model is the recording's"
                );
                (tool_entries(case.wire, &recorded), None)
            }
            Expected::Written(expected, betas) => (expected.clone(), Some(*betas)),
        };
        compared += 1;
        if entries != expected {
            failures.push(diff(&label, &expected, &entries));
        }
        if let Some(expected_betas) = expected_betas {
            if betas != expected_betas {
                failures.push(format!(
                    "{label}: anthropic-beta {betas:?}, expected {expected_betas:?}"
                ));
            }
        }
    }
    compared
}

#[test]
fn builtin_tools_are_sent_as_recorded_and_as_pydantic_ai_maps_them() {
    let fixtures = support::shared_fixtures("builtin_tools_are_sent_as_recorded (recorded cases)");
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for (wire, cases) in [
        ("openai-responses", responses_cases()),
        ("anthropic", anthropic_cases()),
        ("bedrock", bedrock_cases()),
    ] {
        let total = cases.len();
        let compared = check(cases, fixtures.as_deref(), &mut failures);
        counts.push(format!("{wire} {compared}/{total}"));
    }
    println!("built-in tool bodies compared: {}", counts.join(", "));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every (protocol, tool) the protocols declare has a case, so a tool added to a protocol
/// without a body check fails here.
#[test]
fn every_supported_builtin_tool_has_a_case() {
    let kinds = |cases: Vec<Case>| -> Vec<String> {
        let mut kinds: Vec<String> = cases
            .iter()
            .flat_map(|c| c.tools.iter().map(|t| t.kind().to_owned()))
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    for (supported, cases) in [
        (
            OpenAiResponses::default().supported_builtin_tools("gpt-5"),
            responses_cases(),
        ),
        (
            AnthropicMessages.supported_builtin_tools("claude-sonnet-4-5"),
            anthropic_cases(),
        ),
        (
            BedrockConverse.supported_builtin_tools("us.amazon.nova-2-lite-v1:0"),
            bedrock_cases(),
        ),
    ] {
        let mut supported: Vec<String> = supported.iter().map(|s| (*s).to_owned()).collect();
        supported.sort();
        assert_eq!(kinds(cases), supported);
    }
}
