//! The native save and open dialogs, opened from Rust so that the webview
//! never chooses a path.

use std::path::{Path, PathBuf};

use portal_core::{Error, Result};
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, FilePath};

/// Asks where to save `file_name` (filtered to `extension`); `None` when the
/// user cancelled.
pub async fn ask_save_path<R: Runtime>(
    handle: &AppHandle<R>,
    file_name: &str,
    filter: &str,
    extension: &str,
) -> Result<Option<PathBuf>> {
    let dialog = handle.dialog().file();
    let dialog = dialog
        .set_file_name(file_name)
        .add_filter(filter, &[extension]);
    match answer(|reply| dialog.save_file(reply)).await {
        Some(chosen) => path_of(chosen, "save there").map(Some),
        None => Ok(None),
    }
}

/// Asks for an existing file (titled `title`, filtered to `extensions`): its
/// path as text; `None` when the user cancelled.
pub async fn ask_open_path<R: Runtime>(
    handle: &AppHandle<R>,
    title: &str,
    filter: &str,
    extensions: &[&str],
) -> Result<Option<String>> {
    let dialog = handle.dialog().file();
    let dialog = dialog.set_title(title).add_filter(filter, extensions);
    match answer(|reply| dialog.pick_file(reply)).await {
        Some(chosen) => Ok(Some(text_of(&path_of(chosen, "use that file")?))),
        None => Ok(None),
    }
}

/// Opens a native dialog with `open`, which hands the callback it is given
/// to the dialog, and waits for the user's answer (`None`: cancelled).
pub async fn answer<T: Send + 'static>(
    open: impl FnOnce(Box<dyn FnOnce(Option<T>) + Send>),
) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    open(Box::new(move |chosen| {
        let _ = tx.send(chosen);
    }));
    rx.await.ok().flatten()
}

/// A chosen file's path; one the app cannot use (not a local path) is
/// refused: "Cannot `what`: …".
pub fn path_of(chosen: FilePath, what: &str) -> Result<PathBuf> {
    chosen
        .into_path()
        .map_err(|e| Error::validation(format!("Cannot {what}: {e}")))
}

/// A path as the text the UI shows.
pub fn text_of(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test]
    async fn answer_is_what_the_dialog_hands_back_or_none() {
        assert_eq!(answer(|reply| reply(Some(7))).await, Some(7));
        assert_eq!(answer::<u8>(|reply| reply(None)).await, None);
        // A dialog that drops its callback unanswered counts as cancelled.
        assert_eq!(answer::<u8>(drop).await, None);
    }

    #[test]
    fn only_a_local_path_is_usable() {
        let chosen = FilePath::Path(PathBuf::from("/tmp/a.pem"));
        assert_eq!(
            path_of(chosen, "save there").unwrap(),
            Path::new("/tmp/a.pem")
        );
        let url = FilePath::Url("https://example.com/a.pem".parse().unwrap());
        let refused = path_of(url, "save there").unwrap_err();
        assert!(
            refused.message.starts_with("Cannot save there: "),
            "{}",
            refused.message
        );
    }
}
