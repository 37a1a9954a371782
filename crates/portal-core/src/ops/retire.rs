//! Safe key retirement (#16 §2), shared by the app's delete dialog, its
//! launch and periodic check, and `portal keys delete` / `portal keys
//! retire`: a key that still has live JWTs (by the latest `exp` this portal
//! signed with it, `key_records.rs`) is not deleted silently. Its deletion
//! can be scheduled for when the last one expires, called off, or carried
//! out when due.
//!
//! "Now" is the service's clock (the `Date` of its answer about the key),
//! else this computer's: the player checks `exp` by the service's clock.
//! Scheduling records `key_delete_scheduled`, calling off
//! `key_delete_unscheduled`, and a deletion carried out `key_delete`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::keys::{delete_as, Cx};
use super::{record, Outcome};
use crate::activity::Action;
use crate::error::{Error, ErrorCode, Result};
use crate::jwt_keys::JwtKey;
use crate::key_records::{KeyRecords, ScheduledDeletion};

/// What deleting a key now would break.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeletionCheck {
    pub kid: String,
    pub name: String,
    /// The service's clock (else this computer's) when asked.
    pub now: DateTime<Utc>,
    /// When the last live JWT signed here with the key expires; `None`:
    /// none is live (or none was signed here).
    pub live_until: Option<DateTime<Utc>>,
    /// Whole hours until then, rounded up.
    pub hours_left: Option<u32>,
    /// The deletion already scheduled, if any.
    pub scheduled: Option<ScheduledDeletion>,
}

/// One scheduled deletion that could not be carried out.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RetireFailure {
    pub kid: String,
    pub name: String,
    pub message: String,
}

/// What a run of the due deletions did.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RetireReport {
    /// Deleted now.
    pub deleted: Vec<ScheduledDeletion>,
    /// Gone from the service already: the schedule was dropped.
    pub already_gone: Vec<ScheduledDeletion>,
    /// Not due yet.
    pub pending: Vec<ScheduledDeletion>,
    pub failed: Vec<RetireFailure>,
}

fn failure(s: &ScheduledDeletion, message: String) -> RetireFailure {
    RetireFailure {
        kid: s.kid.clone(),
        name: s.name.clone(),
        message,
    }
}

fn records<'a>(cx: Cx<'a>) -> KeyRecords<'a> {
    KeyRecords::new(cx.settings)
}

/// Hours from `now` to `until`, rounded up (at least 1).
pub fn hours_between(now: DateTime<Utc>, until: DateTime<Utc>) -> u32 {
    let secs = (until - now).num_seconds().max(1);
    u32::try_from((secs + 3599) / 3600).unwrap_or(u32::MAX)
}

/// The key and the service's clock when it answered.
async fn key_and_now(cx: Cx<'_>, kid: &str) -> Result<(JwtKey, DateTime<Utc>)> {
    let credential = cx.api_key()?;
    let (key, date) = cx.pc.jwt_keys(&credential).get_dated(kid).await;
    Ok((key?, date.unwrap_or_else(Utc::now)))
}

/// Whether deleting key `kid` now would stop live JWTs signed here, and
/// until when.
pub async fn check(cx: Cx<'_>, kid: &str) -> Result<DeletionCheck> {
    let (key, now) = key_and_now(cx, kid).await?;
    Ok(check_at(cx, &key, now))
}

fn check_at(cx: Cx<'_>, key: &JwtKey, now: DateTime<Utc>) -> DeletionCheck {
    let profile = &cx.pc.profile.name;
    let records = records(cx);
    let live_until = records
        .signed_until(profile, &key.id)
        .filter(|until| *until > now);
    DeletionCheck {
        kid: key.id.clone(),
        name: key.name.clone(),
        now,
        live_until,
        hours_left: live_until.map(|until| hours_between(now, until)),
        scheduled: records
            .scheduled(profile)
            .into_iter()
            .find(|s| s.kid == key.id),
    }
}

/// Schedules the deletion of key `kid` for when the last JWT signed here
/// with it expires (at the next check when none is live), with its private
/// half here when `delete_local`.
pub async fn schedule(
    cx: Cx<'_>,
    kid: &str,
    delete_local: bool,
) -> Result<Outcome<ScheduledDeletion>> {
    let (key, now) = key_and_now(cx, kid).await?;
    schedule_key(cx, &key, now, delete_local)
}

