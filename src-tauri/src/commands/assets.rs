//! The vault's assets (issue 5): adapters of `portal_core::ops::assets`,
//! which records every write. Tokens and the password stay in Rust: login
//! takes the password UI → Rust and returns only the decoded identity. File
//! paths come from a Rust file dialog, or from the OS drag-and-drop event
//! (checked here: each must have been dropped on the window, as Rust saw
//! it, and be a regular readable file). Uploads run in the background on
//! core's engine; `asset-upload` events carry each file's progress and end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portal_core::context::ProfileContext;
use portal_core::ops::assets::uploads::{
    self, check_upload_path, EventSink, UploadEvent, UploadJob, UploadStarted, UploadState,
};
use portal_core::ops::assets::{self as ops, AssetDetails, Cx};
use portal_core::vault::{
    permissions, Asset, AssetPage, AssetQuery, AssetUpdate, BulkDeleteSummary, Deleted, Folder,
    LegalHold, Quota, Transform, TransformKind, Vault, VaultIdentity,
};
use portal_core::{Error, Result, Secret};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tokio_util::sync::CancellationToken;
use tracing::instrument;

use crate::dto::{ShareView, VaultSessionView};
use crate::save_dialog::{answer, path_of};
use crate::state::{logged, AppCtx};

/// The event that carries [`UploadEvent`]s.
pub const ASSET_UPLOAD: &str = "asset-upload";

/// How long a dropped file may wait for `upload_dropped`.
const DROP_TTL: Duration = Duration::from_secs(120);

/// The cancellation token of every upload under way, by upload id, and the
/// paths the OS dropped on the window lately (seen here, in Rust, so the
/// webview can only upload files the user actually dropped).
#[derive(Default)]
pub struct Uploads {
    running: Mutex<HashMap<String, CancellationToken>>,
    dropped: Mutex<Vec<(PathBuf, Instant)>>,
}

impl Uploads {
    /// Called from the window's drag-drop event.
    pub fn remember_drop(&self, paths: &[PathBuf]) {
        let now = Instant::now();
        let mut dropped = self.dropped.lock().unwrap_or_else(|p| p.into_inner());
        dropped.retain(|(_, at)| now.duration_since(*at) < DROP_TTL);
        dropped.extend(paths.iter().map(|p| (p.clone(), now)));
    }

    /// Takes `path` if the OS dropped it lately (each drop is used once).
    fn take_dropped(&self, path: &Path) -> bool {
        let now = Instant::now();
        let mut dropped = self.dropped.lock().unwrap_or_else(|p| p.into_inner());
        dropped.retain(|(_, at)| now.duration_since(*at) < DROP_TTL);
        match dropped.iter().position(|(p, _)| p == path) {
            Some(i) => {
                dropped.remove(i);
                true
            }
            None => false,
        }
    }

    /// Whether an upload runs (an update waits for it).
    pub fn busy(&self) -> bool {
        !self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }

    fn add(&self, id: &str, token: CancellationToken) {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), token);
    }

    fn remove(&self, id: &str) {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Flips the upload's token; false when it is not (or no longer) running.
    pub fn cancel(&self, id: &str) -> bool {
        match self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
        {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }
}

fn session_view(identity: VaultIdentity) -> VaultSessionView {
    VaultSessionView {
        permissions: permissions(identity.role),
        identity,
    }
}

fn cx<'a>(ctx: &'a AppCtx, pc: &'a ProfileContext, vault: &'a Vault<'a>) -> Cx<'a> {
    Cx {
        pc,
        vault,
        recorder: ctx,
    }
}

/// Runs `f` with the active profile's vault (a use case of `ops::assets`).
macro_rules! with_vault {
    ($ctx:expr, |$cx:ident| $body:expr) => {{
        let pc = $ctx.active_context().await?;
        let vault = pc.open_vault()?;
        let $cx = cx(&$ctx, &pc, &vault);
        $body
    }};
}

/// Who is logged in to the vault (from the stored token's claims), or null.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn vault_session(ctx: State<'_, AppCtx>) -> Result<Option<VaultSessionView>> {
    let pc = ctx.active_context().await?;
    Ok(pc
        .vault_session()?
        .map(|s| session_view(VaultIdentity::of(&s.claims))))
}

/// Logs in; the tokens stay in the secret store, the password is kept only
/// when `remember`. In the embedded sandbox an empty password means the
/// one the app gave its Vault users (random, in the secret store), so the
/// user can sign in again as any of them without ever seeing it.
#[tauri::command]
#[instrument(skip(ctx, password), err)]
pub async fn vault_login(
    ctx: State<'_, AppCtx>,
    email: String,
    password: String,
    remember: bool,
) -> Result<VaultSessionView> {
    // Wrapped first, so it is zeroized even when the context fails.
    let password = Secret::from(password);
    let pc = ctx.active_context().await?;
    Ok(session_view(
        ops::login(&pc, &email, password, remember).await?,
    ))
}

