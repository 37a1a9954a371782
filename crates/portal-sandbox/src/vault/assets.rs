//! Vault assets: list, get, create (JSON metadata or multipart upload),
//! update and delete.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::auth::{Caller, Role};
use super::idempotency::{Outcome, Write, WriteRequest};
use super::upload::{self, Upload};
use super::{bad_request, internal, not_found_asset, paged_rows, Paged, Reply, SERVICE};
use crate::clock::to_db;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::state::AppState;
use crate::validate::{blank_or_longer, whole};

const MAX_TAGS: usize = 50;
const MAX_TAG_LEN: usize = 50;
const MAX_NAME_LEN: usize = 255;

/// An asset row.
#[derive(Debug, Clone)]
pub struct Asset {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub folder_id: Option<String>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: String,
    pub updated_by: String,
    pub file_name: Option<String>,
    pub sha256: Option<String>,
    pub hold_reason: Option<String>,
    pub hold_set_by: Option<String>,
    pub hold_set_at: Option<String>,
}

pub const ASSET_COLUMNS: &str = "id, tenant_id, name, content_type, size, folder_id, tags, created_at, updated_at, created_by, updated_by, file_name, sha256, hold_reason, hold_set_by, hold_set_at";

impl Asset {
    pub fn from_row(r: &Row<'_>) -> rusqlite::Result<Asset> {
        let tags: String = r.get(6)?;
        Ok(Asset {
            id: r.get(0)?,
            tenant_id: r.get(1)?,
            name: r.get(2)?,
            content_type: r.get(3)?,
            size: r.get(4)?,
            folder_id: r.get(5)?,
            tags: serde_json::from_str(&tags).unwrap_or_default(),
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
            created_by: r.get(9)?,
            updated_by: r.get(10)?,
            file_name: r.get(11)?,
            sha256: r.get(12)?,
            hold_reason: r.get(13)?,
            hold_set_by: r.get(14)?,
            hold_set_at: r.get(15)?,
        })
    }

    pub fn on_hold(&self) -> bool {
        self.hold_set_at.is_some()
    }

    pub fn to_json(&self) -> Value {
        json!(self.wire())
    }

    /// The asset as the API writes it.
    pub fn wire(&self) -> AssetJson<'_> {
        AssetJson {
            content_type: &self.content_type,
            created_at: &self.created_at,
            created_by: &self.created_by,
            folder_id: self.folder_id.as_deref(),
            has_content: self.file_name.is_some(),
            id: &self.id,
            legal_hold: self.on_hold(),
            name: &self.name,
            sha256: self.sha256.as_deref(),
            size: self.size,
            tags: &self.tags,
            tenant_id: &self.tenant_id,
            updated_at: &self.updated_at,
            updated_by: &self.updated_by,
        }
    }

    fn insert(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.execute(
            &format!("INSERT INTO assets ({ASSET_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"),
            params![
                self.id, self.tenant_id, self.name, self.content_type, self.size, self.folder_id,
                json!(self.tags).to_string(), self.created_at, self.updated_at, self.created_by,
                self.updated_by, self.file_name, self.sha256, self.hold_reason, self.hold_set_by,
                self.hold_set_at,
            ],
        )?;
        Ok(())
    }
}

/// An asset on the wire. The fields are in alphabetical order, as in the
/// envelope (`Envelope` in `vault/mod.rs`): a list page is written straight
/// from these with the bytes a `Value` of them gives.
#[derive(Serialize)]
pub struct AssetJson<'a> {
    content_type: &'a str,
    created_at: &'a str,
    created_by: &'a str,
    folder_id: Option<&'a str>,
    has_content: bool,
    id: &'a str,
    legal_hold: bool,
    name: &'a str,
    sha256: Option<&'a str>,
    size: i64,
    tags: &'a [String],
    tenant_id: &'a str,
    updated_at: &'a str,
    updated_by: &'a str,
}

/// The caller's tenant's asset, or 404 (also for another tenant's id).
pub fn find(conn: &Connection, caller: &Caller, id: &str) -> ApiResult<Asset> {
    conn.query_row(
        &format!("SELECT {ASSET_COLUMNS} FROM assets WHERE id = ?1 AND tenant_id = ?2"),
        params![id, caller.tenant_id],
        Asset::from_row,
    )
    .optional()
    .map_err(internal)?
    .ok_or_else(|| not_found_asset(id))
}

/// Metadata of a new asset, validated.
#[derive(Debug, Default, Clone)]
pub struct NewAsset {
    pub name: String,
    pub content_type: String,
    pub folder_id: Option<String>,
    pub tags: Vec<String>,
    pub size: i64,
}

