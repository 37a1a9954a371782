//! `portal tokens rotate --quiet-period` and `portal tokens rotations
//! [--due]` (#16 §3), and the clock warning (§4), with the real binary
//! against the sandbox: traffic on the old token blocks its revocation,
//! the sandbox's clock moved past the quiet period lets `--due` revoke it,
//! a token still used past the deadline is kept (exit 1, named on stderr),
//! a leak's rotation revokes at once; the activity log says which happened.

use std::process::Output;

use portal_sandbox::SandboxConfig;
use serde_json::Value;

use crate::support::{json, stderr, Sandboxed as Env};

const HOUR: i64 = 3600;

/// A token with `admin:read` (so its own traffic can be a token list).
fn create(env: &Env) -> (String, String) {
    let created = json(&env.portal(&[
        "tokens",
        "create",
        "--name",
        "ingest",
        "--scope",
        "admin:read",
        "--no-expiry",
        "--json",
    ]));
    let id = created["id"].as_str().unwrap().to_owned();
    (id, created["token"].as_str().unwrap().to_owned())
}

/// Traffic on a token: `portal tokens list` made with it.
fn use_token(env: &Env, value: &str) {
    let out = env
        .bare()
        .env("PORTAL_VAULTSTREAM_URL", env.sandbox.vaultstream_url())
        .env("PORTAL_VAULTSTREAM_TOKEN", value)
        .args(["tokens", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn listed(env: &Env, id: &str) -> bool {
    let list = json(&env.portal(&["tokens", "list", "--json"]));
    list.as_array().unwrap().iter().any(|t| t["id"] == id)
}

fn due(env: &Env) -> (Output, Value) {
    let out = env.portal(&["tokens", "rotations", "--due", "--json"]);
    let report =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out, report)
}

fn last_activity(env: &Env) -> Value {
    let entries = json(&env.portal(&["activity", "list", "--json"]));
    let entries = entries["entries"]
        .as_array()
        .or(entries.as_array())
        .cloned();
    entries.unwrap().last().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn traffic_blocks_the_revocation_and_quiet_lets_due_revoke() {
    let env = Env::start(SandboxConfig::default()).await;
    let (old, value) = create(&env);
    let rotated = json(&env.portal(&["tokens", "rotate", &old, "--quiet-period", "24h", "--json"]));
    assert_eq!(rotated["replaces"], old.as_str());

    use_token(&env, &value);
    let (out, report) = due(&env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["rotations"][0]["state"], "waiting");
    assert!(listed(&env, &old), "revoked while in use");

    // The table names the state too.
    let table = env.portal(&["tokens", "rotations"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains(&old) && text.contains("waiting"), "{text}");

    env.sandbox.advance_clock(25 * HOUR);
    let (out, report) = due(&env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["rotations"][0]["state"], "revoked");
    assert!(!listed(&env, &old), "not revoked after going quiet");
    let entry = last_activity(&env);
    assert_eq!(entry["action"], "token_revoke");
    assert_eq!(entry["target"], old.as_str());
    assert!(
        entry["summary"]
            .as_str()
            .unwrap()
            .contains("unused for 1 day by the service's clock"),
        "{entry}"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn still_in_use_past_the_deadline_is_kept_named_and_exits_1() {
    let env = Env::start(SandboxConfig::default()).await;
    let (old, value) = create(&env);
    json(&env.portal(&["tokens", "rotate", &old, "--quiet-period", "1h", "--json"]));
    env.sandbox.advance_clock(7 * 24 * HOUR + 2 * HOUR);
    use_token(&env, &value);

    let (out, report) = due(&env);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(report["rotations"][0]["state"], "in_use_past_deadline");
    assert!(
        stderr(&out).contains(&format!("'ingest' ({old}) is still in use")),
        "{}",
        stderr(&out)
    );
    assert!(listed(&env, &old), "revoked while in use");
    let entry = last_activity(&env);
    assert_eq!(entry["action"], "rotation_held");
    assert_eq!(entry["target"], old.as_str());
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_last_used_at_due_keeps_the_reminder_and_says_why() {
    let env = Env::start(SandboxConfig::default()).await;
    env.sandbox.report_last_used(false);
    let (old, _) = create(&env);
    json(&env.portal(&["tokens", "rotate", &old, "--json"]));
    env.sandbox.advance_clock(3 * 24 * HOUR);
    let (out, report) = due(&env);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = &report["rotations"][0];
    assert_eq!(r["state"], "usage_not_reported");
    assert!(
        r["detail"].as_str().unwrap().contains("does not report"),
        "{r}"
    );
    assert!(listed(&env, &old));
    assert_eq!(last_activity(&env)["action"], "rotation_held");
    env.sandbox.shutdown().await;
}

/// A leak's rotation: quiet period 0 revokes the old token at once.
#[tokio::test(flavor = "multi_thread")]
async fn a_quiet_period_of_0_revokes_at_once_and_8d_is_refused() {
    let env = Env::start(SandboxConfig::default()).await;
    let (old, _) = create(&env);
    let out = env.portal(&["tokens", "rotate", &old, "--quiet-period", "8d"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0 (revoke at once) to 7 days"),
        "{}",
        stderr(&out)
    );

    json(&env.portal(&["tokens", "rotate", &old, "--quiet-period", "0", "--json"]));
    assert!(!listed(&env, &old), "the leaked token is still live");
    let entry = last_activity(&env);
    assert_eq!(entry["action"], "token_revoke");
    assert_eq!(entry["summary"], format!("Revoked token {old} (rotated)"));
    env.sandbox.shutdown().await;
}

/// The sandbox's clock two minutes (and 10 s, as `Date` has whole seconds)
/// ahead of this one: a warning on stderr.
#[tokio::test(flavor = "multi_thread")]
async fn a_service_clock_two_minutes_off_is_warned_on_stderr() {
    let env = Env::start(SandboxConfig::default()).await;
    let out = env.portal(&["tokens", "list"]);
    assert!(!stderr(&out).contains("clock"), "{}", stderr(&out));
    env.sandbox.advance_clock(130);
    let out = env.portal(&["tokens", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: This computer's clock is 2 minutes behind the service's."),
        "{}",
        stderr(&out)
    );
    env.sandbox.shutdown().await;
}
