//! VaultStream API: API tokens, scopes and user JWTs, under `/vaultstream`.
//!
//! | call | scope |
//! |---|---|
//! | `POST /v1/auth/tokens` | `admin:write` |
//! | `GET /v1/auth/tokens?limit&after` | `admin:read` |
//! | `DELETE /v1/auth/tokens/{id}` | `admin:write` |
//! | `POST /v1/auth/jwt` | `content:read` (a player JWT lets a viewer read one content item, so minting one needs read access to content, nothing more) |
//!
//! Scopes do not imply each other. Token values are `vst_live_` plus 32
//! random bytes in base64url; only their SHA-256 is stored. A revoked or
//! expired token gets 401 `invalid_token` at once.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::clock::{db_to_seconds, from_db, to_db, to_seconds};
use crate::context::{bearer, request_id, Service};
use crate::error::{internal, parse_json, with_fallbacks, ApiError, ApiResult};
use crate::ids;
use crate::state::AppState;
use crate::validate::{blank_or_longer, integer};

const SERVICE: Service = Service::VaultStream;

/// Every documented scope.
pub const SCOPES: [&str; 6] = [
    "content:read",
    "content:write",
    "admin:read",
    "admin:write",
    "analytics:read",
    "webhook:manage",
];

/// The scope `POST /v1/auth/jwt` needs.
pub const JWT_SCOPE: &str = "content:read";

const TOKEN_PREFIX: &str = "vst_live_";
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 100;
const MAX_JWT_TTL: i64 = 86_400;
const JWT_KID: &str = "vaultstream-sandbox";

pub fn router() -> Router<AppState> {
    let router = Router::new()
        .route("/v1/auth/tokens", post(create_token).get(list_tokens))
        .route("/v1/auth/tokens/{id}", delete(revoke_token))
        .route("/v1/auth/jwt", post(mint_jwt));
    with_fallbacks(router, SERVICE, "VaultStream")
}

fn ok(status: StatusCode, data: Value, mut meta: Value) -> Response {
    meta["request_id"] = json!(request_id());
    (
        status,
        Json(json!({"status": "ok", "data": data, "meta": meta})),
    )
        .into_response()
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(SERVICE, StatusCode::BAD_REQUEST, "invalid_request", message)
}

/// A stored API token (never its value).
#[derive(Debug, Clone)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

const TOKEN_COLUMNS: &str = "id, name, scopes, created_at, expires_at, revoked_at, last_used_at";

impl Token {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Token> {
        let scopes: String = row.get(2)?;
        Ok(Token {
            id: row.get(0)?,
            name: row.get(1)?,
            scopes: serde_json::from_str(&scopes).unwrap_or_default(),
            created_at: row.get(3)?,
            expires_at: row.get(4)?,
            revoked_at: row.get(5)?,
            last_used_at: row.get(6)?,
        })
    }

    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "scopes": self.scopes,
            "created_at": db_to_seconds(&self.created_at),
            "expires_at": self.expires_at.as_deref().map(db_to_seconds),
            "last_used_at": self.last_used_at.as_deref().map(db_to_seconds),
        })
    }

    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Store a new token; returns it with its plain value (shown once).
pub fn insert_token(
    conn: &Connection,
    name: &str,
    scopes: &[String],
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> rusqlite::Result<(Token, String)> {
    let value = format!("{TOKEN_PREFIX}{}", ids::secret(32));
    insert_token_with_value(conn, name, scopes, expires_at, now, value)
}

/// Like [`insert_token`], with a value chosen by the caller (the embedded
/// sandbox's bootstrap token, which the app keeps in its keychain).
pub fn insert_token_with_value(
    conn: &Connection,
    name: &str,
    scopes: &[String],
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    value: String,
) -> rusqlite::Result<(Token, String)> {
    let token = Token {
        id: format!("tok_{}", ids::alnum(16)),
        name: name.to_owned(),
        scopes: scopes.to_vec(),
        created_at: to_db(now),
        expires_at: expires_at.map(to_db),
        revoked_at: None,
        last_used_at: None,
    };
    conn.execute(
        "INSERT INTO vs_tokens (id, name, token_hash, scopes, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            token.id,
            token.name,
            ids::sha256_hex(value.as_bytes()),
            json!(token.scopes).to_string(),
            token.created_at,
            token.expires_at,
        ],
    )?;
    Ok((token, value))
}

/// The token stored for this plain value, if any (revoked ones included).
pub fn find_by_value(conn: &Connection, value: &str) -> rusqlite::Result<Option<Token>> {
    conn.query_row(
        &format!("SELECT {TOKEN_COLUMNS} FROM vs_tokens WHERE token_hash = ?1"),
        params![ids::sha256_hex(value.as_bytes())],
        Token::from_row,
    )
    .optional()
}

