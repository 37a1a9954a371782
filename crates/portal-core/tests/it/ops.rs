//! The use cases of `portal_core::ops` against an in-process sandbox: each
//! outcome, and the activity entry it recorded (action, target) through a
//! recorder that appends to a real activity log, as the shells' do.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Mutex;

use chrono::{Duration, Utc};
use common::{fast_retries, signed_in};
use portal_core::activity::{Action, ActivityEntry, ActivityLog, ChainVerdict};
use portal_core::context::ProfileContext;
use portal_core::ops::activity::{self, ExportFormat};
use portal_core::ops::tokens::{self, RotationPair};
use portal_core::ops::Recorder;
use portal_core::profiles::SettingsFile;
use portal_core::secrets::Item;
use portal_core::token_records::{SavedToken, TokenRecords};
use portal_core::vaultstream::{NewToken, UserJwtRequest};
use portal_core::{Error, ErrorCode, Result, Secret};
use portal_sandbox::{Sandbox, SandboxConfig};

/// Appends to the activity log of a temporary directory, unkeyed, `via` "test".
struct LogRecorder {
    log: ActivityLog,
}

impl Recorder for LogRecorder {
    fn record(&self, profile: &str, action: Action, target: &str, summary: &str) -> Result<()> {
        self.log
            .append(None, profile, action, target, summary, "test")
            .map(|_| ())
    }
}

/// A log that cannot be written: every record fails.
struct BrokenRecorder(Mutex<u32>);

impl Recorder for BrokenRecorder {
    fn record(&self, _: &str, _: Action, _: &str, _: &str) -> Result<()> {
        *self.0.lock().unwrap() += 1;
        Err(Error::new(ErrorCode::Io, "disk full"))
    }
}

struct Env {
    sandbox: Sandbox,
    ctx: ProfileContext,
    _dir: tempfile::TempDir,
    recorder: LogRecorder,
    settings: SettingsFile,
}

async fn env() -> Env {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let ctx = signed_in(&sandbox, fast_retries());
    let dir = tempfile::tempdir().unwrap();
    let recorder = LogRecorder {
        log: ActivityLog::in_dir(dir.path()),
    };
    let settings = SettingsFile::open(dir.path().join("settings.json")).unwrap();
    Env {
        sandbox,
        ctx,
        _dir: dir,
        recorder,
        settings,
    }
}

impl Env {
    fn entries(&self) -> Vec<ActivityEntry> {
        activity::list(&self.recorder.log, None, None)
            .unwrap()
            .report
            .entries
    }

    async fn create(&self, name: &str) -> portal_core::vaultstream::CreatedToken {
        let new = NewToken {
            name: name.into(),
            scopes: vec!["content:read".into()],
            expires_at: Some(Utc::now() + Duration::days(30)),
        };
        let out = tokens::create(&self.ctx, &self.recorder, new)
            .await
            .unwrap();
        assert_eq!(out.warnings, Vec::<String>::new());
        out.value
    }

    async fn listed(&self, id: &str) -> bool {
        let credential = self
            .ctx
            .credential(Item::VaultStreamToken, portal_core::Service::VaultStream)
            .unwrap();
        let all = self.ctx.tokens(&credential).list_all().await.unwrap();
        all.iter().any(|t| t.id == id)
    }
}

fn last(env: &Env) -> (Action, String, String) {
    let e = env.entries().pop().expect("an entry was recorded");
    assert_eq!(e.profile, "Test");
    (e.action, e.target, e.summary)
}

