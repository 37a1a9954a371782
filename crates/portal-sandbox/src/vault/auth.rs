//! Vault login, refresh and the caller of each request.
//!
//! Access tokens are HS256 JWTs valid 24 h with the documented claims
//! (`sub`, `tenantId`, `roles`, `email`, `iat`, `exp`). Refresh tokens are
//! opaque, valid 30 days, stored hashed, and rotate on every use.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{bad_request, internal, JsonBody, Reply, SERVICE};
use crate::clock::{from_db, to_db};
use crate::context::bearer;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::state::AppState;

/// Password of every seeded user (documented for the staging users).
pub const SEEDED_PASSWORD: &str = "Password123!";
const ACCESS_TTL_SECONDS: i64 = 86_400;
const REFRESH_TTL_DAYS: i64 = 30;
const JWT_KID: &str = "vault-sandbox";

/// Documented roles, weakest first: each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    User,
    Organizer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Organizer => "organizer",
            Role::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        match s {
            "user" => Some(Role::User),
            "organizer" => Some(Role::Organizer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub tenant_id: String,
    pub role: Role,
}

/// A reading handler's caller: the request must carry a valid access token.
impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        caller(state, &parts.headers)
    }
}

impl Caller {
    /// 403 unless the caller's role is at least `needed`.
    pub fn require(&self, needed: Role, action: &str) -> ApiResult<()> {
        if self.role >= needed {
            return Ok(());
        }
        Err(ApiError::new(
            SERVICE,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            format!(
                "role '{}' cannot {action}; it needs the '{}' role or higher",
                self.role.as_str(),
                needed.as_str()
            ),
        ))
    }
}

fn unauthorized(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(SERVICE, StatusCode::UNAUTHORIZED, code, message)
}

/// Verify the bearer JWT and the optional `x-tenant-id`.
pub fn caller(state: &AppState, headers: &HeaderMap) -> ApiResult<Caller> {
    let token = bearer(headers).ok_or_else(|| {
        unauthorized(
            "UNAUTHORIZED",
            "send the access token as `Authorization: Bearer <JWT>`",
        )
    })?;
    let claims = crate::jwt::verify_hs256(&state.vault_jwt_secret, token)
        .map_err(|e| unauthorized("UNAUTHORIZED", format!("invalid access token: {e}")))?;
    let exp = claims["exp"].as_i64().unwrap_or(0);
    if exp <= state.clock.now().timestamp() {
        return Err(unauthorized(
            "TOKEN_EXPIRED",
            "the access token has expired; log in again or refresh it",
        ));
    }
    let (Some(user_id), Some(tenant_id)) = (claims["sub"].as_str(), claims["tenantId"].as_str())
    else {
        return Err(unauthorized(
            "UNAUTHORIZED",
            "the access token lacks sub or tenantId",
        ));
    };
    let role = claims["roles"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().and_then(Role::parse))
        .max()
        .ok_or_else(|| unauthorized("UNAUTHORIZED", "the access token has no known role"))?;
    let known: Option<String> = state
        .db
        .lock()
        .query_row(
            "SELECT tenant_id FROM users WHERE id = ?1",
            params![user_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(internal)?;
    if known.as_deref() != Some(tenant_id) {
        return Err(unauthorized(
            "UNAUTHORIZED",
            "the access token's user no longer exists",
        ));
    }
    check_tenant_header(headers, tenant_id)?;
    Ok(Caller {
        user_id: user_id.to_owned(),
        tenant_id: tenant_id.to_owned(),
        role,
    })
}

fn check_tenant_header(headers: &HeaderMap, tenant_id: &str) -> ApiResult<()> {
    let Some(value) = headers.get("x-tenant-id") else {
        return Ok(());
    };
    if value.to_str().ok().map(str::trim) == Some(tenant_id) {
        return Ok(());
    }
    Err(ApiError::new(
        SERVICE,
        StatusCode::FORBIDDEN,
        "TENANT_MISMATCH",
        "x-tenant-id does not match the tenantId of the access token",
    ))
}

/// A seeded or stored user.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub tenant_id: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub role: Role,
}

pub fn insert_user(conn: &Connection, user: &NewUser<'_>) -> rusqlite::Result<()> {
    let salt = ids::alnum(16);
    conn.execute(
        "INSERT OR IGNORE INTO users (id, tenant_id, email, password_salt, password_hash, roles)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            user.id,
            user.tenant_id,
            user.email,
            salt,
            password_hash(&salt, user.password),
            json!([user.role.as_str()]).to_string(),
        ],
    )?;
    Ok(())
}

