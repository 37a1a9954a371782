//! The Vault Service client: login and assets (CONTRACT.md §C).
//!
//! Envelope: `{"data":…,"error":null,"page":{…},"meta":{"request_id":…}}`.
//! Every request sends `x-request-id` (the HTTP layer) and `x-tenant-id`
//! (from the JWT); every write an `Idempotency-Key`.
//!
//! [`VaultClient`] is the bare client (login, refresh, one page of assets);
//! [`Vault`] is a logged-in session that refreshes itself and carries every
//! asset call; [`allowed`] says which role may do what.

mod endpoints;
mod roles;
mod session;
mod types;
mod upload;

pub use roles::{allowed, permissions, required_role, AssetAction, Permission};
pub use session::{needs_refresh, SessionStore, Vault, VaultIdentity, REFRESH_MARGIN_SECS};
pub use types::{
    AssetQuery, AssetUpdate, BulkDeleteSummary, Deleted, Folder, LegalHold, NewAsset, Quota, Share,
    SkippedAsset, Transform, TransformKind, TransformStatus, ASSET_SORTS,
};
pub use upload::{ProgressFn, UploadProgress, UploadRequest};

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::http::{join, status_error, Call, HttpClient, Response};
use crate::secret::Secret;
use crate::service::Service;
use crate::time::lenient_time;

/// The documented JWT claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VaultClaims {
    pub sub: String,
    pub tenant_id: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    #[ts(type = "number")]
    pub iat: i64,
    #[ts(type = "number")]
    pub exp: i64,
}

impl VaultClaims {
    /// Reads the payload of a JWT without verifying it (the service does).
    pub fn decode(jwt: &Secret) -> Result<Self> {
        let decoded = crate::signing::decode(jwt.expose()).map_err(|e| {
            bad(&format!(
                "The access token is not a readable JWT: {}",
                e.message
            ))
        })?;
        serde_json::from_value(decoded.claims)
            .map_err(|e| bad(&format!("The access token's claims are unreadable: {e}")))
    }

