//! Serving a recorded response again from the local [`TestServer`](super::server::TestServer):
//! its status, headers and body, a recorded event stream cut into chunks of odd sizes.

use serde_json::Value;

use super::recordings::{response_body, status};
use super::server::{Body, Reply};

/// The chunk sizes a recorded stream is cut into, in turn: small and odd, so that chunks end
/// inside `data:` lines, inside JSON strings and inside multi-byte characters.
pub const CHUNK_SIZES: [usize; 10] = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];

/// Response headers the server sets itself, or that describe the recorded transfer only.
pub const TRANSFER_HEADERS: [&str; 5] = [
    "content-length",
    "transfer-encoding",
    "connection",
    "content-encoding",
    "keep-alive",
];

/// The recorded response headers but the [`TRANSFER_HEADERS`], one pair per value.
pub fn recorded_headers(response: &Value) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    for (name, values) in response
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if TRANSFER_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let values = match values {
            Value::Array(values) => values.clone(),
            other => vec![other.clone()],
        };
        for value in values {
            let value = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            headers.push((name.clone(), value));
        }
    }
    headers
}

/// What the server answers for a recorded response: its status, its headers and its body,
/// an event stream in chunks of the [`CHUNK_SIZES`].
pub fn replay(response: &Value) -> Reply {
    let body = response_body(response);
    let headers = recorded_headers(response);
    let streamed = response.get("parsed_body").is_none()
        && headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v.contains("event-stream"));
    let reply = if streamed {
        Reply::sse_split(&body, &CHUNK_SIZES)
    } else {
        Reply {
            body: Body::Full(body),
            ..Reply::text(200, "")
        }
    };
    Reply {
        status: status(response),
        headers,
        ..reply
    }
}
