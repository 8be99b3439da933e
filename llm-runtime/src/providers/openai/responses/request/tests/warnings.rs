//! Settings the API does not take and history it cannot carry: left out of the body and
//! returned as warnings.

use super::*;

#[test]
fn settings_not_sent_and_history_left_out_are_warned() {
    let settings = ModelSettings {
        top_k: Some(3),
        stop_sequences: Some(vec!["END".into()]),
        ..Default::default()
    };
    let (value, warnings) = request_json_warned(
        &named(),
        PROVIDER,
        "gpt-4o",
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!((value.get("top_k"), value.get("stop")), (None, None));
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting(
                "top_k",
                "the Responses API has no `top_k`; the setting is not sent (use `extra_body` for \
                 servers that accept it)"
            ),
            Warning::unsupported_setting(
                "stop_sequences",
                "the Responses API has no `stop_sequences`; the setting is not sent (use \
                 `extra_body` for servers that accept it)"
            ),
        ]
    );

    // Sampling settings a reasoning model does not take while it reasons.
    let settings = ModelSettings {
        temperature: Some(0.2),
        top_p: Some(0.5),
        thinking: Some(Thinking::High),
        ..Default::default()
    };
    let (value, warnings) = request_json_warned(
        &named(),
        PROVIDER,
        "gpt-5",
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!((value.get("temperature"), value.get("top_p")), (None, None));
    let sentence =
        "sampling settings [\"temperature\", \"top_p\"] are not supported while `gpt-5` \
                    reasons; they are not sent";
    assert_eq!(
        warnings.as_slice(),
        [
            Warning::unsupported_setting("temperature", sentence),
            Warning::unsupported_setting("top_p", sentence),
        ]
    );

    // Thinking asked of a model that does not reason.
    let settings = ModelSettings {
        thinking: Some(Thinking::High),
        ..Default::default()
    };
    let (value, warnings) = request_json_warned(
        &named(),
        PROVIDER,
        "gpt-4o",
        &prompt("Hi"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(value.get("reasoning"), None);
    assert_eq!(
        warnings.as_slice(),
        [Warning::unsupported_setting(
            "thinking",
            "`gpt-4o` does not reason; `thinking` is not sent"
        )]
    );

    // Raw reasoning that is not a list of strings is not sent back.
    let thinking = ThinkingPart {
        id: Some("rs_1".into()),
        provider_name: Some(OURS.into()),
        provider_details: json!({"raw_content": "step 1"}).as_object().cloned(),
        ..ThinkingPart::new("A thought.")
    };
    let messages: Vec<ModelMessage> = vec![
        prompt("Hi").remove(0),
        ModelResponse::new(vec![thinking.into()]).into(),
    ];
    let (value, warnings) = request_json_warned(
        &named(),
        PROVIDER,
        "gpt-5",
        &messages,
        &ModelSettings::default(),
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(
        items(&value)[1],
        json!({"type": "reasoning", "id": "rs_1", "encrypted_content": null,
               "summary": [{"type": "summary_text", "text": "A thought."}]})
    );
    assert_eq!(
        warnings.as_slice(),
        [Warning::dropped_content(
            "raw_content",
            "a thinking part's `raw_content` is not a list of strings; it is not sent back"
        )]
    );
}
