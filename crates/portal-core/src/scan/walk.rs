//! The working tree: ripgrep's `ignore` walk, in parallel, honouring
//! `.gitignore` (in a repository or not), `.ignore` and git's excludes. It
//! does look in hidden files and folders (`.env`, `.npmrc`, `.github/`),
//! where leaks usually sit, but never in `.git/` itself. Binary files (a NUL
//! byte) are skipped as ripgrep skips them; files over [`MAX_FILE`] are
//! listed in the report, never skipped silently.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::{Finding, Place, ScanReport, Scanner};
use crate::error::{Error, ErrorCode, Result};

/// Larger files are not read (and are listed as such).
pub const MAX_FILE: u64 = 256 * 1024 * 1024;

/// A sweep's progress, read by the shell while it runs, and its Cancel.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    cancel: AtomicBool,
}

impl Progress {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Counts one searched file or blob of `bytes` bytes.
    pub fn searched(&self, bytes: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// What one worker thread gathered.
#[derive(Default)]
struct Partial {
    findings: Vec<Finding>,
    binary: u64,
    too_large: Vec<String>,
    unreadable: Vec<String>,
}

/// How a path is shown: as walked, without a leading `./`.
fn shown(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// Searches one buffer; `None` when it is binary.
pub(crate) fn search(
    scanner: &Scanner,
    hay: &[u8],
    place: &Place<'_>,
    progress: &Progress,
) -> Option<Vec<Finding>> {
    if memchr::memchr(0, hay).is_some() {
        return None;
    }
    progress.searched(hay.len());
    Some(scanner.findings(hay, place))
}

fn visit(scanner: &Scanner, path: &Path, progress: &Progress, out: &mut Partial) {
    let name = shown(path);
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE => {
            out.too_large.push(name);
            return;
        }
        Ok(_) => {}
        Err(e) => {
            out.unreadable.push(format!("{name}: {e}"));
            return;
        }
    }
    let hay = match std::fs::read(path) {
        Ok(h) => h,
        Err(e) => {
            out.unreadable.push(format!("{name}: {e}"));
            return;
        }
    };
    let place = Place {
        path: &name,
        commit: None,
    };
    match search(scanner, &hay, &place, progress) {
        Some(found) => out.findings.extend(found),
        None => out.binary += 1,
    }
}

/// Sweeps `roots` (folders or files). A root that does not exist is an
/// error; a file that cannot be read is listed in the report.
pub fn walk(scanner: &Scanner, roots: &[PathBuf], progress: &Progress) -> Result<ScanReport> {
    let Some((first, rest)) = roots.split_first() else {
        return Err(Error::validation(
            "Nothing to scan: give a folder or a file.",
        ));
    };
    for root in roots {
        if !root.exists() {
            return Err(Error::new(
                ErrorCode::Io,
                format!("{} does not exist.", root.display()),
            ));
        }
    }
    let mut builder = WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    builder
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    let gathered: Mutex<Vec<Partial>> = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let mut worker = Worker {
            gathered: &gathered,
            partial: Partial::default(),
        };
        Box::new(move |entry| {
            if progress.is_cancelled() {
                return WalkState::Quit;
            }
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    visit(scanner, e.path(), progress, &mut worker.partial);
                }
                Ok(_) => {}
                Err(e) => worker.partial.unreadable.push(e.to_string()),
            }
            WalkState::Continue
        })
    });
    let mut report = ScanReport {
        files: progress.files.load(Ordering::Relaxed),
        bytes: progress.bytes.load(Ordering::Relaxed),
        cancelled: progress.is_cancelled(),
        ..ScanReport::default()
    };
    for p in gathered.into_inner().unwrap_or_else(|e| e.into_inner()) {
        report.findings.extend(p.findings);
        report.binary += p.binary;
        report.too_large.extend(p.too_large);
        report.unreadable.extend(p.unreadable);
    }
    report.sort();
    Ok(report)
}

/// One walker thread's gatherings, handed over when the thread's visitor is
/// dropped (the walk ends or quits).
struct Worker<'a> {
    gathered: &'a Mutex<Vec<Partial>>,
    partial: Partial,
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        let partial = std::mem::take(&mut self.partial);
        self.gathered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(partial);
    }
}
