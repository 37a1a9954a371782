//! Replacing a refused or rotated credential in place: the new one is
//! checked with a real call first, and the old one stays when it fails.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Arc;

use portal_core::context::ProfileContext;
use portal_core::onboarding::replace_credential;
use portal_core::secrets::{Item, MemoryStore};
use portal_core::{ErrorCode, Secret, Service};
use portal_sandbox::{Sandbox, SandboxConfig};

fn stored(ctx: &ProfileContext, item: Item) -> String {
    ctx.stored(item).unwrap().unwrap().expose().to_owned()
}

#[tokio::test]
async fn a_new_credential_is_kept_only_once_the_service_accepts_it() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let ctx = common::signed_in(&sb, common::fast_retries());
    let creds = sb.credentials();
    // The stored credentials were rotated elsewhere: they no longer work.
    ctx.store(Item::VaultStreamToken, &Secret::new("vst_live_revoked"))
        .unwrap();
    ctx.store(Item::JwtKeysApiKey, &Secret::new("retired-key"))
        .unwrap();

    // A wrong one is refused by the service, and nothing changes here.
    let e = replace_credential(&ctx, Service::VaultStream, Secret::new("vst_live_wrong"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
    assert!(
        e.message
            .starts_with("Checking the new VaultStream credential"),
        "{}",
        e.message
    );
    assert_eq!(stored(&ctx, Item::VaultStreamToken), "vst_live_revoked");

    // The right one, pasted with a line break, is kept without it.
    let pasted = format!("  {}\n", creds.vaultstream_admin_token);
    replace_credential(&ctx, Service::VaultStream, Secret::new(pasted))
        .await
        .unwrap();
    assert_eq!(
        stored(&ctx, Item::VaultStreamToken),
        creds.vaultstream_admin_token
    );
    assert!(ctx.check(Service::VaultStream).await.error.is_none());

    // The JWT keys API key, the same way; the other credential is untouched.
    let e = replace_credential(&ctx, Service::JwtKeys, Secret::new("still-wrong"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
    assert_eq!(stored(&ctx, Item::JwtKeysApiKey), "retired-key");
    replace_credential(
        &ctx,
        Service::JwtKeys,
        Secret::new(creds.jwt_keys_api_key.as_str()),
    )
    .await
    .unwrap();
    assert_eq!(stored(&ctx, Item::JwtKeysApiKey), creds.jwt_keys_api_key);
    assert_eq!(
        stored(&ctx, Item::VaultStreamToken),
        creds.vaultstream_admin_token
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn what_cannot_be_replaced_here_is_refused_before_any_request() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let ctx = common::signed_in(&sb, common::fast_retries());
    let before = sb.requests().len();

    let empty = replace_credential(&ctx, Service::VaultStream, Secret::new(" \n"))
        .await
        .unwrap_err();
    assert_eq!(empty.code, ErrorCode::Validation);
    let vault = replace_credential(&ctx, Service::Vault, Secret::new("pw"))
        .await
        .unwrap_err();
    assert_eq!(vault.code, ErrorCode::Validation);
    assert!(vault.message.contains("log in"), "{}", vault.message);

    let mut profile = common::sandbox_profile(&sb, "Sandbox");
    profile.embedded_sandbox = true;
    let embedded = ProfileContext::new(
        profile,
        Arc::new(MemoryStore::default()),
        common::fast_retries(),
    )
    .unwrap();
    let e = replace_credential(&embedded, Service::JwtKeys, Secret::new("k"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert_eq!(sb.requests().len(), before);
    sb.shutdown().await;
}
