//! One use case, one implementation (issue 14), checked: each
//! state-changing use case driven once through the app's command and once
//! through the real `portal` binary leaves the same activity entry. One test
//! binary: the vault, tokens and keys cases, and the profile and secrets
//! cases.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

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
