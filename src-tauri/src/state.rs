//! The app's shared state: settings (tauri-plugin-store), the secret store,
//! one HTTP client per profile and the embedded sandbox.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use portal_core::activity::{Action, ActivityLog};
use portal_core::context::ProfileContext;
use portal_core::http::{HttpClient, HttpConfig};
use portal_core::network::NetworkSettings;
use portal_core::ops::{Outcome, Recorder};
use portal_core::profiles::{KeyValueStore, Profile, Profiles};
use portal_core::secrets::{MemoryStore, SecretBackend, SecretStore};
use portal_core::secrets_file::EncryptedFileStore;
use portal_core::{Error, ErrorCode, Result, Secret};
use serde_json::Value;
use tauri::Wry;
use tauri_plugin_store::Store;

use crate::dto::SecretsInfo;
use crate::sandbox::EmbeddedSandbox;

/// `tauri-plugin-store`'s store seen through core's [`KeyValueStore`], so the
/// app and the CLI share one settings file and one set of profile rules.
pub struct PluginStore(pub Arc<Store<Wry>>);

impl KeyValueStore for PluginStore {
    fn get(&self, key: &str) -> Option<Value> {
        self.0.get(key)
    }

    fn set(&self, key: &str, value: Value) -> Result<()> {
        self.0.set(key, value);
        self.0
            .save()
            .map_err(|e| Error::new(ErrorCode::Io, format!("Could not save settings: {e}")))
    }
}

struct SecretsSlot {
    store: Option<Arc<dyn SecretStore>>,
    problem: Option<Error>,
}

pub struct AppCtx {
    pub settings: Box<dyn KeyValueStore>,
    pub data_dir: PathBuf,
    pub activity: ActivityLog,
    secrets: RwLock<SecretsSlot>,
    /// Each profile's client, with the network settings it was built with
    /// (a changed CA file or proxy builds a new one).
    clients: Mutex<HashMap<String, (NetworkSettings, HttpClient)>>,
    pub sandbox: EmbeddedSandbox,
}

impl AppCtx {
    pub fn new(settings: Box<dyn KeyValueStore>, data_dir: PathBuf) -> Self {
        let ctx = Self {
            settings,
            activity: ActivityLog::in_dir(&data_dir),
            data_dir,
            secrets: RwLock::new(SecretsSlot {
                store: None,
                problem: None,
            }),
            clients: Mutex::default(),
            sandbox: EmbeddedSandbox::default(),
        };
        ctx.open_secrets();
        ctx
    }

    /// The same over a given secret store, whatever the settings say (the
    /// IPC audit plants secrets in one; see [`crate::manage_state`]).
    pub fn with_secrets(
        settings: Box<dyn KeyValueStore>,
        data_dir: PathBuf,
        secrets: Arc<dyn SecretStore>,
    ) -> Self {
        Self {
            settings,
            activity: ActivityLog::in_dir(&data_dir),
            data_dir,
            secrets: RwLock::new(SecretsSlot {
                store: Some(secrets),
                problem: None,
            }),
            clients: Mutex::default(),
            sandbox: EmbeddedSandbox::default(),
        }
    }

