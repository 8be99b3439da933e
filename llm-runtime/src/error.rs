//! The one error type of the crate, and the only place its messages are written.
//!
//! Every fallible function returns [`Result<T>`](Result). Variants follow pydantic-ai's
//! exceptions: [`Error::Http`] is its `ModelHTTPError`, [`Error::UnexpectedModelBehavior`] its
//! `UnexpectedModelBehavior`, [`Error::User`] its `UserError`.

use std::time::Duration;

use crate::tools::ToolArgsError;

/// A boxed error kept as the [`source`](std::error::Error::source) of an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many bytes of an offending body an error keeps.
const MAX_KEPT_BODY: usize = 4096;

/// Everything that can go wrong when requesting a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider answered with an HTTP error status (pydantic-ai's `ModelHTTPError`).
    #[error("status {status} from {model_name}: {body}")]
    #[non_exhaustive]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The model that was requested.
        model_name: String,
        /// The response body, truncated to a few kilobytes.
        body: String,
        /// How long the provider asked us to wait (`retry-after-ms` or `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// The provider could not be reached or did not answer in time.
    #[error("{message}")]
    #[non_exhaustive]
    Api {
        /// What failed, naming the model.
        message: String,
        /// Which kind of failure it was.
        kind: ApiErrorKind,
        /// The underlying transport error.
        #[source]
        source: Option<BoxError>,
    },
    /// The provider sent something we cannot understand: malformed JSON or SSE, a truncated
    /// stream, a response without the fields every response has.
    #[error("unexpected model behavior: {message}")]
    #[non_exhaustive]
    UnexpectedModelBehavior {
        /// What was wrong.
        message: String,
        /// The offending bytes (lossily decoded, truncated), when there are some.
        body: Option<String>,
    },
    /// The arguments of a tool call do not fit the tool.
    #[error(transparent)]
    ToolArgs(Box<ToolArgsError>),
    /// Every model of a [`FallbackModel`](crate::models::FallbackModel) failed (pydantic-ai's
    /// `FallbackExceptionGroup`): each failure, in the order the models were tried.
    #[error("every model failed: {}", describe_failures(failures))]
    #[non_exhaustive]
    Fallback {
        /// Each model's failure, in order.
        failures: Vec<ModelFailure>,
    },
    /// The SDK was misused or misconfigured: unknown model, missing API key, a blocking call
    /// inside an async runtime.
    #[error("{message}")]
    #[non_exhaustive]
    User {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Record/replay (the `testing` feature) failed: a request no recorded interaction
    /// matches, a cassette that is missing, corrupt, or cannot be written.
    #[cfg(feature = "testing")]
    #[error("{message}")]
    #[non_exhaustive]
    Cassette {
        /// The cassette file (`None` for a cassette held in memory).
        path: Option<std::path::PathBuf>,
        /// What went wrong.
        kind: CassetteErrorKind,
        /// What went wrong and how to fix it, naming the cassette and, for an unmatched
        /// request, its method, URL and how its body differs from the closest recording.
        message: String,
    },
}

/// The kind of an [`Error::Cassette`].
#[cfg(feature = "testing")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CassetteErrorKind {
    /// A request that no recorded interaction matches (or every match was played already).
    Unmatched,
    /// Replay was asked for and the cassette file does not exist.
    Missing,
    /// The file is not a cassette this crate reads (not JSON, wrong shape, bad base64,
    /// another format version).
    Corrupt,
    /// The file could not be read or written.
    Io,
    /// Interactions of the cassette were never played
    /// ([`Vcr::finish`](crate::testing::Vcr::finish)).
    Unplayed,
}

/// How one model of a [`FallbackModel`](crate::models::FallbackModel) failed.
#[derive(Debug)]
#[non_exhaustive]
pub struct ModelFailure {
    /// The model, as `provider:model` (its [`system`](crate::models::Model::system) and
    /// [`model_name`](crate::models::Model::model_name)).
    pub model: String,
    /// What it failed with.
    pub error: Error,
}

impl ModelFailure {
    /// The failure of `model` with `error`.
    pub fn new(model: impl Into<String>, error: Error) -> Self {
        ModelFailure {
            model: model.into(),
            error,
        }
    }
}

fn describe_failures(failures: &[ModelFailure]) -> String {
    failures
        .iter()
        .map(|failure| format!("{}: {}", failure.model, failure.error))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The kind of an [`Error::Api`] failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// The connection could not be established or broke.
    Connection,
    /// The request, or a gap between two stream chunks, took longer than the timeout.
    Timeout,
    /// Another transport failure (building the request, reading the body).
    Other,
    /// Short-lived credentials could not be had: a [`TokenSource`](crate::http::TokenSource)
    /// failed to fetch a token (the message names the source; the error's source is why).
    Credentials,
    /// The response was larger than a bound of the provider's (the message names the bound
    /// and the [`ProviderBuilder`](crate::providers::ProviderBuilder) method that raises it).
    TooLarge,
}

impl Error {
    /// Creates an [`Error::Cassette`].
    #[cfg(feature = "testing")]
    pub(crate) fn cassette(
        path: Option<&std::path::Path>,
        kind: CassetteErrorKind,
        message: impl Into<String>,
    ) -> Self {
        Error::Cassette {
            path: path.map(std::path::Path::to_path_buf),
            kind,
            message: message.into(),
        }
    }

    /// Creates an [`Error::User`].
    pub fn user(message: impl Into<String>) -> Self {
        Error::User {
            message: message.into(),
        }
    }

