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

#[path = "../common/mock_app.rs"]
mod mock_app;
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
struct MockApp(mock_app::MockApp);

impl MockApp {
    fn start(dir: &Path) -> Self {
        let settings = SettingsFile::open(dir.join("settings.json")).unwrap();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        Self(mock_app::MockApp::start(Box::new(settings), dir, store))
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
        self.0.invoke(cmd, args)
    }
}
