//! Histories written by llm-runtime load in pydantic-ai itself, and pydantic-ai writes them back
//! as the same JSON.
//!
//! Runs `tests/python/load_history.py` under a Python where `pydantic_ai` imports: `LLM_PYTHON`
//! if set (then it must work), else the peers venv (`scripts/realpeers/setup.sh` installs
//! pydantic-ai-slim 2.33.0 there), else `python3`. With none, the test prints one line and
//! returns.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{DateTime, TimeZone, Utc};
use llm_runtime::messages::{
    BinaryContent, BuiltinToolCallPart, BuiltinToolReturnPart, CompactionPart, ErrorDetails,
    FilePart, FileUrl, FinishReason, ModelMessage, ModelRequest, ModelRequestPart, ModelResponse,
    RetryContent, RetryPromptPart, SystemPromptPart, TextPart, ThinkingPart, ToolCallPart,
    ToolReturnOutcome, ToolReturnPart, UserContentItem, UserPromptPart,
};
use llm_runtime::usage::Usage;
use serde_json::{json, Map, Value};
use support::oracle::python_with;

const TEST: &str = "our_histories_load_in_pydantic_ai_and_dump_back_identical";

fn at(micros: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap() + chrono::Duration::microseconds(micros)
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// A conversation with every part kind our SDK writes, built the way its users build them.
fn history() -> Vec<ModelMessage> {
    // A PNG signature and bytes whose base64 needs `-` and `_`: pydantic writes URL-safe base64.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend([0xfb, 0xff, 0xfe, 0x00]);

    let mut system = SystemPromptPart::new("You are a terse weather assistant.");
    system.timestamp = at(0);
    let mut user = UserPromptPart::new(vec![
        UserContentItem::from("What is the weather where this picture was taken?"),
        UserContentItem::ImageUrl(FileUrl {
            vendor_metadata: Some(object(json!({"detail": "high"}))),
            ..FileUrl::new("https://example.com/photos/eiffel.jpg")
        }),
        UserContentItem::from(BinaryContent::new(png, "image/png")),
    ]);
    user.timestamp = at(1_500); // microseconds are written, as pydantic does
    let mut first = ModelRequest::new(vec![system.into(), user.into()])
        .with_instructions("Answer in one sentence.");
    first.timestamp = Some(at(1_500));

    let mut thinking = ThinkingPart::new("The picture shows the Eiffel Tower, so Paris.");
    thinking.signature = Some("EqQBCkgIARABGAIiQL2signature==".into());
    thinking.provider_name = Some("anthropic".into());
    let mut usage = Usage::new(1_200, 85);
    usage.cache_read_tokens = 1_024;
    usage.details.insert("reasoning_tokens".into(), 40);
    usage
        .details
        .insert("cache_creation_input_tokens".into(), 0);
    let mut calls = ModelResponse::new(vec![
        thinking.into(),
        TextPart::new("Let me check the weather in Paris.").into(),
        ToolCallPart::new("get_weather", r#"{"city": "Paris"}"#, "toolu_01").into(),
        ToolCallPart::new(
            "get_forecast",
            object(json!({"city": "Paris", "days": 3, "units": {"temp": "C"}})),
            "toolu_02",
        )
        .into(),
        ToolCallPart::new("get_time", "", "toolu_03").into(),
    ]);
    calls.usage = usage;
    calls.model_name = Some("claude-sonnet-4-5".into());
    calls.timestamp = at(4_000_000);
    calls.provider_name = Some("anthropic".into());
    calls.provider_url = Some("https://api.anthropic.com".into());
    calls.provider_details = Some(object(json!({"finish_reason": "tool_use"})));
    calls.provider_response_id = Some("msg_01XFDUDYJgAACzvnptvVoYEL".into());
    calls.finish_reason = Some(FinishReason::ToolCall);

    let mut weather = ToolReturnPart::new("get_weather", "sunny, 24 °C", "toolu_01");
    weather.timestamp = at(5_000_000);
    let mut forecast = ToolReturnPart::new(
        "get_forecast",
        json!({"days": [{"high": 25, "low": 14.5}, {"high": 22, "low": 13}], "note": null}),
        "toolu_02",
    );
    forecast.timestamp = at(5_000_000);
    let mut failed = ToolReturnPart::new("get_time", "clock unavailable", "toolu_03");
    failed.outcome = ToolReturnOutcome::Failed;
    failed.timestamp = at(5_000_000);
    let mut retry_text = RetryPromptPart::new("Unknown tool name: 'get_moon'.");
    retry_text.tool_name = Some("get_moon".into());
    retry_text.tool_call_id = "toolu_04".into();
    retry_text.timestamp = at(5_000_000);
    let mut retry_errors = RetryPromptPart::new("");
    retry_errors.content = RetryContent::Errors(vec![
        ErrorDetails {
            kind: "int_parsing".into(),
            loc: vec![json!("days")],
            msg: "Input should be a valid integer, unable to parse string as an integer".into(),
            input: json!("three"),
            ctx: None,
            url: Some("https://errors.pydantic.dev/2.13/v/int_parsing".into()),
        },
        ErrorDetails {
            kind: "greater_than".into(),
            loc: vec![json!("units"), json!(0)],
            msg: "Input should be greater than 0".into(),
            input: json!(-1),
            ctx: Some(object(json!({"gt": 0}))),
            url: None,
        },
    ]);
    retry_errors.tool_name = Some("get_forecast".into());
    retry_errors.tool_call_id = "toolu_05".into();
    retry_errors.timestamp = at(5_000_000);
    let mut output_retry = RetryPromptPart::new("Please answer in one sentence.");
    output_retry.tool_call_id = "pyd_ai_0123456789abcdef0123456789abcdef".into();
    output_retry.timestamp = at(5_000_000);
    let mut returns = ModelRequest::new(vec![
        weather.into(),
        forecast.into(),
        failed.into(),
        retry_text.into(),
        retry_errors.into(),
        output_retry.into(),
    ]);
    returns.timestamp = Some(at(5_000_000));

    // Left with the usage of `ModelResponse::new` (no request counted): see the accepted
    // difference in the test.
    let mut answer = ModelResponse::new(vec![TextPart::new("It is sunny in Paris, 24 °C.").into()]);
    answer.model_name = Some("claude-sonnet-4-5".into());
    answer.timestamp = at(6_000_000);
    answer.provider_name = Some("anthropic".into());
    answer.finish_reason = Some(FinishReason::Stop);

    // A follow-up made with the plain constructor: current time, no instructions.
    let follow_up = ModelRequest::user_text_prompt("And tomorrow?");

    vec![
        first.into(),
        calls.into(),
        returns.into(),
        answer.into(),
        follow_up.into(),
        builtin_response().into(),
    ]
}

/// A response with the parts of providers' built-in tools: a web search streamed as a JSON
/// text and its results, code execution with object arguments and a failed return, a
/// generated image with the provider's id and details, and a compaction summary.
fn builtin_response() -> ModelResponse {
    let search = BuiltinToolCallPart::new(
        "web_search",
        r#"{"query": "weather Paris tomorrow"}"#,
        "srvtoolu_01",
    )
    .with_provider("anthropic");
    let mut results = BuiltinToolReturnPart::new(
        "web_search",
        json!([{"type": "web_search_result", "url": "https://meteo.example/paris",
                "title": "Paris", "encrypted_content": "EqgfCioIARgBIiQ", "page_age": null}]),
        "srvtoolu_01",
    )
    .with_provider("anthropic");
    results.timestamp = at(7_000_000);
    let mut code = BuiltinToolCallPart::new(
        "code_execution",
        object(json!({"code": "print(24 + 1)"})),
        "srvtoolu_02",
    )
    .with_provider("anthropic");
    code.id = Some("ci_1".into());
    code.provider_details = Some(object(json!({"container_id": "cntr_1"})));
    let mut output = BuiltinToolReturnPart::new(
        "code_execution",
        json!({"stdout": "", "stderr": "Timeout", "return_code": 1}),
        "srvtoolu_02",
    )
    .with_provider("anthropic");
    output.outcome = ToolReturnOutcome::Failed;
    output.timestamp = at(7_500_000);
    output.metadata = json!({"seen": true});
    let mut image = FilePart::new(BinaryContent::new(
        b"\x89PNG\r\n\x1a\n\xfb\xff".to_vec(),
        "image/png",
    ));
    image.id = Some("ig_01".into());
    image.provider_name = Some("openai".into());
    image.provider_details = Some(object(json!({"size": "1024x1024", "quality": "low"})));
    let compaction = CompactionPart {
        content: Some("The user asked about the weather in Paris.".into()),
        provider_name: Some("anthropic".into()),
        ..CompactionPart::default()
    };
    let mut response = ModelResponse::new(vec![
        search.into(),
        results.into(),
        code.into(),
        output.into(),
        image.into(),
        compaction.into(),
        TextPart::new("Tomorrow: 25 °C.").into(),
    ]);
    response.timestamp = at(8_000_000);
    response.provider_name = Some("anthropic".into());
    response
}

/// The pydantic-ai classes each message and part must load as (see `load_history.py`).
/// Image bytes load as `BinaryImage`, pydantic-ai's subclass of `BinaryContent` for `image/*`:
/// the same fields and the same JSON (`"kind": "binary"`).
fn expected_classes() -> Value {
    json!([
        {"message": "ModelRequest", "parts": [
            ["SystemPromptPart", "str"],
            ["UserPromptPart", ["str", "ImageUrl", "BinaryImage"]]]},
        {"message": "ModelResponse", "usage": "RequestUsage", "parts": [
            ["ThinkingPart", "str"],
            ["TextPart", "str"],
            ["ToolCallPart", "str"],
            ["ToolCallPart", "dict"],
            ["ToolCallPart", "str"]]},
        {"message": "ModelRequest", "parts": [
            ["ToolReturnPart", "str"],
            ["ToolReturnPart", "dict"],
            ["ToolReturnPart", "str"],
            ["RetryPromptPart", "str"],
            ["RetryPromptPart", ["dict", "dict"]],
            ["RetryPromptPart", "str"]]},
        {"message": "ModelResponse", "usage": "RequestUsage", "parts": [["TextPart", "str"]]},
        {"message": "ModelRequest", "parts": [["UserPromptPart", "str"]]},
        {"message": "ModelResponse", "usage": "RequestUsage", "parts": [
            ["NativeToolCallPart", "str"],
            ["NativeToolReturnPart", ["dict"]],
            ["NativeToolCallPart", "dict"],
            ["NativeToolReturnPart", "dict"],
            ["FilePart", "BinaryImage"],
            ["CompactionPart", "str"],
            ["TextPart", "str"]]}
    ])
}

/// Where two JSON values first differ, as a path and both sides, for a readable failure.
fn first_difference(ours: &Value, theirs: &Value, path: &str) -> Option<String> {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => a
            .keys()
            .chain(b.keys().filter(|key| !a.contains_key(*key)))
            .find_map(|key| match (a.get(key), b.get(key)) {
                (Some(x), Some(y)) => first_difference(x, y, &format!("{path}.{key}")),
                (Some(x), None) => Some(format!("{path}.{key}: ours {x}, missing in theirs")),
                (None, y) => Some(format!("{path}.{key}: missing in ours, theirs {y:?}")),
            }),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]"))),
        _ if ours == theirs => None,
        _ => Some(format!("{path}: ours {ours}, theirs {theirs}")),
    }
}

