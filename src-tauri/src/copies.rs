//! Values the user copies that open something on their own: signed
//! private-video JWTs (and the URLs that carry them) and vault share links.
//! The command that makes one holds it here under a copy id; the UI copies
//! it with `copy_held`, which writes it to the clipboard from Rust and
//! clears the clipboard after the configured delay, as for API tokens.
//!
//! A held value is dropped (zeroized) [`HELD_FOR`] after it was made, when
//! the webview reloads, or when more than [`MAX_HELD`] are held (oldest
//! first), whichever comes first. [`HeldStore`], the expiring store, also
//! keeps the tokens awaiting their one-time reveal (`reveal.rs`).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portal_core::{Error, ErrorCode, Result, Secret};
use sha2::{Digest, Sha256};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

/// How long a revealed token or a held copy stays in memory at most.
pub const HELD_FOR: Duration = Duration::from_secs(10 * 60);
/// How many results are held at once (the panels show the latest).
pub const MAX_HELD: usize = 16;

struct Held {
    created: Instant,
    parts: HashMap<String, Secret>,
}

impl Made for Held {
    fn made(&self) -> Instant {
        self.created
    }
}

/// What a [`HeldStore`] holds: a value made at a known instant, dropped
/// [`HELD_FOR`] after it.
pub trait Made {
    fn made(&self) -> Instant;
}

/// Secret values held in memory under random ids until they expire
/// ([`HELD_FOR`] after they were made) or the webview reloads: the held
/// copies here and the tokens awaiting their reveal (`reveal.rs`).
pub struct HeldStore<T> {
    held: Mutex<HashMap<String, T>>,
}

impl<T> Default for HeldStore<T> {
    fn default() -> Self {
        Self {
            held: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Made> HeldStore<T> {
    /// Everything held, expired or not.
    pub fn lock(&self) -> MutexGuard<'_, HashMap<String, T>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What is still held at `now` (the rest is dropped first).
    pub fn live_at(&self, now: Instant) -> MutexGuard<'_, HashMap<String, T>> {
        let mut held = self.lock();
        drop_expired(&mut held, now);
        held
    }

    /// Holds `value`; returns its new id.
    pub fn insert(&self, value: T) -> String {
        let id = new_id();
        self.lock().insert(id.clone(), value);
        id
    }

    /// Drops what was made [`HELD_FOR`] or longer before `now`; returns how many.
    pub fn expire_at(&self, now: Instant) -> usize {
        let mut held = self.lock();
        let before = held.len();
        drop_expired(&mut held, now);
        before - held.len()
    }

    /// Drops everything (the webview reloaded); returns how many.
    pub fn forget_all(&self) -> usize {
        let mut held = self.lock();
        let n = held.len();
        held.clear();
        n
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

fn drop_expired<T: Made>(held: &mut HashMap<String, T>, now: Instant) {
    held.retain(|_, v| !expired(v.made(), now));
}

/// A fresh id for a held value.
fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[derive(Default)]
pub struct Copies {
    held: HeldStore<Held>,
}

fn gone() -> Error {
    Error::new(
        ErrorCode::NotFound,
        "This value is no longer held (it is kept 10 minutes, until the window reloads): make it again.",
    )
}

impl Copies {
    /// Holds `parts` (name → value) made at `created`; returns the copy id.
    pub fn hold_at(&self, parts: Vec<(&str, Secret)>, created: Instant) -> String {
        let id = new_id();
        let mut held = self.held.live_at(created);
        while held.len() >= MAX_HELD {
            let oldest = held
                .iter()
                .min_by_key(|(_, h)| h.created)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => held.remove(&k),
                None => break,
            };
        }
        held.insert(
            id.clone(),
            Held {
                created,
                parts: parts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            },
        );
        id
    }

    /// [`Copies::hold_at`] now, and drops it after [`HELD_FOR`] even if
    /// nothing asks for it again.
    pub fn hold<R: Runtime>(&self, app: &AppHandle<R>, parts: Vec<(&str, Secret)>) -> String {
        let id = self.hold_at(parts, Instant::now());
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(HELD_FOR).await;
            if let Some(copies) = app.try_state::<Copies>() {
                copies.expire_at(Instant::now());
            }
        });
        id
    }

    /// The part `part` of held value `id`, if it is still held at `now`.
    pub fn part_at(&self, id: &str, part: &str, now: Instant) -> Result<Secret> {
        let held = self.held.live_at(now);
        let h = held.get(id).ok_or_else(gone)?;
        h.parts
            .get(part)
            .map(Secret::duplicate)
            .ok_or_else(|| Error::validation(format!("Nothing called '{part}' to copy here.")))
    }

    /// Drops what was made [`HELD_FOR`] or longer before `now`.
    pub fn expire_at(&self, now: Instant) -> usize {
        self.held.expire_at(now)
    }

    /// Drops everything (the webview reloaded).
    pub fn forget_all(&self) -> usize {
        self.held.forget_all()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.held.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}

fn expired(created: Instant, now: Instant) -> bool {
    now.saturating_duration_since(created) >= HELD_FOR
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// Writes `text` to the clipboard and, after `clear_after` seconds (0 =
/// never), clears it if it still holds `text`. Only a SHA-256 of the text
/// waits for the timer. Returns `clear_after`.
pub fn copy_to_clipboard<R: Runtime>(
    app: &AppHandle<R>,
    text: &Secret,
    clear_after: u32,
) -> Result<u32> {
    app.clipboard().write_text(text.expose()).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("Could not write to the clipboard: {e}"),
        )
    })?;
    if clear_after > 0 {
        let expected = digest(text.expose());
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(Duration::from_secs(u64::from(clear_after))).await;
            clear_if_still(&app, &expected);
        });
    }
    Ok(clear_after)
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
            tracing::info!("cleared a copied secret from the clipboard");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_copy_is_dropped_ten_minutes_after_it_was_made() {
        let copies = Copies::default();
        let t0 = Instant::now();
        let id = copies.hold_at(vec![("jwt", Secret::new("eyJ.a.b"))], t0);
        let almost = t0 + HELD_FOR - Duration::from_secs(1);
        assert_eq!(
            copies.part_at(&id, "jwt", almost).unwrap().expose(),
            "eyJ.a.b"
        );
        assert_eq!(
            copies.part_at(&id, "hls", almost).unwrap_err().code,
            ErrorCode::Validation
        );
        let err = copies.part_at(&id, "jwt", t0 + HELD_FOR).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        assert_eq!(copies.len(), 0, "asking after the deadline dropped it");

        let id = copies.hold_at(vec![("url", Secret::new("https://s/x"))], t0);
        assert_eq!(copies.expire_at(t0 + Duration::from_secs(599)), 0);
        assert_eq!(copies.expire_at(t0 + HELD_FOR), 1);
        assert!(copies.part_at(&id, "url", t0).is_err());
    }

    #[test]
    fn only_the_latest_are_held() {
        let copies = Copies::default();
        let t0 = Instant::now();
        let first = copies.hold_at(vec![("url", Secret::new("1"))], t0);
        for i in 1..=MAX_HELD as u64 {
            copies.hold_at(
                vec![("url", Secret::new("n"))],
                t0 + Duration::from_millis(i),
            );
        }
        assert_eq!(copies.len(), MAX_HELD);
        assert!(copies.part_at(&first, "url", t0).is_err());
    }
}
