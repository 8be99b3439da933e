//! The request's options: strict tools and tool choice, settings and their fields, thinking
//! as `reasoning` on reasoning models, structured output as `text.format`.

use super::*;

#[test]
fn tools_are_strict_when_compatible_and_tool_choice_maps() {
    let loose = ToolDefinition::new("search").with_parameters(json!({
        "type": "object",
        "properties": {"q": {"type": "string", "minLength": 1}}
    }));
    let parameters = ModelRequestParameters {
        function_tools: vec![divide(), loose.clone()],
        ..Default::default()
    };
    let value = body_with(
        &named(),
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings {
            parallel_tool_calls: Some(false),
            ..Default::default()
        },
        &parameters,
    )
    .unwrap();
    assert_eq!(
        value["tools"],
        json!([
            {"type": "function", "name": "divide", "description": "Divide two numbers.",
             "parameters": {"type": "object",
                            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                            "required": ["a", "b"], "additionalProperties": false},
             "strict": true},
            {"type": "function", "name": "search", "description": null,
             "parameters": {"type": "object", "properties": {"q": {"type": "string",
                            "minLength": 1}}, "additionalProperties": false},
             "strict": false}
        ])
    );
    assert_eq!(value["tool_choice"], "auto");
    assert_eq!(value["parallel_tool_calls"], false);
    // A server without strict mode.
    let value = body_with(
        &OpenAiResponses::new().with_strict_tools(false),
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings::default(),
        &parameters,
    )
    .unwrap();
    assert_eq!(value["tools"][0]["strict"], false);

    let choice = |tool_choice: Option<ToolChoice>, allow_text: bool| -> Value {
        let parameters = ModelRequestParameters {
            function_tools: vec![divide(), loose.clone()],
            allow_text_output: allow_text,
            ..Default::default()
        };
        let settings = ModelSettings {
            tool_choice,
            ..Default::default()
        };
        let value = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters);
        value.unwrap()["tool_choice"].clone()
    };
    assert_eq!(choice(Some(ToolChoice::None), true), "none");
    assert_eq!(choice(Some(ToolChoice::Required), true), "required");
    assert_eq!(choice(None, false), "required");
    assert_eq!(
        choice(Some(ToolChoice::Tools(vec!["divide".into()])), true),
        json!({"type": "function", "name": "divide"})
    );
    let parameters = ModelRequestParameters {
        function_tools: vec![divide(), loose.clone(), ToolDefinition::new("third")],
        ..Default::default()
    };
    let settings = ModelSettings {
        tool_choice: Some(ToolChoice::Tools(vec!["divide".into(), "search".into()])),
        ..Default::default()
    };
    let value = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters).unwrap();
    assert_eq!(
        value["tool_choice"],
        json!({"type": "allowed_tools", "mode": "required", "tools": [
            {"type": "function", "name": "divide"}, {"type": "function", "name": "search"}]})
    );
    // `allowed_tools` leaves `tools` whole, which keeps the prompt cache.
    assert_eq!(value["tools"].as_array().map(Vec::len), Some(3));

    // Without tools there is no choice to make, and no parallel calls.
    let value = with_settings(
        "gpt-4o",
        ModelSettings {
            parallel_tool_calls: Some(true),
            ..Default::default()
        },
    );
    assert_eq!(value.get("tool_choice"), None);
    assert_eq!(value.get("parallel_tool_calls"), None);
    // An unknown tool is a user error.
    let settings = ModelSettings {
        tool_choice: Some(ToolChoice::Tools(vec!["nope".into()])),
        ..Default::default()
    };
    let err = body_with(&named(), "gpt-4o", &prompt("Hi"), &settings, &parameters);
    assert!(matches!(err, Err(Error::User { .. })));
}

#[test]
fn settings_map_to_their_fields() {
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.5),
        top_p: Some(0.9),
        service_tier: Some("flex".into()),
        // The Responses API has no field for these: they are warned about, not sent.
        top_k: Some(3),
        seed: Some(7),
        presence_penalty: Some(0.1),
        frequency_penalty: Some(0.2),
        logit_bias: Some(Default::default()),
        stop_sequences: Some(vec!["END".into()]),
        ..Default::default()
    };
    assert_eq!(
        with_settings("gpt-4o", settings),
        json!({"model": "gpt-4o", "stream": false,
               "input": [{"role": "user", "content": "Hi"}],
               "max_output_tokens": 100, "temperature": 0.5, "top_p": 0.9,
               "service_tier": "flex"})
    );
}

