use super::*;
use crate::models::ModelRequestParameters;
use crate::providers::gemini::test_support::body_with;
use crate::providers::test_support::prompt;
use crate::settings::ModelSettings;
use serde_json::json;

#[test]
fn thinking_becomes_a_budget_or_a_level_by_model() {
    let config = |model: &str, thinking: Thinking| {
        let settings = ModelSettings {
            thinking: Some(thinking),
            ..ModelSettings::default()
        };
        body_with(
            model,
            &prompt("x"),
            &settings,
            &ModelRequestParameters::default(),
        )
        .unwrap()["generationConfig"]
            .get("thinkingConfig")
            .cloned()
    };
    assert_eq!(
        config("gemini-2.5-flash", Thinking::Enabled),
        Some(json!({"includeThoughts": true}))
    );
    assert_eq!(
        config("gemini-2.5-flash", Thinking::High),
        Some(json!({"includeThoughts": true, "thinkingBudget": 24576}))
    );
    assert_eq!(
        config("gemini-2.5-flash", Thinking::Disabled),
        Some(json!({"thinkingBudget": 0}))
    );
    assert_eq!(config("gemini-2.5-pro", Thinking::Disabled), None);
    assert_eq!(
        config("gemini-3-flash-preview", Thinking::Minimal),
        Some(json!({"includeThoughts": true, "thinkingLevel": "MINIMAL"}))
    );
    assert_eq!(
        config("gemini-3-flash-preview", Thinking::Disabled),
        Some(json!({"thinkingLevel": "MINIMAL"}))
    );
    assert_eq!(
        config("gemini-3-pro-preview", Thinking::Minimal),
        Some(json!({"includeThoughts": true, "thinkingLevel": "LOW"}))
    );
    assert_eq!(
        config("gemini-3-pro-preview", Thinking::XHigh),
        Some(json!({"includeThoughts": true, "thinkingLevel": "HIGH"}))
    );
    assert_eq!(config("gemini-2.0-flash", Thinking::High), None);
}
