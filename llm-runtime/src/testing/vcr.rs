//! [`Vcr`]: records a provider's HTTP exchanges into a cassette, or answers them from one.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, Url};

use super::cassette::{Cassette, Interaction, RecordedRequest, RecordedResponse};
use super::player::Player;
use super::scrub::{Scrub, Scrubber, Secrets};
use super::{MatchOn, Mode, Order};
use crate::error::{CassetteErrorKind, Error, Result};

/// Response headers not recorded: they describe the recorded transfer, not the answer.
const TRANSFER_HEADERS: &[&str] = &[
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
];

tokio::task_local! {
    static SCOPED: Vcr;
}

/// Records every HTTP exchange of the providers it is given to into a cassette, or answers
/// their requests from one without any network; see the [module docs](super).
///
/// Give it to a provider with
/// [`ProviderBuilder::vcr`](crate::providers::ProviderBuilder::vcr), or to every provider
/// used inside a future with [`scope`](Self::scope). Cheap to clone (clones share the
/// cassette). In record mode the cassette file is written by [`finish`](Self::finish) (or
/// [`save`](Self::save)), and, failing that, when the last clone is dropped.
#[derive(Clone)]
pub struct Vcr {
    inner: Arc<Inner>,
}

struct Inner {
    path: Option<PathBuf>,
    mode: Mode,
    order: Order,
    match_on: MatchOn,
    scrubber: Scrubber,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// How many requests were sent through this cassette.
    requests: usize,
    /// Replay: the cassette's interactions.
    player: Option<Player>,
    /// Record: the exchanges so far, in the order the requests were sent.
    recorded: Vec<Recording>,
    /// Whether something was recorded since the file was last written.
    dirty: bool,
}

/// An exchange being recorded: its response body grows chunk by chunk.
struct Recording {
    request: RecordedRequest,
    status: u16,
    headers: std::collections::BTreeMap<String, Vec<String>>,
    json: bool,
    chunks: Vec<Bytes>,
    secrets: Secrets,
}

/// Configures a [`Vcr`]; made by [`Vcr::at`], [`Vcr::replaying`] or [`Vcr::recording`].
#[must_use = "a VcrBuilder does nothing until `build` is called"]
#[derive(Debug)]
pub struct VcrBuilder {
    path: Option<PathBuf>,
    cassette: Option<Cassette>,
    mode: Option<Mode>,
    order: Order,
    match_on: MatchOn,
    scrubs: Vec<Scrub>,
}

impl Vcr {
    /// A cassette file at `path`; the mode comes from `LLM_RECORD` ([`Mode::from_env`])
    /// unless [`mode`](VcrBuilder::mode) sets it.
    ///
    /// ```no_run
    /// use llm_runtime::testing::Vcr;
    ///
    /// let vcr = Vcr::at("tests/cassettes/capital_of_france.json").build()?;
    /// # Ok::<(), llm_runtime::Error>(())
    /// ```
    pub fn at(path: impl Into<PathBuf>) -> VcrBuilder {
        VcrBuilder {
            path: Some(path.into()),
            ..VcrBuilder::empty()
        }
    }

    /// Replays `cassette`, held in memory (no file is read or written).
    pub fn replaying(cassette: Cassette) -> VcrBuilder {
        VcrBuilder {
            cassette: Some(cassette),
            mode: Some(Mode::Replay),
            ..VcrBuilder::empty()
        }
    }

    /// Records into a cassette held in memory ([`cassette`](Self::cassette) gives it).
    pub fn recording() -> VcrBuilder {
        VcrBuilder {
            mode: Some(Mode::Record),
            ..VcrBuilder::empty()
        }
    }

    /// Whether requests are answered from the cassette ([`Mode::Replay`]; [`Mode::Auto`] with
    /// an existing file) rather than sent and recorded.
    pub fn is_replaying(&self) -> bool {
        self.inner.mode == Mode::Replay
    }

