//! The errors Anthropic reports in a body or a stream event: an `error` object becomes the
//! [`Error::Http`] its type is sent with (<https://docs.anthropic.com/en/api/errors>), so that
//! an `overloaded_error` in a 200 body reads as the 529 it stands for.

use super::wire::WireError;
use crate::error::Error;

/// The HTTP status an Anthropic error type is sent with
/// (<https://docs.anthropic.com/en/api/errors>).
fn error_status(kind: &str) -> Option<u16> {
    Some(match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "api_error" => 500,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        _ => return None,
    })
}

/// The error an `error` object describes: an [`Error::Http`] with the status its type is sent
/// with (so that an `overloaded_error` reads as a 529), else an unexpected-behaviour error.
pub(super) fn reported_error(error: Option<&WireError<'_>>, model_name: &str, raw: &[u8]) -> Error {
    let kind = error.and_then(|e| e.kind.as_deref()).unwrap_or("unknown");
    match error_status(kind) {
        Some(status) => Error::http(status, model_name, raw, None),
        None => {
            let message = error
                .and_then(|e| e.message.as_deref())
                .unwrap_or("no message");
            Error::unexpected_with_body(
                format!("the provider reported an error of type `{kind}`: {message}"),
                raw,
            )
        }
    }
}
