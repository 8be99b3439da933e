//! Record/replay (`llm_runtime::testing`) end to end: each protocol records an exchange with a
//! local server standing in for the provider, whole and streamed, into a cassette file; the
//! server is then stopped and the same request is replayed from the file, giving the same
//! response (and the same stream events). The cassette holds no key, token or signature; a
//! request that matches nothing and a corrupt cassette are typed errors.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use llm_runtime::messages::{ModelMessage, ModelRequest};
use llm_runtime::models::{Model, ModelRequestParameters};
use llm_runtime::providers::OpenAi;
use llm_runtime::settings::ModelSettings;
use llm_runtime::testing::{Body, Cassette, Mode, Order, Scrub, Vcr};
use llm_runtime::{CassetteErrorKind, Error};
use serde_json::{json, Value};

use support::server::{End, Reply, TestServer};
use support::stream::{collect_json, timeless};
use support::wire::{token_server, Limits, Proto, SECRET};

/// A fresh folder for this test's cassettes.
fn cassette_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-record-replay-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn prompt(text: &str) -> Vec<ModelMessage> {
    vec![ModelRequest::user_text_prompt(text).into()]
}

/// The request, whole or streamed: the response (and the events) as JSON, receive times out.
async fn run(model: Arc<dyn Model>, streamed: bool, text: &str) -> llm_runtime::Result<Value> {
    let messages = prompt(text);
    let settings = ModelSettings::default();
    let parameters = ModelRequestParameters::default();
    if streamed {
        let stream = model
            .request_stream(&messages, &settings, &parameters)
            .await?;
        let (events, error, mut response) = collect_json(stream).await;
        if let Some(error) = error {
            return Err(error);
        }
        response["timestamp"] = Value::Null;
        Ok(json!({"events": events, "response": response}))
    } else {
        let response = model.request(&messages, &settings, &parameters).await?;
        Ok(serde_json::to_value(timeless(response)).unwrap())
    }
}

