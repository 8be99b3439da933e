//! The streaming example of pydantic-ai's direct API: stream a response, show each text delta
//! as it arrives, then the response the stream assembled and its usage.
//!
//! Runs offline on the built-in `test` model unless `LLM_MODEL` names another, e.g.
//! `LLM_MODEL=anthropic:claude-3-5-haiku-latest` (with `ANTHROPIC_API_KEY` set).

use std::io::Write as _;

use futures::StreamExt as _;
use llm_runtime::messages::{
    ModelRequest, ModelResponsePart, ModelResponsePartDelta, ModelResponseStreamEvent,
};
use llm_runtime::model_request_stream;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = std::env::var("LLM_MODEL").unwrap_or_else(|_| "test".to_owned());
    let mut stream = model_request_stream(
        model.as_str(),
        [ModelRequest::user_text_prompt("Who was Albert Einstein?")],
    )
    .await?;

    let mut stdout = std::io::stdout();
    let (mut starts, mut deltas) = (0, 0);
    while let Some(event) = stream.next().await {
        match event? {
            ModelResponseStreamEvent::PartStart(start) => {
                starts += 1;
                // A text part starts with the first piece of its text.
                if let ModelResponsePart::Text(text) = &start.part {
                    write!(stdout, "{}", text.content)?;
                }
            }
            ModelResponseStreamEvent::PartDelta(delta) => {
                deltas += 1;
                if let ModelResponsePartDelta::Text(text) = &delta.delta {
                    write!(stdout, "{}", text.content_delta)?;
                }
            }
            ModelResponseStreamEvent::PartEnd(_) | ModelResponseStreamEvent::FinalResult(_) => {}
        }
        stdout.flush()?;
    }
    println!();

    // The response the events assembled: what a non-streamed request would have returned.
    let response = stream.get();
    println!(
        "{starts} part(s) started, {deltas} delta(s) from {}; finish reason {:?}",
        stream.model_name(),
        response.finish_reason
    );
    println!("{:?}", stream.usage());
    Ok(())
}
