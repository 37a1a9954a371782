//! The vault's objects as `docs/api/vault.yaml` describes them (read
//! liberally: unknown fields ignored, optional ones optional), and the
//! inputs the portal sends (checked before they are sent).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::time::lenient_time;

const MAX_NAME: usize = 255;
const MAX_TAGS: usize = 50;
const MAX_TAG: usize = 50;

/// The sort orders of the asset list (`-` = descending).
pub const ASSET_SORTS: [&str; 8] = [
    "name",
    "-name",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "size",
    "-size",
];

/// One page of the asset list, optionally filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssetQuery {
    pub page: u32,
    pub limit: u32,
    #[serde(default)]
    pub folder_id: Option<String>,
    /// Case-insensitive substring of the name.
    #[serde(default)]
    pub q: Option<String>,
    /// One of [`ASSET_SORTS`]; the service's default is `-created_at`.
    #[serde(default)]
    pub sort: Option<String>,
}

impl Default for AssetQuery {
    fn default() -> Self {
        Self {
            page: 1,
            limit: 20,
            folder_id: None,
            q: None,
            sort: None,
        }
    }
}

impl AssetQuery {
    pub fn page(page: u32, limit: u32) -> Self {
        Self {
            page,
            limit,
            ..Self::default()
        }
    }

    pub(crate) fn pairs(&self) -> Result<Vec<(&'static str, String)>> {
        if self.page == 0 || !(1..=100).contains(&self.limit) {
            return Err(Error::validation("page starts at 1 and limit is 1 to 100."));
        }
        let mut pairs = vec![
            ("page", self.page.to_string()),
            ("limit", self.limit.to_string()),
        ];
        if let Some(f) = self.folder_id.as_ref().filter(|f| !f.is_empty()) {
            pairs.push(("folder_id", f.clone()));
        }
        if let Some(q) = self.q.as_ref().filter(|q| !q.trim().is_empty()) {
            pairs.push(("q", q.trim().to_owned()));
        }
        if let Some(sort) = &self.sort {
            if !ASSET_SORTS.contains(&sort.as_str()) {
                return Err(Error::validation(format!(
                    "Sort by one of {}.",
                    ASSET_SORTS.join(", ")
                )));
            }
            pairs.push(("sort", sort.clone()));
        }
        Ok(pairs)
    }
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(Error::validation(format!(
            "A name is 1 to {MAX_NAME} characters."
        )));
    }
    Ok(name.to_owned())
}

fn check_tags(tags: &[String]) -> Result<Vec<String>> {
    if tags.len() > MAX_TAGS {
        return Err(Error::validation(format!("At most {MAX_TAGS} tags.")));
    }
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > MAX_TAG {
            return Err(Error::validation(format!(
                "A tag is 1 to {MAX_TAG} characters."
            )));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

fn check_content_type(ct: &str) -> Result<String> {
    let ct = ct.trim().to_ascii_lowercase();
    let ok = ct
        .split_once('/')
        .is_some_and(|(t, s)| !t.is_empty() && !s.is_empty() && !s.contains('/'))
        && !ct.contains(char::is_whitespace);
    if !ok {
        return Err(Error::validation(format!(
            "'{ct}' is not a media type like video/mp4."
        )));
    }
    Ok(ct)
}

/// An asset created from metadata (`POST /vault/v1/assets`, JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewAsset {
    pub name: String,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub folder_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub size: Option<u64>,
}

impl NewAsset {
    pub(crate) fn body(&self) -> Result<Value> {
        let mut o = Map::new();
        o.insert("name".into(), json!(check_name(&self.name)?));
        if let Some(ct) = &self.content_type {
            o.insert("content_type".into(), json!(check_content_type(ct)?));
        }
        if let Some(f) = self.folder_id.as_ref().filter(|f| !f.is_empty()) {
            o.insert("folder_id".into(), json!(f));
        }
        if !self.tags.is_empty() {
            o.insert("tags".into(), json!(check_tags(&self.tags)?));
        }
        if let Some(size) = self.size {
            o.insert("size".into(), json!(size));
        }
        Ok(Value::Object(o))
    }
}

/// Missing = leave as is; `null` = clear (move to the root folder).
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// What to change on an asset (`PATCH /vault/v1/assets/{id}`): rename, move, retag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssetUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    /// A folder id, or `null` for the root.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, type = "string | null")]
    pub folder_id: Option<Option<String>>,
    /// Replaces all tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub content_type: Option<String>,
}