/// Forgets the access and refresh tokens and a remembered password.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn vault_logout(ctx: State<'_, AppCtx>) -> Result<()> {
    ctx.active_context().await?.vault_logout()
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn list_assets(ctx: State<'_, AppCtx>, query: AssetQuery) -> Result<AssetPage> {
    with_vault!(ctx, |cx| ops::page(cx, &query).await)
}

/// The asset, its legal hold (with the reason) and its transforms.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn asset_details(ctx: State<'_, AppCtx>, id: String) -> Result<AssetDetails> {
    with_vault!(ctx, |cx| ops::details(cx, &id).await)
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn list_transforms(ctx: State<'_, AppCtx>, id: String) -> Result<Vec<Transform>> {
    with_vault!(ctx, |cx| ops::transforms(cx, &id).await)
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn request_transform(
    ctx: State<'_, AppCtx>,
    id: String,
    kind: TransformKind,
) -> Result<Transform> {
    with_vault!(ctx, |cx| ops::request_transform(cx, &id, kind)
        .await
        .map(logged))
}

/// A share link (what the user copies; it expires). Held for `copy_held`
/// (part `url`), which copies it from Rust and clears the clipboard later.
#[tauri::command]
#[instrument(skip(app, ctx, copies), err)]
pub async fn share_asset<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    copies: State<'_, crate::copies::Copies>,
    id: String,
    expires_in_seconds: Option<u32>,
) -> Result<ShareView> {
    let share = with_vault!(ctx, |cx| ops::share(cx, &id, expires_in_seconds).await)?;
    let share = logged(share);
    let copy_id = copies.hold(&app, vec![("url", Secret::new(share.url.as_str()))]);
    Ok(ShareView { share, copy_id })
}

/// Rename, move and/or retag.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn update_asset(
    ctx: State<'_, AppCtx>,
    id: String,
    update: AssetUpdate,
) -> Result<Asset> {
    with_vault!(ctx, |cx| ops::update(cx, &id, &update).await.map(logged))
}

/// Deletes one asset; refused before any delete request when it is under
/// legal hold (the refusal names the hold's reason).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn delete_asset(ctx: State<'_, AppCtx>, id: String) -> Result<Deleted> {
    with_vault!(ctx, |cx| ops::delete(cx, &id).await.map(|o| logged(o).1))
}

