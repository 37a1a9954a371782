//! The opt-in encrypted secrets file, for machines without a usable keychain.
//!
//! Key: Argon2id(passphrase, 16-byte random salt). Cipher: XChaCha20-Poly1305
//! with a fresh 24-byte nonce on every write. The plaintext (a JSON map of
//! account → value) exists only in memory, in zeroizing buffers, and only
//! for the length of one call: the store keeps the derived key, not the map.
//!
//! The app and the CLI may hold the same file open at once. Every write
//! takes an exclusive lock on `secrets.enc.lock` beside it
//! (`std::fs::File::lock`), re-reads and decrypts the file as it is now,
//! applies only its own change (one set or one delete) and writes the result
//! atomically before unlocking; every read takes a shared lock and reads the
//! file afresh. So concurrent writers lose nothing, and a deleted entry is
//! never brought back by a writer that had read it earlier.
//!
//! The Argon2 parameters a file names are bounded before any key is derived
//! ([`ARGON2_BOUNDS`]): a file cannot make the app spend gigabytes or hours,
//! nor weaken the key with a trivial cost.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};
use crate::fsutil::{write_private, FileLock};
use crate::secret::Secret;
use crate::secrets::{items_of, EntryName, Item, SecretBackend, SecretStore};

pub const FILE_NAME: &str = "secrets.enc";
/// The lock file beside it (empty; only locked).
pub const LOCK_FILE_NAME: &str = "secrets.enc.lock";

/// The Argon2id parameters a file may ask for, inclusive:
/// `(m_cost KiB, t_cost passes, p_cost lanes)` at least / at most.
/// The minimum is what this version writes (OWASP's 19 MiB, 2 passes, 1
/// lane); the maximum leaves room to raise it (1 GiB, 10 passes, 16 lanes).
pub const ARGON2_BOUNDS: ((u32, u32, u32), (u32, u32, u32)) =
    ((19 * 1024, 2, 1), (1024 * 1024, 10, 16));

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

type Plain = HashMap<String, Zeroizing<String>>;

pub struct EncryptedFileStore {
    path: PathBuf,
    lock_path: PathBuf,
    key: Zeroizing<[u8; 32]>,
    salt: [u8; 16],
    params: (u32, u32, u32),
}