    /// The cassette file, if there is one.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The mode in force: [`Mode::Record`] or [`Mode::Replay`] ([`Mode::Auto`] is resolved
    /// when the `Vcr` is built).
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    /// Runs `future` with this `Vcr` given to every provider that has none of its own, for
    /// the requests made in that task (model strings included: `model_request("openai:…")`).
    /// Tasks the future spawns and the `*_sync` functions, which run on a thread of their
    /// own, are outside the scope: give those providers the `Vcr` with
    /// [`ProviderBuilder::vcr`](crate::providers::ProviderBuilder::vcr).
    pub fn scope<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        SCOPED.scope(self.clone(), future)
    }

    /// The `Vcr` of the [`scope`](Self::scope) the current task runs in, if any.
    pub(crate) fn scoped() -> Option<Vcr> {
        SCOPED.try_with(Vcr::clone).ok()
    }

    /// The cassette as it stands: what was recorded so far (secrets scrubbed), or the one
    /// being replayed.
    pub fn cassette(&self) -> Cassette {
        let state = self.state();
        match &state.player {
            Some(player) => Cassette {
                interactions: player.interactions().to_vec(),
                ..Cassette::default()
            },
            None => self.recorded_cassette(&state),
        }
    }

    /// Writes what was recorded to the cassette file (nothing to do when replaying or
    /// recording in memory).
    ///
    /// # Errors
    /// [`Error::Cassette`] of kind [`Io`](CassetteErrorKind::Io) when the file cannot be written.
    pub fn save(&self) -> Result<()> {
        let (Some(path), Mode::Record) = (&self.inner.path, self.inner.mode) else {
            return Ok(());
        };
        let mut state = self.state();
        self.recorded_cassette(&state).save(path)?;
        state.dirty = false;
        Ok(())
    }

    /// Ends the test's use of the cassette: when recording, writes the file; when replaying,
    /// checks that every recorded interaction was played.
    ///
    /// # Errors
    /// As [`save`](Self::save); when replaying, [`Error::Cassette`] of kind
    /// [`Unplayed`](CassetteErrorKind::Unplayed) naming the interactions never requested.
    pub fn finish(self) -> Result<()> {
        if self.inner.mode == Mode::Record {
            return self.save();
        }
        let state = self.state();
        let unplayed = state
            .player
            .as_ref()
            .map(Player::unplayed)
            .unwrap_or_default();
        if unplayed.is_empty() {
            return Ok(());
        }
        Err(Error::cassette(
            self.path(),
            CassetteErrorKind::Unplayed,
            format!(
                "{} of {}: interactions {unplayed:?} were recorded but never requested; \
                 record the cassette again with LLM_RECORD=1 if the test now sends fewer \
                 requests",
                unplayed.len(),
                self.describe()
            ),
        ))
    }

    fn describe(&self) -> String {
        match &self.inner.path {
            Some(path) => format!("cassette {}", path.display()),
            None => "the in-memory cassette".to_owned(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held leaves plain data behind: keep using it.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn recorded_cassette(&self, state: &State) -> Cassette {
        let scrubber = &self.inner.scrubber;
        let interactions = state
            .recorded
            .iter()
            .map(|recording| {
                let (body, chunks) = if recording.json {
                    let joined = recording.chunks.concat();
                    (
                        Some(scrubber.body(&joined, true, &recording.secrets)),
                        Vec::new(),
                    )
                } else {
                    let chunks = recording
                        .chunks
                        .iter()
                        .map(|chunk| scrubber.body(chunk, false, &recording.secrets))
                        .collect();
                    (None, chunks)
                };
                Interaction {
                    request: recording.request.clone(),
                    response: RecordedResponse {
                        status: recording.status,
                        headers: recording.headers.clone(),
                        body,
                        chunks,
                    },
                }
            })
            .collect();
        Cassette {
            interactions,
            ..Cassette::default()
        }
    }

    /// The request as recorded and compared: scrubbed, with the secrets found in it.
    fn recorded_request(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: &[u8],
    ) -> (RecordedRequest, Secrets) {
        let scrubber = &self.inner.scrubber;
        let mut secrets = Vec::new();
        let headers = scrubber.headers(headers, &[], &mut secrets);
        let uri = scrubber.uri(url, &mut secrets);
        let body = (!body.is_empty()).then(|| scrubber.body(body, true, &secrets));
        let request = RecordedRequest {
            method: method.as_str().to_owned(),
            uri,
            headers,
            body,
        };
        (request, secrets)
    }

    /// Answers a request from the cassette: the matching interaction's response, its body
    /// in the recorded chunks.
    pub(crate) fn replay(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<reqwest::Response> {
        let (request, _) = self.recorded_request(method, url, headers, body);
        let recorded = {
            let mut state = self.state();
            state.requests += 1;
            let number = state.requests;
            let player = state.player.get_or_insert_with(|| Player::new(Vec::new()));
            player.play(
                &request,
                number,
                self.inner.order,
                self.inner.match_on,
                self.path(),
            )?
        };
        let corrupt = |what: String| {
            Error::cassette(
                self.path(),
                CassetteErrorKind::Corrupt,
                format!("{}: {what}", self.describe()),
            )
        };
        let mut builder = http::Response::builder().status(recorded.status);
        for (name, values) in &recorded.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| corrupt(format!("`{name}` is not a header name")))?;
            for value in values {
                let value = HeaderValue::from_str(value)
                    .map_err(|_| corrupt(format!("header `{name}` has a value it cannot carry")))?;
                builder = builder.header(name.clone(), value);
            }
        }
        let chunks = recorded
            .chunk_bytes()
            .map_err(|err| corrupt(err.to_string()))?;
        let stream = futures::stream::iter(
            chunks
                .into_iter()
                .map(|chunk| Ok::<Bytes, std::io::Error>(Bytes::from(chunk))),
        );
        let response = builder
            .body(reqwest::Body::wrap_stream(stream))
            .map_err(|err| corrupt(err.to_string()))?;
        Ok(reqwest::Response::from(response))
    }

    /// Records an exchange: the request now, the response's body chunk by chunk as the
    /// caller reads it (the returned response reads through to `response`).
    pub(crate) fn record(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: &[u8],
        response: reqwest::Response,
    ) -> reqwest::Response {
        let (request, mut secrets) = self.recorded_request(method, url, headers, body);
        let status = response.status();
        let response_headers = response.headers().clone();
        let json = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                let essence = value.split(';').next().unwrap_or(value).trim();
                essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
            });
        let recorded_headers =
            self.inner
                .scrubber
                .headers(&response_headers, TRANSFER_HEADERS, &mut secrets);
        let index = {
            let mut state = self.state();
            state.requests += 1;
            state.dirty = true;
            state.recorded.push(Recording {
                request,
                status: status.as_u16(),
                headers: recorded_headers,
                json,
                chunks: Vec::new(),
                secrets,
            });
            state.recorded.len() - 1
        };
        let vcr = self.clone();
        let body = response.bytes_stream().inspect(move |chunk| {
            if let Ok(chunk) = chunk {
                let mut state = vcr.state();
                state.dirty = true;
                if let Some(recording) = state.recorded.get_mut(index) {
                    recording.chunks.push(chunk.clone());
                }
            }
        });
        let mut builder = http::Response::builder().status(status);
        if let Some(headers) = builder.headers_mut() {
            *headers = response_headers;
        }
        match builder.body(reqwest::Body::wrap_stream(body)) {
            Ok(response) => reqwest::Response::from(response),
            // Unreachable: the status and headers came from a response.
            Err(_) => reqwest::Response::from(http::Response::new(reqwest::Body::from(""))),
        }
    }
}

