//! What the portal remembers locally about tokens, in the settings file (no
//! secrets): which revealed tokens were saved to the keychain, pending
//! rotations, and which expiry warnings were already shown today.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::profiles::{readable_items, KeyValueStore};
use crate::vaultstream::ApiToken;

const KEY_SAVED: &str = "savedTokens";
const KEY_REMINDERS: &str = "rotationReminders";
const KEY_NOTICES: &str = "expiryNotices";
const KEY_PREFERENCES: &str = "preferences";

/// A token value kept in the keychain after its one-time reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedToken {
    #[serde(default)]
    #[ts(skip)]
    pub profile: String,
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub saved_at: DateTime<Utc>,
}

/// A rotation whose old token is still to be revoked. Its times are by the
/// service's clock where it was known. Records kept before quiet periods
/// existed read with the defaults (24 h; the deadline is `remind_at`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RotationReminder {
    pub profile: String,
    pub old_id: String,
    pub old_name: String,
    pub new_id: String,
    pub new_name: String,
    pub created_at: DateTime<Utc>,
    pub remind_at: DateTime<Utc>,
    /// The old token is revoked once unused for this long (0 to 7 days).
    #[serde(default = "default_quiet_period")]
    pub quiet_period_seconds: u32,
    /// Still in use after this: kept, and the user is told.
    #[serde(default)]
    pub deadline: Option<DateTime<Utc>>,
    /// The last state recorded in the activity log, so each is recorded once.
    #[serde(default)]
    pub noted: Option<RotationState>,
}

/// Where a pending rotation stands (see `ops::tokens::check_rotations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RotationState {
    /// The old token has been unused for the quiet period: to revoke now.
    Due,
    /// Revoked by this check.
    Revoked,
    /// Used within the quiet period, before the deadline.
    Waiting,
    /// Still used after the rotation's deadline: kept, the user told.
    InUsePastDeadline,
    /// The service does not report `last_used_at`: the reminder instead.
    UsageNotReported,
    /// The old token is no longer on the service (revoked elsewhere).
    Gone,
}

/// The quiet period when none is given: a day.
pub const DEFAULT_QUIET_PERIOD_SECONDS: u32 = 86_400;
/// The longest quiet period: a week.
pub const MAX_QUIET_PERIOD_SECONDS: u32 = 7 * 86_400;
/// The rotation's deadline comes this long after the quiet period could
/// first have ended: a week to move every user of the old token.
pub const ROTATION_DEADLINE_AFTER: Duration = Duration::days(7);

fn default_quiet_period() -> u32 {
    DEFAULT_QUIET_PERIOD_SECONDS
}

impl RotationReminder {
    pub fn quiet_period(&self) -> Duration {
        Duration::seconds(i64::from(self.quiet_period_seconds))
    }

    /// When a token still in use is kept and the user told.
    pub fn deadline(&self) -> DateTime<Utc> {
        self.deadline.unwrap_or(self.remind_at)
    }
}

/// User preferences that Rust needs too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Preferences {
    /// Seconds before a copied token is cleared from the clipboard; 0 = never.
    pub clipboard_clear_seconds: u32,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            clipboard_clear_seconds: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Notice {
    profile: String,
    token_id: String,
    day: NaiveDate,
}

/// Days before expiry when the desktop warns.
pub const EXPIRY_WARNING_DAYS: i64 = 7;

pub struct TokenRecords<'a> {
    store: &'a dyn KeyValueStore,
}

/// A record kept per profile, in a list under its settings key, about one
/// token.
trait Record: Serialize + DeserializeOwned {
    const KEY: &'static str;
    fn profile(&self) -> &str;
    /// The token it is about: a saved token, a rotation's old token, the
    /// token warned about.
    fn token_id(&self) -> &str;
}

/// [`Record`] for a type kept under `$key`, about the token in `$token`.
macro_rules! record {
    ($type:ty, $key:expr, $token:ident) => {
        impl Record for $type {
            const KEY: &'static str = $key;
            fn profile(&self) -> &str {
                &self.profile
            }
            fn token_id(&self) -> &str {
                &self.$token
            }
        }
    };
}

record!(SavedToken, KEY_SAVED, id);
record!(RotationReminder, KEY_REMINDERS, old_id);
record!(Notice, KEY_NOTICES, token_id);

pub(crate) fn read<T: DeserializeOwned>(store: &dyn KeyValueStore, key: &str) -> Vec<T> {
    readable_items(store.get(key))
}

pub(crate) fn write<T: Serialize>(store: &dyn KeyValueStore, key: &str, items: &[T]) -> Result<()> {
    let v = serde_json::to_value(items).map_err(|e| Error::internal(e.to_string()))?;
    store.set(key, v)
}

