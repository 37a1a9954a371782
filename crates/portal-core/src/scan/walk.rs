//! The working tree: ripgrep's `ignore` walk, in parallel, honouring
//! `.gitignore` (in a repository or not), `.ignore` and git's excludes. It
//! does look in hidden files and folders (`.env`, `.npmrc`, `.github/`),
//! where leaks usually sit, but never in `.git/` itself. Binary files (a NUL
//! byte) are skipped as ripgrep skips them; files over [`MAX_FILE`] are
//! listed in the report, never skipped silently.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::{Place, ScanReport, Scanner};
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

/// How a path is shown: as walked, without a leading `./`.
fn shown(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// Searches one buffer into `report`: its findings, counted as searched,
/// or counted as binary (a NUL byte) and not searched.
pub(crate) fn search(
    scanner: &Scanner,
    hay: &[u8],
    place: &Place<'_>,
    progress: &Progress,
    report: &mut ScanReport,
) {
    if memchr::memchr(0, hay).is_some() {
        report.binary += 1;
        return;
    }
    progress.searched(hay.len());
    report.files += 1;
    report.bytes += hay.len() as u64;
    report.findings.extend(scanner.findings(hay, place));
}

fn visit(scanner: &Scanner, path: &Path, progress: &Progress, out: &mut ScanReport) {
    let name = shown(path);
    // One open: the size comes from the handle, not from a stat of its own.
    let read = File::open(path).and_then(|mut file| {
        let len = file.metadata()?.len();
        if len > MAX_FILE {
            return Ok(None);
        }
        let mut hay = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.read_to_end(&mut hay)?;
        Ok(Some(hay))
    });
    let hay = match read {
        Ok(Some(hay)) => hay,
        Ok(None) => {
            out.too_large.push(name);
            return;
        }
        Err(e) => {
            out.unreadable.push(format!("{name}: {e}"));
            return;
        }
    };
    let place = Place {
        path: &name,
        commit: None,
    };
    search(scanner, &hay, &place, progress, out);
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
    let gathered: Mutex<Vec<ScanReport>> = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let mut worker = Worker {
            gathered: &gathered,
            partial: ScanReport::default(),
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
        cancelled: progress.is_cancelled(),
        ..ScanReport::default()
    };
    for partial in gathered.into_inner().unwrap_or_else(|e| e.into_inner()) {
        report.absorb(partial);
    }
    Ok(report)
}

/// One walker thread's gatherings, handed over when the thread's visitor is
/// dropped (the walk ends or quits).
struct Worker<'a> {
    gathered: &'a Mutex<Vec<ScanReport>>,
    partial: ScanReport,
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
