//! A logged-in vault: every asset call, with the session kept usable.
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
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::types::{
    AssetQuery, AssetUpdate, BulkDeleteSummary, Deleted, Folder, LegalHold, NewAsset, Quota, Share,
    SkippedAsset, Transform, TransformKind,
};
use super::upload::{file_size, form_builder, ProgressFn, UploadProgress, UploadRequest};
use super::{
    allowed, bad, parse_envelope, Asset, AssetAction, AssetPage, PageInfo, Role, VaultClaims,
    VaultClient, VaultSession,
};
use crate::context::ProfileContext;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{join, segment, Body, Call, HttpClient, Response};
use crate::paging::Pages;
use crate::secret::Secret;
use crate::secrets::Item;
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

impl ProfileContext {
    /// Logs in, saves the access and refresh tokens, and keeps the password
    /// only when `remember` (otherwise a previously remembered one is forgotten).
    pub async fn vault_login(
        &self,
        email: &str,
        password: &Secret,
        remember: bool,
    ) -> Result<VaultIdentity> {
        let session = self.vault().login(email, password).await?;
        self.save_vault_session(&session)?;
        if remember {
            self.store(Item::VaultPassword, password)?;
        } else {
            self.forget(Item::VaultPassword)?;
        }
        Ok(VaultIdentity::of(&session.claims))
    }

    /// Forgets the access token, the refresh token and a remembered password.
    pub fn vault_logout(&self) -> Result<()> {
        for item in [
            Item::VaultAccessToken,
            Item::VaultRefreshToken,
            Item::VaultPassword,
        ] {
            self.forget(item)?;
        }
        Ok(())
    }

    /// The stored session as a [`Vault`] that saves renewed tokens back here.
    pub fn open_vault(&self) -> Result<Vault<'_>> {
        let session = self.vault_session()?.ok_or_else(|| {
            self.foreign_refusal(Service::Vault, false)
                .unwrap_or_else(|| {
                    Error::new(ErrorCode::NoCredentials, "Not logged in to the vault.")
                        .with_service(Service::Vault)
                        .with_hint("Log in to the vault (`portal login vault`).")
                })
        })?;
        Ok(Vault::new(&self.http, self.url(Service::Vault), session).saving_to(self))
    }
}

/// One request of an operation.
struct Req {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Body,
    /// Made once per logical write.
    key: Option<String>,
}

