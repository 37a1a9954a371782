//! The git side of the leak sweep, read with `gix` (pure Rust, no `git`
//! binary needed): the index (`--staged`, what the next commit would hold)
//! and history (`--git-history`, every blob reachable from every ref).
//!
//! History is walked oldest commit first, and each blob and tree is read
//! once: a finding names the first commit (by time) whose tree holds the
//! blob, and the path it had there. A tree already seen is not descended
//! into again, so a long history costs about what its distinct content does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use gix::bstr::BStr;
use gix::traverse::tree::{visit::Action, Recorder, Visit};
use gix::ObjectId;

use super::walk::{search, Progress};
use super::{Place, ScanReport, Scanner};
use crate::error::{Error, ErrorCode, Result};

fn git_error(doing: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::Io, format!("Git: {doing}: {e}"))
}

fn open(root: &Path) -> Result<gix::Repository> {
    gix::discover(root).map_err(|e| {
        Error::new(
            ErrorCode::Io,
            format!("{} is not in a git repository ({e}).", root.display()),
        )
    })
}

/// The hooks folder of the repository at or above `root` (the common
/// folder's `hooks/`, shared by every worktree).
pub fn hooks_dir(root: &Path) -> Result<PathBuf> {
    Ok(open(root)?.common_dir().join("hooks"))
}

/// Searches one blob, counting it in `report`.
fn search_blob(
    repo: &gix::Repository,
    scanner: &Scanner,
    id: ObjectId,
    place: &Place<'_>,
    progress: &Progress,
    report: &mut ScanReport,
) -> Result<()> {
    let blob = repo
        .find_blob(id)
        .map_err(|e| git_error(&format!("reading {}", place.path), e))?;
    if blob.data.len() as u64 > super::walk::MAX_FILE {
        report.too_large.push(place.path.to_owned());
        return Ok(());
    }
    search(scanner, &blob.data, place, progress, report);
    Ok(())
}

/// Sweeps the index of the repository at or above `root`: each staged
/// file's content as it would be committed (symlinks and submodules aside).
pub fn sweep_index(scanner: &Scanner, root: &Path, progress: &Progress) -> Result<ScanReport> {
    let repo = open(root)?;
    let index = repo
        .index_or_empty()
        .map_err(|e| git_error("reading the index", e))?;
    let mut report = ScanReport::default();
    for entry in index.entries() {
        if progress.is_cancelled() {
            report.cancelled = true;
            break;
        }
        use gix::index::entry::Mode;
        if !matches!(entry.mode, Mode::FILE | Mode::FILE_EXECUTABLE) {
            continue;
        }
        let path = entry.path(&index).to_string();
        let place = Place {
            path: &path,
            commit: None,
        };
        search_blob(&repo, scanner, entry.id, &place, progress, &mut report)?;
    }
    report.sort();
    Ok(report)
}

/// A tree walk that skips trees and blobs already seen, and records each
/// new blob with its path.
struct NewBlobs<'a> {
    path: Recorder,
    seen: &'a mut HashSet<ObjectId>,
    blobs: Vec<(String, ObjectId)>,
}

impl Visit for NewBlobs<'_> {
    fn pop_back_tracked_path_and_set_current(&mut self) {
        self.path.pop_back_tracked_path_and_set_current();
    }
    fn pop_front_tracked_path_and_set_current(&mut self) {
        self.path.pop_front_tracked_path_and_set_current();
    }
    fn push_back_tracked_path_component(&mut self, component: &BStr) {
        self.path.push_back_tracked_path_component(component);
    }
    fn push_path_component(&mut self, component: &BStr) {
        self.path.push_path_component(component);
    }
    fn pop_path_component(&mut self) {
        self.path.pop_path_component();
    }
    fn visit_tree(&mut self, entry: &gix::objs::tree::EntryRef<'_>) -> Action {
        Action::Continue(self.seen.insert(entry.oid.to_owned()))
    }
    fn visit_nontree(&mut self, entry: &gix::objs::tree::EntryRef<'_>) -> Action {
        if entry.mode.is_blob() && self.seen.insert(entry.oid.to_owned()) {
            self.blobs
                .push((self.path.path().to_string(), entry.oid.to_owned()));
        }
        Action::Continue(true)
    }
}

/// Sweeps every blob reachable from every ref (branches, tags, remotes,
/// stashes) of the repository at or above `root`.
pub fn sweep_history(scanner: &Scanner, root: &Path, progress: &Progress) -> Result<ScanReport> {
    let repo = open(root)?;
    let mut tips = Vec::new();
    let refs = repo
        .references()
        .map_err(|e| git_error("listing refs", e))?;
    for r in refs.all().map_err(|e| git_error("listing refs", e))? {
        let Ok(mut r) = r else { continue };
        // A ref that does not lead to a commit (a tag of a blob) has no history.
        if let Ok(commit) = r.peel_to_commit() {
            tips.push(commit.id);
        }
    }
    let mut report = ScanReport::default();
    if tips.is_empty() {
        return Ok(report);
    }
    // Newest first is how the walk can go; the commits are then taken
    // oldest first, so a blob is reported in the first commit that held it.
    let walk = repo
        .rev_walk(tips)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
        ))
        .all()
        .map_err(|e| git_error("walking history", e))?;
    let mut commits = Vec::new();
    for info in walk {
        let info = info.map_err(|e| git_error("walking history", e))?;
        commits.push((info.commit_time.unwrap_or_default(), info.id));
    }
    commits.reverse();
    commits.sort_by_key(|(time, _)| *time);
    let mut seen = HashSet::new();
    for (_, commit_id) in commits {
        if progress.is_cancelled() {
            report.cancelled = true;
            break;
        }
        let tree = repo
            .find_commit(commit_id)
            .and_then(|c| c.tree())
            .map_err(|e| git_error(&format!("reading commit {commit_id}"), e))?;
        if !seen.insert(tree.id) {
            continue;
        }
        let mut visit = NewBlobs {
            path: Recorder::default(),
            seen: &mut seen,
            blobs: Vec::new(),
        };
        tree.traverse()
            .depthfirst(&mut visit)
            .map_err(|e| git_error(&format!("reading the tree of {commit_id}"), e))?;
        let commit = commit_id.to_string();
        for (path, id) in visit.blobs {
            let place = Place {
                path: &path,
                commit: Some(&commit),
            };
            search_blob(&repo, scanner, id, &place, progress, &mut report)?;
        }
    }
    report.sort();
    Ok(report)
}
