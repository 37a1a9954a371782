//! JWT keys API (public keys that verify private-video JWTs), under
//! `/jwt-keys/v2`. Authenticated by an API key (`Authorization: Bearer`),
//! stored only as its SHA-256.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::der::Decode;
use rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::clock::to_db;
use crate::context::{bearer, Service, JWT_KEYS_PREFIX};
use crate::error::{internal, with_fallbacks, ApiError, ApiResult};
use crate::ids;
use crate::state::{origin_of, AppState};

const SERVICE: Service = Service::JwtKeys;
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;
const MIN_BITS: usize = 2048;
const RSA_OID: &str = "1.2.840.113549.1.1.1";

pub fn router() -> Router<AppState> {
    let router = Router::new()
        .route("/jwt_keys", get(list_keys).post(create_key))
        .route("/jwt_keys/{id}", get(get_key).delete(delete_key));
    with_fallbacks(router, SERVICE, "JWT keys")
}

fn ok(status: StatusCode, result: Value, links: Value) -> Response {
    (
        status,
        Json(json!({"success": true, "result": result, "links": links, "errors": []})),
    )
        .into_response()
}

fn field_error(field: &str, code: &str, message: impl Into<String>) -> Value {
    json!({"field": field, "code": code, "message": message.into()})
}

fn invalid(errors: Vec<Value>) -> ApiError {
    let message = errors
        .first()
        .and_then(|e| e["message"].as_str())
        .unwrap_or("invalid request")
        .to_owned();
    ApiError::new(SERVICE, StatusCode::BAD_REQUEST, "invalid_request", message).with_details(errors)
}

/// An uploaded public key.
#[derive(Debug, Clone)]
pub struct JwtKey {
    pub id: String,
    pub name: String,
    pub public_key: String,
    pub created_by: String,
    pub created_time: String,
    pub updated_by: String,
    pub updated_time: String,
}

const KEY_COLUMNS: &str =
    "id, name, public_key, created_by, created_time, updated_by, updated_time";

impl JwtKey {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<JwtKey> {
        Ok(JwtKey {
            id: row.get(0)?,
            name: row.get(1)?,
            public_key: row.get(2)?,
            created_by: row.get(3)?,
            created_time: row.get(4)?,
            updated_by: row.get(5)?,
            updated_time: row.get(6)?,
        })
    }

    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "public_key": self.public_key,
            "created_by": self.created_by,
            "created_time": self.created_time,
            "updated_by": self.updated_by,
            "updated_time": self.updated_time,
        })
    }
}

/// Create an API key for `user_id`; returns the plain value.
pub fn insert_api_key(
    conn: &Connection,
    user_id: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<String> {
    insert_api_key_with_value(conn, user_id, now, ids::alnum(40))
}

/// Like [`insert_api_key`], with a value chosen by the caller.
pub fn insert_api_key_with_value(
    conn: &Connection,
    user_id: &str,
    now: DateTime<Utc>,
    value: String,
) -> rusqlite::Result<String> {
    conn.execute(
        "INSERT INTO jk_api_keys (id, key_hash, user_id, created_time) VALUES (?1, ?2, ?3, ?4)",
        params![
            ids::lower_alnum(21),
            ids::sha256_hex(value.as_bytes()),
            user_id,
            to_db(now)
        ],
    )?;
    Ok(value)
}

pub fn api_key_exists(conn: &Connection, value: &str) -> rusqlite::Result<bool> {
    Ok(api_key_user(conn, value)?.is_some())
}

fn api_key_user(conn: &Connection, value: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT user_id FROM jk_api_keys WHERE key_hash = ?1",
        params![ids::sha256_hex(value.as_bytes())],
        |r| r.get(0),
    )
    .optional()
}

/// Store a key whose PEM was already validated.
pub fn insert_key(
    conn: &Connection,
    name: &str,
    public_key: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<JwtKey> {
    let key = JwtKey {
        id: ids::lower_alnum(21),
        name: name.to_owned(),
        public_key: public_key.to_owned(),
        created_by: user_id.to_owned(),
        created_time: to_db(now),
        updated_by: user_id.to_owned(),
        updated_time: to_db(now),
    };
    conn.execute(
        "INSERT INTO jk_keys (id, name, public_key, created_by, created_time, updated_by, updated_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            key.id,
            key.name,
            key.public_key,
            key.created_by,
            key.created_time,
            key.updated_by,
            key.updated_time
        ],
    )?;
    Ok(key)
}

