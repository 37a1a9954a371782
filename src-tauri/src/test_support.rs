//! What the app's in-crate tests share: a mock app with the real app state
//! (secrets in memory, the settings file and activity log in a throwaway
//! directory), on its own or already on the embedded sandbox.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use portal_core::profiles::SettingsFile;
use portal_core::{Error, ErrorCode};
use tauri::test::MockRuntime;
use tauri::{App, Manager};

use crate::commands::profiles::explore_sandbox;
use crate::state::AppCtx;

/// A fresh directory under the temp dir, named `prefix-<uuid>`.
pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A mock app whose [`AppCtx`] keeps its settings in `dir` and its secrets
/// in memory.
pub fn app_in(dir: &Path) -> App<MockRuntime> {
    std::env::set_var("PORTAL_SECRET_BACKEND", "memory");
    std::fs::create_dir_all(dir).unwrap();
    let settings = SettingsFile::open(dir.join("settings.json")).unwrap();
    let app = tauri::test::mock_app();
    app.manage(AppCtx::new(Box::new(settings), dir.to_owned()));
    app
}

/// A mock app on the embedded sandbox (its profile active), in a throwaway
/// directory, which is returned for the test to remove.
pub async fn sandbox_app(prefix: &str) -> (App<MockRuntime>, PathBuf) {
    let dir = temp_dir(prefix);
    let app = app_in(&dir);
    explore_sandbox(app.state()).await.unwrap();
    (app, dir)
}

/// `e` is a refusal with `code` whose message says `needle`.
pub fn assert_refused(e: &Error, code: ErrorCode, needle: &str) {
    assert_eq!(e.code, code, "{e:?}");
    assert!(e.message.contains(needle), "{}", e.message);
}