/// Whether a token can be used now.
pub fn usable(token: &Token, now: DateTime<Utc>) -> Result<(), String> {
    if token.revoked_at.is_some() {
        return Err("this token has been revoked".into());
    }
    match token.expires_at.as_deref().and_then(from_db) {
        Some(expiry) if expiry <= now => {
            Err(format!("this token expired at {}", to_seconds(expiry)))
        }
        _ => Ok(()),
    }
}

fn authenticate(state: &AppState, headers: &HeaderMap, scope: &str) -> ApiResult<Token> {
    let unauthorized =
        |msg: String| ApiError::new(SERVICE, StatusCode::UNAUTHORIZED, "invalid_token", msg);
    let value = bearer(headers).ok_or_else(|| {
        unauthorized("send an API token as `Authorization: Bearer vst_live_…`".into())
    })?;
    let now = state.clock.now();
    let conn = state.db.lock();
    let token = find_by_value(&conn, value)
        .map_err(|e| internal(SERVICE, e))?
        .ok_or_else(|| unauthorized("the token is not valid".into()))?;
    usable(&token, now).map_err(unauthorized)?;
    conn.execute(
        "UPDATE vs_tokens SET last_used_at = ?1 WHERE id = ?2",
        params![to_db(now), token.id],
    )
    .map_err(|e| internal(SERVICE, e))?;
    if !token.has_scope(scope) {
        return Err(ApiError::new(
            SERVICE,
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!(
                "this call needs the {scope} scope; the token has {}",
                if token.scopes.is_empty() {
                    "none".into()
                } else {
                    token.scopes.join(", ")
                }
            ),
        ));
    }
    Ok(token)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateToken {
    name: String,
    scopes: Vec<String>,
    #[serde(default)]
    expires_at: Option<String>,
}

fn validate_create(req: &CreateToken, now: DateTime<Utc>) -> ApiResult<Option<DateTime<Utc>>> {
    if blank_or_longer(&req.name, 100) {
        return Err(bad_request("name must be 1 to 100 characters"));
    }
    if req.scopes.is_empty() {
        return Err(bad_request(format!(
            "scopes must name at least one of {}",
            SCOPES.join(", ")
        )));
    }
    if let Some(unknown) = req.scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        return Err(bad_request(format!(
            "unknown scope {unknown:?}; valid scopes: {}",
            SCOPES.join(", ")
        )));
    }
    let Some(raw) = req.expires_at.as_deref() else {
        return Ok(None);
    };
    let expiry = DateTime::parse_from_rfc3339(raw)
        .map_err(|_| bad_request(format!("expires_at {raw:?} is not an RFC 3339 timestamp")))?
        .with_timezone(&Utc);
    if expiry <= now {
        return Err(bad_request("expires_at must be in the future"));
    }
    Ok(Some(expiry))
}

async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    authenticate(&state, &headers, "admin:write")?;
    let req: CreateToken = parse_json(SERVICE, &headers, &body)?;
    let now = state.clock.now();
    let expiry = validate_create(&req, now)?;
    let mut scopes: Vec<String> = Vec::new();
    for s in &req.scopes {
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    let (token, value) = insert_token(&state.db.lock(), req.name.trim(), &scopes, expiry, now)
        .map_err(|e| internal(SERVICE, e))?;
    tracing::info!(token_id = %token.id, "created API token");
    crate::ledger::record("revealed_token", &value);
    let mut data = token.to_json();
    data["token"] = json!(value);
    if let Some(obj) = data.as_object_mut() {
        obj.remove("last_used_at");
    }
    Ok(ok(StatusCode::CREATED, data, json!({})))
}

fn parse_limit(query: &HashMap<String, String>) -> ApiResult<usize> {
    match query.get("limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(bad_request(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            ))),
        },
    }
}

