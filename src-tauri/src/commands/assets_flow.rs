//! The asset commands end to end against the embedded sandbox, with a memory
//! secret store and a throwaway settings file: session → list → legal hold
//! refusal → bulk summary → delete → upload with progress events and cancel
//! → logout → login as an organizer.
#![allow(clippy::unwrap_used)]

use std::sync::Mutex as StdMutex;

use portal_core::activity::Action;
use portal_core::vault::{AssetAction, NewAsset, Role};
use portal_core::ErrorCode;
use tauri::{Listener, Manager};

use super::*;
use crate::test_support::{assert_refused, sandbox_app};

const ORGANIZER: &str = "organizer@eventzr.com";

fn actions_on(ctx: &AppCtx, target: &str) -> Vec<Action> {
    ctx.read_activity()
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| e.target == target)
        .map(|e| e.action)
        .collect()
}

async fn new_asset(ctx: &AppCtx, name: &str) -> Asset {
    let pc = ctx.active_context().await.unwrap();
    let vault = pc.open_vault().unwrap();
    vault
        .create_asset(&NewAsset {
            name: name.into(),
            content_type: Some("video/mp4".into()),
            ..NewAsset::default()
        })
        .await
        .unwrap()
}

/// Waits for the upload's last event (done, failed or cancelled).
async fn last_event(events: &Arc<StdMutex<Vec<UploadEvent>>>, id: &str) -> UploadEvent {
    for _ in 0..400 {
        if let Some(e) = events
            .lock()
            .unwrap()
            .iter()
            .find(|e| e.upload_id == id && e.state != UploadState::Uploading)
        {
            return e.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no final event for upload {id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_from_session_to_upload_delete_and_logout() {
    let (app, dir) = sandbox_app("pp-assets-flow").await;
    app.manage(Uploads::default());
    let ctx = app.state::<AppCtx>();

    // The sandbox profile is logged in as its admin: identity, no token.
    let session = vault_session(app.state()).await.unwrap().unwrap();
    assert_eq!(session.identity.role, Role::Admin);
    assert!(session.permissions.iter().all(|p| p.allowed));
    let json = serde_json::to_string(&session).unwrap();
    assert!(!json.contains("eyJ"), "a token crossed: {json}");

    let page = list_assets(app.state(), AssetQuery::page(1, 5))
        .await
        .unwrap();
    assert!(page.items.len() <= 5);
    assert!(page.page.total >= page.items.len() as u64);

    // Held: refused with the reason, nothing deleted, nothing recorded.
    let held = new_asset(&ctx, "Flow evidence.mp4").await;
    let free = new_asset(&ctx, "Flow free.mp4").await;
    set_legal_hold(app.state(), held.id.clone(), "Litigation 42".into())
        .await
        .unwrap();
    let details = asset_details(app.state(), held.id.clone()).await.unwrap();
    assert!(details.asset.legal_hold);
    assert_eq!(
        details.legal_hold.and_then(|h| h.reason).as_deref(),
        Some("Litigation 42")
    );
    let refused = delete_asset(app.state(), held.id.clone())
        .await
        .unwrap_err();
    assert_refused(&refused, ErrorCode::Conflict, "Litigation 42");

    // Bulk: the free one goes, the held one is skipped with the reason.
    let summary = delete_assets(app.state(), vec![free.id.clone(), held.id.clone()])
        .await
        .unwrap();
    assert_eq!(summary.deleted, std::slice::from_ref(&free.id));
    assert_eq!(summary.skipped.len(), 1);
    assert_eq!(summary.skipped[0].id, held.id);
    assert!(summary.skipped[0].reason.contains("legal hold"));

    clear_legal_hold(app.state(), held.id.clone())
        .await
        .unwrap();
    delete_asset(app.state(), held.id.clone()).await.unwrap();
    assert_eq!(
        actions_on(&ctx, &held.id),
        [
            Action::LegalHoldSet,
            Action::LegalHoldClear,
            Action::AssetDelete
        ]
    );
    assert_eq!(actions_on(&ctx, &free.id), [Action::AssetDelete]);

    // Upload a dropped file: progress events, then done with the asset.
    let events = Arc::new(StdMutex::new(Vec::<UploadEvent>::new()));
    let sink = events.clone();
    app.listen(ASSET_UPLOAD, move |e| {
        let v: serde_json::Value = serde_json::from_str(e.payload()).unwrap();
        sink.lock().unwrap().push(UploadEvent {
            upload_id: v["uploadId"].as_str().unwrap().into(),
            name: v["name"].as_str().unwrap().into(),
            state: match v["state"].as_str() {
                Some("uploading") => UploadState::Uploading,
                Some("done") => UploadState::Done,
                Some("cancelled") => UploadState::Cancelled,
                _ => UploadState::Failed,
            },
            sent: v["sent"].as_u64().unwrap(),
            total: v["total"].as_u64().unwrap(),
            asset: None,
            error: None,
        });
    });
    let file = dir.join("clip.mp4");
    std::fs::write(&file, vec![7u8; 300 * 1024]).unwrap();
    let started = start_uploads(app.handle().clone(), vec![file.clone()], None)
        .await
        .unwrap();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].total, 300 * 1024);
    let done = last_event(&events, &started[0].upload_id).await;
    assert_eq!(done.state, UploadState::Done);
    assert_eq!(done.sent, 300 * 1024);
    assert!(events
        .lock()
        .unwrap()
        .iter()
        .any(|e| e.state == UploadState::Uploading && e.sent > 0 && e.sent < e.total));

    // Cancelled before it starts: a cancelled event, no asset.
    let started = start_uploads(app.handle().clone(), vec![file.clone()], None)
        .await
        .unwrap();
    app.state::<Uploads>().cancel(&started[0].upload_id);
    let end = last_event(&events, &started[0].upload_id).await;
    assert_eq!(end.state, UploadState::Cancelled);
    assert!(!app.state::<Uploads>().cancel(&started[0].upload_id));

    // A folder is not a file.
    assert_eq!(
        check_upload_path(&dir).unwrap_err().code,
        ErrorCode::Validation
    );

    // Logout forgets the session; calls then ask to log in.
    vault_logout(app.state()).await.unwrap();
    assert!(vault_session(app.state()).await.unwrap().is_none());
    let e = list_assets(app.state(), AssetQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NoCredentials);

    // The embedded vault's users have a random password, kept in the
    // secret store, not the documented public one.
    let password = ctx
        .secrets()
        .unwrap()
        .get(&portal_core::secrets::EntryName::new(
            crate::commands::profiles::SANDBOX_PROFILE,
            portal_core::secrets::Item::SandboxVaultPassword,
        ))
        .unwrap()
        .expect("the sandbox's Vault password is in the secret store");
    let organizer_login =
        |password: String| vault_login(app.state(), ORGANIZER.into(), password, false);
    let documented = organizer_login("Password123!".into()).await.unwrap_err();
    assert_eq!(documented.code, ErrorCode::Unauthorized);

    // An organizer may create but not delete.
    let organizer = organizer_login(password.expose().to_owned()).await.unwrap();
    assert_eq!(organizer.identity.role, Role::Organizer);
    let may = |a: AssetAction| {
        organizer
            .permissions
            .iter()
            .find(|p| p.action == a)
            .unwrap()
            .allowed
    };
    assert!(may(AssetAction::Create) && !may(AssetAction::Delete));

    // An empty password in the embedded sandbox: the one the app keeps.
    let developer = vault_login(app.state(), "dev@eventzr.com".into(), String::new(), false)
        .await
        .unwrap();
    assert_eq!(developer.identity.role, Role::User);
    let bad = organizer_login("wrong".into()).await.unwrap_err();
    assert_eq!(bad.code, ErrorCode::Unauthorized);
    let _ = std::fs::remove_dir_all(&dir);
}