/// Runs `load_history.py`: what pydantic-ai loaded (classes) and what it dumps back, or
/// pydantic's error when it does not load.
fn through_pydantic_ai(python: &Path, history: &[u8]) -> Result<(Value, Value), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/load_history.py");
    let mut child = Command::new(python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    child.stdin.take().unwrap().write_all(history).unwrap();
    let out = child.wait_with_output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let stdout = String::from_utf8(out.stdout).unwrap();
    let (summary, dumped) = stdout.split_once('\n').expect("two lines");
    Ok((
        serde_json::from_str(summary).unwrap(),
        serde_json::from_str(dumped).unwrap(),
    ))
}

#[test]
fn our_histories_load_in_pydantic_ai_and_dump_back_identical() {
    let Some(python) = python_with("pydantic_ai.messages", "pydantic_ai", TEST) else {
        return;
    };
    let history = history();
    let ours = serde_json::to_vec(&history).unwrap();
    let (summary, theirs) = through_pydantic_ai(&python, &ours)
        .unwrap_or_else(|error| panic!("pydantic-ai rejected our history:\n{error}"));
    let version = summary["pydantic_ai"].as_str().unwrap_or("?").to_owned();
    println!("{TEST}: pydantic-ai {version} via {}", python.display());

    assert_eq!(
        summary["classes"],
        expected_classes(),
        "pydantic-ai {version} loaded other classes than expected"
    );
    let ours: Value = serde_json::from_slice(&ours).unwrap();
    // Everything pydantic-ai writes back is what we wrote, field for field, with no accepted
    // difference (`total_tokens` and a response's `requests: 1` are derived: neither side
    // writes them).
    if let Some(difference) = first_difference(&ours, &theirs, "$") {
        panic!("pydantic-ai {version} wrote our history back differently: {difference}");
    }
}

