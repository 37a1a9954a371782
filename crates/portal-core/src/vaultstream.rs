//! VaultStream API: API tokens, scopes and user JWTs (CONTRACT.md §A).
//!
//! Envelope: `{"status":"ok","data":…,"meta":{…}}`, errors
//! `{"status":"error","error":{"code","message","request_id"}}`.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::http::{join, segment, status_error, Call, HttpClient, Response};
use crate::paging::Pages;
use crate::secret::Secret;
use crate::service::Service;
use crate::time::lenient_time;

/// The documented scopes.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScopeInfo {
    pub scope: &'static str,
    pub area: &'static str,
    pub description: &'static str,
}

pub const SCOPES: [ScopeInfo; 6] = [
    ScopeInfo {
        scope: "content:read",
        area: "Content",
        description: "List and retrieve content metadata",
    },
    ScopeInfo {
        scope: "content:write",
        area: "Content",
        description: "Upload, update, delete content",
    },
    ScopeInfo {
        scope: "admin:read",
        area: "Admin",
        description: "Read admin settings, audit logs",
    },
    ScopeInfo {
        scope: "admin:write",
        area: "Admin",
        description: "Modify admin settings, manage users",
    },
    ScopeInfo {
        scope: "analytics:read",
        area: "Analytics",
        description: "Access viewership metrics",
    },
    ScopeInfo {
        scope: "webhook:manage",
        area: "Webhooks",
        description: "Create/edit/delete webhooks",
    },
];

