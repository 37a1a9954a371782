//! The vault's assets (issue 5). Tokens and the password stay in Rust: login
//! takes the password UI → Rust and returns only the decoded identity. File
//! paths come from a Rust file dialog, or from the OS drag-and-drop event
//! (checked here: each must have been dropped on the window, as Rust saw
//! it, and be a regular readable file). Uploads run in the
//! background; `asset-upload` events carry each file's progress and end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portal_core::activity::Action;
use portal_core::assets::{
    permissions, Asset, AssetPage, AssetQuery, AssetUpdate, BulkDeleteSummary, Deleted, Folder,
    LegalHold, Quota, Transform, TransformKind, UploadProgress, UploadRequest, Vault,
    VaultIdentity,
};
use portal_core::{Error, ErrorCode, Result, Secret};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tokio_util::sync::CancellationToken;
use tracing::instrument;

use crate::dto::{
    AssetDetails, ShareView, UploadEvent, UploadStarted, UploadState, VaultSessionView,
};
use crate::state::AppCtx;

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

    fn add(&self, id: &str) -> CancellationToken {
        let token = CancellationToken::new();
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), token.clone());
        token
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
    let mut password = Secret::from(password);
    let pc = ctx.active_context().await?;
    if password.expose().is_empty() && pc.profile.embedded_sandbox {
        if let Some(stored) = pc.stored(portal_core::secrets::Item::SandboxVaultPassword)? {
            password = stored;
        }
    }
    let identity = pc.vault_login(&email, &password, remember).await?;
    Ok(session_view(identity))
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
    let pc = ctx.active_context().await?;
    pc.open_vault()?.list_assets(&query).await
}

/// The asset, its legal hold (with the reason) and its transforms.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn asset_details(ctx: State<'_, AppCtx>, id: String) -> Result<AssetDetails> {
    let pc = ctx.active_context().await?;
    let v = pc.open_vault()?;
    {
        let asset = v.get_asset(&id).await?;
        let legal_hold = if asset.legal_hold {
            v.legal_hold(&id).await.ok()
        } else {
            None
        };
        let transforms = v.list_transforms(&id).await?;
        Ok(AssetDetails {
            asset,
            legal_hold,
            transforms,
        })
    }
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn list_transforms(ctx: State<'_, AppCtx>, id: String) -> Result<Vec<Transform>> {
    let pc = ctx.active_context().await?;
    pc.open_vault()?.list_transforms(&id).await
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn request_transform(
    ctx: State<'_, AppCtx>,
    id: String,
    kind: TransformKind,
) -> Result<Transform> {
    let pc = ctx.active_context().await?;
    pc.open_vault()?.request_transform(&id, kind).await
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
    let pc = ctx.active_context().await?;
    let share = pc.open_vault()?.share(&id, expires_in_seconds).await?;
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
    let pc = ctx.active_context().await?;
    pc.open_vault()?.update_asset(&id, &update).await
}

/// Deletes one asset; refused before any delete request when it is under
/// legal hold (the refusal names the hold's reason).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn delete_asset(ctx: State<'_, AppCtx>, id: String) -> Result<Deleted> {
    let pc = ctx.active_context().await?;
    let deleted = pc.open_vault()?.delete_asset_by_id(&id).await?;
    ctx.record(
        &pc.profile.name,
        Action::AssetDelete,
        &id,
        &format!("Deleted asset {id}"),
    );
    Ok(deleted)
}

