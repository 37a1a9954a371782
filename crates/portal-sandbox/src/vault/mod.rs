//! Vault Service (multi-tenant assets), under `/vault`: auth under
//! `/auth/v1`, assets under `/vault/v1`.
//!
//! Every response uses the EventZR envelope
//! `{"data","error","page","meta":{"request_id"}}`; `meta.request_id`
//! repeats the client's `x-request-id`. Rows are always filtered by the
//! caller's tenant: another tenant's row is a 404, even by id.

mod assets;
pub mod auth;
mod extras;
mod folders;
mod idempotency;
mod upload;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::types::ToSql;
use rusqlite::{Connection, Row};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::context::{request_id, Service};
use crate::error::{parse_json, with_fallbacks, ApiError, ApiResult};
use crate::state::AppState;

pub use auth::{Role, SEEDED_PASSWORD};
pub use folders::insert_folder;

const SERVICE: Service = Service::Vault;
const DEFAULT_LIMIT: u64 = 20;
const MAX_LIMIT: u64 = 100;

pub fn router(upload_limit: u64) -> Router<AppState> {
    let body_limit =
        usize::try_from(upload_limit.saturating_add(1024 * 1024)).unwrap_or(usize::MAX);
    let router = Router::new()
        .route("/health", get(health))
        .route("/auth/v1/login", post(auth::login))
        .route("/auth/v1/refresh", post(auth::refresh))
        .route(
            "/vault/v1/assets",
            get(assets::list)
                .post(assets::create)
                .layer(axum::extract::DefaultBodyLimit::max(body_limit)),
        )
        .route(
            "/vault/v1/assets/{id}",
            get(assets::get_one)
                .patch(assets::update)
                .delete(assets::delete),
        )
        .route(
            "/vault/v1/assets/{id}/legal-hold",
            get(extras::get_hold)
                .put(extras::set_hold)
                .delete(extras::release_hold),
        )
        .route(
            "/vault/v1/assets/{id}/transforms",
            get(extras::list_transforms).post(extras::request_transform),
        )
        .route("/vault/v1/assets/{id}/share", post(extras::share))
        .route(
            "/vault/v1/folders",
            get(folders::list).post(folders::create),
        )
        .route("/vault/v1/quota", get(extras::quota))
        .route("/shares/{token}", get(extras::open_share));
    with_fallbacks(router, SERVICE, "Vault")
}

async fn health() -> Response {
    Reply::ok(json!({"status": "ok"})).into_response()
}

/// `page` of the envelope.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub total: u64,
    pub page: u64,
    pub limit: u64,
}

impl Page {
    fn offset(self) -> u64 {
        (self.page - 1).saturating_mul(self.limit)
    }
}

/// A successful Vault answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub data: Value,
    pub page: Option<Page>,
}

impl Reply {
    pub fn ok(data: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            data,
            page: None,
        }
    }

    pub fn created(data: Value) -> Reply {
        Reply {
            status: StatusCode::CREATED,
            data,
            page: None,
        }
    }

    pub fn paged(data: Value, page: Page) -> Reply {
        Reply {
            status: StatusCode::OK,
            data,
            page: Some(page),
        }
    }

    pub fn body(&self) -> Value {
        json!(Envelope::of(&self.data, self.page))
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        (self.status, Json(Envelope::of(&self.data, self.page))).into_response()
    }
}

/// A 200 with one page of `rows`, written straight from them (no JSON tree
/// of 100 rows built first).
pub fn paged_rows<T: Serialize>(rows: &[T], page: Page) -> Response {
    Json(Envelope::of(rows, Some(page))).into_response()
}

/// The envelope as written on the wire. Its fields (and those of its parts)
/// are in alphabetical order: the bytes a `Value` (a sorted map) gives.
#[derive(Serialize)]
struct Envelope<'a, T: Serialize + ?Sized> {
    data: &'a T,
    error: (),
    meta: Meta,
    page: Option<PageJson>,
}

#[derive(Serialize)]
struct Meta {
    request_id: String,
}

#[derive(Serialize)]
struct PageJson {
    has_more: bool,
    limit: u64,
    page: u64,
    total: u64,
}

