//! The leak sweep's engine: where a VaultStream token, a private key or a
//! stored credential's exact value sits in files, in the git index or in
//! history. It knows nothing of profiles or services: `ops::scan` gives it
//! the values to find ([`Needle`]s and their [`Meaning`]s), and afterwards
//! names the private keys found and adds what needs the network (`--verify`).
//!
//! - [`detect`]: one pass of one automaton over a buffer;
//! - [`walk`]: the working tree (ripgrep's `ignore` walk, in parallel);
//! - [`git`]: the index and every commit (`gix`);
//! - [`sarif`]: the SARIF 2.1.0 form of a report.
//!
//! A finding never shows a value: its `masked` form shows a known prefix and
//! the last 4 characters at most. A stray token or a private key is also
//! [`Held`] in memory, for what comes after the sweep (naming the key,
//! `--verify`), never serialized.

pub mod detect;
pub mod git;
pub mod sarif;
pub mod walk;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::secret::Secret;

pub use detect::{mask, Detector, Hit, HitKind, Needle};

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FindingKind {
    /// A `vst_live_…` or `vst_ses_…` value that no stored credential equals.
    VaultstreamToken,
    /// A PEM private key.
    PrivateKey,
    /// The exact value of a credential this portal stores.
    StoredCredential,
}

impl FindingKind {
    /// The SARIF rule id and the CLI's short name.
    pub fn id(self) -> &'static str {
        match self {
            Self::VaultstreamToken => "vaultstream-token",
            Self::PrivateKey => "private-key",
            Self::StoredCredential => "stored-credential",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::VaultstreamToken => "VaultStream token",
            Self::PrivateKey => "private key",
            Self::StoredCredential => "stored credential",
        }
    }
}

/// Whether a token found in the open still works (`--verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Liveness {
    /// The service accepted it.
    Live,
    /// The service refused it (revoked, expired, or never valid).
    Refused,
    /// The service could not be asked (unreachable, no profile).
    Unknown,
}

/// The value of a finding, kept in memory for the steps after the sweep:
/// a private key's PEM (to name it) or a stray token (for `--verify`). It is
/// never serialized (the field is skipped), prints `<redacted>`, and is
/// zeroized when the last copy of its finding is dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Held(Option<Arc<Secret>>);

impl Eq for Held {}

impl Held {
    fn new(value: &str) -> Self {
        Self(Some(Arc::new(Secret::new(value))))
    }

    pub fn get(&self) -> Option<&Secret> {
        self.0.as_deref()
    }
}

/// One leak: where, what, and a masked form of the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Finding {
    /// The file, as walked (relative to the root given), or the path in the
    /// commit or the index.
    pub path: String,
    /// 1-based.
    #[ts(type = "number")]
    pub line: u64,
    /// 1-based, in characters.
    #[ts(type = "number")]
    pub column: u64,
    /// The commit a history finding was first seen in (`--git-history`).
    pub commit: Option<String>,
    pub kind: FindingKind,
    /// What it matches, e.g. "stored credential: VaultStream token of
    /// profile Prod", "private half of JWT key Web (key_123)".
    pub matches: String,
    /// The value's known prefix and last 4 characters (see [`mask`]).
    pub masked: String,
    /// The profile the matched credential, token or key belongs to.
    pub profile: Option<String>,
    /// The VaultStream token id (a saved token), for Revoke… and Rotate….
    pub token_id: Option<String>,
    /// The server's JWT key id (a matched private key), for Delete key….
    pub key_id: Option<String>,
    /// The local key id when the private key is kept here.
    pub local_key_id: Option<String>,
    /// `--verify`'s answer for an unmatched token.
    pub live: Option<Liveness>,
    /// The value, in memory only: a stray token's or a private key's.
    #[serde(skip)]
    #[ts(skip)]
    pub held: Held,
}

/// What a stored value is, for the findings that match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meaning {
    /// e.g. "VaultStream token of profile Prod".
    pub describe: String,
    pub profile: String,
    pub token_id: Option<String>,
}

