//! AWS Bedrock Runtime's Converse API (`POST /model/{id}/converse` and `/converse-stream`).
//!
//! API reference: <https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html>.
//!
//! - [`credentials`]: AWS's standard credential, region and endpoint sources.
//! - [`sigv4`]: AWS Signature Version 4 over the exact bytes sent.

pub mod credentials;
pub mod sigv4;

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