/// Removes the records under `key` for which `gone` holds, writing only
/// when there was one; returns those removed.
pub(crate) fn remove_where<T: Serialize + DeserializeOwned>(
    store: &dyn KeyValueStore,
    key: &str,
    gone: impl Fn(&T) -> bool,
) -> Result<Vec<T>> {
    let (removed, kept): (Vec<T>, Vec<T>) = read::<T>(store, key).into_iter().partition(gone);
    if !removed.is_empty() {
        write(store, key, &kept)?;
    }
    Ok(removed)
}

/// Replaces the record under `key` that `same` matches with `item`.
pub(crate) fn upsert<T: Serialize + DeserializeOwned>(
    store: &dyn KeyValueStore,
    key: &str,
    item: T,
    same: impl Fn(&T, &T) -> bool,
) -> Result<()> {
    let mut all: Vec<T> = read(store, key);
    all.retain(|x| !same(x, &item));
    all.push(item);
    write(store, key, &all)
}

impl<'a> TokenRecords<'a> {
    pub fn new(store: &'a dyn KeyValueStore) -> Self {
        Self { store }
    }

    /// `profile`'s records of one kind.
    fn of<T: Record>(&self, profile: &str) -> Vec<T> {
        read::<T>(self.store, T::KEY)
            .into_iter()
            .filter(|r| r.profile() == profile)
            .collect()
    }

    /// Keeps `record`, in place of the one about the same token.
    fn keep<T: Record>(&self, record: T) -> Result<()> {
        upsert(self.store, T::KEY, record, |a, b| {
            a.profile() == b.profile() && a.token_id() == b.token_id()
        })
    }

    /// Forgets `profile`'s records of one kind about `token_id`.
    fn remove<T: Record>(&self, profile: &str, token_id: &str) -> Result<()> {
        remove_where::<T>(self.store, T::KEY, |r| {
            r.profile() == profile && r.token_id() == token_id
        })
        .map(drop)
    }

    pub fn saved(&self, profile: &str) -> Vec<SavedToken> {
        self.of(profile)
    }

    pub fn add_saved(&self, saved: SavedToken) -> Result<()> {
        self.keep(saved)
    }

    pub fn remove_saved(&self, profile: &str, id: &str) -> Result<()> {
        self.remove::<SavedToken>(profile, id)
    }

    pub fn reminders(&self, profile: &str) -> Vec<RotationReminder> {
        self.of(profile)
    }

    pub fn add_reminder(&self, reminder: RotationReminder) -> Result<()> {
        self.keep(reminder)
    }

    /// Forgets the reminders about `old_id` (it was revoked).
    pub fn clear_reminder(&self, profile: &str, old_id: &str) -> Result<()> {
        self.remove::<RotationReminder>(profile, old_id)
    }

    /// Forgets everything kept about a revoked token.
    pub fn forget(&self, profile: &str, id: &str) -> Result<()> {
        self.clear_reminder(profile, id)?;
        self.remove_saved(profile, id)
    }

    /// Forgets everything kept about `profile`'s tokens: saved-token
    /// records, rotation reminders and expiry notices. Returns the saved
    /// tokens it forgot (their values are the caller's to delete first).
    pub fn forget_profile(&self, profile: &str) -> Result<Vec<SavedToken>> {
        let forgotten = self.remove_profile::<SavedToken>(profile)?;
        self.remove_profile::<RotationReminder>(profile)?;
        self.remove_profile::<Notice>(profile)?;
        Ok(forgotten)
    }

    fn remove_profile<T: Record>(&self, profile: &str) -> Result<Vec<T>> {
        remove_where::<T>(self.store, T::KEY, |r| r.profile() == profile)
    }

    /// The tokens to warn about now: expiring within 7 days, not yet
    /// expired, and not warned about today. Records them as warned.
    pub fn due_expiry_warnings(
        &self,
        profile: &str,
        tokens: &[ApiToken],
        now: DateTime<Utc>,
    ) -> Result<Vec<ApiToken>> {
        let today = now.date_naive();
        let mut notices: Vec<Notice> = read(self.store, KEY_NOTICES);
        notices.retain(|n| n.day == today);
        let due: Vec<ApiToken> = tokens
            .iter()
            .filter(|t| {
                t.expires_at
                    .is_some_and(|e| e > now && e - now <= Duration::days(EXPIRY_WARNING_DAYS))
                    && !notices
                        .iter()
                        .any(|n| n.profile == profile && n.token_id == t.id)
            })
            .cloned()
            .collect();
        if !due.is_empty() {
            notices.extend(due.iter().map(|t| Notice {
                profile: profile.into(),
                token_id: t.id.clone(),
                day: today,
            }));
            write(self.store, KEY_NOTICES, &notices)?;
        }
        Ok(due)
    }

