//! `portal activity verify`: the activity log's chain, checked as the app
//! checks it (with the log's key from the secret store when it can be read
//! without asking; else unkeyed, and said so).

use clap::Subcommand;
use portal_core::activity::{ActivityLog, ChainVerdict};
use portal_core::profiles::data_dir;
use serde_json::json;

use crate::output;
use crate::session::{activity_keys, Globals};

#[derive(Subcommand)]
pub enum ActivityCommand {
    /// Check the log's chain: keyed or unkeyed, broken at a line, or
    /// truncated. Exits 1 when it is broken or truncated.
    Verify,
}

pub async fn run(g: &Globals, command: ActivityCommand) -> anyhow::Result<()> {
    match command {
        ActivityCommand::Verify => verify(g),
    }
}

fn verify(g: &Globals) -> anyhow::Result<()> {
    let dir = data_dir()?;
    let keys = activity_keys(&dir);
    let report = ActivityLog::in_dir(&dir).read(keys.as_deref())?;
    let entries = report.entries.len();
    if g.json {
        output::json(&json!({
            "entries": entries,
            "intact": report.intact,
            "verdict": report.verdict,
            "problem": report.problem,
        }))?;
    } else {
        let line = match &report.verdict {
            ChainVerdict::Keyed => {
                format!("keyed, ok: {entries} entries, checked with the log's key")
            }
            ChainVerdict::Unkeyed {
                legacy: true,
                reason,
            } => {
                format!("unkeyed (legacy), ok: {entries} entries. {reason}")
            }
            ChainVerdict::Unkeyed { reason, .. } => {
                format!("unkeyed, ok: {entries} entries. {reason}")
            }
            ChainVerdict::Broken { line } => format!(
                "broken at line {line}: {}",
                report.problem.as_deref().unwrap_or_default()
            ),
            ChainVerdict::Truncated { recorded, found } => format!(
                "truncated: {found} entries where {recorded} were recorded. {}",
                report.problem.as_deref().unwrap_or_default()
            ),
        };
        println!("{line}");
    }
    if !report.intact {
        std::process::exit(1);
    }
    Ok(())
}
