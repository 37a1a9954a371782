//! The expiry calendar export (issue 15 §5): an adapter of
//! `portal_core::ops::calendar`. The native save dialog is opened from Rust,
//! so the webview never chooses a path.

use portal_core::ops::calendar;
use portal_core::Result;
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use crate::save_dialog::ask_save_path;
use crate::state::AppCtx;

/// Asks where to save, then writes the active profile's token expiries and
/// rotation reminders as an .ics file; the number of events, or `None`
/// when the user cancelled.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn export_calendar<R: Runtime>(
    handle: AppHandle<R>,
    ctx: State<'_, AppCtx>,
) -> Result<Option<u32>> {
    let pc = ctx.active_context().await?;
    let ics = calendar::ics(&pc, ctx.settings.as_ref()).await?;
    let Some(path) = ask_save_path(&handle, "partner-portal.ics", "iCalendar", "ics").await? else {
        return Ok(None);
    };
    std::fs::write(&path, ics.text)?;
    Ok(Some(ics.events as u32))
}