/// Records `proto`'s answer from a local server, stops the server, replays it from the file.
async fn record_then_replay(proto: Proto, streamed: bool, dir: &Path) {
    let key = format!(
        "{}-{}",
        proto.name(),
        if streamed { "stream" } else { "whole" }
    );
    let path = dir.join(format!("{key}.json"));
    let reply = if streamed {
        // Each frame its own chunk, a pause between them so they arrive apart.
        proto
            .stream_reply(proto.stream_frames(), End::Complete)
            .piece_delay(std::time::Duration::from_millis(20))
    } else {
        proto.whole_reply()
    };
    let server = TestServer::always(reply).await;
    let tokens = token_server().await;
    let base = server.url("");
    let limits = Limits::default();

    let recorder = Vcr::at(&path).mode(Mode::Record).build().unwrap();
    assert!(!recorder.is_replaying());
    let model = proto.model_at(&base, &tokens, &limits);
    let recorded = recorder
        .scope(run(model, streamed, "Capital of France?"))
        .await
        .unwrap_or_else(|e| panic!("{key}: recording: {e}"));
    recorder.finish().unwrap();
    assert_eq!(server.requests().len(), 1, "{key}");
    let fetched_tokens = tokens.requests().len();
    drop(server);

    // Nothing secret reached the file: not the key, the OAuth token, nor the AWS key id.
    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [SECRET, "ya29.RELIABILITY-TOKEN", "AKIARELIABILITY"] {
        assert!(
            !text.contains(secret),
            "{key}: {secret} in the cassette:\n{text}"
        );
    }
    let cassette = Cassette::load(&path).unwrap();
    let [interaction] = &cassette.interactions[..] else {
        panic!(
            "{key}: one interaction, not {}",
            cassette.interactions.len()
        )
    };
    assert!(interaction.request.uri.starts_with(&base), "{key}");
    assert!(
        matches!(interaction.request.body, Some(Body::Json(_))),
        "{key}"
    );
    let response = &interaction.response;
    if streamed {
        assert!(response.body.is_none(), "{key}");
        // The chunks as they came: together the frames the server wrote, byte for byte.
        assert!(
            response.chunks.len() > 1,
            "{key}: {} chunk(s)",
            response.chunks.len()
        );
        assert_eq!(
            response.body_bytes().unwrap(),
            proto.stream_frames().concat(),
            "{key}"
        );
    } else {
        assert_eq!(response.body, Some(Body::Json(proto.whole())), "{key}");
    }

    // Replayed with the server gone: the same answer, and no token fetched.
    let player = Vcr::at(&path).mode(Mode::Replay).build().unwrap();
    assert!(player.is_replaying());
    let model = proto.model_at(&base, &tokens, &limits);
    let replayed = player
        .scope(run(model, streamed, "Capital of France?"))
        .await
        .unwrap_or_else(|e| panic!("{key}: replaying: {e}"));
    assert_eq!(replayed, recorded, "{key}");
    assert_eq!(
        tokens.requests().len(),
        fetched_tokens,
        "{key}: a token was fetched"
    );
    player.finish().unwrap();

    // Another prompt matches nothing: the error names the request and the difference.
    let player = Vcr::at(&path).mode(Mode::Replay).build().unwrap();
    let model = proto.model_at(&base, &tokens, &limits);
    let err = player
        .scope(run(model, streamed, "Capital of Italy?"))
        .await
        .unwrap_err();
    match &err {
        Error::Cassette {
            kind: CassetteErrorKind::Unmatched,
            path: Some(at),
            ..
        } => assert_eq!(at, &path, "{key}"),
        other => panic!("{key}: {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("request 1 (POST ")
            && message.contains(&path.display().to_string())
            && message.contains("\"Capital of France?\" != sent \"Capital of Italy?\""),
        "{key}: {message}"
    );
}

#[tokio::test]
async fn every_protocol_records_then_replays_whole_and_streamed() {
    let dir = cassette_dir("protocols");
    let mut done = Vec::new();
    for proto in Proto::ALL {
        for streamed in [false, true] {
            record_then_replay(proto, streamed, &dir).await;
            done.push(format!(
                "{}{}",
                proto.name(),
                if streamed { "+stream" } else { "" }
            ));
        }
    }
    println!("recorded then replayed: {}", done.join(", "));
    assert_eq!(done.len(), 14);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn bedrock_event_streams_are_recorded_as_binary_chunks() {
    let dir = cassette_dir("bedrock-binary");
    record_then_replay(Proto::Bedrock, true, &dir).await;
    let cassette = Cassette::load(dir.join("bedrock-stream.json")).unwrap();
    let chunks = &cassette.interactions[0].response.chunks;
    // AWS event-stream frames are binary (lengths and CRCs): kept as base64.
    assert!(
        chunks.iter().all(|chunk| matches!(chunk, Body::Base64(_))),
        "{chunks:?}"
    );
    let headers = &cassette.interactions[0].request.headers;
    assert_eq!(headers["authorization"], vec!["REDACTED"]);
    assert!(headers.contains_key("x-amz-date"), "{headers:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A server that answers the key back in its error body, as some providers do.
#[tokio::test]
async fn secrets_are_scrubbed_from_headers_query_and_bodies() {
    let dir = cassette_dir("scrub");
    let path = dir.join("scrub.json");
    let echo = format!("Incorrect API key provided: {SECRET}. Your team secret is team-secret-1.");
    let server = TestServer::always(
        Reply::json(
            401,
            &json!({"error": {"message": echo, "access_token": "ya29.leaked"}}),
        )
        .header("set-cookie", "session=abc123456789"),
    )
    .await;
    let vcr = Vcr::at(&path)
        .mode(Mode::Record)
        .scrub(Scrub::text("team-secret-1"))
        .scrub(Scrub::header("x-team"))
        .build()
        .unwrap();
    let model = OpenAi::builder()
        .base_url(server.url(""))
        .query_param("key", SECRET)
        .query_param("tenant", "t1")
        .api_key(SECRET)
        .header("x-team", "blue-team-header")
        .retry(llm_runtime::http::RetryPolicy::default().with_max_retries(0))
        .vcr(vcr.clone())
        .build()
        .unwrap()
        .model("gpt-4o");
    let err = run(Arc::new(model), false, "hi").await.unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    vcr.finish().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [
        SECRET,
        "team-secret-1",
        "ya29.leaked",
        "abc123456789",
        "blue-team-header",
    ] {
        assert!(!text.contains(secret), "{secret} in the cassette:\n{text}");
    }
    let cassette = Cassette::load(&path).unwrap();
    let interaction = &cassette.interactions[0];
    assert_eq!(
        interaction.request.headers["authorization"],
        vec!["REDACTED"]
    );
    assert_eq!(interaction.request.headers["x-team"], vec!["REDACTED"]);
    assert!(
        interaction.request.uri.contains("key=REDACTED&tenant=t1"),
        "{}",
        interaction.request.uri
    );
    assert_eq!(interaction.response.status, 401);
    assert_eq!(
        interaction.response.body,
        Some(Body::Json(json!({"error": {
            "message": "Incorrect API key provided: REDACTED. Your team secret is REDACTED.",
            "access_token": "REDACTED"
        }})))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Retries are exchanges too: a 429 then a 200 are recorded and replayed in order.
#[tokio::test]
async fn retried_attempts_are_recorded_and_replayed_in_order() {
    let dir = cassette_dir("retries");
    let path = dir.join("retries.json");
    let server = TestServer::sequence(vec![
        Reply::json(429, &json!({"error": {"message": "slow down"}})),
        Proto::Chat.whole_reply(),
    ])
    .await;
    let tokens = token_server().await;
    let base = server.url("");
    let recorder = Vcr::at(&path).mode(Mode::Record).build().unwrap();
    let recorded = recorder
        .scope(run(
            Proto::Chat.model_at(&base, &tokens, &Limits::default()),
            false,
            "hi",
        ))
        .await
        .unwrap();
    recorder.finish().unwrap();
    drop(server);
    let statuses: Vec<u16> = Cassette::load(&path)
        .unwrap()
        .interactions
        .iter()
        .map(|i| i.response.status)
        .collect();
    assert_eq!(statuses, [429, 200]);
    let player = Vcr::at(&path)
        .mode(Mode::Replay)
        .order(Order::Strict)
        .build()
        .unwrap();
    let replayed = player
        .scope(run(
            Proto::Chat.model_at(&base, &tokens, &Limits::default()),
            false,
            "hi",
        ))
        .await
        .unwrap();
    assert_eq!(replayed, recorded);
    player.finish().unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn unplayed_interactions_and_missing_or_corrupt_cassettes_are_typed_errors() {
    let dir = cassette_dir("errors");
    std::fs::create_dir_all(&dir).unwrap();

    // Replay of a file that is not there says how to record it.
    let err = Vcr::at(dir.join("absent.json"))
        .mode(Mode::Replay)
        .build()
        .unwrap_err();
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
    assert!(err.to_string().contains("LLM_RECORD=1"), "{err}");

    // Not JSON, JSON of another shape: corrupt, naming the file.
    for (name, text) in [
        ("garbage.json", "interactions:\n- request: {}\n"),
        (
            "shape.json",
            r#"{"version": 1, "interactions": {"request": 1}}"#,
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let err = Vcr::at(&path).mode(Mode::Replay).build().unwrap_err();
        assert!(
            matches!(&err, Error::Cassette { kind: CassetteErrorKind::Corrupt, path: Some(at), .. } if at == &path),
            "{name}: {err:?}"
        );
    }

    // A base64 chunk that does not decode fails the request that plays it, not the build.
    let path = dir.join("bad-chunk.json");
    std::fs::write(
        &path,
        serde_json::to_string(&json!({"version": 1, "interactions": [{
            "request": {"method": "POST", "uri": "http://127.0.0.1:9/chat/completions"},
            "response": {"status": 200, "headers": {"content-type": ["text/event-stream"]},
                         "chunks": [{"base64": "not base64!"}]}
        }]}))
        .unwrap(),
    )
    .unwrap();
    let vcr = Vcr::at(&path)
        .mode(Mode::Replay)
        .match_on(llm_runtime::testing::MatchOn::NOTHING)
        .build()
        .unwrap();
    let tokens = token_server().await;
    let model = Proto::Chat.model_at("http://127.0.0.1:9", &tokens, &Limits::default());
    let err = vcr.scope(run(model, true, "hi")).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Cassette {
                kind: CassetteErrorKind::Corrupt,
                ..
            }
        ),
        "{err:?}"
    );

    // A cassette of two interactions of which one is requested: `finish` names the other.
    let cassette: Cassette = serde_json::from_value(json!({"version": 1, "interactions": [
        {"request": {"method": "POST", "uri": "http://127.0.0.1:9/chat/completions"},
         "response": {"status": 200, "headers": {"content-type": ["application/json"]},
                      "body": {"json": Proto::Chat.whole()}}},
        {"request": {"method": "POST", "uri": "http://127.0.0.1:9/chat/completions"},
         "response": {"status": 200, "headers": {"content-type": ["application/json"]},
                      "body": {"json": Proto::Chat.whole()}}}
    ]}))
    .unwrap();
    let vcr = Vcr::replaying(cassette)
        .match_on(llm_runtime::testing::MatchOn::NOTHING)
        .build()
        .unwrap();
    let model = Proto::Chat.model_at("http://127.0.0.1:9", &tokens, &Limits::default());
    let response = vcr.scope(run(model, false, "hi")).await.unwrap();
    assert_eq!(response["parts"][0]["content"], "Paris");
    let err = vcr.finish().unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Cassette {
                kind: CassetteErrorKind::Unplayed,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("interactions [1]"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `Mode::Auto` records when the file is missing and replays once it exists.
#[tokio::test]
async fn auto_mode_records_once_then_replays() {
    let dir = cassette_dir("auto");
    let path = dir.join("auto.json");
    let server = TestServer::always(Proto::Anthropic.whole_reply()).await;
    let tokens = token_server().await;
    let base = server.url("");
    let first = Vcr::at(&path).mode(Mode::Auto).build().unwrap();
    assert_eq!(first.mode(), Mode::Record);
    let model = Proto::Anthropic.model_at(&base, &tokens, &Limits::default());
    let recorded = first.scope(run(model, false, "hi")).await.unwrap();
    drop(first); // written when the last clone goes, without `finish`
    drop(server);
    let second = Vcr::at(&path).mode(Mode::Auto).build().unwrap();
    assert_eq!(second.mode(), Mode::Replay);
    let model = Proto::Anthropic.model_at(&base, &tokens, &Limits::default());
    assert_eq!(
        second.scope(run(model, false, "hi")).await.unwrap(),
        recorded
    );
    second.finish().unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
