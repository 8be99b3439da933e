//! What is scrubbed from a cassette before it is written or compared: secret headers, query
//! parameters and JSON fields (built-in lists plus [`Scrub`] rules), and the secret values
//! themselves wherever else they appear (an error body that echoes the key).

use std::collections::BTreeMap;
use std::fmt;

use reqwest::header::HeaderMap;
use reqwest::Url;
use serde_json::Value;

use super::cassette::Body;

/// What a scrubbed value is replaced with.
pub const REDACTED: &str = "REDACTED";

/// Headers whose values are always scrubbed: API keys, bearer and OAuth tokens, AWS SigV4
/// signatures and session tokens, cookies. A header `reqwest` marks sensitive is scrubbed too.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "x-goog-api-key",
    "x-amz-security-token",
    "ocp-apim-subscription-key",
    "cookie",
    "set-cookie",
];

/// Query parameters whose values are always scrubbed (compared case-insensitively): keys
/// (`key=` of the Gemini API), tokens, presigned AWS URLs.
pub const SECRET_QUERY_PARAMS: &[&str] = &[
    "key",
    "api_key",
    "api-key",
    "apikey",
    "access_token",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "sig",
];

/// JSON fields whose values are always scrubbed, at any depth, in request and response
/// bodies: OAuth tokens and client secrets, private keys, passwords.
pub const SECRET_JSON_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "private_key",
    "api_key",
    "apiKey",
    "password",
    "assertion",
];

/// One more thing to scrub from a cassette, besides the built-in lists ([`SECRET_HEADERS`],
/// [`SECRET_QUERY_PARAMS`], [`SECRET_JSON_FIELDS`]).
///
/// ```
/// use llm_runtime::testing::Scrub;
///
/// let rules = [
///     Scrub::header("x-team-token"),
///     Scrub::query_param("signature"),
///     Scrub::json_field("user_email"),
///     Scrub::text("my-org-secret"), // wherever it appears; redacted in Debug
/// ];
/// assert!(!format!("{rules:?}").contains("my-org-secret"));
/// ```
#[derive(Clone)]
pub struct Scrub(Rule);

#[derive(Clone)]
enum Rule {
    Header(String),
    QueryParam(String),
    JsonField(String),
    Text(String),
}

impl Scrub {
    /// Scrubs the values of header `name` (case-insensitive) of requests and responses.
    pub fn header(name: impl Into<String>) -> Self {
        Scrub(Rule::Header(name.into().to_ascii_lowercase()))
    }

    /// Scrubs the values of query parameter `name` (case-insensitive) of request URLs.
    pub fn query_param(name: impl Into<String>) -> Self {
        Scrub(Rule::QueryParam(name.into()))
    }

    /// Scrubs the values of the JSON field `name`, at any depth, of request and response bodies.
    pub fn json_field(name: impl Into<String>) -> Self {
        Scrub(Rule::JsonField(name.into()))
    }

    /// Replaces `secret` wherever it appears: in URLs, header values and bodies, chunks of
    /// streams included (unless it is split across two chunks). Empty text is ignored.
    pub fn text(secret: impl Into<String>) -> Self {
        Scrub(Rule::Text(secret.into()))
    }
}

impl fmt::Debug for Scrub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Rule::Header(name) => f.debug_tuple("Scrub::header").field(name).finish(),
            Rule::QueryParam(name) => f.debug_tuple("Scrub::query_param").field(name).finish(),
            Rule::JsonField(name) => f.debug_tuple("Scrub::json_field").field(name).finish(),
            Rule::Text(_) => f.write_str("Scrub::text(<redacted>)"),
        }
    }
}

/// The rules in force: the built-in lists and the user's.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    headers: Vec<String>,
    query: Vec<String>,
    fields: Vec<String>,
    texts: Vec<String>,
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scrubber")
            .field("headers", &self.headers)
            .field("query", &self.query)
            .field("fields", &self.fields)
            .field("texts", &self.texts.len())
            .finish()
    }
}

/// Secret values found in one request, scrubbed from its response too.
pub(crate) type Secrets = Vec<String>;

impl Scrubber {
    /// The built-in lists and `rules`.
    pub(crate) fn new(rules: &[Scrub]) -> Self {
        let mut scrubber = Scrubber {
            headers: SECRET_HEADERS.iter().map(|s| (*s).to_owned()).collect(),
            query: SECRET_QUERY_PARAMS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            fields: SECRET_JSON_FIELDS.iter().map(|s| (*s).to_owned()).collect(),
            texts: Vec::new(),
        };
        for rule in rules {
            match &rule.0 {
                Rule::Header(name) => scrubber.headers.push(name.clone()),
                Rule::QueryParam(name) => scrubber.query.push(name.clone()),
                Rule::JsonField(name) => scrubber.fields.push(name.clone()),
                Rule::Text(text) if !text.is_empty() => scrubber.texts.push(text.clone()),
                Rule::Text(_) => {}
            }
        }
        scrubber
    }

