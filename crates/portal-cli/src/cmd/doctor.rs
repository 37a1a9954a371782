//! `portal doctor [--json]`: what went stale for the profile
//! (`portal_core::ops::health`), each finding with the command that fixes
//! it. Exits 1 when anything needs action, 0 otherwise; what could not be
//! checked is said on stderr.

use portal_core::ops::health;

use crate::output;
use crate::session::{settings, Globals};

pub async fn run(g: &Globals) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let report = health::check(&ctx, &settings()?, chrono::Utc::now()).await;
    if g.json {
        output::json(&report)?;
    } else if report.findings.is_empty() {
        eprintln!("Profile {}: nothing went stale.", report.profile);
    } else {
        for f in &report.findings {
            let mark = if f.action { "needs action" } else { "note" };
            println!("[{mark}] {}: {}", f.subject, f.detail);
            if let Some(fix) = &f.fix {
                println!("    fix: {}", fix.command);
            }
        }
    }
    for note in &report.notes {
        eprintln!("not checked: {note}");
    }
    if report.needs_action() {
        crate::session::warn_clock();
        std::process::exit(1);
    }
    Ok(())
}