/// The probe above must be able to say no: a history that pydantic-ai cannot load is reported
/// with pydantic's error, not passed.
#[test]
fn a_malformed_history_is_rejected_by_pydantic_ai() {
    let Some(python) = python_with(
        "pydantic_ai.messages",
        "pydantic_ai",
        "a_malformed_history_is_rejected_by_pydantic_ai",
    ) else {
        return;
    };
    let mut bad = serde_json::to_value(vec![ModelMessage::from(ModelRequest::new(vec![
        ModelRequestPart::ToolReturn(ToolReturnPart::new("f", "ok", "c1")),
    ]))])
    .unwrap();
    bad[0]["parts"][0]["part_kind"] = json!("tool-result");
    let error = through_pydantic_ai(&python, &serde_json::to_vec(&bad).unwrap())
        .expect_err("pydantic-ai accepted an unknown part kind");
    assert!(error.contains("tool-result"), "{error}");
}

/// The other direction: a history pydantic-ai writes with every part of built-in tools
/// (`tests/python/builtin_history.py` builds it with pydantic-ai's own classes) loads here as
/// those parts and is written back byte for byte.
#[test]
fn pydantic_ai_builtin_tool_parts_load_and_write_back_identical() {
    const NAME: &str = "pydantic_ai_builtin_tool_parts_load_and_write_back_identical";
    let Some(python) = python_with("pydantic_ai.messages", "pydantic_ai", NAME) else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/builtin_history.py");
    let out = Command::new(&python).arg(&script).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<ModelMessage> = serde_json::from_value(theirs.clone())
        .unwrap_or_else(|e| panic!("pydantic-ai's history does not load: {e}"));
    let kinds: Vec<_> = messages[1]
        .as_response()
        .unwrap()
        .parts
        .iter()
        .map(|p| p.part_kind())
        .collect();
    let names: Vec<Value> = kinds
        .iter()
        .map(|k| serde_json::to_value(k).unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            json!("builtin-tool-call"),
            json!("builtin-tool-return"),
            json!("builtin-tool-call"),
            json!("builtin-tool-return"),
            json!("file"),
            json!("compaction"),
            json!("text"),
        ]
    );
    let ours = serde_json::to_value(&messages).unwrap();
    if let Some(difference) = first_difference(&ours, &theirs, "$") {
        panic!("we wrote pydantic-ai's history back differently: {difference}");
    }
}

