//! Sandbox-only endpoints under `/sandbox` (never faulted).
//!
//! Health and the two player checks are always there and need no
//! credential. The controls (faults, request log, clock, rate limits) are
//! mounted only when [`crate::SandboxConfig::control`] holds a secret (the
//! standalone `portal sandbox` makes one per run and prints it; the app's
//! embedded sandbox has none, so they do not exist there). Each control
//! request must then send that secret as `X-Sandbox-Control` (401
//! otherwise), and a body only as `Content-Type: application/json` (415
//! otherwise): a web page can make neither kind of request without a CORS
//! preflight, which the sandbox never grants.
//!
//! | endpoint | what |
//! |---|---|
//! | `GET /sandbox/health` | liveness and the three base URLs |
//! | `GET /sandbox/faults` | installed fault rules with their counters |
//! | `POST /sandbox/faults` | add rules: a rule string, a rule object, or an array of them |
//! | `PUT /sandbox/faults` | replace all rules (same body) |
//! | `DELETE /sandbox/faults` | remove all rules |
//! | `DELETE /sandbox/faults/{id}` | remove one rule |
//! | `GET /sandbox/requests?method&path&service&idempotency_key` | requests received by the three services |
//! | `DELETE /sandbox/requests` | forget them |
//! | `GET /sandbox/clock`, `POST /sandbox/clock` `{"advance_seconds":N}` or `{"reset":true}` | move the sandbox's clock (every answer's `Date` is its time) |
//! | `GET /sandbox/rate-limits`, `PUT /sandbox/rate-limits` | read or change the rate limits |
//! | `GET /sandbox/playback/{video_id}?jwt=` | RS256 JWT check against uploaded keys |
//! | `GET /sandbox/player/{content_id}?jwt=` | VaultStream user JWT check |

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::clock::to_db;
use crate::config::ControlSecret;
use crate::config::RateLimits;
use crate::context::{Service, JWT_KEYS_PREFIX, VAULTSTREAM_PREFIX, VAULT_PREFIX};
use crate::error::{parse_json, with_fallbacks, ApiError, ApiResult};
use crate::faults::FaultRule;
use crate::playback;
use crate::state::{origin_of, AppState};

const SERVICE: Service = Service::Sandbox;

pub fn router(control: Option<ControlSecret>) -> Router<AppState> {
    let public = Router::new()
        .route("/health", get(health))
        .route("/playback/{video_id}", get(playback::playback))
        .route("/player/{content_id}", get(playback::player));
    let router = match control {
        Some(secret) => public.merge(controls().layer(from_fn(move |req: Request, next: Next| {
            require_control(secret.clone(), req, next)
        }))),
        None => public,
    };
    with_fallbacks(router, SERVICE, "sandbox")
}

fn controls() -> Router<AppState> {
    Router::new()
        .route(
            "/faults",
            get(list_faults)
                .post(add_faults)
                .put(replace_faults)
                .delete(clear_faults),
        )
        .route("/faults/{id}", delete(remove_fault))
        .route("/requests", get(list_requests).delete(clear_requests))
        .route("/clock", get(get_clock).post(move_clock))
        .route("/rate-limits", get(get_rate_limits).put(set_rate_limits))
}

/// Only a request carrying the control secret reaches a control, and a
/// body only as JSON.
async fn require_control(secret: ControlSecret, req: Request, next: Next) -> Response {
    let given = req.headers().get(ControlSecret::HEADER);
    if !given.is_some_and(|v| secret.matches(v.as_bytes())) {
        return ApiError::status(
            SERVICE,
            StatusCode::UNAUTHORIZED,
            "the sandbox controls need the secret printed at start, as the X-Sandbox-Control header",
        )
        .into_response();
    }
    let has_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    if has_body && !is_json(req.headers()) {
        return ApiError::status(
            SERVICE,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as JSON with Content-Type: application/json",
        )
        .into_response();
    }
    next.run(req).await
}

/// `Content-Type: application/json` exactly (parameters such as
/// `charset` allowed), nothing a form or `text/plain` could send.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::status(SERVICE, StatusCode::BAD_REQUEST, message)
}

