//! Replay: finding the recorded interaction a request matches (method, URI, body compared as
//! JSON when both are JSON), and the error naming the first request none matches.

use std::path::Path;

use serde_json::Value;

use super::cassette::{Body, Interaction, RecordedRequest, RecordedResponse};
use super::{MatchOn, Order};
use crate::error::{CassetteErrorKind, Error, Result};

/// The interactions of a cassette and which of them were played.
#[derive(Debug)]
pub(crate) struct Player {
    interactions: Vec<Interaction>,
    played: Vec<bool>,
}

impl Player {
    pub(crate) fn new(interactions: Vec<Interaction>) -> Self {
        Player {
            played: vec![false; interactions.len()],
            interactions,
        }
    }

    /// The cassette's interactions.
    pub(crate) fn interactions(&self) -> &[Interaction] {
        &self.interactions
    }

    /// The indexes of the interactions never played.
    pub(crate) fn unplayed(&self) -> Vec<usize> {
        (0..self.played.len())
            .filter(|&i| !self.played[i])
            .collect()
    }

    /// The response of the first unplayed interaction `request` matches (with [`Order::Strict`],
    /// only the first unplayed one is considered), marked played. `number` is the request's
    /// place among those replayed (1 for the first), for the error.
    pub(crate) fn play(
        &mut self,
        request: &RecordedRequest,
        number: usize,
        order: Order,
        match_on: MatchOn,
        path: Option<&Path>,
    ) -> Result<RecordedResponse> {
        let candidates: Vec<usize> = match order {
            Order::Any => self.unplayed(),
            Order::Strict => self.unplayed().into_iter().take(1).collect(),
        };
        if let Some(&found) = candidates
            .iter()
            .find(|&&i| mismatch(&self.interactions[i].request, request, match_on).is_none())
        {
            self.played[found] = true;
            return Ok(self.interactions[found].response.clone());
        }
        let cassette = match path {
            Some(path) => format!("cassette {}", path.display()),
            None => "the in-memory cassette".to_owned(),
        };
        let what = format!(
            "request {number} ({} {})",
            request.method,
            shorten(&request.uri, 200)
        );
        let message = if candidates.is_empty() {
            format!(
                "{what} matches no recorded interaction of {cassette}: all {} were played \
                 already; record the cassette again with LLM_RECORD=1 if the test now sends \
                 more requests",
                self.interactions.len()
            )
        } else {
            // The closest: the first with the same method and URI, else the first candidate.
            let closest = candidates
                .iter()
                .copied()
                .find(|&i| {
                    let recorded = &self.interactions[i].request;
                    recorded.method.eq_ignore_ascii_case(&request.method)
                        && same_uri(&recorded.uri, &request.uri)
                })
                .unwrap_or(candidates[0]);
            let why = mismatch(&self.interactions[closest].request, request, match_on)
                .unwrap_or_default();
            let which = match order {
                Order::Strict => "the next one in order",
                Order::Any => "the closest",
            };
            format!(
                "{what} matches no recorded interaction of {cassette}; {which}, interaction \
                 {closest}, differs: {why}. Record the cassette again with LLM_RECORD=1 if the \
                 request changed on purpose"
            )
        };
        Err(Error::cassette(path, CassetteErrorKind::Unmatched, message))
    }
}

/// Why `sent` does not match `recorded` (the first difference), or `None` when it does.
pub(crate) fn mismatch(
    recorded: &RecordedRequest,
    sent: &RecordedRequest,
    match_on: MatchOn,
) -> Option<String> {
    if match_on.method && !recorded.method.eq_ignore_ascii_case(&sent.method) {
        return Some(format!(
            "method: recorded {} != sent {}",
            recorded.method, sent.method
        ));
    }
    if match_on.uri && !same_uri(&recorded.uri, &sent.uri) {
        return Some(format!(
            "URI: recorded {} != sent {}",
            shorten(&recorded.uri, 200),
            shorten(&sent.uri, 200)
        ));
    }
    if match_on.body {
        return body_difference(recorded.body.as_ref(), sent.body.as_ref());
    }
    None
}

/// Whether two URIs are the same, the order of query parameters aside.
fn same_uri(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (Ok(a), Ok(b)) = (reqwest::Url::parse(a), reqwest::Url::parse(b)) else {
        return false;
    };
    let sorted = |url: &reqwest::Url| {
        let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        pairs.sort();
        pairs
    };
    let without_query = |url: &reqwest::Url| {
        let mut url = url.clone();
        url.set_query(None);
        url
    };
    without_query(&a) == without_query(&b) && sorted(&a) == sorted(&b)
}

/// The first difference between two bodies: a JSON path for JSON bodies, a byte offset for
/// others; `None` when they are equal.
fn body_difference(recorded: Option<&Body>, sent: Option<&Body>) -> Option<String> {
    let recorded = comparable(recorded);
    let sent = comparable(sent);
    match (&recorded, &sent) {
        (Comparable::Json(a), Comparable::Json(b)) => json_difference("", a, b)
            .map(|(path, a, b)| format!("body at `{path}`: recorded {a} != sent {b}")),
        (Comparable::Bytes(a), Comparable::Bytes(b)) => {
            if a == b {
                return None;
            }
            let at = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            let around =
                |bytes: &[u8]| shorten(&String::from_utf8_lossy(&bytes[at.min(bytes.len())..]), 60);
            Some(format!(
                "body from byte {at}: recorded {:?} != sent {:?}",
                around(a),
                around(b)
            ))
        }
        _ => Some(format!(
            "body: recorded {} != sent {}",
            recorded.describe(),
            sent.describe()
        )),
    }
}

