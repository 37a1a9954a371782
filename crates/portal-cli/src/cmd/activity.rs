//! `portal activity list|verify|export`: the activity log shared with the
//! app, read through `portal_core::ops::activity` (with the log's key from
//! the secret store when it can be read without asking; else unkeyed, and
//! said so). `--profile` keeps that profile's entries only.

use clap::Subcommand;
use portal_core::ops::activity::{self, ExportFormat};

use crate::output;
use crate::session::{activity_log, Globals};

#[derive(Subcommand)]
pub enum ActivityCommand {
    /// The entries, oldest first, and the chain's verdict (on stderr).
    List,
    /// Check the log's chain: keyed or unkeyed, broken at a line, or
    /// truncated. Exits 1 when it is broken or truncated.
    Verify,
    /// The entries on stdout as JSON (the default, or --json) or CSV.
    Export {
        /// CSV with a header row instead of JSON.
        #[arg(long)]
        csv: bool,
    },
}

pub async fn run(g: &Globals, command: ActivityCommand) -> anyhow::Result<()> {
    let (log, keys) = activity_log()?;
    let profile = g.profile.as_deref();
    match command {
        ActivityCommand::List => {
            let activity::Listing { report, chain } =
                activity::list(&log, keys.as_deref(), profile)?;
            if g.json {
                return output::json(&report);
            }
            let rows: Vec<Vec<String>> = report
                .entries
                .iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        output::time(Some(e.at)),
                        e.profile.clone(),
                        output::wire_name(e.action),
                        e.target.clone(),
                        e.summary.clone(),
                        e.via.clone(),
                    ]
                })
                .collect();
            if rows.is_empty() {
                eprintln!("No activity.");
            } else {
                output::table(
                    &["seq", "at", "profile", "action", "target", "summary", "via"],
                    &rows,
                );
            }
            eprintln!("chain: {}", chain.describe());
            Ok(())
        }
        ActivityCommand::Verify => {
            let verdict = activity::verify(&log, keys.as_deref())?;
            if g.json {
                output::json(&verdict)?;
            } else {
                println!("{}", verdict.describe());
            }
            if !verdict.intact {
                std::process::exit(1);
            }
            Ok(())
        }
        ActivityCommand::Export { csv } => {
            let format = if csv {
                ExportFormat::Csv
            } else {
                ExportFormat::Json
            };
            let export = activity::export(&log, keys.as_deref(), profile, format)?;
            print!("{}", export.text);
            if format == ExportFormat::Json {
                println!();
            }
            Ok(())
        }
    }
}
