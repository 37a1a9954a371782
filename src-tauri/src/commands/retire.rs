//! Safe key retirement (#16 §2): adapters of `portal_core::ops::retire`,
//! which holds the use cases and records them. The periodic run of due
//! deletions is `crate::retire`.

use portal_core::key_records::ScheduledDeletion;
use portal_core::ops::retire::{self as ops, DeletionCheck, RetireReport};
use portal_core::Result;
use tauri::State;
use tracing::instrument;

use super::keys::cx;
use crate::state::{logged, AppCtx};

/// Whether deleting a key now would stop live JWTs signed here, and for how
/// many hours.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn key_deletion_check(
    ctx: State<'_, AppCtx>,
    server_id: String,
) -> Result<DeletionCheck> {
    let pc = ctx.active_context().await?;
    ops::check(cx(&ctx, &pc), &server_id).await
}

/// Schedules a key's deletion for when its last signed JWT expires.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn schedule_key_deletion(
    ctx: State<'_, AppCtx>,
    server_id: String,
    delete_local: bool,
) -> Result<ScheduledDeletion> {
    let pc = ctx.active_context().await?;
    let scheduled = ops::schedule(cx(&ctx, &pc), &server_id, delete_local).await;
    scheduled.map(logged)
}

/// Calls off a scheduled key deletion.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn cancel_key_deletion(
    ctx: State<'_, AppCtx>,
    server_id: String,
) -> Result<ScheduledDeletion> {
    let pc = ctx.active_context().await?;
    ops::cancel(cx(&ctx, &pc), &server_id).map(logged)
}

/// Carries out the due deletions now (as the periodic check does).
#[tauri::command]
#[instrument(skip_all)]
pub async fn retire_due_keys(ctx: State<'_, AppCtx>) -> Result<RetireReport> {
    Ok(crate::retire::run_due(&ctx).await)
}
