//! AWS Bedrock Runtime's Converse API (`POST /model/{modelId}/converse` and
//! `/converse-stream`): the [`BedrockConverse`] protocol and the `bedrock` provider
//! ([`BedrockModel`], model strings `bedrock:<model id, inference profile id or ARN>`).
//!
//! API reference:
//! <https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html>.
//!
//! The translation follows pydantic-ai's `BedrockConverseModel` and its per-family Bedrock
//! profiles. The files, each one concern:
//! - [`credentials`]: AWS's standard credential, region and endpoint sources, in AWS's order;
//! - [`sigv4`]: AWS Signature Version 4 over the exact bytes sent (botocore is its oracle);
//! - `wire.rs`: the JSON of requests, responses and stream events (serde types only);
//! - `request.rs`: messages, settings and parameters to the request body (`content.rs`: user
//!   prompt content to blocks);
//! - `response.rs`: a response body to a [`ModelResponse`];
//! - `stream.rs`: stream events to [`PartsManager`] calls ([`stream::on_event`]);
//! - `models.rs`: what each model family supports;
//! - `driver.rs`: [`BedrockModel`], which sends the requests: every attempt signed anew
//!   (the shared driver has no request signer yet), retries, the event-stream frames decoded
//!   by [`crate::http::eventstream`] and applied through [`apply_event`](crate::providers::apply_event).

use crate::error::{Error, Result};
use crate::messages::ModelResponse;
use crate::models::ModelProfile;
use crate::stream::PartsManager;
use crate::warning::Warnings;

use super::{Flow, Framing, PreparedRequest, Protocol, RawEvent, ResponseContext};

mod content;
pub mod credentials;
mod driver;
mod models;
mod request;
mod response;
pub mod sigv4;
pub mod stream;
mod wire;

pub use driver::BedrockModel;

/// The provider name (and model-string prefix) of Bedrock.
pub const PROVIDER_NAME: &str = "bedrock";

/// The signing name of Bedrock Runtime in SigV4 scopes.
pub const SIGNING_SERVICE: &str = "bedrock";

/// The id pydantic-ai gives a thinking part holding redacted (encrypted) reasoning; its
/// signature is the redacted content.
pub const REDACTED_CONTENT_ID: &str = "redacted_content";

/// A model id, inference profile id or ARN as one segment of the request path: every byte but
/// the unreserved ones percent-encoded (`:` as `%3A`, `/` as `%2F`), as botocore encodes the
/// `{modelId}` label. [`sigv4`] then encodes the path once more for the signature.
///
/// ```
/// use llm_runtime::providers::bedrock::model_path_segment;
/// assert_eq!(
///     model_path_segment("arn:aws:bedrock:us-east-1:1:inference-profile/us.amazon.nova-pro-v1:0"),
///     "arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.amazon.nova-pro-v1%3A0"
/// );
/// ```
pub fn model_path_segment(model_id: &str) -> String {
    sigv4::uri_encode(model_id.as_bytes(), false)
}

/// The Converse protocol: pure translation, no I/O. Streams are AWS event-stream frames
/// ([`Framing::AwsEventStream`]); an exception frame becomes the [`Error::Http`] its
/// exception stands for ([`stream::exception_error`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct BedrockConverse;

impl Protocol for BedrockConverse {
    type StreamState = stream::ConverseStreamState;
    type Event<'a> = stream::ConverseEvent;
    const EVENT_DESCRIPTION: &'static str = "ConverseStream event";

    fn framing(&self) -> Framing {
        Framing::AwsEventStream
    }

    fn endpoint(&self, model_name: &str, stream: bool) -> String {
        let action = if stream {
            "converse-stream"
        } else {
            "converse"
        };
        format!("model/{}/{action}", model_path_segment(model_name))
    }

    fn request_body(
        &self,
        request: &PreparedRequest<'_>,
        _stream: bool,
        warnings: &mut Warnings,
    ) -> Result<Vec<u8>> {
        let profile = models::profile(request.model_name);
        let body = request::build(request, &profile, warnings)?;
        serde_json::to_vec(&body)
            .map_err(|e| Error::user(format!("the request cannot be serialized: {e}")))
    }

    fn parse_response(&self, body: &[u8], cx: &mut ResponseContext<'_>) -> Result<ModelResponse> {
        response::parse(body, cx.model_name, cx.provider_name, &mut cx.warnings)
    }

    fn parse_event<'a>(&self, event: &RawEvent<'a>) -> serde_json::Result<Self::Event<'a>> {
        stream::parse_event(event.name, event.data)
    }

    fn on_event(
        &self,
        event: Self::Event<'_>,
        raw: &RawEvent<'_>,
        state: &mut Self::StreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        stream::on_event(event, raw.name, raw.data, state, parts)
    }

    fn on_eof(&self, state: &mut Self::StreamState, _parts: &mut PartsManager) -> Result<()> {
        if state.stopped() {
            Ok(())
        } else {
            Err(Error::unexpected(
                "the stream ended before `messageStop`: the response is truncated",
            ))
        }
    }

    fn on_exception(&self, event: &RawEvent<'_>, parts: &PartsManager) -> Error {
        stream::exception_error(event.name, event.data.as_bytes(), &parts.model_name)
    }

    fn profile(&self, model_name: &str) -> ModelProfile {
        models::profile(model_name).model_profile()
    }
}
