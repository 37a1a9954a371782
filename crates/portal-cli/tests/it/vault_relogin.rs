//! `portal` signs in to the vault again, once, when the refresh token is
//! refused and the password is at hand (PORTAL_VAULT_EMAIL and
//! PORTAL_VAULT_PASSWORD, or a password kept with `login vault --remember`);
//! otherwise it ends in `unauthorized`. Never more than one attempt.

#![allow(clippy::unwrap_used)]

use crate::support;

use support::{stderr, Env};

const LOGIN: &str = "/vault/auth/v1/login";
const REFRESH: &str = "/vault/auth/v1/refresh";
const QUOTA: &str = "/vault/vault/v1/quota";
/// Past the refresh token's 30 days.
const A_MONTH_LATER: i64 = 31 * 86_400;

fn quota_statuses(env: &Env) -> Vec<u16> {
    env.sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == QUOTA)
        .map(|r| r.status)
        .collect()
}

fn fault(env: &Env, rule: &str) {
    env.sandbox.add_fault(rule.parse().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_environment_password_signs_in_again_once() {
    let env = Env::start().await;
    let (email, password) = env.admin();
    let vault_env = [
        ("PORTAL_VAULT_URL", env.sandbox.vault_url()),
        ("PORTAL_VAULT_EMAIL", email),
        ("PORTAL_VAULT_PASSWORD", password),
    ];
    let vault_env: Vec<(&str, &str)> = vault_env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // The session is refused once and so is its refresh token: one more
    // sign-in with the password, then the call once more.
    fault(&env, &format!("GET {QUOTA}=status:401,times:1"));
    fault(&env, &format!("POST {REFRESH}=status:401"));
    let out = env.run(&["quota", "--json"], &vault_env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.count("POST", LOGIN), 2);
    assert_eq!(env.count("POST", REFRESH), 1);
    assert_eq!(quota_statuses(&env), [401, 200]);

    // The sign-in again is refused too: exactly one attempt, then unauthorized.
    env.sandbox.clear_faults();
    fault(&env, &format!("POST {LOGIN}=latency:1,times:1"));
    fault(&env, &format!("POST {LOGIN}=status:401"));
    fault(&env, &format!("GET {QUOTA}=status:401,times:1"));
    fault(&env, &format!("POST {REFRESH}=status:401"));
    let out = env.run(&["quota", "--json"], &vault_env);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("log in again"), "{}", stderr(&out));
    assert_eq!(
        env.count("POST", LOGIN),
        4,
        "one sign-in, one sign-in again"
    );
    assert_eq!(env.count("POST", REFRESH), 2);
    assert_eq!(quota_statuses(&env), [401, 200, 401]);
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_password_signs_in_again_once_and_the_session_is_kept() {
    let env = Env::start().await;
    env.stored_profile("Acme", "staging", true);
    let logins = env.count("POST", LOGIN);
    env.sandbox.advance_clock(A_MONTH_LATER);

    let out = env.run(&["quota", "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.count("POST", LOGIN), logins + 1);
    assert_eq!(env.count("POST", REFRESH), 1);
    assert_eq!(quota_statuses(&env), [401, 200]);

    // The new session was stored: the next command just uses it.
    let out = env.run(&["quota", "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.count("POST", LOGIN), logins + 1);
    assert_eq!(env.count("POST", REFRESH), 1);
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_password_a_refused_refresh_is_unauthorized() {
    let env = Env::start().await;
    env.stored_profile("Acme", "staging", false);
    let logins = env.count("POST", LOGIN);
    env.sandbox.advance_clock(A_MONTH_LATER);

    let out = env.run(&["quota", "--json"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("could not be renewed: log in again"), "{err}");
    assert!(err.contains("portal login vault"), "{err}");
    assert_eq!(env.count("POST", LOGIN), logins, "no password, no sign-in");
    assert_eq!(env.count("POST", REFRESH), 1);
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_password_that_is_refused_is_tried_once_then_forgotten() {
    let env = Env::start().await;
    env.stored_profile("Acme", "staging", true);
    let logins = env.count("POST", LOGIN);
    // Changed elsewhere since it was remembered: the vault refuses it now.
    fault(&env, &format!("POST {LOGIN}=status:401"));
    env.sandbox.advance_clock(A_MONTH_LATER);

    let out = env.run(&["quota", "--json"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("log in again"), "{}", stderr(&out));
    assert_eq!(env.count("POST", LOGIN), logins + 1, "exactly one attempt");

    // Forgotten: the next command does not try it again.
    let out = env.run(&["quota", "--json"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(env.count("POST", LOGIN), logins + 1);
    assert_eq!(env.stored_values("Acme").len(), 4, "the password is gone");
    env.sandbox.shutdown().await;
}
