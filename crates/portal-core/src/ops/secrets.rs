//! The secrets backend switch, shared by the app's secrets commands and
//! `portal secrets use-file|use-keychain`: opt in to the encrypted secrets
//! file (create it, or unlock the one there), or go back to the OS keychain.
//! A switch records itself (`secrets_backend`, the target being the new
//! backend: `encrypted_file`, `keychain`); unlocking the file already in use
//! changes nothing and records nothing.

use std::path::Path;
use std::sync::Arc;

use super::{record_as, Outcome, Recorder};
use crate::activity::Action;
use crate::error::Result;
use crate::profiles::{KeyValueStore, Profiles};
use crate::secret::Secret;
#[cfg(feature = "os-keychain")]
use crate::secrets::KeychainStore;
use crate::secrets::{SecretBackend, SecretStore};
use crate::secrets_file::EncryptedFileStore;

/// What the switch works with: the settings file (which says the backend),
/// the data directory (where the encrypted file lives), and where the
/// switch is recorded.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub settings: &'a dyn KeyValueStore,
    pub data_dir: &'a Path,
    pub recorder: &'a dyn Recorder,
}

/// Opens the encrypted secrets file (creating it when there is none; the
/// passphrase is asked with `creating` telling which), makes it the backend,
/// hands the open store to `install` (before the switch is recorded, so the
/// entry is keyed with the new store), and returns it.
pub fn use_encrypted_file(
    cx: Cx<'_>,
    passphrase: impl FnOnce(bool) -> Result<Secret>,
    install: impl FnOnce(Arc<dyn SecretStore>),
) -> Result<Outcome<()>> {
    let store = if EncryptedFileStore::exists(cx.data_dir) {
        EncryptedFileStore::unlock(cx.data_dir, &passphrase(false)?)?
    } else {
        EncryptedFileStore::create(cx.data_dir, &passphrase(true)?)?
    };
    let changed = set_backend(cx, SecretBackend::EncryptedFile)?;
    install(Arc::new(store));
    Ok(recorded(cx, changed, SecretBackend::EncryptedFile))
}

/// Goes back to the OS keychain (refused when it cannot be opened here).
#[cfg(feature = "os-keychain")]
pub fn use_keychain(cx: Cx<'_>) -> Result<Outcome<()>> {
    KeychainStore::open(None)?;
    let changed = set_backend(cx, SecretBackend::Keychain)?;
    Ok(recorded(cx, changed, SecretBackend::Keychain))
}

/// Saves `backend` in the settings; says whether it was another before.
fn set_backend(cx: Cx<'_>, backend: SecretBackend) -> Result<bool> {
    let profiles = Profiles::new(cx.settings);
    let changed = profiles.secret_backend() != backend;
    profiles.set_secret_backend(backend)?;
    Ok(changed)
}

/// Records a switch to `backend` (under the active profile's name), when it
/// was one.
fn recorded(cx: Cx<'_>, changed: bool, backend: SecretBackend) -> Outcome<()> {
    let mut outcome = Outcome::new(());
    if changed {
        let profile = Profiles::new(cx.settings).active_name().unwrap_or_default();
        let target = target(backend);
        let summary = format!("Secrets now go to: {}", backend.describe());
        let action = Action::SecretsBackend;
        record_as(
            cx.recorder,
            &profile,
            action,
            target,
            &summary,
            &mut outcome.warnings,
        );
    }
    outcome
}

/// The backend as the settings name it (`encrypted_file`, `keychain`).
fn target(backend: SecretBackend) -> &'static str {
    match backend {
        SecretBackend::Keychain => "keychain",
        SecretBackend::EncryptedFile => "encrypted_file",
        SecretBackend::Memory => "memory",
    }
}
