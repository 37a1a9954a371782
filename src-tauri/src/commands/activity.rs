use portal_core::activity::{to_csv, ActivityReport};
use portal_core::{Error, Result};
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
    if !matches!(format.as_str(), "json" | "csv") {
        return Err(Error::validation(format!(
            "Unknown export format '{format}': use json or csv."
        )));
    }
    let file_name = format!("partner-portal-activity.{format}");
    let Some(path) = ask_save_path(&handle, &file_name, &format.to_uppercase(), &format).await?
    else {
        return Ok(None);
    };
    let mut entries = app.read_activity()?.entries;
    if let Some(p) = &profile {
        entries.retain(|e| &e.profile == p);
    }
    let text = match format.as_str() {
        "json" => {
            serde_json::to_string_pretty(&entries).map_err(|e| Error::internal(e.to_string()))?
        }
        "csv" => to_csv(&entries),
        _ => to_csv(&entries),
    };
    std::fs::write(&path, text)?;
    Ok(Some(entries.len() as u32))
}
