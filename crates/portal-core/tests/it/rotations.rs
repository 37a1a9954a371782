//! Rotations confirmed by traffic (#16 §3) and the service's clock (§4),
//! against the sandbox: traffic on the old token holds its revocation,
//! the sandbox's clock moved past the quiet period revokes it, a token still
//! used past the deadline is kept and said, a service that does not report
//! `last_used_at` falls back to the reminder; each outcome in the activity
//! log. The clock offset comes from the sandbox's `Date` header.

use chrono::Duration;
use portal_core::activity::{Action, ActivityLog};
use portal_core::context::ProfileContext;
use portal_core::ops::activity;
use portal_core::ops::tokens::{self, RotationPair, RotationsReport};
use portal_core::ops::Recorder;
use portal_core::profiles::SettingsFile;
use portal_core::secrets::Item;
use portal_core::token_records::{RotationState, TokenRecords};
use portal_core::vaultstream::NewToken;
use portal_core::{Result, Secret, Service};
use portal_sandbox::{Sandbox, SandboxConfig};

use crate::common::{fast_retries, signed_in};

struct LogRecorder(ActivityLog);

impl Recorder for LogRecorder {
    fn record(&self, profile: &str, action: Action, target: &str, summary: &str) -> Result<()> {
        self.0
            .append(None, profile, action, target, summary, "test")
            .map(|_| ())
    }
}

struct Env {
    sandbox: Sandbox,
    ctx: ProfileContext,
    recorder: LogRecorder,
    settings: SettingsFile,
    _dir: tempfile::TempDir,
}

/// The old token of a rotation (its value, to use it) and its successor.
struct Rotated {
    old_id: String,
    old_value: Secret,
}

impl Env {
    async fn start() -> Self {
        let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let ctx = signed_in(&sandbox, fast_retries());
        let dir = tempfile::tempdir().unwrap();
        Env {
            recorder: LogRecorder(ActivityLog::in_dir(dir.path())),
            settings: SettingsFile::open(dir.path().join("settings.json")).unwrap(),
            sandbox,
            ctx,
            _dir: dir,
        }
    }

    /// Creates a token, rotates it, and keeps the rotation pending for `quiet`.
    async fn rotate(&self, quiet: Duration) -> Rotated {
        let new = NewToken {
            name: "ingest".into(),
            scopes: vec!["admin:read".into()],
            expires_at: None,
        };
        let old = tokens::create(&self.ctx, &self.recorder, new)
            .await
            .unwrap()
            .value;
        let rotation = tokens::rotate(&self.ctx, &self.recorder, &old.token.id)
            .await
            .unwrap()
            .value;
        let pair = RotationPair::from(&rotation);
        let finish =
            tokens::finish_rotation(&self.ctx, &self.recorder, &self.settings, pair, quiet);
        assert!(finish.await.unwrap().warnings.is_empty());
        Rotated {
            old_id: old.token.id,
            old_value: old.value,
        }
    }

    /// Traffic on the old token: a call made with it.
    async fn use_token(&self, r: &Rotated) {
        self.ctx.tokens(&r.old_value).list_all().await.unwrap();
    }

    async fn check(&self) -> RotationsReport {
        let out = tokens::check_rotations(&self.ctx, &self.recorder, &self.settings, true);
        let out = out.await.unwrap();
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        out.value
    }

    async fn listed(&self, id: &str) -> bool {
        let credential = self
            .ctx
            .credential(Item::VaultStreamToken, Service::VaultStream)
            .unwrap();
        let all = self.ctx.tokens(&credential).list_all().await.unwrap();
        all.iter().any(|t| t.id == id)
    }

    fn entries(&self) -> Vec<(Action, String, String)> {
        activity::list(&self.recorder.0, None, None)
            .unwrap()
            .report
            .entries
            .into_iter()
            .map(|e| (e.action, e.target, e.summary))
            .collect()
    }

    fn advance(&self, d: Duration) {
        self.sandbox.advance_clock(d.num_seconds());
    }
}

fn only(report: &RotationsReport) -> &tokens::RotationCheck {
    assert_eq!(report.rotations.len(), 1, "{report:?}");
    &report.rotations[0]
}

