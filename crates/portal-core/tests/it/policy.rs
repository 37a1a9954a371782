//! The policy file (`portal_core::policy`, `ops::policy`) against an
//! in-process sandbox: creates and rotations that break it are refused
//! with nothing sent (the sandbox's request log), a compliant create
//! passes, a malformed file refuses everything, and the audit finds a
//! long-lived token, a forbidden scope, an old key and a small one (with
//! the health check listing the same).

#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{Duration, Utc};
use portal_core::activity::Action;
use portal_core::ops::health::{self, HealthKind};
use portal_core::ops::keys::{self as keys, Cx};
use portal_core::ops::policy::{self as policy, PolicyPath, PolicySource, PolicyTarget};
use portal_core::ops::{tokens, Recorder};
use portal_core::policy::Rule;
use portal_core::profiles::{SettingsFile, SETTINGS_FILE};
use portal_core::vaultstream::NewToken;
use portal_core::{ErrorCode, Result, Secret};
use portal_sandbox::{Sandbox, SandboxConfig};

struct Nowhere;

impl Recorder for Nowhere {
    fn record(&self, _: &str, _: Action, _: &str, _: &str) -> Result<()> {
        Ok(())
    }
}

const POLICY: &str = r#"
[default]
max_token_lifetime_days = 90
forbidden_scopes = ["admin:*"]
min_rsa_bits = 3072
max_key_age_days = 365

[environments.sandbox]
max_token_lifetime_days = 30
"#;

fn token(name: &str, scopes: &[&str], days: Option<i64>) -> NewToken {
    NewToken {
        name: name.into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        expires_at: days.map(|d| Utc::now() + Duration::days(d)),
    }
}

/// The policy file at `dir`, given as `--policy` would give it.
fn given(dir: &std::path::Path, text: &str) -> PolicyPath {
    let path = dir.join("portal-policy.toml");
    std::fs::write(&path, text).unwrap();
    PolicyPath {
        path,
        source: PolicySource::Flag,
    }
}

fn writes(sb: &Sandbox, since: usize) -> Vec<String> {
    sb.requests()
        .into_iter()
        .skip(since)
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn creates_and_rotations_that_break_the_policy_are_refused_with_nothing_sent() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut pc = common::signed_in(&sb, common::fast_retries());
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
    // Made before the policy: lives 90 days.
    let long = tokens::create(&pc, &Nowhere, token("long", &["content:read"], Some(90)))
        .await
        .unwrap()
        .value;

    pc.set_policy(policy::load(&settings, Some(given(dir.path(), POLICY))));
    let before = sb.requests().len();
    let e = tokens::create(&pc, &Nowhere, token("ci", &["content:read"], Some(90)))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Policy);
    assert_eq!(
        e.message,
        "Refused by policy (portal-policy.toml, sandbox): tokens may live at most 30 days; \
         this one would live 90."
    );
    let e = tokens::create(&pc, &Nowhere, token("ci", &["admin:read"], Some(7)))
        .await
        .unwrap_err();
    assert!(
        e.message.contains("scope admin:read is forbidden"),
        "{}",
        e.message
    );
    assert_eq!(
        sb.requests().len(),
        before,
        "a refused create sent something"
    );

    // The rotation keeps the 90-day lifetime: refused, and only the list
    // that found the old token was asked for.
    let e = tokens::rotate(&pc, &Nowhere, &long.token.id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Policy, "{e}");
    assert!(
        e.message.contains("this one would live 90"),
        "{}",
        e.message
    );
    assert_eq!(writes(&sb, before), Vec::<String>::new());

    // Within the rules: created.
    let ok = tokens::create(&pc, &Nowhere, token("ci", &["content:read"], Some(30)))
        .await
        .unwrap();
    assert_eq!(ok.value.token.name, "ci");

    // A malformed file refuses every create, rotation and key, with its line.
    pc.set_policy(policy::load(
        &settings,
        Some(given(dir.path(), "[default]\nmax_scopes = 0\n")),
    ));
    let before = sb.requests().len();
    let e = tokens::create(&pc, &Nowhere, token("ci", &["content:read"], Some(7)))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
    assert!(e.message.contains("line 2, column 14"), "{}", e.message);
    let e = tokens::rotate(&pc, &Nowhere, &ok.value.token.id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
    let cx = Cx {
        pc: &pc,
        settings: &settings,
        recorder: &Nowhere,
    };
    let no_cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let e = keys::generate(cx, "k", 2048, |_| {}, no_cancel)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
    assert_eq!(
        sb.requests().len(),
        before,
        "a malformed policy let a request through"
    );
}

#[tokio::test]
async fn a_small_key_is_refused_before_it_is_made_or_uploaded() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut pc = common::signed_in(&sb, common::fast_retries());
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
    let small = keys::generate_pair(
        2048,
        |_| {},
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    )
    .await
    .unwrap();
    // Kept before the policy said 3072 bits.
    let kept = {
        let cx = Cx {
            pc: &pc,
            settings: &settings,
            recorder: &Nowhere,
        };
        keys::keep(cx, "early", &small).unwrap()
    };
    pc.set_policy(policy::load(&settings, Some(given(dir.path(), POLICY))));
    let cx = Cx {
        pc: &pc,
        settings: &settings,
        recorder: &Nowhere,
    };
    let before = sb.requests().len();
    let refusals = [
        keys::generate(
            cx,
            "new",
            2048,
            |_| panic!("generated a key the policy forbids"),
            std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        )
        .await
        .unwrap_err(),
        keys::keep(cx, "again", &small).unwrap_err(),
        keys::upload(cx, &kept.local_id).await.unwrap_err(),
        keys::upload_public(cx, "public", &small.public_key().to_pem().unwrap())
            .await
            .unwrap_err(),
    ];
    for e in refusals {
        assert_eq!(e.code, ErrorCode::Policy, "{e}");
        assert!(
            e.message
                .contains("RSA keys need at least 3072 bits; this one has 2048"),
            "{}",
            e.message
        );
    }
    assert_eq!(sb.requests().len(), before, "a refused key was sent");
    assert_eq!(cx.local().list().len(), 1, "a refused key was kept");
}

