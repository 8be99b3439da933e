//! Bedrock's error responses as botocore shows them: the error type of the
//! `x-amzn-ErrorType` header (`ValidationException:http://internal.amazon.com/…`) as the
//! `Code`, beside the body's `message`, in `{"Error": {"Code", "Message"}}` (the body
//! pydantic-ai's `ModelHTTPError` carries for Bedrock).

use reqwest::header::HeaderMap;
use serde_json::Value;

/// The header naming the error type of an error response.
pub const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";

/// The body kept in [`Error::Http`](crate::Error::Http) for an error response: botocore's
/// shape when the response names its error type, else the body as it came.
pub(super) fn error_body(headers: &HeaderMap, body: Vec<u8>) -> Vec<u8> {
    let Some(code) = headers
        .get(ERROR_TYPE_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(':').next())
        .map(str::trim)
        .filter(|code| !code.is_empty())
    else {
        return body;
    };
    let message = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| {
            value
                .get("message")
                .or_else(|| value.get("Message"))
                .and_then(|message| message.as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
    serde_json::json!({"Error": {"Code": code, "Message": message}})
        .to_string()
        .into_bytes()
}

#[cfg(test)]
mod tests;
