//! `portal policy check|show`: the team's policy file (issue 15 §4,
//! `portal_core::ops::policy`). `check` audits the profile's tokens and
//! keys for a team's CI (exit 0: none, 1: violations, 2: error, a malformed
//! file included); `show` says which file applies, where its path came
//! from (`--policy`, `PORTAL_POLICY`, Settings → Policy) and its rules for
//! the profile's environment.

use clap::Subcommand;
use portal_core::ops::policy::{self as uc, PolicyReport};

use crate::output;
use crate::session::{settings, Globals};

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Audit the profile's tokens and keys against the policy (exit 0:
    /// none, 1: violations, 2: error).
    Check,
    /// The rules that apply to the profile, and where the file came from.
    Show,
}

/// Exit codes of `check`.
const VIOLATIONS: i32 = 1;
const FAILED: i32 = 2;

pub async fn run(g: &Globals, c: PolicyCommand) -> anyhow::Result<()> {
    match c {
        PolicyCommand::Check => {
            let code = match check(g).await {
                Ok(report) if report.findings.is_empty() => 0,
                Ok(_) => VIOLATIONS,
                Err(e) => {
                    output::report(&e);
                    FAILED
                }
            };
            std::process::exit(code)
        }
        PolicyCommand::Show => show(g),
    }
}

async fn check(g: &Globals) -> anyhow::Result<PolicyReport> {
    let ctx = g.context()?;
    let report = uc::check(&ctx, &settings()?, chrono::Utc::now()).await?;
    if g.json {
        output::json(&report)?;
    } else if report.findings.is_empty() {
        eprintln!(
            "Profile {}: every token and key follows {} ({}).",
            report.profile,
            report.file,
            output::wire_name(report.environment)
        );
    } else {
        output::table(
            &["kind", "id", "name", "rule", "what"],
            &report
                .findings
                .iter()
                .map(|f| {
                    vec![
                        output::wire_name(f.target),
                        f.id.clone(),
                        f.name.clone(),
                        f.rule.key().to_owned(),
                        f.message.clone(),
                    ]
                })
                .collect::<Vec<_>>(),
        );
        eprintln!("\nTo fix: make a compliant replacement, then remove each:");
        let mut fixes: Vec<&str> = report.findings.iter().map(|f| f.fix.as_str()).collect();
        fixes.dedup();
        for fix in fixes {
            eprintln!("    {fix}");
        }
    }
    Ok(report)
}

fn show(g: &Globals) -> anyhow::Result<()> {
    let settings = settings()?;
    let environment = g.profile(&settings).ok().map(|p| p.environment);
    let status = uc::status(&settings, g.policy_path(), environment);
    if g.json {
        output::json(&status)?;
    } else {
        match (&status.file, status.source) {
            (Some(file), Some(source)) => println!("Policy file: {file} (from {})", source.describe()),
            _ => println!(
                "No policy file: give one with --policy FILE or PORTAL_POLICY, or choose one in Settings → Policy."
            ),
        }
        if status.file.is_some() {
            match environment {
                Some(e) => println!("Rules for {}:", output::wire_name(e)),
                None => println!("Rules of [default] (no profile):"),
            }
        }
        for line in &status.described {
            println!("  - {line}");
        }
    }
    match status.error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
