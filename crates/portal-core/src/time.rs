//! Timestamps as the services send them (ISO 8601 / RFC 3339, UTC).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Liberal reader: a missing, null or unreadable timestamp becomes `None`
/// instead of failing the whole answer.
pub fn lenient_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| {
        v.as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    })
    .map(|t| t.with_timezone(&Utc)))
}

/// "7 days", "12 hours", "90 minutes", "45 seconds": the largest whole unit.
pub fn describe_seconds(secs: i64) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if secs % 86_400 == 0 && secs != 0 {
        plural(secs / 86_400, "day")
    } else if secs % 3600 == 0 && secs != 0 {
        plural(secs / 3600, "hour")
    } else if secs % 60 == 0 && secs != 0 {
        plural(secs / 60, "minute")
    } else {
        plural(secs, "second")
    }
}

/// A duration for a sentence, to its largest sensible unit ("2 hours" for
/// 7190 s); the sign is dropped.
pub fn roughly(secs: i64) -> String {
    let secs = secs.abs();
    let rounded = match secs {
        0..=119 => secs,
        120..=7199 => (secs + 30) / 60 * 60,
        7200..=172_799 => (secs + 1800) / 3600 * 3600,
        _ => (secs + 43_200) / 86_400 * 86_400,
    };
    describe_seconds(rounded)
}
