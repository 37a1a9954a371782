//! The local activity log: every change made from the portal (app or CLI),
//! appended to `activity.jsonl` in the data directory. No secrets: ids,
//! names and a one-line summary.
//!
//! Entries are chained: each holds the previous entry's hash and its own,
//! computed over the previous hash and its content. Where the secret store
//! can keep a key (the OS keychain, the encrypted file), the hash is an
//! HMAC-SHA256 under a random 32-byte key kept there (`_portal/activity-log-key`),
//! and every keyed append also records the log's head there — its entry
//! count and last hash (`_portal/activity-log-head`). Where it cannot (no
//! keychain: headless machines, CI; the memory store), entries are still
//! recorded, with a plain SHA-256 (`keyed: false`), and [`ActivityLog::read`]
//! says so. Logs written before keyed entries existed read as `unkeyed`
//! (legacy), never as broken. Appends take an exclusive lock on
//! `activity.jsonl.lock`, so the app and the CLI never fork the chain.
//!
//! What is detected: with the key, any edited, removed, inserted or
//! reordered entry (the MAC covers the previous hash, so unkeyed entries
//! written before a keyed one are covered too), a cut tail or a deleted file
//! (the recorded count and last hash), and a keyed log rewritten as an
//! unkeyed one (the head no longer matches). Without the key: edits,
//! removals and reordering by someone who does not recompute the chain
//! only. Not detected: a change made by someone who can read the key (the
//! user's own session with the keychain unlocked), the file and the
//! keychain item rolled back together, and unkeyed entries appended at the
//! end (they are reported as not authenticated, not as broken).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::fsutil::FileLock;
use crate::secret::Secret;
use crate::secrets::{EntryName, Item, SecretBackend, SecretStore, APP_SCOPE};

pub const FILE_NAME: &str = "activity.jsonl";
const LOCK_FILE_NAME: &str = "activity.jsonl.lock";
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    TokenCreate,
    TokenRevoke,
    TokenRotate,
    /// A rotation's old token kept past its deadline (still in use), or
    /// left to a reminder (the service does not say when it was used).
    RotationHeld,
    KeyUpload,
    KeyDelete,
    /// A key's deletion scheduled for when its last signed JWT expires.
    KeyDeleteScheduled,
    /// A scheduled key deletion called off.
    KeyDeleteUnscheduled,
    /// A key made the profile's default signing key.
    KeyDefaultSet,
    AssetDelete,
    AssetUpload,
    /// Renamed, moved or retagged.
    AssetUpdate,
    /// A share link made (it exposes the content until it expires).
    AssetShare,
    TransformRequest,
    FolderCreate,
    LegalHoldSet,
    LegalHoldClear,
    ProfileAdd,
    ProfileRemove,
    ProfileSwitch,
    /// A profile's URLs, CA file or proxy changed.
    ProfileEdit,
    SecretsBackend,
    CredentialReplace,
    /// A credential handed to a command (`portal exec`): the source as
    /// target, the command's `argv[0]` in the summary, never the value.
    CredentialUse,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActivityEntry {
    #[ts(type = "number")]
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub profile: String,
    pub action: Action,
    /// What was acted on: a token, key or asset id, a profile name.
    pub target: String,
    pub summary: String,
    /// Where it was done: `app` or `cli`.
    pub via: String,
    pub prev: String,
    pub hash: String,
    /// `hash` is an HMAC under the keychain's log key (else a plain SHA-256).
    #[serde(default)]
    pub keyed: bool,
}

/// The verdict on the log's chain.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ChainVerdict {
    /// Every entry checks with the key, and the log ends where the keychain
    /// says it ended.
    Keyed,
    /// Checked with plain SHA-256 only, which someone rewriting the file can
    /// recompute. `legacy`: the log was written before keyed logs (or only
    /// where no keychain was available); otherwise `reason` says why not.
    Unkeyed { legacy: bool, reason: String },
    /// The entry on this line (1-based) breaks the chain.
    Broken {
        #[ts(type = "number")]
        line: u64,
    },
    /// The log holds fewer entries than recorded, or does not end with the
    /// recorded last entry: its tail was cut (and maybe replaced).
    Truncated {
        #[ts(type = "number")]
        recorded: u64,
        #[ts(type = "number")]
        found: u64,
    },
}