impl fmt::Debug for Vcr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vcr")
            .field("path", &self.inner.path)
            .field("mode", &self.inner.mode)
            .field("order", &self.inner.order)
            .field("match_on", &self.inner.match_on)
            .field("scrubber", &self.inner.scrubber)
            .finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let state = self
            .state
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (Some(path), Mode::Record, true) = (&self.path, self.mode, state.dirty) else {
            return;
        };
        let vcr = Vcr {
            inner: Arc::new(Inner {
                path: Some(path.clone()),
                mode: self.mode,
                order: self.order,
                match_on: self.match_on,
                scrubber: self.scrubber.clone(),
                state: Mutex::new(State {
                    recorded: std::mem::take(&mut state.recorded),
                    ..State::default()
                }),
            }),
        };
        if let Err(err) = vcr.save() {
            tracing::error!(target: "llm_runtime::testing", error = %err, "could not write the cassette");
        }
    }
}

impl VcrBuilder {
    fn empty() -> Self {
        VcrBuilder {
            path: None,
            cassette: None,
            mode: None,
            order: Order::default(),
            match_on: MatchOn::default(),
            scrubs: Vec::new(),
        }
    }

    /// Records, replays, or records only when the file is missing (instead of `LLM_RECORD`).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Whether requests must come in the recorded order ([`Order::Strict`]) or may match any
    /// interaction not yet played ([`Order::Any`], the default: concurrent requests).
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// What a request must share with a recorded one to match (method, URI and body by
    /// default).
    pub fn match_on(mut self, match_on: MatchOn) -> Self {
        self.match_on = match_on;
        self
    }

    /// One more thing to scrub, besides the built-in lists.
    pub fn scrub(mut self, rule: Scrub) -> Self {
        self.scrubs.push(rule);
        self
    }

