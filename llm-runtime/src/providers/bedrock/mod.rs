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
//! - [`eventstream`]: the binary `application/vnd.amazon.eventstream` frames of a stream;
//! - `driver.rs`: [`BedrockModel`], which sends the requests: every attempt signed anew,
//!   retries, frames decoded.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::messages::ModelResponse;
use crate::models::ModelProfile;
use crate::stream::PartsManager;

use super::{Flow, PreparedRequest, Protocol, SseEvent};

mod content;
pub mod credentials;
mod driver;
pub mod eventstream;
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

/// The Converse protocol: pure translation, no I/O.
///
/// A stream's events reach [`Protocol::on_event`] as an [`SseEvent`] whose `event` is the
/// frame's `:event-type` (or `:exception-type`) and whose `data` is its JSON payload.
#[derive(Debug, Clone, Default)]
pub struct BedrockConverse {
    provider_name: Option<Cow<'static, str>>,
}

impl BedrockConverse {
    /// The name reasoning signatures are marked with.
    fn own_name(&self) -> &str {
        self.provider_name.as_deref().unwrap_or(PROVIDER_NAME)
    }
}

impl Protocol for BedrockConverse {
    type StreamState = stream::ConverseStreamState;

    fn endpoint(&self, model_name: &str, stream: bool) -> String {
        let action = if stream {
            "converse-stream"
        } else {
            "converse"
        };
        format!("model/{}/{action}", model_path_segment(model_name))
    }

    fn request_body(&self, request: &PreparedRequest<'_>, _stream: bool) -> Result<Vec<u8>> {
        let profile = models::profile(request.model_name);
        let body = request::build(request, &profile, self.own_name())?;
        serde_json::to_vec(&body)
            .map_err(|e| Error::user(format!("the request cannot be serialized: {e}")))
    }

    fn parse_response(&self, body: &[u8], model_name: &str) -> Result<ModelResponse> {
        response::parse(body, model_name, self.own_name())
    }

    fn on_event(
        &self,
        event: &SseEvent<'_>,
        state: &mut Self::StreamState,
        parts: &mut PartsManager,
    ) -> Result<Flow> {
        stream::on_event(
            event.event,
            event.data.as_bytes(),
            state,
            parts,
            self.own_name(),
        )
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

    fn profile(&self, model_name: &str) -> ModelProfile {
        models::profile(model_name).model_profile()
    }

    fn set_provider_name(&mut self, name: Cow<'static, str>) {
        self.provider_name = Some(name);
    }
}
