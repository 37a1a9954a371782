//! `Idempotency-Key` on Vault writes.
//!
//! Records are kept per tenant and key for 24 h. A write with a known key
//! and the same fingerprint (method, path and body; JSON bodies compared
//! after normalisation) gets the first response again, with
//! `Idempotent-Replayed: true`; the same key with anything else gets 422
//! `IDEMPOTENCY_KEY_REUSED`. The check, the write and the record happen
//! in one transaction, so two concurrent retries cannot both act.
//! Responses with a 5xx status are not recorded.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Duration;
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::{caller, Caller, Role};
use super::{bad_request, internal, Reply, SERVICE};
use crate::clock::{from_db, to_db};
use crate::error::{parse_json, ApiError, ApiResult};
use crate::request_log::Replayed;
use crate::state::AppState;

const TTL_HOURS: i64 = 24;
const MAX_KEY_LEN: usize = 255;

/// What identifies "the same request" for a key.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let normalised = serde_json::from_slice::<Value>(body)
        .map(|v| v.to_string().into_bytes())
        .unwrap_or_else(|_| body.to_vec());
    let mut input = format!("{method} {path}\n").into_bytes();
    input.extend_from_slice(&normalised);
    crate::ids::sha256_hex(&input)
}

pub fn key_of(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(bad_request(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"
        )));
    }
    Ok(Some(key.to_owned()))
}

/// What happened to a write.
pub enum Outcome {
    /// The action ran (or failed) now.
    Fresh(Response),
    /// A stored response was replayed; the action did not run.
    Replayed(Response),
}

impl Outcome {
    pub fn into_response(self) -> Response {
        match self {
            Outcome::Fresh(r) | Outcome::Replayed(r) => r,
        }
    }
}

/// What every vault write starts with: the caller, who must hold `role`
/// for `action`; its `Idempotency-Key`; and the request's method and path
/// as received, which with the body make the fingerprint of "the same
/// request".
pub struct Write {
    pub caller: Caller,
    key: Option<String>,
    method: String,
    path: String,
}

impl Write {
    pub fn begin(state: &AppState, req: &Parts, role: Role, action: &str) -> ApiResult<Write> {
        let caller = caller(state, &req.headers)?;
        caller.require(role, action)?;
        let key = key_of(&req.headers)?;
        Ok(Write {
            caller,
            key,
            method: req.method.as_str().to_owned(),
            path: req.uri.path().to_owned(),
        })
    }

    /// Runs `action` at most once for this write's key; `body` (or what
    /// stands for it, e.g. an upload's digest) completes the fingerprint.
    pub fn run(
        &self,
        state: &AppState,
        body: &[u8],
        action: impl FnOnce(&Connection) -> ApiResult<Reply>,
    ) -> Outcome {
        let fingerprint = fingerprint(&self.method, &self.path, body);
        run(
            state,
            &self.caller,
            self.key.as_deref(),
            &fingerprint,
            action,
        )
    }
}

/// A vault write request as it arrives: the server's state, the request's
/// head and its whole body. Handlers begin the write from it ([`Self::begin`]
/// or [`Self::json`]) and run it with [`Self::run`], so each check happens
/// in the same order everywhere: caller, role, key, then the body.
pub struct WriteRequest {
    pub state: AppState,
    pub parts: Parts,
    pub body: Bytes,
}

impl FromRequest<AppState> for WriteRequest {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let body = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(WriteRequest {
            state: state.clone(),
            parts,
            body,
        })
    }
}

impl WriteRequest {
    /// [`Write::begin`] for this request.
    pub fn begin(&self, role: Role, action: &str) -> ApiResult<Write> {
        Write::begin(&self.state, &self.parts, role, action)
    }

    /// Begins the write, then reads the body as JSON.
    pub fn json<T: DeserializeOwned>(&self, role: Role, action: &str) -> ApiResult<(Write, T)> {
        let write = self.begin(role, action)?;
        let req = parse_json(SERVICE, &self.parts.headers, &self.body)?;
        Ok((write, req))
    }

    /// Runs `action` at most once for the write's key, the body completing
    /// the fingerprint, and answers with its reply (or the stored one).
    pub fn run(
        &self,
        write: &Write,
        action: impl FnOnce(&Connection) -> ApiResult<Reply>,
    ) -> ApiResult<Response> {
        Ok(write.run(&self.state, &self.body, action).into_response())
    }
}

/// Run `action` at most once per idempotency key.
pub fn run(
    state: &AppState,
    caller: &Caller,
    key: Option<&str>,
    fingerprint: &str,
    action: impl FnOnce(&Connection) -> ApiResult<Reply>,
) -> Outcome {
    match run_inner(state, caller, key, fingerprint, action) {
        Ok(outcome) => outcome,
        Err(err) => Outcome::Fresh(err.into_response()),
    }
}

fn run_inner(
    state: &AppState,
    caller: &Caller,
    key: Option<&str>,
    fingerprint: &str,
    action: impl FnOnce(&Connection) -> ApiResult<Reply>,
) -> ApiResult<Outcome> {
    let mut conn = state.db.lock();
    let mut tx = conn.transaction().map_err(internal)?;
    let now = state.clock.now();
    if let Some(key) = key {
        if let Some(replay) = stored(&tx, caller, key, fingerprint, now)? {
            return Ok(Outcome::Replayed(replay));
        }
    }
    let (status, body) = {
        // A failed action leaves nothing behind: its savepoint rolls back.
        let savepoint = tx.savepoint().map_err(internal)?;
        match action(&savepoint) {
            Ok(reply) => {
                savepoint.commit().map_err(internal)?;
                (reply.status, reply.body())
            }
            Err(err) => (err.status, err.body()),
        }
    };
    if status.is_server_error() {
        return Ok(Outcome::Fresh((status, Json(body)).into_response()));
    }
    if let Some(key) = key {
        tx.execute(
            "INSERT OR REPLACE INTO idempotency (tenant_id, key, fingerprint, status, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![caller.tenant_id, key, fingerprint, status.as_u16(), body.to_string(), to_db(now)],
        )
        .map_err(internal)?;
    }
    tx.commit().map_err(internal)?;
    Ok(Outcome::Fresh((status, Json(body)).into_response()))
}

fn stored(
    conn: &Connection,
    caller: &Caller,
    key: &str,
    fingerprint: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Option<Response>> {
    let row: Option<(String, u16, String, String)> = conn
        .query_row(
            "SELECT fingerprint, status, body, created_at FROM idempotency WHERE tenant_id = ?1 AND key = ?2",
            params![caller.tenant_id, key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(internal)?;
    let Some((stored_fp, status, body, created_at)) = row else {
        return Ok(None);
    };
    let fresh = from_db(&created_at).is_some_and(|t| t + Duration::hours(TTL_HOURS) > now);
    if !fresh {
        conn.execute(
            "DELETE FROM idempotency WHERE tenant_id = ?1 AND key = ?2",
            params![caller.tenant_id, key],
        )
        .map_err(internal)?;
        return Ok(None);
    }
    if stored_fp != fingerprint {
        return Err(ApiError::new(
            SERVICE,
            StatusCode::UNPROCESSABLE_ENTITY,
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was already used with a different request; use a new key for a new request",
        ));
    }
    let body: Value = serde_json::from_str(&body).map_err(internal)?;
    let status = StatusCode::from_u16(status).map_err(internal)?;
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response.extensions_mut().insert(Replayed);
    Ok(Some(response))
}