/// Deletes each asset; the ones left alone come back with the reason.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn delete_assets(ctx: State<'_, AppCtx>, ids: Vec<String>) -> Result<BulkDeleteSummary> {
    with_vault!(ctx, |cx| Ok(logged(ops::delete_many(cx, &ids).await)))
}

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn list_folders(ctx: State<'_, AppCtx>) -> Result<Vec<Folder>> {
    with_vault!(ctx, |cx| ops::folders(cx, None).await)
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn create_folder(
    ctx: State<'_, AppCtx>,
    name: String,
    parent_id: Option<String>,
) -> Result<Folder> {
    let parent = parent_id.as_deref();
    with_vault!(ctx, |cx| ops::create_folder(cx, &name, parent)
        .await
        .map(logged))
}

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn vault_quota(ctx: State<'_, AppCtx>) -> Result<Quota> {
    with_vault!(ctx, |cx| ops::quota(cx).await)
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn set_legal_hold(
    ctx: State<'_, AppCtx>,
    id: String,
    reason: String,
) -> Result<LegalHold> {
    with_vault!(ctx, |cx| ops::set_legal_hold(cx, &id, &reason)
        .await
        .map(logged))
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn clear_legal_hold(ctx: State<'_, AppCtx>, id: String) -> Result<LegalHold> {
    with_vault!(ctx, |cx| ops::clear_legal_hold(cx, &id, None)
        .await
        .map(logged))
}

/// Opens a Rust file dialog (several files) and uploads what was chosen.
/// An empty list: the dialog was closed.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn pick_and_upload<R: Runtime>(
    app: AppHandle<R>,
    folder_id: Option<String>,
) -> Result<Vec<UploadStarted>> {
    match picked_files(&app).await? {
        Some(paths) => start_uploads(app, paths, folder_id).await,
        None => Ok(Vec::new()),
    }
}

/// The files chosen in the native dialog (each checked), or `None` when it
/// was closed.
async fn picked_files<R: Runtime>(app: &AppHandle<R>) -> Result<Option<Vec<PathBuf>>> {
    // Debug builds only: the real-window tests cannot drive the native file
    // dialog, so they name the files in PORTAL_E2E_PICK_FILES instead.
    #[cfg(debug_assertions)]
    if let Some(list) = std::env::var_os("PORTAL_E2E_PICK_FILES") {
        let paths = std::env::split_paths(&list).map(|p| check_upload_path(&p));
        return paths.collect::<Result<Vec<_>>>().map(Some);
    }
    let dialog = app.dialog().file();
    let Some(chosen) = answer(|reply| dialog.pick_files(reply)).await else {
        return Ok(None);
    };
    let checked = chosen
        .into_iter()
        .map(|f| check_upload_path(&path_of(f, "read that file")?));
    checked.collect::<Result<_>>().map(Some)
}

/// Uploads files dropped on the window (paths from Tauri's drag-drop event).
#[tauri::command]
#[instrument(skip(app, uploads, paths), err)]
pub async fn upload_dropped<R: Runtime>(
    app: AppHandle<R>,
    uploads: State<'_, Uploads>,
    paths: Vec<String>,
    folder_id: Option<String>,
) -> Result<Vec<UploadStarted>> {
    if paths.is_empty() {
        return Err(Error::validation("Nothing was dropped."));
    }
    let checked = checked_drops(&uploads, &paths)?;
    start_uploads(app, checked, folder_id).await
}

/// Each path must have been dropped on the window (seen by Rust) and be a
/// regular readable file.
fn checked_drops(uploads: &Uploads, paths: &[String]) -> Result<Vec<PathBuf>> {
    paths
        .iter()
        .map(|p| {
            let path = Path::new(p);
            if !uploads.take_dropped(path) {
                return Err(Error::validation(format!(
                    "{p} was not dropped on the window: use Upload… to choose files."
                )));
            }
            check_upload_path(path)
        })
        .collect()
}

/// Stops an upload under way (`cancelled` event).
#[tauri::command]
#[instrument(skip(uploads))]
pub fn cancel_upload(uploads: State<'_, Uploads>, upload_id: String) -> bool {
    uploads.cancel(&upload_id)
}

/// Emits each event on `asset-upload`; a job that ended leaves [`Uploads`].
fn event_sink<R: Runtime>(app: &AppHandle<R>) -> EventSink {
    let app = app.clone();
    Arc::new(move |e: UploadEvent| {
        if e.state != UploadState::Uploading {
            app.state::<Uploads>().remove(&e.upload_id);
        }
        if let Err(err) = app.emit(ASSET_UPLOAD, e) {
            tracing::debug!("upload event not sent: {err}");
        }
    })
}

/// Starts one background upload per file (all sharing one vault session,
/// core's engine); answers at once with their ids.
pub async fn start_uploads<R: Runtime>(
    app: AppHandle<R>,
    paths: Vec<PathBuf>,
    folder_id: Option<String>,
) -> Result<Vec<UploadStarted>> {
    // Fail now (not logged in, locked store) rather than in every row.
    {
        let ctx = app.state::<AppCtx>();
        ctx.active_context().await?.open_vault()?;
    }
    let uploads = app.state::<Uploads>();
    let jobs: Vec<UploadJob> = paths.into_iter().map(UploadJob::new).collect();
    for job in &jobs {
        uploads.add(&job.started.upload_id, job.cancel.clone());
    }
    let started = jobs.iter().map(|j| j.started.clone()).collect();
    let sink = event_sink(&app);
    tauri::async_runtime::spawn(async move {
        let ctx = app.state::<AppCtx>();
        let pc = match ctx.active_context().await {
            Ok(pc) => pc,
            Err(e) => return uploads::fail_all(&jobs, &e, &sink),
        };
        match pc.open_vault() {
            Ok(vault) => uploads::run(cx(&ctx, &pc, &vault), &jobs, folder_id, sink).await,
            Err(e) => uploads::fail_all(&jobs, &e, &sink),
        }
    });
    Ok(started)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_dropped_on_the_window_are_taken() {
        let dir = std::env::temp_dir().join(format!("portal-drop-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("b.mp4");
        std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
        let uploads = Uploads::default();
        let path = file.to_string_lossy().into_owned();
        assert!(checked_drops(&uploads, std::slice::from_ref(&path)).is_err());
        uploads.remember_drop(std::slice::from_ref(&file));
        assert_eq!(
            checked_drops(&uploads, std::slice::from_ref(&path)).ok(),
            Some(vec![file.clone()])
        );
        // Used once.
        assert!(checked_drops(&uploads, &[path]).is_err());
        // A dropped folder is still refused.
        uploads.remember_drop(std::slice::from_ref(&dir));
        assert!(checked_drops(&uploads, &[dir.to_string_lossy().into_owned()]).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn cancel_flips_only_a_running_upload() {
        let uploads = Uploads::default();
        let token = CancellationToken::new();
        uploads.add("u1", token.clone());
        assert!(uploads.cancel("u1"));
        assert!(token.is_cancelled());
        uploads.remove("u1");
        assert!(!uploads.cancel("u1"));
    }
}

#[cfg(test)]
#[path = "assets_flow.rs"]
mod flow;
