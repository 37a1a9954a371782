//! Safe key retirement (`portal_core::ops::retire`) against an in-process
//! sandbox: what signing remembers, the hours left before a key can go, a
//! deletion scheduled for then and carried out by the service's clock, and
//! how it shows in the Health panel and the calendar; and the key rotation
//! built on it (`ops::key_rotation`), with the default signing key.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use portal_core::activity::Action;
use portal_core::calendar::uid_part;
use portal_core::error::ErrorCode;
use portal_core::ops::health::{self, HealthKind};
use portal_core::ops::key_rotation::{self, RotateRequest};
use portal_core::ops::keys as keys_ops;
use portal_core::ops::{calendar, retire};

use crate::ops_keys::{cx, no_cancel, request, world, World};

/// A key made here and uploaded: its server id.
async fn uploaded(w: &World, name: &str) -> String {
    let rec = w.recorder();
    let cx = cx(w, &rec);
    let local = keys_ops::generate(cx, name, 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    keys_ops::upload(cx, &local.local_id)
        .await
        .unwrap()
        .value
        .server
        .id
}

fn actions(w: &World) -> Vec<(Action, String)> {
    w.entries()
        .into_iter()
        .map(|e| (e.action, e.target))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_with_live_jwts_is_deleted_when_the_last_one_expires_by_the_services_clock() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    let kid = uploaded(&w, "Old key").await;

    // Nothing signed yet: deleting it breaks nothing.
    let check = retire::check(cx, &kid).await.unwrap();
    assert_eq!((check.live_until, check.hours_left), (None, None));

    let short = keys_ops::sign(cx, &request(&kid, Some("v1"), 3600), None)
        .await
        .unwrap();
    let long = keys_ops::sign(cx, &request(&kid, None, 3 * 3600), None)
        .await
        .unwrap();
    let check = retire::check(cx, &kid).await.unwrap();
    assert_eq!(check.live_until, Some(long.expires_at));
    assert!(short.expires_at < long.expires_at);
    assert_eq!(check.hours_left, Some(3));
    assert_eq!(check.name, "Old key");

    let scheduled = retire::schedule(cx, &kid, true).await.unwrap();
    assert!(scheduled.warnings.is_empty());
    assert_eq!(scheduled.value.due_at, long.expires_at);
    assert_eq!(
        retire::scheduled(cx),
        std::slice::from_ref(&scheduled.value)
    );
    let entry = w.entries().pop().unwrap();
    assert_eq!(entry.action, Action::KeyDeleteScheduled);
    assert!(entry.summary.contains("'Old key'"), "{}", entry.summary);

    // Not due: nothing deleted, and it shows as scheduled.
    let run = retire::run_due(cx).await.unwrap().value;
    assert!(run.deleted.is_empty());
    assert_eq!(run.pending.len(), 1);
    let report = health::check(&w.pc, &w.settings, Utc::now()).await;
    let finding = report
        .findings
        .iter()
        .find(|f| f.kind == HealthKind::KeyDeletionScheduled)
        .unwrap();
    assert!(!finding.action);
    assert_eq!(finding.id.as_deref(), Some(kid.as_str()));
    let ics = calendar::ics(&w.pc, &w.settings).await.unwrap().text;
    assert!(
        ics.contains(&format!(
            "UID:key-deletion.{}.test@partner-portal",
            uid_part(&kid)
        )),
        "{ics}"
    );

    // A JWT signed after the scheduling pushes the deletion to its expiry.
    w.sb.advance_clock(2 * 3600);
    let later = keys_ops::sign(cx, &request(&kid, None, 6 * 3600), None)
        .await
        .unwrap();
    w.sb.advance_clock(2 * 3600);
    let run = retire::run_due(cx).await.unwrap().value;
    assert!(run.deleted.is_empty(), "{run:?}");
    assert_eq!(run.pending[0].due_at, later.expires_at);

    // Past the last expiry by the service's clock (this computer's is
    // hours behind): carried out, recorded, forgotten.
    w.sb.advance_clock(3 * 3600);
    let run = retire::run_due(cx).await.unwrap();
    assert!(run.warnings.is_empty(), "{:?}", run.warnings);
    assert_eq!(run.value.deleted.len(), 1);
    assert!(run.value.failed.is_empty());
    let entry = w.entries().pop().unwrap();
    assert_eq!(
        (entry.action, entry.target.as_str()),
        (Action::KeyDelete, kid.as_str())
    );
    assert!(entry.summary.contains("as scheduled"), "{}", entry.summary);
    assert!(retire::scheduled(cx).is_empty());
    assert!(cx.local().find_by_server_id(&kid).is_none());
    let overview = keys_ops::overview(cx).await.unwrap();
    assert!(overview
        .rows
        .iter()
        .all(|r| r.server.as_ref().is_none_or(|s| s.id != kid)));
    assert!(overview.scheduled.is_empty());
    // Nothing left to do: a second run asks nothing and does nothing.
    let again = retire::run_due(cx).await.unwrap().value;
    assert!(again.deleted.is_empty() && again.pending.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_schedule_can_be_called_off_and_a_due_one_is_a_health_finding() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    let kid = uploaded(&w, "Kept key").await;
    keys_ops::sign(cx, &request(&kid, None, 3600), None)
        .await
        .unwrap();
    let _ = retire::schedule(cx, &kid, false).await.unwrap();
    let report = health::check(&w.pc, &w.settings, Utc::now() + Duration::hours(2)).await;
    let due = report
        .findings
        .iter()
        .find(|f| f.kind == HealthKind::KeyDeletionDue)
        .unwrap();
    assert!(due.action && report.needs_action());
    assert!(due
        .fix
        .as_ref()
        .unwrap()
        .command
        .contains("keys retire --due"));

    let cancelled = retire::cancel(cx, &kid).unwrap();
    assert_eq!(cancelled.value.kid, kid);
    assert!(retire::scheduled(cx).is_empty());
    let again = retire::cancel(cx, &kid).unwrap_err();
    assert_eq!(again.code, portal_core::ErrorCode::NotFound);
    let tail: Vec<_> = actions(&w).into_iter().skip(1).collect();
    assert_eq!(
        tail,
        [
            (Action::KeyDeleteScheduled, kid.clone()),
            (Action::KeyDeleteUnscheduled, kid.clone())
        ]
    );
    w.sb.advance_clock(2 * 3600);
    assert!(retire::run_due(cx).await.unwrap().value.deleted.is_empty());
    assert!(keys_ops::details(cx, &kid).await.is_ok(), "the key stays");

    // A key deleted by hand drops its schedule.
    let _ = retire::schedule(cx, &kid, false).await.unwrap();
    let _ = keys_ops::delete(cx, Some(&kid), None, false).await.unwrap();
    assert!(retire::scheduled(cx).is_empty());
}

fn rotate_from(old: &str) -> RotateRequest {
    RotateRequest {
        old_kid: old.to_owned(),
        name: None,
        bits: 2048,
        retire_old: true,
        delete_local: true,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_makes_the_new_key_the_default_and_schedules_the_old_ones_deletion() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    let old = uploaded(&w, "Web key").await;
    let live = keys_ops::sign(cx, &request(&old, None, 2 * 3600), None)
        .await
        .unwrap();
    let before = w.entries().len();
    let requests_before = w.sb.requests().len();

    let done = key_rotation::rotate(cx, rotate_from(&old), |_| {}, no_cancel())
        .await
        .unwrap();
    // Each key is read once: the old one before anything is made, the new
    // one for the check (its default-making and the old one's deletion use
    // those reads).
    let reads: Vec<String> = w.sb.requests()[requests_before..]
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path.clone())
        .collect();
    assert!(done.warnings.is_empty(), "{:?}", done.warnings);
    let rotation = done.value;
    let new = rotation.new.server.id.clone();
    assert_ne!(new, old);
    let read = |i: usize, kid: &str| reads[i].ends_with(&format!("/jwt_keys/{kid}"));
    assert!(
        reads.len() == 2 && read(0, &old) && read(1, &new),
        "the rotation's reads: {reads:?}"
    );
    assert!(
        rotation.new.server.name.starts_with("Web key (rotated "),
        "{}",
        rotation.new.server.name
    );
    assert!(
        rotation.verification.ok,
        "{}",
        rotation.verification.message
    );
    assert_eq!(keys_ops::default_key(cx), Some(new.clone()));
    let deletion = rotation.deletion.unwrap();
    assert_eq!(deletion.kid, old);
    assert_eq!(deletion.due_at, live.expires_at);
    assert!(deletion.delete_local);
    assert_eq!(
        actions(&w)[before..],
        [
            (Action::KeyUpload, new.clone()),
            (Action::KeyDefaultSet, new.clone()),
            (Action::KeyDeleteScheduled, old.clone()),
        ]
    );

    // From now on a JWT signed without naming a key is the new key's.
    let signed = keys_ops::sign(cx, &request("", Some("v1"), 600), None)
        .await
        .unwrap();
    assert_eq!(signed.header["kid"], new.as_str());
    let overview = keys_ops::overview(cx).await.unwrap();
    assert_eq!(overview.default_kid, Some(new.clone()));
    assert_eq!(overview.scheduled, [deletion]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_from_a_key_the_service_does_not_have_makes_nothing() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    let error = key_rotation::rotate(cx, rotate_from("no-such-key"), |_| {}, no_cancel())
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound, "{}", error.message);
    assert!(cx.local().list().is_empty());
    assert!(w.entries().is_empty());
    assert_eq!(keys_ops::default_key(cx), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_key_must_sign_here_and_goes_when_the_key_is_deleted() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);

    // No default yet: signing without naming a key says what to do.
    let error = keys_ops::sign(cx, &request(" ", None, 600), None)
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Validation);
    assert!(
        error.message.contains("no default signing key"),
        "{}",
        error.message
    );

    // A key whose private half is elsewhere cannot be the default.
    let pair = keys_ops::generate_pair(2048, |_| {}, no_cancel())
        .await
        .unwrap();
    let pem = pair.public_key().to_pem().unwrap();
    let public_only = keys_ops::upload_public(cx, "Public only", &pem)
        .await
        .unwrap()
        .value
        .server
        .id;
    let error = keys_ops::set_default(cx, &public_only).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Validation);
    assert!(
        error.message.contains("cannot sign here"),
        "{}",
        error.message
    );
    assert_eq!(keys_ops::default_key(cx), None);

    let kid = uploaded(&w, "Signer").await;
    let made = keys_ops::set_default(cx, &kid).await.unwrap();
    assert_eq!(made.value.id, kid);
    let entry = w.entries().pop().unwrap();
    assert_eq!(
        (entry.action, entry.target.as_str()),
        (Action::KeyDefaultSet, kid.as_str())
    );
    assert!(entry.summary.contains("'Signer'"), "{}", entry.summary);

    let deleted = keys_ops::delete(cx, Some(&kid), None, true).await.unwrap();
    assert!(deleted.value.server_deleted);
    assert_eq!(keys_ops::default_key(cx), None);
}