pub fn find_key(conn: &Connection, id: &str) -> rusqlite::Result<Option<JwtKey>> {
    conn.query_row(
        &format!("SELECT {KEY_COLUMNS} FROM jk_keys WHERE id = ?1"),
        params![id],
        JwtKey::from_row,
    )
    .optional()
}

/// The caller's user id, or 401.
fn authenticate(state: &AppState, headers: &HeaderMap) -> ApiResult<String> {
    let unauthorized =
        |msg: &str| ApiError::new(SERVICE, StatusCode::UNAUTHORIZED, "unauthorized", msg);
    let value = bearer(headers)
        .ok_or_else(|| unauthorized("send your API key as `Authorization: Bearer YOUR-API-KEY`"))?;
    api_key_user(&state.db.lock(), value)
        .map_err(|e| internal(SERVICE, e))?
        .ok_or_else(|| unauthorized("the API key is not valid"))
}

/// Why a `public_key` is refused, as a precise `errors` entry.
pub fn validate_public_key(pem: &str) -> Result<RsaPublicKey, Value> {
    let err = |code: &str, msg: String| field_error("public_key", code, msg);
    let pem = pem.trim();
    if pem.is_empty() {
        return Err(err("required", "public_key is required".into()));
    }
    if pem.contains("PRIVATE KEY-----") {
        return Err(err(
            "private_key",
            "public_key holds a private key: send only the public half".into(),
        ));
    }
    let key = if pem.starts_with("-----BEGIN PUBLIC KEY-----") {
        let (_, der) = rsa::pkcs8::Document::from_pem(pem)
            .map_err(|e| err("invalid_pem", format!("public_key is not valid PEM: {e}")))?;
        let spki = SubjectPublicKeyInfoRef::from_der(der.as_bytes()).map_err(|e| {
            err(
                "invalid_key",
                format!("public_key is not a SubjectPublicKeyInfo: {e}"),
            )
        })?;
        let oid = spki.algorithm.oid.to_string();
        if oid != RSA_OID {
            return Err(err(
                "not_rsa",
                format!("public_key is not an RSA key (algorithm {oid}); RS256 needs RSA"),
            ));
        }
        RsaPublicKey::from_public_key_pem(pem).map_err(|e| {
            err(
                "invalid_key",
                format!("public_key is not a valid RSA key: {e}"),
            )
        })?
    } else if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
        RsaPublicKey::from_pkcs1_pem(pem).map_err(|e| {
            err(
                "invalid_key",
                format!("public_key is not a valid RSA key: {e}"),
            )
        })?
    } else {
        return Err(err(
            "invalid_pem",
            "public_key must be PEM starting with -----BEGIN PUBLIC KEY-----".into(),
        ));
    };
    let bits = key.n().bits();
    if bits < MIN_BITS {
        return Err(err(
            "key_too_small",
            format!("public_key is a {bits}-bit RSA key; at least {MIN_BITS} bits are required"),
        ));
    }
    Ok(key)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateKey {
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    public_key: Option<Value>,
}

fn validate_name(name: Option<&Value>) -> Result<String, Value> {
    let err = |code: &str, msg: &str| field_error("name", code, msg);
    match name {
        None | Some(Value::Null) => Err(err("required", "name is required")),
        Some(Value::String(s)) => {
            let len = s.chars().count();
            if s.trim().is_empty() {
                Err(err(
                    "too_short",
                    "name must be 1-50 characters (it is empty)",
                ))
            } else if len > 50 {
                Err(field_error(
                    "name",
                    "too_long",
                    format!("name must be 1-50 characters (it is {len})"),
                ))
            } else {
                Ok(s.clone())
            }
        }
        Some(_) => Err(err("invalid_type", "name must be a string")),
    }
}

fn parse_create(headers: &HeaderMap, body: &[u8]) -> ApiResult<(String, String)> {
    let req: CreateKey = crate::error::parse_json(SERVICE, headers, body)?;
    let name = validate_name(req.name.as_ref());
    let pem = match req.public_key {
        None | Some(Value::Null) => Err(field_error(
            "public_key",
            "required",
            "public_key is required",
        )),
        Some(Value::String(pem)) => validate_public_key(&pem).map(|_| pem),
        Some(_) => Err(field_error(
            "public_key",
            "invalid_type",
            "public_key must be a string",
        )),
    };
    match (name, pem) {
        (Ok(name), Ok(pem)) => Ok((name, pem)),
        (name, pem) => Err(invalid(
            [name.err(), pem.err()].into_iter().flatten().collect(),
        )),
    }
}

