use portal_core::secrets::Item;
use portal_core::tokens::{ApiToken, ScopeInfo, SCOPES};
use portal_core::{Result, Service};
use tauri::State;
use tracing::instrument;

use crate::state::AppCtx;

/// Every token of the active profile, all pages (never their values).
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn list_tokens(app: State<'_, AppCtx>) -> Result<Vec<ApiToken>> {
    let ctx = app.active_context().await?;
    let credential = ctx.credential(Item::VaultStreamToken, Service::VaultStream)?;
    ctx.tokens(&credential).list_all().await
}

#[tauri::command]
pub fn token_scopes() -> Vec<ScopeInfo> {
    SCOPES.to_vec()
}
