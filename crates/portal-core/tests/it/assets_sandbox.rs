//! The vault client against the sandbox: roles, tenants, paging,
//! idempotent retries, legal holds and the session's refresh.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::secrets::{Item, MemoryStore};
use portal_core::vault::{
    allowed, AssetAction, AssetQuery, AssetUpdate, NewAsset, Role, TransformKind, TransformStatus,
    Vault,
};
use portal_core::{ErrorCode, Secret};
use portal_sandbox::{LoggedRequest, RateLimits, Sandbox, SandboxConfig};

const PASSWORD: &str = "Password123!";
const ASSETS: &str = "/vault/vault/v1/assets";

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed_assets: 45,
        rate_limits: RateLimits::unlimited(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn context(sb: &Sandbox) -> ProfileContext {
    let p = common::sandbox_profile(sb, "T");
    let config = HttpConfig {
        request_timeout: Duration::from_secs(20),
        ..common::fast_retries()
    };
    ProfileContext::new(p, Arc::new(MemoryStore::default()), config).unwrap()
}

async fn login<'a>(ctx: &'a ProfileContext, email: &str) -> Vault<'a> {
    ctx.vault_login(email, &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    ctx.open_vault().unwrap()
}

fn logged(sb: &Sandbox, method: &str, path: &str) -> Vec<LoggedRequest> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

fn named(name: &str) -> NewAsset {
    NewAsset {
        name: name.into(),
        content_type: Some("video/mp4".into()),
        tags: vec!["test".into()],
        ..NewAsset::default()
    }
}

async fn count_named(vault: &Vault<'_>, name: &str) -> usize {
    let q = AssetQuery {
        q: Some(name.into()),
        limit: 100,
        ..AssetQuery::default()
    };
    vault.list_all_assets(&q).await.unwrap().len()
}

/// Does `action` as the vault's user; `Ok(())` if the service allowed it.
async fn attempt(
    vault: &Vault<'_>,
    admin: &Vault<'_>,
    action: AssetAction,
    tag: &str,
) -> Result<(), ErrorCode> {
    let seeded = admin
        .list_assets(&AssetQuery::page(1, 1))
        .await
        .unwrap()
        .items
        .remove(0);
    let fresh = admin
        .create_asset(&named(&format!("victim-{tag}")))
        .await
        .unwrap();
    let r = match action {
        AssetAction::Read => {
            async {
                vault.list_assets(&AssetQuery::default()).await?;
                vault.get_asset(&seeded.id).await?;
                vault.list_folders(None).await?;
                vault.quota().await?;
                vault.legal_hold(&seeded.id).await?;
                vault.list_transforms(&seeded.id).await.map(|_| ())
            }
            .await
        }
        AssetAction::Create => vault.create_asset(&named(tag)).await.map(|_| ()),
        AssetAction::Update => vault
            .update_asset(
                &fresh.id,
                &AssetUpdate {
                    name: Some(format!("renamed-{tag}")),
                    ..AssetUpdate::default()
                },
            )
            .await
            .map(|_| ()),
        AssetAction::Delete => vault.delete_asset_by_id(&fresh.id).await.map(|_| ()),
        AssetAction::CreateFolder => vault.create_folder(tag, None).await.map(|_| ()),
        AssetAction::RequestTransform => vault
            .request_transform(&fresh.id, TransformKind::Thumbnail)
            .await
            .map(|_| ()),
        AssetAction::Share => vault.share(&fresh.id, Some(3600)).await.map(|_| ()),
        AssetAction::SetLegalHold => vault
            .set_legal_hold(&fresh.id, "litigation")
            .await
            .map(|_| ()),
        AssetAction::ClearLegalHold => {
            admin.set_legal_hold(&fresh.id, "litigation").await.unwrap();
            vault.clear_legal_hold(&fresh.id).await.map(|_| ())
        }
    };
    r.map_err(|e| e.code)
}