    pub fn preferences(&self) -> Preferences {
        self.store
            .get(KEY_PREFERENCES)
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    pub fn set_preferences(&self, prefs: &Preferences) -> Result<()> {
        if prefs.clipboard_clear_seconds > 3600 {
            return Err(Error::validation(
                "The clipboard delay can be at most one hour (3600 s).",
            ));
        }
        let v: Value = serde_json::to_value(prefs).map_err(|e| Error::internal(e.to_string()))?;
        self.store.set(KEY_PREFERENCES, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::SettingsFile;

    fn token(id: &str, expires_in_hours: Option<i64>, now: DateTime<Utc>) -> ApiToken {
        ApiToken {
            id: id.into(),
            name: id.into(),
            scopes: vec![],
            created_at: Some(now - Duration::days(80)),
            expires_at: expires_in_hours.map(|h| now + Duration::hours(h)),
            last_used_at: None,
        }
    }

    #[test]
    fn expiry_warnings_once_per_token_per_day() {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::open(dir.path().join("s.json")).unwrap();
        let records = TokenRecords::new(&f);
        let now: DateTime<Utc> = "2026-11-22T09:00:00Z".parse().unwrap();
        let tokens = vec![
            token("soon", Some(24 * 3), now),
            token("edge", Some(24 * 7), now),
            token("later", Some(24 * 8), now),
            token("never", None, now),
            token("expired", Some(-1), now),
        ];
        let ids = |v: Vec<ApiToken>| v.into_iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(
            ids(records.due_expiry_warnings("P", &tokens, now).unwrap()),
            ["soon", "edge"]
        );
        // Same day: nothing again; another profile is separate.
        assert!(records
            .due_expiry_warnings("P", &tokens, now + Duration::hours(3))
            .unwrap()
            .is_empty());
        assert_eq!(
            records
                .due_expiry_warnings("Q", &tokens[..1], now)
                .unwrap()
                .len(),
            1
        );
        // Next day: warned again.
        let tomorrow = now + Duration::days(1);
        assert_eq!(
            ids(records
                .due_expiry_warnings("P", &tokens[..1], tomorrow)
                .unwrap()),
            ["soon"]
        );
    }

    #[test]
    fn reminders_and_saved_tokens_are_per_profile() {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::open(dir.path().join("s.json")).unwrap();
        let records = TokenRecords::new(&f);
        let now = Utc::now();
        let r = RotationReminder {
            profile: "P".into(),
            old_id: "tok_old".into(),
            old_name: "CI".into(),
            new_id: "tok_new".into(),
            new_name: "CI".into(),
            created_at: now,
            remind_at: now + Duration::days(1),
            quiet_period_seconds: DEFAULT_QUIET_PERIOD_SECONDS,
            deadline: None,
            noted: None,
        };
        records.add_reminder(r.clone()).unwrap();
        records.add_reminder(r.clone()).unwrap();
        assert_eq!(records.reminders("P"), [r]);
        assert!(records.reminders("Q").is_empty());
        records.clear_reminder("P", "tok_old").unwrap();
        assert!(records.reminders("P").is_empty());

        let s = SavedToken {
            profile: "P".into(),
            id: "tok_1".into(),
            name: "n".into(),
            scopes: vec![],
            saved_at: now,
        };
        records.add_saved(s.clone()).unwrap();
        assert_eq!(records.saved("P"), [s]);
        records.remove_saved("P", "tok_1").unwrap();
        assert!(records.saved("P").is_empty());
    }

    /// A reminder kept before quiet periods existed still reads: a day's
    /// quiet period, its reminder time as the deadline.
    #[test]
    fn old_rotation_records_read_with_the_defaults() {
        let old: RotationReminder = serde_json::from_value(serde_json::json!({
            "profile": "P", "oldId": "tok_a", "oldName": "CI", "newId": "tok_b",
            "newName": "CI", "createdAt": "2026-11-01T00:00:00Z",
            "remindAt": "2026-11-02T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(old.quiet_period(), Duration::days(1));
        assert_eq!(old.deadline(), old.remind_at);
        assert_eq!(old.noted, None);
    }

    #[test]
    fn preferences_default_and_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::open(dir.path().join("s.json")).unwrap();
        let records = TokenRecords::new(&f);
        assert_eq!(records.preferences().clipboard_clear_seconds, 30);
        records
            .set_preferences(&Preferences {
                clipboard_clear_seconds: 0,
            })
            .unwrap();
        assert_eq!(records.preferences().clipboard_clear_seconds, 0);
        assert!(records
            .set_preferences(&Preferences {
                clipboard_clear_seconds: 99_999
            })
            .is_err());
    }
}
