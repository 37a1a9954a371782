//! The Leak check page (issue 15 §1): adapters of `portal_core::ops::scan`.
//! What stays here is UI mechanics: the native folder dialog, the one sweep
//! under way (`Sweeps`, which `cancel_scan` stops) and its `scan-progress`
//! events. No value crosses to the UI: findings carry masked forms only.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use portal_core::ops::scan::{self as ops, Sources};
use portal_core::scan::walk::Progress;
use portal_core::scan::ScanReport;
use portal_core::{Error, ErrorCode, Result};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tracing::instrument;
use ts_rs::TS;

use crate::running::Running;
use crate::save_dialog::{answer, path_of, text_of};
use crate::state::AppCtx;

/// The event that carries [`ScanProgress`] while a sweep runs.
pub const SCAN_PROGRESS: &str = "scan-progress";

/// How far a sweep has got.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScanProgress {
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// The sweep under way (one at a time), for Cancel.
pub type Sweeps = Running<Progress>;

/// Asks for a folder to sweep (the native dialog); `None` when cancelled.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn pick_scan_folder<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>> {
    let picker = app.dialog().file().set_title("Folder to check for leaks");
    match answer(|reply| picker.pick_folder(reply)).await {
        Some(chosen) => Ok(Some(text_of(&path_of(chosen, "use that folder")?))),
        None => Ok(None),
    }
}

/// Sweeps `root` (and, with `history`, every commit of its repository),
/// reporting `scan-progress` about five times a second.
#[tauri::command]
#[instrument(skip(app, ctx, sweeps), err)]
pub async fn scan_folder<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    sweeps: State<'_, Sweeps>,
    root: String,
    history: bool,
) -> Result<ScanReport> {
    let progress = Arc::new(Progress::default());
    let swept = sweep(&app, &ctx, &progress, PathBuf::from(root), history);
    let busy = "A leak check is already running.";
    sweeps.run(progress.clone(), busy, swept).await
}

async fn sweep<R: Runtime>(
    app: &AppHandle<R>,
    ctx: &AppCtx,
    progress: &Arc<Progress>,
    root: PathBuf,
    history: bool,
) -> Result<ScanReport> {
    let active = ctx.active_context().await.ok();
    let secrets = ctx.secrets();
    let src = Sources {
        settings: ctx.settings.as_ref(),
        secrets: secrets.as_deref().map_err(Clone::clone),
        active: active.as_ref(),
    };
    let prepared = ops::prepare(&src)?;
    let work = {
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || ops::sweep_folder(&prepared, &root, history, &progress))
    };
    tokio::pin!(work);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut report = loop {
        tokio::select! {
            done = &mut work => {
                break done.map_err(|e| Error::new(ErrorCode::Internal, format!("The leak check stopped: {e}")))??;
            }
            _ = tick.tick() => {
                let _ = app.emit(SCAN_PROGRESS, ScanProgress {
                    files: progress.files.load(Ordering::Relaxed),
                    bytes: progress.bytes.load(Ordering::Relaxed),
                });
            }
        }
    };
    ops::finish(&src, &mut report, false).await;
    Ok(report)
}

/// Stops the sweep under way; it answers with what it found until then.
#[tauri::command]
#[instrument(skip_all)]
pub fn cancel_scan(sweeps: State<'_, Sweeps>) {
    sweeps.with_current(|p| p.cancel());
}