/// Who a private key is: filled in by `ops::scan` from the key's public
/// half (server keys and the keys kept here), after the sweep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyMatch {
    pub describe: String,
    pub profile: Option<String>,
    pub key_id: Option<String>,
    pub local_key_id: Option<String>,
}

impl Finding {
    /// Names the private key this finding holds.
    pub fn name_key(&mut self, k: KeyMatch) {
        self.matches = k.describe;
        self.profile = k.profile;
        self.key_id = k.key_id;
        self.local_key_id = k.local_key_id;
    }
}

/// Where a buffer came from.
pub struct Place<'a> {
    pub path: &'a str,
    pub commit: Option<&'a str>,
}

/// The detector and what its stored values mean.
pub struct Scanner {
    detector: Detector,
    meanings: Vec<Meaning>,
}

/// What a private key found is called until `ops::scan` names it.
pub const UNNAMED_KEY: &str = "private key";

impl Scanner {
    /// `needles[i].meaning` indexes `meanings`.
    pub fn new(needles: &[Needle], meanings: Vec<Meaning>) -> crate::Result<Self> {
        Ok(Self {
            detector: Detector::new(needles)?,
            meanings,
        })
    }

    /// The findings in `hay`, in order.
    pub fn findings(&self, hay: &[u8], place: &Place<'_>) -> Vec<Finding> {
        let hits = self.detector.find(hay);
        let mut lines = LineCounter::default();
        hits.into_iter()
            .map(|hit| {
                let (line, column) = lines.position(hay, hit.start);
                let value = String::from_utf8_lossy(&hay[hit.start..hit.end]);
                let mut f = Finding {
                    path: place.path.to_owned(),
                    line,
                    column,
                    commit: place.commit.map(str::to_owned),
                    kind: FindingKind::VaultstreamToken,
                    matches: String::new(),
                    masked: mask(&value),
                    profile: None,
                    token_id: None,
                    key_id: None,
                    local_key_id: None,
                    live: None,
                    held: Held::default(),
                };
                match hit.kind {
                    HitKind::Token => {
                        f.matches = "VaultStream token this portal does not hold".to_owned();
                        f.held = Held::new(&value);
                    }
                    HitKind::Stored { meaning } => {
                        let m = &self.meanings[meaning];
                        f.kind = FindingKind::StoredCredential;
                        f.matches = format!("stored credential: {}", m.describe);
                        f.profile = Some(m.profile.clone());
                        f.token_id = m.token_id.clone();
                    }
                    HitKind::PrivateKey { .. } => {
                        f.kind = FindingKind::PrivateKey;
                        f.matches = UNNAMED_KEY.to_owned();
                        f.held = Held::new(&value);
                    }
                }
                f
            })
            .collect()
    }
}

/// Line and column of increasing offsets, counting each newline once.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u64,
    line_start: usize,
}

impl LineCounter {
    fn position(&mut self, hay: &[u8], at: usize) -> (u64, u64) {
        for nl in memchr::memchr_iter(b'\n', &hay[self.offset..at]) {
            self.line += 1;
            self.line_start = self.offset + nl + 1;
        }
        self.offset = at;
        let column = String::from_utf8_lossy(&hay[self.line_start..at])
            .chars()
            .count() as u64;
        (self.line + 1, column + 1)
    }
}

/// A sweep's findings and what it read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    /// Files (or blobs) searched.
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Files skipped as binary (a NUL byte), as ripgrep does.
    #[ts(type = "number")]
    pub binary: u64,
    /// Files skipped as larger than the cap, by path: never silently.
    pub too_large: Vec<String>,
    /// Files that could not be read, with why.
    pub unreadable: Vec<String>,
    /// Things the sweep could not do (no server key list, a verify failed…).
    pub warnings: Vec<String>,
    /// The sweep was cancelled: the findings are those found until then.
    pub cancelled: bool,
}

