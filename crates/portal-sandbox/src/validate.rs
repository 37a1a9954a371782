//! Request-field rules shared by the three services, written so that each
//! one is exactly what `docs/api/` states:
//!
//! - an optional field that the documents do not mark nullable may be
//!   absent, but `null` is refused ([`non_null`]);
//! - a text field that must not be blank contains at least one character
//!   that is not white space (Unicode `White_Space`, as `str::trim` sees
//!   it: the documents' `pattern` lists the same characters), and its
//!   length limit counts characters (code points) of the value as sent,
//!   like JSON Schema's `maxLength` ([`blank_or_longer`]);
//! - an `integer` is any JSON number without a fraction, `3.0` as well as
//!   `3`, as JSON Schema counts them ([`integer`], [`whole`]).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Number;

/// `#[serde(default, deserialize_with = "non_null")]`: absent is `None`,
/// a value is `Some`, and `null` is an error naming the expected type.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// `#[serde(default, deserialize_with = "integer")]`: like [`non_null`]
/// for an `i64`, and a number with a zero fraction (`86400.0`) counts.
pub fn integer<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    let n = Number::deserialize(deserializer)?;
    whole(&n)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("{n} is not a whole number")))
}

/// `n` as an `i64` when it is a whole number in range (`3` or `3.0`).
pub fn whole(n: &Number) -> Option<i64> {
    // i64::MAX as f64 rounds up to 2^63, which is out of range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && (-LIMIT..LIMIT).contains(f))
            .map(|f| f as i64)
    })
}

/// Whether `value` is blank (only white space) or has more than `max`
/// characters: what the documents' `pattern` and `maxLength` refuse.
pub fn blank_or_longer(value: &str, max: usize) -> bool {
    value.trim().is_empty() || value.chars().count() > max
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Body {
        #[serde(default, deserialize_with = "non_null")]
        n: Option<i64>,
    }

    #[test]
    fn null_is_refused_but_absence_is_not() {
        assert_eq!(serde_json::from_str::<Body>("{}").unwrap().n, None);
        assert_eq!(
            serde_json::from_str::<Body>(r#"{"n":3}"#).unwrap().n,
            Some(3)
        );
        let err = serde_json::from_str::<Body>(r#"{"n":null}"#).unwrap_err();
        assert!(err.to_string().contains("null"), "{err}");
    }

    #[derive(Deserialize, Debug)]
    struct Numbers {
        #[serde(default, deserialize_with = "integer")]
        n: Option<i64>,
    }

    #[test]
    fn integers_are_json_schema_integers() {
        let n = |body: &str| serde_json::from_str::<Numbers>(body).map(|b| b.n);
        assert_eq!(n("{}").unwrap(), None);
        assert_eq!(n(r#"{"n":86400}"#).unwrap(), Some(86_400));
        assert_eq!(n(r#"{"n":86400.0}"#).unwrap(), Some(86_400));
        assert_eq!(n(r#"{"n":-2e3}"#).unwrap(), Some(-2000));
        for bad in [
            r#"{"n":null}"#,
            r#"{"n":1.5}"#,
            r#"{"n":"1"}"#,
            r#"{"n":9223372036854775808}"#,
            r#"{"n":1e300}"#,
        ] {
            assert!(n(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn blank_means_white_space_only_and_length_counts_characters() {
        assert!(blank_or_longer("", 5));
        assert!(blank_or_longer(" \t\u{a0}\u{3000}", 5));
        assert!(!blank_or_longer(" a ", 5));
        // Five two-byte characters are five characters, not ten.
        assert!(!blank_or_longer("ééééé", 5));
        assert!(blank_or_longer("éééééé", 5));
        // The limit counts the value as sent, surrounding spaces included.
        assert!(blank_or_longer("  abcd", 5));
    }
}
