//! The token commands end to end against the embedded sandbox, with a
//! memory secret store and a throwaway settings file: each change leaves the
//! activity entry `portal_core::ops::tokens` records (the CLI leaves the
//! same ones: `portal-cli/tests/it/cli.rs`).
#![allow(clippy::unwrap_used)]

use portal_core::activity::Action;
use tauri::Manager;

use super::*;
use crate::test_support::sandbox_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_token_change_is_recorded_once_by_its_use_case() {
    let (app, dir) = sandbox_app("pp-tokens-flow").await;
    app.manage(Reveals::default());
    let handle = app.handle().clone();
    let recorded = |from: usize| -> Vec<(Action, String, String)> {
        let entries = app.state::<AppCtx>().read_activity().unwrap().entries;
        entries[from..]
            .iter()
            .map(|e| (e.action, e.target.clone(), e.summary.clone()))
            .collect()
    };
    let start = app.state::<AppCtx>().read_activity().unwrap().entries.len();

    let input = NewTokenInput {
        name: "Flow".into(),
        scopes: vec!["content:read".into()],
        expires_at: None,
    };
    let created = create_token(handle.clone(), app.state(), app.state(), input)
        .await
        .unwrap();
    let old = created.token.id.clone();
    save_revealed_token(app.state(), app.state(), created.reveal_id.clone()).unwrap();
    let rotated = rotate_token(handle.clone(), app.state(), app.state(), old.clone())
        .await
        .unwrap();
    let new = rotated.token.id.clone();
    finish_rotation(app.state(), old.clone(), new.clone(), 0)
        .await
        .unwrap();
    revoke_token(app.state(), new.clone()).await.unwrap();

    assert_eq!(
        recorded(start),
        [
            (
                Action::TokenCreate,
                old.clone(),
                "Created token 'Flow' (content:read), never expires".into()
            ),
            (
                Action::TokenRotate,
                new.clone(),
                format!("Rotated 'Flow': new token {new} replaces {old}")
            ),
            (
                Action::TokenRevoke,
                old.clone(),
                format!("Revoked token {old} (rotated)")
            ),
            (
                Action::TokenRevoke,
                new.clone(),
                format!("Revoked token {new}")
            ),
        ]
    );
    // The saved copy of the rotated-out token went with it.
    let pc = app.state::<AppCtx>().active_context().await.unwrap();
    assert!(pc
        .stored(portal_core::secrets::Item::SavedToken(old))
        .unwrap()
        .is_none());
    assert!(saved_tokens(app.state()).await.unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