pub fn validate_name(name: &str) -> ApiResult<String> {
    let trimmed = name.trim();
    if blank_or_longer(name, MAX_NAME_LEN) {
        return Err(bad_request(format!(
            "name must be 1 to {MAX_NAME_LEN} characters"
        )));
    }
    Ok(trimmed.to_owned())
}

/// `type/subtype`, each an HTTP token (RFC 9110: letters, digits and
/// ``!#$%&'*+-.^_`|~``), surrounding white space allowed, at most 255
/// characters as sent (the documents' `pattern` and `maxLength`). A token
/// is always a valid header value, so a share link can serve it as is.
pub fn validate_content_type(raw: &str) -> ApiResult<String> {
    let ct = raw.trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    let valid = raw.chars().count() <= 255
        && ct
            .split_once('/')
            .is_some_and(|(t, s)| token(t) && token(s));
    if !valid {
        return Err(bad_request(format!(
            "content_type {ct:?} is not a media type like video/mp4"
        )));
    }
    Ok(ct)
}

pub fn validate_tags(tags: &[String]) -> ApiResult<Vec<String>> {
    if tags.len() > MAX_TAGS {
        return Err(bad_request(format!("at most {MAX_TAGS} tags")));
    }
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        if blank_or_longer(tag, MAX_TAG_LEN) {
            return Err(bad_request(format!(
                "each tag must be 1 to {MAX_TAG_LEN} characters"
            )));
        }
        let tag = tag.trim();
        if !out.iter().any(|t| t == tag) {
            out.push(tag.to_owned());
        }
    }
    Ok(out)
}

fn tags_of(value: &Value) -> ApiResult<Vec<String>> {
    let Some(items) = value.as_array() else {
        return Err(bad_request("tags must be an array of strings"));
    };
    let tags: Option<Vec<String>> = items
        .iter()
        .map(|t| t.as_str().map(str::to_owned))
        .collect();
    validate_tags(&tags.ok_or_else(|| bad_request("tags must be an array of strings"))?)
}

pub fn check_folder(conn: &Connection, caller: &Caller, folder_id: Option<&str>) -> ApiResult<()> {
    check_folder_field(conn, caller, "folder_id", folder_id)
}

/// 400 unless `id` (sent as `field`) is a folder of the caller's tenant.
pub fn check_folder_field(
    conn: &Connection,
    caller: &Caller,
    field: &str,
    id: Option<&str>,
) -> ApiResult<()> {
    let Some(id) = id else {
        return Ok(());
    };
    let exists: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM folders WHERE id = ?1 AND tenant_id = ?2)",
            params![id, caller.tenant_id],
            |r| r.get(0),
        )
        .map_err(internal)?;
    if !exists {
        return Err(bad_request(format!(
            "{field} {id:?} is not a folder of this tenant"
        )));
    }
    Ok(())
}

/// 409 `QUOTA_EXCEEDED` if one more asset of `size` bytes does not fit.
pub fn check_quota(conn: &Connection, caller: &Caller, size: i64) -> ApiResult<()> {
    let (bytes_used, assets_used, bytes_limit, assets_limit) =
        super::extras::usage(conn, &caller.tenant_id)?;
    if assets_used.saturating_add(1) > assets_limit {
        return Err(quota_error(format!(
            "the tenant already holds its limit of {assets_limit} assets"
        )));
    }
    // Saturating: `size` comes from the request (up to i64::MAX).
    if bytes_used.saturating_add(size) > bytes_limit {
        return Err(quota_error(format!(
            "storing {size} more bytes would exceed the tenant's limit of {bytes_limit} bytes ({bytes_used} used)"
        )));
    }
    Ok(())
}

fn quota_error(message: String) -> ApiError {
    ApiError::new(SERVICE, StatusCode::CONFLICT, "QUOTA_EXCEEDED", message)
}