/// Deletes each asset; the ones left alone come back with the reason.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn delete_assets(ctx: State<'_, AppCtx>, ids: Vec<String>) -> Result<BulkDeleteSummary> {
    let pc = ctx.active_context().await?;
    let summary = pc.open_vault()?.delete_assets(&ids).await;
    for id in &summary.deleted {
        ctx.record(
            &pc.profile.name,
            Action::AssetDelete,
            id,
            &format!("Deleted asset {id} (bulk)"),
        );
    }
    Ok(summary)
}

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn list_folders(ctx: State<'_, AppCtx>) -> Result<Vec<Folder>> {
    let pc = ctx.active_context().await?;
    pc.open_vault()?.list_folders(None).await
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn create_folder(
    ctx: State<'_, AppCtx>,
    name: String,
    parent_id: Option<String>,
) -> Result<Folder> {
    let pc = ctx.active_context().await?;
    pc.open_vault()?
        .create_folder(&name, parent_id.as_deref())
        .await
}

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn vault_quota(ctx: State<'_, AppCtx>) -> Result<Quota> {
    let pc = ctx.active_context().await?;
    pc.open_vault()?.quota().await
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn set_legal_hold(
    ctx: State<'_, AppCtx>,
    id: String,
    reason: String,
) -> Result<LegalHold> {
    let pc = ctx.active_context().await?;
    let hold = pc.open_vault()?.set_legal_hold(&id, &reason).await?;
    ctx.record(
        &pc.profile.name,
        Action::LegalHoldSet,
        &id,
        &format!("Legal hold set on {id}: {}", reason.trim()),
    );
    Ok(hold)
}

#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn clear_legal_hold(ctx: State<'_, AppCtx>, id: String) -> Result<LegalHold> {
    let pc = ctx.active_context().await?;
    let hold = pc.open_vault()?.clear_legal_hold(&id).await?;
    ctx.record(
        &pc.profile.name,
        Action::LegalHoldClear,
        &id,
        &format!("Legal hold cleared on {id}"),
    );
    Ok(hold)
}

/// A path from the OS must be a regular file that can be opened for reading.
pub fn check_upload_path(path: &Path) -> Result<PathBuf> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| Error::validation(format!("Cannot read {}: {e}", path.display())))?;
    let meta = if meta.file_type().is_symlink() {
        std::fs::metadata(path)
            .map_err(|e| Error::validation(format!("Cannot read {}: {e}", path.display())))?
    } else {
        meta
    };
    if !meta.is_file() {
        return Err(Error::validation(format!(
            "{} is not a regular file.",
            path.display()
        )));
    }
    std::fs::File::open(path)
        .map_err(|e| Error::validation(format!("Cannot read {}: {e}", path.display())))?;
    Ok(path.to_path_buf())
}

/// Opens a Rust file dialog (several files) and uploads what was chosen.
/// An empty list: the dialog was closed.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn pick_and_upload<R: Runtime>(
    app: AppHandle<R>,
    folder_id: Option<String>,
) -> Result<Vec<UploadStarted>> {
    // Debug builds only: the real-window tests cannot drive the native file
    // dialog, so they name the files in PORTAL_E2E_PICK_FILES instead.
    #[cfg(debug_assertions)]
    if let Some(list) = std::env::var_os("PORTAL_E2E_PICK_FILES") {
        let paths = std::env::split_paths(&list)
            .map(|p| check_upload_path(&p))
            .collect::<Result<Vec<_>>>()?;
        return start_uploads(app, paths, folder_id).await;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().pick_files(move |chosen| {
        let _ = tx.send(chosen);
    });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(Vec::new());
    };
    let mut paths = Vec::new();
    for f in chosen {
        let p = f
            .into_path()
            .map_err(|e| Error::validation(format!("Cannot read that file: {e}")))?;
        paths.push(check_upload_path(&p)?);
    }
    start_uploads(app, paths, folder_id).await
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

fn emit<R: Runtime>(app: &AppHandle<R>, e: UploadEvent) {
    if let Err(err) = app.emit(ASSET_UPLOAD, e) {
        tracing::debug!("upload event not sent: {err}");
    }
}

/// Starts one background upload per file (all sharing one vault session);
/// answers at once with their ids.
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
    let mut started = Vec::new();
    let mut jobs = Vec::new();
    for path in paths {
        let upload_id = uuid::Uuid::new_v4().to_string();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let total = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let token = uploads.add(&upload_id);
        started.push(UploadStarted {
            upload_id: upload_id.clone(),
            name: name.clone(),
            total,
        });
        jobs.push((upload_id, name, path, token));
    }
    let bg = app.clone();
    tauri::async_runtime::spawn(async move {
        let ctx = bg.state::<AppCtx>();
        let pc = match ctx.active_context().await {
            Ok(pc) => pc,
            Err(e) => {
                for (id, name, _, _) in &jobs {
                    emit(&bg, failed(id, name, e.clone()));
                    bg.state::<Uploads>().remove(id);
                }
                return;
            }
        };
        let vault = match pc.open_vault() {
            Ok(v) => v,
            Err(e) => {
                for (id, name, _, _) in &jobs {
                    emit(&bg, failed(id, name, e.clone()));
                    bg.state::<Uploads>().remove(id);
                }
                return;
            }
        };
        let runs = jobs.iter().map(|(id, name, path, token)| {
            upload_one(&bg, &vault, id, name, path, folder_id.clone(), token)
        });
        futures_util::future::join_all(runs).await;
    });
    Ok(started)
}