/// Replace a user's password (new salt).
pub fn set_password(conn: &Connection, user_id: &str, password: &str) -> rusqlite::Result<()> {
    let salt = ids::alnum(16);
    conn.execute(
        "UPDATE users SET password_salt = ?1, password_hash = ?2 WHERE id = ?3",
        params![salt, password_hash(&salt, password), user_id],
    )?;
    Ok(())
}

fn password_hash(salt: &str, password: &str) -> String {
    ids::sha256_hex(format!("{salt}:{password}").as_bytes())
}

struct UserRow {
    id: String,
    tenant_id: String,
    tenant_name: String,
    email: String,
    roles: Vec<String>,
}

fn user_by(
    conn: &Connection,
    column: &str,
    value: &str,
) -> rusqlite::Result<Option<(UserRow, String, String)>> {
    conn.query_row(
        &format!(
            "SELECT u.id, u.tenant_id, t.name, u.email, u.roles, u.password_salt, u.password_hash
             FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.{column} = ?1"
        ),
        params![value],
        |r| {
            let roles: String = r.get(4)?;
            Ok((
                UserRow {
                    id: r.get(0)?,
                    tenant_id: r.get(1)?,
                    tenant_name: r.get(2)?,
                    email: r.get(3)?,
                    roles: serde_json::from_str(&roles).unwrap_or_default(),
                },
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )
    .optional()
}

/// New access + refresh token pair for `user`.
fn issue(state: &AppState, conn: &Connection, user: &UserRow) -> ApiResult<Value> {
    let now = state.clock.now();
    let claims = json!({
        "sub": user.id,
        "tenantId": user.tenant_id,
        "roles": user.roles,
        "email": user.email,
        "iat": now.timestamp(),
        "exp": now.timestamp() + ACCESS_TTL_SECONDS,
    });
    let access = crate::jwt::sign_hs256(&state.vault_jwt_secret, JWT_KID, &claims);
    let refresh = format!("rt_{}", ids::secret(32));
    crate::ledger::record("access_token", &access);
    crate::ledger::record("refresh_token", &refresh);
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
        params![
            ids::sha256_hex(refresh.as_bytes()),
            user.id,
            to_db(now + Duration::days(REFRESH_TTL_DAYS))
        ],
    )
    .map_err(internal)?;
    Ok(json!({
        "accessToken": access,
        "refreshToken": refresh,
        "tokenType": "Bearer",
        "expiresIn": ACCESS_TTL_SECONDS,
        "user": {
            "id": user.id,
            "email": user.email,
            "roles": user.roles,
            "tenantId": user.tenant_id,
            "tenantName": user.tenant_name,
        },
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    email: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Login>,
) -> ApiResult<Response> {
    if req.email.trim().is_empty() || req.password.is_empty() {
        return Err(bad_request("email and password are required"));
    }
    let conn = state.db.lock();
    let found =
        user_by(&conn, "email", &req.email.trim().to_ascii_lowercase()).map_err(internal)?;
    let user = match found {
        Some((user, salt, hash)) if password_hash(&salt, &req.password) == hash => user,
        _ => {
            return Err(unauthorized(
                "INVALID_CREDENTIALS",
                "wrong email or password",
            ))
        }
    };
    crate::ledger::record("password", &req.password);
    tracing::info!(user_id = %user.id, "vault login");
    Ok(Reply::ok(issue(&state, &conn, &user)?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    #[serde(rename = "refreshToken")]
    refresh_token: String,
}

pub async fn refresh(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Refresh>,
) -> ApiResult<Response> {
    let now = state.clock.now();
    let conn = state.db.lock();
    let hash = ids::sha256_hex(req.refresh_token.as_bytes());
    let row: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT user_id, expires_at, revoked_at FROM refresh_tokens WHERE token_hash = ?1",
            params![hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(internal)?;
    let invalid = || {
        unauthorized(
            "INVALID_REFRESH_TOKEN",
            "the refresh token is not valid, expired or already used",
        )
    };
    let Some((user_id, expires_at, revoked_at)) = row else {
        return Err(invalid());
    };
    let expired = from_db(&expires_at).is_none_or(|t| t <= now);
    if revoked_at.is_some() || expired {
        return Err(invalid());
    }
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ?1 WHERE token_hash = ?2",
        params![to_db(now), hash],
    )
    .map_err(internal)?;
    let (user, _, _) = user_by(&conn, "id", &user_id)
        .map_err(internal)?
        .ok_or_else(invalid)?;
    Ok(Reply::ok(issue(&state, &conn, &user)?).into_response())
}