#[tokio::test]
async fn traffic_holds_the_revocation_and_quiet_revokes_it() {
    let env = Env::start().await;
    let r = env.rotate(Duration::hours(24)).await;

    env.use_token(&r).await;
    let report = env.check().await;
    assert_eq!(only(&report).state, RotationState::Waiting);
    assert!(only(&report).last_used_at.is_some());
    assert!(env.listed(&r.old_id).await, "revoked while in use");

    // 23 hours on, used again: the quiet period starts over.
    env.advance(Duration::hours(23));
    env.use_token(&r).await;
    env.advance(Duration::hours(2));
    assert_eq!(only(&env.check().await).state, RotationState::Waiting);
    assert!(env.listed(&r.old_id).await);
    let before = env.entries().len();

    // A day without traffic, by the sandbox's clock: revoked.
    env.advance(Duration::hours(23));
    let report = env.check().await;
    assert_eq!(only(&report).state, RotationState::Revoked);
    assert!(
        !env.listed(&r.old_id).await,
        "still there after going quiet"
    );
    let entries = env.entries();
    assert_eq!(entries.len(), before + 1);
    assert_eq!(
        entries.last().unwrap(),
        &(
            Action::TokenRevoke,
            r.old_id.clone(),
            format!(
                "Revoked token {} (rotated: unused for 1 day by the service's clock)",
                r.old_id
            )
        )
    );
    assert!(TokenRecords::new(&env.settings)
        .reminders("Test")
        .is_empty());
    assert!(env.check().await.rotations.is_empty());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_token_still_used_past_the_deadline_is_kept_and_said_once() {
    let env = Env::start().await;
    let r = env.rotate(Duration::hours(1)).await;
    // The deadline is the quiet period plus a week after the rotation.
    env.advance(Duration::days(7) + Duration::hours(2));
    env.use_token(&r).await;

    let report = env.check().await;
    let held: Vec<_> = report.in_use_past_deadline().collect();
    assert_eq!(held.len(), 1);
    assert!(held[0].detail.contains(&r.old_id), "{}", held[0].detail);
    assert!(
        held[0].detail.contains("still in use"),
        "{}",
        held[0].detail
    );
    assert!(env.listed(&r.old_id).await, "revoked while in use");
    let held_entries = |env: &Env| {
        env.entries()
            .into_iter()
            .filter(|(a, t, _)| *a == Action::RotationHeld && *t == r.old_id)
            .count()
    };
    assert_eq!(held_entries(&env), 1);
    // Checked again: still held, not recorded twice.
    assert_eq!(
        only(&env.check().await).state,
        RotationState::InUsePastDeadline
    );
    assert_eq!(held_entries(&env), 1);

    // Traffic stops: revoked after the quiet period.
    env.advance(Duration::hours(2));
    assert_eq!(only(&env.check().await).state, RotationState::Revoked);
    assert!(!env.listed(&r.old_id).await);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn without_last_used_at_the_reminder_stays_and_says_why() {
    let env = Env::start().await;
    env.sandbox.report_last_used(false);
    let r = env.rotate(Duration::hours(24)).await;
    env.advance(Duration::days(3));

    let report = env.check().await;
    let c = only(&report);
    assert_eq!(c.state, RotationState::UsageNotReported);
    assert!(c.detail.contains("does not report"), "{}", c.detail);
    assert!(env.listed(&r.old_id).await, "revoked without knowing");
    let (action, target, summary) = env.entries().pop().unwrap();
    assert_eq!((action, target), (Action::RotationHeld, r.old_id.clone()));
    assert!(summary.contains("last_used_at"), "{summary}");
    // The reminder is still there for the Tokens page and `reminders`.
    assert_eq!(TokenRecords::new(&env.settings).reminders("Test").len(), 1);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn without_acting_nothing_changes() {
    let env = Env::start().await;
    let r = env.rotate(Duration::hours(1)).await;
    env.advance(Duration::hours(3));
    let out = tokens::check_rotations(&env.ctx, &env.recorder, &env.settings, false)
        .await
        .unwrap();
    assert_eq!(only(&out.value).state, RotationState::Due);
    assert!(env.listed(&r.old_id).await);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_quiet_period_over_a_week_is_refused_before_anything_is_kept() {
    let env = Env::start().await;
    let pair = RotationPair::ids("tok_a".into(), "tok_b".into());
    let e = tokens::finish_rotation(
        &env.ctx,
        &env.recorder,
        &env.settings,
        pair,
        Duration::days(8),
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("0 (revoke at once) to 7 days"), "{e}");
    assert!(TokenRecords::new(&env.settings)
        .reminders("Test")
        .is_empty());
    env.sandbox.shutdown().await;
}

/// The sandbox's clock two minutes (and 10 s: `Date` has whole seconds)
/// ahead: the offset is learned from its `Date`, the warning says so, and
/// the rotations' report carries it.
#[tokio::test]
async fn the_service_clock_comes_from_the_date_header() {
    let env = Env::start().await;
    env.listed("tok_none").await;
    let status = env.ctx.http.clock().status();
    assert!(status.offset_seconds.unwrap().abs() <= 1, "{status:?}");
    assert_eq!(status.warning, None);

    env.advance(Duration::seconds(130));
    env.listed("tok_none").await;
    let status = env.ctx.http.clock().status();
    let offset = status.offset_seconds.unwrap();
    assert!((129..=131).contains(&offset), "{offset}");
    let warning = status.warning.unwrap();
    assert!(
        warning.contains("2 minutes behind the service's"),
        "{warning}"
    );
    let report = env.check().await;
    assert_eq!(report.clock.offset_seconds, Some(offset));
    env.sandbox.shutdown().await;
}