    /// Creates an [`Error::UnexpectedModelBehavior`] without a body.
    pub fn unexpected(message: impl Into<String>) -> Self {
        Error::UnexpectedModelBehavior {
            message: message.into(),
            body: None,
        }
    }

    /// Creates an [`Error::UnexpectedModelBehavior`] keeping (the start of) the offending bytes.
    pub fn unexpected_with_body(message: impl Into<String>, body: &[u8]) -> Self {
        Error::UnexpectedModelBehavior {
            message: message.into(),
            body: Some(truncate_lossy(body)),
        }
    }

    /// Creates an [`Error::Http`]; the body is truncated to a few kilobytes.
    pub fn http(
        status: u16,
        model_name: impl Into<String>,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Self {
        Error::Http {
            status,
            model_name: model_name.into(),
            body: truncate_lossy(body),
            retry_after,
        }
    }

    /// Creates an [`Error::Api`].
    pub fn api(message: impl Into<String>, kind: ApiErrorKind, source: Option<BoxError>) -> Self {
        Error::Api {
            message: message.into(),
            kind,
            source,
        }
    }

    /// The error for a provider whose API key is not configured.
    pub fn missing_api_key(provider: &str, env_var: &str) -> Self {
        Error::user(format!(
            "missing API key for provider `{provider}`: set the {env_var} environment variable \
             or pass the key to the provider's builder"
        ))
    }

    /// The error for a blocking call made from inside an async runtime.
    pub(crate) fn blocking_in_async(what: &str) -> Self {
        Error::user(format!(
            "{what} cannot block inside an async runtime (it would stall the runtime); \
             call the async form and `.await` it instead"
        ))
    }

    /// Whether retrying the same request may succeed: 408, 409, 429, 5xx (and Anthropic's 529)
    /// statuses and connection failures and timeouts.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Http { status, .. } => {
                matches!(status, 408 | 409 | 429) || (500..=599).contains(status)
            }
            Error::Api { kind, .. } => {
                matches!(kind, ApiErrorKind::Connection | ApiErrorKind::Timeout)
            }
            _ => false,
        }
    }

    /// Whether this is a timeout (of the whole request or of a gap between stream chunks).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Api {
                kind: ApiErrorKind::Timeout,
                ..
            }
        )
    }

    /// The HTTP status, for an [`Error::Http`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short, stable name of the error's type, as OpenTelemetry's `error.type` wants it: the
    /// name of the pydantic-ai exception it corresponds to (`ModelHTTPError`, `ModelAPIError`
    /// for connection failures and timeouts, `UnexpectedModelBehavior`, `UserError`,
    /// `FallbackExceptionGroup`), and `ToolArgsError` for tool arguments.
    pub fn type_name(&self) -> &'static str {
        match self {
            Error::Http { .. } => "ModelHTTPError",
            Error::Api { .. } => "ModelAPIError",
            Error::UnexpectedModelBehavior { .. } => "UnexpectedModelBehavior",
            Error::ToolArgs(_) => "ToolArgsError",
            Error::User { .. } => "UserError",
            Error::Fallback { .. } => "FallbackExceptionGroup",
            #[cfg(feature = "testing")]
            Error::Cassette { .. } => "CassetteError",
        }
    }
}

impl From<ToolArgsError> for Error {
    fn from(err: ToolArgsError) -> Self {
        Error::ToolArgs(Box::new(err))
    }
}

/// Decodes `body` lossily as UTF-8 and keeps at most [`MAX_KEPT_BODY`] bytes of it, cut on a
/// character boundary.
pub(crate) fn truncate_lossy(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= MAX_KEPT_BODY {
        return text.into_owned();
    }
    let mut end = MAX_KEPT_BODY;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn error_is_send_sync_and_small() {
        assert_send_sync::<Error>();
        // Large variants would make every `Result` in the crate large.
        assert!(
            std::mem::size_of::<Error>() <= 72,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn retryable_statuses() {
        for status in [408, 409, 429, 500, 502, 503, 529] {
            assert!(
                Error::http(status, "m", b"", None).is_retryable(),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 422] {
            assert!(
                !Error::http(status, "m", b"", None).is_retryable(),
                "{status}"
            );
        }
        assert!(Error::api("x", ApiErrorKind::Timeout, None).is_retryable());
        assert!(!Error::user("x").is_retryable());
    }

    #[test]
    fn type_names_are_pydantic_ai_exception_names() {
        assert_eq!(
            Error::http(429, "m", b"", None).type_name(),
            "ModelHTTPError"
        );
        for kind in [
            ApiErrorKind::Timeout,
            ApiErrorKind::Connection,
            ApiErrorKind::Other,
        ] {
            assert_eq!(Error::api("x", kind, None).type_name(), "ModelAPIError");
        }
        assert_eq!(
            Error::unexpected("x").type_name(),
            "UnexpectedModelBehavior"
        );
        assert_eq!(Error::user("x").type_name(), "UserError");
    }

    #[test]
    fn long_bodies_are_truncated_on_a_char_boundary() {
        let body = "é".repeat(5000);
        let kept = truncate_lossy(body.as_bytes());
        assert!(kept.len() < 4200);
        assert!(kept.ends_with("(10000 bytes in all)"));
    }

    #[test]
    fn missing_key_names_the_variable() {
        let err = Error::missing_api_key("anthropic", "ANTHROPIC_API_KEY");
        assert_eq!(
            err.to_string(),
            "missing API key for provider `anthropic`: set the ANTHROPIC_API_KEY environment \
             variable or pass the key to the provider's builder"
        );
    }
}
