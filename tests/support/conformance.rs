//! What the conformance suites share: replaying a recorded stream through a protocol, the
//! tally of comparisons per directory, and the verdict on the differences from pydantic-ai's
//! oracle (known ones listed with their reasons, a suite failing when one starts to pass).

use std::collections::BTreeMap;

use llm_runtime::messages::{ModelMessage, ModelRequest};
use llm_runtime::models::ModelRequestParameters;
use llm_runtime::providers::{apply_event, Flow, PreparedRequest, Protocol, RawEvent};
use llm_runtime::settings::ModelSettings;
use llm_runtime::stream::{PartsManager, StreamedResponse};
use llm_runtime::tools::ToolDefinition;
use llm_runtime::warning::Warnings;
use llm_runtime::Error;
use serde_json::Value;

use super::recordings::OracleEntry;
use super::stream::collect_json;

/// The body `protocol` builds for a recorded interaction's `parameters`, with a one-message
/// prompt and default settings (the recordings' prompts are compared elsewhere), as JSON; a
/// refusal is the string `"error: …"`, so that it shows in the comparison.
pub fn our_request_body<P: Protocol>(
    protocol: &P,
    provider_name: &str,
    model_name: &str,
    parameters: &ModelRequestParameters,
    streaming: bool,
) -> Value {
    let messages = [ModelMessage::from(ModelRequest::user_text_prompt("x"))];
    let settings = ModelSettings::default();
    let profile = protocol.profile(model_name);
    let request = PreparedRequest {
        model_name,
        provider_name,
        messages: &messages,
        settings: &settings,
        parameters,
        profile: &profile,
    };
    match protocol.request_body(&request, streaming, &mut Warnings::new()) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| Value::String(format!("error: the body is not JSON: {e}"))),
        Err(e) => Value::String(format!("error: {e}")),
    }
}

/// Replays the events of a recorded SSE body (`(event, data)` pairs) through `apply_event`
/// (the driver's prologue, then the protocol), and `on_eof` when the body ends before
/// [`Flow::Done`], as the driver does: the stream
/// events and the response as JSON, and the error the stream ended with, if any.
pub fn replay_stream<P: Protocol>(
    protocol: P,
    events: Vec<(String, String)>,
    parts: PartsManager,
) -> (Vec<Value>, Value, Option<Error>) {
    let mut items: Vec<Option<(String, String)>> = events.into_iter().map(Some).collect();
    items.push(None); // end of body
    let mut state = P::StreamState::default();
    let mut done = false;
    let stream = StreamedResponse::from_stream(
        parts,
        futures::stream::iter(items.into_iter().map(Ok)),
        move |item, parts| {
            if done {
                return Ok(());
            }
            match item {
                Some((event, data)) => {
                    let event = RawEvent::new(&event, &data);
                    if apply_event(&protocol, event, &mut state, parts)? == Flow::Done {
                        done = true;
                    }
                    Ok(())
                }
                None => protocol.on_eof(&mut state, parts),
            }
        },
    );
    let (events, error, response) = futures::executor::block_on(collect_json(stream));
    (events, response, error)
}

/// The comparisons of one directory: by aspect (`request`, `response`…), how many were equal
/// and how many were made.
#[derive(Default)]
pub struct Tally {
    pub checked: BTreeMap<&'static str, (usize, usize)>,
}

impl Tally {
    /// Counts one comparison of `aspect`, equal or not.
    pub fn record(&mut self, aspect: &'static str, ok: bool) {
        let entry = self.checked.entry(aspect).or_default();
        entry.1 += 1;
        if ok {
            entry.0 += 1;
        }
    }
}

/// A comparison that did not match: where, which aspect, and the difference.
pub struct Failure {
    pub stem: String,
    pub aspect: &'static str,
    pub detail: String,
    /// For a response: whether it equals the oracle's once the oracle's built-in tool parts
    /// (which the message model has no part for) are left out.
    pub equal_without_builtin_parts: bool,
}

