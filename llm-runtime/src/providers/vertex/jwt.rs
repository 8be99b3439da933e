//! RS256 JSON Web Tokens for the OAuth2 JWT-bearer grant of a Google service account
//! (RFC 7523), signed with `ring` from the PKCS#8 PEM key of the service-account file.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde::Serialize;

/// How long a signed assertion is valid (Google accepts at most one hour).
const ASSERTION_LIFETIME_SECS: u64 = 3600;

/// An RSA private key. Its `Debug` never shows the key.
pub(crate) struct SigningKey(RsaKeyPair);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// Why a PEM key could not be read. Never carries the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// No `-----BEGIN PRIVATE KEY-----` block, or invalid base64 inside it.
    NotPem,
    /// The DER inside is not an RSA key `ring` accepts (PKCS#8 or PKCS#1, 2048 to 8192 bits).
    NotRsa,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyError::NotPem => "`private_key` is not a PEM private key",
            KeyError::NotRsa => "`private_key` is not an RSA key of 2048 to 8192 bits",
        })
    }
}

impl SigningKey {
    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, as Google writes them) or
    /// PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub(crate) fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = pem_block(pem).ok_or(KeyError::NotPem)?;
        let pair = match label {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            _ => return Err(KeyError::NotPem),
        }
        .map_err(|_| KeyError::NotRsa)?;
        Ok(SigningKey(pair))
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 and SHA-256.
    fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .ok()?;
        Some(signature)
    }
}

/// The label and decoded bytes of the first PEM block of `pem`.
fn pem_block(pem: &str) -> Option<(&str, Vec<u8>)> {
    let start = pem.find("-----BEGIN ")?;
    let rest = &pem[start + "-----BEGIN ".len()..];
    let label_end = rest.find("-----")?;
    let label = &rest[..label_end];
    let body = &rest[label_end + "-----".len()..];
    let end = body.find(&format!("-----END {label}-----"))?;
    let base64: String = body[..end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    Some((label, STANDARD.decode(base64).ok()?))
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

/// What a service account asserts about itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Assertion<'a> {
    /// The service account's `client_email` (the issuer).
    pub(crate) issuer: &'a str,
    /// The `private_key_id`, sent as the header's `kid`.
    pub(crate) key_id: Option<&'a str>,
    /// The OAuth2 scopes, space-separated.
    pub(crate) scope: &'a str,
    /// The audience: Google's token endpoint.
    pub(crate) audience: &'a str,
}

impl Assertion<'_> {
    /// The signed JWT `header.claims.signature`, issued at `now` and valid for an hour.
    pub(crate) fn sign(&self, key: &SigningKey, now: SystemTime) -> Option<String> {
        let iat = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
        let header = Header {
            alg: "RS256",
            typ: "JWT",
            kid: self.key_id,
        };
        let claims = Claims {
            iss: self.issuer,
            scope: self.scope,
            aud: self.audience,
            iat,
            exp: iat + ASSERTION_LIFETIME_SECS,
        };
        let mut jwt = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).ok()?);
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).ok()?));
        let signature = key.sign(jwt.as_bytes())?;
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Some(jwt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_errors_name_no_key() {
        assert_eq!(
            SigningKey::from_pem("not a key").unwrap_err(),
            KeyError::NotPem
        );
        let bogus = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(SigningKey::from_pem(bogus).unwrap_err(), KeyError::NotRsa);
        let bad_base64 = "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pem(bad_base64).unwrap_err(),
            KeyError::NotPem
        );
        let other = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(SigningKey::from_pem(other).unwrap_err(), KeyError::NotPem);
    }

    #[test]
    fn pem_block_reads_label_and_body() {
        let (label, der) =
            pem_block("junk\n-----BEGIN X Y-----\nAQID\nBA==\n-----END X Y-----\n").unwrap();
        assert_eq!((label, der), ("X Y", vec![1, 2, 3, 4]));
    }
}