/// Insert a validated new asset for the caller.
pub fn insert_new(
    conn: &Connection,
    state: &AppState,
    caller: &Caller,
    new: &NewAsset,
    sha256: Option<&str>,
) -> ApiResult<Asset> {
    check_folder(conn, caller, new.folder_id.as_deref())?;
    check_quota(conn, caller, new.size)?;
    let now = to_db(state.clock.now());
    let id = crate::ids::uuid();
    let asset = Asset {
        id: id.clone(),
        tenant_id: caller.tenant_id.clone(),
        name: new.name.clone(),
        content_type: new.content_type.clone(),
        size: new.size,
        folder_id: new.folder_id.clone(),
        tags: new.tags.clone(),
        created_at: now.clone(),
        updated_at: now,
        created_by: caller.user_id.clone(),
        updated_by: caller.user_id.clone(),
        file_name: sha256.map(|_| id.clone()),
        sha256: sha256.map(str::to_owned),
        hold_reason: None,
        hold_set_by: None,
        hold_set_at: None,
    };
    asset.insert(conn).map_err(internal)?;
    Ok(asset)
}

/// The list's order: its column, whether descending, and the ORDER BY.
struct Sort {
    column: &'static str,
    desc: bool,
}

impl Sort {
    fn clause(&self) -> String {
        let dir = if self.desc { "DESC" } else { "ASC" };
        format!("ORDER BY {} {dir}, id {dir}", self.column)
    }

    /// The sort key of `asset`, when a page can continue from it by seeking
    /// in an index (`name` and `created_at`: indexed with `id`, never NULL).
    fn seek_key(&self, asset: &Asset) -> Option<String> {
        match self.column {
            "name" => Some(asset.name.clone()),
            "created_at" => Some(asset.created_at.clone()),
            _ => None,
        }
    }
}

fn sort_of(query: &HashMap<String, String>) -> ApiResult<Sort> {
    let sort = query
        .get("sort")
        .map(String::as_str)
        .unwrap_or("-created_at");
    let (column, desc) = match sort.strip_prefix('-') {
        Some(c) => (c, true),
        None => (sort, false),
    };
    let column = ["name", "created_at", "updated_at", "size"]
        .into_iter()
        .find(|c| *c == column)
        .ok_or_else(|| {
            bad_request(
                "sort must be one of name, created_at, updated_at, size, optionally prefixed by -",
            )
        })?;
    Ok(Sort { column, desc })
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Paged(mut page, query): Paged,
) -> ApiResult<Response> {
    let sort = sort_of(&query)?;
    let order = sort.clause();
    let mut filter = String::from("tenant_id = ?1");
    let mut args: Vec<String> = vec![caller.tenant_id.clone()];
    if let Some(folder) = query.get("folder_id").filter(|f| !f.is_empty()) {
        args.push(folder.clone());
        filter.push_str(&format!(" AND folder_id = ?{}", args.len()));
    }
    if let Some(q) = query.get("q").filter(|q| !q.is_empty()) {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(format!("%{escaped}%"));
        filter.push_str(&format!(" AND name LIKE ?{} ESCAPE '\\'", args.len()));
    }
    let conn = state.db.lock();
    let mut cache = state.db.list_cache(&conn);
    // The filter and its arguments name the rows; with the order, the list.
    let rows_key = format!("{filter}\u{0}{}", args.join("\u{0}"));
    let list_key = format!("{rows_key}\u{0}{order}");
    // The count of a filter is kept until the data changes: a client paging
    // through 100 000 rows would otherwise count them again for every page.
    let total = match cache.count(&rows_key) {
        Some(total) => total,
        None => {
            let total: u64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM assets WHERE {filter}"),
                    params_from_iter(&args),
                    |r| r.get(0),
                )
                .map_err(internal)?;
            cache.set_count(&rows_key, total);
            total
        }
    };
    page.total = total;
    let offset = page.offset();
    let sql = match cache.page_end_before(&list_key, offset, page.limit) {
        // A page ended here (or `skip` rows before): seek past its last row
        // in the index (the order is total, `id` breaking ties, and the data
        // is unchanged since, so these are exactly the rows at `offset`).
        Some(((key, id), skip)) => {
            args.push(key.clone());
            args.push(id.clone());
            // A parameter (SQLite takes a text that is a whole number), so
            // the statement stays one in the cache whatever the skip.
            args.push(skip.to_string());
            let cmp = if sort.desc { "<" } else { ">" };
            format!(
                "SELECT {ASSET_COLUMNS} FROM assets WHERE {filter} AND ({}, id) {cmp} (?{}, ?{})
                 {order} LIMIT {} OFFSET ?{}",
                sort.column,
                args.len() - 2,
                args.len() - 1,
                page.limit,
                args.len()
            )
        }
        // Deferred join: the offset is skipped in the (covering) index, and
        // only the page's rows are read from the table.
        _ => format!(
            "SELECT {ASSET_COLUMNS} FROM assets WHERE rowid IN
               (SELECT rowid FROM assets WHERE {filter} {order} LIMIT {} OFFSET {offset})
             {order}",
            page.limit
        ),
    };
    let mut stmt = conn.prepare_cached(&sql).map_err(internal)?;
    let assets: Vec<Asset> = stmt
        .query_map(params_from_iter(&args), Asset::from_row)
        .and_then(|rows| rows.collect())
        .map_err(internal)?;
    if let Some(last) = assets.last() {
        if assets.len() as u64 == page.limit {
            if let Some(key) = sort.seek_key(last) {
                cache.set_page_end(&list_key, offset + page.limit, key, last.id.clone());
            }
        }
    }
    let rows: Vec<AssetJson<'_>> = assets.iter().map(Asset::wire).collect();
    Ok(paged_rows(&rows, page))
}

pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> ApiResult<Response> {
    let asset = find(&state.db.lock(), &caller, &id)?;
    Ok(Reply::ok(asset.to_json()).into_response())
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

pub async fn create(State(state): State<AppState>, req: Request) -> Response {
    match create_inner(state, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn create_inner(state: AppState, req: Request) -> ApiResult<Response> {
    let (parts, body) = req.into_parts();
    let write = Write::begin(&state, &parts, Role::Organizer, "create assets")?;
    if is_multipart(&parts.headers) {
        let multipart = Multipart::from_request(Request::from_parts(parts, body), &state)
            .await
            .map_err(|e| bad_request(format!("invalid multipart body: {e}")))?;
        let upload = upload::receive(&state, multipart).await?;
        return Ok(create_from_upload(&state, &write, upload));
    }
    let body = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .map_err(|e| bad_request(format!("could not read the body: {e}")))?;
    create_from_json(&state, &write, &parts.headers, &body)
}

fn create_from_json(
    state: &AppState,
    write: &Write,
    headers: &HeaderMap,
    body: &Bytes,
) -> ApiResult<Response> {
    let fields: Map<String, Value> = parse_json(SERVICE, headers, body)?;
    let outcome = write.run(state, body, |conn| {
        let new = new_asset_from_json(&fields)?;
        let asset = insert_new(conn, state, &write.caller, &new, None)?;
        Ok(Reply::created(asset.to_json()))
    });
    Ok(outcome.into_response())
}

fn new_asset_from_json(fields: &Map<String, Value>) -> ApiResult<NewAsset> {
    const ALLOWED: [&str; 5] = ["name", "content_type", "folder_id", "tags", "size"];
    if let Some(unknown) = fields.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
        return Err(bad_request(format!(
            "unknown field {unknown:?}; allowed: {}",
            ALLOWED.join(", ")
        )));
    }
    let name = fields
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("name is required (a string)"))?;
    // Only folder_id is nullable: null elsewhere is refused, not taken
    // for "absent".
    let content_type = match fields.get("content_type") {
        None => "application/octet-stream".to_owned(),
        Some(Value::String(ct)) => validate_content_type(ct)?,
        Some(_) => return Err(bad_request("content_type must be a string")),
    };
    let folder_id = match fields.get("folder_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(f)) => Some(f.clone()),
        Some(_) => return Err(bad_request("folder_id must be a string or null")),
    };
    let tags = match fields.get("tags") {
        None => Vec::new(),
        Some(v) => tags_of(v)?,
    };
    let size = match fields.get("size") {
        None => 0,
        Some(v) => v
            .as_number()
            .and_then(whole)
            .filter(|s| *s >= 0)
            .ok_or_else(|| bad_request("size must be a whole number of bytes, 0 or more"))?,
    };
    Ok(NewAsset {
        name: validate_name(name)?,
        content_type,
        folder_id,
        tags,
        size,
    })
}

fn create_from_upload(state: &AppState, write: &Write, upload: Upload) -> Response {
    let outcome = write.run(state, upload.fingerprint_input().as_bytes(), |conn| {
        let new = upload.new_asset()?;
        let asset = insert_new(conn, state, &write.caller, &new, Some(&upload.sha256))?;
        upload.keep_as(&state.files_dir.join(&asset.id))?;
        Ok(Reply::created(asset.to_json()))
    });
    upload.discard();
    if let Outcome::Replayed(_) = &outcome {
        tracing::info!("replayed an upload from its idempotency record");
    }
    outcome.into_response()
}

pub async fn update(Path(id): Path<String>, request: WriteRequest) -> ApiResult<Response> {
    let (write, fields): (Write, Map<String, Value>) =
        request.json(Role::Organizer, "update assets")?;
    let (state, caller) = (&request.state, &write.caller);
    request.run(&write, |conn| {
        let mut asset = find(conn, caller, &id)?;
        apply_patch(conn, caller, &mut asset, &fields)?;
        asset.updated_at = to_db(state.clock.now());
        asset.updated_by = caller.user_id.clone();
        conn.execute(
            "UPDATE assets SET name = ?1, content_type = ?2, folder_id = ?3, tags = ?4, updated_at = ?5, updated_by = ?6 WHERE id = ?7",
            params![asset.name, asset.content_type, asset.folder_id, json!(asset.tags).to_string(), asset.updated_at, asset.updated_by, asset.id],
        )
        .map_err(internal)?;
        Ok(Reply::ok(asset.to_json()))
    })
}

fn apply_patch(
    conn: &Connection,
    caller: &Caller,
    asset: &mut Asset,
    fields: &Map<String, Value>,
) -> ApiResult<()> {
    const ALLOWED: [&str; 4] = ["name", "content_type", "folder_id", "tags"];
    if let Some(unknown) = fields.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
        return Err(bad_request(format!(
            "unknown or read-only field {unknown:?}; updatable: {}",
            ALLOWED.join(", ")
        )));
    }
    if let Some(v) = fields.get("name") {
        asset.name = validate_name(
            v.as_str()
                .ok_or_else(|| bad_request("name must be a string"))?,
        )?;
    }
    if let Some(v) = fields.get("content_type") {
        asset.content_type = validate_content_type(
            v.as_str()
                .ok_or_else(|| bad_request("content_type must be a string"))?,
        )?;
    }
    if let Some(v) = fields.get("folder_id") {
        asset.folder_id = match v {
            Value::Null => None,
            Value::String(f) => Some(f.clone()),
            _ => return Err(bad_request("folder_id must be a string or null")),
        };
        check_folder(conn, caller, asset.folder_id.as_deref())?;
    }
    if let Some(v) = fields.get("tags") {
        asset.tags = tags_of(v)?;
    }
    Ok(())
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
) -> ApiResult<Response> {
    let write = Write::begin(&state, &parts, Role::Admin, "delete assets")?;
    let outcome = write.run(&state, b"", |conn| {
        let asset = find(conn, &write.caller, &id)?;
        if asset.on_hold() {
            return Err(ApiError::new(
                SERVICE,
                StatusCode::CONFLICT,
                "LEGAL_HOLD_ACTIVE",
                format!(
                    "asset {id} is under legal hold ({}) and cannot be deleted; an admin must release the hold first",
                    asset.hold_reason.as_deref().unwrap_or("no reason given")
                ),
            ));
        }
        for sql in [
            "DELETE FROM transforms WHERE asset_id = ?1",
            "DELETE FROM shares WHERE asset_id = ?1",
            "DELETE FROM assets WHERE id = ?1",
        ] {
            conn.execute(sql, params![id]).map_err(internal)?;
        }
        if let Some(file) = &asset.file_name {
            let _ = std::fs::remove_file(state.files_dir.join(file));
        }
        Ok(Reply::ok(json!({"id": id, "deleted": true})))
    });
    Ok(outcome.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(full: bool) -> Asset {
        let some = |s: &str| full.then(|| s.to_owned());
        Asset {
            id: "a\"1".into(),
            tenant_id: "t1".into(),
            name: "Ünïcode \\ \u{1}name".into(),
            content_type: "video/mp4".into(),
            size: i64::MAX,
            folder_id: some("f1"),
            tags: if full {
                vec!["x".into(), "y\n".into()]
            } else {
                Vec::new()
            },
            created_at: "2026-01-02T03:04:05.000Z".into(),
            updated_at: "2026-01-02T03:04:06.000Z".into(),
            created_by: "u1".into(),
            updated_by: "u2".into(),
            file_name: some("a1"),
            sha256: some("00ff"),
            hold_reason: some("audit"),
            hold_set_by: some("u1"),
            hold_set_at: some("2026-01-03T00:00:00.000Z"),
        }
    }

    /// A list page is written from `AssetJson`; one asset from a `Value` of
    /// it. Both give the same bytes (field order included).
    #[test]
    fn an_asset_is_written_as_its_json_value() {
        for full in [true, false] {
            let a = asset(full);
            assert_eq!(
                serde_json::to_string(&a.wire()).unwrap(),
                a.to_json().to_string()
            );
        }
        assert_eq!(asset(true).to_json()["legal_hold"], json!(true));
        assert_eq!(asset(false).to_json()["has_content"], json!(false));
    }
}
