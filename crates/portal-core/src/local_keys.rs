//! The private keys kept on this machine, per profile.
//!
//! The PEM (PKCS#8) lives only in the secret store, as
//! `Item::PrivateKey(local_id)` of the profile. The settings file keeps a
//! non-secret index under `localKeys` → profile name → list of
//! [`LocalKey`]: name, size, fingerprints, and the id of the uploaded
//! public half (`None` = not uploaded yet).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::context::ProfileContext;
use crate::error::{Error, ErrorCode, Result};
use crate::jwt_keys::{JwtKey, JwtKeysClient};
use crate::keypair::{pairs_with, Fingerprints, PrivateKey, PublicKey};
use crate::profiles::{readable_items, KeyValueStore};
use crate::secrets::Item;

const KEY_INDEX: &str = "localKeys";

/// One private key kept here (its metadata; the PEM is in the secret store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalKey {
    /// `lk_` + 32 hex digits; names the secret-store entry.
    pub local_id: String,
    pub name: String,
    pub bits: usize,
    /// SPKI SHA-256 (hex and base64url) and RFC 7638 JWK thumbprint.
    pub fingerprints: Fingerprints,
    pub created: DateTime<Utc>,
    /// The JWT key id the public half was uploaded as; `None`: not uploaded.
    pub server_key_id: Option<String>,
}

impl LocalKey {
    pub fn is_uploaded(&self) -> bool {
        self.server_key_id.is_some()
    }
}

fn index(settings: &dyn KeyValueStore) -> HashMap<String, Value> {
    settings
        .get(KEY_INDEX)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// The local keys indexed for `profile` (without a [`ProfileContext`]).
pub fn indexed(settings: &dyn KeyValueStore, profile: &str) -> Vec<LocalKey> {
    readable_items(index(settings).remove(profile))
}

/// Drops `profile`'s whole index (its private keys are the caller's to
/// delete first: see `profile_secrets::remove_profile`).
pub fn forget_index(settings: &dyn KeyValueStore, profile: &str) -> Result<()> {
    let mut all = index(settings);
    if all.remove(profile).is_some() {
        let v = serde_json::to_value(all).map_err(|e| Error::internal(e.to_string()))?;
        settings.set(KEY_INDEX, v)?;
    }
    Ok(())
}

/// The profile's local keys: the index in `settings`, the PEMs in the
/// profile's secret store.
pub struct LocalKeys<'a> {
    settings: &'a dyn KeyValueStore,
    ctx: &'a ProfileContext,
}

impl<'a> LocalKeys<'a> {
    pub fn new(settings: &'a dyn KeyValueStore, ctx: &'a ProfileContext) -> Self {
        Self { settings, ctx }
    }

    fn profile(&self) -> &str {
        &self.ctx.profile.name
    }

    fn all_profiles(&self) -> HashMap<String, Value> {
        index(self.settings)
    }

    /// This profile's keys, oldest first (entries this version cannot read are skipped).
    pub fn list(&self) -> Vec<LocalKey> {
        indexed(self.settings, self.profile())
    }

    fn save_list(&self, keys: &[LocalKey]) -> Result<()> {
        let mut all = self.all_profiles();
        let v = serde_json::to_value(keys).map_err(|e| Error::internal(e.to_string()))?;
        all.insert(self.profile().to_owned(), v);
        let v = serde_json::to_value(all).map_err(|e| Error::internal(e.to_string()))?;
        self.settings.set(KEY_INDEX, v)
    }

    pub fn get(&self, local_id: &str) -> Result<LocalKey> {
        self.list()
            .into_iter()
            .find(|k| k.local_id == local_id)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!("No local key {local_id} in profile '{}'.", self.profile()),
                )
            })
    }

    /// The local key whose public half was uploaded as `server_key_id`.
    pub fn find_by_server_id(&self, server_key_id: &str) -> Option<LocalKey> {
        self.list()
            .into_iter()
            .find(|k| k.server_key_id.as_deref() == Some(server_key_id))
    }

    /// Keeps `key` in the secret store first, then indexes it (not uploaded).
    /// If the secret store refuses, nothing is indexed.
    pub fn add(&self, name: &str, key: &PrivateKey) -> Result<LocalKey> {
        let fingerprints = key.public_key().fingerprints()?;
        let local = LocalKey {
            local_id: format!("lk_{}", uuid::Uuid::new_v4().simple()),
            name: name.to_owned(),
            bits: key.bits(),
            fingerprints,
            created: Utc::now(),
            server_key_id: None,
        };
        self.ctx.store(
            Item::PrivateKey(local.local_id.clone()),
            &key.to_pkcs8_pem()?,
        )?;
        let mut keys = self.list();
        keys.push(local.clone());
        if let Err(e) = self.save_list(&keys) {
            let _ = self.ctx.forget(Item::PrivateKey(local.local_id.clone()));
            return Err(e);
        }
        Ok(local)
    }

    /// Records that the public half was uploaded as `server_key_id`.
    pub fn link(&self, local_id: &str, server_key_id: &str) -> Result<LocalKey> {
        let mut keys = self.list();
        let key = keys
            .iter_mut()
            .find(|k| k.local_id == local_id)
            .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("No local key {local_id}.")))?;
        key.server_key_id = Some(server_key_id.to_owned());
        let linked = key.clone();
        self.save_list(&keys)?;
        Ok(linked)
    }

    /// Uploads the public half of local key `local_id` (never retried) and
    /// links it. The private key was kept before anything is sent, so when
    /// the upload fails it stays here, indexed as not uploaded, and the
    /// error's hint says so.
    pub async fn upload(
        &self,
        local_id: &str,
        client: &JwtKeysClient<'_>,
    ) -> Result<(JwtKey, LocalKey)> {
        let local = self.get(local_id)?;
        let public = self.private_key(local_id)?.public_key();
        match client.create(&local.name, &public.to_pem()?).await {
            Ok(server) => {
                let linked = self.link(local_id, &server.id)?;
                Ok((server, linked))
            }
            Err(e) => {
                let kept = format!(
                    "The private key is kept on this machine as local key {local_id} ({}), marked not uploaded.",
                    self.ctx.secrets.backend().describe()
                );
                let hint = match &e.hint {
                    Some(h) => format!("{h} {kept}"),
                    None => kept,
                };
                Err(e.with_hint(hint))
            }
        }
    }

    /// The private key, read back from the secret store and checked against
    /// the fingerprint indexed with it.
    pub fn private_key(&self, local_id: &str) -> Result<PrivateKey> {
        let local = self.get(local_id)?;
        let pem = self
            .ctx
            .stored(Item::PrivateKey(local_id.to_owned()))?
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!(
                        "The private key of local key {local_id} ('{}') is missing from the {}.",
                        local.name,
                        self.ctx.secrets.backend().describe()
                    ),
                )
            })?;
        let key = PrivateKey::from_pem(&pem)?;
        if key.public_key().fingerprints()? != local.fingerprints {
            return Err(Error::internal(format!(
                "The stored private key of local key {local_id} does not match its fingerprint."
            )));
        }
        Ok(key)
    }

    /// Deletes the private key from the secret store, then its index entry.
    pub fn remove(&self, local_id: &str) -> Result<LocalKey> {
        let local = self.get(local_id)?;
        self.ctx.forget(Item::PrivateKey(local_id.to_owned()))?;
        let keys: Vec<LocalKey> = self
            .list()
            .into_iter()
            .filter(|k| k.local_id != local_id)
            .collect();
        self.save_list(&keys)?;
        Ok(local)
    }
}