#[tokio::test]
async fn every_role_and_action_matches_allowed() {
    let sb = sandbox().await;
    let admin_ctx = context(&sb);
    let admin = login(&admin_ctx, "admin@eventzr.com").await;
    for (email, role) in [
        ("dev@eventzr.com", Role::User),
        ("organizer@eventzr.com", Role::Organizer),
        ("admin@eventzr.com", Role::Admin),
    ] {
        let ctx = context(&sb);
        let vault = login(&ctx, email).await;
        assert_eq!(vault.role().await, role);
        for (i, action) in AssetAction::ALL.into_iter().enumerate() {
            let tag = format!("{:?}-{i}-{action:?}", role);
            let got = attempt(&vault, &admin, action, &tag).await;
            if allowed(role, action) {
                assert_eq!(got, Ok(()), "{email} {action:?} should succeed");
            } else {
                assert_eq!(
                    got,
                    Err(ErrorCode::Forbidden),
                    "{email} {action:?} should be forbidden"
                );
            }
            assert_eq!(vault.may(action).await, allowed(role, action));
        }
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn another_tenant_sees_nothing_not_even_by_id() {
    let sb = sandbox().await;
    let ez = context(&sb);
    let ez = login(&ez, "admin@eventzr.com").await;
    let acme_ctx = context(&sb);
    let acme = login(&acme_ctx, "admin@acme.test").await;
    let theirs = ez.list_all_assets(&AssetQuery::page(1, 100)).await.unwrap();
    let ours = acme
        .list_all_assets(&AssetQuery::page(1, 100))
        .await
        .unwrap();
    assert!(!theirs.is_empty());
    let tenant = ez.claims().await.tenant_id;
    assert!(ours.iter().all(|a| a.tenant_id.as_deref() != Some(&tenant)));
    let id = &theirs[0].id;
    assert!(ours.iter().all(|a| &a.id != id));
    for r in [
        acme.get_asset(id).await.map(|_| ()),
        acme.legal_hold(id).await.map(|_| ()),
        acme.delete_asset_by_id(id).await.map(|_| ()),
        acme.share(id, None).await.map(|_| ()),
    ] {
        assert_eq!(r.unwrap_err().code, ErrorCode::NotFound);
    }
    // Still there for its own tenant.
    ez.get_asset(id).await.unwrap();
    sb.shutdown().await;
}

#[tokio::test]
async fn paging_walks_every_page_once() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "dev@eventzr.com").await;
    let first = vault.list_assets(&AssetQuery::page(1, 20)).await.unwrap();
    let total = first.page.total as usize;
    assert!(total >= 45, "seeded 45, got {total}");
    assert!(first.page.has_more);
    assert_eq!(first.items.len(), 20);
    let all = vault
        .list_all_assets(&AssetQuery::page(1, 7))
        .await
        .unwrap();
    assert_eq!(all.len(), total);
    let mut ids: Vec<&str> = all.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total);
    let pages = logged(&sb, "GET", ASSETS).len();
    assert_eq!(pages, 1 + total.div_ceil(7));
    // Filter and sort go to the service.
    let q = AssetQuery {
        q: Some("zzz-no-such-name".into()),
        sort: Some("-size".into()),
        ..AssetQuery::default()
    };
    let none = vault.list_assets(&q).await.unwrap();
    assert!(none.items.is_empty() && !none.page.has_more);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_write_retried_after_503_sends_the_same_key_and_creates_one_asset() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "organizer@eventzr.com").await;
    sb.add_fault(format!("POST {ASSETS}=status:503,times:1").parse().unwrap());
    let asset = vault.create_asset(&named("retried-503")).await.unwrap();
    let posts = logged(&sb, "POST", ASSETS);
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].status, 503);
    assert_eq!(posts[1].status, 201);
    assert!(posts[0].idempotency_key.is_some());
    assert_eq!(posts[0].idempotency_key, posts[1].idempotency_key);
    assert_ne!(posts[0].request_id, posts[1].request_id);
    assert_eq!(count_named(&vault, "retried-503").await, 1);

    // A second logical write gets a new key.
    vault.create_asset(&named("another")).await.unwrap();
    let keys: Vec<_> = logged(&sb, "POST", ASSETS)
        .into_iter()
        .filter_map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 3);
    assert_ne!(keys[1], keys[2]);
    let _ = asset;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_lost_answer_is_retried_with_the_same_key_and_replayed() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "organizer@eventzr.com").await;
    sb.add_fault(format!("POST {ASSETS}=drop,after,times:1").parse().unwrap());
    let asset = vault.create_asset(&named("dropped-after")).await.unwrap();
    let posts = logged(&sb, "POST", ASSETS);
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].outcome, "dropped");
    assert!(posts[1].replayed);
    assert_eq!(posts[0].idempotency_key, posts[1].idempotency_key);
    assert_eq!(count_named(&vault, "dropped-after").await, 1);
    assert_eq!(
        vault.get_asset(&asset.id).await.unwrap().name,
        "dropped-after"
    );

    // Every kind of write carries a key.
    let folder = vault.create_folder("Keyed", None).await.unwrap();
    vault
        .update_asset(
            &asset.id,
            &AssetUpdate {
                folder_id: Some(Some(folder.id.clone())),
                tags: Some(vec!["a".into(), "b".into()]),
                ..AssetUpdate::default()
            },
        )
        .await
        .unwrap();
    vault.share(&asset.id, None).await.unwrap();
    let writes: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.path.starts_with("/vault/vault/"))
        .collect();
    assert!(writes.len() >= 5);
    assert!(writes.iter().all(|r| r.idempotency_key.is_some()));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_held_asset_is_refused_before_any_delete_is_sent() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "admin@eventzr.com").await;
    let asset = vault.create_asset(&named("evidence")).await.unwrap();
    let hold = vault.set_legal_hold(&asset.id, "Case 42").await.unwrap();
    assert!(hold.active);
    assert_eq!(hold.reason.as_deref(), Some("Case 42"));
    let held = vault.get_asset(&asset.id).await.unwrap();
    assert!(held.legal_hold);

    let path = format!("{ASSETS}/{}", asset.id);
    let e = vault.delete_asset(&held).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(e.service_code.as_deref(), Some("LEGAL_HOLD_ACTIVE"));
    assert!(e.message.contains("legal hold"), "{}", e.message);
    let e = vault.delete_asset_by_id(&asset.id).await.unwrap_err();
    assert!(e.message.contains("Case 42"), "{}", e.message);
    assert!(logged(&sb, "DELETE", &path).is_empty());

    // A stale copy (read before the hold) reaches the service: its 409 maps the same way.
    let e = vault.delete_asset(&asset).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(e.status, Some(409));
    assert_eq!(e.service_code.as_deref(), Some("LEGAL_HOLD_ACTIVE"));
    assert!(e.hint.unwrap().contains("legal hold"));
    assert_eq!(logged(&sb, "DELETE", &path).len(), 1);

    // Bulk: the held one and a missing one are skipped with reasons.
    let free = vault.create_asset(&named("free")).await.unwrap();
    let summary = vault
        .delete_assets(&[asset.id.clone(), free.id.clone(), "no-such-asset".into()])
        .await;
    assert_eq!(summary.deleted, vec![free.id.clone()]);
    assert_eq!(summary.skipped.len(), 2);
    assert_eq!(summary.skipped[0].code, ErrorCode::Conflict);
    assert_eq!(summary.skipped[1].code, ErrorCode::NotFound);

    let cleared = vault.clear_legal_hold(&asset.id).await.unwrap();
    assert!(!cleared.active);
    let gone = vault.delete_asset_by_id(&asset.id).await.unwrap();
    assert!(gone.deleted);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_once_and_saved() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "dev@eventzr.com").await;
    let before = ctx.stored(Item::VaultAccessToken).unwrap().unwrap();
    sb.advance_clock(86_400 + 10);
    let page = vault.list_assets(&AssetQuery::default()).await.unwrap();
    assert!(!page.items.is_empty());
    let gets = logged(&sb, "GET", ASSETS);
    assert_eq!(
        gets.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![401, 200]
    );
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/refresh").len(), 1);
    let after = ctx.stored(Item::VaultAccessToken).unwrap().unwrap();
    assert_ne!(before.expose(), after.expose());
    // The next call uses the saved token: no more refreshes.
    vault.quota().await.unwrap();
    ctx.open_vault().unwrap().quota().await.unwrap();
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/refresh").len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_refused_refresh_is_unauthorized_without_a_loop() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    ctx.vault_login("dev@eventzr.com", &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    ctx.store(Item::VaultRefreshToken, &Secret::new("rt_not-a-real-one"))
        .unwrap();
    let vault = ctx.open_vault().unwrap();
    sb.advance_clock(86_400 + 10);
    let e = vault.list_assets(&AssetQuery::default()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert!(e.message.contains("log in again"), "{}", e.message);
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/refresh").len(), 1);
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/login").len(), 1);
    assert_eq!(logged(&sb, "GET", ASSETS).len(), 1);

    // An expired refresh token (30 days) ends the same way.
    let ctx = context(&sb);
    let vault = login(&ctx, "dev@eventzr.com").await;
    sb.advance_clock(31 * 86_400);
    let e = vault.quota().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/refresh").len(), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_remembered_password_renews_a_session_whose_refresh_failed() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    ctx.vault_login("dev@eventzr.com", &Secret::new(PASSWORD), true)
        .await
        .unwrap();
    assert!(ctx.stored(Item::VaultPassword).unwrap().is_some());
    ctx.store(Item::VaultRefreshToken, &Secret::new("rt_bogus"))
        .unwrap();
    sb.advance_clock(86_400 + 10);
    ctx.open_vault().unwrap().quota().await.unwrap();
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/refresh").len(), 1);
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/login").len(), 2);

    // Logging in without "remember" forgets it; logging out forgets everything.
    ctx.vault_login("dev@eventzr.com", &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    assert!(ctx.stored(Item::VaultPassword).unwrap().is_none());
    ctx.vault_logout().unwrap();
    assert!(ctx.vault_session().unwrap().is_none());
    assert!(ctx.stored(Item::VaultRefreshToken).unwrap().is_none());
    assert_eq!(
        ctx.open_vault().err().unwrap().code,
        ErrorCode::NoCredentials
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_the_call() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    ctx.vault_login("organizer@eventzr.com", &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    let mut session = ctx.vault_session().unwrap().unwrap();
    session.claims.exp = chrono::Utc::now().timestamp() + 30;
    let vault = Vault::new(&ctx.http, ctx.url(portal_core::Service::Vault), session);
    vault.quota().await.unwrap();
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/refresh").len(), 1);
    let quota = logged(&sb, "GET", "/vault/vault/v1/quota");
    assert_eq!(quota.len(), 1);
    assert_eq!(quota[0].status, 200);
    assert!(vault.claims().await.exp > chrono::Utc::now().timestamp() + 3600);
    sb.shutdown().await;
}

#[tokio::test]
async fn folders_quota_transforms_and_shares() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "organizer@eventzr.com").await;
    let parent = vault.create_folder("Season 1", None).await.unwrap();
    let child = vault
        .create_folder("Episode 1", Some(&parent.id))
        .await
        .unwrap();
    assert_eq!(child.parent_id.as_deref(), Some(parent.id.as_str()));
    let under = vault.list_folders(Some(&parent.id)).await.unwrap();
    assert_eq!(under.len(), 1);
    assert!(vault.list_folders(None).await.unwrap().len() >= 2);
    let e = vault.create_folder("Season 1", None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(e.service_code.as_deref(), Some("FOLDER_EXISTS"));

    let before = vault.quota().await.unwrap();
    let asset = vault
        .create_asset(&NewAsset {
            size: Some(1000),
            folder_id: Some(child.id.clone()),
            ..named("sized")
        })
        .await
        .unwrap();
    let after = vault.quota().await.unwrap();
    assert_eq!(after.assets_used, before.assets_used + 1);
    assert_eq!(after.bytes_used, before.bytes_used + 1000);
    assert!(after.bytes_limit > 0 && after.assets_limit > 0);
    let in_folder = vault
        .list_assets(&AssetQuery {
            folder_id: Some(child.id.clone()),
            ..AssetQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(in_folder.items.len(), 1);
    let moved = vault
        .update_asset(
            &asset.id,
            &AssetUpdate {
                folder_id: Some(None),
                name: Some("sized v2".into()),
                ..AssetUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.folder_id, None);
    assert_eq!(moved.name, "sized v2");

    let t = vault
        .request_transform(&asset.id, TransformKind::Transcode)
        .await
        .unwrap();
    assert_eq!(t.status, TransformStatus::Requested);
    assert_eq!(t.kind, "transcode");
    sb.advance_clock(1);
    assert_eq!(
        vault.list_transforms(&asset.id).await.unwrap()[0].status,
        TransformStatus::Queued
    );
    sb.advance_clock(5);
    let done = vault.list_transforms(&asset.id).await.unwrap();
    assert_eq!(done[0].status, TransformStatus::Completed);
    assert!(done[0].completed_at.is_some());

    let share = vault.share(&asset.id, Some(7 * 86_400)).await.unwrap();
    assert!(share.url.contains("/shares/"));
    let expires = share.expires_at.unwrap();
    let secs = (expires - share.created_at.unwrap()).num_seconds();
    assert_eq!(secs, 7 * 86_400);
    assert_eq!(
        vault.share(&asset.id, Some(10)).await.unwrap_err().code,
        ErrorCode::Validation
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn every_request_names_the_tenant_of_the_token() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    ctx.vault_login("dev@eventzr.com", &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    // The header is taken from the claims: a wrong one is refused by the service.
    let mut session = ctx.vault_session().unwrap().unwrap();
    session.claims.tenant_id = "b7e4c2a9-3f1d-4e8b-9c6a-5d2f8e1a7b30".into();
    let vault = Vault::new(&ctx.http, ctx.url(portal_core::Service::Vault), session);
    let e = vault.quota().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(e.service_code.as_deref(), Some("TENANT_MISMATCH"));
    // Each attempt has its own x-request-id, echoed by the service.
    let ok = ctx.open_vault().unwrap();
    ok.quota().await.unwrap();
    let ids: Vec<_> = logged(&sb, "GET", "/vault/vault/v1/quota")
        .into_iter()
        .map(|r| r.request_id.unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    assert!(uuid::Uuid::parse_str(&ids[1]).is_ok());
    sb.shutdown().await;
}

#[tokio::test]
async fn concurrent_calls_after_expiry_share_one_refresh() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "dev@eventzr.com").await;
    sb.advance_clock(86_400 + 10);
    let q = AssetQuery::default();
    let (a, b, c) = tokio::join!(
        vault.quota(),
        vault.list_assets(&q),
        vault.list_folders(None)
    );
    a.unwrap();
    b.unwrap();
    c.unwrap();
    // Refresh tokens rotate: a second refresh with the old one would fail.
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/refresh").len(), 1);
    sb.shutdown().await;
}

/// `list_all_assets` asks for several pages at once once it knows the total:
/// the rows still come back exactly as one page after the other gives them,
/// in order, each once, whatever the page size, order or first page.
#[tokio::test]
async fn all_pages_fetched_a_few_at_a_time_come_back_in_order_once() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "admin@eventzr.com").await;
    let total = vault.list_assets(&AssetQuery::page(1, 1)).await.unwrap();
    let total = total.page.total as usize;
    for sort in ["-created_at", "name", "-size"] {
        for (start, limit) in [(1, 1), (1, 4), (1, 7), (2, 7), (3, 10), (1, 45), (1, 100)] {
            let mut q = AssetQuery::page(start, limit);
            q.sort = Some(sort.into());
            let mut want = Vec::new();
            let mut p = q.clone();
            loop {
                let page = vault.list_assets(&p).await.unwrap();
                want.extend(page.items.into_iter().map(|a| a.id));
                if !page.page.has_more {
                    break;
                }
                p.page += 1;
            }
            let got: Vec<String> = vault
                .list_all_assets(&q)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.id)
                .collect();
            assert_eq!(got, want, "{sort}, from page {start}, {limit} a page");
            let mut once = got.clone();
            once.sort_unstable();
            once.dedup();
            assert_eq!(once.len(), got.len(), "{sort}, {limit} a page: duplicates");
            let skipped = ((start - 1) * limit) as usize;
            assert_eq!(got.len(), total.saturating_sub(skipped));
        }
    }
}

/// A page that fails while several are in flight fails the whole list: never
/// a list with a page missing.
#[tokio::test]
async fn a_failed_page_among_several_in_flight_fails_the_list() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let vault = login(&ctx, "admin@eventzr.com").await;
    let want: Vec<String> = vault
        .list_all_assets(&AssetQuery::page(1, 5))
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    sb.add_fault(format!("GET {ASSETS}=status:400,rate:0.1").parse().unwrap());
    let (mut failed, mut whole) = (0, 0);
    for _ in 0..20 {
        match vault.list_all_assets(&AssetQuery::page(1, 5)).await {
            Ok(all) => {
                let got: Vec<String> = all.into_iter().map(|a| a.id).collect();
                assert_eq!(got, want);
                whole += 1;
            }
            Err(e) => {
                assert_eq!(e.status, Some(400), "{e:?}");
                failed += 1;
            }
        }
    }
    assert!(failed > 0, "no list failed ({whole} whole)");
}

#[tokio::test]
async fn a_login_whose_answer_is_lost_is_sent_again_and_never_reads_as_outcome_unknown() {
    const LOGIN: &str = "/vault/auth/v1/login";
    let sb = sandbox().await;
    let ctx = context(&sb);

    // The first answer is lost after the service made the session: the
    // login is sent again and succeeds.
    sb.add_fault(format!("POST {LOGIN}=drop,after,times:1").parse().unwrap());
    let vault = login(&ctx, "dev@eventzr.com").await;
    vault.quota().await.unwrap();
    assert_eq!(logged(&sb, "POST", LOGIN).len(), 2);

    // A service that is briefly down: the same.
    sb.add_fault(format!("POST {LOGIN}=status:503,times:1").parse().unwrap());
    login(&ctx, "dev@eventzr.com").await;
    assert_eq!(logged(&sb, "POST", LOGIN).len(), 4);

    // Every answer lost: the service is unavailable; nothing is "unknown".
    sb.add_fault(format!("POST {LOGIN}=drop").parse().unwrap());
    let e = ctx
        .vault_login("dev@eventzr.com", &Secret::new(PASSWORD), false)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{e:?}");
    assert!(
        e.message.starts_with("Logging in to the vault"),
        "{}",
        e.message
    );
    assert!(logged(&sb, "POST", LOGIN).len() > 5);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_refused_password_is_asked_once() {
    let sb = sandbox().await;
    let ctx = context(&sb);
    let e = ctx
        .vault_login("dev@eventzr.com", &Secret::new("not-the-password"), false)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert_eq!(logged(&sb, "POST", "/vault/auth/v1/login").len(), 1);
    sb.shutdown().await;
}
