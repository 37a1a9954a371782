//! The sandbox's notion of "now": wall time plus an offset that
//! `POST /sandbox/clock` can move forward, so tests can expire tokens,
//! idempotency records and share links without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use axum::extract::{Request, State};
use axum::http::header::DATE;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Duration, SecondsFormat, Utc};

use crate::state::AppState;

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

/// The furthest the clock may be moved: 100 years (in seconds). Far enough
/// for any expiry a test wants to pass, near enough that "now" plus any
/// TTL the services accept stays a valid date (no overflow anywhere).
pub const MAX_OFFSET_SECONDS: i64 = 100 * 366 * 86_400;

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        let offset = Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed));
        let now = Utc::now();
        now.checked_add_signed(offset).unwrap_or(now)
    }

    /// Moves the clock `seconds` forward. Refused (and nothing moves) when
    /// `seconds` is negative or the total offset would pass
    /// [`MAX_OFFSET_SECONDS`].
    pub fn advance(&self, seconds: i64) -> Result<(), String> {
        if seconds < 0 {
            return Err("the clock only moves forward".into());
        }
        let max_ms = MAX_OFFSET_SECONDS * 1000;
        self.offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |current| {
                seconds
                    .checked_mul(1000)
                    .and_then(|ms| current.checked_add(ms))
                    .filter(|total| *total <= max_ms)
            })
            .map(|_| ())
            .map_err(|current| {
                format!(
                    "the clock may move at most {MAX_OFFSET_SECONDS} s (100 years) in all; it is {} s ahead already",
                    current / 1000
                )
            })
    }

    pub fn offset_seconds(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed) / 1000
    }

    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

/// Every answer's `Date` header is the sandbox's clock (hyper writes the
/// wall clock only when a response has none), so a client comparing its
/// clock with the service's sees a moved clock as a real service's.
pub async fn date_header(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let date = state
        .clock
        .now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(value) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(DATE, value);
    }
    response
}

/// Storage format: RFC 3339, UTC, milliseconds, so text order is time order.
pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// VaultStream style: whole seconds (`2026-07-04T12:00:00Z`).
pub fn to_seconds(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Re-format a stored timestamp in whole seconds.
pub fn db_to_seconds(s: &str) -> String {
    from_db(s).map(to_seconds).unwrap_or_else(|| s.to_owned())
}
