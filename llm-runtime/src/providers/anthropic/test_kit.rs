//! What the unit tests of the Messages protocol share: the protocol as the tests name it, tool
//! definitions, the body of a request, the parse of a response body.

use serde_json::{json, Map, Value};

use super::AnthropicMessages;
use crate::error::{Error, Result};
use crate::messages::{ModelMessage, ModelRequest, ModelResponse, UserContentItem, UserPromptPart};
use crate::models::ModelRequestParameters;
use crate::providers::test_support::{prompt, request_json};
use crate::providers::{Protocol, ResponseContext};
use crate::settings::ModelSettings;
use crate::tools::ToolDefinition;

/// The provider name the tests give the protocol.
pub(super) const PROVIDER: &str = "anthropic";

pub(super) const SONNET_45: &str = "claude-sonnet-4-5";

pub(super) fn divide() -> ToolDefinition {
    ToolDefinition::new("divide")
        .with_description("Divide two numbers.")
        .with_parameters(json!({
            "title": "Divide", "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"]
        }))
}

pub(super) fn named(name: &str) -> ToolDefinition {
    ToolDefinition::new(name).with_parameters(json!({"type": "object", "properties": {}}))
}

pub(super) fn protocol() -> AnthropicMessages {
    AnthropicMessages::new()
}

pub(super) fn body_with(
    model: &str,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
    stream: bool,
) -> Result<Value> {
    request_json(
        &protocol(),
        PROVIDER,
        model,
        messages,
        settings,
        parameters,
        stream,
    )
}

pub(super) fn body(messages: &[ModelMessage], parameters: &ModelRequestParameters) -> Value {
    body_with(
        SONNET_45,
        messages,
        &ModelSettings::default(),
        parameters,
        false,
    )
    .unwrap()
}

pub(super) fn with_settings(settings: &ModelSettings, model: &str) -> Result<Value> {
    body_with(
        model,
        &prompt("Hi"),
        settings,
        &ModelRequestParameters::default(),
        false,
    )
}

pub(super) fn tools_body(
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
    model: &str,
) -> Result<Value> {
    body_with(model, &prompt("Hi"), settings, parameters, false)
}

pub(super) fn user(items: Vec<UserContentItem>) -> ModelMessage {
    ModelRequest::new(vec![UserPromptPart::new(items).into()]).into()
}

pub(super) fn parse(body: Value) -> ModelResponse {
    protocol()
        .parse_response(
            body.to_string().as_bytes(),
            &mut ResponseContext::new(SONNET_45, PROVIDER),
        )
        .unwrap()
}

pub(super) fn parse_err(body: &str) -> Error {
    protocol()
        .parse_response(
            body.as_bytes(),
            &mut ResponseContext::new(SONNET_45, PROVIDER),
        )
        .unwrap_err()
}

pub(super) fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}
