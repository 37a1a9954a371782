//! The health check (`portal_core::ops::health`) against an in-process
//! sandbox: one profile with one stale thing of each kind, each found with
//! the fix a user can run, and a healthy profile with nothing to act on.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use portal_core::activity::Action;
use portal_core::ops::health::{self, HealthKind};
use portal_core::ops::keys::{self as keys, Cx};
use portal_core::ops::Recorder;
use portal_core::profiles::{SettingsFile, SETTINGS_FILE};
use portal_core::secrets::Item;
use portal_core::token_records::{RotationReminder, SavedToken, TokenRecords};
use portal_core::vaultstream::NewToken;
use portal_core::{Result, Secret};
use portal_sandbox::{Sandbox, SandboxConfig};

struct Nowhere;

impl Recorder for Nowhere {
    fn record(&self, _: &str, _: Action, _: &str, _: &str) -> Result<()> {
        Ok(())
    }
}

fn token(name: &str, days: Option<i64>) -> NewToken {
    NewToken {
        name: name.into(),
        scopes: vec!["content:read".into()],
        expires_at: days.map(|d| Utc::now() + Duration::days(d)),
    }
}

#[tokio::test]
async fn a_fresh_profile_needs_no_action() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let pc = common::signed_in(&sb, common::fast_retries());
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
    let report = health::check(&pc, &settings, Utc::now()).await;
    assert!(!report.needs_action(), "{report:#?}");
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

