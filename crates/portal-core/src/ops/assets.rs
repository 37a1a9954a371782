//! The Vault use cases, shared by the app's asset commands and `portal
//! assets|folders|legal-hold|transforms|share`: the reads the shells show
//! (a page or all assets, an asset's details, folders, quota, holds,
//! transforms) and every write (update, delete one or many, legal hold
//! set/clear, create folder, share, request a transform, upload). Each write
//! records itself in the activity log, so the app and the CLI leave the same
//! entry. The upload engine (several files, progress, cancellation) is in
//! [`uploads`].

pub mod uploads;

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::{record, Outcome, Recorder};
use crate::activity::Action;
use crate::context::ProfileContext;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::secrets::Item;
use crate::vault::ProgressFn;
use crate::vault::{
    Asset, AssetPage, AssetQuery, AssetUpdate, BulkDeleteSummary, Deleted, Folder, LegalHold,
    Quota, Share, Transform, TransformKind, UploadRequest, Vault, VaultIdentity, ASSET_SORTS,
};

/// What every vault use case works with: the profile, its logged-in vault
/// and where changes are recorded.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub pc: &'a ProfileContext,
    pub vault: &'a Vault<'a>,
    pub recorder: &'a dyn Recorder,
}

impl Cx<'_> {
    fn record<T>(&self, value: T, action: Action, target: &str, summary: &str) -> Outcome<T> {
        let mut warnings = Vec::new();
        record(
            self.recorder,
            self.pc,
            action,
            target,
            summary,
            &mut warnings,
        );
        Outcome { value, warnings }
    }

    /// Records `action` on `value` (its id the target): "`done` 'name'".
    fn record_named<T: Named>(&self, value: T, action: Action, done: &str) -> Outcome<T> {
        let (id, name) = value.id_and_name();
        let summary = format!("{done} '{name}'");
        let target = id.to_owned();
        self.record(value, action, &target, &summary)
    }
}

/// What the vault made or changed: its id and name.
trait Named {
    fn id_and_name(&self) -> (&str, &str);
}

impl Named for Asset {
    fn id_and_name(&self) -> (&str, &str) {
        (&self.id, &self.name)
    }
}

impl Named for Folder {
    fn id_and_name(&self) -> (&str, &str) {
        (&self.id, &self.name)
    }
}

/// Logs in; the tokens stay in the secret store, the password is kept only
/// when `remember`. In the embedded sandbox an empty password means the one
/// the app gave its Vault users (random, in the secret store).
pub async fn login(
    pc: &ProfileContext,
    email: &str,
    mut password: Secret,
    remember: bool,
) -> Result<VaultIdentity> {
    if password.expose().is_empty() && pc.profile.embedded_sandbox {
        if let Some(stored) = pc.stored(Item::SandboxVaultPassword)? {
            password = stored;
        }
    }
    pc.vault_login(email, &password, remember).await
}

/// What `portal assets list` asks for: a page, or every page.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub page: u32,
    /// 1 to 100; default 20, or 100 with `all` (a fifth of the requests).
    pub limit: Option<u32>,
    pub all: bool,
    pub folder_id: Option<String>,
    pub search: Option<String>,
    /// One of [`ASSET_SORTS`].
    pub sort: Option<String>,
}

impl ListRequest {
    /// The query, the sort checked.
    pub fn query(self) -> Result<AssetQuery> {
        if let Some(s) = &self.sort {
            if !ASSET_SORTS.contains(&s.as_str()) {
                return Err(Error::validation(format!(
                    "--sort takes one of {}.",
                    ASSET_SORTS.join(", ")
                )));
            }
        }
        let limit = self.limit.unwrap_or(if self.all { 100 } else { 20 });
        Ok(AssetQuery {
            page: self.page.max(1),
            limit: limit.clamp(1, 100),
            folder_id: self.folder_id,
            q: self.search,
            sort: self.sort,
        })
    }
}

/// One page of assets.
pub async fn page(cx: Cx<'_>, query: &AssetQuery) -> Result<AssetPage> {
    cx.vault.list_assets(query).await
}

/// The assets `request` names: its page, or every page with `all`.
pub async fn list(cx: Cx<'_>, request: ListRequest) -> Result<Vec<Asset>> {
    let all = request.all;
    let query = request.query()?;
    if all {
        cx.vault.list_all_assets(&query).await
    } else {
        Ok(cx.vault.list_assets(&query).await?.items)
    }
}

pub async fn get(cx: Cx<'_>, id: &str) -> Result<Asset> {
    cx.vault.get_asset(id).await
}

/// One asset with its legal hold (when held) and its transforms.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssetDetails {
    pub asset: Asset,
    pub legal_hold: Option<LegalHold>,
    pub transforms: Vec<Transform>,
}

/// The asset, its legal hold (with the reason; none when it cannot be
/// read) and its transforms.
pub async fn details(cx: Cx<'_>, id: &str) -> Result<AssetDetails> {
    let asset = cx.vault.get_asset(id).await?;
    let legal_hold = if asset.legal_hold {
        cx.vault.legal_hold(id).await.ok()
    } else {
        None
    };
    let transforms = cx.vault.list_transforms(id).await?;
    Ok(AssetDetails {
        asset,
        legal_hold,
        transforms,
    })
}

