//! Removing a profile, and everything it owns: its credentials, its vault
//! session, the token values saved after a reveal and its private signing
//! keys in the secret store, then their indexes in the settings file, then
//! the profile itself. The app's `remove_profile` command and the CLI's
//! `portal profile remove` both call [`remove_profile`].
//!
//! The items are found by name: the fixed ones every profile may hold, the
//! ids in the settings file's indexes (`savedTokens`, `localKeys`), and,
//! when the store can list its entries (the encrypted file, memory), every
//! entry under `<profile>/`. The OS keychain cannot be listed through
//! `keyring`, so there an item no index names (none is written that way)
//! would stay.
//!
//! Nothing is removed while the store cannot be used (a locked encrypted
//! file, an unavailable keychain): a profile removed without its secrets
//! would leave them behind for the next profile of the same name.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::local_keys;
use crate::profiles::{KeyValueStore, Profiles};
use crate::secrets::{EntryName, Item, SecretStore};
use crate::token_records::TokenRecords;

/// Settings key: profile name → the signing panel's watch/embed/HLS URL
/// templates (written by the app's keys commands).
pub const VIDEO_URL_TEMPLATES: &str = "videoUrlTemplates";

/// What removing a profile deleted from the secret store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RemovedProfile {
    pub profile: String,
    /// Where the items were deleted from (e.g. "Secret Service (GNOME Keyring / KWallet)").
    pub store: String,
    /// VaultStream token, JWT keys API key, vault password.
    pub credentials: u32,
    /// Vault access and refresh tokens.
    pub session_tokens: u32,
    /// Token values saved after their one-time reveal.
    pub saved_tokens: u32,
    /// Private signing keys.
    pub private_keys: u32,
    /// One sentence for the user, e.g. "Removed profile 'Prod' and, from
    /// the …: 2 credentials, 3 saved tokens, 1 private key."
    pub summary: String,
}

fn count(n: u32, one: &str, many: &str) -> Option<String> {
    match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    }
}