#[tokio::test]
async fn each_stale_thing_is_found_with_its_fix() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let pc = common::signed_in(&sb, common::fast_retries());
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
    let admin = Secret::new(&sb.credentials().vaultstream_admin_token);
    let client = pc.tokens(&admin);
    let records = TokenRecords::new(&settings);
    let profile = pc.profile.name.clone();

    // Tokens: one that will have expired by "now" (in 30 days), one
    // revoked on the server while its value stays saved here, one kept
    // after a rotation whose reminder is overdue, one healthy.
    let expiring = client.create(&token("expiring", Some(10))).await.unwrap();
    let revoked = client.create(&token("revoked", None)).await.unwrap();
    let rotated = client.create(&token("rotated", None)).await.unwrap();
    client.create(&token("healthy", None)).await.unwrap();
    for t in [&expiring, &revoked] {
        pc.store(Item::SavedToken(t.token.id.clone()), &t.value)
            .unwrap();
        records
            .add_saved(SavedToken {
                profile: profile.clone(),
                id: t.token.id.clone(),
                name: t.token.name.clone(),
                scopes: t.token.scopes.clone(),
                saved_at: Utc::now(),
            })
            .unwrap();
    }
    client.revoke(&revoked.token.id).await.unwrap();
    records
        .add_reminder(RotationReminder {
            profile: profile.clone(),
            old_id: rotated.token.id.clone(),
            old_name: "rotated".into(),
            new_id: "tok_new".into(),
            new_name: "rotated".into(),
            created_at: Utc::now() - Duration::days(20),
            remind_at: Utc::now() + Duration::days(7),
            quiet_period_seconds: 86_400,
            deadline: None,
            noted: None,
        })
        .unwrap();
    // A rotation still waiting for its old token to go quiet: its reminder
    // time passed, its deadline did not, so it is not overdue.
    records
        .add_reminder(RotationReminder {
            profile: profile.clone(),
            old_id: "tok_waiting".into(),
            old_name: "waiting".into(),
            new_id: "tok_waiting_new".into(),
            new_name: "waiting".into(),
            created_at: Utc::now() - Duration::days(2),
            remind_at: Utc::now() - Duration::days(1),
            quiet_period_seconds: 86_400,
            deadline: Some(Utc::now() + Duration::days(60)),
            noted: None,
        })
        .unwrap();

    // Keys: one whose server key is deleted, one never uploaded, one on
    // the server only (its private half was never here).
    let cx = Cx {
        pc: &pc,
        settings: &settings,
        recorder: &Nowhere,
    };
    let no_cancel = || std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gone = keys::keep(
        cx,
        "gone",
        &keys::generate_pair(2048, |_| {}, no_cancel())
            .await
            .unwrap(),
    )
    .unwrap();
    let uploaded = keys::upload(cx, &gone.local_id).await.unwrap().value;
    let api_key = Secret::new(&sb.credentials().jwt_keys_api_key);
    pc.jwt_keys(&api_key)
        .delete(&uploaded.server.id)
        .await
        .unwrap();
    let pending = keys::keep(
        cx,
        "pending",
        &keys::generate_pair(2048, |_| {}, no_cancel())
            .await
            .unwrap(),
    )
    .unwrap();
    let elsewhere = keys::generate_pair(2048, |_| {}, no_cancel())
        .await
        .unwrap();
    let only_server =
        keys::upload_public(cx, "elsewhere", &elsewhere.public_key().to_pem().unwrap())
            .await
            .unwrap()
            .value;

    let report = health::check(&pc, &settings, Utc::now() + Duration::days(30)).await;
    assert!(report.needs_action());
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let found: BTreeMap<String, (HealthKind, bool, Option<String>)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.id.clone().unwrap_or_default() + "/" + &format!("{:?}", f.kind),
                (f.kind, f.action, f.fix.as_ref().map(|x| x.command.clone())),
            )
        })
        .collect();
    let cli = |c: &str| Some(format!("portal {c} --profile '{profile}'"));
    let expect = |id: &str, kind: HealthKind, action: bool, fix: Option<String>| {
        let key = format!("{id}/{kind:?}");
        assert_eq!(
            found.get(&key),
            Some(&(kind, action, fix)),
            "{key} in {found:#?}"
        );
    };
    let (e, r, o) = (&expiring.token.id, &revoked.token.id, &rotated.token.id);
    expect(
        e,
        HealthKind::TokenExpired,
        true,
        cli(&format!("tokens revoke {e}")),
    );
    expect(
        e,
        HealthKind::SavedTokenExpired,
        true,
        cli(&format!("tokens forget {e}")),
    );
    expect(
        r,
        HealthKind::SavedTokenGone,
        true,
        cli(&format!("tokens forget {r}")),
    );
    expect(
        o,
        HealthKind::RotationOverdue,
        true,
        cli(&format!("tokens revoke {o}")),
    );
    let (g, p) = (&gone.local_id, &pending.local_id);
    expect(
        g,
        HealthKind::KeyServerGone,
        true,
        cli(&format!("keys delete {g}")),
    );
    expect(
        p,
        HealthKind::KeyNotUploaded,
        true,
        cli(&format!("keys upload {p}")),
    );
    expect(
        &only_server.server.id,
        HealthKind::KeyNoPrivateHalf,
        false,
        None,
    );
    // Nothing else: the healthy token and the sandbox's own keys are fine
    // (a server key without a private half here is a note, not an action).
    let actions = report.findings.iter().filter(|f| f.action).count();
    assert_eq!(actions, 6, "{:#?}", report.findings);

    // Forgetting the stale saved copy removes it from the next check.
    portal_core::ops::tokens::forget_saved(&pc, &settings, r).unwrap();
    assert_eq!(pc.stored(Item::SavedToken(r.clone())).unwrap(), None);
    let again = health::check(&pc, &settings, Utc::now() + Duration::days(30)).await;
    assert!(!again
        .findings
        .iter()
        .any(|f| f.kind == HealthKind::SavedTokenGone));
}

#[tokio::test]
async fn a_refused_credential_is_a_finding_and_an_unreachable_service_a_note() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let pc = common::signed_in(&sb, common::fast_retries());
    pc.store(
        Item::VaultStreamToken,
        &Secret::new("vst_live_not-a-real-token-0000000000000"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
    let report = health::check(&pc, &settings, Utc::now()).await;
    let refused: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == HealthKind::CredentialRefused)
        .collect();
    assert_eq!(refused.len(), 1, "{report:#?}");
    assert_eq!(
        refused[0].fix.as_ref().unwrap().command,
        format!("portal login vaultstream --profile '{}'", pc.profile.name)
    );
    drop(sb);
    let report = health::check(&pc, &settings, Utc::now()).await;
    assert!(!report.needs_action(), "{report:#?}");
    assert_eq!(report.notes.len(), 2, "{:?}", report.notes);
}
