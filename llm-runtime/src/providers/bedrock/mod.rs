//! AWS Bedrock Runtime's Converse API (`POST /model/{modelId}/converse` and
//! `/converse-stream`): the [`BedrockConverse`] protocol and the `bedrock` provider (model
//! strings `bedrock:<model id, inference profile id or ARN>`; [`model`] and [`builder`]).
//!
//! API reference:
//! <https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html>.
//!
//! The translation follows pydantic-ai's `BedrockConverseModel` and its per-family Bedrock
//! profiles; the shared driver ([`ProviderModel`]) sends it, as it does every protocol: the
//! body, retries, timeouts, the AWS event-stream frames ([`Framing::AwsEventStream`]), and
//! the auth, a [`SigV4Signer`] that signs each attempt anew (or the Bedrock API key as a
//! bearer key). The files, each one concern:
//! - [`credentials`]: AWS's standard credential, region and endpoint sources, in AWS's order;
//! - [`sigv4`]: AWS Signature Version 4 over the exact bytes sent (botocore is its oracle);
//! - `signer.rs`: [`SigV4Signer`], SigV4 as the driver's [`RequestSigner`](crate::http::RequestSigner);
//! - `wire.rs`: the JSON of requests, responses and stream events (serde types only);
//! - `request.rs`: messages, settings and parameters to the request body (`content.rs`: user
//!   prompt content to blocks);
//! - `response.rs`: a response body to a [`ModelResponse`] (its usage: cache reads and writes in
//!   the input tokens, as pydantic-ai counts them, and the writes of `cacheDetails` per time to
//!   live in `details["cache_write_5m_tokens"]` / `["cache_write_1h_tokens"]`, which
//!   pydantic-ai's usage has as fields of their own);
//! - `stream.rs`: stream events to [`PartsManager`] calls ([`stream::on_event`]);
//! - `errors.rs`: error responses in botocore's shape (the `x-amzn-ErrorType` as the code);
//! - `models.rs`: what each model family supports.

use std::sync::Arc;

use reqwest::header::HeaderMap;

use crate::error::{Error, Result};
use crate::messages::ModelResponse;
use crate::models::{Model, ModelProfile, ProviderRegistration};
use crate::stream::PartsManager;
use crate::warning::Warnings;

use super::{
    Flow, Framing, PreparedRequest, Protocol, ProviderBuilder, ProviderModel, RawEvent,
    ResponseContext,
};
use credentials::{BedrockAuth, BedrockConfig, ProcessEnvironment};

mod builtin_tools;
mod content;
pub mod credentials;
mod delta;
mod errors;
mod models;
mod request;
mod response;
mod signer;
pub mod sigv4;
pub mod stream;
mod wire;

pub use errors::ERROR_TYPE_HEADER;
pub use signer::SigV4Signer;

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

/// A model on AWS Bedrock through the Converse API: [`BedrockConverse`] driven by the shared
/// [`ProviderModel`].
pub type BedrockModel = ProviderModel<BedrockConverse>;

inventory::submit! {
    ProviderRegistration { prefix: PROVIDER_NAME, aliases: &[], build: build_registered }
}

fn build_registered(model_name: &str) -> Result<Arc<dyn Model>> {
    Ok(Arc::new(model_from_env(model_name)?))
}