async fn health(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Json<Value> {
    let origin = origin_of(&state, &headers);
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "vaultstream_url": format!("{origin}{VAULTSTREAM_PREFIX}"),
        "jwt_keys_url": format!("{origin}{JWT_KEYS_PREFIX}"),
        "vault_url": format!("{origin}{VAULT_PREFIX}"),
    }))
}

fn rules_from(body: &[u8]) -> ApiResult<Vec<FaultRule>> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| bad_request(format!("invalid JSON: {e}")))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(ref obj) if obj.contains_key("rules") => obj["rules"]
            .as_array()
            .cloned()
            .ok_or_else(|| bad_request("`rules` must be an array of rules"))?,
        Value::Object(ref obj) if obj.contains_key("rule") => vec![obj["rule"].clone()],
        other => vec![other],
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => s
                .parse::<FaultRule>()
                .map_err(|e| bad_request(e.to_string())),
            other => serde_json::from_value::<FaultRule>(other)
                .map_err(|e| bad_request(format!("invalid fault rule: {e}")))
                .and_then(|rule| {
                    rule.validate()
                        .map(|()| rule)
                        .map_err(|e| bad_request(format!("invalid fault rule: {e}")))
                }),
        })
        .collect()
}

async fn list_faults(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"faults": state.faults.list()}))
}

async fn add_faults(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let rules = rules_from(&body)?;
    let added: Vec<_> = rules.into_iter().map(|r| state.faults.add(r)).collect();
    Ok((StatusCode::CREATED, Json(json!({"faults": added}))).into_response())
}

async fn replace_faults(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let rules = rules_from(&body)?;
    state.faults.clear();
    let added: Vec<_> = rules.into_iter().map(|r| state.faults.add(r)).collect();
    Ok(Json(json!({"faults": added})))
}

async fn clear_faults(State(state): State<AppState>) -> Json<Value> {
    state.faults.clear();
    Json(json!({"faults": []}))
}

async fn remove_fault(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if state.faults.remove(&id) {
        Ok(Json(json!({"removed": id})))
    } else {
        Err(ApiError::status(
            SERVICE,
            StatusCode::NOT_FOUND,
            format!("no fault rule {id:?}"),
        ))
    }
}

async fn list_requests(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let wanted = |key: &str, value: Option<&str>| {
        query
            .get(key)
            .is_none_or(|w| value.is_some_and(|v| v.eq_ignore_ascii_case(w)))
    };
    let entries: Vec<_> = state
        .request_log
        .entries()
        .into_iter()
        .filter(|e| {
            wanted("method", Some(&e.method))
                && query
                    .get("path")
                    .is_none_or(|p| e.path.starts_with(p.as_str()))
                && wanted("idempotency_key", e.idempotency_key.as_deref())
                && query.get("service").is_none_or(|s| {
                    serde_json::to_value(e.service)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .as_deref()
                        == Some(s.as_str())
                })
        })
        .collect();
    Json(json!({"requests": entries}))
}

async fn clear_requests(State(state): State<AppState>) -> Json<Value> {
    state.request_log.clear();
    Json(json!({"requests": []}))
}

fn clock_json(state: &AppState) -> Value {
    json!({"now": to_db(state.clock.now()), "offset_seconds": state.clock.offset_seconds()})
}

async fn get_clock(State(state): State<AppState>) -> Json<Value> {
    Json(clock_json(&state))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveClock {
    #[serde(default)]
    advance_seconds: Option<i64>,
    #[serde(default)]
    reset: bool,
}

async fn move_clock(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let req: MoveClock =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid body: {e}")))?;
    if req.reset {
        state.clock.reset();
    }
    if let Some(seconds) = req.advance_seconds {
        state.clock.advance(seconds).map_err(bad_request)?;
    }
    Ok(Json(clock_json(&state)))
}

async fn get_rate_limits(State(state): State<AppState>) -> Json<RateLimits> {
    Json(state.rate_limiter.limits())
}

async fn set_rate_limits(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<RateLimits>> {
    let limits: RateLimits = parse_json(SERVICE, &headers, &body)?;
    limits.validate().map_err(bad_request)?;
    state.rate_limiter.set_limits(limits);
    Ok(Json(limits))
}
