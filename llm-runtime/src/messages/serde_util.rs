//! Serde helpers for pydantic-ai's JSON conventions: timestamps and base64 bytes.

use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// The current time at microsecond precision, as Python's `datetime.now` gives it, so that a
/// timestamp survives a round trip through JSON unchanged.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

/// Formats a timestamp as pydantic does: RFC 3339 in UTC with `Z`, and microseconds only when
/// they are not zero.
pub(crate) fn format_timestamp(ts: &DateTime<Utc>) -> String {
    if ts.nanosecond() / 1_000 == 0 {
        ts.to_rfc3339_opts(SecondsFormat::Secs, true)
    } else {
        ts.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

/// Parses an RFC 3339 timestamp with any offset, or a naive one taken as UTC.
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(ts) = DateTime::parse_from_rfc3339(text) {
        return Some(ts.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

/// `#[serde(with = "timestamp")]` for `DateTime<Utc>`.
pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(ts: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_timestamp(ts))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_timestamp(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp `{text}`")))
    }
}

/// `#[serde(with = "opt_timestamp")]` for `Option<DateTime<Utc>>`.
pub(crate) mod opt_timestamp {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        ts: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => s.serialize_str(&format_timestamp(ts)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        let text = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.map(|text| {
            parse_timestamp(&text)
                .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp `{text}`")))
        })
        .transpose()
    }
}

/// `#[serde(with = "base64_bytes")]`: pydantic's `ser_json_bytes='base64'` writes URL-safe
/// base64 with padding; reading accepts the standard and URL-safe alphabets, padded or not.
pub(crate) mod base64_bytes {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD_LENIENT: GeneralPurpose =
        GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    const URL_SAFE_LENIENT: GeneralPurpose =
        GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&URL_SAFE.encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        decode(&text).map_err(|_| serde::de::Error::custom("invalid base64 data"))
    }

    /// Decodes standard or URL-safe base64, padded or not.
    pub(crate) fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
        if text.contains(['-', '_']) {
            URL_SAFE_LENIENT.decode(text)
        } else {
            STANDARD_LENIENT.decode(text)
        }
    }

    /// Encodes with the standard alphabet, as data URIs and provider APIs want it.
    pub(crate) fn encode_standard(bytes: &[u8]) -> String {
        STANDARD.encode(bytes)
    }
}

/// Defines a zero-sized marker that serializes as one fixed string and accepts only that string.
/// Used for the `kind`, `part_kind`, … tags that pydantic-ai writes on every dataclass.
macro_rules! string_tag {
    ($(#[$meta:meta])* $name:ident = $value:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl $name {
            /// The tag's value.
            pub const VALUE: &'static str = $value;
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($value)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                if text == $value {
                    Ok($name)
                } else {
                    Err(serde::de::Error::invalid_value(
                        serde::de::Unexpected::Str(&text),
                        &concat!("\"", $value, "\""),
                    ))
                }
            }
        }
    };
}
pub(crate) use string_tag;

/// For an enum whose variants each wrap a struct that writes its own tag (`kind`,
/// `part_kind`, …): serializes a value as its inner struct, and converts each inner struct
/// into the enum. Deserialization stays derived, dispatching on the tag.
macro_rules! self_tagged_enum {
    ($name:ident { $($variant:ident($inner:ty)),* $(,)? }) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $($name::$variant(inner) => inner.serialize(s),)*
                }
            }
        }

        $(
            impl From<$inner> for $name {
                fn from(inner: $inner) -> Self {
                    $name::$variant(inner)
                }
            }
        )*
    };
}
pub(crate) use self_tagged_enum;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_as_pydantic_writes_them() {
        let ts = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
        assert_eq!(format_timestamp(&ts), "2025-06-01T12:00:00Z");
        let ts = ts + chrono::Duration::microseconds(1500);
        assert_eq!(format_timestamp(&ts), "2025-06-01T12:00:00.001500Z");
        assert_eq!(
            parse_timestamp("2025-06-01T14:00:00+02:00").unwrap().hour(),
            12
        );
        assert_eq!(
            parse_timestamp("2025-06-01T12:00:00.5")
                .unwrap()
                .nanosecond(),
            500_000_000
        );
        assert!(parse_timestamp("yesterday").is_none());
    }

    #[test]
    fn base64_reads_both_alphabets() {
        let bytes = vec![0xfb, 0xff, 0xfe, 0x01];
        assert_eq!(base64_bytes::decode("+//+AQ==").unwrap(), bytes);
        assert_eq!(base64_bytes::decode("-__-AQ").unwrap(), bytes);
        assert!(base64_bytes::decode("not base64!").is_err());
    }
}