fn failed(id: &str, name: &str, e: Error) -> UploadEvent {
    UploadEvent {
        upload_id: id.to_owned(),
        name: name.to_owned(),
        state: if e.code == ErrorCode::Cancelled {
            UploadState::Cancelled
        } else {
            UploadState::Failed
        },
        sent: 0,
        total: 0,
        asset: None,
        error: Some(e),
    }
}

async fn upload_one<R: Runtime>(
    app: &AppHandle<R>,
    vault: &Vault<'_>,
    id: &str,
    name: &str,
    path: &Path,
    folder_id: Option<String>,
    token: &CancellationToken,
) {
    let last = Arc::new(AtomicU64::new(u64::MAX));
    let progress = {
        let app = app.clone();
        let id = id.to_owned();
        let name = name.to_owned();
        let last = last.clone();
        Arc::new(move |p: UploadProgress| {
            // About 200 events per file at most, plus the first and the last.
            let step = (p.total / 200).max(1);
            let prev = last.load(Ordering::Relaxed);
            if prev == u64::MAX || p.sent < prev || p.sent - prev >= step || p.sent == p.total {
                last.store(p.sent, Ordering::Relaxed);
                emit(
                    &app,
                    UploadEvent {
                        upload_id: id.clone(),
                        name: name.clone(),
                        state: UploadState::Uploading,
                        sent: p.sent,
                        total: p.total,
                        asset: None,
                        error: None,
                    },
                );
            }
        })
    };
    let req = UploadRequest {
        path: path.to_path_buf(),
        folder_id,
        ..UploadRequest::default()
    };
    let result = vault.upload(&req, Some(progress), token).await;
    app.state::<Uploads>().remove(id);
    match result {
        Ok(asset) => {
            let total = asset.size.unwrap_or(0);
            emit(
                app,
                UploadEvent {
                    upload_id: id.to_owned(),
                    name: name.to_owned(),
                    state: UploadState::Done,
                    sent: total,
                    total,
                    asset: Some(asset),
                    error: None,
                },
            );
        }
        Err(e) => emit(app, failed(id, name, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_readable_files_are_uploaded() {
        let dir = std::env::temp_dir().join(format!("portal-upload-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("a.mp4");
        std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
        assert!(check_upload_path(&file).is_ok());
        assert_eq!(
            check_upload_path(&dir).map_err(|e| e.code).err(),
            Some(ErrorCode::Validation)
        );
        assert!(check_upload_path(&dir.join("missing.mp4")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

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
        let token = uploads.add("u1");
        assert!(uploads.cancel("u1"));
        assert!(token.is_cancelled());
        uploads.remove("u1");
        assert!(!uploads.cancel("u1"));
    }
}

#[cfg(test)]
#[path = "assets_flow.rs"]
mod flow;