impl Failure {
    /// A difference in `aspect` of the interaction `stem`.
    pub fn new(stem: impl Into<String>, aspect: &'static str, detail: String) -> Failure {
        Failure {
            stem: stem.into(),
            aspect,
            detail,
            equal_without_builtin_parts: false,
        }
    }
}

/// A comparison known to differ: the oracle's file stem, the aspect, and the reason.
pub type Known = (&'static str, &'static str, &'static str);

/// Prints the counts of every directory, one line each (`test_openai: request 58/58, …`).
pub fn print_tallies(tallies: &BTreeMap<String, Tally>) {
    for (dir, tally) in tallies {
        let counts: Vec<String> = tally
            .checked
            .iter()
            .map(|(aspect, (ok, total))| format!("{aspect} {ok}/{total}"))
            .collect();
        println!("{dir}: {}", counts.join(", "));
    }
}

/// Prints the failures that are `known` differences, then every other one; fails when there
/// is another one, or when a known difference no longer differs. A response known to differ
/// for the reason `builtin_parts_only` must differ by its built-in tool parts only.
pub fn judge(failures: &[Failure], known: &[Known], builtin_parts_only: Option<&str>) {
    let mut unexpected = Vec::new();
    for failure in failures {
        match known
            .iter()
            .find(|(stem, aspect, _)| *stem == failure.stem && *aspect == failure.aspect)
        {
            Some((_, "response", why))
                if Some(*why) == builtin_parts_only && !failure.equal_without_builtin_parts =>
            {
                unexpected.push(&failure.detail);
            }
            Some((_, _, why)) => println!("known: {} {} -- {why}", failure.stem, failure.aspect),
            None => unexpected.push(&failure.detail),
        }
    }
    let now_passing: Vec<_> = known
        .iter()
        .filter(|(stem, aspect, _)| {
            !failures
                .iter()
                .any(|f| f.stem == *stem && f.aspect == *aspect)
        })
        .collect();
    for detail in &unexpected {
        println!("{detail}\n");
    }
    assert!(
        unexpected.is_empty(),
        "{} comparisons differ from pydantic-ai",
        unexpected.len()
    );
    assert!(
        now_passing.is_empty(),
        "known differences that no longer differ (remove them from KNOWN_DIFFERENCES): {now_passing:?}"
    );
}

/// Whether `error` is the `ModelHTTPError` the oracle's `.error.json` describes: the same
/// status, and a body holding the oracle's body (or its `message`).
pub fn http_error_matches(expected: &Value, error: &Error) -> bool {
    let Error::Http { status, body, .. } = error else {
        return false;
    };
    let expected_body = match &expected["body"] {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        other => other.to_string(),
    };
    expected["exception"] == "ModelHTTPError"
        && expected["status_code"].as_u64() == Some(u64::from(*status))
        && body.contains(&expected_body)
}

/// One recorded interaction of the oracle's index, as a suite checks it: the entry's parts,
/// and the tools its request offered (read from the request in the protocol's own format).
pub struct Interaction<'a> {
    /// `<cassette stem>.<interaction>`.
    pub key: &'a str,
    /// The model the interaction asked for.
    pub model_name: &'a str,
    /// Whether it was streamed.
    pub streaming: bool,
    /// The tools of the request.
    pub tools: Vec<ToolDefinition>,
    /// The recorded response (status, headers, body).
    pub response: &'a Value,
    /// The oracle files' common path, without `.json`.
    pub oracle_stem: &'a std::path::Path,
}

impl<'a> Interaction<'a> {
    /// The interaction of `entry`, offering `tools`.
    pub fn new(entry: &'a OracleEntry, tools: Vec<ToolDefinition>) -> Self {
        Interaction {
            key: &entry.key,
            model_name: entry.model_name(),
            streaming: entry.streaming(),
            tools,
            response: &entry.interaction["response"],
            oracle_stem: &entry.stem,
        }
    }
}
