//! Vault folders: list (any role) and create (organizer).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rusqlite::{params, Connection, Row};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{Caller, Role};
use super::idempotency::{Write, WriteRequest};
use super::{bad_request, internal, page_rows, Paged, Reply, SERVICE};
use crate::clock::to_db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::validate::blank_or_longer;

const FOLDER_COLUMNS: &str = "id, tenant_id, name, parent_id, created_at, created_by";

fn folder_json(r: &Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": r.get::<_, String>(0)?,
        "tenant_id": r.get::<_, String>(1)?,
        "name": r.get::<_, String>(2)?,
        "parent_id": r.get::<_, Option<String>>(3)?,
        "created_at": r.get::<_, String>(4)?,
        "created_by": r.get::<_, String>(5)?,
    }))
}

/// Insert a folder (seeding and create).
pub fn insert_folder(
    conn: &Connection,
    tenant_id: &str,
    name: &str,
    parent_id: Option<&str>,
    created_by: &str,
    now: &str,
) -> rusqlite::Result<Value> {
    let id = crate::ids::uuid();
    conn.execute(
        &format!("INSERT INTO folders ({FOLDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        params![id, tenant_id, name, parent_id, now, created_by],
    )?;
    conn.query_row(
        &format!("SELECT {FOLDER_COLUMNS} FROM folders WHERE id = ?1"),
        params![id],
        folder_json,
    )
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Paged(mut page, query): Paged,
) -> ApiResult<Response> {
    let parent = query.get("parent_id").filter(|p| !p.is_empty());
    // `?2 IS NULL`: without a parent_id filter, every folder of the tenant.
    let filter = "tenant_id = ?1 AND (?2 IS NULL OR parent_id = ?2)";
    let folders: Vec<Value> = page_rows(
        &state.db.lock(),
        &mut page,
        (FOLDER_COLUMNS, "folders", filter, "created_at"),
        params![caller.tenant_id, parent],
        folder_json,
    )?;
    Ok(Reply::paged(json!(folders), page).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateFolder {
    name: String,
    #[serde(default)]
    parent_id: Option<String>,
}

pub async fn create(request: WriteRequest) -> ApiResult<Response> {
    let (write, req): (Write, CreateFolder) = request.json(Role::Organizer, "create folders")?;
    let (state, caller) = (&request.state, &write.caller);
    request.run(&write, |conn| {
        let name = req.name.trim();
        if blank_or_longer(&req.name, 255) || name.contains('/') {
            return Err(bad_request("name must be 1 to 255 characters, without /"));
        }
        super::assets::check_folder_field(conn, caller, "parent_id", req.parent_id.as_deref())?;
        let now = to_db(state.clock.now());
        match insert_folder(
            conn,
            &caller.tenant_id,
            name,
            req.parent_id.as_deref(),
            &caller.user_id,
            &now,
        ) {
            Ok(folder) => Ok(Reply::created(folder)),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(ApiError::new(
                    SERVICE,
                    StatusCode::CONFLICT,
                    "FOLDER_EXISTS",
                    format!("a folder named {name:?} already exists here"),
                ))
            }
            Err(e) => Err(internal(e)),
        }
    })
}