/// A [`ProviderBuilder`] of the `bedrock` provider with `config`: its endpoint as the base
/// URL, and its auth, a [`SigV4Signer`] for AWS credentials (each attempt, retries included,
/// signed anew) or the Bedrock API key sent as `Authorization: Bearer`. No environment
/// variable is read; further calls set the retry policy, the timeout, the client or headers.
///
/// ```
/// use std::time::Duration;
/// use llm_runtime::http::RetryPolicy;
/// use llm_runtime::providers::bedrock::{self, credentials::{BedrockAuth, BedrockConfig}};
///
/// let config = BedrockConfig {
///     auth: BedrockAuth::Bearer("bedrock-api-KEY-EXAMPLE".into()),
///     region: "us-west-2".into(),
///     endpoint: "https://bedrock-runtime.us-west-2.amazonaws.com".into(),
/// };
/// let provider = bedrock::builder(config)
///     .retry(RetryPolicy::default().with_max_retries(5))
///     .timeout(Duration::from_secs(120))
///     .build()?;
/// assert_eq!(provider.base_url(), "https://bedrock-runtime.us-west-2.amazonaws.com");
/// assert!(provider.has_api_key());
/// assert!(!format!("{provider:?}").contains("bedrock-api-KEY-EXAMPLE"));
/// # Ok::<(), llm_runtime::Error>(())
/// ```
pub fn builder(config: BedrockConfig) -> ProviderBuilder<BedrockConverse> {
    let builder = ProviderBuilder::new(PROVIDER_NAME, BedrockConverse)
        .base_url(config.endpoint)
        .base_url_env(std::iter::empty::<&'static str>())
        .api_key_env(std::iter::empty::<&'static str>());
    match config.auth {
        BedrockAuth::SigV4(credentials) => {
            builder.signer(SigV4Signer::new(credentials, config.region))
        }
        BedrockAuth::Bearer(key) => builder.api_key(key),
    }
}

/// A model on Bedrock with `config` and the default retry policy (three attempts for 429,
/// 408, 409, 5xx, connection failures and a throttling exception before a stream's first
/// event), each attempt signed anew. See [`builder`] for other options.
///
/// ```
/// use llm_runtime::providers::bedrock::{self, credentials::{AwsCredentials, BedrockAuth, BedrockConfig}};
/// use llm_runtime::models::Model;
///
/// let config = BedrockConfig {
///     auth: BedrockAuth::SigV4(AwsCredentials::new("AKIDEXAMPLE", "wJalr-EXAMPLE-KEY", None)),
///     region: "eu-west-1".into(),
///     endpoint: "https://bedrock-runtime.eu-west-1.amazonaws.com".into(),
/// };
/// let model = bedrock::model("eu.amazon.nova-micro-v1:0", config)?;
/// assert_eq!(model.model_name(), "eu.amazon.nova-micro-v1:0");
/// assert_eq!(model.system(), "bedrock");
/// assert!(format!("{model:?}").contains("AKIDEXAMPLE"));
/// assert!(!format!("{model:?}").contains("wJalr-EXAMPLE-KEY"));
/// # Ok::<(), llm_runtime::Error>(())
/// ```
///
/// # Errors
/// [`Error::User`] when the endpoint is not an `http(s)` URL.
pub fn model(model_name: impl Into<String>, config: BedrockConfig) -> Result<BedrockModel> {
    Ok(builder(config).build()?.model(model_name))
}

/// A model on Bedrock configured from the environment (see [`credentials`]): what the model
/// string `bedrock:<model_name>` gives.
///
/// # Errors
/// [`Error::User`] when no credentials or no region are found (see
/// [`credentials::from_environment`]), or the endpoint is not an `http(s)` URL.
pub fn model_from_env(model_name: impl Into<String>) -> Result<BedrockModel> {
    model(
        model_name,
        credentials::from_environment(&ProcessEnvironment)?,
    )
}

/// The Converse protocol: pure translation, no I/O. Streams are AWS event-stream frames
/// ([`Framing::AwsEventStream`]); an exception frame becomes the [`Error::Http`] its
/// exception stands for ([`stream::exception_error`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct BedrockConverse;

impl Protocol for BedrockConverse {
    type StreamState = stream::ConverseStreamState;
    type Event<'a> = stream::ConverseEvent<'a>;
    const EVENT_DESCRIPTION: &'static str = "ConverseStream event";

    fn framing(&self) -> Framing {
        Framing::AwsEventStream
    }

    /// `code_execution` (Nova's code interpreter), the only one pydantic-ai 2.33 maps.
    fn supported_builtin_tools(&self, _model_name: &str) -> &'static [&'static str] {
        builtin_tools::SUPPORTED
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

    /// Botocore's shape: the `x-amzn-ErrorType` as the code, beside the message.
    fn error_body(&self, _status: u16, headers: &HeaderMap, body: Vec<u8>) -> Vec<u8> {
        errors::error_body(headers, body)
    }
}
