//! The local activity log: every change made from the portal (app or CLI),
//! appended to `activity.jsonl` in the data directory. No secrets: ids,
//! names and a one-line summary. Entries are hash-chained (each holds the
//! SHA-256 of the previous entry's hash and its own content), so an edited,
//! removed or reordered line is detected.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{Error, Result};

pub const FILE_NAME: &str = "activity.jsonl";
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    TokenCreate,
    TokenRevoke,
    TokenRotate,
    KeyUpload,
    KeyDelete,
    AssetDelete,
    LegalHoldSet,
    LegalHoldClear,
    ProfileAdd,
    ProfileRemove,
    ProfileSwitch,
    /// A profile's URLs, CA file or proxy changed.
    ProfileEdit,
    SecretsBackend,
    CredentialReplace,
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
}

/// The log as read, with the verdict on its chain.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActivityReport {
    pub entries: Vec<ActivityEntry>,
    pub intact: bool,
    /// The first line (1-based) that breaks the chain.
    #[ts(type = "number | null")]
    pub broken_at_line: Option<u64>,
    pub problem: Option<String>,
}

fn digest(prev: &str, e: &ActivityEntry) -> String {
    // The hashed content: every field but `hash`, in a fixed order.
    let content = serde_json::json!([e.seq, e.at, e.profile, e.action, e.target, e.summary, e.via]);
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub struct ActivityLog {
    path: PathBuf,
}

impl ActivityLog {
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn last(&self) -> Result<Option<ActivityEntry>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| serde_json::from_str(l).ok()))
    }

    /// Appends one entry, chained to the last one.
    pub fn append(
        &self,
        profile: &str,
        action: Action,
        target: &str,
        summary: &str,
        via: &str,
    ) -> Result<ActivityEntry> {
        let last = self.last()?;
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
        };
        entry.hash = digest(&entry.prev, &entry);
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
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
        Ok(entry)
    }

    /// Reads and verifies the whole log.
    pub fn read(&self) -> Result<ActivityReport> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e.into()),
        };
        let mut report = ActivityReport {
            entries: Vec::new(),
            intact: true,
            broken_at_line: None,
            problem: None,
        };
        let mut prev = GENESIS.to_owned();
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let line_no = i as u64 + 1;
            let problem = match serde_json::from_str::<ActivityEntry>(line) {
                Err(_) => Some("the line is not a readable entry".to_owned()),
                Ok(e) => {
                    let problem = if e.prev != prev {
                        Some("it does not follow the entry before it (an entry was removed or reordered)".to_owned())
                    } else if digest(&e.prev, &e) != e.hash {
                        Some("its content does not match its hash (it was edited)".to_owned())
                    } else {
                        None
                    };
                    prev = e.hash.clone();
                    report.entries.push(e);
                    problem
                }
            };
            if let (Some(p), true) = (problem, report.intact) {
                report.intact = false;
                report.broken_at_line = Some(line_no);
                report.problem = Some(format!("Line {line_no} of the activity log: {p}."));
            }
        }
        Ok(report)
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

    fn log_with(n: usize) -> (tempfile::TempDir, ActivityLog) {
        let dir = tempfile::tempdir().unwrap();
        let log = ActivityLog::in_dir(dir.path());
        for i in 0..n {
            log.append(
                "P",
                Action::TokenCreate,
                &format!("tok_{i}"),
                &format!("Created token {i}"),
                "app",
            )
            .unwrap();
        }
        (dir, log)
    }

    #[test]
    fn appends_chain_and_verify() {
        let (_d, log) = log_with(3);
        let r = log.read().unwrap();
        assert!(r.intact, "{:?}", r.problem);
        assert_eq!(
            r.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(r.entries[0].prev, GENESIS);
        assert_eq!(r.entries[1].prev, r.entries[0].hash);
    }

    #[test]
    fn an_edited_line_is_detected() {
        let (_d, log) = log_with(3);
        let text = std::fs::read_to_string(log.path())
            .unwrap()
            .replace("Created token 1", "Created token X");
        std::fs::write(log.path(), text).unwrap();
        let r = log.read().unwrap();
        assert!(!r.intact);
        assert_eq!(r.broken_at_line, Some(2));
        assert!(r.problem.unwrap().contains("edited"));
    }

    #[test]
    fn a_removed_line_is_detected() {
        let (_d, log) = log_with(3);
        let text = std::fs::read_to_string(log.path()).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, l)| l)
            .collect();
        std::fs::write(log.path(), kept.join("\n") + "\n").unwrap();
        let r = log.read().unwrap();
        assert!(!r.intact);
        assert_eq!(r.broken_at_line, Some(2));
        assert!(r.problem.unwrap().contains("removed or reordered"));
    }

    #[test]
    fn csv_quotes_fields() {
        let (_d, log) = log_with(0);
        log.append(
            "P",
            Action::ProfileAdd,
            "Prod",
            "Added \"Prod\", production",
            "cli",
        )
        .unwrap();
        let csv = to_csv(&log.read().unwrap().entries);
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
