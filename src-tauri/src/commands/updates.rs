//! Settings → Updates (issue 17 §2): adapters of `crate::updates`.

use portal_core::Result;
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use crate::commands::assets::Uploads;
use crate::reveal::Reveals;
use crate::state::AppCtx;
use crate::updates::{UpdateSettings, UpdateStatus, Updates};

/// Whether the launch check is on, when the last check ran, what it found.
#[tauri::command]
#[instrument(skip_all)]
pub fn update_settings(ctx: State<'_, AppCtx>, updates: State<'_, Updates>) -> UpdateSettings {
    updates.settings(ctx.settings.as_ref())
}

/// Switches the launch check on or off.
#[tauri::command]
#[instrument(skip(ctx, updates), err)]
pub fn set_update_checks(
    ctx: State<'_, AppCtx>,
    updates: State<'_, Updates>,
    enabled: bool,
) -> Result<UpdateSettings> {
    updates.set_enabled(ctx.settings.as_ref(), enabled)
}

/// *Check now*: asks the update feed.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn check_for_update<R: Runtime>(
    handle: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    updates: State<'_, Updates>,
) -> Result<UpdateStatus> {
    updates.check(&handle, ctx.settings.as_ref()).await
}

/// Downloads, verifies and installs the update found, then restarts the
/// app; refused while a one-time reveal is open or an upload runs.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn install_update<R: Runtime>(
    handle: AppHandle<R>,
    updates: State<'_, Updates>,
    reveals: State<'_, Reveals>,
    uploads: State<'_, Uploads>,
) -> Result<String> {
    let busy = if !reveals.is_empty() {
        Some("the one-time reveal is closed")
    } else if uploads.busy() {
        Some("the upload finishes")
    } else {
        None
    };
    let version = updates.install(busy).await?;
    tracing::info!(%version, "update installed; restarting");
    handle.restart()
}