pub async fn transforms(cx: Cx<'_>, id: &str) -> Result<Vec<Transform>> {
    cx.vault.list_transforms(id).await
}

/// Every folder (all pages), or those under `parent_id`.
pub async fn folders(cx: Cx<'_>, parent_id: Option<&str>) -> Result<Vec<Folder>> {
    cx.vault.list_folders(parent_id).await
}

pub async fn quota(cx: Cx<'_>) -> Result<Quota> {
    cx.vault.quota().await
}

pub async fn legal_hold(cx: Cx<'_>, id: &str) -> Result<LegalHold> {
    cx.vault.legal_hold(id).await
}

/// Rename, move and/or retag (`asset_update`).
pub async fn update(cx: Cx<'_>, id: &str, update: &AssetUpdate) -> Result<Outcome<Asset>> {
    let asset = cx.vault.update_asset(id, update).await?;
    Ok(cx.record_named(asset, Action::AssetUpdate, "Updated asset"))
}

/// Deletes one asset (`asset_delete`); refused before any delete request
/// when it is under legal hold (the refusal names the hold's reason). The
/// asset as it was read comes back beside the answer.
pub async fn delete(cx: Cx<'_>, id: &str) -> Result<Outcome<(Asset, Deleted)>> {
    let (asset, deleted) = cx.vault.delete_asset_read(id).await?;
    let summary = format!("Deleted asset '{}'", asset.name);
    let target = asset.id.clone();
    Ok(cx.record((asset, deleted), Action::AssetDelete, &target, &summary))
}

/// Deletes each asset (one `asset_delete` each); the ones left alone come
/// back with the reason.
pub async fn delete_many(cx: Cx<'_>, ids: &[String]) -> Outcome<BulkDeleteSummary> {
    let summary = cx.vault.delete_assets(ids).await;
    let mut warnings = Vec::new();
    for id in &summary.deleted {
        let line = format!("Deleted asset {id} (bulk)");
        record(
            cx.recorder,
            cx.pc,
            Action::AssetDelete,
            id,
            &line,
            &mut warnings,
        );
    }
    Outcome {
        value: summary,
        warnings,
    }
}

/// Places a legal hold (`legal_hold_set`, with the reason).
pub async fn set_legal_hold(cx: Cx<'_>, id: &str, reason: &str) -> Result<Outcome<LegalHold>> {
    let hold = cx.vault.set_legal_hold(id, reason).await?;
    let summary = format!("Legal hold set: {}", reason.trim());
    Ok(cx.record(hold, Action::LegalHoldSet, id, &summary))
}

/// Releases a legal hold (`legal_hold_clear`, with why when given).
pub async fn clear_legal_hold(
    cx: Cx<'_>,
    id: &str,
    reason: Option<&str>,
) -> Result<Outcome<LegalHold>> {
    let hold = cx.vault.clear_legal_hold(id).await?;
    let summary = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("Legal hold cleared: {r}"),
        None => "Legal hold cleared".to_owned(),
    };
    Ok(cx.record(hold, Action::LegalHoldClear, id, &summary))
}

/// Creates a folder (`folder_create`, the folder's id as target).
pub async fn create_folder(
    cx: Cx<'_>,
    name: &str,
    parent_id: Option<&str>,
) -> Result<Outcome<Folder>> {
    let folder = cx.vault.create_folder(name, parent_id).await?;
    Ok(cx.record_named(folder, Action::FolderCreate, "Created folder"))
}

/// A share link (`asset_share`: anyone with it can open the asset until it
/// expires; the link itself is not recorded).
pub async fn share(
    cx: Cx<'_>,
    id: &str,
    expires_in_seconds: Option<u32>,
) -> Result<Outcome<Share>> {
    let share = cx.vault.share(id, expires_in_seconds).await?;
    let until = share.expires_at.map_or_else(String::new, |t| {
        format!(" until {}", t.format("%Y-%m-%d %H:%M UTC"))
    });
    let summary = format!("Shared asset {id}{until}");
    Ok(cx.record(share, Action::AssetShare, id, &summary))
}

/// Uploads one file, streamed from disk (`asset_upload`, the new asset as
/// target). `progress` sees the bytes sent in each attempt; `cancel` stops
/// it (`cancelled`). Several files with events: [`uploads::run`].
pub async fn upload(
    cx: Cx<'_>,
    request: &UploadRequest,
    progress: Option<ProgressFn>,
    cancel: &CancellationToken,
) -> Result<Outcome<Asset>> {
    let asset = cx.vault.upload(request, progress, cancel).await?;
    Ok(cx.record_named(asset, Action::AssetUpload, "Uploaded"))
}

/// Requests a transform (`transform_request`, the asset as target).
pub async fn request_transform(
    cx: Cx<'_>,
    id: &str,
    kind: TransformKind,
) -> Result<Outcome<Transform>> {
    let t = cx.vault.request_transform(id, kind).await?;
    let summary = format!("Requested a {} transform ({})", kind.as_str(), t.id);
    Ok(cx.record(t, Action::TransformRequest, id, &summary))
}
