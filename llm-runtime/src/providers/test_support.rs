//! What the protocols' unit tests share: the JSON body a protocol writes for a request, a
//! stream of SSE events fed through a protocol, the shape of the stream events it produced.
//! Protocol-neutral: every wire format stays in its protocol's tests.

use serde_json::Value;

use super::{apply_event, Flow, PreparedRequest, Protocol, RawEvent};
use crate::error::Result;
use crate::messages::{
    ModelMessage, ModelRequest, ModelResponse, ModelResponseStreamEvent, ResponseState,
};
use crate::models::ModelRequestParameters;
use crate::settings::ModelSettings;
use crate::stream::PartsManager;
use crate::warning::Warnings;

/// A whole response and the stream events that built it.
pub(crate) type Streamed = (ModelResponse, Vec<ModelResponseStreamEvent>);

/// A conversation of one user prompt.
pub(crate) fn prompt(text: &str) -> Vec<ModelMessage> {
    vec![ModelRequest::user_text_prompt(text).into()]
}

/// The JSON body `protocol` writes for `messages` to `model` of `provider`, with the profile
/// it gives the model (its warnings left out: [`request_json_warned`] has them).
pub(crate) fn request_json<P: Protocol>(
    protocol: &P,
    provider: &str,
    model: &str,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
    stream: bool,
) -> Result<Value> {
    request_json_warned(
        protocol, provider, model, messages, settings, parameters, stream,
    )
    .map(|(body, _)| body)
}

/// As [`request_json`], with the warnings of the request.
pub(crate) fn request_json_warned<P: Protocol>(
    protocol: &P,
    provider: &str,
    model: &str,
    messages: &[ModelMessage],
    settings: &ModelSettings,
    parameters: &ModelRequestParameters,
    stream: bool,
) -> Result<(Value, Warnings)> {
    let profile = protocol.profile(model);
    let request = PreparedRequest {
        model_name: model,
        provider_name: provider,
        messages,
        settings,
        parameters,
        profile: &profile,
    };
    let mut warnings = Warnings::new();
    let bytes = protocol.request_body(&request, stream, &mut warnings)?;
    Ok((serde_json::from_slice(&bytes).unwrap(), warnings))
}

/// Feeds `(event name, data)` pairs to `protocol` as the driver does (its prologue included)
/// until it says [`Flow::Done`], else to the end of the body ([`Protocol::on_eof`]); returns
/// the finished response and the stream events (the stream's warnings stay in `parts`, which
/// is consumed: [`run_stream_warned`] keeps them).
pub(crate) fn run_stream<'e, P: Protocol>(
    protocol: &P,
    parts: PartsManager,
    events: impl IntoIterator<Item = (&'e str, &'e str)>,
) -> Result<Streamed> {
    run_stream_warned(protocol, parts, events).map(|(streamed, _)| streamed)
}

/// As [`run_stream`], with the stream's warnings.
pub(crate) fn run_stream_warned<'e, P: Protocol>(
    protocol: &P,
    mut parts: PartsManager,
    events: impl IntoIterator<Item = (&'e str, &'e str)>,
) -> Result<(Streamed, Warnings)> {
    let mut state = P::StreamState::default();
    let mut done = false;
    for (name, data) in events {
        let event = RawEvent::new(name, data);
        if apply_event(protocol, event, &mut state, &mut parts)? == Flow::Done {
            done = true;
            break;
        }
    }
    if !done {
        protocol.on_eof(&mut state, &mut parts)?;
    }
    parts.finish();
    let events = std::iter::from_fn(|| parts.pop_event()).collect();
    let warnings = std::mem::take(&mut parts.warnings);
    Ok(((parts.response(ResponseState::Complete), events), warnings))
}

/// Each event as its kind and part index (`start0`, `delta1`, `end0`, `final`).
pub(crate) fn kinds(events: &[ModelResponseStreamEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            ModelResponseStreamEvent::PartStart(s) => format!("start{}", s.index),
            ModelResponseStreamEvent::PartDelta(d) => format!("delta{}", d.index),
            ModelResponseStreamEvent::PartEnd(e) => format!("end{}", e.index),
            ModelResponseStreamEvent::FinalResult(_) => "final".to_owned(),
        })
        .collect()
}