impl<'a, T: Serialize + ?Sized> Envelope<'a, T> {
    fn of(data: &'a T, page: Option<Page>) -> Self {
        Envelope {
            data,
            error: (),
            meta: Meta {
                request_id: request_id(),
            },
            page: page.map(PageJson::of),
        }
    }
}

impl PageJson {
    fn of(p: Page) -> Self {
        PageJson {
            has_more: p.page.saturating_mul(p.limit) < p.total,
            limit: p.limit,
            page: p.page,
            total: p.total,
        }
    }
}

pub fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(
        SERVICE,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
        message,
    )
}

pub fn not_found_asset(id: &str) -> ApiError {
    ApiError::new(
        SERVICE,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("no asset with id {id:?}"),
    )
}

pub fn internal(err: impl std::fmt::Display) -> ApiError {
    crate::error::internal(SERVICE, err)
}

/// A JSON request body, refused as every vault answer is (in the
/// envelope: 415 without a JSON content type, 400 when unreadable).
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse_json(SERVICE, &headers, &body)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

/// One page of the rows of `table` that `filter` (with `args`) selects,
/// ordered by `order` then `id`, each read by `read`; `page.total` becomes
/// the count of them all.
pub fn page_rows<T>(
    conn: &Connection,
    page: &mut Page,
    (columns, table, filter, order): (&str, &str, &str, &str),
    args: &[&dyn ToSql],
    read: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> ApiResult<Vec<T>> {
    page.total = conn
        .query_row(
            &format!("SELECT COUNT(*) FROM {table} WHERE {filter}"),
            args,
            |r| r.get(0),
        )
        .map_err(internal)?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {columns} FROM {table} WHERE {filter}
             ORDER BY {order}, id LIMIT {} OFFSET {}",
            page.limit,
            page.offset()
        ))
        .map_err(internal)?;
    stmt.query_map(args, read)
        .and_then(|rows| rows.collect())
        .map_err(internal)
}

/// A list request's query parameters, its `page` and `limit` read (see
/// [`page_of`]). After the caller among a handler's arguments: a caller
/// without a valid token hears 401 before any word on the query.
pub struct Paged(pub Page, pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Paged {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(query) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let page = page_of(&query).map_err(IntoResponse::into_response)?;
        Ok(Paged(page, query))
    }
}

/// `page` and `limit` query parameters (default 1 and 20, limit at most 100).
pub fn page_of(query: &HashMap<String, String>) -> Result<Page, ApiError> {
    let number = |name: &str, default: u64, max: u64| -> Result<u64, ApiError> {
        // `page=` (empty) is not a number: refused like any other.
        match query.get(name) {
            None => Ok(default),
            Some(raw) => match raw.parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(bad_request(format!(
                    "{name} must be a whole number between 1 and {max}"
                ))),
            },
        }
    };
    Ok(Page {
        total: 0,
        page: number("page", 1, 1_000_000_000)?,
        limit: number("limit", DEFAULT_LIMIT, MAX_LIMIT)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The envelope is written from a struct; stored replies (idempotency)
    /// keep its `Value`. Both give the same bytes.
    #[tokio::test]
    async fn a_reply_is_written_as_its_json_value() {
        let page = Page {
            total: 7,
            page: 2,
            limit: 3,
        };
        for reply in [
            Reply::paged(json!([{"b": 1, "a": [true, null]}]), page),
            Reply::ok(json!({"id": "x"})),
            Reply::created(Value::Null),
        ] {
            let value = reply.body();
            assert_eq!(value["page"].is_null(), reply.page.is_none());
            let body = axum::body::to_bytes(reply.into_response().into_body(), usize::MAX)
                .await
                .unwrap();
            assert_eq!(std::str::from_utf8(&body).unwrap(), value.to_string());
        }
        let rows = [json!({"id": "r"})];
        let body = axum::body::to_bytes(paged_rows(&rows, page).into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            Reply::paged(json!(rows), page).body().to_string()
        );
        assert_eq!(
            Reply::paged(json!([]), page).body()["page"],
            json!({"total": 7, "page": 2, "limit": 3, "has_more": true})
        );
    }
}
