//! Reading a response stream to its end, and comparing the responses of two requests.

use futures::StreamExt;
use llm_runtime::messages::{ModelResponse, ModelResponseStreamEvent};
use llm_runtime::stream::StreamedResponse;
use llm_runtime::Error;
use serde_json::Value;

/// Every event of a stream up to the first error, that error, and the response as it stands
/// then.
pub async fn collect(
    mut stream: StreamedResponse,
) -> (Vec<ModelResponseStreamEvent>, Option<Error>, ModelResponse) {
    let mut events = Vec::new();
    let mut error = None;
    while let Some(event) = stream.next().await {
        match event {
            Ok(event) => events.push(event),
            Err(err) => {
                error = Some(err);
                break;
            }
        }
    }
    (events, error, stream.get())
}

/// [`collect`] with the events and the response as JSON, as the oracle's files hold them.
pub async fn collect_json(stream: StreamedResponse) -> (Vec<Value>, Option<Error>, Value) {
    let (events, error, response) = collect(stream).await;
    let events = events
        .iter()
        .map(|event| serde_json::to_value(event).unwrap())
        .collect();
    (events, error, serde_json::to_value(response).unwrap())
}

/// The same response, with the receive time taken out.
pub fn timeless(mut response: ModelResponse) -> ModelResponse {
    response.timestamp = chrono::DateTime::UNIX_EPOCH;
    response
}