#[tokio::test]
async fn the_audit_finds_long_lived_tokens_forbidden_scopes_old_and_small_keys() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut pc = common::signed_in(&sb, common::fast_retries());
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();

    // Without a policy file the audit is an error, never a pass.
    let e = policy::check(&pc, &settings, Utc::now()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);

    // Made before the policy: a 90-day token, an admin one, a compliant
    // one; a 2048-bit key uploaded, and a 4096-bit one.
    let admin = Secret::new(&sb.credentials().vaultstream_admin_token);
    let client = pc.tokens(&admin);
    let long = client
        .create(&token("long", &["content:read"], Some(90)))
        .await
        .unwrap();
    let scoped = client
        .create(&token("scoped", &["admin:write"], Some(7)))
        .await
        .unwrap();
    client
        .create(&token("fine", &["content:read"], Some(7)))
        .await
        .unwrap();
    let cx = Cx {
        pc: &pc,
        settings: &settings,
        recorder: &Nowhere,
    };
    let no_cancel = || std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let small = keys::generate_pair(2048, |_| {}, no_cancel())
        .await
        .unwrap();
    let small = keys::upload_public(cx, "small", &small.public_key().to_pem().unwrap())
        .await
        .unwrap()
        .value
        .server;
    let big = keys::generate_pair(3072, |_| {}, no_cancel())
        .await
        .unwrap();
    let big = keys::upload_public(cx, "big", &big.public_key().to_pem().unwrap())
        .await
        .unwrap()
        .value
        .server;

    pc.set_policy(policy::load(&settings, Some(given(dir.path(), POLICY))));
    // The sandbox's seeded tokens and keys may break it too: only ours are compared.
    let mine = [&long.token.id, &scoped.token.id, &small.id, &big.id];
    let ours = |r: &policy::PolicyReport| {
        let mut v: Vec<(String, Rule)> = r
            .findings
            .iter()
            .filter(|f| mine.contains(&&f.id))
            .map(|f| (f.id.clone(), f.rule))
            .collect();
        v.sort();
        v
    };

    let today = policy::check(&pc, &settings, Utc::now()).await.unwrap();
    assert_eq!(
        today.environment,
        portal_core::profiles::Environment::Sandbox
    );
    let mut expect = vec![
        (long.token.id.clone(), Rule::MaxTokenLifetimeDays),
        (scoped.token.id.clone(), Rule::ForbiddenScopes),
        (small.id.clone(), Rule::MinRsaBits),
    ];
    expect.sort();
    assert_eq!(ours(&today), expect, "{:#?}", today.findings);
    let f = today
        .findings
        .iter()
        .find(|f| f.id == long.token.id)
        .unwrap();
    assert_eq!(f.target, PolicyTarget::Token);
    assert_eq!(
        f.message,
        "tokens may live at most 30 days; this one lives 90"
    );
    assert_eq!(
        f.fix,
        format!("portal tokens revoke {} --profile 'Test'", long.token.id)
    );

    // A year and more later, both keys are too old.
    let later = policy::check(&pc, &settings, Utc::now() + Duration::days(400))
        .await
        .unwrap();
    let old: Vec<&str> = later
        .findings
        .iter()
        .filter(|f| f.rule == Rule::MaxKeyAgeDays)
        .map(|f| f.id.as_str())
        .collect();
    assert!(
        old.contains(&small.id.as_str()) && old.contains(&big.id.as_str()),
        "{old:?}"
    );
    let f = later.findings.iter().find(|f| f.id == big.id).unwrap();
    assert_eq!(f.target, PolicyTarget::Key);
    assert_eq!(
        f.message,
        "keys may be at most 365 days old; this one is 400"
    );
    assert_eq!(
        f.fix,
        format!("portal keys delete {} --profile 'Test'", big.id)
    );

    // The health check lists the same, each needing action.
    let report = health::check(&pc, &settings, Utc::now()).await;
    let policy_ids: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.kind == HealthKind::PolicyViolation)
        .inspect(|f| assert!(f.action))
        .filter_map(|f| f.id.as_deref())
        .collect();
    for id in [&long.token.id, &scoped.token.id, &small.id] {
        assert!(
            policy_ids.contains(&id.as_str()),
            "{id} not in {policy_ids:?}"
        );
    }
    assert!(!policy_ids.contains(&big.id.as_str()));

    // A malformed policy is a health finding too.
    pc.set_policy(policy::load(
        &settings,
        Some(given(dir.path(), "[environments.prod]\n")),
    ));
    let report = health::check(&pc, &settings, Utc::now()).await;
    let broken = report
        .findings
        .iter()
        .find(|f| f.kind == HealthKind::PolicyViolation)
        .unwrap();
    assert_eq!(broken.subject, "policy file");
    assert!(broken.detail.contains("line 1"), "{}", broken.detail);
}
