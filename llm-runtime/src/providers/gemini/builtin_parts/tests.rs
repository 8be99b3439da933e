use super::*;
use crate::messages::{ModelResponse, ModelResponsePart, TextPart};
use crate::models::{FileSearchTool, ModelRequestParameters};
use crate::providers::gemini::test_support::{chunk, parse, signature, stream, stream_with};
use crate::providers::test_support::kinds;
use serde_json::json;

/// The parts as JSON, with generated ids and timestamps blanked.
fn comparable(response: &ModelResponse) -> Value {
    let mut parts = serde_json::to_value(&response.parts).unwrap();
    for part in parts.as_array_mut().unwrap() {
        if part["tool_call_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("pyd_ai_"))
        {
            part["tool_call_id"] = json!("<generated>");
        }
        if part.get("timestamp").is_some() {
            part["timestamp"] = json!("<timestamp>");
        }
    }
    parts
}

fn kinds_and_names(response: &ModelResponse) -> Vec<(String, String)> {
    comparable(response)
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["part_kind"].as_str().unwrap().to_owned(),
                p["tool_name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn code_execution_parts_share_an_id() {
    let response = parse(json!({"candidates": [{
        "content": {"parts": [
            {"executableCode": {"language": "PYTHON", "code": "print(1)"}, "thoughtSignature": "c2ln"},
            {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
            {"text": "1"}
        ]},
        "finishReason": "STOP"
    }]}));
    let ModelResponsePart::BuiltinToolCall(call) = &response.parts[0] else {
        panic!("{:?}", response.parts)
    };
    let ModelResponsePart::BuiltinToolReturn(ret) = &response.parts[1] else {
        panic!("{:?}", response.parts)
    };
    assert_eq!(call.tool_call_id, ret.tool_call_id);
    assert_eq!(call.provider_details, signature("c2ln"));
    assert_eq!(
        comparable(&response),
        json!([
            {"tool_name": "code_execution", "args": {"language": "PYTHON", "code": "print(1)"},
             "tool_call_id": "<generated>", "tool_kind": null, "id": null,
             "provider_name": "google-gla", "provider_details": {"thought_signature": "c2ln"},
             "part_kind": "builtin-tool-call"},
            {"tool_name": "code_execution", "content": {"outcome": "OUTCOME_OK", "output": "1\n"},
             "tool_call_id": "<generated>", "tool_kind": null, "metadata": null,
             "timestamp": "<timestamp>", "outcome": "success", "provider_name": "google-gla",
             "provider_details": null, "part_kind": "builtin-tool-return"},
            {"content": "1", "id": null, "provider_name": null, "provider_details": null,
             "part_kind": "text"}
        ])
    );
}

#[test]
fn grounding_metadata_becomes_calls_and_returns_before_the_text() {
    let response = parse(json!({"candidates": [{
        "content": {"parts": [{"text": "Sunny."}]},
        "finishReason": "STOP",
        "groundingMetadata": {
            "webSearchQueries": ["weather"],
            "groundingChunks": [
                {"web": {"uri": "https://w.example", "title": "w"}},
                {"retrievedContext": {"text": "t", "fileSearchStore": "fileSearchStores/s",
                                      "customMetadata": [{"key": "k", "stringValue": "v"}]}}
            ]
        },
        "urlContextMetadata": {"urlMetadata": [
            {"retrievedUrl": "https://a.example", "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS"}
        ]}
    }]}));
    let parts = comparable(&response);
    assert_eq!(parts[0]["args"], json!({"queries": ["weather"]}));
    assert_eq!(
        parts[1]["content"],
        json!([{"domain": null, "title": "w", "uri": "https://w.example"}])
    );
    assert_eq!(parts[2]["args"], json!({}));
    assert_eq!(
        parts[3]["content"],
        json!([{"text": "t", "file_search_store": "fileSearchStores/s",
                "custom_metadata": [{"key": "k", "string_value": "v"}]}])
    );
    assert_eq!(parts[4]["args"], json!({"urls": ["https://a.example"]}));
    assert_eq!(
        parts[5]["content"],
        json!([{"retrieved_url": "https://a.example",
                "url_retrieval_status": "URL_RETRIEVAL_STATUS_SUCCESS"}])
    );
    let names: Vec<_> = kinds_and_names(&response)
        .into_iter()
        .map(|(kind, name)| format!("{kind}:{name}"))
        .collect();
    assert_eq!(
        names,
        [
            "builtin-tool-call:web_search",
            "builtin-tool-return:web_search",
            "builtin-tool-call:file_search",
            "builtin-tool-return:file_search",
            "builtin-tool-call:web_fetch",
            "builtin-tool-return:web_fetch",
            "text:"
        ]
    );
    // Each pair shares its id.
    for pair in response.parts.chunks(2).take(3) {
        let (ModelResponsePart::BuiltinToolCall(call), ModelResponsePart::BuiltinToolReturn(ret)) =
            (&pair[0], &pair[1])
        else {
            panic!("{pair:?}")
        };
        assert_eq!(call.tool_call_id, ret.tool_call_id);
    }
}

#[test]
fn tool_parts_replace_the_grounding_metadata() {
    let response = parse(json!({"candidates": [{
        "content": {"parts": [
            {"toolCall": {"id": "c1", "toolType": "FILE_SEARCH"}},
            {"toolResponse": {"id": "c1", "toolType": "FILE_SEARCH"}},
            {"toolCall": {"id": "c2", "toolType": "GOOGLE_SEARCH_WEB", "args": {"queries": ["q"]}}},
            {"toolResponse": {"id": "c2", "toolType": "GOOGLE_SEARCH_WEB", "response": {"n": 1}}},
            {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}},
            {"text": "Paris."}
        ]},
        "finishReason": "STOP",
        "groundingMetadata": {"webSearchQueries": ["q"], "groundingChunks": [
            {"retrievedContext": {"text": "Paris is the capital."}}
        ]}
    }]}));
    let parts = comparable(&response);
    assert_eq!(parts.as_array().unwrap().len(), 6, "{parts}");
    assert_eq!(parts[0]["tool_call_id"], "c1");
    assert_eq!(parts[0]["args"], Value::Null);
    assert_eq!(
        parts[1]["content"],
        json!([{"text": "Paris is the capital."}])
    );
    assert_eq!(parts[3]["content"], json!({"n": 1}));
    assert_eq!(parts[4]["part_kind"], "file");
    assert_eq!(parts[4]["content"]["media_type"], "image/png");
    let ModelResponsePart::File(file) = &response.parts[4] else {
        panic!("{:?}", response.parts)
    };
    assert_eq!(file.content.data, b"\x89PNG");
}

#[test]
fn file_search_queries_are_read_from_the_generated_code() {
    for (code, query) in [
        (
            "print(file_search.query(query=\"Capital of France\"))\n",
            Some("Capital of France"),
        ),
        ("print(file_search.query(query='it\\'s'))", Some("it's")),
        (
            "file_search.query(query=\"a \\\"b\\\" \\\\ c\")",
            Some("a \"b\" \\ c"),
        ),
        ("file_search.query(query=\"open", None),
        ("file_search.query(query=\"x\" + y)", None),
        ("print(1)", None),
    ] {
        assert_eq!(file_search_query(code).as_deref(), query, "{code}");
    }
}

#[test]
fn streams_give_the_parts_pydantic_ai_streams() {
    // URL context first, then the text; search grounding is not streamed.
    let mut first = chunk(json!([{"text": "Pydantic"}]), None);
    first["candidates"][0]["urlContextMetadata"] =
        json!({"urlMetadata": [{"retrievedUrl": "https://ai.pydantic.dev"}]});
    let mut last = chunk(json!([{"text": " AI"}]), Some("STOP"));
    last["candidates"][0]["groundingMetadata"] = json!({"webSearchQueries": ["q"]});
    let (response, events) = stream(&[first, last]);
    assert_eq!(
        kinds(&events),
        ["start0", "end0", "start1", "start2", "final", "delta2", "end2"]
    );
    assert_eq!(response.text(), "Pydantic AI");
    assert_eq!(
        comparable(&response)[1]["content"],
        json!([{"retrieved_url": "https://ai.pydantic.dev", "url_retrieval_status": null}])
    );

    // File search's code becomes a file_search call when the request enabled it, and its
    // results a return after the text they ground.
    let code = json!([{"executableCode": {"language": "PYTHON",
                       "code": "print(file_search.query(query=\"Capital\"))"}}]);
    let mut grounded = chunk(json!([{"text": "Paris."}]), Some("STOP"));
    grounded["candidates"][0]["groundingMetadata"] =
        json!({"groundingChunks": [{"retrievedContext": {"text": "Paris"}}]});
    let enabled = ModelRequestParameters {
        builtin_tools: vec![FileSearchTool::default().into()],
        ..Default::default()
    };
    let (response, _) =
        stream_with(&enabled, &[chunk(code.clone(), None), grounded.clone()]).unwrap();
    let parts = comparable(&response);
    assert_eq!(parts[0]["tool_name"], "file_search");
    assert_eq!(parts[0]["args"], json!({"query": "Capital"}));
    assert_eq!(parts[1]["part_kind"], "text");
    assert_eq!(parts[2]["content"], json!([{"text": "Paris"}]));
    let ids: Vec<&str> = [0, 2]
        .iter()
        .map(|&i| match &response.parts[i] {
            ModelResponsePart::BuiltinToolCall(c) => c.tool_call_id.as_str(),
            ModelResponsePart::BuiltinToolReturn(r) => r.tool_call_id.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids[0], ids[1]);
    // Without file search enabled, the code is code execution's.
    let (response, _) = stream(&[chunk(code, None), grounded]);
    assert_eq!(
        kinds_and_names(&response),
        [
            ("builtin-tool-call".to_owned(), "code_execution".to_owned()),
            ("text".to_owned(), String::new())
        ]
    );
}

#[test]
fn a_file_search_response_waits_for_its_contexts() {
    let first = chunk(
        json!([{"toolCall": {"id": "f1", "toolType": "FILE_SEARCH"}},
               {"toolResponse": {"id": "f1", "toolType": "FILE_SEARCH"}},
               {"text": "Paris"}]),
        None,
    );
    let mut last = chunk(json!([{"text": "."}]), Some("STOP"));
    last["candidates"][0]["groundingMetadata"] =
        json!({"groundingChunks": [{"retrievedContext": {"text": "ctx"}}]});
    let (response, events) = stream(&[first.clone(), last]);
    // The return keeps its place (index 1) but starts only once filled.
    assert_eq!(
        kinds(&events),
        ["start0", "end0", "start2", "final", "delta2", "end2", "start1"]
    );
    assert_eq!(
        comparable(&response)[1]["content"],
        json!([{"text": "ctx"}])
    );
    assert_eq!(response.parts[2], TextPart::new("Paris.").into());

    // Never filled: announced empty at the end.
    let unfilled = chunk(json!([{"text": "."}]), Some("STOP"));
    let (response, events) = stream(&[first, unfilled]);
    assert_eq!(kinds(&events).last().map(String::as_str), Some("start1"));
    assert_eq!(comparable(&response)[1]["content"], Value::Null);
}

#[test]
fn malformed_builtin_parts_of_a_stream_are_errors() {
    for bad in [
        json!([{"toolCall": {"toolType": "SOMETHING_NEW"}}]),
        json!([{"inlineData": {"mimeType": "image/png", "data": "not base64!"}}]),
    ] {
        let err = stream_with(
            &ModelRequestParameters::default(),
            &[chunk(bad, Some("STOP"))],
        )
        .unwrap_err();
        assert!(
            matches!(err, crate::Error::UnexpectedModelBehavior { .. }),
            "{err:?}"
        );
    }
}
