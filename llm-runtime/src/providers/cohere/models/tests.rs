use super::*;

#[test]
fn reasoning_models_are_named_so() {
    assert!(model_traits("command-a-reasoning-08-2025").reasoning);
    assert!(!model_traits("command-r7b-12-2024").reasoning);
}

#[test]
fn a_tool_plan_is_marked_by_id_and_provider() {
    let mut part = ThinkingPart::new("I will look it up.");
    assert!(!is_tool_plan(&part, "cohere"));
    part.id = Some(TOOL_PLAN_ID.to_owned());
    assert!(!is_tool_plan(&part, "cohere"));
    part.provider_name = Some("cohere".to_owned());
    assert!(is_tool_plan(&part, "cohere"));
    assert!(!is_tool_plan(&part, "other"));
}
