//! Sandbox-only player checks, so the app can prove end to end that a JWT
//! it signed locally would be accepted:
//!
//! - `GET /sandbox/playback/{video_id}?jwt=…`: an RS256 JWT verified against
//!   the uploaded JWT key named by its `kid`; `exp` must be in the future
//!   and `sub` the video id or `*`.
//! - `GET /sandbox/player/{content_id}?jwt=…`: a VaultStream user JWT (from
//!   `POST /v1/auth/jwt`) checked as the player would.
//!
//! Both answer 200 `{"allowed":true,…}` or 403
//! `{"allowed":false,"reason":CODE,"message":…}`.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::jwt_keys::{find_key, validate_public_key};
use crate::state::AppState;

type Refusal = (&'static str, String);

fn jwt_param(query: &HashMap<String, String>, headers: &HeaderMap) -> Option<String> {
    query
        .get("jwt")
        .or_else(|| query.get("token"))
        .cloned()
        .or_else(|| {
            headers
                .get(axum::http::header::AUTHORIZATION)?
                .to_str()
                .ok()?
                .strip_prefix("Bearer ")
                .map(str::to_owned)
        })
        .filter(|t| !t.trim().is_empty())
}

/// What both checks take from a request: the id in its path and the JWT it
/// presents (`?jwt=`, `?token=` or a bearer header).
pub struct Presented {
    id: String,
    jwt: Option<String>,
}

impl FromRequestParts<AppState> for Presented {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Query(query) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let jwt = jwt_param(&query, &parts.headers);
        Ok(Self { id, jwt })
    }
}

impl Presented {
    /// The JWT, or the refusal of a request that presents none.
    fn jwt(&self) -> Result<&str, Refusal> {
        self.jwt
            .as_deref()
            .ok_or(("missing_jwt", "pass the JWT as ?jwt=…".to_owned()))
    }
}

fn answer(subject: (&str, &str), result: Result<Value, Refusal>) -> Response {
    match result {
        Ok(mut details) => {
            details["allowed"] = json!(true);
            details[subject.0] = json!(subject.1);
            (StatusCode::OK, Json(details)).into_response()
        }
        Err((reason, message)) => (
            StatusCode::FORBIDDEN,
            Json(json!({"allowed": false, subject.0: subject.1, "reason": reason, "message": message})),
        )
            .into_response(),
    }
}

pub async fn playback(State(state): State<AppState>, presented: Presented) -> Response {
    let video_id = &presented.id;
    let result = presented.jwt().and_then(|jwt| {
        crate::ledger::record("video_jwt", jwt);
        check_playback(&state, jwt, video_id)
    });
    answer(("video_id", video_id), result)
}

fn check_playback(state: &AppState, jwt: &str, video_id: &str) -> Result<Value, Refusal> {
    let decoded = crate::jwt::decode(jwt).map_err(|e| (e.code(), e.to_string()))?;
    let kid = decoded.header["kid"].as_str().ok_or((
        "missing_kid",
        "the JWT header has no kid naming an uploaded key".to_owned(),
    ))?;
    let key = find_key(&state.db.lock(), kid)
        .map_err(|e| ("internal", e.to_string()))?
        .ok_or(("unknown_kid", format!("no uploaded JWT key has id {kid:?}")))?;
    let public = validate_public_key(&key.public_key).map_err(|e| {
        (
            "invalid_key",
            e["message"].as_str().unwrap_or_default().to_owned(),
        )
    })?;
    crate::jwt::verify_rs256(&public, &decoded).map_err(|e| (e.code(), e.to_string()))?;
    let claims = &decoded.claims;
    let now = state.clock.now().timestamp();
    let exp = claims["exp"]
        .as_i64()
        .ok_or(("missing_exp", "the JWT has no exp claim".to_owned()))?;
    if exp <= now {
        return Err(("expired", format!("the JWT expired at {exp} (now {now})")));
    }
    if claims["nbf"].as_i64().is_some_and(|nbf| nbf > now) {
        return Err(("not_yet_valid", "the JWT's nbf is in the future".to_owned()));
    }
    let sub = claims["sub"].as_str().ok_or((
        "missing_sub",
        "the JWT has no sub claim (the video id or *)".to_owned(),
    ))?;
    if sub != "*" && sub != video_id {
        return Err((
            "wrong_video",
            format!("the JWT is for video {sub:?}, not {video_id:?}"),
        ));
    }
    Ok(json!({"kid": kid, "key_name": key.name, "sub": sub, "exp": exp}))
}

pub async fn player(State(state): State<AppState>, presented: Presented) -> Response {
    let content_id = &presented.id;
    let result = presented.jwt().and_then(|jwt| {
        crate::vaultstream::check_user_jwt(&state, jwt, content_id)
            .map(|claims| json!({"user_id": claims["user_id"], "exp": claims["exp"]}))
    });
    answer(("content_id", content_id), result)
}
