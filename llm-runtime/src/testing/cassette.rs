//! The cassette: recorded HTTP exchanges as plain data, and its JSON file.
//!
//! ```json
//! {
//!   "version": 1,
//!   "interactions": [
//!     {
//!       "request": {
//!         "method": "POST",
//!         "uri": "https://api.openai.com/v1/chat/completions",
//!         "headers": { "authorization": ["REDACTED"], "content-type": ["application/json"] },
//!         "body": { "json": { "model": "gpt-4.1-nano", "messages": [] } }
//!       },
//!       "response": {
//!         "status": 200,
//!         "headers": { "content-type": ["text/event-stream"] },
//!         "chunks": [ { "text": "data: {\"id\":\"1\"}\n\n" }, { "base64": "AAAA" } ]
//!       }
//!     }
//!   ]
//! }
//! ```
//!
//! A JSON body is kept as JSON (`{"json": …}`, compared as JSON when replaying), other bodies
//! as text (`{"text": …}`) or, when they are not UTF-8, as base64 (`{"base64": …}`). A JSON
//! response is one `body`; any other response (an event stream, a binary AWS event stream)
//! is the list of `chunks` as they arrived, replayed with the same boundaries.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{CassetteErrorKind, Error, Result};

/// The version of the cassette format this crate writes and reads.
pub const CASSETTE_VERSION: u32 = 1;

/// Recorded HTTP exchanges, in the order the requests were sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cassette {
    /// The format's version ([`CASSETTE_VERSION`]).
    pub version: u32,
    /// The exchanges, in the order the requests were sent.
    pub interactions: Vec<Interaction>,
}

impl Default for Cassette {
    fn default() -> Self {
        Cassette {
            version: CASSETTE_VERSION,
            interactions: Vec::new(),
        }
    }
}

/// One request and the response it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// What was sent (secrets scrubbed).
    pub request: RecordedRequest,
    /// What came back.
    pub response: RecordedResponse,
}

/// A recorded request. Replay matches on its method, URI and body; its headers are kept to be
/// read (scrubbed), not matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The HTTP method (`POST`).
    pub method: String,
    /// The full URI, query included (secret parameters scrubbed).
    pub uri: String,
    /// The headers, names lower-cased (secret values scrubbed).
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<String>>,
    /// The body, if the request had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// A recorded response: its status, headers, and either a whole `body` or the `chunks` of a
/// stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The headers, names lower-cased, without those of the transfer (`content-length`,
    /// `transfer-encoding`, `connection`).
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<String>>,
    /// The whole body of a response that is not a stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// The body of a stream, chunk by chunk as it arrived (empty when `body` is set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chunks: Vec<Body>,
}

impl RecordedResponse {
    /// The body's bytes, chunk by chunk: the whole body as one chunk, or the recorded chunks.
    ///
    /// # Errors
    /// [`Error::Cassette`] of kind [`Corrupt`](CassetteErrorKind::Corrupt) when a base64 chunk
    /// does not decode.
    pub fn chunk_bytes(&self) -> Result<Vec<Vec<u8>>> {
        match &self.body {
            Some(body) => Ok(vec![body.to_bytes()?]),
            None => self.chunks.iter().map(Body::to_bytes).collect(),
        }
    }

    /// The whole body's bytes (the chunks joined).
    ///
    /// # Errors
    /// As [`chunk_bytes`](Self::chunk_bytes).
    pub fn body_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.chunk_bytes()?.concat())
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// The first value of header `name` in `headers` (case-insensitive).
pub(crate) fn header<'a>(
    headers: &'a BTreeMap<String, Vec<String>>,
    name: &str,
) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, values)| values.first())
        .map(String::as_str)
}

/// A recorded body or chunk: JSON, text, or bytes in base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// A JSON document (sent as its compact serialization; compared as JSON).
    Json(Value),
    /// UTF-8 text, as sent.
    Text(String),
    /// Bytes that are not UTF-8, in standard base64.
    Base64(String),
}

impl Body {
    /// A body from bytes: JSON when `as_json` and they parse as JSON, else text when they are
    /// UTF-8, else base64.
    pub fn from_bytes(bytes: &[u8], as_json: bool) -> Body {
        if as_json {
            if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
                return Body::Json(value);
            }
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Body::Text(text.to_owned()),
            Err(_) => Body::Base64(base64::engine::general_purpose::STANDARD.encode(bytes)),
        }
    }

    /// The bytes sent: JSON serialized compactly, text as is, base64 decoded.
    ///
    /// # Errors
    /// [`Error::Cassette`] of kind [`Corrupt`](CassetteErrorKind::Corrupt) when base64 does
    /// not decode.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        match self {
            Body::Json(value) => serde_json::to_vec(value)
                .map_err(|err| Error::cassette(None, CassetteErrorKind::Corrupt, format!("{err}"))),
            Body::Text(text) => Ok(text.as_bytes().to_vec()),
            Body::Base64(text) => {
                let compact: String = text.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|err| {
                        Error::cassette(
                            None,
                            CassetteErrorKind::Corrupt,
                            format!("a base64 body of the cassette does not decode: {err}"),
                        )
                    })
            }
        }
    }
}

