//! Record/replay for your own tests (the `testing` feature), VCR-style: run a test once
//! against the real provider to record every HTTP exchange into a cassette file, then replay
//! it offline, with no key and no network.
//!
//! A [`Vcr`] plugs in at the HTTP transport of a provider
//! ([`ProviderBuilder::vcr`](crate::providers::ProviderBuilder::vcr), or
//! [`Vcr::scope`] for every provider used in a future, model strings included), so every
//! provider works unchanged: OpenAI, Anthropic, Gemini, Bedrock (signed with SigV4), Vertex
//! AI (OAuth tokens), Cohere and the OpenAI-compatible hosts.
//!
//! - **Record** ([`Mode::Record`], `LLM_RECORD=1`): requests go to the provider; each
//!   exchange is kept (retries included, in the order sent) and the cassette is written by
//!   [`Vcr::finish`]. Secrets are scrubbed before anything is written: the headers in
//!   [`SECRET_HEADERS`] (`Authorization`, `x-api-key`, `x-goog-api-key`, `api-key`, AWS
//!   signatures and `X-Amz-Security-Token`…) and any header marked sensitive, the query
//!   parameters in [`SECRET_QUERY_PARAMS`] (`key=`…), the JSON fields in
//!   [`SECRET_JSON_FIELDS`] (OAuth tokens…), and each of those values wherever else it
//!   appears (an error body echoing the key), plus your own [`Scrub`] rules.
//! - **Replay** ([`Mode::Replay`], the default when `LLM_RECORD` is unset): nothing leaves
//!   the process, no token is fetched and nothing is signed. Each request is answered by the
//!   recorded interaction with the same method, URI and body (JSON bodies compared as JSON,
//!   the order of query parameters aside; [`MatchOn`] narrows this), each interaction once,
//!   in any order or, with [`Order::Strict`], in the recorded one. A stream is replayed
//!   chunk by chunk as it was recorded, so the decoders see the same chunk boundaries. A
//!   request that matches nothing fails with [`Error::Cassette`] of
//!   kind [`Unmatched`](crate::CassetteErrorKind::Unmatched), naming the request (its number,
//!   method and URL), the cassette, and the first difference from the closest recording.
//! - **Auto** ([`Mode::Auto`], `LLM_RECORD=auto`): replays when the file exists, records
//!   when it does not.
//!
//! A cassette is readable JSON ([`Cassette`]; the [`cassette`] module shows the format).
//! [`Cassette::from_vcrpy`] converts the YAML cassettes of Python's vcrpy (pydantic-ai's
//! tests), once parsed into JSON.
//!
//! # Examples
//!
//! A test as you would write it; the first run with `LLM_RECORD=1` and a real key records the
//! cassette, later runs replay it (a key is still needed to build the provider: any will do):
//!
//! ```no_run
//! # #[cfg(feature = "openai")] {
//! use llm_runtime::{model_request, messages::ModelRequest, providers::OpenAi};
//! use llm_runtime::testing::Vcr;
//!
//! # async fn capital_of_france() -> llm_runtime::Result<()> {
//! let vcr = Vcr::at("tests/cassettes/capital_of_france.json").build()?;
//! let mut builder = OpenAi::builder().vcr(vcr.clone());
//! if vcr.is_replaying() {
//!     builder = builder.api_key("replayed");
//! }
//! let model = builder.build()?.model("gpt-4.1-nano");
//! let (response, _) =
//!     model_request(model, [ModelRequest::user_text_prompt("What is the capital of France?")])
//!         .await?;
//! assert!(response.text().contains("Paris"));
//! vcr.finish()?;
//! # Ok(()) }
//! # }
//! ```
//!
//! Replaying a cassette held in memory, here written by hand:
//!
//! ```
//! # #[cfg(feature = "openai")] {
//! use llm_runtime::{model_request, messages::ModelRequest, providers::OpenAi};
//! use llm_runtime::testing::{Cassette, MatchOn, Vcr};
//!
//! let cassette: Cassette = serde_json::from_value(serde_json::json!({
//!     "version": 1,
//!     "interactions": [{
//!         "request": {"method": "POST", "uri": "https://api.openai.com/v1/chat/completions"},
//!         "response": {
//!             "status": 200,
//!             "headers": {"content-type": ["application/json"]},
//!             "body": {"json": {
//!                 "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4.1-nano",
//!                 "choices": [{"index": 0, "finish_reason": "stop",
//!                              "message": {"role": "assistant", "content": "Paris."}}],
//!                 "usage": {"prompt_tokens": 14, "completion_tokens": 2, "total_tokens": 16}
//!             }}
//!         }
//!     }]
//! }))?;
//! // The request's body is not compared here: the cassette above has none.
//! let vcr = Vcr::replaying(cassette)
//!     .match_on(MatchOn { body: false, ..MatchOn::default() })
//!     .build()?;
//! let model = OpenAi::builder().api_key("unused").vcr(vcr.clone()).build()?.model("gpt-4.1-nano");
//!
//! # let runtime = tokio::runtime::Runtime::new().map_err(|e| llm_runtime::Error::user(e.to_string()))?;
//! let (response, usage) = runtime.block_on(async {
//!     model_request(model, [ModelRequest::user_text_prompt("Capital of France?")]).await
//! })?;
//! assert_eq!(response.text(), "Paris.");
//! assert_eq!(usage.total_tokens, 16);
//! vcr.finish()?; // every interaction was played
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cassette;
mod player;
mod scrub;
mod vcr;
mod vcrpy;

