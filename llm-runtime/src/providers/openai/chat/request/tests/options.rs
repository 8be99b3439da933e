//! The request's options: tools (strict only when compatible) and tool choice, settings and
//! their fields, thinking as reasoning effort, structured output as `response_format`.

use super::*;

#[test]
fn tools_are_strict_only_when_compatible() {
    let mut loose = ToolDefinition::new("search").with_parameters(json!({
        "type": "object", "properties": {"q": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["q"]
    }));
    let params = ModelRequestParameters {
        function_tools: vec![divide(), loose.clone()],
        ..Default::default()
    };
    let value = body(&prompt("x"), &params);
    assert_eq!(value["tool_choice"], "auto");
    assert_eq!(
        value["tools"][0],
        json!({"type": "function", "function": {
            "name": "divide", "description": "Divide two numbers.",
            "parameters": {"type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"], "additionalProperties": false},
            "strict": true}})
    );
    assert!(value["tools"][1]["function"].get("strict").is_none());
    // Forced strict makes the schema compatible.
    loose.strict = Some(true);
    let forced = ModelRequestParameters {
        function_tools: vec![loose],
        ..Default::default()
    };
    let value = body(&prompt("x"), &forced);
    assert_eq!(value["tools"][0]["function"]["strict"], true);
    assert_eq!(
        value["tools"][0]["function"]["parameters"]["required"],
        json!(["q", "n"])
    );
    // A host without strict support gets none.
    let value = request_json(
        &OpenAiChat::new().with_strict_tools(false),
        PROVIDER,
        "m",
        &prompt("x"),
        &ModelSettings::default(),
        &forced,
        false,
    )
    .unwrap();
    assert!(value["tools"][0]["function"].get("strict").is_none());
}

#[test]
fn tool_choice_maps_to_the_api() {
    let params = ModelRequestParameters {
        function_tools: vec![divide(), ToolDefinition::new("search")],
        ..Default::default()
    };
    let choice = |protocol: OpenAiChat, tool_choice: ToolChoice| {
        let settings = ModelSettings {
            tool_choice: Some(tool_choice),
            parallel_tool_calls: Some(false),
            ..Default::default()
        };
        request_json(
            &protocol,
            PROVIDER,
            "m",
            &prompt("x"),
            &settings,
            &params,
            false,
        )
    };
    let value = choice(OpenAiChat::new(), ToolChoice::Required).unwrap();
    assert_eq!(
        (&value["tool_choice"], &value["parallel_tool_calls"]),
        (&json!("required"), &json!(false))
    );
    let value = choice(OpenAiChat::new(), ToolChoice::Tools(vec!["divide".into()])).unwrap();
    assert_eq!(
        value["tool_choice"],
        json!({"type": "function", "function": {"name": "divide"}})
    );
    assert_eq!(value["tools"].as_array().unwrap().len(), 2);
    let value = choice(OpenAiChat::new(), ToolChoice::None).unwrap();
    assert_eq!(value["tool_choice"], "none");
    // Restricting to some tools sends only those.
    let value = choice(
        OpenAiChat::new(),
        ToolChoice::ToolOrOutput(vec!["search".into()]),
    )
    .unwrap();
    assert_eq!(value["tool_choice"], "auto");
    assert_eq!(value["tools"].as_array().unwrap().len(), 1);
    assert_eq!(value["tools"][0]["function"]["name"], "search");
    // Hosts that cannot force: explicit forcing is an error.
    let no_forcing = OpenAiChat::new().with_tool_choice_required(false);
    assert!(matches!(
        choice(no_forcing, ToolChoice::Required),
        Err(Error::User { .. })
    ));
    assert!(matches!(
        choice(OpenAiChat::new(), ToolChoice::Tools(vec!["nope".into()])),
        Err(Error::User { .. })
    ));
    // Without text output, the default is `required` (or `auto` where forcing is not taken).
    let output_only = ModelRequestParameters {
        allow_text_output: false,
        ..params.clone()
    };
    let value = body(&prompt("x"), &output_only);
    assert_eq!(value["tool_choice"], "required");
    let value = request_json(
        &OpenAiChat::new().with_tool_choice_required(false),
        PROVIDER,
        "m",
        &prompt("x"),
        &ModelSettings::default(),
        &output_only,
        false,
    )
    .unwrap();
    assert_eq!(value["tool_choice"], "auto");
    // Without tools there is neither tool_choice nor parallel_tool_calls.
    let settings = ModelSettings {
        parallel_tool_calls: Some(true),
        ..Default::default()
    };
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "m",
        &prompt("x"),
        &settings,
        &ModelRequestParameters::default(),
        false,
    )
    .unwrap();
    assert!(value.get("tool_choice").is_none() && value.get("parallel_tool_calls").is_none());
}

