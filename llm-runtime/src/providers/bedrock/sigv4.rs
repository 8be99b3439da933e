//! AWS Signature Version 4, as botocore's `SigV4Auth` computes it for the services that are not
//! S3 (Bedrock among them): every header of the request is signed (but the hop-by-hop ones and
//! `user-agent`), the path is URI-encoded once more over the request's own encoding, the body is
//! hashed whole, and no `x-amz-content-sha256` header is sent.
//!
//! Reference: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>;
//! `tests/bedrock_sigv4.rs` compares the headers made here with botocore's, byte for byte.
//!
//! Pure: the time is an argument, so a signature is a function of its inputs.

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::Url;
use ring::{digest, hmac};

use super::credentials::AwsCredentials;
use crate::error::{Error, Result};

/// The signing algorithm's name, first in the `Authorization` header and the string to sign.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The header carrying the signing time (`20261207T055417Z`).
pub const X_AMZ_DATE: &str = "x-amz-date";

/// The header carrying the session token of temporary credentials.
pub const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";

/// Headers never signed (botocore's `SIGNED_HEADERS_BLACKLIST`): a proxy or the HTTP client may
/// change them on the way.
const UNSIGNED_HEADERS: [&str; 11] = [
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Where a signature is valid: a region and a service (`bedrock`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningScope {
    /// The AWS region (`us-east-1`).
    pub region: String,
    /// The signing name of the service (`bedrock` for Bedrock Runtime).
    pub service: String,
}

/// A request to sign: everything the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SigningRequest<'a> {
    /// The HTTP method (`POST`).
    pub method: &'a str,
    /// The URL, its path already percent-encoded as sent (a model id's `:` as `%3A`).
    pub url: &'a Url,
    /// The exact body bytes that will be sent.
    pub body: &'a [u8],
}

/// Signs `request` at `time`: sets `x-amz-date`, `x-amz-security-token` (when the credentials
/// have a session token) and `authorization` in `headers`, replacing earlier values of them (a
/// retry is signed anew), as botocore's `SigV4Auth.add_auth` does. The other headers in
/// `headers` are signed as they are, with `host` from the URL.
///
/// Both header values that carry secrets are marked sensitive.
///
/// # Errors
/// [`Error::User`] when a header value is not UTF-8 or the URL has no host.
pub fn sign(
    credentials: &AwsCredentials,
    scope: &SigningScope,
    request: SigningRequest<'_>,
    headers: &mut HeaderMap,
    time: DateTime<Utc>,
) -> Result<()> {
    let timestamp = time.format("%Y%m%dT%H%M%SZ").to_string();
    let date = time.format("%Y%m%d").to_string();
    headers.remove(AUTHORIZATION);
    headers.insert(X_AMZ_DATE, header_value(&timestamp)?);
    headers.remove(X_AMZ_SECURITY_TOKEN);
    if let Some(token) = credentials.session_token() {
        let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
            Error::user("the AWS session token contains characters a header cannot carry")
        })?;
        value.set_sensitive(true);
        headers.insert(X_AMZ_SECURITY_TOKEN, value);
    }

    let (canonical_headers, signed_headers) = canonical_headers(request.url, headers)?;
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_uri(request.url.path()),
        canonical_query(request.url.query()),
        canonical_headers,
        signed_headers,
        hex(digest::digest(&digest::SHA256, request.body).as_ref()),
    );
    let credential_scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{credential_scope}\n{}",
        hex(digest::digest(&digest::SHA256, canonical_request.as_bytes()).as_ref()),
    );

    let secret = format!("AWS4{}", credentials.secret_access_key().expose());
    let key = [date.as_str(), &scope.region, &scope.service, "aws4_request"]
        .iter()
        .fold(secret.into_bytes(), |key, part| {
            hmac_sha256(&key, part.as_bytes())
        });
    let signature = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));

    let mut authorization = HeaderValue::from_str(&format!(
        "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key_id(),
    ))
    .map_err(|_| Error::user("the AWS access key id contains characters a header cannot carry"))?;
    authorization.set_sensitive(true);
    headers.insert(AUTHORIZATION, authorization);
    Ok(())
}

fn header_value(value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::user(format!("`{value}` cannot be a header value")))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&key, data).as_ref().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
}

/// Percent-encodes every byte but the unreserved ones (`A-Z a-z 0-9 - _ . ~`) and, when
/// `keep_slash`, `/`.
pub(crate) fn uri_encode(input: &[u8], keep_slash: bool) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len());
    for &byte in input {
        if byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && byte == b'/')
        {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
        }
    }
    out
}

/// Decodes `%XX` sequences (a `%` not followed by two hex digits stays as it is; `+` stays `+`).
fn percent_decode(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex_pair = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (byte, hex_pair) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// The path with dot segments and empty segments removed (botocore's `remove_dot_segments`),
/// then encoded once more (`%3A` becomes `%253A`): non-S3 services sign the path encoded twice.
pub fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    let mut normalized = String::with_capacity(path.len() + 1);
    if path.starts_with('/') {
        normalized.push('/');
    }
    normalized.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        normalized.push('/');
    }
    uri_encode(normalized.as_bytes(), true)
}

/// The query's parameters, each name and value decoded and encoded anew (only the unreserved
/// characters bare), sorted by name and then value, joined with `&`: botocore's form for query
/// parameters.
pub fn canonical_query(query: Option<&str>) -> String {
    let Some(query) = query.filter(|query| !query.is_empty()) else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                uri_encode(&percent_decode(name), false),
                uri_encode(&percent_decode(value), false),
            )
        })
        .collect();
    pairs.sort();
    let pairs: Vec<String> = pairs
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    pairs.join("&")
}

/// The canonical headers (`name:value` lines, sorted by name, values of a repeated header
/// joined with `,`, runs of white space as one space) and the signed-headers list.
fn canonical_headers(url: &Url, headers: &HeaderMap) -> Result<(String, String)> {
    let mut names: Vec<&HeaderName> = headers
        .keys()
        .filter(|name| !UNSIGNED_HEADERS.contains(&name.as_str()))
        .collect();
    let host = if headers.contains_key(reqwest::header::HOST) {
        None
    } else {
        Some(host_of(url)?)
    };
    let mut lines: Vec<(String, String)> = Vec::with_capacity(names.len() + 1);
    names.sort_by_key(|name| name.as_str());
    for name in names {
        let mut values = Vec::new();
        for value in headers.get_all(name) {
            let value = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                Error::user(format!("the value of the header `{name}` is not UTF-8"))
            })?;
            values.push(value.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        lines.push((name.as_str().to_owned(), values.join(",")));
    }
    if let Some(host) = host {
        lines.push(("host".to_owned(), host));
    }
    lines.sort();
    let signed: Vec<&str> = lines.iter().map(|(name, _)| name.as_str()).collect();
    let signed = signed.join(";");
    let canonical: Vec<String> = lines
        .iter()
        .map(|(name, value)| format!("{name}:{value}"))
        .collect();
    Ok((canonical.join("\n"), signed))
}

/// The `host` header a client sends for `url`: the host in lower case, with the port unless it
/// is the scheme's default.
fn host_of(url: &Url) -> Result<String> {
    let host = url
        .host_str()
        .ok_or_else(|| Error::user(format!("the URL `{url}` has no host to sign")))?
        .to_ascii_lowercase();
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

#[cfg(test)]
mod tests;
