//! The leak sweep (issue 15 §1), shared by the app's Leak check page and
//! `portal scan`: what to look for (every profile's stored credentials:
//! [`prepare`], no network), the sweep itself (`crate::scan`), then
//! [`finish`]: the private keys found are named by fingerprint (the keys
//! kept here and the active profile's server keys, which are asked for only
//! when a private key was found), and `--verify` asks the active profile's
//! VaultStream service whether each token found in the open but unknown here
//! still works.
//!
//! Nothing is changed, so nothing is recorded. No value leaves this module:
//! the stored values go into the scanner's automaton, in memory, and the
//! keys and tokens found are held by their findings as [`Secret`]s
//! (`scan::Held`), never serialized.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::context::ProfileContext;
use crate::error::{ErrorCode, Result};
use crate::keypair::{import_pem, PemKind};
use crate::local_keys;
use crate::profiles::{KeyValueStore, Profiles};
use crate::scan::git;
use crate::scan::walk::{self, Progress};
use crate::scan::{
    Finding, FindingKind, Held, KeyMatch, Liveness, Meaning, Needle, ScanReport, Scanner,
};
use crate::secret::Secret;
use crate::secrets::{EntryName, Item, SecretStore};
use crate::service::Service;
use crate::token_records::TokenRecords;

/// Where the values to look for come from.
pub struct Sources<'a> {
    pub settings: &'a dyn KeyValueStore,
    /// The secret store, or why it cannot be used (locked, no keychain):
    /// then only tokens and private keys are looked for, and said so.
    pub secrets: Result<&'a dyn SecretStore>,
    /// The profile whose server keys name private keys, and whose
    /// VaultStream service `--verify` asks; `None` on a machine with none.
    pub active: Option<&'a ProfileContext>,
}

/// A scanner ready to sweep, and what could not be gathered for it.
pub struct Prepared {
    pub scanner: Scanner,
    pub warnings: Vec<String>,
}

/// What a fixed credential is called in a finding.
fn describe_item(item: &Item) -> Option<&'static str> {
    Some(match item {
        Item::VaultStreamToken => "VaultStream token",
        Item::JwtKeysApiKey => "JWT keys API key",
        Item::VaultPassword => "vault password",
        Item::VaultAccessToken => "vault access token",
        Item::VaultRefreshToken => "vault refresh token",
        Item::SandboxVaultPassword => "sandbox vault password",
        _ => return None,
    })
}

/// Every stored credential and saved token of every profile, as needles.
/// A store that cannot be read (locked, no keychain) is a warning: the
/// sweep still finds tokens by their form and private keys.
fn stored_needles(src: &Sources<'_>, warnings: &mut Vec<String>) -> (Vec<Needle>, Vec<Meaning>) {
    let mut needles = Vec::new();
    let mut meanings = Vec::new();
    let secrets = match &src.secrets {
        Ok(s) => *s,
        Err(e) => {
            warnings.push(format!(
                "The stored credentials were not looked for: {} Tokens and private keys are \
                 still found by their form.",
                e.message
            ));
            return (needles, meanings);
        }
    };
    let records = TokenRecords::new(src.settings);
    for profile in Profiles::new(src.settings).list() {
        let name = &profile.name;
        let mut wanted: Vec<(Item, String, Option<String>)> = Item::FIXED
            .iter()
            .filter_map(|i| {
                describe_item(i).map(|d| (i.clone(), format!("{d} of profile {name}"), None))
            })
            .collect();
        for saved in records.saved(name) {
            wanted.push((
                Item::SavedToken(saved.id.clone()),
                format!(
                    "saved token '{}' ({}) of profile {name}",
                    saved.name, saved.id
                ),
                Some(saved.id),
            ));
        }
        for (item, describe, token_id) in wanted {
            match secrets.get(&EntryName::new(name.clone(), item)) {
                Ok(Some(value)) if !value.is_empty() => {
                    needles.push(Needle {
                        value,
                        meaning: meanings.len(),
                    });
                    meanings.push(Meaning {
                        describe,
                        profile: name.clone(),
                        token_id,
                    });
                }
                Ok(_) => {}
                Err(e) => {
                    let w = format!(
                        "The stored credentials of profile {name} could not be read ({}); \
                         tokens and private keys are still found by their form.",
                        e.message
                    );
                    if !warnings.contains(&w) {
                        warnings.push(w);
                    }
                    break;
                }
            }
        }
    }
    (needles, meanings)
}

/// A public key's SHA-256 fingerprint → who it is.
type KeyBook = HashMap<String, KeyMatch>;

