//! Freshly created token values awaiting their one-time reveal. The value
//! stays here (zeroizing) until the dialog closes, 10 minutes after it was
//! created ([`HELD_FOR`]), or the webview reloads, whichever comes first; it
//! crosses to the UI only through `reveal_token`, once. Copies go to the
//! clipboard from Rust, and are cleared after the configured delay if the
//! clipboard still holds them.

use std::time::Instant;

use portal_core::context::ProfileContext;
use portal_core::snippets::{fill, CopyWhat};
use portal_core::vaultstream::{ApiToken, CreatedToken};
use portal_core::{Error, ErrorCode, Result, Secret, Service};

use crate::copies::{copy_to_clipboard, Copies, HeldStore, Made, HELD_FOR};
use crate::dto::CreatedTokenView;
use tauri::{AppHandle, Manager, Runtime};

pub struct Pending {
    pub profile: String,
    pub token: ApiToken,
    pub value: Secret,
    pub base_url: String,
    revealed: bool,
    created: Instant,
}

impl Pending {
    pub fn new(
        profile: String,
        token: ApiToken,
        value: Secret,
        base_url: String,
        created: Instant,
    ) -> Self {
        Self {
            profile,
            token,
            value,
            base_url,
            revealed: false,
            created,
        }
    }
}

impl Made for Pending {
    fn made(&self) -> Instant {
        self.created
    }
}

#[derive(Default)]
pub struct Reveals {
    pending: HeldStore<Pending>,
}

fn gone() -> Error {
    Error::new(
        ErrorCode::NotFound,
        "This token's value is no longer held: the reveal dialog was closed, 10 minutes passed, \
         or the window reloaded.",
    )
}

impl Reveals {
    /// Holds a freshly created token's value for its reveal dialog; window
    /// content protection goes on while any value is held. A timer drops it
    /// after [`HELD_FOR`] even if the dialog stays open.
    pub fn hold<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        pc: &ProfileContext,
        created: CreatedToken,
    ) -> CreatedTokenView {
        let view_token = created.token.clone();
        let reveal_id = self.insert(Pending::new(
            pc.profile.name.clone(),
            created.token,
            created.value,
            pc.url(Service::VaultStream).to_owned(),
            Instant::now(),
        ));
        protect(app, true);
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(HELD_FOR).await;
            if let Some(reveals) = app.try_state::<Reveals>() {
                reveals.expire(&app, Instant::now());
            }
        });
        CreatedTokenView {
            token: view_token,
            reveal_id,
        }
    }

    /// Holds `pending`; returns its reveal id.
    pub fn insert(&self, pending: Pending) -> String {
        self.pending.insert(pending)
    }

    /// Runs `f` on the value held as `id`, if it is still held at `now`.
    pub fn with_at<T>(
        &self,
        id: &str,
        now: Instant,
        f: impl FnOnce(&Pending) -> Result<T>,
    ) -> Result<T> {
        f(self.pending.live_at(now).get(id).ok_or_else(gone)?)
    }

    pub fn with<T>(&self, id: &str, f: impl FnOnce(&Pending) -> Result<T>) -> Result<T> {
        self.with_at(id, Instant::now(), f)
    }

    /// The value, once, if still held at `now`.
    pub fn reveal_at(&self, id: &str, now: Instant) -> Result<String> {
        let mut guard = self.pending.live_at(now);
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

    pub fn reveal(&self, id: &str) -> Result<String> {
        self.reveal_at(id, Instant::now())
    }

    /// Drops (and so zeroizes) the value.
    pub fn close<R: Runtime>(&self, app: &AppHandle<R>, id: &str) {
        let mut guard = self.pending.lock();
        guard.remove(id);
        if guard.is_empty() {
            protect(app, false);
        }
    }

    /// Drops the values created [`HELD_FOR`] or longer before `now`;
    /// returns how many.
    pub fn expire_at(&self, now: Instant) -> usize {
        self.pending.expire_at(now)
    }

    fn expire<R: Runtime>(&self, app: &AppHandle<R>, now: Instant) {
        if self.expire_at(now) > 0 && self.is_empty() {
            protect(app, false);
        }
    }

    /// Drops every value (the webview reloaded: no dialog shows them any more).
    pub fn forget_all(&self) -> usize {
        self.pending.forget_all()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
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
        copy_to_clipboard(app, &text, clear_after)
    }
}

/// The page-load hook: when the webview starts loading a page (a reload, a
/// navigation), the dialogs that showed held values are gone, so are the
/// values: revealed tokens, and signed JWTs and share links held for copying.
pub fn page_loaded<R: Runtime>(app: &AppHandle<R>) {
    let mut dropped = 0;
    if let Some(reveals) = app.try_state::<Reveals>() {
        dropped += reveals.forget_all();
    }
    if let Some(copies) = app.try_state::<Copies>() {
        dropped += copies.forget_all();
    }
    protect(app, false);
    if dropped > 0 {
        tracing::info!(dropped, "the page loaded: dropped the held secret values");
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn pending(created: Instant) -> Pending {
        Pending::new(
            "P".into(),
            ApiToken {
                id: "tok_1".into(),
                name: "CI".into(),
                scopes: vec![],
                created_at: None,
                expires_at: None,
                last_used_at: None,
            },
            Secret::new("vst_live_x"),
            "https://api.example".into(),
            created,
        )
    }

    #[test]
    fn a_revealed_value_leaves_memory_ten_minutes_after_creation() {
        let reveals = Reveals::default();
        let t0 = Instant::now();
        let a = reveals.insert(pending(t0));
        let b = reveals.insert(pending(t0 + Duration::from_secs(300)));
        let almost = t0 + HELD_FOR - Duration::from_secs(1);
        assert!(reveals.with_at(&a, almost, |_| Ok(())).is_ok());
        assert_eq!(reveals.reveal_at(&a, almost).unwrap(), "vst_live_x");
        // At ten minutes the first is gone, even unrevealed values go on
        // their own clock: the second stays until its own deadline.
        assert_eq!(reveals.expire_at(t0 + HELD_FOR), 1);
        assert_eq!(
            reveals
                .with_at(&a, t0 + HELD_FOR, |_| Ok(()))
                .unwrap_err()
                .code,
            ErrorCode::NotFound
        );
        assert_eq!(
            reveals
                .reveal_at(&b, t0 + HELD_FOR + Duration::from_secs(299))
                .unwrap(),
            "vst_live_x"
        );
        // Asking after the deadline drops it too, timer or not.
        assert!(reveals
            .with_at(&b, t0 + Duration::from_secs(300) + HELD_FOR, |_| Ok(()))
            .is_err());
        assert!(reveals.is_empty());
    }

    #[test]
    fn a_page_load_drops_every_held_value() {
        let app = tauri::test::mock_app();
        app.manage(Reveals::default());
        app.manage(Copies::default());
        let now = Instant::now();
        let id = app.state::<Reveals>().insert(pending(now));
        app.state::<Copies>()
            .hold_at(vec![("jwt", Secret::new("eyJ.a.b"))], now);
        page_loaded(app.handle());
        assert!(app.state::<Reveals>().is_empty());
        assert!(app.state::<Copies>().is_empty());
        assert!(app.state::<Reveals>().reveal(&id).is_err());
    }
}