    /// The strongest documented role the token carries.
    pub fn role(&self) -> Role {
        self.roles
            .iter()
            .filter_map(|r| Role::parse(r))
            .max()
            .unwrap_or(Role::User)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    User,
    Organizer,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "user" | "developer" => Some(Self::User),
            "organizer" => Some(Self::Organizer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

pub(crate) fn bad(msg: &str) -> Error {
    Error::new(ErrorCode::BadResponse, msg).with_service(Service::Vault)
}

/// A logged-in vault session.
#[derive(Debug)]
pub struct VaultSession {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub claims: VaultClaims,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Asset {
    pub id: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub size: Option<u64>,
    #[serde(default)]
    pub folder_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub updated_by: Option<String>,
    #[serde(default)]
    pub legal_hold: bool,
    /// Bytes were uploaded (not only metadata).
    #[serde(default)]
    pub has_content: bool,
    #[serde(default)]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageInfo {
    #[serde(default)]
    #[ts(type = "number")]
    pub total: u64,
    #[serde(default)]
    pub page: u32,
    #[serde(default)]
    pub limit: u32,
    #[serde(default)]
    pub has_more: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AssetPage {
    pub items: Vec<Asset>,
    pub page: PageInfo,
}

/// Parses the vault envelope; returns `(data, page)`.
pub fn parse_envelope(resp: &Response) -> Result<(Value, Option<PageInfo>)> {
    let body = resp.json();
    let body = match (resp.status.is_success(), body) {
        (true, Ok(b)) => b,
        (true, Err(e)) => return Err(e),
        (false, b) => {
            let v = b.unwrap_or(Value::Null);
            let err = &v["error"];
            let message = err["message"]
                .as_str()
                .or(err.as_str())
                .or(v["message"].as_str())
                .map(str::to_owned);
            let code = err["code"].as_str().map(str::to_owned);
            return Err(status_error(
                resp,
                code,
                message,
                v["meta"]["request_id"].as_str().map(str::to_owned),
            ));
        }
    };
    let Some(obj) = body
        .as_object()
        .filter(|o| o.contains_key("data") && crate::envelope::vault(&body))
    else {
        let envelope = "vault envelope ({\"data\":…,\"error\":null})";
        return Err(resp.not_the_envelope(Service::Vault, envelope));
    };
    if let Some(err) = obj.get("error").filter(|e| !e.is_null()) {
        return Err(bad(
            crate::http::said(err["message"].as_str()).unwrap_or("The service reported an error.")
        )
        .with_request_id(Some(resp.sent_request_id.clone())));
    }
    let page = obj
        .get("page")
        .and_then(|p| serde_json::from_value(p.clone()).ok());
    Ok((obj["data"].clone(), page))
}

/// [`parse_envelope`] with `data` read as a `T` (`what` names it in the
/// error when it is not one). The same answer, taken from the body in one
/// pass when it is a plain success (a 2xx object with `data`, no error, not
/// another service's shape): a page of 100 assets is not built as a JSON
/// tree first and copied out of it. Anything else goes through
/// [`parse_envelope`], which says what was wrong. As in
/// [`crate::envelope::is_envelope`], a field nothing reads is checked for
/// JSON syntax only.
pub fn parse_data<T: DeserializeOwned>(
    resp: &Response,
    what: &str,
) -> Result<(T, Option<PageInfo>)> {
    if let Some(plain) = plain_success(resp) {
        return Ok(plain);
    }
    let (data, page) = parse_envelope(resp)?;
    Ok((session::decode(data, what)?, page))
}

/// A 2xx answer's `data` and page when the body is a plain success
/// envelope whose `data` is a `T`; `None` for anything else (an error, a
/// key given twice, a `data` of another shape…), left to
/// [`parse_envelope`].
fn plain_success<T: DeserializeOwned>(resp: &Response) -> Option<(T, Option<PageInfo>)> {
    #[derive(Deserialize)]
    struct Plain<T> {
        data: T,
        #[serde(default)]
        error: Option<Value>,
        #[serde(default)]
        page: Option<Value>,
        #[serde(default)]
        status: Option<Value>,
        #[serde(default)]
        success: Option<Value>,
    }
    if !resp.status.is_success() {
        return None;
    }
    let text = std::str::from_utf8(&resp.body).ok()?;
    // An object: the derive would also read an array, field by field.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let plain: Plain<T> = serde_json::from_str(text).ok()?;
    let other_service = matches!(
        plain.status.as_ref().and_then(Value::as_str),
        Some("ok" | "error")
    ) || plain.success.as_ref().is_some_and(Value::is_boolean);
    if plain.error.is_some() || other_service {
        return None;
    }
    let page = plain.page.and_then(|p| serde_json::from_value(p).ok());
    Some((plain.data, page))
}

/// Reads the tokens from a login or refresh answer (inside `data` or at top level).
pub(crate) fn read_session(v: &Value) -> Result<VaultSession> {
    let pick = |k: &str| v["data"][k].as_str().or(v[k].as_str()).map(Secret::new);
    let access_token =
        pick("accessToken").ok_or_else(|| bad("The login answer carries no accessToken."))?;
    let claims = VaultClaims::decode(&access_token)?;
    Ok(VaultSession {
        access_token,
        refresh_token: pick("refreshToken"),
        claims,
    })
}

pub struct VaultClient<'a> {
    http: &'a HttpClient,
    base: &'a str,
}

impl<'a> VaultClient<'a> {
    pub fn new(http: &'a HttpClient, base: &'a str) -> Self {
        Self { http, base }
    }

    async fn auth_call(&self, call: Call<'_>) -> Result<VaultSession> {
        let resp = self.http.send(&call).await?;
        parse_envelope(&resp)?;
        read_session(&resp.json()?)
    }

    pub async fn login(&self, email: &str, password: &Secret) -> Result<VaultSession> {
        if email.trim().is_empty() || password.is_empty() {
            return Err(Error::validation("Email and password are both required."));
        }
        // Retried when the connection fails or the service is briefly down:
        // a second login only opens a second session.
        let call = self
            .auth_post("/auth/v1/login")?
            .json(json!({"email": email.trim(), "password": password.expose()}))
            .repeatable();
        self.auth_call(call)
            .await
            .map_err(|e| e.during("Logging in to the vault"))
    }

    /// Never repeated: the service may retire a refresh token once used.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<VaultSession> {
        let call = self
            .auth_post("/auth/v1/refresh")?
            .json(json!({"refreshToken": refresh_token.expose()}));
        self.auth_call(call).await
    }

    fn auth_post(&self, path: &str) -> Result<Call<'static>> {
        Ok(Call::new(
            Service::Vault,
            Method::POST,
            join(self.base, path)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn jwt(claims: Value) -> Secret {
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        Secret::new(format!(
            "{}.{}.sig",
            enc(&json!({"alg":"HS256"})),
            enc(&claims)
        ))
    }

    #[test]
    fn claims_decode_and_pick_the_strongest_role() {
        let c = VaultClaims::decode(&jwt(json!({
            "sub":"u1","tenantId":"t1","roles":["user","admin"],"email":"a@b","iat":1,"exp":2
        })))
        .unwrap();
        assert_eq!(c.tenant_id, "t1");
        assert_eq!(c.role(), Role::Admin);
        assert!(VaultClaims::decode(&Secret::new("not-a-jwt")).is_err());
    }

    #[test]
    fn session_tokens_are_read_inside_data_or_at_top_level() {
        let access = jwt(json!({"sub":"u","tenantId":"t","roles":["organizer"],"iat":1,"exp":2}));
        let top = json!({"accessToken": access.expose(), "refreshToken":"r"});
        let nested = json!({"data": {"accessToken": access.expose(), "refreshToken":"r"}});
        for v in [top, nested] {
            let s = read_session(&v).unwrap();
            assert_eq!(s.claims.role(), Role::Organizer);
            assert_eq!(s.refresh_token.unwrap().expose(), "r");
        }
    }

    /// `parse_data` reads a page in one pass and gives what the parsed
    /// envelope gives (`fuzzing::vault` compares the two on each body).
    #[test]
    fn a_page_read_in_one_pass_is_the_parsed_one() {
        let asset = r#"{"id":"a1","name":"Intro","size":3,"tags":["x"],"created_at":"2026-01-02T03:04:05Z","legal_hold":false}"#;
        let bodies = [
            format!(
                r#"{{"data":[{asset}],"error":null,"page":{{"total":1,"page":1,"limit":100,"has_more":false}},"meta":{{"request_id":"r"}}}}"#
            ),
            format!(r#"{{"data":[{asset}]}}"#),
            format!(r#"{{"data":[{asset}],"page":null}}"#),
            format!(r#"{{"data":[{asset}],"page":{{"total":"many"}}}}"#),
            format!(r#"{{"data":[{asset}],"data":[]}}"#),
            format!(r#"{{"data":[{asset},{asset}],"error":{{"code":"X","message":"no"}}}}"#),
            format!(r#"{{"data":[{asset}],"status":"ok"}}"#),
            format!(r#"{{"data":[{asset}],"success":true}}"#),
            format!(r#"{{"data":[{asset}],"status":"fine","success":1}}"#),
            format!(r#"[{{"data":[{asset}]}}]"#),
            format!(r#"[[{asset}],null,null,null,null]"#),
            r#"{"data":[{"id":"a","id":"b"}]}"#.to_owned(),
            r#"{"data":[{"name":"no id"}]}"#.to_owned(),
            r#"{"data":{"id":"a"}}"#.to_owned(),
            r#"{"data":null}"#.to_owned(),
            r#"{"data":[],"x":"\ud800"}"#.to_owned(),
            r#"{"data":[{"id":"a","x":1e400}]}"#.to_owned(),
            r#"{"data":[{"id":"\ud800"}]}"#.to_owned(),
            r#"{"data":[]} x"#.to_owned(),
            "<html></html>".to_owned(),
            String::new(),
        ];
        for body in &bodies {
            for status in [200, 201, 400, 401, 404, 500] {
                let resp = crate::fuzzing::response(Service::Vault, status, None, body.as_bytes())
                    .unwrap();
                crate::fuzzing::vault(&resp);
            }
        }
        let resp =
            crate::fuzzing::response(Service::Vault, 200, None, bodies[0].as_bytes()).unwrap();
        let (items, page) = parse_data::<Vec<Asset>>(&resp, "asset list").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].name, "Intro");
        assert_eq!(page.unwrap().total, 1);
        let resp =
            crate::fuzzing::response(Service::Vault, 200, None, bodies[5].as_bytes()).unwrap();
        let e = parse_data::<Vec<Asset>>(&resp, "asset list").unwrap_err();
        assert_eq!(e.message, "no");
    }
}