pub fn validate_scopes(scopes: &[String]) -> Result<()> {
    if scopes.is_empty() {
        return Err(Error::validation("Choose at least one scope."));
    }
    for s in scopes {
        if !SCOPES.iter().any(|k| k.scope == s) {
            let known: Vec<_> = SCOPES.iter().map(|k| k.scope).collect();
            return Err(Error::validation(format!(
                "Unknown scope '{s}'. Known scopes: {}.",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// A token as listed (never with its value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiToken {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What `POST /v1/auth/tokens` sends: exactly these three fields.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewToken {
    pub name: String,
    pub scopes: Vec<String>,
    /// `None` = until revoked (sent as `null`).
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewToken {
    /// Trims the name and checks name and scopes before anything is sent.
    pub fn validated(mut self) -> Result<Self> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            return Err(Error::validation("A token needs a name."));
        }
        validate_scopes(&self.scopes)?;
        if let Some(at) = self.expires_at {
            if at <= Utc::now() {
                return Err(Error::validation("The expiry must be in the future."));
            }
        }
        Ok(self)
    }

    pub fn body(&self) -> Value {
        json!({
            "name": self.name,
            "scopes": self.scopes,
            "expires_at": self.expires_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        })
    }
}

/// A freshly created token: the only time its value exists on our side.
#[derive(Debug)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub value: Secret,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserJwtRequest {
    pub user_id: String,
    pub content_id: String,
    pub ttl_seconds: u32,
}

pub const MAX_USER_JWT_TTL: u32 = 86_400;

#[derive(Debug)]
pub struct UserJwt {
    pub jwt: Secret,
    pub expires_at: Option<DateTime<Utc>>,
}

/// One page of a cursor-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: Option<u64>,
}

pub struct TokensClient<'a> {
    http: &'a HttpClient,
    base: &'a str,
    credential: &'a Secret,
}

/// Parses the VaultStream envelope; returns `(data, meta)`.
pub fn parse_envelope(resp: &Response) -> Result<(Value, Value)> {
    let body = if resp.status.is_success() {
        resp.json()?
    } else {
        // Errors may come without a (valid) envelope: fall back to the status.
        let v = resp.json().unwrap_or(Value::Null);
        let err = &v["error"];
        let message = err["message"].as_str().map(str::to_owned);
        let code = err["code"].as_str().map(str::to_owned);
        let request_id = err["request_id"]
            .as_str()
            .or(v["meta"]["request_id"].as_str())
            .map(str::to_owned);
        return Err(status_error(resp, code, message, request_id));
    };
    match body.get("status").and_then(Value::as_str) {
        Some("ok") => {}
        Some("error") => {
            let err = &body["error"];
            let mut e = Error::new(
                ErrorCode::BadResponse,
                crate::http::said(err["message"].as_str())
                    .unwrap_or("The service reported an error."),
            )
            .with_service(Service::VaultStream)
            .with_request_id(Some(resp.sent_request_id.clone()))
            .with_request_id(err["request_id"].as_str().map(str::to_owned));
            e.service_code = err["code"].as_str().map(str::to_owned);
            return Err(e);
        }
        _ => return Err(wrong_envelope(resp)),
    }
    let data = body
        .get("data")
        .cloned()
        .ok_or_else(|| wrong_envelope(resp))?;
    let meta = body.get("meta").cloned().unwrap_or(Value::Null);
    Ok((data, meta))
}

fn wrong_envelope(resp: &Response) -> Error {
    resp.not_the_envelope(
        Service::VaultStream,
        "VaultStream envelope ({\"status\":\"ok\",\"data\":…})",
    )
}

fn decode<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T> {
    serde_json::from_value(v).map_err(|e| {
        Error::new(
            ErrorCode::BadResponse,
            format!("Unexpected {what} in the VaultStream answer: {e}"),
        )
        .with_service(Service::VaultStream)
    })
}

impl<'a> TokensClient<'a> {
    pub fn new(http: &'a HttpClient, base: &'a str, credential: &'a Secret) -> Self {
        Self {
            http,
            base,
            credential,
        }
    }

    fn call(&self, method: Method, path: &str) -> Result<Call<'a>> {
        Ok(Call::new(Service::VaultStream, method, join(self.base, path)?).bearer(self.credential))
    }

    pub async fn list_page(&self, limit: u32, after: Option<&str>) -> Result<Page<ApiToken>> {
        self.list_page_inner(limit, after)
            .await
            .map_err(|e| e.during("Listing API tokens"))
    }

    async fn list_page_inner(&self, limit: u32, after: Option<&str>) -> Result<Page<ApiToken>> {
        let mut call = self.call(Method::GET, "/v1/auth/tokens")?;
        call.url
            .query_pairs_mut()
            .append_pair("limit", &limit.to_string());
        if let Some(after) = after {
            call.url.query_pairs_mut().append_pair("after", after);
        }
        let resp = self.http.send(&call).await?;
        let (data, meta) = parse_envelope(&resp)?;
        let body = resp.json().unwrap_or(Value::Null);
        // CONTRACT: `next_cursor` inside `meta`; accepted at top level too.
        let next_cursor = meta["next_cursor"]
            .as_str()
            .or(body["next_cursor"].as_str())
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        Ok(Page {
            items: decode(data, "token list")?,
            next_cursor,
            total: meta["total"].as_u64(),
        })
    }

    /// Every page, following the cursor. A cursor given twice, a token
    /// listed twice or rows well past `meta.total` is an error (see
    /// [`crate::paging`]), never a list with rows twice or cut short.
    pub async fn list_all(&self) -> Result<Vec<ApiToken>> {
        let mut all = Vec::new();
        let mut pages = Pages::new(Service::VaultStream);
        let doing = |e: Error| e.during("Listing API tokens");
        let mut after: Option<String> = None;
        loop {
            let page = self.list_page(100, after.as_deref()).await?;
            let done = page.items.is_empty() || page.next_cursor.is_none();
            all.extend(
                pages
                    .take(page.items, |t| &t.id, page.total)
                    .map_err(doing)?,
            );
            match page.next_cursor {
                Some(next) if !done => {
                    pages.follow(&next).map_err(doing)?;
                    after = Some(next);
                }
                _ => return Ok(all),
            }
        }
    }

    /// Never retried: a lost answer is `outcome_unknown`.
    pub async fn create(&self, new: &NewToken) -> Result<CreatedToken> {
        self.create_inner(new).await.map_err(|e| {
            let e = e.during(&format!("Creating API token '{}'", new.name));
            if e.code == ErrorCode::OutcomeUnknown {
                e.with_hint(
                    "Refresh the token list before creating it again: if the token is there, revoke it \
                     and create another, because its value cannot be shown again.",
                )
            } else {
                e
            }
        })
    }

    async fn create_inner(&self, new: &NewToken) -> Result<CreatedToken> {
        let call = self.call(Method::POST, "/v1/auth/tokens")?.json(new.body());
        let resp = self.http.send(&call).await?;
        let (mut data, _) = parse_envelope(&resp)?;
        let value = data
            .as_object_mut()
            .and_then(|o| o.remove("token"))
            .and_then(|v| v.as_str().map(Secret::new))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::BadResponse,
                    "The created token's value is missing from the answer.",
                )
                .with_service(Service::VaultStream)
            })?;
        let mut token: ApiToken = decode(data, "created token")?;
        if token.expires_at.is_none() {
            token.expires_at = new.expires_at;
        }
        Ok(CreatedToken { token, value })
    }

    pub async fn revoke(&self, id: &str) -> Result<()> {
        let call = segment(id, "token id")
            .and_then(|id| self.call(Method::DELETE, &format!("/v1/auth/tokens/{id}")))
            .map_err(|e| e.during(&format!("Revoking API token {id}")))?;
        let resp = self
            .http
            .send(&call)
            .await
            .map_err(|e| e.during(&format!("Revoking API token {id}")))?;
        // Gone already is the outcome asked for (see `Response::delete_done`).
        if resp.delete_done() {
            return Ok(());
        }
        parse_envelope(&resp)
            .map(|_| ())
            .map_err(|e| e.during(&format!("Revoking API token {id}")))
    }

    pub async fn create_user_jwt(&self, req: &UserJwtRequest) -> Result<UserJwt> {
        if req.user_id.trim().is_empty() || req.content_id.trim().is_empty() {
            return Err(Error::validation(
                "Both user_id and content_id are required.",
            ));
        }
        if req.ttl_seconds == 0 || req.ttl_seconds > MAX_USER_JWT_TTL {
            return Err(Error::validation(
                "The TTL must be between 1 second and 24 hours.",
            ));
        }
        let call = self
            .call(Method::POST, "/v1/auth/jwt")?
            .json(serde_json::to_value(req).unwrap_or_default());
        let resp = self.http.send(&call).await?;
        let (data, _) = parse_envelope(&resp)?;
        // CONTRACT: `jwt` inferred; `token` accepted too.
        let jwt = data["jwt"]
            .as_str()
            .or(data["token"].as_str())
            .map(Secret::new)
            .ok_or_else(|| {
                Error::new(ErrorCode::BadResponse, "The answer carries no JWT.")
                    .with_service(Service::VaultStream)
            })?;
        let expires_at = data["expires_at"].as_str().and_then(|s| s.parse().ok());
        Ok(UserJwt { jwt, expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_exactly_three_fields_with_null_for_never() {
        let t = NewToken {
            name: " CI ".into(),
            scopes: vec!["content:read".into()],
            expires_at: None,
        }
        .validated()
        .unwrap();
        assert_eq!(
            t.body(),
            json!({"name":"CI","scopes":["content:read"],"expires_at":null})
        );
        let at = "2099-01-02T03:04:05Z".parse().unwrap();
        let t = NewToken {
            expires_at: Some(at),
            ..t
        };
        assert_eq!(t.body()["expires_at"], "2099-01-02T03:04:05Z");
    }

    #[test]
    fn bad_input_is_refused_before_sending() {
        let bad = |name: &str, scopes: &[&str]| {
            NewToken {
                name: name.into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                expires_at: None,
            }
            .validated()
            .unwrap_err()
            .code
        };
        assert_eq!(bad("  ", &["content:read"]), ErrorCode::Validation);
        assert_eq!(bad("x", &[]), ErrorCode::Validation);
        assert_eq!(bad("x", &["content:delete"]), ErrorCode::Validation);
    }

    #[test]
    fn listed_tokens_accept_unknown_fields_and_odd_times() {
        let t: ApiToken = serde_json::from_value(json!({
            "id":"tok_1","name":"n","scopes":["x"],"created_at":"2026-07-04T12:00:00Z",
            "expires_at":null,"last_used_at":"yesterday","extra":1
        }))
        .unwrap();
        assert_eq!(
            t.created_at.unwrap().to_rfc3339(),
            "2026-07-04T12:00:00+00:00"
        );
        assert!(t.last_used_at.is_none());
    }
}
