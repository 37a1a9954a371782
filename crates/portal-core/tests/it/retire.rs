//! Safe key retirement (`portal_core::ops::retire`) against an in-process
//! sandbox: what signing remembers, the hours left before a key can go, a
//! deletion scheduled for then and carried out by the service's clock, and
//! how it shows in the Health panel and the calendar.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use portal_core::activity::Action;
use portal_core::calendar::uid_part;
use portal_core::ops::health::{self, HealthKind};
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
