//! The policy file with the real binary against the sandbox: `--policy`
//! and `PORTAL_POLICY`, a refused create (exit 10, nothing sent), `portal
//! policy check` (0 clean, 1 violations, `--json`, 2 on a malformed file
//! naming the line), `portal policy show`, and `portal doctor` listing a
//! violation. (Each rule is covered in portal-core's tests.)

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{stderr, stdout, Env};

/// The sandbox's seed holds "Sandbox admin", a token with all six scopes
/// that never expires: this file passes it, [`STRICT`] does not.
const CLEAN: &str = "[default]\nmax_scopes = 6\n";
const STRICT: &str = "[default]\nmax_scopes = 6\nmin_rsa_bits = 3072\n\n\
                      [environments.production]\nrequire_expiry = true\nmax_token_lifetime_days = 30\n";
const MALFORMED: &str = "[default]\nmax_scopes = 0\n";

fn file(env: &Env, name: &str, text: &str) -> String {
    let path: PathBuf = env.data.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_check_exits_0_clean_1_on_violations_and_2_on_a_malformed_file() {
    let env = Env::start().await;
    env.stored_profile("Prod", "production", false);
    let (clean, strict, bad) = (
        file(&env, "clean.toml", CLEAN),
        file(&env, "portal-policy.toml", STRICT),
        file(&env, "bad.toml", MALFORMED),
    );

    let out = env.run(&["policy", "check", "--policy", &clean], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("every token and key follows"),
        "{}",
        stderr(&out)
    );

    let out = env.run(&["policy", "check"], &[("PORTAL_POLICY", &strict)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("require_expiry"), "{text}");
    assert!(text.contains("Sandbox admin"), "{text}");
    assert!(
        stderr(&out).contains("portal tokens revoke tok_"),
        "{}",
        stderr(&out)
    );

    let out = env.run(
        &["policy", "check", "--json"],
        &[("PORTAL_POLICY", &strict)],
    );
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["profile"], "Prod");
    assert_eq!(report["environment"], "production");
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["target"] == "token" && f["rule"] == "require_expiry"),
        "{report}"
    );

    // A malformed file is an error naming its line (exit 2), never a pass.
    let out = env.run(&["policy", "check"], &[("PORTAL_POLICY", &bad)]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("bad.toml, line 2, column 14"), "{err}");
    assert!(err.contains("from 1 to"), "{err}");

    // --policy wins over PORTAL_POLICY.
    let out = env.run(
        &["policy", "check", "--policy", &clean],
        &[("PORTAL_POLICY", &bad)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // No policy file at all: an error, not a pass.
    let out = env.run(&["policy", "check"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("No policy file"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_show_says_where_the_file_came_from_and_its_rules() {
    let env = Env::start().await;
    env.stored_profile("Prod", "production", false);
    let strict = file(&env, "portal-policy.toml", STRICT);

    let out = env.run(&["policy", "show", "--policy", &strict], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("Policy file: {strict} (from --policy)")),
        "{text}"
    );
    assert!(text.contains("Rules for production:"), "{text}");
    assert!(text.contains("Tokens may live at most 30 days."), "{text}");
    assert!(text.contains("Every token must have an expiry."), "{text}");

    let out = env.run(&["policy", "show", "--json"], &[("PORTAL_POLICY", &strict)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["source"], "environment");
    assert_eq!(status["rules"]["min_rsa_bits"], 3072);

    let bad = file(&env, "bad.toml", MALFORMED);
    let out = env.run(&["policy", "show", "--policy", &bad], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("line 2, column 14"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_the_policy_forbids_is_refused_with_exit_10_and_nothing_sent() {
    let env = Env::start().await;
    env.stored_profile("Prod", "production", false);
    let strict = file(&env, "portal-policy.toml", STRICT);
    let policy = [("PORTAL_POLICY", strict.as_str())];
    let tokens = "/vaultstream/v1/auth/tokens";

    let out = env.run(
        &[
            "tokens",
            "create",
            "--name",
            "ci",
            "--scope",
            "content:read",
            "--expires-in",
            "90d",
        ],
        &policy,
    );
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "Refused by policy (portal-policy.toml, production): tokens may live at most 30 days; \
             this one would live 90."
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.count("POST", tokens), 0, "a refused create was sent");

    let out = env.run(
        &[
            "keys",
            "create",
            "--name",
            "small",
            "--generate",
            "--bits",
            "2048",
        ],
        &policy,
    );
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("RSA keys need at least 3072 bits; this one has 2048"),
        "{}",
        stderr(&out)
    );
    let keys = "/jwt-keys/v2/jwt_keys";
    assert_eq!(env.count("POST", keys), 0, "a refused key was sent");

    // Within the rules: created. Without the policy: the same 90 days pass.
    let out = env.run(
        &[
            "tokens",
            "create",
            "--name",
            "ci",
            "--scope",
            "content:read",
            "--expires-in",
            "30d",
        ],
        &policy,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(
        &[
            "tokens",
            "create",
            "--name",
            "ci",
            "--scope",
            "content:read",
            "--expires-in",
            "90d",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.count("POST", tokens), 2);
    let out = env.run(
        &[
            "keys",
            "create",
            "--name",
            "big",
            "--generate",
            "--bits",
            "3072",
        ],
        &policy,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.count("POST", keys), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_lists_policy_violations_with_their_fix() {
    let env = Env::start().await;
    env.stored_profile("Prod", "production", false);
    let strict = file(&env, "portal-policy.toml", STRICT);
    let clean = file(&env, "clean.toml", CLEAN);

    let out = env.run(&["doctor", "--policy", &clean], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let out = env.run(&["doctor"], &[("PORTAL_POLICY", &strict)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("[needs action] token 'Sandbox admin' (tok_"),
        "{text}"
    );
    assert!(
        text.contains("Breaks the policy (require_expiry)"),
        "{text}"
    );
    assert!(text.contains("fix: portal tokens revoke tok_"), "{text}");

    let bad = file(&env, "bad.toml", MALFORMED);
    let out = env.run(&["doctor", "--json", "--policy", &bad], &[]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let broken = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == "policy file")
        .unwrap();
    assert_eq!(broken["kind"], "policy_violation");
    assert!(
        broken["detail"].as_str().unwrap().contains("line 2"),
        "{broken}"
    );
}
