//! The expiry calendar (issue 15 §5) as iCalendar (RFC 5545) text: one
//! event per date a partner admin must not miss, each with display alarms
//! 30, 14, 7 and 1 days before. UIDs are stable (made from what the event is
//! about, never from the time of export), so importing a newer file updates
//! the events instead of adding copies. `ops::calendar` says which dates.

use chrono::{DateTime, Duration, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike};

/// Days before an event its alarms go off.
pub const ALARM_DAYS: [i64; 4] = [30, 14, 7, 1];

/// One date to remember.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Stable: e.g. `token-expiry.tok_123.prod@partner-portal`.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub at: DateTime<Utc>,
}

/// A UID part from free text (a profile name): lowercase letters, digits
/// and `-`, with every other character as `-`.
pub fn uid_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The calendar of `reminders`; `now` is every event's DTSTAMP.
pub fn to_ics(reminders: &[Reminder], now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name("Partner Portal: expiries and rotations");
    for r in reminders {
        let mut event = Event::new();
        event
            .uid(&r.uid)
            .timestamp(now)
            .summary(&r.summary)
            .description(&r.description)
            .starts(r.at)
            .ends(r.at + Duration::minutes(30));
        for days in ALARM_DAYS {
            let mut alarm = Alarm::display(
                &format!(
                    "In {days} day{}: {}",
                    if days == 1 { "" } else { "s" },
                    r.summary
                ),
                -Duration::days(days),
            );
            // In days, as calendars show it (the crate writes seconds).
            alarm.add_property("TRIGGER", format!("-P{days}D"));
            event.alarm(alarm);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::parser::{read_calendar, unfold};

    #[test]
    fn events_have_stable_uids_and_four_alarms_and_survive_a_parser() {
        let at = "2027-03-01T12:00:00Z".parse().unwrap();
        let reminders = vec![Reminder {
            uid: format!("token-expiry.tok_1.{}@partner-portal", uid_part("Prod EU")),
            summary: "Token 'CI, nightly; main' expires".into(),
            description: "Profile Prod EU.\nRotate it before then.".into(),
            at,
        }];
        let first = to_ics(&reminders, "2026-12-01T00:00:00Z".parse().unwrap());
        let later = to_ics(&reminders, "2026-12-05T00:00:00Z".parse().unwrap());
        let unfolded = unfold(&first);
        let parsed = read_calendar(&unfolded).unwrap();
        let events: Vec<_> = parsed
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .collect();
        assert_eq!(events.len(), 1);
        let prop = |name: &str| {
            events[0]
                .properties
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.val.to_string())
        };
        assert_eq!(
            prop("UID").as_deref(),
            Some("token-expiry.tok_1.prod-eu@partner-portal")
        );
        assert_eq!(prop("DTSTART").as_deref(), Some("20270301T120000Z"));
        let alarms: Vec<String> = events[0]
            .components
            .iter()
            .filter(|c| c.name == "VALARM")
            .filter_map(|a| a.properties.iter().find(|p| p.name == "TRIGGER"))
            .map(|p| p.val.to_string())
            .collect();
        assert_eq!(alarms, ["-P30D", "-P14D", "-P7D", "-P1D"]);
        // Exported again later: the same UID, so calendars update, not duplicate.
        assert!(later.contains("UID:token-expiry.tok_1.prod-eu@partner-portal"));
        assert!(
            first.contains("SUMMARY:Token 'CI\\, nightly\\; main' expires"),
            "{first}"
        );
    }
}
