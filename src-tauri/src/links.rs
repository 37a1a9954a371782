//! `portal://` deep links (issue 17 §4), through `tauri-plugin-deep-link`.
//!
//! A link reaches the app at launch (the OS starts it with the link as its
//! only argument: `get_current`), or while it runs: a second instance started
//! with a link hands its arguments to this one (`tauri-plugin-single-instance`
//! with its `deep-link` feature) and exits, and on macOS the OS sends it
//! (`on_open_url`). Each link is read here by `portal_core::links::parse`:
//! one shaped like a secret is refused and never acted on. The outcomes wait
//! in [`DeepLinks`] until the UI takes them (`take_deep_links`), told by a
//! `deep-link` event, so a link received before the page listens is not lost.
//! Nothing here logs a link: only what kind it was, or that it was refused.

use std::sync::Mutex;

use portal_core::links::{self, DeepLink, LinkOutcome};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Tells the UI that links wait in [`DeepLinks`] (no payload).
pub const DEEP_LINK_EVENT: &str = "deep-link";

/// The links received and not yet taken by the UI.
#[derive(Default)]
pub struct DeepLinks {
    pending: Mutex<Vec<LinkOutcome>>,
}

impl DeepLinks {
    /// Reads `link` and keeps the outcome for the UI.
    pub fn push(&self, link: &str) -> &'static str {
        let outcome = LinkOutcome::from(links::parse(link));
        let kind = match &outcome {
            LinkOutcome::Open { link } => match link {
                DeepLink::Token { .. } => "token",
                DeepLink::Key { .. } => "key",
                DeepLink::Asset { .. } => "asset",
                DeepLink::Profile { .. } => "profile",
                DeepLink::Doctor { .. } => "doctor",
            },
            LinkOutcome::Refused { refusal } if refusal.secret => "refused (secret-shaped)",
            LinkOutcome::Refused { .. } => "refused",
        };
        lock(&self.pending).push(outcome);
        kind
    }

    /// The waiting outcomes, oldest first; none wait afterwards.
    pub fn take(&self) -> Vec<LinkOutcome> {
        std::mem::take(&mut lock(&self.pending))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Receives the links in `urls` (non-`portal:` ones are ignored), tells the
/// UI, and brings the window forward.
pub fn receive<R: Runtime>(app: &AppHandle<R>, urls: impl IntoIterator<Item = String>) {
    let Some(state) = app.try_state::<DeepLinks>() else {
        return;
    };
    let mut any = false;
    for url in urls.into_iter().filter(|u| links::is_link(u)) {
        let kind = state.push(&url);
        if kind.starts_with("refused") {
            log::warn!("deep link {kind}: not acted on");
        } else {
            log::info!("deep link received: {kind}");
        }
        any = true;
    }
    if !any {
        return;
    }
    let _ = app.emit(DEEP_LINK_EVENT, ());
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// At launch: the link the app was started with, and a listener for the
/// ones that follow. A development build or an AppImage also registers the
/// scheme with the desktop (a .deb or .rpm declares it in its desktop file).
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    use tauri_plugin_deep_link::DeepLinkExt;
    let deep_link = app.deep_link();
    if let Ok(Some(urls)) = deep_link.get_current() {
        receive(app, urls.into_iter().map(String::from));
    }
    let handle = app.clone();
    deep_link.on_open_url(move |event| {
        receive(&handle, event.urls().into_iter().map(String::from));
    });
    #[cfg(target_os = "linux")]
    if cfg!(dev) || app.env().appimage.is_some() {
        if let Err(e) = deep_link.register_all() {
            log::warn!("could not register portal:// with the desktop: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_wait_until_taken_once() {
        let links = DeepLinks::default();
        assert_eq!(links.push("portal://tokens/tok_1"), "token");
        assert_eq!(
            links.push("portal://tokens/vst_live_AbCdEfGhIjKlMnOpQrStUvWx"),
            "refused (secret-shaped)"
        );
        let taken = links.take();
        assert_eq!(taken.len(), 2);
        assert!(
            matches!(&taken[0], LinkOutcome::Open { link: DeepLink::Token { id } } if id == "tok_1")
        );
        assert!(matches!(&taken[1], LinkOutcome::Refused { refusal } if refusal.secret));
        assert!(links.take().is_empty());
    }
}