/// The keys kept here (every profile) and the active profile's server keys
/// (one request: made only when a private key was found).
async fn key_book(src: &Sources<'_>, warnings: &mut Vec<String>) -> KeyBook {
    let mut book = KeyBook::new();
    for profile in Profiles::new(src.settings).list() {
        for k in local_keys::indexed(src.settings, &profile.name) {
            let uploaded = match &k.server_key_id {
                Some(id) => format!("uploaded as JWT key {id}"),
                None => "not uploaded".to_owned(),
            };
            book.insert(
                k.fingerprints.sha256.clone(),
                KeyMatch {
                    describe: format!(
                        "private half of key '{}' kept here ({}, {uploaded}) of profile {}",
                        k.name, k.local_id, profile.name
                    ),
                    profile: Some(profile.name.clone()),
                    key_id: k.server_key_id.clone(),
                    local_key_id: Some(k.local_id.clone()),
                },
            );
        }
    }
    let Some(ctx) = src.active else {
        return book;
    };
    let listed = async {
        let key = ctx.credential(Item::JwtKeysApiKey, Service::JwtKeys)?;
        ctx.jwt_keys(&key).list_all().await
    }
    .await;
    match listed {
        Ok(keys) => {
            for key in keys {
                let Some(fp) = local_keys::server_fingerprints(&key) else {
                    continue;
                };
                let kept = book.remove(&fp.sha256);
                book.insert(
                    fp.sha256,
                    KeyMatch {
                        describe: format!(
                            "private half of JWT key '{}' ({}) of profile {}",
                            key.name, key.id, ctx.profile.name
                        ),
                        profile: Some(ctx.profile.name.clone()),
                        key_id: Some(key.id),
                        local_key_id: kept.and_then(|k| k.local_key_id),
                    },
                );
            }
        }
        Err(e) if e.code == ErrorCode::NoCredentials => {}
        Err(e) => warnings.push(format!(
            "The JWT keys of profile {} could not be listed ({}); private keys are named only \
             against the keys kept here.",
            ctx.profile.name, e.message
        )),
    }
    book
}

/// Who the private key of a PEM block is.
fn name_key(book: &KeyBook, pem: &str) -> KeyMatch {
    let unnamed = |describe: String| KeyMatch {
        describe,
        ..KeyMatch::default()
    };
    match PemKind::detect(pem) {
        Some(PemKind::EncryptedPrivateKey) => {
            return unnamed("encrypted private key (not named: it needs its passphrase)".into())
        }
        Some(kind) if kind.has_private_key() => {}
        _ => return unnamed("private key (a PEM block that is not RSA, or is cut)".into()),
    }
    let fingerprint = import_pem(pem, None).and_then(|k| k.public.fingerprints());
    match fingerprint {
        Ok(fp) => book.get(&fp.sha256).cloned().unwrap_or_else(|| {
            unnamed(format!(
                "private key of no JWT key known here ({})",
                fp.sha256
            ))
        }),
        Err(e) => unnamed(format!("private key (cannot be read: {})", e.message)),
    }
}

/// Gathers what to look for, without the network (what cannot be gathered
/// is a warning).
/// The command that fixes a leaked token (a saved one, or a profile's
/// credential with a known id): rotate it with a quiet period of 0, so the
/// leaked token is revoked at once, the replacement shown once.
pub fn rotate_command(finding: &Finding) -> Option<String> {
    let (id, profile) = (finding.token_id.as_ref()?, finding.profile.as_ref()?);
    Some(super::cli(
        &format!("tokens rotate {id} --quiet-period 0"),
        profile,
    ))
}

pub fn prepare(src: &Sources<'_>) -> Result<Prepared> {
    let mut warnings = Vec::new();
    let (needles, meanings) = stored_needles(src, &mut warnings);
    let scanner = Scanner::new(&needles, meanings)?;
    Ok(Prepared { scanner, warnings })
}

/// What follows a sweep, in either shell: names the private keys found
/// (asking for the server's keys only when there is one), and with `verify`
/// checks each stray token once per distinct value.
pub async fn finish(src: &Sources<'_>, report: &mut ScanReport, verify: bool) {
    name_keys(src, report).await;
    if verify {
        self::verify(src.active, report).await;
    }
}

/// The findings of `kind` that hold their value, by index.
fn holding(report: &ScanReport, kind: FindingKind) -> Vec<usize> {
    let found = report.findings.iter().enumerate();
    found
        .filter(|(_, f)| f.kind == kind && f.held.get().is_some())
        .map(|(i, _)| i)
        .collect()
}

/// Names each private key found, against the key book, made only then.
async fn name_keys(src: &Sources<'_>, report: &mut ScanReport) {
    let keys = holding(report, FindingKind::PrivateKey);
    if keys.is_empty() {
        return;
    }
    let book = key_book(src, &mut report.warnings).await;
    for i in keys {
        let f = &mut report.findings[i];
        if let Some(pem) = f.held.get() {
            let named = name_key(&book, pem.expose());
            f.name_key(named);
        }
    }
}