/// The log as read, with the verdict on its chain.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActivityReport {
    pub entries: Vec<ActivityEntry>,
    /// False when the chain is broken or truncated.
    pub intact: bool,
    /// The first line (1-based) that breaks the chain.
    #[ts(type = "number | null")]
    pub broken_at_line: Option<u64>,
    /// What is wrong (broken, truncated), or why the log is not keyed.
    pub problem: Option<String>,
    pub verdict: ChainVerdict,
}

/// The hashed content: every field but `hash` and `keyed`, in a fixed order.
fn content(e: &ActivityEntry) -> String {
    serde_json::json!([e.seq, e.at, e.profile, e.action, e.target, e.summary, e.via]).to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(prev: &str, e: &ActivityEntry) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content(e).as_bytes());
    hex(&h.finalize())
}

fn mac(key: &[u8; 32], prev: &str, e: &ActivityEntry) -> String {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        unreachable!("HMAC takes a key of any length")
    };
    m.update(prev.as_bytes());
    m.update(b"\n");
    m.update(content(e).as_bytes());
    hex(&m.finalize().into_bytes())
}

#[derive(Serialize, Deserialize)]
struct Head {
    count: u64,
    hash: String,
}

/// The log's key and head, in a secret store that keeps them across runs.
struct Keys<'a> {
    store: &'a dyn SecretStore,
    key: Zeroizing<[u8; 32]>,
}

fn entry(item: Item) -> EntryName {
    EntryName::new(APP_SCOPE, item)
}

impl<'a> Keys<'a> {
    /// The key, created when `create` and there is none yet. `Ok(None)`:
    /// this store keeps nothing across runs, or has no key (and `!create`).
    fn open(store: &'a dyn SecretStore, create: bool) -> Result<Option<Self>> {
        if store.backend() == SecretBackend::Memory {
            return Ok(None);
        }
        let key = match store.get(&entry(Item::ActivityLogKey))? {
            Some(hexkey) => parse_key(hexkey.expose())?,
            None if create => {
                let mut key = Zeroizing::new([0u8; 32]);
                rand::thread_rng().fill_bytes(key.as_mut());
                store.set(
                    &entry(Item::ActivityLogKey),
                    &Secret::from(hex(key.as_ref())),
                )?;
                key
            }
            None => return Ok(None),
        };
        Ok(Some(Self { store, key }))
    }

    fn head(&self) -> Result<Option<Head>> {
        Ok(match self.store.get(&entry(Item::ActivityLogHead))? {
            Some(v) => Some(serde_json::from_str(v.expose()).map_err(|_| {
                Error::internal("the activity log's recorded head is not readable")
            })?),
            None => None,
        })
    }

    fn set_head(&self, head: &Head) -> Result<()> {
        let v = serde_json::to_string(head).map_err(|e| Error::internal(e.to_string()))?;
        self.store
            .set(&entry(Item::ActivityLogHead), &Secret::from(v))
    }
}

fn parse_key(text: &str) -> Result<Zeroizing<[u8; 32]>> {
    let bad = || Error::internal("the activity log's key in the secret store is not 32 hex bytes");
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad());
    }
    let mut key = Zeroizing::new([0u8; 32]);
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(key)
}

pub struct ActivityLog {
    path: PathBuf,
    lock_path: PathBuf,
}

/// The entries' lines (1-based line number, text), blank lines skipped.
fn lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, l))
}

