//! Signing in again when the vault refuses the refresh token: once, with the
//! password at hand (remembered in the profile, or given to the `Vault`),
//! then the call once more; never a loop, never a second password attempt.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::secrets::{Item, MemoryStore};
use portal_core::vault::Vault;
use portal_core::{ErrorCode, Secret, Service};
use portal_sandbox::{RateLimits, Sandbox, SandboxConfig};

const EMAIL: &str = "dev@eventzr.com";
const LOGIN: &str = "/vault/auth/v1/login";
const REFRESH: &str = "/vault/auth/v1/refresh";
const QUOTA: &str = "/vault/vault/v1/quota";
/// Past the access token's 24 h.
const A_DAY_LATER: i64 = 86_400 + 10;

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        rate_limits: RateLimits::unlimited(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn context(sb: &Sandbox) -> ProfileContext {
    let config = HttpConfig {
        request_timeout: Duration::from_secs(20),
        ..common::fast_retries()
    };
    let p = common::sandbox_profile(sb, "T");
    ProfileContext::new(p, Arc::new(MemoryStore::default()), config).unwrap()
}

/// `EMAIL`'s password in this sandbox.
fn password(sb: &Sandbox) -> Secret {
    let user = sb
        .credentials()
        .vault_users
        .iter()
        .find(|u| u.email == EMAIL);
    Secret::new(user.unwrap().password.clone())
}

fn count(sb: &Sandbox, method: &str, path: &str) -> usize {
    sb.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

fn statuses(sb: &Sandbox, method: &str, path: &str) -> Vec<u16> {
    sb.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .map(|r| r.status)
        .collect()
}

/// Logged in (the password remembered or not), with a refresh token the
/// vault will refuse, a day later.
async fn expired_session_with_refused_refresh(sb: &Sandbox, ctx: &ProfileContext, remember: bool) {
    ctx.vault_login(EMAIL, &password(sb), remember)
        .await
        .unwrap();
    ctx.store(Item::VaultRefreshToken, &Secret::new("rt_refused"))
        .unwrap();
    sb.advance_clock(A_DAY_LATER);
    assert_eq!(count(sb, "POST", LOGIN), 1);
}

#[tokio::test]
async fn a_remembered_password_signs_in_once_and_the_call_is_sent_once_more() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    expired_session_with_refused_refresh(&sb, &ctx, true).await;

    ctx.open_vault().unwrap().quota().await.unwrap();
    assert_eq!(count(&sb, "POST", REFRESH), 1);
    assert_eq!(count(&sb, "POST", LOGIN), 2, "exactly one sign-in again");
    assert_eq!(statuses(&sb, "GET", QUOTA), [401, 200]);

    // The new session was saved: the next call needs nothing more.
    ctx.open_vault().unwrap().quota().await.unwrap();
    assert_eq!(count(&sb, "POST", LOGIN), 2);
    assert_eq!(count(&sb, "POST", REFRESH), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_password_given_to_the_vault_signs_in_once_and_the_call_succeeds() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    // As the CLI does with PORTAL_VAULT_EMAIL / PORTAL_VAULT_PASSWORD: a
    // session in memory, not saved, the password kept for signing in again.
    let mut session = ctx.vault().login(EMAIL, &password(&sb)).await.unwrap();
    session.refresh_token = Some(Secret::new("rt_refused"));
    let vault =
        Vault::new(&ctx.http, ctx.url(Service::Vault), session).relogin_with(EMAIL, password(&sb));
    sb.advance_clock(A_DAY_LATER);

    vault.quota().await.unwrap();
    assert_eq!(count(&sb, "POST", REFRESH), 1);
    assert_eq!(count(&sb, "POST", LOGIN), 2);
    assert_eq!(statuses(&sb, "GET", QUOTA), [401, 200]);
    assert!(ctx.vault_session().unwrap().is_none(), "nothing was saved");
    sb.shutdown().await;
}

#[tokio::test]
async fn without_a_password_a_refused_refresh_is_unauthorized_and_not_sent_again() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    expired_session_with_refused_refresh(&sb, &ctx, false).await;

    let vault = ctx.open_vault().unwrap();
    let e = vault.quota().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert!(e.message.contains("log in again"), "{}", e.message);
    assert_eq!(count(&sb, "POST", REFRESH), 1);
    assert_eq!(
        count(&sb, "POST", LOGIN),
        1,
        "no sign-in without a password"
    );

    // The same session again: the refused refresh token is not sent twice.
    let e = vault.list_folders(None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert_eq!(count(&sb, "POST", REFRESH), 1);
    assert_eq!(count(&sb, "POST", LOGIN), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_refused_password_is_tried_once_then_forgotten() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    expired_session_with_refused_refresh(&sb, &ctx, true).await;
    // The password was changed elsewhere since it was remembered.
    ctx.store(Item::VaultPassword, &Secret::new("an-old-password"))
        .unwrap();

    let vault = ctx.open_vault().unwrap();
    // Three calls at once, then one more: one sign-in attempt in all.
    let (a, b, c) = tokio::join!(vault.quota(), vault.list_folders(None), vault.quota());
    for e in [a.err(), b.err(), c.err()] {
        assert_eq!(e.unwrap().code, ErrorCode::Unauthorized);
    }
    let e = vault.quota().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert!(e.message.contains("log in again"), "{}", e.message);
    assert_eq!(
        count(&sb, "POST", LOGIN),
        2,
        "exactly one attempt with the password"
    );
    assert_eq!(count(&sb, "POST", REFRESH), 1);

    // Forgotten, so the next command does not try it again either.
    assert!(ctx.stored(Item::VaultPassword).unwrap().is_none());
    let e = ctx.open_vault().unwrap().quota().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert_eq!(count(&sb, "POST", LOGIN), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_given_password_that_is_refused_is_tried_once() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let mut session = ctx.vault().login(EMAIL, &password(&sb)).await.unwrap();
    session.refresh_token = Some(Secret::new("rt_refused"));
    let vault = Vault::new(&ctx.http, ctx.url(Service::Vault), session)
        .relogin_with(EMAIL, Secret::new("not-the-password"));
    sb.advance_clock(A_DAY_LATER);

    for _ in 0..3 {
        let e = vault.quota().await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Unauthorized);
    }
    assert_eq!(
        count(&sb, "POST", LOGIN),
        2,
        "exactly one attempt with the password"
    );
    assert_eq!(count(&sb, "POST", REFRESH), 1);
    sb.shutdown().await;
}
