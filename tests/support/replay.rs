//! Serving a recorded response again from the local [`TestServer`](super::server::TestServer),
//! through `llm_runtime::testing` (the one replay implementation): the vcrpy response is
//! converted into a [`RecordedResponse`] (status, headers without those of the recorded
//! transfer, body), which the server answers, an event stream cut into chunks of odd sizes.

use llm_runtime::testing::RecordedResponse;
use serde_json::Value;

use super::server::{Body, Reply};

/// The chunk sizes a recorded stream is cut into, in turn: small and odd, so that chunks end
/// inside `data:` lines, inside JSON strings and inside multi-byte characters.
pub const CHUNK_SIZES: [usize; 10] = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];

/// The headers of a recorded response, one pair per value.
pub fn recorded_headers(response: &RecordedResponse) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .flat_map(|(name, values)| {
            values
                .iter()
                .map(move |value| (name.clone(), value.clone()))
        })
        .collect()
}

/// What the server answers for a recorded (vcrpy) response: see [`reply`].
pub fn replay(response: &Value) -> Reply {
    reply(&RecordedResponse::from_vcrpy(response))
}

/// What the server answers for a recorded response: its status, its headers and its body,
/// an event stream in chunks of the [`CHUNK_SIZES`].
pub fn reply(response: &RecordedResponse) -> Reply {
    let body = response.body_bytes().expect("a recorded body");
    let headers = recorded_headers(response);
    let streamed = response.body.is_none()
        && response
            .header("content-type")
            .is_some_and(|v| v.contains("event-stream"));
    let reply = if streamed {
        Reply::sse_split(&body, &CHUNK_SIZES)
    } else {
        Reply {
            body: Body::Full(body),
            ..Reply::text(200, "")
        }
    };
    Reply {
        status: response.status,
        headers,
        ..reply
    }
}