async fn list_tokens(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    authenticate(&state, &headers, "admin:read")?;
    let limit = parse_limit(&query)?;
    let conn = state.db.lock();
    // Oldest first (as documented): by creation time, ties in insertion
    // order. `after` names the last token of the previous page; the page
    // goes on from its place in that order, even if it was revoked since.
    let (after_created, after_seq): (String, i64) =
        match query.get("after").filter(|a| !a.is_empty()) {
            None => (String::new(), 0),
            Some(after) => conn
                .query_row(
                    "SELECT created_at, seq FROM vs_tokens WHERE id = ?1",
                    params![after],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| internal(SERVICE, e))?
                .ok_or_else(|| bad_request(format!("after {after:?} is not a token id")))?,
        };
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM vs_tokens
             WHERE revoked_at IS NULL AND (created_at, seq) > (?1, ?2)
             ORDER BY created_at, seq LIMIT ?3"
        ))
        .map_err(|e| internal(SERVICE, e))?;
    let mut tokens: Vec<Token> = stmt
        .query_map(
            params![after_created, after_seq, limit as i64 + 1],
            Token::from_row,
        )
        .and_then(|rows| rows.collect())
        .map_err(|e| internal(SERVICE, e))?;
    let total: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM vs_tokens WHERE revoked_at IS NULL",
            [],
            |r| r.get(0),
        )
        .map_err(|e| internal(SERVICE, e))?;
    let more = tokens.len() > limit;
    tokens.truncate(limit);
    let next_cursor = more.then(|| tokens.last().map(|t| t.id.clone())).flatten();
    let reports_last_used = state
        .reports_last_used
        .load(std::sync::atomic::Ordering::Relaxed);
    let data: Vec<Value> = tokens
        .iter()
        .map(|t| {
            let mut v = t.to_json();
            if let (false, Some(obj)) = (reports_last_used, v.as_object_mut()) {
                obj.remove("last_used_at");
            }
            v
        })
        .collect();
    Ok(ok(
        StatusCode::OK,
        json!(data),
        json!({"per_page": limit, "total": total, "next_cursor": next_cursor}),
    ))
}

async fn revoke_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    authenticate(&state, &headers, "admin:write")?;
    let now = to_db(state.clock.now());
    let changed = state
        .db
        .lock()
        .execute(
            "UPDATE vs_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            params![now, id],
        )
        .map_err(|e| internal(SERVICE, e))?;
    if changed == 0 {
        return Err(ApiError::status(
            SERVICE,
            StatusCode::NOT_FOUND,
            format!("no active token with id {id:?}"),
        ));
    }
    tracing::info!(token_id = %id, "revoked API token");
    Ok(ok(
        StatusCode::OK,
        json!({"id": id, "revoked": true, "revoked_at": db_to_seconds(&now)}),
        json!({}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MintJwt {
    user_id: String,
    content_id: String,
    #[serde(default, deserialize_with = "integer")]
    ttl_seconds: Option<i64>,
}

async fn mint_jwt(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let token = authenticate(&state, &headers, JWT_SCOPE)?;
    let req: MintJwt = parse_json(SERVICE, &headers, &body)?;
    for (field, value) in [("user_id", &req.user_id), ("content_id", &req.content_id)] {
        if blank_or_longer(value, 200) {
            return Err(bad_request(format!("{field} must be 1 to 200 characters")));
        }
    }
    let ttl = req.ttl_seconds.unwrap_or(MAX_JWT_TTL);
    if !(1..=MAX_JWT_TTL).contains(&ttl) {
        return Err(bad_request(format!(
            "ttl_seconds must be between 1 and {MAX_JWT_TTL} (user JWTs live at most 24 hours)"
        )));
    }
    let now = state.clock.now();
    let expires = now + Duration::seconds(ttl);
    let claims = json!({
        "iss": "vaultstream-sandbox",
        "sub": req.user_id,
        "user_id": req.user_id,
        "content_id": req.content_id,
        "iat": now.timestamp(),
        "exp": expires.timestamp(),
        "jti": ids::alnum(16),
        "token_id": token.id,
    });
    let jwt = crate::jwt::sign_hs256(&state.vaultstream_jwt_secret, JWT_KID, &claims);
    crate::ledger::record("user_jwt", &jwt);
    Ok(ok(
        StatusCode::OK,
        json!({
            "jwt": jwt,
            "expires_at": to_seconds(expires),
            "user_id": req.user_id,
            "content_id": req.content_id,
        }),
        json!({}),
    ))
}

/// Player-side check of a user JWT (`GET /sandbox/player/{content_id}`):
/// `Ok(claims)` when the player would accept it for `content_id`.
pub fn check_user_jwt(
    state: &AppState,
    jwt: &str,
    content_id: &str,
) -> Result<Value, (&'static str, String)> {
    let claims = crate::jwt::verify_hs256(&state.vaultstream_jwt_secret, jwt)
        .map_err(|e| (e.code(), e.to_string()))?;
    let exp = claims["exp"]
        .as_i64()
        .ok_or(("missing_exp", "the JWT has no exp".to_owned()))?;
    if exp <= state.clock.now().timestamp() {
        return Err(("expired", format!("the JWT expired at {exp}")));
    }
    if claims["content_id"].as_str() != Some(content_id) {
        return Err((
            "wrong_content",
            format!(
                "the JWT is for content {}, not {content_id}",
                claims["content_id"]
            ),
        ));
    }
    Ok(claims)
}
