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
