//! Vault quota, legal hold, transforms and share links.

use std::time::Duration as StdDuration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use super::assets::{find, Asset, ASSET_COLUMNS};
use super::auth::{Caller, Role};
use super::idempotency::{Write, WriteRequest};
use super::{bad_request, internal, page_rows, Paged, Reply, SERVICE};
use crate::clock::{from_db, to_db};
use crate::error::{ApiError, ApiResult};
use crate::state::{origin_of, AppState};
use crate::validate::{blank_or_longer, integer, non_null};

/// Transform kinds the sandbox knows.
pub const TRANSFORM_TYPES: [&str; 5] = ["thumbnail", "transcode", "resize", "watermark", "preview"];
const DEFAULT_SHARE_SECONDS: i64 = 86_400;
const MAX_SHARE_SECONDS: i64 = 30 * 86_400;

/// (bytes used, assets used, bytes limit, assets limit) of a tenant.
pub fn usage(conn: &Connection, tenant_id: &str) -> ApiResult<(i64, i64, i64, i64)> {
    conn.query_row(
        "SELECT (SELECT COALESCE(SUM(size), 0) FROM assets WHERE tenant_id = ?1),
                (SELECT COUNT(*) FROM assets WHERE tenant_id = ?1),
                bytes_limit, assets_limit
         FROM tenants WHERE id = ?1",
        params![tenant_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .map_err(internal)
}

pub async fn quota(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let (bytes_used, assets_used, bytes_limit, assets_limit) =
        usage(&state.db.lock(), &caller.tenant_id)?;
    Ok(Reply::ok(json!({
        "tenant_id": caller.tenant_id,
        "bytes_used": bytes_used,
        "bytes_limit": bytes_limit,
        "assets_used": assets_used,
        "assets_limit": assets_limit,
    }))
    .into_response())
}

fn hold_json(asset: &Asset) -> Value {
    json!({
        "asset_id": asset.id,
        "active": asset.on_hold(),
        "reason": asset.hold_reason,
        "set_by": asset.hold_set_by,
        "set_at": asset.hold_set_at,
    })
}

pub async fn get_hold(
    State(state): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> ApiResult<Response> {
    let asset = find(&state.db.lock(), &caller, &id)?;
    Ok(Reply::ok(hold_json(&asset)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetHold {
    reason: String,
}

pub async fn set_hold(Path(id): Path<String>, request: WriteRequest) -> ApiResult<Response> {
    let (write, req): (Write, SetHold) = request.json(Role::Admin, "set legal holds")?;
    let (state, caller) = (&request.state, &write.caller);
    request.run(&write, |conn| {
        let reason = req.reason.trim();
        if blank_or_longer(&req.reason, 500) {
            return Err(bad_request("reason must be 1 to 500 characters"));
        }
        let mut asset = find(conn, caller, &id)?;
        asset.hold_reason = Some(reason.to_owned());
        asset.hold_set_by = Some(caller.user_id.clone());
        asset.hold_set_at = Some(to_db(state.clock.now()));
        conn.execute(
            "UPDATE assets SET hold_reason = ?1, hold_set_by = ?2, hold_set_at = ?3 WHERE id = ?4",
            params![
                asset.hold_reason,
                asset.hold_set_by,
                asset.hold_set_at,
                asset.id
            ],
        )
        .map_err(internal)?;
        Ok(Reply::ok(hold_json(&asset)))
    })
}

pub async fn release_hold(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
) -> ApiResult<Response> {
    let write = Write::begin(&state, &parts, Role::Admin, "release legal holds")?;
    let caller = &write.caller;
    let outcome = write.run(&state, b"", |conn| {
        let mut asset = find(conn, caller, &id)?;
        conn.execute(
            "UPDATE assets SET hold_reason = NULL, hold_set_by = NULL, hold_set_at = NULL WHERE id = ?1",
            params![asset.id],
        )
        .map_err(internal)?;
        asset.hold_reason = None;
        asset.hold_set_by = None;
        asset.hold_set_at = None;
        Ok(Reply::ok(hold_json(&asset)))
    });
    Ok(outcome.into_response())
}

/// `requested` for the first quarter of the delay, `queued` until it has
/// passed, then `completed`.
fn transform_status(
    requested_at: DateTime<Utc>,
    now: DateTime<Utc>,
    delay: StdDuration,
) -> (&'static str, Option<DateTime<Utc>>) {
    let delay = Duration::from_std(delay).unwrap_or(Duration::seconds(3));
    let elapsed = now - requested_at;
    if elapsed >= delay {
        ("completed", Some(requested_at + delay))
    } else if elapsed >= delay / 4 {
        ("queued", None)
    } else {
        ("requested", None)
    }
}

fn transform_json(state: &AppState, row: &TransformRow) -> Value {
    let requested = from_db(&row.requested_at).unwrap_or_else(Utc::now);
    let (status, completed) = transform_status(requested, state.clock.now(), state.transform_delay);
    let output = completed.map(
        |_| json!({"asset_id": row.asset_id, "variant": format!("{}-{}", row.kind, &row.id[..8])}),
    );
    json!({
        "id": row.id,
        "asset_id": row.asset_id,
        "type": row.kind,
        "params": serde_json::from_str::<Value>(&row.params).unwrap_or(Value::Null),
        "status": status,
        "requested_at": row.requested_at,
        "requested_by": row.requested_by,
        "completed_at": completed.map(to_db),
        "output": output,
    })
}

struct TransformRow {
    id: String,
    asset_id: String,
    kind: String,
    params: String,
    requested_at: String,
    requested_by: String,
}

pub async fn list_transforms(
    State(state): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
    Paged(mut page, _): Paged,
) -> ApiResult<Response> {
    let conn = state.db.lock();
    find(&conn, &caller, &id)?;
    let rows: Vec<TransformRow> = page_rows(
        &conn,
        &mut page,
        (
            "id, asset_id, kind, params, requested_at, requested_by",
            "transforms",
            "tenant_id = ?1 AND asset_id = ?2",
            "requested_at",
        ),
        params![caller.tenant_id, id],
        |r| {
            Ok(TransformRow {
                id: r.get(0)?,
                asset_id: r.get(1)?,
                kind: r.get(2)?,
                params: r.get(3)?,
                requested_at: r.get(4)?,
                requested_by: r.get(5)?,
            })
        },
    )?;
    let data: Vec<Value> = rows.iter().map(|r| transform_json(&state, r)).collect();
    Ok(Reply::paged(json!(data), page).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestTransform {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, deserialize_with = "non_null")]
    params: Option<Value>,
}

pub async fn request_transform(
    Path(id): Path<String>,
    request: WriteRequest,
) -> ApiResult<Response> {
    let (write, req): (Write, RequestTransform) =
        request.json(Role::Organizer, "request transforms")?;
    let (state, caller) = (&request.state, &write.caller);
    request.run(&write, |conn| {
        find(conn, caller, &id)?;
        if !TRANSFORM_TYPES.contains(&req.kind.as_str()) {
            return Err(bad_request(format!(
                "type must be one of {}",
                TRANSFORM_TYPES.join(", ")
            )));
        }
        let params = req.params.clone().unwrap_or_else(|| json!({}));
        if !params.is_object() {
            return Err(bad_request("params must be an object"));
        }
        let row = TransformRow {
            id: crate::ids::uuid(),
            asset_id: id.clone(),
            kind: req.kind.clone(),
            params: params.to_string(),
            requested_at: to_db(state.clock.now()),
            requested_by: caller.user_id.clone(),
        };
        conn.execute(
            "INSERT INTO transforms (id, tenant_id, asset_id, kind, params, requested_at, requested_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![row.id, caller.tenant_id, row.asset_id, row.kind, row.params, row.requested_at, row.requested_by],
        )
        .map_err(internal)?;
        Ok(Reply {
            status: StatusCode::ACCEPTED,
            data: transform_json(state, &row),
            page: None,
        })
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateShare {
    #[serde(default, deserialize_with = "integer")]
    expires_in_seconds: Option<i64>,
}

pub async fn share(Path(id): Path<String>, request: WriteRequest) -> ApiResult<Response> {
    // An empty body asks for the default lifetime.
    let (write, req): (Write, CreateShare) = if request.body.iter().all(u8::is_ascii_whitespace) {
        let write = request.begin(Role::Organizer, "share assets")?;
        (
            write,
            CreateShare {
                expires_in_seconds: None,
            },
        )
    } else {
        request.json(Role::Organizer, "share assets")?
    };
    let (state, caller) = (&request.state, &write.caller);
    let origin = origin_of(state, &request.parts.headers);
    request.run(&write, |conn| {
        find(conn, caller, &id)?;
        let seconds = req.expires_in_seconds.unwrap_or(DEFAULT_SHARE_SECONDS);
        if !(60..=MAX_SHARE_SECONDS).contains(&seconds) {
            return Err(bad_request(format!(
                "expires_in_seconds must be between 60 and {MAX_SHARE_SECONDS}"
            )));
        }
        let now = state.clock.now();
        let token = crate::ids::secret(24);
        crate::ledger::record("share_token", &token);
        let share_id = crate::ids::uuid();
        let expires_at = to_db(now + Duration::seconds(seconds));
        conn.execute(
            "INSERT INTO shares (id, token_hash, tenant_id, asset_id, expires_at, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![share_id, crate::ids::sha256_hex(token.as_bytes()), caller.tenant_id, id, expires_at, to_db(now), caller.user_id],
        )
        .map_err(internal)?;
        Ok(Reply::created(json!({
            "id": share_id,
            "asset_id": id,
            "url": format!("{origin}/vault/shares/{token}"),
            "expires_at": expires_at,
            "created_at": to_db(now),
            "created_by": caller.user_id,
        })))
    })
}

/// `GET /vault/shares/{token}`: the shared asset's bytes (or its metadata
/// when it has none), no login needed; 410 once the link expired.
pub async fn open_share(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Response> {
    let asset = {
        let conn = state.db.lock();
        let row: Option<(String, String)> = conn
            .query_row(
                "SELECT asset_id, expires_at FROM shares WHERE token_hash = ?1",
                params![crate::ids::sha256_hex(token.as_bytes())],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(internal)?;
        let Some((asset_id, expires_at)) = row else {
            return Err(ApiError::new(
                SERVICE,
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "no such share link",
            ));
        };
        if from_db(&expires_at).is_none_or(|t| t <= state.clock.now()) {
            return Err(ApiError::new(
                SERVICE,
                StatusCode::GONE,
                "SHARE_EXPIRED",
                format!("this share link expired at {expires_at}"),
            ));
        }
        conn.query_row(
            &format!("SELECT {ASSET_COLUMNS} FROM assets WHERE id = ?1"),
            params![asset_id],
            Asset::from_row,
        )
        .map_err(internal)?
    };
    let Some(file) = &asset.file_name else {
        return Ok(Reply::ok(asset.to_json()).into_response());
    };
    let file = tokio::fs::File::open(state.files_dir.join(file))
        .await
        .map_err(internal)?;
    let body = Body::from_stream(file_chunks(file));
    // Content types are validated tokens, but a stored one from before
    // that rule must not turn into a 500: fall back to bytes.
    let content_type = HeaderValue::from_str(&asset.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, attachment(&asset.name)),
            (header::CONTENT_LENGTH, HeaderValue::from(asset.size)),
        ],
        body,
    )
        .into_response())
}

/// `Content-Disposition: attachment` naming `name`, whatever characters it
/// holds (RFC 6266): a visible-ASCII `filename` with anything else replaced
/// by `_`, and the exact name as UTF-8 in `filename*` (RFC 8187).
fn attachment(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' ' | '!' | '#'..='[' | ']'..='~' => c,
            _ => '_',
        })
        .collect();
    let mut exact = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            exact.push(char::from(b));
        } else {
            exact.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"))
}

/// A file as a stream of chunks.
fn file_chunks(file: tokio::fs::File) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(file, |mut file| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    })
}
