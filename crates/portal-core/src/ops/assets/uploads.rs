//! The upload engine: several files at once on one vault session, each with
//! its id, its cancellation token and a stream of [`UploadEvent`]s (progress,
//! about 200 per file at most, then done, failed or cancelled). The shell
//! only delivers the events (the app emits them) and keeps the tokens to
//! cancel with; each upload records itself ([`super::upload`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::Cx;
use crate::error::{Error, ErrorCode, Result};
use crate::vault::{Asset, UploadProgress, UploadRequest};

/// An upload started (its events follow).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UploadStarted {
    pub upload_id: String,
    pub name: String,
    #[ts(type = "number")]
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UploadState {
    Uploading,
    Done,
    Failed,
    Cancelled,
}

/// Progress or end of one upload (the app's event `asset-upload`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UploadEvent {
    pub upload_id: String,
    pub name: String,
    pub state: UploadState,
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub total: u64,
    pub asset: Option<Asset>,
    pub error: Option<Error>,
}

impl UploadEvent {
    fn progress(started: &UploadStarted, p: UploadProgress) -> Self {
        Self::of(started, UploadState::Uploading, p.sent, p.total, None, None)
    }

    fn done(started: &UploadStarted, asset: Asset) -> Self {
        let total = asset.size.unwrap_or(0);
        Self::of(started, UploadState::Done, total, total, Some(asset), None)
    }

    /// The end of an upload that did not happen (`cancelled` when it was).
    pub fn failed(started: &UploadStarted, e: Error) -> Self {
        let state = if e.code == ErrorCode::Cancelled {
            UploadState::Cancelled
        } else {
            UploadState::Failed
        };
        Self::of(started, state, 0, 0, None, Some(e))
    }

    fn of(
        started: &UploadStarted,
        state: UploadState,
        sent: u64,
        total: u64,
        asset: Option<Asset>,
        error: Option<Error>,
    ) -> Self {
        Self {
            upload_id: started.upload_id.clone(),
            name: started.name.clone(),
            state,
            sent,
            total,
            asset,
            error,
        }
    }
}

/// Where the events go; called from the upload tasks.
pub type EventSink = Arc<dyn Fn(UploadEvent) + Send + Sync>;

/// One file to upload: what the shell answers at once, the file, and the
/// token that cancels it.
#[derive(Debug, Clone)]
pub struct UploadJob {
    pub started: UploadStarted,
    pub path: PathBuf,
    pub cancel: CancellationToken,
}

impl UploadJob {
    /// A new id, the file's name and size.
    pub fn new(path: PathBuf) -> Self {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let total = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Self {
            started: UploadStarted {
                upload_id: uuid::Uuid::new_v4().to_string(),
                name,
                total,
            },
            path,
            cancel: CancellationToken::new(),
        }
    }
}

/// A path from the OS must be a regular file that can be opened for reading.
pub fn check_upload_path(path: &Path) -> Result<PathBuf> {
    let unreadable =
        |e: std::io::Error| Error::validation(format!("Cannot read {}: {e}", path.display()));
    let meta = std::fs::symlink_metadata(path).map_err(unreadable)?;
    let meta = if meta.file_type().is_symlink() {
        std::fs::metadata(path).map_err(unreadable)?
    } else {
        meta
    };
    if !meta.is_file() {
        return Err(Error::validation(format!(
            "{} is not a regular file.",
            path.display()
        )));
    }
    std::fs::File::open(path).map_err(unreadable)?;
    Ok(path.to_path_buf())
}

/// Ends every job with `e` (the vault could not be opened).
pub fn fail_all(jobs: &[UploadJob], e: &Error, sink: &EventSink) {
    for job in jobs {
        sink(UploadEvent::failed(&job.started, e.clone()));
    }
}

/// Uploads every job at once into `folder_id`; returns when all have ended
/// (each with its last event).
pub async fn run(cx: Cx<'_>, jobs: &[UploadJob], folder_id: Option<String>, sink: EventSink) {
    let runs = jobs
        .iter()
        .map(|job| run_one(cx, job, folder_id.clone(), sink.clone()));
    futures_util::future::join_all(runs).await;
}

async fn run_one(cx: Cx<'_>, job: &UploadJob, folder_id: Option<String>, sink: EventSink) {
    let request = UploadRequest {
        path: job.path.clone(),
        folder_id,
        ..UploadRequest::default()
    };
    let progress = throttled(job.started.clone(), sink.clone());
    let result = super::upload(cx, &request, Some(progress), &job.cancel).await;
    sink(match result {
        Ok(outcome) => {
            for w in &outcome.warnings {
                tracing::warn!("{w}");
            }
            UploadEvent::done(&job.started, outcome.value)
        }
        Err(e) => UploadEvent::failed(&job.started, e),
    });
}

/// About 200 progress events per file at most, plus the first and the last.
fn throttled(started: UploadStarted, sink: EventSink) -> crate::vault::ProgressFn {
    let last = AtomicU64::new(u64::MAX);
    Arc::new(move |p: UploadProgress| {
        let step = (p.total / 200).max(1);
        let prev = last.load(Ordering::Relaxed);
        if prev == u64::MAX || p.sent < prev || p.sent - prev >= step || p.sent == p.total {
            last.store(p.sent, Ordering::Relaxed);
            sink(UploadEvent::progress(&started, p));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_readable_files_are_uploaded() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("a.mp4");
        std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
        assert!(check_upload_path(&file).is_ok());
        let refused = |p: &Path| check_upload_path(p).map_err(|e| e.code).err();
        assert_eq!(refused(dir.path()), Some(ErrorCode::Validation));
        assert_eq!(
            refused(&dir.path().join("gone.mp4")),
            Some(ErrorCode::Validation)
        );
        let job = UploadJob::new(file);
        assert_eq!((job.started.name.as_str(), job.started.total), ("a.mp4", 1));
    }

    #[test]
    fn progress_is_thinned_to_about_200_events() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink: EventSink = {
            let seen = seen.clone();
            Arc::new(move |e: UploadEvent| {
                seen.lock().unwrap_or_else(|p| p.into_inner()).push(e.sent)
            })
        };
        let started = UploadStarted {
            upload_id: "u".into(),
            name: "n".into(),
            total: 10_000,
        };
        let progress = throttled(started, sink);
        for sent in 0..=10_000 {
            progress(UploadProgress {
                sent,
                total: 10_000,
            });
        }
        let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!(seen.first(), Some(&0));
        assert_eq!(seen.last(), Some(&10_000));
        assert!(seen.len() <= 202, "{}", seen.len());
    }
}
