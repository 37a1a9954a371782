//! The services' clock as this computer knows it: every answer's `Date`
//! header (read by [`crate::http::HttpClient::send`]) gives the offset
//! between the service's clock and this one. Whatever is decided by time
//! (the vault session's expiry, a rotation's quiet period and deadline, the
//! JWT expiries shown, the playback doctor's lifetime check) asks
//! [`ServiceClock::now`]: the service's time where it is known, this
//! computer's otherwise. When the two differ by more than
//! [`CLOCK_WARNING_SECONDS`], [`ServiceClock::warning`] says so.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

/// Beyond this offset (seconds, either way) the clocks are said to differ.
pub const CLOCK_WARNING_SECONDS: i64 = 60;

/// The offset learned from the last `Date` header; shared by the clones of
/// a profile's HTTP client.
#[derive(Debug, Clone, Default)]
pub struct ServiceClock {
    offset: Arc<Mutex<Option<Duration>>>,
}

/// What the shells show: the offset in whole seconds (`service - local`),
/// and the warning when it is over a minute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ClockStatus {
    /// `None` until a service answered with a readable `Date`.
    #[ts(type = "number | null")]
    pub offset_seconds: Option<i64>,
    pub warning: Option<String>,
}

impl ServiceClock {
    /// Learns the offset from a service's `Date` (`service`) read when this
    /// computer's clock said `local`. `Date` has whole seconds, so the
    /// offset is exact to about a second.
    pub fn learn(&self, service: DateTime<Utc>, local: DateTime<Utc>) {
        // Date drops the fraction: compare with this clock's whole second.
        let local = local.timestamp();
        *self.lock() = Some(Duration::seconds(service.timestamp() - local));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Duration>> {
        self.offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `service - local`, once a service has answered with a `Date`.
    pub fn offset(&self) -> Option<Duration> {
        *self.lock()
    }

    /// The service's time now: this computer's moved by the offset.
    pub fn now(&self) -> DateTime<Utc> {
        self.at(Utc::now())
    }

    /// `local` (a reading of this computer's clock) on the service's clock.
    pub fn at(&self, local: DateTime<Utc>) -> DateTime<Utc> {
        local + self.offset().unwrap_or_else(Duration::zero)
    }

    /// The offset and its warning.
    pub fn status(&self) -> ClockStatus {
        let offset_seconds = self.offset().map(|o| o.num_seconds());
        ClockStatus {
            offset_seconds,
            warning: offset_seconds.and_then(warning),
        }
    }

    /// "This computer's clock is 2 minutes behind the service's…" when
    /// they differ by more than a minute.
    pub fn warning(&self) -> Option<String> {
        self.status().warning
    }
}

/// The sentence for an offset of `offset` seconds (`service - local`), when
/// it is more than [`CLOCK_WARNING_SECONDS`] either way.
pub fn warning(offset: i64) -> Option<String> {
    if offset.abs() <= CLOCK_WARNING_SECONDS {
        return None;
    }
    Some(format!(
        "{} Times here follow the service's clock; set this computer's clock right (automatic time) to avoid surprises elsewhere.",
        offset_sentence(offset)
    ))
}

/// "This computer's clock is 2 minutes behind the service's." for an offset
/// of `offset` seconds (`service - local`).
pub fn offset_sentence(offset: i64) -> String {
    let side = if offset > 0 { "behind" } else { "ahead of" };
    format!(
        "This computer's clock is {} {side} the service's.",
        crate::time::roughly(offset)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_moves_now_and_warns_past_a_minute() {
        let clock = ServiceClock::default();
        assert_eq!(clock.status().offset_seconds, None);
        let local: DateTime<Utc> = "2026-12-06T10:00:00.900Z".parse().unwrap();
        clock.learn("2026-12-06T10:02:00Z".parse().unwrap(), local);
        assert_eq!(clock.offset(), Some(Duration::seconds(120)));
        assert_eq!(clock.at(local), local + Duration::seconds(120));
        let w = clock.warning().unwrap();
        assert!(w.contains("2 minutes behind the service's"), "{w}");
        // A clone shares what was learned.
        let shared = clock.clone();
        shared.learn(
            "2026-12-06T10:00:30Z".parse().unwrap(),
            "2026-12-06T10:00:00Z".parse().unwrap(),
        );
        assert_eq!(clock.status().offset_seconds, Some(30));
        assert_eq!(clock.warning(), None);
        assert!(warning(-180).unwrap().contains("3 minutes ahead of"));
        assert_eq!(warning(60), None);
    }
}