impl ActivityLog {
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(FILE_NAME),
            lock_path: dir.join(LOCK_FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn text(&self) -> Result<String> {
        match std::fs::read_to_string(&self.path) {
            Ok(t) => Ok(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// Appends one entry, chained to the last one: keyed when `keys` is a
    /// store that keeps the log's key (created on first use) and answers;
    /// unkeyed otherwise (a keychain that fails is logged, not an error).
    pub fn append(
        &self,
        keys: Option<&dyn SecretStore>,
        profile: &str,
        action: Action,
        target: &str,
        summary: &str,
        via: &str,
    ) -> Result<ActivityEntry> {
        let _lock = FileLock::take(&self.lock_path, true)?;
        let text = self.text()?;
        let count = lines(&text).count() as u64;
        let last: Option<ActivityEntry> = lines(&text)
            .last()
            .and_then(|(_, l)| serde_json::from_str(l).ok());
        let keys = match keys.map(|s| Keys::open(s, true)).transpose() {
            Ok(k) => k.flatten(),
            Err(e) => {
                tracing::debug!(
                    code = %e.code,
                    "the activity log's key is not available; recording unkeyed: {}",
                    e.message
                );
                None
            }
        };
        let mut entry = ActivityEntry {
            seq: last.as_ref().map_or(1, |l| l.seq + 1),
            at: Utc::now(),
            profile: profile.into(),
            action,
            target: target.into(),
            summary: summary.into(),
            via: via.into(),
            prev: last.map_or_else(|| GENESIS.to_owned(), |l| l.hash),
            hash: String::new(),
            keyed: keys.is_some(),
        };
        entry.hash = match &keys {
            Some(k) => mac(&k.key, &entry.prev, &entry),
            None => digest(&entry.prev, &entry),
        };
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&self.path)?;
        let line = serde_json::to_string(&entry).map_err(|e| Error::internal(e.to_string()))?;
        file.write_all(format!("{line}\n").as_bytes())?;
        if let Some(k) = &keys {
            let head = Head {
                count: count + 1,
                hash: entry.hash.clone(),
            };
            if let Err(e) = k.set_head(&head) {
                tracing::warn!("could not record the activity log's head: {}", e.message);
            }
        }
        Ok(entry)
    }

    /// Reads and verifies the whole log; `keys` is the store holding its
    /// key and head (`None`, or a store without them: checked unkeyed).
    pub fn read(&self, keys: Option<&dyn SecretStore>) -> Result<ActivityReport> {
        let text = {
            let _lock = FileLock::take(&self.lock_path, false)?;
            self.text()?
        };
        let (keys, no_key) = match keys {
            None => (None, "no secret store is available here".to_owned()),
            Some(s) if s.backend() == SecretBackend::Memory => (
                None,
                "the secret store keeps nothing across runs (memory)".to_owned(),
            ),
            Some(s) => match Keys::open(s, false) {
                Ok(Some(k)) => (Some(k), String::new()),
                Ok(None) => (None, "no log key was ever created here".to_owned()),
                Err(e) => (None, format!("the log key cannot be read ({})", e.message)),
            },
        };
        let mut entries = Vec::new();
        let mut broken: Option<(u64, String)> = None;
        let mut unchecked = 0u64;
        let mut prev = GENESIS.to_owned();
        for (line_no, line) in lines(&text) {
            let problem = match serde_json::from_str::<ActivityEntry>(line) {
                Err(_) => Some("the line is not a readable entry".to_owned()),
                Ok(e) => {
                    let expected = match (&keys, e.keyed) {
                        (Some(k), true) => Some(mac(&k.key, &e.prev, &e)),
                        (None, true) => {
                            unchecked += 1;
                            None
                        }
                        (_, false) => Some(digest(&e.prev, &e)),
                    };
                    let problem = if e.prev != prev {
                        Some("it does not follow the entry before it (an entry was removed or reordered)".to_owned())
                    } else if expected.is_some_and(|h| h != e.hash) {
                        Some("its content does not match its hash (it was edited)".to_owned())
                    } else {
                        None
                    };
                    prev = e.hash.clone();
                    entries.push(e);
                    problem
                }
            };
            if let (Some(p), None) = (problem, &broken) {
                broken = Some((line_no, format!("Line {line_no} of the activity log: {p}.")));
            }
        }
        let found = entries.len() as u64;
        let any_keyed = entries.iter().any(|e| e.keyed);
        let (verdict, problem) = if let Some((line, problem)) = broken {
            (ChainVerdict::Broken { line }, Some(problem))
        } else if let Some(k) = &keys {
            match k.head() {
                Err(e) => (
                    ChainVerdict::Unkeyed {
                        legacy: false,
                        reason: e.message.clone(),
                    },
                    Some(e.message),
                ),
                Ok(Some(head))
                    if head.count > found
                        || entries
                            .get(head.count.saturating_sub(1) as usize)
                            .is_none_or(|e| e.hash != head.hash) =>
                {
                    (
                        ChainVerdict::Truncated {
                            recorded: head.count,
                            found,
                        },
                        Some(format!(
                            "The activity log should hold at least {} entries ending with the one \
                             recorded in the keychain; it holds {found} that do not: its end was cut \
                             or rewritten.",
                            head.count
                        )),
                    )
                }
                Ok(Some(head)) => {
                    let after = entries[head.count as usize..]
                        .iter()
                        .filter(|e| !e.keyed)
                        .count();
                    if after == 0 {
                        (ChainVerdict::Keyed, None)
                    } else {
                        let reason = format!(
                            "The last {after} entries were recorded without the keychain's key: \
                             they cannot be authenticated."
                        );
                        (
                            ChainVerdict::Unkeyed {
                                legacy: false,
                                reason: reason.clone(),
                            },
                            Some(reason),
                        )
                    }
                }
                Ok(None) if any_keyed => {
                    let reason = "The keychain holds no record of the log's end: a cut tail \
                                  cannot be detected."
                        .to_owned();
                    (
                        ChainVerdict::Unkeyed {
                            legacy: false,
                            reason: reason.clone(),
                        },
                        Some(reason),
                    )
                }
                Ok(None) if found == 0 => (ChainVerdict::Keyed, None),
                Ok(None) => {
                    let reason = "Written before activity logs were keyed: checked with SHA-256 \
                                  only (the next change starts the keyed chain)."
                        .to_owned();
                    (
                        ChainVerdict::Unkeyed {
                            legacy: true,
                            reason: reason.clone(),
                        },
                        Some(reason),
                    )
                }
            }
        } else {
            let reason = if any_keyed {
                format!(
                    "{unchecked} keyed entries cannot be checked: {no_key}. The rest is checked \
                     with SHA-256 only."
                )
            } else {
                format!("Checked with SHA-256 only: {no_key}.")
            };
            (
                ChainVerdict::Unkeyed {
                    legacy: !any_keyed,
                    reason: reason.clone(),
                },
                Some(reason),
            )
        };
        let intact = !matches!(
            verdict,
            ChainVerdict::Broken { .. } | ChainVerdict::Truncated { .. }
        );
        Ok(ActivityReport {
            entries,
            intact,
            broken_at_line: match verdict {
                ChainVerdict::Broken { line } => Some(line),
                _ => None,
            },
            problem,
            verdict,
        })
    }
}

/// CSV with a header row; fields quoted as needed.
pub fn to_csv(entries: &[ActivityEntry]) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from("seq,at,profile,action,target,summary,via,hash\n");
    for e in entries {
        let action = serde_json::to_value(e.action)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let row = [
            e.seq.to_string(),
            e.at.to_rfc3339(),
            e.profile.clone(),
            action,
            e.target.clone(),
            e.summary.clone(),
            e.via.clone(),
            e.hash.clone(),
        ];
        out.push_str(&row.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    /// A store that keeps things across runs, as the keychain does.
    #[derive(Default)]
    struct Kept(MemoryStore);

    impl SecretStore for Kept {
        fn backend(&self) -> SecretBackend {
            SecretBackend::Keychain
        }
        fn get(&self, name: &EntryName) -> Result<Option<Secret>> {
            self.0.get(name)
        }
        fn set(&self, name: &EntryName, value: &Secret) -> Result<()> {
            self.0.set(name, value)
        }
        fn delete(&self, name: &EntryName) -> Result<()> {
            self.0.delete(name)
        }
    }

    fn add(log: &ActivityLog, keys: Option<&dyn SecretStore>, i: usize) {
        log.append(
            keys,
            "P",
            Action::TokenCreate,
            &format!("tok_{i}"),
            &format!("Created token {i}"),
            "app",
        )
        .unwrap();
    }

    fn log_with(n: usize) -> (tempfile::TempDir, ActivityLog) {
        let dir = tempfile::tempdir().unwrap();
        let log = ActivityLog::in_dir(dir.path());
        for i in 0..n {
            add(&log, None, i);
        }
        (dir, log)
    }

    fn keyed_log(n: usize) -> (tempfile::TempDir, ActivityLog, Kept) {
        let (dir, log) = log_with(0);
        let keys = Kept::default();
        for i in 0..n {
            add(&log, Some(&keys), i);
        }
        (dir, log, keys)
    }

    fn rewrite(log: &ActivityLog, f: impl Fn(Vec<String>) -> Vec<String>) {
        let text = std::fs::read_to_string(log.path()).unwrap();
        let lines = f(text.lines().map(str::to_owned).collect());
        std::fs::write(log.path(), lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn appends_chain_and_verify() {
        let (_d, log) = log_with(3);
        let r = log.read(None).unwrap();
        assert!(r.intact, "{:?}", r.problem);
        assert_eq!(
            r.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(r.entries[0].prev, GENESIS);
        assert_eq!(r.entries[1].prev, r.entries[0].hash);
        assert!(matches!(
            r.verdict,
            ChainVerdict::Unkeyed { legacy: true, .. }
        ));
    }

    #[test]
    fn an_edited_line_is_detected() {
        let (_d, log) = log_with(3);
        let text = std::fs::read_to_string(log.path())
            .unwrap()
            .replace("Created token 1", "Created token X");
        std::fs::write(log.path(), text).unwrap();
        let r = log.read(None).unwrap();
        assert!(!r.intact);
        assert_eq!(r.broken_at_line, Some(2));
        assert_eq!(r.verdict, ChainVerdict::Broken { line: 2 });
        assert!(r.problem.unwrap().contains("edited"));
    }

    #[test]
    fn a_removed_line_is_detected() {
        let (_d, log) = log_with(3);
        rewrite(&log, |mut l| {
            l.remove(1);
            l
        });
        let r = log.read(None).unwrap();
        assert!(!r.intact);
        assert_eq!(r.broken_at_line, Some(2));
        assert!(r.problem.unwrap().contains("removed or reordered"));
    }

    #[test]
    fn a_keyed_log_verifies_with_its_key_only() {
        let (_d, log, keys) = keyed_log(3);
        let r = log.read(Some(&keys)).unwrap();
        assert_eq!(r.verdict, ChainVerdict::Keyed, "{:?}", r.problem);
        assert!(r.intact && r.problem.is_none());
        assert!(r.entries.iter().all(|e| e.keyed));
        // The hash is not the plain SHA-256 of the entry.
        assert_ne!(r.entries[0].hash, digest(GENESIS, &r.entries[0]));
        // Without the key: still read, said to be unkeyed, not broken.
        let r = log.read(None).unwrap();
        assert!(r.intact);
        assert!(
            matches!(&r.verdict, ChainVerdict::Unkeyed { legacy: false, reason } if reason.contains("3 keyed entries cannot be checked")),
            "{:?}",
            r.verdict
        );
    }

    /// Recomputes every hash of the file as an unkeyed chain (what someone
    /// without the key can do).
    fn rechain_unkeyed(log: &ActivityLog, edit: impl Fn(&mut ActivityEntry)) {
        rewrite(log, |lines| {
            let mut prev = GENESIS.to_owned();
            lines
                .iter()
                .map(|l| {
                    let mut e: ActivityEntry = serde_json::from_str(l).unwrap();
                    edit(&mut e);
                    e.keyed = false;
                    e.prev = prev.clone();
                    e.hash = digest(&e.prev, &e);
                    prev = e.hash.clone();
                    serde_json::to_string(&e).unwrap()
                })
                .collect()
        });
    }

    #[test]
    fn an_edit_with_a_recomputed_chain_is_detected_only_with_the_key() {
        let (_d, log, keys) = keyed_log(3);
        // Kept marked keyed: the MAC cannot be forged.
        let text = std::fs::read_to_string(log.path())
            .unwrap()
            .replace("Created token 1", "Created token X");
        std::fs::write(log.path(), text).unwrap();
        assert_eq!(
            log.read(Some(&keys)).unwrap().verdict,
            ChainVerdict::Broken { line: 2 }
        );
        // Rewritten as an unkeyed chain: every line checks, but the log no
        // longer ends where the keychain says it did.
        rechain_unkeyed(&log, |e| {
            if e.seq == 2 {
                e.summary = "Created token X".into()
            }
        });
        let r = log.read(Some(&keys)).unwrap();
        assert_eq!(
            r.verdict,
            ChainVerdict::Truncated {
                recorded: 3,
                found: 3
            }
        );
        assert!(!r.intact);
    }

    #[test]
    fn a_cut_tail_and_a_deleted_log_are_detected() {
        let (_d, log, keys) = keyed_log(3);
        rewrite(&log, |mut l| {
            l.pop();
            l
        });
        let r = log.read(Some(&keys)).unwrap();
        assert_eq!(
            r.verdict,
            ChainVerdict::Truncated {
                recorded: 3,
                found: 2
            }
        );
        assert!(!r.intact);
        assert!(r.problem.unwrap().contains("at least 3 entries"));
        std::fs::remove_file(log.path()).unwrap();
        assert_eq!(
            log.read(Some(&keys)).unwrap().verdict,
            ChainVerdict::Truncated {
                recorded: 3,
                found: 0
            }
        );
    }

    #[test]
    fn a_log_from_before_keyed_logs_reads_as_legacy_then_continues_keyed() {
        let (_d, log) = log_with(2);
        // Lines written by the previous version had no `keyed` field.
        rewrite(&log, |lines| {
            lines
                .iter()
                .map(|l| {
                    let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                    v.as_object_mut().unwrap().remove("keyed");
                    v.to_string()
                })
                .collect()
        });
        let keys = Kept::default();
        let r = log.read(Some(&keys)).unwrap();
        assert!(r.intact);
        assert!(matches!(
            r.verdict,
            ChainVerdict::Unkeyed { legacy: true, .. }
        ));
        add(&log, Some(&keys), 2);
        let r = log.read(Some(&keys)).unwrap();
        assert_eq!(r.verdict, ChainVerdict::Keyed, "{:?}", r.problem);
        assert_eq!(r.entries.len(), 3);
        // The keyed entry's MAC covers the legacy entries before it.
        let text = std::fs::read_to_string(log.path())
            .unwrap()
            .replace("Created token 0", "Created token X");
        std::fs::write(log.path(), text).unwrap();
        rechain_unkeyed(&log, |_| {});
        assert!(!log.read(Some(&keys)).unwrap().intact);
    }

    #[test]
    fn entries_recorded_without_the_keychain_are_reported_not_broken() {
        let (_d, log, keys) = keyed_log(2);
        add(&log, None, 2); // a headless CLI
        let r = log.read(Some(&keys)).unwrap();
        assert!(r.intact);
        assert!(
            matches!(&r.verdict, ChainVerdict::Unkeyed { legacy: false, reason } if reason.contains("last 1 entries")),
            "{:?}",
            r.verdict
        );
        // The next keyed change moves the recorded end past it.
        add(&log, Some(&keys), 3);
        assert_eq!(log.read(Some(&keys)).unwrap().verdict, ChainVerdict::Keyed);
    }

    #[test]
    fn the_memory_store_records_unkeyed() {
        let (_d, log) = log_with(0);
        let memory = MemoryStore::default();
        add(&log, Some(&memory), 0);
        assert!(!log.read(Some(&memory)).unwrap().entries[0].keyed);
        assert!(memory.get(&entry(Item::ActivityLogKey)).unwrap().is_none());
    }

    #[test]
    fn concurrent_appends_keep_one_chain() {
        let (_d, log, keys) = keyed_log(0);
        let dir = log.path().parent().unwrap().to_owned();
        // Four writers (the app and CLIs), each with its own handle.
        let logs: Vec<ActivityLog> = (0..4).map(|_| ActivityLog::in_dir(&dir)).collect();
        std::thread::scope(|s| {
            for l in &logs {
                let keys = &keys;
                s.spawn(move || {
                    for i in 0..40 {
                        add(l, Some(keys), i);
                    }
                });
            }
        });
        let r = log.read(Some(&keys)).unwrap();
        assert_eq!(r.verdict, ChainVerdict::Keyed, "{:?}", r.problem);
        assert_eq!(r.entries.len(), 160);
        let seqs: Vec<u64> = r.entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=160).collect::<Vec<_>>());
    }

    #[test]
    fn csv_quotes_fields() {
        let (_d, log) = log_with(0);
        log.append(
            None,
            "P",
            Action::ProfileAdd,
            "Prod",
            "Added \"Prod\", production",
            "cli",
        )
        .unwrap();
        let csv = to_csv(&log.read(None).unwrap().entries);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "seq,at,profile,action,target,summary,via,hash"
        );
        let row = lines.next().unwrap();
        assert!(
            row.contains(",profile_add,Prod,\"Added \"\"Prod\"\", production\",cli,"),
            "{row}"
        );
    }
}
