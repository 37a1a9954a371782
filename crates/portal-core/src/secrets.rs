//! Where credentials live: the OS keychain (default), an opt-in encrypted
//! file, or memory (tests). Every entry is namespaced by app id and profile.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The app id used as the keychain "service" name.
pub const APP_ID: &str = "dev.partnerportal.app";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecretBackend {
    /// The OS keychain: Secret Service, macOS Keychain or Windows Credential Manager.
    #[default]
    Keychain,
    /// An Argon2id + XChaCha20-Poly1305 file, unlocked with a passphrase (explicit opt-in).
    EncryptedFile,
    /// Process memory only (tests; nothing survives a restart).
    Memory,
}

impl SecretBackend {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Keychain => os_keychain_name(),
            Self::EncryptedFile => "Encrypted file (Argon2id + XChaCha20-Poly1305)",
            Self::Memory => "Memory only (nothing is kept)",
        }
    }
}

fn os_keychain_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else {
        "Secret Service (GNOME Keyring / KWallet)"
    }
}

/// What a credential is for. The keychain account is `<profile>/<item>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    VaultStreamToken,
    JwtKeysApiKey,
    VaultPassword,
    VaultAccessToken,
    VaultRefreshToken,
    /// The password of the embedded sandbox's Vault users (random per
    /// install; the app logs in with it).
    SandboxVaultPassword,
    /// A token value the user chose to keep after the one-time reveal.
    SavedToken(String),
    /// A private signing key (PKCS#8 PEM), by local key id.
    PrivateKey(String),
    /// The activity log's HMAC key (hex), under [`APP_SCOPE`], not a profile.
    ActivityLogKey,
    /// The activity log's last entry hash and entry count, under [`APP_SCOPE`].
    ActivityLogHead,
}

/// The "profile" part of the app-wide entries' names (no profile may be
/// called this).
pub const APP_SCOPE: &str = "_portal";

impl Item {
    pub fn account_suffix(&self) -> String {
        match self {
            Self::VaultStreamToken => "vaultstream-token".into(),
            Self::JwtKeysApiKey => "jwt-keys-api-key".into(),
            Self::VaultPassword => "vault-password".into(),
            Self::VaultAccessToken => "vault-access-token".into(),
            Self::VaultRefreshToken => "vault-refresh-token".into(),
            Self::SandboxVaultPassword => "sandbox-vault-password".into(),
            Self::SavedToken(id) => format!("saved-token/{id}"),
            Self::PrivateKey(id) => format!("private-key/{id}"),
            Self::ActivityLogKey => "activity-log-key".into(),
            Self::ActivityLogHead => "activity-log-head".into(),
        }
    }

    /// The item an account suffix names (the inverse of
    /// [`Item::account_suffix`]); `None` for a name this version does not know.
    pub fn parse(suffix: &str) -> Option<Self> {
        Some(match suffix {
            "vaultstream-token" => Self::VaultStreamToken,
            "jwt-keys-api-key" => Self::JwtKeysApiKey,
            "vault-password" => Self::VaultPassword,
            "vault-access-token" => Self::VaultAccessToken,
            "vault-refresh-token" => Self::VaultRefreshToken,
            "sandbox-vault-password" => Self::SandboxVaultPassword,
            "activity-log-key" => Self::ActivityLogKey,
            "activity-log-head" => Self::ActivityLogHead,
            other => {
                if let Some(id) = other.strip_prefix("saved-token/") {
                    Self::SavedToken(id.to_owned())
                } else if let Some(id) = other.strip_prefix("private-key/") {
                    Self::PrivateKey(id.to_owned())
                } else {
                    return None;
                }
            }
        })
    }

    /// The items every profile may hold, whatever its indexes say.
    pub const FIXED: [Item; 6] = [
        Item::VaultStreamToken,
        Item::JwtKeysApiKey,
        Item::VaultPassword,
        Item::VaultAccessToken,
        Item::VaultRefreshToken,
        Item::SandboxVaultPassword,
    ];
}