enum Comparable {
    Json(Value),
    Bytes(Vec<u8>),
}

impl Comparable {
    fn describe(&self) -> String {
        match self {
            Comparable::Json(value) => format!("JSON {}", shorten(&value.to_string(), 80)),
            Comparable::Bytes(bytes) if bytes.is_empty() => "no body".to_owned(),
            Comparable::Bytes(bytes) => format!(
                "{} bytes that are not JSON ({:?})",
                bytes.len(),
                shorten(&String::from_utf8_lossy(bytes), 60)
            ),
        }
    }
}

/// A body as compared: JSON when it is JSON (whatever its recorded form), else its bytes.
fn comparable(body: Option<&Body>) -> Comparable {
    let bytes = match body {
        None => return Comparable::Bytes(Vec::new()),
        Some(Body::Json(value)) => return Comparable::Json(value.clone()),
        Some(body) => body.to_bytes().unwrap_or_default(),
    };
    match serde_json::from_slice(&bytes) {
        Ok(value) if !bytes.is_empty() => Comparable::Json(value),
        _ => Comparable::Bytes(bytes),
    }
}

/// The first path where two JSON values differ, with both values shortened.
fn json_difference(path: &str, a: &Value, b: &Value) -> Option<(String, String, String)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let at = format!("{path}/{key}");
                match y.get(key) {
                    Some(other) => {
                        if let Some(found) = json_difference(&at, value, other) {
                            return Some(found);
                        }
                    }
                    None => return Some((at, short(value), "<absent>".to_owned())),
                }
            }
            y.iter()
                .find(|(key, _)| !x.contains_key(*key))
                .map(|(key, value)| (format!("{path}/{key}"), "<absent>".to_owned(), short(value)))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if let Some(found) = json_difference(&format!("{path}/{i}"), p, q) {
                    return Some(found);
                }
            }
            (x.len() != y.len()).then(|| {
                (
                    format!("{path} (length)"),
                    x.len().to_string(),
                    y.len().to_string(),
                )
            })
        }
        (a, b) if a == b => None,
        (a, b) => Some((
            if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            short(a),
            short(b),
        )),
    }
}

fn short(value: &Value) -> String {
    shorten(&value.to_string(), 80)
}

/// `text` cut to about `max` characters, on a character boundary, with `…` when cut.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn request(uri: &str, body: Value) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            uri: uri.into(),
            headers: BTreeMap::new(),
            body: Some(Body::Json(body)),
        }
    }

    fn interaction(uri: &str, body: Value, status: u16) -> Interaction {
        Interaction {
            request: request(uri, body),
            response: RecordedResponse {
                status,
                headers: BTreeMap::new(),
                body: None,
                chunks: Vec::new(),
            },
        }
    }

    #[test]
    fn any_order_plays_each_match_once() {
        let mut player = Player::new(vec![
            interaction("http://h/a", json!({"n": 1}), 201),
            interaction("http://h/a", json!({"n": 2}), 202),
        ]);
        let all = MatchOn::default();
        let second = player
            .play(
                &request("http://h/a", json!({"n": 2})),
                1,
                Order::Any,
                all,
                None,
            )
            .unwrap();
        assert_eq!(second.status, 202);
        let err = player
            .play(
                &request("http://h/a", json!({"n": 2})),
                2,
                Order::Any,
                all,
                None,
            )
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("request 2 (POST http://h/a)")
                && text.contains("interaction 0")
                && text.contains("body at `/n`: recorded 1 != sent 2"),
            "{text}"
        );
        assert_eq!(player.unplayed(), vec![0]);
    }

    #[test]
    fn strict_order_considers_only_the_next_interaction() {
        let mut player = Player::new(vec![
            interaction("http://h/a", json!({"n": 1}), 201),
            interaction("http://h/b", json!({"n": 2}), 202),
        ]);
        let all = MatchOn::default();
        let err = player
            .play(
                &request("http://h/b", json!({"n": 2})),
                1,
                Order::Strict,
                all,
                None,
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("the next one in order, interaction 0, differs: URI"),
            "{err}"
        );
        // Matching nothing: the n-th request gets the n-th response.
        let status = player
            .play(
                &request("http://x", json!(null)),
                1,
                Order::Strict,
                MatchOn::NOTHING,
                None,
            )
            .unwrap()
            .status;
        assert_eq!(status, 201);
    }

    #[test]
    fn bodies_compare_as_json_and_queries_in_any_order() {
        let recorded = RecordedRequest {
            body: Some(Body::Text(r#"{ "b": [1, 2], "a": "x" }"#.into())),
            ..request("http://h/m?alt=sse&key=REDACTED", json!(null))
        };
        let sent = request(
            "http://h/m?key=REDACTED&alt=sse",
            json!({"a": "x", "b": [1, 2]}),
        );
        assert_eq!(mismatch(&recorded, &sent, MatchOn::default()), None);
        let longer = request(
            "http://h/m?key=REDACTED&alt=sse",
            json!({"a": "x", "b": [1]}),
        );
        assert_eq!(
            mismatch(&recorded, &longer, MatchOn::default()).unwrap(),
            "body at `/b (length)`: recorded 2 != sent 1"
        );
        let text = RecordedRequest {
            body: Some(Body::Text("hello there".into())),
            ..recorded.clone()
        };
        let other = RecordedRequest {
            body: Some(Body::Text("hello world".into())),
            ..recorded
        };
        assert_eq!(
            mismatch(&text, &other, MatchOn::default()).unwrap(),
            r#"body from byte 6: recorded "there" != sent "world""#
        );
    }
}