    /// The `Vcr`: in replay mode the cassette is read now.
    ///
    /// # Errors
    /// [`Error::User`] when `LLM_RECORD` holds a value [`Mode::from_env`] does not know;
    /// when replaying, the errors of [`Cassette::load`] (a missing file is of kind
    /// [`Missing`](CassetteErrorKind::Missing), and says how to record it).
    pub fn build(self) -> Result<Vcr> {
        let mode = match self.mode {
            Some(mode) => mode,
            None if self.path.is_some() => Mode::from_env()?,
            None => Mode::Record,
        };
        let mode = match (mode, &self.path) {
            (Mode::Auto, Some(path)) if path.exists() => Mode::Replay,
            (Mode::Auto, Some(_)) => Mode::Record,
            (Mode::Auto, None) if self.cassette.is_some() => Mode::Replay,
            (Mode::Auto, None) => Mode::Record,
            (mode, _) => mode,
        };
        let player = match (mode, self.cassette, &self.path) {
            (Mode::Replay, Some(cassette), _) => Some(Player::new(cassette.interactions)),
            (Mode::Replay, None, Some(path)) => {
                Some(Player::new(Cassette::load(path)?.interactions))
            }
            (Mode::Replay, None, None) => Some(Player::new(Vec::new())),
            _ => None,
        };
        Ok(Vcr {
            inner: Arc::new(Inner {
                path: self.path,
                mode,
                order: self.order,
                match_on: self.match_on,
                scrubber: Scrubber::new(&self.scrubs),
                state: Mutex::new(State {
                    player,
                    ..State::default()
                }),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Body;

    fn streamed(chunks: &[Vec<u8>]) -> reqwest::Response {
        let chunks: Vec<_> = chunks
            .iter()
            .map(|chunk| Ok::<Bytes, std::io::Error>(Bytes::from(chunk.clone())))
            .collect();
        let response = http::Response::builder()
            .status(200)
            .header("content-type", "text/event-stream")
            .header("content-length", "999")
            .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
            .unwrap();
        reqwest::Response::from(response)
    }

    async fn read_chunks(mut response: reqwest::Response) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(chunk) = response.chunk().await.unwrap() {
            out.push(chunk.to_vec());
        }
        out
    }

    #[tokio::test]
    async fn streams_are_recorded_and_replayed_chunk_by_chunk() {
        // Chunks ending inside a line, a JSON string and a two-byte character.
        let text = "data: {\"city\":\"Zürich\"}\n\ndata: [DONE]\n\n".as_bytes();
        let umlaut = text.iter().position(|&b| b >= 0x80).unwrap();
        let pieces = vec![
            text[..9].to_vec(),
            text[9..=umlaut].to_vec(),
            text[umlaut + 1..30].to_vec(),
            text[30..].to_vec(),
        ];
        let vcr = Vcr::recording().build().unwrap();
        let url = Url::parse("http://127.0.0.1:1/v1/chat?key=AIza-secret-123&alt=sse").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_static("Bearer sk-secret-abcdef"),
        );
        let recorded = vcr.record(
            &Method::POST,
            &url,
            &headers,
            br#"{"q":1}"#,
            streamed(&pieces),
        );
        assert_eq!(read_chunks(recorded).await, pieces);

        let cassette = vcr.cassette();
        let interaction = &cassette.interactions[0];
        assert_eq!(
            interaction.request.uri,
            "http://127.0.0.1:1/v1/chat?key=REDACTED&alt=sse"
        );
        assert_eq!(
            interaction.request.headers["authorization"],
            vec!["REDACTED"]
        );
        assert_eq!(interaction.response.chunk_bytes().unwrap(), pieces);
        assert!(matches!(interaction.response.chunks[1], Body::Base64(_)));
        assert!(!interaction.response.headers.contains_key("content-length"));

        // Replayed: the same chunks; the body compared as JSON, the key scrubbed alike.
        let player = Vcr::replaying(cassette).build().unwrap();
        let other_key =
            Url::parse("http://127.0.0.1:1/v1/chat?alt=sse&key=another-key-456").unwrap();
        let replayed = player
            .replay(
                &Method::POST,
                &other_key,
                &HeaderMap::new(),
                br#"{ "q": 1 }"#,
            )
            .unwrap();
        assert_eq!(replayed.status(), 200);
        assert_eq!(
            replayed.headers()["content-type"],
            HeaderValue::from_static("text/event-stream")
        );
        assert_eq!(read_chunks(replayed).await, pieces);
        player.finish().unwrap();
    }

    #[test]
    fn debug_shows_no_secret_text() {
        let vcr = Vcr::recording()
            .scrub(Scrub::text("super-secret-text"))
            .build()
            .unwrap();
        assert!(!format!("{vcr:?}").contains("super-secret-text"));
    }
}
