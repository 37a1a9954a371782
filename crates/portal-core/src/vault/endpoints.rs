//! The vault's endpoints on a logged-in [`Vault`]: assets (list, read,
//! create, upload, update, delete), folders, quota, legal holds, transforms
//! and share links. The session mechanics (refresh, sign-in again,
//! idempotency keys) are in `session.rs`.

use futures_util::StreamExt;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::session::{seg, Req};
use super::types::{
    AssetQuery, AssetUpdate, BulkDeleteSummary, Deleted, Folder, LegalHold, NewAsset, Quota, Share,
    SkippedAsset, Transform, TransformKind,
};
use super::upload::{file_size, form_builder, ProgressFn, UploadProgress, UploadRequest};
use super::{allowed, Asset, AssetAction, AssetPage, PageInfo, Vault};
use crate::error::{Error, ErrorCode, Result};
use crate::http::Body;
use crate::paging::Pages;
use crate::service::Service;

/// Pages of a list asked for at once by [`Vault::list_all_assets`].
const PAGES_IN_FLIGHT: usize = 4;

impl<'a> Vault<'a> {
    // --- assets -----------------------------------------------------------

    pub async fn list_assets(&self, query: &AssetQuery) -> Result<AssetPage> {
        let mut req = Req::get("/vault/v1/assets");
        req.query = query.pairs()?;
        let (items, info): (Vec<Asset>, _) = self
            .request(&req, "asset list")
            .await
            .map_err(|e| e.during("Listing assets"))?;
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
        let mut all = Vec::new();
        let first = self.list_assets(query).await?;
        let (total, first_limit) = (first.page.total, first.page.limit);
        let mut more = take_page(&mut pages, &mut all, first)?;
        let mut q = query.clone();
        q.page = query.page.saturating_add(1);
        let limit = if first_limit > 0 {
            first_limit
        } else {
            query.limit
        };
        if more && limit > 0 {
            let last = u32::try_from(total.div_ceil(u64::from(limit))).unwrap_or(u32::MAX);
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
                    more = take_page(&mut pages, &mut all, p?)?;
                    q.page = q.page.saturating_add(1);
                    if !more {
                        return Ok(all);
                    }
                }
            }
        }
        while more {
            more = take_page(&mut pages, &mut all, self.list_assets(&q).await?)?;
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
        self.delete_asset_read(id).await.map(|(_, deleted)| deleted)
    }

    /// [`Self::delete_asset_by_id`], with the asset as it was read.
    pub async fn delete_asset_read(&self, id: &str) -> Result<(Asset, Deleted)> {
        let asset = self.get_asset(id).await?;
        if asset.legal_hold {
            let reason = self.legal_hold(id).await.ok().and_then(|h| h.reason);
            return Err(legal_hold_refusal(
                &asset.id,
                &asset.name,
                reason.as_deref(),
            ));
        }
        let deleted = self.delete_asset(&asset).await?;
        Ok((asset, deleted))
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
        let parent = parent_id.filter(|p| !p.is_empty());
        let list = List {
            path: "/vault/v1/folders".into(),
            filter: parent.map(|p| ("parent_id", p.to_owned())),
            what: "folder list",
            doing: "Listing folders".into(),
        };
        self.every_page(list, |f: &Folder| &f.id).await
    }

    /// Every page of `list` (100 a page, in order), checked by [`Pages`].
    async fn every_page<T: DeserializeOwned>(
        &self,
        list: List,
        id: impl Fn(&T) -> &str,
    ) -> Result<Vec<T>> {
        let mut all = Vec::new();
        let mut pages = Pages::new(Service::Vault);
        let mut page = 1u32;
        loop {
            let mut req = Req::get(list.path.clone());
            req.query = vec![("page", page.to_string()), ("limit", "100".into())];
            req.query.extend(list.filter.clone());
            let (items, info): (Vec<T>, _) = self.request(&req, list.what).await?;
            let more = info.as_ref().is_some_and(|i| i.has_more) && !items.is_empty();
            let taken = pages.take(items, &id, info.map(|i| i.total));
            all.extend(taken.map_err(|e| e.during(&list.doing))?);
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
        let list = List {
            path: format!("/vault/v1/assets/{}/transforms", seg(id)?),
            filter: None,
            what: "transform list",
            doing: format!("Listing the transforms of {id}"),
        };
        self.every_page(list, |t: &Transform| &t.id).await
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

/// A paged list of the vault: where, with what filter, and how to name it
/// in errors (`what` it decodes; what it was `doing`).
struct List {
    path: String,
    filter: Option<(&'static str, String)>,
    what: &'static str,
    doing: String,
}

/// Adds a page of assets to `all` (checked by `pages`: no asset twice, not
/// well past the total); whether another page follows it.
fn take_page(pages: &mut Pages, all: &mut Vec<Asset>, p: AssetPage) -> Result<bool> {
    let more = p.page.has_more && !p.items.is_empty();
    let items = pages.take(p.items, |a| &a.id, Some(p.page.total));
    all.extend(items.map_err(|e| e.during("Listing assets"))?);
    Ok(more)
}