impl RemovedProfile {
    /// "2 credentials, 1 vault session token, 3 saved tokens, 1 private key",
    /// or "nothing" when the store held none.
    pub fn items(&self) -> String {
        let parts: Vec<String> = [
            count(self.credentials, "credential", "credentials"),
            count(
                self.session_tokens,
                "vault session token",
                "vault session tokens",
            ),
            count(self.saved_tokens, "saved token", "saved tokens"),
            count(self.private_keys, "private key", "private keys"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "nothing".to_owned()
        } else {
            parts.join(", ")
        }
    }

    fn describe(&self) -> String {
        if self.items() == "nothing" {
            format!(
                "Removed profile '{}'; the {} held nothing of it.",
                self.profile, self.store
            )
        } else {
            format!(
                "Removed profile '{}' and, from the {}: {}.",
                self.profile,
                self.store,
                self.items()
            )
        }
    }

    fn tally(&mut self, item: &Item) {
        match item {
            Item::VaultStreamToken
            | Item::JwtKeysApiKey
            | Item::VaultPassword
            | Item::SandboxVaultPassword => self.credentials += 1,
            Item::VaultAccessToken | Item::VaultRefreshToken => self.session_tokens += 1,
            Item::SavedToken(_) => self.saved_tokens += 1,
            Item::PrivateKey(_) => self.private_keys += 1,
            Item::ActivityLogKey | Item::ActivityLogHead => {}
        }
    }
}

fn refused(name: &str, e: Error) -> Error {
    let message = format!(
        "Profile '{name}' was not removed: its stored secrets cannot be deleted while the secret \
         store cannot be used ({}). Nothing was removed.",
        e.message
    );
    Error {
        message,
        hint: Some(
            "Unlock the secret store (Settings → Secrets, or the passphrase prompt), then remove \
             the profile again."
                .to_owned(),
        ),
        ..e
    }
}

/// Every item of `profile` to delete: the fixed ones, the indexed saved
/// tokens and private keys, and whatever else the store lists for it.
fn owned_items(
    settings: &dyn KeyValueStore,
    secrets: &dyn SecretStore,
    profile: &str,
) -> Result<Vec<Item>> {
    let mut items: Vec<Item> = Item::FIXED.to_vec();
    items.extend(
        TokenRecords::new(settings)
            .saved(profile)
            .into_iter()
            .map(|s| Item::SavedToken(s.id)),
    );
    items.extend(
        local_keys::indexed(settings, profile)
            .into_iter()
            .map(|k| Item::PrivateKey(k.local_id)),
    );
    if let Some(listed) = secrets.profile_items(profile)? {
        // The app-wide entries are no profile's (no profile has their scope's name).
        items.extend(
            listed
                .into_iter()
                .filter(|i| !matches!(i, Item::ActivityLogKey | Item::ActivityLogHead)),
        );
    }
    let mut unique = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    Ok(unique)
}

/// Removes profile `name` and everything it owns (see the module docs).
/// `secrets` is the store as the shell has it: an error there (locked,
/// unavailable) refuses the removal before anything is touched, as does a
/// store that fails its first read.
pub fn remove_profile(
    settings: &dyn KeyValueStore,
    secrets: Result<Arc<dyn SecretStore>>,
    name: &str,
) -> Result<RemovedProfile> {
    let profiles = Profiles::new(settings);
    let profile = profiles.get(name)?;
    let secrets = secrets.map_err(|e| refused(name, e))?;
    // Proves the store answers (a keychain connected lazily, a file that
    // needs its passphrase) before the first deletion.
    secrets
        .get(&EntryName::new(
            profile.name.as_str(),
            Item::VaultStreamToken,
        ))
        .map_err(|e| refused(name, e))?;
    let mut removed = RemovedProfile {
        profile: profile.name.clone(),
        store: secrets.backend().describe().to_owned(),
        ..RemovedProfile::default()
    };
    for item in owned_items(settings, secrets.as_ref(), &profile.name)? {
        if secrets.remove(&EntryName::new(profile.name.as_str(), item.clone()))? {
            removed.tally(&item);
        }
    }
    TokenRecords::new(settings).forget_profile(&profile.name)?;
    crate::key_records::KeyRecords::new(settings).forget_profile(&profile.name)?;
    local_keys::forget_index(settings, &profile.name)?;
    if let Some(Value::Object(mut all)) = settings.get(VIDEO_URL_TEMPLATES) {
        if all.remove(&profile.name).is_some() {
            settings.set(VIDEO_URL_TEMPLATES, Value::Object(all))?;
        }
    }
    profiles.remove(&profile.name)?;
    removed.summary = removed.describe();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ProfileContext;
    use crate::error::ErrorCode;
    use crate::http::HttpConfig;
    use crate::keypair::PrivateKey;
    use crate::local_keys::LocalKeys;
    use crate::profiles::{Environment, Profile, SettingsFile, SETTINGS_FILE};
    use crate::secret::Secret;
    use crate::secrets::{MemoryStore, SecretBackend};
    use crate::token_records::SavedToken;

    const KEY_PEM: &str = include_str!("../tests/fixtures/rsa2048_pkcs8.pem");

    fn settings() -> (tempfile::TempDir, SettingsFile) {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
        (dir, f)
    }

    fn context(name: &str, store: Arc<dyn SecretStore>) -> ProfileContext {
        ProfileContext::new(
            Profile::new(name, Environment::Staging),
            store,
            HttpConfig::default(),
        )
        .unwrap()
    }

    /// A profile with two credentials, a vault session, one saved token
    /// and one private key.
    fn populated(settings: &SettingsFile, store: &Arc<dyn SecretStore>, name: &str) {
        Profiles::new(settings)
            .add(Profile::new(name, Environment::Staging))
            .unwrap();
        let ctx = context(name, store.clone());
        ctx.store(Item::VaultStreamToken, &Secret::new("vst_live_a"))
            .unwrap();
        ctx.store(Item::JwtKeysApiKey, &Secret::new("jk_b"))
            .unwrap();
        ctx.store(Item::VaultAccessToken, &Secret::new("eyJ.access"))
            .unwrap();
        ctx.store(
            Item::SavedToken("tok_1".into()),
            &Secret::new("vst_live_saved"),
        )
        .unwrap();
        TokenRecords::new(settings)
            .add_saved(SavedToken {
                profile: name.into(),
                id: "tok_1".into(),
                name: "CI".into(),
                scopes: vec![],
                saved_at: chrono::Utc::now(),
            })
            .unwrap();
        LocalKeys::new(settings, &ctx)
            .add(
                "signer",
                &PrivateKey::from_pem(&Secret::new(KEY_PEM)).unwrap(),
            )
            .unwrap();
    }

    #[test]
    fn a_profile_of_the_same_name_inherits_nothing() {
        let (_dir, f) = settings();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        populated(&f, &store, "Prod");
        populated(&f, &store, "Other");
        let key_id = local_keys::indexed(&f, "Prod")[0].local_id.clone();

        let removed = remove_profile(&f, Ok(store.clone()), "Prod").unwrap();
        assert_eq!(
            (
                removed.credentials,
                removed.session_tokens,
                removed.saved_tokens,
                removed.private_keys
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(
            removed.summary,
            "Removed profile 'Prod' and, from the Memory only (nothing is kept): \
             2 credentials, 1 vault session token, 1 saved token, 1 private key."
        );

        Profiles::new(&f)
            .add(Profile::new("Prod", Environment::Production))
            .unwrap();
        let ctx = context("Prod", store.clone());
        assert!(LocalKeys::new(&f, &ctx).list().is_empty());
        assert!(ctx.stored(Item::PrivateKey(key_id)).unwrap().is_none());
        assert!(TokenRecords::new(&f).saved("Prod").is_empty());
        assert!(ctx
            .stored(Item::SavedToken("tok_1".into()))
            .unwrap()
            .is_none());
        for item in Item::FIXED {
            assert!(ctx.stored(item).unwrap().is_none());
        }
        // The other profile keeps everything.
        assert_eq!(local_keys::indexed(&f, "Other").len(), 1);
        assert_eq!(TokenRecords::new(&f).saved("Other").len(), 1);
        assert!(context("Other", store)
            .stored(Item::VaultStreamToken)
            .unwrap()
            .is_some());
    }

    #[test]
    fn an_item_no_index_names_goes_too_where_the_store_can_list() {
        let (_dir, f) = settings();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        Profiles::new(&f)
            .add(Profile::new("P", Environment::Other))
            .unwrap();
        // A key whose index entry was lost.
        let orphan = EntryName::new("P", Item::PrivateKey("lk_orphan".into()));
        store.set(&orphan, &Secret::new("pem")).unwrap();
        let removed = remove_profile(&f, Ok(store.clone()), "P").unwrap();
        assert_eq!(removed.private_keys, 1);
        assert!(store.get(&orphan).unwrap().is_none());
        assert_eq!(removed.items(), "1 private key");
    }

    /// A store that cannot be used: every call fails as a locked file does.
    struct Locked;
    impl SecretStore for Locked {
        fn backend(&self) -> SecretBackend {
            SecretBackend::EncryptedFile
        }
        fn get(&self, _: &EntryName) -> Result<Option<Secret>> {
            Err(Error::new(ErrorCode::SecretsLocked, "locked"))
        }
        fn set(&self, _: &EntryName, _: &Secret) -> Result<()> {
            Err(Error::new(ErrorCode::SecretsLocked, "locked"))
        }
        fn delete(&self, _: &EntryName) -> Result<()> {
            Err(Error::new(ErrorCode::SecretsLocked, "locked"))
        }
    }

    #[test]
    fn a_locked_store_refuses_and_nothing_is_removed() {
        let (_dir, f) = settings();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        populated(&f, &store, "Prod");
        for secrets in [
            Err(Error::new(ErrorCode::SecretsLocked, "The file is locked.")),
            Ok(Arc::new(Locked) as Arc<dyn SecretStore>),
        ] {
            let err = remove_profile(&f, secrets, "Prod").unwrap_err();
            assert_eq!(err.code, ErrorCode::SecretsLocked);
            assert!(err.message.contains("was not removed"), "{}", err.message);
        }
        assert!(Profiles::new(&f).get("Prod").is_ok());
        assert_eq!(local_keys::indexed(&f, "Prod").len(), 1);
        assert_eq!(TokenRecords::new(&f).saved("Prod").len(), 1);
        let ctx = context("Prod", store);
        assert!(ctx.stored(Item::VaultStreamToken).unwrap().is_some());
    }

    #[test]
    fn an_empty_profile_says_so() {
        let (_dir, f) = settings();
        Profiles::new(&f)
            .add(Profile::new("Empty", Environment::Other))
            .unwrap();
        let removed = remove_profile(&f, Ok(Arc::new(MemoryStore::default())), "Empty").unwrap();
        assert_eq!(removed.items(), "nothing");
        assert!(
            removed.summary.contains("held nothing"),
            "{}",
            removed.summary
        );
        assert!(remove_profile(&f, Ok(Arc::new(MemoryStore::default())), "Empty").is_err());
    }
}