/// The full name of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntryName {
    pub profile: String,
    pub item: Item,
}

impl EntryName {
    pub fn new(profile: impl Into<String>, item: Item) -> Self {
        Self {
            profile: profile.into(),
            item,
        }
    }

    pub fn account(&self) -> String {
        format!("{}/{}", self.profile, self.item.account_suffix())
    }
}

pub trait SecretStore: Send + Sync {
    fn backend(&self) -> SecretBackend;
    fn get(&self, name: &EntryName) -> Result<Option<Secret>>;
    fn set(&self, name: &EntryName, value: &Secret) -> Result<()>;
    /// Deleting an entry that does not exist is not an error.
    fn delete(&self, name: &EntryName) -> Result<()>;

    /// Deletes the entry and says whether there was one.
    fn remove(&self, name: &EntryName) -> Result<bool> {
        let existed = self.get(name)?.is_some();
        self.delete(name)?;
        Ok(existed)
    }

    /// Every item this store holds for `profile`, when the store can list
    /// its entries (the encrypted file, memory); `None` when it cannot (the
    /// OS keychain through `keyring`: its items are found by name).
    fn profile_items(&self, _profile: &str) -> Result<Option<Vec<Item>>> {
        Ok(None)
    }
}

/// The items of `profile` among `accounts` (`<profile>/<item>`).
pub(crate) fn items_of<'a>(profile: &str, accounts: impl Iterator<Item = &'a String>) -> Vec<Item> {
    let prefix = format!("{profile}/");
    accounts
        .filter_map(|a| a.strip_prefix(&prefix).and_then(Item::parse))
        .collect()
}

/// Unit tests and throwaway sessions.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Secret>>,
}

impl SecretStore for MemoryStore {
    fn backend(&self) -> SecretBackend {
        SecretBackend::Memory
    }

    fn get(&self, name: &EntryName) -> Result<Option<Secret>> {
        Ok(lock(&self.entries)?
            .get(&name.account())
            .map(Secret::duplicate))
    }

    fn set(&self, name: &EntryName, value: &Secret) -> Result<()> {
        lock(&self.entries)?.insert(name.account(), value.duplicate());
        Ok(())
    }

    fn delete(&self, name: &EntryName) -> Result<()> {
        lock(&self.entries)?.remove(&name.account());
        Ok(())
    }

    fn remove(&self, name: &EntryName) -> Result<bool> {
        Ok(lock(&self.entries)?.remove(&name.account()).is_some())
    }

    fn profile_items(&self, profile: &str) -> Result<Option<Vec<Item>>> {
        Ok(Some(items_of(profile, lock(&self.entries)?.keys())))
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| Error::internal("secret store lock poisoned"))
}

/// A read-through cache in front of a slow store (the OS keychain costs a
/// D-Bus round trip and an encrypted session per read, ~6 ms): a process
/// that reads the same credential for every page of a long list, or several
/// at start-up, asks the keychain once. Values stay `Secret`s (zeroized when
/// dropped or replaced); writes and deletes go through and update the cache;
/// an entry is re-read after `ttl`, so a change made by another process (the
/// CLI) is seen within that time.
pub struct CachedStore {
    inner: std::sync::Arc<dyn SecretStore>,
    ttl: std::time::Duration,
    entries: Mutex<HashMap<String, (std::time::Instant, Option<Secret>)>>,
}

impl CachedStore {
    pub fn new(inner: std::sync::Arc<dyn SecretStore>, ttl: std::time::Duration) -> Self {
        Self {
            inner,
            ttl,
            entries: Mutex::default(),
        }
    }

