//! Freshly created token values awaiting their one-time reveal. The value
//! stays here (zeroizing) until the dialog closes; it crosses to the UI only
//! through `reveal_token`, once. Copies go to the clipboard from Rust, and
//! are cleared after the configured delay if the clipboard still holds them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use portal_core::context::ProfileContext;
use portal_core::tokens::{fill, ApiToken, CopyWhat, CreatedToken};
use portal_core::{Error, ErrorCode, Result, Secret, Service};

use crate::dto::CreatedTokenView;
use sha2::{Digest, Sha256};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

pub struct Pending {
    pub profile: String,
    pub token: ApiToken,
    pub value: Secret,
    pub base_url: String,
    revealed: bool,
}

#[derive(Default)]
pub struct Reveals {
    pending: Mutex<HashMap<String, Pending>>,
}

fn gone() -> Error {
    Error::new(
        ErrorCode::NotFound,
        "This token's value is no longer held: the reveal dialog was closed.",
    )
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

impl Reveals {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Holds a freshly created token's value for its reveal dialog; window
    /// content protection goes on while any value is held.
    pub fn hold<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        pc: &ProfileContext,
        created: CreatedToken,
    ) -> CreatedTokenView {
        let reveal_id = uuid::Uuid::new_v4().to_string();
        let pending = Pending {
            profile: pc.profile.name.clone(),
            token: created.token.clone(),
            value: created.value,
            base_url: pc.url(Service::VaultStream).to_owned(),
            revealed: false,
        };
        self.lock().insert(reveal_id.clone(), pending);
        protect(app, true);
        CreatedTokenView {
            token: created.token,
            reveal_id,
        }
    }

    pub fn with<T>(&self, id: &str, f: impl FnOnce(&Pending) -> Result<T>) -> Result<T> {
        let guard = self.lock();
        f(guard.get(id).ok_or_else(gone)?)
    }

    /// The value, once.
    pub fn reveal(&self, id: &str) -> Result<String> {
        let mut guard = self.lock();
        let pending = guard.get_mut(id).ok_or_else(gone)?;
        if pending.revealed {
            return Err(Error::new(
                ErrorCode::Forbidden,
                "This token's value was already revealed once.",
            ));
        }
        pending.revealed = true;
        Ok(pending.value.expose().to_owned())
    }

    /// Drops (and so zeroizes) the value.
    pub fn close<R: Runtime>(&self, app: &AppHandle<R>, id: &str) {
        let mut guard = self.lock();
        guard.remove(id);
        if guard.is_empty() {
            protect(app, false);
        }
    }

    /// Copies the token or a snippet; returns the seconds until it is cleared.
    pub fn copy<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        id: &str,
        what: CopyWhat,
        clear_after: u32,
    ) -> Result<u32> {
        let text = self.with(id, |p| Ok(fill(what, &p.base_url, &p.value)))?;
        app.clipboard().write_text(text.expose()).map_err(|e| {
            Error::new(
                ErrorCode::Internal,
                format!("Could not write to the clipboard: {e}"),
            )
        })?;
        if clear_after > 0 {
            // Only a digest waits: the value itself is not kept alive for the timer.
            let expected = digest(text.expose());
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(Duration::from_secs(u64::from(clear_after))).await;
                clear_if_still(&app, &expected);
            });
        }
        Ok(clear_after)
    }
}

fn clear_if_still<R: Runtime>(app: &AppHandle<R>, expected: &[u8; 32]) {
    let Ok(current) = app.clipboard().read_text() else {
        return;
    };
    let current = Secret::from(current);
    if &digest(current.expose()) == expected {
        if let Err(e) = app.clipboard().clear() {
            tracing::warn!("could not clear the clipboard: {e}");
        } else {
            tracing::info!("cleared a copied token from the clipboard");
        }
    }
}

/// Screen-capture protection where the platform has it (macOS, Windows).
fn protect<R: Runtime>(app: &AppHandle<R>, on: bool) {
    if let Some(w) = app.get_webview_window("main") {
        if let Err(e) = w.set_content_protected(on) {
            tracing::debug!("content protection unavailable: {e}");
        }
    }
}