async fn create_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let user = authenticate(&state, &headers)?;
    let (name, pem) = parse_create(&headers, &body)?;
    let key = insert_key(
        &state.db.lock(),
        &name,
        pem.trim(),
        &user,
        state.clock.now(),
    )
    .map_err(|e| internal(SERVICE, e))?;
    tracing::info!(key_id = %key.id, "created JWT key");
    Ok(ok(StatusCode::CREATED, key.to_json(), Value::Null))
}

fn not_found_key(id: &str) -> ApiError {
    ApiError::status(
        SERVICE,
        StatusCode::NOT_FOUND,
        format!("no JWT key with id {id:?}"),
    )
}

async fn get_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    authenticate(&state, &headers)?;
    let key = find_key(&state.db.lock(), &id)
        .map_err(|e| internal(SERVICE, e))?
        .ok_or_else(|| not_found_key(&id))?;
    Ok(ok(StatusCode::OK, key.to_json(), Value::Null))
}

async fn delete_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    authenticate(&state, &headers)?;
    let deleted = state
        .db
        .lock()
        .execute("DELETE FROM jk_keys WHERE id = ?1", params![id])
        .map_err(|e| internal(SERVICE, e))?;
    if deleted == 0 {
        return Err(not_found_key(&id));
    }
    tracing::info!(key_id = %id, "deleted JWT key");
    Ok(ok(StatusCode::OK, json!({}), Value::Null))
}

/// Where a page starts: after this key in the list's order (creation
/// time, then insertion order); the first page starts before everything.
type Position = (String, i64);

fn parse_list_query(query: &HashMap<String, String>) -> ApiResult<(usize, Position)> {
    // `limit=` (empty) is not a number: refused like any other non-number.
    let limit = match query.get("limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(invalid(vec![field_error(
                    "limit",
                    "out_of_range",
                    format!("limit must be between 1 and {MAX_LIMIT}"),
                )]))
            }
        },
    };
    let after = match query.get("cursor").filter(|c| !c.is_empty()) {
        None => (String::new(), 0),
        Some(cursor) => decode_cursor(cursor).ok_or_else(|| {
            invalid(vec![field_error(
                "cursor",
                "invalid",
                "cursor is not one this API returned",
            )])
        })?,
    };
    Ok((limit, after))
}

/// The cursor after `key`: its creation time and insertion number, so the
/// next page starts at the right place even if `key` is deleted meanwhile.
fn encode_cursor((created, seq): &Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("k:{seq}:{created}"))
}

fn decode_cursor(cursor: &str) -> Option<Position> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (seq, created) = text.strip_prefix("k:")?.split_once(':')?;
    crate::clock::from_db(created)?;
    Some((created.to_owned(), seq.parse().ok()?))
}

async fn list_keys(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    authenticate(&state, &headers)?;
    let (limit, after) = parse_list_query(&query)?;
    let conn = state.db.lock();
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT seq, {KEY_COLUMNS} FROM jk_keys WHERE (created_time, seq) > (?1, ?2)
             ORDER BY created_time, seq LIMIT ?3"
        ))
        .map_err(|e| internal(SERVICE, e))?;
    let mut rows: Vec<(i64, JwtKey)> = stmt
        .query_map(params![after.0, after.1, limit as i64 + 1], |row| {
            let seq: i64 = row.get(0)?;
            let key = JwtKey {
                id: row.get(1)?,
                name: row.get(2)?,
                public_key: row.get(3)?,
                created_by: row.get(4)?,
                created_time: row.get(5)?,
                updated_by: row.get(6)?,
                updated_time: row.get(7)?,
            };
            Ok((seq, key))
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| internal(SERVICE, e))?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let mut links = json!({});
    if let (true, Some((seq, key))) = (more, rows.last()) {
        links["next"] = json!(format!(
            "{}{JWT_KEYS_PREFIX}/jwt_keys?limit={limit}&cursor={}",
            origin_of(&state, &headers),
            encode_cursor(&(key.created_time.clone(), *seq))
        ));
    }
    let result: Vec<Value> = rows.iter().map(|(_, k)| k.to_json()).collect();
    Ok(ok(StatusCode::OK, json!(result), links))
}
