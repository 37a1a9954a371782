//! A logged-in vault session, kept usable (the calls are in `endpoints.rs`).
//!
//! The access token is refreshed shortly before it expires and once after a
//! 401. When the refresh token is refused and the password is at hand (a
//! remembered one in the profile's store, or one given with
//! [`Vault::relogin_with`]: the CLI's environment), it signs in again, at
//! most once per [`Vault`], and the call is sent once more; otherwise the
//! call ends in `unauthorized` asking to log in again. Never a loop: a
//! refused refresh token is not sent again, and a refused remembered
//! password is forgotten. A renewed session is saved back to the profile's
//! secret store. Every write carries one `Idempotency-Key`, made once per
//! logical write and reused by every retry (the HTTP layer's and the one
//! after a refresh).

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;
use ts_rs::TS;

use super::{bad, parse_data, PageInfo, Role, VaultClaims, VaultClient, VaultSession};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{join, segment, Body, Call, HttpClient, Response};
use crate::secret::Secret;
use crate::service::Service;

/// Refresh when the access token expires within this many seconds.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// Whether a token expiring at `exp` (Unix seconds) should be renewed at `now`.
/// `exp` comes from the token, so it can be any number: the difference
/// saturates instead of overflowing (a panic in debug builds, a token taken
/// as fresh for ever in release ones).
pub fn needs_refresh(exp: i64, now: i64) -> bool {
    exp.saturating_sub(now) <= REFRESH_MARGIN_SECS
}

/// Who is logged in, for the UI: no token in here.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VaultIdentity {
    pub email: Option<String>,
    pub tenant_id: String,
    pub role: Role,
    pub expires_at: Option<DateTime<Utc>>,
}

impl VaultIdentity {
    pub fn of(claims: &VaultClaims) -> Self {
        Self {
            email: claims.email.clone(),
            tenant_id: claims.tenant_id.clone(),
            role: claims.role(),
            expires_at: Utc.timestamp_opt(claims.exp, 0).single(),
        }
    }
}

fn log_in_again(detail: Option<&Error>) -> Error {
    let mut e = Error::new(
        ErrorCode::Unauthorized,
        "The vault session has expired and could not be renewed: log in again.",
    )
    .with_service(Service::Vault)
    .with_hint("Log in to the vault again (`portal login vault`).");
    if let Some(d) = detail {
        e.request_id = d.request_id.clone();
        e.status = d.status;
        e.service_code = d.service_code.clone();
    }
    e
}

/// Where a session's renewals are saved and a remembered password is found:
/// the profile's secret store ([`crate::context::ProfileContext`]
/// implements it).
pub trait SessionStore: Send + Sync {
    fn save_session(&self, session: &VaultSession) -> Result<()>;
    /// The remembered password, and the profile's vault email.
    fn remembered(&self) -> Result<(Option<String>, Option<Secret>)>;
    /// Forgets a remembered password the vault refused.
    fn forget_password(&self) -> Result<()>;
}

/// One request of an operation.
pub(super) struct Req {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) query: Vec<(&'static str, String)>,
    pub(super) body: Body,
    /// Made once per logical write.
    pub(super) key: Option<String>,
}

impl Req {
    pub(super) fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: Body::Empty,
            key: None,
        }
    }

    pub(super) fn write(method: Method, path: impl Into<String>, body: Body) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body,
            key: Some(uuid::Uuid::new_v4().to_string()),
        }
    }
}

/// An asset id as one path segment (trimmed; see [`segment`]).
pub(super) fn seg(id: &str) -> Result<String> {
    let id = id.trim();
    if id.len() > 200 {
        return Err(Error::validation(format!("'{id}' is not an asset id.")));
    }
    segment(id, "asset id")
}

pub(super) fn decode<T: DeserializeOwned>(data: Value, what: &str) -> Result<T> {
    serde_json::from_value(data).map_err(|e| bad(&format!("Unexpected {what}: {e}")))
}

/// A logged-in vault session; its calls are in `endpoints.rs`.
pub struct Vault<'a> {
    client: VaultClient<'a>,
    ctx: Option<&'a dyn SessionStore>,
    session: Mutex<VaultSession>,
    /// Email and password to sign in again with, given by the caller.
    relogin: Option<(String, Secret)>,
    /// A sign-in with the password was tried (at most one per `Vault`).
    signed_in_again: AtomicBool,
}