/// [`schedule`] for a key just read from the service, `now` by its clock.
pub(crate) fn schedule_key(
    cx: Cx<'_>,
    key: &JwtKey,
    now: DateTime<Utc>,
    delete_local: bool,
) -> Result<Outcome<ScheduledDeletion>> {
    let kid = key.id.as_str();
    let check = check_at(cx, key, now);
    let deletion = ScheduledDeletion {
        profile: cx.pc.profile.name.clone(),
        kid: key.id.clone(),
        name: key.name.clone(),
        due_at: check.live_until.unwrap_or(now),
        scheduled_at: now,
        delete_local,
    };
    records(cx).schedule(deletion.clone())?;
    let mut out = Outcome::new(deletion);
    let when = out.value.due_at.format("%Y-%m-%d %H:%M UTC");
    record(
        cx.recorder,
        cx.pc,
        Action::KeyDeleteScheduled,
        kid,
        &format!(
            "Scheduled the deletion of JWT key '{}' ({kid}) for {when}, when the last JWT signed with it expires",
            key.name
        ),
        &mut out.warnings,
    );
    Ok(out)
}

/// Calls off the scheduled deletion of key `kid`.
pub fn cancel(cx: Cx<'_>, kid: &str) -> Result<Outcome<ScheduledDeletion>> {
    let removed = records(cx).unschedule(&cx.pc.profile.name, kid)?;
    let removed = removed.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("No deletion of JWT key {kid} is scheduled."),
        )
    })?;
    let mut out = Outcome::new(removed);
    record(
        cx.recorder,
        cx.pc,
        Action::KeyDeleteUnscheduled,
        kid,
        &format!(
            "Called off the scheduled deletion of JWT key '{}' ({kid})",
            out.value.name
        ),
        &mut out.warnings,
    );
    Ok(out)
}

/// The profile's scheduled deletions, soonest first.
pub fn scheduled(cx: Cx<'_>) -> Vec<ScheduledDeletion> {
    records(cx).scheduled(&cx.pc.profile.name)
}

/// Carries out the profile's scheduled deletions that are due by the
/// service's clock (a JWT signed after the scheduling pushes its key's
/// deletion to that JWT's expiry). A key already gone only drops its
/// schedule; a failure is reported and the others go on. With nothing
/// scheduled, nothing is asked of the service.
pub async fn run_due(cx: Cx<'_>) -> Result<Outcome<RetireReport>> {
    let profile = cx.pc.profile.name.clone();
    let records = records(cx);
    let mut out = Outcome::new(RetireReport::default());
    let scheduled = records.scheduled(&profile);
    if scheduled.is_empty() {
        return Ok(out);
    }
    let credential = cx.api_key()?;
    let client = cx.pc.jwt_keys(&credential);
    for mut s in scheduled {
        let (key, date) = client.get_dated(&s.kid).await;
        match key {
            Err(e) if e.code == ErrorCode::NotFound => {
                records.forget(&profile, &s.kid)?;
                out.value.already_gone.push(s);
                continue;
            }
            Err(e) => {
                out.value.failed.push(failure(&s, e.message));
                continue;
            }
            Ok(_) => {}
        }
        let now = date.unwrap_or_else(Utc::now);
        if let Some(until) = records.signed_until(&profile, &s.kid) {
            if until > s.due_at {
                s.due_at = until;
                records.schedule(s.clone())?;
            }
        }
        if s.due_at > now {
            out.value.pending.push(s);
            continue;
        }
        let summary = format!(
            "Deleted JWT key '{}' ({}) as scheduled: the last JWT signed with it expired at {}",
            s.name,
            s.kid,
            s.due_at.format("%Y-%m-%d %H:%M UTC")
        );
        match delete_as(cx, Some(&s.kid), None, s.delete_local, &summary).await {
            Ok(done) => {
                out.warnings.extend(done.warnings);
                out.value.deleted.push(s);
            }
            Err(e) => out.value.failed.push(failure(&s, e.message)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_rounded_up() {
        let now: DateTime<Utc> = "2026-12-06T09:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(hours_between(now, at("2026-12-06T09:00:01Z")), 1);
        assert_eq!(hours_between(now, at("2026-12-06T10:00:00Z")), 1);
        assert_eq!(hours_between(now, at("2026-12-06T10:00:01Z")), 2);
        assert_eq!(hours_between(now, at("2026-12-07T09:00:00Z")), 24);
    }
}