#[tokio::test]
async fn create_records_the_token_with_its_summary_and_never_its_value() {
    let env = env().await;
    let created = env.create(" CI deploy ").await;
    assert_eq!(created.token.name, "CI deploy");
    assert!(created.value.expose().starts_with("vst_live_"));
    let (action, target, summary) = last(&env);
    assert_eq!(
        (action, target.as_str()),
        (Action::TokenCreate, created.token.id.as_str())
    );
    assert_eq!(summary, tokens::creation_summary(&created.token));
    assert!(
        summary.starts_with("Created token 'CI deploy' (content:read), expires "),
        "{summary}"
    );
    let log = std::fs::read_to_string(env.recorder.log.path()).unwrap();
    assert!(!log.contains(created.value.expose()));
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn bad_input_records_nothing() {
    let env = env().await;
    let new = NewToken {
        name: "x".into(),
        scopes: vec!["content:delete".into()],
        expires_at: None,
    };
    let e = tokens::create(&env.ctx, &env.recorder, new)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert!(env.entries().is_empty());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_record_that_fails_is_a_warning_not_an_error() {
    let env = env().await;
    let broken = BrokenRecorder(Mutex::new(0));
    let new = NewToken {
        name: "unlogged".into(),
        scopes: vec!["content:read".into()],
        expires_at: None,
    };
    let out = tokens::create(&env.ctx, &broken, new).await.unwrap();
    assert_eq!(*broken.0.lock().unwrap(), 1);
    assert_eq!(
        out.warnings,
        ["could not append to the activity log: disk full"]
    );
    assert!(
        env.listed(&out.value.token.id).await,
        "the token was created"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn revoke_records_it_and_forgets_the_saved_copy_and_records() {
    let env = env().await;
    let created = env.create("short-lived").await;
    let id = created.token.id.clone();
    env.ctx
        .store(Item::SavedToken(id.clone()), &Secret::new("vst_live_saved"))
        .unwrap();
    TokenRecords::new(&env.settings)
        .add_saved(SavedToken {
            profile: "Test".into(),
            id: id.clone(),
            name: "short-lived".into(),
            scopes: vec!["content:read".into()],
            saved_at: Utc::now(),
        })
        .unwrap();

    let out = tokens::revoke(&env.ctx, &env.recorder, &env.settings, &id)
        .await
        .unwrap();
    assert_eq!(out.warnings, Vec::<String>::new());
    assert!(!env.listed(&id).await, "still listed after revoke");
    assert_eq!(
        last(&env),
        (
            Action::TokenRevoke,
            id.clone(),
            format!("Revoked token {id}")
        )
    );
    assert!(env
        .ctx
        .stored(Item::SavedToken(id.clone()))
        .unwrap()
        .is_none());
    assert!(TokenRecords::new(&env.settings).saved("Test").is_empty());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn rotate_then_revoke_the_old_token() {
    let env = env().await;
    let old = env.create("deploy").await.token;
    env.ctx
        .store(
            Item::SavedToken(old.id.clone()),
            &Secret::new("vst_live_old"),
        )
        .unwrap();
    let rotation = tokens::rotate(&env.ctx, &env.recorder, &old.id)
        .await
        .unwrap()
        .value;
    let new = rotation.created.token.clone();
    assert_eq!((new.name.as_str(), &new.scopes), ("deploy", &old.scopes));
    assert_ne!(new.id, old.id);
    assert_eq!(
        last(&env),
        (Action::TokenRotate, new.id.clone(), rotation.summary())
    );

    let out = tokens::finish_rotation(
        &env.ctx,
        &env.recorder,
        &env.settings,
        RotationPair::from(&rotation),
        Duration::zero(),
    )
    .await
    .unwrap();
    assert_eq!(out.warnings, Vec::<String>::new());
    assert!(!env.listed(&old.id).await && env.listed(&new.id).await);
    assert_eq!(
        last(&env),
        (
            Action::TokenRevoke,
            old.id.clone(),
            format!("Revoked token {} (rotated)", old.id)
        )
    );
    // A saved copy of the revoked token is of no use: it goes too.
    assert!(env
        .ctx
        .stored(Item::SavedToken(old.id.clone()))
        .unwrap()
        .is_none());
    assert!(TokenRecords::new(&env.settings)
        .reminders("Test")
        .is_empty());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_rotation_kept_for_later_leaves_a_reminder_with_both_names() {
    let env = env().await;
    let old = env.create("nightly").await.token;
    let new = tokens::rotate(&env.ctx, &env.recorder, &old.id)
        .await
        .unwrap()
        .value
        .created
        .token;
    let recorded = env.entries().len();
    // By ids only, as the app asks: the names are looked up.
    let pair = RotationPair::ids(old.id.clone(), new.id.clone());
    let quiet = Duration::hours(24);
    let out = tokens::finish_rotation(&env.ctx, &env.recorder, &env.settings, pair, quiet)
        .await
        .unwrap();
    assert_eq!(out.warnings, Vec::<String>::new());
    assert!(env.listed(&old.id).await, "the old token was revoked");
    assert_eq!(
        env.entries().len(),
        recorded,
        "nothing was revoked: no entry"
    );
    let reminders = TokenRecords::new(&env.settings).reminders("Test");
    assert_eq!(reminders.len(), 1);
    let r = &reminders[0];
    assert_eq!(
        (r.old_id.as_str(), r.new_id.as_str()),
        (old.id.as_str(), new.id.as_str())
    );
    assert_eq!(
        (r.old_name.as_str(), r.new_name.as_str()),
        ("nightly", "nightly")
    );
    assert_eq!(r.remind_at - r.created_at, Duration::days(1));
    assert_eq!(r.quiet_period(), quiet);
    assert_eq!(r.deadline() - r.created_at, Duration::days(8));
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_user_jwt_is_decoded_and_records_nothing() {
    let env = env().await;
    let request = UserJwtRequest {
        user_id: "user_42".into(),
        content_id: "vid_1".into(),
        ttl_seconds: 600,
    };
    let jwt = tokens::user_jwt(&env.ctx, &request, None)
        .await
        .unwrap()
        .value;
    assert_eq!(jwt.jwt.expose().split('.').count(), 3);
    assert!(jwt.header["alg"].is_string(), "{}", jwt.header);
    let expires = jwt.expires_at.expect("an expiry");
    assert!(expires > Utc::now() && expires <= Utc::now() + Duration::seconds(601));
    // A saved token that is not there: refused before any request.
    let e = tokens::user_jwt(&env.ctx, &request, Some("tok_missing".into()))
        .await
        .unwrap_err();
    assert_ne!(e.code, ErrorCode::Internal);
    assert!(env.entries().is_empty());
    env.sandbox.shutdown().await;
}

/// Three entries of two profiles, written unkeyed to a fresh log.
fn three_entries() -> (tempfile::TempDir, ActivityLog) {
    let dir = tempfile::tempdir().unwrap();
    let log = ActivityLog::in_dir(dir.path());
    for (profile, target, summary) in [
        ("Sandbox", "tok_1", "Created token 'a, \"quoted\"'"),
        ("Prod", "tok_2", "Created token 'b'"),
        ("Sandbox", "tok_1", "Revoked token tok_1"),
    ] {
        let action = if summary.starts_with("Revoked") {
            Action::TokenRevoke
        } else {
            Action::TokenCreate
        };
        log.append(None, profile, action, target, summary, "cli")
            .unwrap();
    }
    (dir, log)
}

#[test]
fn list_filters_by_profile_and_keeps_the_whole_chains_verdict() {
    let (_dir, log) = three_entries();
    let all = activity::list(&log, None, None).unwrap();
    assert_eq!(all.report.entries.len(), 3);
    let sandbox = activity::list(&log, None, Some("Sandbox")).unwrap();
    let targets: Vec<_> = sandbox.report.entries.iter().map(|e| e.seq).collect();
    assert_eq!(targets, [1, 3]);
    assert_eq!(sandbox.chain.entries, 3);
    assert!(sandbox.chain.intact);
    assert!(matches!(
        sandbox.chain.verdict,
        ChainVerdict::Unkeyed { .. }
    ));
    assert!(
        sandbox.chain.describe().starts_with("unkeyed"),
        "{}",
        sandbox.chain.describe()
    );
}

#[test]
fn verify_finds_an_edited_entry() {
    let (_dir, log) = three_entries();
    assert!(activity::verify(&log, None).unwrap().intact);
    let text = std::fs::read_to_string(log.path()).unwrap();
    std::fs::write(
        log.path(),
        text.replace("Created token 'b'", "Created token 'c'"),
    )
    .unwrap();
    let v = activity::verify(&log, None).unwrap();
    assert!(!v.intact);
    assert_eq!(v.verdict, ChainVerdict::Broken { line: 2 });
    assert!(
        v.describe().starts_with("broken at line 2: "),
        "{}",
        v.describe()
    );
}

#[test]
fn export_as_json_or_csv() {
    let (_dir, log) = three_entries();
    let json = activity::export(&log, None, Some("Sandbox"), ExportFormat::Json).unwrap();
    assert_eq!(json.count, 2);
    let parsed: Vec<ActivityEntry> = serde_json::from_str(&json.text).unwrap();
    assert_eq!(
        parsed,
        activity::list(&log, None, Some("Sandbox"))
            .unwrap()
            .report
            .entries
    );

    let csv = activity::export(&log, None, None, ExportFormat::Csv).unwrap();
    assert_eq!(csv.count, 3);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "seq,at,profile,action,target,summary,via,hash");
    assert_eq!(lines.len(), 4);
    assert!(
        lines[1].contains(",Sandbox,token_create,tok_1,\"Created token 'a, \"\"quoted\"\"'\",cli,"),
        "{}",
        lines[1]
    );
    assert_eq!("csv".parse::<ExportFormat>().unwrap(), ExportFormat::Csv);
    let e = "xml".parse::<ExportFormat>().unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert_eq!(e.message, "Unknown export format 'xml': use json or csv.");
}

#[tokio::test]
async fn a_saved_token_signs_user_jwts_and_is_listed() {
    let env = env().await;
    let created = env.create("embed").await;
    let saved = tokens::save(
        env.ctx.secrets.as_ref(),
        &env.settings,
        "Test",
        &created.token,
        &created.value,
    )
    .unwrap()
    .value;
    assert_eq!(
        (saved.id.as_str(), saved.name.as_str()),
        (created.token.id.as_str(), "embed")
    );
    assert_eq!(
        TokenRecords::new(&env.settings).saved("Test"),
        std::slice::from_ref(&saved)
    );
    let kept = env.ctx.stored(Item::SavedToken(saved.id.clone())).unwrap();
    assert_eq!(kept.unwrap().expose(), created.value.expose());
    let request = UserJwtRequest {
        user_id: "user_7".into(),
        content_id: "vid_7".into(),
        ttl_seconds: 60,
    };
    let jwt = tokens::user_jwt(&env.ctx, &request, Some(saved.id))
        .await
        .unwrap()
        .value;
    assert_eq!(jwt.jwt.expose().split('.').count(), 3);
    env.sandbox.shutdown().await;
}