impl Cassette {
    /// Reads a cassette file.
    ///
    /// # Errors
    /// [`Error::Cassette`] of kind [`Missing`](CassetteErrorKind::Missing) when there is no
    /// such file, [`Io`](CassetteErrorKind::Io) when it cannot be read, and
    /// [`Corrupt`](CassetteErrorKind::Corrupt) when it is not a cassette (the message says
    /// where it went wrong).
    pub fn load(path: impl AsRef<Path>) -> Result<Cassette> {
        let path = path.as_ref();
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::cassette(
                    Some(path),
                    CassetteErrorKind::Missing,
                    format!(
                        "cassette {} does not exist: record it by running the test with \
                         LLM_RECORD=1 (and the provider's credentials)",
                        path.display()
                    ),
                ))
            }
            Err(err) => {
                return Err(Error::cassette(
                    Some(path),
                    CassetteErrorKind::Io,
                    format!("could not read cassette {}: {err}", path.display()),
                ))
            }
        };
        let cassette: Cassette = serde_json::from_slice(&text).map_err(|err| {
            Error::cassette(
                Some(path),
                CassetteErrorKind::Corrupt,
                format!(
                    "cassette {} is not a valid cassette: {err}; delete it and record it again \
                     with LLM_RECORD=1",
                    path.display()
                ),
            )
        })?;
        if cassette.version != CASSETTE_VERSION {
            return Err(Error::cassette(
                Some(path),
                CassetteErrorKind::Corrupt,
                format!(
                    "cassette {} has format version {}, this crate reads version \
                     {CASSETTE_VERSION}; record it again with LLM_RECORD=1",
                    path.display(),
                    cassette.version
                ),
            ));
        }
        Ok(cassette)
    }

    /// Writes the cassette as pretty-printed JSON, creating the missing parent folders. The
    /// file is written whole to a temporary file beside it, then renamed over it.
    ///
    /// # Errors
    /// [`Error::Cassette`] of kind [`Io`](CassetteErrorKind::Io) when it cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let io = |err: std::io::Error| {
            Error::cassette(
                Some(path),
                CassetteErrorKind::Io,
                format!("could not write cassette {}: {err}", path.display()),
            )
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut text = serde_json::to_vec_pretty(self)
            .map_err(|err| Error::cassette(Some(path), CassetteErrorKind::Io, format!("{err}")))?;
        text.push(b'\n');
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".partial");
        std::fs::write(&temporary, text).map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_are_json_text_or_base64() {
        assert_eq!(
            Body::from_bytes(br#"{"a":1}"#, true),
            Body::Json(json!({"a": 1}))
        );
        assert_eq!(
            Body::from_bytes(br#"{"a":1}"#, false),
            Body::Text(r#"{"a":1}"#.into())
        );
        let binary = [0xff, 0x00, 0x80];
        let body = Body::from_bytes(&binary, true);
        assert!(matches!(body, Body::Base64(_)));
        assert_eq!(body.to_bytes().unwrap(), binary);
        // A chunk ending inside a multi-byte character is bytes, kept exactly.
        let split = &"é".as_bytes()[..1];
        assert_eq!(Body::from_bytes(split, false).to_bytes().unwrap(), split);
    }

    #[test]
    fn a_cassette_round_trips_through_its_file() {
        let dir = std::env::temp_dir().join(format!("llm-cassette-{}", std::process::id()));
        let path = dir.join("nested/one.json");
        let cassette = Cassette {
            version: CASSETTE_VERSION,
            interactions: vec![Interaction {
                request: RecordedRequest {
                    method: "POST".into(),
                    uri: "http://127.0.0.1/v1".into(),
                    headers: BTreeMap::new(),
                    body: Some(Body::Json(json!({"q": 1}))),
                },
                response: RecordedResponse {
                    status: 200,
                    headers: BTreeMap::new(),
                    body: None,
                    chunks: vec![
                        Body::Text("data: 1\n\n".into()),
                        Body::Base64("AA==".into()),
                    ],
                },
            }],
        };
        cassette.save(&path).unwrap();
        assert_eq!(Cassette::load(&path).unwrap(), cassette);
        assert_eq!(
            cassette.interactions[0].response.chunk_bytes().unwrap(),
            vec![b"data: 1\n\n".to_vec(), vec![0]]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_and_corrupt_cassettes_are_typed_errors() {
        let dir = std::env::temp_dir().join(format!("llm-cassette-bad-{}", std::process::id()));
        let err = Cassette::load(dir.join("absent.json")).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Cassette {
                    kind: CassetteErrorKind::Missing,
                    ..
                }
            ),
            "{err:?}"
        );
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in [
            ("truncated.json", r#"{"version": 1, "interactions": [{"req"#),
            (
                "wrong.json",
                r#"{"version": 1, "interactions": [{"request": 3}]}"#,
            ),
            ("future.json", r#"{"version": 99, "interactions": []}"#),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            let err = Cassette::load(&path).unwrap_err();
            match &err {
                Error::Cassette {
                    kind: CassetteErrorKind::Corrupt,
                    path: Some(at),
                    ..
                } => assert_eq!(at, &path),
                other => panic!("{name}: {other:?}"),
            }
            assert!(err.to_string().contains(name), "{err}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