pub use crate::error::CassetteErrorKind;
pub use cassette::{
    Body, Cassette, Interaction, RecordedRequest, RecordedResponse, CASSETTE_VERSION,
};
pub use scrub::{Scrub, REDACTED, SECRET_HEADERS, SECRET_JSON_FIELDS, SECRET_QUERY_PARAMS};
pub use vcr::{Vcr, VcrBuilder};

use crate::error::{Error, Result};

/// The environment variable that chooses the [`Mode`] of a [`Vcr::at`].
pub const RECORD_ENV: &str = "LLM_RECORD";

/// Whether a [`Vcr`] records or replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Send every request to the provider and record the exchanges (the file is replaced).
    Record,
    /// Answer every request from the cassette; nothing is sent.
    Replay,
    /// Replay when the cassette file exists, else record.
    Auto,
}

impl Mode {
    /// The mode `LLM_RECORD` asks for: unset, empty, `0`, `false` or `none` replay; `1`,
    /// `true`, `all` or `record` record; `auto`, `once` or `new` record only missing
    /// cassettes (case-insensitive).
    ///
    /// # Errors
    /// [`Error::User`] naming the variable for any other value.
    pub fn from_env() -> Result<Mode> {
        Mode::parse(std::env::var(RECORD_ENV).ok().as_deref())
    }

    fn parse(value: Option<&str>) -> Result<Mode> {
        let value = value.unwrap_or_default().trim().to_ascii_lowercase();
        match value.as_str() {
            "" | "0" | "false" | "no" | "none" | "replay" => Ok(Mode::Replay),
            "1" | "true" | "yes" | "all" | "record" => Ok(Mode::Record),
            "auto" | "once" | "new" => Ok(Mode::Auto),
            other => Err(Error::user(format!(
                "{RECORD_ENV}={other} is not a record mode: use 1 to record, auto to record \
                 missing cassettes, or leave it unset to replay"
            ))),
        }
    }
}

/// Whether replayed requests must come in the recorded order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// A request may match any interaction not yet played (concurrent requests).
    #[default]
    Any,
    /// A request must match the first interaction not yet played.
    Strict,
}

/// What a replayed request must share with a recorded one. All `true` by default; with all
/// `false` and [`Order::Strict`], the n-th request gets the n-th response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchOn {
    /// The HTTP method.
    pub method: bool,
    /// The URI, query included (the order of its parameters aside).
    pub uri: bool,
    /// The body: as JSON when both are JSON, else byte for byte.
    pub body: bool,
}

impl MatchOn {
    /// Method, URI and body.
    pub const ALL: MatchOn = MatchOn {
        method: true,
        uri: true,
        body: true,
    };
    /// Nothing: any request matches.
    pub const NOTHING: MatchOn = MatchOn {
        method: false,
        uri: false,
        body: false,
    };
}

impl Default for MatchOn {
    fn default() -> Self {
        MatchOn::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_variable_chooses_the_mode() {
        assert_eq!(Mode::parse(None).unwrap(), Mode::Replay);
        assert_eq!(Mode::parse(Some("")).unwrap(), Mode::Replay);
        assert_eq!(Mode::parse(Some("1")).unwrap(), Mode::Record);
        assert_eq!(Mode::parse(Some(" Auto ")).unwrap(), Mode::Auto);
        let err = Mode::parse(Some("sometimes")).unwrap_err();
        assert!(err.to_string().contains("LLM_RECORD=sometimes"), "{err}");
    }
}