impl Req {
    fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: Body::Empty,
            key: None,
        }
    }

    fn write(method: Method, path: impl Into<String>, body: Body) -> Self {
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
fn seg(id: &str) -> Result<String> {
    let id = id.trim();
    if id.len() > 200 {
        return Err(Error::validation(format!("'{id}' is not an asset id.")));
    }
    segment(id, "asset id")
}

fn decode<T: DeserializeOwned>(data: Value, what: &str) -> Result<T> {
    serde_json::from_value(data).map_err(|e| bad(&format!("Unexpected {what}: {e}")))
}

/// Pages of a list asked for at once by [`Vault::list_all_assets`].
pub const PAGES_IN_FLIGHT: usize = 4;

/// A logged-in vault session and every asset call.
pub struct Vault<'a> {
    client: VaultClient<'a>,
    ctx: Option<&'a ProfileContext>,
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
    pub fn saving_to(mut self, ctx: &'a ProfileContext) -> Self {
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
                            if let Err(f) = ctx.forget(Item::VaultPassword) {
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
        let email = session
            .claims
            .email
            .clone()
            .or_else(|| ctx.profile.vault_email.clone());
        Ok(match (email, ctx.stored(Item::VaultPassword)?) {
            (Some(email), Some(password)) => Some((email, password, true)),
            _ => None,
        })
    }

    fn save(&self, session: &VaultSession) {
        if let Some(ctx) = self.ctx {
            if let Err(e) = ctx.save_vault_session(session) {
                tracing::warn!(target: "portal::vault", "could not save the renewed session: {}", e.message);
            }
        }
    }

    /// The access token to use now (renewed first when about to expire), its
    /// tenant, and whether it was just renewed.
    async fn usable_token(&self) -> Result<(Secret, String, bool)> {
        let mut s = self.session.lock().await;
        let now = Utc::now().timestamp();
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
    async fn execute(&self, req: &Req) -> Result<Response> {
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

    async fn request(&self, req: &Req) -> Result<(Value, Option<PageInfo>)> {
        let resp = self.execute(req).await?;
        parsed(&resp)
    }

    async fn data<T: DeserializeOwned>(&self, req: &Req, what: &str) -> Result<T> {
        let (data, _) = self.request(req).await?;
        decode(data, what)
    }

    /// [`Self::data`] for a write whose answer may be a bare `204 No
    /// Content` (the contract does not say what the vault's DELETEs
    /// return): `done` then says what the service did.
    async fn data_or<T: DeserializeOwned>(
        &self,
        req: &Req,
        what: &str,
        done: impl FnOnce() -> T,
    ) -> Result<T> {
        let resp = self.execute(req).await?;
        if resp.is_no_content() {
            return Ok(done());
        }
        let (data, _) = parsed(&resp)?;
        decode(data, what)
    }

    // --- assets -----------------------------------------------------------

    pub async fn list_assets(&self, query: &AssetQuery) -> Result<AssetPage> {
        let mut req = Req::get("/vault/v1/assets");
        req.query = query.pairs()?;
        let (data, info) = self
            .request(&req)
            .await
            .map_err(|e| e.during("Listing assets"))?;
        let items: Vec<Asset> = decode(data, "asset list")?;
        let page = info.unwrap_or(PageInfo {
            total: items.len() as u64,
            page: query.page,
            limit: query.limit,
            has_more: false,
        });
        Ok(AssetPage { items, page })
    }

    /// Every page from `query.page` on, following `page.has_more`, in order.
    ///
    /// Pages are numbered (`?page=&limit=`), so once the first page gives the
    /// total, the pages up to it are asked for [`PAGES_IN_FLIGHT`] at a time
    /// and put back in order; it stops at the first page that says there is
    /// no more (exactly where one page after the other would have stopped),
    /// and goes on one page at a time while the last one still says
    /// `has_more` (rows added meanwhile). Each request keeps its own retries;
    /// the first failure in page order is the answer. An asset given twice,
    /// or rows well past `page.total`, is an error ([`crate::paging`]).
    pub async fn list_all_assets(&self, query: &AssetQuery) -> Result<Vec<Asset>> {
        let mut pages = Pages::new(Service::Vault);
        let doing = |e: Error| e.during("Listing assets");
        let first = self.list_assets(query).await?;
        let mut more = first.page.has_more && !first.items.is_empty();
        let mut all = pages
            .take(first.items, |a| &a.id, Some(first.page.total))
            .map_err(doing)?;
        let mut q = query.clone();
        q.page = query.page.saturating_add(1);
        let limit = if first.page.limit > 0 {
            first.page.limit
        } else {
            query.limit
        };
        if more && limit > 0 {
            let last =
                u32::try_from(first.page.total.div_ceil(u64::from(limit))).unwrap_or(u32::MAX);
            if last >= q.page {
                let base = q.clone();
                let pages_stream = futures_util::stream::iter(q.page..=last)
                    .map(|page| {
                        let mut q = base.clone();
                        q.page = page;
                        async move { self.list_assets(&q).await }
                    })
                    .buffered(PAGES_IN_FLIGHT);
                futures_util::pin_mut!(pages_stream);
                while let Some(p) = pages_stream.next().await {
                    let p = p?;
                    more = p.page.has_more && !p.items.is_empty();
                    all.extend(
                        pages
                            .take(p.items, |a| &a.id, Some(p.page.total))
                            .map_err(doing)?,
                    );
                    q.page = q.page.saturating_add(1);
                    if !more {
                        return Ok(all);
                    }
                }
            }
        }
        while more {
            let p = self.list_assets(&q).await?;
            more = p.page.has_more && !p.items.is_empty();
            all.extend(
                pages
                    .take(p.items, |a| &a.id, Some(p.page.total))
                    .map_err(doing)?,
            );
            q.page = q.page.saturating_add(1);
        }
        Ok(all)
    }

    pub async fn get_asset(&self, id: &str) -> Result<Asset> {
        self.data(&Req::get(format!("/vault/v1/assets/{}", seg(id)?)), "asset")
            .await
            .map_err(|e| e.during(&format!("Reading asset {id}")))
    }

    /// Creates an asset from metadata (no bytes).
    pub async fn create_asset(&self, new: &NewAsset) -> Result<Asset> {
        let req = Req::write(Method::POST, "/vault/v1/assets", Body::Json(new.body()?));
        self.data(&req, "asset")
            .await
            .map_err(|e| explain_write(e).during(&format!("Creating asset '{}'", new.name)))
    }

    /// Uploads a file, streamed from disk. `progress` sees the bytes sent in
    /// each attempt; `cancel` stops the upload (`cancelled`). Retries send
    /// the same `Idempotency-Key`, so the service keeps one asset.
    pub async fn upload(
        &self,
        upload: &UploadRequest,
        progress: Option<ProgressFn>,
        cancel: &CancellationToken,
    ) -> Result<Asset> {
        let total = file_size(&upload.path)?;
        let build = form_builder(upload, total, progress.clone(), cancel.clone())?;
        let req = Req::write(Method::POST, "/vault/v1/assets", Body::Multipart(build));
        let cancelled = || {
            Error::new(ErrorCode::Cancelled, "The upload was cancelled.")
                .with_service(Service::Vault)
        };
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        let result = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(cancelled()),
            r = self.data::<Asset>(&req, "asset") => r,
        };
        let asset = result.map_err(|e| {
            let name = upload.name.clone().unwrap_or_else(|| {
                let file = upload.path.file_name().unwrap_or_default();
                file.to_string_lossy().into_owned()
            });
            explain_write(e).during(&format!("Uploading '{name}'"))
        })?;
        if let Some(p) = &progress {
            p(UploadProgress { sent: total, total });
        }
        Ok(asset)
    }

    /// Rename, move to a folder (or the root) and/or retag.
    pub async fn update_asset(&self, id: &str, update: &AssetUpdate) -> Result<Asset> {
        let req = Req::write(
            Method::PATCH,
            format!("/vault/v1/assets/{}", seg(id)?),
            Body::Json(update.body()?),
        );
        self.data(&req, "asset").await
    }

    /// Deletes `asset` (as last read). Refused here, before any request,
    /// when it is under legal hold; the service's 409 `LEGAL_HOLD_ACTIVE`
    /// (a hold set since) comes back as the same `conflict`.
    pub async fn delete_asset(&self, asset: &Asset) -> Result<Deleted> {
        if asset.legal_hold {
            return Err(legal_hold_refusal(&asset.id, &asset.name, None));
        }
        let req = Req::write(
            Method::DELETE,
            format!("/vault/v1/assets/{}", seg(&asset.id)?),
            Body::Empty,
        );
        let deleted = || Deleted {
            id: asset.id.clone(),
            deleted: true,
        };
        self.data_or(&req, "deletion", deleted).await.map_err(|e| {
            explain_write(e).during(&format!("Deleting asset '{}' ({})", asset.name, asset.id))
        })
    }

    /// Reads the asset (and its hold's reason, when held), then deletes it.
    pub async fn delete_asset_by_id(&self, id: &str) -> Result<Deleted> {
        let asset = self.get_asset(id).await?;
        if asset.legal_hold {
            let reason = self.legal_hold(id).await.ok().and_then(|h| h.reason);
            return Err(legal_hold_refusal(
                &asset.id,
                &asset.name,
                reason.as_deref(),
            ));
        }
        self.delete_asset(&asset).await
    }

    /// Deletes each asset in turn; the ones that cannot be deleted (legal
    /// hold, not found, forbidden…) are skipped with the reason.
    pub async fn delete_assets(&self, ids: &[String]) -> BulkDeleteSummary {
        let mut summary = BulkDeleteSummary::default();
        for id in ids {
            match self.delete_asset_by_id(id).await {
                Ok(_) => summary.deleted.push(id.clone()),
                Err(e) => summary.skipped.push(SkippedAsset {
                    id: id.clone(),
                    code: e.code,
                    reason: e.message,
                }),
            }
        }
        summary
    }

    // --- folders, quota ---------------------------------------------------

    /// Every folder (all pages), or those under `parent_id`.
    pub async fn list_folders(&self, parent_id: Option<&str>) -> Result<Vec<Folder>> {
        let mut all = Vec::new();
        let mut pages = Pages::new(Service::Vault);
        let mut page = 1u32;
        loop {
            let mut req = Req::get("/vault/v1/folders");
            req.query = vec![("page", page.to_string()), ("limit", "100".into())];
            if let Some(p) = parent_id.filter(|p| !p.is_empty()) {
                req.query.push(("parent_id", p.to_owned()));
            }
            let (data, info) = self.request(&req).await?;
            let items: Vec<Folder> = decode(data, "folder list")?;
            let more = info.as_ref().is_some_and(|i| i.has_more) && !items.is_empty();
            all.extend(
                pages
                    .take(items, |f| &f.id, info.map(|i| i.total))
                    .map_err(|e| e.during("Listing folders"))?,
            );
            if !more {
                return Ok(all);
            }
            page += 1;
        }
    }

    pub async fn create_folder(&self, name: &str, parent_id: Option<&str>) -> Result<Folder> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 255 || name.contains('/') {
            return Err(Error::validation(
                "A folder name is 1 to 255 characters, without /.",
            ));
        }
        let body = json!({"name": name, "parent_id": parent_id.filter(|p| !p.is_empty())});
        let req = Req::write(Method::POST, "/vault/v1/folders", Body::Json(body));
        self.data(&req, "folder").await
    }

    pub async fn quota(&self) -> Result<Quota> {
        self.data(&Req::get("/vault/v1/quota"), "quota").await
    }

    // --- legal hold -------------------------------------------------------

    pub async fn legal_hold(&self, id: &str) -> Result<LegalHold> {
        let req = Req::get(format!("/vault/v1/assets/{}/legal-hold", seg(id)?));
        self.data(&req, "legal hold").await
    }

    pub async fn set_legal_hold(&self, id: &str, reason: &str) -> Result<LegalHold> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(Error::validation(
                "A legal hold needs a reason of 1 to 500 characters.",
            ));
        }
        let req = Req::write(
            Method::PUT,
            format!("/vault/v1/assets/{}/legal-hold", seg(id)?),
            Body::Json(json!({"reason": reason})),
        );
        self.data(&req, "legal hold").await
    }

    pub async fn clear_legal_hold(&self, id: &str) -> Result<LegalHold> {
        let req = Req::write(
            Method::DELETE,
            format!("/vault/v1/assets/{}/legal-hold", seg(id)?),
            Body::Empty,
        );
        let cleared = || LegalHold {
            asset_id: id.to_owned(),
            active: false,
            reason: None,
            set_by: None,
            set_at: None,
        };
        self.data_or(&req, "legal hold", cleared).await
    }

    // --- transforms, shares -----------------------------------------------

    pub async fn request_transform(&self, id: &str, kind: TransformKind) -> Result<Transform> {
        let req = Req::write(
            Method::POST,
            format!("/vault/v1/assets/{}/transforms", seg(id)?),
            Body::Json(json!({"type": kind.as_str()})),
        );
        self.data(&req, "transform").await
    }

    /// The asset's transforms, oldest first (all pages).
    pub async fn list_transforms(&self, id: &str) -> Result<Vec<Transform>> {
        let path = format!("/vault/v1/assets/{}/transforms", seg(id)?);
        let mut all = Vec::new();
        let mut pages = Pages::new(Service::Vault);
        let mut page = 1u32;
        loop {
            let mut req = Req::get(path.clone());
            req.query = vec![("page", page.to_string()), ("limit", "100".into())];
            let (data, info) = self.request(&req).await?;
            let items: Vec<Transform> = decode(data, "transform list")?;
            let more = info.as_ref().is_some_and(|i| i.has_more) && !items.is_empty();
            all.extend(
                pages
                    .take(items, |t| &t.id, info.map(|i| i.total))
                    .map_err(|e| e.during(&format!("Listing the transforms of {id}")))?,
            );
            if !more {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// A share link valid for `expires_in_seconds` (60 s to 30 days; the
    /// service's default is 24 h).
    pub async fn share(&self, id: &str, expires_in_seconds: Option<u32>) -> Result<Share> {
        let body = match expires_in_seconds {
            Some(s) if !(60..=2_592_000).contains(&s) => {
                return Err(Error::validation(
                    "A share link lasts from 1 minute to 30 days.",
                ))
            }
            Some(s) => json!({"expires_in_seconds": s}),
            None => json!({}),
        };
        let req = Req::write(
            Method::POST,
            format!("/vault/v1/assets/{}/share", seg(id)?),
            Body::Json(body),
        );
        self.data(&req, "share").await
    }

    /// Whether this session's role may do `action` (the UI's check; the
    /// service decides).
    pub async fn may(&self, action: AssetAction) -> bool {
        allowed(self.role().await, action)
    }
}

fn legal_hold_refusal(id: &str, name: &str, reason: Option<&str>) -> Error {
    let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
    let mut e = Error::new(
        ErrorCode::Conflict,
        format!(
            "'{name}' ({id}) is under legal hold{why} and cannot be deleted. An admin must clear the hold first."
        ),
    )
    .with_service(Service::Vault)
    .with_hint(format!("Clear the hold first: `portal legal-hold clear {id}` (admin)."));
    e.service_code = Some("LEGAL_HOLD_ACTIVE".into());
    e
}

/// Adds what to do next to the vault's 409s.
fn explain_write(e: Error) -> Error {
    match e.service_code.as_deref() {
        Some("LEGAL_HOLD_ACTIVE") => e.with_hint(
            "The asset is under legal hold: an admin must clear the hold before it can be deleted.",
        ),
        Some("QUOTA_EXCEEDED") => e.with_hint(
            "The tenant's storage quota is full: delete assets or ask for a larger quota.",
        ),
        _ => e,
    }
}

/// The vault's envelope, with the hint to log in again on a 401.
fn parsed(resp: &Response) -> Result<(Value, Option<PageInfo>)> {
    parse_envelope(resp).map_err(|e| {
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
