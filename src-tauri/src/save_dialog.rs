//! The native save and open dialogs, opened from Rust so that the webview
//! never chooses a path.

use std::path::PathBuf;

use portal_core::{Error, Result};
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Asks where to save `file_name` (filtered to `extension`); `None` when the
/// user cancelled.
pub async fn ask_save_path<R: Runtime>(
    handle: &AppHandle<R>,
    file_name: &str,
    filter: &str,
    extension: &str,
) -> Result<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    handle
        .dialog()
        .file()
        .set_file_name(file_name)
        .add_filter(filter, &[extension])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    chosen
        .into_path()
        .map(Some)
        .map_err(|e| Error::validation(format!("Cannot save there: {e}")))
}

/// Asks for an existing file (titled `title`, filtered to `extensions`): its
/// path as text; `None` when the user cancelled.
pub async fn ask_open_path<R: Runtime>(
    handle: &AppHandle<R>,
    title: &str,
    filter: &str,
    extensions: &[&str],
) -> Result<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    handle
        .dialog()
        .file()
        .set_title(title)
        .add_filter(filter, extensions)
        .pick_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = chosen
        .into_path()
        .map_err(|e| Error::validation(format!("Cannot use that file: {e}")))?;
    Ok(Some(path.to_string_lossy().into_owned()))
}
