//! The contract leaves the answer to the DELETEs open (a revoked token:
//! "none"; the vault's are inferred), so a service may answer them with a
//! bare `204 No Content`: that is success, not an unreadable answer. The
//! sandbox answers with its envelope; a fault rule run after its handler
//! (`after`: the delete happens) turns that answer into a 204 with no body.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;

use portal_core::context::ProfileContext;
use portal_core::secrets::Item;
use portal_core::vault::NewAsset;
use portal_core::vaultstream::NewToken;
use portal_core::{ErrorCode, Secret, Service};
use portal_sandbox::{RateLimits, Sandbox, SandboxConfig};

const NO_CONTENT: &str = "status:204,body:empty,after";

async fn sandbox(rules: &[&str]) -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed_assets: 3,
        rate_limits: RateLimits::unlimited(),
        faults: rules.iter().map(|r| r.parse().unwrap()).collect(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn context(sb: &Sandbox) -> ProfileContext {
    common::signed_in(sb, common::fast_retries())
}

/// The statuses the sandbox answered `method path` with, in order.
fn answered(sb: &Sandbox, method: &str, path: &str) -> Vec<u16> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn a_revoke_answered_204_is_done() {
    let sb = sandbox(&[&format!(
        "DELETE /vaultstream/v1/auth/tokens/{{id}}={NO_CONTENT}"
    )])
    .await;
    let ctx = context(&sb);
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let tokens = ctx.tokens(&cred);
    let created = tokens
        .create(&NewToken {
            name: "Answered with 204".into(),
            scopes: vec!["content:read".into()],
            expires_at: None,
        })
        .await
        .unwrap();

    tokens.revoke(&created.token.id).await.unwrap();
    let path = format!("/vaultstream/v1/auth/tokens/{}", created.token.id);
    assert_eq!(
        answered(&sb, "DELETE", &path),
        [204],
        "one attempt, no retry"
    );
    let listed = tokens.list_all().await.unwrap();
    assert!(listed.iter().all(|t| t.id != created.token.id));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_key_delete_answered_204_is_done() {
    let sb = sandbox(&[&format!("DELETE /jwt-keys/v2/jwt_keys/{{id}}={NO_CONTENT}")]).await;
    let ctx = context(&sb);
    let cred = ctx
        .credential(Item::JwtKeysApiKey, Service::JwtKeys)
        .unwrap();
    let keys = ctx.jwt_keys(&cred);
    let pem = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rsa2048_spki.pem"),
    )
    .unwrap();
    let key = keys.create("Answered with 204", &pem).await.unwrap();

    keys.delete(&key.id).await.unwrap();
    let path = format!("/jwt-keys/v2/jwt_keys/{}", key.id);
    assert_eq!(
        answered(&sb, "DELETE", &path),
        [204],
        "one attempt, no retry"
    );
    assert_eq!(
        keys.get(&key.id).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn vault_deletes_answered_204_are_done() {
    let sb = sandbox(&[
        &format!("DELETE /vault/vault/v1/assets/{{id}}/legal-hold={NO_CONTENT}"),
        &format!("DELETE /vault/vault/v1/assets/{{id}}={NO_CONTENT}"),
    ])
    .await;
    let ctx = context(&sb);
    ctx.vault_login("admin@eventzr.com", &Secret::new("Password123!"), false)
        .await
        .unwrap();
    let vault = ctx.open_vault().unwrap();
    let asset = vault
        .create_asset(&NewAsset {
            name: "answered-with-204.mp4".into(),
            content_type: Some("video/mp4".into()),
            ..NewAsset::default()
        })
        .await
        .unwrap();

    // The hold is cleared: the 204 says so, and so does the service.
    vault.set_legal_hold(&asset.id, "litigation").await.unwrap();
    let cleared = vault.clear_legal_hold(&asset.id).await.unwrap();
    assert_eq!(cleared.asset_id, asset.id);
    assert!(!cleared.active);
    assert!(!vault.legal_hold(&asset.id).await.unwrap().active);

    // The asset is deleted: the 204 says so, and it is gone.
    let asset = vault.get_asset(&asset.id).await.unwrap();
    let deleted = vault.delete_asset(&asset).await.unwrap();
    assert_eq!(deleted.id, asset.id);
    assert!(deleted.deleted);
    let path = format!("/vault/vault/v1/assets/{}", asset.id);
    assert_eq!(
        answered(&sb, "DELETE", &path),
        [204],
        "one attempt, no retry"
    );
    assert_eq!(
        vault.get_asset(&asset.id).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    sb.shutdown().await;
}