#[test]
fn thinking_becomes_reasoning_on_reasoning_models() {
    let thinking = |model: &str, thinking: Option<Thinking>| -> Value {
        with_settings(
            model,
            ModelSettings {
                thinking,
                temperature: Some(0.2),
                top_p: Some(0.5),
                ..Default::default()
            },
        )
    };
    // A reasoning model: encrypted reasoning asked for, sampling settings dropped.
    let value = thinking("gpt-5", Some(Thinking::High));
    assert_eq!(value["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(
        value["reasoning"],
        json!({"effort": "high", "summary": "auto"})
    );
    assert_eq!((value.get("temperature"), value.get("top_p")), (None, None));
    let value = thinking("o3-mini", None);
    assert_eq!(value.get("reasoning"), None);
    assert_eq!(value.get("temperature"), None);
    // GPT-5.6: no `minimal` effort; reasoning context for every turn by default.
    let value = thinking("gpt-5.6-sol", Some(Thinking::Minimal));
    assert_eq!(
        value["reasoning"],
        json!({"effort": "low", "summary": "auto", "context": "all_turns"})
    );
    assert_eq!(
        thinking("gpt-5.4", None)["reasoning"],
        json!({"context": "all_turns"})
    );
    // A model that can stop reasoning keeps its sampling settings when it does.
    let value = thinking("gpt-5.1", Some(Thinking::Disabled));
    assert_eq!(value["reasoning"], json!({"effort": "none"}));
    assert_eq!(
        (value["temperature"].as_f64(), value["top_p"].as_f64()),
        (Some(0.2), Some(0.5))
    );
    // One that cannot is not asked to.
    assert_eq!(
        thinking("o3", Some(Thinking::Disabled)).get("reasoning"),
        None
    );
    // A model that does not reason gets nothing of it.
    let value = thinking("gpt-4o", Some(Thinking::High));
    assert_eq!((value.get("reasoning"), value.get("include")), (None, None));
    assert_eq!(value["temperature"], 0.2);
    // Summaries can be turned off for servers or organizations without them.
    let value = body_with(
        &named().with_reasoning_summary(ReasoningSummary::Off),
        "gpt-5",
        &prompt("Hi"),
        &ModelSettings {
            thinking: Some(Thinking::Enabled),
            ..Default::default()
        },
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(value["reasoning"], json!({"effort": "medium"}));
    let value = body_with(
        &named().with_reasoning_summary(ReasoningSummary::Detailed),
        "o4-mini",
        &prompt("Hi"),
        &ModelSettings {
            thinking: Some(Thinking::Low),
            ..Default::default()
        },
        &ModelRequestParameters::default(),
    )
    .unwrap();
    assert_eq!(
        value["reasoning"],
        json!({"effort": "low", "summary": "detailed"})
    );
}

#[test]
fn structured_output_uses_text_format() {
    let object = OutputObjectDefinition {
        json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]}),
        name: Some("capital".into()),
        description: Some("The capital.".into()),
        strict: None,
    };
    let parameters = ModelRequestParameters {
        output_mode: OutputMode::Native,
        output_object: Some(object),
        ..Default::default()
    };
    let value = body_with(
        &named(),
        "gpt-4o",
        &prompt("Hi"),
        &ModelSettings::default(),
        &parameters,
    )
    .unwrap();
    assert_eq!(
        value["text"],
        json!({"format": {"type": "json_schema", "name": "capital",
            "description": "The capital.", "strict": true,
            "schema": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"], "additionalProperties": false}}})
    );
    let missing = ModelRequestParameters {
        output_mode: OutputMode::Native,
        ..Default::default()
    };
    assert!(matches!(
        body_with(
            &named(),
            "gpt-4o",
            &prompt("Hi"),
            &ModelSettings::default(),
            &missing
        ),
        Err(Error::User { .. })
    ));

    // Prompted output: JSON mode, with the instructions moved into the input (the API wants
    // "json" in the input messages).
    let parameters = ModelRequestParameters {
        output_mode: OutputMode::Prompted,
        ..Default::default()
    };
    let messages = vec![ModelRequest::new(vec![
        SystemPromptPart::new("Be brief.").into(),
        UserPromptPart::new("Hi").into(),
    ])
    .with_instructions("Answer in JSON.")
    .into()];
    let value = body_with(
        &named(),
        "gpt-4o",
        &messages,
        &ModelSettings::default(),
        &parameters,
    )
    .unwrap();
    assert_eq!(value["text"], json!({"format": {"type": "json_object"}}));
    assert_eq!(value.get("instructions"), None);
    assert_eq!(
        value["input"],
        json!([
            {"role": "system", "content": "Be brief."},
            {"role": "system", "content": "Answer in JSON."},
            {"role": "user", "content": "Hi"}
        ])
    );
}