    /// The headers as recorded: names lower-cased, values of secret (or sensitive) headers
    /// replaced, whose values are added to `secrets`. `skip` names headers left out.
    pub(crate) fn headers(
        &self,
        headers: &HeaderMap,
        skip: &[&str],
        secrets: &mut Secrets,
    ) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in headers {
            let name = name.as_str().to_ascii_lowercase();
            if skip.contains(&name.as_str()) {
                continue;
            }
            let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let recorded = if value.is_sensitive() || self.headers.contains(&name) {
                add_secret(secrets, &text);
                // The token of `Bearer <token>`, which may be echoed on its own.
                if let Some((_, token)) = text.split_once(' ') {
                    add_secret(secrets, token.trim());
                }
                REDACTED.to_owned()
            } else {
                self.text(&text, secrets)
            };
            out.entry(name).or_default().push(recorded);
        }
        out
    }

    /// The URL as recorded: values of secret query parameters replaced (and added to
    /// `secrets`), then every known secret text.
    pub(crate) fn uri(&self, url: &Url, secrets: &mut Secrets) -> String {
        let mut url = url.clone();
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(name, value)| {
                    if self.query.iter().any(|q| q.eq_ignore_ascii_case(&name)) {
                        add_secret(secrets, &value);
                        (name.into_owned(), REDACTED.to_owned())
                    } else {
                        (name.into_owned(), value.into_owned())
                    }
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        self.text(url.as_str(), secrets)
    }

    /// A body as recorded: the secret texts replaced, then as JSON (when `as_json` and it
    /// parses) with the secret fields replaced, else as text or base64.
    pub(crate) fn body(&self, bytes: &[u8], as_json: bool, secrets: &Secrets) -> Body {
        let bytes = self.bytes(bytes, secrets);
        let mut body = Body::from_bytes(&bytes, as_json);
        if let Body::Json(value) = &mut body {
            self.json(value);
        }
        body
    }

    /// `bytes` with every secret text (the rules' and `secrets`) replaced.
    pub(crate) fn bytes(&self, bytes: &[u8], secrets: &Secrets) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for secret in self.texts.iter().chain(secrets) {
            out = replace(&out, secret.as_bytes(), REDACTED.as_bytes());
        }
        out
    }

    /// `text` with the rules' secret texts and `secrets` replaced.
    fn text(&self, text: &str, secrets: &Secrets) -> String {
        let mut out = text.to_owned();
        for secret in self.texts.iter().chain(secrets) {
            out = out.replace(secret.as_str(), REDACTED);
        }
        out
    }

    /// Replaces the values of secret fields, at any depth.
    fn json(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if self.fields.iter().any(|f| f == key) {
                        *v = Value::String(REDACTED.to_owned());
                    } else {
                        self.json(v);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            _ => {}
        }
    }
}

/// Adds a secret worth searching for: not empty, not the placeholder, not so short that it
/// would match ordinary text.
fn add_secret(secrets: &mut Secrets, secret: &str) {
    if secret.len() >= 8 && secret != REDACTED && !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_owned());
    }
}

/// `haystack` with each `needle` replaced by `with`.
fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = memchr::memmem::find(rest, needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use serde_json::json;

    #[test]
    fn secret_headers_query_params_and_fields_are_scrubbed() {
        let scrubber = Scrubber::new(&[Scrub::header("X-Team"), Scrub::json_field("email")]);
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_static("Bearer sk-live-123456"),
        );
        headers.insert("x-team", HeaderValue::from_static("blue"));
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let mut sensitive = HeaderValue::from_static("hush-hush-value");
        sensitive.set_sensitive(true);
        headers.insert("x-custom-auth", sensitive);
        let mut secrets = Vec::new();
        let recorded = scrubber.headers(&headers, &["content-length"], &mut secrets);
        assert_eq!(recorded["authorization"], vec![REDACTED]);
        assert_eq!(recorded["x-team"], vec![REDACTED]);
        assert_eq!(recorded["x-custom-auth"], vec![REDACTED]);
        assert_eq!(recorded["content-type"], vec!["application/json"]);
        assert!(secrets.contains(&"sk-live-123456".to_owned()));

        let url = Url::parse("https://g.example/v1/m:generate?alt=sse&key=AIzaSECRET99").unwrap();
        let uri = scrubber.uri(&url, &mut secrets);
        assert_eq!(uri, "https://g.example/v1/m:generate?alt=sse&key=REDACTED");

        // The key echoed in an error body is scrubbed as text; fields by name at any depth.
        let body =
            br#"{"error":"bad key sk-live-123456","user":{"email":"a@b.c"},"access_token":"t"}"#;
        let recorded = scrubber.body(body, true, &secrets);
        assert_eq!(
            recorded,
            Body::Json(json!({
                "error": "bad key REDACTED",
                "user": {"email": "REDACTED"},
                "access_token": "REDACTED"
            }))
        );
    }

    #[test]
    fn user_texts_are_replaced_in_bytes_and_redacted_in_debug() {
        let scrubber = Scrubber::new(&[Scrub::text("org-secret-42"), Scrub::text("")]);
        let out = scrubber.bytes(b"a org-secret-42 b org-secret-42", &Vec::new());
        assert_eq!(out, b"a REDACTED b REDACTED");
        assert!(!format!("{scrubber:?}").contains("org-secret-42"));
        assert_eq!(replace(b"ab", b"abc", b"x"), b"ab");
    }
}