impl AssetUpdate {
    pub(crate) fn body(&self) -> Result<Value> {
        let mut o = Map::new();
        if let Some(n) = &self.name {
            o.insert("name".into(), json!(check_name(n)?));
        }
        if let Some(f) = &self.folder_id {
            o.insert(
                "folder_id".into(),
                json!(f.as_ref().filter(|f| !f.is_empty())),
            );
        }
        if let Some(t) = &self.tags {
            o.insert("tags".into(), json!(check_tags(t)?));
        }
        if let Some(ct) = &self.content_type {
            o.insert("content_type".into(), json!(check_content_type(ct)?));
        }
        if o.is_empty() {
            return Err(Error::validation(
                "Nothing to change: give a name, a folder, tags or a content type.",
            ));
        }
        Ok(Value::Object(o))
    }
}

/// `DELETE /vault/v1/assets/{id}` answers `{"id","deleted":true}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Deleted {
    pub id: String,
    #[serde(default)]
    pub deleted: bool,
}

/// An asset a bulk delete left alone, and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SkippedAsset {
    pub id: String,
    pub code: ErrorCode,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BulkDeleteSummary {
    pub deleted: Vec<String>,
    pub skipped: Vec<SkippedAsset>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Folder {
    pub id: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_by: Option<String>,
}

/// Bytes and asset count used vs the tenant's limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Quota {
    #[ts(type = "number")]
    pub bytes_used: u64,
    #[ts(type = "number")]
    pub bytes_limit: u64,
    #[ts(type = "number")]
    pub assets_used: u64,
    #[ts(type = "number")]
    pub assets_limit: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LegalHold {
    pub asset_id: String,
    pub active: bool,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub set_by: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub set_at: Option<DateTime<Utc>>,
}

/// What a transform makes of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TransformKind {
    Thumbnail,
    Transcode,
    Resize,
    Watermark,
    Preview,
}

impl TransformKind {
    pub const ALL: [TransformKind; 5] = [
        Self::Thumbnail,
        Self::Transcode,
        Self::Resize,
        Self::Watermark,
        Self::Preview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Thumbnail => "thumbnail",
            Self::Transcode => "transcode",
            Self::Resize => "resize",
            Self::Watermark => "watermark",
            Self::Preview => "preview",
        }
    }
}

impl std::str::FromStr for TransformKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
                Error::validation(format!(
                    "'{s}' is not a transform: use one of {}.",
                    all.join(", ")
                ))
            })
    }
}

/// requested → queued → completed (or failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TransformStatus {
    Requested,
    Queued,
    Completed,
    Failed,
    /// A status this version does not know.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Transform {
    pub id: String,
    #[serde(default)]
    pub asset_id: String,
    /// `thumbnail`, `transcode`… (kept as sent, so a new kind still shows).
    #[serde(rename = "type", default)]
    pub kind: String,
    pub status: TransformStatus,
    #[serde(default)]
    pub params: Option<Value>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub requested_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub requested_by: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub output: Option<Value>,
}

/// A share link: anyone with the URL can open the asset until it expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Share {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub asset_id: String,
    pub url: String,
    #[serde(default, deserialize_with = "lenient_time")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_sends_only_what_changes_and_null_moves_to_the_root() {
        let u = AssetUpdate {
            folder_id: Some(None),
            ..AssetUpdate::default()
        };
        assert_eq!(u.body().unwrap(), json!({"folder_id": null}));
        assert!(AssetUpdate::default().body().is_err());
        let parsed: AssetUpdate = serde_json::from_value(json!({"folder_id": null})).unwrap();
        assert_eq!(parsed.folder_id, Some(None));
        let parsed: AssetUpdate = serde_json::from_value(json!({"name": "x"})).unwrap();
        assert_eq!(parsed.folder_id, None);
    }

    #[test]
    fn inputs_are_checked_before_sending() {
        let bad_name = NewAsset {
            name: " ".into(),
            ..NewAsset::default()
        };
        assert!(bad_name.body().is_err());
        let ok = NewAsset {
            name: " Keynote.mp4 ".into(),
            tags: vec!["a".into(), "a".into(), "b".into()],
            content_type: Some("Video/MP4".into()),
            ..NewAsset::default()
        };
        assert_eq!(
            ok.body().unwrap(),
            json!({"name":"Keynote.mp4","tags":["a","b"],"content_type":"video/mp4"})
        );
        let q = AssetQuery {
            sort: Some("size".into()),
            q: Some(" key ".into()),
            ..AssetQuery::default()
        };
        assert_eq!(q.pairs().unwrap().len(), 4);
        assert!(AssetQuery {
            sort: Some("color".into()),
            ..AssetQuery::default()
        }
        .pairs()
        .is_err());
        assert_eq!(
            "Thumbnail".parse::<TransformKind>().unwrap(),
            TransformKind::Thumbnail
        );
        assert!("blur".parse::<TransformKind>().is_err());
    }

    #[test]
    fn unknown_transform_status_is_read() {
        let t: Transform = serde_json::from_value(
            json!({"id":"t","asset_id":"a","type":"x","status":"exploded","requested_at":null,"completed_at":null}),
        )
        .unwrap();
        assert_eq!(t.status, TransformStatus::Unknown);
    }
}