    pub fn profiles(&self) -> Profiles<'_> {
        Profiles::new(self.settings.as_ref())
    }

    /// Opens the configured secret backend. `PORTAL_SECRET_BACKEND=memory`
    /// keeps everything in memory (throwaway sessions, some tests).
    fn open_secrets(&self) {
        let backend = match std::env::var("PORTAL_SECRET_BACKEND").as_deref() {
            Ok("memory") => SecretBackend::Memory,
            _ => self.profiles().secret_backend(),
        };
        let opened: Result<Arc<dyn SecretStore>> = match backend {
            SecretBackend::Memory => Ok(Arc::new(MemoryStore::default())),
            SecretBackend::Keychain => open_keychain(),
            SecretBackend::EncryptedFile => Err(Error::new(
                ErrorCode::SecretsLocked,
                "The encrypted secrets file is locked: enter its passphrase in Settings.",
            )),
        };
        let mut slot = self.secrets.write().unwrap_or_else(|p| p.into_inner());
        match opened {
            Ok(store) => {
                *slot = SecretsSlot {
                    store: Some(store),
                    problem: None,
                }
            }
            Err(e) => {
                tracing::warn!(code = %e.code, "secret store not available: {}", e.message);
                *slot = SecretsSlot {
                    store: None,
                    problem: Some(e),
                }
            }
        }
    }

    pub fn secrets(&self) -> Result<Arc<dyn SecretStore>> {
        let slot = self.secrets.read().unwrap_or_else(|p| p.into_inner());
        match (&slot.store, &slot.problem) {
            (Some(s), _) => Ok(s.clone()),
            (None, Some(p)) => Err(p.clone()),
            (None, None) => Err(Error::new(
                ErrorCode::KeychainUnavailable,
                "No secret store is open.",
            )),
        }
    }

    pub fn secrets_info(&self) -> SecretsInfo {
        let slot = self.secrets.read().unwrap_or_else(|p| p.into_inner());
        let backend = slot
            .store
            .as_ref()
            .map(|s| s.backend())
            .unwrap_or_else(|| self.profiles().secret_backend());
        SecretsInfo {
            backend,
            description: backend.describe().to_owned(),
            ready: slot.store.is_some(),
            problem: slot.problem.clone(),
            encrypted_file_exists: EncryptedFileStore::exists(&self.data_dir),
        }
    }

    /// What the secrets backend switch works with.
    pub fn secrets_cx(&self) -> portal_core::ops::secrets::Cx<'_> {
        portal_core::ops::secrets::Cx {
            settings: self.settings.as_ref(),
            data_dir: &self.data_dir,
            recorder: self,
        }
    }

    /// What the profile use cases work with.
    pub fn profiles_cx(&self) -> portal_core::ops::profiles::Cx<'_> {
        portal_core::ops::profiles::Cx {
            settings: self.settings.as_ref(),
            recorder: self,
        }
    }

    /// The explicit opt-in: create the encrypted file, or unlock the existing
    /// one (`ops::secrets::use_encrypted_file`), and use it from now on.
    pub fn use_encrypted_file(&self, passphrase: Secret) -> Result<SecretsInfo> {
        let install = |store| {
            *self.secrets.write().unwrap_or_else(|p| p.into_inner()) = SecretsSlot {
                store: Some(store),
                problem: None,
            };
        };
        let cx = self.secrets_cx();
        logged(portal_core::ops::secrets::use_encrypted_file(
            cx,
            |_| Ok(passphrase),
            install,
        )?);
        Ok(self.secrets_info())
    }

    /// A context for the active profile (starting the embedded sandbox first
    /// when the profile uses it).
    pub async fn active_context(&self) -> Result<ProfileContext> {
        let profile = self.profiles().active().ok_or_else(|| {
            Error::config("No profile yet: explore the sandbox or connect an account.")
        })?;
        self.context_for(profile).await
    }

    pub async fn context_for(&self, mut profile: Profile) -> Result<ProfileContext> {
        // The settings file may have been edited by hand: plain http:// to
        // another machine is refused here, before the store is opened. (An
        // embedded sandbox's URLs are its own, on 127.0.0.1.)
        if !profile.embedded_sandbox {
            profile.check_urls()?;
        }
        let secrets = self.secrets()?;
        if profile.embedded_sandbox {
            profile.urls = self
                .sandbox
                .ensure(&self.data_dir, &profile.name, secrets.as_ref())
                .await?;
        }
        let http = {
            let network = profile.network();
            let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
            match clients.get(&profile.name) {
                Some((built_with, c)) if *built_with == network => c.clone(),
                _ => {
                    let c = HttpClient::with_network(HttpConfig::default(), &network)?;
                    clients.insert(profile.name.clone(), (network, c.clone()));
                    c
                }
            }
        };
        let mut pc = ProfileContext::with_client(profile, secrets, http);
        // The policy file chosen in Settings → Policy, read afresh for each
        // context (so an edit to it applies at once); a malformed one makes
        // every create, rotation and key upload fail with its error.
        pc.set_policy(portal_core::ops::policy::load(self.settings.as_ref(), None));
        Ok(pc)
    }

    /// Seconds before a copied secret is cleared from the clipboard (the
    /// user's preference; 0 = never).
    pub fn clipboard_clear_seconds(&self) -> u32 {
        portal_core::token_records::TokenRecords::new(self.settings.as_ref())
            .preferences()
            .clipboard_clear_seconds
    }

    /// The activity log, verified with its key when the secret store is open.
    pub fn read_activity(&self) -> Result<portal_core::activity::ActivityReport> {
        let keys = self.activity_keys();
        Ok(portal_core::ops::activity::list(&self.activity, keys.as_deref(), None)?.report)
    }

    /// The store holding the activity log's key and head, when it is open.
    pub fn activity_keys(&self) -> Option<Arc<dyn SecretStore>> {
        self.secrets().ok()
    }

    pub fn forget_client(&self, profile: &str) {
        self.clients
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(profile);
    }
}

/// The use cases record through the app: keyed with the open secret store.
impl Recorder for AppCtx {
    fn record(&self, profile: &str, action: Action, target: &str, summary: &str) -> Result<()> {
        let keys = self.activity_keys();
        self.activity
            .append(keys.as_deref(), profile, action, target, summary, "app")
            .map(|_| ())
    }
}

/// A use case's value; its warnings (the change happened, something after
/// it did not) go to the log.
pub fn logged<T>(outcome: Outcome<T>) -> T {
    for w in &outcome.warnings {
        tracing::warn!("{w}");
    }
    outcome.value
}

/// How long a keychain read is trusted before it is read again (so a change
/// made with the CLI while the app runs is seen soon).
const KEYCHAIN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

fn open_keychain() -> Result<Arc<dyn SecretStore>> {
    let keychain = Arc::new(portal_core::secrets::KeychainStore::open(None)?);
    Ok(Arc::new(portal_core::secrets::CachedStore::new(
        keychain,
        KEYCHAIN_CACHE_TTL,
    )))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use portal_core::profiles::SettingsFile;

    use super::*;

    /// A settings file edited by hand to send a profile's credentials over
    /// plain http to another machine: refused when the profile is used,
    /// naming the profile and the URL.
    #[tokio::test]
    async fn a_profile_with_plain_http_to_another_machine_is_refused_when_used() {
        std::env::set_var("PORTAL_SECRET_BACKEND", "memory");
        let dir = std::env::temp_dir().join(format!("pp-state-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let settings = SettingsFile::open(dir.join("settings.json")).unwrap();
        settings
            .set(
                "profiles",
                serde_json::json!([{
                    "name": "Legacy",
                    "environment": "production",
                    "urls": {
                        "vaultstream": "https://api.cyfr.technology",
                        "jwtKeys": "https://api.vidbeo.com/v2",
                        "vault": "http://vault.example.com"
                    }
                }]),
            )
            .unwrap();
        settings.set("activeProfile", "Legacy".into()).unwrap();
        let app = AppCtx::new(Box::new(settings), dir.clone());
        let e = app.active_context().await.err().unwrap();
        assert_eq!(e.code, ErrorCode::Config);
        assert!(
            e.message.starts_with(
                "Profile 'Legacy': Vault URL 'http://vault.example.com' must use https://"
            ),
            "{}",
            e.message
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
