//! Reading the activity log: list (with the chain's verdict), verify, and
//! export as JSON or CSV. The log's key, when the shell can reach it without
//! asking, is passed as `keys`; without it the chain is checked unkeyed.

use std::str::FromStr;

use serde::Serialize;

use crate::activity::{to_csv, ActivityEntry, ActivityLog, ActivityReport, ChainVerdict};
use crate::error::{Error, Result};
use crate::secrets::SecretStore;

/// The log as listed: its entries (only one profile's when asked) and the
/// verdict on the whole chain.
#[derive(Debug, Clone)]
pub struct Listing {
    pub report: ActivityReport,
    pub chain: Verification,
}

/// The log with its verdict; only `profile`'s entries when given (the
/// verdict is always the whole chain's).
pub fn list(
    log: &ActivityLog,
    keys: Option<&dyn SecretStore>,
    profile: Option<&str>,
) -> Result<Listing> {
    let mut report = log.read(keys)?;
    let chain = Verification::from(&report);
    if let Some(p) = profile {
        report.entries.retain(|e| e.profile == p);
    }
    Ok(Listing { report, chain })
}

/// The verdict on the chain, without the entries.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub entries: usize,
    /// False when the chain is broken or truncated.
    pub intact: bool,
    pub verdict: ChainVerdict,
    pub problem: Option<String>,
}

impl Verification {
    /// One line for a person: keyed or unkeyed and ok, broken at a line, or
    /// truncated.
    pub fn describe(&self) -> String {
        let entries = self.entries;
        let problem = self.problem.as_deref().unwrap_or_default();
        match &self.verdict {
            ChainVerdict::Keyed => {
                format!("keyed, ok: {entries} entries, checked with the log's key")
            }
            ChainVerdict::Unkeyed {
                legacy: true,
                reason,
            } => format!("unkeyed (legacy), ok: {entries} entries. {reason}"),
            ChainVerdict::Unkeyed { reason, .. } => {
                format!("unkeyed, ok: {entries} entries. {reason}")
            }
            ChainVerdict::Broken { line } => format!("broken at line {line}: {problem}"),
            ChainVerdict::Truncated { recorded, found } => {
                format!("truncated: {found} entries where {recorded} were recorded. {problem}")
            }
        }
    }
}

impl From<&ActivityReport> for Verification {
    /// The verdict of a report as read (every entry).
    fn from(report: &ActivityReport) -> Self {
        Self {
            entries: report.entries.len(),
            intact: report.intact,
            verdict: report.verdict.clone(),
            problem: report.problem.clone(),
        }
    }
}

/// Checks the whole chain.
pub fn verify(log: &ActivityLog, keys: Option<&dyn SecretStore>) -> Result<Verification> {
    Ok(Verification::from(&log.read(keys)?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON array of the entries, as the log holds them.
    Json,
    /// A header row, then one row per entry.
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

impl std::fmt::Display for ExportFormat {
    /// As the file extension (and as parsed): `json`, `csv`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for ExportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            _ => Err(Error::validation(format!(
                "Unknown export format '{s}': use json or csv."
            ))),
        }
    }
}

/// An export: the text to write, and how many entries it holds.
#[derive(Debug, Clone)]
pub struct Export {
    pub text: String,
    pub count: usize,
}

/// The entries of `profile` (all when `None`) as `format`.
pub fn export(
    log: &ActivityLog,
    keys: Option<&dyn SecretStore>,
    profile: Option<&str>,
    format: ExportFormat,
) -> Result<Export> {
    let entries = list(log, keys, profile)?.report.entries;
    Ok(Export {
        text: render(&entries, format)?,
        count: entries.len(),
    })
}

fn render(entries: &[ActivityEntry], format: ExportFormat) -> Result<String> {
    match format {
        ExportFormat::Json => {
            serde_json::to_string_pretty(entries).map_err(|e| Error::internal(e.to_string()))
        }
        ExportFormat::Csv => Ok(to_csv(entries)),
    }
}
