//! Settings and features the host does not take: left out of the body and returned as
//! warnings.

use super::*;

#[test]
fn settings_not_sent_are_warnings() {
    // A host that rejects `seed`, a setting the API does not have, thinking on a host without
    // reasoning, and a strict tool on a host without strict schemas.
    let host = OpenAiChat::new()
        .with_unsupported_settings(&[Setting::Seed])
        .with_reasoning(Reasoning::Unsupported)
        .with_strict_tools(false);
    let settings = ModelSettings {
        seed: Some(7),
        top_k: Some(40),
        thinking: Some(Thinking::High),
        temperature: Some(0.5),
        ..ModelSettings::default()
    };
    let params = ModelRequestParameters {
        function_tools: vec![divide().with_strict(true)],
        ..ModelRequestParameters::default()
    };
    let (body, warnings) = request_json_warned(
        &host,
        PROVIDER,
        "llama-3",
        &prompt("Hi"),
        &settings,
        &params,
        false,
    )
    .unwrap();
    assert_eq!(body.get("seed"), None);
    assert_eq!(body.get("top_k"), None);
    assert_eq!(body["temperature"], json!(0.5));
    assert_eq!(body["tools"][0]["function"].get("strict"), None);
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting(
                "seed",
                "this host does not accept the `seed` setting; it is not sent"
            ),
            Warning::unsupported_setting(
                "top_k",
                "the Chat Completions API has no `top_k`; the setting is not sent (use \
                 `extra_body` for hosts that accept it)"
            ),
            Warning::unsupported_setting(
                "thinking",
                "this host takes no reasoning setting; `thinking` is not sent"
            ),
            Warning::unsupported_setting(
                "strict",
                "this host does not support strict tool definitions; `strict` is not sent \
                 (tool `divide`)"
            ),
        ]
    );
    // Nothing to report: no warnings.
    let (_, warnings) = request_json_warned(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn sampling_dropped_by_a_reasoning_model_is_warned() {
    let settings = ModelSettings {
        temperature: Some(0.2),
        top_p: Some(0.9),
        thinking: Some(Thinking::Low),
        ..ModelSettings::default()
    };
    let (body, warnings) = request_json_warned(
        &OpenAiChat::new(),
        PROVIDER,
        "o3",
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(body["reasoning_effort"], json!("low"));
    assert_eq!((body.get("temperature"), body.get("top_p")), (None, None));
    let sentence = "sampling settings [\"temperature\", \"top_p\"] are not supported while `o3` \
                    reasons; they are not sent";
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting("temperature", sentence),
            Warning::unsupported_setting("top_p", sentence),
        ]
    );
    // A model that does not reason: `thinking` is reported, not sent.
    let (body, warnings) = request_json_warned(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings {
            thinking: Some(Thinking::High),
            ..ModelSettings::default()
        },
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(body.get("reasoning_effort"), None);
    assert_eq!(
        warnings.as_slice(),
        [Warning::unsupported_setting(
            "thinking",
            "`gpt-4o` does not reason; `thinking` is not sent"
        )]
    );
}
