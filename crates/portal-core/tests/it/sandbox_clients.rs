//! Core's service clients against the sandbox (an independent implementation
//! of the contract).

#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use portal_core::context::{ConnectionState, ProfileContext};
use portal_core::http::HttpConfig;
use portal_core::profiles::{Environment, Profile, ServiceUrls};
use portal_core::secrets::{Item, MemoryStore};
use portal_core::vaultstream::{NewToken, UserJwtRequest};
use portal_core::{ErrorCode, Secret, Service};
use portal_sandbox::{Sandbox, SandboxConfig};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed_assets: 30,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn context(sb: &Sandbox) -> ProfileContext {
    common::signed_in(sb, HttpConfig::default())
}

#[tokio::test]
async fn token_lifecycle_and_cursor_paging() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let tokens = ctx.tokens(&cred);
    let before = tokens.list_all().await.unwrap().len();

    let expires = Utc::now() + Duration::days(30);
    let mut ids = Vec::new();
    for i in 0..5 {
        let new = NewToken {
            name: format!("ingest {i}"),
            scopes: vec!["content:write".into()],
            expires_at: Some(expires),
        };
        let created = tokens.create(&new.validated().unwrap()).await.unwrap();
        assert!(created.value.expose().starts_with("vst_live_"));
        assert_eq!(created.token.scopes, ["content:write"]);
        ids.push(created.token.id);
    }
    // Pages of 2 follow the cursor to every token exactly once.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = tokens.list_page(2, after.as_deref()).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|t| t.id));
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), before + 5);
    assert!(ids.iter().all(|id| seen.contains(id)));

    tokens.revoke(&ids[0]).await.unwrap();
    let after_revoke = tokens.list_all().await.unwrap();
    assert!(after_revoke.iter().all(|t| t.id != ids[0]));
    assert_eq!(
        tokens.revoke("tok_does_not_exist").await.unwrap_err().code,
        ErrorCode::NotFound
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_revoked_token_is_unauthorized_with_the_service_code() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let created = ctx
        .tokens(&cred)
        .create(&NewToken {
            name: "short".into(),
            scopes: vec!["admin:read".into()],
            expires_at: None,
        })
        .await
        .unwrap();
    ctx.tokens(&cred).revoke(&created.token.id).await.unwrap();
    let err = ctx.tokens(&created.value).list_all().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthorized);
    assert_eq!(err.service_code.as_deref(), Some("invalid_token"));
    assert_eq!(err.service, Some(Service::VaultStream));
    assert!(err.request_id.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn user_jwt_is_issued() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let jwt = ctx
        .tokens(&cred)
        .create_user_jwt(&UserJwtRequest {
            user_id: "usr_xyz789".into(),
            content_id: "c_7a3b9f1d".into(),
            ttl_seconds: 600,
        })
        .await
        .unwrap();
    assert!(jwt.jwt.expose().starts_with("eyJ"));
    sb.shutdown().await;
}

#[tokio::test]
async fn service_checks_report_each_state() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    assert_eq!(
        ctx.check(Service::VaultStream).await.state,
        ConnectionState::Connected
    );
    assert_eq!(
        ctx.check(Service::JwtKeys).await.state,
        ConnectionState::Connected
    );
    assert_eq!(
        ctx.check(Service::Vault).await.state,
        ConnectionState::NotConfigured
    );

    let admin = sb
        .credentials()
        .vault_users
        .iter()
        .find(|u| u.role == "admin")
        .unwrap()
        .clone();
    let session = ctx
        .vault()
        .login(&admin.email, &Secret::new(admin.password.as_str()))
        .await
        .unwrap();
    ctx.save_vault_session(&session).unwrap();
    assert_eq!(
        ctx.check(Service::Vault).await.state,
        ConnectionState::Connected
    );

    ctx.store(Item::JwtKeysApiKey, &Secret::new("wrong"))
        .unwrap();
    assert_eq!(
        ctx.check(Service::JwtKeys).await.state,
        ConnectionState::Unauthorized
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn nothing_listening_is_offline_not_a_panic() {
    let mut p = Profile::new("Dead", Environment::Other);
    p.urls = ServiceUrls {
        vaultstream: "http://127.0.0.1:9".into(),
        jwt_keys: "http://127.0.0.1:9/v2".into(),
        vault: "http://127.0.0.1:9".into(),
    };
    let config = HttpConfig {
        max_attempts: 2,
        base_delay: std::time::Duration::from_millis(5),
        ..HttpConfig::default()
    };
    let ctx = ProfileContext::new(p, Arc::new(MemoryStore::default()), config).unwrap();
    ctx.store(Item::VaultStreamToken, &Secret::new("vst_live_x"))
        .unwrap();
    let status = ctx.check(Service::VaultStream).await;
    assert_eq!(status.state, ConnectionState::Offline);
    let err = status.error.unwrap();
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert!(
        err.message.contains("Could not connect to VaultStream"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn the_vault_check_renews_an_expired_access_token() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let admin = sb
        .credentials()
        .vault_users
        .iter()
        .find(|u| u.role == "admin")
        .unwrap()
        .clone();
    let session = ctx
        .vault()
        .login(&admin.email, &Secret::new(admin.password.as_str()))
        .await
        .unwrap();
    ctx.save_vault_session(&session).unwrap();
    let before = ctx.stored(Item::VaultAccessToken).unwrap().unwrap();
    sb.advance_clock(25 * 3600); // past the 24 h access token
    assert_eq!(
        ctx.check(Service::Vault).await.state,
        ConnectionState::Connected
    );
    let after = ctx.stored(Item::VaultAccessToken).unwrap().unwrap();
    assert_ne!(
        before.expose(),
        after.expose(),
        "the renewed token was not saved"
    );
    sb.shutdown().await;
}