fn derive_key(
    passphrase: &Secret,
    salt: &[u8],
    (m, t, p): (u32, u32, u32),
) -> Result<Zeroizing<[u8; 32]>> {
    check_params((m, t, p))?;
    let params = Params::new(m, t, p, Some(32))
        .map_err(|e| Error::internal(format!("argon2 params: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose().as_bytes(), salt, key.as_mut())
        .map_err(|e| Error::internal(format!("argon2: {e}")))?;
    Ok(key)
}

/// Refuses parameters outside [`ARGON2_BOUNDS`], before any work.
fn check_params((m, t, p): (u32, u32, u32)) -> Result<()> {
    let ((m_min, t_min, p_min), (m_max, t_max, p_max)) = ARGON2_BOUNDS;
    let ok = (m_min..=m_max).contains(&m)
        && (t_min..=t_max).contains(&t)
        && (p_min..=p_max).contains(&p);
    if ok {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::Io,
        format!(
            "The encrypted secrets file asks for Argon2id parameters this app does not accept \
             (memory {m} KiB, {t} passes, {p} lanes; accepted: {m_min}–{m_max} KiB, {t_min}–{t_max} \
             passes, {p_min}–{p_max} lanes). It was not written by Partner Portal, or it was \
             tampered with; no key was derived."
        ),
    ))
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

/// The file's envelope, checked: salt, nonce, ciphertext and parameters.
struct Sealed {
    salt: [u8; 16],
    params: (u32, u32, u32),
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

fn read_sealed(path: &Path) -> Result<Sealed> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new(
                ErrorCode::Io,
                format!("The encrypted secrets file {} is missing.", path.display()),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let env: Envelope = serde_json::from_str(&text).map_err(|e| corrupt(&e.to_string()))?;
    if env.version != 1 || env.kdf != "argon2id" {
        return Err(corrupt("unknown format version"));
    }
    let params = (env.m_cost, env.t_cost, env.p_cost);
    check_params(params)?;
    let salt: [u8; 16] = decode("salt", &env.salt)?
        .try_into()
        .map_err(|_| corrupt("bad salt"))?;
    let nonce = decode("nonce", &env.nonce)?;
    if nonce.len() != 24 {
        return Err(corrupt("bad nonce"));
    }
    Ok(Sealed {
        salt,
        params,
        nonce,
        ciphertext: decode("ciphertext", &env.ciphertext)?,
    })
}

fn open_sealed(key: &[u8; 32], sealed: &Sealed) -> Result<Plain> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let plain = cipher
        .decrypt(
            XNonce::from_slice(&sealed.nonce),
            sealed.ciphertext.as_slice(),
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
    Ok(map
        .into_iter()
        .map(|(k, v)| (k, Zeroizing::new(v)))
        .collect())
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
        let lock_path = dir.join(LOCK_FILE_NAME);
        let _lock = FileLock::take(&lock_path, true)?;
        if path.exists() {
            return Err(Error::config(format!("{} already exists", path.display())));
        }
        let mut salt = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        let key = derive_key(passphrase, &salt, Self::PARAMS)?;
        let store = Self {
            path,
            lock_path,
            key,
            salt,
            params: Self::PARAMS,
        };
        store.persist(&HashMap::new())?;
        Ok(store)
    }

    /// Opens and decrypts an existing file. A wrong passphrase is `secrets_locked`.
    pub fn unlock(dir: &Path, passphrase: &Secret) -> Result<Self> {
        let path = dir.join(FILE_NAME);
        let lock_path = dir.join(LOCK_FILE_NAME);
        let sealed = {
            let _lock = FileLock::take(&lock_path, false)?;
            read_sealed(&path)?
        };
        let key = derive_key(passphrase, &sealed.salt, sealed.params)?;
        open_sealed(&key, &sealed)?;
        Ok(Self {
            path,
            lock_path,
            key,
            salt: sealed.salt,
            params: sealed.params,
        })
    }

    /// The entries as the file holds them now (the caller holds the lock).
    fn current(&self) -> Result<Plain> {
        let sealed = read_sealed(&self.path)?;
        if sealed.salt != self.salt || sealed.params != self.params {
            return Err(Error::new(
                ErrorCode::SecretsLocked,
                "The encrypted secrets file was replaced since it was unlocked: enter its passphrase again.",
            ));
        }
        open_sealed(&self.key, &sealed)
    }

    /// Under the exclusive lock: re-reads the file, applies `change` to what
    /// it holds now, and writes it back when `change` says it changed.
    fn update<T>(&self, change: impl FnOnce(&mut Plain) -> (T, bool)) -> Result<T> {
        let _lock = FileLock::take(&self.lock_path, true)?;
        let mut entries = self.current()?;
        let (out, changed) = change(&mut entries);
        if changed {
            self.persist(&entries)?;
        }
        Ok(out)
    }

    fn read(&self) -> Result<Plain> {
        let _lock = FileLock::take(&self.lock_path, false)?;
        self.current()
    }

    fn persist(&self, entries: &Plain) -> Result<()> {
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
        Ok(self
            .read()?
            .get(&name.account())
            .map(|v| Secret::new(v.as_str())))
    }

    fn set(&self, name: &EntryName, value: &Secret) -> Result<()> {
        self.update(|entries| {
            entries.insert(name.account(), Zeroizing::new(value.expose().to_owned()));
            ((), true)
        })
    }

    fn delete(&self, name: &EntryName) -> Result<()> {
        self.remove(name).map(|_| ())
    }

    fn remove(&self, name: &EntryName) -> Result<bool> {
        self.update(|entries| {
            let existed = entries.remove(&name.account()).is_some();
            (existed, existed)
        })
    }

    fn profile_items(&self, profile: &str) -> Result<Option<Vec<Item>>> {
        Ok(Some(items_of(profile, self.read()?.keys())))
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

    fn pair() -> (tempfile::TempDir, EncryptedFileStore, EncryptedFileStore) {
        let dir = tempfile::tempdir().unwrap();
        let pass = Secret::new("correct horse battery");
        let app = EncryptedFileStore::create(dir.path(), &pass).unwrap();
        let cli = EncryptedFileStore::unlock(dir.path(), &pass).unwrap();
        (dir, app, cli)
    }

    fn entry(n: &str) -> EntryName {
        EntryName::new("P", Item::SavedToken(n.into()))
    }

    fn value(store: &EncryptedFileStore, n: &str) -> Option<String> {
        store.get(&entry(n)).unwrap().map(|s| s.expose().to_owned())
    }

    #[test]
    fn two_writers_lose_nothing_and_resurrect_nothing() {
        let (dir, app, cli) = pair();
        app.set(&entry("a"), &Secret::new("1")).unwrap();
        cli.set(&entry("b"), &Secret::new("2")).unwrap();
        // The CLI's write kept the app's entry, and each sees the other's.
        assert_eq!(value(&app, "b").as_deref(), Some("2"));
        assert_eq!(value(&cli, "a").as_deref(), Some("1"));
        // The app deletes "a"; the CLI then writes something else: "a" stays deleted.
        app.delete(&entry("a")).unwrap();
        cli.set(&entry("c"), &Secret::new("3")).unwrap();
        app.set(&entry("b"), &Secret::new("2b")).unwrap();
        let reopened =
            EncryptedFileStore::unlock(dir.path(), &Secret::new("correct horse battery")).unwrap();
        assert_eq!(value(&reopened, "a"), None);
        assert_eq!(value(&reopened, "b").as_deref(), Some("2b"));
        assert_eq!(value(&reopened, "c").as_deref(), Some("3"));
        // Removing an absent entry says so and leaves the rest alone.
        assert!(!cli.remove(&entry("a")).unwrap());
        assert!(cli.remove(&entry("c")).unwrap());
        assert_eq!(value(&app, "c"), None);
    }

    #[test]
    fn concurrent_writers_on_two_threads_keep_every_entry() {
        let (_dir, app, cli) = pair();
        let n = 12;
        std::thread::scope(|s| {
            for (who, store) in [("app", &app), ("cli", &cli)] {
                s.spawn(move || {
                    for i in 0..n {
                        store
                            .set(&entry(&format!("{who}{i}")), &Secret::new("v"))
                            .unwrap();
                        if i % 3 == 2 {
                            store.delete(&entry(&format!("{who}{}", i - 1))).unwrap();
                        }
                    }
                });
            }
        });
        let items = app.profile_items("P").unwrap().unwrap();
        for who in ["app", "cli"] {
            for i in 0..n {
                let deleted = i % 3 == 1;
                assert_eq!(
                    items.contains(&Item::SavedToken(format!("{who}{i}"))),
                    !deleted,
                    "{who}{i}"
                );
            }
        }
    }

    /// Rewrites the file's Argon2 parameters.
    fn with_params(dir: &Path, m: u32, t: u32, p: u32) {
        let path = dir.join(FILE_NAME);
        let mut env: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        env["m_cost"] = m.into();
        env["t_cost"] = t.into();
        env["p_cost"] = p.into();
        std::fs::write(&path, env.to_string()).unwrap();
    }

    #[test]
    fn argon2_parameters_out_of_bounds_are_refused_before_deriving() {
        let dir = tempfile::tempdir().unwrap();
        let pass = Secret::new("correct horse battery");
        EncryptedFileStore::create(dir.path(), &pass).unwrap();
        for (m, t, p) in [
            (4 * 1024 * 1024, 2, 1), // 4 GiB
            (19 * 1024, 1_000_000, 1),
            (19 * 1024, 2, 255),
            (8, 1, 1), // trivial
        ] {
            with_params(dir.path(), m, t, p);
            let started = std::time::Instant::now();
            let err = EncryptedFileStore::unlock(dir.path(), &pass).err().unwrap();
            assert_eq!(err.code, ErrorCode::Io, "({m}, {t}, {p})");
            assert!(
                err.message.contains("Argon2id parameters") && err.message.contains(&m.to_string()),
                "{}",
                err.message
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
        // Back within bounds, it opens again.
        with_params(dir.path(), 19 * 1024, 2, 1);
        EncryptedFileStore::unlock(dir.path(), &pass).unwrap();
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
