//! The cassettes of Python's vcrpy (the format of pydantic-ai's recorded tests), converted
//! into [`Cassette`]s. The YAML is parsed by the caller (this crate has no YAML parser); the
//! document comes here as JSON.

use std::collections::BTreeMap;

use serde_json::Value;

use super::cassette::{Body, Cassette, Interaction, RecordedRequest, RecordedResponse};
use crate::error::{CassetteErrorKind, Error, Result};

/// Response headers left out of a converted response: the recorder re-serialized JSON bodies
/// and decompressed compressed ones, so these no longer describe the body.
const STALE_HEADERS: &[&str] = &[
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "content-encoding",
];

/// Media types whose recorded body text is base64 (YAML `!!binary`).
fn is_binary(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/vnd.amazon.eventstream")
        || essence.eq_ignore_ascii_case("application/octet-stream")
        || ["image/", "audio/", "video/"]
            .iter()
            .any(|prefix| essence.starts_with(prefix))
}

fn corrupt(message: String) -> Error {
    Error::cassette(None, CassetteErrorKind::Corrupt, message)
}

impl Cassette {
    /// Converts a vcrpy cassette (`interactions:` of `request` and `response`, bodies as
    /// `parsed_body` or `body.string`), parsed from its YAML into JSON.
    ///
    /// A JSON body (`parsed_body`) becomes a [`Body::Json`]; any other response body one
    /// chunk of text, or of bytes when its media type is binary (an AWS event stream, whose
    /// YAML `!!binary` text is base64). Response headers that described the recorded transfer
    /// (`content-length`, `content-encoding`…) are left out.
    ///
    /// ```
    /// use llm_runtime::testing::{Body, Cassette};
    ///
    /// let doc = serde_json::json!({"interactions": [{
    ///     "request": {"method": "POST", "uri": "https://api.example/v1/chat",
    ///                 "headers": {"content-type": ["application/json"]}, "parsed_body": {"q": 1}},
    ///     "response": {"status": {"code": 200, "message": "OK"},
    ///                  "headers": {"content-type": ["text/event-stream"], "content-length": ["14"]},
    ///                  "body": {"string": "data: [DONE]\n\n"}}
    /// }]});
    /// let cassette = Cassette::from_vcrpy(&doc)?;
    /// let response = &cassette.interactions[0].response;
    /// assert_eq!(response.chunks, vec![Body::Text("data: [DONE]\n\n".into())]);
    /// assert!(response.header("content-length").is_none());
    /// # Ok::<(), llm_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Cassette`] of kind [`Corrupt`](CassetteErrorKind::Corrupt) when the document
    /// has no `interactions` list or an interaction lacks its request or response.
    pub fn from_vcrpy(doc: &Value) -> Result<Cassette> {
        let interactions = doc
            .get("interactions")
            .and_then(Value::as_array)
            .ok_or_else(|| corrupt("a vcrpy cassette has an `interactions` list".into()))?;
        let interactions = interactions
            .iter()
            .enumerate()
            .map(|(i, interaction)| {
                Interaction::from_vcrpy(interaction)
                    .map_err(|err| corrupt(format!("interaction {i}: {err}")))
            })
            .collect::<Result<_>>()?;
        Ok(Cassette {
            interactions,
            ..Cassette::default()
        })
    }
}

impl Interaction {
    /// Converts one interaction of a vcrpy cassette (see [`Cassette::from_vcrpy`]).
    ///
    /// # Errors
    /// As [`Cassette::from_vcrpy`].
    pub fn from_vcrpy(interaction: &Value) -> Result<Interaction> {
        let request = interaction
            .get("request")
            .ok_or_else(|| corrupt("no `request`".into()))?;
        let response = interaction
            .get("response")
            .ok_or_else(|| corrupt("no `response`".into()))?;
        Ok(Interaction {
            request: RecordedRequest {
                method: request
                    .get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("POST")
                    .to_owned(),
                uri: request
                    .get("uri")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                headers: headers(request, &[]),
                body: body(request, false),
            },
            response: RecordedResponse::from_vcrpy(response),
        })
    }
}

impl RecordedResponse {
    /// Converts the response of a vcrpy interaction (see [`Cassette::from_vcrpy`]); a
    /// missing status is 200.
    pub fn from_vcrpy(response: &Value) -> RecordedResponse {
        let status = response
            .get("status")
            .and_then(|s| s.get("code").or(Some(s)))
            .and_then(Value::as_u64)
            .and_then(|code| u16::try_from(code).ok())
            .unwrap_or(200);
        let headers = headers(response, STALE_HEADERS);
        let binary = super::cassette::header(&headers, "content-type").is_some_and(is_binary);
        let (body, chunks) = match body(response, binary) {
            Some(json @ Body::Json(_)) => (Some(json), Vec::new()),
            Some(other) => (None, vec![other]),
            None => (None, Vec::new()),
        };
        RecordedResponse {
            status,
            headers,
            body,
            chunks,
        }
    }
}

/// The headers of a vcrpy request or response, names lower-cased, without `skip`.
fn headers(message: &Value, skip: &[&str]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, values) in message
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let name = name.to_ascii_lowercase();
        if skip.contains(&name.as_str()) {
            continue;
        }
        let values = match values {
            Value::Array(values) => values.clone(),
            other => vec![other.clone()],
        };
        out.entry(name)
            .or_default()
            .extend(values.into_iter().map(|value| match value {
                Value::String(text) => text,
                other => other.to_string(),
            }));
    }
    out
}

/// The body of a vcrpy request or response: `parsed_body` as JSON, else `body` (a string, or
/// `{string: …}`) as text, or as base64 when `binary`; `None` for no body.
fn body(message: &Value, binary: bool) -> Option<Body> {
    if let Some(parsed) = message.get("parsed_body") {
        return Some(Body::Json(parsed.clone()));
    }
    let text = match message.get("body")? {
        Value::String(text) => text,
        Value::Object(body) => body.get("string")?.as_str()?,
        _ => return None,
    };
    Some(if binary {
        Body::Base64(text.split_whitespace().collect())
    } else {
        Body::Text(text.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_text_and_binary_bodies_convert() {
        let doc = json!({"interactions": [
            {
                "request": {"method": "POST", "uri": "u", "body": null},
                "response": {"status": {"code": 429}, "headers": {"Content-Type": "application/json"},
                             "parsed_body": {"error": "slow down"}}
            },
            {
                "request": {"method": "POST", "uri": "u", "body": "x=1"},
                "response": {"headers": {"content-type": ["application/vnd.amazon.eventstream"]},
                             "body": {"string": "AAAA\nAAA="}}
            }
        ]});
        let cassette = Cassette::from_vcrpy(&doc).unwrap();
        let [first, second] = &cassette.interactions[..] else {
            panic!("two interactions")
        };
        assert_eq!(first.request.body, None);
        assert_eq!(first.response.status, 429);
        assert_eq!(
            first.response.body,
            Some(Body::Json(json!({"error": "slow down"})))
        );
        assert_eq!(second.request.body, Some(Body::Text("x=1".into())));
        assert_eq!(second.response.status, 200);
        assert_eq!(second.response.chunk_bytes().unwrap(), vec![vec![0; 5]]);
    }

    #[test]
    fn a_document_without_interactions_is_corrupt() {
        for doc in [json!({}), json!({"interactions": [{"request": {}}]})] {
            let err = Cassette::from_vcrpy(&doc).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Cassette {
                        kind: CassetteErrorKind::Corrupt,
                        ..
                    }
                ),
                "{err:?}"
            );
        }
    }
}
