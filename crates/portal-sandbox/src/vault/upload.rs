//! Streamed `multipart/form-data` uploads: field `file` (required) plus
//! optional `name`, `folder_id`, `content_type` and `tags` (repeated, comma
//! separated or a JSON array). The bytes go straight to a temporary file in
//! the sandbox's files directory, hashed on the way, and stop at the upload
//! limit (413 `PAYLOAD_TOO_LARGE`).

use std::path::{Path, PathBuf};

use axum::extract::multipart::Field;
use axum::extract::Multipart;
use axum::http::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::assets::{validate_content_type, validate_name, validate_tags, NewAsset};
use super::{bad_request, internal, SERVICE};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const MAX_FIELD_LEN: usize = 64 * 1024;

/// A received upload, not yet an asset.
#[derive(Debug)]
pub struct Upload {
    temp: PathBuf,
    pub sha256: String,
    pub size: u64,
    file_name: Option<String>,
    file_content_type: Option<String>,
    name: Option<String>,
    content_type: Option<String>,
    folder_id: Option<String>,
    tags: Vec<String>,
}

impl Upload {
    /// Everything that makes two uploads "the same request".
    pub fn fingerprint_input(&self) -> String {
        json!({
            "sha256": self.sha256,
            "size": self.size,
            "file_name": self.file_name,
            "file_content_type": self.file_content_type,
            "name": self.name,
            "content_type": self.content_type,
            "folder_id": self.folder_id,
            "tags": self.tags,
        })
        .to_string()
    }

    pub fn new_asset(&self) -> ApiResult<NewAsset> {
        let name = self
            .name
            .clone()
            .or_else(|| self.file_name.clone())
            .ok_or_else(|| bad_request("give the file a filename or send a name field"))?;
        let content_type = match self
            .content_type
            .as_ref()
            .or(self.file_content_type.as_ref())
        {
            Some(ct) => validate_content_type(ct)?,
            None => "application/octet-stream".to_owned(),
        };
        Ok(NewAsset {
            name: validate_name(&name)?,
            content_type,
            folder_id: self.folder_id.clone().filter(|f| !f.is_empty()),
            tags: validate_tags(&self.tags)?,
            size: i64::try_from(self.size).map_err(internal)?,
        })
    }

    /// Move the bytes to their final place.
    pub fn keep_as(&self, dest: &Path) -> ApiResult<()> {
        std::fs::rename(&self.temp, dest).map_err(internal)
    }

    /// Remove the temporary file if it was not kept.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        SERVICE,
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        format!("the file exceeds the upload limit of {limit} bytes"),
    )
}

/// Read the whole multipart body, streaming the file to disk.
pub async fn receive(state: &AppState, mut multipart: Multipart) -> ApiResult<Upload> {
    let mut upload = Upload {
        temp: state
            .files_dir
            .join(format!("upload-{}.part", crate::ids::uuid())),
        sha256: String::new(),
        size: 0,
        file_name: None,
        file_content_type: None,
        name: None,
        content_type: None,
        folder_id: None,
        tags: Vec::new(),
    };
    let mut got_file = false;
    let result = async {
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| bad_request(format!("invalid multipart body: {e}")))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            match name.as_str() {
                "file" if !got_file => {
                    got_file = true;
                    upload.file_name = field.file_name().map(str::to_owned);
                    upload.file_content_type = field.content_type().map(str::to_owned);
                    stream_to_disk(field, &mut upload, state.upload_limit).await?;
                }
                "file" => return Err(bad_request("send exactly one file field")),
                "name" => upload.name = Some(text(field).await?),
                "content_type" => upload.content_type = Some(text(field).await?),
                "folder_id" => upload.folder_id = Some(text(field).await?),
                "tags" => upload.tags.extend(parse_tags(&text(field).await?)),
                other => return Err(bad_request(format!("unknown multipart field {other:?}"))),
            }
        }
        if !got_file {
            return Err(bad_request("the multipart body has no `file` field"));
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(upload),
        Err(e) => {
            upload.discard();
            Err(e)
        }
    }
}

async fn stream_to_disk(mut field: Field<'_>, upload: &mut Upload, limit: u64) -> ApiResult<()> {
    let mut file = tokio::fs::File::create(&upload.temp)
        .await
        .map_err(internal)?;
    let mut hasher = Sha256::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| read_error(e, limit))? {
        upload.size += chunk.len() as u64;
        if upload.size > limit {
            return Err(too_large(limit));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(internal)?;
    }
    file.flush().await.map_err(internal)?;
    upload.sha256 = crate::ids::hex(&hasher.finalize());
    Ok(())
}

fn read_error(e: axum::extract::multipart::MultipartError, limit: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        bad_request(format!("could not read the upload: {e}"))
    }
}

async fn text(field: Field<'_>) -> ApiResult<String> {
    let name = field.name().unwrap_or_default().to_owned();
    let bytes = field
        .bytes()
        .await
        .map_err(|e| bad_request(format!("could not read field {name}: {e}")))?;
    if bytes.len() > MAX_FIELD_LEN {
        return Err(bad_request(format!("field {name} is too long")));
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| bad_request(format!("field {name} is not UTF-8")))
}

fn parse_tags(raw: &str) -> Vec<String> {
    if let Ok(list) = serde_json::from_str::<Vec<String>>(raw) {
        return list;
    }
    raw.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}
