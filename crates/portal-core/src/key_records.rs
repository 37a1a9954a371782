//! What the portal remembers locally about its JWT keys' retirement, in the
//! settings file (no secrets, no token values): per profile and `kid`, the
//! latest `exp` of every JWT it has signed with the key ("signed until"),
//! the key deletions scheduled for when those JWTs have expired, and the
//! profile's default signing key (the one the Sign dialog and `portal keys
//! sign` use when none is named). `ops::retire` and `ops::keys` are the use
//! cases over it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::profiles::KeyValueStore;
use crate::token_records::{read, remove_where, upsert};

const KEY_SIGNED: &str = "keySignedUntil";
const KEY_SCHEDULED: &str = "keyDeletions";
const KEY_DEFAULT: &str = "defaultSigningKeys";

/// The key a profile signs with when none is named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DefaultKey {
    profile: String,
    kid: String,
}

/// The latest `exp` signed with one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignedUntil {
    profile: String,
    kid: String,
    until: DateTime<Utc>,
}

/// A key deletion to carry out once every JWT signed with the key has
/// expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScheduledDeletion {
    pub profile: String,
    /// The server key id (the JWTs' `kid`).
    pub kid: String,
    pub name: String,
    /// When it is carried out: the last signed JWT's expiry.
    pub due_at: DateTime<Utc>,
    pub scheduled_at: DateTime<Utc>,
    /// The private half kept here goes too.
    pub delete_local: bool,
}

pub struct KeyRecords<'a> {
    store: &'a dyn KeyValueStore,
}

impl<'a> KeyRecords<'a> {
    pub fn new(store: &'a dyn KeyValueStore) -> Self {
        Self { store }
    }

    /// The latest expiry of a JWT signed here with `kid`, live or not.
    pub fn signed_until(&self, profile: &str, kid: &str) -> Option<DateTime<Utc>> {
        read::<SignedUntil>(self.store, KEY_SIGNED)
            .into_iter()
            .find(|s| s.profile == profile && s.kid == kid)
            .map(|s| s.until)
    }

    /// Remembers a JWT signed with `kid` until `exp` (an earlier `exp`
    /// than the one kept changes nothing).
    pub fn note_signed(&self, profile: &str, kid: &str, exp: DateTime<Utc>) -> Result<()> {
        if self.signed_until(profile, kid).is_some_and(|u| u >= exp) {
            return Ok(());
        }
        let item = SignedUntil {
            profile: profile.into(),
            kid: kid.into(),
            until: exp,
        };
        upsert(self.store, KEY_SIGNED, item, |a, b| {
            a.profile == b.profile && a.kid == b.kid
        })
    }

    /// `profile`'s scheduled deletions, soonest first.
    pub fn scheduled(&self, profile: &str) -> Vec<ScheduledDeletion> {
        let mut all: Vec<ScheduledDeletion> = read::<ScheduledDeletion>(self.store, KEY_SCHEDULED)
            .into_iter()
            .filter(|s| s.profile == profile)
            .collect();
        all.sort_by_key(|s| s.due_at);
        all
    }

    /// Every profile's scheduled deletions.
    pub fn all_scheduled(&self) -> Vec<ScheduledDeletion> {
        read(self.store, KEY_SCHEDULED)
    }

    pub fn schedule(&self, deletion: ScheduledDeletion) -> Result<()> {
        upsert(self.store, KEY_SCHEDULED, deletion, |a, b| {
            a.profile == b.profile && a.kid == b.kid
        })
    }

    /// Drops the schedule of `kid`; returns it when there was one.
    pub fn unschedule(&self, profile: &str, kid: &str) -> Result<Option<ScheduledDeletion>> {
        let removed = remove_where::<ScheduledDeletion>(self.store, KEY_SCHEDULED, |s| {
            s.profile == profile && s.kid == kid
        })?;
        Ok(removed.into_iter().next())
    }

    /// The server key id `profile` signs with when none is named.
    pub fn default_key(&self, profile: &str) -> Option<String> {
        read::<DefaultKey>(self.store, KEY_DEFAULT)
            .into_iter()
            .find(|d| d.profile == profile)
            .map(|d| d.kid)
    }