impl<'a> Vault<'a> {
    /// A session kept in memory only (renewals are not saved).
    pub fn new(http: &'a HttpClient, base: &'a str, session: VaultSession) -> Self {
        Self {
            client: VaultClient::new(http, base),
            ctx: None,
            session: Mutex::new(session),
            relogin: None,
            signed_in_again: AtomicBool::new(false),
        }
    }

    /// The password at hand (the CLI's `PORTAL_VAULT_EMAIL` and
    /// `PORTAL_VAULT_PASSWORD`): used to sign in again, once, when the
    /// refresh token is refused. It wins over a remembered one.
    pub fn relogin_with(mut self, email: impl Into<String>, password: Secret) -> Self {
        self.relogin = Some((email.into(), password));
        self
    }

    /// Save renewed sessions to `ctx`'s secret store, and fall back on its
    /// remembered password when the refresh token is refused.
    pub fn saving_to(mut self, ctx: &'a dyn SessionStore) -> Self {
        self.ctx = Some(ctx);
        self
    }

    pub async fn claims(&self) -> VaultClaims {
        self.session.lock().await.claims.clone()
    }

    pub async fn identity(&self) -> VaultIdentity {
        VaultIdentity::of(&self.session.lock().await.claims)
    }

    pub async fn role(&self) -> Role {
        self.session.lock().await.claims.role()
    }

    pub async fn into_session(self) -> VaultSession {
        self.session.into_inner()
    }