/// Whether a key can sign here and verify there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Pairing {
    /// Uploaded, and its private half is on this machine.
    Paired,
    /// Uploaded, but no private half here.
    NoPrivateKeyHere,
    /// A private key here whose public half is not (or no longer) uploaded.
    NotUploaded,
    /// A private key here; whether its public half is uploaded is not known
    /// (the JWT keys API did not answer).
    Unchecked,
}

impl Pairing {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Paired => "paired",
            Self::NoPrivateKeyHere => "no private key here",
            Self::NotUploaded => "local key not uploaded",
            Self::Unchecked => "not checked (the JWT keys API did not answer)",
        }
    }
}

/// One row of the keys list: a server key, a local key, or both.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyStatus {
    pub server: Option<JwtKey>,
    pub local: Option<LocalKey>,
    /// From the server's `public_key` (or the local index); `None` when the
    /// server's PEM cannot be read.
    pub fingerprints: Option<Fingerprints>,
    pub pairing: Pairing,
}

impl KeyStatus {
    pub fn name(&self) -> &str {
        self.server
            .as_ref()
            .map(|s| s.name.as_str())
            .or(self.local.as_ref().map(|l| l.name.as_str()))
            .unwrap_or_default()
    }
}

/// Fingerprints of a server key's PEM, if it can be read.
pub fn server_fingerprints(key: &JwtKey) -> Option<Fingerprints> {
    PublicKey::from_pem(&key.public_key)
        .ok()?
        .fingerprints()
        .ok()
}

/// The local keys alone, when the server's list could not be read: each
/// is [`Pairing::Unchecked`].
pub fn unchecked(local: &[LocalKey]) -> Vec<KeyStatus> {
    local
        .iter()
        .map(|l| KeyStatus {
            server: None,
            local: Some(l.clone()),
            fingerprints: Some(l.fingerprints.clone()),
            pairing: Pairing::Unchecked,
        })
        .collect()
}

/// Matches server keys with local keys: by the linked id, else by
/// fingerprint (the same key imported here). Local keys that match no
/// server key come last, as not uploaded.
pub fn pairings(server: &[JwtKey], local: &[LocalKey]) -> Vec<KeyStatus> {
    let mut used = vec![false; local.len()];
    let mut rows: Vec<KeyStatus> = server
        .iter()
        .map(|s| {
            let fingerprints = server_fingerprints(s);
            let matched = local.iter().enumerate().position(|(i, l)| {
                !used[i]
                    && (l.server_key_id.as_deref() == Some(s.id.as_str())
                        || fingerprints
                            .as_ref()
                            .is_some_and(|f| f.sha256 == l.fingerprints.sha256))
            });
            if let Some(i) = matched {
                used[i] = true;
            }
            KeyStatus {
                server: Some(s.clone()),
                local: matched.map(|i| local[i].clone()),
                fingerprints,
                pairing: if matched.is_some() {
                    Pairing::Paired
                } else {
                    Pairing::NoPrivateKeyHere
                },
            }
        })
        .collect();
    rows.extend(
        local
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(l, _)| KeyStatus {
                server: None,
                local: Some(l.clone()),
                fingerprints: Some(l.fingerprints.clone()),
                pairing: Pairing::NotUploaded,
            }),
    );
    rows
}

/// Whether `private` is the other half of `server`'s public key.
pub fn pairs_with_server(private: &PrivateKey, server: &JwtKey) -> Result<bool> {
    let public = PublicKey::from_pem(&server.public_key)?;
    Ok(pairs_with(private, &public))
}
