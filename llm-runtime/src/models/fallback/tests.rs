use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::{stream, StreamExt};

use super::*;
use crate::messages::{ModelRequest, TextPart};
use crate::models::{FunctionModel, StreamDelta};

fn prompt() -> Vec<ModelMessage> {
    vec![ModelRequest::user_text_prompt("Hi").into()]
}

/// A model that counts its calls and answers with `answer`.
fn counted(
    name: &str,
    calls: &Arc<AtomicUsize>,
    answer: impl Fn() -> Result<ModelResponse> + Send + Sync + 'static,
) -> Arc<dyn Model> {
    let calls = calls.clone();
    Arc::new(
        FunctionModel::new(move |_, _| {
            calls.fetch_add(1, Ordering::SeqCst);
            answer()
        })
        .with_model_name(name),
    )
}

fn text(text: &str) -> Result<ModelResponse> {
    Ok(ModelResponse::new(vec![TextPart::new(text).into()]))
}

async fn request(model: &FallbackModel) -> Result<ModelResponse> {
    let parameters = ModelRequestParameters::default();
    model
        .request(&prompt(), &ModelSettings::default(), &parameters)
        .await
}

#[tokio::test]
async fn the_next_model_answers_after_an_http_or_api_error() {
    let calls = Arc::new(AtomicUsize::new(0));
    let model = FallbackModel::new([
        counted("a", &calls, || Err(Error::http(500, "a", b"boom", None))),
        counted("b", &calls, || {
            Err(Error::api(
                "b is unreachable",
                crate::ApiErrorKind::Connection,
                None,
            ))
        }),
        counted("c", &calls, || text("from c")),
    ])
    .unwrap();
    assert_eq!(model.model_name(), "fallback:a,b,c");
    assert_eq!(model.system(), "fallback:function,function,function");
    let response = request(&model).await.unwrap();
    assert_eq!(response.text(), "from c");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn when_every_model_fails_the_error_lists_each_failure_in_order() {
    let calls = Arc::new(AtomicUsize::new(0));
    let model = FallbackModel::new([
        counted("a", &calls, || Err(Error::http(503, "a", b"down", None))),
        counted("b", &calls, || {
            Err(Error::http(429, "b", b"slow down", None))
        }),
    ])
    .unwrap();
    let error = request(&model).await.unwrap_err();
    assert_eq!(error.type_name(), "FallbackExceptionGroup");
    assert!(!error.is_retryable());
    let Error::Fallback { failures } = &error else {
        panic!("{error:?}")
    };
    let models: Vec<&str> = failures.iter().map(|f| f.model.as_str()).collect();
    assert_eq!(models, ["function:a", "function:b"]);
    assert_eq!(failures[0].error.status(), Some(503));
    assert_eq!(failures[1].error.status(), Some(429));
    let message = error.to_string();
    assert!(
        message.starts_with("every model failed: function:a: status 503"),
        "{message}"
    );
    assert!(message.contains("function:b: status 429"), "{message}");
}

#[tokio::test]
async fn another_error_is_returned_at_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let model = FallbackModel::new([
        counted("a", &calls, || Err(Error::user("bad settings"))),
        counted("b", &calls, || text("never asked")),
    ])
    .unwrap();
    let error = request(&model).await.unwrap_err();
    assert!(matches!(error, Error::User { .. }), "{error:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn fallback_on_decides_which_errors_move_on() {
    let calls = Arc::new(AtomicUsize::new(0));
    let model = FallbackModel::new([
        counted("a", &calls, || Err(Error::unexpected("garbled"))),
        counted("b", &calls, || text("from b")),
    ])
    .unwrap();
    assert!(request(&model).await.is_err(), "not by default");
    let model = model.fallback_on(|error| matches!(error, Error::UnexpectedModelBehavior { .. }));
    assert_eq!(request(&model).await.unwrap().text(), "from b");
}

#[test]
fn no_model_is_a_user_error() {
    let error = FallbackModel::new(Vec::<Arc<dyn Model>>::new()).unwrap_err();
    assert!(matches!(error, Error::User { .. }), "{error:?}");
    let error = FallbackModel::new(["no-such-provider:x"]).unwrap_err();
    assert!(matches!(error, Error::User { .. }), "{error:?}");
}

/// A streaming model whose stream gives `deltas`, then fails with `error` if there is one.
fn streaming(
    name: &str,
    deltas: Vec<&'static str>,
    error: Option<fn() -> Error>,
) -> Arc<dyn Model> {
    Arc::new(
        FunctionModel::streaming(move |_, _| {
            let deltas = deltas
                .clone()
                .into_iter()
                .map(|d| Ok(StreamDelta::Text(d.to_owned())));
            let failure = error.map(|make| Err(make()));
            stream::iter(deltas.chain(failure)).boxed()
        })
        .with_model_name(name),
    )
}

async fn stream_text(model: &FallbackModel) -> Result<String> {
    let parameters = ModelRequestParameters::default();
    let mut stream = model
        .request_stream(&prompt(), &ModelSettings::default(), &parameters)
        .await?;
    while let Some(event) = stream.next().await {
        event?;
    }
    Ok(stream.get().text())
}

#[tokio::test]
async fn a_stream_falls_back_when_it_fails_before_its_first_event() {
    let model = FallbackModel::new([
        streaming(
            "a",
            vec![],
            Some(|| Error::http(529, "a", b"overloaded", None)),
        ),
        streaming("b", vec!["Hello", ", world"], None),
    ])
    .unwrap();
    assert_eq!(stream_text(&model).await.unwrap(), "Hello, world");
}

#[tokio::test]
async fn a_stream_that_fails_after_its_first_event_keeps_its_error() {
    let model = FallbackModel::new([
        streaming(
            "a",
            vec!["Hel"],
            Some(|| Error::http(529, "a", b"overloaded", None)),
        ),
        streaming("b", vec!["never"], None),
    ])
    .unwrap();
    let error = stream_text(&model).await.unwrap_err();
    assert_eq!(error.status(), Some(529), "{error:?}");
}

#[tokio::test]
async fn a_fallback_model_string_tries_each_model_string_in_order() {
    let model = crate::models::infer_model("fallback:test:first,test:second").unwrap();
    assert_eq!(model.model_name(), "fallback:first,second");
    assert_eq!(model.system(), "fallback:test,test");
    let response = model
        .request(
            &prompt(),
            &ModelSettings::default(),
            &ModelRequestParameters::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.model_name.as_deref(), Some("first"));
    let err = crate::models::infer_model("fallback:test:a,nope:b").unwrap_err();
    assert!(
        err.to_string().starts_with("unknown model provider `nope`"),
        "{err}"
    );
    let err = crate::models::infer_model("fallback:test:a, ").unwrap_err();
    assert!(err.to_string().contains("has an empty entry"), "{err}");
}
