//! The Health panel (issue 15 §3): adapters of `portal_core::ops::health`
//! (what went stale for the active profile, each with its fix) and of
//! forgetting a stale saved token value.

use portal_core::ops::health::{self, HealthReport};
use portal_core::Result;
use tauri::State;
use tracing::instrument;

use crate::state::AppCtx;

/// What went stale for the active profile.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn health_report(ctx: State<'_, AppCtx>) -> Result<HealthReport> {
    let pc = ctx.active_context().await?;
    Ok(health::check(&pc, ctx.settings.as_ref(), chrono::Utc::now()).await)
}

/// Forgets a token value saved here (the token itself is not touched).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn forget_saved_token(ctx: State<'_, AppCtx>, id: String) -> Result<()> {
    let pc = ctx.active_context().await?;
    portal_core::ops::tokens::forget_saved(&pc, ctx.settings.as_ref(), &id)
}
