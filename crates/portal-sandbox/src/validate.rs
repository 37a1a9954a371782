//! Request-field rules shared by the three services, written so that each
//! one is exactly what `docs/api/` states:
//!
//! - an optional field that the documents do not mark nullable may be
//!   absent, but `null` is refused ([`non_null`]);
//! - a text field that must not be blank contains at least one character
//!   that is not white space (Unicode `White_Space`, as `str::trim` sees
//!   it: the documents' `pattern` lists the same characters), and its
//!   length limit counts characters (code points) of the value as sent,
//!   like JSON Schema's `maxLength` ([`blank_or_longer`]).

use serde::{Deserialize, Deserializer};

/// `#[serde(default, deserialize_with = "non_null")]`: absent is `None`,
/// a value is `Some`, and `null` is an error naming the expected type.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
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
