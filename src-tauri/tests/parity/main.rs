//! One use case, one implementation (issue 14), checked: each
//! state-changing use case driven once through the app's command and once
//! through the real `portal` binary leaves the same activity entry. One test
//! binary: the vault, tokens and keys cases, and the profile and secrets
//! cases.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use portal_core::profiles::SettingsFile;
use portal_core::secrets::{MemoryStore, SecretStore};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

mod profiles;
mod vault_tokens_keys;

/// The `portal` binary beside this test's (`target/debug`), built by
/// `cargo test --workspace` (or `cargo build -p portal-cli`).
fn portal_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(Path::parent).unwrap();
    let portal = debug.join(format!("portal{}", std::env::consts::EXE_SUFFIX));
    assert!(
        portal.exists(),
        "{} is missing: build it with `cargo build -p portal-cli` (or run `cargo test --workspace`)",
        portal.display()
    );
    portal
}

/// A fresh directory under the temp dir.
fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pp-parity-{what}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The app: its real handler and state on the mock runtime, over a memory
/// store, in data directory `dir`.
struct MockApp {
    webview: WebviewWindow<MockRuntime>,
    _app: tauri::App<MockRuntime>,
}

impl MockApp {
    fn start(dir: &Path) -> Self {
        let settings = SettingsFile::open(dir.join("settings.json")).unwrap();
        let app = mock_builder()
            .plugin(tauri_plugin_clipboard_manager::init())
            .plugin(tauri_plugin_notification::init())
            .plugin(tauri_plugin_dialog::init())
            .invoke_handler(partner_portal_lib::invoke_handler())
            .build(mock_context(noop_assets()))
            .unwrap();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        partner_portal_lib::manage_state(
            app.handle(),
            Box::new(settings),
            dir.to_owned(),
            Some(store),
        );
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Self { webview, _app: app }
    }

    /// Invokes `cmd` as the page would; its answer, or a panic naming it.
    fn ok(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(body) => body,
            Err(e) => panic!("`{cmd}` failed: {e}"),
        }
    }

    /// Invokes `cmd` as the page would: its answer or its rejection.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: tauri::test::INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|body| body.deserialize::<Value>().unwrap())
    }
}
