//! Where a request goes: the path of `generateContent` (and of `streamGenerateContent`, whose
//! events come as server-sent events with `alt=sse`) for a model, relative to the provider's
//! base URL.

use std::borrow::Cow;

use crate::providers::common::percent_encode;

/// The path of a request for `model`, relative to the base URL.
pub(super) fn endpoint(model: &str, stream: bool) -> String {
    let path = model_path(model);
    if stream {
        format!("{path}:streamGenerateContent?alt=sse")
    } else {
        format!("{path}:generateContent")
    }
}

/// `models/{model}` (or the model's own `models/…` or `tunedModels/…` name), each segment
/// percent-encoded.
fn model_path(model: &str) -> String {
    let model = model.trim_start_matches('/');
    let named = if model.starts_with("models/") || model.starts_with("tunedModels/") {
        Cow::Borrowed(model)
    } else {
        Cow::Owned(format!("models/{model}"))
    };
    named
        .split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests;