    /// Renews the session in place: the refresh token, else the password at
    /// hand (given with [`Self::relogin_with`], else remembered in the
    /// profile), once per `Vault`; else `unauthorized` asking to log in
    /// again. Called with the session locked, so concurrent calls renew once.
    async fn renew(&self, session: &mut VaultSession) -> Result<()> {
        let mut last: Option<Error> = None;
        if let Some(rt) = &session.refresh_token {
            match self.client.refresh(rt).await {
                Ok(new) => {
                    *session = new;
                    self.save(session);
                    return Ok(());
                }
                Err(e) if matches!(e.code, ErrorCode::Unauthorized | ErrorCode::Validation) => {
                    // Refused: not sent again by this session.
                    session.refresh_token = None;
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        if let Some((email, password, remembered)) = self.password_at_hand(session)? {
            if !self.signed_in_again.swap(true, Ordering::SeqCst) {
                tracing::info!(target: "portal::vault", "the session could not be renewed: signing in again with the password at hand");
                match self.client.login(&email, &password).await {
                    Ok(new) => {
                        *session = new;
                        self.save(session);
                        return Ok(());
                    }
                    Err(e) if e.code == ErrorCode::Unauthorized => {
                        // A remembered password that no longer works is not
                        // tried again by the next command.
                        if let (true, Some(ctx)) = (remembered, self.ctx) {
                            if let Err(f) = ctx.forget_password() {
                                tracing::warn!(target: "portal::vault", "could not forget the refused password: {}", f.message);
                            }
                        }
                        last = Some(e);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Err(log_in_again(last.as_ref()))
    }

    /// Email, password and whether it was remembered in the profile.
    fn password_at_hand(&self, session: &VaultSession) -> Result<Option<(String, Secret, bool)>> {
        if let Some((email, password)) = &self.relogin {
            return Ok(Some((email.clone(), password.duplicate(), false)));
        }
        let Some(ctx) = self.ctx else {
            return Ok(None);
        };
        let (profile_email, password) = ctx.remembered()?;
        let email = session.claims.email.clone().or(profile_email);
        Ok(match (email, password) {
            (Some(email), Some(password)) => Some((email, password, true)),
            _ => None,
        })
    }

    fn save(&self, session: &VaultSession) {
        if let Some(ctx) = self.ctx {
            if let Err(e) = ctx.save_session(session) {
                tracing::warn!(target: "portal::vault", "could not save the renewed session: {}", e.message);
            }
        }
    }

    /// The access token to use now (renewed first when about to expire), its
    /// tenant, and whether it was just renewed.
    async fn usable_token(&self) -> Result<(Secret, String, bool)> {
        let mut s = self.session.lock().await;
        // The token's `exp` is by the service's clock: so is "now".
        let now = self.client.http.clock().now().timestamp();
        let mut renewed = false;
        if needs_refresh(s.claims.exp, now) {
            match self.renew(&mut s).await {
                Ok(()) => renewed = true,
                // Still valid for a few seconds: use it rather than fail.
                Err(_) if s.claims.exp > now => {}
                Err(e) => return Err(e),
            }
        }
        Ok((
            s.access_token.duplicate(),
            s.claims.tenant_id.clone(),
            renewed,
        ))
    }

    /// After a 401 with `used`: renew unless another call already did.
    async fn renew_after_401(&self, used: &Secret) -> Result<(Secret, String)> {
        let mut s = self.session.lock().await;
        if s.access_token.expose() == used.expose() {
            self.renew(&mut s).await?;
        }
        Ok((s.access_token.duplicate(), s.claims.tenant_id.clone()))
    }

    fn build<'t>(&self, req: &Req, token: &'t Secret, tenant: &str) -> Result<Call<'t>> {
        let mut url = join(self.client.base, &req.path)?;
        if !req.query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in &req.query {
                q.append_pair(k, v);
            }
        }
        let mut call = Call::new(Service::Vault, req.method.clone(), url)
            .bearer(token)
            .header("x-tenant-id", tenant.to_owned());
        call.body = req.body.clone();
        if let Some(key) = &req.key {
            call = call.idempotency_key(key.clone());
            if matches!(req.body, Body::Empty) {
                call = call.header("content-type", "application/json");
            }
        }
        Ok(call)
    }

    /// Sends `req` (refreshing once on a 401) and returns the raw response.
    pub(super) async fn execute(&self, req: &Req) -> Result<Response> {
        let (mut token, mut tenant, mut renewed) = self.usable_token().await?;
        loop {
            let call = self.build(req, &token, &tenant)?;
            let resp = self.client.http.send(&call).await?;
            if resp.status != StatusCode::UNAUTHORIZED || renewed {
                return Ok(resp);
            }
            renewed = true;
            (token, tenant) = self.renew_after_401(&token).await?;
        }
    }

    /// Sends `req` and reads its answer's `data` as a `T` (`what` names it
    /// in errors), with the page info when there is one.
    pub(super) async fn request<T: DeserializeOwned>(
        &self,
        req: &Req,
        what: &str,
    ) -> Result<(T, Option<PageInfo>)> {
        let resp = self.execute(req).await?;
        parsed(&resp, what)
    }

    pub(super) async fn data<T: DeserializeOwned>(&self, req: &Req, what: &str) -> Result<T> {
        Ok(self.request(req, what).await?.0)
    }

    /// [`Self::data`] for a write whose answer may be a bare `204 No
    /// Content` (the contract does not say what the vault's DELETEs
    /// return): `done` then says what the service did.
    pub(super) async fn data_or<T: DeserializeOwned>(
        &self,
        req: &Req,
        what: &str,
        done: impl FnOnce() -> T,
    ) -> Result<T> {
        let resp = self.execute(req).await?;
        if resp.is_no_content() {
            return Ok(done());
        }
        Ok(parsed(&resp, what)?.0)
    }
}

/// The vault's envelope and its `data` as a `T`, with the hint to log in
/// again on a 401.
fn parsed<T: DeserializeOwned>(resp: &Response, what: &str) -> Result<(T, Option<PageInfo>)> {
    parse_data(resp, what).map_err(|e| {
        if e.code == ErrorCode::Unauthorized {
            e.with_hint("Log in to the vault again (`portal login vault`).")
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found with the `jwt_decode` fuzz target: a vault token with
    /// `"exp": -9223372036854775808` overflowed `exp - now`.
    #[test]
    fn extreme_expiry_claims_do_not_overflow() {
        assert!(needs_refresh(i64::MIN, 1_800_000_000));
        assert!(needs_refresh(i64::MIN, i64::MAX));
        assert!(!needs_refresh(i64::MAX, i64::MIN));
        assert!(!needs_refresh(i64::MAX, 1_800_000_000));
    }

    #[test]
    fn refresh_within_a_minute_of_expiry() {
        assert!(needs_refresh(1_000, 1_000 - 60));
        assert!(needs_refresh(1_000, 2_000));
        assert!(!needs_refresh(1_000, 1_000 - 61));
    }

    #[test]
    fn ids_are_checked_before_they_go_in_a_path() {
        assert_eq!(seg(" 5f3c-a1 ").unwrap(), "5f3c-a1");
        assert_eq!(seg("a/../b").unwrap(), "a%2F%2E%2E%2Fb");
        for refused in [" ", "", ".", " .. ", "..."] {
            assert!(seg(refused).is_err(), "{refused:?}");
        }
        assert!(seg(&"a".repeat(201)).is_err());
    }
}
