//! Streamed uploads: `multipart/form-data` with the file read from disk in
//! chunks (never whole into memory). The form is rebuilt from the path for
//! every attempt, so a retry (same `Idempotency-Key`) sends the whole file
//! again; progress counts the bytes handed to the connection.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use reqwest::multipart::{Form, Part};
use serde::{Deserialize, Serialize};
use tokio_util::io::ReaderStream;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::http::FormBuilder;

const CHUNK: usize = 64 * 1024;

/// A file to upload and its metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UploadRequest {
    #[ts(type = "string")]
    pub path: PathBuf,
    /// Defaults to the file name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub folder_id: Option<String>,
    /// Defaults to a guess from the extension.
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Bytes of the file sent so far in the current attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UploadProgress {
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub total: u64,
}

pub type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// A media type from the extension, for the common cases.
pub(crate) fn guess_content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "txt" | "md" => "text/plain",
        "csv" => "text/csv",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The file's size, checked before anything is sent.
pub(crate) fn file_size(path: &Path) -> Result<u64> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::new(
            if e.kind() == std::io::ErrorKind::NotFound {
                ErrorCode::NotFound
            } else {
                ErrorCode::Io
            },
            format!("Cannot read {}: {e}", path.display()),
        )
    })?;
    if !meta.is_file() {
        return Err(Error::validation(format!(
            "{} is not a file.",
            path.display()
        )));
    }
    Ok(meta.len())
}

/// A form builder for `req`: opens the file anew on each call.
pub(crate) fn form_builder(
    req: &UploadRequest,
    total: u64,
    progress: Option<ProgressFn>,
    cancel: CancellationToken,
) -> Result<FormBuilder> {
    let file_name = req
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| Error::validation("The path has no file name."))?;
    let content_type = req
        .content_type
        .clone()
        .unwrap_or_else(|| guess_content_type(&req.path).to_owned());
    // Fail on a bad media type now, not inside an attempt.
    reqwest::multipart::Part::bytes(Vec::new())
        .mime_str(&content_type)
        .map_err(|_| Error::validation(format!("'{content_type}' is not a media type.")))?;
    let req = req.clone();
    Ok(Arc::new(move || {
        let file = tokio::fs::File::from_std(std::fs::File::open(&req.path)?);
        let sent = Arc::new(AtomicU64::new(0));
        let progress = progress.clone();
        let cancel = cancel.clone();
        if let Some(p) = &progress {
            p(UploadProgress { sent: 0, total });
        }
        let stream = ReaderStream::with_capacity(file, CHUNK).map(move |chunk| {
            if cancel.is_cancelled() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "upload cancelled",
                ));
            }
            if let (Ok(bytes), Some(p)) = (&chunk, &progress) {
                let now =
                    sent.fetch_add(bytes.len() as u64, Ordering::Relaxed) + bytes.len() as u64;
                p(UploadProgress { sent: now, total });
            }
            chunk
        });
        let part = Part::stream_with_length(reqwest::Body::wrap_stream(stream), total)
            .file_name(file_name.clone())
            .mime_str(&content_type)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let mut form = Form::new().part("file", part);
        if let Some(name) = req.name.as_ref().filter(|n| !n.trim().is_empty()) {
            form = form.text("name", name.trim().to_owned());
        }
        if let Some(folder) = req.folder_id.as_ref().filter(|f| !f.is_empty()) {
            form = form.text("folder_id", folder.clone());
        }
        for tag in &req.tags {
            form = form.text("tags", tag.clone());
        }
        Ok(form)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_guessed_from_the_extension() {
        assert_eq!(guess_content_type(Path::new("a/Keynote.MP4")), "video/mp4");
        assert_eq!(
            guess_content_type(Path::new("noext")),
            "application/octet-stream"
        );
    }

    #[test]
    fn a_missing_file_is_not_found_before_any_request() {
        let e = file_size(Path::new("/definitely/not/here.mp4")).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
    }
}
