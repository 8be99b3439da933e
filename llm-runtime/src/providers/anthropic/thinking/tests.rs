//! Bodies written from Anthropic's documented format
//! (<https://docs.anthropic.com/en/api/messages>, `/en/docs/build-with-claude/streaming`),
//! not recorded traffic (that is `tests/anthropic_conformance.rs`).

use serde_json::{json, Value};

use super::super::test_kit::*;
use crate::settings::{ModelSettings, Thinking};

#[test]
fn thinking_becomes_a_budget_or_adaptive_thinking_with_an_effort() {
    let thinking = |level: Thinking, max_tokens: Option<u32>, model: &str| {
        let settings = ModelSettings {
            thinking: Some(level),
            max_tokens,
            ..Default::default()
        };
        with_settings(&settings, model).map(|v| {
            (
                v["max_tokens"].clone(),
                v.get("thinking").cloned().unwrap_or(Value::Null),
                v.get("output_config").cloned().unwrap_or(Value::Null),
            )
        })
    };
    assert_eq!(
        thinking(Thinking::Low, None, SONNET_45).unwrap(),
        (
            json!(4096),
            json!({"type": "enabled", "budget_tokens": 2048}),
            Value::Null
        )
    );
    // The default `max_tokens` keeps room for the answer above a larger budget.
    assert_eq!(
        thinking(Thinking::High, None, SONNET_45).unwrap(),
        (
            json!(16384 + 4096),
            json!({"type": "enabled", "budget_tokens": 16384}),
            Value::Null
        )
    );
    let err = thinking(Thinking::Enabled, Some(8000), SONNET_45).unwrap_err();
    assert!(
        err.to_string()
            .contains("must be greater than the thinking budget (10000"),
        "{err}"
    );
    assert_eq!(
        thinking(Thinking::Disabled, None, SONNET_45).unwrap(),
        (json!(4096), Value::Null, Value::Null)
    );
    assert_eq!(
        thinking(Thinking::High, None, "claude-opus-4-6").unwrap(),
        (
            json!(4096),
            json!({"type": "adaptive"}),
            json!({"effort": "high"})
        )
    );
    assert_eq!(
        thinking(Thinking::XHigh, None, "claude-opus-4-6")
            .unwrap()
            .2,
        json!({"effort": "max"})
    );
    assert_eq!(
        thinking(Thinking::XHigh, None, "claude-opus-4-7")
            .unwrap()
            .2,
        json!({"effort": "xhigh"})
    );
    assert_eq!(
        thinking(Thinking::Enabled, None, "claude-sonnet-4-6").unwrap(),
        (json!(4096), json!({"type": "adaptive"}), Value::Null)
    );
}
