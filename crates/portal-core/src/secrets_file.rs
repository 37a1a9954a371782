//! The opt-in encrypted secrets file, for machines without a usable keychain.
//!
//! Key: Argon2id(passphrase, 16-byte random salt). Cipher: XChaCha20-Poly1305
//! with a fresh 24-byte nonce on every write. The plaintext (a JSON map of
//! account → value) exists only in memory, in zeroizing buffers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};
use crate::fsutil::write_private;
use crate::secret::Secret;
use crate::secrets::{lock, EntryName, SecretBackend, SecretStore};

pub const FILE_NAME: &str = "secrets.enc";

#[derive(Serialize, Deserialize)]
struct Envelope {
    version: u32,
    kdf: String,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
    nonce: String,
    ciphertext: String,
}

pub struct EncryptedFileStore {
    path: PathBuf,
    key: Zeroizing<[u8; 32]>,
    salt: [u8; 16],
    params: (u32, u32, u32),
    entries: Mutex<HashMap<String, Zeroizing<String>>>,
}

fn derive_key(
    passphrase: &Secret,
    salt: &[u8],
    (m, t, p): (u32, u32, u32),
) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(m, t, p, Some(32))
        .map_err(|e| Error::internal(format!("argon2 params: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose().as_bytes(), salt, key.as_mut())
        .map_err(|e| Error::internal(format!("argon2: {e}")))?;
    Ok(key)
}

fn decode(field: &str, value: &str) -> Result<Vec<u8>> {
    B64.decode(value)
        .map_err(|_| corrupt(&format!("{field} is not base64")))
}

fn corrupt(why: &str) -> Error {
    Error::new(
        ErrorCode::Io,
        format!("The encrypted secrets file is damaged: {why}"),
    )
}

impl EncryptedFileStore {
    /// OWASP's Argon2id recommendation (19 MiB, 2 passes, 1 lane).
    const PARAMS: (u32, u32, u32) = (19 * 1024, 2, 1);

    pub fn exists(dir: &Path) -> bool {
        dir.join(FILE_NAME).exists()
    }

    /// Creates a new, empty file. Refuses to overwrite an existing one.
    pub fn create(dir: &Path, passphrase: &Secret) -> Result<Self> {
        if passphrase.expose().chars().count() < 8 {
            return Err(Error::validation(
                "The passphrase needs at least 8 characters.",
            ));
        }
        let path = dir.join(FILE_NAME);
        if path.exists() {
            return Err(Error::config(format!("{} already exists", path.display())));
        }
        let mut salt = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        let key = derive_key(passphrase, &salt, Self::PARAMS)?;
        let store = Self {
            path,
            key,
            salt,
            params: Self::PARAMS,
            entries: Mutex::default(),
        };
        store.persist(&HashMap::new())?;
        Ok(store)
    }

    /// Opens and decrypts an existing file. A wrong passphrase is `secrets_locked`.
    pub fn unlock(dir: &Path, passphrase: &Secret) -> Result<Self> {
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path)?;
        let env: Envelope = serde_json::from_str(&text).map_err(|e| corrupt(&e.to_string()))?;
        if env.version != 1 || env.kdf != "argon2id" {
            return Err(corrupt("unknown format version"));
        }
        let salt: [u8; 16] = decode("salt", &env.salt)?
            .try_into()
            .map_err(|_| corrupt("bad salt"))?;
        let nonce = decode("nonce", &env.nonce)?;
        if nonce.len() != 24 {
            return Err(corrupt("bad nonce"));
        }
        let params = (env.m_cost, env.t_cost, env.p_cost);
        let key = derive_key(passphrase, &salt, params)?;
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let plain = cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                decode("ciphertext", &env.ciphertext)?.as_slice(),
            )
            .map(Zeroizing::new)
            .map_err(|_| {
                Error::new(
                    ErrorCode::SecretsLocked,
                    "Wrong passphrase for the encrypted secrets file.",
                )
            })?;
        let map: HashMap<String, String> =
            serde_json::from_slice(&plain).map_err(|e| corrupt(&e.to_string()))?;
        let entries = map
            .into_iter()
            .map(|(k, v)| (k, Zeroizing::new(v)))
            .collect();
        Ok(Self {
            path,
            key,
            salt,
            params,
            entries: Mutex::new(entries),
        })
    }

    fn persist(&self, entries: &HashMap<String, Zeroizing<String>>) -> Result<()> {
        let plain: HashMap<&str, &str> = entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let plain =
            Zeroizing::new(serde_json::to_vec(&plain).map_err(|e| Error::internal(e.to_string()))?);
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(self.key.as_ref().into());
        let ciphertext = cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_slice())
            .map_err(|_| Error::internal("encryption failed"))?;
        let env = Envelope {
            version: 1,
            kdf: "argon2id".into(),
            m_cost: self.params.0,
            t_cost: self.params.1,
            p_cost: self.params.2,
            salt: B64.encode(self.salt),
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        };
        let text = serde_json::to_vec_pretty(&env).map_err(|e| Error::internal(e.to_string()))?;
        write_private(&self.path, &text)
    }
}

