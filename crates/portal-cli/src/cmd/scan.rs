//! `portal scan`: the leak sweep (`portal_core::ops::scan`) over folders and
//! files, the git index (`--staged`) or every commit (`--git-history`),
//! with `--json`, `--sarif FILE` and `--verify`; `--install-hook` writes a
//! pre-commit hook that runs `portal scan --staged`. Exit codes: 0 nothing
//! found, 1 findings, 2 error. No value is ever printed: each finding shows
//! its masked form.

use std::path::{Path, PathBuf};

use clap::Args;
use portal_core::ops::scan::{self as uc, Request, Sources};
use portal_core::scan::walk::Progress;
use portal_core::scan::{sarif, Finding, Liveness, ScanReport};
use portal_core::Error;

use crate::output;
use crate::session::{settings, Globals, LazyStore};

#[derive(Args)]
pub struct ScanArgs {
    /// Folders or files to sweep (default: the current folder).
    paths: Vec<PathBuf>,
    /// Sweep every blob reachable from every ref, reporting the commit.
    #[arg(long)]
    git_history: bool,
    /// Sweep what is staged for the next commit (the git index).
    #[arg(long, conflicts_with = "git_history")]
    staged: bool,
    /// Also write the findings as SARIF 2.1.0 to FILE.
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    /// Ask the profile's VaultStream service whether each token found that
    /// this portal does not hold still works (one harmless read with it).
    #[arg(long)]
    verify: bool,
    /// Write a git pre-commit hook that runs `portal scan --staged`.
    #[arg(long, conflicts_with_all = ["git_history", "staged", "sarif", "verify"])]
    install_hook: bool,
}

/// Exit codes.
const FOUND: i32 = 1;
const FAILED: i32 = 2;

pub async fn run(g: &Globals, args: ScanArgs) -> anyhow::Result<()> {
    let code = match sweep(g, &args).await {
        Ok(report) if report.findings.is_empty() => 0,
        Ok(_) => FOUND,
        Err(e) => {
            output::report(&e);
            FAILED
        }
    };
    std::process::exit(code)
}

async fn sweep(g: &Globals, args: &ScanArgs) -> anyhow::Result<ScanReport> {
    if args.install_hook {
        let root = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
        let hook = install_hook(root)?;
        eprintln!(
            "Installed {}: each commit is swept for leaks first.",
            hook.display()
        );
        return Ok(ScanReport::default());
    }
    let settings = settings()?;
    let store = LazyStore::new(&settings)?;
    // The active profile names server keys and answers --verify; a machine
    // without one still sweeps.
    let active = g.context().ok();
    let src = Sources {
        settings: &settings,
        secrets: Ok(&store),
        active: active.as_ref(),
    };
    let prepared = uc::prepare(&src)?;
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let progress = Progress::default();
    let mut report = if args.staged || args.git_history {
        let repo = roots.first().map_or(Path::new("."), PathBuf::as_path);
        if args.staged {
            uc::sweep_index(&prepared, repo, &progress)?
        } else {
            uc::sweep_history(&prepared, repo, &progress)?
        }
    } else {
        uc::sweep(&prepared, &Request { roots }, &progress)?
    };
    uc::finish(&src, &mut report, args.verify).await;
    if let Some(file) = &args.sarif {
        let log = sarif::to_sarif(&report, env!("CARGO_PKG_VERSION"));
        std::fs::write(file, serde_json::to_vec_pretty(&log)?).map_err(|e| {
            Error::new(
                portal_core::ErrorCode::Io,
                format!("{}: {e}", file.display()),
            )
        })?;
    }
    if g.json {
        output::json(&report)?;
    } else {
        print_findings(&report.findings);
    }
    summarize(&report);
    Ok(report)
}

fn place(f: &Finding) -> String {
    let at = format!("{}:{}:{}", f.path, f.line, f.column);
    match &f.commit {
        Some(c) => format!("{}@{at}", &c[..c.len().min(12)]),
        None => at,
    }
}

fn print_findings(findings: &[Finding]) {
    if findings.is_empty() {
        return;
    }
    let verified = findings.iter().any(|f| f.live.is_some());
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            let mut row = vec![
                place(f),
                f.kind.id().to_owned(),
                f.matches.clone(),
                f.masked.clone(),
            ];
            if verified {
                row.push(match f.live {
                    Some(Liveness::Live) => "LIVE".into(),
                    Some(Liveness::Refused) => "refused".into(),
                    Some(Liveness::Unknown) => "unknown".into(),
                    None => String::new(),
                });
            }
            row
        })
        .collect();
    let mut headers = vec!["where", "kind", "matches", "value (masked)"];
    if verified {
        headers.push("verified");
    }
    output::table(&headers, &rows);
}

fn summarize(report: &ScanReport) {
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for f in &report.too_large {
        eprintln!(
            "skipped (over {} MiB): {f}",
            portal_core::scan::walk::MAX_FILE >> 20
        );
    }
    for f in &report.unreadable {
        eprintln!("unreadable: {f}");
    }
    for fix in report.findings.iter().filter_map(uc::rotate_command) {
        eprintln!("fix (revokes the leaked token at once): {fix}");
    }
    let n = report.findings.len();
    let found = match n {
        0 => "No leaks found".to_owned(),
        1 => "1 finding".to_owned(),
        n => format!("{n} findings"),
    };
    eprintln!(
        "{found} in {} files ({}); {} binary skipped.",
        report.files,
        size(report.bytes),
        report.binary
    );
}

/// "812 bytes", "4.2 kB", "1.1 GB".
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The pre-commit hook's text: this very binary, so a hook run by a GUI
/// client without `portal` on its PATH still works.
fn hook_text() -> String {
    let exe = std::env::current_exe()
        .ok()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "portal".to_owned());
    format!(
        "#!/bin/sh\n# Installed by `portal scan --install-hook`: a commit that would add a leaked\n\
         # credential or private key stops here (`git commit --no-verify` skips it).\n\
         exec '{}' scan --staged\n",
        exe.replace('\'', r"'\''")
    )
}

/// Writes `hooks/pre-commit` in the repository at or above `root`. An
/// existing hook that is not ours is kept, and the command says so.
fn install_hook(root: &Path) -> anyhow::Result<PathBuf> {
    let hooks = uc::hooks_dir(root)?;
    std::fs::create_dir_all(&hooks)?;
    let hook = hooks.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if !existing.contains("portal scan --install-hook") {
            return Err(Error::validation(format!(
                "{} already exists and is not this portal's: it was left as it is. Add the line \
                 `portal scan --staged || exit 1` to it.",
                hook.display()
            ))
            .into());
        }
    }
    std::fs::write(&hook, hook_text())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(hook)
}