impl ScanReport {
    /// Adds what another sweep found and read (the tree's and the history's
    /// of one folder), in order.
    pub fn absorb(&mut self, other: ScanReport) {
        self.findings.extend(other.findings);
        self.files += other.files;
        self.bytes += other.bytes;
        self.binary += other.binary;
        self.too_large.extend(other.too_large);
        self.unreadable.extend(other.unreadable);
        self.warnings.extend(other.warnings);
        self.cancelled |= other.cancelled;
        self.sort();
    }

    /// Findings by path, commit, line and column; lists by name: the same
    /// tree gives the same report whatever the threads did.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.path, &a.commit, a.line, a.column).cmp(&(&b.path, &b.commit, b.line, b.column))
        });
        self.too_large.sort();
        self.unreadable.sort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings in `text` of a scanner that knows one stored value.
    fn find(text: &str, path: &str) -> Vec<Finding> {
        let scanner = Scanner::new(
            &[Needle {
                value: Secret::new("p4ssw0rd-of-the-vault"),
                meaning: 0,
            }],
            vec![Meaning {
                describe: "vault password of profile Prod".into(),
                profile: "Prod".into(),
                token_id: None,
            }],
        )
        .unwrap();
        let place = Place { path, commit: None };
        scanner.findings(text.as_bytes(), &place)
    }

    const TOKEN: &str = "vst_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123";
    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----";

    #[test]
    fn findings_carry_position_meaning_and_no_value() {
        let text = format!("line one\nnaïve = \"p4ssw0rd-of-the-vault\"\n\n{PEM}\nT={TOKEN}\n");
        let found = find(&text, "cfg/.env");
        assert_eq!(found.len(), 3);
        assert_eq!((found[0].line, found[0].column), (2, 10));
        assert_eq!(found[0].kind, FindingKind::StoredCredential);
        assert_eq!(
            found[0].matches,
            "stored credential: vault password of profile Prod"
        );
        assert_eq!(found[0].profile.as_deref(), Some("Prod"));
        assert_eq!((found[1].line, found[1].column), (4, 1));
        assert_eq!(found[1].matches, UNNAMED_KEY);
        assert_eq!((found[2].line, found[2].column), (7, 3));
        let json = serde_json::to_string(&found).unwrap();
        assert!(!json.contains("p4ssw0rd"), "{json}");
        assert!(!json.contains("AAA"), "{json}");
        assert!(!json.contains(&TOKEN[9..]), "{json}");
        assert!(!format!("{found:?}").contains("AAA"));
    }

    #[test]
    fn stray_tokens_and_private_keys_are_held_for_after_the_sweep() {
        let text = format!("p4ssw0rd-of-the-vault {TOKEN}\n{PEM}");
        let found = find(&text, "a");
        let held: Vec<_> = found
            .iter()
            .map(|f| f.held.get().map(|s| s.expose().to_owned()))
            .collect();
        // A stored value is known already: it is not held again.
        assert_eq!(held, [None, Some(TOKEN.to_owned()), Some(PEM.to_owned())]);
    }

    #[test]
    fn absorb_adds_counts_and_lists_and_sorts() {
        let mut tree = ScanReport {
            findings: find(TOKEN, "b"),
            files: 2,
            bytes: 100,
            binary: 1,
            too_large: vec!["big".into()],
            ..ScanReport::default()
        };
        tree.absorb(ScanReport {
            findings: find(TOKEN, "a"),
            files: 3,
            bytes: 50,
            binary: 2,
            unreadable: vec!["x: denied".into()],
            warnings: vec!["w".into()],
            cancelled: true,
            ..ScanReport::default()
        });
        let paths: Vec<_> = tree.findings.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a", "b"]);
        assert_eq!((tree.files, tree.bytes, tree.binary), (5, 150, 3));
        assert_eq!(tree.too_large, ["big"]);
        assert_eq!(tree.unreadable, ["x: denied"]);
        assert_eq!(tree.warnings, ["w"]);
        assert!(tree.cancelled);
    }
}