/// Parses a completion with the protocol of a built-in Chat Completions host.
fn parsed_by<P: llm_runtime::providers::Protocol>(
    provider: &llm_runtime::providers::Provider<P>,
    model: &str,
    completion: Value,
) -> ModelResponse {
    let mut cx = llm_runtime::providers::ResponseContext::new(model, provider.name());
    let mut response = provider
        .protocol()
        .parse_response(completion.to_string().as_bytes(), &mut cx)
        .unwrap();
    response.provider_name = Some(provider.name().to_owned());
    response.timestamp = at(9_000_000);
    response
}

/// The Chat Completions parts new in the message model, from an OpenRouter completion (its
/// `reasoning_details`: a summary, encrypted reasoning, text with a signature; its
/// annotations) and a Groq compound completion (an executed web search), go to pydantic-ai and
/// back unchanged; and the reasoning details our OpenRouter host sends back in the next
/// request are the ones pydantic-ai's codec (`into_reasoning_detail`) makes of those parts.
#[test]
fn chat_reasoning_details_and_executed_searches_round_trip_with_pydantic_ai() {
    use llm_runtime::models::ModelRequestParameters;
    use llm_runtime::providers::{Groq, OpenRouter, PreparedRequest, Protocol};
    use llm_runtime::settings::ModelSettings;
    use llm_runtime::warning::Warnings;

    const NAME: &str = "chat_reasoning_details_and_executed_searches_round_trip_with_pydantic_ai";
    let Some(python) = python_with("pydantic_ai.models._reasoning_details", "pydantic_ai", NAME)
    else {
        return;
    };
    let openrouter = OpenRouter::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .unwrap();
    let groq = Groq::builder()
        .api_key("test")
        .build_with_env(|_| None)
        .unwrap();
    let reasoned = parsed_by(
        &openrouter,
        "openai/gpt-5-mini",
        json!({"id": "gen-1", "created": 1_761_751_492, "model": "openai/gpt-5-mini",
               "choices": [{"index": 0, "finish_reason": "stop", "message": {
                   "role": "assistant", "content": "Paris.", "reasoning": "**Capital**",
                   "reasoning_details": [
                       {"type": "reasoning.summary", "summary": "**Capital**",
                        "format": "openai-responses-v1", "index": 0},
                       {"type": "reasoning.encrypted", "data": "gAAAAB", "id": "rs_1",
                        "format": "openai-responses-v1", "index": 0},
                       {"type": "reasoning.text", "text": "France.", "signature": "EqQB",
                        "format": "anthropic-claude-v1", "index": 1}],
                   "annotations": [{"type": "url_citation", "url_citation": {
                       "url": "https://example.com", "title": "E", "start_index": 0,
                       "end_index": 6}}]}}],
               "usage": {"prompt_tokens": 5, "completion_tokens": 9}}),
    );
    let searched = parsed_by(
        &groq,
        "groq/compound",
        json!({"id": "chatcmpl-1", "created": 1_758_144_046, "model": "groq/compound",
               "choices": [{"index": 0, "finish_reason": "stop", "message": {
                   "role": "assistant", "content": "Sunny.",
                   "executed_tools": [{"index": 0, "type": "search",
                       "arguments": "{\"query\": \"weather\"}", "output": "Sunny",
                       "search_results": {"results": [{"title": "W", "url": "https://w.example",
                                                       "content": "Sunny", "score": 0.9}]}}]}}]}),
    );
    let kinds = |r: &ModelResponse| -> Vec<Value> {
        r.parts
            .iter()
            .map(|p| serde_json::to_value(p.part_kind()).unwrap())
            .collect()
    };
    assert_eq!(
        kinds(&reasoned),
        [
            json!("thinking"),
            json!("thinking"),
            json!("thinking"),
            json!("text")
        ]
    );
    assert_eq!(
        kinds(&searched),
        [
            json!("builtin-tool-call"),
            json!("builtin-tool-return"),
            json!("text")
        ]
    );

    let mut question = ModelRequest::user_text_prompt("Capital of France?");
    question.timestamp = Some(at(0));
    if let ModelRequestPart::UserPrompt(part) = &mut question.parts[0] {
        part.timestamp = at(0);
    }
    let history: Vec<ModelMessage> = vec![question.into(), reasoned.into(), searched.into()];
    let ours = serde_json::to_vec(&history).unwrap();
    let (_, theirs) = through_pydantic_ai(&python, &ours)
        .unwrap_or_else(|error| panic!("pydantic-ai rejected the history:\n{error}"));
    let ours_value: Value = serde_json::from_slice(&ours).unwrap();
    if let Some(difference) = first_difference(&ours_value, &theirs, "$") {
        panic!("pydantic-ai wrote the history back differently: {difference}");
    }

    // What goes back to OpenRouter.
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/reasoning_details_back.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .arg("openrouter")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&ours).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Value = serde_json::from_slice(&out.stdout).unwrap();
    let settings = ModelSettings::default();
    let parameters = ModelRequestParameters::default();
    let profile = openrouter.protocol().profile("openai/gpt-5-mini");
    let request = PreparedRequest {
        model_name: "openai/gpt-5-mini",
        provider_name: openrouter.name(),
        messages: &history,
        settings: &settings,
        parameters: &parameters,
        profile: &profile,
    };
    let body = openrouter
        .protocol()
        .request_body(&request, false, &mut Warnings::new())
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    let sent: Vec<Value> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "assistant")
        .map(|m| m.get("reasoning_details").cloned().unwrap_or(json!([])))
        .collect();
    assert_eq!(Value::Array(sent), expected);
    assert_eq!(expected[0].as_array().map(Vec::len), Some(3));
}