#[test]
fn settings_map_to_their_fields() {
    let settings = ModelSettings {
        max_tokens: Some(100),
        temperature: Some(0.5),
        top_p: Some(0.9),
        top_k: Some(3),
        seed: Some(7),
        presence_penalty: Some(0.1),
        frequency_penalty: Some(0.2),
        logit_bias: Some(BTreeMap::from([("50256".to_owned(), -100)])),
        stop_sequences: Some(vec!["END".into()]),
        service_tier: Some("flex".into()),
        extra_body: Some(json!({"user": "u-1", "temperature": 0.7})),
        ..Default::default()
    };
    let params = ModelRequestParameters::default();
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        &prompt("x"),
        &settings,
        &params,
        true,
    )
    .unwrap();
    assert_eq!(
        value,
        json!({
            "model": "gpt-4o", "messages": [{"role": "user", "content": "x"}],
            "stream": true, "stream_options": {"include_usage": true},
            "stop": ["END"], "max_completion_tokens": 100, "seed": 7,
            "service_tier": "flex", "temperature": 0.7, "top_p": 0.9,
            "presence_penalty": 0.1, "frequency_penalty": 0.2,
            "logit_bias": {"50256": -100}, "user": "u-1"
        })
    );
    let host = OpenAiChat::new()
        .with_max_tokens_field(MaxTokensField::MaxTokens)
        .with_stream_usage(false)
        .with_unsupported_settings(&[Setting::Seed, Setting::ServiceTier]);
    let value = request_json(&host, PROVIDER, "m", &prompt("x"), &settings, &params, true).unwrap();
    assert_eq!(value["max_tokens"], 100);
    for absent in [
        "max_completion_tokens",
        "stream_options",
        "seed",
        "service_tier",
        "top_k",
    ] {
        assert!(value.get(absent).is_none(), "{absent}");
    }
    let bad_extra = ModelSettings {
        extra_body: Some(json!([1])),
        ..Default::default()
    };
    assert!(matches!(
        request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "m",
            &prompt("x"),
            &bad_extra,
            &params,
            false
        ),
        Err(Error::User { .. })
    ));
}

#[test]
fn thinking_becomes_reasoning_effort_on_reasoning_models() {
    let settings = ModelSettings {
        thinking: Some(Thinking::High),
        temperature: Some(0.2),
        ..Default::default()
    };
    let params = ModelRequestParameters::default();
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "o3-mini",
        &prompt("x"),
        &settings,
        &params,
        false,
    )
    .unwrap();
    assert_eq!(value["reasoning_effort"], "high");
    // o-series models reason and reject sampling settings.
    assert!(value.get("temperature").is_none());
    // Models that do not reason get neither change.
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-4o",
        &prompt("x"),
        &settings,
        &params,
        false,
    )
    .unwrap();
    assert!(value.get("reasoning_effort").is_none());
    assert_eq!(value["temperature"], 0.2);
    // Opt-in reasoning models keep sampling settings with reasoning off.
    let off = ModelSettings {
        thinking: Some(Thinking::Disabled),
        ..settings.clone()
    };
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-5.1",
        &prompt("x"),
        &off,
        &params,
        false,
    )
    .unwrap();
    assert_eq!(
        (&value["reasoning_effort"], &value["temperature"]),
        (&json!("none"), &json!(0.2))
    );
    let minimal = ModelSettings {
        thinking: Some(Thinking::Minimal),
        ..Default::default()
    };
    let value = request_json(
        &OpenAiChat::new(),
        PROVIDER,
        "gpt-5.6",
        &prompt("x"),
        &minimal,
        &params,
        false,
    )
    .unwrap();
    assert_eq!(value["reasoning_effort"], "low");
}

#[test]
fn structured_output_uses_response_format() {
    let params = ModelRequestParameters {
        output_mode: OutputMode::Native,
        output_object: Some(OutputObjectDefinition {
            json_schema: json!({"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"], "title": "City"}),
            name: Some("city".into()),
            description: Some("A city".into()),
            strict: None,
        }),
        ..Default::default()
    };
    assert_eq!(
        body(&prompt("x"), &params)["response_format"],
        json!({"type": "json_schema", "json_schema": {
            "name": "city", "description": "A city", "strict": true,
            "schema": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"], "additionalProperties": false}}})
    );
    let prompted = ModelRequestParameters {
        output_mode: OutputMode::Prompted,
        ..Default::default()
    };
    assert_eq!(
        body(&prompt("x"), &prompted)["response_format"],
        json!({"type": "json_object"})
    );
    let missing = ModelRequestParameters {
        output_mode: OutputMode::Native,
        ..Default::default()
    };
    assert!(matches!(
        request_json(
            &OpenAiChat::new(),
            PROVIDER,
            "m",
            &prompt("x"),
            &ModelSettings::default(),
            &missing,
            false
        ),
        Err(Error::User { .. })
    ));
}