    /// Makes `kid` the key `profile` signs with when none is named.
    pub fn set_default_key(&self, profile: &str, kid: &str) -> Result<()> {
        let item = DefaultKey {
            profile: profile.into(),
            kid: kid.into(),
        };
        upsert(self.store, KEY_DEFAULT, item, |a, b| a.profile == b.profile)
    }

    /// Forgets everything kept about a deleted key (its being the default too).
    pub fn forget(&self, profile: &str, kid: &str) -> Result<()> {
        self.unschedule(profile, kid)?;
        remove_where::<DefaultKey>(self.store, KEY_DEFAULT, |d| {
            d.profile == profile && d.kid == kid
        })?;
        remove_where::<SignedUntil>(self.store, KEY_SIGNED, |s| {
            s.profile == profile && s.kid == kid
        })
        .map(drop)
    }

    /// Forgets everything kept about `profile`'s keys (it was removed).
    pub fn forget_profile(&self, profile: &str) -> Result<()> {
        remove_where::<ScheduledDeletion>(self.store, KEY_SCHEDULED, |s| s.profile == profile)?;
        remove_where::<DefaultKey>(self.store, KEY_DEFAULT, |d| d.profile == profile)?;
        remove_where::<SignedUntil>(self.store, KEY_SIGNED, |s| s.profile == profile).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::SettingsFile;
    use chrono::Duration;

    #[test]
    fn signed_until_keeps_the_latest_expiry_per_profile_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::open(dir.path().join("s.json")).unwrap();
        let records = KeyRecords::new(&f);
        let now: DateTime<Utc> = "2026-12-06T09:00:00Z".parse().unwrap();
        records
            .note_signed("P", "k1", now + Duration::hours(5))
            .unwrap();
        records
            .note_signed("P", "k1", now + Duration::hours(1))
            .unwrap();
        records
            .note_signed("Q", "k1", now + Duration::hours(9))
            .unwrap();
        assert_eq!(
            records.signed_until("P", "k1"),
            Some(now + Duration::hours(5))
        );
        records
            .note_signed("P", "k1", now + Duration::hours(7))
            .unwrap();
        assert_eq!(
            records.signed_until("P", "k1"),
            Some(now + Duration::hours(7))
        );
        assert_eq!(records.signed_until("P", "k2"), None);

        let deletion = ScheduledDeletion {
            profile: "P".into(),
            kid: "k1".into(),
            name: "old".into(),
            due_at: now + Duration::hours(7),
            scheduled_at: now,
            delete_local: true,
        };
        records.schedule(deletion.clone()).unwrap();
        records.schedule(deletion.clone()).unwrap();
        assert_eq!(records.scheduled("P"), [deletion]);
        assert!(records.scheduled("Q").is_empty());
        records.forget("P", "k1").unwrap();
        assert!(records.scheduled("P").is_empty());
        assert_eq!(records.signed_until("P", "k1"), None);
        assert!(records.signed_until("Q", "k1").is_some());
        records.forget_profile("Q").unwrap();
        assert_eq!(records.signed_until("Q", "k1"), None);
    }

    #[test]
    fn the_default_key_is_one_per_profile_and_goes_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::open(dir.path().join("s.json")).unwrap();
        let records = KeyRecords::new(&f);
        assert_eq!(records.default_key("P"), None);
        records.set_default_key("P", "k1").unwrap();
        records.set_default_key("P", "k2").unwrap();
        records.set_default_key("Q", "k1").unwrap();
        assert_eq!(records.default_key("P").as_deref(), Some("k2"));
        assert_eq!(records.default_key("Q").as_deref(), Some("k1"));
        // Another key's deletion leaves the default alone; its own clears it.
        records.forget("P", "k1").unwrap();
        assert_eq!(records.default_key("P").as_deref(), Some("k2"));
        records.forget("P", "k2").unwrap();
        assert_eq!(records.default_key("P"), None);
        records.forget_profile("Q").unwrap();
        assert_eq!(records.default_key("Q"), None);
    }
}