    fn entries(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (std::time::Instant, Option<Secret>)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for CachedStore {
    fn backend(&self) -> SecretBackend {
        self.inner.backend()
    }

    fn get(&self, name: &EntryName) -> Result<Option<Secret>> {
        let account = name.account();
        if let Some((at, value)) = self.entries().get(&account) {
            if at.elapsed() < self.ttl {
                return Ok(value.as_ref().map(Secret::duplicate));
            }
        }
        let value = self.inner.get(name)?;
        let copy = value.as_ref().map(Secret::duplicate);
        self.entries()
            .insert(account, (std::time::Instant::now(), copy));
        Ok(value)
    }

    fn set(&self, name: &EntryName, value: &Secret) -> Result<()> {
        let account = name.account();
        // Forget first: if the write fails, the next read asks the store.
        self.entries().remove(&account);
        self.inner.set(name, value)?;
        self.entries().insert(
            account,
            (std::time::Instant::now(), Some(value.duplicate())),
        );
        Ok(())
    }

    fn delete(&self, name: &EntryName) -> Result<()> {
        let account = name.account();
        self.entries().remove(&account);
        self.inner.delete(name)?;
        self.entries()
            .insert(account, (std::time::Instant::now(), None));
        Ok(())
    }

    fn remove(&self, name: &EntryName) -> Result<bool> {
        let account = name.account();
        self.entries().remove(&account);
        let existed = self.inner.remove(name)?;
        self.entries()
            .insert(account, (std::time::Instant::now(), None));
        Ok(existed)
    }

    fn profile_items(&self, profile: &str) -> Result<Option<Vec<Item>>> {
        self.inner.profile_items(profile)
    }
}

/// The OS keychain through the `keyring` crate.
#[cfg(feature = "os-keychain")]
pub struct KeychainStore {
    service: String,
}

#[cfg(feature = "os-keychain")]
impl KeychainStore {
    /// Opens the keychain and proves it answers (a read of a probe entry).
    /// `namespace` defaults to [`APP_ID`]; tests pass their own.
    pub fn open(namespace: Option<&str>) -> Result<Self> {
        let store = Self {
            service: namespace.unwrap_or(APP_ID).to_owned(),
        };
        store.get(&EntryName::new(APP_SCOPE, Item::SavedToken("probe".into())))?;
        Ok(store)
    }

    /// The keychain without the probe read: for a short-lived process (the
    /// CLI) whose first real read reports an unusable keychain just as well,
    /// with the same error, and which then saves one round trip.
    pub fn connect(namespace: Option<&str>) -> Self {
        Self {
            service: namespace.unwrap_or(APP_ID).to_owned(),
        }
    }

    fn entry(&self, name: &EntryName) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &name.account()).map_err(keychain_error)
    }
}

#[cfg(feature = "os-keychain")]
fn keychain_error(e: keyring::Error) -> Error {
    let detail = match &e {
        keyring::Error::NoStorageAccess(inner) => format!("the keychain refused access ({inner})"),
        keyring::Error::PlatformFailure(inner) => format!("the keychain failed ({inner})"),
        other => other.to_string(),
    };
    Error::new(
        crate::error::ErrorCode::KeychainUnavailable,
        format!(
            "The OS keychain ({}) is not available: {detail}",
            os_keychain_name()
        ),
    )
}

#[cfg(feature = "os-keychain")]
impl SecretStore for KeychainStore {
    fn backend(&self) -> SecretBackend {
        SecretBackend::Keychain
    }

    fn get(&self, name: &EntryName) -> Result<Option<Secret>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(Secret::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, name: &EntryName, value: &Secret) -> Result<()> {
        self.entry(name)?
            .set_password(value.expose())
            .map_err(keychain_error)
    }

    fn delete(&self, name: &EntryName) -> Result<()> {
        self.remove(name).map(|_| ())
    }

    fn remove(&self, name: &EntryName) -> Result<bool> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_namespaced_by_profile() {
        let a = EntryName::new("Prod", Item::VaultStreamToken);
        let b = EntryName::new("Staging", Item::VaultStreamToken);
        assert_eq!(a.account(), "Prod/vaultstream-token");
        assert_ne!(a.account(), b.account());
        assert_eq!(
            EntryName::new("P", Item::PrivateKey("k1".into())).account(),
            "P/private-key/k1"
        );
    }