impl SecretStore for EncryptedFileStore {
    fn backend(&self) -> SecretBackend {
        SecretBackend::EncryptedFile
    }

    fn get(&self, name: &EntryName) -> Result<Option<Secret>> {
        Ok(lock(&self.entries)?
            .get(&name.account())
            .map(|v| Secret::new(v.as_str())))
    }

    fn set(&self, name: &EntryName, value: &Secret) -> Result<()> {
        let mut entries = lock(&self.entries)?;
        entries.insert(name.account(), Zeroizing::new(value.expose().to_owned()));
        self.persist(&entries)
    }

    fn delete(&self, name: &EntryName) -> Result<()> {
        let mut entries = lock(&self.entries)?;
        if entries.remove(&name.account()).is_some() {
            self.persist(&entries)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Item;

    #[test]
    fn round_trip_survives_reopen_and_holds_no_plaintext() {
        let dir = tempfile::tempdir().unwrap();
        let pass = Secret::new("correct horse battery");
        let name = EntryName::new("Prod", Item::VaultStreamToken);
        {
            let store = EncryptedFileStore::create(dir.path(), &pass).unwrap();
            store
                .set(&name, &Secret::new("vst_live_topsecretvalue"))
                .unwrap();
        }
        let raw = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert!(!raw.contains("topsecret"));
        assert!(!raw.contains("Prod/"));
        let store = EncryptedFileStore::unlock(dir.path(), &pass).unwrap();
        assert_eq!(
            store.get(&name).unwrap().unwrap().expose(),
            "vst_live_topsecretvalue"
        );
        store.delete(&name).unwrap();
        let again = EncryptedFileStore::unlock(dir.path(), &pass).unwrap();
        assert!(again.get(&name).unwrap().is_none());
    }

    #[test]
    fn wrong_passphrase_is_secrets_locked() {
        let dir = tempfile::tempdir().unwrap();
        EncryptedFileStore::create(dir.path(), &Secret::new("first passphrase")).unwrap();
        let err = EncryptedFileStore::unlock(dir.path(), &Secret::new("other passphrase"))
            .err()
            .unwrap();
        assert_eq!(err.code, ErrorCode::SecretsLocked);
    }

    #[test]
    fn short_passphrase_and_overwrite_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = EncryptedFileStore::create(dir.path(), &Secret::new("short"))
            .err()
            .unwrap();
        assert_eq!(err.code, ErrorCode::Validation);
        EncryptedFileStore::create(dir.path(), &Secret::new("long enough")).unwrap();
        assert!(EncryptedFileStore::create(dir.path(), &Secret::new("long enough")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn file_is_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        EncryptedFileStore::create(dir.path(), &Secret::new("long enough")).unwrap();
        let mode = std::fs::metadata(dir.path().join(FILE_NAME))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
