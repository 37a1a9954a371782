//! Activity log commands: adapters of `portal_core::ops::activity`.

use portal_core::activity::ActivityReport;
use portal_core::ops::activity::{self, ExportFormat};
use portal_core::Result;
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use crate::save_dialog::ask_save_path;
use crate::state::AppCtx;

/// The whole log (every profile; the page filters), with its chain verdict
/// (keyed or not, broken at a line, or truncated).
#[tauri::command]
#[instrument(skip_all, err)]
pub fn activity_log(app: State<'_, AppCtx>) -> Result<ActivityReport> {
    app.read_activity()
}

/// Asks where to save (the native dialog, opened from Rust so the webview
/// never chooses a path), then writes the entries of `profile` (all when
/// null) as `json` or `csv`. `None` when the user cancelled.
#[tauri::command]
#[instrument(skip(handle, app), err)]
pub async fn export_activity<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, AppCtx>,
    format: String,
    profile: Option<String>,
) -> Result<Option<u32>> {
    let format: ExportFormat = format.parse()?;
    let name = format!("partner-portal-activity.{format}");
    let filter = format.extension().to_uppercase();
    let Some(path) = ask_save_path(&handle, &name, &filter, format.extension()).await? else {
        return Ok(None);
    };
    let keys = app.activity_keys();
    let export = activity::export(&app.activity, keys.as_deref(), profile.as_deref(), format)?;
    std::fs::write(&path, export.text)?;
    Ok(Some(export.count as u32))
}