    /// Counts the reads that reach the store behind the cache.
    #[derive(Default)]
    struct Counting {
        store: MemoryStore,
        reads: std::sync::atomic::AtomicUsize,
    }

    impl SecretStore for Counting {
        fn backend(&self) -> SecretBackend {
            SecretBackend::Memory
        }
        fn get(&self, name: &EntryName) -> Result<Option<Secret>> {
            self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.store.get(name)
        }
        fn set(&self, name: &EntryName, value: &Secret) -> Result<()> {
            self.store.set(name, value)
        }
        fn delete(&self, name: &EntryName) -> Result<()> {
            self.store.delete(name)
        }
    }

    fn reads(c: &Counting) -> usize {
        c.reads.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[test]
    fn cached_store_reads_once_and_follows_its_own_writes() {
        let inner = std::sync::Arc::new(Counting::default());
        let name = EntryName::new("P", Item::VaultAccessToken);
        inner.store.set(&name, &Secret::new("a1")).unwrap();
        let cache = CachedStore::new(inner.clone(), std::time::Duration::from_secs(60));
        for _ in 0..5 {
            assert_eq!(cache.get(&name).unwrap().unwrap().expose(), "a1");
        }
        assert_eq!(reads(&inner), 1);
        cache.set(&name, &Secret::new("a2")).unwrap();
        assert_eq!(cache.get(&name).unwrap().unwrap().expose(), "a2");
        assert_eq!(inner.store.get(&name).unwrap().unwrap().expose(), "a2");
        cache.delete(&name).unwrap();
        assert!(cache.get(&name).unwrap().is_none());
        assert!(inner.store.get(&name).unwrap().is_none());
        assert_eq!(
            reads(&inner),
            1,
            "writes and deletes refresh the cache themselves"
        );
    }

    #[test]
    fn cached_store_rereads_after_its_ttl() {
        let inner = std::sync::Arc::new(Counting::default());
        let name = EntryName::new("P", Item::JwtKeysApiKey);
        let cache = CachedStore::new(inner.clone(), std::time::Duration::ZERO);
        assert!(cache.get(&name).unwrap().is_none());
        // Another process writes the keychain behind the cache's back.
        inner.store.set(&name, &Secret::new("k")).unwrap();
        assert_eq!(cache.get(&name).unwrap().unwrap().expose(), "k");
        assert_eq!(reads(&inner), 2);
    }

    #[test]
    fn memory_store_round_trip_and_profile_delete() {
        let store = MemoryStore::default();
        let name = EntryName::new("P", Item::JwtKeysApiKey);
        assert!(store.get(&name).unwrap().is_none());
        store.set(&name, &Secret::new("k")).unwrap();
        assert_eq!(store.get(&name).unwrap().unwrap().expose(), "k");
        let other = EntryName::new("Q", Item::JwtKeysApiKey);
        store.set(&other, &Secret::new("q")).unwrap();
        assert_eq!(
            store.profile_items("P").unwrap(),
            Some(vec![Item::JwtKeysApiKey])
        );
        assert!(store.remove(&name).unwrap());
        assert!(store.get(&name).unwrap().is_none());
        assert!(store.get(&other).unwrap().is_some());
        assert!(!store.remove(&name).unwrap());
        store.delete(&name).unwrap(); // absent: fine
    }

    #[test]
    fn every_item_parses_back_from_its_account_suffix() {
        let items = Item::FIXED.into_iter().chain([
            Item::SavedToken("tok_1".into()),
            Item::PrivateKey("lk_2".into()),
            Item::ActivityLogKey,
            Item::ActivityLogHead,
        ]);
        for item in items {
            assert_eq!(Item::parse(&item.account_suffix()), Some(item));
        }
        assert_eq!(Item::parse("something-new"), None);
        // A profile's prefix never matches another profile's ("P" vs "P2").
        let accounts = [
            "P/vault-password".to_owned(),
            "P2/vault-password".to_owned(),
        ];
        assert_eq!(items_of("P", accounts.iter()), [Item::VaultPassword]);
    }
}