/// What to sweep.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub roots: Vec<PathBuf>,
}

/// Sweeps the working tree of `request` (blocking: run it off the UI's and
/// the runtime's threads).
pub fn sweep(prepared: &Prepared, request: &Request, progress: &Progress) -> Result<ScanReport> {
    with_warnings(
        prepared,
        walk::walk(&prepared.scanner, &request.roots, progress),
    )
}

/// The app's sweep of one folder: its files, and with `history` every
/// commit of the repository it is in, in one report.
pub fn sweep_folder(
    prepared: &Prepared,
    root: &Path,
    history: bool,
    progress: &Progress,
) -> Result<ScanReport> {
    let mut report = walk::walk(&prepared.scanner, &[root.to_path_buf()], progress)?;
    if history && !progress.is_cancelled() {
        report.absorb(git::sweep_history(&prepared.scanner, root, progress)?);
    }
    with_warnings(prepared, Ok(report))
}

/// Sweeps the git index of the repository at or above `root` (`--staged`).
pub fn sweep_index(prepared: &Prepared, root: &Path, progress: &Progress) -> Result<ScanReport> {
    with_warnings(
        prepared,
        git::sweep_index(&prepared.scanner, root, progress),
    )
}

/// Sweeps every commit of the repository at or above `root` (`--git-history`).
pub fn sweep_history(prepared: &Prepared, root: &Path, progress: &Progress) -> Result<ScanReport> {
    with_warnings(
        prepared,
        git::sweep_history(&prepared.scanner, root, progress),
    )
}

/// Where `--install-hook` writes: the repository's hooks folder.
pub fn hooks_dir(root: &Path) -> Result<PathBuf> {
    git::hooks_dir(root)
}

fn with_warnings(prepared: &Prepared, report: Result<ScanReport>) -> Result<ScanReport> {
    let mut report = report?;
    report.warnings.extend(prepared.warnings.iter().cloned());
    Ok(report)
}

/// `--verify`: for each distinct token found that this portal does not hold
/// (in files, the index or history: the value its finding holds), one
/// harmless read (the first page of one token) with it at the active
/// profile's VaultStream service. Accepted (or refused for a scope, 403) is
/// live; 401 is refused; anything else is unknown, with a warning.
async fn verify(ctx: Option<&ProfileContext>, report: &mut ScanReport) {
    let strays = holding(report, FindingKind::VaultstreamToken);
    let Some(ctx) = ctx else {
        if !strays.is_empty() {
            report
                .warnings
                .push("--verify needs a profile: the tokens found were not checked.".to_owned());
        }
        return;
    };
    // Each distinct value once (few: compared in place, not copied to a key).
    let mut answers: Vec<(Held, Liveness)> = Vec::new();
    for i in strays {
        let held = report.findings[i].held.clone();
        let Some(token) = held.get() else { continue };
        let liveness = match answers.iter().find(|(h, _)| *h == held) {
            Some((_, l)) => *l,
            None => {
                let l = ask(ctx, token, &mut report.warnings).await;
                answers.push((held.clone(), l));
                l
            }
        };
        report.findings[i].live = Some(liveness);
    }
}

/// One harmless read with `token`: does the service take it?
async fn ask(ctx: &ProfileContext, token: &Secret, warnings: &mut Vec<String>) -> Liveness {
    match ctx.tokens(token).list_page(1, None).await {
        Ok(_) => Liveness::Live,
        Err(e) if e.code == ErrorCode::Forbidden => Liveness::Live,
        Err(e) if e.code == ErrorCode::Unauthorized => Liveness::Refused,
        Err(e) => {
            warnings.push(format!(
                "A token could not be checked at {}: {}",
                ctx.url(Service::VaultStream),
                e.message
            ));
            Liveness::Unknown
        }
    }
}

#[cfg(test)]
mod rotate_command_tests {
    use super::*;

    /// A leaked token's fix rotates it with no quiet period: revoked at once.
    #[test]
    fn a_leaked_token_is_rotated_with_no_quiet_period() {
        let finding: Finding = serde_json::from_value(serde_json::json!({
            "path": "app.env", "line": 1, "column": 5, "commit": null,
            "kind": "stored_credential", "matches": "saved token", "masked": "vst_live_…abcd",
            "profile": "Prod's", "tokenId": "tok_1", "keyId": null, "localKeyId": null,
            "live": null
        }))
        .unwrap();
        assert_eq!(
            rotate_command(&finding).unwrap(),
            r"portal tokens rotate tok_1 --quiet-period 0 --profile 'Prod'\''s'"
        );
        let stray = Finding {
            token_id: None,
            ..finding
        };
        assert_eq!(rotate_command(&stray), None);
    }
}
