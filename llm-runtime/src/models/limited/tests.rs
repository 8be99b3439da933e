use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;

use super::*;
use crate::messages::{ModelRequest, TextPart};
use crate::models::{FunctionModel, StreamDelta};
use crate::Error;

fn prompt() -> Vec<ModelMessage> {
    vec![ModelRequest::user_text_prompt("Hi").into()]
}

#[test]
fn a_limit_of_zero_is_a_user_error() {
    let error = ConcurrencyLimiter::new(0).unwrap_err();
    assert!(matches!(error, Error::User { .. }), "{error:?}");
    assert!(ConcurrencyLimitedModel::new("test", 0).is_err());
    assert!(ConcurrencyLimitedModel::new("no-such-provider:x", 1).is_err());
}

#[test]
fn the_wrapper_is_the_wrapped_model_by_name() {
    let model = ConcurrencyLimitedModel::new("test", 3).unwrap();
    assert_eq!(model.model_name(), "test");
    assert_eq!(model.system(), "test");
    assert_eq!(model.limiter().max_in_flight(), 3);
    let printed = format!("{model:?}");
    assert!(printed.contains("max_in_flight: 3"), "{printed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_the_limit_runs_at_once_across_models_sharing_a_limiter() {
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let slow = {
        let (running, most) = (running.clone(), most.clone());
        FunctionModel::new(move |_, _| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(2));
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(ModelResponse::new(vec![TextPart::new("ok").into()]))
        })
    };
    let limiter = ConcurrencyLimiter::new(2).unwrap();
    let a = ConcurrencyLimitedModel::with_limiter(slow.clone(), limiter.clone()).unwrap();
    let b = ConcurrencyLimitedModel::with_limiter(slow, limiter.clone()).unwrap();
    let mut tasks = Vec::new();
    for i in 0..24 {
        let model = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let parameters = ModelRequestParameters::default();
            model
                .request(&prompt(), &ModelSettings::default(), &parameters)
                .await
                .map(|r| r.text())
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "ok");
    }
    assert!(most.load(Ordering::SeqCst) <= 2, "{most:?}");
    assert_eq!(limiter.in_flight(), 0);
}

#[tokio::test]
async fn a_stream_holds_its_slot_until_it_ends_or_is_dropped() {
    let streaming = FunctionModel::streaming(|_, _| {
        futures::stream::iter(["a", "b"].map(|t| Ok(StreamDelta::Text(t.to_owned())))).boxed()
    });
    let model = ConcurrencyLimitedModel::new(streaming, 1).unwrap();
    let parameters = ModelRequestParameters::default();
    let settings = ModelSettings::default();
    let messages = prompt();

    let mut stream = model
        .request_stream(&messages, &settings, &parameters)
        .await
        .unwrap();
    assert_eq!(model.limiter().in_flight(), 1);
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    assert_eq!(model.limiter().in_flight(), 0, "released at the end");
    assert_eq!(stream.get().text(), "ab");

    let stream = model
        .request_stream(&messages, &settings, &parameters)
        .await
        .unwrap();
    assert_eq!(model.limiter().in_flight(), 1);
    drop(stream);
    assert_eq!(model.limiter().in_flight(), 0, "released when dropped");
}
